#!/usr/bin/env bash
# test_plan.sh: `muster plan templates|template add|use` end to end: the built-in
# templates listed with the kinds using them, usage errors, a bad file refused with the
# member at fault and nothing stored, a good one added (named by --name or the file),
# a kind switched to another template, each change audited.
# Run by scripts/run-cli-tests.sh in a fresh directory with $MUSTER set; needs sqlite3.
set -u
M=${MUSTER:?set MUSTER to the muster binary}
failures=0

. "$(dirname "$0")/lib.sh"
q() { sqlite3 "$DB" "$1"; }

DB=p.db
run init 0 "$M" init --db "$DB"

# ---- the built-in templates ----------------------------------------------------------------
run list 0 "$M" plan templates --db "$DB"
lines list.out 5
for t in cn8-close cn8-secondary cn8-sealed cn9-close cn9-secondary; do contains list.out "$t"; done
eq "$(awk '$1 == "cn8-close" {print $2}' list.out)" close "cn8-close is used by close"
eq "$(awk '$1 == "cn9-close" {print $2}' list.out)" - "cn9-close unused"
contains list.out '"every":1'

# ---- usage -----------------------------------------------------------------------------------
run none 2 "$M" plan --db "$DB"
run ghost 2 "$M" plan remove --db "$DB"
run add_nofile 2 "$M" plan template add --db "$DB"
run use_half 2 "$M" plan use --kind close --db "$DB"
run list_opt 2 "$M" plan templates --kind close --db "$DB"

# ---- template add: refused files store nothing ------------------------------------------------
printf '{"phases":[{"kind":"home_quarantine","from":1,"to":5}],"tests":[1,9]}' >late.json
run add_late 1 "$M" plan template add late.json --db "$DB"
contains add_late.err "tests: a test day lies after the last phase"
printf '{"phases":[{"kind":"jail","from":1,"to":5}],"tests":[1]}' >jail.json
run add_jail 1 "$M" plan template add jail.json --db "$DB"
contains add_jail.err "phases:"
printf 'not json' >junk.json
run add_junk 1 "$M" plan template add junk.json --db "$DB"
run add_missing 1 "$M" plan template add nowhere.json --db "$DB"
eq "$(q "SELECT count(*) FROM plan_templates")" 5 "nothing stored from bad files"

printf '{"phases":[{"kind":"home_quarantine","from":1,"to":5}],"tests":[1,5]}' >home-5.json
run add 0 "$M" plan template add home-5.json --db "$DB"
run add_named 0 "$M" plan template add home-5.json --name local-b --db "$DB"
run add_again 1 "$M" plan template add home-5.json --db "$DB"
contains add_again.err "exists already"
eq "$(q "SELECT count(*) FROM plan_templates WHERE name IN ('home-5', 'local-b')")" 2 "added by file and by --name"

# ---- use -------------------------------------------------------------------------------------
run use 0 "$M" plan use --kind secondary --template home-5 --db "$DB"
eq "$(q "SELECT template FROM plan_uses WHERE kind = 'secondary'")" home-5 "secondary uses home-5"
run use_case 1 "$M" plan use --kind case --template home-5 --db "$DB"
run use_ghost 1 "$M" plan use --kind close --template nope --db "$DB"
eq "$(q "SELECT template FROM plan_uses WHERE kind = 'close'")" cn8-close "close unchanged"

eq "$(q "SELECT count(*) FROM audit WHERE action LIKE 'cli plan %'")" 3 "audited CLI changes"
run verify 0 "$M" audit verify --db "$DB"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "test_plan.sh: all passed"
