/* person.c: one person's screening — for each round that covers their household, the
 * samples scanned of them (tube, site, the tube's result), their recall and exemption,
 * and the status that answers "has this person been tested?". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening.h"

static const char *const status_names[] = {"not_sampled",    "exempt",	"awaiting_result",
					   "negative",	     "invalid", "recall_pending",
					   "recall_sampled", "positive"};

const char *screening_person_status_name(int s)
{
	return s >= 0 && s <= SCREENING_PERSON_POSITIVE ? status_names[s] : NULL;
}

static const char sql_samples[] =
    "SELECT s.sampled_at, s.is_repeat, t.barcode, t.capacity, t.single, t.state, "
    "coalesce(t.result, -1), coalesce(t.resulted_at, 0), si.name "
    "FROM samples s JOIN tubes t ON t.id = s.tube_id JOIN sites si ON si.id = t.site_id "
    "WHERE s.round_id = ?1 AND s.person_id = ?2 ORDER BY s.sampled_at, s.id";

static const char sql_exempt[] =
    "SELECT reason FROM exemptions WHERE person_id = ?1 AND (round_id = ?2 OR round_id IS NULL) "
    "ORDER BY round_id IS NULL, id DESC LIMIT 1";

int screening_person_status(const struct screening_person_round *pr)
{
	if (pr->has_recall) {
		switch (pr->recall.state) {
		case SCREENING_RECALL_PENDING:
			return SCREENING_PERSON_RECALL_PENDING;
		case SCREENING_RECALL_SAMPLED:
			return SCREENING_PERSON_RECALL_SAMPLED;
		case SCREENING_RECALL_NEGATIVE:
			return SCREENING_PERSON_NEGATIVE;
		default:
			return SCREENING_PERSON_POSITIVE;
		}
	}
	if (pr->nsamples > 0) {
		/* The last sample speaks: a re-swab after an invalid tube replaces it. */
		const struct screening_person_sample *s = &pr->samples[pr->nsamples - 1];
		if (s->tube_state != SCREENING_TUBE_RESULTED)
			return SCREENING_PERSON_AWAITING;
		if (s->result == SCREENING_RESULT_NEGATIVE)
			return SCREENING_PERSON_NEGATIVE;
		if (s->result == SCREENING_RESULT_POSITIVE)
			return SCREENING_PERSON_POSITIVE;
		return SCREENING_PERSON_INVALID;
	}
	return pr->exempt_reason >= 0 ? SCREENING_PERSON_EXEMPT : SCREENING_PERSON_NOT_SAMPLED;
}

/* Reads what round rd holds of person into pr. */
static int read_round(struct db *d, const struct screening_round *rd, int64_t person,
		      struct screening_person_round *pr)
{
	struct db_stmt *st = NULL;
	int rc;
	memset(pr, 0, sizeof *pr);
	pr->round = *rd;
	pr->exempt_reason = -1;
	if ((rc = db_prepare(d, sql_samples, &st)))
		return rc;
	db_bind_i64(st, 1, rd->id);
	db_bind_i64(st, 2, person);
	while ((rc = db_step(st)) == DB_ROW) {
		if (pr->nsamples == SCREENING_PERSON_SAMPLES_MAX) {
			pr->more_samples = true;
			continue;
		}
		struct screening_person_sample *s = &pr->samples[pr->nsamples++];
		s->sampled_at = db_col_i64(st, 0);
		s->repeat = db_col_i64(st, 1) != 0;
		snprintf(s->barcode, sizeof s->barcode, "%s", db_col_text(st, 2));
		s->capacity = (int)db_col_i64(st, 3);
		s->single = db_col_i64(st, 4) != 0;
		s->tube_state = (int)db_col_i64(st, 5);
		s->result = (int)db_col_i64(st, 6);
		s->resulted_at = db_col_i64(st, 7);
		snprintf(s->site, sizeof s->site, "%s", db_col_text(st, 8));
	}
	db_stmt_done(st);
	if (rc < 0)
		return rc;
	rc = screening_recall_get(d, rd->id, person, &pr->recall);
	if (rc == 0)
		pr->has_recall = true;
	else if (rc != MU_ENOTFOUND)
		return rc;
	if ((rc = db_prepare(d, sql_exempt, &st)))
		return rc;
	db_bind_i64(st, 1, person);
	db_bind_i64(st, 2, rd->id);
	rc = db_step(st);
	if (rc == DB_ROW)
		pr->exempt_reason = (int)db_col_i64(st, 0);
	db_stmt_done(st);
	if (rc < 0)
		return rc;
	pr->status = screening_person_status(pr);
	return 0;
}

