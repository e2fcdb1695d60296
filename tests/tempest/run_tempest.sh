#!/usr/bin/env bash
# Debian's Tempest against `stratus aio`: the compute API tests, as a cloud
# operator would run them. Starts the aio (fake driver, SQLite) on a free
# loopback port, provisions an admin and two members in two projects
# (Tempest's pre-provisioned accounts), writes a tempest.conf that switches
# on every feature Stratus implements, runs `tempest run`, and compares the
# outcome with tests/tempest/known-failures.txt:
#   - a test that fails and is not listed fails this script;
#   - a listed test that passes fails it too (the list only shrinks).
#
#   run_tempest.sh STRATUS_BINARY [--regex R] [--keep DIR] [--concurrency N]
#   run_tempest.sh STRATUS_BINARY --regex 'test_aggregates' --keep /tmp/t   # one area, results kept
set -euo pipefail
stratus="$1"; shift
regex='^tempest\.api\.compute\.'
keep=""
concurrency=2
while [ $# -gt 0 ]; do
  case "$1" in
    --regex) regex="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    *) echo "unknown option $1"; exit 2 ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
known="$here/known-failures.txt"
if [ ! -x /usr/bin/tempest ]; then echo "python3-tempest missing: run scripts/install-deps.sh"; exit 1; fi
source "$here/../integration/lib/aio.sh"

# Two fake hosts: the tests that place servers on different hosts need them.
# A snapshot takes 1.5 s, as a small one does on a real hypervisor: the image
# is seen SAVING (test_delete_saving_image waits for it) and a second
# createImage meanwhile gets Nova's 409.
aio_start "$stratus" --set host=tempest --set driver.fake.fault.snapshot=delay:1500 -- --fake-hosts 2
export OS_CLIENT_CONFIG_FILE="$aio_data/clouds.yaml" OS_CLOUD=stratus

admin_password="$(/usr/bin/python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["clouds"]["stratus"]["auth"]["password"])' "$aio_data/clouds.yaml")"
# Tempest locks an account per test class (primary, alt, admin) and runs two
# classes at once: two admins and four members, each in a project of its own.
accounts="$work/accounts.yaml"
: > "$accounts"
for who in tempest-a:tempest-alpha:member tempest-b:tempest-beta:member tempest-c:tempest-gamma:member \
           tempest-d:tempest-delta:member tempest-admin:tempest-admin:admin tempest-admin2:tempest-admin2:admin; do
  IFS=: read -r user project role <<< "$who"
  "$stratus" project create "$project" --data-dir "$aio_data" > /dev/null
  "$stratus" user create "$user" --password "pw-$user" --project "$project" --role "$role" --data-dir "$aio_data" > /dev/null
  { echo "- username: $user"; echo "  project_name: $project"; echo "  password: pw-$user"
    echo "  domain_name: Default"; echo "  roles: [$role]"
    [ "$role" = admin ] && echo "  types: [admin]"; } >> "$accounts"
done

image_id="$(timeout 60 /usr/bin/openstack image show -f value -c id cirros-0.6.2-x86_64-disk)"
# A second public image: the rebuild tests rebuild onto image_ref_alt.
head -c 65536 /dev/urandom > "$work/alt.img"
image_alt_id="$(timeout 60 /usr/bin/openstack image create --file "$work/alt.img" --disk-format raw \
  --container-format bare --public -f value -c id tempest-alt-image)"
flavor_id="$(timeout 60 /usr/bin/openstack flavor show -f value -c id m1.tiny)"
flavor_alt_id="$(timeout 60 /usr/bin/openstack flavor show -f value -c id m1.small)"
public_net_id="$(timeout 60 /usr/bin/openstack network show -f value -c id public 2>/dev/null || true)"
versions="$(curl -sf "$aio_root/v2.1/")"
min_mv="$(/usr/bin/python3 -c 'import json, sys; print(json.loads(sys.argv[1])["version"]["min_version"])' "$versions")"
max_mv="$(/usr/bin/python3 -c 'import json, sys; print(json.loads(sys.argv[1])["version"]["version"])' "$versions")"

ws="${keep:-$work/workspace}"
rm -rf "$ws"; mkdir -p "$ws"
(cd "$ws" && /usr/bin/tempest init --name stratus-tempest-$$ . > /dev/null 2>&1) || true
# `tempest init` registers the workspace in ~/.tempest: forget it again.
/usr/bin/tempest workspace remove --name stratus-tempest-$$ > /dev/null 2>&1 || true
[ -f "$ws/.stestr.conf" ] || { echo "FAIL: tempest init made no workspace in $ws"; exit 1; }

cp "$accounts" "$ws/etc/accounts.yaml"

