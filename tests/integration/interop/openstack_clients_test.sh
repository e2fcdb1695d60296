#!/usr/bin/env bash
# The real OpenStack clients from Debian (openstackclient, novaclient and
# openstacksdk, on /usr/bin/python3) drive `stratus aio` as they would drive
# OpenStack: password authentication through the identity endpoint, with the
# clouds.yaml the aio writes, and the catalog leading them to the compute,
# image and network APIs. Each command's output is checked.
#   openstack_clients_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
if [ ! -x /usr/bin/openstack ] || [ ! -x /usr/bin/nova ] || ! /usr/bin/python3 -c 'import openstack' 2>/dev/null; then
  echo "python3-openstackclient / python3-novaclient / python3-openstacksdk missing: run scripts/install-deps.sh"; exit 1
fi

aio_start "$stratus" --set host=interop -- --fake-hosts 2
export OS_CLIENT_CONFIG_FILE="$aio_data/clouds.yaml" OS_CLOUD=stratus
check "aio wrote a clouds.yaml" test -s "$OS_CLIENT_CONFIG_FILE"
check "readable by its owner only" test "$(stat -c %a "$OS_CLIENT_CONFIG_FILE")" = 600
os() { timeout 120 /usr/bin/openstack "$@"; }
py_check() {  # py_check DESCRIPTION JSON_FILE PYTHON_EXPRESSION_ON_d
  check "$1" /usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert eval(sys.argv[2]), d' "$2" "$3"
}

os token issue -f json > "$work/token.json"
py_check "openstack token issue: a token scoped to the admin project" "$work/token.json" \
  'd["id"] and d["project_id"] and d["user_id"] and d["expires"]'

# Image service
head -c 1048576 /dev/urandom > "$work/small.img"
os image create --file "$work/small.img" --disk-format raw --container-format bare --private -f json small > "$work/image.json"
py_check "openstack image create --file names the new image" "$work/image.json" 'd["name"] == "small" and d["id"]'
os image list -f json > "$work/images.json"
py_check "openstack image list shows it beside the seeded image" "$work/images.json" \
  'sorted(i["Name"] for i in d) == ["cirros-0.6.2-x86_64-disk", "small"]'
os image show -f json small > "$work/image-show.json"
py_check "openstack image show: active, with its size and md5" "$work/image-show.json" \
  'd["status"] == "active" and d["disk_format"] == "raw" and int(d["size"]) == 1048576 and d["checksum"] == "'"$(md5sum "$work/small.img" | cut -d' ' -f1)"'"'
os image save --file "$work/small.out" small
check "openstack image save gives the same bytes back" cmp "$work/small.img" "$work/small.out"
check "openstack image delete" os image delete small
check "and it is gone" test -z "$(os image list -f value -c Name | grep -x small || true)"

# Flavors
os flavor list -f json > "$work/flavors.json"
py_check "openstack flavor list shows the m1 flavors" "$work/flavors.json" \
  '[f["Name"] for f in d] == ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"]'
os flavor create --ram 256 --disk 1 --vcpus 1 -f json t1.nano > "$work/flavor.json"
py_check "openstack flavor create" "$work/flavor.json" 'd["name"] == "t1.nano" and d["ram"] == 256'
os flavor show -f json t1.nano > "$work/flavor-show.json"
py_check "openstack flavor show" "$work/flavor-show.json" 'd["vcpus"] == 1 and d["disk"] == 1'
check "openstack flavor delete" os flavor delete t1.nano

# Key pairs
os keypair create -f json kp1 > "$work/kp.json" 2> /dev/null || os keypair create kp1 > "$work/kp.pem"
check "openstack keypair create gives a private key" grep -q "PRIVATE KEY" "$work/kp.pem" "$work/kp.json"
os keypair list -f json > "$work/kps.json"
py_check "openstack keypair list" "$work/kps.json" '[k["Name"] for k in d] == ["kp1"]'

# Servers: the whole life cycle
os server create --image cirros-0.6.2-x86_64-disk --flavor m1.tiny --network private --key-name kp1 --wait \
  -f json osc-1 > "$work/create.json"