struct rounds_of {
	const int64_t *path;
	int npath, max, n;
	struct screening_round *rounds;
};

static int keep_round(const struct screening_round *rd, void *ctx)
{
	struct rounds_of *ro = ctx;
	for (int i = 0; i < ro->npath; i++)
		if (ro->path[i] == rd->scope_place_id) {
			ro->rounds[ro->n++] = *rd;
			break;
		}
	return ro->n == ro->max;
}

int screening_person_history(struct db *d, int64_t person, int max_rounds,
			     int (*fn)(const struct screening_person_round *pr, void *ctx),
			     void *ctx)
{
	int64_t hh, path[PLACES_NLEVELS];
	int npath, rc;
	struct screening_round *rounds = NULL;
	struct screening_person_round *pr = NULL;
	if (max_rounds <= 0)
		return 0;
	if ((rc = people_household_of(d, person, &hh)) || (rc = places_path(d, hh, path, &npath)))
		return rc;
	rounds = mu_xcalloc((size_t)max_rounds, sizeof *rounds);
	struct rounds_of ro = {.path = path, .npath = npath, .max = max_rounds, .rounds = rounds};
	rc = screening_round_list(d, keep_round, &ro);
	if (rc < 0)
		goto out;
	pr = mu_xmalloc(sizeof *pr);
	rc = 0;
	for (int i = 0; i < ro.n && rc == 0; i++)
		if ((rc = read_round(d, &rounds[i], person, pr)) == 0)
			rc = fn(pr, ctx);
out:
	free(rounds);
	free(pr);
	return rc;
}

/* ---- tested negative within a window (control's zone proposals) ------------------------ */

static const char sql_negative_in[] =
    "SELECT 1 FROM samples s JOIN tubes t ON t.id = s.tube_id"
    " WHERE s.round_id = ?1 AND s.person_id = ?2 AND s.sampled_at >= ?3 AND s.sampled_at <= ?4"
    " AND t.state = 3 AND t.result = 0 AND t.resulted_at <= ?4 LIMIT 1";

struct round_ids {
	int64_t *ids;
	size_t n, cap;
	int64_t since;
};

/* Keeps the rounds that may hold a sample taken at or after since: open ones, and those
 * closed since (no scan is taken after a round closes). */
static int keep_round_id(const struct screening_round *r, void *ctx)
{
	struct round_ids *ro = ctx;
	if (r->closed_at && r->closed_at < ro->since)
		return 0;
	if (ro->n == ro->cap) {
		ro->cap = ro->cap ? ro->cap * 2 : 16;
		ro->ids = mu_xrealloc(ro->ids, ro->cap * sizeof *ro->ids);
	}
	ro->ids[ro->n++] = r->id;
	return 0;
}

int screening_negative_within(struct db *d, const int64_t *persons, size_t n, int64_t since,
			      int64_t until, bool *negative, size_t *count)
{
	struct round_ids ro = {.since = since};
	struct db_stmt *st = NULL;
	size_t c = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		negative[i] = false;
	if (n == 0 || (rc = screening_round_list(d, keep_round_id, &ro)) < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		for (size_t k = 0; k < ro.n && !negative[i]; k++) {
			if ((rc = db_prepare(d, sql_negative_in, &st)))
				break;
			db_bind_i64(st, 1, ro.ids[k]);
			db_bind_i64(st, 2, persons[i]);
			db_bind_i64(st, 3, since);
			db_bind_i64(st, 4, until);
			rc = db_step(st);
			db_stmt_done(st);
			if (rc < 0)
				break;
			negative[i] = rc == DB_ROW;
			c += negative[i];
			rc = 0;
		}
out:
	free(ro.ids);
	if (count)
		*count = c;
	return rc;
}
