/* rollcall.c: the roll-call (应检尽检) — who in a subtree has neither a sample in the
 * round nor an exemption, household by household in the order one walks the place:
 * compound, building by name, household by name ("1栋", then 101, 102, 201, 1001). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening.h"
#include "screening_int.h"

static const char sql_sampled[] =
    "SELECT 1 FROM samples WHERE round_id = ? AND person_id = ? LIMIT 1";
static const char sql_exempt[] =
    "SELECT 1 FROM exemptions WHERE person_id = ?1 AND (round_id IS NULL OR round_id = ?2)"
    " LIMIT 1";

/* 1 when the one-row query (a, b) finds a row, 0 when not, or an error. */
static int exists2(struct db *d, const char *sql, int64_t a, int64_t b)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, a);
	db_bind_i64(s, 2, b);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

/* 1 when person has neither a sample in round_id nor an exemption, 0 when they have
 * one, or an error. */
static int missing_db(struct db *d, int64_t round_id, int64_t person)
{
	int rc = exists2(d, sql_sampled, round_id, person);
	if (rc == 0)
		rc = exists2(d, sql_exempt, person, round_id);
	return rc < 0 ? rc : !rc;
}

static int parse_cursor(const char *cursor, int64_t *hh, int64_t *person)
{
	*hh = *person = 0;
	if (!cursor || !*cursor)
		return 0;
	char a[24], b[24];
	const char *colon = strchr(cursor, ':');
	if (!colon || colon - cursor >= (ptrdiff_t)sizeof a || strlen(colon + 1) >= sizeof b)
		return MU_EINVAL;
	memcpy(a, cursor, (size_t)(colon - cursor));
	a[colon - cursor] = '\0';
	snprintf(b, sizeof b, "%s", colon + 1);
	if (mu_parse_i64(a, hh) || mu_parse_i64(b, person) || *hh <= 0 || *person <= 0)
		return MU_EINVAL;
	return 0;
}

int screening_name_cmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
	while (*p && *q) {
		if (DIGIT(*p) && DIGIT(*q)) {
			while (*p == '0' && DIGIT(p[1]))
				p++;
			while (*q == '0' && DIGIT(q[1]))
				q++;
			size_t lp = 0, lq = 0;
			while (DIGIT(p[lp]))
				lp++;
			while (DIGIT(q[lq]))
				lq++;
			if (lp != lq)
				return lp < lq ? -1 : 1;
			int c = memcmp(p, q, lp);
			if (c)
				return c;
			p += lp;
			q += lq;
			continue;
		}
		if (*p != *q)
			return *p < *q ? -1 : 1;
		p++;
		q++;
	}
#undef DIGIT
	if (*p || *q)
		return *p ? 1 : -1;
	return strcmp(a, b);
}

/* The places of a walk: compounds in the tree's code order (their index is their rank),
 * buildings and households with their names, the household's building by index. */
struct compound {
	int64_t id;
	char code[PLACES_CODE_MAX + 1], name[PLACES_NAME_MAX * 4 + 1];
};
struct building {
	int64_t id;
	size_t compound;
	char code[PLACES_CODE_MAX + 1], name[PLACES_NAME_MAX * 4 + 1];
};
struct household {
	int64_t id;
	size_t building;
	const struct building *b; /* set once the walk is over (the array no longer moves) */
	char code[PLACES_CODE_MAX + 1], name[PLACES_NAME_MAX * 4 + 1];
};

struct walk {
	struct db *d;
	struct compound *c;
	struct building *b;
	struct household *h;
	size_t nc, nb, nh, capc, capb, caph;
};

#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 16;                                              \
			(arr) = mu_xrealloc((arr), (cap) * sizeof *(arr));                         \
		}                                                                                  \
	} while (0)

/* One household of the walk, with its building and compound when they are new: the
 * walk goes depth first, so a building's households come together. */
static int walk_household(const struct places_ref *ref, void *ctx)
{
	struct walk *w = ctx;
	struct places_node node;
	int rc;
	if (!w->nb || w->b[w->nb - 1].id != ref->parent_id) {
		if ((rc = places_get(w->d, ref->parent_id, &node)))
			return rc;
		if (!w->nc || w->c[w->nc - 1].id != node.parent_id) {
			struct places_node cn;
			if ((rc = places_get(w->d, node.parent_id, &cn)))
				return rc;
			GROW(w->c, w->nc, w->capc);
			struct compound *c = &w->c[w->nc++];
			c->id = cn.id;
			snprintf(c->code, sizeof c->code, "%s", cn.code);
			snprintf(c->name, sizeof c->name, "%s", cn.name);
		}
		GROW(w->b, w->nb, w->capb);
		struct building *b = &w->b[w->nb++];
		b->id = node.id;
		b->compound = w->nc - 1;
		snprintf(b->code, sizeof b->code, "%s", node.code);
		snprintf(b->name, sizeof b->name, "%s", node.name);
	}
	if ((rc = places_get(w->d, ref->id, &node)))
		return rc;
	GROW(w->h, w->nh, w->caph);
	struct household *h = &w->h[w->nh++];
	h->id = ref->id;
	h->building = w->nb - 1;
	snprintf(h->code, sizeof h->code, "%s", ref->code);
	snprintf(h->name, sizeof h->name, "%s", node.name);
	return 0;
}

