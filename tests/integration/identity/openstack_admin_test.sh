#!/usr/bin/env bash
# The Keystone v3 admin API with Debian's openstackclient, as an operator
# (and tempest's dynamic credentials) use it against `stratus aio`: domains,
# project create/list/delete, user create with a project and password, role
# add and assignment list; the new user logs in, and deleting its project
# or itself ends its tokens. The `stratus project|user|role` commands see
# the same identities.
#   openstack_admin_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
aio_start "$stratus" --set host=idadmin -- --fake-hosts 1
export OS_CLIENT_CONFIG_FILE="$aio_data/clouds.yaml" OS_CLOUD=stratus
os() { timeout 120 /usr/bin/openstack "$@"; }
# jq-less JSON checks: py FILE 'python expression over j' (must be true)
py() { /usr/bin/python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"; }

os domain list -f json > "$work/domains.json"
check "openstack domain list shows Default" py "$work/domains.json" '[d["Name"] for d in j] == ["Default"] and j[0]["ID"] == "default"'
# (domain create/set/delete: openstack_identity_more_test.sh)

os project create demo2 --description "second project" -f json > "$work/project.json"
check "openstack project create" py "$work/project.json" 'j["name"] == "demo2" and j["description"] == "second project" and j["domain_id"] == "default" and j["enabled"]'
rc=0; os project create demo2 > "$work/dup.out" 2>&1 || rc=$?
check "a second demo2 is a conflict" sh -c "[ $rc -ne 0 ] && grep -q 'Duplicate entry found with name demo2' '$work/dup.out'"
os project list -f json > "$work/projects.json"
check "openstack project list shows it" py "$work/projects.json" '"demo2" in [p["Name"] for p in j]'
check "stratus project list sees it too" sh -c "'$stratus' project list --data-dir '$aio_data' | grep -q demo2"

os user create carol --project demo2 --password carol-pw --email carol@example.org -f json > "$work/user.json"
check "openstack user create --project --password" py "$work/user.json" 'j["name"] == "carol" and j["email"] == "carol@example.org" and j["default_project_id"] and j["enabled"]'
check "openstack role add --project --user member" os role add --project demo2 --user carol member
os role assignment list --user carol --project demo2 --names -f json > "$work/assignments.json"
check "openstack role assignment list --names" py "$work/assignments.json" '[(a["Role"], a["User"], a["Project"]) for a in j] == [("member", "carol@Default", "demo2@Default")]'
check "stratus role list sees the grant" sh -c "'$stratus' role list --user carol --data-dir '$aio_data' | grep -q member"

# A cloud for carol beside the admin's (openstackclient keeps a cloud's
# project over --os-project-name).
/usr/bin/python3 - "$aio_data/clouds.yaml" "$work/clouds.yaml" <<'PY'
import copy, sys, yaml
clouds = yaml.safe_load(open(sys.argv[1]))
c = copy.deepcopy(clouds["clouds"]["stratus"])
c["auth"].update(username="carol", password="carol-pw", project_name="demo2")
clouds["clouds"]["carol"] = c
yaml.safe_dump(clouds, open(sys.argv[2], "w"))
PY
carol() { OS_CLIENT_CONFIG_FILE="$work/clouds.yaml" os --os-cloud carol "$@"; }
carol token issue -f value -c id > "$work/carol.token"
check "carol logs in to demo2" test -s "$work/carol.token"
check "carol lists servers in demo2" carol server list
# GET /projects is admin only; openstackclient then lists the user's own
# projects (GET /users/{id}/projects).
carol project list -f json > "$work/carol-projects.json"
check "carol's project list is her own projects" py "$work/carol-projects.json" '[p["Name"] for p in j] == ["demo2"]'
token_works() {  # token_works TOKEN: the compute API takes it
  /usr/bin/python3 - "$aio_url" "$1" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1] + "/flavors", headers={"X-Auth-Token": sys.argv[2]})
try:
    urllib.request.urlopen(req, timeout=30)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code != 401 else 1)
PY
}
check "carol's token opens the compute API" token_works "$(cat "$work/carol.token")"
# (--wait prints its progress on stdout too: keep the id alone)
server="$(carol server create --image cirros-0.6.2-x86_64-disk --flavor m1.tiny --wait -f value -c id c-1 |
  grep -Eo '[0-9a-f]{8}-[0-9a-f-]{27}' | head -1)"
check "carol creates a server in demo2" test -n "$server"

check "openstack project delete demo2" os project delete demo2
rc=0; token_works "$(cat "$work/carol.token")" || rc=$?
check "the compute API refuses carol's token now" test "$rc" -ne 0
os role assignment list --user carol -f json > "$work/after.json"
check "and carol has no role left" py "$work/after.json" 'j == []'
# As with Keystone and Nova, the project's servers outlive it: the admin
# still sees and deletes them.
check "demo2's server outlives the project" \
  test "$(os server show -f value -c status "$server" 2>/dev/null)" = ACTIVE
check "the admin lists it with --all-projects" sh -c "timeout 120 /usr/bin/openstack server list --all-projects -f value -c ID | grep -q '$server'"
check "and deletes it" os server delete --wait "$server"
check "openstack user delete carol" os user delete carol
rc=0; os user show carol > /dev/null 2>&1 || rc=$?
check "carol is gone" test "$rc" -ne 0
check "stratus user list agrees" sh -c "! '$stratus' user list --data-dir '$aio_data' | grep -q carol"

aio_finish
