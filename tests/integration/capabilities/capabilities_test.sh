#!/usr/bin/env bash
# A cloud whose one host runs a driver lacking suspend, pause, the console,
# config drive and get_available_resource (the fake driver's `unsupported`
# key: a test double of such a driver).
#   capabilities_test.sh STRATUS_BINARY TEST_PLUGIN_DIR
set -euo pipefail
stratus="$1"
test_plugins="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"

# A driver plugin refused at load (its ABI is too old): aio's one fatal line
# says why, not only "no such virt_driver plugin".
rc=0
"$stratus" --plugin-dir "$test_plugins" --set compute.driver=abi_older \
  aio --data-dir "$work/refused" --listen 127.0.0.1:0 > /dev/null 2> "$work/refused.err" || rc=$?
check "aio with a refused driver plugin exits 1" test "$rc" -eq 1
check "its fatal line names the plugin and why it was refused" \
  grep -q "^stratus: aio: .*no such virt_driver plugin 'abi_older': it was refused: .*libtest_abi_older.so.*ABI mismatch: the plugin is older" \
  "$work/refused.err"

aio_start "$stratus" --set host=caps \
  --set 'driver.fake.unsupported=["suspend", "pause", "console_output", "config_drive", "get_available_resource"]' \
  -- --fake-hosts 1
check "the API refuses what the driver cannot do, the scheduler what no host can" \
  timeout 150 /usr/bin/python3 "$here/capabilities_check.py" "$aio_root" "$aio_data/clouds.yaml"
aio_finish
