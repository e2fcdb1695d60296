#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (tests/integration/lib/postgres.sh) on a port
# of PG_PORTS and runs a test of this folder against it.
#   multicontroller_test.sh STRATUS_BINARY [TEST_SCRIPT [PG_PORTS]]
# TEST_SCRIPT defaults to multicontroller_test.py, PG_PORTS to 47560-47569.
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="${2:-multicontroller_test.py}"
source "$here/../lib/postgres.sh"
trap pg_stop EXIT
STRATUS_PG_PORTS="${3:-47560-47569}" pg_start
status=0
/usr/bin/python3 "$here/$script" "$stratus" "$pg_url" "$(_pg_bindir)/psql" || status=$?
exit "$status"
