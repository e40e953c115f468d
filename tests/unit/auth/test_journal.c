/* test_journal.c: the audit journal's records (encode, decode, a torn tail, a damaged
 * record) and its replay into audit: idempotent, in sequence order across both files,
 * the chain intact, the files emptied afterwards. */
#include <fcntl.h>
#include <sys/stat.h>

#include "auth/auth_int.h"
#include "testutil.h"

struct got {
	struct auth__jrec r[8];
	char action[8][64], record[8][64], addr[8][64];
	int n;
};

static int keep(const struct auth__jrec *rec, void *ctx)
{
	struct got *g = ctx;
	assert_true(g->n < 8);
	g->r[g->n] = *rec;
	snprintf(g->action[g->n], 64, "%s", rec->action);
	snprintf(g->record[g->n], 64, "%s", rec->record);
	snprintf(g->addr[g->n], 64, "%s", rec->addr);
	g->n++;
	return 0;
}

static struct auth_principal staff(void)
{
	struct auth_principal p;
	memset(&p, 0, sizeof p);
	p.kind = AUTH_KIND_USER;
	p.id = 42;
	snprintf(p.name, sizeof p.name, "staffa");
	return p;
}

/* Records of seq first..first+n-1 reading person:<seq>, appended to b. */
static void records(struct mu_buf *b, int64_t first, int n, const struct auth_principal *who)
{
	for (int i = 0; i < n; i++) {
		char rec[32];
		snprintf(rec, sizeof rec, "person:%lld", (long long)(first + i));
		struct auth__entry e = {who, "GET /api/v1/people/{id}", rec, "192.0.2.7",
					200, 1700000000000 + first + i};
		auth__journal_encode(b, first + i, 1700000000000 + first + i, &e);
	}
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct mu_buf b;
	mu_buf_init(&b, 1 << 20);
	struct auth_principal p = staff();
	records(&b, 7, 2, &p);
	struct auth__entry anon = {NULL, "GET /x", "", "", 404, 5};
	auth__journal_encode(&b, 9, 5, &anon);
	struct got g = {0};
	uint64_t bad = 99;
	assert_int_equal(auth__journal_decode((const unsigned char *)b.data, b.len, keep, &g, &bad),
			 0);
	assert_int_equal(bad, 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.r[0].seq, 7);
	assert_int_equal(g.r[0].at_ms, 1700000000007);
	assert_int_equal(g.r[0].who.kind, AUTH_KIND_USER);
	assert_int_equal(g.r[0].who.id, 42);
	assert_string_equal(g.r[0].who.name, "staffa");
	assert_int_equal(g.r[0].status, 200);
	assert_string_equal(g.action[0], "GET /api/v1/people/{id}");
	assert_string_equal(g.record[1], "person:8");
	assert_string_equal(g.addr[1], "192.0.2.7");
	assert_int_equal(g.r[2].who.kind, 0);
	assert_int_equal(g.r[2].status, 404);
	assert_string_equal(g.record[2], "");
	mu_buf_fini(&b);
}

/* A record cut anywhere (the tail a crash left) is skipped and counted once; a damaged
 * byte in a middle record loses that record alone, and decoding finds the next one. */
static void test_torn_and_damaged(void **state)
{
	(void)state;
	struct mu_buf b;
	mu_buf_init(&b, 1 << 20);
	struct auth_principal p = staff();
	records(&b, 1, 3, &p);
	size_t one = b.len / 3;
	for (size_t cut = b.len - one + 1; cut < b.len; cut += 7) {
		struct got g = {0};
		uint64_t bad = 0;
		auth__journal_decode((const unsigned char *)b.data, cut, keep, &g, &bad);
		assert_int_equal(g.n, 2);
		assert_int_equal(bad, 1);
	}
	b.data[one + one / 2] ^= 0x40; /* inside the second record */
	struct got g = {0};
	uint64_t bad = 0;
	auth__journal_decode((const unsigned char *)b.data, b.len, keep, &g, &bad);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].seq, 1);
	assert_int_equal(g.r[1].seq, 3);
	assert_int_equal(bad, 1);
	/* garbage alone: nothing, one loss */
	memset(b.data, 'x', b.len);
	g.n = 0;
	auth__journal_decode((const unsigned char *)b.data, b.len, keep, &g, &bad);
	assert_int_equal(g.n, 0);
	assert_int_equal(bad, 1);
	mu_buf_fini(&b);
}

static void put_file(const char *path, const struct mu_buf *b)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(b->data, 1, b->len, fp), b->len);
	fclose(fp);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int64_t count(struct db *d, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_i64(d, sql, &n), 0);
	return n;
}

