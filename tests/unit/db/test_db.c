/* test_db.c: connections, migrations, the statement cache, error mapping, nested
 * transactions, bulk mode and read-only connections from src/db/db.c. Each test gets a
 * fresh database file in its own temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "db/db.h"

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/muster-dbtest.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	if (db_open(f->path, DB_OPEN_CREATE, &f->db) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	db_close(f->db);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc;
}

static int64_t q(struct db *d, const char *sql)
{
	int64_t v = -1;
	assert_int_equal(db_query_i64(d, sql, &v), 0);
	return v;
}

static const char sql_journal_mode[] = "PRAGMA journal_mode";

static void assert_journal(struct db *d, const char *want)
{
	struct db_stmt *s;
	assert_int_equal(db_prepare(d, sql_journal_mode, &s), 0);
	assert_int_equal(db_step(s), DB_ROW);
	assert_string_equal(db_col_text(s, 0), want);
	db_stmt_done(s);
}

static const char sql_place_ins[] =
    "INSERT INTO places(id, parent_id, level, code, name) VALUES (?, ?, ?, ?, ?)";

/* Inserts a place; returns db_step's code (DB_DONE on success). */
static int place_add(struct db *d, int64_t id, int64_t parent, int level, const char *code)
{
	struct db_stmt *s;
	assert_int_equal(db_prepare(d, sql_place_ins, &s), 0);
	db_bind_i64(s, 1, id);
	if (parent)
		db_bind_i64(s, 2, parent);
	else
		db_bind_null(s, 2);
	db_bind_i64(s, 3, level);
	db_bind_text(s, 4, code, -1);
	db_bind_text(s, 5, "名字", -1);
	int rc = db_step(s);
	db_stmt_done(s);
	return rc;
}

/* ---- open and migrations ------------------------------------------------------------ */

static void test_migrations(void **state)
{
	struct fx *f = *state;
	assert_true(db_schema_version() >= 1);
	assert_int_equal(q(f->db, "PRAGMA user_version"), db_schema_version());
	assert_int_equal(q(f->db, "SELECT count(*) FROM sqlite_master WHERE name='places'"), 1);
	assert_int_equal(q(f->db, "SELECT count(*) FROM sqlite_master WHERE name='people'"), 1);
	assert_int_equal(q(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(q(f->db, "PRAGMA synchronous"), 2); /* FULL */
	assert_journal(f->db, "wal");
	assert_string_equal(db_path(f->db), f->path);
	assert_int_equal(place_add(f->db, 1, 0, 0, "city"), DB_DONE);

	/* Reopening runs nothing again: a second CREATE TABLE would fail the open, and a
	 * re-created table would have lost the row. */
	db_close(f->db);
	f->db = NULL;
	assert_int_equal(db_open(f->path, 0, &f->db), 0);
	assert_int_equal(q(f->db, "PRAGMA user_version"), db_schema_version());
	assert_int_equal(q(f->db, "SELECT count(*) FROM places WHERE code='city'"), 1);
}

/* 0021 rebuilds calls and call_steps with foreign keys off: run again over rows, it keeps
 * them and their links, turns foreign keys back on, and refuses (changing nothing) when
 * the rebuilt tables would hold a broken link. */
static void reopen_at(struct fx *f, int version, int want)
{
	char pragma[64];
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", version);
	assert_int_equal(db_exec(f->db, pragma), 0);
	db_close(f->db);
	f->db = NULL;
	assert_int_equal(db_open(f->path, 0, &f->db), want);
	if (want != 0)
		assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &f->db), 0);
}

