"""Waits (at most 30 s) until the compute API lists COUNT hypervisors, each
up and enabled: the hosts have reported, so the conductor has relayed their
first reports to the scheduler. Used by the shell tests in place of a fixed
sleep after the cloud starts.
  wait_hosts_up.py ROOT_URL COUNT --clouds CLOUDS_YAML   (password login)
  wait_hosts_up.py ROOT_URL COUNT --token TOKEN          (a static token)
Exits 0 once they are, 1 (printing the last list) when the time is up."""
import json
import sys
import time
import urllib.error
import urllib.request

root, count, how, what = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def request(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(root + path, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers, json.load(r)


if how == "--token":
    token = what
else:
    import yaml
    auth = yaml.safe_load(open(what))["clouds"]["stratus"]["auth"]
    headers, _ = request("POST", "/identity/v3/auth/tokens", {"auth": {
        "identity": {"methods": ["password"],
                     "password": {"user": {"name": auth["username"], "domain": {"id": "default"},
                                           "password": auth["password"]}}},
        "scope": {"project": {"name": auth.get("project_name", "admin"), "domain": {"id": "default"}}}}})
    token = headers["X-Subject-Token"]

deadline = time.monotonic() + 30
hypervisors = []
while time.monotonic() < deadline:
    try:
        _, body = request("GET", "/v2.1/os-hypervisors/detail", headers={"X-Auth-Token": token})
        hypervisors = body["hypervisors"]
    except (urllib.error.URLError, OSError) as e:
        hypervisors = [str(e)]
    up = [h for h in hypervisors if isinstance(h, dict) and h.get("state") == "up" and h.get("status") == "enabled"]
    if len(up) >= count:
        sys.exit(0)
    time.sleep(0.1)
print("the hosts did not come up within 30 s: %s" % hypervisors)
sys.exit(1)