/* The replay moves what audit lacks, oldest first across both files; run again over the
 * same files (a crash between the commit and the emptying) it adds nothing; a torn
 * record is counted; the chain holds throughout. */
static void test_replay(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	char j0[256], j1[256];
	snprintf(j0, sizeof j0, "%s-audit.journal", t.path);
	snprintf(j1, sizeof j1, "%s-audit.journal.1", t.path);
	uint64_t moved = 9, bad = 9;
	/* no journal: nothing to do */
	assert_int_equal(auth_audit_journal_replay(t.db, &moved, &bad), 0);
	assert_int_equal(moved, 0);
	assert_int_equal(count(t.db, "SELECT count(*) FROM audit"), 0);
	/* an entry written by hand first, so that the replayed ones chain after it */
	assert_int_equal(auth_audit_append(t.db, NULL, "init", "", "", 0), 0);
	struct mu_buf a, b;
	mu_buf_init(&a, 1 << 20);
	mu_buf_init(&b, 1 << 20);
	struct auth_principal p = staff();
	records(&b, 1, 2, &p); /* the older file is the .1 one here */
	records(&a, 3, 2, &p);
	put_file(j0, &a);
	put_file(j1, &b);
	assert_int_equal(auth_audit_journal_replay(t.db, &moved, &bad), 0);
	assert_int_equal(moved, 4);
	assert_int_equal(bad, 0);
	assert_int_equal(count(t.db, "SELECT count(*) FROM audit WHERE actor = 'staffa'"), 4);
	/* in sequence order, with the read's own time */
	assert_int_equal(count(t.db, "SELECT count(*) FROM audit a JOIN audit b ON b.id = a.id + 1 "
				     "WHERE a.actor = 'staffa' AND b.actor = 'staffa' AND "
				     "b.record > a.record"),
			 3);
	assert_int_equal(count(t.db, "SELECT at_ms FROM audit WHERE record = 'person:1'"),
			 1700000000001);
	assert_int_equal(count(t.db, "SELECT seq FROM audit_journal"), 4);
	assert_int_equal(file_size(j0), 0);
	assert_int_equal(file_size(j1), 0);
	/* the same files again: nothing twice */
	put_file(j0, &a);
	put_file(j1, &b);
	assert_int_equal(auth_audit_journal_replay(t.db, &moved, &bad), 0);
	assert_int_equal(moved, 0);
	assert_int_equal(count(t.db, "SELECT count(*) FROM audit"), 5);
	/* one newer entry, and a torn one behind it */
	records(&a, 5, 2, &p);
	a.len -= 5;
	put_file(j0, &a);
	assert_int_equal(auth_audit_journal_replay(t.db, &moved, &bad), 0);
	assert_int_equal(moved, 1);
	assert_int_equal(bad, 1);
	assert_int_equal(count(t.db, "SELECT count(*) FROM audit WHERE record = 'person:5'"), 1);
	assert_int_equal(count(t.db, "SELECT count(*) FROM audit WHERE record = 'person:6'"), 0);
	assert_int_equal(count(t.db, "SELECT seq FROM audit_journal"), 5);
	int64_t bad_id = -1, checked = 0;
	assert_int_equal(auth_audit_verify(t.db, t.path, &bad_id, &checked), 0);
	assert_int_equal(bad_id, 0);
	assert_int_equal(checked, 6);
	mu_buf_fini(&a);
	mu_buf_fini(&b);
	tdb_close(&t);
}

/* A server's start replays through its writer and hands out sequence numbers after the
 * mark, so a new entry is never taken for one already moved. */
static void test_open_replays(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	char j0[256];
	snprintf(j0, sizeof j0, "%s-audit.journal", t.path);
	struct mu_buf a;
	mu_buf_init(&a, 1 << 20);
	struct auth_principal p = staff();
	records(&a, 1, 3, &p);
	put_file(j0, &a);
	struct db_writer *w;
	assert_int_equal(db_writer_start(t.path, NULL, &w), 0);
	struct auth__journal_replay r;
	assert_int_equal(auth__journal_open(t.path, w, &r), 0);
	assert_int_equal(r.moved, 3);
	assert_int_equal(r.mark, 3);
	assert_true(auth__journal_on());
	assert_int_equal(auth__journal_next(), 4);
	assert_int_equal(file_size(j0), 0);
	struct stat st;
	assert_int_equal(stat(j0, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	auth__journal_close();
	db_writer_stop(w);
	assert_int_equal(count(t.db, "SELECT count(*) FROM audit"), 3);
	mu_buf_fini(&a);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_torn_and_damaged),
	    cmocka_unit_test(test_replay),
	    cmocka_unit_test(test_open_replays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
