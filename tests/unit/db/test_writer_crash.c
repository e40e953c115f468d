/* test_writer_crash.c: kills a process that is writing through the group-commit writer
 * and checks, after recovery, that every acknowledged write is on disk and that no
 * batch was half applied ("acknowledged = on disk", DESIGN.md). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "db/db.h"

enum { ITERATIONS = 5, CHILD_THREADS = 8 };

/* ---- the child: a writer and eight submitting threads, until SIGKILL ------------- */

static const char sql_a[] = "INSERT INTO a(k) VALUES (?)";
static const char sql_b[] = "INSERT INTO b(k) VALUES (?)";
static const char sql_stamp[] = "UPDATE a SET seq = ? WHERE seq IS NULL";
static const char sql_batch[] = "INSERT INTO batches(seq, n) VALUES (?, ?)";

static int run1(struct db *d, const char *sql, int64_t x, int64_t y, int nparams)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, x);
	if (nparams > 1)
		db_bind_i64(s, 2, y);
	rc = db_step(s);
	db_stmt_done(s);
	return rc < 0 ? rc : 0;
}

/* One write: the same key into a and b. */
static int w_pair(struct db *d, void *arg)
{
	int64_t k = *(int64_t *)arg;
	int rc = run1(d, sql_a, k, 0, 1);
	return rc ? rc : run1(d, sql_b, k, 0, 1);
}

/* Just before COMMIT: stamp this batch's rows with its seq and record its size, so
 * the parent can tell a whole batch from part of one. */
static void stamp(struct db *d, uint64_t seq, int n, void *ctx)
{
	(void)ctx;
	if (run1(d, sql_stamp, (int64_t)seq, 0, 1) || run1(d, sql_batch, (int64_t)seq, n, 2))
		_exit(4); /* the parent sees a wrong exit and fails */
}

struct child_thread {
	struct db_writer *w;
	int id, fd;
	pthread_t th;
};

static void *child_submit(void *p)
{
	struct child_thread *t = p;
	for (int64_t i = 0;; i++) {
		int64_t k = (int64_t)t->id * 1000000000 + i;
		int rc = db_writer_submit(t->w, w_pair, &k);
		if (rc != 0)
			_exit(5);
		/* An 8-byte write(2) to a pipe is atomic: the parent never sees half a key. */
		if (write(t->fd, &k, sizeof k) != (ssize_t)sizeof k)
			_exit(6);
	}
	return NULL;
}

static _Noreturn void child_main(const char *path, int fd)
{
	struct db_writer_opts opts = {.before_commit = stamp};
	struct db_writer *w;
	if (db_writer_start(path, &opts, &w) != 0)
		_exit(2);
	struct child_thread t[CHILD_THREADS];
	for (int i = 0; i < CHILD_THREADS; i++) {
		t[i] = (struct child_thread){.w = w, .id = i + 1, .fd = fd};
		if (pthread_create(&t[i].th, NULL, child_submit, &t[i]) != 0)
			_exit(2);
	}
	/* The parent kills us within a second; never outlive a parent that died. */
	sleep(20);
	_exit(3);
}

/* ---- the parent ------------------------------------------------------------------ */

struct keys {
	int64_t *v;
	size_t n, cap;
};

static void keys_take(struct keys *ks, const unsigned char *buf, size_t n)
{
	for (size_t off = 0; off + 8 <= n; off += 8) {
		if (ks->n == ks->cap) {
			ks->cap = ks->cap ? ks->cap * 2 : 4096;
			ks->v = realloc(ks->v, ks->cap * sizeof *ks->v);
			assert_non_null(ks->v);
		}
		memcpy(&ks->v[ks->n++], buf + off, 8);
	}
}

/* Reads keys from fd until the deadline (or EOF when deadline < 0). */
static void read_keys(int fd, struct keys *ks, double deadline)
{
	unsigned char buf[8 * 512];
	size_t have = 0; /* bytes of a key split across reads */
	for (;;) {
		if (deadline >= 0) {
			double left = deadline - mu_now_mono();
			if (left <= 0)
				break;
			struct pollfd p = {.fd = fd, .events = POLLIN};
			int pr = poll(&p, 1, (int)(left * 1000) + 1);
			if (pr < 0 && errno == EINTR)
				continue;
			assert_true(pr >= 0);
			if (pr == 0)
				continue;
		}
		ssize_t r = read(fd, buf + have, sizeof buf - have);
		if (r < 0 && errno == EINTR)
			continue;
		assert_true(r >= 0);
		if (r == 0)
			break;
		have += (size_t)r;
		size_t whole = have - have % 8;
		keys_take(ks, buf, whole);
		memmove(buf, buf + whole, have - whole);
		have -= whole;
	}
	assert_int_equal(have, 0);
}

static int64_t q(struct db *d, const char *sql)
{
	int64_t v = -1;
	assert_int_equal(db_query_i64(d, sql, &v), 0);
	return v;
}

static const char sql_acked[] = "INSERT OR IGNORE INTO temp.acked(k) VALUES (?)";

