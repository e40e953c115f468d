/* coverage.c: the hot aggregate of coverage — per round a byte of facts per person and
 * six counters per place down to the building, rebuilt from the database in one pass
 * and fed by the deltas of committed writes — plus exemptions, which it subtracts. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening.h"
#include "screening_int.h"

/* ---- deltas ------------------------------------------------------------------------------ */

struct screening_delta *screening_delta_new(void)
{
	return mu_xcalloc(1, sizeof(struct screening_delta));
}

void screening_delta_free(struct screening_delta *dl)
{
	if (!dl)
		return;
	free(dl->ev);
	free(dl);
}

void screening_delta_reset(struct screening_delta *dl)
{
	dl->n = 0;
}
size_t screening_delta_count(const struct screening_delta *dl)
{
	return dl->n;
}

void screening__delta_add(struct screening_delta *dl, int64_t round_id, int64_t person_id,
			  int64_t household_id, uint8_t flag)
{
	if (!dl)
		return;
	if (dl->n == dl->cap) {
		dl->cap = dl->cap ? dl->cap * 2 : 64;
		dl->ev = mu_xrealloc(dl->ev, dl->cap * sizeof *dl->ev);
	}
	dl->ev[dl->n++] = (struct screening__event){round_id, person_id, household_id, flag};
}

/* ---- a person's contribution ------------------------------------------------------------ */

enum { C_EXEMPT, C_SAMPLED, C_RESULTED, C_NEGATIVE, C_POOLPOS, C_POSITIVE, NC };

#define ANY_SAMPLE                                                                                 \
	(SCREENING__F_SAMPLED | SCREENING__F_RECALL | SCREENING__F_RECALL_NEG |                    \
	 SCREENING__F_RECALL_POS)

/* The counters one person adds, from their facts. A recall's outcome outranks the
 * pooled results: positive, then negative, then "recalled" (pool-positive). */
static void contrib(uint8_t f, int c[NC])
{
	memset(c, 0, NC * sizeof *c);
	bool sampled = (f & ANY_SAMPLE) != 0;
	c[C_EXEMPT] = (f & SCREENING__F_EXEMPT) && !sampled;
	c[C_SAMPLED] = sampled;
	int k = -1;
	if (f & SCREENING__F_RECALL_POS)
		k = C_POSITIVE;
	else if (f & SCREENING__F_RECALL_NEG)
		k = C_NEGATIVE;
	else if (f & SCREENING__F_RECALL)
		k = C_POOLPOS;
	else if (f & SCREENING__F_NEG)
		k = C_NEGATIVE;
	if (k >= 0) {
		c[k] = 1;
		c[C_RESULTED] = 1;
	}
}

/* ---- the structure ---------------------------------------------------------------------- */

#define LEVEL_UNKNOWN 0xFF

struct cov_round {
	int64_t id;
	int64_t scope;	/* the round's scope place: only people inside it are counted */
	uint8_t *flags; /* by person id */
	size_t nflags;
	int32_t *cnt; /* NC per slot */
	size_t nslots;
};

struct screening_cov {
	pthread_rwlock_t lock;
	/* The tree, by place id: parent, level, and the counter slot of places above the
	 * household level (-1 for households, which are counted on demand). */
	int32_t *parent, *slot;
	uint8_t *level;
	size_t cap; /* entries of the arrays: max place id + 1 */
	size_t nslots;
	struct cov_round **rounds;
	size_t nrounds;
};

static void tree_grow(struct screening_cov *c, size_t need)
{
	if (need <= c->cap)
		return;
	size_t cap = c->cap ? c->cap : 1024;
	while (cap < need)
		cap *= 2;
	c->parent = mu_xrealloc(c->parent, cap * sizeof *c->parent);
	c->slot = mu_xrealloc(c->slot, cap * sizeof *c->slot);
	c->level = mu_xrealloc(c->level, cap);
	for (size_t i = c->cap; i < cap; i++) {
		c->parent[i] = 0;
		c->slot[i] = -1;
		c->level[i] = LEVEL_UNKNOWN;
	}
	c->cap = cap;
}

