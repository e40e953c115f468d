/* test_writer.c: the group-commit writer thread of src/db/writer.c — many concurrent
 * callers, a failing write undone alone inside its batch, batching, stop and drain,
 * a full disk, and the writer's priority. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "db/db.h"

struct fx {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/muster-wtest.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	struct db *d;
	if (db_open(f->path, DB_OPEN_CREATE, &d) != 0)
		return -1;
	int rc = db_exec(d, "CREATE TABLE w(k INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
	db_close(d);
	*state = f;
	return rc;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc;
}

static int64_t q(const char *path, const char *sql)
{
	struct db *d;
	assert_int_equal(db_open(path, DB_OPEN_READONLY, &d), 0);
	int64_t v = -1;
	assert_int_equal(db_query_i64(d, sql, &v), 0);
	db_close(d);
	return v;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static const char sql_ins[] = "INSERT INTO w(k, v) VALUES (?, ?)";

static int insert_kv(struct db *d, int64_t k, int64_t v)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_ins, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, k);
	db_bind_i64(s, 2, v);
	rc = db_step(s);
	db_stmt_done(s);
	return rc < 0 ? rc : 0;
}

/* A write that inserts the key at *arg. */
static int w_insert(struct db *d, void *arg)
{
	return insert_kv(d, *(int64_t *)arg, 1);
}

/* A write that inserts the key at *arg and then fails: it must leave nothing. */
static int w_insert_then_fail(struct db *d, void *arg)
{
	int rc = insert_kv(d, *(int64_t *)arg, 2);
	return rc ? rc : MU_EINVAL;
}

/* Fails with nested levels of its own still open: the writer must unwind them. */
static int w_fail_nested(struct db *d, void *arg)
{
	int64_t k = *(int64_t *)arg;
	if (insert_kv(d, k, 3) || db_tx_begin(d) || insert_kv(d, k + 1, 3) || db_tx_begin(d))
		return MU_EDB;
	return MU_EEXIST;
}

/* Changes nothing and reports "not found": the code must come back to the caller. */
static int w_notfound(struct db *d, void *arg)
{
	(void)d;
	(void)arg;
	return MU_ENOTFOUND;
}

/* ---- a gate that holds the writer thread inside a write -------------------------- */

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static bool gate_open, gate_entered;

static int w_gate(struct db *d, void *arg)
{
	(void)d;
	(void)arg;
	pthread_mutex_lock(&gate_mu);
	gate_entered = true;
	pthread_cond_broadcast(&gate_cv);
	while (!gate_open)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
	return 0;
}

struct call {
	struct db_writer *w;
	db_write_fn fn;
	int64_t key;
	int rc;
	pthread_t th;
};

static void *call_main(void *p)
{
	struct call *c = p;
	c->rc = db_writer_submit(c->w, c->fn, &c->key);
	return NULL;
}

static void call_start(struct call *c, struct db_writer *w, db_write_fn fn, int64_t key)
{
	c->w = w;
	c->fn = fn;
	c->key = key;
	c->rc = 12345;
	assert_int_equal(pthread_create(&c->th, NULL, call_main, c), 0);
}

/* Starts a thread whose write holds the writer until gate_release. */
static void gate_hold(struct call *c, struct db_writer *w)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = gate_entered = false;
	pthread_mutex_unlock(&gate_mu);
	call_start(c, w, w_gate, 0);
	pthread_mutex_lock(&gate_mu);
	while (!gate_entered)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
}

