/* people.c: person records — validation, the loader that inserts and seals people and
 * keeps the people counts of the places tree, and reads by id, code, ID number and
 * subtree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/core.h"
#include "db/db.h"
#include "people.h"
#include "people_int.h"
#include "places/places.h"

/* ---- validation ---------------------------------------------------------------------- */

/* True when s (valid UTF-8) holds a C0 or C1 control character or DEL. */
static bool has_control(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return true;
		if (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
			return true;
	}
	return false;
}

int people_validate(const struct people_person *p, struct mu_why *why)
{
	const char *idn = p->id_number;
	size_t idlen = strnlen(idn, sizeof p->id_number);
	int64_t today = mu_now_unix() / 86400;

	if (!people_id_type_name(p->id_type))
		return mu_why_set(why, MU_EINVAL, "id_type",
				  "ID type must be resident_id, passport or other");
	if (idlen == 0)
		return mu_why_set(why, MU_EINVAL, "id_number", "ID number is required");
	if (idlen > PEOPLE_ID_MAX)
		return mu_why_set(why, MU_EINVAL, "id_number",
				  "ID number must be at most %d characters", PEOPLE_ID_MAX);
	for (size_t i = 0; i < idlen; i++)
		if (idn[i] < 0x20 || idn[i] > 0x7e)
			return mu_why_set(why, MU_EINVAL, "id_number",
					  "ID number must be printable ASCII characters");

	size_t nlen = strnlen(p->name, sizeof p->name);
	if (nlen == sizeof p->name || !mu_utf8_valid(p->name, nlen))
		return mu_why_set(why, MU_EINVAL, "name", "name is not valid UTF-8 text");
	size_t ncp = mu_utf8_len(p->name, nlen);
	if (ncp < 1 || ncp > PEOPLE_NAME_MAX)
		return mu_why_set(why, MU_EINVAL, "name",
				  "name must be 1 to %d characters (got %zu)", PEOPLE_NAME_MAX,
				  ncp);
	if (has_control(p->name, nlen))
		return mu_why_set(why, MU_EINVAL, "name",
				  "name must not contain control characters");
	uint32_t hidden = mu_utf8_invisible(p->name, nlen);
	if (hidden)
		return mu_why_set(why, MU_EINVAL, "name",
				  "name must not contain the invisible character U+%04X (bidi "
				  "controls and zero-width characters disguise a name)",
				  (unsigned)hidden);

	if (p->sex != PEOPLE_SEX_M && p->sex != PEOPLE_SEX_F)
		return mu_why_set(why, MU_EINVAL, "sex", "sex must be M or F");

	if (p->birth > today)
		return mu_why_set(why, MU_EINVAL, "birth_date", "birth date is in the future");
	if (p->birth < mu_date_to_days(1900, 1, 1))
		return mu_why_set(why, MU_EINVAL, "birth_date", "birth date is before 1900");

	size_t plen = strnlen(p->phone, sizeof p->phone);
	if (plen > PEOPLE_PHONE_MAX)
		return mu_why_set(why, MU_EINVAL, "phone", "phone must be at most %d characters",
				  PEOPLE_PHONE_MAX);
	for (size_t i = 0; i < plen; i++) {
		char c = p->phone[i];
		if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == ' '))
			return mu_why_set(why, MU_EINVAL, "phone",
					  "phone may contain only digits, '+', '-' and spaces");
	}

	if (p->id_type == PEOPLE_ID_RESIDENT) {
		int64_t birth;
		int sex;
		int rc = people_idcard_check(idn, why, &birth, &sex);
		if (rc != 0)
			return rc;
		if (birth != p->birth) {
			char a[11], b[11];
			mu_date_format(p->birth, a);
			mu_date_format(birth, b);
			return mu_why_set(why, MU_EINVAL, "birth_date",
					  "birth date %s does not match resident ID (%s)", a, b);
		}
		if (sex != p->sex)
			return mu_why_set(why, MU_EINVAL, "sex",
					  "sex %s does not match resident ID (%s)",
					  p->sex == PEOPLE_SEX_M ? "M" : "F",
					  sex == PEOPLE_SEX_M ? "male" : "female");
	}
	return 0;
}

