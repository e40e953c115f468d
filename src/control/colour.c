/* colour.c: the health code's colour of a person (§6, Guangdong's rules) — its reasons
 * computed from the key statuses, plans and tests on the writer, stored in
 * code_colours, and the people whose colour just changed queued for the codebook
 * (people_api_colour_set, applied by control's api after the commit). */
#include <pthread.h>
#include <string.h>

#include <jansson.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "screening/screening.h"

static const char sql_statuses[] =
    "SELECT id, kind FROM key_statuses WHERE person_id = ? AND ended_at IS NULL";
static const char sql_plan_of[] =
    "SELECT phases, ended_at IS NOT NULL FROM plans WHERE status_id = ? "
    "ORDER BY id DESC LIMIT 1";
static const char sql_missed[] =
    "SELECT max(due) FROM plan_tests WHERE person_id = ? AND state = 'missed'";
static const char sql_negatives[] =
    "SELECT taken_at FROM plan_tests WHERE person_id = ? AND state = 'negative' "
    "AND taken_at IS NOT NULL";
static const char sql_get[] = "SELECT colour, reasons, since FROM code_colours WHERE person_id = ?";
static const char sql_put[] =
    "INSERT INTO code_colours (person_id, colour, reasons, since) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (person_id) DO UPDATE SET colour = excluded.colour, "
    "reasons = excluded.reasons, since = CASE WHEN colour = excluded.colour THEN since "
    "ELSE excluded.since END";
static const char sql_each[] = "SELECT person_id, reasons FROM code_colours WHERE colour > 0";

int control__colour_of(unsigned reasons)
{
	return reasons & PEOPLE_REASONS_RED ? 2 : reasons & PEOPLE_REASONS_YELLOW ? 1 : 0;
}

/* The kind of the phase of phases (plans.phases JSON) on day today: 0.. a phase, -1
 * before the first (the days before day 1 count as the first phase), -2 after the last. */
static int phase_on(const char *phases, int64_t today)
{
	json_t *a = json_loads(phases, 0, NULL), *ph;
	size_t i;
	int kind = -2, first = -2;
	json_array_foreach(a, i, ph)
	{
		int64_t from, to = -1;
		int k;
		const char *tt = json_string_value(json_object_get(ph, "to"));
		if (mu_date_parse(json_string_value(json_object_get(ph, "from")), &from) ||
		    control_phase_parse(json_string_value(json_object_get(ph, "kind")), &k) ||
		    (tt && mu_date_parse(tt, &to)))
			continue;
		if (i == 0) {
			first = k;
			if (today < from) {
				kind = k;
				break;
			}
		}
		if (today >= from && (!tt || today <= to)) {
			kind = k;
			break;
		}
	}
	(void)first;
	json_decref(a);
	return kind;
}

static unsigned red_of(const char *kind)
{
	return strcmp(kind, "close") == 0	? PEOPLE_REASON_CLOSE
	       : strcmp(kind, "secondary") == 0 ? PEOPLE_REASON_SECONDARY
						: PEOPLE_REASON_SEALED;
}

/* The reason a plan-bearing status (close, secondary, sealed) gives on today. */
static int status_reason(struct db *d, int64_t status, const char *kind, int64_t today,
			 unsigned *reasons)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql_plan_of, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, status);
	rc = db_step(st);
	if (rc == DB_DONE) /* no plan for this kind: the status alone decides */
		*reasons |= red_of(kind);
	else if (rc == DB_ROW && !db_col_i64(st, 1)) {
		int ph = phase_on(db_col_text(st, 0), today);
		if (ph == CONTROL_PHASE_HOME_MONITORING)
			*reasons |= PEOPLE_REASON_MONITORING;
		else if (ph != -2)
			*reasons |= red_of(kind);
	}
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

struct negs {
	int64_t *t;
	size_t n, cap;
	int64_t after; /* only samples taken on a day after this one count */
};

static void negs_add(struct negs *g, int64_t t)
{
	if (control_gz_day(t) <= g->after)
		return;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->t = mu_xrealloc(g->t, g->cap * sizeof *g->t);
	}
	g->t[g->n++] = t;
}

static int round_negs(const struct screening_person_round *pr, void *ctx)
{
	for (int i = 0; i < pr->nsamples; i++)
		if (pr->samples[i].result == SCREENING_RESULT_NEGATIVE)
			negs_add(ctx, pr->samples[i].sampled_at);
	return 0;
}

/* Two negative tests at least 24 h and at most 3 days apart. */
static bool two_negatives(const struct negs *g)
{
	for (size_t i = 0; i < g->n; i++)
		for (size_t j = 0; j < g->n; j++) {
			int64_t gap = g->t[j] - g->t[i];
			if (gap >= 24 * 3600 && gap <= 3 * 24 * 3600)
				return true;
		}
	return false;
}

/* Yellow for a missed plan test, until two negatives after its day clear it. */
static int missed_reason(struct db *d, int64_t person, unsigned *reasons)
{
	struct db_stmt *st;
	struct negs g = {0};
	int64_t due;
	int rc = db_prepare(d, sql_missed, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, person);
	rc = db_step(st);
	bool missed =
	    rc == DB_ROW && !db_col_null(st, 0) && mu_date_parse(db_col_text(st, 0), &due) == 0;
	db_stmt_done(st);
	if (rc < 0 || !missed)
		return rc < 0 ? rc : 0;
	g.after = due;
	if ((rc = db_prepare(d, sql_negatives, &st)))
		return rc;
	db_bind_i64(st, 1, person);
	while ((rc = db_step(st)) == DB_ROW)
		negs_add(&g, db_col_i64(st, 0));
	db_stmt_done(st);
	if (rc >= 0)
		rc = screening_person_history(d, person, 3, round_negs, &g);
	if (rc == MU_ENOTFOUND)
		rc = 0;
	if (rc >= 0 && !two_negatives(&g))
		*reasons |= PEOPLE_REASON_MISSED_TEST;
	free(g.t);
	return rc < 0 ? rc : 0;
}

