#!/usr/bin/env bash
# test_demo.sh: scripts/demo.sh on a tiny city stops its `muster serve` when it gets
# SIGINT after the drill has ended (the cleanup used to stop at the kill of the finished
# drill loop under `set -e` and leave the server running). 127.0.0.1 only, bounded
# waits; kills only the processes it started. Run by scripts/run-cli-tests.sh in a fresh
# directory with $MUSTER set; needs sqlite3.
set -u
M=${MUSTER:?set MUSTER to the muster binary}
root=$(cd "$TESTS/../.." && pwd)
failures=0
demo=
server=
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cleanup() {
  [ -n "$server" ] && kill -9 "$server" 2>/dev/null
  [ -n "$demo" ] && kill -9 "$demo" 2>/dev/null
  return 0
}
trap cleanup EXIT

# A free loopback port: demo.sh waits on the port it was given, so 0 will not do.
port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    port=$p
    break
  fi
done
[ -n "$port" ] || { echo "FAIL: no free port"; exit 1; }

# Without job control, bash starts background commands with SIGINT ignored (and that
# cannot be undone inside them): with it (set -m) the demo meets SIGINT as a terminal's
# Ctrl-C reaches it. Its own background children still ignore SIGINT, as they do there.
set -m
# demo.sh runs build/muster of the directory it runs in: here, the binary under test.
mkdir -p build
ln -sf "$M" build/muster
LISTEN="127.0.0.1:$port" DRILL_RATE=5000 "$root/scripts/demo.sh" demo/muster.db 0.0005 >demo.out 2>demo.err &
demo=$!
set +m

# The drill has ended when the demo prints its banner and no `muster drill` runs under it.
served=0
for _ in $(seq 600); do
  grep -q '== serving on' demo.out 2>/dev/null && served=1 && break
  kill -0 "$demo" 2>/dev/null || break
  sleep 0.2
done
[ "$served" = 1 ] || {
  fail "demo did not start serving"
  tail -n 20 demo.out demo.err
  exit 1
}
server=$(ps -o pid=,args= --ppid "$demo" | awk '$2 ~ /muster$/ && $3 == "serve" {print $1}')
[ -n "$server" ] || fail "no muster serve under the demo"
ended=0
for _ in $(seq 600); do
  # The demo's own children: the server, and the drill loop (a subshell) while it runs.
  if [ "$(ps -o pid= --ppid "$demo" | wc -l)" -eq 1 ]; then
    ended=1
    break
  fi
  sleep 0.2
done
[ "$ended" = 1 ] || fail "the drill did not end within 120 s"
[ -s demo/drill.log ] || fail "the drill logged nothing"

kill -INT "$demo"
for _ in $(seq 100); do
  kill -0 "$demo" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$demo" 2>/dev/null && fail "demo.sh still runs 10 s after SIGINT"
for _ in $(seq 50); do
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
  fail "muster serve ($server) still runs after the demo's Ctrl-C"
else
  server=
fi
wait "$demo" 2>/dev/null
rc=$?
[ "$rc" = 130 ] || fail "demo.sh exit status $rc after SIGINT, wanted 130"
demo=
[ "$failures" -eq 0 ] && echo "ok: demo.sh stops its server on SIGINT after the drill"
exit $((failures > 0))