/* ---- the loader ----------------------------------------------------------------------- */

/* Pending people counts: household id → delta, open addressing, 0 marks a free slot
 * (place ids start at 1). */
struct count_map {
	int64_t *keys, *vals;
	size_t cap, n;
};

/* Random bytes for nonces and codes, drawn from the system CSPRNG in blocks: one
 * syscall per hundred people rather than two per person. Bytes are wiped as taken. */
struct rand_pool {
	unsigned char buf[4096];
	size_t left;
};

struct people_loader {
	struct db *d;
	const struct people_keys *k;
	struct count_map counts;
	int64_t household_ok; /* the last household id found to be a household */
	struct rand_pool pool;
};

struct people_sealer {
	const struct people_keys *k;
	struct rand_pool pool;
};

static size_t slot_of(int64_t key, size_t cap)
{
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (cap - 1);
}

static void count_add(struct count_map *m, int64_t key, int64_t delta)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		int64_t *nk = mu_xcalloc(ncap, sizeof *nk), *nv = mu_xcalloc(ncap, sizeof *nv);
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = slot_of(m->keys[i], ncap);
			while (nk[j])
				j = (j + 1) & (ncap - 1);
			nk[j] = m->keys[i];
			nv[j] = m->vals[i];
		}
		free(m->keys);
		free(m->vals);
		m->keys = nk;
		m->vals = nv;
		m->cap = ncap;
	}
	size_t j = slot_of(key, m->cap);
	while (m->keys[j] && m->keys[j] != key)
		j = (j + 1) & (m->cap - 1);
	if (!m->keys[j]) {
		m->keys[j] = key;
		m->n++;
	}
	m->vals[j] += delta;
}

static void random_take(struct rand_pool *rp, unsigned char *out, size_t n)
{
	if (rp->left < n) {
		randombytes_buf(rp->buf, sizeof rp->buf);
		rp->left = sizeof rp->buf;
	}
	unsigned char *src = rp->buf + sizeof rp->buf - rp->left;
	memcpy(out, src, n);
	sodium_memzero(src, n);
	rp->left -= n;
}

struct people_loader *people_loader_new(struct db *d, const struct people_keys *k)
{
	people__sodium_init();
	struct people_loader *l = mu_xcalloc(1, sizeof *l);
	l->d = d;
	l->k = k;
	return l;
}

void people_loader_free(struct people_loader *l)
{
	if (!l)
		return;
	free(l->counts.keys);
	free(l->counts.vals);
	sodium_memzero(l, sizeof *l);
	free(l);
}

/* Copies p into out with its keyed ID hash, a fresh code secret and the sealed blob.
 * The hash is set even when sealing fails (MU_EINVAL: a field too long to store). */
static int seal(const struct people_keys *k, struct rand_pool *rp, const struct people_person *p,
		struct people_sealed *out)
{
	struct people_person canon = *p;
	unsigned char nonce[PEOPLE__NONCE_BYTES];
	int rc;

	if (&out->p != p)
		out->p = *p;
	people__id_canon(p->id_type, p->id_number, canon.id_number);
	people_id_hash(k, p->id_type, canon.id_number, out->id_hash);
	out->has_phone = people_phone_hash(k, p->phone, out->phone_hash) == 0;
	random_take(rp, nonce, sizeof nonce);
	random_take(rp, out->secret, sizeof out->secret);
	out->blob_len = 0;
	rc = people__seal(k, out->id_hash, nonce, &canon, out->blob, &out->blob_len);
	sodium_memzero(&canon, sizeof canon);
	return rc;
}

struct people_sealer *people_sealer_new(const struct people_keys *k)
{
	people__sodium_init();
	struct people_sealer *s = mu_xcalloc(1, sizeof *s);
	s->k = k;
	return s;
}

