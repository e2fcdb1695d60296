#!/usr/bin/env bash
# Debian's openstack CLI with security groups and floating IPs against
# `stratus aio`: groups and rules through /network, a server booted in a
# group, a group added and removed through Nova's actions, a floating IP
# allocated from "public", associated with the server (shown in its
# addresses as "floating"), disassociated and released.
#   openstack_secgroups_test.sh STRATUS_BINARY
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

token="ossg-$RANDOM$RANDOM"
"$stratus" --log-level warn --set host=ossg --set api.auth_strategy=token --set api.admin_token="$token" \
  --set compute.heartbeat_interval=0.5 --set compute.resource_report_interval=1 \
  aio --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio.out" 2>&1 &
aio_pid=$!
for _ in $(seq 1 200); do grep -q "ready at" "$work/aio.out" 2>/dev/null && break; sleep 0.1; done
base="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/aio.out" | head -1)"
check "aio is ready" test -n "$base"
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

os network show public -f json > "$work/public.json"
check "the seed's external network" py '
import json, sys
n = json.load(open(sys.argv[1]))
assert n["router:external"] is True and len(n["subnets"]) == 1, n' "$work/public.json"

os security group create web --description "web servers" -f json > "$work/web.json"
check "security group create (with its egress rules)" py '
import json, sys
g = json.load(open(sys.argv[1]))
assert g["name"] == "web" and g["description"] == "web servers", g
assert sorted(r["ethertype"] for r in g["rules"]) == ["IPv4", "IPv6"], g["rules"]
assert all(r["direction"] == "egress" for r in g["rules"]), g["rules"]' "$work/web.json"
os security group rule create --protocol tcp --dst-port 80:81 --remote-ip 192.0.2.0/24 web -f json > "$work/rule.json"
check "security group rule create" py '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["protocol"] == "tcp" and r["port_range_min"] == 80 and r["port_range_max"] == 81, r
assert r["remote_ip_prefix"] == "192.0.2.0/24" and r["direction"] == "ingress", r' "$work/rule.json"
set +e
os security group rule create --protocol tcp --dst-port 80:81 --remote-ip 192.0.2.0/24 web > /dev/null 2> "$work/dup.err"; rc=$?
set -e
check "a duplicate rule is refused (409)" bash -c "test $rc -ne 0 && grep -q 'already exists' '$work/dup.err'"
os security group list -f json > "$work/groups.json"
check "security group list: default and web" py '
import json, sys
names = sorted(g["Name"] for g in json.load(open(sys.argv[1])))
assert names == ["default", "web"], names' "$work/groups.json"
os security group rule list web -f json > "$work/rules.json"
check "security group rule list web" py '
import json, sys
rules = json.load(open(sys.argv[1]))
assert len(rules) == 3, rules' "$work/rules.json"
set +e
os security group delete default > /dev/null 2> "$work/default.err"; rc=$?
set -e
check "the default group stays" bash -c "test $rc -ne 0 || (cd '$work' && timeout 60 /usr/bin/openstack --os-cloud stratus security group show default > /dev/null)"

os server create --flavor m1.tiny --image cirros-0.6.2-x86_64-disk --network private --security-group web \
  --wait -f json vm-sg > "$work/server.json"
check "server create --security-group web" py '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["status"] == "ACTIVE", s
assert "web" in json.dumps(s["security_groups"]), s["security_groups"]' "$work/server.json"
port="$(os port list --server vm-sg -f value -c ID)"
os port show "$port" -f json > "$work/port.json"
web_id="$(py 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/web.json")"
check "the server's port is in web" py '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["security_group_ids"] == [sys.argv[2]], p' "$work/port.json" "$web_id"
check "server add security group default" os server add security group vm-sg default
os server show vm-sg -f json > "$work/shown.json"
check "the server shows both groups" py '
import json, sys
s = json.load(open(sys.argv[1]))
names = sorted(g["name"] for g in s["security_groups"]) if isinstance(s["security_groups"], list) else s["security_groups"]
assert "default" in str(names) and "web" in str(names), s["security_groups"]' "$work/shown.json"
set +e
os security group delete web > /dev/null 2> "$work/in_use.err"; rc=$?
set -e
check "a group in use is not deleted" bash -c "test $rc -ne 0 && grep -qi 'in use' '$work/in_use.err'"
check "server remove security group web" os server remove security group vm-sg web

os floating ip create public -f json > "$work/fip.json"
fip="$(py 'import json,sys; print(json.load(open(sys.argv[1]))["floating_ip_address"])' "$work/fip.json")"
check "floating ip create public" py '
import json, sys
f = json.load(open(sys.argv[1]))
assert f["floating_ip_address"].startswith("172.24.4."), f
assert f["port_id"] is None and f["status"] == "DOWN", f' "$work/fip.json"
check "server add floating ip" os server add floating ip vm-sg "$fip"
os floating ip show "$fip" -f json > "$work/fip-assoc.json"
check "the floating IP is ACTIVE on the server's address" py '
import json, sys
f = json.load(open(sys.argv[1]))
assert f["status"] == "ACTIVE" and f["fixed_ip_address"].startswith("10.0.0."), f' "$work/fip-assoc.json"
os server show vm-sg -f json > "$work/with-fip.json"
check "the server's addresses show it" py '
import json, sys
s = json.load(open(sys.argv[1]))
assert sys.argv[2] in json.dumps(s["addresses"]), s["addresses"]' "$work/with-fip.json" "$fip"
check "server remove floating ip" os server remove floating ip vm-sg "$fip"
os floating ip show "$fip" -f json > "$work/fip-free.json"
check "then it is DOWN without a port" py '
import json, sys
f = json.load(open(sys.argv[1]))
assert f["status"] == "DOWN" and f["port_id"] is None, f' "$work/fip-free.json"
check "floating ip delete" os floating ip delete "$fip"
check "server delete --wait" os server delete --wait vm-sg
check "then the group can go" os security group delete web

kill -INT "$aio_pid"; wait "$aio_pid" || true; aio_pid=""
echo "failures: $failures"
[ "$failures" -eq 0 ]
