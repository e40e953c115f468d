#!/usr/bin/env bash
# test_case.sh: `muster case open|contacts` end to end on a tiny hand-made city: usage
# errors, a case id alone on stdout, a second open case refused, the household and a
# building listed as close contacts with their statuses, a later exposure moving them.
# Run by scripts/run-cli-tests.sh in a fresh directory with $MUSTER set; needs sqlite3.
set -u
M=${MUSTER:?set MUSTER to the muster binary}
failures=0

. "$(dirname "$0")/lib.sh"
q() { sqlite3 "$DB" "$1"; }

DB=c.db
# One building of two households (3 and 2 people) and a second building of one.
cat >places.csv <<'CSV'
code,parent_code,level,name
C,,city,城
D,C,district,区
S,D,street,街
M,S,community,社区
G,M,grid,网格
P,G,compound,小区
B1,P,building,一栋
B2,P,building,二栋
H1,B1,household,101
H2,B1,household,102
H3,B2,household,201
CSV
{
  echo "id_type,id_number,name,sex,birth_date,phone,household_code"
  for i in 1 2 3 4 5 6; do
    hh=H1; [ "$i" -ge 4 ] && hh=H2; [ "$i" -ge 6 ] && hh=H3
    echo "passport,E0000000$i,居民$i,F,1980-01-01,,$hh"
  done
} >people.csv
run init 0 "$M" init --db "$DB"
run places 0 "$M" import places places.csv --db "$DB"
run people 0 "$M" import people people.csv --db "$DB"
p1=$(q "SELECT min(id) FROM people")

run help 0 "$M" case --help
contains help.out "muster case open --person PERSON"
run nosub 2 "$M" case --db "$DB"
run badkind 2 "$M" case open --person "$p1" --kind mild --db "$DB"
run badopt 2 "$M" case open --person "$p1" --kind confirmed --household --db "$DB"
run nobody 1 "$M" case open --person E99999999 --kind confirmed --db "$DB"

run open 0 "$M" case open --person E00000001 --kind confirmed --onset 2021-06-01 \
  --confirmed-at 2021-06-03T10:00:00+08:00 --hospital 市八医院 --db "$DB"
lines open.out 1
id=$(cat open.out)
eq "$(q "SELECT person_id || ' ' || kind || ' ' || onset || ' ' || hospital FROM cases WHERE id = $id")" \
  "$p1 confirmed 2021-06-01 市八医院" "the case row"
eq "$(q "SELECT count(*) FROM key_statuses WHERE person_id = $p1 AND kind = 'case' AND ended_at IS NULL")" 1 \
  "the case status"
run again 1 "$M" case open --person "$p1" --kind asymptomatic --db "$DB"
contains again.err "already has an open case ($id)"

run need 2 "$M" case contacts "$id" --household --db "$DB"
run both 2 "$M" case contacts "$id" --household --building B1 --last-exposure 2021-06-02T20:00:00+08:00 --db "$DB"
run nocase 1 "$M" case contacts 999 --household --last-exposure 2021-06-02T20:00:00+08:00 --db "$DB"
run household 0 "$M" case contacts "$id" --household --last-exposure 2021-06-02T20:00:00+08:00 --db "$DB"
has household.out "added 2 moved 0 duplicate 0 refused 0"
run building 0 "$M" case contacts "$id" --building B1 --last-exposure 2021-06-02T20:00:00+08:00 --db "$DB"
has building.out "added 2 moved 0 duplicate 2 refused 0"
run later 0 "$M" case contacts "$id" --building B1 --last-exposure 2021-06-03T08:00:00+08:00 --db "$DB"
has later.out "added 0 moved 4 duplicate 0 refused 0"
eq "$(q "SELECT count(*) FROM key_statuses WHERE kind = 'close' AND ended_at IS NULL AND exposure_at = 1622678400")" 4 \
  "four close statuses moved to the later exposure"
eq "$(q "SELECT count(*) FROM contacts WHERE case_id = $id AND setting = 'building'")" 2 "the building's rows"
eq "$(q "SELECT count(*) FROM audit WHERE action = 'cli case contacts'")" 3 "each listing audited"

exit $((failures > 0))
