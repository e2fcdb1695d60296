#!/usr/bin/env bash
# The openstack command catalogue (catalogue.yaml) against a fresh aio, as the
# admin and as a member of another project; and the table in
# docs/openstack-compat.md must be the catalogue's.
#   catalogue_test.sh STRATUS_BINARY
# STRATUS_CATALOGUE_SUBPROCESS=1 runs /usr/bin/openstack once per row instead
# of in one interpreter.
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x /usr/bin/openstack ] || ! /usr/bin/python3 -c 'import openstackclient, yaml' 2>/dev/null; then
  echo "python3-openstackclient / python3-yaml missing: run scripts/install-deps.sh"; exit 1
fi
doc_rc=0
/usr/bin/python3 "$here/catalogue_doc.py" --check || doc_rc=1
source "$here/../lib/aio.sh"
aio_start "$stratus" --set host=catalogue -- --fake-hosts 1
extra=()
[ "${STRATUS_CATALOGUE_SUBPROCESS:-0}" = "1" ] && extra+=(--subprocess)
rc=0
timeout 560 /usr/bin/python3 "$here/catalogue_run.py" --clouds "$aio_data/clouds.yaml" --workdir "$work" \
  "${extra[@]}" || rc=$?
if [ "$rc" -ne 0 ]; then echo "aio output (tail):"; tail -n 40 "$work/aio.out"; fi
[ "$doc_rc" -eq 0 ] || { echo "FAIL: docs/openstack-compat.md's catalogue table is out of date"; exit 1; }
exit "$rc"
