#!/usr/bin/env bash
# `stratus network create|list|delete` as an operator runs them, on the data
# directory of a stopped and of a running aio, and what the Network API
# shows of their work.
#   network_cli_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
work="$(mktemp -d)"
aio_pid=""
cleanup() {
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then kill -KILL "$aio_pid"; wait "$aio_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
net() { "$stratus" --log-level warn network "$@" --data-dir "$work/data"; }

# Bad input: refused with the bad value named, exit 1, nothing created.
set +e
net create bad --subnet-range 10.1.0.0/33 > /dev/null 2> "$work/err1"; rc1=$?
net create bad --subnet-range 10.1.0.0/24 --gateway 10.2.0.1 > /dev/null 2> "$work/err2"; rc2=$?
net create bad --subnet-range 10.1.0.0/24 --dns 8.8.8 > /dev/null 2> "$work/err3"; rc3=$?
net create bad > /dev/null 2> "$work/err4"; rc4=$?
set -e
check "a bad CIDR is refused" test "$rc1" -eq 1
check "naming it" grep -q "'10.1.0.0/33' is not a usable IPv4 CIDR" "$work/err1"
check "a gateway outside the range is refused" grep -q "gateway 10.2.0.1 is not a host address of 10.1.0.0/24" "$work/err2"
check "with exit code 1" test "$rc2" -eq 1
check "a bad DNS server is refused" grep -q "DNS name server '8.8.8' is not an IPv4 address" "$work/err3"
check "--subnet-range is required" bash -c "test $rc4 -ne 0 && grep -q -- '--subnet-range' '$work/err4'"
check "and nothing was created" test "$(net list -f json)" = "[]"

# Create, list (table and JSON).
net create blue --subnet-range 192.168.7.9/24 --dns 9.9.9.9 --project p1 > "$work/create.txt"
check "create prints the network with its normalised subnet" grep -Eq '^[0-9a-f-]{36} +blue +192\.168\.7\.0/24 +192\.168\.7\.1 +no +p1$' "$work/create.txt"
net create shared-net --subnet-range 172.16.0.0/16 --gateway 172.16.255.254 --shared > /dev/null
net list -f json > "$work/list.json"
check "list -f json shows both with their subnets" /usr/bin/python3 -c '
import json, sys
nets = {n["name"]: n for n in json.load(open(sys.argv[1]))}
assert set(nets) == {"blue", "shared-net"}, nets
b = nets["blue"]
assert b["project_id"] == "p1" and not b["shared"], b
assert b["subnets"][0]["cidr"] == "192.168.7.0/24" and b["subnets"][0]["dns_nameservers"] == ["9.9.9.9"], b
s = nets["shared-net"]
assert s["shared"] and s["subnets"][0]["gateway_ip"] == "172.16.255.254", s' "$work/list.json"

# A running aio on the same data directory serves them, and allocates from them.
token="net-$RANDOM$RANDOM"
"$stratus" --log-level warn --set api.auth_strategy=token --set api.admin_token="$token" \
  aio --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio.out" 2>&1 &
aio_pid=$!
for _ in $(seq 1 200); do grep -q "ready at" "$work/aio.out" 2>/dev/null && break; sleep 0.1; done
base="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/aio.out" | head -1)"
check "aio is ready" test -n "$base"
api() { curl -s -H "X-Auth-Token: $token" -H 'Content-Type: application/json' "$@"; }
api "$base/network/v2.0/networks?name=blue" > "$work/blue.json"
check "the API shows the network created by the command" /usr/bin/python3 -c '
import json, sys
nets = json.load(open(sys.argv[1]))["networks"]
assert len(nets) == 1 and nets[0]["project_id"] == "p1" and len(nets[0]["subnets"]) == 1, nets' "$work/blue.json"
blue="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["networks"][0]["id"])' "$work/blue.json")"

# Created while the aio runs: seen at once.
net create green --subnet-range 10.50.0.0/29 > /dev/null
check "a network created while aio runs is served" bash -c "api() { curl -s -H 'X-Auth-Token: $token' \"\$@\"; }; api '$base/network/v2.0/networks?name=green' | grep -q '\"name\":\"green\"'"

api -X POST "$base/v2.1/servers" -d "{\"server\": {\"name\": \"vm1\", \"imageRef\": \"155d900f-4e14-4e4c-a73d-069cbf4541e6\", \"flavorRef\": \"1\", \"networks\": [{\"uuid\": \"$blue\"}]}}" > "$work/server.json"
server="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["server"]["id"])' "$work/server.json")"
api "$base/network/v2.0/ports?device_id=$server" > "$work/ports.json"
check "the server's port has the first address of the subnet" /usr/bin/python3 -c '
import json, sys
ports = json.load(open(sys.argv[1]))["ports"]
assert len(ports) == 1 and ports[0]["fixed_ips"][0]["ip_address"] == "192.168.7.2", ports
assert ports[0]["device_owner"].startswith("compute:"), ports' "$work/ports.json"
set +e
net delete blue > /dev/null 2> "$work/in_use.err"; rc=$?
set -e
check "a network with ports is not deleted" test "$rc" -eq 1
check "saying why" grep -q "still has 1 port(s)" "$work/in_use.err"

api -X DELETE "$base/v2.1/servers/$server" > /dev/null
for _ in $(seq 1 100); do
  [ "$(api "$base/network/v2.0/ports?device_id=$server")" = '{"ports":[]}' ] && break
  sleep 0.1
done
check "once the server is gone, delete works" bash -c "'$stratus' --log-level warn network delete blue green --data-dir '$work/data' | grep -c '^deleted network' | grep -qx 2"
check "and the API no longer shows it" bash -c "curl -s -H 'X-Auth-Token: $token' '$base/network/v2.0/networks/$blue' | grep -q NetworkNotFound"
set +e
net delete blue > /dev/null 2> "$work/gone.err"; rc=$?
set -e
check "deleting it again says there is none" bash -c "test $rc -eq 1 && grep -q \"no network named or with id 'blue'\" '$work/gone.err'"

kill -INT "$aio_pid"; wait "$aio_pid" || true; aio_pid=""
echo "failures: $failures"
[ "$failures" -eq 0 ]