int control__colour_compute(struct db *d, int64_t person, int64_t now, unsigned *reasons)
{
	struct db_stmt *st;
	int64_t today = control_gz_day(now), ids[16];
	char kinds[16][16];
	size_t n = 0;
	int rc = db_prepare(d, sql_statuses, &st);
	*reasons = 0;
	if (rc)
		return rc;
	db_bind_i64(st, 1, person);
	while ((rc = db_step(st)) == DB_ROW && n < 16) {
		ids[n] = db_col_i64(st, 0);
		snprintf(kinds[n++], sizeof kinds[0], "%s", db_col_text(st, 1));
	}
	db_stmt_done(st);
	if (rc < 0)
		return rc;
	/* At most one status of each kind is in force (key_start): 16 is room to spare. */
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (strcmp(kinds[i], "case") == 0)
			*reasons |= PEOPLE_REASON_CASE;
		else if (strcmp(kinds[i], "pool_positive") == 0)
			*reasons |= PEOPLE_REASON_POOL_POSITIVE;
		else
			rc = status_reason(d, ids[i], kinds[i], today, reasons);
	}
	if (rc == 0)
		rc = missed_reason(d, person, reasons);
	return rc;
}

/* ---- the queue of changed people for the codebook --------------------------------------- */

#define DIRTY_KEEP_MS 3000 /* re-applied for this long: a reader sees it after its commit */

static pthread_mutex_t dirty_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int64_t person, ms;
} * dirty;
static size_t ndirty, dirty_cap;

static void dirty_add(int64_t person)
{
	int64_t ms = (int64_t)(mu_now_mono() * 1000);
	pthread_mutex_lock(&dirty_lock);
	if (ndirty == dirty_cap) {
		dirty_cap = dirty_cap ? dirty_cap * 2 : 1024;
		dirty = mu_xrealloc(dirty, dirty_cap * sizeof *dirty);
	}
	dirty[ndirty].person = person;
	dirty[ndirty++].ms = ms;
	pthread_mutex_unlock(&dirty_lock);
}

void control__colour_drain(int64_t now_ms, void (*fn)(int64_t person, void *ctx), void *ctx)
{
	size_t keep = 0, n;
	int64_t *people;
	/* Copied under the lock and applied outside it: fn reads the database, and the
	 * writer must not wait on the lock meanwhile. */
	pthread_mutex_lock(&dirty_lock);
	n = ndirty;
	people = mu_xmalloc((n ? n : 1) * sizeof *people);
	for (size_t i = 0; i < ndirty; i++) {
		people[i] = dirty[i].person;
		if (now_ms - dirty[i].ms < DIRTY_KEEP_MS)
			dirty[keep++] = dirty[i];
	}
	ndirty = keep;
	pthread_mutex_unlock(&dirty_lock);
	for (size_t i = 0; i < n; i++)
		fn(people[i], ctx);
	free(people);
}

static void reasons_text(unsigned reasons, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (int b = 0; b < PEOPLE_REASONS_N; b++)
		if (reasons & (1u << b) && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
						people_reason_code(b));
}

int control_colour_get(struct db *d, int64_t person, int *colour, unsigned *reasons, int64_t *since)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql_get, &st);
	*colour = 0;
	*reasons = 0;
	*since = 0;
	if (rc)
		return rc;
	db_bind_i64(st, 1, person);
	if ((rc = db_step(st)) == DB_ROW) {
		*colour = (int)db_col_i64(st, 0);
		*reasons = people_reasons_parse(db_col_text(st, 1));
		*since = db_col_i64(st, 2);
	}
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int control__colour_update(struct db *d, int64_t person, int64_t now, bool *changed)
{
	struct db_stmt *st;
	unsigned reasons, old_reasons;
	int old_colour, colour;
	int64_t since;
	char text[256];
	int rc = control__colour_compute(d, person, now, &reasons);
	*changed = false;
	if (rc || (rc = control_colour_get(d, person, &old_colour, &old_reasons, &since)))
		return rc;
	colour = control__colour_of(reasons);
	if (reasons == old_reasons && colour == old_colour)
		return 0;
	reasons_text(reasons, text, sizeof text);
	if ((rc = db_prepare(d, sql_put, &st)))
		return rc;
	db_bind_i64(st, 1, person);
	db_bind_i64(st, 2, colour);
	db_bind_text(st, 3, text, -1);
	db_bind_i64(st, 4, now);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc < 0)
		return rc;
	*changed = true;
	dirty_add(person);
	return 0;
}

int control_colour_each(struct db *d, int (*fn)(int64_t person, unsigned reasons, void *ctx),
			void *ctx)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql_each, &st);
	if (rc)
		return rc;
	while ((rc = db_step(st)) == DB_ROW)
		if ((rc = fn(db_col_i64(st, 0), people_reasons_parse(db_col_text(st, 1)), ctx)))
			break;
	db_stmt_done(st);
	return rc < 0 || rc > DB_ROW ? rc : 0;
}
