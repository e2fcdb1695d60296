#!/usr/bin/env bash
# Malformed and slow requests at a running aio (no 5xx, no crash, no hang, the
# database unchanged by every rejected one), and hostile names and metadata
# read back equal through the API.
#   hostile_http_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
aio_start "$stratus" --set host=hostile -- --fake-hosts 1
check "the checks" timeout 240 /usr/bin/python3 "$here/hostile_http.py" "$aio_root" "$aio_data/clouds.yaml" \
  "$aio_data/stratus.db" "$aio_pid"
check "the aio is still running" kill -0 "$aio_pid"
aio_finish
