#!/usr/bin/env bash
# Debian's openstackclient against `stratus aio` for the identity commands
# beyond users, projects and roles: the catalog as resources (service,
# endpoint, region list/show), application credentials (create, list,
# show, delete, and logging in with one), and domains (create, set,
# disable, delete; users and projects in them). Each as the admin and as a
# member of another project, who is refused (403) where Keystone's policy
# says so.
#   openstack_identity_more_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
aio_start "$stratus" --set host=idmore -- --fake-hosts 1
export OS_CLIENT_CONFIG_FILE="$aio_data/clouds.yaml" OS_CLOUD=stratus
os() { timeout 120 /usr/bin/openstack "$@"; }
py() { /usr/bin/python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"; }
fails_with() {  # fails_with TEXT COMMAND...: the command fails and prints TEXT
  local text="$1"; shift
  local rc=0; "$@" > "$work/fail.out" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] && grep -q -- "$text" "$work/fail.out"
}
# add_cloud NAME KEY=VALUE...: a cloud beside the admin's, its auth changed.
add_cloud() {
  /usr/bin/python3 - "$work/clouds.yaml" "$aio_data/clouds.yaml" "$@" <<'PY'
import copy, os, sys, yaml
target, source, name = sys.argv[1], sys.argv[2], sys.argv[3]
clouds = yaml.safe_load(open(target if os.path.exists(target) else source))
c = copy.deepcopy(yaml.safe_load(open(source))["clouds"]["stratus"])
for kv in sys.argv[4:]:
    k, v = kv.split("=", 1)
    c["auth"][k] = v
clouds["clouds"][name] = c
yaml.safe_dump(clouds, open(target, "w"))
PY
}
as() { local cloud="$1"; shift; OS_CLIENT_CONFIG_FILE="$work/clouds.yaml" os --os-cloud "$cloud" "$@"; }

# ---- the catalog as resources (admin)
os service list -f json > "$work/services.json"
check "service list: compute, image, network, identity" py "$work/services.json" \
  'sorted((s["Type"], s["Name"]) for s in j) == [("compute", "nova"), ("identity", "keystone"), ("image", "glance"), ("network", "neutron")]'
os service show compute -f json > "$work/service.json"
check "service show compute" py "$work/service.json" 'j["name"] == "nova" and j["enabled"]'
os catalog list -f json > "$work/catalog.json"
check "catalog list shows the same service ids" /usr/bin/python3 -c '
import json, sys
services = {s["ID"] for s in json.load(open(sys.argv[1]))}
catalog = json.load(open(sys.argv[2]))
sys.exit(0 if len(catalog) == 4 and len(services) == 4 else 1)' "$work/services.json" "$work/catalog.json"
os endpoint list -f json > "$work/endpoints.json"
check "endpoint list: 12 endpoints in RegionOne" py "$work/endpoints.json" \
  'len(j) == 12 and {e["Region"] for e in j} == {"RegionOne"}'
os endpoint list --service compute --interface public -f json > "$work/compute-ep.json"
check "endpoint list --service compute --interface public is the compute URL" py "$work/compute-ep.json" \
  "[e['URL'] for e in j] == ['$aio_url']"
ep="$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["ID"])' "$work/compute-ep.json")"
check "endpoint show" sh -c "timeout 120 /usr/bin/openstack endpoint show $ep -f value -c url | grep -qx '$aio_url'"
os region list -f json > "$work/regions.json"
check "region list: RegionOne" py "$work/regions.json" '[r["Region"] for r in j] == ["RegionOne"]'
check "region show RegionOne" os region show RegionOne
check "service create is refused (the catalog follows the configuration)" \
  fails_with "Not Implemented\|not been implemented\|501" os service create --name cinder volumev3

# ---- a member of another project
os project create demo3 > /dev/null
os user create dave --project demo3 --password dave-pw > /dev/null
os role add --project demo3 --user dave member
add_cloud dave username=dave password=dave-pw project_name=demo3
check "dave: service list is refused (403)" fails_with "403" as dave service list
check "dave: endpoint list is refused (403)" fails_with "403" as dave endpoint list
check "dave: region list works" sh -c "OS_CLIENT_CONFIG_FILE='$work/clouds.yaml' timeout 120 /usr/bin/openstack --os-cloud dave region list -f value | grep -q RegionOne"
check "dave: domain create is refused (403)" fails_with "403" as dave domain create nope

