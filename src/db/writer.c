/* writer.c: the single writer thread. Callers from any thread queue a write and
 * block; the writer runs everything queued in one transaction (each write in its own
 * savepoint), commits with one fsync, then releases the whole batch (group commit). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "db.h"

/* A queued write. It lives on the caller's stack; the caller sleeps on its own
 * mutex and condition so that finishing a batch wakes exactly the callers in it.
 * A posted job (db_writer_post) lives on the heap instead and nobody waits for it. */
struct job {
	db_write_fn fn;
	void *arg;
	void (*free_arg)(void *);
	bool posted;
	int rc;
	bool done; /* under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *next;
};

struct db_writer {
	struct db *db;
	struct db_writer_opts opts;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work; /* the writer waits here for jobs */
	struct job *head, *tail;
	int waiting;	   /* queued jobs whose callers wait (not posted) */
	double head_at;	   /* when the queue last became non-empty (monotonic seconds) */
	double post_delay; /* how long posted-only work may gather before its commit */
	bool stopping;
	struct db_writer_stats stats;
};

/* Runs one batch: every job in its own savepoint inside one transaction. */
static void run_batch(struct db_writer *w, struct job *batch, int n)
{
	struct db *d = w->db;
	int kept = 0;
	int rc = db_tx_begin(d);
	if (rc == 0) {
		for (struct job *j = batch; j; j = j->next) {
			if ((j->rc = db_tx_begin(d)) != 0)
				continue;
			j->rc = j->fn(d, j->arg);
			/* A write that failed may have left its own nested levels open. */
			if (j->rc == 0) {
				MU_ASSERT(db_tx_depth(d) == 2);
				if ((j->rc = db_tx_commit(d)) == 0)
					kept++;
			}
			while (j->rc != 0 && db_tx_depth(d) > 1)
				db_tx_rollback(d);
		}
		if (w->opts.before_commit)
			w->opts.before_commit(d, w->stats.batches + 1, kept, w->opts.ctx);
		double t0 = mu_now_mono();
		rc = db_tx_commit(d);
		w->stats.commit_seconds += mu_now_mono() - t0;
		if (rc != 0 && db_tx_depth(d) > 0)
			db_tx_rollback(d);
	}
	if (rc != 0) {
		mu_error("writer: batch of %d lost: commit failed", n);
		for (struct job *j = batch; j; j = j->next)
			if (j->rc == 0)
				j->rc = rc == MU_EFULL ? MU_EFULL : MU_EDB;
	}
	uint64_t failed = 0;
	bool full = false;
	for (struct job *j = batch; j; j = j->next) {
		failed += j->rc != 0;
		full |= j->rc == MU_EFULL;
	}
	pthread_mutex_lock(&w->mu);
	if (full)
		w->stats.storage_full = true;
	else if (rc == 0 && kept > 0)
		w->stats.storage_full = false;
	w->stats.batches++;
	w->stats.writes += (uint64_t)n;
	w->stats.failed_writes += failed;
	if ((uint64_t)n > w->stats.max_batch_seen)
		w->stats.max_batch_seen = (uint64_t)n;
	pthread_mutex_unlock(&w->mu);
	/* Wake each caller of this batch on its own condition: a broadcast to every
	 * waiting thread (half of them queued for the next batch) cost ~15% of the CPU in
	 * wake-ups with 64 callers (bench/writer: ~74k -> ~90k writes/s). j->next is read
	 * first: once done is set, the job's memory belongs to its caller again. */
	for (struct job *j = batch, *next; j; j = next) {
		next = j->next;
		if (j->posted) {
			if (j->rc != 0)
				mu_warn("writer: a posted write failed: %s", mu_err_msg(j->rc));
			if (j->free_arg)
				j->free_arg(j->arg);
			free(j);
			continue;
		}
		pthread_mutex_lock(&j->mu);
		j->done = true;
		pthread_cond_signal(&j->cv);
		pthread_mutex_unlock(&j->mu);
	}
}

/* Every write of a server waits for this one thread, while up to --threads request
 * threads compete with it for the cores. At their priority it was runnable but not
 * running a quarter of the time (calls-log-http, 64 connections on 2 cores: 26% of its
 * wall time in /proc/<tid>/schedstat's run-queue wait), and every caller waited with
 * it; at nice -10 that fell to 10% and the calls logged went from ~5,800 to ~7,200 a
 * second. A single thread can hold at most one core, so the readers keep the others.
 * On Linux the nice value is the thread's own. Without the right to raise a priority it
 * stays as it was, and says so once. */
static void raise_priority(struct db_writer *w)
{
	errno = 0;
	int was = getpriority(PRIO_PROCESS, (id_t)gettid());
	if (errno != 0)
		was = 0;
	int now = was;
	if (was <= DB_WRITER_NICE || setpriority(PRIO_PROCESS, (id_t)gettid(), DB_WRITER_NICE) == 0)
		now = was <= DB_WRITER_NICE ? was : DB_WRITER_NICE;
	else
		mu_info("writer: runs at nice %d, not %d (that needs CAP_SYS_NICE or an "
			"RLIMIT_NICE of %d): under load, writes wait behind request threads",
			was, DB_WRITER_NICE, 20 - DB_WRITER_NICE);
	pthread_mutex_lock(&w->mu);
	w->stats.nice = now;
	pthread_mutex_unlock(&w->mu);
}

