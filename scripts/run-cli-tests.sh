#!/usr/bin/env bash
# Runs every tests/cli/test_*.sh against the muster binary given as $1, each in a fresh
# temporary directory with MUSTER set to that binary; prints PASS/FAIL per script and
# exits non-zero when any failed.
set -u
if [ $# -ne 1 ]; then
  echo "usage: scripts/run-cli-tests.sh path/to/muster" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if [ ! -x "$bin" ]; then
  echo "run-cli-tests: $bin is not an executable" >&2
  exit 2
fi
# The few node one-liners of the tests run on the project's Node when it is there
# (build/node, installed by `scripts/deps.sh build`).
[ -x "$root/build/node/bin/node" ] && export PATH="$root/build/node/bin:$PATH"
# A sanitizer report must not pass for "data rejected" (status 1, its default).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=87:print_stacktrace=1"
fail=0
ran=0
for t in "$root"/tests/cli/test_*.sh; do
  [ -e "$t" ] || continue
  ran=$((ran + 1))
  dir=$(mktemp -d /tmp/muster-cli.XXXXXX)
  name=${t#"$root"/}
  if (cd "$dir" && MUSTER="$bin" MUSTER_DB= MUSTER_NO_PROGRESS=1 TESTS="$root/tests/cli" \
        bash "$t") >"$dir.log" 2>&1; then
    printf 'PASS %s\n' "$name"
  else
    printf 'FAIL %s\n' "$name"
    sed 's/^/    /' "$dir.log" | tail -60
    fail=1
  fi
  rm -rf "$dir" "$dir.log"
done
if [ "$ran" -eq 0 ]; then
  echo "run-cli-tests: no tests/cli/test_*.sh found" >&2
  exit 1
fi
exit $fail
