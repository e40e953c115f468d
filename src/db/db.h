/* db: the only folder that talks to SQLite. Connections with their pragmas, a cache of
 * prepared statements, nested transactions, embedded migrations, and the single writer
 * thread that commits many callers' writes in one transaction (group commit). */
#ifndef MU_DB_H
#define MU_DB_H

#include <stdbool.h>
#include <stdint.h>

struct db;
struct db_stmt;

enum {
	DB_OPEN_READONLY = 1, /* a reader: query_only, no migrations */
	DB_OPEN_CREATE = 2,   /* create the file when missing */
};

/* Opens path in WAL mode with foreign keys on and a busy timeout, synchronous=FULL.
 * A writable connection runs the embedded migrations up to the newest. On success *out
 * is the caller's to db_close; on failure *out is NULL and a message is logged.
 * Returns 0, MU_ENOTFOUND when the file is missing without DB_OPEN_CREATE, MU_ESCHEMA
 * when the file was written by a newer Muster, MU_EDB otherwise. */
int db_open(const char *path, int flags, struct db **out);

/* Finalizes every cached statement and closes. Reports (logs) an open transaction.
 * Accepts NULL. */
void db_close(struct db *d);

/* The path this connection was opened on; borrowed. */
const char *db_path(const struct db *d);

/* Runs one or more statements without parameters (DDL, pragmas). */
int db_exec(struct db *d, const char *sql);

/* Returns the statement for sql, prepared once per connection and cached by the address
 * of sql — pass `static const char` literals. The statement is reset and unbound; the
 * caller must hand it back with db_stmt_done before preparing the same text again.
 * Returns 0 or MU_EDB. */
int db_prepare(struct db *d, const char *sql, struct db_stmt **out);
/* Resets the statement and clears its bindings; it stays cached. Accepts NULL. */
void db_stmt_done(struct db_stmt *s);

/* Binding by 1-based position. Text and blobs are copied unless noted. */
int db_bind_i64(struct db_stmt *s, int i, int64_t v);
int db_bind_double(struct db_stmt *s, int i, double v);
int db_bind_text(struct db_stmt *s, int i, const char *v, int n); /* n < 0: strlen */
/* Like db_bind_text but borrows v: it must outlive the statement's next reset. */
int db_bind_text_static(struct db_stmt *s, int i, const char *v, int n);
int db_bind_blob(struct db_stmt *s, int i, const void *v, int n);
int db_bind_null(struct db_stmt *s, int i);

enum { DB_DONE = 0, DB_ROW = 1 };
/* Steps: DB_ROW when a row is ready, DB_DONE at the end; MU_EEXIST on a UNIQUE or
 * PRIMARY KEY violation, MU_EINVAL on another constraint (NOT NULL, CHECK, foreign
 * key), MU_EBUSY when locked, MU_EFULL when the disk (or max_page_count) is full,
 * MU_EDB otherwise. */
int db_step(struct db_stmt *s);

int64_t db_col_i64(struct db_stmt *s, int i);
double db_col_double(struct db_stmt *s, int i);
/* Borrowed until the next step or reset; "" for NULL. */
const char *db_col_text(struct db_stmt *s, int i);
const void *db_col_blob(struct db_stmt *s, int i);
int db_col_bytes(struct db_stmt *s, int i);
bool db_col_null(struct db_stmt *s, int i);

int64_t db_last_insert_id(struct db *d);
int64_t db_changes(struct db *d);
/* The last SQLite error message of this connection; borrowed. */
const char *db_errmsg(struct db *d);

/* Runs sql (one statement) with one optional int64 parameter and returns the first
 * column of the first row in *out (0 when there is no row). For counts and pragmas. */
int db_query_i64(struct db *d, const char *sql, int64_t *out);

/* Nested transactions: the outermost begin is BEGIN IMMEDIATE, inner ones are
 * savepoints. Every begin must be matched by a commit or a rollback; rolling back an
 * inner level undoes only that level. */
int db_tx_begin(struct db *d);
int db_tx_commit(struct db *d);
int db_tx_rollback(struct db *d);
int db_tx_depth(const struct db *d);

/* Replaces SQLite's automatic checkpoint (a PASSIVE one after any commit that leaves
 * the WAL at 1000 pages or more) on this connection: after a commit, a PASSIVE
 * checkpoint runs when the WAL holds at least min_pages and interval_ms have passed
 * since the last one, or whenever it holds max_pages. For a connection that commits
 * often (the writer): it bounds how often the same pages are copied back to the file
 * and fsynced, and max_pages bounds the WAL. Returns 0. */
int db_checkpoint_policy(struct db *d, int min_pages, int max_pages, int interval_ms);

/* One snapshot for several reads: every query between begin and end sees the same
 * state, and the WAL read lock is taken once rather than per statement. For a
 * request's reads on its thread's reader; end is a no-op without a begin. */