/* Door-to-door order: compound rank, building name, building, household name, household. */
static int household_cmp(const void *x, const void *y)
{
	const struct household *a = x, *b = y;
	int c;
	if (a->b->compound != b->b->compound)
		return a->b->compound < b->b->compound ? -1 : 1;
	if (a->b != b->b) {
		if ((c = screening_name_cmp(a->b->name, b->b->name)))
			return c;
		return a->b->id < b->b->id ? -1 : 1;
	}
	if ((c = screening_name_cmp(a->name, b->name)))
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The people of one household, by id. */
struct ids {
	int64_t *v;
	size_t n, cap;
};

static int collect_person(int64_t id, void *ctx)
{
	struct ids *l = ctx;
	GROW(l->v, l->n, l->cap);
	l->v[l->n++] = id;
	return 0;
}

int screening_missing_list(struct db *d, const struct people_keys *k, int64_t round_id,
			   int64_t place_id, const char *cursor, struct screening_missing *out,
			   size_t limit, size_t *n, char *next)
{
	struct places_node node;
	struct walk w = {.d = d};
	struct ids people = {0};
	int64_t after_hh, after_person;
	size_t first = 0;
	bool more = false;
	*n = 0;
	next[0] = '\0';
	int rc = parse_cursor(cursor, &after_hh, &after_person);
	if (rc || (rc = places_get(d, place_id, &node)))
		return rc;
	/* A household's building is its parent and the building's the compound: the tree
	 * has one level per depth. The whole place is listed and sorted for every page (a
	 * grid holds some hundreds of households, one indexed read each). */
	if ((rc = places_level_walk(d, place_id, PLACES_HOUSEHOLD, walk_household, &w)))
		goto out;
	for (size_t i = 0; i < w.nh; i++)
		w.h[i].b = &w.b[w.h[i].building];
	if (w.nh > 1)
		qsort(w.h, w.nh, sizeof *w.h, household_cmp);
	if (after_hh) {
		while (first < w.nh && w.h[first].id != after_hh)
			first++;
		if (first == w.nh) {
			rc = MU_EINVAL;
			goto out;
		}
	}
	for (size_t hi = first; hi < w.nh && !more; hi++) {
		const struct household *h = &w.h[hi];
		const struct building *b = h->b;
		const struct compound *c = &w.c[b->compound];
		/* The household's people first: the checks below run their own statements. */
		people.n = 0;
		if ((rc = people_household_members(d, h->id, hi == first ? after_person : 0,
						   collect_person, &people)))
			goto out;
		for (size_t i = 0; i < people.n; i++) {
			int64_t person = people.v[i];
			if ((rc = missing_db(d, round_id, person)) < 0)
				goto out;
			if (rc == 0)
				continue;
			if (*n == limit) {
				more = true;
				break;
			}
			struct screening_missing *m = &out[(*n)++];
			memset(m, 0, sizeof *m);
			m->person_id = person;
			m->household_id = h->id;
			m->building_id = b->id;
			m->compound_id = c->id;
			snprintf(m->household, sizeof m->household, "%s", h->code);
			snprintf(m->building, sizeof m->building, "%s", b->code);
			snprintf(m->compound, sizeof m->compound, "%s", c->code);
			snprintf(m->household_name, sizeof m->household_name, "%s", h->name);
			snprintf(m->building_name, sizeof m->building_name, "%s", b->name);
			snprintf(m->compound_name, sizeof m->compound_name, "%s", c->name);
			if (k) {
				struct people_person p;
				rc = people_get(d, k, person, &p);
				if (rc == 0) {
					snprintf(m->name, sizeof m->name, "%s", p.name);
					snprintf(m->phone, sizeof m->phone, "%s", p.phone);
				}
				explicit_bzero(&p, sizeof p);
				if (rc)
					goto out;
				rc = screening_note_last(d, k, round_id, person, m->note,
							 &m->note_at);
				if (rc && rc != MU_ENOTFOUND)
					goto out;
			}
		}
	}
	rc = 0;
	if (more && *n > 0)
		snprintf(next, SCREENING_CURSOR_MAX, "%" PRId64 ":%" PRId64,
			 out[*n - 1].household_id, out[*n - 1].person_id);
out:
	free(w.c);
	free(w.b);
	free(w.h);
	free(people.v);
	return rc;
}

/* ---- many people, or the whole city, at once ------------------------------------------- */

int screening_missing_of(struct db *d, struct screening_cov *cov, int64_t round_id,
			 const int64_t *persons, size_t n, bool *missing)
{
	if (cov && screening__cov_missing(cov, round_id, persons, n, missing) == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int rc = missing_db(d, round_id, persons[i]);
		if (rc < 0)
			return rc;
		missing[i] = rc;
	}
	return 0;
}

static const char sql_round_sampled[] = "SELECT person_id FROM samples WHERE round_id = ?";
static const char sql_round_exempt[] =
    "SELECT person_id FROM exemptions WHERE round_id = ? OR round_id IS NULL";

/* Sets covered[p] for each person p the one-column query on round_id gives (≤ n). */
static int mark_rows(struct db *d, const char *sql, int64_t round_id, uint8_t *covered, size_t n)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, round_id);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t p = db_col_i64(s, 0);
		if (p > 0 && (size_t)p < n)
			covered[p] = 1;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

