#!/usr/bin/env bash
# test_drill_crash.sh: kill -9 the server during a scan storm from `muster drill
# screening`; after a restart every scan the drill saw acknowledged (its --ack-log) is
# in samples exactly once, no scan_id is stored twice, every tube's count matches its
# samples, and re-sending the acknowledged ids (--resend) answers only duplicates.
# Then a round with the lab: every member of a positive pool is recalled, re-swabbed
# into a single tube and resolved. Also the drill's usage errors. The storm, the crash and
# the checks after the restart (also the database's integrity and the audit chain) are
# crash_lib.sh's, which scripts/crash-campaign.sh repeats at random moments.
# Run by scripts/run-cli-tests.sh in a fresh directory with $MUSTER set; needs sqlite3.
# Kills only the processes it started.
set -u
M=${MUSTER:?set MUSTER to the muster binary}
failures=0
server=
drill=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/crash_lib.sh"
cleanup() {
  [ -n "$server" ] && kill -9 "$server" 2>/dev/null
  [ -n "$drill" ] && kill -9 "$drill" 2>/dev/null
  return 0
}
trap cleanup EXIT

DB=c.db
crash_city || exit 1

# ---- usage ---------------------------------------------------------------------------------
"$M" drill --help >help.out 2>&1 || fail "drill --help"
grep -q 'muster token issue --site' help.out || fail "--help does not say how to set up a site token"
for args in "" "screening" "screening --round $round --url http://127.0.0.1:1 --token x" \
  "screening --round $round --url https://127.0.0.1:1 --token x --rate 1" \
  "screening --round $round --url http://127.0.0.1:1/x --token x --rate 1" \
  "screening --round $round --url http://127.0.0.1:1 --token x --rate 1 --batch 1001" \
  "screening --round $round --url http://127.0.0.1:1 --token x --rate 1 --lab L1"; do
  # shellcheck disable=SC2086
  "$M" drill $args --db "$DB" >usage.out 2>usage.err
  rc=$?
  sanitizer usage.err
  [ "$rc" -eq 2 ] || fail "drill $args: exit $rc, wanted 2"
done
"$M" drill screening --round 999 --url http://127.0.0.1:1 --token x --rate 1 --db "$DB" \
  >noround.out 2>noround.err
eq "$?" 1 "drill on an unknown round"

# ---- the storm and the crash (crash_lib.sh) ------------------------------------------------
# About 9,300 people at 2,500 scans/s in batches of 50 over 8 connections: ~3.7 s of
# storm; the server dies 1 s into it (after the first acknowledgement: on a loaded machine
# the drill's loading alone can take longer than 1 s; at most 10 s).
crash_storm 1 1 || exit 1
eq "$drc" 1 "the drill's exit status when the server died"
grep -q 'unanswered batches [1-9]' drill1.out || fail "no batch went unanswered: the kill came too late"
[ -s ack.log ] || { fail "nothing was acknowledged before the kill"; cat drill1.out drill1.err; }
echo "acknowledged before the kill: $acked"
# The drill's scan ids are time-ordered: the UUIDv7 layout (version digit 7, variant 8-b).
eq "$(grep -vc '^[0-9a-f]\{12\}7[0-9a-f]\{3\}[89ab][0-9a-f]\{15\}$' ack.log)" 0 "scan ids not in the UUIDv7 layout"

# After the restart: integrity, the audit chain, every acknowledged scan once, the tubes'
# counts, and the acknowledged ids re-sent answer duplicates only.
crash_check || exit 1

# The rest of the people on the restarted server, then the stopped server exits cleanly.
"$M" drill screening --round "$round" --url "$url" --token "$token" --rate 0 --seed 3 \
  --duration 20 --db "$DB" >drill2.out 2>drill2.err
eq "$?" 0 "second drill exit status"
sanitizer drill2.err
grep -q "error 0;" drill2.out || { fail "second drill: refused scans"; cat drill2.out; }
# ---- the lab and the recall: a second round, results, every positive pool re-swabbed ------
# The commands that write are refused beside the running server (issue 11 item 13):
# stopped for them, then started again.
"$M" lab add --code L1 --name 一号实验室 --capacity 350000 --db "$DB" 2>/dev/null && fail "lab add beside the server"
kill -TERM "$server"
wait "$server"
eq "$?" 0 "server exit status after SIGTERM"
sanitizer serve2.err
"$M" lab add --code L1 --name 一号实验室 --capacity 350000 --db "$DB" 2>/dev/null || fail "lab add"
lab_token=$("$M" token issue --lab L1 --db "$DB" 2>/dev/null)
round2=$("$M" round create --scope 440100 --name recall --pool 10 --db "$DB" 2>/dev/null)
start_server serve3 || exit 1
"$M" drill screening --round "$round2" --url "$url" --token "$token" --rate 0 --seed 4 \
  --prevalence 0.01 --lab-token "$lab_token" --lab L1 --duration 30 --db "$DB" >drill3.out 2>drill3.err
eq "$?" 0 "drill with the lab and the recall: exit status"
sanitizer drill3.err
r2() { q "$(printf "$1" "$round2")"; }
members=$(r2 "SELECT coalesce(sum(n), 0) FROM tubes WHERE round_id = %s AND single = 0 AND result = 1")
[ "$members" -gt 0 ] || fail "no positive pooled tube at prevalence 0.01"
eq "$(r2 "SELECT count(*) FROM recalls WHERE round_id = %s")" "$members" "one recall per member of a positive pool"
eq "$(r2 "SELECT count(*) FROM recalls WHERE round_id = %s AND state IN (2, 3)")" "$members" \
  "every recall resolved by its single tube"
eq "$(r2 "SELECT count(*) FROM tubes WHERE round_id = %s AND single = 1 AND state = 3")" "$members" \
  "one resulted single tube per recall"
confirmed=$(r2 "SELECT count(*) FROM recalls WHERE round_id = %s AND state = 3")
grep -q "recall: $members people of positive tubes re-swabbed into single tubes; $confirmed confirmed positive, $((members - confirmed)) cleared; 0 refused" drill3.out ||
  { fail "the drill's recall report"; cat drill3.out; }
[ "$confirmed" -gt 0 ] || fail "no confirmed positive"

kill -TERM "$server"
wait "$server"
eq "$?" 0 "server exit status after SIGTERM"
server=
sanitizer serve3.err

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"
