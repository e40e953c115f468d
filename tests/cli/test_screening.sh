#!/usr/bin/env bash
# test_screening.sh: `muster round|site|lab|results` and `token issue --site/--lab` end
# to end on a tiny hand-made city: usage errors, a round id alone on stdout, the
# planner against hand-computed Dorfman figures, results import all-or-nothing (and
# --skip-invalid), and the report's figures after the results.
# Run by scripts/run-cli-tests.sh in a fresh directory with $MUSTER set; needs sqlite3.
set -u
M=${MUSTER:?set MUSTER to the muster binary}
failures=0

. "$(dirname "$0")/lib.sh"
q() { sqlite3 "$DB" "$1"; }

DB=s.db
# A city, a district, a street, a community, one grid, compound, building, two
# households of 6 and 4 people (resident IDs with valid check digits).
cat >places.csv <<'CSV'
code,parent_code,level,name
C,,city,城
D,C,district,区
S,D,street,街
M,S,community,社区
G,M,grid,网格
P,G,compound,小区
B,P,building,楼
H1,B,household,一户
H2,B,household,二户
CSV
id() { # id NNN → an 18-digit resident ID with its check digit
  local body="440106198001010$1" w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) s=0 i
  for i in $(seq 0 16); do s=$((s + ${body:$i:1} * ${w[$i]})); done
  echo "$body$(echo 1 0 X 9 8 7 6 5 4 3 2 | cut -d' ' -f$((s % 11 + 1)))"
}
{
  echo "id_type,id_number,name,sex,birth_date,phone,household_code"
  for i in $(seq 10 19); do
    hh=H1; [ "$i" -ge 16 ] && hh=H2
    sex=M; [ $((i % 2)) -eq 0 ] && sex=F # the 17th digit: odd for men
    echo "resident_id,$(id "$i"),居民$i,$sex,1980-01-01,,$hh"
  done
} >people.csv
run init 0 "$M" init --db "$DB"
run places 0 "$M" import places places.csv --db "$DB"
run people 0 "$M" import people people.csv --db "$DB"

# ---- plan: Dorfman against hand-computed values -----------------------------------------
run help_round 0 "$M" round --help
contains help_round.out "tests_per_person"
run plan 0 "$M" round plan --scope D --pool 10 --prevalence 0.001 --db "$DB"
contains plan.out "tests per person:      0.1100"
run plan_json 0 "$M" round plan --scope D --pool 10 --prevalence 0.001 --desks 1 --lab-capacity 24 --json --db "$DB"
# E = 1/10 + 1 - 0.999^10 = 0.1099551...; 10 people: 1 tube, 1 desk of 405 a day:
# 10/405*24 h = 0.5926 h; the lab: (1 + 10*(1-0.999^10)) tubes / 24 a day * 24 h.
node -e '
const j = JSON.parse(require("fs").readFileSync("plan_json.out", "utf8"));
const near = (a, b, what) => { if (Math.abs(a - b) > 5e-5) { console.log(`FAIL: ${what} ${a} != ${b}`); process.exitCode = 1; } };
near(j.tests_per_person, 0.1100, "tests_per_person");
near(j.tests_per_person, 0.1 + 1 - Math.pow(0.999, 10), "tests_per_person exact");
if (j.people !== 10 || j.tubes !== 1 || j.desks !== 1 || j.pool !== 10) { console.log("FAIL: plan counts " + JSON.stringify(j)); process.exitCode = 1; }
near(j.sampling_hours, 10 / 405 * 24, "sampling_hours");
near(j.positive_tubes, 1 - Math.pow(0.999, 10), "positive_tubes");
near(j.recalls, 10 * (1 - Math.pow(0.999, 10)), "recalls");
near(j.lab_hours, 1 + 10 * (1 - Math.pow(0.999, 10)), "lab_hours");
' || fail "plan --json figures"
run plan_k1 0 "$M" round plan --scope D --pool 1 --prevalence 0.01 --json --db "$DB"
contains plan_k1.out '"tests_per_person": 1'
run plan_noprev 2 "$M" round plan --scope D --pool 10 --db "$DB"
run plan_badprev 2 "$M" round plan --scope D --pool 10 --prevalence 1.5 --db "$DB"
run plan_noscope 1 "$M" round plan --scope NOWHERE --pool 10 --prevalence 0.01 --db "$DB"

