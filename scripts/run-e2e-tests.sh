#!/usr/bin/env bash
# Runs the browser tests (tests/e2e/*.test.js, node:test + playwright-core) against the
# muster binary given as $1 and the built web app in web/dist: each file starts its own
# `muster serve --web web/dist` on an ephemeral loopback port over a fresh small city and
# drives Debian's /usr/bin/chromium headless with a fresh profile. Screenshots of failed
# tests are kept under build/e2e/. Exits non-zero when any test failed.
set -u
if [ $# -ne 1 ]; then
  echo "usage: scripts/run-e2e-tests.sh path/to/muster" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "run-e2e-tests: $bin is not an executable" >&2; exit 2; }
# Node is the project's (build/node, installed by `scripts/deps.sh build`, which make runs).
[ -x "$root/build/node/bin/node" ] || { echo "run-e2e-tests: no build/node: run scripts/deps.sh build" >&2; exit 2; }
export PATH="$root/build/node/bin:$PATH"
[ -x /usr/bin/chromium ] || { echo "run-e2e-tests: /usr/bin/chromium is required (scripts/deps.sh)" >&2; exit 2; }
cd "$root" || exit 2
[ -f web/dist/index.html ] || { echo "run-e2e-tests: build the web app first (make web)" >&2; exit 2; }
mkdir -p build/e2e
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:exitcode=86:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1:exitcode=87"
export MUSTER="$bin" MUSTER_DB= MUSTER_NO_PROGRESS=1 MUSTER_WEB="$root/web/dist"
# The files by name: Node 24 takes --test arguments as files or globs, not folders.
node --test --test-concurrency=1 tests/e2e/*.test.js
