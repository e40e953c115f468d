#!/usr/bin/env bash
# make bench [ONLY=name]: runs Muster's benchmarks, one `BENCH name value unit
# baseline=value ratio=r` line each, the baseline measured in the same run.
#   city-generate  the guangzhou-2021 preset at SCALE (default 1.0) vs raw inserts
#   import-people  1 M people from CSV vs raw prepared inserts of the same rows
#   writer         acknowledged writes/s from 64 submitters vs one tx per write
#   subtree-count  people under a random node of each level (p99) vs a PK read
#   code-lookup    GET /api/v1/codes/{code} over wrk (64 connections) vs a hello handler
#   code-lookup-colours  the same with 100,000 people in plans (red codes with reasons),
#                  half of the codes asked theirs
#   scan-http      the drill's acknowledged scans/s in batches of 100 vs raw sample inserts
#   ingest-samples a whole-city round's 18.7 M samples through the bulk path vs raw inserts
#   results        results for that round's 1.87 M tubes, recalls included, vs raw UPDATEs
#   coverage       coverage of random nodes and `missing` of random grids (p99)
#   zone-risk      the household risk a scan asks with 50 zones in force vs a parent read
#   zone-seal      a sealed zone on the compound nearest 2,000 residents vs raw status inserts
#   coverage-live  GET coverage of random city…grid nodes over HTTP while a drill runs (p99)
#   calls-load     100,000 open calls: the escalation sweep and a district's summary (p99), and
#                  calls logged over HTTP (req/s, durable) vs a hello handler
#   posts          the whole city's 2,935 service posts with their stock (median) vs a
#                  bare unordered read of the same rows
#   contacts-bulk  a ~2,000-person compound or building as contacts over HTTP vs raw inserts
#   overview-load  sign-in to the overview drawn in headless chromium during a drill, vs
#                  loading the sign-in page; and the web app's JavaScript gzipped
#   orders-load    calls-load part 2: 1,000 orders with ~30,000 targets; the roll-up of one
#                  order (p99) vs reading its rows, the overdue listing of a district (p99)
#                  vs counting its targets
#   ledger         a month of 100,000 shifts (LEDGER_SHIFTS) summed per team and per street
#                  (and per day, team and place; one street) vs a bare SUM over the shifts
#   tasks-day      every group's task list for today over the city with TASKS_KEYS (100,000)
#                  key persons in plans and a round running, vs walking the grids' residents;
#                  and one group's list over HTTP (p99) vs the hello handler
# The full-scale city is kept in build/bench/city.db; delete it to regenerate.
# Everything stays under build/bench/. Servers started here are stopped on any exit.
set -eu
cd "$(dirname "$0")/.."
only=${1:-}
scale=${SCALE:-1.0}
out=build/bench
mkdir -p "$out"
export MUSTER_NO_PROGRESS=1

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