# ---- application credentials (dave's, for himself)
as dave application credential create ci --secret ci-secret --description "for CI" -f json > "$work/ac.json"
check "application credential create" py "$work/ac.json" \
  'j["name"] == "ci" and j["secret"] == "ci-secret" and j["unrestricted"] is False and set(j["roles"].split()) == {"member", "reader"}'
ac_id="$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$work/ac.json")"
as dave application credential list -f json > "$work/acs.json"
check "application credential list" py "$work/acs.json" '[a["Name"] for a in j] == ["ci"]'
check "application credential show (no secret)" sh -c \
  "OS_CLIENT_CONFIG_FILE='$work/clouds.yaml' timeout 120 /usr/bin/openstack --os-cloud dave application credential show ci -f json | /usr/bin/python3 -c 'import json, sys; j = json.load(sys.stdin); sys.exit(0 if j[\"id\"] == \"$ac_id\" and \"secret\" not in j else 1)'"
with_ac() {  # with_ac ID SECRET COMMAND...: openstack logged in with an application credential
  local id="$1" secret="$2"; shift 2
  env -u OS_CLOUD -u OS_CLIENT_CONFIG_FILE timeout 120 /usr/bin/openstack --os-auth-url "$aio_root/identity/v3" \
    --os-identity-api-version 3 --os-auth-type v3applicationcredential \
    --os-application-credential-id "$id" --os-application-credential-secret "$secret" "$@"
}
check "server list with the application credential" with_ac "$ac_id" ci-secret server list
with_ac "$ac_id" ci-secret token issue -f json > "$work/ac-token.json"
check "its token is scoped to demo3" py "$work/ac-token.json" 'j["project_id"] and j["user_id"]'
check "a restricted credential cannot make another (403)" \
  fails_with "403" with_ac "$ac_id" ci-secret application credential create child
check "a wrong secret is refused (401)" fails_with "401" with_ac "$ac_id" wrong server list
as dave application credential create free --secret free-secret --unrestricted --role reader \
  --expiration 2099-01-01T00:00:00 -f json > "$work/free.json"
check "create --unrestricted --role reader --expiration" py "$work/free.json" \
  'j["unrestricted"] is True and j["roles"] == "reader" and j["expires_at"].startswith("2099-01-01T00:00:00")'
free_id="$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$work/free.json")"
check "an unrestricted credential can make another" with_ac "$free_id" free-secret application credential create child
check "the admin lists dave's credentials" sh -c "timeout 120 /usr/bin/openstack application credential list --user dave -f value -c Name | grep -qx ci"
check "application credential delete" as dave application credential delete ci
check "and it no longer logs in" fails_with "401" with_ac "$ac_id" ci-secret server list

# ---- domains (admin)
os domain create acme --description "ACME" -f json > "$work/domain.json"
check "domain create" py "$work/domain.json" 'j["name"] == "acme" and j["enabled"]'
check "project create --domain acme" os project create --domain acme demo3
check "user create --domain acme" os user create --domain acme --password erin-pw erin
check "role add in acme" os role add --project demo3 --project-domain acme --user erin --user-domain acme member
add_cloud erin username=erin password=erin-pw project_name=demo3 user_domain_name=acme project_domain_name=acme
check "erin logs in to acme's demo3" as erin token issue
check "domain delete of an enabled domain is refused" fails_with "disable it first" os domain delete acme
check "domain set --disable acme" os domain set --disable acme
check "erin cannot log in to a disabled domain" fails_with "401" as erin token issue
check "domain set --description" os domain set --description "ACME Corp" acme
check "domain delete acme" os domain delete acme
check "its user went with it" fails_with "No user with a name or ID of 'erin'\|Could not find" os user show --domain default erin
os domain list -f json > "$work/domains.json"
check "domain list is Default again" py "$work/domains.json" '[d["Name"] for d in j] == ["Default"]'
check "the bootstrap commands still see the same tables" sh -c "'$stratus' user list --data-dir '$aio_data' | grep -q dave"

aio_finish
