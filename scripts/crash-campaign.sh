#!/usr/bin/env bash
# crash-campaign.sh: RUNS (default 100) crashes of `muster serve` during a scan storm — the
# one run of tests/cli/test_drill_crash.sh (tests/cli/crash_lib.sh), repeated with the kill
# at a random moment — and a tally. Each run, in a copy of one small city (~9,300 people,
# a round at 10-in-1, a site and its token): the server on an ephemeral port of
# 127.0.0.1, `muster drill screening` storming it at 2,500 scans/s over 8 connections,
# SIGKILL a random 0-3 s after the first acknowledgement (the storm lasts ~3.7 s), then a
# restart and the checks: PRAGMA integrity_check, `muster audit verify`, every scan the
# drill saw acknowledged stored exactly once, no scan_id twice, every tube's count its
# samples and none over capacity, the acknowledged ids re-sent answer duplicates only;
# then SIGTERM, which must end the server with status 0.
# Bounded: no run starts after CRASH_BUDGET seconds (default 900). Kills only the PIDs
# it started. Not part of make test: `make crash-campaign` runs it under nice.
# Usage: scripts/crash-campaign.sh path/to/muster [RUNS]
#   CRASH_SEED=N   the seed of the kill moments (default: random, printed)
#   CRASH_KEEP=1   keep every run's directory (default: only the failed runs')
set -u
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: scripts/crash-campaign.sh path/to/muster [RUNS]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
M=$1
case $M in /*) ;; *) M=$(pwd)/$M ;; esac
runs=${2:-100}
budget=${CRASH_BUDGET:-900}
seed=${CRASH_SEED:-$((($$ * 7919 + $(date +%s)) % 32768))}
[ -x "$M" ] || { echo "crash-campaign: $M is not an executable" >&2; exit 2; }
case $runs in '' | *[!0-9]*) echo "crash-campaign: RUNS must be a number" >&2; exit 2 ;; esac
command -v sqlite3 >/dev/null || { echo "crash-campaign: needs sqlite3" >&2; exit 2; }
export M MUSTER_DB='' MUSTER_NO_PROGRESS=1
work=$(mktemp -d /tmp/muster-crash.XXXXXX)
start=$(date +%s)
echo "crash-campaign: $runs runs, seed $seed, budget $budget s, in $work"

# The city, once; each run starts from a copy of it.
mkdir "$work/city"
(
  cd "$work/city" || exit 1
  failures=0
  DB=c.db
  . "$root/tests/cli/lib.sh"
  . "$root/tests/cli/crash_lib.sh"
  crash_city && [ "$failures" -eq 0 ] && printf '%s %s\n' "$round" "$token" >ids
) || { echo "crash-campaign: cannot set up the city" >&2; exit 1; }
read -r round token <"$work/city/ids"
export round token

RANDOM=$seed
passed=0 failed=0 cut=0 done_runs=0 acked_total=0
reasons=$work/failures.txt
: >"$reasons"
for i in $(seq "$runs"); do
  now=$(date +%s)
  if [ $((now - start)) -ge "$budget" ]; then
    echo "crash-campaign: budget of $budget s spent after $done_runs runs; stopping"
    break
  fi
  delay=$(printf '%d.%03d' $((RANDOM % 3)) $((RANDOM % 1000)))
  dir=$work/run-$i
  mkdir "$dir"
  cp "$work/city/c.db" "$work/city/c.db.key" "$dir/"
  [ -e "$work/city/c.db-wal" ] && cp "$work/city/c.db-wal" "$dir/"
  (
    cd "$dir" || exit 1
    failures=0 server='' drill=''
    DB=c.db
    . "$root/tests/cli/lib.sh"
    . "$root/tests/cli/crash_lib.sh"
    cleanup() {
      [ -n "$server" ] && kill -9 "$server" 2>/dev/null
      [ -n "$drill" ] && kill -9 "$drill" 2>/dev/null
      return 0
    }
    trap cleanup EXIT
    crash_storm "$delay" $((100 + i)) && crash_check
    if [ -n "$server" ]; then
      kill -TERM "$server"
      wait "$server"
      eq "$?" 0 "server exit status after SIGTERM"
      server=
      sanitizer serve2.err
    fi
    grep -q 'unanswered batches [1-9]' drill1.out 2>/dev/null && echo "cut" >storm.cut
    echo "$acked" >acked
    [ "$failures" -eq 0 ]
  ) >"$dir/run.log" 2>&1
  rc=$?
  done_runs=$((done_runs + 1))
  a=$(cat "$dir/acked" 2>/dev/null || echo 0)
  acked_total=$((acked_total + a))
  c=no
  [ -e "$dir/storm.cut" ] && c=yes && cut=$((cut + 1))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "run $i: kill $delay s after the first ack, $a acknowledged, storm cut: $c — pass"
    [ "${CRASH_KEEP:-0}" = 1 ] || rm -rf "$dir"
  else
    failed=$((failed + 1))
    echo "run $i: kill $delay s after the first ack, $a acknowledged, storm cut: $c — FAIL (kept in $dir)"
    grep '^FAIL' "$dir/run.log" | sed "s/^/  run $i: /" | tee -a "$reasons"
  fi
done
wall=$(($(date +%s) - start))
echo "crash-campaign: runs $done_runs, passed $passed, failed $failed; the kill cut the storm in $cut;" \
  "$acked_total scans acknowledged before the kills; wall time $wall s (seed $seed)"
if [ "$failed" -eq 0 ]; then
  [ "${CRASH_KEEP:-0}" = 1 ] || rm -rf "$work"
  exit 0
fi
echo "crash-campaign: failures:"
cat "$reasons"
exit 1