static void tree_put(struct screening_cov *c, int64_t id, int64_t parent, int level)
{
	MU_ASSERT(id > 0 && id < INT32_MAX && parent >= 0 && parent < INT32_MAX);
	tree_grow(c, (size_t)id + 1);
	if (c->level[id] != LEVEL_UNKNOWN)
		return;
	c->parent[id] = (int32_t)parent;
	c->level[id] = (uint8_t)level;
	c->slot[id] = level < PLACES_HOUSEHOLD ? (int32_t)c->nslots++ : -1;
}

static bool tree_known(const struct screening_cov *c, int64_t id)
{
	return id > 0 && (size_t)id < c->cap && c->level[id] != LEVEL_UNKNOWN;
}

/* Makes id and its ancestors known, reading its path (the index in the path is the
 * level: the tree has one level per depth). */
static int tree_ensure(struct screening_cov *c, struct db *d, int64_t id)
{
	if (tree_known(c, id))
		return 0;
	int64_t ids[PLACES_NLEVELS];
	int n;
	int rc = places_path(d, id, ids, &n);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		tree_put(c, ids[i], i ? ids[i - 1] : 0, i);
	return 0;
}

static int tree_row(int64_t id, int64_t parent, int level, void *ctx)
{
	tree_put(ctx, id, parent, level);
	return 0;
}

static int tree_load(struct screening_cov *c, struct db *d)
{
	return places_tree(d, tree_row, c);
}

static void round_fit(struct screening_cov *c, struct cov_round *r)
{
	if (r->nslots < c->nslots) {
		size_t ns = c->nslots + c->nslots / 4 + 16;
		r->cnt = mu_xrealloc(r->cnt, ns * NC * sizeof *r->cnt);
		memset(r->cnt + r->nslots * NC, 0, (ns - r->nslots) * NC * sizeof *r->cnt);
		r->nslots = ns;
	}
}

static void flags_fit(struct cov_round *r, int64_t person)
{
	MU_ASSERT(person > 0);
	if ((size_t)person < r->nflags)
		return;
	size_t n = r->nflags ? r->nflags : 1024;
	while (n <= (size_t)person)
		n *= 2;
	r->flags = mu_xrealloc(r->flags, n);
	memset(r->flags + r->nflags, 0, n - r->nflags);
	r->nflags = n;
}

static void round_free(struct cov_round *r)
{
	if (!r)
		return;
	free(r->flags);
	free(r->cnt);
	free(r);
}

static struct cov_round *round_of(const struct screening_cov *c, int64_t id)
{
	for (size_t i = 0; i < c->nrounds; i++)
		if (c->rounds[i]->id == id)
			return c->rounds[i];
	return NULL;
}

/* Adds diff to every counted ancestor of household (the tree knows it). */
static void add_up(struct screening_cov *c, struct cov_round *r, int64_t household,
		   const int diff[NC])
{
	round_fit(c, r);
	for (int64_t id = household; id > 0; id = c->parent[id]) {
		int32_t sl = c->slot[id];
		if (sl >= 0)
			for (int j = 0; j < NC; j++)
				r->cnt[(size_t)sl * NC + j] += diff[j];
	}
}

/* Sets a fact of a person; moves the counters when their contribution changed. */
static void person_set(struct screening_cov *c, struct cov_round *r, int64_t person,
		       int64_t household, uint8_t bit)
{
	flags_fit(r, person);
	uint8_t old = r->flags[person], now = old | bit;
	if (now == old)
		return;
	r->flags[person] = now;
	int a[NC], b[NC], diff[NC];
	bool any = false;
	contrib(old, a);
	contrib(now, b);
	for (int j = 0; j < NC; j++) {
		diff[j] = b[j] - a[j];
		any |= diff[j] != 0;
	}
	if (any)
		add_up(c, r, household, diff);
}

