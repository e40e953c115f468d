#!/usr/bin/env bash
# test_layers.sh: scripts/check-layers.sh on small fake source trees — a clean tree
# passes; a forbidden include, SQL naming another capability's table (split over two
# lines, as the sources write it) and a table without an owner each fail with file:line
# (a rebuild's new table, renamed to the old name, needs none);
# SQL in comments and words like JSON do not count; the real tree's table list is the
# migrations'. Needs no muster binary.
set -u
failures=0

. "$(dirname "$0")/lib.sh"
check=$(cd "$(dirname "$0")/../.." && pwd)/scripts/check-layers.sh

# ---- a clean tree ------------------------------------------------------------------------
mkdir -p clean/core clean/db/migrations clean/places clean/people clean/screening clean/sim
cat >clean/db/migrations/0001_a.sql <<'SQL'
-- places and people; a comment naming CREATE TABLE nothing_here is not a table.
CREATE TABLE places (id INTEGER PRIMARY KEY);
CREATE TABLE people (
  id INTEGER PRIMARY KEY
);
SQL
cat >clean/db/migrations/0002_b.sql <<'SQL'
CREATE TABLE rounds (id INTEGER PRIMARY KEY);
CREATE INDEX rounds_x ON rounds(id);
SQL
printf '#include <stdio.h>\n#include "core.h"\nint f(void);\n' >clean/core/core.h
printf '#include "core/core.h"\nstatic const char pragma[] = "PRAGMA user_version";\n' >clean/db/db.c
cat >clean/places/places.c <<'C'
#include "core/core.h"
#include "db/db.h"
#include "places.h"
static const char sql_get[] = "SELECT id FROM places WHERE id = ?";
C
cat >clean/people/people.c <<'C'
#include "places/places.h"
/* Not SQL: SELECT id FROM rounds, in a comment
 * over two lines: UPDATE rounds SET x = 1 */
static const char sql[] =
    "SELECT id FROM"
    " people WHERE household_id = ?"; // FROM rounds
static const char msg[] = "reads JSON rounds";
static const char q = '"';
C
cat >clean/screening/tube.c <<'C'
#include "people/people.h"
#include "places/places.h"
#include "screening.h"
static const char sql[] = "UPDATE rounds SET closed_at = ? WHERE id = ?";
C
printf '#include "people/people.h"\n#include "places/places.h"\n' >clean/sim/city.c

run clean_ok 0 bash "$check" clean
eq "$(cat clean_ok.out)" "" "a clean tree prints nothing"
# The trailing slash and the default (src) are accepted.
run clean_slash 0 bash "$check" clean/
cp -r clean src
run clean_default 0 bash "$check"
run usage 2 bash "$check" no-such-dir

# ---- a forbidden include and a foreign table -------------------------------------------
cp -r clean dirty
printf '#include "screening/screening.h"\n' >>dirty/places/places.c
cat >>dirty/screening/tube.c <<'C'
static const char sql_household_of[] =
	"SELECT household_id FROM"
	" people WHERE id = ?";
static const char sql_scope[] = "SELECT parent_id FROM places WHERE id = ?";
C
run dirty 1 bash "$check" dirty
has dirty.out "dirty/places/places.c:5: places/ must not include screening/ (screening/screening.h)"
has dirty.out "dirty/screening/tube.c:7: SQL names table people (owned by people/) outside people/"
has dirty.out "dirty/screening/tube.c:8: SQL names table places (owned by places/) outside places/"
lines dirty.out 3
contains dirty.err "layers are broken"

# ---- the other include rules, one file each -------------------------------------------
cp -r clean rules
mkdir -p rules/http rules/auth rules/cli
printf '#include "db/db.h"\n' >>rules/core/core.h
printf '#include "places/places.h"\n' >rules/http/router.c
printf '#include "places/places.h"\n' >rules/auth/api.c
printf '#include "http/http.h"\n' >>rules/people/people.c
printf '#include "http/http.h"\n' >rules/people/api.c
printf '#include "http/http.h"\n' >rules/people/api.h
printf '#include "screening/api.h"\n' >>rules/sim/city.c
printf '#include "cli/cli.h"\n' >>rules/screening/tube.c
printf '#include "places/places.h"\n#include "cli.h"\n' >rules/cli/main.c
run rules 1 bash "$check" rules
has rules.out "rules/core/core.h:4: core/ includes no other folder (db/db.h)"
has rules.out "rules/http/router.c:1: http/ includes only core/ (places/places.h)"
has rules.out "rules/auth/api.c:1: auth/ depends on no capability (places/places.h)"
contains rules.out "rules/people/people.c:9: a capability's logic does not include http/"
has rules.out "rules/sim/city.c:3: sim/ includes neither http/ nor an api.h (screening/api.h)"
has rules.out "rules/screening/tube.c:5: only cli/ includes cli/ (cli/cli.h)"
lines rules.out 6

# ---- a table nobody owns --------------------------------------------------------------
cp -r clean orphan
printf 'CREATE TABLE widgets (id INTEGER PRIMARY KEY);\n' >orphan/db/migrations/0003_c.sql
run orphan 1 bash "$check" orphan
contains orphan.out "table 'widgets' has no owner"

# ---- a rebuild: the new table renamed to the old one's name needs no owner of its own --
cp -r clean rebuild
cat >rebuild/db/migrations/0003_c.sql <<'SQL'
CREATE TABLE rounds_0003 (id INTEGER PRIMARY KEY);
INSERT INTO rounds_0003 (id) SELECT id FROM rounds;
DROP TABLE rounds;
ALTER TABLE rounds_0003 RENAME TO rounds;
SQL
run rebuild 0 bash "$check" rebuild
printf 'CREATE TABLE rounds_0004 (id INTEGER PRIMARY KEY);\n' >rebuild/db/migrations/0004_d.sql
run rebuild_kept 1 bash "$check" rebuild
contains rebuild_kept.out "table 'rounds_0004' has no owner"

# ---- the real tree: every table of the migrations has an owner ------------------------
real=$(cd "$(dirname "$0")/../.." && pwd)/src
bash "$check" "$real" >real.out 2>/dev/null
if grep -q "has no owner" real.out; then
  fail "a table of src/db/migrations has no owner in check-layers.sh"
  grep "has no owner" real.out
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok"