int people_sealer_seal(struct people_sealer *s, const struct people_person *p,
		       struct people_sealed *out)
{
	return seal(s->k, &s->pool, p, out);
}

void people_sealer_free(struct people_sealer *s)
{
	if (!s)
		return;
	sodium_memzero(s, sizeof *s);
	free(s);
}

static const char sql_insert[] =
    "INSERT INTO people(household_id, id_type, id_hash, code_secret, sex, birth, party, sealed, "
    "phone_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* Inserts a sealed person; its personal code follows from the new row id. A clash on
 * id_hash is the same person recorded twice. */
static int insert(struct people_loader *l, struct people_sealed *ps, struct mu_why *why)
{
	const struct people_person *p = &ps->p;
	struct db_stmt *st = NULL;
	int rc = db_prepare(l->d, sql_insert, &st);
	if (rc != 0)
		return rc;
	db_bind_i64(st, 1, p->household_id);
	db_bind_i64(st, 2, p->id_type);
	db_bind_blob(st, 3, ps->id_hash, PEOPLE_HASH_BYTES);
	db_bind_blob(st, 4, ps->secret, PEOPLE_CODE_SECRET_BYTES);
	db_bind_i64(st, 5, p->sex);
	db_bind_i64(st, 6, p->birth);
	db_bind_i64(st, 7, p->party ? 1 : 0);
	db_bind_blob(st, 8, ps->blob, (int)ps->blob_len);
	/* No number to index: an empty index entry (not NULL, which means "not yet
	 * indexed" to people_phone_index_fill). */
	db_bind_blob(st, 9, ps->phone_hash, ps->has_phone ? PEOPLE_HASH_BYTES : 0);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc == DB_DONE) {
		ps->p.id = db_last_insert_id(l->d);
		count_add(&l->counts, p->household_id, 1);
		rc = 0;
	} else if (rc == MU_EEXIST) {
		mu_why_set(why, rc, "id_number", "ID number already recorded");
	}
	return rc;
}

/* Seals p with the loader's pool and inserts it; sets p->id. */
static int seal_insert(struct people_loader *l, struct people_person *p, struct mu_why *why)
{
	struct people_sealed ps;
	int rc = seal(l->k, &l->pool, p, &ps);
	if (rc != 0) {
		mu_why_set(why, rc, NULL, "a field is too long to store");
	} else if ((rc = insert(l, &ps, why)) == 0) {
		p->id = ps.p.id;
	}
	sodium_memzero(&ps, sizeof ps);
	return rc;
}

/* 0 when household_id is a household; imports come grouped by household, so the last
 * one found is remembered. MU_ENOTFOUND with why set, or a database error. */
static int household_check(struct people_loader *l, int64_t household_id, struct mu_why *why)
{
	struct places_node n;
	int rc;

	if (household_id > 0 && household_id == l->household_ok)
		return 0;
	rc = places_get(l->d, household_id, &n);
	if (rc == 0 && n.level != PLACES_HOUSEHOLD)
		rc = MU_ENOTFOUND;
	if (rc == MU_ENOTFOUND)
		mu_why_set(why, rc, "household", "household %lld is not a household",
			   (long long)household_id);
	if (rc == 0)
		l->household_ok = household_id;
	return rc;
}

int people_loader_add(struct people_loader *l, struct people_person *p, struct mu_why *why)
{
	int rc = people_validate(p, why);
	if (rc == 0)
		rc = household_check(l, p->household_id, why);
	if (rc == 0)
		rc = seal_insert(l, p, why);
	return rc;
}

int people_loader_add_sealed(struct people_loader *l, struct people_sealed *ps, struct mu_why *why)
{
	int rc = household_check(l, ps->p.household_id, why);
	if (rc == 0)
		rc = insert(l, ps, why);
	return rc;
}

int people_loader_add_trusted(struct people_loader *l, struct people_person *p)
{
	return seal_insert(l, p, NULL);
}

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];
	return (x > y) - (x < y);
}

