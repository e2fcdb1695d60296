#!/usr/bin/env bash
# Runs the stratus binary the way a user does and checks what it prints.
#   cli_test.sh STRATUS_BINARY TEST_PLUGIN_DIR
set -euo pipefail
stratus="$1"
test_plugins="$2"
work="$(mktemp -d)"
aio_pid=""
cleanup() {
  if [ -n "$aio_pid" ] && kill -0 "$aio_pid" 2>/dev/null; then kill -KILL "$aio_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT
unset STRATUS_CONFIG STRATUS_PLUGIN_PATH
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what="$1"; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}

# plugin list: the fake driver, every built-in filter and weigher.
"$stratus" plugin list > "$work/list.txt"
check "plugin list shows the fake driver" grep -Eq '^virt_driver +fake +1\.0\.0 +7 +/.*libstratus_driver_fake\.so$' "$work/list.txt"
for f in compute ram core disk availability_zone image_properties same_host different_host \
         server_group_affinity server_group_anti_affinity num_instances aggregate_instance_extra_specs \
         aggregate_multitenancy_isolation; do
  check "plugin list shows filter $f" grep -Eq "^scheduler_filter +$f +" "$work/list.txt"
done
for w in ram cpu disk num_instances; do
  check "plugin list shows weigher $w" grep -Eq "^scheduler_weigher +$w +" "$work/list.txt"
done
check "plugin list shows the libvirt driver" grep -Eq '^virt_driver +libvirt +' "$work/list.txt"
check "plugin list has 19 plugins" test "$(($(wc -l < "$work/list.txt") - 1))" -eq 19

# plugin show, as a table and as JSON.
"$stratus" plugin show core > "$work/show.txt"
check "plugin show names the kind" grep -Eq '^kind: +scheduler_filter$' "$work/show.txt"
check "plugin show gives the ABI" grep -Eq '^abi_version: +7$' "$work/show.txt"
"$stratus" plugin show fake -f json > "$work/show.json"
check "plugin show -f json" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "fake" and d["kind"] == "virt_driver" and d["abi_version"] == 7, d
assert d["stdlib"].startswith("libstdc++"), d' "$work/show.json"

# "ram" is a filter and a weigher: show prints both.
"$stratus" plugin show ram -f json > "$work/ram.json"
check "plugin show ram gives the filter and the weigher" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(p["kind"] for p in d) == ["scheduler_filter", "scheduler_weigher"], d' "$work/ram.json"

# A missing plugin is an error that says where it looked.
set +e
"$stratus" plugin show no_such_plugin > /dev/null 2> "$work/err.txt"; rc=$?
set -e
check "plugin show of a missing plugin exits 1" test "$rc" -eq 1
check "and names the search path" grep -q "no such plugin 'no_such_plugin' (searched .*lib/stratus/plugins)" "$work/err.txt"

# Broken plugins in an extra directory are reported, the good ones still load,
# and the process carries on.
"$stratus" --plugin-dir "$test_plugins" plugin list -f json > "$work/mixed.json" 2> "$work/mixed.err"
check "broken plugins are refused with reasons, good ones listed" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = {p["name"] for p in d["plugins"]}
assert {"fake", "ram", "test_filter", "test_weigher"} <= names, names
reasons = " ".join(r["reason"] for r in d["refused"])
for needle in ["the plugin is newer", "the plugin is older", "not a Stratus plugin", "standard library mismatch"]:
    assert needle in reasons, needle
' "$work/mixed.json"
check "refusals are logged as warnings" grep -q "plugin refused: .*libtest_abi_newer.so: plugin 'abi_newer': ABI mismatch" "$work/mixed.err"

# Config errors name the key and line, and change nothing.
printf '[compute]\ndriver = "fake"\ndrvier = "x"\n' > "$work/bad.toml"
set +e
"$stratus" --config "$work/bad.toml" plugin list > /dev/null 2> "$work/bad.err"; rc=$?
set -e
check "unknown config key exits 2" test "$rc" -eq 2
check "and names key and line" grep -q "bad.toml:3: unknown key 'compute.drvier'" "$work/bad.err"

# aio loads its driver, filters and weighers, says it is ready, stops on SIGINT.
"$stratus" --set host=aio-test aio --fake-hosts 3 --data-dir "$work/data" --listen 127.0.0.1:0 \
  > "$work/aio.out" 2> "$work/aio.err" &
aio_pid=$!
for _ in $(seq 1 100); do
  grep -q "ready" "$work/aio.out" 2>/dev/null && break
  sleep 0.1
done
check "aio says it is ready" grep -q "^stratus aio: ready" "$work/aio.out"
check "aio runs three fake hosts" grep -q "compute host aio-test-3: driver fake (fake," "$work/aio.out"
check "aio runs the scheduler with Nova's filters" grep -q "scheduler: filters compute availability_zone ram core disk" "$work/aio.out"
check "aio made its database in the data directory" test -f "$work/data/stratus.db"
api="$(grep -o 'http://127.0.0.1:[0-9]*/v2.1' "$work/aio.out" | head -1)"
check "aio prints its API URL" test -n "$api"
check "aio wrote a private clouds.yaml" test "$(stat -c %a "$work/data/clouds.yaml")" = 600
check "aio says how to use it" grep -q "export OS_CLIENT_CONFIG_FILE=$work/data/clouds.yaml OS_CLOUD=stratus" "$work/aio.out"
check "the API refuses a request without a token" /usr/bin/python3 -c '
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1] + "/flavors/detail")
    sys.exit("no 401")
except urllib.error.HTTPError as e:
    assert e.code == 401, e.code
' "$api"
check "the admin from clouds.yaml gets a token and sees the seeded flavors" /usr/bin/python3 -c '
import json, re, sys, urllib.request
text = open(sys.argv[2]).read()
get = lambda k: re.search(k + r": \"(.*)\"", text).group(1)
body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": get("username"),
        "domain": {"name": "Default"}, "password": get("password")}}},
        "scope": {"project": {"name": get("project_name"), "domain": {"name": "Default"}}}}}
req = urllib.request.Request(get("auth_url") + "/auth/tokens", data=json.dumps(body).encode(),
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req) as r:
    assert r.status == 201
    token = r.headers["X-Subject-Token"]
req = urllib.request.Request(sys.argv[1] + "/flavors/detail", headers={"X-Auth-Token": token})
with urllib.request.urlopen(req) as r:
    assert r.status == 200
    assert r.headers["OpenStack-API-Version"] == "compute 2.1"
    flavors = json.load(r)["flavors"]
assert [f["name"] for f in flavors] == ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"], flavors
assert flavors[0]["ram"] == 512 and flavors[0]["vcpus"] == 1
' "$api" "$work/data/clouds.yaml"
kill -INT "$aio_pid"
set +e
wait "$aio_pid"; rc=$?
set -e
aio_pid=""
check "aio exits 0 on Ctrl-C" test "$rc" -eq 0
check "aio says it stopped" grep -q "^stratus aio: stopped" "$work/aio.out"

# aio with a driver that is not a driver refuses to start, naming why.
set +e
"$stratus" --set compute.driver=ram aio --data-dir "$work/data2" --listen 127.0.0.1:0 > /dev/null 2> "$work/aio-bad.err"; rc=$?
set -e
check "aio with a filter as driver exits 1" test "$rc" -eq 1
check "and says it is the wrong kind" grep -q "plugin 'ram' (.*) is a scheduler_filter, not a virt_driver" "$work/aio-bad.err"

echo "failures: $failures"
[ "$failures" -eq 0 ]