static void *writer_main(void *p)
{
	struct db_writer *w = p;
	raise_priority(w);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->work, &w->mu);
		if (!w->head && w->stopping)
			break;
		/* Only posted work queued (audit entries of reads): let it gather for a while
		 * so that many share one commit. Every commit costs an fsync and empties each
		 * reader's page cache, so committing reads' audit entries as they trickle in
		 * slowed every read. A waiting caller or a full batch ends the wait at once. */
		while (w->waiting == 0 && !w->stopping &&
		       w->stats.queue_depth < (uint64_t)w->opts.max_batch) {
			double left = w->head_at + w->post_delay - mu_now_mono();
			if (left <= 0)
				break;
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (time_t)left;
			ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&w->work, &w->mu, &ts);
		}
		/* Take up to max_batch jobs off the queue; the rest wait for the next batch.
		 * Only this thread removes jobs, so the queue is still non-empty here. */
		MU_ASSERT(w->head);
		struct job *batch = w->head, *last = batch;
		int n = 1;
		while (last->next && n < w->opts.max_batch) {
			last = last->next;
			n++;
		}
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		else
			w->head_at = mu_now_mono();
		last->next = NULL;
		w->stats.queue_depth -= (uint64_t)n;
		for (struct job *j = batch; j; j = j->next)
			if (!j->posted)
				w->waiting--;
		pthread_mutex_unlock(&w->mu);
		run_batch(w, batch, n);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int db_writer_start(const char *path, const struct db_writer_opts *opts, struct db_writer **out)
{
	*out = NULL;
	struct db *d;
	int rc = db_open(path, DB_OPEN_CREATE, &d);
	if (rc)
		return rc;
	/* The writer's page cache holds the audit log's indexes, whose inserts land at
	 * random leaves (audit_record): with the readers' 64 MiB it re-read them from the
	 * file at every batch (code-lookup: ~23 -> ~16 us of writer CPU per audit entry
	 * with 512 MiB). The cache grows only as far as it is used. */
	/* Each write runs in its own savepoint, so SQLite copies every page a write first
	 * touches into a statement sub-journal; beyond 64 KiB per batch that journal went
	 * to a fresh temp file (open, ~2 pwrites per page, unlink at commit): over half of
	 * the writer's pwrites in scan-http. In memory it costs a memcpy per page, and no
	 * more memory than the batch's pages (scan-http: ~12k -> ~13.5k scans/s in A/B). */
	if ((rc = db_exec(d, "PRAGMA cache_size=-524288; PRAGMA temp_store=MEMORY"))) {
		db_close(d);
		return rc;
	}
	/* Checkpoints at most ~4 times a second past SQLite's 1000 pages: scan-http grew the
	 * WAL by ~14k pages/s and checkpointed after almost every commit, copying the same
	 * random index pages back again and again; a plain 4000-page threshold helped it
	 * as much but cost bench/writer ~7%, and a 1 s interval ~17%. */
	db_checkpoint_policy(d, 1000, 16384, 250);
	struct db_writer *w = mu_xcalloc(1, sizeof *w);
	w->db = d;
	if (opts)
		w->opts = *opts;
	if (w->opts.max_batch <= 0)
		w->opts.max_batch = 1024;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->work, &ca);
	pthread_condattr_destroy(&ca);
	w->post_delay = (w->opts.post_delay_ms > 0 ? w->opts.post_delay_ms : 50) / 1000.0;
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		db_close(d);
		free(w);
		return MU_EIO;
	}
	*out = w;
	return 0;
}

int db_writer_submit(struct db_writer *w, db_write_fn fn, void *arg)
{
	struct job j = {.fn = fn, .arg = arg};
	pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mu);
		return MU_ESTOPPED;
	}
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cv, NULL);
	/* The job lives on this stack frame: we sleep below until the writer is done with
	 * it, so the queue never holds it past this function. */
	if (w->tail) {
		/* cppcheck-suppress autoVariables */
		w->tail->next = &j;
	} else {
		/* cppcheck-suppress autoVariables */
		w->head = &j;
		w->head_at = mu_now_mono();
	}
	/* cppcheck-suppress autoVariables */
	w->tail = &j;
	w->stats.queue_depth++;
	w->waiting++;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);

	pthread_mutex_lock(&j.mu);
	while (!j.done)
		pthread_cond_wait(&j.cv, &j.mu);
	pthread_mutex_unlock(&j.mu);
	pthread_cond_destroy(&j.cv);
	pthread_mutex_destroy(&j.mu);
	return j.rc;
}

int db_writer_post(struct db_writer *w, db_write_fn fn, void *arg, void (*free_arg)(void *))
{
	struct job *j = mu_xcalloc(1, sizeof *j);
	j->fn = fn;
	j->arg = arg;
	j->free_arg = free_arg;
	j->posted = true;
	pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mu);
		if (free_arg)
			free_arg(arg);
		free(j);
		return MU_ESTOPPED;
	}
	/* Wake the writer only when it may be asleep without a deadline (empty queue) or
	 * the batch is full; otherwise it is already gathering and wakes at its deadline. */
	bool wake = !w->head || w->stats.queue_depth + 1 >= (uint64_t)w->opts.max_batch;
	if (w->tail) {
		w->tail->next = j;
	} else {
		w->head = j;
		w->head_at = mu_now_mono();
	}
	w->tail = j;
	w->stats.queue_depth++;
	if (wake)
		pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

void db_writer_stats(struct db_writer *w, struct db_writer_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	pthread_mutex_unlock(&w->mu);
}

void db_writer_stop(struct db_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	db_close(w->db);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
