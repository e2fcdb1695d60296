#!/usr/bin/env bash
# Issue #14: `stratus aio` with `[database] connection` pointing at a
# PostgreSQL server (a throwaway one, tests/integration/lib/postgres.sh)
# migrates it, seeds it, and boots a server to ACTIVE through the openstack
# CLI; the state is in PostgreSQL (no stratus.db in the data directory).
#   aio_postgres_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
source "$here/../lib/postgres.sh"
trap '_aio_cleanup; pg_stop' EXIT

pg_start
cat > "$work/stratus.toml" <<TOML
[database]
connection = "$pg_url"
TOML
aio_start "$stratus" --config "$work/stratus.toml" --set host=pg -- --fake-hosts 1
check "the aio says it uses PostgreSQL" grep -q "postgresql://postgres@127.0.0.1" "$work/aio.out"
check "no SQLite file in the data directory" test ! -e "$aio_data/stratus.db"

export OS_CLIENT_CONFIG_FILE="$aio_data/clouds.yaml" OS_CLOUD=stratus
os() { timeout 120 /usr/bin/openstack "$@"; }
os server create --image cirros-0.6.2-x86_64-disk --flavor m1.tiny --network private --wait \
  -f json pg-1 > "$work/create.json"
check "openstack server create --wait ends ACTIVE" /usr/bin/python3 -c \
  'import json, sys; d = json.load(open(sys.argv[1])); assert d["status"] == "ACTIVE" and "private" in str(d["addresses"]), d' \
  "$work/create.json"

psql() { "$(_pg_bindir)/psql" -X -q -t -A "$pg_url" -c "$1"; }
check "the instance row is in PostgreSQL" test "$(psql "SELECT vm_state FROM instances WHERE display_name = 'pg-1'")" = active
check "its claim too" test "$(psql "SELECT COUNT(*) FROM allocations")" = 1
check "openstack server delete --wait" os server delete --wait pg-1
check "and its claim is released" test "$(psql "SELECT COUNT(*) FROM allocations")" = 0
aio_finish
