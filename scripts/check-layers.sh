#!/usr/bin/env bash
# check-layers.sh [SRC]: the layer rules of docs/architecture.md,
# checked over the C sources under SRC (default: src). Prints one line per breach,
# "file:line: rule", and exits 1 when there is any (0 when clean, 2 on bad usage).
#
# (a) Includes point one way:
#   core/ includes no other folder; db/ and http/ only core/;
#   places/ none of people, screening, control, calls, forces, sim, cli;
#   people/ none of screening, control, calls, forces, sim, cli;
#   screening/ none of control, calls, forces, sim, cli;
#   control/ none of calls, forces, sim, cli; calls/ none of forces, sim, cli;
#   forces/ none of sim, cli (forces → calls → control → screening → people → places);
#   auth/ no capability (places, people, screening, control, calls, forces, sim, cli);
#   a capability's logic files (all but api.c, api_*.c, api.h) do not include http/
#   (auth/ is plumbing, not a capability: its guard takes http's requests);
#   sim/ includes neither http/ nor any api.h; only cli/ includes cli/.
# (b) Each table has one owner: only the owner's folder holds SQL text naming it (a
#   string literal where FROM, JOIN, INTO, UPDATE, TABLE or ON is followed by the
#   table's name, also when a literal ends with the keyword and the next line's starts
#   with the name). The tables are read from the CREATE TABLE statements of
#   SRC/db/migrations/*.sql (but for a rebuild's new name, renamed to the old one in
#   its migration); db/ names none outside its migrations. Owners:
#     places:    places
#     people:    people
#     auth:      users, sessions, devices, audit
#     screening: rounds, sites, labs, tubes, samples, recalls, exemptions, rollcall_notes
#     control:   key_statuses, care_groups, group_grids, group_members, cases, contacts,
#                plan_templates, plan_uses, plans, plan_tests, checkins, code_colours, task_marks,
#                task_steps, zones
#     calls:     wartime_switches, calls, call_steps, call_deadlines, orders,
#                order_targets, order_steps, call_tallies, call_times
#     forces:    orgs, org_members, deployments, deployment_people, posts, supplies,
#                supply_moves
#   A new table must be added to owner_of below, or the check fails.
set -u
src=${1:-src}
src=${src%/}
if [ $# -gt 1 ] || [ ! -d "$src" ]; then
  echo "usage: scripts/check-layers.sh [SRC_DIR]" >&2
  exit 2
fi

owner_of() {
  case $1 in
    places) echo places ;;
    people) echo people ;;
    users | sessions | devices | audit | key_check | audit_journal) echo auth ;;
    rounds | sites | labs | tubes | samples | recalls | exemptions | rollcall_notes) echo screening ;;
    key_statuses | care_groups | group_grids | group_members) echo control ;;
    cases | contacts) echo control ;;
    plan_templates | plan_uses | plans | plan_tests | checkins | code_colours) echo control ;;
    task_marks | task_steps) echo control ;;
    zones) echo control ;;
    wartime_switches) echo calls ;;
    calls | call_steps | call_deadlines | call_tallies | call_times) echo calls ;;
    orders | order_targets | order_steps) echo calls ;;
    orgs | org_members | deployments | deployment_people | deployment_days) echo forces ;;
    posts | supplies | supply_moves) echo forces ;;
    *) echo "" ;;
  esac
}

fail=0
report() { echo "$1"; fail=1; }

# ---- (b) the tables and their owners ------------------------------------------------
tables=$(cat "$src"/db/migrations/*.sql 2>/dev/null |
  sed -n 's/^[[:space:]]*CREATE[[:space:]]\{1,\}TABLE[[:space:]]\{1,\}\(IF NOT EXISTS[[:space:]]\{1,\}\)\{0,1\}\([A-Za-z_][A-Za-z0-9_]*\).*/\2/p' |
  sort -u)
# A rebuild's new table (0021: calls_0021) is renamed to the old one's name in the same
# migration: only the name it ends with has an owner.
renamed=$(cat "$src"/db/migrations/*.sql 2>/dev/null |
  sed -n 's/^[[:space:]]*ALTER[[:space:]]\{1,\}TABLE[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]\{1,\}RENAME[[:space:]]\{1,\}TO[[:space:]].*/\1/p' |
  sort -u)
tables=$(comm -23 <(printf '%s\n' $tables) <(printf '%s\n' $renamed))
map=""
for t in $tables; do
  o=$(owner_of "$t")
  if [ -z "$o" ]; then
    report "$src/db/migrations: table '$t' has no owner in scripts/check-layers.sh (owner_of)"
    continue
  fi
  map="$map $t=$o"
done

# ---- one pass of awk over every source file -------------------------------------------
files=$(find "$src" -name '*.[ch]' -not -path '*/migrations/*' | sort)
[ -n "$files" ] || { echo "check-layers: no C sources under $src" >&2; exit 2; }