static void test_rebuild_migration(void **state)
{
	struct fx *f = *state;
	assert_int_equal(place_add(f->db, 1, 0, 0, "city"), DB_DONE);
	assert_int_equal(
	    db_exec(f->db,
		    "INSERT INTO calls (id, place_id, category, priority, text, unit_id, "
		    "level_id, wartime, allowance, first_due, due, created_at, district_id, "
		    "street_id, community_id, grid_id) VALUES "
		    "(7, 1, 'dialysis', 'urgent', 'x', 1, 1, 0, 60, 60, 60, 0, 1, 1, 1, 1);"
		    "INSERT INTO call_steps (call_id, kind, at) VALUES (7, 'acknowledged', 9)"),
	    0);
	assert_int_equal(db_exec(f->db, "INSERT INTO call_steps (call_id, kind, at) "
					"VALUES (7, 'logged', 1)"),
			 MU_EINVAL);
	reopen_at(f, 20, 0);
	assert_int_equal(q(f->db, "PRAGMA user_version"), db_schema_version());
	assert_int_equal(q(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(q(f->db, "SELECT count(*) FROM calls WHERE id = 7 AND "
				  "category = 'dialysis'"),
			 1);
	assert_int_equal(q(f->db, "SELECT count(*) FROM call_steps WHERE call_id = 7"), 1);
	assert_int_equal(q(f->db, "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'calls' "
				  "AND type = 'index'"),
			 9);
	assert_int_equal(q(f->db, "SELECT count(*) FROM sqlite_master WHERE sql LIKE "
				  "'%IN (''medicine''%' OR sql LIKE '%IN (''logged''%'"),
			 0);
	assert_int_equal(db_exec(f->db, "INSERT INTO call_steps (call_id, kind, at) "
					"VALUES (8, 'progress', 1)"),
			 MU_EINVAL);
	/* a step whose call is gone (written with foreign keys off) */
	assert_int_equal(db_exec(f->db, "PRAGMA foreign_keys=OFF; INSERT INTO call_steps "
					"(call_id, kind, at) VALUES (8, 'progress', 1)"),
			 0);
	reopen_at(f, 20, MU_EDB);
	assert_int_equal(q(f->db, "PRAGMA user_version"), 20);
	assert_int_equal(q(f->db, "SELECT count(*) FROM call_steps"), 2);
}

static void test_open_missing(void **state)
{
	struct fx *f = *state;
	char path[200];
	snprintf(path, sizeof path, "%s/missing.db", f->dir);
	struct db *d = (struct db *)&d;
	assert_int_equal(db_open(path, 0, &d), MU_ENOTFOUND);
	assert_null(d);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(db_open(path, DB_OPEN_READONLY, &d), MU_ENOTFOUND);
	assert_null(d);
}

static void test_newer_schema(void **state)
{
	struct fx *f = *state;
	char pragma[64];
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", db_schema_version() + 1);
	assert_int_equal(db_exec(f->db, pragma), 0);
	db_close(f->db);
	f->db = NULL;
	struct db *d = (struct db *)&d;
	assert_int_equal(db_open(f->path, 0, &d), MU_ESCHEMA);
	assert_null(d);
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &d), MU_ESCHEMA);
	assert_null(d);
	/* The refusal changed nothing. */
	assert_int_equal(db_open(f->path, DB_OPEN_CREATE, &d), MU_ESCHEMA);
	assert_null(d);
}

/* ---- statements and errors ---------------------------------------------------------- */

static const char sql_a[] = "SELECT 1";
static const char sql_b[] = "SELECT 1"; /* same text, other literal */

