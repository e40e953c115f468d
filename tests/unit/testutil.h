/* testutil.h: what the cmocka unit tests share — a fresh temporary database with the
 * schema applied and its key file, removed again at teardown. */
#ifndef MU_TESTUTIL_H
#define MU_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "db/db.h"
#include "people/people.h"

struct tdb {
	char dir[64];
	char path[128];
	struct db *db;
	struct people_keys keys;
};

/* Makes a temporary directory with a migrated database and a key file in it. */
static inline void tdb_open(struct tdb *t)
{
	strcpy(t->dir, "/tmp/muster-test.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof t->path, "%s/t.db", t->dir);
	assert_int_equal(people_keys_create(t->path), 0);
	assert_int_equal(people_keys_load(t->path, &t->keys), 0);
	assert_int_equal(db_open(t->path, DB_OPEN_CREATE, &t->db), 0);
}

/* Closes the database and removes the directory with everything in it. */
static inline void tdb_close(struct tdb *t)
{
	db_close(t->db);
	t->db = NULL;
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
}

#endif