py_check "openstack server create --image --flavor --network --wait ends ACTIVE" "$work/create.json" \
  'd["status"] == "ACTIVE" and d["name"] == "osc-1" and "private" in str(d["addresses"])'
os server list -f json > "$work/list.json"
py_check "openstack server list shows it with its address" "$work/list.json" \
  '[(s["Name"], s["Status"]) for s in d] == [("osc-1", "ACTIVE")] and "private=10." in str(d[0]["Networks"]).replace("[", "").replace("'"'"'", "").replace(": ", "=")'
os server show -f json osc-1 > "$work/show.json"
py_check "openstack server show: Nova's extended attributes, image and flavor by name" "$work/show.json" \
  'd["OS-EXT-STS:vm_state"] == "active" and d["OS-EXT-SRV-ATTR:host"].startswith("interop-") and d["flavor"].startswith("m1.tiny") and d["image"].startswith("cirros") and d["key_name"] == "kp1"'
check "openstack server reboot --wait" os server reboot --wait osc-1
check "openstack server stop" os server stop osc-1
for _ in $(seq 1 100); do [ "$(os server show -f value -c status osc-1)" = SHUTOFF ] && break; sleep 0.2; done
check "and it is SHUTOFF" test "$(os server show -f value -c status osc-1)" = SHUTOFF
check "openstack server start" os server start osc-1
for _ in $(seq 1 100); do [ "$(os server show -f value -c status osc-1)" = ACTIVE ] && break; sleep 0.2; done
check "and it is ACTIVE again" test "$(os server show -f value -c status osc-1)" = ACTIVE
os console log show osc-1 > "$work/console.txt"
check "openstack console log show prints the guest's console" grep -q "osc-1" "$work/console.txt"
check "openstack server delete --wait" os server delete --wait osc-1
check "and the list is empty" test -z "$(os server list -f value)"
check "openstack keypair delete" os keypair delete kp1
check "and no key pairs are left" test -z "$(os keypair list -f value)"

# The cloud's own views (admin)
os hypervisor list -f json > "$work/hv.json"
py_check "openstack hypervisor list: the two fake hosts, up" "$work/hv.json" \
  'sorted(h["Hypervisor Hostname"] for h in d) == ["interop-1", "interop-2"] and all(h["State"] == "up" for h in d)'
os availability zone list -f json > "$work/az.json"
py_check "openstack availability zone list: nova is available" "$work/az.json" \
  'any(z["Zone Name"] == "nova" and z["Zone Status"] == "available" for z in d)'
os compute service list -f json > "$work/services.json"
py_check "openstack compute service list: both compute services up and enabled" "$work/services.json" \
  'sorted((s["Binary"], s["Host"], s["State"], s["Status"]) for s in d if s["Binary"] == "nova-compute") == [("nova-compute", h, "up", "enabled") for h in ("interop-1", "interop-2")]'
py_check "openstack compute service list: a conductor and a scheduler row, up, in zone internal" "$work/services.json" \
  'sorted((s["Binary"], s["Zone"], s["State"]) for s in d if s["Binary"] != "nova-compute") == [("nova-conductor", "internal", "up"), ("nova-scheduler", "internal", "up")]'
os network list -f json > "$work/networks.json"
py_check "openstack network list: the seeded networks" "$work/networks.json" '[n["Name"] for n in d] == ["private", "public"]'

# The nova command, with the usual OS_* variables.
read -r auth_url password < <(/usr/bin/python3 -c '
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))["clouds"]["stratus"]["auth"]
print(c["auth_url"], c["password"])' "$OS_CLIENT_CONFIG_FILE")
novacmd() {
  env -u OS_CLOUD OS_AUTH_URL="$auth_url" OS_USERNAME=admin OS_PASSWORD="$password" OS_PROJECT_NAME=admin \
    OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default timeout 120 /usr/bin/nova "$@"
}
novacmd boot --flavor m1.tiny --image cirros-0.6.2-x86_64-disk --nic none --poll nova-1 > "$work/nova-boot.txt" 2>&1 ||
  novacmd boot --flavor m1.tiny --image cirros-0.6.2-x86_64-disk --poll nova-1 > "$work/nova-boot.txt" 2>&1 || true
