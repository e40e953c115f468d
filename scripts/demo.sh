#!/usr/bin/env bash
# make demo: a fresh demo city (the guangzhou-2021 preset at a small scale), its
# figures, a screening round over 荔湾区 (440103) at 10-in-1 in progress — one sampling
# site per street, `muster drill screening` walking the streets one after another in
# the background at DRILL_RATE scans/s (default 20) with a lab posting results after
# each street — and `muster serve` (the web app and the API) on http://127.0.0.1:8080
# with one demo user per role, until Ctrl-C (which stops the server and the drill).
# Usage: scripts/demo.sh DB_PATH SCALE   (LISTEN=ADDR:PORT to move the server)
set -eu
db=${1:-build/demo/muster.db}
scale=${2:-0.01}
listen=${LISTEN:-127.0.0.1:8080}
bin=build/muster
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm" "$db-journal" "$db.key"

echo "== creating $db"
init_out=$("$bin" init --db "$db")
echo "$init_out"
password=$(printf '%s\n' "$init_out" | awk '/admin password:/ {print $3}')

echo
echo "== generating the guangzhou-2021 demo city at scale $scale"
"$bin" city generate --preset guangzhou-2021 --scale "$scale" --seed 2021 --db "$db"
echo
echo "== the city"
"$bin" stats --db "$db"
echo
echo "== 荔湾区 (440103)"
"$bin" stats --place 440103 --db "$db"