static int absent_cmp(const void *x, const void *y)
{
	const struct screening_absent *a = x, *b = y;
	if (a->household_id != b->household_id)
		return a->household_id < b->household_id ? -1 : 1;
	return a->person_id < b->person_id ? -1 : a->person_id > b->person_id;
}

int screening_missing_all(struct db *d, struct screening_cov *cov, int64_t round_id,
			  struct screening_absent_set *out)
{
	uint8_t *covered = NULL;
	size_t ncov = 0, n = 0;
	int64_t maxp, *persons = NULL, *hh = NULL;
	memset(out, 0, sizeof *out);
	int rc = people_max_id(d, &maxp);
	if (rc)
		return rc;
	/* Who is covered: a copy of the aggregate's facts, else the round's rows. */
	if (!cov || screening__cov_covered(cov, round_id, &covered, &ncov)) {
		ncov = (size_t)maxp + 1;
		covered = mu_xcalloc(ncov, 1);
		if ((rc = mark_rows(d, sql_round_sampled, round_id, covered, ncov)) ||
		    (rc = mark_rows(d, sql_round_exempt, round_id, covered, ncov)))
			goto out;
	}
	for (int64_t p = 1; p <= maxp; p++)
		n += (size_t)p >= ncov || !covered[p];
	persons = mu_xmalloc((n ? n : 1) * sizeof *persons);
	hh = mu_xmalloc((n ? n : 1) * sizeof *hh);
	n = 0;
	for (int64_t p = 1; p <= maxp; p++)
		if ((size_t)p >= ncov || !covered[p])
			persons[n++] = p;
	/* The others' households; ids no one holds (0) are dropped. */
	if ((rc = people_households_of(d, persons, n, hh)))
		goto out;
	out->v = mu_xmalloc((n ? n : 1) * sizeof *out->v);
	for (size_t i = 0; i < n; i++)
		if (hh[i])
			out->v[out->n++] = (struct screening_absent){hh[i], persons[i]};
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, absent_cmp);
out:
	free(covered);
	free(persons);
	free(hh);
	if (rc)
		screening_absent_set_fini(out);
	return rc;
}

void screening_absent_set_fini(struct screening_absent_set *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* ---- notes -------------------------------------------------------------------------------- */

static const char sql_note_insert[] =
    "INSERT INTO rollcall_notes (client_id, round_id, person_id, sealed, by_user, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_note_last[] =
    "SELECT sealed, created_at FROM rollcall_notes WHERE person_id = ?1"
    " AND (round_id IS NULL OR round_id = ?2) ORDER BY id DESC LIMIT 1";

#define NOTE_NONCE  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define NOTE_TAG    crypto_aead_xchacha20poly1305_ietf_ABYTES
#define NOTE_SEALED (NOTE_NONCE + SCREENING_NOTE_MAX * 4 + NOTE_TAG)

/* A note is personal data, sealed like people's fields: XChaCha20-Poly1305 under a key
 * of its own derived from the seal key (a note's ciphertext is never one of a person's
 * fields), the person id as associated data (a sealed note copied to another person's
 * row does not open). */
static void note_key(const struct people_keys *k, unsigned char key[crypto_kdf_KEYBYTES])
{
	crypto_kdf_derive_from_key(key, crypto_kdf_KEYBYTES, 1, "mu-notes", k->seal);
}

static void note_ad(int64_t person, unsigned char ad[8])
{
	for (int i = 0; i < 8; i++)
		ad[i] = (unsigned char)((uint64_t)person >> (8 * i));
}

/* A note's text: UTF-8 of 1..SCREENING_NOTE_MAX code points, no control character but
 * newlines (a tab or a carriage return is refused too: they misalign a printed list), no
 * bidi control or zero-width character (they disguise what a reader sees). */
static int note_text_check(const char *text, struct mu_why *why)
{
	size_t n = strlen(text);
	if (n == 0)
		return mu_why_set(why, MU_EINVAL, "text", "a note is not empty");
	if (!mu_utf8_valid(text, n))
		return mu_why_set(why, MU_EINVAL, "text", "a note is UTF-8 text");
	if (mu_utf8_len(text, n) > SCREENING_NOTE_MAX)
		return mu_why_set(why, MU_EINVAL, "text", "a note is at most %d characters",
				  SCREENING_NOTE_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f)
			return mu_why_set(why, MU_EINVAL, "text",
					  "a note holds no control characters but newlines");
	}
	if (mu_utf8_invisible(text, n))
		return mu_why_set(why, MU_EINVAL, "text",
				  "a note holds no bidi controls or zero-width characters");
	return 0;
}

