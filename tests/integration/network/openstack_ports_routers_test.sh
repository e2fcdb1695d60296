#!/usr/bin/env bash
# Debian's openstack CLI against `stratus aio` for what issue 20 adds to the
# Network service, as the admin and as members of two projects: a user's
# ports (create with a fixed IP and MAC, set, delete, boot a server on one,
# the port left unbound when the server goes), Neutron's quotas (set, show,
# list, enforced), routers (create, gateway, add/remove subnet, delete) and
# the empty agent list, with the refusals Neutron's policy gives.
#   openstack_ports_routers_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
aio_start "$stratus" --set host=npr -- --fake-hosts 1

for who in alice:alpha bob:beta; do
  user="${who%%:*}"; project="${who##*:}"
  "$stratus" project create "$project" --data-dir "$aio_data" > /dev/null
  "$stratus" user create "$user" --password "pw-$user" --project "$project" --role member --data-dir "$aio_data" > /dev/null
done
/usr/bin/python3 - "$aio_data/clouds.yaml" "$work/clouds.yaml" <<'PY'
import copy, sys, yaml
clouds = yaml.safe_load(open(sys.argv[1]))
admin = clouds["clouds"]["stratus"]
for user, project in (("alice", "alpha"), ("bob", "beta")):
    c = copy.deepcopy(admin)
    c["auth"].update(username=user, password="pw-" + user, project_name=project)
    clouds["clouds"][user] = c
yaml.safe_dump(clouds, open(sys.argv[2], "w"))
PY
export OS_CLIENT_CONFIG_FILE="$work/clouds.yaml"
as() { local cloud="$1"; shift; (cd "$work" && timeout 120 /usr/bin/openstack --os-cloud "$cloud" "$@"); }
refused() {  # refused PATTERN COMMAND...: the command fails and says PATTERN
  local pattern="$1"; shift
  if "$@" > "$work/refused.out" 2>&1; then echo "  (it succeeded)"; return 1; fi
  grep -qi "$pattern" "$work/refused.out" || { echo "  (said: $(head -c 300 "$work/refused.out"))"; return 1; }
}
field() {  # field JSON_FILE KEY: one attribute of a -f json show
  /usr/bin/python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))[sys.argv[2]]; print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

# Alice's network, subnet and a port with the address and MAC she picks.
as alice network create anet -f value -c id > /dev/null
as alice subnet create --network anet --subnet-range 10.50.0.0/24 asub -f value -c id > "$work/asub"
asub="$(cat "$work/asub")"
as alice port create --network anet --fixed-ip subnet=asub,ip-address=10.50.0.10 --mac-address fa:16:3e:50:00:10 \
  --description "alice's port" p1 -f json > "$work/p1.json"
p1="$(field "$work/p1.json" id)"
check "port create with a fixed IP and MAC" /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
ips = p["fixed_ips"] if isinstance(p["fixed_ips"], list) else p["fixed_ips"]
assert "10.50.0.10" in str(ips) and p["mac_address"] == "fa:16:3e:50:00:10", p
assert p["description"] == "alice'"'"'s port" and p["device_id"] == "" and p["status"] == "DOWN", p' "$work/p1.json"
check "the same address again: IpAddressAlreadyAllocated" \
  refused "already allocated" as alice port create --network anet --fixed-ip subnet=asub,ip-address=10.50.0.10 p-dup
check "the same MAC again: MacAddressInUse" \
  refused "mac address fa:16:3e:50:00:10 is in use" as alice port create --network anet --mac-address fa:16:3e:50:00:10 p-dup
check "an address outside the subnet: InvalidIpForSubnet" \
  refused "not a valid IP for the specified subnet" as alice port create --network anet --fixed-ip subnet=asub,ip-address=10.99.0.5 p-bad
as alice port create --network anet --disable-port-security --no-security-group p2 -f json > "$work/p2.json"
check "port create with port security off" test "$(field "$work/p2.json" port_security_enabled)" = false
check "port set: name, address and admin state" as alice port set --name p2-renamed --disable \
  --no-fixed-ip --fixed-ip subnet=asub,ip-address=10.50.0.20 p2
as alice port show p2-renamed -f json > "$work/p2b.json"
check "port show reads them back" /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["admin_state_up"] in (False, "DOWN") and "10.50.0.20" in str(p["fixed_ips"]), p' "$work/p2b.json"
check "port list shows both" test "$(as alice port list --network anet -f value -c Name | sort | tr '\n' ' ')" = "p1 p2-renamed "