/* ---- building a round from the database ---------------------------------------------- */

static const char sql_round_samples[] =
    "SELECT s.person_id, s.household_id, t.result FROM samples s JOIN tubes t"
    " ON t.id = s.tube_id WHERE s.round_id = ?";
static const char sql_round_recalls[] = "SELECT person_id, state FROM recalls WHERE round_id = ?";
static const char sql_round_exempt[] =
    "SELECT person_id FROM exemptions WHERE round_id = ? OR round_id IS NULL";

/* Makes room for person p in r->flags and in the household array beside it (people
 * added after the count was taken). */
static void fit_both(struct cov_round *r, int32_t **hh, int64_t p)
{
	size_t old = r->nflags;
	flags_fit(r, p);
	if (r->nflags != old) {
		*hh = mu_xrealloc(*hh, r->nflags * sizeof **hh);
		memset(*hh + old, 0, (r->nflags - old) * sizeof **hh);
	}
}

/* Builds round id from the rows; the caller holds the lock exclusively (or the
 * aggregate is not shared yet). */
static int round_build(struct screening_cov *c, struct db *d, int64_t id, struct cov_round **out)
{
	struct screening_round info;
	int64_t maxp;
	int32_t *hh = NULL;
	int64_t *ex = NULL, *exhh = NULL;
	size_t nex = 0, capex = 0;
	struct db_stmt *s = NULL;
	int rc = screening_round_get(d, id, &info);
	if (rc || (rc = people_max_id(d, &maxp)))
		return rc;
	struct cov_round *r = mu_xcalloc(1, sizeof *r);
	r->id = id;
	r->scope = info.scope_place_id;
	flags_fit(r, maxp + 1);
	if ((rc = tree_ensure(c, d, r->scope)))
		goto out;
	hh = mu_xcalloc(r->nflags, sizeof *hh);

	if ((rc = db_prepare(d, sql_round_samples, &s)))
		goto out;
	db_bind_i64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t p = db_col_i64(s, 0);
		fit_both(r, &hh, p);
		r->flags[p] |= SCREENING__F_SAMPLED;
		if (!db_col_null(s, 2) && db_col_i64(s, 2) == SCREENING_RESULT_NEGATIVE)
			r->flags[p] |= SCREENING__F_NEG;
		hh[p] = (int32_t)db_col_i64(s, 1);
	}
	db_stmt_done(s);
	if (rc < 0 || (rc = db_prepare(d, sql_round_recalls, &s)))
		goto out;
	db_bind_i64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t p = db_col_i64(s, 0);
		int st = (int)db_col_i64(s, 1);
		fit_both(r, &hh, p);
		r->flags[p] |= SCREENING__F_RECALL;
		if (st == SCREENING_RECALL_NEGATIVE)
			r->flags[p] |= SCREENING__F_RECALL_NEG;
		if (st == SCREENING_RECALL_POSITIVE)
			r->flags[p] |= SCREENING__F_RECALL_POS;
	}
	db_stmt_done(s);
	if (rc < 0 || (rc = db_prepare(d, sql_round_exempt, &s)))
		goto out;
	db_bind_i64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t p = db_col_i64(s, 0);
		fit_both(r, &hh, p);
		r->flags[p] |= SCREENING__F_EXEMPT;
		if (hh[p])
			continue;
		if (nex == capex) {
			capex = capex ? capex * 2 : 256;
			ex = mu_xrealloc(ex, capex * sizeof *ex);
		}
		ex[nex++] = p;
	}
	db_stmt_done(s);
	if (rc < 0)
		goto out;
	/* The households of exempt people nobody sampled, from people/ in one call. */
	exhh = mu_xmalloc((nex ? nex : 1) * sizeof *exhh);
	if ((rc = people_households_of(d, ex, nex, exhh)))
		goto out;
	for (size_t i = 0; i < nex; i++)
		hh[ex[i]] = (int32_t)exhh[i];
	round_fit(c, r);
	int diff[NC];
	for (size_t p = 1; p < r->nflags; p++) {
		if (!r->flags[p])
			continue;
		if ((rc = tree_ensure(c, d, hh[p])))
			goto out;
		contrib(r->flags[p], diff);
		add_up(c, r, hh[p], diff);
	}
