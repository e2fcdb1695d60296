#!/usr/bin/env bash
# `stratus aio --fake-hosts 500`: the fake hosts share their threads (one RPC
# endpoint, one build pool, one periodic thread, batched heartbeats). Checks
# what a user sees: 500 hypervisors up, servers that boot ACTIVE on
# different hosts and delete, and a process that stays under 100 threads.
# No timing is asserted.
set -u
stratus="$1"
source "$(dirname "$0")/../lib/aio.sh"
hosts=500

"$stratus" --log-level warn --set host=many --set api.auth_strategy=noauth \
  aio --fake-hosts "$hosts" --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio.out" 2>&1 &
aio_pid=$!
aio_wait_ready 600

threads() { ls "/proc/$aio_pid/task" | wc -l; }

check "the $hosts hosts are up and enabled in GET /os-hypervisors/detail" \
  /usr/bin/python3 "$(dirname "$0")/../lib/wait_hosts_up.py" "$aio_root" "$hosts" --token unused
n="$(threads)"
check "the process runs $n threads (< 100) with $hosts hosts" test "$n" -lt 100

check "servers boot ACTIVE on different hosts and delete" /usr/bin/python3 - "$aio_url" <<'PY'
import json, sys, time, urllib.request
url = sys.argv[1]
def call(method, path, body=None):
    # 2.37 for "networks": "none" (the image list is gone from 2.36 on).
    headers = {"Content-Type": "application/json"}
    if method == "POST":
        headers["X-OpenStack-Nova-API-Version"] = "2.37"
    req = urllib.request.Request(url + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers=headers)
    with urllib.request.urlopen(req, timeout=30) as r:
        data = r.read()
        return json.loads(data) if data else None
image = call("GET", "/images")["images"][0]["id"]
ids = [call("POST", "/servers", {"server": {"name": "many-%d" % i, "imageRef": image, "flavorRef": "1",
                                           "networks": "none"}})["server"]["id"] for i in range(6)]
hosts = {}
deadline = time.monotonic() + 60
while time.monotonic() < deadline and len(hosts) < len(ids):
    for i in ids:
        s = call("GET", "/servers/" + i)["server"]
        if s["status"] == "ERROR":
            raise SystemExit("server %s in ERROR: %s" % (i, s.get("fault")))
        if s["status"] == "ACTIVE":
            hosts[i] = s["OS-EXT-SRV-ATTR:host"]
    time.sleep(0.2)
if len(hosts) < len(ids):
    raise SystemExit("only %d of %d servers became ACTIVE" % (len(hosts), len(ids)))
print("hosts:", sorted(set(hosts.values())))
if len(set(hosts.values())) < 2:
    raise SystemExit("every server landed on one host: %s" % hosts)
for i in ids:
    call("DELETE", "/servers/" + i)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    left = [s["id"] for s in call("GET", "/servers")["servers"] if s["id"] in ids]
    if not left:
        sys.exit(0)
    time.sleep(0.2)
raise SystemExit("servers not deleted: %s" % left)
PY
n="$(threads)"
check "after the boots the process runs $n threads (< 100)" test "$n" -lt 100

aio_finish
