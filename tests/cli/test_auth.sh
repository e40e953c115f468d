#!/usr/bin/env bash
# test_auth.sh: `muster init` (the first admin and its one-time password), `muster user`,
# `muster token` and `muster audit verify`, end to end: usage errors, refusals, one
# line of stdout for a token, and verify naming the entry that was tampered with.
# Run by scripts/run-cli-tests.sh in a fresh directory with $MUSTER set; needs sqlite3.
set -u
M=${MUSTER:?set MUSTER to the muster binary}
failures=0

. "$(dirname "$0")/lib.sh"

q() { sqlite3 "$DB" "$1"; }

DB=city.db
cat >places.csv <<'CSV'
code,parent_code,level,name
GZ,,city,广州市
GZ-TH,GZ,district,天河区
GZ-YX,GZ,district,越秀区
CSV

# ---- init: the admin and its password, shown once --------------------------------------
run help0 0 "$M" init --help
contains help0.out "shown this"
run init 0 "$M" init --db "$DB"
grep -qE '^admin password: [a-z2-7]{20}$' init.out || { fail "init prints no password line"; cat init.out; }
PW=$(sed -n 's/^admin password: //p' init.out)
eq "$(q "SELECT username || ',' || role || ',' || ifnull(place_id, 'null') FROM users")" "admin,0,null" "the admin row"
eq "$(q "SELECT count(*) FROM users WHERE pw_hash LIKE '\$argon2id\$%' AND instr(pw_hash, '$PW') = 0")" 1 "admin stored as argon2id"
run init_again 1 "$M" init --db "$DB"
run import 0 "$M" import places places.csv --db "$DB"

# ---- user add / list / disable / passwd ----------------------------------------------------
run help1 0 "$M" user --help
run add_nosub 2 "$M" user --db "$DB"
run add_badsub 2 "$M" user frobnicate x --db "$DB"
run add_norole 2 "$M" user add li --place GZ-TH --db "$DB"
run add_badrole 2 "$M" user add li --role king --place GZ-TH --db "$DB"
run add_noplace 2 "$M" user add li --role staff --db "$DB"
run add_unknown_place 1 "$M" user add li --role staff --place NOWHERE --db "$DB"
run add_badname 1 "$M" user add 'li si' --role staff --place GZ-TH --db "$DB"
run add_gen 0 "$M" user add li --role staff --place GZ-TH --db "$DB"
lines add_gen.out 1
grep -qE '^password: [a-z2-7]{20}$' add_gen.out || fail "user add prints no generated password"
printf 'a-long-password-1\n' >pw.txt
run add_stdin 0 "$M" user add ma --role auditor --place GZ --password-stdin --db "$DB" <pw.txt
lines add_stdin.out 0
run add_taken 1 "$M" user add MA --role staff --place GZ-TH --password-stdin --db "$DB" <pw.txt
contains add_taken.err "taken"
printf 'short\n' >short.txt
run add_short 1 "$M" user add zhao --role staff --place GZ-TH --password-stdin --db "$DB" <short.txt
run add_empty 1 "$M" user add zhao --role staff --place GZ-TH --password-stdin --db "$DB" </dev/null
run add_admin 0 "$M" user add boss --role admin --password-stdin --db "$DB" <pw.txt
# weak passwords (issue 11 item 22): common, one character, the username; 12 for an admin
printf 'aaaaaaaaaa\n' >weak.txt
run add_weak 1 "$M" user add zhao --role staff --place GZ-TH --password-stdin --db "$DB" <weak.txt
contains add_weak.err "repeated"
printf 'Password2026!\n' >weak.txt
run add_common 1 "$M" user add zhao --role staff --place GZ-TH --password-stdin --db "$DB" <weak.txt
printf 'tiger lily\n' >weak.txt
run add_admin_short 1 "$M" user add boss2 --role admin --password-stdin --db "$DB" <weak.txt
contains add_admin_short.err "12"
run passwd_weak 1 "$M" user passwd boss --password-stdin --db "$DB" <weak.txt
run list 0 "$M" user list --db "$DB"
lines list.out 4
contains list.out "GZ-TH"
run list_json 0 "$M" user list --json --db "$DB"
contains list_json.out '"username": "ma"'
contains list_json.out '"place": "GZ"'
run disable 0 "$M" user disable li --db "$DB"
eq "$(q "SELECT disabled FROM users WHERE username = 'li'")" 1 "li disabled"
run disable_ghost 1 "$M" user disable ghost --db "$DB"
run passwd 0 "$M" user passwd ma --password-stdin --db "$DB" <pw.txt
run passwd_gen 0 "$M" user passwd ma --db "$DB"
grep -qE '^password: [a-z2-7]{20}$' passwd_gen.out || fail "user passwd prints no generated password"
run passwd_ghost 1 "$M" user passwd ghost --password-stdin --db "$DB" <pw.txt
run list_nodb 1 "$M" user list --db missing.db