out:
	free(hh);
	free(ex);
	free(exhh);
	if (rc) {
		round_free(r);
		r = NULL;
	}
	*out = r;
	return rc;
}

/* Puts r in place of the round with its id (freed), or adds it. Exclusive lock held. */
static void round_install(struct screening_cov *c, struct cov_round *r)
{
	for (size_t i = 0; i < c->nrounds; i++)
		if (c->rounds[i]->id == r->id) {
			round_free(c->rounds[i]);
			c->rounds[i] = r;
			return;
		}
	c->rounds = mu_xrealloc(c->rounds, (c->nrounds + 1) * sizeof *c->rounds);
	c->rounds[c->nrounds++] = r;
}

/* Finds round id, loading it when unseen. Exclusive lock held. */
static int round_need(struct screening_cov *c, struct db *d, int64_t id, struct cov_round **out)
{
	*out = round_of(c, id);
	if (*out)
		return 0;
	int rc = round_build(c, d, id, out);
	if (rc == 0)
		round_install(c, *out);
	return rc;
}

int screening_cov_new(struct db *d, struct screening_cov **out)
{
	struct screening_cov *c = mu_xcalloc(1, sizeof *c);
	int rc = 0;
	pthread_rwlock_init(&c->lock, NULL);
	if ((rc = tree_load(c, d)))
		goto out;
	/* Round ids first: building a round runs other statements on d. */
	int64_t *ids = NULL;
	size_t n = 0;
	{
		static const char sql_ids[] = "SELECT id FROM rounds ORDER BY id";
		struct db_stmt *s;
		if ((rc = db_prepare(d, sql_ids, &s)))
			goto out;
		while ((rc = db_step(s)) == DB_ROW) {
			ids = mu_xrealloc(ids, (n + 1) * sizeof *ids);
			ids[n++] = db_col_i64(s, 0);
		}
		db_stmt_done(s);
		if (rc < 0) {
			free(ids);
			goto out;
		}
		rc = 0;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct cov_round *r;
		rc = round_need(c, d, ids[i], &r);
	}
	free(ids);
out:
	if (rc) {
		screening_cov_free(c);
		c = NULL;
	}
	*out = c;
	return rc;
}

void screening_cov_free(struct screening_cov *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nrounds; i++)
		round_free(c->rounds[i]);
	free(c->rounds);
	free(c->parent);
	free(c->slot);
	free(c->level);
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

int screening_cov_round_rebuild(struct screening_cov *c, struct db *d, int64_t round_id)
{
	pthread_rwlock_wrlock(&c->lock);
	struct cov_round *r;
	int rc = round_build(c, d, round_id, &r);
	if (rc == 0)
		round_install(c, r);
	pthread_rwlock_unlock(&c->lock);
	return rc;
}

int screening_cov_apply(struct screening_cov *c, struct db *d, const struct screening_delta *dl)
{
	int rc = 0;
	pthread_rwlock_wrlock(&c->lock);
	for (size_t i = 0; i < dl->n && rc == 0; i++) {
		const struct screening__event *e = &dl->ev[i];
		int64_t hh = e->household_id;
		if (!hh && (rc = people_household_of(d, e->person_id, &hh)))
			break;
		if ((rc = tree_ensure(c, d, hh)))
			break;
		if (e->round_id == 0) {
			for (size_t k = 0; k < c->nrounds; k++)
				person_set(c, c->rounds[k], e->person_id, hh, e->flag);
			continue;
		}
		struct cov_round *r;
		if ((rc = round_need(c, d, e->round_id, &r)))
			break;
		person_set(c, r, e->person_id, hh, e->flag);
	}
	pthread_rwlock_unlock(&c->lock);
	return rc;
}

