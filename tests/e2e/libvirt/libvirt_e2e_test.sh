#!/usr/bin/env bash
# End to end with a real QEMU guest (TCG): `stratus aio` with the libvirt
# driver creates a server from a tiny guest built from Debian packages, and the
# test reads its boot marker through the API, reboots it soft and hard, stops
# and starts it, deletes it, and checks that the domain and its files are gone.
# The server is created with user data and a config drive: the guest's init
# mounts the config-2 cdrom and prints the user data, which must reach the
# console log byte for byte.
#   libvirt_e2e_test.sh STRATUS_BINARY
#
# Needs root (it starts libvirtd and virtlogd by hand, since systemd is not
# PID 1 here; a libvirtd that already answers on qemu:///system is used as it
# is and left running) and the packages scripts/install-deps.sh installs.
# Exit 77 (skipped) when not root. Every wait is bounded; everything the test
# started is stopped by PID on any exit.
set -euo pipefail
stratus="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
uri="qemu:///system"
marker="STRATUS-GUEST-UP"

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: the libvirt e2e test starts libvirtd and needs root"; exit 77; fi
for tool in virsh libvirtd virtlogd qemu-system-x86_64 qemu-img cpio /bin/busybox genisoimage isoinfo; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool missing: run scripts/install-deps.sh"; exit 1; }
done

# One run at a time on a machine (runs share qemu:///system): a lock, which
# the kernel drops when the run dies however it dies. A run killed without its
# cleanup (a cancelled CI job) leaves its daemons, domains and files; the
# state directory names them (pid files) for the next run, which removes them
# before it starts. Long-lived children get the lock's fd closed (9>&-).
state="/tmp/stratus-libvirt-e2e.state"
mkdir -p "$state"
exec 9> "$state/lock"
# Waiting for other runs (the lock, and older copies below): 10 minutes at most
# in all, within ctest's 15.
wait_until=$((SECONDS + 600))
if ! flock -w 600 9; then echo "FAIL: another libvirt e2e run held $state/lock for 10 minutes"; exit 1; fi

