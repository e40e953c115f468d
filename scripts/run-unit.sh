#!/usr/bin/env bash
# Runs each unit-test binary given, from a scratch directory, and reports a summary.
set -u
fail=0
scratch=$(mktemp -d /tmp/muster-unit.XXXXXX)
for t in "$@"; do
  abs=$(cd "$(dirname "$t")" && pwd)/$(basename "$t")
  if (cd "$scratch" && MUSTER_BIN="$OLDPWD/build/muster" "$abs") >"$scratch/out.log" 2>&1; then
    printf 'PASS %s\n' "$t"
  else
    printf 'FAIL %s\n' "$t"; sed 's/^/    /' "$scratch/out.log" | tail -60
    fail=1
  fi
done
rm -rf "$scratch"
exit $fail