# Bob (another project) sees and touches none of it.
check "bob cannot show alice's port" refused "No Port found\|could not be found" as bob port show "$p1"
check "bob cannot delete alice's port" refused "No Port found\|could not be found" as bob port delete "$p1"
check "bob cannot put a port on alice's network" refused "No Network found\|could not be found" \
  as bob port create --network "$(as alice network show anet -f value -c id)" p-bob
check "bob may not pick a MAC on the shared network" refused "create_port:mac_address\|403\|disallowed" \
  as bob port create --network private --mac-address fa:16:3e:50:00:99 p-bob

# A server on alice's port: the port is bound, not copied; deleting the server unbinds it.
server="$(as alice server create --image cirros-0.6.2-x86_64-disk --flavor m1.tiny --nic port-id="$p1" --wait \
  -f value -c id on-port | grep -Eo '[0-9a-f]{8}-[0-9a-f-]{27}' | head -1)"
check "server create --nic port-id=" test -n "$server"
check "the port is bound to the server" test "$(as alice port show "$p1" -f value -c device_id)" = "$server"
addresses="$(as alice server show "$server" -f value -c addresses)"
check "the server has the port's address" bash -c 'grep -q "10\.50\.0\.10" <<< "$1"' _ "$addresses"
check "the server made no port of its own" test "$(as alice port list --server "$server" -f value -c ID)" = "$p1"
check "a bound port cannot boot another server (409 PortInUse)" refused "still in use\|409" \
  as alice server create --image cirros-0.6.2-x86_64-disk --flavor m1.tiny --nic port-id="$p1" second
check "server delete" as alice server delete --wait "$server"
check "the port stays, unbound" test -z "$(as alice port show "$p1" -f value -c device_id)"

# Routers: a gateway on the seed's external network, an interface on asub.
as alice router create r1 -f json > "$work/r1.json"
r1="$(field "$work/r1.json" id)"
check "router create" test -n "$r1"
check "router set --external-gateway public" as alice router set --external-gateway public r1
check "a private network is no gateway" refused "is not an external network" as alice router set --external-gateway anet r1
check "router add subnet" as alice router add subnet r1 asub
as alice router show r1 -f json > "$work/r1s.json"
check "router show: gateway and interface" /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert "external_fixed_ips" in str(r["external_gateway_info"]), r
assert "10.50.0.1" in str(r.get("interfaces_info", "")), r' "$work/r1s.json"
check "the interface port holds the gateway address" \
  test "$(as alice port list --device-owner network:router_interface -f value -c 'Fixed IP Addresses' | grep -c 10.50.0.1)" = 1
check "router list" test "$(as alice router list -f value -c Name)" = r1
check "a router with interfaces cannot go (RouterInUse)" refused "still has ports" as alice router delete r1
check "bob does not see alice's router" refused "No Router found\|could not be found" as bob router show r1
check "bob's router list is empty" test -z "$(as bob router list -f value)"
check "router remove subnet" as alice router remove subnet r1 asub
check "router delete" as alice router delete r1
check "router gone" refused "No Router found\|could not be found" as alice router show r1

# Quotas: admin sets them, everyone reads their own, limits hold.
alpha="$(as alice token issue -f value -c project_id)"
check "quota set --ports 20 --networks 5 (admin)" as stratus quota set --ports 20 --networks 5 --routers 1 "$alpha"
as stratus quota show "$alpha" -f json > "$work/quota.json"
check "quota show reads compute and network" /usr/bin/python3 -c '
import json, sys
q = json.load(open(sys.argv[1]))
assert q["ports"] == 20 and q["networks"] == 5 and q["routers"] == 1, q
assert q["instances"] == 10 and q["subnets"] == 100, q' "$work/quota.json"
listed="$(as stratus quota list --network -f value)"
check "quota list --network lists alpha" bash -c 'grep -q "^$2 .*20" <<< "$1"' _ "$listed" "$alpha"
check "a member may not set quotas" refused "403\|disallowed\|Forbidden\|No project" as alice quota set --ports 99 "$alpha"
as alice quota show "$alpha" -f json > "$work/aquota.json"
check "a member reads its own quota" test "$(field "$work/aquota.json" ports)" = 20
check "a member may not read another project's" refused "403\|disallowed\|Forbidden\|No project" as bob quota show "$alpha"
as alice router create r-one -f value -c id > /dev/null
check "the router quota holds (OverQuota)" refused "Quota exceeded for resources: \['router'\]" as alice router create r-two
as alice router delete r-one

# Agents: none.
check "network agent list is empty (admin)" test -z "$(as stratus network agent list -f value)"
check "network agent show: not found" refused "not found\|No Agent" as stratus network agent show no-such-agent

check "port delete" as alice port delete "$p1" p2-renamed
check "alice's network has no ports left" test -z "$(as alice port list --network anet -f value)"
aio_finish
