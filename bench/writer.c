/* bench/writer.c: acknowledged writes per second through the group-commit writer
 * (64 threads, single-row inserts, synchronous=FULL), next to the plain way — one
 * thread, one transaction per insert — measured in the same run on the same disk.
 * Usage: writer [seconds] (default 5). One BENCH line on stdout; details on stderr. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "db/db.h"

enum { THREADS = 64 };

static const char sql_create[] =
    "CREATE TABLE bw(id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, n INTEGER NOT NULL,"
    " note TEXT NOT NULL)";
static const char sql_ins[] = "INSERT INTO bw(thread, n, note) VALUES (?, ?, ?)";

struct row {
	int thread;
	int64_t n;
};

static int insert_row(struct db *d, const struct row *r)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_ins, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, r->thread);
	db_bind_i64(s, 2, r->n);
	db_bind_text_static(s, 3, "sample scanned at site 0417", -1);
	rc = db_step(s);
	db_stmt_done(s);
	return rc < 0 ? rc : 0;
}

static int w_insert(struct db *d, void *arg)
{
	return insert_row(d, arg);
}

static atomic_bool stop_now;

struct worker {
	struct db_writer *w;
	int id;
	uint64_t acked, failed;
	double wait_seconds; /* summed submit-to-acknowledgement time */
	pthread_t th;
};

static void *worker_main(void *p)
{
	struct worker *wk = p;
	struct row r = {.thread = wk->id};
	while (!atomic_load_explicit(&stop_now, memory_order_relaxed)) {
		double t0 = mu_now_mono();
		int rc = db_writer_submit(wk->w, w_insert, &r);
		wk->wait_seconds += mu_now_mono() - t0;
		if (rc == 0)
			wk->acked++;
		else
			wk->failed++;
		r.n++;
	}
	return NULL;
}

static int make_db(const char *path)
{
	struct db *d;
	int rc = db_open(path, DB_OPEN_CREATE, &d);
	if (rc == 0)
		rc = db_exec(d, sql_create);
	db_close(d);
	return rc;
}

static void sleep_seconds(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The group-commit writer with THREADS callers for `seconds`; returns writes/s. */
static double bench_writer(const char *path, double seconds)
{
	if (make_db(path))
		exit(1);
	struct db_writer *w;
	if (db_writer_start(path, NULL, &w))
		exit(1);
	struct worker *wk = calloc(THREADS, sizeof *wk);
	atomic_store(&stop_now, false);
	double t0 = mu_now_mono();
	for (int i = 0; i < THREADS; i++) {
		wk[i] = (struct worker){.w = w, .id = i};
		if (pthread_create(&wk[i].th, NULL, worker_main, &wk[i]))
			exit(1);
	}
	sleep_seconds(seconds);
	atomic_store(&stop_now, true);
	uint64_t acked = 0, failed = 0;
	double wait = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(wk[i].th, NULL);
		acked += wk[i].acked;
		failed += wk[i].failed;
		wait += wk[i].wait_seconds;
	}
	double el = mu_now_mono() - t0;
	struct db_writer_stats st;
	db_writer_stats(w, &st);
	db_writer_stop(w);
	free(wk);

	/* Trust but verify: the rows are there. */
	struct db *d;
	int64_t rows = -1;
	if (db_open(path, DB_OPEN_READONLY, &d) == 0) {
		db_query_i64(d, "SELECT count(*) FROM bw", &rows);
		db_close(d);
	}
	if (failed || rows != (int64_t)acked) {
		fprintf(stderr, "writer: %llu failed writes, %lld rows for %llu acknowledged\n",
			(unsigned long long)failed, (long long)rows, (unsigned long long)acked);
		exit(1);
	}
	fprintf(stderr,
		"writer:   %llu writes in %.2f s by %d threads; %llu batches, mean batch %.1f,"
		" max %llu\n",
		(unsigned long long)acked, el, THREADS, (unsigned long long)st.batches,
		st.batches ? (double)st.writes / (double)st.batches : 0.0,
		(unsigned long long)st.max_batch_seen);
	fprintf(stderr,
		"writer:   commit (fsync) %.3f ms per batch, %.0f%% of the time;"
		" submit-to-ack %.3f ms per write\n",
		st.batches ? st.commit_seconds * 1e3 / (double)st.batches : 0.0,
		100.0 * st.commit_seconds / el, acked ? wait * 1e3 / (double)acked : 0.0);
	return (double)acked / el;
}

/* One thread, BEGIN IMMEDIATE / INSERT / COMMIT per write; returns writes/s. */
static double bench_baseline(const char *path, double seconds)
{
	if (make_db(path))
		exit(1);
	struct db *d;
	if (db_open(path, 0, &d))
		exit(1);
	struct row r = {.thread = 0};
	double t0 = mu_now_mono(), end = t0 + seconds, now = t0, commit = 0;
	uint64_t n = 0;
	while (now < end) {
		if (db_tx_begin(d) || insert_row(d, &r))
			exit(1);
		double c0 = mu_now_mono();
		if (db_tx_commit(d))
			exit(1);
		now = mu_now_mono();
		commit += now - c0;
		r.n++;
		n++;
	}
	double el = now - t0;
	db_close(d);
	fprintf(stderr,
		"baseline: %llu writes in %.2f s, one thread, one transaction each;"
		" commit %.3f ms\n",
		(unsigned long long)n, el, n ? commit * 1e3 / (double)n : 0.0);
	return (double)n / el;
}

int main(int argc, char **argv)
{
	double seconds = 5;
	if (argc > 1 && (mu_parse_double(argv[1], &seconds) || seconds <= 0)) {
		fprintf(stderr, "usage: %s [seconds]\n", argv[0]);
		return 2;
	}
	/* In build/, on the same disk as the repository, not a tmpfs /tmp. */
	mkdir("build", 0777);
	char dir[] = "build/bench-writer.XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char wpath[64], bpath[64];
	snprintf(wpath, sizeof wpath, "%s/writer.db", dir);
	snprintf(bpath, sizeof bpath, "%s/baseline.db", dir);
	double wps = bench_writer(wpath, seconds);
	double bps = bench_baseline(bpath, seconds);
	printf("BENCH writer %.0f writes/s baseline=%.0f ratio=%.1f\n", wps, bps,
	       bps > 0 ? wps / bps : 0.0);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return 0;
}
