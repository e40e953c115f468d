/* colour_round.c: the health code's missed-round yellow (§6, missed_round_test) — a
 * person whose household lies in a zone in force, and who was not sampled in a round
 * covering their household that ended while the zone was in force, is yellow until two
 * negative tests at least 24 h and at most 3 days apart, both sampled after that round's
 * end (the rule colour.c keeps for a missed plan test). Computed for one person inside
 * control__colour_compute; recomputed for a zone's residents when a round over it ends
 * (the plans sweep), when the zone is drawn or lifted, and for a yellow person when a
 * negative result of theirs comes back. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

/* Rounds over a household looked back at (newest first): a round older than these was
 * answered by the ones after it, or is past any two negatives anyway. */
#define ROUNDS_BACK 8
#define ZONE_CHAIN  32 /* downgrades followed back to a zone's first start */

/* Set once a missed round has been found in this process (the start's first sweep finds
 * those stored before): until then no result can release anyone, and the result path —
 * every member of every resulted tube — skips the stored colour's read. */
static atomic_bool any_missed;

static const char sql_in_force[] = "SELECT place_id, from_at, coalesce(prev_id, 0) FROM zones "
				   "WHERE from_at <= ?1 AND (lifted_at IS NULL OR lifted_at > ?1)";
static const char sql_zone_from[] = "SELECT from_at, coalesce(prev_id, 0) FROM zones WHERE id = ?";

int64_t control__round_end(const struct screening_round *r)
{
	int64_t e = r->closed_at;
	if (r->ends && (!e || r->ends < e))
		e = r->ends;
	return e;
}

/* The first start of a zone's line: a downgrade opens a new row (prev_id) over the same
 * place, and the zone has been in force since the first of them. */
static int line_start(struct db *d, int64_t from, int64_t prev, int64_t *out)
{
	int rc = 0;
	for (int i = 0; prev && i < ZONE_CHAIN && rc == 0; i++) {
		struct db_stmt *s;
		if ((rc = db_prepare(d, sql_zone_from, &s)))
			break;
		db_bind_i64(s, 1, prev);
		rc = db_step(s);
		if (rc == DB_ROW) {
			if (db_col_i64(s, 0) < from)
				from = db_col_i64(s, 0);
			prev = db_col_i64(s, 1);
			rc = 0;
		} else {
			rc = rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
			prev = 0;
		}
		db_stmt_done(s);
	}
	*out = from;
	return rc;
}

/* Since when (the earliest start) a zone in force at now lies over household; 0 when
 * none does. One read of the zones in force (a handful) and, only when there is one, the
 * household's path. */
static int zone_since(struct db *d, int64_t household, int64_t now, int64_t *since)
{
	struct db_stmt *s;
	struct zone_row {
		int64_t place, from, prev;
	} *z = NULL;
	int64_t path[PLACES_NLEVELS];
	size_t n = 0, cap = 0;
	int np = 0, rc = db_prepare(d, sql_in_force, &s);
	*since = 0;
	if (rc)
		return rc;
	db_bind_i64(s, 1, now);
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			z = mu_xrealloc(z, cap * sizeof *z);
		}
		z[n].place = db_col_i64(s, 0);
		z[n].from = db_col_i64(s, 1);
		z[n++].prev = db_col_i64(s, 2);
	}
	db_stmt_done(s);
	rc = rc < 0 ? rc : 0;
	if (rc == 0 && n)
		rc = places_path(d, household, path, &np);
	for (size_t i = 0; rc == 0 && i < n; i++)
		for (int j = 0; rc == 0 && j < np; j++) {
			int64_t f;
			if (z[i].place != path[j] || (rc = line_start(d, z[i].from, z[i].prev, &f)))
				continue;
			if (!*since || f < *since)
				*since = f;
		}
	free(z);
	return rc;
}

struct missed {
	int64_t now, since; /* rounds ended from since (the zone's start) to now count */
	int64_t end;	    /* the latest end of a round missed; 0 none */
	int64_t neg[ROUNDS_BACK * SCREENING_PERSON_SAMPLES_MAX];
	size_t nneg;
};

static int round_seen(const struct screening_person_round *pr, void *ctx)
{
	struct missed *m = ctx;
	int64_t end = control__round_end(&pr->round);
	for (int i = 0; i < pr->nsamples; i++)
		if (pr->samples[i].result == SCREENING_RESULT_NEGATIVE &&
		    m->nneg < sizeof m->neg / sizeof m->neg[0])
			m->neg[m->nneg++] = pr->samples[i].sampled_at;
	/* Sampled (even late, before the close), or exempt: not missed. */
	if (end && end <= m->now && end >= m->since && pr->nsamples == 0 && pr->exempt_reason < 0 &&
	    end > m->end)
		m->end = end;
	return 0;
}

static const char sql_plan_negatives[] =
    "SELECT taken_at FROM plan_tests WHERE person_id = ? AND state = 'negative' "
    "AND taken_at > ?";

int control__round_reason(struct db *d, int64_t person, int64_t now, unsigned *reasons)
{
	struct missed m = {.now = now};
	int64_t household, t[ROUNDS_BACK * SCREENING_PERSON_SAMPLES_MAX + 64];
	size_t n = 0;
	int rc = people_household_of(d, person, &household);
	if (rc == MU_ENOTFOUND)
		return 0;
	if (rc || (rc = zone_since(d, household, now, &m.since)) || !m.since)
		return rc;
	rc = screening_person_history(d, person, ROUNDS_BACK, round_seen, &m);
	if (rc == MU_ENOTFOUND)
		return 0;
	if (rc || !m.end)
		return rc;
	/* Released by two negatives sampled after the round's end: screening's samples of
	 * the rounds looked at, and plan tests taken. */
	for (size_t i = 0; i < m.nneg; i++)
		if (m.neg[i] > m.end)
			t[n++] = m.neg[i];
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_plan_negatives, &s)))
		return rc;
	db_bind_i64(s, 1, person);
	db_bind_i64(s, 2, m.end);
	while ((rc = db_step(s)) == DB_ROW && n < sizeof t / sizeof t[0])
		t[n++] = db_col_i64(s, 0);
	db_stmt_done(s);
	if (rc < 0)
		return rc;
	if (!control__two_negatives(t, n)) {
		*reasons |= PEOPLE_REASON_MISSED_ROUND;
		atomic_store(&any_missed, true);
	}
	return 0;
}

