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

/* The households of a subtree depth-first by the path of codes, each with the
 * building above it. */
static const char sql_households[] =
	"WITH RECURSIVE t(path, id, level, code, bid, bcode) AS ("
	" SELECT code, id, level, code, CASE WHEN level = 6 THEN id ELSE 0 END,"
	"  CASE WHEN level = 6 THEN code ELSE '' END FROM places WHERE id = ?1"
	" UNION ALL SELECT t.path || char(1) || c.code, c.id, c.level, c.code,"
	"  CASE WHEN c.level = 6 THEN c.id ELSE t.bid END,"
	"  CASE WHEN c.level = 6 THEN c.code ELSE t.bcode END"
	" FROM places c JOIN t ON c.parent_id = t.id WHERE t.level < 7 ORDER BY 1)"
	" SELECT id, code, bid, bcode FROM t WHERE level = 7";
static const char sql_people_of[] = "SELECT id FROM people WHERE household_id = ? ORDER BY id";
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
	strcpy(b, colon + 1);
	if (mu_parse_i64(a, hh) || mu_parse_i64(b, person) || *hh <= 0 || *person <= 0)
		return MU_EINVAL;
	return 0;
}

struct hh_row {
	int64_t id, bid;
	char code[PLACES_CODE_MAX + 1], bcode[PLACES_CODE_MAX + 1];
};

int screening_missing_list(struct db *d, const struct people_keys *k, int64_t round_id,
			   int64_t place_id, const char *cursor, struct screening_missing *out,
			   size_t limit, size_t *n, char *next)
{
	int64_t after_hh, after_person;
	int64_t *people = NULL;
	size_t cap = 0;
	struct db_stmt *hs = NULL;
	struct places_node node;
	bool more = false, started;
	*n = 0;
	next[0] = '\0';
	int rc = parse_cursor(cursor, &after_hh, &after_person);
	if (rc || (rc = places_get(d, place_id, &node)))
		return rc;
	started = after_hh == 0;
	if ((rc = db_prepare(d, sql_households, &hs)))
		return rc;
	db_bind_i64(hs, 1, place_id);
	while (!more && (rc = db_step(hs)) == DB_ROW) {
		struct hh_row h = {.id = db_col_i64(hs, 0), .bid = db_col_i64(hs, 2)};
		snprintf(h.code, sizeof h.code, "%s", db_col_text(hs, 1));
		snprintf(h.bcode, sizeof h.bcode, "%s", db_col_text(hs, 3));
		int64_t skip_to = 0;
		if (!started) {
			if (h.id != after_hh)
				continue;
			started = true;
			skip_to = after_person;
		}
		if (!h.bid && node.level == PLACES_HOUSEHOLD) {
			struct places_node b;
			if ((rc = places_get(d, node.parent_id, &b)))
				goto out;
			h.bid = b.id;
			snprintf(h.bcode, sizeof h.bcode, "%s", b.code);
		}
		/* The household's people first: the checks below run their own statements. */
		size_t np = 0;
		struct db_stmt *ps;
		if ((rc = db_prepare(d, sql_people_of, &ps)))
			goto out;
		db_bind_i64(ps, 1, h.id);
		while ((rc = db_step(ps)) == DB_ROW) {
			if (np == cap) {
				cap = cap ? cap * 2 : 16;
				people = mu_xrealloc(people, cap * sizeof *people);
			}
			people[np++] = db_col_i64(ps, 0);
		}
		db_stmt_done(ps);
		if (rc < 0)
			goto out;
		for (size_t i = 0; i < np; i++) {
			if (people[i] <= skip_to)
				continue;
			if ((rc = exists2(d, sql_sampled, round_id, people[i])) < 0)
				goto out;
			if (rc == 1)
				continue;
			if ((rc = exists2(d, sql_exempt, people[i], round_id)) < 0)
				goto out;
			if (rc == 1)
				continue;
			if (*n == limit) {
				more = true;
				break;
			}
			struct screening_missing *m = &out[(*n)++];
			memset(m, 0, sizeof *m);
			m->person_id = people[i];
			m->household_id = h.id;
			m->building_id = h.bid;
			snprintf(m->household, sizeof m->household, "%s", h.code);
			snprintf(m->building, sizeof m->building, "%s", h.bcode);
			if (k) {
				struct people_person p;
				rc = people_get(d, k, people[i], &p);
				if (rc == 0)
					snprintf(m->name, sizeof m->name, "%s", p.name);
				explicit_bzero(&p, sizeof p);
				if (rc)
					goto out;
			}
		}
	}
	if (rc < 0)
		goto out;
	rc = 0;
	if (more && *n > 0)
		snprintf(next, SCREENING_CURSOR_MAX, "%" PRId64 ":%" PRId64, out[*n - 1].household_id,
			 out[*n - 1].person_id);
out:
	db_stmt_done(hs);
	free(people);
	return rc;
}
