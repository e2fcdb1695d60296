#!/usr/bin/env bash
# /metrics on every role of a cloud run as separate processes over tcp: a
# router, a controller (api, conductor, scheduler) and a compute host, each
# with `--set metrics.listen=127.0.0.1:0`. Two servers are built; each
# process' counters show its part: the API its POSTs, the scheduler its
# selects, the compute host its builds, the router its messages.
#   metrics_serve_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../lib/processes.sh"

common=(--set rpc.heartbeat_ms=100 --set compute.heartbeat_interval=0.3 --set compute.resource_report_interval=0.5
        --set service_down_time=3 --set rpc.call_timeout=10 --set data_dir="$work/data"
        --set api.auth_strategy=noauth --set metrics.listen=127.0.0.1:0 --log-level info)

start_router "$stratus" "${common[@]}"
common+=(--set rpc.router="$router")
"$stratus" "${common[@]}" --set host=ctl serve scheduler conductor api --listen 127.0.0.1:0 > "$work/ctl.out" 2>&1 &
pids+=($!)
"$stratus" "${common[@]}" --set host=c1 serve compute > "$work/c1.out" 2>&1 &
pids+=($!)
for f in ctl c1; do wait_for_line "$work/$f.out" "stratus serve: .* ready"; done
metrics_of() { grep -o 'metrics http://127.0.0.1:[0-9]*/metrics' "$work/$1.out" | head -1 | cut -d' ' -f2; }
router_metrics="$(metrics_of router)"
ctl_metrics="$(metrics_of ctl)"
c1_metrics="$(metrics_of c1)"
check "every process prints its metrics URL" test -n "$router_metrics" -a -n "$ctl_metrics" -a -n "$c1_metrics"
api="$(grep -o 'http://127.0.0.1:[0-9]*/v2.1' "$work/ctl.out" | head -1)"

check "two servers go ACTIVE" /usr/bin/python3 - "$api" <<'PY'
import json, sys, time, urllib.request
api = sys.argv[1]
def call(method, path, body=None):
    req = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r) if r.status != 204 else None
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    hv = call("GET", "/os-hypervisors/detail")["hypervisors"]
    if hv and all(h["state"] == "up" for h in hv):
        break
    time.sleep(0.2)
time.sleep(1)  # the scheduler hears reports one period after the conductor
image = call("GET", "/images")["images"][0]["id"]
ids = [call("POST", "/servers", {"server": {"name": "m%d" % i, "imageRef": image, "flavorRef": "1"}})["server"]["id"]
       for i in range(2)]
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    states = [call("GET", "/servers/" + i)["server"]["status"] for i in ids]
    if all(s == "ACTIVE" for s in states):
        break
    if "ERROR" in states:
        raise SystemExit("a server went to ERROR")
    time.sleep(0.2)
else:
    raise SystemExit("servers: %s" % states)
PY

# metric URL NAME 'LABEL="v",...' OP VALUE: the sum of the matching samples
# compared with VALUE, retried (bounded) since counters move just after the
# API shows ACTIVE.
metric() {
  /usr/bin/python3 - "$@" <<'PY'
import re, sys, time, urllib.request
url, name, labels, op, want = sys.argv[1:]
want = float(want)
need = dict(re.findall(r'(\w+)="([^"]*)"', labels))
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
for _ in range(50):
    with urllib.request.urlopen(url) as r:
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers["Content-Type"]
        text = r.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = line_re.match(line)
        assert m, "not a sample line: %r" % line
        if m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if all(got.get(k) == v for k, v in need.items()):
            total += float(m.group(3))
    ok = {"==": total == want, ">=": total >= want, ">": total > want}[op]
    if ok:
        sys.exit(0)
    time.sleep(0.2)
print("%s{%s} = %s, wanted %s %s" % (name, labels, total, op, want))
sys.exit(1)
PY
}

check "api: two POST /v2.1/servers answered 2xx" \
  metric "$ctl_metrics" stratus_api_request_duration_seconds_count 'route="/v2.1/servers",method="POST",status="2xx"' == 2
check "scheduler: two selects" metric "$ctl_metrics" stratus_scheduler_select_duration_seconds_count 'outcome="ok"' == 2
check "conductor: two build_instances casts handled" \
  metric "$ctl_metrics" stratus_rpc_handled_total 'service="conductor",method="build_instances",outcome="ok"' == 2
check "conductor: two casts to the compute host sent" \
  metric "$ctl_metrics" stratus_rpc_sent_total 'service="compute",method="build_and_run_instance",outcome="ok"' == 2
check "compute: two builds active" metric "$c1_metrics" stratus_builds_total 'outcome="active"' == 2
check "compute: two build_and_run_instance handled" \
  metric "$c1_metrics" stratus_rpc_handled_total 'service="compute",method="build_and_run_instance"' == 2
check "compute: its instance updates were calls to the conductor" \
  metric "$c1_metrics" stratus_rpc_call_duration_seconds_count 'service="conductor"' ">=" 2
check "compute: no build in flight now" metric "$c1_metrics" stratus_compute_builds_running 'host="c1"' == 0
check "router: messages in and out" metric "$router_metrics" stratus_rpc_router_messages_received_total '' ">" 10
check "router: peers registered" metric "$router_metrics" stratus_rpc_router_peers '' ">=" 4
check "every process: its RSS" metric "$c1_metrics" process_resident_memory_bytes '' ">" 1000000
check "the API port has no /metrics unless enabled" /usr/bin/python3 - "${api%/v2.1}" <<'PY'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1] + "/metrics")
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 404 else 1)
sys.exit(1)
PY

if [ "$failures" -ne 0 ]; then
  echo "$failures checks failed"; tail -n 30 "$work/ctl.out" "$work/c1.out"; exit 1
fi
echo "all checks passed"