static void test_stmt_cache(void **state)
{
	struct fx *f = *state;
	struct db_stmt *s1, *s2, *s3;
	assert_int_equal(db_prepare(f->db, sql_a, &s1), 0);
	assert_int_equal(db_step(s1), DB_ROW);
	assert_int_equal(db_col_i64(s1, 0), 1);
	db_stmt_done(s1);
	assert_int_equal(db_prepare(f->db, sql_a, &s2), 0);
	assert_ptr_equal(s1, s2);
	db_stmt_done(s2);
	assert_int_equal(db_prepare(f->db, sql_b, &s3), 0);
	assert_ptr_not_equal(s1, s3);
	db_stmt_done(s3);
	db_stmt_done(NULL);

	/* Bindings are cleared by db_stmt_done: a fresh use sees NULL, not the old value. */
	static const char sql_echo[] = "SELECT ?1 IS NULL, ?1";
	struct db_stmt *e;
	assert_int_equal(db_prepare(f->db, sql_echo, &e), 0);
	db_bind_text(e, 1, "中文", -1);
	assert_int_equal(db_step(e), DB_ROW);
	assert_int_equal(db_col_i64(e, 0), 0);
	assert_string_equal(db_col_text(e, 1), "中文");
	db_stmt_done(e);
	assert_int_equal(db_prepare(f->db, sql_echo, &e), 0);
	assert_int_equal(db_step(e), DB_ROW);
	assert_int_equal(db_col_i64(e, 0), 1);
	assert_true(db_col_null(e, 1));
	assert_string_equal(db_col_text(e, 1), "");
	db_stmt_done(e);

	/* Many distinct literals force the cache to grow; every one stays findable. */
	enum { N = 300 };
	static char texts[N][32];
	struct db_stmt *first[N];
	for (int i = 0; i < N; i++) {
		snprintf(texts[i], sizeof texts[i], "SELECT %d", i);
		assert_int_equal(db_prepare(f->db, texts[i], &first[i]), 0);
		db_stmt_done(first[i]);
	}
	for (int i = 0; i < N; i++) {
		struct db_stmt *s;
		assert_int_equal(db_prepare(f->db, texts[i], &s), 0);
		assert_ptr_equal(s, first[i]);
		assert_int_equal(db_step(s), DB_ROW);
		assert_int_equal(db_col_i64(s, 0), i);
		db_stmt_done(s);
	}
	assert_int_equal(db_prepare(f->db, "SELEKT nonsense", &s1), MU_EDB);
	assert_null(s1);
}

static const char sql_t_ins[] = "INSERT INTO t(id, u, nn, c, p) VALUES (?, ?, ?, ?, ?)";

static int t_add(struct db *d, int64_t id, const char *u, const char *nn, int64_t c, int64_t p)
{
	struct db_stmt *s;
	assert_int_equal(db_prepare(d, sql_t_ins, &s), 0);
	db_bind_i64(s, 1, id);
	db_bind_text(s, 2, u, -1);
	if (nn)
		db_bind_text(s, 3, nn, -1);
	db_bind_i64(s, 4, c);
	if (p)
		db_bind_i64(s, 5, p);
	int rc = db_step(s);
	db_stmt_done(s);
	return rc;
}

static void test_constraint_codes(void **state)
{
	struct fx *f = *state;
	assert_int_equal(place_add(f->db, 1, 0, 0, "city"), DB_DONE);
	assert_int_equal(db_exec(f->db, "CREATE TABLE t(id INTEGER PRIMARY KEY, u TEXT UNIQUE,"
					" nn TEXT NOT NULL, c INTEGER CHECK (c > 0),"
					" p INTEGER REFERENCES places(id))"),
			 0);
	assert_int_equal(t_add(f->db, 1, "a", "x", 1, 1), DB_DONE);
	assert_int_equal(t_add(f->db, 2, "a", "x", 1, 1), MU_EEXIST);	/* UNIQUE */
	assert_int_equal(t_add(f->db, 1, "b", "x", 1, 1), MU_EEXIST);	/* PRIMARY KEY */
	assert_int_equal(t_add(f->db, 3, "c", NULL, 1, 1), MU_EINVAL);	/* NOT NULL */
	assert_int_equal(t_add(f->db, 4, "d", "x", 0, 1), MU_EINVAL);	/* CHECK */
	assert_int_equal(t_add(f->db, 5, "e", "x", 1, 999), MU_EINVAL); /* FOREIGN KEY */
	assert_int_equal(q(f->db, "SELECT count(*) FROM t"), 1);
	/* Same mapping through db_exec. */
	assert_int_equal(db_exec(f->db, "INSERT INTO t(id,u,nn,c) VALUES (9,'a','x',1)"),
			 MU_EEXIST);
	assert_int_equal(db_exec(f->db, "INSERT INTO t(id,u,nn,c) VALUES (9,'z','x',-1)"),
			 MU_EINVAL);
	assert_int_equal(db_exec(f->db, "INSERT INTO nope VALUES (1)"), MU_EDB);
	assert_int_equal(place_add(f->db, 2, 1, 9, "bad-level"), MU_EINVAL);
	assert_int_equal(place_add(f->db, 2, 1, 1, "city"), MU_EEXIST);
	assert_int_equal(place_add(f->db, 2, 1, 1, "d1"), DB_DONE);
	assert_int_equal(db_last_insert_id(f->db), 2);
	assert_int_equal(db_changes(f->db), 1);
}