int db_read_begin(struct db *d);
int db_read_end(struct db *d);

/* Bulk mode for loading a fresh or quiet database in one process: rollback journal
 * (no WAL copy of every page), synchronous=OFF, a large page cache, one transaction,
 * and the secondary indexes of the NULL-terminated tables dropped until db_bulk_end
 * rebuilds them (far faster than keeping random-key indexes during the load). Nothing
 * else may use the database meanwhile, and nothing may look rows up by those indexes.
 * db_bulk_end(commit=true) rebuilds the indexes and commits: all or nothing — with
 * MU_EEXIST when a rebuilt UNIQUE index finds duplicates, everything is rolled back.
 * commit=false rolls the whole load back. Both restore WAL and synchronous=FULL. */
int db_bulk_begin(struct db *d, const char *const *tables);
int db_bulk_end(struct db *d, bool commit);

/* Maps the database file into memory for d's reads (as far as SQLite's build allows:
 * 2 GB for Debian's): page reads become memory reads, not a copy per page. For a
 * connection making a pass over much of the database (a whole city's sweep); the
 * request threads' readers stay as they are. */
int db_read_mapped(struct db *d);

/* The calling thread's read-only connection to path, opened on first use and closed
 * when the thread exits (or by db_readers_close). One path per process. */
int db_reader(const char *path, struct db **out);
/* Closes the calling thread's reader, if any. */
void db_reader_close(void);

/* The schema version this program writes (the newest embedded migration). */
int db_schema_version(void);

/* ---- the writer thread ------------------------------------------------------------
 * One thread owns the only writable connection of a server. Callers submit a write
 * function and block; the writer runs every queued write inside one transaction, each
 * in its own savepoint (a failing write is undone alone), commits once, and then
 * releases every caller of the batch. A caller is released only after its batch is
 * durable: acknowledged means on disk. */
struct db_writer;

/* The priority the writer thread asks for: every write of a server waits on it, and
 * request threads would otherwise keep it off the cores (see writer.c). */
#define DB_WRITER_NICE (-10)

/* A write: runs on the writer's connection inside the batch transaction. Returns 0 to
 * keep its changes or a negative MU_E* code to undo them; db_writer_submit returns
 * the same code. */
typedef int (*db_write_fn)(struct db *d, void *arg);

struct db_writer_opts {
	int max_batch; /* writes per transaction; 0 means 1024 */
	/* How long posted work (db_writer_post) may wait for company before its commit
	 * when nobody is waiting on the writer; 0 means 50 ms. Submitted writes never wait
	 * for it: one arriving ends the gathering at once. */
	int post_delay_ms;
	/* Called inside each batch's transaction just before COMMIT, for tests and metrics
	 * (may be NULL): seq numbers batches from 1, n is how many writes it kept. */
	void (*before_commit)(struct db *d, uint64_t seq, int n, void *ctx);
	void *ctx;
};

/* Opens path (creating and migrating it if needed) and starts the writer thread.
 * opts may be NULL. *out is the caller's to db_writer_stop. */
int db_writer_start(const char *path, const struct db_writer_opts *opts, struct db_writer **out);

/* Queues fn(arg) and waits until its batch committed. Returns fn's result when the
 * batch committed, MU_EFULL when the commit failed for want of space and MU_EDB when it
 * failed otherwise (nothing of the batch kept),
 * MU_ESTOPPED after db_writer_stop began. Safe from any number of threads. */
int db_writer_submit(struct db_writer *w, db_write_fn fn, void *arg);

/* Queues fn(arg) without waiting: for work whose loss in a crash is tolerable (the
 * audit entries of reads). It is committed with the next batch of submitted writes, or
 * after at most post_delay_ms when there are none. free_arg(arg) runs after fn, on the writer
 * thread (may be NULL). Returns 0, or MU_ESTOPPED (then free_arg has run). */
int db_writer_post(struct db_writer *w, db_write_fn fn, void *arg, void (*free_arg)(void *));

struct db_writer_stats {
	uint64_t batches, writes, failed_writes;
	uint64_t queue_depth;  /* waiting now */
	double commit_seconds; /* total time spent in COMMIT */
	uint64_t max_batch_seen;
	/* A write or commit failed for want of space (MU_EFULL) and no batch has
	 * committed a write since: for /healthz. */
	bool storage_full;
	/* The writer thread's nice value: DB_WRITER_NICE when the system allowed it (root,
	 * CAP_SYS_NICE or an RLIMIT_NICE of 30), else the one it was started with. */
	int nice;
};
void db_writer_stats(struct db_writer *w, struct db_writer_stats *out);

/* Refuses new writes, finishes every queued write, commits, joins the thread and
 * closes the connection. Accepts NULL. */
void db_writer_stop(struct db_writer *w);

#endif
