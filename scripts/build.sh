#!/usr/bin/env bash
# Configures and builds Stratus into a build directory.
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
# Defaults to ./build, RelWithDebInfo, warnings as errors, ccache when present.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"
shift || true
jobs="${STRATUS_JOBS:-2}"
# Let ccache share results between checkouts in different directories (CI
# builds a fresh clone each time).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE="${STRATUS_BUILD_TYPE:-RelWithDebInfo}" -DSTRATUS_WERROR=ON "$@"
cmake --build "$build_dir" -j"$jobs"
