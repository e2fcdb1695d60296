#!/usr/bin/env bash
# The Python client of docs/rpc-protocol.md against the real services: a
# router, a scheduler, a conductor and one fake compute host, each a
# `stratus serve` process over tcp loopback.
#   real_service_test.sh STRATUS_BINARY PYTHON_CLIENT_DIR
set -euo pipefail
stratus="$1"
pyclient="$2"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH
wait_for_line() {  # wait_for_line FILE PATTERN: bounded (20 s)
  for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1:"; cat "$1"; return 1
}
[ -x /usr/bin/python3 ] || { echo "no /usr/bin/python3: skipped"; exit 0; }

common=(--set rpc.heartbeat_ms=200 --set compute.heartbeat_interval=0.5 --set compute.resource_report_interval=0.5
        --set data_dir="$work/data" --set rpc.call_timeout=10 --log-level info)
"$stratus" "${common[@]}" serve router --bind tcp://127.0.0.1:0 --insecure > "$work/router.out" 2>&1 &
pids+=($!)
wait_for_line "$work/router.out" "listening on"
router="$(grep -o 'tcp://127.0.0.1:[0-9]*' "$work/router.out" | head -1)"
common+=(--set rpc.router="$router")
"$stratus" "${common[@]}" --set host=ctl serve scheduler > "$work/scheduler.out" 2>&1 &
pids+=($!)
"$stratus" "${common[@]}" --set host=ctl serve conductor > "$work/conductor.out" 2>&1 &
pids+=($!)
"$stratus" "${common[@]}" --set host=c1 serve compute > "$work/c1.out" 2>&1 &
pids+=($!)
for f in scheduler conductor c1; do wait_for_line "$work/$f.out" "stratus serve: .* ready"; done

STRATUS_RPC_PY_DIR="$pyclient" timeout 90 /usr/bin/python3 "$here/real_service_client.py" "$router" c1
