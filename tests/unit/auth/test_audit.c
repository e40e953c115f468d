/* test_audit.c: the hash-chained audit log — append and verify, and verify finding an
 * edited entry, a removed one, a swapped pair, a foreign key file; the chain after a
 * rolled-back append; the filtered listing behind GET /api/v1/audit. */
#include "auth/auth.h"
#include "auth/auth_int.h"
#include "testutil.h"

static int setup(void **state)
{
	struct tdb *t = calloc(1, sizeof *t);
	tdb_open(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tdb *t = *state;
	tdb_close(t);
	free(t);
	return 0;
}

static void who(struct auth_principal *p, const char *name, int64_t id)
{
	memset(p, 0, sizeof *p);
	p->kind = AUTH_KIND_USER;
	p->id = id;
	snprintf(p->name, sizeof p->name, "%s", name);
}

/* Appends n entries: actor li for odd ids, ma for even ones, record person:<id>. */
static void fill(struct tdb *t, int n)
{
	struct auth_principal li, ma;
	who(&li, "li", 2);
	who(&ma, "ma", 3);
	for (int i = 1; i <= n; i++) {
		char rec[32];
		snprintf(rec, sizeof rec, "person:%d", i);
		assert_int_equal(auth_audit_append(t->db, i % 2 ? &li : &ma,
						   "GET /api/v1/people/{id}", rec, "127.0.0.1",
						   200),
				 0);
	}
}

static void verify(struct tdb *t, int64_t want_bad, int64_t want_checked)
{
	int64_t bad = -1, checked = -1;
	assert_int_equal(auth_audit_verify(t->db, t->path, &bad, &checked), 0);
	assert_int_equal(bad, want_bad);
	assert_int_equal(checked, want_checked);
}

static void exec(struct tdb *t, const char *sql)
{
	assert_int_equal(db_exec(t->db, sql), 0);
}

static void test_empty_and_intact(void **state)
{
	struct tdb *t = *state;
	verify(t, 0, 0);
	fill(t, 5);
	verify(t, 0, 5);
	assert_int_equal(auth_audit_append(t->db, NULL, "denied GET /x", NULL, NULL, 401), 0);
	verify(t, 0, 6);
	int64_t n = 0;
	assert_int_equal(
	    db_query_i64(t->db, "SELECT count(*) FROM audit WHERE actor = '' AND record = ''", &n),
	    0);
	assert_int_equal(n, 1);
}

static void test_edited_entry(void **state)
{
	struct tdb *t = *state;
	fill(t, 5);
	exec(t, "UPDATE audit SET record = 'person:99' WHERE id = 3");
	verify(t, 3, 3);
}

static void test_edited_status_and_time(void **state)
{
	struct tdb *t = *state;
	fill(t, 5);
	exec(t, "UPDATE audit SET status = 403 WHERE id = 5");
	verify(t, 5, 5);
	exec(t, "UPDATE audit SET status = 200 WHERE id = 5");
	verify(t, 0, 5);
	exec(t, "UPDATE audit SET at_ms = at_ms + 1 WHERE id = 1");
	verify(t, 1, 1);
}

static void test_deleted_entry(void **state)
{
	struct tdb *t = *state;
	fill(t, 5);
	exec(t, "DELETE FROM audit WHERE id = 3");
	verify(t, 4, 3); /* the entry after the gap */
}

static void test_deleted_first_entry(void **state)
{
	struct tdb *t = *state;
	fill(t, 4);
	exec(t, "DELETE FROM audit WHERE id = 1");
	verify(t, 2, 1);
}

static void test_swapped_pair(void **state)
{
	struct tdb *t = *state;
	fill(t, 5);
	/* Swap every column but the id between entries 2 and 3. */
	exec(t,
	     "CREATE TEMP TABLE s AS SELECT * FROM audit WHERE id IN (2, 3);"
	     "UPDATE audit SET (at_ms, actor_kind, actor_id, actor, action, record, addr, status, "
	     "prev, hash) = (SELECT at_ms, actor_kind, actor_id, actor, action, record, addr, "
	     "status, prev, hash FROM s WHERE s.id = 5 - audit.id) WHERE id IN (2, 3);"
	     "DROP TABLE s");
	int64_t n = 0;
	assert_int_equal(
	    db_query_i64(t->db, "SELECT count(*) FROM audit WHERE id = 2 AND record = 'person:3'",
			 &n),
	    0);
	assert_int_equal(n, 1);
	verify(t, 2, 2);
}

static void test_reordered_ids(void **state)
{
	struct tdb *t = *state;
	fill(t, 5);
	/* Move entry 4 (whole, with its hash) behind entry 5. */
	exec(t, "UPDATE audit SET id = 6 WHERE id = 4");
	verify(t, 5, 4);
}

static void test_recomputed_hash_without_key(void **state)
{
	struct tdb *t = *state;
	fill(t, 3);
	/* An editor without the key file cannot make a matching hash: a plain BLAKE2b or a
	 * guess fails like any edit. */
	exec(t, "UPDATE audit SET hash = zeroblob(32) WHERE id = 2");
	verify(t, 2, 2);
	exec(t, "UPDATE audit SET hash = x'00' WHERE id = 2");
	verify(t, 2, 2);
}

static void test_foreign_key_file(void **state)
{
	struct tdb *t = *state;
	fill(t, 2);
	char other[160], cmd[400];
	snprintf(other, sizeof other, "%s/other.db", t->dir);
	assert_int_equal(mu_keyfile_create(other), 0);
	int64_t bad = 0, checked = 0;
	assert_int_equal(auth_audit_verify(t->db, other, &bad, &checked), 0);
	assert_int_equal(bad, 1);
	snprintf(cmd, sizeof cmd, "%s/none.db", t->dir);
	assert_int_equal(auth_audit_verify(t->db, cmd, &bad, &checked), MU_ENOTFOUND);
}

static void test_rolled_back_append(void **state)
{
	struct tdb *t = *state;
	fill(t, 2);
	/* An append inside a transaction that rolls back leaves no trace; the next append
	 * must chain to the entry that stayed, not to the one rolled back. */
	assert_int_equal(db_tx_begin(t->db), 0);
	fill(t, 1);
	assert_int_equal(db_tx_rollback(t->db), 0);
	fill(t, 1);
	verify(t, 0, 3);
}

struct got {
	int n;
	int64_t ids[16];
};

static int collect(const struct auth__audit_row *row, void *ctx)
{
	struct got *g = ctx;
	if (g->n < 16)
		g->ids[g->n] = row->id;
	g->n++;
	return 0;
}

/* A batch of records: one entry each, in order, sharing the actor and action, chained
 * on from the entries before; an empty batch appends nothing; a batch that rolls back
 * with its transaction leaves the chain as it was. */
static void test_append_records(void **state)
{
	struct tdb *t = *state;
	struct auth_principal cli;
	memset(&cli, 0, sizeof cli);
	snprintf(cli.name, sizeof cli.name, "cli:op");
	fill(t, 2);
	const char *const recs[] = {"person:7", "person:8", "person:9"};
	assert_int_equal(
	    auth_audit_append_records(t->db, &cli, "cli export people", recs, 3, "", 0), 0);
	assert_int_equal(
	    auth_audit_append_records(t->db, &cli, "cli export people", recs, 0, "", 0), 0);
	verify(t, 0, 5);
	struct db_stmt *s;
	assert_int_equal(
	    db_prepare(t->db,
		       "SELECT id, actor, action, record FROM audit WHERE id > 2 ORDER BY id", &s),
	    0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(db_step(s), DB_ROW);
		assert_int_equal(db_col_i64(s, 0), 3 + i);
		assert_string_equal(db_col_text(s, 1), "cli:op");
		assert_string_equal(db_col_text(s, 2), "cli export people");
		assert_string_equal(db_col_text(s, 3), recs[i]);
	}
	assert_int_equal(db_step(s), DB_DONE);
	db_stmt_done(s);
	assert_int_equal(db_tx_begin(t->db), 0);
	assert_int_equal(
	    auth_audit_append_records(t->db, &cli, "cli export people", recs, 3, "", 0), 0);
	assert_int_equal(db_tx_rollback(t->db), 0);
	fill(t, 1);
	verify(t, 0, 6);
}

static void test_listing(void **state)
{
	struct tdb *t = *state;
	fill(t, 9);
	exec(t, "UPDATE audit SET at_ms = id * 1000");
	struct got g = {0};
	assert_int_equal(auth__audit_list(t->db, NULL, NULL, 0, 0, 0, 100, collect, &g), 0);
	assert_int_equal(g.n, 9);
	assert_int_equal(g.ids[0], 9); /* newest first */
	assert_int_equal(g.ids[8], 1);
	memset(&g, 0, sizeof g);
	assert_int_equal(auth__audit_list(t->db, "ma", NULL, 0, 0, 0, 100, collect, &g), 0);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.ids[0], 8);
	memset(&g, 0, sizeof g);
	assert_int_equal(auth__audit_list(t->db, NULL, "person:5", 0, 0, 0, 100, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ids[0], 5);
	memset(&g, 0, sizeof g);
	assert_int_equal(auth__audit_list(t->db, "ma", "person:5", 0, 0, 0, 100, collect, &g), 0);
	assert_int_equal(g.n, 0);
	memset(&g, 0, sizeof g); /* since inclusive, until exclusive */
	assert_int_equal(auth__audit_list(t->db, NULL, NULL, 3000, 6000, 0, 100, collect, &g), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.ids[0], 5);
	assert_int_equal(g.ids[2], 3);
	memset(&g, 0, sizeof g); /* a page of 2 below cursor 7, for li */
	assert_int_equal(auth__audit_list(t->db, "li", NULL, 0, 0, 7, 2, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ids[0], 5);
	assert_int_equal(g.ids[1], 3);
}

/* The actor and record indexes are partitioned by id range (2^14 entries each): a
 * listing must find entries in every partition, newest first, and page across them. */
static void test_listing_across_partitions(void **state)
{
	struct tdb *t = *state;
	exec(t, "INSERT INTO audit(id, at_ms, actor_kind, actor_id, actor, action, record, addr, "
		"status, prev, hash) SELECT column1, column1, 2, 1, column2, 'GET', column3, '', "
		"200, zeroblob(32), zeroblob(32) FROM (VALUES (1, 'li', 'person:7'), "
		"(16383, 'ma', 'person:7'), (16384, 'li', 'person:7'), (16385, 'li', 'person:8'), "
		"(40000, 'li', 'person:7'), (99999, 'ma', 'person:9'))");
	struct got g = {0};
	assert_int_equal(auth__audit_list(t->db, NULL, "person:7", 0, 0, 0, 100, collect, &g), 0);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.ids[0], 40000);
	assert_int_equal(g.ids[1], 16384);
	assert_int_equal(g.ids[2], 16383);
	assert_int_equal(g.ids[3], 1);
	memset(&g, 0, sizeof g); /* a page of 2 below cursor 16384 */
	assert_int_equal(auth__audit_list(t->db, NULL, "person:7", 0, 0, 16384, 2, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ids[0], 16383);
	assert_int_equal(g.ids[1], 1);
	memset(&g, 0, sizeof g); /* the limit stops the walk inside the newest partitions */
	assert_int_equal(auth__audit_list(t->db, "li", NULL, 0, 0, 0, 2, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ids[0], 40000);
	assert_int_equal(g.ids[1], 16385);
	memset(&g, 0, sizeof g);
	assert_int_equal(auth__audit_list(t->db, "li", "person:7", 0, 0, 0, 100, collect, &g), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.ids[2], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_empty_and_intact, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_edited_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_edited_status_and_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deleted_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deleted_first_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_swapped_pair, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reordered_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recomputed_hash_without_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_key_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rolled_back_append, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_append_records, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_listing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_listing_across_partitions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