int people_loader_finish(struct people_loader *l)
{
	struct count_map *m = &l->counts;
	if (m->n == 0)
		return 0;
	/* (id, delta) pairs in id order: the tree is read near where it was last read. */
	int64_t *pairs = mu_xmalloc(m->n * 2 * sizeof *pairs);
	size_t n = 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] && m->vals[i] != 0) {
			pairs[2 * n] = m->keys[i];
			pairs[2 * n + 1] = m->vals[i];
			n++;
		}
	qsort(pairs, n, 2 * sizeof *pairs, by_id);
	int64_t *ids = mu_xmalloc((n ? n : 1) * sizeof *ids),
		*deltas = mu_xmalloc((n ? n : 1) * sizeof *deltas);
	for (size_t i = 0; i < n; i++) {
		ids[i] = pairs[2 * i];
		deltas[i] = pairs[2 * i + 1];
	}
	free(pairs);
	int rc = places_people_add_many(l->d, ids, deltas, n);
	/* Written: a second finish must not count them again. */
	if (rc == 0)
		for (size_t i = 0; i < m->cap; i++)
			m->vals[i] = 0;
	free(ids);
	free(deltas);
	return rc;
}

int people_add(struct db *d, const struct people_keys *k, struct people_person *p,
	       struct mu_why *why)
{
	struct people_loader *l = people_loader_new(d, k);
	int rc = db_tx_begin(d);
	if (rc != 0)
		goto out;
	rc = people_loader_add(l, p, why);
	if (rc == 0)
		rc = people_loader_finish(l);
	if (rc == 0) {
		/* The code follows from the row: read it back as any reader would. */
		struct people_person back;
		if ((rc = people_get(d, k, p->id, &back)) == 0)
			memcpy(p->code, back.code, PEOPLE_CODE_BYTES);
		sodium_memzero(&back, sizeof back);
	}
	if (rc == 0)
		rc = db_tx_commit(d);
	else
		db_tx_rollback(d);
out:
	people_loader_free(l);
	return rc;
}

/* ---- reads ---------------------------------------------------------------------------- */

#define PERSON_COLS                                                                                \
	"p.id, p.household_id, p.id_type, p.id_hash, p.code_secret, p.sex, p.birth, "              \
	"p.party, p.sealed"

/* Fills out from a row of PERSON_COLS, opening the sealed fields. */
/* code, when not NULL, is the personal code the caller looked the row up by, and secret
 * the secret it opened to: the row must hold that secret (MU_ENOTFOUND otherwise, before
 * anything is unsealed), and the code need not be computed again. */
static int read_row_as(struct db_stmt *st, const struct people_keys *k, const unsigned char *code,
		       const unsigned char *secret, struct people_person *out)
{
	memset(out, 0, sizeof *out);
	out->id = db_col_i64(st, 0);
	out->household_id = db_col_i64(st, 1);
	out->id_type = (int)db_col_i64(st, 2);
	if (db_col_bytes(st, 3) != PEOPLE_HASH_BYTES ||
	    db_col_bytes(st, 4) != PEOPLE_CODE_SECRET_BYTES || out->id <= 0)
		return MU_ECRYPTO;
	unsigned char hash[PEOPLE_HASH_BYTES];
	memcpy(hash, db_col_blob(st, 3), PEOPLE_HASH_BYTES);
	if (code) {
		if (sodium_memcmp(db_col_blob(st, 4), secret, PEOPLE_CODE_SECRET_BYTES) != 0)
			return MU_ENOTFOUND;
		memcpy(out->code, code, PEOPLE_CODE_BYTES);
	} else {
		people_code_make(k, out->id, db_col_blob(st, 4), out->code);
	}
	out->sex = (int)db_col_i64(st, 5);
	out->birth = db_col_i64(st, 6);
	out->party = db_col_i64(st, 7) != 0;
	int n = db_col_bytes(st, 8);
	const unsigned char *blob = db_col_blob(st, 8);
	if (n <= 0 || !blob)
		return MU_ECRYPTO;
	return people__unseal(k, hash, blob, (size_t)n, out);
}

