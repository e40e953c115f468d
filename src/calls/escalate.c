/* escalate.c: the escalation of calls not acknowledged in time — the sweep the server
 * runs on its writer every few seconds climbs each one up the ladder (places_ladder:
 * grid → community → street → district), one step recorded per rung — and the summary
 * figures of a place's calls, read from the tallies kept on every write down to the grid,
 * and counted from the grid's calls below it. */
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "calls_int.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

/* A call the sweep looks at: what the ladder needs, and what the climb changes. */
struct due_call {
	int64_t id, place_id, unit_id, level_id, created_at, first_due, allowance;
	bool overdue;
	char category[CALLS_CATEGORY_MAX];
};

static const char sql_due[] =
    "SELECT id, place_id, unit_id, level_id, created_at, first_due, allowance, overdue, "
    "category FROM calls WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at, id "
    "LIMIT ?";

static const char sql_climb[] =
    "UPDATE calls SET level_id = ?, due = ?, next_at = ?, overdue = 1 WHERE id = ?";

/* The per-rung allowances of a call: every rung above its first holder has the call's own
 * allowance again (an urgent medical call: 30 minutes at the grid, 30 more at the
 * community, and so on), up to the district, where it stays. */
static void allowances(int64_t allowance, int64_t allow[PLACES_NLEVELS])
{
	for (int i = 0; i < PLACES_NLEVELS; i++)
		allow[i] = allowance;
}

/* Climbs c to where the ladder has it at now. */
static int climb(struct db *d, const struct due_call *c, int64_t now, int64_t *climbed)
{
	struct places_rung rungs[PLACES_NLEVELS];
	int64_t allow[PLACES_NLEVELS], path[PLACES_NLEVELS];
	int n = 0, np = 0, k = 0, rc;
	struct db_stmt *s;
	allowances(c->allowance, allow);
	if ((rc = places_ladder(d, c->unit_id, c->created_at, c->first_due, allow, PLACES_DISTRICT,
				now, rungs, &n)))
		return rc;
	while (k < n && rungs[k].place_id != c->level_id)
		k++;
	if (k == n)
		k = 0; /* the holder is no rung of the ladder any more: climb from the unit */
	for (int i = k + 1; i < n; i++) {
		if ((rc = calls__step(d, c->id, "escalated", rungs[i].from, rungs[i].place_id, NULL,
				      0)))
			return rc;
		if (climbed)
			(*climbed)++;
	}
	const struct places_rung *top = &rungs[n - 1];
	if ((rc = db_prepare(d, sql_climb, &s)))
		return rc;
	db_bind_i64(s, 1, top->place_id);
	db_bind_i64(s, 2, top->due);
	/* At the district the call stays: the sweep need not look at it again. */
	if (top->level > PLACES_DISTRICT && top->due != INT64_MAX)
		db_bind_i64(s, 3, top->due);
	else
		db_bind_null(s, 3);
	db_bind_i64(s, 4, c->id);
	rc = calls__exec(s);
	db_stmt_done(s);
	if (rc == 0 && !c->overdue && (rc = places_path(d, c->place_id, path, &np)) == 0)
		rc = calls__tally(d, path, np, c->category, 0, 1);
	return rc;
}