static void gate_release(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = true;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

/* Waits until n writes are queued behind the held writer. */
static void wait_queued(struct db_writer *w, uint64_t n)
{
	struct db_writer_stats st;
	for (int i = 0; i < 10000; i++) {
		db_writer_stats(w, &st);
		if (st.queue_depth == n)
			return;
		sleep_ms(1);
	}
	fail_msg("queue depth %llu, want %llu", (unsigned long long)st.queue_depth,
		 (unsigned long long)n);
}

/* ---- before_commit hook: remembers what each batch kept ---------------------------- */

struct hook_log {
	pthread_mutex_t mu;
	uint64_t last_seq;
	int n[64];
	int calls;
	bool seq_in_order;
};

static void hook(struct db *d, uint64_t seq, int n, void *ctx)
{
	struct hook_log *h = ctx;
	MU_ASSERT(db_tx_depth(d) == 1);
	pthread_mutex_lock(&h->mu);
	if (seq != h->last_seq + 1)
		h->seq_in_order = false;
	h->last_seq = seq;
	if (h->calls < 64)
		h->n[h->calls] = n;
	h->calls++;
	pthread_mutex_unlock(&h->mu);
}

/* ---- tests ----------------------------------------------------------------------------- */

enum { THREADS = 16, PER_THREAD = 500 };

struct worker {
	struct db_writer *w;
	int id;
	int acked;
	int errors;
	pthread_t th;
};

static void *worker_main(void *p)
{
	struct worker *wk = p;
	for (int i = 0; i < PER_THREAD; i++) {
		int64_t k = (int64_t)wk->id * 100000 + i;
		if (db_writer_submit(wk->w, w_insert, &k) == 0)
			wk->acked++;
		else
			wk->errors++;
	}
	return NULL;
}

static void test_many_threads(void **state)
{
	struct fx *f = *state;
	struct hook_log h = {.mu = PTHREAD_MUTEX_INITIALIZER, .seq_in_order = true};
	struct db_writer_opts opts = {.before_commit = hook, .ctx = &h};
	struct db_writer *w;
	assert_int_equal(db_writer_start(f->path, &opts, &w), 0);
	struct worker wk[THREADS];
	for (int i = 0; i < THREADS; i++) {
		wk[i] = (struct worker){.w = w, .id = i + 1};
		assert_int_equal(pthread_create(&wk[i].th, NULL, worker_main, &wk[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(wk[i].th, NULL);
		assert_int_equal(wk[i].errors, 0);
		assert_int_equal(wk[i].acked, PER_THREAD);
	}
	struct db_writer_stats st;
	db_writer_stats(w, &st);
	assert_int_equal(st.writes, THREADS * PER_THREAD);
	assert_int_equal(st.failed_writes, 0);
	assert_int_equal(st.queue_depth, 0);
	assert_true(st.batches < st.writes);
	assert_true(st.max_batch_seen > 1);
	assert_true(st.commit_seconds > 0);
	assert_true(h.seq_in_order);
	assert_int_equal(h.last_seq, st.batches);
	db_writer_stop(w);
	print_message("    %llu writes in %llu batches, largest %llu\n",
		      (unsigned long long)st.writes, (unsigned long long)st.batches,
		      (unsigned long long)st.max_batch_seen);

	/* Every acknowledged row is on disk, and nothing else. */
	assert_int_equal(q(f->path, "SELECT count(*) FROM w"), THREADS * PER_THREAD);
	for (int i = 1; i <= THREADS; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM w WHERE k BETWEEN %d AND %d",
			 i * 100000, i * 100000 + PER_THREAD - 1);
		assert_int_equal(q(f->path, sql), PER_THREAD);
	}
}

static void test_failing_write_alone(void **state)
{
	struct fx *f = *state;
	struct hook_log h = {.mu = PTHREAD_MUTEX_INITIALIZER, .seq_in_order = true};
	struct db_writer_opts opts = {.before_commit = hook, .ctx = &h};
	struct db_writer *w;
	assert_int_equal(db_writer_start(f->path, &opts, &w), 0);

	/* Hold the writer, queue five writes one by one (so their order is known), then
	 * let them all run as one batch. */
	struct call gate, c[5];
	gate_hold(&gate, w);
	call_start(&c[0], w, w_insert, 1);
	wait_queued(w, 1);
	call_start(&c[1], w, w_insert_then_fail, 2);
	wait_queued(w, 2);
	call_start(&c[2], w, w_fail_nested, 10);
	wait_queued(w, 3);
	call_start(&c[3], w, w_notfound, 0);
	wait_queued(w, 4);
	call_start(&c[4], w, w_insert, 3);
	wait_queued(w, 5);
	gate_release();
	pthread_join(gate.th, NULL);
	for (int i = 0; i < 5; i++)
		pthread_join(c[i].th, NULL);
	assert_int_equal(gate.rc, 0);
	assert_int_equal(c[0].rc, 0);
	assert_int_equal(c[1].rc, MU_EINVAL);
	assert_int_equal(c[2].rc, MU_EEXIST);
	assert_int_equal(c[3].rc, MU_ENOTFOUND);
	assert_int_equal(c[4].rc, 0);

	struct db_writer_stats st;
	db_writer_stats(w, &st);
	assert_int_equal(st.batches, 2);
	assert_int_equal(st.writes, 6);
	assert_int_equal(st.failed_writes, 3);
	assert_int_equal(st.max_batch_seen, 5);
	assert_int_equal(h.calls, 2);
	assert_int_equal(h.n[0], 1); /* the gate alone */
	assert_int_equal(h.n[1], 2); /* 1 and 3 kept, three undone */

	/* The writer carries on normally after the failures. */
	int64_t k = 4;
	assert_int_equal(db_writer_submit(w, w_insert, &k), 0);
	k = 1;
	assert_int_equal(db_writer_submit(w, w_insert, &k), MU_EEXIST); /* duplicate key */
	db_writer_stop(w);

	assert_int_equal(q(f->path, "SELECT count(*) FROM w"), 3);
	assert_int_equal(q(f->path, "SELECT sum(k) FROM w"), 1 + 3 + 4);
	assert_int_equal(q(f->path, "SELECT count(*) FROM w WHERE v <> 1"), 0);
}

static void test_batch_limit(void **state)
{
	struct fx *f = *state;
	struct db_writer_opts opts = {.max_batch = 3};
	struct db_writer *w;
	assert_int_equal(db_writer_start(f->path, &opts, &w), 0);
	struct call gate, c[7];
	gate_hold(&gate, w);
	for (int i = 0; i < 7; i++)
		call_start(&c[i], w, w_insert, 100 + i);
	wait_queued(w, 7);
	gate_release();
	pthread_join(gate.th, NULL);
	for (int i = 0; i < 7; i++) {
		pthread_join(c[i].th, NULL);
		assert_int_equal(c[i].rc, 0);
	}
	struct db_writer_stats st;
	db_writer_stats(w, &st);
	assert_int_equal(st.max_batch_seen, 3);
	assert_int_equal(st.batches, 1 + 3); /* gate, then 3 + 3 + 1 */
	db_writer_stop(w);
	assert_int_equal(q(f->path, "SELECT count(*) FROM w"), 7);
}

struct stopper {
	struct db_writer *w;
	pthread_t th;
	bool called;
	pthread_mutex_t mu;
};

static void *stopper_main(void *p)
{
	struct stopper *s = p;
	pthread_mutex_lock(&s->mu);
	s->called = true;
	pthread_mutex_unlock(&s->mu);
	db_writer_stop(s->w);
	return NULL;
}

static void test_stop_drains(void **state)
{
	struct fx *f = *state;
	struct db_writer *w;
	assert_int_equal(db_writer_start(f->path, NULL, &w), 0);
	enum { K = 20 };
	struct call gate, c[K];
	gate_hold(&gate, w);
	for (int i = 0; i < K; i++)
		call_start(&c[i], w, w_insert, 1000 + i);
	wait_queued(w, K);

	/* Stop while K writes wait behind the held writer. */
	struct stopper s = {.w = w, .mu = PTHREAD_MUTEX_INITIALIZER};
	assert_int_equal(pthread_create(&s.th, NULL, stopper_main, &s), 0);
	for (;;) {
		pthread_mutex_lock(&s.mu);
		bool called = s.called;
		pthread_mutex_unlock(&s.mu);
		if (called)
			break;
		sleep_ms(1);
	}
	/* db_writer_stop marks the writer stopping at once (under its mutex, which no one
	 * holds while the writer sits in the gate); give it ample time to get there. */
	sleep_ms(200);
	int64_t k = 5000;
	assert_int_equal(db_writer_submit(w, w_insert, &k), MU_ESTOPPED);

	gate_release();
	pthread_join(gate.th, NULL);
	for (int i = 0; i < K; i++) {
		pthread_join(c[i].th, NULL);
		assert_int_equal(c[i].rc, 0);
	}
	pthread_join(s.th, NULL);
	assert_int_equal(q(f->path, "SELECT count(*) FROM w"), K);
	assert_int_equal(q(f->path, "SELECT count(*) FROM w WHERE k = 5000"), 0);

	/* Stopping an idle writer and stopping NULL are both fine. */
	assert_int_equal(db_writer_start(f->path, NULL, &w), 0);
	db_writer_stop(w);
	db_writer_stop(NULL);
}

/* Posted work gathers until its deadline when nobody waits, and a submitted write ends
 * the gathering at once, taking the posted work along in its batch. The bounds are
 * wide (a deadline of seconds): this checks the rule, not the speed. */
static void test_post_gathers(void **state)
{
	struct fx *f = *state;
	struct db_writer *w;
	/* A deadline far beyond anything a loaded machine takes: a submit that returned
	 * before it did not wait for it. */
	struct db_writer_opts opts = {.post_delay_ms = 120000};
	assert_int_equal(db_writer_start(f->path, &opts, &w), 0);
	int64_t *a = malloc(sizeof *a);
	*a = 7001;
	assert_int_equal(db_writer_post(w, w_insert, a, free), 0);
	sleep_ms(100);
	assert_int_equal(q(f->path, "SELECT count(*) FROM w WHERE k = 7001"), 0);
	double t0 = mu_now_mono();
	int64_t b = 7002;
	assert_int_equal(db_writer_submit(w, w_insert, &b), 0);
	assert_true(mu_now_mono() - t0 < 60);
	/* Committed together: the posted row is there as soon as the submit returns. */
	assert_int_equal(q(f->path, "SELECT count(*) FROM w WHERE k IN (7001, 7002)"), 2);
	db_writer_stop(w);

	/* Alone, posted work is committed by its deadline. */
	opts.post_delay_ms = 300;
	assert_int_equal(db_writer_start(f->path, &opts, &w), 0);
	int64_t *c = malloc(sizeof *c);
	*c = 7003;
	assert_int_equal(db_writer_post(w, w_insert, c, free), 0);
	for (int i = 0; i < 100 && q(f->path, "SELECT count(*) FROM w WHERE k = 7003") == 0; i++)
		sleep_ms(100);
	assert_int_equal(q(f->path, "SELECT count(*) FROM w WHERE k = 7003"), 1);
	db_writer_stop(w);
}

static void test_start_fails_cleanly(void **state)
{
	struct fx *f = *state;
	char path[200];
	snprintf(path, sizeof path, "%s/no/such/dir/x.db", f->dir);
	struct db_writer *w = (struct db_writer *)&w;
	assert_int_not_equal(db_writer_start(path, NULL, &w), 0);
	assert_null(w);
}

static int w_exec(struct db *d, void *arg)
{
	return db_exec(d, arg);
}

/* Caps the file at the pages it has now: the next write that needs a page fails as on
 * a full disk (SQLITE_FULL). */
static int w_cap(struct db *d, void *arg)
{
	(void)arg;
	int64_t pages = 0;
	int rc = db_query_i64(d, "PRAGMA page_count", &pages);
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld", (long long)pages);
	return rc ? rc : db_exec(d, sql);
}

static bool full_now(struct db_writer *w)
{
	struct db_writer_stats st;
	db_writer_stats(w, &st);
	return st.storage_full;
}

/* A full disk is MU_EFULL (503 storage_full), not a generic database error, and the
 * writer reports it until a write succeeds again (issue 11 item 17). */
static void test_storage_full(void **state)
{
	struct fx *f = *state;
	struct db_writer *w;
	assert_int_equal(mu_err_http(MU_EFULL), 503);
	assert_string_equal(mu_err_code(MU_EFULL), "storage_full");
	assert_int_equal(db_writer_start(f->path, NULL, &w), 0);
	assert_false(full_now(w));
	assert_int_equal(db_writer_submit(w, w_exec, "CREATE TABLE big(b BLOB)"), 0);
	assert_int_equal(db_writer_submit(w, w_cap, NULL), 0);
	assert_int_equal(
	    db_writer_submit(w, w_exec, "INSERT INTO big VALUES (zeroblob(4 * 1024 * 1024))"),
	    MU_EFULL);
	assert_true(full_now(w));
	assert_int_equal(
	    db_writer_submit(w, w_exec, "INSERT INTO big VALUES (zeroblob(4 * 1024 * 1024))"),
	    MU_EFULL);
	assert_true(full_now(w));
	/* space again: the next write succeeds and clears it */
	assert_int_equal(db_writer_submit(w, w_exec, "PRAGMA max_page_count=1073741823"), 0);
	assert_int_equal(
	    db_writer_submit(w, w_exec, "INSERT INTO big VALUES (zeroblob(4 * 1024 * 1024))"), 0);
	assert_false(full_now(w));
	db_writer_stop(w);
}

static int my_nice(void)
{
	errno = 0;
	int n = getpriority(PRIO_PROCESS, (id_t)gettid());
	assert_int_equal(errno, 0);
	return n;
}

/* A write that reads the nice value of the thread it runs on: the writer's. */
static int w_nice(struct db *d, void *arg)
{
	(void)d;
	*(int *)arg = my_nice();
	return 0;
}

/* Whether this system lets a thread raise its priority to DB_WRITER_NICE: tried on a
 * thread of its own, which ends with it. */
static void *probe(void *arg)
{
	*(bool *)arg = setpriority(PRIO_PROCESS, (id_t)gettid(), DB_WRITER_NICE) == 0;
	return NULL;
}

struct nice_run {
	const char *path;
	int start_at; /* the starting thread's nice */
	int writer, reported, caller_after;
};

/* Starts a writer from a thread at start_at and reads what the writer runs at. */
static void *start_at(void *arg)
{
	struct nice_run *r = arg;
	struct db_writer *w;
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), r->start_at) != 0)
		return NULL;
	assert_int_equal(db_writer_start(r->path, NULL, &w), 0);
	assert_int_equal(db_writer_submit(w, w_nice, &r->writer), 0);
	struct db_writer_stats st;
	db_writer_stats(w, &st);
	r->reported = st.nice;
	r->caller_after = my_nice();
	db_writer_stop(w);
	return NULL;
}

