#!/usr/bin/env bash
# A real multi-node cloud in network namespaces (issue #14), the layout
# docs/operations.md ("Several nodes: a layout") describes:
#
#   namespace       address       what runs there (each its own `stratus --config NODE.toml serve ...`)
#   stn-PID-sw      (none)        the switch: bridge br0 and one veth end per node
#   stn-PID-db      10.247.0.2    PostgreSQL (initdb in a temporary folder, run as nobody)
#   stn-PID-rtr     10.247.0.3    serve router, CURVE on (router.secret + every role's .pub)
#   stn-PID-ctl1    10.247.0.11   serve api conductor scheduler (host ctl1)
#   stn-PID-ctl2    10.247.0.12   serve api conductor scheduler (host ctl2)
#   stn-PID-c1..c5  10.247.0.21-25  serve compute (host c1..c5, fake driver)
#   stn-PID-cli     10.247.0.100  the client (storm_client.py)
#
# Every node has its own config file and its own keys directory holding only
# router.pub and its own key pairs, as on separate machines. Addresses exist
# only inside the namespaces (veth pairs are created inside them: nothing is
# added to the root namespace). The client creates 200 servers through both
# APIs; a third of the way in, controller ctl2 and compute c3 (running guests)
# are killed with SIGKILL and started again; then every server that got a 202
# must end ACTIVE, or ERROR with a fault, none stuck in a task or missing;
# then all are deleted and PostgreSQL must hold no instance, allocation or
# port. One summary line per outcome.
#
#   multinode_netns_test.sh STRATUS_BINARY
#
# Needs root (ip netns) and PostgreSQL's binaries: exit 77 (skipped) without
# either. Environment: STRATUS_MULTINODE_CREATES (200),
# STRATUS_MULTINODE_NET (the /24's first three octets, 10.247.0),
# STRATUS_MULTINODE_KEEP=1 keeps the work directory (logs) after the run.
#
# Clean-up: on any exit (trap), and SIGINT/SIGTERM/SIGHUP, every process is
# stopped by PID, the namespaces deleted and the work directory removed.
# Every process started gets SIGKILL when this script dies (setpriv
# --pdeathsig), so even a kill -9 of the script leaves no process; the
# namespaces and the folder it then leaves (stn-<PID>-*, /tmp/stn-<PID>.*)
# are removed by the next run when no run of this test has that PID.
# Every wait is bounded.
set -euo pipefail
stratus="$(realpath "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
creates="${STRATUS_MULTINODE_CREATES:-200}"
net="${STRATUS_MULTINODE_NET:-10.247.0}"
prefix="stn-$$-"
me="multinode_netns_test"

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: the multi-node test creates network namespaces and needs root"; exit 77; fi
source "$here/../../integration/lib/postgres.sh"   # _pg_bindir
pg_bin="$(_pg_bindir)"
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/postgres" ]; then
  echo "SKIP: PostgreSQL binaries not found (install postgresql, see scripts/install-deps.sh)"; exit 77
fi
for tool in ip setpriv /usr/bin/python3; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool missing"; exit 1; }
done
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH

