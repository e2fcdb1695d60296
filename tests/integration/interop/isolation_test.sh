#!/usr/bin/env bash
# Two projects, one member each, with the real openstack client: neither sees
# nor can act on the other's servers, images or key pairs (Nova's, Glance's
# answer: not found), and a member is refused the admin calls (403).
#   isolation_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
aio_start "$stratus" --set host=iso -- --fake-hosts 1

for who in alice:alpha bob:beta; do
  user="${who%%:*}"; project="${who##*:}"
  check "stratus project create $project" "$stratus" project create "$project" --data-dir "$aio_data"
  check "stratus user create $user (member of $project)" \
    "$stratus" user create "$user" --password "pw-$user-$RANDOM" --project "$project" --role member --data-dir "$aio_data"
done
# A clouds.yaml for the two members, beside the admin's: the passwords are set
# again so the file knows them.
"$stratus" user set-password alice --password pw-alice --data-dir "$aio_data"
"$stratus" user set-password bob --password pw-bob --data-dir "$aio_data"
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
as() { local cloud="$1"; shift; timeout 120 /usr/bin/openstack --os-cloud "$cloud" "$@"; }
refused() {  # refused PATTERN COMMAND...: the command fails and says PATTERN
  local pattern="$1"; shift
  if "$@" > "$work/refused.out" 2>&1; then echo "  (it succeeded)"; return 1; fi
  grep -qi "$pattern" "$work/refused.out" || { echo "  (said: $(head -c 300 "$work/refused.out"))"; return 1; }
}

# (--wait prints its progress on stdout too: keep the id alone)
alice_server="$(as alice server create --image cirros-0.6.2-x86_64-disk --flavor m1.tiny --wait -f value -c id a-1 |
  grep -Eo '[0-9a-f]{8}-[0-9a-f-]{27}' | head -1)"
check "alice creates a server" test -n "$alice_server"
check "alice creates a key pair" as alice keypair create a-key
head -c 4096 /dev/urandom > "$work/a.img"
alice_image="$(as alice image create --file "$work/a.img" --disk-format raw --container-format bare --private -f value -c id a-image)"
check "alice uploads a private image" test -n "$alice_image"

check "bob's server list is empty" test -z "$(as bob server list -f value)"
check "bob cannot show alice's server" refused "No server with a name or ID" as bob server show "$alice_server"
check "bob cannot delete alice's server" refused "No server with a name or ID" as bob server delete "$alice_server"
check "bob cannot reboot alice's server" refused "No server with a name or ID" as bob server reboot "$alice_server"
check "bob does not see alice's key pair" test -z "$(as bob keypair list -f value)"
check "bob cannot show alice's key pair" refused "No Keypair found\|could not be found" as bob keypair show a-key
check "bob does not see alice's private image" test -z "$(as bob image list -f value -c ID | grep -x "$alice_image" || true)"
check "bob cannot show it" refused "No Image found\|not found\|could not be found" as bob image show "$alice_image"
check "bob cannot delete it" refused "No Image found\|not found\|could not be found" as bob image delete "$alice_image"
# (openstackclient's save finds no image and stumbles over it: any failure will do, no bytes)
check "bob cannot download it" refused "No Image found\|not found\|NoneType" as bob image save --file "$work/stolen" "$alice_image"
check "and got no bytes of it" test ! -s "$work/stolen"

check "a member may not list hypervisors" refused "403\|Policy" as bob hypervisor list
check "a member may not list compute services" refused "403\|Policy" as bob compute service list
check "a member may not create flavors" refused "403\|Policy" as bob flavor create --ram 64 --disk 1 --vcpus 1 nope
check "a member may not list all projects' servers" refused "403\|Policy" as bob server list --all-projects
check "a member may not force a host" \
  refused "403\|Policy" as bob server create --image cirros-0.6.2-x86_64-disk --flavor m1.tiny --availability-zone nova:iso-1 forced

check "alice still has her server" test "$(as alice server show -f value -c status "$alice_server")" = ACTIVE
check "and her key pair" test "$(as alice keypair list -f value -c Name)" = a-key
check "the admin sees both projects' servers with --all-projects" \
  test "$(as stratus server list --all-projects -f value -c Name)" = a-1
check "alice deletes her server" as alice server delete --wait "$alice_server"
aio_finish
