# Part of libvirt_e2e_test.sh (sourced, with its helpers and its aio running):
# servers booted by the BIOS from their own disk, the image cache, snapshots.
#
# disk-a and disk-b (qcow2 image) and disk-c (raw image) were created while
# e2e-1 ran. The guest's init writes a random id into its root file system on
# the disk the first time (STRATUS-DISK-MARKER-WRITTEN <id>) and prints it on
# later boots (STRATUS-DISK-MARKER-PRESENT <id>): a hard reboot keeps the
# overlay, a rebuild starts a new one, a snapshot carries it to a new server.

server_id() { st server show "$1" -f json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
disk_markers() {  # disk_markers NAME KIND: the ids of its STRATUS-DISK-MARKER-KIND lines, in order
  st server console-log "$1" 2>/dev/null | tr -d '\r' | sed -n "s/.*STRATUS-DISK-MARKER-$2 \([0-9a-f-]*\).*/\1/p"
}
wait_disk_markers() {  # wait_disk_markers NAME KIND N (bounded)
  for _ in $(seq 1 300); do [ "$(disk_markers "$1" "$2" | wc -l)" -ge "$3" ] && return 0; sleep 1; done
  echo "$1: $(disk_markers "$1" "$2" | wc -l) $2 marker(s), wanted $3; console tail:"
  st server console-log "$1" --lines 15 || true
  return 1
}
backing_of() {  # backing_of UUID: the base file of its root disk (QEMU holds it: -U)
  qemu-img info -U --output=json "$work/instances/$1/disk" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("backing-filename", ""))'
}

for name in disk-a disk-b disk-c; do
  require "$name ends ACTIVE" wait_status ACTIVE 400 "$name"
done
disk_a="$(server_id disk-a)" disk_b="$(server_id disk-b)" disk_c="$(server_id disk-c)"
for name in disk-a disk-b disk-c; do
  check "$name wrote its marker into the root file system of its disk" wait_disk_markers "$name" WRITTEN 1
done
no_kernel_boot() {
  local xml
  xml="$(timeout 10 virsh -c "$uri" dumpxml "$1")" || return 1
  ! grep -q "<kernel>" <<< "$xml"
}
check "disk-a boots by the BIOS (no <kernel> in its domain)" no_kernel_boot "$disk_a"
check "disk-c (raw image) boots by the BIOS too" no_kernel_boot "$disk_c"
check "SYSLINUX ran from disk-a's disk (console)" bash -c "'$stratus' server console-log disk-a | grep -q SYSLINUX"

# ---- the image cache: one base per image, shared --------------------------------------
base_qcow2="$(backing_of "$disk_a")" base_raw="$(backing_of "$disk_c")"
check "disk-a and disk-b: two overlays on one base file" test -n "$base_qcow2" -a "$base_qcow2" = "$(backing_of "$disk_b")"
check "the base is in the image cache" test "$(dirname "$base_qcow2")" = "$work/instances/_base"
check "the raw image has a base of its own" test -n "$base_raw" -a "$base_raw" != "$base_qcow2"

# ---- hard reboot keeps the disk -------------------------------------------------------
hard_reboot() { st server reboot "$1" --hard --wait --timeout 400 > /dev/null; }
hard_reboot disk-a & reboot_a=$!
hard_reboot disk-c & reboot_c=$!
check "server reboot --hard disk-a" wait "$reboot_a"
check "server reboot --hard disk-c" wait "$reboot_c"
for name in disk-a disk-c; do
  check "$name found its marker after the hard reboot" wait_disk_markers "$name" PRESENT 1
  check "$name: the same id it wrote" test "$(disk_markers "$name" PRESENT | head -1)" = "$(disk_markers "$name" WRITTEN | head -1)"
done

# ---- snapshot: openstack server image create on the running guest ------------------
# openstackclient against the noauth aio: no identity service, the endpoints given.
cat > "$work/clouds.yaml" <<CLOUDS
clouds:
  e2e:
    auth_type: none
    auth:
      endpoint: $url
    compute_endpoint_override: $url
    image_endpoint_override: ${url%/v2.1}/image