names_a_run_dir() {  # names_a_run_dir PID: a run directory of this test is in PID's command line
  tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -q "/tmp/stratus-libvirt-e2e[.]"
}
ours() {  # ours PID NAME: PID still runs NAME, started by a run of this test
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "${2:0:15}" ] && names_a_run_dir "$1"
}
descends_from() {  # descends_from PID ANCESTOR (walks up at most 50 parents)
  local pid="$1"
  for _ in $(seq 1 50); do
    [ "$pid" = "$2" ] && return 0
    pid="$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')"
    [ -n "$pid" ] && [ "$pid" != 0 ] || return 1
  done
  return 1
}
other_run() {  # prints the pid of a live run of this test other than this one (an older copy takes no lock)
  local pid
  for pid in $(pgrep -f 'libvirt_e2e_test[.]sh' || true); do
    descends_from "$pid" "$$" && continue
    # This run's own subshells share its command line and may be gone
    # before their parent is read: only a process still there counts.
    [ -d "/proc/$pid" ] && { echo "$pid"; return 0; }
  done
  return 1
}
hand_check() {  # prints the pid of a live `stratus driver check libvirt` no run of this test started
  local pid
  for pid in $(pgrep -f 'driver [c]heck libvirt' || true); do
    names_a_run_dir "$pid" || { echo "$pid"; return 0; }
  done
  return 1
}
stop_pid() {  # stop_pid PID: TERM, up to 10 s, then KILL
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}
leave_runs=0     # another run is at work: its domains and directories are not leftovers
leave_checks=0   # a driver check is at work: stratus-check-* domains are not leftovers
clean_previous_run() {  # what a run of this test killed before its cleanup left
  local entry name pid other i
  # An older copy of this test takes no lock: wait for it to end too (within
  # the same 10 minutes), since two runs share qemu:///system.
  for i in $(seq 1 120); do
    other="$(other_run)" || break
    [ "$SECONDS" -lt "$wait_until" ] || break
    [ "$i" -eq 1 ] && echo "another run of this test is at work (pid $other, without the lock): waiting for it"
    sleep 5
  done
  if other="$(other_run)"; then
    echo "another run of this test is still at work (pid $other): leaving what it may use alone"
    leave_runs=1 leave_checks=1
    return 0
  fi
  if [ -s "$state/pids" ]; then
    while read -r entry; do
      name="${entry%%:*}" pid="${entry#*:}"
      # Only that pid, and only while it is still that program, started by
      # this test (its command line names a run directory of this test).
      ours "$pid" "$name" || continue
      echo "previous run: stopping its $name (pid $pid)"
      stop_pid "$pid"
    done < "$state/pids"
  fi
  : > "$state/pids"
  # Whatever else it left running names one of its run directories: its
  # driver checks (each under a timeout of its own process group), their
  # QEMU, the aio and its guests' QEMU.
  for pid in $(pgrep -f '/tmp/stratus-libvirt-e2e[.]' || true); do
    descends_from "$pid" "$$" && continue
    echo "previous run: stopping pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"
    stop_pid "$pid"
  done
  for dir in /tmp/stratus-libvirt-e2e.*; do
    if [ -d "$dir" ] && [ "$dir" != "$state" ]; then rm -rf "$dir"; fi
  done
  if other="$(hand_check)"; then
    echo "a driver check is at work (pid $other): leaving stratus-check-* domains and files alone"
    leave_checks=1
  else
    rm -rf "${TMPDIR:-/tmp}"/stratus-driver-check.*
  fi
}
# Domains of earlier runs on the daemon this run uses: the driver check's
# (stratus-check-*) and those with files in an earlier run's directory.
clean_previous_domains() {
  local dom xml
  for dom in $(timeout 20 virsh -c "$uri" list --all --name 2>/dev/null); do
    xml="$(timeout 10 virsh -c "$uri" dumpxml "$dom" 2>/dev/null || true)"
    if { [[ "$dom" == stratus-check-* ]] && [ "$leave_checks" -eq 0 ]; } ||
       { [ "$leave_runs" -eq 0 ] && grep -q "/tmp/stratus-libvirt-e2e[.]" <<< "$xml" && ! grep -q "$work/" <<< "$xml"; }; then
      echo "previous run: removing its domain $dom"
      timeout 20 virsh -c "$uri" destroy "$dom" > /dev/null 2>&1 || true
      timeout 20 virsh -c "$uri" undefine --managed-save "$dom" > /dev/null 2>&1 || true
    fi
  done
}
clean_previous_run

