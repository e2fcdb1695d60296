#!/usr/bin/env bash
# End to end, guests on their network (issue #19): libvirtd runs inside a
# network namespace this test creates, with a Linux bridge there that holds
# the network's gateway address; `stratus aio` (libvirt driver, network_mode
# "bridge") boots two tiny guests (make_net_guest.sh) on the network. Each
# guest configures the fixed address the network service allocated, from the
# config drive's network_data.json, and the test checks:
#   - the second guest pings the first (both in the default security group,
#     whose rules admit members of the group);
#   - from the namespace (not a member) ping is denied by the default rules
#     (libvirt nwfilter), and passes once an ICMP ingress rule is added;
#   - pause/unpause, suspend/resume, rescue/unrescue and the console log on a
#     real guest, through libvirt (virsh) and from inside the guest (ping,
#     its console).
#   network_e2e_test.sh STRATUS_BINARY
#
# Needs root and the packages of scripts/install-deps.sh (plus iproute2,
# util-linux's nsenter, ebtables and iptables for nwfilter). Addresses exist
# only inside the namespace; the host's own interfaces are never touched.
# Skipped (77) when not root or when a libvirtd this test did not start
# answers on qemu:///system (the guests' tap devices must be made inside the
# namespace). Runs one at a time with the other libvirt e2e tests (flock on
# /tmp/stratus-libvirt-e2e.state/lock); every wait is bounded; what it
# started is stopped by PID, the namespace deleted, on any exit.
set -euo pipefail
stratus="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
uri="qemu:///system"
ns="stratus-e2e-net"           # the network namespace (fixed: a killed run's is found and removed)
br="br-stratus-e2e"            # the bridge in it
cidr="10.251.0.0/24" gateway="10.251.0.1"
marker="STRATUS-NET-GUEST-UP" rescue_marker="STRATUS-RESCUE-UP"

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (libvirtd, a network namespace)"; exit 77; fi
for tool in virsh libvirtd virtlogd qemu-system-x86_64 qemu-img cpio /bin/busybox genisoimage isoinfo ip nsenter \
            ebtables iptables curl jq; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool missing: run scripts/install-deps.sh"; exit 1; }
done

state="/tmp/stratus-libvirt-e2e.state"
mkdir -p "$state"
exec 9> "$state/lock"
if ! flock -w 600 9; then echo "FAIL: another libvirt e2e run held $state/lock for 10 minutes"; exit 1; fi

# ---- what a killed run of this test left: its processes, namespace, files ------------
stop_pid() {  # stop_pid PID: TERM, up to 10 s, then KILL
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}
# Its daemons, aio and QEMU name its run directory on their command lines.
for pid in $(pgrep -f '/tmp/stratus-net-e2e[.]' || true); do
  echo "previous run: stopping pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"; stop_pid "$pid"
done
rm -rf /tmp/stratus-net-e2e.*
ip netns del "$ns" 2>/dev/null || true

if timeout 10 virsh -c "$uri" version > /dev/null 2>&1; then
  echo "SKIP: a libvirtd this test did not start answers on $uri; the test needs its own inside a network namespace"
  exit 77
fi