/* ---- reading ---------------------------------------------------------------------------- */

#define COVERED (ANY_SAMPLE | SCREENING__F_EXEMPT)

int screening__cov_missing(struct screening_cov *c, int64_t round_id, const int64_t *persons,
			   size_t n, bool *missing)
{
	pthread_rwlock_rdlock(&c->lock);
	const struct cov_round *r = round_of(c, round_id);
	for (size_t i = 0; r && i < n; i++) {
		int64_t p = persons[i];
		missing[i] = !(p > 0 && (size_t)p < r->nflags && (r->flags[p] & COVERED));
	}
	pthread_rwlock_unlock(&c->lock);
	return r ? 0 : MU_ENOTFOUND;
}

int screening__cov_covered(struct screening_cov *c, int64_t round_id, uint8_t **covered, size_t *n)
{
	*covered = NULL;
	*n = 0;
	pthread_rwlock_rdlock(&c->lock);
	const struct cov_round *r = round_of(c, round_id);
	if (r) {
		*n = r->nflags;
		*covered = mu_xmalloc(r->nflags ? r->nflags : 1);
		for (size_t p = 0; p < r->nflags; p++)
			(*covered)[p] = (r->flags[p] & COVERED) != 0;
	}
	pthread_rwlock_unlock(&c->lock);
	return r ? 0 : MU_ENOTFOUND;
}

struct ids {
	int64_t *v;
	size_t n;
};

static int collect_id(int64_t id, void *ctx)
{
	struct ids *a = ctx;
	a->v = mu_xrealloc(a->v, (a->n + 1) * sizeof *a->v);
	a->v[a->n++] = id;
	return 0;
}

enum { REL_BESIDE, REL_INSIDE, REL_ABOVE, REL_UNKNOWN };

/* Where place id lies against scope, from the tree in memory (lock held): inside it
 * (or it), above it, or beside it; REL_UNKNOWN when a place on the way is not in the
 * tree yet (added since it was loaded). */
static int scope_rel(const struct screening_cov *c, int64_t id, int64_t scope)
{
	for (int64_t a = id; a > 0; a = c->parent[a]) {
		if (!tree_known(c, a))
			return REL_UNKNOWN;
		if (a == scope)
			return REL_INSIDE;
	}
	for (int64_t a = scope; a > 0; a = c->parent[a]) {
		if (!tree_known(c, a))
			return REL_UNKNOWN;
		if (a == id)
			return REL_ABOVE;
	}
	return REL_BESIDE;
}

/* The same from the database, for places the tree does not know yet. */
static int scope_rel_db(struct db *d, int64_t id, int64_t scope, int *rel)
{
	bool in = false;
	int rc = places_is_within(d, id, scope, &in);
	if (rc == 0 && in) {
		*rel = REL_INSIDE;
		return 0;
	}
	if (rc == 0 && (rc = places_is_within(d, scope, id, &in)) == 0)
		*rel = in ? REL_ABOVE : REL_BESIDE;
	return rc;
}

/* Fills k for node in round. Takes the lock shared (exclusive only to load a round).
 * A round counts only the people inside its scope: a place above the scope gets the
 * scope's counts and residents, a place beside it nothing (in_scope false). */
