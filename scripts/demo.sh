#!/usr/bin/env bash
# make demo: builds a fresh demo city (the guangzhou-2021 preset at a small scale) and
# prints its figures. Usage: scripts/demo.sh DB_PATH SCALE
set -eu
db=${1:-build/demo/muster.db}
scale=${2:-0.01}
bin=build/muster
mkdir -p "$(dirname "$db")"
rm -f "$db" "$db-wal" "$db-shm" "$db.key"
echo "== generating the guangzhou-2021 demo city at scale $scale into $db"
"$bin" city generate --preset guangzhou-2021 --scale "$scale" --seed 2021 --db "$db"
echo
echo "== the city"
"$bin" stats --db "$db"
echo
echo "== 荔湾区 (440103)"
"$bin" stats --place 440103 --db "$db"
echo
echo "Try:  build/muster stats --db $db --json"
echo "      build/muster export places --db $db --place 440103 | head"
echo "      build/muster --help"