# QEMU runs as libvirt-qemu: it must be able to reach the instance files.
work="$(mktemp -d /tmp/stratus-libvirt-e2e.XXXXXX)"
chmod 755 "$work"
aio_pid=""
started_daemons=()   # "name:pid" of the daemons this test started
cleanup() {
  local rc=$?
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then
    kill -INT "$aio_pid"
    for _ in $(seq 1 100); do kill -0 "$aio_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$aio_pid" 2>/dev/null && kill -KILL "$aio_pid"
    wait "$aio_pid" 2>/dev/null || true
  fi
  # Any domain left with its files in our directory is ours: remove it.
  if [ ${#started_daemons[@]} -gt 0 ] || timeout 10 virsh -c "$uri" version > /dev/null 2>&1; then
    for dom in $(timeout 20 virsh -c "$uri" list --all --name 2>/dev/null); do
      if timeout 10 virsh -c "$uri" dumpxml "$dom" 2>/dev/null | grep "$work/" > /dev/null; then
        echo "cleanup: removing leftover domain $dom"
        timeout 20 virsh -c "$uri" destroy "$dom" > /dev/null 2>&1 || true
        timeout 20 virsh -c "$uri" undefine --managed-save "$dom" > /dev/null 2>&1 || true
      fi
    done
  fi
  for entry in "${started_daemons[@]}"; do
    local pid="${entry#*:}"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
  done
  : > "$state/pids"  # everything it names is stopped
  if [ "$rc" -ne 0 ] && [ -f "$work/aio.out" ]; then
    echo "---- last lines of the aio's output ----"; tail -40 "$work/aio.out"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH STRATUS_TOKEN

failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
require() {  # like check, but the rest of the test depends on it
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what (stopping here)"; exit 1; fi
}

# ---- libvirt: a running daemon, or libvirtd + virtlogd started here -----------------
start_daemon() {  # start_daemon NAME: daemonises, records its PID from its pid file
  local name="$1" pidfile="$work/$1.pid"
  "$name" -d -p "$pidfile" 9>&-
  for _ in $(seq 1 100); do [ -s "$pidfile" ] && break; sleep 0.1; done
  [ -s "$pidfile" ] || { echo "FAIL: $name wrote no pid file"; exit 1; }
  started_daemons+=("$name:$(cat "$pidfile")")
  echo "$name:$(cat "$pidfile")" >> "$state/pids"
}
if timeout 10 virsh -c "$uri" version > /dev/null 2>&1; then
  echo "using the libvirtd already running"
else
  start_daemon virtlogd
  start_daemon libvirtd
  for _ in $(seq 1 100); do timeout 10 virsh -c "$uri" version > /dev/null 2>&1 && break; sleep 0.2; done
  require "libvirtd answers on $uri" timeout 10 virsh -c "$uri" version
fi
clean_previous_domains

# ---- the guest ---------------------------------------------------------------------
require "the tiny guest builds from Debian packages" bash "$here/make_tiny_guest.sh" "$work/guest" "$marker"

# ---- stratus driver check libvirt ---------------------------------------------------------
cat > "$work/check.toml" <<EOF
[driver.libvirt]
uri = "$uri"
virt_type = "qemu"
EOF
check "driver check libvirt: a qemu guest reaches userspace (exit 0)" \
  timeout 300 "$stratus" --log-level warn driver check libvirt --config "$work/check.toml" --timeout 180 9>&-
set +e
timeout 300 "$stratus" --log-level warn driver check libvirt --config "$work/check.toml" \
  --initrd "$work/guest/disk.raw" --timeout 15 > "$work/check-bad.out" 2>&1 9>&-
rc=$?
set -e
check "driver check with a guest that never reaches userspace exits 1" test "$rc" -eq 1
check "and says so, with the console's last lines" grep -q "FAILED: no guest userspace" "$work/check-bad.out"
no_check_guests() { ! timeout 20 virsh -c "$uri" list --all --name | grep "^stratus-check-" > /dev/null; }
check "driver check leaves no domain behind" no_check_guests
check "driver check leaves no temporary files behind" \
  bash -c '! ls -d "${TMPDIR:-/tmp}"/stratus-driver-check.* > /dev/null 2>&1'

# ---- the same check with no daemon at all: qemu:///embed ---------------------------------
# libvirt runs QEMU inside the stratus process; the console goes straight to
# its file (no virtlogd), which embed reads from <root>/etc/qemu.conf.
mkdir -p "$work/embed-root/etc"
echo 'stdio_handler = "file"' > "$work/embed-root/etc/qemu.conf"
cat > "$work/check-embed.toml" <<EOF
[driver.libvirt]
uri = "qemu:///embed?root=$work/embed-root"
virt_type = "qemu"
EOF
check "driver check over qemu:///embed (no daemon): a qemu guest reaches userspace" \
  timeout 300 "$stratus" --log-level warn driver check libvirt --config "$work/check-embed.toml" --timeout 180 9>&-
# ([s]: so that pgrep does not find this very command line)
check "and no QEMU outlives the embedded check" bash -c "! pgrep -f 'guest=[s]tratus-check-' > /dev/null"

images="$work/images"   # [driver.libvirt] image_source_path: where the compute host fetches image data to
mkdir -p "$images" "$work/instances"
chmod 755 "$images" "$work/instances"
# sync_power_state_interval long on purpose: a change behind Stratus' back
# must be noticed through libvirt's lifecycle events, not the periodic sync.
# The image cache manager's times short, so that the test sees it remove an
# unused base.
aio_config e2e-libvirt "$work" "$images" "$uri" user "sync_power_state_interval = 3600.0" \
  "remove_unused_original_minimum_age_s = 10
image_cache_manager_interval_s = 2
soft_reboot_timeout_s = 90
clean_shutdown_timeout_s = 90" > "$work/stratus.toml"

run_aio() {  # starts the aio in the background and waits (bounded) until it serves
  : > "$work/aio.out"
  "$stratus" --config "$work/stratus.toml" aio >> "$work/aio.out" 2>&1 9>&- &
  aio_pid=$!
  echo "stratus:$aio_pid" >> "$state/pids"
  for _ in $(seq 1 300); do
    grep -q "ready at" "$work/aio.out" 2>/dev/null && break
    kill -0 "$aio_pid" 2>/dev/null || break
    sleep 0.1
  done
  url="$(grep -o 'http://127.0.0.1:[0-9]*/v2.1' "$work/aio.out" | head -1 || true)"
  [ -n "$url" ]
}
stop_aio() {
  kill -INT "$aio_pid"
  for _ in $(seq 1 300); do kill -0 "$aio_pid" 2>/dev/null || break; sleep 0.1; done
  wait "$aio_pid" 2>/dev/null || true
  aio_pid=""
}

# The tiny guest's kernel, ramdisk and root disk go in through the image
# service (Glance v2 under /image), as a user would upload them; the compute
# host fetches them into <image_source_path>/<id> before it spawns. The
# BIOS-bootable disk goes in twice, as qcow2 and as raw, with no kernel_id:
# those servers boot from their own disk.
api() { timeout 600 /usr/bin/python3 "$here/e2e_api.py" "${url%/v2.1}" "$@"; }
upload_images() {
  local kernel ramdisk
  kernel="$(api upload tiny-kernel aki aki "$work/guest/kernel")" &&
  ramdisk="$(api upload tiny-ramdisk ari ari "$work/guest/initramfs")" &&
  api upload tiny-guest raw bare "$work/guest/disk.raw" kernel_id="$kernel" ramdisk_id="$ramdisk" \
    os_command_line="console=ttyS0 quiet loglevel=3 no_timer_check" hw_architecture=x86_64 > /dev/null &&
  qemu-img convert -f raw -O qcow2 "$work/guest/boot-disk.raw" "$work/guest/boot-disk.qcow2" &&
  disk_qcow2="$(api upload tiny-disk-qcow2 qcow2 bare "$work/guest/boot-disk.qcow2")" &&
  disk_raw="$(api upload tiny-disk-raw raw bare "$work/guest/boot-disk.raw")"
}

require "stratus aio runs with the libvirt driver" run_aio
require "the tiny guest's kernel, ramdisk and root disk are uploaded to the image service" upload_images
export STRATUS_URL="$url"
st() { timeout 400 "$stratus" "$@"; }
quiet() { "$@" > /dev/null; }

# ---- create, and the marker on the console ---------------------------------------------
markers() { st server console-log e2e-1 2>/dev/null | grep -c "$marker" || true; }
wait_markers() {  # wait_markers N: until the console shows the marker N times (bounded)
  local want="$1"
  for _ in $(seq 1 120); do [ "$(markers)" -ge "$want" ] && return 0; sleep 1; done
  echo "console has the marker $(markers) time(s), wanted $want; its tail:"
  st server console-log e2e-1 --lines 15 || true
  return 1
}
# User data with a marker unique to this run, delivered on a config drive.
user_data_marker="STRATUS-UD-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '#!/bin/sh\necho %s\n' "$user_data_marker" > "$work/user-data"
require "server create --user-data --config-drive --wait ends ACTIVE" \
  st server create e2e-1 --flavor m1.tiny --image tiny-guest --user-data "$work/user-data" --config-drive \
  --wait --timeout 300
st server show e2e-1 -f json > "$work/show.json"
uuid="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/show.json")"
domain="$(timeout 10 virsh -c "$uri" domname "$uuid" 2>/dev/null | head -1 || true)"
require "libvirt has a running domain for the server" test "$(timeout 10 virsh -c "$uri" domstate "$uuid" 2>/dev/null | head -1)" = "running"
require "the guest reaches userspace: the marker is in console-log" wait_markers 1

# The disk-image servers boot meanwhile (checked after e2e-1 is deleted):
# two of the qcow2 image (one base, two overlays) and one of the raw image.
for name in disk-a disk-b; do
  check "server create $name from the qcow2 disk image" quiet st server create "$name" --flavor m1.tiny --image tiny-disk-qcow2
done
check "server create disk-c from the raw disk image" quiet st server create disk-c --flavor m1.tiny --image tiny-disk-raw

# ---- config drive: the user data reached the guest ------------------------------------
check "server show says config_drive True" \
  /usr/bin/python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["config_drive"] != "True")' "$work/show.json"
iso="$work/instances/$uuid/disk.config"
check "the config drive is labelled config-2" bash -c "isoinfo -d -i '$iso' | grep -q '^Volume id: config-2\$'"
check "the domain has it as a read-only cdrom" \
  bash -c "timeout 10 virsh -c '$uri' dumpxml '$uuid' | grep -q \"device='cdrom'\""
user_data_seen() {
  for _ in $(seq 1 30); do
    st server console-log e2e-1 2>/dev/null | sed -n '/STRATUS-USER-DATA-BEGIN/,/STRATUS-USER-DATA-END/p' \
      | grep "^echo $user_data_marker" > /dev/null && return 0
    sleep 1
  done
  echo "the user data marker $user_data_marker is not in the console log; its tail:"
  st server console-log e2e-1 --lines 15 || true
  return 1
}
check "the guest read the user data from the config drive (marker in console-log)" user_data_seen

# ---- reboot soft (ACPI: the guest powers itself off, the driver starts it) and hard ---
check "server reboot (soft) --wait" st server reboot e2e-1 --wait --timeout 300
check "the guest came up again after the soft reboot" wait_markers 2
clean_poweroff() { st server console-log e2e-1 | grep STRATUS-GUEST-POWEROFF > /dev/null; }
check "the soft reboot was a clean ACPI power-off" clean_poweroff
check "server reboot --hard --wait" st server reboot e2e-1 --hard --wait --timeout 300
check "the guest came up again after the hard reboot" wait_markers 3

# ---- stop / start -------------------------------------------------------------------
check "server stop --wait ends SHUTOFF" st server stop e2e-1 --wait --timeout 300
check "the domain is shut off" test "$(timeout 10 virsh -c "$uri" domstate "$uuid" 2>/dev/null | head -1)" = "shut off"
check "server start --wait ends ACTIVE" st server start e2e-1 --wait --timeout 300
check "the guest came up again after start" wait_markers 4

# ---- lifecycle events: a guest killed behind Stratus' back is SHUTOFF at once --------
status_of() {  # status_of [NAME] (default e2e-1); "" when there is no such server
  st server show "${1:-e2e-1}" -f json 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.read() or "{}").get("status", ""))'
}
wait_status() {  # wait_status STATUS SECONDS [NAME]
  for _ in $(seq 1 "$2"); do [ "$(status_of "${3:-e2e-1}")" = "$1" ] && return 0; sleep 1; done
  echo "status of ${3:-e2e-1} is $(status_of "${3:-e2e-1}"), wanted $1"; return 1
}
check "virsh destroy behind Stratus' back" timeout 30 virsh -c "$uri" destroy "$uuid"
check "the lifecycle event makes the server SHUTOFF (no periodic sync for an hour)" wait_status SHUTOFF 30
check "server start --wait after that" st server start e2e-1 --wait --timeout 300
check "the guest came up again" wait_markers 5

# ---- delete: the domain and its files are gone ---------------------------------------------
check "server delete --wait" st server delete e2e-1 --wait --timeout 300
# A failed virsh is not "gone" (see network_e2e_test.sh).
gone() {
  local list
  list="$(timeout 10 virsh -c "$uri" list --all --uuid)" || return 1
  ! grep -qi "$uuid" <<< "$list"
}
for _ in $(seq 1 50); do gone && break; sleep 0.2; done
check "the domain ($domain) is undefined" gone
check "the instance directory is removed" test ! -e "$work/instances/$uuid"

source "$here/disk_image_checks.sh"

stop_aio
echo "failures: $failures"
[ "$failures" -eq 0 ]