static int counts_of(struct screening_cov *c, struct db *d, int64_t round_id,
		     const struct places_node *node, struct screening_counts *k)
{
	int32_t sum[NC] = {0};
	struct ids hp = {0};
	int64_t *people;
	size_t np;
	int64_t scope = 0;
	int rel = REL_INSIDE;
	int rc = 0;
	/* A household's few people are read first, outside the lock. */
	if (node->level == PLACES_HOUSEHOLD &&
	    (rc = people_household_members(d, node->id, 0, collect_id, &hp)))
		goto out;
	people = hp.v;
	np = hp.n;
	pthread_rwlock_rdlock(&c->lock);
	struct cov_round *r = round_of(c, round_id);
	if (!r) {
		pthread_rwlock_unlock(&c->lock);
		pthread_rwlock_wrlock(&c->lock);
		rc = round_need(c, d, round_id, &r);
	}
	if (rc == 0) {
		scope = r->scope;
		rel = scope_rel(c, node->id, scope);
	}
	if (rc == 0 && rel == REL_INSIDE && node->level == PLACES_HOUSEHOLD) {
		for (size_t i = 0; i < np; i++) {
			int v[NC];
			contrib((size_t)people[i] < r->nflags ? r->flags[people[i]] : 0, v);
			for (int j = 0; j < NC; j++)
				sum[j] += v[j];
		}
	} else if (rc == 0 && (rel == REL_INSIDE || rel == REL_ABOVE)) {
		int64_t at = rel == REL_ABOVE ? scope : node->id;
		int32_t sl = tree_known(c, at) ? c->slot[at] : -1;
		if (sl >= 0 && (size_t)sl < r->nslots)
			memcpy(sum, r->cnt + (size_t)sl * NC, sizeof sum);
	}
	pthread_rwlock_unlock(&c->lock);
	if (rc)
		goto out;
	if (rel == REL_UNKNOWN) {
		/* A place newer than the tree: nobody of it was counted yet, but it may
		 * still lie beside the scope, or above it. */
		if ((rc = scope_rel_db(d, node->id, scope, &rel)))
			goto out;
		if (rel == REL_ABOVE) {
			rc = screening_cov_get(c, d, round_id, scope, k);
			if (rc == 0)
				k->place_id = node->id;
			goto out;
		}
	}
	memset(k, 0, sizeof *k);
	k->place_id = node->id;
	k->in_scope = rel != REL_BESIDE;
	k->people = node->people;
	if (rel == REL_ABOVE) {
		struct places_node sn;
		if ((rc = places_get(d, scope, &sn)))
			goto out;
		k->people = sn.people;
	} else if (rel == REL_BESIDE) {
		k->people = 0;
	}
	k->expected = k->people - sum[C_EXEMPT];
	k->sampled = sum[C_SAMPLED];
	k->resulted = sum[C_RESULTED];
	k->negative = sum[C_NEGATIVE];
	k->pool_positive = sum[C_POOLPOS];
	k->positive = sum[C_POSITIVE];
	k->coverage = k->expected > 0 ? (double)k->sampled / (double)k->expected : 0.0;
out:
	free(hp.v);
	return rc;
}

int screening_cov_get(struct screening_cov *c, struct db *d, int64_t round_id, int64_t place_id,
		      struct screening_counts *out)
{
	struct places_node node;
	int rc = places_get(d, place_id, &node);
	if (rc)
		return rc;
	return counts_of(c, d, round_id, &node, out);
}

struct kids {
	struct places_node *v;
	size_t n;
};

static int collect_kid(const struct places_node *n, void *ctx)
{
	struct kids *k = ctx;
	k->v = mu_xrealloc(k->v, (k->n + 1) * sizeof *k->v);
	k->v[k->n++] = *n;
	return 0;
}

int screening_cov_children(struct screening_cov *c, struct db *d, int64_t round_id,
			   int64_t place_id, int (*fn)(const struct screening_counts *k, void *ctx),
			   void *ctx)
{
	struct kids kids = {0};
	int rc = places_children(d, place_id, collect_kid, &kids);
	for (size_t i = 0; i < kids.n && rc == 0; i++) {
		struct screening_counts k;
		if ((rc = counts_of(c, d, round_id, &kids.v[i], &k)) == 0)
			rc = fn(&k, ctx);
	}
	free(kids.v);
	return rc;
}

struct below {
	struct places_node *v;
	int *depth;
	size_t n, max;
	int at; /* the depth collect_below is called for */
};

static int collect_below(const struct places_node *n, void *ctx)
{
	struct below *b = ctx;
	if (b->n == b->max)
		return MU_ETOOBIG;
	b->v = mu_xrealloc(b->v, (b->n + 1) * sizeof *b->v);
	b->depth = mu_xrealloc(b->depth, (b->n + 1) * sizeof *b->depth);
	b->v[b->n] = *n;
	b->depth[b->n++] = b->at;
	return 0;
}

