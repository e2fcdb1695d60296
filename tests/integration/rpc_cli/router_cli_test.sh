#!/usr/bin/env bash
# router_cli_test.sh STRATUS_BINARY PYTHON_CLIENT_DIR
set -euo pipefail
stratus="$1"
pyclient="$2"
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH
failures=0
check() {
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}

# Keys: a pair per name, the secret private, the policy in the .pub file.
"$stratus" keys generate --keys-dir "$work/keys" router > /dev/null
"$stratus" keys generate --keys-dir "$work/keys" compute-h1 --serve compute.h1 --call conductor > /dev/null
check "secret key is mode 0600" test "$(stat -c %a "$work/keys/compute-h1.secret")" = 600
check "policy lines are in the .pub file" grep -qx "serve = compute.h1" "$work/keys/compute-h1.pub"
set +e
"$stratus" keys generate --keys-dir "$work/keys" "../escape" > /dev/null 2> "$work/badname.err"; rc=$?
set -e
check "a key name with a path in it is refused" test "$rc" -ne 0
check "and nothing is written outside the keys directory" test ! -e "$work/escape.pub"

# tcp without keys is refused: encryption is the default across machines.
set +e
"$stratus" serve router --bind tcp://127.0.0.1:0 > /dev/null 2> "$work/nokeys.err"; rc=$?
set -e
check "router on tcp without keys exits 2" test "$rc" -eq 2
check "and says how to fix it" grep -q "stratus keys generate --keys-dir DIR router" "$work/nokeys.err"

# With keys: CURVE on.
"$stratus" serve router --bind tcp://127.0.0.1:0 --keys-dir "$work/keys" > "$work/curve.out" 2>&1 &
pid=$!
for _ in $(seq 1 50); do grep -q "listening" "$work/curve.out" 2>/dev/null && break; sleep 0.1; done
check "router with keys says CURVE" grep -q "(CURVE, allow-list $work/keys)" "$work/curve.out"
kill -INT "$pid"; wait "$pid"; pid=""

# Insecure router: the Python client registers and gets no_such_target at once.
"$stratus" serve router --bind tcp://127.0.0.1:0 --insecure --heartbeat-ms 200 > "$work/router.out" 2>&1 &
pid=$!
for _ in $(seq 1 50); do grep -q "listening" "$work/router.out" 2>/dev/null && break; sleep 0.1; done
address="$(grep -o 'tcp://127.0.0.1:[0-9]*' "$work/router.out" | head -1)"
check "router prints its address" test -n "$address"
check "a call to a target nobody serves fails at once with no_such_target" \
  env PYTHONPATH="$pyclient" /usr/bin/python3 -c '
import sys, time, stratus_rpc
c = stratus_rpc.Client(sys.argv[1], name="cli-test")
c.hello()
start = time.monotonic()
try:
    c.call("conductor", "build_instances", [], timeout_ms=5000)
    raise SystemExit("call succeeded")
except stratus_rpc.RpcError as e:
    assert stratus_rpc.CODES[e.code] == "no_such_target", e
assert time.monotonic() - start < 2.0, "not at once"
c.close()
' "$address"
kill -INT "$pid"; wait "$pid"; pid=""
check "router reports what it routed when it stops" grep -q "no such target 1" "$work/router.out"

echo "failures: $failures"
[ "$failures" -eq 0 ]