/* ---- transactions ------------------------------------------------------------------- */

static void test_nested_tx(void **state)
{
	struct fx *f = *state;
	struct db *d = f->db;
	assert_int_equal(db_exec(d, "CREATE TABLE n(x INTEGER)"), 0);
	assert_int_equal(db_tx_depth(d), 0);
	assert_int_equal(db_tx_begin(d), 0);
	assert_int_equal(db_exec(d, "INSERT INTO n VALUES (1)"), 0);
	assert_int_equal(db_tx_begin(d), 0);
	assert_int_equal(db_tx_depth(d), 2);
	assert_int_equal(db_exec(d, "INSERT INTO n VALUES (2)"), 0);
	assert_int_equal(db_tx_rollback(d), 0); /* undoes 2 only */
	assert_int_equal(db_tx_depth(d), 1);
	assert_int_equal(q(d, "SELECT group_concat(x) FROM n"), 1);
	assert_int_equal(db_tx_begin(d), 0);
	assert_int_equal(db_exec(d, "INSERT INTO n VALUES (3)"), 0);
	assert_int_equal(db_tx_begin(d), 0);
	assert_int_equal(db_exec(d, "INSERT INTO n VALUES (4)"), 0);
	assert_int_equal(db_tx_rollback(d), 0); /* third level: undoes 4 */
	assert_int_equal(db_tx_commit(d), 0);	/* keeps 3 */
	assert_int_equal(db_tx_commit(d), 0);
	assert_int_equal(db_tx_depth(d), 0);
	assert_int_equal(q(d, "SELECT sum(x) FROM n"), 4);
	assert_int_equal(q(d, "SELECT count(*) FROM n"), 2);

	/* Outer rollback undoes everything, inner commits included. */
	assert_int_equal(db_tx_begin(d), 0);
	assert_int_equal(db_exec(d, "INSERT INTO n VALUES (10)"), 0);
	assert_int_equal(db_tx_begin(d), 0);
	assert_int_equal(db_exec(d, "INSERT INTO n VALUES (20)"), 0);
	assert_int_equal(db_tx_commit(d), 0);
	assert_int_equal(db_tx_rollback(d), 0);
	assert_int_equal(db_tx_depth(d), 0);
	assert_int_equal(q(d, "SELECT sum(x) FROM n"), 4);

	/* Committed data survives a reopen. */
	db_close(d);
	f->db = NULL;
	assert_int_equal(db_open(f->path, 0, &f->db), 0);
	assert_int_equal(q(f->db, "SELECT sum(x) FROM n"), 4);
}

/* ---- bulk mode ---------------------------------------------------------------------- */

static int64_t n_indexes(struct db *d)
{
	return q(d, "SELECT count(*) FROM sqlite_master WHERE type='index' AND tbl_name='places'"
		    " AND sql IS NOT NULL");
}

static void test_bulk(void **state)
{
	struct fx *f = *state;
	struct db *d = f->db;
	assert_int_equal(place_add(d, 1, 0, 0, "city"), DB_DONE);
	assert_int_equal(n_indexes(d), 2);
	int64_t people_idx = q(d, "SELECT count(*) FROM sqlite_master WHERE type='index'"
				  " AND tbl_name='people'");
	static const char *const tables[] = {"places", NULL};
	assert_int_equal(db_bulk_begin(d, tables), 0);
	assert_int_equal(n_indexes(d), 0);
	assert_int_equal(q(d, "SELECT count(*) FROM sqlite_master WHERE type='index'"
			      " AND tbl_name='people'"),
			 people_idx); /* other tables keep theirs */
	assert_journal(d, "delete");
	for (int i = 2; i <= 2000; i++) {
		char code[32];
		snprintf(code, sizeof code, "p%d", i);
		assert_int_equal(place_add(d, i, 1, 1, code), DB_DONE);
	}
	assert_int_equal(db_bulk_end(d, true), 0);
	assert_int_equal(db_tx_depth(d), 0);
	assert_int_equal(n_indexes(d), 2);
	assert_journal(d, "wal");
	assert_int_equal(q(d, "PRAGMA synchronous"), 2);
	assert_int_equal(q(d, "SELECT count(*) FROM places"), 2000);
	assert_int_equal(q(d, "SELECT count(*) FROM places WHERE parent_id=1"), 1999);
	/* The rebuilt unique index is enforced again. */
	assert_int_equal(place_add(d, 5000, 1, 1, "p77"), MU_EEXIST);

	/* Durable: another connection sees it all after a reopen. */
	db_close(d);
	f->db = NULL;
	assert_int_equal(db_open(f->path, 0, &f->db), 0);
	assert_int_equal(q(f->db, "SELECT count(*) FROM places"), 2000);
	assert_int_equal(n_indexes(f->db), 2);
	assert_journal(f->db, "wal");
}