echo
echo "== a screening round over 荔湾区 (440103) at 10-in-1, a site per street, a lab"
round=$("$bin" round create --scope 440103 --name "荔湾区 demo round" --pool 10 --db "$db")
dir=$(dirname "$db")
streets=$(sqlite3 "$db" "SELECT p.code FROM places p JOIN places d ON d.id = p.parent_id
                         WHERE d.code = '440103' ORDER BY p.code")
: >"$dir/sites.txt"
for s in $streets; do
  "$bin" site add --code "S$s" --place "$s" --name "采样点 $s" --desks 10 --db "$db" 2>/dev/null
  echo "$s $("$bin" token issue --site "S$s" --db "$db" 2>/dev/null)" >>"$dir/sites.txt"
done
"$bin" lab add --code L1 --name 金域检验 --capacity 350000 --db "$db" 2>/dev/null
lab_token=$("$bin" token issue --lab L1 --db "$db" 2>/dev/null)
echo "round $round; $(wc -l <"$dir/sites.txt") sites (S<street code>); lab L1"

# ---- zones ----
# A medium-risk zone on a building and a sealed high-risk zone on a compound of 荔湾区:
# the round pools at most 5 in the first and samples single tubes in the second, whose
# residents are sealed (key persons with a file); /zones shows both with their proposals.
zone_building=$(sqlite3 "$db" "SELECT code FROM places WHERE level = 6 AND code LIKE '440103%' AND n_people > 0 ORDER BY n_people DESC, code LIMIT 1")
zone_compound=$(sqlite3 "$db" "SELECT code FROM places WHERE level = 5 AND code LIKE '440103%' AND n_people > 0 AND '$zone_building' NOT LIKE code || '%' ORDER BY n_people DESC, code LIMIT 1")
echo
echo "== risk zones: medium on building $zone_building, sealed high on compound $zone_compound"
[ -z "$zone_building" ] || "$bin" zone add --place "$zone_building" --level medium --reason "次密接所在楼栋" --db "$db" >/dev/null
[ -z "$zone_compound" ] || "$bin" zone add --place "$zone_compound" --level high --measures sealed --reason "本土病例所在小区" --db "$db" >/dev/null
"$bin" zone list --place 440103 --db "$db"

# One user per role to explore the web app with, all with one password made here (never
# stored anywhere but the database, as an argon2id hash).
demo_pw=$(head -c 15 /dev/urandom | base32 | tr -d '=' | tr 'A-Z' 'a-z')
city=$(sqlite3 "$db" "SELECT code FROM places WHERE level = 0")
first_street=$(head -1 "$dir/sites.txt" | cut -d' ' -f1)
grid=$(sqlite3 "$db" "SELECT code FROM places WHERE level = 4 AND code LIKE '$first_street%' ORDER BY n_people DESC LIMIT 1")
adduser() { printf '%s\n' "$demo_pw" | "$bin" user add "$1" --role "$2" --place "$3" --password-stdin --db "$db" >/dev/null; }
adduser commander commander "$city"
adduser liwan commander 440103
adduser grid grid_worker "$grid"
adduser sampler sampler "$first_street"
adduser lab lab "$city"
adduser auditor auditor "$city"

# ---- orders ----
echo
echo "== an order from 荔湾区 to its streets, forwarded by two of them, partly acknowledged"
order=$("$bin" order issue --title "全员核酸检测" --text "今日24时前完成辖区全员核酸检测，逐级签收" \
  --level street --under 440103 --db "$db" 2>/dev/null)
read -r o_s1 o_s2 o_s3 _ <<<"$(echo $streets)"
for s in "$o_s1" "$o_s2"; do
  "$bin" order forward "$order" --target "$s" --level community --db "$db" 2>/dev/null
done
for c in $(sqlite3 "$db" "SELECT code FROM places WHERE level = 3 AND code LIKE '$o_s1%' ORDER BY code LIMIT 3"); do
  "$bin" order ack "$order" --target "$c" --db "$db" 2>/dev/null
done
"$bin" order done "$order" --target "$(sqlite3 "$db" "SELECT code FROM places WHERE level = 3 AND code LIKE '$o_s1%' ORDER BY code LIMIT 1")" \
  --note "已完成" --db "$db" 2>/dev/null
"$bin" order done "$order" --target "$o_s1" --note "已部署，待各社区完成" --db "$db" 2>/dev/null
"$bin" order ack "$order" --target "$o_s3" --db "$db" 2>/dev/null
"$bin" order show "$order" --db "$db" | sed -n 1,5p
echo "(the tracker: /orders/$order on the web, as liwan)"

# ---- calls ----
# ~20 calls for help over 荔湾区's households, mixed categories and priorities, logged
# over the last five hours: the urgent ones older than their deadline climb the ladder
# (one sweep here; the server sweeps every 2 s after). An operator of the district logs more.
echo
echo "== calls for help in 荔湾区"
adduser operator operator 440103
cats=(medicine food medical dialysis pregnancy transport mental other)
texts=(需要降压药 家中缺米缺油 老人胸闷气短 透析患者需送医院 孕妇临近预产期 需要转运就医 独居老人情绪低落 宠物无人照看)
homes=$(sqlite3 "$db" "SELECT code FROM places WHERE level = 7 AND code LIKE '440103%' ORDER BY random() LIMIT 20")
i=0
for h in $homes; do
  prio=normal
  [ $((i % 3)) -eq 0 ] && prio=urgent
  at=$(date -u -d "@$(($(date +%s) - (i * 937) % 18000))" +%Y-%m-%dT%H:%M:%SZ)
  "$bin" call log --place "$h" --category "${cats[$((i % 8))]}" --priority "$prio" \
    --text "${texts[$((i % 8))]}" --phone "1380013$((8000 + i))" --at "$at" --db "$db" >/dev/null
  i=$((i + 1))
done
echo "$i calls logged; $("$bin" call sweep --db "$db") rungs climbed by the overdue ones"

# ---- forces ----
# 芳村花园 formed as in June 2021 (the largest compound of 白鹤洞街 when the generated city
# has no 芳村花园), and the 483-person sampling squad from 7 hospitals sent to 中南街 and
# 白鹤洞街 in one call, on a 12-hour shift that holds now. The squad is hospital staff, not
# residents: its size is the article's at every scale.
echo
echo "== forces: forming 芳村花园, the squad from 7 hospitals to 中南街 and 白鹤洞街"
compound=$(sqlite3 "$db" "SELECT code FROM places WHERE level = 5 AND name = '芳村花园' LIMIT 1")
[ -n "$compound" ] || compound=$(sqlite3 "$db" "SELECT c.code FROM places c JOIN places s
  ON c.code LIKE s.code || '%' WHERE c.level = 5 AND s.level = 2 AND s.name = '白鹤洞街'
  ORDER BY c.n_people DESC LIMIT 1")
[ -n "$compound" ] && "$bin" forces form --compound "$compound" --db "$db"
zhongnan=$(sqlite3 "$db" "SELECT code FROM places WHERE level = 2 AND name = '中南街' LIMIT 1")
baihedong=$(sqlite3 "$db" "SELECT code FROM places WHERE level = 2 AND name = '白鹤洞街' LIMIT 1")
if [ -n "$zhongnan" ] && [ -n "$baihedong" ]; then
  "$bin" forces squad --name "中南街白鹤洞街核酸采样队" --size 483 --duty sampling \
    --hospitals "广东省人民医院,中山大学附属第一医院,南方医院,广州市第一人民医院,广州医科大学附属第一医院,广东省中医院,广州市红十字会医院" \
    --at "$zhongnan,$baihedong" --from "$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)" \
    --to "$(date -u -d '+10 hours' +%Y-%m-%dT%H:%M:%SZ)" --db "$db"
  echo "the ledger: $bin forces ledger --db $db (or the 人次台账 page)"
fi

# ---- posts ----
# Every street centre and community station is a post (city generate made them). Stock
# at 荔湾区's centres, some moved to a station of three streets, one item left low so that
# the alerts show; then 荔湾区 switches to wartime (its standing shock teams stand up,
# its posts go on round-the-clock duty) and a post hands out against the need.
echo
echo "== service posts and supplies in 荔湾区, and the wartime switch"
centres=$(printf '%s\n' $streets | paste -sd, -)
"$bin" supply add --post "$centres" --item masks --qty 20000 --low-mark 5000 --db "$db" >/dev/null
"$bin" supply add --post "$centres" --item test_kits --qty 3000 --low-mark 1000 --db "$db" >/dev/null
"$bin" supply add --post "$centres" --item food_packs --qty 800 --low-mark 200 --db "$db" >/dev/null
for s in $(printf '%s\n' $streets | head -3); do
  station=$(sqlite3 "$db" "SELECT c.code FROM places c JOIN places s ON s.id = c.parent_id
                           WHERE s.code = '$s' ORDER BY c.code LIMIT 1")
  [ -n "$station" ] && "$bin" supply move --from "$s" --to "$station" --item food_packs --qty 300 \
    --db "$db" >/dev/null
done
"$bin" supply add --post "$first_street" --item ppe --qty 40 --low-mark 100 --db "$db" >/dev/null
"$bin" supply handout --post "$first_street" --item masks --qty 500 --db "$db" >/dev/null
"$bin" wartime on --place 440103 --reason "本土疫情：荔湾区启动战时机制" --db "$db"
"$bin" post list --place "$first_street" --db "$db" | head -3

# ---- cases ----
# One confirmed case in 荔湾区, its household and its building listed as close contacts
# (muster case open|contacts: the same logic as the API), for the cases page and a chain.
echo
echo "== a confirmed case in 荔湾区 with its household and building as close contacts"
case_person=$(sqlite3 "$db" "SELECT p.id FROM people p JOIN places h ON h.id = p.household_id
  WHERE h.code LIKE '440103%'
  ORDER BY (SELECT count(*) FROM people q WHERE q.household_id = p.household_id) DESC, p.id LIMIT 1")
case_building=$(sqlite3 "$db" "SELECT b.code FROM places b JOIN places h ON h.parent_id = b.id
  JOIN people p ON p.household_id = h.id WHERE p.id = $case_person")
case_id=$("$bin" case open --person "$case_person" --kind confirmed \
  --onset "$(TZ=Asia/Shanghai date -d '-2 day' +%F)" --hospital 广州市第八人民医院 --db "$db" 2>/dev/null)
exposed=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)
echo "case $case_id (person $case_person): household $("$bin" case contacts "$case_id" --household \
  --last-exposure "$exposed" --db "$db"); building $case_building $("$bin" case contacts "$case_id" \
  --building "$case_building" --last-exposure "$exposed" --db "$db")"
# ---- end cases ----

# ---- plans ----
# The plan templates every key person's plan is made from (docs/control.md); the key
# persons the cases and zones steps make get their plans and health codes from them.
echo
echo "== plan templates (muster plan templates; new close contacts' plans use cn8-close)"
"$bin" plan templates --db "$db"

# ---- tasks ----
# A three-person group (a medic, a community cadre, a police officer: demo users of the
# demo grid) holding the grid user's grid, so that its day (/tasks) has a group and the
# community above sees what it misses.
adduser medic grid_worker "$grid"
adduser cadre grid_worker "$grid"
adduser police grid_worker "$grid"
"$bin" group add --grid "$grid" --medic medic --cadre cadre --police police --name "三人小组 $grid" \
  --db "$db" >/dev/null

web=()
[ -f web/dist/index.html ] && web=(--web web/dist)
# The server and the drill run in the background; Ctrl-C (or the end of the server)
# stops the PIDs started here, and only those.
server= drill_loop=
# Every step runs whatever the one before it answered: under `set -e` the kill of a drill
# loop that had already ended (the drill is over long before one presses Ctrl-C) failed,
# ended the cleanup there and left `muster serve` running.
cleanup() {
  set +e
  trap - INT TERM EXIT
  [ -n "$drill_loop" ] && kill "$drill_loop" 2>/dev/null
  [ -f "$dir/drill.pid" ] && kill "$(cat "$dir/drill.pid")" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null
  wait 2>/dev/null
  rm -f "$dir/drill.pid"
  return 0
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT
"$bin" serve --listen "$listen" --db "$db" "${web[@]}" 2>"$dir/serve.log" &
server=$!
host=${listen%:*} port=${listen##*:}
for _ in $(seq 300); do
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || exit 1
  sleep 0.1
done
(
  seed=1
  while read -r s token; do
    "$bin" drill screening --round "$round" --url "http://$listen" --token "$token" \
      --site "S$s" --rate "${DRILL_RATE:-20}" --batch 20 --connections 2 --seed "$seed" \
      --prevalence 0.002 --lab-token "$lab_token" --lab L1 --db "$db" >>"$dir/drill.log" 2>&1 &
    echo $! >"$dir/drill.pid"
    wait $! || true
    seed=$((seed + 1))
  done <"$dir/sites.txt"
) &
drill_loop=$!

echo
echo "== serving on http://$listen  (Ctrl-C stops the server and the drill)"
echo "The drill scans 荔湾区 street by street at ${DRILL_RATE:-20} scans/s; lab results follow"
echo "each street (logs: $dir/drill.log, $dir/serve.log). Round $round."
echo
echo "Open http://$listen/ in a browser and sign in as"
echo "  admin      password $password   (everything)"
echo "  commander  password $demo_pw   (the city: overview, drill-down, recalls, cases: /chains/$case_id)"
echo "  liwan      password $demo_pw   (荔湾区 only)"
echo "  grid       password $demo_pw   (grid $grid: the day's tasks, roll-call)"
echo "  medic, cadre, police  password $demo_pw   (the three-person group of grid $grid)"
echo "  sampler    password $demo_pw   (street $first_street: the sampling page, site S$first_street)"
echo "  lab        password $demo_pw   (the lab page, lab L1)"
echo "  auditor    password $demo_pw   (the audit log)"
echo "  operator   password $demo_pw   (荔湾区 hotline: log and route calls for help)"
echo
echo "Or through the API:"
echo "  curl -c jar -H 'Content-Type: application/json' \\"
echo "       -d '{\"username\":\"admin\",\"password\":\"$password\"}' http://$listen/api/v1/session"
echo "  curl -b jar http://$listen/api/v1/rounds/$round/coverage?place=440103"
echo "  curl -b jar 'http://$listen/api/v1/rounds/$round/recalls?place=440103'"
echo "  build/muster round report $round --db $db"
echo "Other tries: build/muster stats --db $db --json · build/muster user add --help"
wait "$server"
