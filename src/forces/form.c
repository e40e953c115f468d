/* form.c: forming a compound as 芳村花园 did in June 2021 — a temporary party branch, a
 * temporary group per building of the party members living in it, and a volunteer team
 * of its residents (`muster forces form`, POST /api/v1/forces/form). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "forces_int.h"

/* 芳村花园: 66 volunteers for its 8,000 residents (the source article). */
#define VOLUNTEERS_PER	  66
#define VOLUNTEERS_BASIS  8000
#define VOLUNTEER_MIN_AGE 18
#define VOLUNTEER_MAX_AGE 60

int64_t forces_volunteers_for(int64_t residents)
{
	if (residents <= 0)
		return 0;
	int64_t n = llround((double)residents * VOLUNTEERS_PER / VOLUNTEERS_BASIS);
	return n < 1 ? 1 : n;
}

/* Whole years from birth (days since 1970) to today (days), by the calendar. */
static int age_on(int64_t birth, int64_t today)
{
	int by, bm, bd, ty, tm, td;
	mu_days_to_date(birth, &by, &bm, &bd);
	mu_days_to_date(today, &ty, &tm, &td);
	int age = ty - by;
	if (tm < bm || (tm == bm && td < bd))
		age--;
	return age;
}

/* The buildings of the compound, in code order. */
struct ids {
	int64_t *v;
	size_t n, cap;
};

static void ids_push(struct ids *s, int64_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->v = mu_xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = v;
}

static int building_one(const struct places_node *n, void *ctx)
{
	if (n->level == PLACES_BUILDING)
		ids_push(ctx, n->id);
	return 0;
}

/* One building's residents: its party members and the compound's eligible volunteers
 * (in walk order, across buildings). */
struct walk {
	int64_t today;
	struct ids party, eligible;
};

static int person_one(const struct people_person *p, void *ctx)
{
	struct walk *w = ctx;
	if (p->party) {
		ids_push(&w->party, p->id);
		return 0;
	}
	int age = age_on(p->birth, w->today);
	if (age >= VOLUNTEER_MIN_AGE && age <= VOLUNTEER_MAX_AGE)
		ids_push(&w->eligible, p->id);
	return 0;
}

static int add_member(struct db *d, int64_t org, int64_t person, const char *role, bool party,
		      int64_t now, struct mu_why *why)
{
	struct forces_member m = {
	    .org_id = org, .person_id = person, .party = party, .added_at = now};
	snprintf(m.role, sizeof m.role, "%s", role);
	return forces_member_add(d, &m, why);
}

static const char sql_formed[] = "UPDATE orgs SET formed_for = ? WHERE id = ?";
static const char sql_formed_before[] = "SELECT 1 FROM orgs WHERE formed_for = ?";

int forces_form(struct db *d, const struct people_keys *k, int64_t compound, int64_t now,
		struct forces_form_report *out, struct mu_why *why)
{
	struct places_node c;
	struct ids blds = {0};
	struct walk w = {.today = forces_day_of(now)};
	struct db_stmt *st = NULL;
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = places_get(d, compound, &c)))
		return rc == MU_ENOTFOUND ? mu_why_set(why, rc, "place", "no place has this id")
					  : rc;
	if (c.level != PLACES_COMPOUND)
		return mu_why_set(why, MU_EINVAL, "place", "%s is a %s, not a compound", c.code,
				  places_level_name(c.level));
	/* Refused before anything is written; the unique index holds it against a race. */
	if ((rc = db_prepare(d, sql_formed_before, &st)))
		return rc;
	db_bind_i64(st, 1, c.id);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc == DB_ROW)
		return mu_why_set(why, MU_EEXIST, "place", "%s was formed before", c.code);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	struct forces_org br = {
	    .kind = FORCES_TEMPORARY_BRANCH, .place_id = c.id, .created_at = now};
	snprintf(br.name, sizeof br.name, "%.200s临时党支部", c.name);
	if ((rc = forces_org_add(d, &br, why)))
		goto out;
	/* The unique formed_for refuses a second formation of the compound. */
	if ((rc = db_prepare(d, sql_formed, &st)))
		goto out;
	db_bind_i64(st, 1, c.id);
	db_bind_i64(st, 2, br.id);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc == MU_EEXIST) {
		rc = mu_why_set(why, rc, "place", "%s was formed before", c.code);
		goto out;
	}
	if (rc != DB_DONE) {
		rc = rc < 0 ? rc : MU_EDB;
		goto out;
	}
	out->branch = br.id;
	out->residents = c.people;
	if ((rc = places_children(d, c.id, building_one, &blds)))
		goto out;
	out->buildings = (int64_t)blds.n;
	for (size_t b = 0; b < blds.n; b++) {
		struct places_node bn;
		w.party.n = 0;
		if ((rc = places_get(d, blds.v[b], &bn)) ||
		    (rc = people_walk(d, k, bn.id, person_one, &w)))
			goto out;
		if (!w.party.n)
			continue;
		struct forces_org g = {.kind = FORCES_TEMPORARY_GROUP,
				       .place_id = bn.id,
				       .parent_id = br.id,
				       .created_at = now};
		snprintf(g.name, sizeof g.name, "%.200s%.40s临时党小组", c.name, bn.name);
		if ((rc = forces_org_add(d, &g, why)))
			goto out;
		for (size_t i = 0; i < w.party.n; i++)
			if ((rc = add_member(d, g.id, w.party.v[i], "member", true, now, why)))
				goto out;
		out->groups++;
		out->members += (int64_t)w.party.n;
	}
	int64_t want = forces_volunteers_for(c.people);
	if (want > (int64_t)w.eligible.n)
		want = (int64_t)w.eligible.n;
	if (want > 0) {
		struct forces_org v = {.kind = FORCES_VOLUNTEER_TEAM,
				       .place_id = c.id,
				       .parent_id = br.id,
				       .created_at = now};
		snprintf(v.name, sizeof v.name, "%.200s志愿服务队", c.name);
		if ((rc = forces_org_add(d, &v, why)))
			goto out;
		out->volunteer_team = v.id;
		/* Evenly spread over the walk: the i-th of want takes the eligible resident at
		 * i·E/want, so every building gives its share. */
		for (int64_t i = 0; i < want; i++) {
			size_t at = (size_t)(i * (int64_t)w.eligible.n / want);
			if ((rc = add_member(d, v.id, w.eligible.v[at], "volunteer", false, now,
					     why)))
				goto out;
		}
		out->volunteers = want;
	}
out:
	free(blds.v);
	free(w.party.v);
	free(w.eligible.v);
	return rc;
}
