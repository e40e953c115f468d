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
echo "  commander  password $demo_pw   (the city: overview, drill-down, recalls)"
echo "  liwan      password $demo_pw   (荔湾区 only)"
echo "  grid       password $demo_pw   (grid $grid: roll-call)"
echo "  sampler    password $demo_pw   (street $first_street: the sampling page, site S$first_street)"
echo "  lab        password $demo_pw   (the lab page, lab L1)"
echo "  auditor    password $demo_pw   (the audit log)"
echo
echo "Or through the API:"
echo "  curl -c jar -H 'Content-Type: application/json' \\"
echo "       -d '{\"username\":\"admin\",\"password\":\"$password\"}' http://$listen/api/v1/session"
echo "  curl -b jar http://$listen/api/v1/rounds/$round/coverage?place=440103"
echo "  curl -b jar 'http://$listen/api/v1/rounds/$round/recalls?place=440103'"
echo "  build/muster round report $round --db $db"
echo "Other tries: build/muster stats --db $db --json · build/muster user add --help"
wait "$server"
