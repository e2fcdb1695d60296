#!/usr/bin/env bash
# Stratus as an operator runs it across machines, on loopback: one process per
# role over tcp RPC, then servers created, acted on and deleted through REST.
# A compute service is killed (SIGKILL) mid-build and restarted: the server it
# was building must not stay in BUILD forever.
#   multi_process_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../lib/processes.sh"

# Short intervals so that liveness is seen within seconds.
common=(--set rpc.heartbeat_ms=100 --set compute.heartbeat_interval=0.3 --set compute.resource_report_interval=0.5
        --set compute.sync_power_state_interval=1 --set service_down_time=3 --set rpc.call_timeout=10
        --set data_dir="$work/data" --set api.auth_strategy=noauth --log-level info)

start_router "$stratus" "${common[@]}"
common+=(--set rpc.router="$router")

"$stratus" "${common[@]}" --set host=ctl serve scheduler > "$work/scheduler.out" 2>&1 &
pids+=($!)
"$stratus" "${common[@]}" --set host=ctl serve conductor > "$work/conductor.out" 2>&1 &
pids+=($!)
start_compute() {  # start_compute HOST [LOGNAME]: sets pid_HOST and appends it to pids
  "$stratus" "${common[@]}" --set host="$1" serve compute > "$work/${2:-$1}.out" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
}
start_compute c1
start_compute c2
start_compute c3
"$stratus" "${common[@]}" --set host=ctl serve api --listen 127.0.0.1:0 > "$work/api.out" 2>&1 &
pids+=($!)
for f in scheduler conductor c1 c2 c3 api; do wait_for_line "$work/$f.out" "stratus serve: .* ready"; done
api="$(grep -o 'http://127.0.0.1:[0-9]*/v2.1' "$work/api.out" | head -1)"
check "the api prints its URL" test -n "$api"

export STRATUS_URL="$api"
py() { /usr/bin/python3 - "$api" "$@"; }

check "three compute services are up, and the controllers" py <<'PY'
import json, sys, time, urllib.request
api = sys.argv[1]
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    with urllib.request.urlopen(api + "/os-hypervisors/detail") as r:
        hv = json.load(r)["hypervisors"]
    if len(hv) == 3 and all(h["state"] == "up" for h in hv):
        break
    time.sleep(0.2)
else:
    raise SystemExit("hypervisors: %s" % hv)
assert sorted(h["hypervisor_hostname"] for h in hv) == ["c1", "c2", "c3"], hv
with urllib.request.urlopen(api + "/os-services") as r:
    services = json.load(r)["services"]
binaries = {(s["binary"], s["host"]) for s in services}
assert ("nova-compute", "c1") in binaries, services
PY
sleep 1  # the scheduler hears reports one period after the conductor

# The happy path with the stratus client: create three, reboot, stop/start, delete.
"$stratus" server create web --flavor m1.tiny --image cirros-0.6.2-x86_64-disk --count 3 --wait -f json \
  > "$work/create.json" 2> "$work/create.err" || true
check "three servers go ACTIVE over tcp" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
servers = d if isinstance(d, list) else [d]
assert len(servers) == 3 and all(s["Status"] == "ACTIVE" for s in servers), d
' "$work/create.json"
"$stratus" server list -f json > "$work/list.json"
first="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["ID"])' "$work/list.json" 2>/dev/null || true)"
check "server list shows them" test -n "$first"
check "reboot --hard --wait" "$stratus" server reboot --hard --wait "$first"
check "stop --wait" "$stratus" server stop --wait "$first"
check "start --wait" "$stratus" server start --wait "$first"
check "console-log" "$stratus" server console-log "$first"

# Kill a compute service in the middle of a build, then restart it.
check "a slow build is placed on c2" py "$work/slow.id" <<'PY'
import json, sys, time, urllib.request
api = sys.argv[1]
def call(method, path, body=None):
    req = urllib.request.Request(api + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r) if r.length else None
images = call("GET", "/images")["images"]
s = call("POST", "/servers", {"server": {"name": "slow", "imageRef": images[0]["id"], "flavorRef": "1",
                                          "availability_zone": "nova:c2",
                                          "metadata": {"stratus:fake_fault:spawn": "delay:30000"}}})["server"]
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    got = call("GET", "/servers/" + s["id"])["server"]
    if got["OS-EXT-STS:task_state"] == "spawning":
        break
    time.sleep(0.1)
else:
    raise SystemExit("never reached spawning: %s" % got)
open(sys.argv[2], "w").write(s["id"])
PY
slow="$(cat "$work/slow.id" 2>/dev/null || true)"
kill -KILL "$pid_c2"
wait "$pid_c2" 2>/dev/null || true
start_compute c2 c2-restarted
wait_for_line "$work/c2-restarted.out" "stratus serve: compute ready"
# The server was forced to c2 ("nova:c2"): it is not moved to another host.
check "the restarted compute puts the half-built forced server in ERROR, not BUILD forever" py "$slow" <<'PY'
import json, sys, time, urllib.request
api, uuid = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    with urllib.request.urlopen(api + "/servers/" + uuid) as r:
        s = json.load(r)["server"]
    if s["status"] == "ERROR" and s["OS-EXT-STS:task_state"] is None:
        assert "forced to host c2" in s["fault"]["message"], s["fault"]
        break
    time.sleep(0.2)
else:
    raise SystemExit("still %s/%s" % (s["status"], s["OS-EXT-STS:task_state"]))
PY
check "c2 is up again and takes new servers" "$stratus" server create after --flavor m1.tiny \
  --image cirros-0.6.2-x86_64-disk --availability-zone nova:c2 --wait

# Delete everything; the guests go away and so do the servers.
ids="$("$stratus" server list -f json | /usr/bin/python3 -c 'import json,sys; print(" ".join(s["ID"] for s in json.load(sys.stdin)))')"
# shellcheck disable=SC2086
check "delete --wait removes every server" "$stratus" server delete --wait $ids
check "and the list is empty" test "$("$stratus" server list -f json)" = "[]"

# A compute service that stops is shown down, and is not scheduled to.
kill -TERM "$pid_c3"
wait "$pid_c3" 2>/dev/null || true
check "a stopped compute service goes down and gets no servers" py <<'PY'
import json, sys, time, urllib.request
api = sys.argv[1]
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    with urllib.request.urlopen(api + "/os-hypervisors/detail") as r:
        hv = {h["hypervisor_hostname"]: h["state"] for h in json.load(r)["hypervisors"]}
    if hv.get("c3") == "down":
        break
    time.sleep(0.2)
else:
    raise SystemExit("c3 still %s" % hv)
PY
"$stratus" server create late --flavor m1.tiny --image cirros-0.6.2-x86_64-disk --count 4 --wait > /dev/null || true
"$stratus" server list --long -f json > "$work/late.json"
check "new servers avoid the down host" /usr/bin/python3 -c '
import json, sys
servers = [s for s in json.load(open(sys.argv[1])) if s["Name"].startswith("late")]
assert len(servers) == 4, servers
assert all(s["Status"] == "ACTIVE" for s in servers), servers
assert all(s["Host"] in ("c1", "c2") for s in servers), servers
' "$work/late.json"

for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()
check "every process said it stopped" test "$(cat "$work"/{router,scheduler,conductor,api,c1}.out | grep -c 'stratus serve: stopped')" -ge 5

echo "failures: $failures"
[ "$failures" -eq 0 ]
