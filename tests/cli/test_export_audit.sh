#!/usr/bin/env bash
# test_export_audit.sh: `muster export people` is audited (issue 12): every person
# exported has an entry (actor cli:<login>, action 'cli export people', record
# person:ID) committed before the file appears, found by person through the audit API
# as the server's reads are; the chain stays intact; a failed export leaves neither
# entries nor a file; a places export (no personal data) adds none; a people export is
# refused beside a running server (its audit is a write).
# Run by scripts/run-cli-tests.sh in a fresh directory with $MUSTER set; needs sqlite3
# and curl. Kills only the server it started.
set -u
M=${MUSTER:?set MUSTER to the muster binary}
failures=0
server=
. "$(dirname "$0")/lib.sh"
cleanup() { [ -n "$server" ] && kill -9 "$server" 2>/dev/null; return 0; }
trap cleanup EXIT
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1"; }
exported() { q "SELECT count(*) FROM audit WHERE action = 'cli export people'"; }

DB=e.db
run init 0 "$M" init --db "$DB"
run gen 0 "$M" city generate --preset guangzhou-2021 --scale 0.0001 --seed 3 --db "$DB"
printf 'a-long-password-1\n' >pw.txt
run auditor 0 "$M" user add aud --role auditor --place 440100 --password-stdin --db "$DB" <pw.txt
people=$(q "SELECT count(*) FROM people")
[ "$people" -gt 100 ] || fail "a city of $people people is too small for the test"
# Person N: one in the middle, and the district it lives in.
N=$(q "SELECT id FROM people ORDER BY id LIMIT 1 OFFSET $((people / 2))")
me="cli:$(id -un)"

# ---- places: no personal data, no entry --------------------------------------------------
before=$(q "SELECT count(*) FROM audit")
run places 0 "$M" export places --db "$DB" --output places.csv
eq "$(q "SELECT count(*) FROM audit")" "$before" "audit entries after a places export"

# ---- the whole city to a file: one entry per person, and a summary ------------------------
run all 0 "$M" export people --db "$DB" --output people.csv
has all.err "exported $people people to people.csv"
eq "$(($(wc -l <people.csv) - 1))" "$people" "people in the file"
eq "$(stat -c %a people.csv)" 600 "the mode of a personal-data export"
eq "$(q "SELECT count(*) FROM audit WHERE action = 'cli export people' AND record LIKE 'person:%'")" \
  "$people" "one entry per person exported"
eq "$(q "SELECT count(DISTINCT record) FROM audit WHERE action = 'cli export people'
         AND record LIKE 'person:%'")" "$people" "every person exported has their own entry"
eq "$(q "SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM audit a
         WHERE a.record = 'person:' || p.id AND a.action = 'cli export people')")" 0 \
  "people exported without an entry"
eq "$(q "SELECT actor || ' ' || actor_kind FROM audit WHERE record = 'person:$N'")" "$me 0" \
  "the actor of person $N's entry"
eq "$(q "SELECT record FROM audit ORDER BY id DESC LIMIT 1")" "place:440100 people:$people" \
  "the summary entry"
run verify 0 "$M" audit verify --db "$DB"
has verify.out "audit chain intact: $(q "SELECT count(*) FROM audit") entries"
ls people.csv.* >/dev/null 2>&1 && fail "a staging file was left beside the export"

# ---- a subtree to stdout: only its people ----------------------------------------------------
hh=$(q "SELECT household_id FROM people WHERE id = $N")
street=$(q "WITH RECURSIVE up(id, parent, level, code) AS
  (SELECT id, parent_id, level, code FROM places WHERE id = $hh
   UNION ALL SELECT p.id, p.parent_id, p.level, p.code FROM places p JOIN up ON p.id = up.parent)
  SELECT code FROM up WHERE level = 2")
[ -n "$street" ] || fail "no street above person $N"
before=$(exported)
run sub 0 "$M" export people --place "$street" --db "$DB"
sub=$(($(wc -l <sub.out) - 1))
[ "$sub" -gt 0 ] && [ "$sub" -lt "$people" ] || fail "a street's export of $sub people"
eq "$(exported)" "$((before + sub + 1))" "entries after a street's export (its people and a summary)"
eq "$(q "SELECT count(*) FROM audit WHERE record = 'person:$N'")" 2 "person $N's entries after two exports"
eq "$(q "SELECT record FROM audit ORDER BY id DESC LIMIT 1")" "place:$street people:$sub" \
  "the street's summary entry"

# ---- failures leave no entry and no file -----------------------------------------------------
before=$(q "SELECT count(*) FROM audit")
run nowhere 1 "$M" export people --place NOPE --db "$DB"
run nodir 1 "$M" export people --db "$DB" --output nodir/p.csv
mkdir ro && chmod 500 ro
if [ -w ro ]; then
  echo "(running as a user who writes anywhere: the unwritable directory is skipped)"
else
  run unwritable 1 "$M" export people --db "$DB" --output ro/p.csv
  [ -e ro/p.csv ] && fail "an export into an unwritable directory left a file"
fi
# An existing file is kept when the export fails (here: the key file does not open it).
cp "$DB.key" key.bak
cp people.csv keep.csv
head -c 64 /dev/urandom | base64 -w0 | head -c 64 >"$DB.key"
run badkey 1 "$M" export people --db "$DB" --output keep.csv
cp key.bak "$DB.key" && chmod 600 "$DB.key"
cmp -s keep.csv people.csv || fail "a failed export changed the file it would have replaced"
ls keep.csv.* >/dev/null 2>&1 && fail "a failed export left its staging file"
eq "$(q "SELECT count(*) FROM audit")" "$before" "audit entries after failed exports"

# ---- beside a running server: refused; the entries found by person through the API ----------
"$M" serve --listen 127.0.0.1:0 --db "$DB" --quiet >serve.out 2>serve.err &
server=$!
url=
for _ in $(seq 300); do
  url=$(awk '/listening on/ {print $3}' serve.out 2>/dev/null)
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { fail "the server did not start"; cat serve.err; exit 1; }
run beside 1 "$M" export people --db "$DB" --output beside.csv
[ -e beside.csv ] && fail "a people export beside the server wrote a file"
run beside_places 0 "$M" export places --db "$DB" --output beside_places.csv
curl -s -c jar -H 'Content-Type: application/json' \
  -d '{"username":"aud","password":"a-long-password-1"}' "$url/api/v1/session" >signin.json
contains signin.json '"aud"'
curl -s -b jar "$url/api/v1/audit?record=person:$N" >found.json
n=$(grep -o '"action": *"cli export people"' found.json | wc -l)
eq "$n" 2 "person $N's exports found through GET /api/v1/audit?record=person:$N"
contains found.json "\"$me\""
kill -TERM "$server"
wait "$server"
eq "$?" 0 "server exit status after SIGTERM"
server=

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"
