/* codeindex.c: place codes to ids in memory, for the one database a serving process
 * owns. A call, an order, a list names its place by code, and a request's connection
 * looked that code up in the places table behind pages every commit had dropped from its
 * cache: two B-tree searches and their preads, a fifth of a request thread's CPU for a
 * logged call (perf, calls-log-http). A code never changes and a place is never deleted,
 * so a code read once stays true for the life of the process; a place added later is not
 * in the map and is read from SQL. A thread of its own reads every code at open; until
 * it is done every lookup reads SQL.
 *
 * Layout: each place as its id (4 bytes) and its code (NUL-terminated) one after another
 * in `text`, and an open-addressing table of offsets into `text` (+1; 0 is empty) keyed
 * by a hash of the code — SipHash (libsodium's crypto_shorthash) under a key drawn at
 * open, so that no set of codes can aim at one chain. A lookup compares the whole code:
 * an answer is exact. The whole city (7.7 M places) takes ~210 MB of text and 64 MB of
 * table. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sodium.h>

#include "core/core.h"
#include "db/db.h"
#include "places.h"
#include "places_int.h"

enum { CHUNK = 100000 };

struct codeindex {
	char *path;
	unsigned char key[crypto_shorthash_KEYBYTES];
	char *text; /* mapped: `text_cap` bytes, the first `text_len` written */
	size_t text_cap, text_len;
	uint32_t *slot; /* offset of an entry in text + 1, 0 when empty */
	uint64_t mask;	/* slots - 1 */
	int64_t places;
	double seconds;
	pthread_t thread;
	bool started;
	atomic_bool stop, ready;
};

static _Atomic(struct codeindex *) codes_now;

static uint64_t hash_of(const struct codeindex *ix, const char *code, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;
	crypto_shorthash(h, (const unsigned char *)code, len, ix->key);
	memcpy(&v, h, sizeof v);
	return v;
}

/* Adds id's code; false when the text is full (the map then stays unused). */
static bool add(struct codeindex *ix, int64_t id, const char *code)
{
	size_t len = strlen(code);
	uint32_t id32 = (uint32_t)id;
	if (ix->text_len + sizeof id32 + len + 1 > ix->text_cap)
		return false;
	size_t at = ix->text_len;
	memcpy(ix->text + at, &id32, sizeof id32);
	memcpy(ix->text + at + sizeof id32, code, len + 1);
	ix->text_len += sizeof id32 + len + 1;
	for (uint64_t i = hash_of(ix, code, len) & ix->mask;; i = (i + 1) & ix->mask)
		if (!ix->slot[i]) {
			ix->slot[i] = (uint32_t)at + 1;
			return true;
		}
}

static const char sql_chunk[] = "SELECT id, code FROM places WHERE id > ? ORDER BY id LIMIT ?";

/* Reads the codes of ids after `after`, CHUNK at a time (one short read transaction
 * each: a long one would hold the WAL back); *last is the last id read. */
static int fill_chunk(struct codeindex *ix, struct db *d, int64_t after, int64_t *last)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_chunk, &s);
	*last = after;
	if (rc)
		return rc;
	db_bind_i64(s, 1, after);
	db_bind_i64(s, 2, CHUNK);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t id = db_col_i64(s, 0);
		if (id <= 0 || id > UINT32_MAX || !add(ix, id, db_col_text(s, 1))) {
			rc = MU_EFULL;
			break;
		}
		*last = id;
		ix->places++;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

static void *build_main(void *arg)
{
	struct codeindex *ix = arg;
	double t0 = mu_now_mono();
	struct db *d = NULL;
	int64_t after = 0, last = 0;
	int rc = db_open(ix->path, DB_OPEN_READONLY, &d);
	while (rc == 0 && !atomic_load(&ix->stop)) {
		if ((rc = fill_chunk(ix, d, after, &last)) != 0 || last == after)
			break;
		after = last;
	}
	db_close(d);
	ix->seconds = mu_now_mono() - t0;
	if (rc != 0)
		mu_warn("places: no code map (stopped at id %lld: %s); codes are read from SQL",
			(long long)after, mu_err_msg(rc));
	else if (!atomic_load(&ix->stop)) {
		mu_info("places: code map of %lld places in %.1f s", (long long)ix->places,
			ix->seconds);
		atomic_store_explicit(&ix->ready, true, memory_order_release);
	}
	return NULL;
}

static void codeindex_free(struct codeindex *ix)
{
	if (!ix)
		return;
	atomic_store(&ix->stop, true);
	if (ix->started)
		pthread_join(ix->thread, NULL);
	if (ix->text)
		munmap(ix->text, ix->text_cap);
	free(ix->slot);
	free(ix->path);
	free(ix);
}

static const char sql_sizes[] = "SELECT COALESCE(MAX(id), 0) FROM places";

int places_codeindex_open(struct db *d)
{
	int64_t max = 0;
	int rc = db_query_i64(d, sql_sizes, &max);
	if (rc)
		return rc;
	if (max < 0 || max >= UINT32_MAX)
		return MU_EINVAL;
	struct codeindex *ix = mu_xcalloc(1, sizeof *ix);
	ix->path = mu_xstrdup(db_path(d));
	randombytes_buf(ix->key, sizeof ix->key);
	/* Room for every id at the longest code; only what is written is ever touched. */
	ix->text_cap = ((size_t)max + 1) * (sizeof(uint32_t) + PLACES_CODE_MAX + 1);
	if (ix->text_cap >= UINT32_MAX)
		ix->text_cap = UINT32_MAX - 1;
	void *m = mmap(NULL, ix->text_cap, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		ix->text = NULL;
		codeindex_free(ix);
		return MU_EIO;
	}
	ix->text = m;
	/* At most half full: a miss ends at an empty slot soon. */
	uint64_t slots = 1024;
	while (slots < 2 * (uint64_t)max)
		slots *= 2;
	ix->slot = mu_xcalloc(slots, sizeof *ix->slot);
	ix->mask = slots - 1;
	if (pthread_create(&ix->thread, NULL, build_main, ix) != 0) {
		codeindex_free(ix);
		return MU_EIO;
	}
	ix->started = true;
	places_codeindex_close();
	atomic_store_explicit(&codes_now, ix, memory_order_release);
	return 0;
}

void places_codeindex_close(void)
{
	codeindex_free(atomic_exchange(&codes_now, NULL));
}

bool places_codeindex_ready(int64_t *places)
{
	struct codeindex *ix = atomic_load_explicit(&codes_now, memory_order_acquire);
	bool ready = ix && atomic_load_explicit(&ix->ready, memory_order_acquire);
	if (places)
		*places = ready ? ix->places : 0;
	return ready;
}

bool places__codeindex_find(const struct db *d, const char *code, int64_t *id)
{
	const struct codeindex *ix = atomic_load_explicit(&codes_now, memory_order_acquire);
	if (!ix || !atomic_load_explicit(&ix->ready, memory_order_acquire) ||
	    strcmp(ix->path, db_path(d)) != 0)
		return false;
	size_t len = strlen(code);
	for (uint64_t i = hash_of(ix, code, len) & ix->mask; ix->slot[i]; i = (i + 1) & ix->mask) {
		const char *e = ix->text + ix->slot[i] - 1;
		if (!strcmp(e + sizeof(uint32_t), code)) {
			uint32_t id32;
			memcpy(&id32, e, sizeof id32);
			*id = id32;
			return true;
		}
	}
	return false;
}