# ---- round create / close -----------------------------------------------------------------
run create_nosub 2 "$M" round --db "$DB"
run create_badsub 2 "$M" round frob --db "$DB"
run create_noname 2 "$M" round create --scope D --pool 10 --db "$DB"
run create_badpool 2 "$M" round create --scope D --name 第一轮 --pool 3 --db "$DB"
run create_badtime 2 "$M" round create --scope D --name 第一轮 --pool 10 --starts soon --db "$DB"
run create_noscope 1 "$M" round create --scope NOWHERE --name 第一轮 --pool 10 --db "$DB"
run create 0 "$M" round create --scope D --name 第一轮 --pool 10 --starts 2021-05-31 --ends 2021-06-01T12:00:00+08:00 --db "$DB"
lines create.out 1
grep -qxE '[0-9]+' create.out || fail "round create: stdout is not an id alone"
R=$(cat create.out)
eq "$(q "SELECT pool_k || ',' || pool_high || ',' || pool_medium || ',' || ends FROM rounds WHERE id = $R")" "10,1,10,1622520000" "the round row"

# ---- sites, labs, tokens --------------------------------------------------------------------
run site_help 0 "$M" site --help
run site_missing 2 "$M" site add --code S1 --place M --db "$DB"
run site_baddesks 2 "$M" site add --code S1 --place M --name 点 --desks 0 --db "$DB"
run site_noplace 1 "$M" site add --code S1 --place NOWHERE --name 点 --desks 2 --db "$DB"
run site 0 "$M" site add --code S1 --place M --name 一号点 --desks 2 --db "$DB"
run site_taken 1 "$M" site add --code S1 --place M --name 一号点 --desks 2 --db "$DB"
run lab_help 0 "$M" lab --help
run lab_badcap 2 "$M" lab add --code L1 --name 实验室 --capacity -1 --db "$DB"
run lab 0 "$M" lab add --code L1 --name 实验室 --capacity 1000 --db "$DB"
run lab2 0 "$M" lab add --code L2 --name 实验室二 --capacity 1000 --db "$DB"
run tok_site 0 "$M" token issue --site S1 --db "$DB"
eq "$(q "SELECT p.code FROM devices d JOIN places p ON p.id = d.place_id WHERE d.code = 'S1'")" M "site token at the site's place"
run tok_nosite 1 "$M" token issue --site S9 --db "$DB"
run tok_nolab 1 "$M" token issue --lab L9 --db "$DB"

# ---- results import: all-or-nothing ---------------------------------------------------------
# Tubes as the scan path leaves them: T1 (people 1-6) and T2 (7-10) received by L1,
# T3 open. The API tests drive the scan path itself; here the rows are made directly.
q "INSERT INTO tubes (id, barcode, round_id, site_id, capacity, n, state, opened_at, sealed_at, lab_id, received_at)
   VALUES (1, 'T1', $R, 1, 10, 6, 2, 1, 2, 1, 3), (2, 'T2', $R, 1, 10, 4, 2, 1, 2, 1, 3), (3, 'T3', $R, 1, 10, 0, 0, 1, NULL, NULL, NULL);
   INSERT INTO samples (scan_id, round_id, tube_id, person_id, household_id, sampled_at)
   SELECT 'scan-' || p.id, $R, CASE WHEN p.household_id = (SELECT id FROM places WHERE code = 'H1') THEN 1 ELSE 2 END,
          p.id, p.household_id, 2 FROM people p;"