static int read_row(struct db_stmt *st, const struct people_keys *k, struct people_person *out)
{
	return read_row_as(st, k, NULL, NULL, out);
}

/* Runs sql (PERSON_COLS, one blob or integer key) and reads its one row. */
static int get_one(struct db *d, const char *sql, const struct people_keys *k, const void *key,
		   int keylen, int64_t ikey, struct people_person *out)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(d, sql, &st);
	if (rc != 0)
		return rc;
	if (key)
		db_bind_blob(st, 1, key, keylen);
	else
		db_bind_i64(st, 1, ikey);
	rc = db_step(st);
	if (rc == DB_ROW)
		rc = read_row(st, k, out);
	else if (rc == DB_DONE)
		rc = MU_ENOTFOUND;
	db_stmt_done(st);
	return rc;
}

static const char sql_get[] = "SELECT " PERSON_COLS " FROM people p WHERE p.id = ?";
static const char sql_by_hash[] = "SELECT " PERSON_COLS " FROM people p WHERE p.id_hash = ?";

int people_get(struct db *d, const struct people_keys *k, int64_t id, struct people_person *out)
{
	return get_one(d, sql_get, k, NULL, 0, id, out);
}

int people_find_code(struct db *d, const struct people_keys *k,
		     const unsigned char code[PEOPLE_CODE_BYTES], struct people_person *out)
{
	int64_t id;
	unsigned char secret[PEOPLE_CODE_SECRET_BYTES];
	people_code_open(k, code, &id, secret);
	/* Any 16 bytes open to some id: the code is genuine only when that row exists and
	 * holds the same secret (compared in constant time). Ids beyond 2^40 cannot exist. */
	struct db_stmt *st = NULL;
	int rc = db_prepare(d, sql_get, &st);
	if (rc != 0)
		goto out;
	db_bind_i64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		rc = read_row_as(st, k, code, secret, out);
	else if (rc == DB_DONE)
		rc = MU_ENOTFOUND;
	db_stmt_done(st);
	if (rc != 0)
		sodium_memzero(out, sizeof *out);
out:
	sodium_memzero(secret, sizeof secret);
	return rc;
}

int people_find_id(struct db *d, const struct people_keys *k, int id_type, const char *id_number,
		   struct people_person *out)
{
	unsigned char hash[PEOPLE_HASH_BYTES];
	people_id_hash(k, id_type, id_number, hash);
	return get_one(d, sql_by_hash, k, hash, PEOPLE_HASH_BYTES, 0, out);
}

static const char sql_by_phone[] = "SELECT id FROM people WHERE phone_hash = ? ORDER BY id";

