#!/usr/bin/env bash
# make demo: a fresh demo city (the guangzhou-2021 preset at a small scale), its
# figures, then `muster serve` on http://127.0.0.1:8080 until Ctrl-C.
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

web=()
[ -f web/dist/index.html ] && web=(--web web/dist)
echo
echo "== serving on http://$listen  (Ctrl-C stops it)"
echo "Sign in as admin with the password above, e.g.:"
echo "  curl -c jar -H 'Content-Type: application/json' \\"
echo "       -d '{\"username\":\"admin\",\"password\":\"$password\"}' http://$listen/api/v1/session"
echo "  curl -b jar http://$listen/api/v1/places/440103"
echo "Other tries: build/muster stats --db $db --json · build/muster user add --help"
exec "$bin" serve --listen "$listen" --db "$db" "${web[@]}"
