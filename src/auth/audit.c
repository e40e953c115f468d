/* audit.c: the append-only audit log, chained by keyed hashes. Entry n stores
 * prev = hash(n-1) (32 zero bytes for the first) and
 *   hash = BLAKE2b-256, keyed with subkey 16 of the key file, over
 *          prev ‖ id ‖ at_ms ‖ actor_kind ‖ actor_id ‖ actor ‖ action ‖ record ‖ addr ‖ status
 * with every integer as 8 bytes big-endian and every text as a 4-byte big-endian
 * length and its bytes. Editing, removing or reordering entries breaks the chain at
 * the first entry concerned; removing the newest entries is not detectable from the
 * chain alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "auth.h"
#include "auth_int.h"
#include "core/core.h"
#include "db/db.h"

#define TEXT_MAX 512 /* bytes kept of each text field */

struct entry {
	int64_t id, at_ms, actor_kind, actor_id, status;
	const char *actor, *action, *record, *addr;
	size_t lactor, laction, lrecord, laddr;
};

static void put_i64(crypto_generichash_state *st, int64_t v)
{
	unsigned char b[8];
	uint64_t u = (uint64_t)v;
	for (int i = 7; i >= 0; i--, u >>= 8)
		b[i] = (unsigned char)(u & 0xff);
	crypto_generichash_update(st, b, sizeof b);
}

static void put_text(crypto_generichash_state *st, const char *s, size_t n)
{
	unsigned char b[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
			      (unsigned char)(n >> 8), (unsigned char)n};
	crypto_generichash_update(st, b, sizeof b);
	crypto_generichash_update(st, (const unsigned char *)s, n);
}

static void entry_hash(const struct auth__keys *k, const unsigned char prev[32],
		       const struct entry *e, unsigned char out[32])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, k->audit, sizeof k->audit, 32);
	crypto_generichash_update(&st, prev, 32);
	put_i64(&st, e->id);
	put_i64(&st, e->at_ms);
	put_i64(&st, e->actor_kind);
	put_i64(&st, e->actor_id);
	put_text(&st, e->actor, e->lactor);
	put_text(&st, e->action, e->laction);
	put_text(&st, e->record, e->lrecord);
	put_text(&st, e->addr, e->laddr);
	put_i64(&st, e->status);
	crypto_generichash_final(&st, out, 32);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char sql_audit_head[] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
static const char sql_audit_add[] =
    "INSERT INTO audit(id, at_ms, actor_kind, actor_id, actor, action, record, addr, status, "
    "prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

int auth__audit_append_many(struct db *d, const struct auth__entry *entries, size_t n)
{
	struct auth__keys k;
	unsigned char prev[32] = {0}, hash[32];
	struct db_stmt *s = NULL;
	struct entry e;
	int rc = auth__keys_for(db_path(d), &k);
	if (rc != 0)
		return rc;
	if ((rc = db_tx_begin(d)) != 0)
		goto out_keys;
	/* The head is read at every append, never cached across them: a batch that rolled
	 * back took its entries with it. Within one append the chain runs in memory. */
	if ((rc = db_prepare(d, sql_audit_head, &s)) != 0)
		goto out;
	rc = db_step(s);
	int64_t last = 0;
	if (rc == DB_ROW) {
		last = db_col_i64(s, 0);
		if (db_col_bytes(s, 1) == 32)
			memcpy(prev, db_col_blob(s, 1), 32);
	}
	db_stmt_done(s);
	s = NULL;
	if (rc < 0)
		goto out;
	rc = 0;
	int64_t at = now_ms();
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct auth__entry *x = &entries[i];
		e.id = ++last;
		e.at_ms = x->at_ms ? x->at_ms : at;
		e.actor_kind = x->who ? x->who->kind : 0;
		e.actor_id = x->who ? x->who->id : 0;
		e.actor = x->who ? x->who->name : "";
		e.action = x->action ? x->action : "";
		e.record = x->record ? x->record : "";
		e.addr = x->addr ? x->addr : "";
		e.status = x->status;
		e.lactor = strnlen(e.actor, TEXT_MAX);
		e.laction = strnlen(e.action, TEXT_MAX);
		e.lrecord = strnlen(e.record, TEXT_MAX);
		e.laddr = strnlen(e.addr, TEXT_MAX);
		entry_hash(&k, prev, &e, hash);
		if ((rc = db_prepare(d, sql_audit_add, &s)) != 0)
			break;
		db_bind_i64(s, 1, e.id);
		db_bind_i64(s, 2, e.at_ms);
		db_bind_i64(s, 3, e.actor_kind);
		db_bind_i64(s, 4, e.actor_id);
		db_bind_text_static(s, 5, e.actor, (int)e.lactor);
		db_bind_text_static(s, 6, e.action, (int)e.laction);
		db_bind_text_static(s, 7, e.record, (int)e.lrecord);
		db_bind_text_static(s, 8, e.addr, (int)e.laddr);
		db_bind_i64(s, 9, e.status);
		db_bind_blob(s, 10, prev, 32);
		db_bind_blob(s, 11, hash, 32);
		rc = db_step(s) == DB_DONE ? 0 : MU_EDB;
		db_stmt_done(s);
		s = NULL;
		memcpy(prev, hash, 32);
	}
