#!/usr/bin/env bash
# Boot throughput and POST latency with one and two controllers on
# PostgreSQL, against one controller on SQLite, in the same run (issue #14,
# "Figures"; docs/performance.md, "Several controllers").
#   bench/multi_controller/multi_controller_bench.sh STRATUS_BINARY [--servers N] [--clients C] [--hosts H]
# Starts a throwaway PostgreSQL (tests/integration/lib/postgres.sh, a port of
# 47560-47569), then multi_controller_bench.py, which starts and stops each
# cloud (router, controllers, one compute process with H fake hosts) itself.
set -euo pipefail
stratus="$1"; shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../tests/integration/lib/postgres.sh"
trap pg_stop EXIT
STRATUS_PG_PORTS=47560-47569 pg_start
/usr/bin/python3 "$here/multi_controller_bench.py" "$stratus" "$pg_url" "$(_pg_bindir)/psql" "$@"
