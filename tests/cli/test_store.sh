#!/usr/bin/env bash
# test_store.sh: the database as a store (issue 11): a key file of another database is
# refused by serve and every command (item 10); the database, its WAL and every file
# a command writes are 0600 (item 11); one server per database and no command writing
# beside it, while commands that only read still run (item 13).
# Run by scripts/run-cli-tests.sh in a fresh directory with $MUSTER set; needs sqlite3.
set -u
M=${MUSTER:?set MUSTER to the muster binary}
failures=0

. "$(dirname "$0")/lib.sh"

q() { sqlite3 "$1" "$2"; }

cat >places.csv <<'CSV'
code,parent_code,level,name
GZ,,city,广州市
GZ-TH,GZ,district,天河区
CSV

# ---- item 10: the key check value ----------------------------------------------------------
run init_a 0 "$M" init --db a.db
run init_b 0 "$M" init --db b.db
eq "$(q a.db "SELECT length(mac) FROM key_check")" 32 "a key check value at init"
run import_a 0 "$M" import places places.csv --db a.db
cp a.db.key a.db.key.good
cp b.db.key a.db.key # the wrong key file
chmod 600 a.db.key
run wrong_import 1 "$M" import places places.csv --db a.db
contains wrong_import.err "does not belong to a.db"
run wrong_user 1 "$M" user add li --role staff --place GZ-TH --db a.db
contains wrong_user.err "key check value"
run wrong_verify 1 "$M" audit verify --db a.db
run wrong_serve 1 timeout 20 "$M" serve --db a.db --listen 127.0.0.1:0 --quiet
contains wrong_serve.err "does not belong to a.db"
eq "$(q a.db "SELECT count(*) FROM users WHERE username = 'li'")" 0 "nothing written under the wrong key"
cp a.db.key.good a.db.key
run right_verify 0 "$M" audit verify --db a.db
# A database made before the check: recorded at its first open, and said so.
q b.db "DELETE FROM key_check"
run old_verify 0 "$M" audit verify --db b.db
contains old_verify.err "had no key check value"
eq "$(q b.db "SELECT length(mac) FROM key_check")" 32 "recorded on first open"
run old_again 0 "$M" audit verify --db b.db
[ -s old_again.err ] && grep -q "had no key check value" old_again.err && fail "recorded twice"

# ---- item 11: every file with personal data is 0600, whatever the umask ------------------------
mode() { stat -c %a "$1"; }
umask 022
run init_c 0 "$M" init --db c.db
run import_c 0 "$M" import places places.csv --db c.db
printf 'code,parent_code,level,name\nGZ-YX,GZ,district,越秀区\nBAD,NOWHERE,district,坏\n' >more.csv
run reject_c 0 "$M" import places more.csv --skip-invalid rejects.csv --db c.db
run export_c 0 "$M" export people --output people.csv --db c.db
run export_p 0 "$M" export places --output places-out.csv --db c.db
timeout 20 "$M" serve --db c.db --listen 127.0.0.1:0 --quiet >serve_c.out 2>serve_c.err &
spid=$!
for _ in $(seq 50); do grep -q listening serve_c.out && break; sleep 0.1; done
for f in c.db c.db-wal c.db-shm c.db.key rejects.csv people.csv places-out.csv; do
  if [ -e "$f" ]; then eq "$(mode "$f")" 600 "mode of $f"; else fail "$f was not made"; fi
done
# ---- item 13: one server per database, and no command writing beside it ---------------------
run serve_twice 1 timeout 20 "$M" serve --db c.db --listen 127.0.0.1:0 --quiet
contains serve_twice.err "in use by another"
run busy_import 1 "$M" import places more.csv --skip-invalid rejects2.csv --db c.db
contains busy_import.err "a \`muster serve\` is running on c.db"
run busy_user 1 "$M" user add li --role staff --place GZ-TH --db c.db
run busy_token 1 "$M" token issue --lab LAB-9 --db c.db
eq "$(q c.db "SELECT count(*) FROM users WHERE username = 'li'")" 0 "no user added beside the server"
run read_verify 0 "$M" audit verify --db c.db
run read_export 0 "$M" export places --output places-again.csv --db c.db
run read_stats 0 "$M" stats --db c.db
run read_users 0 "$M" user list --db c.db
kill "$spid"
wait "$spid"
run free_user 0 "$M" user add li --role staff --place GZ-TH --db c.db

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo ok