int calls_sweep(struct db *d, int64_t now, int64_t max, int64_t *climbed, bool *more)
{
	struct db_stmt *s;
	struct due_call *due = NULL;
	size_t n = 0, cap = 0;
	int rc;
	int64_t limit = max > 0 ? max : INT64_MAX - 1;
	if (climbed)
		*climbed = 0;
	if (more)
		*more = false;
	if ((rc = db_prepare(d, sql_due, &s)))
		return rc;
	db_bind_i64(s, 1, now);
	/* One more than asked: whether any is left. */
	db_bind_i64(s, 2, limit + 1);
	/* Read first, then climb: the updates change the index being read. */
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			due = mu_xrealloc(due, cap * sizeof *due);
		}
		struct due_call *c = &due[n++];
		c->id = db_col_i64(s, 0);
		c->place_id = db_col_i64(s, 1);
		c->unit_id = db_col_i64(s, 2);
		c->level_id = db_col_i64(s, 3);
		c->created_at = db_col_i64(s, 4);
		c->first_due = db_col_i64(s, 5);
		c->allowance = db_col_i64(s, 6);
		c->overdue = db_col_i64(s, 7) != 0;
		snprintf(c->category, sizeof c->category, "%s", db_col_text(s, 8));
	}
	db_stmt_done(s);
	if (rc == DB_DONE)
		rc = 0;
	if ((int64_t)n > limit) {
		n = (size_t)limit;
		if (more)
			*more = true;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = climb(d, &due[i], now, climbed);
	free(due);
	return rc;
}

/* ---- summary ----------------------------------------------------------------------------- */

static const char sql_tallies[] =
    "SELECT category, open, overdue FROM call_tallies WHERE place_id = ?";
static const char sql_count[] =
    "SELECT COUNT(*) FROM call_times WHERE place_id = ? AND kind = ? AND day = ?";
static const char sql_middle[] = "SELECT secs FROM call_times WHERE place_id = ? AND kind = ? "
				 "AND day = ? ORDER BY secs LIMIT 2 OFFSET ?";

/* The count of kind's times of place on day, and their median (-1 when none). */
static int times_of(struct db *d, int64_t place, int kind, int64_t day, int64_t *count,
		    int64_t *median)
{
	struct db_stmt *s;
	int64_t v[2] = {0, 0};
	int got = 0;
	int rc = db_prepare(d, sql_count, &s);
	*median = -1;
	if (rc)
		return rc;
	db_bind_i64(s, 1, place);
	db_bind_i64(s, 2, kind);
	db_bind_i64(s, 3, day);
	rc = db_step(s);
	*count = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_stmt_done(s);
	if (rc < 0)
		return rc;
	if (*count == 0)
		return 0;
	if ((rc = db_prepare(d, sql_middle, &s)))
		return rc;
	db_bind_i64(s, 1, place);
	db_bind_i64(s, 2, kind);
	db_bind_i64(s, 3, day);
	db_bind_i64(s, 4, (*count - 1) / 2);
	while (got < 2 && (rc = db_step(s)) == DB_ROW)
		v[got++] = db_col_i64(s, 0);
	db_stmt_done(s);
	if (rc < 0)
		return rc;
	*median = *count % 2 || got < 2 ? v[0] : (v[0] + v[1]) / 2;
	return 0;
}

/* ---- below the grid: one scan of the grid's calls ------------------------------------ */

static const char sql_grid_calls[] =
    "SELECT place_id, category, closed, overdue, created_at, COALESCE(acked_at, 0), "
    "COALESCE(closed_at, 0) FROM calls WHERE grid_id = ?";

struct below_place {
	int64_t id;
	size_t at; /* its index in the caller's order */
};

struct secs {
	int64_t *v;
	size_t n, cap;
};

static int cmp_below(const void *a, const void *b)
{
	const struct below_place *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_secs(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void secs_push(struct secs *x, int64_t v)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 8;
		x->v = mu_xrealloc(x->v, x->cap * sizeof *x->v);
	}
	x->v[x->n++] = v < 0 ? 0 : v;
}

/* The median of x (sorted here) as times_of reads it from call_times; -1 when empty. */
static int64_t secs_median(struct secs *x)
{
	if (x->n == 0)
		return -1;
	qsort(x->v, x->n, sizeof *x->v, cmp_secs);
	size_t m = (x->n - 1) / 2;
	return x->n % 2 ? x->v[m] : (x->v[m] + x->v[m + 1]) / 2;
}