CLOUDS
osc() { OS_CLIENT_CONFIG_FILE="$work/clouds.yaml" OS_CLOUD=e2e timeout 600 /usr/bin/openstack "$@"; }
# A watcher records each status the new image goes through.
api watch disk-b-snap > "$work/snap.json" &
watcher=$!
check "openstack server image create disk-b --wait" quiet osc server image create disk-b --name disk-b-snap --wait
wait "$watcher" || true
snap="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/snap.json" 2>/dev/null || true)"
echo "snapshot image statuses seen: $(/usr/bin/python3 -c 'import json,sys; print(" -> ".join(json.load(open(sys.argv[1]))["statuses"]))' "$work/snap.json" 2>/dev/null)"
snapshot_ok() {
  /usr/bin/python3 - "$work/snap.json" "$disk_b" "$disk_qcow2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); image = s["image"]
order = ["queued", "saving", "active"]
seen = s["statuses"]
assert seen[-1] == "active", seen
assert all(x in order for x in seen) and [order.index(x) for x in seen] == sorted(order.index(x) for x in seen), seen
assert image["image_type"] == "snapshot" and image["instance_uuid"] == sys.argv[2], image
assert image["base_image_ref"] == sys.argv[3] and image["disk_format"] == "qcow2", image
assert image["size"] > 0
PY
}
require "the snapshot image ends active (statuses in order), with Nova's properties" snapshot_ok
# Its data came through the image service's upload, the one way to saving
# and then active (the watcher may poll past a short saving).
check "the compute host uploaded the snapshot's data (PUT .../file: queued -> saving -> active)" \
  grep -q "image $snap: [0-9]* bytes uploaded" "$work/aio.out"
check "disk-b runs again after its snapshot" test "$(timeout 10 virsh -c "$uri" domstate "$disk_b" | head -1)" = "running"
check "disk-b is ACTIVE with no task" wait_status ACTIVE 60 disk-b
check "server create disk-d from the snapshot" quiet st server create disk-d --flavor m1.tiny --image "$snap"

# ---- rebuild starts a fresh overlay (meanwhile disk-d boots) --------------------------
check "openstack server rebuild --image tiny-disk-qcow2 disk-a" quiet osc server rebuild --image tiny-disk-qcow2 disk-a
sleep 2
check "disk-a is ACTIVE after the rebuild" wait_status ACTIVE 400 disk-a
check "after the rebuild disk-a found no marker and wrote a new one" wait_disk_markers disk-a WRITTEN 2
check "a new id, not the one of before" test "$(disk_markers disk-a WRITTEN | sed -n 2p)" != "$(disk_markers disk-a WRITTEN | head -1)"
check "disk-a's new overlay is on the same cached base" test "$(backing_of "$disk_a")" = "$base_qcow2"

check "disk-d (from the snapshot) ends ACTIVE" wait_status ACTIVE 400 disk-d
check "disk-d found disk-b's marker on its disk" wait_disk_markers disk-d PRESENT 1
check "the id disk-b wrote" test "$(disk_markers disk-d PRESENT | head -1)" = "$(disk_markers disk-b WRITTEN | head -1)"
check "and wrote none of its own" test "$(disk_markers disk-d WRITTEN | wc -l)" -eq 0

# ---- the cache manager: an unused base goes, a used one stays -------------------------
check "the bases of running servers outlive the minimum age (10 s)" test -f "$base_qcow2" -a -f "$base_raw"
check "server delete disk-c (the raw image's only server)" st server delete disk-c --wait --timeout 300
base_gone() { for _ in $(seq 1 60); do [ ! -e "$1" ] && return 0; sleep 1; done; return 1; }
check "the cache manager removed the raw image's unused base" base_gone "$base_raw"
check "the qcow2 base, still in use, is there" test -f "$base_qcow2"
check "server delete disk-a disk-b disk-d" st server delete disk-a disk-b disk-d --wait --timeout 300
check "once unused, the qcow2 base goes too" base_gone "$base_qcow2"
check "the snapshot image can be deleted" api delete "$snap"