check "nova boot --poll builds the server" grep -q "ACTIVE\|Finished" "$work/nova-boot.txt"
novacmd list > "$work/nova-list.txt" 2>&1 || true
check "nova list shows it ACTIVE" grep -q "nova-1.*ACTIVE" "$work/nova-list.txt"
novacmd delete nova-1 > /dev/null 2>&1 || true

# Services by Nova's binary names, as clients filter and disable them.
os compute service list --service nova-compute -f json > "$work/nova-compute.json"
py_check "openstack compute service list --service nova-compute: the two compute services" "$work/nova-compute.json" \
  'sorted((s["Binary"], s["Host"]) for s in d) == [("nova-compute", h) for h in ("interop-1", "interop-2")]'
os compute service set --disable --disable-reason "by interop" interop-2 nova-compute
os compute service list --service nova-compute -f json > "$work/nova-compute-disabled.json"
py_check "openstack compute service set --disable interop-2 nova-compute disables it" "$work/nova-compute-disabled.json" \
  '{s["Host"]: s["Status"] for s in d} == {"interop-1": "enabled", "interop-2": "disabled"}'
os compute service set --enable interop-2 nova-compute

# Per-user quotas with nova's --user (OSC has no per-user quota option).
read -r admin_user admin_project < <(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1])); print(d["user_id"], d["project_id"])' "$work/token.json")
novacmd quota-update --user "$admin_user" --ram 2048 --instances 3 "$admin_project"
novacmd quota-show --user "$admin_user" --tenant "$admin_project" > "$work/user-quota.txt" 2>&1 || true
check "nova quota-update --user sets the user's ram and instances" \
  grep -Eq "^\| ram +\| 2048 +\|" "$work/user-quota.txt"
novacmd quota-show --tenant "$admin_project" > "$work/project-quota.txt" 2>&1 || true
check "the project's own ram limit is unchanged" grep -Eq "^\| ram +\| 51200 +\|" "$work/project-quota.txt"
if novacmd quota-update --user "$admin_user" --ram 60000 "$admin_project" > "$work/user-quota-over.txt" 2>&1; then
  check "nova quota-update --user above the project's limit is refused" false
else
  check "nova quota-update --user above the project's limit is refused (Nova's message)" \
    grep -q "must be less than or equal to 51200" "$work/user-quota-over.txt"
fi
novacmd quota-delete --user "$admin_user" --tenant "$admin_project"
novacmd quota-show --user "$admin_user" --tenant "$admin_project" > "$work/user-quota-reset.txt" 2>&1 || true
check "nova quota-delete --user gives the user the project's limits back" \
  grep -Eq "^\| ram +\| 51200 +\|" "$work/user-quota-reset.txt"

# openstacksdk, as a program would use it.
check "openstacksdk: create, list, get and delete a server" timeout 180 /usr/bin/python3 - <<'PY'
import openstack
conn = openstack.connect(cloud="stratus")
image = conn.image.find_image("cirros-0.6.2-x86_64-disk")
flavor = conn.compute.find_flavor("m1.tiny")
network = conn.network.find_network("private")
assert image and flavor and network, (image, flavor, network)
server = conn.compute.create_server(name="sdk-1", image_id=image.id, flavor_id=flavor.id,
                                    networks=[{"uuid": network.id}])
server = conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.5)
assert server.status == "ACTIVE"
assert "sdk-1" in [s.name for s in conn.compute.servers()]
ports = list(conn.network.ports(device_id=server.id))
assert len(ports) == 1 and ports[0].network_id == network.id, ports
conn.compute.delete_server(server)
conn.compute.wait_for_delete(server, wait=60, interval=0.5)
assert "sdk-1" not in [s.name for s in conn.compute.servers()]
PY

aio_finish
