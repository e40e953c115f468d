/* rollcall.c: the roll-call (应检尽检) — who in a subtree has neither a sample in the
 * round nor an exemption, household by household in the tree's code order. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A page of the roll-call being filled, household by household. */
struct page {
	struct db *d;
	const struct people_keys *k;
	int64_t round_id;
	int64_t after_hh, after_person;
	bool started, more;
	struct screening_missing *out;
	size_t limit, *n;
	int64_t *people;
	size_t np, cap;
};

static int collect_person(int64_t id, void *ctx)
{
	struct page *pg = ctx;
	if (pg->np == pg->cap) {
		pg->cap = pg->cap ? pg->cap * 2 : 16;
		pg->people = mu_xrealloc(pg->people, pg->cap * sizeof *pg->people);
	}
	pg->people[pg->np++] = id;
	return 0;
}

/* One household of the walk: its people without a sample or an exemption, up to the
 * page's end (then 1: the walk stops). */
static int household(const struct places_ref *h, void *ctx)
{
	struct page *pg = ctx;
	struct db *d = pg->d;
	int64_t skip_to = 0, bid = h->parent_id;
	const char *bcode = h->parent_code;
	int rc;
	if (!pg->started) {
		if (h->id != pg->after_hh)
			return 0;
		pg->started = true;
		skip_to = pg->after_person;
	}
	/* The household's people first: the checks below run their own statements. */
	pg->np = 0;
	if ((rc = people_household_members(d, h->id, skip_to, collect_person, pg)))
		return rc;
	for (size_t i = 0; i < pg->np; i++) {
		int64_t person = pg->people[i];
		if ((rc = exists2(d, sql_sampled, pg->round_id, person)) < 0)
			return rc;
		if (rc == 1)
			continue;
		if ((rc = exists2(d, sql_exempt, person, pg->round_id)) < 0)
			return rc;
		if (rc == 1)
			continue;
		if (*pg->n == pg->limit) {
			pg->more = true;
			return 1;
		}
		struct screening_missing *m = &pg->out[(*pg->n)++];
		memset(m, 0, sizeof *m);
		m->person_id = person;
		m->household_id = h->id;
		m->building_id = bid;
		snprintf(m->household, sizeof m->household, "%s", h->code);
		snprintf(m->building, sizeof m->building, "%s", bcode);
		if (pg->k) {
			struct people_person p;
			rc = people_get(d, pg->k, person, &p);
			if (rc == 0)
				snprintf(m->name, sizeof m->name, "%s", p.name);
			explicit_bzero(&p, sizeof p);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int screening_missing_list(struct db *d, const struct people_keys *k, int64_t round_id,
			   int64_t place_id, const char *cursor, struct screening_missing *out,
			   size_t limit, size_t *n, char *next)
{
	struct places_node node;
	struct page pg = {.d = d, .k = k, .round_id = round_id, .out = out, .limit = limit, .n = n};
	*n = 0;
	next[0] = '\0';
	int rc = parse_cursor(cursor, &pg.after_hh, &pg.after_person);
	if (rc || (rc = places_get(d, place_id, &node)))
		return rc;
	pg.started = pg.after_hh == 0;
	/* A household's building is its parent: the tree has one level per depth. */
	rc = places_level_walk(d, place_id, PLACES_HOUSEHOLD, household, &pg);
	if (rc < 0)
		goto out;
	rc = 0;
	if (pg.more && *n > 0)
		snprintf(next, SCREENING_CURSOR_MAX, "%" PRId64 ":%" PRId64,
			 out[*n - 1].household_id, out[*n - 1].person_id);
out:
	free(pg.people);
	return rc;
}