int screening_cov_below(struct screening_cov *c, struct db *d, int64_t round_id, int64_t place_id,
			int depth, size_t max,
			int (*fn)(const struct places_node *n, const struct screening_counts *k,
				  int depth, void *ctx),
			void *ctx)
{
	struct below kids = {.max = max, .at = 1}, all = {.max = max, .at = 2};
	int rc = depth == 1 || depth == 2 ? 0 : MU_EINVAL;
	/* Every place is listed before any is counted, so that an answer too large is
	 * refused whole, and depth first (a child, then its children) as fn wants them. */
	if (rc == 0)
		rc = places_children(d, place_id, collect_below, &kids);
	for (size_t i = 0; i < kids.n && rc == 0; i++) {
		all.at = 1;
		rc = collect_below(&kids.v[i], &all);
		if (rc == 0 && depth == 2 && kids.v[i].level < PLACES_HOUSEHOLD) {
			all.at = 2;
			rc = places_children(d, kids.v[i].id, collect_below, &all);
		}
	}
	for (size_t i = 0; i < all.n && rc == 0; i++) {
		struct screening_counts k;
		if ((rc = counts_of(c, d, round_id, &all.v[i], &k)) == 0)
			rc = fn(&all.v[i], &k, all.depth[i], ctx);
	}
	free(kids.v);
	free(kids.depth);
	free(all.v);
	free(all.depth);
	return rc;
}

/* ---- exemptions -------------------------------------------------------------------------- */

static const char *const reason_names[] = {"away", "hospitalised", "deceased", "moved"};

const char *screening_exempt_reason_name(int r)
{
	return r >= 0 && r <= SCREENING_EXEMPT_MOVED ? reason_names[r] : NULL;
}

int screening_exempt_reason_parse(const char *s, int *r)
{
	for (int i = 0; s && i <= SCREENING_EXEMPT_MOVED; i++)
		if (!strcmp(s, reason_names[i])) {
			*r = i;
			return 0;
		}
	return MU_EINVAL;
}

static const char sql_exempt_seen[] = "SELECT 1 FROM exemptions WHERE person_id = ?1"
				      " AND (round_id = ?2 OR (round_id IS NULL AND ?2 IS NULL))";
static const char sql_exempt_insert[] =
    "INSERT INTO exemptions (round_id, person_id, reason, by_user, created_at)"
    " VALUES (?, ?, ?, ?, ?)";

int screening_exemption_add(struct db *d, int64_t round_id, int64_t person_id, int reason,
			    int64_t by_user, int64_t now, struct screening_delta *dl)
{
	if (!screening_exempt_reason_name(reason))
		return MU_EINVAL;
	int64_t hh;
	int rc = people_household_of(d, person_id, &hh);
	if (rc)
		return rc;
	if (round_id) {
		struct screening_round r;
		if ((rc = screening_round_get(d, round_id, &r)))
			return rc;
	}
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_exempt_seen, &s)))
		return rc;
	db_bind_i64(s, 1, person_id);
	if (round_id)
		db_bind_i64(s, 2, round_id);
	else
		db_bind_null(s, 2);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc == DB_ROW)
		return MU_EEXIST;
	if (rc < 0)
		return rc;
	if ((rc = db_prepare(d, sql_exempt_insert, &s)))
		return rc;
	if (round_id)
		db_bind_i64(s, 1, round_id);
	else
		db_bind_null(s, 1);
	db_bind_i64(s, 2, person_id);
	db_bind_i64(s, 3, reason);
	if (by_user)
		db_bind_i64(s, 4, by_user);
	else
		db_bind_null(s, 4);
	db_bind_i64(s, 5, now);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	screening__delta_add(dl, round_id, person_id, hh, SCREENING__F_EXEMPT);
	return 0;
}