static void test_bulk_duplicates(void **state)
{
	struct fx *f = *state;
	struct db *d = f->db;
	assert_int_equal(place_add(d, 1, 0, 0, "city"), DB_DONE);
	assert_int_equal(place_add(d, 2, 1, 1, "d1"), DB_DONE);
	int64_t before = q(d, "SELECT count(*) FROM sqlite_master");
	static const char *const tables[] = {"places", NULL};
	assert_int_equal(db_bulk_begin(d, tables), 0);
	assert_int_equal(n_indexes(d), 0);
	for (int i = 3; i < 100; i++) {
		char code[32];
		snprintf(code, sizeof code, "p%d", i);
		assert_int_equal(place_add(d, i, 1, 1, code), DB_DONE);
	}
	/* No unique index during the load: the duplicate goes in... */
	assert_int_equal(place_add(d, 100, 1, 1, "d1"), DB_DONE);
	/* ...and makes the whole load fail at the end. */
	assert_int_equal(db_bulk_end(d, true), MU_EEXIST);
	assert_int_equal(db_tx_depth(d), 0);
	assert_int_equal(q(d, "SELECT count(*) FROM places"), 2);
	assert_int_equal(q(d, "SELECT sum(id) FROM places"), 3);
	assert_int_equal(n_indexes(d), 2);
	assert_int_equal(q(d, "SELECT count(*) FROM sqlite_master"), before);
	assert_journal(d, "wal");
	assert_int_equal(place_add(d, 3, 1, 1, "d1"), MU_EEXIST);

	/* commit=false throws the load away as well. */
	assert_int_equal(db_bulk_begin(d, tables), 0);
	assert_int_equal(place_add(d, 3, 1, 1, "d3"), DB_DONE);
	assert_int_equal(db_bulk_end(d, false), 0);
	assert_int_equal(q(d, "SELECT count(*) FROM places"), 2);
	assert_int_equal(n_indexes(d), 2);
	assert_journal(d, "wal");
}

/* ---- read-only connections ---------------------------------------------------------- */

static void test_readonly(void **state)
{
	struct fx *f = *state;
	assert_int_equal(place_add(f->db, 1, 0, 0, "city"), DB_DONE);
	struct db *ro;
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &ro), 0);
	assert_int_equal(q(ro, "SELECT count(*) FROM places"), 1);
	assert_int_not_equal(db_exec(ro, "INSERT INTO places(id, level, code, name)"
					 " VALUES (7, 0, 'x', 'x')"),
			     0);
	struct db_stmt *s;
	assert_int_equal(db_prepare(ro, sql_place_ins, &s), 0);
	db_bind_i64(s, 1, 8);
	db_bind_null(s, 2);
	db_bind_i64(s, 3, 0);
	db_bind_text(s, 4, "y", -1);
	db_bind_text(s, 5, "y", -1);
	int rc = db_step(s);
	db_stmt_done(s);
	assert_true(rc < 0);
	assert_int_not_equal(db_exec(ro, "CREATE TABLE sneaky(x)"), 0);
	assert_int_not_equal(db_exec(ro, "DELETE FROM places"), 0);
	/* The reader still sees what the writer commits. */
	assert_int_equal(place_add(f->db, 2, 1, 1, "d1"), DB_DONE);
	assert_int_equal(q(ro, "SELECT count(*) FROM places"), 2);
	db_close(ro);
	assert_int_equal(q(f->db, "SELECT count(*) FROM places"), 2);
}

