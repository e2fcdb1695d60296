#!/usr/bin/env bash
# `stratus` logs in like every OpenStack client, against a real aio: with
# only OS_CLOUD (and the clouds.yaml the aio wrote), with the OS_* variables
# alone, and with an application credential; Keystone's 401 for a wrong
# password, an unknown cloud, and STRATUS_TOKEN as an override.
#   login_test.sh STRATUS_BINARY
# STRATUS_TEST_APP_CREDENTIAL_LOGIN=0 leaves out the application credential
# check (it needs the identity API's application credentials).
set -euo pipefail
stratus="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"  # absolute: the test changes directory
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
aio_start "$stratus" --set host=login -- --fake-hosts 1
clouds="$aio_data/clouds.yaml"
# Nothing but the login settings each check sets.
unset OS_REGION_NAME OS_INTERFACE OS_AUTH_TYPE OS_USER_DOMAIN_NAME OS_PROJECT_DOMAIN_NAME \
  OS_APPLICATION_CREDENTIAL_ID OS_APPLICATION_CREDENTIAL_SECRET
cd "$work"  # no ./clouds.yaml here but the ones this test writes

OS_CLIENT_CONFIG_FILE="$clouds" OS_CLOUD=stratus "$stratus" server create login-1 --flavor m1.tiny \
  --image cirros-0.6.2-x86_64-disk --wait > "$work/create.out" 2>&1 || true
check "server create --wait with only OS_CLOUD set" grep -q "ACTIVE" "$work/create.out"
OS_CLIENT_CONFIG_FILE="$clouds" OS_CLOUD=stratus "$stratus" server list > "$work/list.out" 2>&1 || true
check "server list with only OS_CLOUD set shows it" grep -q "| login-1 | ACTIVE" "$work/list.out"

# The same cloud found in ./clouds.yaml, named with --os-cloud.
cp "$clouds" "$work/clouds.yaml"
"$stratus" server list --os-cloud stratus > "$work/cwd.out" 2>&1 || true
check "--os-cloud finds ./clouds.yaml" grep -q "login-1" "$work/cwd.out"
rm "$work/clouds.yaml"

# The OS_* variables of an openrc, read out of the aio's clouds.yaml.
eval "$(/usr/bin/python3 - "$clouds" <<'PY'
import shlex, sys, yaml
a = yaml.safe_load(open(sys.argv[1]))["clouds"]["stratus"]["auth"]
for k in ("auth_url", "username", "password", "project_name"):
    print(f"export OS_{k.upper()}={shlex.quote(str(a[k]))}")
PY
)"
"$stratus" server list -f json > "$work/env.out" 2>&1 || true
check "server list with the OS_* variables alone" grep -q '"login-1"' "$work/env.out"
rc=0; OS_PASSWORD=wrong "$stratus" server list > "$work/wrong.out" 2>&1 || rc=$?
check "a wrong password: exit 1 and Keystone's 401 message" sh -c \
  "[ $rc -eq 1 ] && grep -q 'login failed: 401 The request you have made requires authentication' '$work/wrong.out'"
rc=0; OS_REGION_NAME=Elsewhere "$stratus" server list > "$work/region.out" 2>&1 || rc=$?
check "an unknown region: no compute endpoint there" sh -c \
  "[ $rc -eq 1 ] && grep -q \"no 'compute' endpoint on interface 'public' in region 'Elsewhere'\" '$work/region.out'"
unset OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME

rc=0; OS_CLIENT_CONFIG_FILE="$clouds" "$stratus" server list --os-cloud nope > "$work/nope.out" 2>&1 || rc=$?
check "an unknown cloud names the file and its clouds" sh -c \
  "[ $rc -eq 1 ] && grep -q \"cloud 'nope' not found in $clouds (clouds there: stratus)\" '$work/nope.out'"
rc=0; OS_CLIENT_CONFIG_FILE="$work/none.yaml" HOME="$work" "$stratus" server list --os-cloud stratus \
  > "$work/missing.out" 2>&1 || rc=$?
check "no clouds.yaml: says where it looked" sh -c \
  "[ $rc -eq 1 ] && grep -q 'no clouds.yaml found (looked in $work/none.yaml' '$work/missing.out'"

# STRATUS_TOKEN overrides the cloud: a bad token is refused by the API.
rc=0; OS_CLIENT_CONFIG_FILE="$clouds" OS_CLOUD=stratus STRATUS_TOKEN=not-a-token STRATUS_URL="$aio_url" \
  "$stratus" server list > "$work/token.out" 2>&1 || rc=$?
check "STRATUS_TOKEN overrides the cloud's login" sh -c "[ $rc -eq 1 ] && grep -q '401' '$work/token.out'"

if [ "${STRATUS_TEST_APP_CREDENTIAL_LOGIN:-1}" = "1" ]; then
  OS_CLIENT_CONFIG_FILE="$clouds" OS_CLOUD=stratus timeout 120 /usr/bin/openstack application credential create \
    login-ac -f json > "$work/ac.json" 2> "$work/ac.err" || true
  /usr/bin/python3 - "$work/ac.json" "$work/ac-clouds.yaml" "$clouds" <<'PY' || true
import json, sys, yaml
ac = json.load(open(sys.argv[1]))
auth_url = yaml.safe_load(open(sys.argv[3]))["clouds"]["stratus"]["auth"]["auth_url"]
yaml.safe_dump({"clouds": {"ac": {"auth_type": "v3applicationcredential", "region_name": "RegionOne",
    "auth": {"auth_url": auth_url, "application_credential_id": ac["id"],
             "application_credential_secret": ac["secret"]}}}}, open(sys.argv[2], "w"))
PY
  OS_CLIENT_CONFIG_FILE="$work/ac-clouds.yaml" OS_CLOUD=ac "$stratus" server list > "$work/ac.out" 2>&1 || true
  check "server list logged in with an application credential" grep -q "login-1" "$work/ac.out"
else
  echo "skipped: application credential login (STRATUS_TEST_APP_CREDENTIAL_LOGIN=0)"
fi

OS_CLIENT_CONFIG_FILE="$clouds" OS_CLOUD=stratus "$stratus" server delete login-1 --wait > /dev/null 2>&1 || true
aio_finish
