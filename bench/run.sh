#!/usr/bin/env bash
# make bench [ONLY=name]: runs Muster's benchmarks, one `BENCH name value unit
# baseline=value ratio=r` line each, the baseline measured in the same run.
#   city-generate  the guangzhou-2021 preset at SCALE (default 1.0) vs raw inserts
#   import-people  1 M people from CSV vs raw prepared inserts of the same rows
#   writer         acknowledged writes/s from 64 submitters vs one tx per write
#   subtree-count  people under a random node of each level (p99) vs a PK read
#   code-lookup    GET /api/v1/codes/{code} over wrk (64 connections) vs a hello handler
# The full-scale city is kept in build/bench/city.db for subtree-count; delete it to
# regenerate. Everything stays under build/bench/.
set -eu
cd "$(dirname "$0")/.."
only=${1:-}
scale=${SCALE:-1.0}
out=build/bench
mkdir -p "$out"
export MUSTER_NO_PROGRESS=1

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

city_db=$out/city.db
generate_city() {
  rm -f "$city_db" "$city_db-wal" "$city_db-shm" "$city_db.key"
  /usr/bin/time -f '%e %M' -o "$out/gen.time" \
    build/muster city generate --preset guangzhou-2021 --scale "$scale" --db "$city_db" >"$out/gen.log"
}

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

if want writer; then
  build/bench/writer 5
fi

if want subtree-count; then
  [ -f "$city_db" ] || generate_city
  build/bench/subtree "$city_db" 2000
fi

if want code-lookup; then
  [ -f "$city_db" ] || generate_city
  build/bench/pick_codes "$city_db" 100000 "$out/codes.txt"
  # Every run audits each lookup: start each run from an empty audit log so that runs
  # compare (this is the bench's own database; never do this to a real one).
  sqlite3 "$city_db" "DELETE FROM audit; DELETE FROM devices WHERE code LIKE 'BENCH%';" 2>/dev/null || true
  # Random people over the whole 4 GB file: read it once so that the figure is the
  # server's, not the disk's (the VM's proactive reclaim drops cold file pages).
  cat "$city_db" "$city_db-wal" >/dev/null 2>&1 || true
  token=$(build/muster token issue --site BENCH --place 440103 --db "$city_db" 2>/dev/null)
  build/muster serve --listen 127.0.0.1:0 --db "$city_db" --quiet --bench-hello \
    >"$out/serve.out" 2>"$out/serve.err" &
  pid=$!
  for _ in $(seq 600); do grep -q listening "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(awk '/listening on/ {print $3}' "$out/serve.out")
  secs=${BENCH_SECONDS:-10}
  wrk -t2 -c64 -d"${secs}s" --latency "$url/bench/hello" >"$out/wrk-hello.txt"
  CODES="$out/codes.txt" TOKEN="$token" \
    wrk -t2 -c64 -d"${secs}s" --latency -s bench/code_lookup.lua "$url/" >"$out/wrk-codes.txt"
  kill -TERM "$pid"; wait "$pid" || true
  rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
  p99() { awk '$1 == "99%" {print $2}' "$1"; }
  h=$(rps "$out/wrk-hello.txt"); c=$(rps "$out/wrk-codes.txt")
  echo "code-lookup: p99 $(p99 "$out/wrk-codes.txt") (hello p99 $(p99 "$out/wrk-hello.txt")); $(grep -h non-2xx "$out/wrk-codes.txt" || true)" >&2
  awk -v c="$c" -v h="$h" 'BEGIN {printf "BENCH code-lookup %d req/s baseline=%d ratio=%.2f\n", c, h, c / h}'
fi
