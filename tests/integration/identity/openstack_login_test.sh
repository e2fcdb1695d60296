#!/usr/bin/env bash
# Debian's openstackclient (on /usr/bin/python3) logs in to a fresh
# `stratus aio` with nothing but the clouds.yaml aio wrote: password auth
# through the identity endpoint, then the compute endpoint from the catalog.
#   openstack_login_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
work="$(mktemp -d)"
aio_pid=""
cleanup() {
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then kill -KILL "$aio_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH OS_AUTH_URL OS_TOKEN OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_AUTH_TYPE
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
if [ ! -x /usr/bin/openstack ]; then
  echo "python3-openstackclient is not installed (scripts/install-deps.sh installs it)"; exit 1
fi

"$stratus" --log-level warn aio --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio.out" 2> "$work/aio.err" &
aio_pid=$!
for _ in $(seq 1 100); do
  grep -q "ready" "$work/aio.out" 2>/dev/null && break
  sleep 0.1
done
check "aio is ready" grep -q "^stratus aio: ready" "$work/aio.out"
export OS_CLIENT_CONFIG_FILE="$work/data/clouds.yaml" OS_CLOUD=stratus
check "aio printed the export line" grep -qF "export OS_CLIENT_CONFIG_FILE=$OS_CLIENT_CONFIG_FILE OS_CLOUD=stratus" "$work/aio.out"
os() { timeout 120 /usr/bin/openstack "$@"; }

os token issue -f json > "$work/token.json"
check "openstack token issue" /usr/bin/python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
assert len(t["id"]) == 43 and len(t["project_id"]) == 32 and len(t["user_id"]) == 32, t
assert t["expires"], t
' "$work/token.json"

os flavor list -f json > "$work/flavors.json"
check "openstack flavor list (compute endpoint from the catalog)" /usr/bin/python3 -c '
import json, sys
names = [f["Name"] for f in json.load(open(sys.argv[1]))]
assert names == ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"], names
' "$work/flavors.json"

os catalog list -f json > "$work/catalog.json"
check "openstack catalog list shows the four services" /usr/bin/python3 -c '
import json, sys
services = {s["Type"]: s["Name"] for s in json.load(open(sys.argv[1]))}
assert services == {"compute": "nova", "image": "glance", "network": "neutron", "identity": "keystone"}, services
' "$work/catalog.json"

os project show admin -f json > "$work/project.json"
check "openstack project show admin" /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["name"] == "admin" and p["domain_id"] == "default", p
' "$work/project.json"

token="$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$work/token.json")"
check "openstack token revoke" os token revoke "$token"
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/aio.out" | head -1)"
check "the revoked token is refused" /usr/bin/python3 -c '
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1] + "/v2.1/flavors", headers={"X-Auth-Token": sys.argv[2]})
try:
    urllib.request.urlopen(req, timeout=30)
    sys.exit("accepted")
except urllib.error.HTTPError as e:
    assert e.code == 401, e.code
' "$url" "$token"

rc=0; os --os-password wrong-password token issue > /dev/null 2> "$work/wrong.err" || rc=$?
check "a wrong password fails" test "$rc" -ne 0
check "with Keystone's message" grep -q "The request you have made requires authentication" "$work/wrong.err"

kill -INT "$aio_pid"
rc=0; wait "$aio_pid" || rc=$?
aio_pid=""
check "aio exits 0" test "$rc" -eq 0

# A restart keeps the admin's password and the clouds.yaml still works.
"$stratus" --log-level warn aio --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio2.out" 2> "$work/aio2.err" &
aio_pid=$!
for _ in $(seq 1 100); do
  grep -q "ready" "$work/aio2.out" 2>/dev/null && break
  sleep 0.1
done
check "aio restarts" grep -q "^stratus aio: ready" "$work/aio2.out"
check "and makes no new admin" sh -c "! grep -q 'created user admin' '$work/aio2.out'"
check "the same clouds.yaml logs in after the restart" sh -c "timeout 120 /usr/bin/openstack token issue -f value -c id > /dev/null"
kill -INT "$aio_pid"
rc=0; wait "$aio_pid" || rc=$?
aio_pid=""

echo "failures: $failures"
[ "$failures" -eq 0 ]
