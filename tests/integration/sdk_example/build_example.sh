#!/usr/bin/env bash
# build_example.sh BUILD_DIR EXAMPLE_SOURCE_DIR
# Installs the build to a scratch prefix, builds the example against it with
# nothing but find_package(StratusSDK), and checks that the installed stratus
# loads both of the example's plugins.
set -euo pipefail
build_dir="$1"
example_src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

cmake --install "$build_dir" --prefix "$prefix" > "$work/install.log"
test -f "$prefix/include/stratus/sdk/sdk.h"
test -f "$prefix/lib/cmake/StratusSDK/StratusSDKConfig.cmake"

# No compiler launcher, no include path of the source tree: only the prefix.
cmake -S "$example_src" -B "$work/example" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/example" -j2 > "$work/build.log"
plugin="$work/example/libstratus_example.so"
test -f "$plugin"

unset STRATUS_CONFIG STRATUS_PLUGIN_PATH
# The installed binary finds its own plugins beside it, and the example's.
"$prefix/bin/stratus" --plugin-dir "$work/example" plugin list > "$work/list.txt"
cat "$work/list.txt"
grep -Eq "^virt_driver +example_memory +0\.1\.0 +4 +$plugin$" "$work/list.txt"
grep -Eq "^scheduler_filter +example_gpu +0\.1\.0 +4 +$plugin$" "$work/list.txt"
grep -Eq "^virt_driver +fake +1\.0\.0 +4 +$prefix/lib/stratus/plugins/libstratus_driver_fake\.so$" "$work/list.txt"
"$prefix/bin/stratus" --plugin-dir "$work/example" plugin show example_memory | grep "Example: guests kept in a map" > /dev/null

# And it runs as the compute driver of aio, with its own config table.
"$prefix/bin/stratus" --plugin-dir "$work/example" --set compute.driver=example_memory \
  --set driver.example_memory.memory_mb=2048 aio --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q ready "$work/aio.out" && break; sleep 0.1; done
kill -INT "$pid"; wait "$pid"
cat "$work/aio.out"
grep -q "driver example_memory (example, 4 vcpus, 2048 MB RAM" "$work/aio.out"
echo "out-of-tree example: built and loaded"
