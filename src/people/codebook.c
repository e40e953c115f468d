/* codebook.c: what a checkpoint may see of each person — the code's secret and the
 * masked name — in memory, by row id, so that a code lookup reads no page of the
 * people table. Built from the database by a thread of its own at start-up; rows are
 * never updated, so an entry once filled stays true. Also the name and phone masks. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include <sodium.h>

#include "core/core.h"
#include "db/db.h"
#include "people.h"
#include "people_int.h"

/* ---- the mask ---------------------------------------------------------------------------- */

void people_mask_of(const char *name, struct people_mask *m)
{
	size_t len = strlen(name), cps = mu_utf8_len(name, len);
	memset(m, 0, sizeof *m);
	if (cps >= 2) {
		size_t end = 1;
		while (end < len && end < sizeof m->first &&
		       ((unsigned char)name[end] & 0xC0) == 0x80)
			end++;
		memcpy(m->first, name, end);
		m->first_len = (unsigned char)end;
	}
	if (cps >= 3) {
		size_t start = len - 1;
		while (start > 0 && len - start < sizeof m->last &&
		       ((unsigned char)name[start] & 0xC0) == 0x80)
			start--;
		memcpy(m->last, name + start, len - start);
		m->last_len = (unsigned char)(len - start);
	}
	size_t stars = cps == 0 ? 0 : cps <= 2 ? 1 : cps - 2;
	if (stars > PEOPLE_NAME_MAX) /* names are validated to fewer code points than this */
		stars = PEOPLE_NAME_MAX;
	m->stars = (unsigned char)stars;
}

size_t people_mask_text(const struct people_mask *m, char out[PEOPLE_MASK_MAX + 1])
{
	size_t n = 0;
	memcpy(out, m->first, m->first_len);
	n += m->first_len;
	memset(out + n, '*', m->stars);
	n += m->stars;
	memcpy(out + n, m->last, m->last_len);
	n += m->last_len;
	out[n] = '\0';
	return n;
}

void people_phone_mask(const char *phone, char out[PEOPLE_PHONE_MAX + 1])
{
	size_t len = strnlen(phone, PEOPLE_PHONE_MAX), digits = 0, seen = 0;
	for (size_t i = 0; i < len; i++)
		digits += phone[i] >= '0' && phone[i] <= '9';
	size_t head = digits >= 11 ? 3 : 0, tail = digits >= 11 ? 4 : digits / 4;
	for (size_t i = 0; i < len; i++) {
		bool digit = phone[i] >= '0' && phone[i] <= '9';
		out[i] = !digit || seen < head || seen >= digits - tail ? phone[i] : '*';
		seen += digit;
	}
	out[len] = '\0';
}

/* ---- the codebook ------------------------------------------------------------------------- */

/* One person in 24 bytes: the whole city (18.7 M) takes ~430 MiB. */
struct entry {
	unsigned char secret[PEOPLE_CODE_SECRET_BYTES];
	unsigned char filled;
	struct people_mask mask;
	unsigned char reasons; /* health-code reason bits, set by control only */
};
_Static_assert(sizeof(struct entry) <= 24, "a codebook entry grew");

struct people_codebook {
	struct entry *e; /* e[id - 1], within map; left out of core dumps */
	char *map;
	size_t map_len;
	size_t cap; /* entries mapped */
	/* Entries of ids ≤ upto are final: written before upto was published (release). */
	atomic_int_fast64_t upto;
	atomic_bool stop, done;
	double seconds;
	int64_t people;
	int rc; /* the build's result, read after done */
	char *db_path;
	struct people_keys keys;
	pthread_t thread;
	bool started;
};

static const char sql_max[] = "SELECT coalesce(max(id), 0) FROM people";
static const char sql_chunk[] =
    "SELECT id, id_hash, code_secret, sealed FROM people WHERE id > ? ORDER BY id LIMIT ?";

