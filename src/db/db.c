/* db.c: SQLite connections — pragmas at open, the prepared-statement cache, nested
 * transactions, migrations tracked by PRAGMA user_version, and bulk-load mode. */
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "db.h"
#include "db_int.h"

struct cache_entry {
	const char *sql;
	sqlite3_stmt *st;
};

struct bulk_index {
	char *name, *sql;
};

struct db {
	sqlite3 *h;
	char *path;
	int depth;	/* transaction nesting */
	bool read_lazy; /* db_read_begin counted (depth 1) but not yet run: see start_read */
	struct cache_entry *cache;
	size_t cache_cap, cache_n;
	struct bulk_index *bulk;
	size_t bulk_n;
	bool readonly;
	/* db_checkpoint_policy: WAL pages and interval; last checkpoint (monotonic s) */
	int ckpt_min, ckpt_max;
	double ckpt_interval, ckpt_last;
};

static sqlite3_stmt *raw(struct db_stmt *s)
{
	return (sqlite3_stmt *)s;
}

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return MU_EBUSY;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return MU_EEXIST;
		return MU_EINVAL;
	case SQLITE_TOOBIG:
		return MU_ETOOBIG;
	case SQLITE_FULL:
		return MU_EFULL;
	default:
		return MU_EDB;
	}
}

const char *db_path(const struct db *d)
{
	return d->path;
}
const char *db_errmsg(struct db *d)
{
	return sqlite3_errmsg(d->h);
}
int64_t db_last_insert_id(struct db *d)
{
	return sqlite3_last_insert_rowid(d->h);
}
int64_t db_changes(struct db *d)
{
	return sqlite3_changes64(d->h);
}
int db_tx_depth(const struct db *d)
{
	return d->depth;
}

static const char sql_read_begin[] = "BEGIN DEFERRED";
static int run_cached(struct db *d, const char *sql);

/* A read snapshot begins at its first statement: BEGIN DEFERRED takes no lock and
 * reads nothing until then, so running it there instead of at db_read_begin is the same
 * transaction, and a request that ends up reading nothing (a code found in memory, a
 * cached token) runs neither BEGIN nor COMMIT. Called before any statement runs. */
static int start_read(struct db *d)
{
	if (!d->read_lazy)
		return 0;
	d->read_lazy = false;
	d->depth = 0;
	int rc = run_cached(d, sql_read_begin);
	if (rc == 0)
		d->depth = 1;
	return rc;
}

/* Ends a read snapshot that never began; true when there was one. */
static bool drop_unstarted_read(struct db *d)
{
	if (!d->read_lazy)
		return false;
	MU_ASSERT(d->depth == 1);
	d->read_lazy = false;
	d->depth = 0;
	return true;
}

int db_exec(struct db *d, const char *sql)
{
	char *msg = NULL;
	int rc = start_read(d);
	if (rc != 0)
		return rc;
	rc = sqlite3_exec(d->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		mu_error("db: %s: %s", d->path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return map_rc(sqlite3_extended_errcode(d->h));
	}
	return 0;
}

static size_t slot_of(const struct db *d, const char *sql)
{
	uintptr_t x = (uintptr_t)sql;
	x ^= x >> 17;
	x *= 0x9E3779B97F4A7C15ull;
	return (size_t)(x >> 20) & (d->cache_cap - 1);
}

static void cache_put(struct db *d, const char *sql, sqlite3_stmt *st)
{
	if ((d->cache_n + 1) * 2 > d->cache_cap) {
		struct cache_entry *old = d->cache;
		size_t oldcap = d->cache_cap;
		d->cache_cap = oldcap ? oldcap * 2 : 64;
		d->cache = mu_xcalloc(d->cache_cap, sizeof *d->cache);
		d->cache_n = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].sql)
				cache_put(d, old[i].sql, old[i].st);
		free(old);
	}
	size_t i = slot_of(d, sql);
	while (d->cache[i].sql)
		i = (i + 1) & (d->cache_cap - 1);
	d->cache[i].sql = sql;
	d->cache[i].st = st;
	d->cache_n++;
}

