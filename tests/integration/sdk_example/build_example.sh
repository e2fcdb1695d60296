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
version_h="$prefix/include/stratus/sdk/version.h"
abi="$(sed -n 's/^#define STRATUS_SDK_ABI_VERSION \([0-9]*\)$/\1/p' "$version_h")"
min_abi="$(sed -n 's/^#define STRATUS_SDK_MIN_SUPPORTED_ABI_VERSION \([0-9]*\)$/\1/p' "$version_h")"
test -n "$abi" && test -n "$min_abi"
# The installed binary finds its own plugins beside it, and the example's.
"$prefix/bin/stratus" --plugin-dir "$work/example" plugin list > "$work/list.txt"
cat "$work/list.txt"
grep -Eq "^virt_driver +example_memory +0\.1\.0 +$abi +$plugin$" "$work/list.txt"
grep -Eq "^scheduler_filter +example_gpu +0\.1\.0 +$abi +$plugin$" "$work/list.txt"
grep -Eq "^virt_driver +fake +1\.0\.0 +$abi +$prefix/lib/stratus/plugins/libstratus_driver_fake\.so$" "$work/list.txt"
"$prefix/bin/stratus" --plugin-dir "$work/example" plugin show example_memory | grep "Example: guests kept in a map" > /dev/null

# And it runs as the compute driver of aio, with its own config table.
"$prefix/bin/stratus" --plugin-dir "$work/example" --set compute.driver=example_memory \
  --set driver.example_memory.memory_mb=2048 aio --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/aio.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q ready "$work/aio.out" && break; sleep 0.1; done
kill -INT "$pid"; wait "$pid"
cat "$work/aio.out"
grep -q "driver example_memory (example, 4 vcpus, 2048 MB RAM" "$work/aio.out"

# The same sources for the oldest ABI this SDK can target: the descriptor says so.
cmake -S "$example_src" -B "$work/example_old" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  -DSTRATUS_SDK_TARGET_ABI="$min_abi" > "$work/configure_old.log"
cmake --build "$work/example_old" -j2 > "$work/build_old.log"
"$prefix/bin/stratus" --plugin-dir "$work/example_old" plugin list > "$work/list_old.txt"
grep -Eq "^virt_driver +example_memory +0\.1\.0 +$min_abi +$work/example_old/libstratus_example\.so$" "$work/list_old.txt"

# Installed with the prefix of the Stratus install, the plugin is where its
# binary looks by default: no --plugin-dir.
cmake --install "$work/example" --prefix "$prefix" > "$work/install_example.log"
"$prefix/bin/stratus" plugin list > "$work/list_installed.txt"
grep -Eq "^virt_driver +example_memory +0\.1\.0 +$abi +$prefix/lib/stratus/plugins/libstratus_example\.so$" \
  "$work/list_installed.txt"
echo "out-of-tree example: built, loaded, built for ABI $min_abi and installed"