work="$(mktemp -d /tmp/stratus-net-e2e.XXXXXX)"
chmod 755 "$work"
aio_pid=""
started=()   # "name:pid" of the daemons this test started
cleanup() {
  local rc=$?
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then
    kill -INT "$aio_pid"
    for _ in $(seq 1 100); do kill -0 "$aio_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$aio_pid" 2>/dev/null && kill -KILL "$aio_pid"
    wait "$aio_pid" 2>/dev/null || true
  fi
  if [ ${#started[@]} -gt 0 ]; then
    for dom in $(timeout 20 virsh -c "$uri" list --all --name 2>/dev/null); do
      if timeout 10 virsh -c "$uri" dumpxml "$dom" 2>/dev/null | grep "$work/" > /dev/null; then
        echo "cleanup: removing leftover domain $dom"
        timeout 20 virsh -c "$uri" destroy "$dom" > /dev/null 2>&1 || true
        timeout 20 virsh -c "$uri" undefine --managed-save "$dom" > /dev/null 2>&1 || true
      fi
    done
  fi
  for entry in "${started[@]}"; do stop_pid "${entry#*:}"; done
  # A guest's QEMU that libvirtd did not take down names this run's directory.
  for pid in $(pgrep -f "$work/" || true); do stop_pid "$pid"; done
  ip netns del "$ns" 2>/dev/null || true
  if [ "$rc" -ne 0 ] && [ -f "$work/aio.out" ]; then
    echo "---- last lines of the aio's output ----"; tail -30 "$work/aio.out"
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
require() {
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what (stopping here)"; exit 1; fi
}
in_ns() { nsenter --net="/run/netns/$ns" "$@"; }

# ---- the namespace, its bridge (the network's gateway address), the daemons in it -------
require "network namespace $ns with bridge $br ($gateway)" bash -c "
  ip netns add $ns && ip -n $ns link set lo up && ip -n $ns link add $br type bridge &&
  ip -n $ns addr add $gateway/${cidr#*/} dev $br && ip -n $ns link set $br up"
start_daemon() {  # start_daemon NAME: inside the namespace; records its PID
  local name="$1" pidfile="$work/$1.pid"
  in_ns "$name" -d -p "$pidfile" 9>&-
  for _ in $(seq 1 100); do [ -s "$pidfile" ] && break; sleep 0.1; done
  [ -s "$pidfile" ] || { echo "FAIL: $name wrote no pid file"; exit 1; }
  started+=("$name:$(cat "$pidfile")")
}
pgrep -x virtlogd > /dev/null || start_daemon virtlogd
start_daemon libvirtd
for _ in $(seq 1 100); do timeout 10 virsh -c "$uri" version > /dev/null 2>&1 && break; sleep 0.2; done
require "libvirtd (in $ns) answers on $uri" timeout 10 virsh -c "$uri" version
# Domains an earlier run left defined (their files were in its directory).
for dom in $(timeout 20 virsh -c "$uri" list --all --name 2>/dev/null); do
  if timeout 10 virsh -c "$uri" dumpxml "$dom" 2>/dev/null | grep "/tmp/stratus-net-e2e[.]" > /dev/null; then
    timeout 20 virsh -c "$uri" undefine --managed-save "$dom" > /dev/null 2>&1 || true
  fi
done

# ---- the guests' images, and stratus aio -------------------------------------------------
require "the networked guest builds" bash "$here/make_net_guest.sh" "$work/guest" "$marker"
require "the rescue guest builds" bash "$here/make_net_guest.sh" "$work/rescue" "$rescue_marker"
mkdir -p "$work/images" "$work/instances"
chmod 755 "$work/images" "$work/instances"
{
  aio_config e2e-net "$work" "$work/images" "$uri" bridge
  cat <<EOF

[driver.libvirt.bridges]
e2e-net = "$br"

[driver.libvirt.subnets]
e2e-net = "$cidr"

[driver.libvirt.gateways]
e2e-net = "$gateway"
EOF
} > "$work/stratus.toml"
: > "$work/aio.out"
"$stratus" --config "$work/stratus.toml" aio >> "$work/aio.out" 2>&1 9>&- &
aio_pid=$!
for _ in $(seq 1 300); do
  grep -q "ready at" "$work/aio.out" && break
  kill -0 "$aio_pid" 2>/dev/null || break
  sleep 0.1
done
url="$(grep -o 'http://127.0.0.1:[0-9]*/v2.1' "$work/aio.out" | head -1 || true)"
require "stratus aio serves" test -n "$url"
root="${url%/v2.1}"
export STRATUS_URL="$url"

api() {  # api METHOD PATH [JSON]: the reply body; fails on an HTTP error
  curl -sS --fail-with-body -m 60 -X "$1" -H 'Content-Type: application/json' \
    -H 'X-OpenStack-Nova-API-Version: 2.87' ${3:+--data "$3"} "$root$2"
}
upload() {  # upload NAME DISK_FORMAT FILE [JSON PROPERTIES]: prints the image id
  local props="${4:-{\}}" id
  id="$(api POST /image/v2/images "$(jq -nc --arg n "$1" --arg f "$2" --argjson p "$props" \
        '{name: $n, disk_format: $f, container_format: (if $f == "aki" or $f == "ari" then $f else "bare" end),
          visibility: "public"} + $p')" | jq -r .id)"
  curl -sS --fail -m 60 -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$3" \
    "$root/image/v2/images/$id/file" > /dev/null
  echo "$id"
}
kernel="$(upload net-kernel aki "$work/guest/kernel")"
ramdisk="$(upload net-ramdisk ari "$work/guest/initramfs")"
rescue_ramdisk="$(upload rescue-ramdisk ari "$work/rescue/initramfs")"
boot_props() {  # boot_props RAMDISK
  jq -nc --arg k "$kernel" --arg r "$1" '{kernel_id: $k, ramdisk_id: $r,
    os_command_line: "console=ttyS0 quiet loglevel=3", hw_architecture: "x86_64"}'
}
image="$(upload net-guest raw "$work/guest/disk.raw" "$(boot_props "$ramdisk")")"
rescue_image="$(upload net-rescue raw "$work/rescue/disk.raw" "$(boot_props "$rescue_ramdisk")")"
require "images uploaded" test -n "$image" -a -n "$rescue_image"

net="$(api POST /network/v2.0/networks '{"network": {"name": "e2e-net"}}' | jq -r .network.id)"
require "network e2e-net with subnet $cidr" bash -c "curl -sS --fail -m 30 -X POST -H 'Content-Type: application/json' \
  --data '{\"subnet\": {\"network_id\": \"$net\", \"cidr\": \"$cidr\", \"ip_version\": 4, \"gateway_ip\": \"$gateway\"}}' \
  '$root/network/v2.0/subnets' > /dev/null"

# ---- two guests on the network -------------------------------------------------------------
flavor="$(api GET /v2.1/flavors | jq -r '.flavors[] | select(.name == "m1.tiny") | .id')"
create() {  # create NAME [USER_DATA]: prints the server id
  local ud=""
  [ -n "${2:-}" ] && ud="$(printf '%s' "$2" | base64 -w0)"
  api POST /v2.1/servers "$(jq -nc --arg n "$1" --arg i "$image" --arg f "$flavor" --arg net "$net" --arg ud "$ud" \
    '{server: ({name: $n, imageRef: $i, flavorRef: $f, networks: [{uuid: $net}], config_drive: true}
               + (if $ud == "" then {} else {user_data: $ud} end))}')" | jq -r .server.id
}
show() { api GET "/v2.1/servers/$1"; }
status_of() { show "$1" | jq -r .server.status; }
wait_status() {  # wait_status ID STATUS SECONDS
  local s
  for _ in $(seq 1 "$3"); do s="$(status_of "$1")"; [ "$s" = "$2" ] && return 0; [ "$s" = ERROR ] && break; sleep 1; done
  echo "server $1 is $(status_of "$1"), wanted $2"; return 1
}
address_of() { show "$1" | jq -r '.server.addresses["e2e-net"][0].addr // empty'; }
console() { api POST "/v2.1/servers/$1/action" '{"os-getConsoleOutput": {"length": null}}' | jq -r .output; }
count() { console "$1" | grep -c -- "$2" || true; }  # unanchored: the first line follows the firmware's escape codes
wait_console() {  # wait_console ID LINE_PREFIX N SECONDS: until the console has the line N times
  for _ in $(seq 1 "$4"); do [ "$(count "$1" "$2")" -ge "$3" ] && return 0; sleep 1; done
  echo "console of $1 has '$2' $(count "$1" "$2") time(s), wanted $3; its tail:"; console "$1" | tail -8
  return 1
}
# busybox's ping and arping: the host may have no iputils.
pings() { in_ns /bin/busybox ping -c 1 -W 2 "$1" > /dev/null 2>&1; }
arps() { in_ns /bin/busybox arping -c 1 -w 2 -I "$br" "$1" > /dev/null 2>&1; }
pings_within() {  # pings_within ADDRESS SECONDS
  for _ in $(seq 1 "$2"); do pings "$1" && return 0; sleep 1; done
  return 1
}
denied_for() {  # denied_for ADDRESS SECONDS: no answer during the whole time
  local end=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$end" ]; do pings "$1" && return 1; done
  return 0
}

g1="$(create net-1)"
for _ in $(seq 1 60); do ip1="$(address_of "$g1")"; [ -n "$ip1" ] && break; sleep 0.5; done
require "net-1 has a fixed address on e2e-net ($ip1)" test -n "$ip1"
# The second guest pings the first from inside, as its user data says.
# (up to 90 attempts: the first guest may boot well after the second under load)
g2="$(create net-2 "$(printf '#!/bin/sh\nfor i in $(seq 1 90); do\n  if ping -c 1 -W 1 %s > /dev/null; then echo STRATUS-PEER-PING-OK; exit 0; fi\n  sleep 1\ndone\necho STRATUS-PEER-PING-FAILED\n' "$ip1")")"
require "net-1 ACTIVE" wait_status "$g1" ACTIVE 180
require "net-2 ACTIVE" wait_status "$g2" ACTIVE 180
ip2="$(address_of "$g2")"
check "the domain's interface is on $br" \
  bash -c "timeout 10 virsh -c '$uri' domiflist '$g1' | grep -q ' $br '"
check "net-1 configured its fixed address $ip1 from network_data.json" wait_console "$g1" "STRATUS-NET-UP $ip1" 1 120
check "net-2 configured its fixed address $ip2" wait_console "$g2" "STRATUS-NET-UP $ip2" 1 120
iso1="$work/instances/$g1/disk.config"
check "network_data.json on the config drive: link with the port's MAC, ipv4 network with $ip1/255.255.255.0" \
  bash -c "isoinfo -R -i '$iso1' -x /openstack/latest/network_data.json | jq -e --arg ip '$ip1' \
    '.links[0].ethernet_mac_address != null and .networks[0].type == \"ipv4\" and .networks[0].ip_address == \$ip
     and .networks[0].netmask == \"255.255.255.0\" and .networks[0].routes[0].gateway == \"$gateway\"' > /dev/null"
check "net-2 pings net-1 (same security group)" wait_console "$g2" "STRATUS-PEER-PING-OK" 1 150

# ---- security groups -> nwfilter ------------------------------------------------------------
check "each port has its nwfilter" \
  bash -c "timeout 10 virsh -c '$uri' dumpxml '$g1' | grep -q \"filterref filter='stratus-\""
# The guest is up on the bridge (ARP passes its filter), yet ICMP does not.
check "net-1 answers ARP from the namespace" arps "$ip1"
check "the default group denies ping from the namespace (not a member) for 6 s" denied_for "$ip1" 6
group="$(api GET "/network/v2.0/security-groups?name=default" | jq -r '.security_groups[0].id')"
require "an ICMP ingress rule in the default group" bash -c "curl -sS --fail -m 30 -X POST -H 'Content-Type: application/json' \
  --data '{\"security_group_rule\": {\"security_group_id\": \"$group\", \"direction\": \"ingress\",
           \"ethertype\": \"IPv4\", \"protocol\": \"icmp\", \"remote_ip_prefix\": \"0.0.0.0/0\"}}' \
  '$root/network/v2.0/security-group-rules' > /dev/null"
check "with the ICMP rule the namespace pings net-1" pings_within "$ip1" 30
check "and net-2" pings_within "$ip2" 30

# ---- pause / unpause ---------------------------------------------------------------------
action() { api POST "/v2.1/servers/$1/action" "$2"; }
domstate() { timeout 10 virsh -c "$uri" domstate "$1" 2>/dev/null | head -1; }
alive() { console "$1" | grep '^STRATUS-ALIVE' | tail -1 | cut -d' ' -f2; }
action "$g1" '{"pause": null}' > /dev/null
check "pause: PAUSED" wait_status "$g1" PAUSED 60
check "pause: libvirt says paused" test "$(domstate "$g1")" = paused
check "pause: the guest does not answer" denied_for "$ip1" 4
before="$(alive "$g1")"; sleep 3
check "pause: its console stands still" test "$(alive "$g1")" = "$before"
action "$g1" '{"unpause": null}' > /dev/null
check "unpause: ACTIVE" wait_status "$g1" ACTIVE 60
check "unpause: libvirt says running" test "$(domstate "$g1")" = running
check "unpause: the guest answers again" pings_within "$ip1" 20

# ---- suspend / resume: memory saved and restored, no reboot -----------------------------------
boots="$(count "$g1" "$marker")"
action "$g1" '{"suspend": null}' > /dev/null
check "suspend: SUSPENDED" wait_status "$g1" SUSPENDED 120
check "suspend: libvirt has it shut off with a managed save" \
  bash -c "timeout 10 virsh -c '$uri' dominfo '$g1' | grep -Eq 'Managed save: +yes'"
action "$g1" '{"resume": null}' > /dev/null
check "resume: ACTIVE" wait_status "$g1" ACTIVE 120
check "resume: the guest answers again" pings_within "$ip1" 30
check "resume: the guest did not boot again (memory restored)" test "$(count "$g1" "$marker")" -eq "$boots"

# ---- rescue / unrescue -----------------------------------------------------------------------
rescue_reply="$(action "$g1" "{\"rescue\": {\"rescue_image_ref\": \"$rescue_image\"}}")"
check "rescue answers the admin password" bash -c "jq -e '.adminPass | length > 0' <<< '$rescue_reply' > /dev/null"
check "rescue: RESCUE" wait_status "$g1" RESCUE 180
check "rescue: the rescue image booted" wait_console "$g1" "$rescue_marker" 1 120
check "rescue: it sees its own disk and the guest's (vda vdb)" wait_console "$g1" "STRATUS-DISKS: vda vdb" 1 30
check "rescue: libvirt has disk.rescue as vda and the guest's disk as vdb" \
  bash -c "timeout 10 virsh -c '$uri' domblklist '$g1' | grep -Eq '^ *vda +.*/disk.rescue\$' &&
           timeout 10 virsh -c '$uri' domblklist '$g1' | grep -Eq '^ *vdb +.*/$g1/disk\$'"
check "rescue: the rescue system is on the network too" pings_within "$ip1" 60
action "$g1" '{"unrescue": null}' > /dev/null
check "unrescue: ACTIVE" wait_status "$g1" ACTIVE 180
check "unrescue: the guest booted its own image again" wait_console "$g1" "$marker" $((boots + 1)) 120
check "unrescue: one disk again, no rescue files" \
  bash -c "disks=\"\$(timeout 10 virsh -c '$uri' domblklist '$g1')\" && ! grep -q disk.rescue <<< \"\$disks\" && test ! -e '$work/instances/$g1/disk.rescue'"
check "unrescue: the guest answers on its address" pings_within "$ip1" 60

# ---- console log: the API's tail -------------------------------------------------------------
check "console log with a length gives that many lines" \
  test "$(api POST "/v2.1/servers/$g1/action" '{"os-getConsoleOutput": {"length": 5}}' | jq -r .output | wc -l)" -le 5

# ---- delete: domains and filters gone ---------------------------------------------------------
ports="$(api GET "/network/v2.0/ports?device_id=$g1&device_id=$g2" | jq -r '.ports[].id')"
api DELETE "/v2.1/servers/$g1" > /dev/null
api DELETE "/v2.1/servers/$g2" > /dev/null
# A failed virsh is not "gone": `virsh list --all` fails when a domain is undefined while it
# lists, and an empty answer would then end the wait while the other domain is still there.
gone() {
  local list
  list="$(timeout 10 virsh -c "$uri" list --all --uuid)" || return 1
  ! grep -qi -e "$g1" -e "$g2" <<< "$list"
}
for _ in $(seq 1 100); do gone && break; sleep 0.3; done
check "both domains are undefined" gone
filters_gone() {
  local list port
  list="$(timeout 10 virsh -c "$uri" nwfilter-list)" || return 1
  for port in $ports; do grep -q "stratus-$port" <<< "$list" && return 1; done
  return 0
}
for _ in $(seq 1 50); do filters_gone && break; sleep 0.3; done
check "their nwfilters are undefined" filters_gone

echo "failures: $failures"
[ "$failures" -eq 0 ]