/* ---- recomputing a zone's residents ----------------------------------------------------- */

struct recolour {
	struct db *d;
	int64_t now, changed;
};

static int recolour_person(int64_t person, void *ctx)
{
	struct recolour *rc = ctx;
	bool ch;
	int r = control__colour_update(rc->d, person, rc->now, &ch);
	rc->changed += ch;
	return r;
}

static int recolour_household(const struct places_ref *r, void *ctx)
{
	struct recolour *rc = ctx;
	return people_household_members(rc->d, r->id, 0, recolour_person, rc);
}

/* The root of the residents both under zone_place and scope (the smaller subtree when
 * one holds the other): *root 0 when they are apart. */
static int overlap_root(struct db *d, int64_t zone_place, int64_t scope, int64_t *root)
{
	bool zone_in = false, scope_in = false;
	int rc = places_is_within(d, zone_place, scope, &zone_in);
	if (rc || (!zone_in && (rc = places_is_within(d, scope, zone_place, &scope_in))))
		return rc;
	*root = zone_in ? zone_place : scope_in ? scope : 0;
	return 0;
}

/* The residents under zone_place covered by one of the scopes, each recoloured once:
 * the whole zone when a scope holds it, else each scope inside it (distinct ones). */
static int recolour_zone(struct db *d, int64_t zone_place, const int64_t *scopes, int n,
			 int64_t now, int64_t *changed)
{
	int64_t roots[256];
	int nr = 0, rc = 0;
	for (int i = 0; rc == 0 && i < n; i++) {
		int64_t root;
		bool dup = false;
		if ((rc = overlap_root(d, zone_place, scopes[i], &root)) || !root)
			continue;
		if (root == zone_place) {
			roots[0] = root;
			nr = 1;
			break;
		}
		for (int j = 0; j < nr; j++)
			dup = dup || roots[j] == root;
		if (!dup && nr < 256)
			roots[nr++] = root;
	}
	struct recolour ctx = {.d = d, .now = now};
	for (int i = 0; rc == 0 && i < nr; i++)
		rc = places_level_walk(d, roots[i], PLACES_HOUSEHOLD, recolour_household, &ctx);
	*changed += ctx.changed;
	return rc;
}

struct ended {
	int64_t after, now, since; /* rounds ended in (after, now], from since */
	int64_t scope[256], end[256];
	int n;
	bool any; /* one ended round (since..now) at all, for a zone's change */
};

static int ended_round(const struct screening_round *r, void *ctx)
{
	struct ended *e = ctx;
	int64_t end = control__round_end(r);
	if (!end || end <= e->after || end > e->now || end < e->since)
		return 0;
	e->any = true;
	if (e->n < (int)(sizeof e->scope / sizeof e->scope[0])) {
		e->scope[e->n] = r->scope_place_id;
		e->end[e->n++] = end;
	}
	return 0;
}

struct zone_walk {
	struct db *d;
	const struct ended *e;
	int64_t now, changed;
};

static int zone_rounds(const struct control_zone *z, void *ctx)
{
	struct zone_walk *w = ctx;
	int64_t since;
	int64_t scopes[256];
	int n = 0, rc = line_start(w->d, z->from_at, z->prev_id, &since);
	for (int i = 0; i < w->e->n; i++)
		if (w->e->end[i] >= since)
			scopes[n++] = w->e->scope[i];
	return rc || !n ? rc : recolour_zone(w->d, z->place_id, scopes, n, w->now, &w->changed);
}

int control__round_sweep(struct db *d, int64_t now, int64_t *seen, int64_t *changed)
{
	struct ended e = {.after = *seen, .now = now};
	struct zone_walk w = {.d = d, .e = &e, .now = now};
	int rc = screening_round_list(d, ended_round, &e);
	if (rc == 0 && e.n)
		rc = control_zone_list(d, 0, false, zone_rounds, &w);
	*changed += w.changed;
	if (rc == 0)
		*seen = now;
	return rc;
}

int control__round_zone_changed(struct db *d, const struct control_zone *z, int64_t now)
{
	int64_t since, changed = 0;
	int rc = line_start(d, z->from_at, z->prev_id, &since);
	struct ended e = {.now = now, .since = since};
	if (rc || (rc = screening_round_list(d, ended_round, &e)) || !e.any)
		return rc;
	/* The rounds over the zone ended while it was in force: the residents they covered. */
	return recolour_zone(d, z->place_id, e.scope, e.n, now, &changed);
}

int control__round_on_result(struct db *d, const struct screening_hook_result *r)
{
	int colour;
	unsigned reasons;
	int64_t since;
	bool ch;
	if (r->result != SCREENING_RESULT_NEGATIVE || !atomic_load(&any_missed))
		return 0;
	int rc = control_colour_get(d, r->person_id, &colour, &reasons, &since);
	if (rc || !(reasons & PEOPLE_REASON_MISSED_ROUND))
		return rc;
	return control__colour_update(d, r->person_id, r->resulted_at, &ch);
}
