# Shared by the shell integration tests: start `stratus aio` on a free
# loopback port in a temporary directory, find its URLs, stop it by PID on
# exit, and count checks. Source it, then:
#   aio_start STRATUS_BINARY [global flags...] -- [aio flags...]
#   check "what a user sees" command args...
#   aio_finish           # exits non-zero if any check failed
# Sets: work (temporary directory, removed on exit), aio_pid, aio_root
# (http://127.0.0.1:PORT), aio_url (the compute endpoint, $aio_root/v2.1),
# aio_data (the aio's data directory).

work="$(mktemp -d)"
aio_pid=""
failures=0
_aio_cleanup() {
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then
    kill -TERM "$aio_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$aio_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$aio_pid" 2>/dev/null || true
    wait "$aio_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap _aio_cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH STRATUS_URL STRATUS_TOKEN
unset OS_CLOUD OS_CLIENT_CONFIG_FILE OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_TOKEN

check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}

aio_wait_ready() {  # aio_wait_ready TENTHS: waits for $aio_pid's "ready at" line; sets aio_url, aio_root
  for _ in $(seq 1 "$1"); do
    grep -q "ready at" "$work/aio.out" 2>/dev/null && break
    kill -0 "$aio_pid" 2>/dev/null || break
    sleep 0.1
  done
  aio_url="$(grep -o 'http://127.0.0.1:[0-9]*/v2.1' "$work/aio.out" | head -1)"
  if [ -z "$aio_url" ]; then echo "FAIL: stratus aio did not start:"; tail -n 60 "$work/aio.out"; exit 1; fi
  aio_root="${aio_url%/v2.1}"
}

aio_start() {  # aio_start STRATUS [global flags...] -- [aio flags...]
  local stratus="$1"; shift
  local global=() aio=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do global+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  aio=("$@")
  local hosts=1 i
  for ((i = 0; i < ${#aio[@]}; i++)); do [ "${aio[$i]}" = "--fake-hosts" ] && hosts="${aio[$((i + 1))]}"; done
  aio_data="$work/data"
  "$stratus" --log-level warn "${global[@]}" \
    --set compute.heartbeat_interval=0.5 --set compute.resource_report_interval=1 \
    aio --data-dir "$aio_data" --listen 127.0.0.1:0 "${aio[@]}" > "$work/aio.out" 2>&1 &
  aio_pid=$!
  aio_wait_ready 300
  # The hosts' first reports reach the scheduler with the conductor's record
  # of them: wait (bounded) for the hypervisor list to show them up.
  if ! /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/wait_hosts_up.py" "$aio_root" "$hosts" --clouds "$aio_data/clouds.yaml"; then
    echo "FAIL: the aio's $hosts host(s) did not come up:"; cat "$work/aio.out"; exit 1
  fi
}

aio_finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures checks failed; aio output:"; tail -n 40 "$work/aio.out"; exit 1
  fi
  echo "all checks passed"
}