# Every server this script starts is remembered and stopped when it exits, even early.
started=()
stop_started() { for p in "${started[@]+"${started[@]}"}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap stop_started EXIT

city_db=${BENCH_CITY_DB:-$out/city.db} # BENCH_CITY_DB: try a bench on a smaller city
generate_city() {
  rm -f "$city_db" "$city_db-wal" "$city_db-shm" "$city_db.key"
  /usr/bin/time -f '%e %M' -o "$out/gen.time" \
    build/muster city generate --preset guangzhou-2021 --scale "$scale" --db "$city_db" >"$out/gen.log"
}
# A city.db generated before 0003 gained its progress indexes has no such indexes, and
# `muster` would not add them (0003 counts as applied): add them, so that every bench
# measures the schema a fresh database has.
if [ -f "$city_db" ]; then
  sqlite3 -cmd '.timeout 10000' "$city_db" \
    "CREATE INDEX IF NOT EXISTS tubes_round_state ON tubes(round_id, state, result, n);
     CREATE INDEX IF NOT EXISTS samples_round_at ON samples(round_id, sampled_at);"
fi

if want city-generate; then
  generate_city
  read -r secs rss_kb <"$out/gen.time"
  people=$(build/muster stats --json --db "$city_db" | awk -F'[:,]' '/"people"/ {gsub(/ /,"",$2); print $2}')
  size=$(stat -c %s "$city_db")
  base=$(build/bench/baseline_people "$out/baseline.db" 2000000 | awk '{print $1}')
  rate=$(awk -v p="$people" -v s="$secs" 'BEGIN {printf "%.0f", p / s}')
  echo "city-generate: scale $scale, $people people in $secs s, peak RSS $((rss_kb / 1024)) MiB, database $((size / 1048576)) MiB" >&2
  awk -v r="$rate" -v b="$base" 'BEGIN {printf "BENCH city-generate %d people/s baseline=%d ratio=%.2f\n", r, b, r / b}'
  rm -f "$out/baseline.db"*
fi

if want import-people; then
  # A source city of about 1 M people, exported; its places imported into two fresh
  # databases: one for the baseline's raw inserts, one for `muster import people`.
  src=$out/import-src.db
  rm -f "$out"/import-*.db*
  build/muster city generate --preset guangzhou-2021 --scale 0.0536 --seed 11 --db "$src" >/dev/null
  build/muster export places --db "$src" --output "$out/import-places.csv"
  build/muster export people --db "$src" --output "$out/import-people.csv"
  for t in base real; do
    build/muster init --db "$out/import-$t.db" >/dev/null
    build/muster import places "$out/import-places.csv" --db "$out/import-$t.db" >/dev/null
  done
  rows=$(($(wc -l <"$out/import-people.csv") - 1))
  base=$(build/bench/import_baseline "$out/import-base.db" "$out/import-people.csv" | awk '{print $1}')
  start=$(date +%s.%N)
  build/muster import people "$out/import-people.csv" --db "$out/import-real.db" >/dev/null
  secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')
  awk -v n="$rows" -v s="$secs" -v b="$base" \
    'BEGIN {r = n / s; printf "BENCH import-people %d rows/s baseline=%d ratio=%.2f\n", r, b, r / b}'
  echo "import-people: $rows people in $secs s" >&2
  rm -f "$out"/import-*
fi

# ---- posts ----
if want posts; then
  [ -f "$city_db" ] || generate_city
  build/bench/posts "$city_db" 50
fi

if want writer; then
  build/bench/writer 5
fi

if want subtree-count; then
  [ -f "$city_db" ] || generate_city
  build/bench/subtree "$city_db" 2000
fi

if want zone-risk || want zone-seal; then
  [ -f "$city_db" ] || generate_city
  build/bench/zones "$city_db" 20000
fi

# code_lookup NAME: the code-lookup bench, printed as NAME (the codes in $out/codes.txt).
code_lookup() {
  local name=$1
  # Every run audits each lookup: start each run from an empty audit log so that runs
  # compare (this is the bench's own database; never do this to a real one).
  sqlite3 "$city_db" "DELETE FROM audit; DELETE FROM devices WHERE code LIKE 'BENCH%';" 2>/dev/null || true
  # Random people over the whole 4 GB file: read it once so that the figure is the
  # server's, not the disk's (the VM's proactive reclaim drops cold file pages).
  cat "$city_db" "$city_db-wal" >/dev/null 2>&1 || true
  # A checkpoint's scanner: a site token (the site is created once and kept).
  build/muster site add --code BENCH-LOOKUP --place 440103 --name "bench checkpoint" --desks 1 \
    --db "$city_db" >/dev/null 2>&1 || true
  token=$(build/muster token issue --site BENCH-LOOKUP --db "$city_db" 2>/dev/null)
  build/muster serve --listen 127.0.0.1:0 --db "$city_db" --quiet --bench-hello \
    >"$out/serve.out" 2>"$out/serve.err" &
  pid=$!
  started+=("$pid")
  for _ in $(seq 600); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(awk '/listening on/ {print $3}' "$out/serve.out")
  # Lookups are measured once the codebook holds everyone (~15 s for the whole city);
  # before that they read the people table.
  for _ in $(seq 600); do
    curl -sf "$url/metrics" | grep -q '^muster_codebook_ready 1' && break
    sleep 0.5
  done
  grep -h codebook "$out/serve.err" >&2 || true
  # and once control's first sweep (colours of everyone in a plan) is done.
  for _ in $(seq 1200); do grep -q 'plans swept' "$out/serve.err" && break; sleep 0.5; done
  grep -h 'plans swept' "$out/serve.err" >&2 || true
  secs=${BENCH_SECONDS:-10}
  # hello and the lookups take turns, three of each (a third of secs each, at least 3 s):
  # on two cores shared with wrk, one run of either can be 20 % off the next (hello gave
  # 116k-145k req/s between runs), so the ratio is of the medians; every run is printed.
  turn=$((secs / 3 > 3 ? secs / 3 : 3))
  rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
  reqs() { awk '/requests in/ {print $1}' "$1"; }
  p99ms() { awk '$1 == "99%" {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    print (u == "us" ? v / 1000 : u == "s" ? v * 1000 : v)}' "$1"; }
  median() { sort -n | sed -n 2p; }
  # The server's CPU (all its threads, user + system, in clock ticks) around each run:
  # wrk shares the two cores, so requests/s mixes the server's cost with the client's.
  ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
  th=0 tc=0 nh=0 nc=0
  for i in 1 2 3; do
    t0=$(ticks)
    wrk -t2 -c64 -d"${turn}s" --latency "$url/bench/hello" >"$out/wrk-hello-$i.txt"
    t1=$(ticks)
    CODES="$out/codes.txt" TOKEN="$token" \
      wrk -t2 -c64 -d"${turn}s" --latency -s bench/code_lookup.lua "$url/" >"$out/wrk-codes-$i.txt"
    t2=$(ticks)
    th=$((th + t1 - t0)) tc=$((tc + t2 - t1))
    nh=$((nh + $(reqs "$out/wrk-hello-$i.txt"))) nc=$((nc + $(reqs "$out/wrk-codes-$i.txt")))
  done
  # hello again through the same Lua client (same header, a random query string): what
  # the client's own per-request cost takes from the ratio.
  TARGET=/bench/hello CODES="$out/codes.txt" TOKEN="$token" \
    wrk -t2 -c64 -d"${turn}s" -s bench/code_lookup.lua "$url/" >"$out/wrk-hello-lua.txt"
  kill -TERM "$pid"; wait "$pid" || true
  hz=$(getconf CLK_TCK)
  us() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}'; }
  runs() { for i in 1 2 3; do printf ' %.0f' "$(rps "$out/wrk-$1-$i.txt")"; done; }
  h=$(for i in 1 2 3; do rps "$out/wrk-hello-$i.txt"; done | median)
  c=$(for i in 1 2 3; do rps "$out/wrk-codes-$i.txt"; done | median)
  hl=$(rps "$out/wrk-hello-lua.txt")
  echo "code-lookup: runs of hello:$(runs hello) req/s; of lookups:$(runs codes) req/s" >&2
  echo "code-lookup: p99 worst of three $(for i in 1 2 3; do p99ms "$out/wrk-codes-$i.txt"; done | sort -n | tail -1) ms (hello $(for i in 1 2 3; do p99ms "$out/wrk-hello-$i.txt"; done | sort -n | tail -1) ms); $(grep -h non-2xx "$out"/wrk-codes-*.txt || true)" >&2
  echo "code-lookup: server CPU per request $(us "$tc" "$nc") µs (hello $(us "$th" "$nh") µs); hello through the same Lua client $(printf %.0f "$hl") req/s, ratio $(awk -v c="$c" -v h="$hl" 'BEGIN {printf "%.2f", c / h}')" >&2
  awk -v n="$name" -v c="$c" -v h="$h" 'BEGIN {printf "BENCH %s %d req/s baseline=%d ratio=%.2f\n", n, c, h, c / h}'
}