# ---- tokens ------------------------------------------------------------------------------------
run help2 0 "$M" token --help
run tok_none 2 "$M" token issue --db "$DB"
run tok_both 2 "$M" token issue --site S1 --lab L1 --db "$DB"
run tok_lab_place 2 "$M" token issue --lab L1 --place GZ --db "$DB"
run tok_nosite 1 "$M" token issue --site S1 --place GZ-TH --db "$DB"
contains tok_nosite.err "no sampling site"
run tok_nolab 1 "$M" token issue --lab LAB-9 --db "$DB"
run site_add 0 "$M" site add --code S1 --place GZ-TH --name 天河一号点 --desks 4 --db "$DB"
run lab_add 0 "$M" lab add --code LAB-9 --name 金域 --capacity 350000 --db "$DB"
run tok_badplace 1 "$M" token issue --site S1 --place NOWHERE --db "$DB"
run tok_otherplace 1 "$M" token issue --site S1 --place GZ-YX --db "$DB"
run tok_badcode 1 "$M" token issue --lab 'L 1' --db "$DB"
run tok_site_noplace 0 "$M" token issue --site S1 --db "$DB"
eq "$(q "SELECT p.code FROM devices d JOIN places p ON p.id = d.place_id WHERE d.id = 1")" GZ-TH "site token bound to the site's place"
run tok_site 0 "$M" token issue --site S1 --place GZ-TH --db "$DB"
lines tok_site.out 1
grep -qxE '[a-z2-7]{52}' tok_site.out || { fail "token issue: stdout is not one token"; cat tok_site.out; }
run tok_lab 0 "$M" token issue --lab LAB-9 --db "$DB"
lines tok_lab.out 1
[ "$(cat tok_site.out)" != "$(cat tok_lab.out)" ] || fail "two tokens alike"
eq "$(q "SELECT count(*) FROM devices WHERE instr(hex(token_hash), upper(hex('$(cat tok_lab.out)'))) = 0")" 3 "tokens stored hashed"
run tok_list 0 "$M" token list --db "$DB"
lines tok_list.out 3
contains tok_list.out "GZ-TH"
run tok_revoke 0 "$M" token revoke 3 --db "$DB"
eq "$(q "SELECT revoked_at IS NOT NULL FROM devices WHERE id = 3")" 1 "token 3 revoked"
run tok_revoke_ghost 1 "$M" token revoke 99 --db "$DB"
run tok_revoke_bad 2 "$M" token revoke abc --db "$DB"

# ---- audit: every change above left one entry; verify, then tamper ----------------------
run help3 0 "$M" audit --help
run audit_badsub 2 "$M" audit check --db "$DB"
N=$(q "SELECT count(*) FROM audit")
# admin, li, ma, boss, disable li, passwd ma twice, a site, a lab, three tokens, one revoke
eq "$N" 13 "audit entries of the changes"
eq "$(q "SELECT action || ' ' || record FROM audit WHERE id = 5")" "cli user disable user:2" "entry 5"
run verify 0 "$M" audit verify --db "$DB"
has verify.out "audit chain intact: $N entries"
# Each copy takes the key file along: verify needs the key to recompute the hashes.
copy() { cp "$DB" "$1.db" && cp "$DB.key" "$1.db.key"; }
copy edited
sqlite3 edited.db "UPDATE audit SET record = 'user:3' WHERE id = 5"
run verify_edit 1 "$M" audit verify --db edited.db
has verify_edit.out "audit chain broken at entry 5"
copy removed
sqlite3 removed.db "DELETE FROM audit WHERE id = 4"
run verify_del 1 "$M" audit verify --db removed.db
has verify_del.out "audit chain broken at entry 5"
copy swapped
sqlite3 swapped.db "CREATE TEMP TABLE s AS SELECT * FROM audit WHERE id IN (6, 7);
  UPDATE audit SET (at_ms, actor_kind, actor_id, actor, action, record, addr, status, prev, hash) =
    (SELECT at_ms, actor_kind, actor_id, actor, action, record, addr, status, prev, hash
     FROM s WHERE s.id = 13 - audit.id) WHERE id IN (6, 7);"
run verify_swap 1 "$M" audit verify --db swapped.db
has verify_swap.out "audit chain broken at entry 6"
# a copy with another database's key file fails at the first entry
run init2 0 "$M" init --db other.db
cp "$DB" foreign.db && cp other.db.key foreign.db.key
run verify_foreign 1 "$M" audit verify --db foreign.db
contains verify_foreign.err "does not belong to foreign.db"
# (refused by its key check value; without one, the chain tells it at its first entry)
sqlite3 foreign.db "DELETE FROM key_check"
run verify_foreign2 1 "$M" audit verify --db foreign.db
has verify_foreign2.out "audit chain broken at entry 1"
run verify_again 0 "$M" audit verify --db "$DB"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "test_auth.sh: all passed"