#define HUGE_PAGE ((size_t)2 << 20)
#define CHUNK	  65536 /* rows read per statement: each chunk is its own short read snapshot */

/* Fills the entries of one chunk of rows after `after`; *last is the last id read (or
 * after when none). */
static int fill_chunk(struct people_codebook *cb, struct db *d, int64_t after, int64_t *last)
{
	struct db_stmt *st = NULL;
	struct people_person p;
	int rc = db_prepare(d, sql_chunk, &st);
	*last = after;
	if (rc != 0)
		return rc;
	db_bind_i64(st, 1, after);
	db_bind_i64(st, 2, CHUNK);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t id = db_col_i64(st, 0);
		if (id < 1 || (uint64_t)id > cb->cap)
			break; /* beyond the map: lookups of these ids read the row */
		*last = id;
		int n = db_col_bytes(st, 3);
		if (db_col_bytes(st, 1) != PEOPLE_HASH_BYTES ||
		    db_col_bytes(st, 2) != PEOPLE_CODE_SECRET_BYTES || n <= 0)
			continue; /* not fillable: such a row is read (and refused) as before */
		memset(&p, 0, sizeof p);
		if (people__unseal(&cb->keys, db_col_blob(st, 1), db_col_blob(st, 3), (size_t)n,
				   &p) != 0)
			continue;
		struct entry *e = &cb->e[id - 1];
		memcpy(e->secret, db_col_blob(st, 2), PEOPLE_CODE_SECRET_BYTES);
		people_mask_of(p.name, &e->mask);
		e->filled = 1;
		cb->people++;
	}
	sodium_memzero(&p, sizeof p);
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static void *build_main(void *arg)
{
	struct people_codebook *cb = arg;
	struct db *d = NULL;
	double t0 = mu_now_mono();
	int64_t after = 0, last;
	int rc = db_open(cb->db_path, DB_OPEN_READONLY, &d);
	while (rc == 0 && !atomic_load(&cb->stop)) {
		if ((rc = fill_chunk(cb, d, after, &last)) != 0 || last == after)
			break;
		after = last;
		atomic_store_explicit(&cb->upto, after, memory_order_release);
	}
	db_close(d);
	cb->seconds = mu_now_mono() - t0;
	cb->rc = rc;
	if (rc != 0)
		mu_warn("people: codebook stopped at id %lld: %s (lookups read the rows)",
			(long long)after, mu_err_msg(rc));
	else if (!atomic_load(&cb->stop))
		mu_info("people: codebook of %lld people in %.1f s", (long long)cb->people,
			cb->seconds);
	atomic_store(&cb->done, true);
	return NULL;
}

int people_codebook_start(const char *db_path, const struct people_keys *k,
			  struct people_codebook **out)
{
	struct db *d = NULL;
	int64_t max = 0;
	*out = NULL;
	int rc = db_open(db_path, DB_OPEN_READONLY, &d);
	if (rc == 0)
		rc = db_query_i64(d, sql_max, &max);
	db_close(d);
	if (rc != 0)
		return rc;
	struct people_codebook *cb = mu_xcalloc(1, sizeof *cb);
	/* Room for the people there are and a fifth more: people added later by this or
	 * another process have ids past those read and are found by reading their row. */
	size_t cap = (size_t)max + (size_t)max / 5 + 1024;
	if (cap > PEOPLE_CODEBOOK_MAX)
		cap = PEOPLE_CODEBOOK_MAX;
	/* On a 2 MiB boundary, with huge pages asked for: a lookup touches one random entry
	 * of ~400 MiB, and with 4 KiB pages that is also a TLB miss and a page walk. */
	size_t len = cap * sizeof(struct entry) + HUGE_PAGE;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		free(cb);
		return MU_EIO;
	}
	char *e = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	madvise(m, len, MADV_DONTDUMP);
	madvise(e, len - (size_t)(e - m), MADV_HUGEPAGE);
	cb->map = m;
	cb->map_len = len;
	cb->e = (struct entry *)e;
	cb->cap = cap;
	cb->db_path = mu_xstrdup(db_path);
	cb->keys = *k;
	if (pthread_create(&cb->thread, NULL, build_main, cb) != 0) {
		people_codebook_free(cb);
		return MU_EIO;
	}
	cb->started = true;
	*out = cb;
	return 0;
}