# shellcheck disable=SC2086
out=$(awk -v src="$src" -v map="$map" '
function folder_of(path,    rel, i) {
  rel = substr(path, length(src) + 2)
  i = index(rel, "/")
  return i ? substr(rel, 1, i - 1) : ""
}
function base_of(path,    n, a) { n = split(path, a, "/"); return a[n] }
function is_cap(f) { return f ~ /^(places|people|screening|control|calls|forces)$/ }
function is_api(b) { return b == "api.c" || b == "api.h" || b ~ /^api_.*\.c$/ }
function bad(msg) { printf "%s:%d: %s\n", FILENAME, FNR, msg }
# The include rule for a file of folder f (base name b) including folder g (file inc).
function check_include(f, b, g, inc) {
  if (g == "" || g == f)
    return
  if (g == "cli" && f != "cli")
    return bad("only cli/ includes cli/ (" inc ")")
  if (f == "core")
    return bad("core/ includes no other folder (" inc ")")
  if ((f == "db" || f == "http") && g != "core")
    return bad(f "/ includes only core/ (" inc ")")
  if (f == "places" && g ~ /^(people|screening|control|calls|forces|sim)$/)
    return bad("places/ must not include " g "/ (" inc ")")
  if (f == "people" && g ~ /^(screening|control|calls|forces|sim)$/)
    return bad("people/ must not include " g "/ (" inc ")")
  if (f == "screening" && g ~ /^(control|calls|forces|sim)$/)
    return bad("screening/ must not include " g "/ (" inc ")")
  if (f == "control" && g ~ /^(calls|forces|sim)$/)
    return bad("control/ must not include " g "/ (" inc ")")
  if (f == "calls" && g ~ /^(forces|sim)$/)
    return bad("calls/ must not include " g "/ (" inc ")")
  if (f == "forces" && g == "sim")
    return bad("forces/ must not include sim/ (" inc ")")
  if (f == "auth" && g ~ /^(places|people|screening|control|calls|forces|sim)$/)
    return bad("auth/ depends on no capability (" inc ")")
  if (f == "sim" && (g == "http" || base_of(inc) == "api.h"))
    return bad("sim/ includes neither http/ nor an api.h (" inc ")")
  if (is_cap(f) && g == "http" && !is_api(b))
    return bad("a capability'"'"'s logic does not include http/; routes go in " f "/api.h (" inc ")")
  if (is_cap(f) && g != "core" && g != "db" && base_of(inc) == "api.h" && !is_api(b))
    return bad("a capability'"'"'s logic does not include an api.h (" inc ")")
}
# The string literals of a line, concatenated (escaped quotes kept inside).
function literals(line,    s, out, i, c, inlit) {
  out = ""; inlit = 0
  for (i = 1; i <= length(line); i++) {
    c = substr(line, i, 1)
    if (!inlit) {
      if (c == "/" && substr(line, i + 1, 1) == "/") break
      if (c == q) { i += (substr(line, i + 1, 1) == "\\") ? 3 : 2; continue }
      if (c == "\"") { inlit = 1; out = out " " }
      continue
    }
    if (c == "\\") { out = out substr(line, i, 2); i++; continue }
    if (c == "\"") { inlit = 0; continue }
    out = out c
  }
  return out
}
function check_sql(f, text,    rest, name, owner) {
  rest = text
  # The keyword must start a word: "JSON x" is not "ON x".
  while (match(rest, /(^|[^A-Za-z0-9_])(FROM|JOIN|INTO|UPDATE|TABLE|ON)[ \t]+[A-Za-z_][A-Za-z0-9_]*/)) {
    name = substr(rest, RSTART, RLENGTH)
    rest = substr(rest, RSTART + RLENGTH)
    sub(/^[^A-Z]/, "", name)
    sub(/^[A-Z]+[ \t]+/, "", name)
    if (!(name in owner_of_t))
      continue
    owner = owner_of_t[name]
    if (f != owner && !((FILENAME SUBSEP FNR SUBSEP name) in said)) {
      said[FILENAME, FNR, name] = 1
      bad("SQL names table " name " (owned by " owner "/) outside " owner "/")
    }
  }
}
BEGIN {
  q = sprintf("%c", 39)
  n = split(map, pairs, " ")
  for (i = 1; i <= n; i++) {
    split(pairs[i], kv, "=")
    if (kv[1] != "") owner_of_t[kv[1]] = kv[2]
  }
}
FNR == 1 { prev = ""; incomment = 0 }
{
  f = folder_of(FILENAME)
  b = base_of(FILENAME)
  line = $0
  # Block comments: drop their text (a comment may quote SQL or an include).
  if (incomment) {
    if ((e = index(line, "*/")) == 0) { prev = ""; next }
    line = substr(line, e + 2); incomment = 0
  }
  while ((s = index(line, "/*")) > 0) {
    e = index(substr(line, s + 2), "*/")
    if (e == 0) { line = substr(line, 1, s - 1); incomment = 1; break }
    line = substr(line, 1, s - 1) " " substr(line, s + 2 + e + 1)
  }
  if (match(line, /^[ \t]*#[ \t]*include[ \t]*"[^"]+"/)) {
    inc = line
    sub(/^[^"]*"/, "", inc)
    sub(/".*/, "", inc)
    g = index(inc, "/") ? substr(inc, 1, index(inc, "/") - 1) : ""
    check_include(f, b, g, inc)
    prev = ""
    next
  }
  lit = literals(line)
  if (lit == "") { prev = ""; next }
  # The previous line'"'"'s literal joins this one: SQL split over lines.
  text = prev " " lit
  check_sql(f, text)
  # Keep only the last word of this line for the next one (a dangling keyword).
  prev = lit
  sub(/.*[ \t]/, "", prev)
}
' $files)
if [ -n "$out" ]; then
  echo "$out"
  fail=1
fi
if [ $fail -ne 0 ]; then
  echo "check-layers: the layers are broken (see the lines above)" >&2
fi
exit $fail
