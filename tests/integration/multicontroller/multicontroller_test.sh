#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (tests/integration/lib/postgres.sh) on a port
# of 47560-47569 and runs multicontroller_test.py against it.
#   multicontroller_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/postgres.sh"
trap pg_stop EXIT
STRATUS_PG_PORTS=47560-47569 pg_start
status=0
/usr/bin/python3 "$here/multicontroller_test.py" "$stratus" "$pg_url" "$(_pg_bindir)/psql" || status=$?
exit "$status"