bool people_codebook_find(const struct people_codebook *cb, int64_t id,
			  const unsigned char secret[PEOPLE_CODE_SECRET_BYTES], bool *genuine,
			  struct people_mask *m)
{
	*genuine = false;
	if (!cb || id < 1 || id > atomic_load_explicit(&cb->upto, memory_order_acquire))
		return false;
	const struct entry *e = &cb->e[id - 1];
	if (!e->filled)
		return false;
	*genuine = sodium_memcmp(e->secret, secret, PEOPLE_CODE_SECRET_BYTES) == 0;
	if (*genuine)
		*m = e->mask;
	return true;
}

bool people_codebook_ready(const struct people_codebook *cb, int64_t *people)
{
	if (!cb)
		return false;
	bool done = atomic_load(&cb->done);
	if (people)
		*people = done ? cb->people : 0;
	return done && cb->rc == 0;
}

void people_codebook_free(struct people_codebook *cb)
{
	if (!cb)
		return;
	atomic_store(&cb->stop, true);
	if (cb->started)
		pthread_join(cb->thread, NULL);
	munmap(cb->map, cb->map_len);
	sodium_memzero(&cb->keys, sizeof cb->keys);
	free(cb->db_path);
	free(cb);
}

/* ---- health-code reasons ------------------------------------------------------------------ */

static const char *const reason_codes[PEOPLE_REASONS_N] = {
    "case",	     "close_contact",	 "secondary_contact", "sealed_zone", "home_monitoring",
    "pool_positive", "missed_plan_test", "missed_round_test"};
static const char *const reason_texts[PEOPLE_REASONS_N] = {
    "a confirmed or asymptomatic case not yet discharged",
    "a close contact in quarantine",
    "a secondary contact in quarantine",
    "home quarantine in a sealed zone",
    "home health monitoring after quarantine",
    "a pool-positive awaiting the re-swab",
    "a test of their plan was missed",
    "a round over their zone was missed"};

const char *people_reason_code(int b)
{
	return b >= 0 && b < PEOPLE_REASONS_N ? reason_codes[b] : NULL;
}

const char *people_reason_text(int b)
{
	return b >= 0 && b < PEOPLE_REASONS_N ? reason_texts[b] : NULL;
}

unsigned people_reasons_parse(const char *csv)
{
	unsigned bits = 0;
	while (csv && *csv) {
		size_t n = strcspn(csv, ",");
		for (int b = 0; b < PEOPLE_REASONS_N; b++)
			if (strlen(reason_codes[b]) == n && memcmp(csv, reason_codes[b], n) == 0)
				bits |= 1u << b;
		csv += n + (csv[n] == ',');
	}
	return bits;
}

const char *people_reasons_colour(unsigned reasons)
{
	return reasons & PEOPLE_REASONS_RED	 ? "red"
	       : reasons & PEOPLE_REASONS_YELLOW ? "yellow"
						 : "green";
}

bool people_codebook_reasons_set(struct people_codebook *cb, int64_t id, unsigned reasons)
{
	if (!cb || id < 1 || (uint64_t)id > cb->cap)
		return false;
	__atomic_store_n(&cb->e[id - 1].reasons, (unsigned char)reasons, __ATOMIC_RELAXED);
	return true;
}

bool people_codebook_reasons(const struct people_codebook *cb, int64_t id, unsigned *reasons)
{
	if (!cb || id < 1 || (uint64_t)id > cb->cap)
		return false;
	*reasons = __atomic_load_n(&cb->e[id - 1].reasons, __ATOMIC_RELAXED);
	return true;
}
