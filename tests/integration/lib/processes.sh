# Shared by the shell tests that run the roles as separate `stratus serve`
# processes: a temporary directory, the started processes stopped by PID on
# exit, counted checks and a bounded wait for a log line. Source it, then
# append each started PID to `pids`.
#   check "what a user sees" command args...
#   wait_for_line FILE PATTERN      # at most 20 s
#   start_router STRATUS [global flags...]   # plaintext tcp on a free loopback port
# Sets: work (temporary directory, removed on exit), pids, failures, and
# router (its address) after start_router.
work="$(mktemp -d)"
pids=()
_processes_cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap _processes_cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
wait_for_line() {  # wait_for_line FILE PATTERN: bounded (20 s)
  for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1:"; cat "$1"; return 1
}
start_router() {  # start_router STRATUS [global flags...]: sets router
  local stratus="$1"; shift
  "$stratus" "$@" serve router --bind tcp://127.0.0.1:0 --insecure > "$work/router.out" 2>&1 &
  pids+=($!)
  wait_for_line "$work/router.out" "listening on"
  router="$(grep -o 'tcp://127.0.0.1:[0-9]*' "$work/router.out" | head -1)"
  check "the router prints its address" test -n "$router"
}
