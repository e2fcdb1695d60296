#!/bin/sh
# run_fuzz.sh <fuzzer> <seed corpus> <work corpus> <seconds>: runs a libFuzzer
# target for a bounded time on a working copy of its seed corpus.
set -eu
fuzzer=$1; seeds=$2; work=$3; seconds=$4
mkdir -p "$work"
cp -n "$seeds"/* "$work"/ 2>/dev/null || true
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "$work"