int people_find_phone(struct db *d, const struct people_keys *k, const char *phone, int64_t *ids,
		      size_t max, size_t *n)
{
	unsigned char hash[PEOPLE_HASH_BYTES];
	struct db_stmt *st = NULL;
	int rc;
	*n = 0;
	if ((rc = people_phone_hash(k, phone, hash)))
		return rc;
	if ((rc = db_prepare(d, sql_by_phone, &st)))
		return rc;
	db_bind_blob(st, 1, hash, PEOPLE_HASH_BYTES);
	while (*n < max && (rc = db_step(st)) == DB_ROW)
		ids[(*n)++] = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

#define FILL_CHUNK 256 /* people indexed per transaction */

static const char sql_unindexed[] =
    "SELECT " PERSON_COLS " FROM people p "
    "WHERE p.phone_hash IS NULL AND p.id > ? ORDER BY p.id LIMIT 256";
static const char sql_set_phone[] = "UPDATE people SET phone_hash = ? WHERE id = ?";

int people_phone_index_fill(struct db *d, const struct people_keys *k, int64_t *filled)
{
	int64_t ids[FILL_CHUNK], after = 0;
	unsigned char(*hash)[PEOPLE_HASH_BYTES] = mu_xmalloc(FILL_CHUNK * sizeof *hash);
	bool has[FILL_CHUNK];
	struct people_person p;
	struct db_stmt *st = NULL;
	int n, rc;
	*filled = 0;
	do {
		if ((rc = db_tx_begin(d)))
			break;
		/* Read a chunk, then write it: no cursor stays open over the updates. */
		n = 0;
		if ((rc = db_prepare(d, sql_unindexed, &st)) == 0) {
			db_bind_i64(st, 1, after);
			while (n < FILL_CHUNK && (rc = db_step(st)) == DB_ROW) {
				if ((rc = read_row(st, k, &p)))
					break;
				ids[n] = p.id;
				has[n] = people_phone_hash(k, p.phone, hash[n]) == 0;
				n++;
			}
			db_stmt_done(st);
			if (rc == DB_ROW || rc == DB_DONE)
				rc = 0;
		}
		for (int i = 0; i < n && rc == 0; i++) {
			if ((rc = db_prepare(d, sql_set_phone, &st)))
				break;
			db_bind_blob(st, 1, hash[i], has[i] ? PEOPLE_HASH_BYTES : 0);
			db_bind_i64(st, 2, ids[i]);
			rc = db_step(st);
			db_stmt_done(st);
			rc = rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
		}
		if (rc == 0 && (rc = db_tx_commit(d)) == 0) {
			*filled += n;
			if (n)
				after = ids[n - 1];
		} else {
			db_tx_rollback(d);
		}
	} while (rc == 0 && n == FILL_CHUNK);
	sodium_memzero(&p, sizeof p);
	sodium_memzero(hash, FILL_CHUNK * sizeof *hash);
	free(hash);
	return rc;
}

/* One household's people in id order: people_walk runs it for each household that
 * places_level_walk gives, which is how the subtree's join ran it (an index seek on
 * people_household per household). */
static const char sql_of_household[] =
    "SELECT " PERSON_COLS " FROM people p WHERE p.household_id = ? ORDER BY p.id";

struct walk {
	struct db *d;
	const struct people_keys *k;
	int (*fn)(const struct people_person *p, void *ctx);
	void *ctx;
	struct people_person person;
};

static int walk_household(const struct places_ref *h, void *ctx)
{
	struct walk *w = ctx;
	struct db_stmt *st = NULL;
	int rc = db_prepare(w->d, sql_of_household, &st);
	if (rc != 0)
		return rc;
	db_bind_i64(st, 1, h->id);
	while ((rc = db_step(st)) == DB_ROW) {
		if ((rc = read_row(st, w->k, &w->person)) != 0)
			break;
		if ((rc = w->fn(&w->person, w->ctx)) != 0)
			break;
	}
	db_stmt_done(st);
	return rc;
}

int people_walk(struct db *d, const struct people_keys *k, int64_t place,
		int (*fn)(const struct people_person *p, void *ctx), void *ctx)
{
	struct walk w = {.d = d, .k = k, .fn = fn, .ctx = ctx};
	int rc = places_level_walk(d, place, PLACES_HOUSEHOLD, walk_household, &w);
	sodium_memzero(&w.person, sizeof w.person);
	return rc;
}

/* ---- who lives where: what other capabilities ask of the people table ---------------- */

static const char sql_household_of[] = "SELECT household_id FROM people WHERE id = ?";

int people_household_of(struct db *d, int64_t person, int64_t *household)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(d, sql_household_of, &st);
	if (rc != 0)
		return rc;
	db_bind_i64(st, 1, person);
	rc = db_step(st);
	*household = rc == DB_ROW ? db_col_i64(st, 0) : 0;
	db_stmt_done(st);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? MU_ENOTFOUND : rc;
}