if want code-lookup; then
  [ -f "$city_db" ] || generate_city
  build/bench/pick_codes "$city_db" 100000 "$out/codes.txt"
  code_lookup code-lookup
fi

# ---- plans (helper plans)
if want code-lookup-colours; then
  # 100,000 people in plans (close contacts exposed today, cn8-close) with their colour
  # stored, seeded once by SQL (marked ref_id -4242) as a bulk load would leave them: the
  # server loads the colours into the codebook at start, and its first sweep recomputes
  # everyone in a plan (a new day) before the runs; half the codes asked are theirs.
  [ -f "$city_db" ] || generate_city
  sq() { sqlite3 -cmd '.timeout 10000' "$city_db" "$1"; }
  if [ "$(sq "SELECT count(*) FROM key_statuses WHERE ref_id = -4242")" -lt 100000 ]; then
    sq "BEGIN;
      INSERT INTO key_statuses (person_id, kind, started_at, exposure_at, ref_id, source)
        SELECT id, 'close', strftime('%s','now'), strftime('%s','now'), -4242, 'contact'
        FROM people WHERE id NOT IN (SELECT person_id FROM key_statuses)
        ORDER BY random() LIMIT 100000;
      INSERT INTO plans (person_id, status_id, template, exposure_at, made_at, phases, ends)
        SELECT person_id, id, 'cn8-close', exposure_at, started_at,
          json_array(json_object('kind','central_quarantine','from',date('now','+8 hours','+1 day'),'to',date('now','+8 hours','+14 day')),
                     json_object('kind','home_monitoring','from',date('now','+8 hours','+15 day'),'to',date('now','+8 hours','+21 day'))),
          date('now','+8 hours','+21 day')
        FROM key_statuses WHERE ref_id = -4242;
      INSERT OR REPLACE INTO code_colours (person_id, colour, reasons, since)
        SELECT person_id, 2, 'close_contact', started_at FROM key_statuses WHERE ref_id = -4242;
      COMMIT;"
  fi
  sq "SELECT person_id FROM key_statuses WHERE ref_id = -4242 ORDER BY random() LIMIT 50000" >"$out/keyed.txt"
  build/bench/pick_codes "$city_db" 50000 "$out/codes-keyed.txt" "$out/keyed.txt"
  build/bench/pick_codes "$city_db" 50000 "$out/codes-any.txt"
  paste -d '\n' "$out/codes-keyed.txt" "$out/codes-any.txt" >"$out/codes.txt"
  code_lookup code-lookup-colours
fi