out:
	db_stmt_done(s);
	if (rc == 0)
		rc = db_tx_commit(d);
	else
		db_tx_rollback(d);
out_keys:
	sodium_memzero(&k, sizeof k);
	return rc;
}

int auth_audit_append(struct db *d, const struct auth_principal *who, const char *action,
		      const char *record, const char *addr, int status)
{
	struct auth__entry e = {who, action, record, addr, status, 0};
	return auth__audit_append_many(d, &e, 1);
}

int auth_audit_append_records(struct db *d, const struct auth_principal *who, const char *action,
			      const char *const *records, size_t n, const char *addr, int status)
{
	if (n == 0)
		return 0;
	struct auth__entry *e = mu_xmalloc(n * sizeof *e);
	for (size_t i = 0; i < n; i++)
		e[i] = (struct auth__entry){who, action, records[i], addr, status, 0};
	int rc = auth__audit_append_many(d, e, n);
	free(e);
	return rc;
}

static const char sql_audit_walk[] =
    "SELECT id, at_ms, actor_kind, actor_id, actor, action, record, addr, status, prev, hash "
    "FROM audit ORDER BY id";

int auth_audit_verify(struct db *d, const char *db_path, int64_t *bad_id, int64_t *checked)
{
	struct auth__keys k;
	unsigned char expect_prev[32] = {0}, h[32];
	struct db_stmt *s = NULL;
	*bad_id = 0;
	*checked = 0;
	int rc = auth__keys_for(db_path, &k);
	if (rc != 0)
		return rc;
	if ((rc = db_prepare(d, sql_audit_walk, &s)) != 0)
		goto out;
	while ((rc = db_step(s)) == DB_ROW) {
		struct entry e;
		e.id = db_col_i64(s, 0);
		e.at_ms = db_col_i64(s, 1);
		e.actor_kind = db_col_i64(s, 2);
		e.actor_id = db_col_i64(s, 3);
		e.actor = db_col_text(s, 4);
		e.lactor = (size_t)db_col_bytes(s, 4);
		e.action = db_col_text(s, 5);
		e.laction = (size_t)db_col_bytes(s, 5);
		e.record = db_col_text(s, 6);
		e.lrecord = (size_t)db_col_bytes(s, 6);
		e.addr = db_col_text(s, 7);
		e.laddr = (size_t)db_col_bytes(s, 7);
		e.status = db_col_i64(s, 8);
		(*checked)++;
		if (db_col_bytes(s, 9) != 32 || db_col_bytes(s, 10) != 32) {
			*bad_id = e.id;
			break;
		}
		const unsigned char *prev = db_col_blob(s, 9);
		entry_hash(&k, prev, &e, h);
		/* An edited entry no longer matches its own hash; a removed or moved one
		 * leaves the next entry pointing at a hash that is not its predecessor's. */
		if (sodium_memcmp(h, db_col_blob(s, 10), 32) != 0 ||
		    sodium_memcmp(prev, expect_prev, 32) != 0) {
			*bad_id = e.id;
			break;
		}
		memcpy(expect_prev, h, 32);
	}
	if (rc == DB_ROW || rc == DB_DONE)
		rc = 0;
out:
	db_stmt_done(s);
	sodium_memzero(&k, sizeof k);
	return rc;
}