int db_prepare(struct db *d, const char *sql, struct db_stmt **out)
{
	*out = NULL;
	int lazy = start_read(d);
	if (lazy != 0)
		return lazy;
	if (d->cache_cap) {
		size_t i = slot_of(d, sql);
		while (d->cache[i].sql) {
			if (d->cache[i].sql == sql) {
				sqlite3_stmt *st = d->cache[i].st;
				/* A statement still running means a caller forgot db_stmt_done, or
				 * prepared the same text twice while iterating: both are bugs. */
				MU_ASSERT(!sqlite3_stmt_busy(st));
				*out = (struct db_stmt *)st;
				return 0;
			}
			i = (i + 1) & (d->cache_cap - 1);
		}
	}
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		mu_error("db: prepare failed: %s: %s", sqlite3_errmsg(d->h), sql);
		return MU_EDB;
	}
	cache_put(d, sql, st);
	*out = (struct db_stmt *)st;
	return 0;
}

void db_stmt_done(struct db_stmt *s)
{
	if (!s)
		return;
	sqlite3_reset(raw(s));
	sqlite3_clear_bindings(raw(s));
}

static int bind_rc(struct db_stmt *s, int rc)
{
	if (rc == SQLITE_OK)
		return 0;
	/* A parameter the statement does not have is a bug in the caller's SQL or binding,
	 * never bad input: stop there, where the tests will see it. */
	if (rc == SQLITE_RANGE)
		mu_panic(__FILE__, __LINE__, "db: bind to a missing parameter of: %s",
			 sqlite3_sql(raw(s)));
	mu_error("db: bind failed: %s", sqlite3_errstr(rc));
	return map_rc(rc);
}

int db_bind_i64(struct db_stmt *s, int i, int64_t v)
{
	return bind_rc(s, sqlite3_bind_int64(raw(s), i, v));
}

int db_bind_double(struct db_stmt *s, int i, double v)
{
	return bind_rc(s, sqlite3_bind_double(raw(s), i, v));
}

int db_bind_text(struct db_stmt *s, int i, const char *v, int n)
{
	return bind_rc(s, sqlite3_bind_text(raw(s), i, v, n, SQLITE_TRANSIENT));
}

int db_bind_text_static(struct db_stmt *s, int i, const char *v, int n)
{
	return bind_rc(s, sqlite3_bind_text(raw(s), i, v, n, SQLITE_STATIC));
}

int db_bind_blob(struct db_stmt *s, int i, const void *v, int n)
{
	return bind_rc(s, sqlite3_bind_blob(raw(s), i, v, n, SQLITE_TRANSIENT));
}

int db_bind_null(struct db_stmt *s, int i)
{
	return bind_rc(s, sqlite3_bind_null(raw(s), i));
}

int db_step(struct db_stmt *s)
{
	int rc = sqlite3_step(raw(s));
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	sqlite3 *h = sqlite3_db_handle(raw(s));
	int ext = sqlite3_extended_errcode(h);
	if ((ext & 0xff) != SQLITE_CONSTRAINT)
		mu_error("db: step failed: %s", sqlite3_errmsg(h));
	return map_rc(ext);
}

int64_t db_col_i64(struct db_stmt *s, int i)
{
	return sqlite3_column_int64(raw(s), i);
}
double db_col_double(struct db_stmt *s, int i)
{
	return sqlite3_column_double(raw(s), i);
}

const char *db_col_text(struct db_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(raw(s), i);
	return t ? (const char *)t : "";
}

const void *db_col_blob(struct db_stmt *s, int i)
{
	return sqlite3_column_blob(raw(s), i);
}
int db_col_bytes(struct db_stmt *s, int i)
{
	return sqlite3_column_bytes(raw(s), i);
}
bool db_col_null(struct db_stmt *s, int i)
{
	return sqlite3_column_type(raw(s), i) == SQLITE_NULL;
}