/* The writer thread asks for DB_WRITER_NICE: it gets it where the system allows, keeps
 * what it had where not (or where it already had more), says which in its stats, and
 * leaves its caller's priority alone (on Linux a nice value is the thread's own). */
static void test_priority(void **state)
{
	struct fx *f = *state;
	bool allowed = false;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, probe, &allowed), 0);
	pthread_join(t, NULL);
	int base = my_nice();
	struct nice_run r = {.path = f->path, .start_at = base};
	assert_int_equal(pthread_create(&t, NULL, start_at, &r), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.writer, allowed ? DB_WRITER_NICE : base);
	assert_int_equal(r.reported, r.writer);
	assert_int_equal(r.caller_after, base);
	assert_int_equal(my_nice(), base);
	if (allowed) {
		/* Started from a thread already above it: the writer keeps the higher one. */
		r = (struct nice_run){.path = f->path, .start_at = DB_WRITER_NICE - 5};
		assert_int_equal(pthread_create(&t, NULL, start_at, &r), 0);
		pthread_join(t, NULL);
		assert_int_equal(r.writer, DB_WRITER_NICE - 5);
		assert_int_equal(r.reported, DB_WRITER_NICE - 5);
	}
}

int main(void)
{
	alarm(120); /* a hung writer fails the run instead of blocking it */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_many_threads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failing_write_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_drains, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_post_gathers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_start_fails_cleanly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_storage_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_priority, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