/* ---- listing for GET /api/v1/audit --------------------------------------------------------
 * Filtered by actor or record, the listing walks that filter's index one id partition
 * (2^AUDIT_PART_SHIFT entries, migration 0004) at a time, newest first: partitioned keys keep
 * each commit's index inserts in a few hundred pages instead of one random page per
 * entry. Without either filter it walks the table newest first. */

#define AUDIT_PART_SHIFT 14 /* must match the `id >> 14` of migration 0004's indexes */

#define FILTERS                                                                                    \
	"(?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR record = ?2) AND "                          \
	"(?3 IS NULL OR at_ms >= ?3) AND (?4 IS NULL OR at_ms < ?4) AND (?5 IS NULL OR id < ?5) "
#define COLS                                                                                       \
	"SELECT id, at_ms, actor_kind, actor_id, actor, action, record, addr, status FROM audit "

static const char sql_list_actor[] = COLS "INDEXED BY audit_actor_part WHERE id >> 14 = ?7 AND "
					  "actor = ?1 AND " FILTERS "ORDER BY id DESC LIMIT ?6";
static const char sql_list_record[] = COLS "INDEXED BY audit_record_part WHERE id >> 14 = ?7 AND "
					   "record = ?2 AND " FILTERS "ORDER BY id DESC LIMIT ?6";
static const char sql_list_all[] = COLS "WHERE " FILTERS "AND ?7 IS NULL ORDER BY id DESC LIMIT ?6";
static const char sql_list_top[] = "SELECT max(id) FROM audit";

/* Lists the rows of one partition (part < 0: no partition, the whole table); counts
 * them into *got and stops at the first non-zero of fn. */
static int list_part(struct db *d, const char *sql, const char *actor, const char *record,
		     int64_t since_ms, int64_t until_ms, int64_t before, int limit, int64_t part,
		     int (*fn)(const struct auth__audit_row *row, void *ctx), void *ctx, int *got)
{
	struct db_stmt *s = NULL;
	int rc = db_prepare(d, sql, &s);
	if (rc != 0)
		return rc;
	if (actor)
		db_bind_text(s, 1, actor, -1);
	else
		db_bind_null(s, 1);
	if (record)
		db_bind_text(s, 2, record, -1);
	else
		db_bind_null(s, 2);
	if (since_ms)
		db_bind_i64(s, 3, since_ms);
	else
		db_bind_null(s, 3);
	if (until_ms)
		db_bind_i64(s, 4, until_ms);
	else
		db_bind_null(s, 4);
	if (before > 0)
		db_bind_i64(s, 5, before);
	else
		db_bind_null(s, 5);
	db_bind_i64(s, 6, limit);
	if (part >= 0)
		db_bind_i64(s, 7, part);
	else
		db_bind_null(s, 7);
	while ((rc = db_step(s)) == DB_ROW) {
		struct auth__audit_row row = {
		    .id = db_col_i64(s, 0),
		    .at_ms = db_col_i64(s, 1),
		    .actor_kind = db_col_i64(s, 2),
		    .actor_id = db_col_i64(s, 3),
		    .actor = db_col_text(s, 4),
		    .action = db_col_text(s, 5),
		    .record = db_col_text(s, 6),
		    .addr = db_col_text(s, 7),
		    .status = (int)db_col_i64(s, 8),
		};
		(*got)++;
		if ((rc = fn(&row, ctx)) != 0)
			break;
	}
	if (rc == DB_DONE)
		rc = 0;
	db_stmt_done(s);
	return rc;
}

int auth__audit_list(struct db *d, const char *actor, const char *record, int64_t since_ms,
		     int64_t until_ms, int64_t before, int limit,
		     int (*fn)(const struct auth__audit_row *row, void *ctx), void *ctx)
{
	int got = 0;
	if (!actor && !record)
		return list_part(d, sql_list_all, NULL, NULL, since_ms, until_ms, before, limit, -1,
				 fn, ctx, &got);
	const char *sql = actor ? sql_list_actor : sql_list_record;
	int64_t top;
	int rc = db_query_i64(d, sql_list_top, &top);
	if (rc != 0)
		return rc;
	if (before > 0 && before - 1 < top)
		top = before - 1;
	for (int64_t part = top >> AUDIT_PART_SHIFT; part >= 0 && got < limit && rc == 0; part--)
		rc = list_part(d, sql, actor, record, since_ms, until_ms, before, limit - got, part,
			       fn, ctx, &got);
	return rc;
}