int db_query_i64(struct db *d, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	*out = 0;
	int rc = start_read(d);
	if (rc != 0)
		return rc;
	rc = sqlite3_prepare_v2(d->h, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		mu_error("db: prepare failed: %s: %s", sqlite3_errmsg(d->h), sql);
		return MU_EDB;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	int err = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : map_rc(rc);
	sqlite3_finalize(st);
	return err;
}

/* ---- transactions ---------------------------------------------------------------- */

/* Transaction control runs through cached statements: the writer opens and closes a
 * savepoint around every write, and parsing that text each time was a measurable
 * share of a small write. */
static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
static const char sql_savepoint[] = "SAVEPOINT mu_tx";
static const char sql_release[] = "RELEASE mu_tx";
static const char sql_rollback_to[] = "ROLLBACK TO mu_tx";

static int run_cached(struct db *d, const char *sql)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

int db_read_mapped(struct db *d)
{
	return db_exec(d, "PRAGMA mmap_size=17179869184");
}

int db_read_begin(struct db *d)
{
	MU_ASSERT(d->depth == 0 && !d->read_lazy);
	d->read_lazy = true;
	d->depth = 1;
	return 0;
}

int db_read_end(struct db *d)
{
	if (d->depth == 0)
		return 0;
	MU_ASSERT(d->depth == 1);
	return db_tx_commit(d);
}

int db_tx_begin(struct db *d)
{
	int rc = run_cached(d, d->depth == 0 ? sql_begin : sql_savepoint);
	if (rc == 0)
		d->depth++;
	return rc;
}

int db_tx_commit(struct db *d)
{
	MU_ASSERT(d->depth > 0);
	if (drop_unstarted_read(d))
		return 0;
	int rc = run_cached(d, d->depth == 1 ? sql_commit : sql_release);
	if (rc == 0)
		d->depth--;
	return rc;
}

int db_tx_rollback(struct db *d)
{
	MU_ASSERT(d->depth > 0);
	if (drop_unstarted_read(d))
		return 0;
	int rc;
	if (d->depth == 1) {
		rc = run_cached(d, sql_rollback);
	} else {
		/* ROLLBACK TO keeps the savepoint open; RELEASE closes it. */
		rc = run_cached(d, sql_rollback_to);
		if (rc == 0)
			rc = run_cached(d, sql_release);
	}
	d->depth--;
	return rc;
}

/* ---- checkpoints ---------------------------------------------------------------------- */

/* Runs after each commit on the committing thread, with the WAL's size in frames. */
static int wal_hook(void *arg, sqlite3 *h, const char *schema, int frames)
{
	struct db *d = arg;
	if (frames < d->ckpt_min)
		return SQLITE_OK;
	double now = mu_now_mono();
	if (frames >= d->ckpt_max || now - d->ckpt_last >= d->ckpt_interval) {
		/* PASSIVE, like SQLite's own autocheckpoint: it never waits for readers; frames
		 * it cannot copy yet stay in the WAL for the next one. */
		sqlite3_wal_checkpoint_v2(h, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		d->ckpt_last = now;
	}
	return SQLITE_OK;
}

int db_checkpoint_policy(struct db *d, int min_pages, int max_pages, int interval_ms)
{
	MU_ASSERT(min_pages > 0 && max_pages >= min_pages && interval_ms >= 0);
	d->ckpt_min = min_pages;
	d->ckpt_max = max_pages;
	d->ckpt_interval = interval_ms / 1000.0;
	d->ckpt_last = mu_now_mono();
	sqlite3_wal_hook(d->h, wal_hook, d);
	return 0;
}

/* ---- open, migrate, close --------------------------------------------------------- */

int db_schema_version(void)
{
	return db__migrations[db__migrations_n - 1].version;
}

/* Reads the file's schema version into *have; MU_ESCHEMA when a newer Muster wrote it
 * (readers check too: an older program must not misread a newer schema). */
static int schema_of(struct db *d, int64_t *have)
{
	int rc = db_query_i64(d, "PRAGMA user_version", have);
	if (rc)
		return rc;
	if (*have > db_schema_version()) {
		mu_error("db: %s has schema %lld, newer than this program's %d", d->path,
			 (long long)*have, db_schema_version());
		return MU_ESCHEMA;
	}
	return 0;
}

/* A migration marked so rebuilds a table that others reference (SQLite's twelve steps,
 * lang_altertable.html §7): it runs with foreign keys off, which only takes effect
 * outside a transaction, and commits only when foreign_key_check then finds nothing. */
static const char rebuild_mark[] = "-- muster: rebuilds tables";

static int migrate_one(struct db *d, const struct db__migration *m, bool rebuild)
{
	int64_t broken = 0;
	int rc = db_tx_begin(d);
	if (rc)
		return rc;
	char pragma[64];
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", m->version);
	if ((rc = db_exec(d, m->sql)) || (rc = db_exec(d, pragma)) ||
	    (rebuild &&
	     (rc = db_query_i64(d, "SELECT count(*) FROM pragma_foreign_key_check", &broken)))) {
		mu_error("db: migration %s failed", m->name);
		db_tx_rollback(d);
		return rc;
	}
	if (broken) {
		mu_error("db: migration %s refused: rows with a broken foreign key: %lld", m->name,
			 (long long)broken);
		db_tx_rollback(d);
		return MU_EDB;
	}
	return db_tx_commit(d);
}

static int migrate(struct db *d)
{
	int64_t have;
	int rc = schema_of(d, &have);
	if (rc)
		return rc;
	for (int i = 0; i < db__migrations_n; i++) {
		const struct db__migration *m = &db__migrations[i];
		if (m->version <= have)
			continue;
		bool rebuild = strstr(m->sql, rebuild_mark) != NULL;
		if (rebuild && (rc = db_exec(d, "PRAGMA foreign_keys=OFF")))
			return rc;
		rc = migrate_one(d, m, rebuild);
		int rc2 = rebuild ? db_exec(d, "PRAGMA foreign_keys=ON") : 0;
		if (rc || (rc = rc2))
			return rc;
	}
	return 0;
}

/* Process-wide SQLite settings, before the first connection: no memory statistics
 * (they put a global mutex around every allocation, which request threads then
 * fight over). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

int db_open(const char *path, int flags, struct db **out)
{
	pthread_once(&sqlite_once, sqlite_setup);
	*out = NULL;
	bool ro = flags & DB_OPEN_READONLY;
	if (!(flags & DB_OPEN_CREATE) && access(path, F_OK) != 0) {
		mu_error("db: %s does not exist (run `muster init` first)", path);
		return MU_ENOTFOUND;
	}
	struct db *d = mu_xcalloc(1, sizeof *d);
	d->path = mu_xstrdup(path);
	d->readonly = ro;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (flags & DB_OPEN_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(path, &d->h, oflags, NULL);
	if (rc != SQLITE_OK) {
		mu_error("db: cannot open %s: %s", path, d->h ? sqlite3_errmsg(d->h) : "");
		rc = MU_EDB;
		goto fail;
	}
	sqlite3_extended_result_codes(d->h, 1);
	sqlite3_busy_timeout(d->h, 10000);
	if ((rc = db_exec(d, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			     "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;")))
		goto fail;
	if (ro) {
		int64_t have;
		if ((rc = db_exec(d, "PRAGMA query_only=ON")) || (rc = schema_of(d, &have)))
			goto fail;
	} else if ((rc = migrate(d))) {
		goto fail;
	}
	*out = d;
	return 0;
fail:
	db_close(d);
	return rc;
}

void db_close(struct db *d)
{
	if (!d)
		return;
	if (d->depth > 0 && !drop_unstarted_read(d))
		mu_warn("db: %s closed inside a transaction (depth %d); rolled back", d->path,
			d->depth);
	for (size_t i = 0; i < d->cache_cap; i++)
		if (d->cache[i].sql)
			sqlite3_finalize(d->cache[i].st);
	free(d->cache);
	for (size_t i = 0; i < d->bulk_n; i++) {
		free(d->bulk[i].sql);
		free(d->bulk[i].name);
	}
	free(d->bulk);
	sqlite3_stmt *leak = d->h ? sqlite3_next_stmt(d->h, NULL) : NULL;
	if (leak)
		mu_warn("db: statement never finalized: %s", sqlite3_sql(leak));
	if (d->h)
		sqlite3_close_v2(d->h);
	free(d->path);
	free(d);
}

/* ---- per-thread readers -------------------------------------------------------------- */

static pthread_key_t reader_key;
static pthread_once_t reader_once = PTHREAD_ONCE_INIT;

static void reader_destroy(void *p)
{
	db_close(p);
}
static void reader_key_init(void)
{
	pthread_key_create(&reader_key, reader_destroy);
}

int db_reader(const char *path, struct db **out)
{
	pthread_once(&reader_once, reader_key_init);
	struct db *d = pthread_getspecific(reader_key);
	if (!d) {
		int rc = db_open(path, DB_OPEN_READONLY, &d);
		if (rc) {
			*out = NULL;
			return rc;
		}
		pthread_setspecific(reader_key, d);
	}
	*out = d;
	return 0;
}

void db_reader_close(void)
{
	pthread_once(&reader_once, reader_key_init);
	struct db *d = pthread_getspecific(reader_key);
	if (d) {
		pthread_setspecific(reader_key, NULL);
		db_close(d);
	}
}

/* ---- bulk mode ---------------------------------------------------------------------- */

static const char sql_indexes_of[] =
    "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL";

int db_bulk_begin(struct db *d, const char *const *tables)
{
	MU_ASSERT(d->depth == 0 && d->bulk_n == 0);
	int rc = db_exec(d, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;"
			    "PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY;");
	if (rc || (rc = db_tx_begin(d)))
		return rc;
	for (const char *const *t = tables; *t; t++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(d->h, sql_indexes_of, -1, &st, NULL) != SQLITE_OK) {
			db_bulk_end(d, false);
			return MU_EDB;
		}
		sqlite3_bind_text(st, 1, *t, -1, SQLITE_STATIC);
		/* Collect first: dropping while the cursor walks sqlite_master is unsafe. */
		size_t first = d->bulk_n;
		while (sqlite3_step(st) == SQLITE_ROW) {
			d->bulk = mu_xrealloc(d->bulk, (d->bulk_n + 1) * sizeof *d->bulk);
			d->bulk[d->bulk_n].name =
			    mu_xstrdup((const char *)sqlite3_column_text(st, 0));
			d->bulk[d->bulk_n++].sql =
			    mu_xstrdup((const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
		for (size_t i = first; i < d->bulk_n; i++) {
			char drop[256];
			snprintf(drop, sizeof drop, "DROP INDEX \"%s\"", d->bulk[i].name);
			if ((rc = db_exec(d, drop))) {
				db_bulk_end(d, false);
				return rc;
			}
		}
	}
	return 0;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return MU_EIO;
	int rc = fsync(fd) == 0 ? 0 : MU_EIO;
	close(fd);
	return rc;
}

static int sync_file_and_dir(const char *path)
{
	int rc = fsync_path(path);
	if (rc == 0) {
		char *dir = mu_xstrdup(path);
		char *slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		rc = fsync_path(slash ? dir : ".");
		free(dir);
	}
	if (rc)
		mu_error("db: %s: cannot flush the bulk load to disk", path);
	return rc;
}

int db_bulk_end(struct db *d, bool commit)
{
	int rc = commit ? 0 : MU_EINVAL;
	for (size_t i = 0; i < d->bulk_n; i++) {
		if (!rc && (rc = db_exec(d, d->bulk[i].sql)))
			mu_error("db: rebuilding index failed: %s", d->bulk[i].sql);
		free(d->bulk[i].sql);
		free(d->bulk[i].name);
	}
	/* The load and the index drops share one transaction, so a failure leaves the
	 * database exactly as it was before db_bulk_begin. */
	while (d->depth > 1)
		db_tx_commit(d);
	if (d->depth == 1) {
		if (rc == 0)
			rc = db_tx_commit(d);
		if (rc != 0 && d->depth == 1)
			db_tx_rollback(d);
	}
	/* The load committed with synchronous=OFF (SQLite refuses to change the safety
	 * level inside a transaction), so nothing was fsynced: flush the file, and the
	 * directory so that the deleted rollback journal cannot come back as "hot". */
	if (rc == 0 && commit)
		rc = sync_file_and_dir(d->path);
	free(d->bulk);
	d->bulk = NULL;
	d->bulk_n = 0;
	int rc2 = db_exec(d, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			     "PRAGMA cache_size=-65536; PRAGMA optimize;");
	return (rc && commit) ? rc : (commit ? rc2 : 0);
}