cat >bad.csv <<'CSV'
tube,result,ct_orf1ab,ct_n,at
T1,negative,,,2021-06-01T10:00:00Z
T2,positive,30.5,31,
T9,negative,,,
T3,negative,,,
T1,maybe,,,
T2,negative,abc,,
CSV
run res_help 0 "$M" results --help
run res_nolab 2 "$M" results import bad.csv --db "$DB"
run res_unknownlab 1 "$M" results import bad.csv --lab L9 --db "$DB"
run res_bad 1 "$M" results import bad.csv --lab L1 --db "$DB"
contains res_bad.err "bad.csv:4: tube T9: no such tube"
contains res_bad.err "bad.csv:5: tube T3 is still open"
contains res_bad.err "bad.csv:6: result must be"
contains res_bad.err "bad.csv:7: ct_orf1ab is not a number"
eq "$(grep -c '^bad.csv:' res_bad.err)" 4 "four bad rows listed"
eq "$(q "SELECT count(*) FROM tubes WHERE state = 3")" 0 "nothing recorded"
eq "$(q "SELECT count(*) FROM recalls")" 0 "no recall"
run res_otherlab 1 "$M" results import bad.csv --lab L2 --db "$DB"
contains res_otherlab.err "bad.csv:2: tube T1 was received by another lab"
run res_skip 0 "$M" results import bad.csv --lab L1 --skip-invalid rejects.csv --db "$DB"
contains res_skip.out "recorded 2 results, rejected 4"
lines rejects.csv 5
contains rejects.csv "T9,negative,,,,tube T9: no such tube"
eq "$(q "SELECT barcode || ':' || result FROM tubes WHERE state = 3 ORDER BY id" | tr '\n' ' ')" "T1:0 T2:1 " "T1 negative, T2 positive"
eq "$(q "SELECT count(*) FROM recalls WHERE state = 0 AND grid_id = (SELECT id FROM places WHERE code = 'G')")" 4 "four recalls on grid G"
printf 'tube,result,ct_orf1ab,ct_n,at\nT1,positive,,,\n' >again.csv
run res_again 1 "$M" results import again.csv --lab L1 --db "$DB"
contains res_again.err "again.csv:2: tube T1 already has a result"
printf 'tube,result\nT1,positive\n' >hdr.csv
run res_header 1 "$M" results import hdr.csv --lab L1 --db "$DB"
contains res_header.err "hdr.csv:1: header must be"

# ---- report: the coverage figures ------------------------------------------------------------
run report_nosub 2 "$M" round report --db "$DB"
run report_ghost 1 "$M" round report 99 --db "$DB"
run report 0 "$M" round report "$R" --db "$DB"
contains report.out "D"
run report_json 0 "$M" round report "$R" --place G --json --db "$DB"
node -e '
const j = JSON.parse(require("fs").readFileSync("report_json.out", "utf8"));
const want = { place: "G", expected: 10, sampled: 10, resulted: 10, negative: 6, pool_positive: 4, positive: 0, coverage: 1 };
for (const [k, v] of Object.entries(want)) if (j[k] !== v) { console.log(`FAIL: report ${k} = ${j[k]}, wanted ${v}`); process.exitCode = 1; }
if (j.children.length !== 1 || j.children[0].place !== "P" || j.children[0].sampled !== 10) { console.log("FAIL: report children " + JSON.stringify(j.children)); process.exitCode = 1; }
' || fail "report --json figures"
contains report.out "progress (whole round)"
node -e '
const p = JSON.parse(require("fs").readFileSync("report_json.out", "utf8")).progress;
const r = p.results, t = p.tubes;
if (!(t.resulted >= 1 && r.negative + r.positive + r.invalid === t.resulted && t.opened >= t.sealed &&
  t.sealed >= t.received && t.received >= t.resulted && p.samples >= 10 && p.turnaround.tubes === t.resulted &&
  p.backlog.received_not_resulted === t.received - t.resulted && p.backlog.sealed_not_received === t.sealed - t.received))
  { console.log("FAIL: report progress " + JSON.stringify(p)); process.exitCode = 1; }
' || fail "report --json progress"

# ---- close ----------------------------------------------------------------------------------------
run close_bad 2 "$M" round close abc --db "$DB"
run close 0 "$M" round close "$R" --db "$DB"
run close_again 1 "$M" round close "$R" --db "$DB"
run close_ghost 1 "$M" round close 99 --db "$DB"
eq "$(q "SELECT count(*) FROM audit WHERE action LIKE 'cli round %' OR action LIKE 'cli site %' OR action LIKE 'cli lab %' OR action = 'cli results import'")" 6 "audited CLI changes"
run verify 0 "$M" audit verify --db "$DB"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "test_screening.sh: all passed"