# --- stale runs: namespaces and folders whose PID runs no copy of this test
is_live_run() { [ "$1" = "$$" ] || { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null | grep -q "$me"; }
clean_stale() {
  local ns pid p dir
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^stn-[0-9]+-' || true); do
    pid="${ns#stn-}"; pid="${pid%%-*}"
    is_live_run "$pid" && continue
    # Processes a killed run left in it (its own stratus and postgres).
    for p in $(ip netns pids "$ns" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
    echo "removed stale namespace $ns"
  done
  for dir in /tmp/stn-[0-9]*.*; do
    [ -d "$dir" ] || continue
    pid="${dir#/tmp/stn-}"; pid="${pid%%.*}"
    is_live_run "$pid" || { rm -rf "$dir"; echo "removed stale folder $dir"; }
  done
}
clean_stale

work="$(mktemp -d "/tmp/stn-$$.XXXXXX")"
chmod 755 "$work"
declare -A pid_of=()     # node -> PID of its stratus (or postgres)
namespaces=()
failures=0
cleanup() {
  local rc=$? name p ns
  trap - EXIT INT TERM HUP
  for name in "${!pid_of[@]}"; do kill -TERM "${pid_of[$name]}" 2>/dev/null || true; done
  for name in "${!pid_of[@]}"; do
    p="${pid_of[$name]}"
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  for ns in "${namespaces[@]}"; do
    for p in $(ip netns pids "$ns" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
    for f in "$work"/nodes/*/out "$work"/pg/postgres.log; do
      [ -f "$f" ] || continue
      echo "---- ${f#"$work"/} (tail)"; tail -n 25 "$f"
    done
  fi
  if [ "${STRATUS_MULTINODE_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
die() { echo "FAIL: $*"; exit 1; }

# --- the network: a switch namespace with a bridge, one veth pair per node
computes=(c1 c2 c3 c4 c5)
declare -A addr_of=([db]="$net.2" [rtr]="$net.3" [ctl1]="$net.11" [ctl2]="$net.12"
                    [c1]="$net.21" [c2]="$net.22" [c3]="$net.23" [c4]="$net.24" [c5]="$net.25" [cli]="$net.100")
nodes=(db rtr ctl1 ctl2 "${computes[@]}" cli)
ns() { echo "$prefix$1"; }
sw="$(ns sw)"
ip netns add "$sw"; namespaces+=("$sw")
ip -n "$sw" link add br0 type bridge
ip -n "$sw" link set br0 up
for node in "${nodes[@]}"; do
  n="$(ns "$node")"
  ip netns add "$n"; namespaces+=("$n")
  ip -n "$n" link set lo up
  # Both ends are made inside namespaces: the pair never exists in the root one.
  ip -n "$n" link add eth0 type veth peer name "p-$node" netns "$sw"
  ip -n "$sw" link set "p-$node" master br0 up
  ip -n "$n" addr add "${addr_of[$node]}/24" dev eth0
  ip -n "$n" link set eth0 up
done
check "no address of $net.0/24 in the root namespace" bash -c "! ip -4 addr show | grep -q ' $net\.'"
echo "network: ${#nodes[@]} namespaces on bridge br0 in $sw, $net.0/24"

# --- PostgreSQL in its namespace, as nobody
pg_dir="$work/pg"
mkdir -p "$pg_dir"; chown nobody:nogroup "$pg_dir"
pg_url="postgresql://postgres@${addr_of[db]}:5432/stratus"
setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$pg_bin/initdb" -D "$pg_dir/data" -U postgres \
  --auth=trust --locale=C --encoding=UTF8 -N > "$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log"; die "initdb"; }
# trust authentication from the test subnet only (the namespaces' bridge)
echo "host all all $net.0/24 trust" >> "$pg_dir/data/pg_hba.conf"
ip netns exec "$(ns db)" setpriv --reuid=nobody --regid=nogroup --clear-groups --pdeathsig=KILL -- \
  "$pg_bin/postgres" -D "$pg_dir/data" -k "$pg_dir" -p 5432 -h "${addr_of[db]}" -c fsync=off \
  -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c log_lock_waits=on \
  -c deadlock_timeout=500ms -c log_connections=on -c log_disconnections=on > "$pg_dir/postgres.log" 2>&1 &
pid_of[db]=$!
for _ in $(seq 1 200); do
  # from the client's namespace: across the bridge
  ip netns exec "$(ns cli)" "$pg_bin/pg_isready" -q -h "${addr_of[db]}" -p 5432 -U postgres && break
  kill -0 "${pid_of[db]}" 2>/dev/null || break
  sleep 0.1
done
ip netns exec "$(ns cli)" "$pg_bin/pg_isready" -q -h "${addr_of[db]}" -p 5432 -U postgres \
  || { cat "$pg_dir/postgres.log"; die "postgres did not start or is not reachable over the bridge"; }
ip netns exec "$(ns cli)" "$pg_bin/createdb" -h "${addr_of[db]}" -U postgres --locale=C --template=template0 stratus
echo "postgres: ${addr_of[db]}:5432, database stratus"

# --- CURVE keys: made once, then each node gets router.pub and its own pairs
keys="$work/keys"
gen() { "$stratus" keys generate --keys-dir "$keys" "$@" > /dev/null; }
gen router
gen api --call conductor --call scheduler --call 'compute.*'
gen conductor --serve conductor --call scheduler --call 'compute.*'
gen scheduler --serve scheduler --call conductor
for c in "${computes[@]}"; do gen "compute-$c" --serve "compute.$c" --call conductor; done
node_dir() { echo "$work/nodes/$1"; }
give_keys() {  # give_keys NODE KEY...: router.pub and these key pairs
  local d; d="$(node_dir "$1")/keys"; shift
  mkdir -p "$d"; chmod 700 "$d"
  cp "$keys/router.pub" "$d/"
  for k in "$@"; do cp "$keys/$k.secret" "$keys/$k.pub" "$d/"; done
}
mkdir -p "$(node_dir rtr)/keys"; chmod 700 "$(node_dir rtr)/keys"
cp "$keys"/*.pub "$keys/router.secret" "$(node_dir rtr)/keys/"   # its key pair and the allow-list
give_keys ctl1 api conductor scheduler
give_keys ctl2 api conductor scheduler
for c in "${computes[@]}"; do give_keys "$c" "compute-$c"; done

# --- one config file per node
router_url="tcp://${addr_of[rtr]}:5672"
common_toml() {  # common_toml NODE
  cat <<TOML
host = "$1"
data_dir = "$(node_dir "$1")/data"
service_down_time = 4
log_level = "info"

[rpc]
router = "$router_url"
keys_dir = "$(node_dir "$1")/keys"
heartbeat_ms = 100
call_timeout = 5
TOML
}
{
  cat <<TOML
data_dir = "$(node_dir rtr)/data"
log_level = "info"

[rpc]
bind = "$router_url"
keys_dir = "$(node_dir rtr)/keys"
heartbeat_ms = 100
TOML
} > "$(node_dir rtr)/stratus.toml"
for ctl in ctl1 ctl2; do
  {
    common_toml "$ctl"
    cat <<TOML

[database]
connection = "$pg_url"

[api]
listen = "${addr_of[$ctl]}:8774"
auth_strategy = "noauth"

# The sweep within seconds: a lost build after 8 s, a stalled one or a stuck
# task after 25 s / 10 s, looked for every second.
[conductor]
lost_build_timeout = 8
instance_build_timeout = 25
task_timeout = 10
stuck_check_interval = 1

# Room for the whole storm: errors must come from the kills, not capacity.
[filter.num_instances]
max_instances_per_host = 1000
TOML
  } > "$(node_dir "$ctl")/stratus.toml"
done
for c in "${computes[@]}"; do
  {
    common_toml "$c"
    cat <<TOML

[compute]
heartbeat_interval = 0.3
resource_report_interval = 0.5
sync_power_state_interval = 1

# The fake hypervisor keeps its guests in a file: they outlive a kill -9 of
# the compute service, as a real hypervisor's do.
[driver.fake]
vcpus = 1000
memory_mb = 1000000
local_gb = 100000
state_file = "$(node_dir "$c")/guests.json"
TOML
  } > "$(node_dir "$c")/stratus.toml"
done

# --- the nodes
declare -A roles_of=([rtr]="router" [ctl1]="api conductor scheduler" [ctl2]="api conductor scheduler")
for c in "${computes[@]}"; do roles_of[$c]="compute"; done
declare -A mark_of=()
start_node() {  # start_node NODE: its roles in its namespace; SIGKILL if this script dies
  local node="$1" out
  out="$(node_dir "$node")/out"
  touch "$out"
  mark_of[$node]="$(stat -c %s "$out")"
  # shellcheck disable=SC2086 # roles are words
  setpriv --pdeathsig=KILL -- ip netns exec "$(ns "$node")" \
    "$stratus" --config "$(node_dir "$node")/stratus.toml" serve ${roles_of[$node]} >> "$out" 2>&1 &
  pid_of[$node]=$!
}
wait_ready() {  # wait_ready NODE: its "ready" line after the last start (bounded, 60 s)
  local node="$1" out
  out="$(node_dir "$node")/out"
  for _ in $(seq 1 600); do
    tail -c "+$((mark_of[$node] + 1))" "$out" | grep "stratus serve:.* ready" > /dev/null && return 0
    kill -0 "${pid_of[$node]}" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 30 "$out"; die "$node did not become ready"
}
t0=$SECONDS
start_node rtr; wait_ready rtr
# Both controllers at once on the empty database: one migrates it while the
# other waits for the migration lock; both seed it (idempotent).
start_node ctl1; start_node ctl2
for c in "${computes[@]}"; do start_node "$c"; done
wait_ready ctl1; wait_ready ctl2
for c in "${computes[@]}"; do wait_ready "$c"; done
check "the router runs with CURVE" grep -q "(CURVE, allow-list" "$(node_dir rtr)/out"
echo "nodes: router, ctl1, ctl2, ${computes[*]} ready in $((SECONDS - t0)) s"

# --- the storm, from the client namespace; kills when it says so
kill_at="$work/kill-now"; restarted="$work/restarted"
setpriv --pdeathsig=KILL -- ip netns exec "$(ns cli)" /usr/bin/python3 "$here/storm_client.py" \
  --api "http://${addr_of[ctl1]}:8774/v2.1" --api "http://${addr_of[ctl2]}:8774/v2.1" \
  --hosts "${computes[*]}" --creates "$creates" --victim-state "$(node_dir c3)/guests.json" \
  --kill-at "$kill_at" --restarted "$restarted" --psql "$pg_bin/psql" --pg-url "$pg_url" &
client=$!
for _ in $(seq 1 1200); do [ -e "$kill_at" ] && break; kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
if [ -e "$kill_at" ]; then
  t_kill=$SECONDS
  for victim in ctl2 c3; do
    kill -KILL "${pid_of[$victim]}"; wait "${pid_of[$victim]}" 2>/dev/null || true
  done
  echo "killed -9: ctl2 (api conductor scheduler) and c3 (compute) after $(cat "$kill_at")"
  sleep 2
  start_node ctl2; start_node c3
  wait_ready ctl2; wait_ready c3
  kept="$(grep -o '[0-9]* guest(s) kept from before the restart' "$(node_dir c3)/out" | tail -1 || true)"
  echo "restarted: ctl2 and c3 ready $((SECONDS - t_kill)) s after the kill; c3: ${kept:-no guests kept}"
  touch "$restarted"
else
  echo "FAIL: the client never asked for the kill"; failures=$((failures + 1))
fi
client_rc=0
wait "$client" || client_rc=$?
check "the client's checks (storm, settle, delete, nothing left)" test "$client_rc" -eq 0
for node in rtr ctl1 ctl2 "${computes[@]}"; do
  check "$node still runs" kill -0 "${pid_of[$node]}"
done
echo "multinode: $failures failure(s) in $((SECONDS - t0)) s"
[ "$failures" -eq 0 ]