int people_households_of(struct db *d, const int64_t *persons, size_t n, int64_t *households)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(d, sql_household_of, &st);
	if (rc != 0)
		return rc;
	/* One statement, reset between ids: the same primary-key seek per person that a
	 * join on people did, without a statement's preparation each. */
	for (size_t i = 0; i < n; i++) {
		db_bind_i64(st, 1, persons[i]);
		rc = db_step(st);
		households[i] = rc == DB_ROW ? db_col_i64(st, 0) : 0;
		db_stmt_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static const char sql_max_id[] = "SELECT coalesce(max(id), 0) FROM people";

int people_max_id(struct db *d, int64_t *max_id)
{
	return db_query_i64(d, sql_max_id, max_id);
}

static const char sql_members[] =
    "SELECT id FROM people WHERE household_id = ?1 AND id > ?2 ORDER BY id";

int people_household_members(struct db *d, int64_t household, int64_t after_id,
			     int (*fn)(int64_t person, void *ctx), void *ctx)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(d, sql_members, &st);
	if (rc != 0)
		return rc;
	db_bind_i64(st, 1, household);
	db_bind_i64(st, 2, after_id);
	while ((rc = db_step(st)) == DB_ROW)
		if ((rc = fn(db_col_i64(st, 0), ctx)) != 0)
			break;
	db_stmt_done(st);
	return rc == DB_DONE ? 0 : rc;
}

static const char sql_code_row[] = "SELECT household_id, code_secret FROM people WHERE id = ?";

/* The person a personal code names, checked as people_find_code checks it (the row must
 * hold the secret the code opens to) but without unsealing the row. */
static int resolve_code(struct db *d, const struct people_keys *k,
			const unsigned char raw[PEOPLE_CODE_BYTES], int64_t *id, int64_t *household)
{
	unsigned char secret[PEOPLE_CODE_SECRET_BYTES];
	struct db_stmt *st = NULL;
	people_code_open(k, raw, id, secret);
	int rc = db_prepare(d, sql_code_row, &st);
	if (rc != 0)
		goto out;
	db_bind_i64(st, 1, *id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		if (*id <= 0 || db_col_bytes(st, 1) != PEOPLE_CODE_SECRET_BYTES)
			rc = MU_ECRYPTO;
		else if (sodium_memcmp(db_col_blob(st, 1), secret, PEOPLE_CODE_SECRET_BYTES) != 0)
			rc = MU_ENOTFOUND;
		else
			rc = 0;
		*household = db_col_i64(st, 0);
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(st);
out:
	sodium_memzero(secret, sizeof secret);
	return rc;
}

int people_resolve(struct db *d, const struct people_keys *k, const char *text, int64_t *id,
		   int64_t *household)
{
	unsigned char raw[PEOPLE_CODE_BYTES];
	struct people_person p;
	int rc;
	*id = *household = 0;
	if (strlen(text) >= PEOPLE_CODE_LEN && people_code_parse(text, raw) == 0)
		return resolve_code(d, k, raw, id, household);
	if (people_idcard_check(text, NULL, NULL, NULL) == 0) {
		rc = people_find_id(d, k, PEOPLE_ID_RESIDENT, text, &p);
	} else {
		rc = people_find_id(d, k, PEOPLE_ID_PASSPORT, text, &p);
		if (rc == MU_ENOTFOUND)
			rc = people_find_id(d, k, PEOPLE_ID_OTHER, text, &p);
	}
	if (rc == 0) {
		*id = p.id;
		*household = p.household_id;
	}
	sodium_memzero(&p, sizeof p);
	return rc;
}

static const char sql_counts[] =
    "SELECT household_id, COUNT(*) FROM people GROUP BY household_id ORDER BY household_id";

int people_counts_rebuild(struct db *d)
{
	struct db_stmt *st = NULL;
	int64_t *hh = NULL, *n = NULL;
	size_t len = 0, cap = 0;
	int rc = db_prepare(d, sql_counts, &st);
	if (rc != 0)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			hh = mu_xrealloc(hh, cap * sizeof *hh);
			n = mu_xrealloc(n, cap * sizeof *n);
		}
		hh[len] = db_col_i64(st, 0);
		n[len++] = db_col_i64(st, 1);
	}
	db_stmt_done(st);
	if (rc == DB_DONE)
		rc = places_counts_rebuild(d, hh, n, len);
	free(hh);
	free(n);
	return rc;
}