static void check_db(const char *path, const struct keys *ks)
{
	struct db *d;
	assert_int_equal(db_open(path, 0, &d), 0); /* recovers the WAL */
	struct db_stmt *s;
	assert_int_equal(db_prepare(d, "PRAGMA integrity_check", &s), 0);
	assert_int_equal(db_step(s), DB_ROW);
	assert_string_equal(db_col_text(s, 0), "ok");
	db_stmt_done(s);

	assert_int_equal(db_exec(d, "CREATE TEMP TABLE acked(k INTEGER PRIMARY KEY)"), 0);
	assert_int_equal(db_tx_begin(d), 0);
	for (size_t i = 0; i < ks->n; i++) {
		assert_int_equal(db_prepare(d, sql_acked, &s), 0);
		db_bind_i64(s, 1, ks->v[i]);
		assert_int_equal(db_step(s), DB_DONE);
		db_stmt_done(s);
	}
	assert_int_equal(db_tx_commit(d), 0);
	int64_t n_acked = q(d, "SELECT count(*) FROM temp.acked");
	int64_t n_a = q(d, "SELECT count(*) FROM a");
	int64_t n_batches = q(d, "SELECT count(*) FROM batches");
	print_message("    acked %lld, on disk %lld rows in %lld batches\n", (long long)n_acked,
		      (long long)n_a, (long long)n_batches);
	assert_int_equal((size_t)n_acked, ks->n); /* no key acknowledged twice */
	assert_true(n_acked > 0);

	/* Every acknowledged key is durable, in both tables. */
	assert_int_equal(q(d, "SELECT count(*) FROM temp.acked WHERE k NOT IN (SELECT k FROM a)"),
			 0);
	assert_int_equal(q(d, "SELECT count(*) FROM temp.acked WHERE k NOT IN (SELECT k FROM b)"),
			 0);
	/* Each write is whole: a and b hold the same keys. */
	assert_int_equal(q(d, "SELECT count(*) FROM a WHERE k NOT IN (SELECT k FROM b)"), 0);
	assert_int_equal(q(d, "SELECT count(*) FROM b WHERE k NOT IN (SELECT k FROM a)"), 0);
	/* Each batch is whole: its hook stamped exactly n rows, and no row is unstamped
	 * (a row without its batch record would be part of a half-committed batch). */
	assert_int_equal(q(d, "SELECT count(*) FROM a WHERE seq IS NULL"), 0);
	assert_int_equal(q(d, "SELECT count(*) FROM batches t"
			      " WHERE n <> (SELECT count(*) FROM a WHERE a.seq = t.seq)"),
			 0);
	assert_int_equal(q(d, "SELECT count(*) FROM a WHERE seq NOT IN (SELECT seq FROM batches)"),
			 0);
	/* Batches are numbered 1..n with no gap: none lost between two durable ones. */
	assert_int_equal(q(d, "SELECT coalesce(max(seq), 0) FROM batches"), n_batches);
	db_close(d);
}

static void one_round(const char *dir, int iter, unsigned *seed)
{
	char path[160];
	snprintf(path, sizeof path, "%s/crash%d.db", dir, iter);
	struct db *d;
	assert_int_equal(db_open(path, DB_OPEN_CREATE, &d), 0);
	assert_int_equal(
	    db_exec(d, "CREATE TABLE a(k INTEGER PRIMARY KEY, seq INTEGER);"
		       "CREATE INDEX a_seq ON a(seq);"
		       "CREATE TABLE b(k INTEGER PRIMARY KEY);"
		       "CREATE TABLE batches(seq INTEGER PRIMARY KEY, n INTEGER NOT NULL)"),
	    0);
	db_close(d);

	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child_main(path, fds[1]);
	}
	close(fds[1]);
	/* Kill at a different moment each round: somewhere between 0.5 and 1 s. */
	double run_for = 0.5 + (double)(rand_r(seed) % 500) / 1000.0;
	struct keys ks = {0};
	read_keys(fds[0], &ks, mu_now_mono() + run_for);
	/* On a loaded machine the child may not have had a write acknowledged yet: a kill
	 * before the first would test nothing. Wait for one (at most 30 s more). */
	for (double until = mu_now_mono() + 30; ks.n == 0 && mu_now_mono() < until;)
		read_keys(fds[0], &ks, mu_now_mono() + 0.1);
	assert_int_equal(kill(pid, SIGKILL), 0);
	read_keys(fds[0], &ks, -1); /* what the child acknowledged before it died */
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
		fail_msg("child ended on its own (status 0x%x)", status);
	check_db(path, &ks);
	free(ks.v);
}

static void test_crash(void **state)
{
	(void)state;
	char dir[64] = "/tmp/muster-crash.XXXXXX";
	assert_non_null(mkdtemp(dir));
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	print_message("    seed %u\n", seed);
	for (int i = 0; i < ITERATIONS; i++)
		one_round(dir, i, &seed);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	alarm(120); /* bounded: a hang fails the run */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