/* A read snapshot: every query between begin and end sees the same state, even while
 * the writer commits; after end the reader sees the new rows. It starts at its first
 * statement; one that runs none costs no statement at all. */
static void test_read_snapshot(void **state)
{
	struct fx *f = *state;
	assert_int_equal(place_add(f->db, 1, 0, 0, "city"), DB_DONE);
	struct db *ro;
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &ro), 0);
	assert_int_equal(db_read_end(ro), 0); /* no-op without a begin */
	assert_int_equal(db_read_begin(ro), 0);
	assert_int_equal(q(ro, "SELECT count(*) FROM places"), 1);
	assert_int_equal(place_add(f->db, 2, 1, 1, "d1"), DB_DONE);
	assert_int_equal(q(ro, "SELECT count(*) FROM places"), 1);
	assert_int_equal(db_read_end(ro), 0);
	assert_int_equal(db_tx_depth(ro), 0);
	assert_int_equal(q(ro, "SELECT count(*) FROM places"), 2);

	/* The snapshot begins at the first statement (as BEGIN DEFERRED's does): a commit
	 * between begin and that statement is seen, none after it. */
	assert_int_equal(db_read_begin(ro), 0);
	assert_int_equal(db_tx_depth(ro), 1);
	assert_int_equal(place_add(f->db, 3, 1, 1, "d2"), DB_DONE);
	struct db_stmt *st;
	assert_int_equal(db_prepare(ro, "SELECT count(*) FROM places", &st), 0);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 0), 3);
	db_stmt_done(st);
	assert_int_equal(place_add(f->db, 4, 1, 1, "d3"), DB_DONE);
	assert_int_equal(q(ro, "SELECT count(*) FROM places"), 3);
	assert_int_equal(db_read_end(ro), 0);
	/* A snapshot that read nothing ends, or rolls back, without a statement. */
	assert_int_equal(db_read_begin(ro), 0);
	assert_int_equal(db_read_end(ro), 0);
	assert_int_equal(db_tx_depth(ro), 0);
	assert_int_equal(db_read_begin(ro), 0);
	assert_int_equal(db_tx_rollback(ro), 0);
	assert_int_equal(db_tx_depth(ro), 0);
	assert_int_equal(q(ro, "SELECT count(*) FROM places"), 4);
	assert_int_equal(db_read_begin(ro), 0);
	db_close(ro); /* with an unstarted snapshot: nothing to roll back */
}

static long wal_bytes(const struct fx *f)
{
	char wal[160];
	struct stat st;
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	return stat(wal, &st) == 0 ? (long)st.st_size : -1;
}

static void commit_pages(struct fx *f, int commits)
{
	for (int i = 0; i < commits; i++)
		assert_int_equal(db_exec(f->db, "INSERT INTO big(b) VALUES (randomblob(20000))"),
				 0);
}

/* db_checkpoint_policy: no checkpoint before the interval however large the WAL grows
 * up to max_pages; at max_pages one runs and the WAL starts over from its beginning. */
static void test_checkpoint_policy(void **state)
{
	struct fx *f = *state;
	const long frame = 24 + 4096;
	assert_int_equal(db_exec(f->db, "CREATE TABLE big(b BLOB)"), 0);
	assert_int_equal(db_checkpoint_policy(f->db, 10, 1000000, 3600 * 1000), 0);
	commit_pages(f, 400); /* ~2,000 pages: SQLite alone checkpoints at 1,000 */
	assert_true(wal_bytes(f) > 1500 * frame);
	assert_int_equal(db_exec(f->db, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
	assert_int_equal(db_checkpoint_policy(f->db, 10, 200, 3600 * 1000), 0);
	commit_pages(f, 400);
	/* At most max_pages plus one commit's pages before the WAL is reused. */
	assert_true(wal_bytes(f) > 0);
	assert_true(wal_bytes(f) < 220 * frame + 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rebuild_migration, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stmt_cache, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_constraint_codes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nested_tx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bulk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bulk_duplicates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_snapshot, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_checkpoint_policy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
