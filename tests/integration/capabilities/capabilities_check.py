"""The checks of capabilities_test.sh against a running aio (see there).
  capabilities_check.py ROOT_URL CLOUDS_YAML"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

import yaml

root, clouds = sys.argv[1], sys.argv[2]
failures = 0


def check(what, ok, detail=""):
    global failures
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else " (%s)" % (detail,)))
    failures += 0 if ok else 1


def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(root + path, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            raw = r.read()
            return r.status, r.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, e.headers, json.loads(raw) if raw else None


auth = yaml.safe_load(open(clouds))["clouds"]["stratus"]["auth"]
_, headers, _ = call("POST", "/identity/v3/auth/tokens", {"auth": {
    "identity": {"methods": ["password"],
                 "password": {"user": {"name": auth["username"], "domain": {"id": "default"},
                                       "password": auth["password"]}}},
    "scope": {"project": {"name": auth.get("project_name", "admin"), "domain": {"id": "default"}}}}})
H = {"X-Auth-Token": headers["X-Subject-Token"]}


def compute(method, path, body=None):
    return call(method, "/v2.1" + path, body, H)


def wait_server(sid, statuses, limit=30):
    deadline = time.monotonic() + limit
    s = None
    while time.monotonic() < deadline:
        _, _, b = compute("GET", "/servers/" + sid)
        s = b["server"]
        if s["status"] in statuses and s["OS-EXT-STS:task_state"] is None:
            return s
        time.sleep(0.2)
    return s


image = compute("GET", "/images")[2]["images"][0]["id"]

# The host reports without get_available_resource: the machine's own CPUs.
_, _, hv = compute("GET", "/os-hypervisors/detail")
hv = hv["hypervisors"]
check("the host without get_available_resource reports the machine's CPUs",
      len(hv) == 1 and hv[0]["vcpus"] == os.cpu_count() and hv[0]["memory_mb"] > 0, hv)

status, _, b = compute("POST", "/servers", {"server": {"name": "plain", "imageRef": image, "flavorRef": "1"}})
check("a server without a config drive is accepted", status == 202, (status, b))
sid = b["server"]["id"]
s = wait_server(sid, ("ACTIVE", "ERROR"))
check("and goes ACTIVE", s["status"] == "ACTIVE", s)


def actions_of(server_id):
    return sorted(a["action"] for a in compute("GET", "/servers/%s/os-instance-actions" % server_id)[2]["instanceActions"])


before = actions_of(sid)
for body, code, key, words in [
        ({"suspend": None}, 409, "conflictingRequest", "Cannot 'suspend' instance " + sid),
        ({"pause": None}, 501, "notImplemented", "The requested functionality is not supported"),
        ({"os-getConsoleOutput": {}}, 501, "notImplemented", "The requested functionality is not supported")]:
    name = list(body)[0]
    status, _, b = compute("POST", "/servers/%s/action" % sid, body)
    check("%s is answered %d before any cast" % (name, code),
          status == code and key in (b or {}) and b[key]["message"].startswith(words), (status, b))
    _, _, now = compute("GET", "/servers/" + sid)
    now = now["server"]
    check("and the server is unchanged after %s" % name,
          now["status"] == "ACTIVE" and now["OS-EXT-STS:task_state"] is None, now)
check("no instance action was recorded for the refused requests", actions_of(sid) == before, actions_of(sid))

# What the driver can do still works.
status, _, b = compute("POST", "/servers/%s/action" % sid, {"reboot": {"type": "SOFT"}})
check("reboot (supported) is accepted", status == 202, (status, b))
s = wait_server(sid, ("ACTIVE",))
check("and the server is ACTIVE again", s["status"] == "ACTIVE", s)

# A config drive no host's driver can make: NoValidHost, the need named.
status, _, b = compute("POST", "/servers", {"server": {"name": "drive", "imageRef": image, "flavorRef": "1",
                                                       "config_drive": True}})
check("a server with a config drive is accepted (scheduling is asynchronous)", status == 202, (status, b))
s = wait_server(b["server"]["id"], ("ERROR", "ACTIVE"))
fault = (s or {}).get("fault", {}).get("message", "")
check("and goes to ERROR: no host's driver supports a config drive",
      s["status"] == "ERROR" and "No valid host" in fault and "config drive" in fault, s)

for server in compute("GET", "/servers")[2]["servers"]:
    compute("DELETE", "/servers/" + server["id"])
print("failures: %d" % failures)
sys.exit(1 if failures else 0)
