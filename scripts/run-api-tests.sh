#!/usr/bin/env bash
# Runs the API tests (tests/api/*.test.js, node:test) against the muster binary given as
# $1: each test file starts its own `muster serve` on an ephemeral loopback port over a
# fresh small city. With a sanitizer build, reports go to the server's stderr, which the
# tests watch (tests/api/lib/server.js): a report fails the test that saw it.
# Exits non-zero when any test failed.
set -u
if [ $# -ne 1 ]; then
  echo "usage: scripts/run-api-tests.sh path/to/muster" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if [ ! -x "$bin" ]; then
  echo "run-api-tests: $bin is not an executable" >&2
  exit 2
fi
# Node is the project's (build/node, installed by `scripts/deps.sh build`, which make runs).
[ -x "$root/build/node/bin/node" ] || { echo "run-api-tests: no build/node: run scripts/deps.sh build" >&2; exit 2; }
export PATH="$root/build/node/bin:$PATH"
command -v sqlite3 >/dev/null || { echo "run-api-tests: the sqlite3 CLI is required" >&2; exit 2; }
cd "$root" || exit 2
if [ ! -d node_modules/yaml ]; then
  scripts/deps.sh build >&2 || { echo "run-api-tests: scripts/deps.sh build failed" >&2; exit 2; }
fi
# A sanitizer report must never pass for an ordinary exit: a distinct status, and the
# report on stderr where the tests look for it. Leak checks stay on (exit at SIGTERM
# runs them too).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:exitcode=86:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1:exitcode=87"
export MUSTER="$bin" MUSTER_DB= MUSTER_NO_PROGRESS=1
# Files run one at a time: each holds a server, a city and argon2id hashing of its own.
# The files by name: Node 24 takes --test arguments as files or globs, not folders.
node --test --test-concurrency=1 tests/api/*.test.js
