#!/usr/bin/env bash
# Runs each libFuzzer target given for SECONDS, side by side (each is one process on one
# core), over its corpus in build/fuzz/corpus/<name> and its seeds in tests/fuzz/seeds/;
# each target's output goes to build/fuzz/<name>.log, whose end is printed when it fails.
# Usage: scripts/run-fuzz.sh SECONDS build/fuzz/fuzz_x...
set -u
if [ $# -lt 2 ]; then
  echo "usage: scripts/run-fuzz.sh SECONDS TARGET..." >&2
  exit 2
fi
secs=$1
shift
pids=()
for f in "$@"; do
  name=$(basename "$f")
  mkdir -p "build/fuzz/corpus/$name"
  echo "fuzz: $name for $secs s"
  "$f" -max_total_time="$secs" -max_len=4096 -print_final_stats=0 \
    "build/fuzz/corpus/$name" "tests/fuzz/seeds/$name" 2>"build/fuzz/$name.log" &
  pids+=($!)
done
fail=0
i=0
for f in "$@"; do
  name=$(basename "$f")
  if wait "${pids[$i]}"; then
    echo "fuzz: $name passed"
  else
    echo "fuzz: $name FAILED"
    tail -40 "build/fuzz/$name.log"
    fail=1
  fi
  i=$((i + 1))
done
exit $fail
