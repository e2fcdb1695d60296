#!/usr/bin/env bash
# `stratus user|project|role` against a data directory: what they print, their
# refusals (exit 1, a clear message, nothing changed), and that `stratus aio`
# on that directory lets the users they made log in.
#   identity_cli_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
work="$(mktemp -d)"
aio_pid=""
cleanup() {
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then kill -KILL "$aio_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
# refused EXPECTED_MESSAGE COMMAND...: exit code 1 and the message on stderr.
refused() {
  local message="$1"; shift
  local rc=0
  "$@" > /dev/null 2> "$work/err.txt" || rc=$?
  [ "$rc" -eq 1 ] && grep -qF -- "$message" "$work/err.txt"
}
data="$work/data"
st() { "$stratus" --log-level warn "$@" --data-dir "$data"; }

check "project create" st project create demo --description "Demo project"
st project create -f json ops > "$work/ops.json"
check "project create -f json gives the new project" /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["name"] == "ops" and len(p["id"]) == 32 and p["enabled"] is True and p["domain_id"] == "default", p
' "$work/ops.json"
check "a duplicate project is refused" refused "Project 'demo' already exists." st project create demo

check "user create with a role on a project" st user create alice --password alice-pw --project demo --role member
check "user create reads the password from stdin" sh -c "echo carol-pw | \"$stratus\" --log-level warn user create carol --data-dir \"$data\" > /dev/null"
check "a user on an unknown project is refused" refused "Could not find project: nowhere." \
  st user create bob --password x --project nowhere
check "a user with an unknown role is refused" refused "Could not find role: owner." \
  st user create bob --password x --project demo --role owner
check "a duplicate user is refused" refused "User 'alice' already exists." st user create alice --password y
check "an empty password is refused" refused "the password is empty" st user create dave --password ""
st user list -f json > "$work/users.json"
check "user list shows alice and carol only (refusals created nothing)" /usr/bin/python3 -c '
import json, sys
names = sorted(u["Name"] for u in json.load(open(sys.argv[1])))
assert names == ["alice", "carol"], names
' "$work/users.json"
st user list > "$work/users.txt"
check "user list prints a table" grep -Eq '^\| [0-9a-f]{32} \| alice +\| True +\|$' "$work/users.txt"

check "role add" st role add --user carol --project ops reader
check "role add of an unknown role is refused" refused "Could not find role: owner." \
  st role add --user carol --project ops owner
check "role add for an unknown user is refused" refused "Could not find user: mallory." \
  st role add --user mallory --project ops reader
st role list -f json > "$work/roles.json"
check "role list shows every assignment" /usr/bin/python3 -c '
import json, sys
rows = sorted((r["Role"], r["User"], r["Project"]) for r in json.load(open(sys.argv[1])))
assert rows == [("member", "alice", "demo"), ("reader", "carol", "ops")], rows
' "$work/roles.json"
st role list --user alice -f json > "$work/alice-roles.json"
check "role list --user filters" /usr/bin/python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["User"] for r in rows] == ["alice"], rows
' "$work/alice-roles.json"
check "role remove" st role remove --user carol --project ops reader
check "removing a role not held is refused" refused "User carol has no role reader on project ops." \
  st role remove --user carol --project ops reader

check "user set-password" st user set-password alice --password alice-new
check "set-password of an unknown user is refused" refused "Could not find user: zed." \
  st user set-password zed --password x
check "user delete" st user delete carol
check "deleting it again is refused" refused "Could not find user: carol." st user delete carol
check "project delete" st project delete ops
check "deleting an unknown project is refused" refused "Could not find project: ops." st project delete ops

# A bad config is exit 2, naming the key.
printf '[identity]\ntoken_expiry = 5\n' > "$work/bad.toml"
rc=0; "$stratus" --config "$work/bad.toml" user list > /dev/null 2> "$work/bad.err" || rc=$?
check "a bad config exits 2" test "$rc" -eq 2
check "and names the key" grep -q "unknown key 'identity.token_expiry'" "$work/bad.err"

# aio on the same directory: users exist, so no bootstrap admin; alice logs in
# with her new password, not the old one.
"$stratus" --log-level warn aio --data-dir "$data" --listen 127.0.0.1:0 > "$work/aio.out" 2> "$work/aio.err" &
aio_pid=$!
for _ in $(seq 1 100); do
  grep -q "ready" "$work/aio.out" 2>/dev/null && break
  sleep 0.1
done
check "aio is ready" grep -q "^stratus aio: ready" "$work/aio.out"
check "aio made no admin: users exist" test ! -e "$data/clouds.yaml"
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/aio.out" | head -1)"
login() {  # login USER PASSWORD PROJECT -> prints the HTTP status
  /usr/bin/python3 -c '
import json, sys, urllib.request, urllib.error
url, user, password, project = sys.argv[1:5]
body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": user,
        "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}
req = urllib.request.Request(url + "/identity/v3/auth/tokens", data=json.dumps(body).encode(),
                             headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=30) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
' "$url" "$@"
}
check "alice logs in with her new password" test "$(login alice alice-new demo)" = 201
check "not with the old one" test "$(login alice alice-pw demo)" = 401
check "not on a project she has no role on" test "$(login alice alice-new admin)" = 401
kill -INT "$aio_pid"
rc=0; wait "$aio_pid" || rc=$?
aio_pid=""
check "aio exits 0" test "$rc" -eq 0

echo "failures: $failures"
[ "$failures" -eq 0 ]
