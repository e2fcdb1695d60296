#!/usr/bin/env bash
# The everyday `openstack server ...` commands of issue #20 that reach a
# server's ports, volumes and crash dumps, run with Debian's
# /usr/bin/openstack (--os-compute-api-version 2.92) against `stratus aio`:
# add/remove port, network and fixed IP, the interfaces the fake host then
# has, dump create, volume list, event list, migration list, diagnostics,
# console url show.
# The pre-2.44 removeFixedIp action is sent through openstacksdk (this
# openstackclient's `server remove fixed ip` calls a novaclient method that
# novaclient 18 no longer has, whatever the server; checked and reported).
#   server_ports_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
if [ ! -x /usr/bin/openstack ] || ! /usr/bin/python3 -c 'import openstack' 2>/dev/null; then
  echo "python3-openstackclient / python3-openstacksdk missing: run scripts/install-deps.sh"; exit 1
fi

aio_start "$stratus" --set host=ports -- --fake-hosts 1
export OS_CLIENT_CONFIG_FILE="$aio_data/clouds.yaml" OS_CLOUD=stratus
os() { timeout 60 /usr/bin/openstack --os-compute-api-version 2.92 "$@"; }
quiet() { "$@" > /dev/null; }
os_old() { timeout 60 /usr/bin/openstack --os-compute-api-version 2.43 "$@"; }
py_check() {  # py_check DESCRIPTION JSON_FILE PYTHON_EXPRESSION_ON_d
  check "$1" /usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert eval(sys.argv[2]), d' "$2" "$3"
}
fails_with() {  # fails_with DESCRIPTION TEXT COMMAND... : the command fails and says TEXT
  local what="$1" text="$2"; shift 2
  if "$@" > "$work/out.txt" 2>&1; then echo "FAIL: $what (it succeeded)"; failures=$((failures + 1)); return; fi
  if grep -qF -- "$text" "$work/out.txt"; then echo "ok: $what"; else
    echo "FAIL: $what: expected '$text' in:"; cat "$work/out.txt"; failures=$((failures + 1)); fi
}
interfaces() { os port list --server s1 -f value -c ID | sort; }

net="$(os network show private -f value -c id)"
os server create --flavor m1.tiny --image cirros-0.6.2-x86_64-disk --network "$net" --wait -f json s1 > "$work/s1.json"
py_check "server create --wait: s1 is ACTIVE" "$work/s1.json" 'd["status"] == "ACTIVE"'
[ "$(interfaces | wc -l)" = 1 ] && check "s1 boots with one port" true || check "s1 boots with one port" false

# Ports and networks (os-interface)
check "openstack server add network" os server add network s1 "$net"
[ "$(interfaces | wc -l)" = 2 ] && check "  s1 has two ports" true || check "  s1 has two ports" false
os server show -f json s1 > "$work/show.json"
py_check "  server show lists both addresses" "$work/show.json" \
  'sum(len(v) for v in d["addresses"].values()) == 2'
check "openstack server remove network (every port on it)" os server remove network s1 "$net"
[ "$(interfaces | wc -l)" = 0 ] && check "  s1 has no port left" true || check "  s1 has no port left" false

check "openstack server add fixed ip (a chosen address)" quiet os server add fixed ip --fixed-ip-address 10.0.0.150 s1 "$net"
os port list --server s1 -f json > "$work/ports.json"
py_check "  the port holds 10.0.0.150" "$work/ports.json" '"10.0.0.150" in json.dumps(d)'
fails_with "the same address again is Nova's 409" "already in use" os server add fixed ip --fixed-ip-address 10.0.0.150 s1 "$net"
port="$(interfaces | head -1)"
check "openstack server remove port" os server remove port s1 "$port"
[ "$(interfaces | wc -l)" = 0 ] && check "  the port is detached" true || check "  the port is detached" false
check "openstack server add fixed ip (any address)" quiet os server add fixed ip s1 "$net"
port="$(interfaces | head -1)"
fails_with "openstack server add port: a port in use is refused" "is still in use" os server add port s1 "$port"
fails_with "openstack server remove fixed ip: client-side bug of openstackclient 6.0 with novaclient 18" \
  "remove_fixed_ip" os server remove fixed ip s1 10.0.0.150
addr="$(os port show "$port" -f json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["fixed_ips"][0]["ip_address"])')"
check "removeFixedIp (2.43, openstacksdk) takes the port holding the address" timeout 60 /usr/bin/python3 -c '
import openstack, sys
c = openstack.connect(cloud="stratus")
s = c.compute.find_server("s1", ignore_missing=False)
c.compute.remove_fixed_ip_from_server(s, sys.argv[1])
assert not list(c.network.ports(device_id=s.id)), "port still there"
' "$addr"
check "addFixedIp (2.43, openstacksdk) adds a port on the network" timeout 60 /usr/bin/python3 -c '
import openstack, sys
c = openstack.connect(cloud="stratus")
s = c.compute.find_server("s1", ignore_missing=False)
c.compute.add_fixed_ip_to_server(s, sys.argv[1])
assert len(list(c.network.ports(device_id=s.id))) == 1
' "$net"

# Crash dump, volumes, events, migrations, diagnostics
check "openstack server dump create" os server dump create s1
os server event list -f json s1 > "$work/events.json"
py_check "openstack server event list: attach, detach and the crash dump recorded" "$work/events.json" \
  '{"attach_interface", "detach_interface", "trigger_crash_dump"} <= {e["Action"] for e in d}'
os server volume list -f json s1 > "$work/volumes.json"
py_check "openstack server volume list: none (no volume service)" "$work/volumes.json" 'd == []'
fails_with "openstack server add volume: the client itself wants a block-storage endpoint" "block-storage" \
  os server add volume s1 11111111-2222-3333-4444-555555555555
check "the attach request itself (openstacksdk): Nova's 404 'Volume V could not be found.'" timeout 60 /usr/bin/python3 -c '
import openstack
c = openstack.connect(cloud="stratus")
s = c.compute.find_server("s1", ignore_missing=False)
try:
    c.compute.create_volume_attachment(s, volume_id="11111111-2222-3333-4444-555555555555")
except openstack.exceptions.NotFoundException as e:
    assert "Volume 11111111-2222-3333-4444-555555555555 could not be found." in str(e), e
else:
    raise SystemExit("attached a volume that does not exist")
' 
os server migration list -f json > "$work/migrations.json"
py_check "openstack server migration list: none" "$work/migrations.json" 'd == []'
check "openstack server show --diagnostics" quiet os server show --diagnostics s1
fails_with "openstack console url show: Nova's 400 with no console deployed" "Unavailable console type novnc" \
  os console url show s1
check "openstack server stop" os server stop s1
for _ in $(seq 1 100); do [ "$(os server show -f value -c status s1)" = SHUTOFF ] && break; sleep 0.2; done
fails_with "  dump create on a stopped server is Nova's 409" "vm_state stopped" os server dump create s1
check "  a stopped server still takes a port" os server add network s1 "$net"
check "openstack server delete --wait" os server delete --wait s1
[ -z "$(os port list -f value -c ID --device-owner compute:nova 2>/dev/null)" ] && check "  its ports went with it" true \
  || check "  its ports went with it" false
aio_finish
