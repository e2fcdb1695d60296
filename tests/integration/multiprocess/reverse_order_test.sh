#!/usr/bin/env bash
# Issue #21: start order does not matter. The roles of a cloud are started in
# reverse order over tcp (after the router, whose address they all need):
# compute hosts first, then the api, the scheduler and the conductor last.
# The hosts' first resource reports, refused while no conductor serves, are
# retried until one answers, so a create succeeds as soon as the conductor is
# up, long before the (here one-minute) periodic report would have told it.
#   reverse_order_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../lib/processes.sh"
unset STRATUS_URL STRATUS_TOKEN

# The periodic report is a minute away: only the retried first report can
# make the hosts known in time. Heartbeats keep the services up.
common=(--set rpc.heartbeat_ms=100 --set compute.heartbeat_interval=0.5 --set compute.resource_report_interval=60
        --set service_down_time=5 --set rpc.call_timeout=10
        --set data_dir="$work/data" --set api.auth_strategy=noauth --log-level info)

start_router "$stratus" "${common[@]}"
common+=(--set rpc.router="$router")

for host in r1 r2; do
  "$stratus" "${common[@]}" --set host="$host" serve compute > "$work/$host.out" 2>&1 &
  pids+=($!)
done
for host in r1 r2; do wait_for_line "$work/$host.out" "stratus serve: .* ready"; done
"$stratus" "${common[@]}" --set host=ctl serve api --listen 127.0.0.1:0 > "$work/api.out" 2>&1 &
pids+=($!)
wait_for_line "$work/api.out" "stratus serve: .* ready"
api="$(grep -o 'http://127.0.0.1:[0-9]*/v2.1' "$work/api.out" | head -1)"
check "the api prints its URL" test -n "$api"
sleep 1  # the hosts' first reports are refused a few times meanwhile
check "the hosts' first reports were refused while no conductor served" \
  grep -q "first resource report not heard" "$work/r1.out"
"$stratus" "${common[@]}" --set host=ctl serve scheduler > "$work/scheduler.out" 2>&1 &
pids+=($!)
wait_for_line "$work/scheduler.out" "stratus serve: .* ready"
"$stratus" "${common[@]}" --set host=ctl serve conductor > "$work/conductor.out" 2>&1 &
pids+=($!)
wait_for_line "$work/conductor.out" "stratus serve: .* ready"
conductor_up=$(date +%s)

check "each host's report is heard once the conductor is up" \
  wait_for_line "$work/r2.out" "resource report heard by the conductor"

# A create succeeds promptly: well within the one-minute report interval.
check "two servers go ACTIVE on the hosts started first" /usr/bin/python3 - "$api" <<'PY'
import json, sys, time, urllib.error, urllib.request
api = sys.argv[1]
def call(method, path, body=None):
    req = urllib.request.Request(api + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        raw = r.read()
        return json.loads(raw) if raw else None
image = call("GET", "/images")["images"][0]["id"]
ids = []
for name in ("first", "second"):
    ids.append(call("POST", "/servers", {"server": {"name": name, "imageRef": image, "flavorRef": "1"}})["server"]["id"])
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    servers = [call("GET", "/servers/" + i)["server"] for i in ids]
    if all(s["status"] in ("ACTIVE", "ERROR") for s in servers):
        break
    time.sleep(0.2)
bad = [(s["status"], s.get("fault")) for s in servers if s["status"] != "ACTIVE"]
if bad:
    raise SystemExit("not ACTIVE: %s" % bad)
hosts = sorted(s["OS-EXT-SRV-ATTR:host"] for s in servers)
assert set(hosts) <= {"r1", "r2"}, hosts
PY
check "within 20 s of the conductor's start" test $(( $(date +%s) - conductor_up )) -lt 20

for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()
echo "failures: $failures"
[ "$failures" -eq 0 ]