# The accounts' locks live in this run's workspace, not in Tempest's default
# /tmp/tempest-lock: the accounts have the same names in every run, so a run
# killed while holding them (or a second run on the machine) would otherwise
# leave the next one "Insufficient number of users provided".
mkdir -p "$ws/tempest_lock"
cat > "$ws/etc/tempest.conf" <<EOF
[DEFAULT]
log_file = $ws/tempest.log
use_stderr = false

[oslo_concurrency]
lock_path = $ws/tempest_lock

[auth]
use_dynamic_credentials = false
test_accounts_file = $ws/etc/accounts.yaml
default_credentials_domain_name = Default
admin_username = admin
admin_password = $admin_password
admin_project_name = admin
admin_domain_name = Default
create_isolated_networks = false

[identity]
uri_v3 = $aio_root/identity/v3
auth_version = v3
region = RegionOne
v3_endpoint_type = public
disable_ssl_certificate_validation = true

[identity-feature-enabled]
api_v2 = false
api_v3 = true

[compute]
image_ref = $image_id
image_ref_alt = $image_alt_id
flavor_ref = $flavor_id
flavor_ref_alt = $flavor_alt_id
fixed_network_name = private
min_microversion = $min_mv
max_microversion = $max_mv
build_timeout = 60
build_interval = 1
min_compute_nodes = 2

[compute-feature-enabled]
pause = true
suspend = true
console_output = true
config_drive = true
personality = true
change_password = false
resize = false
# createImage, createBackup (with its rotation) and the images tests.
snapshot = true
shelve = true
shelve_migrate = false
rescue = true
stable_rescue = false
cold_migration = false
live_migration = false
block_migration_for_live_migration = false
vnc_console = false
spice_console = false
serial_console = false
interface_attach = false
attach_encrypted_volume = false
swap_volume = false
volume_multiattach = false
metadata_service = false
# The filters stratus aio enables (core/config/config.h, docs/scheduler.md), by Nova's names.
scheduler_enabled_filters = ComputeFilter,AvailabilityZoneFilter,RamFilter,CoreFilter,DiskFilter,ImagePropertiesFilter,SameHostFilter,DifferentHostFilter,ServerGroupAffinityFilter,ServerGroupAntiAffinityFilter,NumInstancesFilter,AggregateInstanceExtraSpecsFilter,AggregateMultiTenancyIsolation

[image]
http_image = $aio_root/image/v2/images/$image_id/file

[image-feature-enabled]
api_v1 = false
api_v2 = true

[network]
public_network_id = $public_net_id
floating_network_name = public
project_networks_reachable = false

[network-feature-enabled]
ipv6 = false

[service_available]
nova = true
glance = true
neutron = true
cinder = false
swift = false
heat = false
horizon = false
placement = false

[validation]
run_validation = false

[volume-feature-enabled]
backup = false
snapshot = false
EOF

echo "tempest: compute $min_mv .. $max_mv at $aio_root; workspace $ws"
# The aggregate tests move a host into an availability zone and out again.
# Nova (as Stratus) refuses to take a host out of a zone while it holds any
# instance, so a server another test boots on that host meanwhile makes the
# cleanup fail with 409. They run alone, after the others.
serial_regex='^tempest\.api\.compute\.admin\.test_aggregates\.'
(cd "$ws" && timeout 300 /usr/bin/tempest run --config-file "$ws/etc/tempest.conf" --regex "$regex" --list-tests \
  2> "$ws/list.err" | grep -E '^tempest\.' | grep -E "$serial_regex" > "$ws/serial-tests.txt") || true
set +e
(cd "$ws" && timeout 1500 /usr/bin/tempest run --config-file "$ws/etc/tempest.conf" \
  --regex "$regex" --exclude-regex "$serial_regex" --concurrency "$concurrency" --subunit > "$ws/results.subunit" 2> "$ws/run.err")
rc=$?
if [ -s "$ws/serial-tests.txt" ]; then
  (cd "$ws" && timeout 600 /usr/bin/tempest run --config-file "$ws/etc/tempest.conf" \
    --load-list "$ws/serial-tests.txt" --serial --subunit >> "$ws/results.subunit" 2>> "$ws/run.err")
  serial_rc=$?
  [ "$rc" -eq 0 ] && rc=$serial_rc
fi
set -e
/usr/bin/subunit2csv < "$ws/results.subunit" > "$ws/results.csv" || true
set +e
/usr/bin/python3 "$here/compare_results.py" "$ws/results.csv" "$known" "$regex" "$ws/summary.txt"
compare_rc=$?
set -e
sed '/^skipped:/,$d' "$ws/summary.txt"
if [ "$compare_rc" -ne 0 ]; then
  echo "tempest run exit code $rc; aio output (last lines):"; tail -n 20 "$work/aio.out"
  exit 1
fi
