#!/usr/bin/env bash
# Starts `stratus aio` and checks its compute replies against tempest's
# response schemas (tempest_schemas.py, run with Debian's /usr/bin/python3).
#   tempest_schemas_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
aio_pid=""
cleanup() {
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then kill -KILL "$aio_pid"; wait "$aio_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH
if ! /usr/bin/python3 -c 'import tempest.lib.api_schema' 2>/dev/null; then
  echo "python3-tempest missing: run scripts/install-deps.sh"; exit 1
fi
token="schemas-$RANDOM$RANDOM"
"$stratus" --log-level warn --set host=schemas --set api.auth_strategy=token --set api.admin_token="$token" \
  --set compute.heartbeat_interval=0.5 --set compute.resource_report_interval=1 \
  aio --fake-hosts 2 --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio.out" 2>&1 &
aio_pid=$!
for _ in $(seq 1 200); do grep -q "ready at" "$work/aio.out" 2>/dev/null && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*/v2.1' "$work/aio.out" | head -1)"
if [ -z "$url" ]; then echo "aio did not start:"; cat "$work/aio.out"; exit 1; fi
sleep 1.5  # the scheduler hears the hosts' first reports
timeout 240 /usr/bin/python3 "$here/tempest_schemas.py" "$url" "$token"
