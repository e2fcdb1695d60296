#!/usr/bin/env bash
# The test command: installs what is missing, builds with warnings as errors,
# runs every test (unit, integration, e2e, multinode, browser and fuzz labels), then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the unit tests there.
#   STRATUS_SKIP_SANITIZE=1 bash scripts/test.sh   # skip the sanitizer pass
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${STRATUS_JOBS:-2}"
start=$(date +%s)

bash "$root/scripts/install-deps.sh"

echo "== build (warnings are errors)"
bash "$root/scripts/build.sh" "$root/build" -DSTRATUS_FUZZ_SECONDS="${STRATUS_FUZZ_SECONDS:-60}"
echo "== tests: unit, integration, e2e, multinode, browser, and the fuzz targets for ${STRATUS_FUZZ_SECONDS:-60}s each"
ctest --test-dir "$root/build" --output-on-failure -j"$jobs" --timeout 600

if [ "${STRATUS_SKIP_SANITIZE:-0}" != "1" ]; then
  echo "== build with ASan + UBSan"
  STRATUS_BUILD_TYPE=Debug bash "$root/scripts/build.sh" "$root/build-asan" -DSTRATUS_SANITIZE=ON
  echo "== unit tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs" -L unit --timeout 600
fi

echo "== all tests passed in $(( $(date +%s) - start ))s"
