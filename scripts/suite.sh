#!/usr/bin/env bash
# Runs one test suite of `make test` with its whole output in build/test-logs/NAME.log,
# so that suites running side by side do not interleave: prints one line, PASS or FAIL
# with the time taken, and on failure the last lines of the log; PASS/FAIL NAME is also
# added to build/test-logs/summary, which `make test` counts at the end.
# Usage: scripts/suite.sh NAME COMMAND [ARG...]
set -u
if [ $# -lt 2 ]; then
  echo "usage: scripts/suite.sh NAME COMMAND [ARG...]" >&2
  exit 2
fi
name=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/build/test-logs"
log=$root/build/test-logs/$name.log
start=$(date +%s)
if "$@" >"$log" 2>&1; then
  printf 'PASS %-14s %4d s  (build/test-logs/%s.log)\n' "$name" $(($(date +%s) - start)) "$name"
  echo "PASS $name" >>"$root/build/test-logs/summary"
else
  rc=$?
  printf 'FAIL %-14s %4d s  exit %d; the last lines of build/test-logs/%s.log:\n' \
    "$name" $(($(date +%s) - start)) "$rc" "$name"
  tail -n "${SUITE_TAIL:-80}" "$log" | sed 's/^/    /'
  echo "FAIL $name" >>"$root/build/test-logs/summary"
  exit 1
fi
