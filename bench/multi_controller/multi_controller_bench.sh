#!/usr/bin/env bash
# Boot throughput and POST latency with one and two controllers on
# PostgreSQL, against one controller on SQLite, in the same run (issue #14,
# "Figures"; docs/performance.md, "Several controllers").
#   bench/multi_controller/multi_controller_bench.sh STRATUS_BINARY [--servers N] [--clients C] [--hosts H]
#       [--rounds R] [--baseline OTHER_STRATUS] [--set KEY=VALUE]
# Starts a throwaway PostgreSQL (tests/integration/lib/postgres.sh, a port of
# STRATUS_PG_PORTS, 47560-47569 unless set), then multi_controller_bench.py, which starts and stops each
# cloud (router, controllers, one compute process with H fake hosts) itself.
set -euo pipefail
stratus="$1"; shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../tests/integration/lib/postgres.sh"
trap pg_stop EXIT
STRATUS_PG_PORTS="${STRATUS_PG_PORTS:-47560-47569}" pg_start
# Where the server's postmaster.pid is: the bench sums its processes' CPU.
export STRATUS_BENCH_PG_DATA="$pg_dir/data"
# The floor under every statement: round trips of `SELECT 1` on one and on
# two connections, now, on this machine (pgbench, from the same packages).
if [ -x "$(_pg_bindir)/pgbench" ]; then
  echo "SELECT 1;" > "$pg_dir/select1.sql"
  for c in 1 2; do
    "$(_pg_bindir)/pgbench" -n -f "$pg_dir/select1.sql" -T 5 -c "$c" -j "$c" "$pg_url" 2>/dev/null |
      awk -v c="$c" '/^latency average/ {lat=$4} /^tps/ {tps=$3} END {printf "PostgreSQL round trips (SELECT 1), %d connection(s): %.0f/s, %.3f ms each\n", c, tps, lat}'
  done
fi
/usr/bin/python3 "$here/multi_controller_bench.py" "$stratus" "$pg_url" "$(_pg_bindir)/psql" "$@"
