# shellcheck shell=bash
# crash_lib.sh: one kill -9 of `muster serve` during a scan storm from `muster drill
# screening`, and what must hold after its restart. Shared by tests/cli/test_drill_crash.sh
# (one run in make test, killed 1 s into the storm) and scripts/crash-campaign.sh (many
# runs, killed at random moments). Sourced, not run, after lib.sh (fail, eq); uses $M (the
# binary) and $DB, keeps the PIDs it starts in $server and $drill (the caller's EXIT trap
# kills those, and only those).

# sanitizer FILE: fails on a sanitizer report in FILE.
sanitizer() {
  if grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$1"; then
    fail "$1: sanitizer report"
    head -40 "$1"
  fi
}
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }

# start_server NAME: muster serve on an ephemeral port of 127.0.0.1; sets $server and $url.
# Fails (returns 1) when it does not say where it listens within 30 s.
start_server() {
  "$M" serve --listen 127.0.0.1:0 --db "$DB" --quiet >"$1.out" 2>"$1.err" &
  server=$!
  url=
  for _ in $(seq 300); do
    url=$(awk '/listening on/ {print $3}' "$1.out" 2>/dev/null)
    [ -n "$url" ] && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  fail "$1: the server did not start"
  cat "$1.err"
  return 1
}

# crash_city: a city of about 9,300 people in $DB with a round at 10-in-1, site S1 and
# its token; sets $round and $token (returns 1 when any of it fails).
crash_city() {
  "$M" init --db "$DB" >/dev/null 2>&1 || fail "init"
  "$M" city generate --preset guangzhou-2021 --scale 0.0005 --seed 1 --db "$DB" >/dev/null 2>&1 ||
    fail "city generate"
  round=$("$M" round create --scope 440100 --name crash --pool 10 --db "$DB" 2>/dev/null)
  "$M" site add --code S1 --place 440100 --name 一号点 --desks 20 --db "$DB" 2>/dev/null ||
    fail "site add"
  token=$("$M" token issue --site S1 --db "$DB" 2>/dev/null)
  [ -n "$round" ] && [ -n "$token" ] || { fail "setup: round '$round', token"; return 1; }
}

# crash_storm DELAY SEED: starts the server (serve1) and a storm of the round's people at
# 2,500 scans/s in batches of 50 over 8 connections (~3.7 s), appending acknowledged scan
# ids to ack.log; kills the server with SIGKILL DELAY seconds after the first
# acknowledgement (or 10 s after the start when none comes); waits up to 20 s for the
# drill to stop by itself. Sets $drc (the drill's exit status) and $acked.
crash_storm() {
  : >ack.log
  start_server serve1 || return 1
  "$M" drill screening --round "$round" --url "$url" --token "$token" --rate 2500 --batch 50 \
    --connections 8 --seed "$2" --duration 6 --ack-log ack.log --db "$DB" >drill1.out 2>drill1.err &
  drill=$!
  for _ in $(seq 100); do [ -s ack.log ] && break; sleep 0.1; done
  sleep "$1"
  kill -9 "$server"
  wait "$server" 2>/dev/null
  server=
  for _ in $(seq 200); do kill -0 "$drill" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$drill" 2>/dev/null; then
    fail "the drill did not stop by itself within 20 s of its start"
    kill -9 "$drill"
  fi
  wait "$drill"
  # shellcheck disable=SC2034 # read by the caller
  drc=$?
  drill=
  sanitizer drill1.err
  acked=$(wc -l <ack.log)
}

# crash_check: restarts the server (serve2, left running) and checks what the crash left:
# the database's integrity and its audit chain; every acknowledged scan stored exactly
# once and no scan_id twice; every tube's count its samples, none over capacity; the
# acknowledged ids sent again answer duplicates only and store nothing new.
crash_check() {
  start_server serve2 || return 1
  eq "$(q "PRAGMA integrity_check")" ok "integrity_check after the crash"
  "$M" audit verify --db "$DB" >verify.out 2>verify.err || fail "audit verify: $(cat verify.out verify.err)"
  sanitizer verify.err
  local lost stored
  lost=$(sqlite3 :memory: <<SQL
.timeout 5000
ATTACH '$DB' AS m;
CREATE TABLE a(id TEXT);
.mode csv
.import ack.log a
SELECT count(*) FROM a WHERE (SELECT count(*) FROM m.samples s WHERE s.scan_id = a.id) <> 1;
SQL
)
  eq "$lost" 0 "acknowledged scans missing or stored twice after the crash"
  eq "$(q "SELECT count(*) FROM (SELECT scan_id FROM samples GROUP BY scan_id HAVING count(*) > 1)")" 0 \
    "scan_ids stored twice"
  eq "$(sort ack.log | uniq -d | wc -l)" 0 "scan ids acknowledged twice"
  stored=$(q "SELECT count(*) FROM samples WHERE round_id = $round")
  [ "$stored" -ge "$acked" ] || fail "$stored samples stored, fewer than the $acked acknowledged"
  eq "$(q "SELECT count(*) FROM tubes t WHERE n <> (SELECT count(*) FROM samples s WHERE s.tube_id = t.id)")" \
    0 "tubes whose count differs from their samples"
  eq "$(q "SELECT count(*) FROM tubes WHERE n > capacity")" 0 "overfull tubes"

  # Re-sending the acknowledged ids to the restarted server: duplicates only, nothing new.
  [ "$acked" -gt 0 ] || return 0
  "$M" drill screening --round "$round" --url "$url" --token "$token" --rate 0 --seed 2 \
    --resend ack.log --db "$DB" >resend.out 2>resend.err
  eq "$?" 0 "drill --resend exit status"
  sanitizer resend.err
  grep -q "duplicate $acked, error 0" resend.out || { fail "resend: not all duplicates"; cat resend.out; }
  grep -q "ok 0," resend.out || fail "resend: some scan was new"
  eq "$(q "SELECT count(*) FROM samples WHERE round_id = $round")" "$stored" "samples after the resend"
}