static bool client_id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > SCREENING_NOTE_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

int screening_note_add(struct db *d, const struct people_keys *k, const char *client_id,
		       int64_t round_id, int64_t person_id, const char *text, int64_t by_user,
		       int64_t now, int64_t *id, struct mu_why *why)
{
	struct db_stmt *s;
	int64_t hh;
	int rc;
	unsigned char key[crypto_kdf_KEYBYTES], ad[8], sealed[NOTE_SEALED];
	unsigned long long clen = 0;
	*id = 0;
	if (!client_id_ok(client_id))
		return mu_why_set(why, MU_EINVAL, "id",
				  "a note's id is 1 to 64 printable ASCII characters, no spaces");
	if ((rc = note_text_check(text, why)))
		return rc;
	if ((rc = people_household_of(d, person_id, &hh)))
		return rc == MU_ENOTFOUND ? mu_why_set(why, rc, "person", "no person has this id")
					  : rc;
	if (round_id) {
		struct screening_round r;
		if ((rc = screening_round_get(d, round_id, &r)))
			return rc == MU_ENOTFOUND
				   ? mu_why_set(why, rc, "round", "no round has this id")
				   : rc;
	}
	note_key(k, key);
	note_ad(person_id, ad);
	randombytes_buf(sealed, NOTE_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + NOTE_NONCE, &clen,
						   (const unsigned char *)text, strlen(text), ad,
						   sizeof ad, NULL, sealed, key);
	sodium_memzero(key, sizeof key);
	if ((rc = db_prepare(d, sql_note_insert, &s)))
		return rc;
	db_bind_text(s, 1, client_id, -1);
	if (round_id)
		db_bind_i64(s, 2, round_id);
	else
		db_bind_null(s, 2);
	db_bind_i64(s, 3, person_id);
	db_bind_blob(s, 4, sealed, (int)(NOTE_NONCE + clen));
	if (by_user)
		db_bind_i64(s, 5, by_user);
	else
		db_bind_null(s, 5);
	db_bind_i64(s, 6, now);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc == MU_EEXIST)
		return mu_why_set(why, rc, "id", "this note is already recorded");
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	*id = db_last_insert_id(d);
	return 0;
}

int screening_note_last(struct db *d, const struct people_keys *k, int64_t round_id,
			int64_t person_id, char *text, int64_t *at)
{
	struct db_stmt *s;
	unsigned char key[crypto_kdf_KEYBYTES], ad[8];
	unsigned long long mlen = 0;
	text[0] = '\0';
	*at = 0;
	int rc = db_prepare(d, sql_note_last, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, person_id);
	db_bind_i64(s, 2, round_id);
	rc = db_step(s);
	if (rc != DB_ROW) {
		db_stmt_done(s);
		return rc == DB_DONE ? MU_ENOTFOUND : rc;
	}
	const unsigned char *blob = db_col_blob(s, 0);
	int n = db_col_bytes(s, 0);
	rc = MU_ECRYPTO;
	if (blob && n >= (int)(NOTE_NONCE + NOTE_TAG) && n <= (int)NOTE_SEALED) {
		note_key(k, key);
		note_ad(person_id, ad);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(
			(unsigned char *)text, &mlen, NULL, blob + NOTE_NONCE,
			(unsigned long long)n - NOTE_NONCE, ad, sizeof ad, blob, key) == 0) {
			text[mlen] = '\0';
			*at = db_col_i64(s, 1);
			rc = 0;
		}
		sodium_memzero(key, sizeof key);
	}
	db_stmt_done(s);
	return rc;
}
