#!/usr/bin/env bash
# Debian's openstack CLI drives the image service of `stratus aio` as it
# would drive Glance: image create --file, list, show, save (bytes and
# checksum identical), set a property, delete.
#   openstack_image_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
work="$(mktemp -d)"
aio_pid=""
cleanup() {
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then kill -KILL "$aio_pid"; wait "$aio_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH OS_CLOUD OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
if [ ! -x /usr/bin/openstack ]; then
  echo "python3-openstackclient missing: run scripts/install-deps.sh"; exit 1
fi

token="image-$RANDOM$RANDOM"
"$stratus" --log-level warn --set host=imagetest --set api.auth_strategy=token --set api.admin_token="$token" \
  aio --fake-hosts 1 --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio.out" 2>&1 &
aio_pid=$!
for _ in $(seq 1 200); do grep -q "ready at" "$work/aio.out" 2>/dev/null && break; sleep 0.1; done
base="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/aio.out" | head -1)"
check "aio is ready" test -n "$base"

os() {
  timeout 120 /usr/bin/openstack --os-auth-type admin_token --os-endpoint "$base/image/v2" --os-token "$token" \
    --os-image-api-version 2 "$@"
}

head -c 300000 /dev/urandom > "$work/small.img"
os image create --file "$work/small.img" --disk-format raw --container-format bare --property os_distro=cirros \
  -f json osc-image > "$work/create.json"
# openstackclient prints the record as created, before the upload (as with Glance).
check "openstack image create --file makes the image" /usr/bin/python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["name"] == "osc-image" and i["disk_format"] == "raw" and i["container_format"] == "bare", i' "$work/create.json"

os image list -f json > "$work/list.json"
check "openstack image list shows it and the seeded cirros" /usr/bin/python3 -c '
import json, sys
names = sorted(i["Name"] for i in json.load(open(sys.argv[1])))
assert names == ["cirros-0.6.2-x86_64-disk", "osc-image"], names' "$work/list.json"

os image show -f json osc-image > "$work/show.json"
check "openstack image show: active, with the file's size and md5 checksum and its property" /usr/bin/python3 -c '
import hashlib, json, sys
i = json.load(open(sys.argv[1]))
data = open(sys.argv[2], "rb").read()
assert i["status"] == "active", i
assert i["checksum"] == hashlib.md5(data).hexdigest(), (i["checksum"], hashlib.md5(data).hexdigest())
assert i["size"] == len(data), i["size"]
assert (i.get("properties") or {}).get("os_distro") == "cirros", i' "$work/show.json" "$work/small.img"

os image save --file "$work/saved.img" osc-image
check "openstack image save gives the same bytes" cmp "$work/small.img" "$work/saved.img"

os image set --property hw_rng_model=virtio --tag golden --name osc-image-2 osc-image
os image show -f json osc-image-2 > "$work/show2.json"
check "openstack image set renames, adds a property and a tag" /usr/bin/python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["name"] == "osc-image-2", i
assert "golden" in str(i["tags"]), i
assert "virtio" in json.dumps(i.get("properties")), i' "$work/show2.json"

os image delete osc-image-2
os image list -f json > "$work/list2.json"
check "openstack image delete removes it" /usr/bin/python3 -c '
import json, sys
names = [i["Name"] for i in json.load(open(sys.argv[1]))]
assert names == ["cirros-0.6.2-x86_64-disk"], names' "$work/list2.json"
check "and its data file is gone" test -z "$(ls "$work/data/images")"

kill -TERM "$aio_pid"; wait "$aio_pid" 2>/dev/null || true; aio_pid=""
if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all image checks passed"
