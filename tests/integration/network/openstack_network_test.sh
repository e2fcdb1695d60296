#!/usr/bin/env bash
# Debian's openstack CLI (openstacksdk's network proxy) against the Network
# service of `stratus aio`: networks, subnets, ports, and a server booted on a
# network the client looked up by name through /network.
#   openstack_network_test.sh STRATUS_BINARY
# The static admin token authenticates; a clouds.yaml points the compute
# endpoint at /v2.1 and the network endpoint at /network (as the identity
# service's catalog will).
set -euo pipefail
stratus="$1"
work="$(mktemp -d)"
aio_pid=""
cleanup() {
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then kill -KILL "$aio_pid"; wait "$aio_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH OS_CLOUD OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_TOKEN OS_ENDPOINT
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
if [ ! -x /usr/bin/openstack ]; then
  echo "python3-openstackclient missing: run scripts/install-deps.sh"; exit 1
fi

token="osnet-$RANDOM$RANDOM"
"$stratus" --log-level warn --set host=osnet --set api.auth_strategy=token --set api.admin_token="$token" \
  --set compute.heartbeat_interval=0.5 --set compute.resource_report_interval=1 \
  aio --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio.out" 2>&1 &
aio_pid=$!
for _ in $(seq 1 200); do grep -q "ready at" "$work/aio.out" 2>/dev/null && break; sleep 0.1; done
base="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/aio.out" | head -1)"
check "aio is ready" test -n "$base"
# The host's first report reaches the scheduler with the conductor's record
# of it: wait (bounded) for the hypervisor list to show it up.
check "the aio's host comes up" /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../lib/wait_hosts_up.py" "$base" 1 --token "$token"

cat > "$work/clouds.yaml" <<YAML
clouds:
  stratus:
    auth_type: admin_token
    auth:
      endpoint: $base/v2.1
      token: $token
    network_endpoint_override: $base/network
YAML
export OS_CLIENT_CONFIG_FILE="$work/clouds.yaml"
os() { (cd "$work" && timeout 120 /usr/bin/openstack --os-cloud stratus "$@"); }
py() { /usr/bin/python3 -c "$1" "${@:2}"; }

os network list -f json > "$work/networks.json"
check "network list shows the seeded networks" py '
import json, sys
nets = json.load(open(sys.argv[1]))
assert [(n["Name"], len(n["Subnets"])) for n in nets] == [("private", 1), ("public", 1)], nets' "$work/networks.json"
os network show private -f json > "$work/private.json"
check "network show private (looked up by name)" py '
import json, sys
n = json.load(open(sys.argv[1]))
assert n["status"] == "ACTIVE" and n["shared"] is True and n["router:external"] is False, n
assert n["mtu"] == 1500 and len(n["subnets"]) == 1, n' "$work/private.json"
os subnet list -f json > "$work/subnets.json"
check "subnet list shows its subnet" py '
import json, sys
subs = json.load(open(sys.argv[1]))
assert [(s["Name"], s["Subnet"]) for s in subs] == [("private-subnet", "10.0.0.0/24"), ("public-subnet", "172.24.4.0/24")], subs' "$work/subnets.json"

os network create blue -f json > "$work/blue.json"
os subnet create --network blue --subnet-range 192.168.50.0/24 --dns-nameserver 9.9.9.9 blue-sub -f json > "$work/blue-sub.json"
check "network and subnet create" py '
import json, sys
n, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert n["name"] == "blue" and n["subnets"] == [], n
assert s["network_id"] == n["id"] and s["cidr"] == "192.168.50.0/24" and s["gateway_ip"] == "192.168.50.1", s
assert s["dns_nameservers"] == ["9.9.9.9"], s' "$work/blue.json" "$work/blue-sub.json"
set +e
os subnet create --network blue --subnet-range 192.168.50.128/25 overlap > /dev/null 2> "$work/overlap.err"; rc=$?
set -e
check "an overlapping subnet is refused with Neutron's message" bash -c "test $rc -ne 0 && grep -q 'overlaps with subnet' '$work/overlap.err'"

os server create --flavor m1.tiny --image cirros-0.6.2-x86_64-disk --network blue --wait -f json vm-blue > "$work/server.json"
check "server create --network NAME boots on it" py '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["status"] == "ACTIVE", s
assert "192.168.50.2" in json.dumps(s["addresses"]), s["addresses"]' "$work/server.json"
server="$(py 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/server.json")"
os port list --server vm-blue -f json > "$work/ports.json"
check "port list --server shows its port" py '
import json, sys
ports = json.load(open(sys.argv[1]))
assert len(ports) == 1, ports
assert ports[0]["Fixed IP Addresses"][0]["ip_address"] == "192.168.50.2", ports
assert ports[0]["Status"] == "ACTIVE", ports' "$work/ports.json"
os port list --network blue --long -f json > "$work/ports-long.json"
check "port list --network --long names the device owner" py '
import json, sys
ports = json.load(open(sys.argv[1]))
assert [p["Device Owner"] for p in ports] == ["compute:nova"], ports' "$work/ports-long.json"

set +e
os network delete blue > /dev/null 2> "$work/in_use.err"; rc=$?
set -e
check "a network in use is not deleted (409 NetworkInUse)" bash -c "test $rc -ne 0 && grep -q 'There are one or more ports still in use on the network' '$work/in_use.err'"
check "server delete --wait" os server delete --wait vm-blue
check "then network delete works" os network delete blue
check "and it is gone" bash -c "! (cd '$work' && timeout 60 /usr/bin/openstack --os-cloud stratus network list -f value -c Name) | grep -q blue"
set +e
os network show nope > /dev/null 2> "$work/nope.err"; rc=$?
set -e
check "an unknown network is an error" bash -c "test $rc -ne 0 && grep -qi 'nope' '$work/nope.err'"

kill -INT "$aio_pid"; wait "$aio_pid" || true; aio_pid=""
echo "failures: $failures"
[ "$failures" -eq 0 ]
