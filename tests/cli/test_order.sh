#!/usr/bin/env bash
# test_order.sh: `muster order` end to end on a tiny hand-made city: usage errors, an
# order's id alone on stdout, targets below the issuing unit only, a street forwarding
# to its communities, a done kept as reported until the last community is done, the
# roll-up `order show` prints, and one audit entry per change.
# Run by scripts/run-cli-tests.sh in a fresh directory with $MUSTER set; needs sqlite3.
set -u
M=${MUSTER:?set MUSTER to the muster binary}
failures=0

. "$(dirname "$0")/lib.sh"
q() { sqlite3 "$DB" "$1"; }

DB=o.db
cat >places.csv <<'CSV'
code,parent_code,level,name
C,,city,城
D,C,district,区
S1,D,street,一街
S2,D,street,二街
M11,S1,community,一社区
M12,S1,community,二社区
D2,C,district,他区
T1,D2,street,他街
CSV
run init 0 "$M" init --db "$DB"
run places 0 "$M" import places places.csv --db "$DB"

run help 0 "$M" order --help
contains help.out "forward"
run nosub 2 "$M" order --db "$DB"
run bad_level 2 "$M" order issue --title t --text x --level building --under D --db "$DB"
run no_target 2 "$M" order ack 1 --db "$DB"
run no_by 2 "$M" order issue --title t --text x --targets S1 --db "$DB"

# Outside the issuing unit, or the unit itself: refused, nothing written.
run outside 1 "$M" order issue --title t --text x --targets T1 --by D --db "$DB"
run itself 1 "$M" order issue --title t --text x --targets D --by D --db "$DB"
eq "$(q 'SELECT count(*) FROM orders')" 0 "orders after refusals"

run issue 0 "$M" order issue --title 全员核酸 --text 今日完成 --level street --under D \
  --due 2030-01-01T00:00:00Z --db "$DB"
has issue.out 1
eq "$(q 'SELECT count(*) FROM order_targets')" 2 "targets of the order"
run forward 0 "$M" order forward 1 --target S1 --level community --db "$DB"
run again 1 "$M" order forward 1 --target S1 --level community --db "$DB"
run s1_done 0 "$M" order done 1 --target S1 --db "$DB"
contains s1_done.err "S1 is acknowledged"
run m11 0 "$M" order done 1 --target M11 --note 完成 --db "$DB"
eq "$(q "SELECT state FROM order_targets t JOIN places p ON p.id = t.place_id WHERE p.code = 'S1'")" 1 "S1 before its last community"
run m12 0 "$M" order done 1 --target M12 --db "$DB"
eq "$(q "SELECT state FROM order_targets t JOIN places p ON p.id = t.place_id WHERE p.code = 'S1'")" 2 "S1 after its last community"
run s2 0 "$M" order blocked 1 --target S2 --note 封控 --db "$DB"
run none 1 "$M" order ack 1 --target T1 --db "$DB"

run show 0 "$M" order show 1 --db "$DB"
has show.out "street                2        1        1        0        2"
has show.out "community             2        2        0        0        2"
run show_json 0 "$M" order show 1 --json --db "$DB"
contains show_json.out '"blocked_below": 0'
run missing 1 "$M" order show 9 --db "$DB"
eq "$(q "SELECT count(*) FROM audit WHERE record = 'order:1'")" 6 "audit entries of the changes"

run verify 0 "$M" audit verify --db "$DB"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "test_order.sh: all passed"