if want scan-http; then
  # `muster drill screening` against `muster serve --quiet` on the full-scale city: a
  # round over 荔湾区 (1.24 M people) at 10-in-1, a site at the district, batches of 100
  # at an unbounded rate from 8 connections (8 server threads) for BENCH_SECONDS
  # (default 10); SCAN_CONNS=N sets both. The single writer thread is the bottleneck
  # and 8 callers already fill each group commit: 16 gave about the same scans/s at a
  # p99 of ~420 ms, 4 gave ~12.5k scans/s at ~66 ms. Each run clears the samples and
  # tubes of its own round ('bench-scan-http') first and issues one more site token.
  # Scan ids are time-ordered (the UUIDv7 layout), as the drill and the web app make
  # them. Baseline: raw SQLite inserts of sample rows (time-ordered ids too) into a
  # table of the same shape and indexes, one transaction of 100 rows per batch, WAL,
  # synchronous=FULL, in the same run.
  [ -f "$city_db" ] || generate_city
  sq() { sqlite3 -cmd '.timeout 10000' "$city_db" "$1"; }
  round=$(sq "SELECT id FROM rounds WHERE name = 'bench-scan-http' ORDER BY id LIMIT 1")
  [ -n "$round" ] || round=$(build/muster round create --scope 440103 --name bench-scan-http \
    --pool 10 --db "$city_db" 2>/dev/null)
  sq "DELETE FROM samples WHERE round_id = $round; DELETE FROM tubes WHERE round_id = $round;"
  [ -n "$(sq "SELECT id FROM sites WHERE code = 'BENCH-SCAN'")" ] ||
    build/muster site add --code BENCH-SCAN --place 440103 --name 压测点 --desks 100 \
      --db "$city_db" 2>/dev/null
  token=$(build/muster token issue --site BENCH-SCAN --db "$city_db" 2>/dev/null)

  base_db=$out/scan-base.db
  rm -f "$base_db" "$base_db-wal" "$base_db-shm"
  batches=1000
  {
    echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    sqlite3 "$city_db" ".schema samples" | sed 's/ REFERENCES [a-z]*([a-z_]*)//g'
    awk -v n="$batches" 'BEGIN { for (i = 0; i < n; i++) printf "BEGIN; WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < 99) INSERT INTO samples (scan_id, round_id, tube_id, person_id, household_id, sampled_at) SELECT lower(hex(1700000000000 + %d * 100 + x) || hex(randomblob(6))), 1, %d * 10 + x / 10, abs(random()) %% 18700000, abs(random()) %% 6000000, 1700000000 FROM c; COMMIT;\n", i, i }'
  } >"$out/scan-base.sql"
  start=$(date +%s.%N)
  sqlite3 "$base_db" <"$out/scan-base.sql" >/dev/null
  base=$(awk -v n="$((batches * 100))" -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.0f", n / (e - s)}')
  rm -f "$base_db" "$base_db-wal" "$base_db-shm" "$out/scan-base.sql"

  build/muster serve --listen 127.0.0.1:0 --db "$city_db" --quiet --threads "${SCAN_CONNS:-8}" \
    >"$out/scan-serve.out" 2>"$out/scan-serve.err" &
  pid=$!
  started+=("$pid")
  for _ in $(seq 600); do grep -q listening "$out/scan-serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(awk '/listening on/ {print $3}' "$out/scan-serve.out")
  build/muster drill screening --round "$round" --url "$url" --token "$token" --rate 0 \
    --batch 100 --connections "${SCAN_CONNS:-8}" --duration "${BENCH_SECONDS:-10}" --db "$city_db" \
    >"$out/scan-drill.out" 2>"$out/scan-drill.err" || true
  kill -TERM "$pid"; wait "$pid" || true
  cat "$out/scan-drill.err" "$out/scan-drill.out" >&2
  rate=$(awk '/^rate:/ {print $2}' "$out/scan-drill.out")
  echo "scan-http: p99 batch $(awk '/^rate:/ {print $(NF-1), $NF}' "$out/scan-drill.out"), synchronous=FULL; baseline: $((batches * 100)) raw sample inserts, 100 per transaction" >&2
  awk -v r="${rate:-0}" -v b="$base" 'BEGIN {printf "BENCH scan-http %d scans/s baseline=%d ratio=%.2f\n", r, b, r / b}'
fi

# The server, drill and commander that coverage-live and overview-load share: `muster
# serve` on the full-scale city with a whole-city round ('bench-overview') at 10-in-1 that
# `muster drill screening` feeds at LIVE_RATE scans/s (default 2,000) from the site
# BENCH-SCAN, and a commander of the city, bench-cmd, with a password made for this run.
live_start() {
  [ -f "$city_db" ] || generate_city
  sq() { sqlite3 -cmd '.timeout 10000' "$city_db" "$1"; }
  city=$(sq "SELECT code FROM places WHERE level = 0")
  round=$(sq "SELECT id FROM rounds WHERE name = 'bench-overview' ORDER BY id LIMIT 1")
  [ -n "$round" ] || round=$(build/muster round create --scope "$city" --name bench-overview \
    --pool 10 --db "$city_db" 2>/dev/null)
  [ -n "$(sq "SELECT id FROM sites WHERE code = 'BENCH-SCAN'")" ] ||
    build/muster site add --code BENCH-SCAN --place 440103 --name 压测点 --desks 100 \
      --db "$city_db" 2>/dev/null
  token=$(build/muster token issue --site BENCH-SCAN --db "$city_db" 2>/dev/null)
  pw=$(head -c 15 /dev/urandom | base32 | tr -d '=')
  printf '%s\n' "$pw" | build/muster user add bench-cmd --role commander --place "$city" \
    --password-stdin --db "$city_db" >/dev/null 2>&1 ||
    printf '%s\n' "$pw" | build/muster user passwd bench-cmd --password-stdin --db "$city_db" >/dev/null
  build/muster serve --listen 127.0.0.1:0 --db "$city_db" --quiet --web web/dist --bench-hello \
    >"$out/live-serve.out" 2>"$out/live-serve.err" &
  live_pid=$!
  started+=("$live_pid")
  for _ in $(seq 600); do grep -q listening "$out/live-serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(awk '/listening on/ {print $3}' "$out/live-serve.out")
  build/muster drill screening --round "$round" --url "$url" --token "$token" \
    --rate "${LIVE_RATE:-2000}" --batch 100 --connections 2 --duration 600 --db "$city_db" \
    >"$out/live-drill.out" 2>"$out/live-drill.err" &
  live_drill=$!
  started+=("$live_drill")
  sleep 5
}
live_stop() {
  kill -TERM "$live_drill" 2>/dev/null || true # it may have sent everyone already
  wait "$live_drill" 2>/dev/null || true
  kill -TERM "$live_pid"; wait "$live_pid" || true
  # The drill stops on the signal without its report: count what it got stored instead.
  echo "live drill: $(sqlite3 -cmd '.timeout 10000' "$city_db" \
    "SELECT count(*) FROM samples WHERE round_id = $round") samples of round $round stored so far" >&2
}

if want coverage-live; then
  # 10,000 random nodes: each a level drawn evenly from city … grid, then a node of it
  # (the in-process `coverage` bench draws the same way).
  [ -f web/dist/index.html ] || make --no-print-directory web
  live_start
  sqlite3 "$city_db" "SELECT level, code FROM places WHERE level <= 4" |
    awk -F'|' '{n[$1]++; a[$1, n[$1]] = $2}
      END {srand(7); for (i = 0; i < 10000; i++) {lv = int(rand() * 5); print a[lv, int(rand() * n[lv]) + 1]}}' \
    >"$out/live-places.txt"
  cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench-cmd\",\"password\":\"$pw\"}" "$url/api/v1/session" |
    awk -F'[:;]' 'tolower($1) == "set-cookie" {gsub(/^ /, "", $2); print $2}')
  # Paced, not flat out: COVERAGE_RATE requests/s (default 200; a city's command screens
  # poll far less) so that the figure is the answer's time, not a queue's. Baseline: the
  # hello handler probed the same way at the same moment of the drill.
  secs=${BENCH_SECONDS:-10}
  sed "s|^|/api/v1/rounds/$round/coverage?place=|" "$out/live-places.txt" >"$out/live-paths.txt"
  node bench/latency_probe.js "$url" - "${COVERAGE_RATE:-200}" "$secs" >"$out/live-hello.json"
  node bench/latency_probe.js "$url" "$out/live-paths.txt" "${COVERAGE_RATE:-200}" "$secs" "$cookie" \
    >"$out/live-cov.json"
  # The server's own view: its latency histogram of the coverage route (arrival to answer).
  curl -s "$url/metrics" >"$out/live-metrics.txt"
  live_stop
  cat "$out/live-cov.json" "$out/live-hello.json" >&2
  node -e '
    const fs = require("fs");
    const [c, h] = process.argv.slice(1, 3).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
    if (c.errors) console.error(`coverage-live: ${c.errors} errors`);
    const b = [];
    for (const l of fs.readFileSync(process.argv[3], "utf8").split("\n")) {
      const m = /^muster_http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/rounds\/\{id\}\/coverage",le="([^"]+)"\} (\d+)/.exec(l);
      if (m) b.push([m[1] === "+Inf" ? Infinity : Number(m[1]) * 1000, Number(m[2])]);
    }
    const total = b.length ? b[b.length - 1][1] : 0;
    const p99 = b.find(([, n]) => n >= 0.99 * total);
    const under5 = b.find(([le]) => le === 5);
    console.error(`coverage-live, server side: ${total} answers, p99 within ${p99 ? p99[0] : "?"} ms, ${under5 ? (100 * under5[1] / total).toFixed(2) : "?"} % within 5 ms`);
    console.log(`BENCH coverage-live ${c.p99.toFixed(2)} ms-p99 baseline=${h.p99.toFixed(2)} ratio=${(c.p99 / h.p99).toFixed(2)}`);
    if (p99) console.log(`BENCH coverage-live-server ${p99[0]} ms-p99-bucket baseline=5 ratio=${(p99[0] / 5).toFixed(2)}`);
  ' "$out/live-cov.json" "$out/live-hello.json" "$out/live-metrics.txt"
fi

if want overview-load; then
  # The command centre over the full-scale city while the drill feeds the whole-city
  # round (live_start): a commander of the city signs in and the overview (tiles, the
  # treemap of the districts and their streets, the hourly chart) is drawn — five runs,
  # each in a fresh browser context (empty cache). Baseline: loading the sign-in page
  # (the app shell, static files only) the same way.
  [ -f web/dist/index.html ] || make --no-print-directory web
  live_start
  node bench/overview_load.js "$url" bench-cmd "$pw" "${OVERVIEW_RUNS:-5}" >"$out/ov.json"
  live_stop
  cat "$out/ov.json" >&2
  js=$(cat web/dist/assets/*.js.gz | wc -c)
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`BENCH overview-load ${r.overview_p50} ms baseline=${r.shell_p50} ratio=${(r.overview_p50 / r.shell_p50).toFixed(2)}`);
    console.log(`BENCH overview-load-max ${r.overview_max} ms baseline=1500 ratio=${(r.overview_max / 1500).toFixed(2)}`);
    const kib = Number(process.argv[2]) / 1024;
    console.log(`BENCH web-js-gzip ${kib.toFixed(0)} KiB baseline=1024 ratio=${(kib / 1024).toFixed(2)}`);
  ' "$out/ov.json" "$js"
fi

# ---- screening: ingest-samples, results, coverage (bench/screening_bench.c) -------------
# On a copy of the full-scale city, build/bench/screening.db, made afresh by
# ingest-samples and deleted after coverage, so that city.db stays as generated and
# reruns compare. results and coverage ingest first when there is no fresh copy.
# SCREEN_SCOPE=CODE puts the round over a place's subtree (default: the whole city).
screen_db=$out/screening.db
screen_clean() { rm -f "$screen_db" "$screen_db-wal" "$screen_db-shm" "$screen_db.key" "$out"/screen.*; }
screen_ingest() {
  [ -f "$city_db" ] || generate_city
  screen_clean
  cp "$city_db" "$screen_db"
  cp "$city_db.key" "$screen_db.key"
  # city.db may predate the progress indexes of 0003 (unreleased): add them, still empty.
  sqlite3 "$screen_db" "CREATE INDEX IF NOT EXISTS tubes_round_state ON tubes(round_id, state, result, n);
    CREATE INDEX IF NOT EXISTS samples_round_at ON samples(round_id, sampled_at);"
  scope=${SCREEN_SCOPE:-$(sqlite3 "$screen_db" "SELECT code FROM places WHERE level = 0")}
  build/bench/screening_bench ingest "$screen_db" "$scope" >"$out/screen.ingest"
  awk '$1 == "round" {print $2}' "$out/screen.ingest" >"$out/screen.round"
}
screen_results() {
  build/bench/screening_bench results "$screen_db" "$(cat "$out/screen.round")"
  touch "$out/screen.resulted"
}

if want ingest-samples; then
  screen_ingest
  grep '^BENCH' "$out/screen.ingest"
fi

if want results; then
  { [ -f "$screen_db" ] && [ ! -f "$out/screen.resulted" ]; } || screen_ingest
  screen_results
fi

# ---- forces (helper forces) ----
if want ledger; then
  build/bench/ledger "$out/ledger.db" "${LEDGER_SHIFTS:-100000}"
  rm -f "$out/ledger.db" "$out/ledger.db-wal" "$out/ledger.db-shm"
fi

if want coverage; then
  [ -f "$out/screen.resulted" ] || { screen_ingest; screen_results >&2; }
  build/bench/screening_bench coverage "$screen_db" "$(cat "$out/screen.round")"
  screen_clean
fi

# ---- orders (helper orders) ----
if want orders-load; then
  [ -f "$city_db" ] || generate_city
  build/bench/orders_bench "$city_db" "${ORDERS:-1000}"
fi

# ---- calls (helper calls) ----
if want calls-load; then
  # Part 1 (calls for help): CALLS_N (default 100,000) open calls logged over the
  # households of 荔湾区 through calls_call_log, then the escalation sweep every 2 s
  # (p99 of 20, after the first catches up) beside its own reading of the due calls, and
  # the district's summary with its streets (p99) beside a read of the district's row —
  # all in one transaction rolled back (build/bench/calls_load). Then logging over HTTP:
  # `muster serve --bench-hello`, an operator of the district signed in, wrk POSTing calls
  # at random households (acknowledged = committed with fsync) beside GET /bench/hello;
  # the calls it logged are deleted after (this is the bench's own database).
  [ -f "$city_db" ] || generate_city
  build/bench/calls_load "$city_db" "${CALLS_N:-100000}" 440103
  sq() { sqlite3 -cmd '.timeout 10000' "$city_db" "$1"; }
  pw=correct-horse-battery-staple-7
  printf '%s\n' "$pw" | build/muster user add bench-calls --role operator --place 440103 \
    --password-stdin --db "$city_db" >/dev/null 2>&1 || true
  sq "SELECT code FROM places WHERE level = 7 AND code LIKE '440103%' ORDER BY random() LIMIT 20000" \
    >"$out/calls-homes.txt"
  # A request waits for its batch's fsync on its own thread: CALLS_CONNS (default 64)
  # threads and connections, so that each group commit carries many calls.
  conns=${CALLS_CONNS:-64}
  build/muster serve --listen 127.0.0.1:0 --db "$city_db" --quiet --bench-hello --threads "$conns" \
    >"$out/serve.out" 2>"$out/serve.err" &
  pid=$!
  started+=("$pid")
  for _ in $(seq 600); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(awk '/listening on/ {print $3}' "$out/serve.out")
  # Timed once the start-up work is done, as code-lookup is: the codebook's fill (a core
  # for ~40-60 s on the whole city) and control's first sweep (the colours of everyone in
  # a plan, on the writer every second). Beside them, calls were measured at start-up.
  for _ in $(seq 1200); do
    curl -sf "$url/metrics" | grep -q '^muster_codebook_ready 1' && break
    sleep 0.5
  done
  for _ in $(seq 600); do
    curl -sf "$url/metrics" | grep -q '^muster_place_codes_ready 1' && break
    sleep 0.5
  done
  for _ in $(seq 1200); do grep -q 'plans swept' "$out/serve.err" && break; sleep 0.5; done
  grep -hE 'codebook|code map|plans swept' "$out/serve.err" >&2 || true
  curl -s -c "$out/calls.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench-calls\",\"password\":\"$pw\"}" "$url/api/v1/session" >"$out/calls-session.json"
  csrf=$(sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p' "$out/calls-session.json")
  cookie="muster_session=$(awk '$6 == "muster_session" {print $7}' "$out/calls.jar")"
  secs=${BENCH_SECONDS:-10}
  rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
  wrk -t2 -c"$conns" -d"${secs}s" "$url/bench/hello" >"$out/wrk-calls-hello.txt"
  # The writer's counters around the run: how many calls each group commit carried.
  wstats() { curl -s "$url/metrics" | awk '/^muster_writer_(batches|writes)_total / {printf "%s ", $2}'; }
  read -r b0 w0 <<<"$(wstats)"
  COOKIE="$cookie" CSRF="$csrf" HOMES="$out/calls-homes.txt" \
    wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/calls_post.lua "$url/" >"$out/wrk-calls.txt" 2>&1
  read -r b1 w1 <<<"$(wstats)"
  awk -v b=$((b1 - b0)) -v w=$((w1 - w0)) \
    'BEGIN {printf "calls-load: %d writes in %d group commits (%.1f a commit)\n", w, b, b ? w / b : 0}' >&2
  kill -TERM "$pid"; wait "$pid" || true
  grep -h 'non-2xx' "$out/wrk-calls.txt" >&2 || true
  h=$(rps "$out/wrk-calls-hello.txt")
  c=$(rps "$out/wrk-calls.txt")
  sq "DELETE FROM call_steps; DELETE FROM call_times; DELETE FROM call_tallies; DELETE FROM calls;"
  awk -v c="$c" -v h="$h" 'BEGIN {printf "BENCH calls-log-http %d req/s baseline=%d ratio=%.3f\n", c, h, c / h}'
fi

# ---- contacts-bulk (helper cases) ----
if want contacts-bulk; then
  # A compound or building of about 2,000 residents listed as close contacts of a case in
  # one POST /api/v1/cases/{id}/contacts {"building"} (one writer transaction: rows,
  # statuses, plans), timed by curl; baseline: 2,000 raw INSERTs of the same rows in one
  # transaction with the sqlite3 shell. Each run opens a case for a person without one.
  [ -f "$city_db" ] || generate_city
  sq() { sqlite3 -cmd '.timeout 10000' "$city_db" "$1"; }
  city=$(sq "SELECT code FROM places WHERE level = 0")
  read -r bcode bn <<<"$(sq "SELECT code, n_people FROM places WHERE level IN (5, 6) AND n_people > 0
    ORDER BY abs(n_people - 2000), code LIMIT 1" | tr '|' ' ')"
  person=$(sq "SELECT p.id FROM people p WHERE p.household_id NOT IN (SELECT id FROM places
    WHERE code LIKE '$bcode%') AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id
    AND c.discharged_at IS NULL) ORDER BY p.id LIMIT 1" 2>/dev/null ||
    sq "SELECT id FROM people ORDER BY id LIMIT 1")
  pw=$(head -c 15 /dev/urandom | base32 | tr -d '=')
  printf '%s\n' "$pw" | build/muster user add bench-cases --role commander --place "$city" \
    --password-stdin --db "$city_db" >/dev/null 2>&1 ||
    printf '%s\n' "$pw" | build/muster user passwd bench-cases --password-stdin --db "$city_db" >/dev/null
  build/muster serve --listen 127.0.0.1:0 --db "$city_db" --quiet >"$out/cases-serve.out" 2>"$out/cases-serve.err" &
  cases_pid=$!
  started+=("$cases_pid")
  for _ in $(seq 600); do grep -q listening "$out/cases-serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(awk '/listening on/ {print $3}' "$out/cases-serve.out")
  # Timed once the codebook's fill (a thread of its own at start) is done: not beside it.
  for _ in $(seq 3000); do
    curl -s "$url/metrics" | grep -q '^muster_codebook_ready 1' && break
    sleep 0.1
  done
  session=$(curl -s -D - -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench-cases\",\"password\":\"$pw\"}" "$url/api/v1/session")
  cookie=$(printf '%s' "$session" | awk -F'[:;]' 'tolower($1) == "set-cookie" {gsub(/^ /, "", $2); print $2}')
  csrf=$(printf '%s' "$session" | sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p')
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  case_id=$(curl -s -b "$cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d "{\"person\":$person,\"kind\":\"confirmed\",\"confirmed_at\":\"$now\"}" "$url/api/v1/cases" |
    sed -n 's/^{"id":\([0-9]*\).*/\1/p')
  exposure=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)
  secs=$(curl -s -o "$out/cases-contacts.json" -w '%{time_total}' -b "$cookie" -H "X-CSRF-Token: $csrf" \
    -H 'Content-Type: application/json' -d "{\"building\":\"$bcode\",\"last_exposure\":\"$exposure\"}" \
    "$url/api/v1/cases/$case_id/contacts")
  kill -TERM "$cases_pid"; wait "$cases_pid" || true
  added=$(sed -n 's/.*"added":\([0-9]*\),"moved":\([0-9]*\),"duplicate":\([0-9]*\).*/\1 \2 \3/p' "$out/cases-contacts.json")
  echo "contacts-bulk: $bcode ($bn residents) as contacts of case $case_id: added moved duplicate = $added in $secs s" >&2
  base=$( { echo "CREATE TEMP TABLE c (id INTEGER PRIMARY KEY, case_id INTEGER, person_id INTEGER, kind TEXT,"
    echo " setting TEXT, last_exposure INTEGER, via_person_id INTEGER, listed_at INTEGER, status_id INTEGER);"
    echo ".timer on"
    echo "BEGIN;"
    seq "$bn" | awk '{printf "INSERT INTO c (case_id, person_id, kind, setting, last_exposure, listed_at) VALUES (1, %d, '"'"'close'"'"', '"'"'building'"'"', 1622476800, 1622476800);\n", $1}'
    echo "COMMIT;"; } | sqlite3 "$out/contacts-base.db" 2>&1 | awk '/^Run Time/ {s += $4} END {printf "%.4f", s}')
  rm -f "$out/contacts-base.db"
  awk -v s="$secs" -v b="$base" -v n="$bn" \
    'BEGIN {printf "BENCH contacts-bulk %.3f s baseline=%.3f ratio=%.2f (%d people)\n", s, b, (b > 0 ? s / b : 0), n}'
fi
# ---- end contacts-bulk ----

# ---- tasks: tasks-day (bench/tasks_bench.c) ------------------------------------------------
# On a copy of the city, build/bench/tasks.db (deleted after): a round over the city
# running since this morning with one resident in fifty unsampled, TASKS_KEYS key persons
# (default 100,000) in plans by direct SQL, one group per grid (seed, untimed); then every
# group's list for today in-process (timed) the server's way — the city read once from a
# coverage aggregate built first, as the server holds one (its build is shown apart;
# TASKS_COV=0 reads the round's samples instead; the file mapped as the sweep maps its
# reader, TASKS_MMAP=0 not) —
# and GET /api/v1/tasks for random grids over HTTP, paced at TASKS_RATE (default 50)
# requests/s for BENCH_SECONDS, beside hello. TASKS_DB=PATH keeps the seeded copy there
# between runs (seeded when PATH.seeded is absent; never deleted).
if want tasks-day; then
  [ -f "$city_db" ] || generate_city
  tasks_db=${TASKS_DB:-$out/tasks.db}
  if [ -z "${TASKS_DB:-}" ] || [ ! -f "$tasks_db.seeded" ]; then
    rm -f "$tasks_db" "$tasks_db-wal" "$tasks_db-shm" "$tasks_db.key" "$tasks_db.seeded"
    cp "$city_db" "$tasks_db"
    cp "$city_db.key" "$tasks_db.key"
    # A command that writes migrates the copy to this build's schema (0013 and the rest).
    tcity=$(sqlite3 "$tasks_db" "SELECT code FROM places WHERE level = 0")
    (umask 077; head -c 15 /dev/urandom | base32 | tr -d '=' >"$tasks_db.pw")
    build/muster user add bench-tasks --role commander --place "$tcity" \
      --password-stdin --db "$tasks_db" <"$tasks_db.pw" >/dev/null
    build/bench/tasks_bench seed "$tasks_db" "${TASKS_KEYS:-100000}"
    touch "$tasks_db.seeded"
  fi
  tpw=$(cat "$tasks_db.pw")
  TASKS_COV=${TASKS_COV:-1} build/bench/tasks_bench day "$tasks_db" "$out/tasks-grids.txt"
  build/muster serve --listen 127.0.0.1:0 --db "$tasks_db" --quiet --bench-hello \
    >"$out/tasks-serve.out" 2>"$out/tasks-serve.err" &
  tasks_pid=$!
  started+=("$tasks_pid")
  for _ in $(seq 600); do grep -q listening "$out/tasks-serve.out" 2>/dev/null && break; sleep 0.1; done
  turl=$(awk '/listening on/ {print $3}' "$out/tasks-serve.out")
  # The sweep at start derives every grid once: probe the steady server, after it.
  for _ in $(seq 1200); do grep -q 'first tasks sweep' "$out/tasks-serve.err" 2>/dev/null && break; sleep 0.5; done
  grep -h 'first tasks sweep' "$out/tasks-serve.err" >&2 || true
  tcookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench-tasks\",\"password\":\"$tpw\"}" "$turl/api/v1/session" |
    awk -F'[:;]' 'tolower($1) == "set-cookie" {gsub(/^ /, "", $2); print $2}')
  sed 's|^|/api/v1/tasks?limit=1000\&place=|' "$out/tasks-grids.txt" >"$out/tasks-paths.txt"
  secs=${BENCH_SECONDS:-10}
  node bench/latency_probe.js "$turl" - "${TASKS_RATE:-50}" "$secs" >"$out/tasks-hello.json"
  node bench/latency_probe.js "$turl" "$out/tasks-paths.txt" "${TASKS_RATE:-50}" "$secs" "$tcookie" \
    >"$out/tasks-http.json"
  kill -TERM "$tasks_pid"; wait "$tasks_pid" || true
  cat "$out/tasks-http.json" "$out/tasks-hello.json" >&2
  node -e '
    const fs = require("fs");
    const [c, h] = process.argv.slice(1, 3).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
    if (c.errors) console.error(`tasks-day-http: ${c.errors} errors`);
    console.log(`BENCH tasks-day-http ${c.p99.toFixed(2)} ms-p99 baseline=${h.p99.toFixed(2)} ratio=${(c.p99 / h.p99).toFixed(2)}`);
    console.log(`BENCH tasks-day-http-target ${c.p99.toFixed(2)} ms-p99 baseline=20 ratio=${(c.p99 / 20).toFixed(2)}`);
  ' "$out/tasks-http.json" "$out/tasks-hello.json"
  [ -n "${TASKS_DB:-}" ] || rm -f "$tasks_db" "$tasks_db-wal" "$tasks_db-shm" "$tasks_db.key" "$tasks_db.pw"
fi