int calls_summary_below(struct db *d, int64_t grid, int level, const int64_t *places, size_t n,
			int64_t now, struct calls_summary *out)
{
	struct db_stmt *s = NULL;
	int64_t path[PLACES_NLEVELS], day = calls__day(now);
	int np = 0;
	MU_ASSERT(level > PLACES_GRID && level < PLACES_NLEVELS);
	struct below_place *sorted = mu_xmalloc((n ? n : 1) * sizeof *sorted);
	struct secs *ack = mu_xcalloc(n ? n : 1, sizeof *ack);
	struct secs *close = mu_xcalloc(n ? n : 1, sizeof *close);
	for (size_t i = 0; i < n; i++) {
		sorted[i] = (struct below_place){places[i], i};
		memset(&out[i], 0, sizeof out[i]);
	}
	qsort(sorted, n, sizeof *sorted, cmp_below);
	int rc = n ? db_prepare(d, sql_grid_calls, &s) : 0;
	if (s)
		db_bind_i64(s, 1, grid);
	while (s && (rc = db_step(s)) == DB_ROW) {
		int rc2 = places_path(d, db_col_i64(s, 0), path, &np);
		if (rc2) {
			rc = rc2;
			break;
		}
		if (np <= level)
			continue; /* logged at a building, asked of its households */
		struct below_place key = {.id = path[level]};
		const struct below_place *hit = bsearch(&key, sorted, n, sizeof *sorted, cmp_below);
		int cat = calls__category_index(db_col_text(s, 1));
		if (!hit || cat < 0)
			continue;
		struct calls_summary *o = &out[hit->at];
		int64_t created = db_col_i64(s, 4), acked = db_col_i64(s, 5),
			closed = db_col_i64(s, 6);
		if (!db_col_i64(s, 2)) {
			o->cat_open[cat]++;
			o->open++;
			if (db_col_i64(s, 3)) {
				o->cat_overdue[cat]++;
				o->overdue++;
			}
		}
		if (acked && calls__day(acked) == day)
			secs_push(&ack[hit->at], acked - created);
		if (db_col_i64(s, 2) && closed && calls__day(closed) == day)
			secs_push(&close[hit->at], closed - created);
	}
	db_stmt_done(s);
	if (rc == DB_DONE)
		rc = 0;
	for (size_t i = 0; i < n; i++) {
		out[i].median_ack_s = secs_median(&ack[i]);
		out[i].closed_today = (int64_t)close[i].n;
		out[i].median_close_s = secs_median(&close[i]);
		free(ack[i].v);
		free(close[i].v);
	}
	free(ack);
	free(close);
	free(sorted);
	return rc;
}

int calls_summary_get(struct db *d, int64_t place, int64_t now, struct calls_summary *out)
{
	struct db_stmt *s;
	int64_t acked = 0, path[PLACES_NLEVELS];
	int n = 0;
	int rc = places_path(d, place, path, &n);
	memset(out, 0, sizeof *out);
	if (rc)
		return rc;
	if (n > CALLS_KEPT_LEVELS)
		return calls_summary_below(d, path[PLACES_GRID], n - 1, &place, 1, now, out);
	if ((rc = db_prepare(d, sql_tallies, &s)))
		return rc;
	db_bind_i64(s, 1, place);
	while ((rc = db_step(s)) == DB_ROW) {
		int i = calls__category_index(db_col_text(s, 0));
		if (i < 0)
			continue;
		out->cat_open[i] = db_col_i64(s, 1);
		out->cat_overdue[i] = db_col_i64(s, 2);
		out->open += out->cat_open[i];
		out->overdue += out->cat_overdue[i];
	}
	db_stmt_done(s);
	if (rc < 0)
		return rc;
	int64_t day = calls__day(now);
	if ((rc = times_of(d, place, 0, day, &acked, &out->median_ack_s)))
		return rc;
	return times_of(d, place, 1, day, &out->closed_today, &out->median_close_s);
}
