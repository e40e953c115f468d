/* progress.c: a round's progress figures — sampling rate (last hour and overall), tubes
 * through each stage, results by outcome, the lab backlog, sample-to-result turnaround
 * and a projected completion time — read from indexes so that a whole-city round
 * (18.7 M samples, 1.87 M tubes) answers quickly. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core.h"
#include "db/db.h"
#include "places/places.h"
#include "screening.h"

/* Index-only over tubes_round_state: one entry per tube of the round. The samples of
 * the round are the sum of its tubes' n (ten times fewer entries than samples). */
static const char sql_tube_counts[] = "SELECT state, result, n, count(*) FROM tubes"
				      " WHERE round_id = ? GROUP BY state, result, n";
/* Index-only over samples_round_at. */
static const char sql_sample_first[] =
    "SELECT sampled_at FROM samples WHERE round_id = ? ORDER BY sampled_at LIMIT 1";
static const char sql_sample_last[] =
    "SELECT sampled_at FROM samples WHERE round_id = ? ORDER BY sampled_at DESC LIMIT 1";
static const char sql_sample_since[] =
    "SELECT count(*) FROM samples WHERE round_id = ? AND sampled_at > ? AND sampled_at <= ?";
/* 混管阳性 as tubes: few rows, reached through tubes_round_state. */
static const char sql_pool_positive[] =
    "SELECT count(*) FROM tubes WHERE round_id = ? AND state = 3 AND result = 1"
    " AND single = 0 AND capacity > 1";
/* Turnaround: every resulted tube when few, else probes by id within each (outcome, n)
 * group of tubes_round_state (the rowid ends each entry, so each probe is a seek). */
static const char sql_turn_all[] =
    "SELECT resulted_at - opened_at FROM tubes WHERE round_id = ? AND state = 3";
static const char sql_turn_lo[] = "SELECT id FROM tubes WHERE round_id = ? AND state = 3"
				  " AND result = ? AND n = ? ORDER BY id LIMIT 1";
static const char sql_turn_hi[] = "SELECT id FROM tubes WHERE round_id = ? AND state = 3"
				  " AND result = ? AND n = ? ORDER BY id DESC LIMIT 1";
static const char sql_turn_probe[] =
    "SELECT resulted_at - opened_at FROM tubes WHERE round_id = ? AND state = 3"
    " AND result = ? AND n = ? AND id >= ? ORDER BY id LIMIT 1";

/* The resulted tubes of one outcome and fill. */
struct group {
	int64_t result, n, count;
};
#define GROUPS_MAX 64 /* 3 outcomes × n in 1..20, with room */
/* Probes: the sample, plus at most one rounded up per group. */
#define VALUES_MAX (SCREENING_PROGRESS_SAMPLE + GROUPS_MAX)

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* One int64 from a statement with up to four int64 parameters; 0 when NULL or no row. */
static int one_i64(struct db *d, const char *sql, int np, int64_t a, int64_t b, int64_t c,
		   int64_t e, int64_t *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	const int64_t v[4] = {a, b, c, e};
	for (int i = 0; i < np; i++)
		db_bind_i64(s, i + 1, v[i]);
	*out = 0;
	rc = db_step(s);
	if (rc == DB_ROW) {
		*out = db_col_null(s, 0) ? 0 : db_col_i64(s, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = 0;
	}
	db_stmt_done(s);
	return rc;
}

static int tube_counts(struct db *d, int64_t round_id, struct screening_progress *p,
		       struct group *g, size_t *ng)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_tube_counts, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, round_id);
	*ng = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		int state = (int)db_col_i64(s, 0);
		int result = db_col_null(s, 1) ? -1 : (int)db_col_i64(s, 1);
		int64_t fill = db_col_i64(s, 2), n = db_col_i64(s, 3);
		p->samples += fill * n;
		p->opened += n;
		if (state >= SCREENING_TUBE_SEALED)
			p->sealed += n;
		if (state >= SCREENING_TUBE_RECEIVED)
			p->received += n;
		if (state == SCREENING_TUBE_SEALED)
			p->backlog_sealed += n;
		if (state == SCREENING_TUBE_RECEIVED)
			p->backlog_received += n;
		if (state == SCREENING_TUBE_RESULTED && result >= 0 && result < 3) {
			p->resulted += n;
			p->by_result[result] += n;
			MU_ASSERT(*ng < GROUPS_MAX); /* CHECKs bound result and n */
			g[(*ng)++] = (struct group){.result = result, .n = fill, .count = n};
		}
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* Fills v (capacity VALUES_MAX) with turnarounds; *n gets the count. */
static int turnarounds(struct db *d, int64_t round_id, const struct screening_progress *p,
		       const struct group *g, size_t ng, int64_t *v, size_t *n)
{
	struct db_stmt *s;
	int rc = 0;
	*n = 0;
	if (p->resulted <= SCREENING_PROGRESS_SAMPLE) {
		if ((rc = db_prepare(d, sql_turn_all, &s)))
			return rc;
		db_bind_i64(s, 1, round_id);
		while ((rc = db_step(s)) == DB_ROW && *n < SCREENING_PROGRESS_SAMPLE)
			v[(*n)++] = db_col_i64(s, 0);
		db_stmt_done(s);
		return rc == DB_DONE || rc == DB_ROW ? 0 : rc;
	}
	/* Probes spread evenly over each group's id range, in proportion to its count:
	 * tubes are written in sampling order, so this samples across the whole round. */
	for (size_t k = 0; k < ng && rc == 0; k++) {
		int64_t c = g[k].count, lo, hi;
		int64_t m = c * SCREENING_PROGRESS_SAMPLE / p->resulted;
		if (m < 1)
			m = 1;
		if ((rc = one_i64(d, sql_turn_lo, 3, round_id, g[k].result, g[k].n, 0, &lo)) ||
		    (rc = one_i64(d, sql_turn_hi, 3, round_id, g[k].result, g[k].n, 0, &hi)))
			break;
		for (int64_t j = 0; j < m && *n < VALUES_MAX; j++) {
			int64_t id =
			    m == 1
				? lo
				: lo + (int64_t)((double)(hi - lo) * (double)j / (double)(m - 1));
			if ((rc = one_i64(d, sql_turn_probe, 4, round_id, g[k].result, g[k].n, id,
					  &v[*n])))
				break;
			(*n)++;
		}
	}
	return rc;
}

/* The nearest-rank percentile of sorted v[0..n): the value at rank ceil(q·n). */
static double nearest_rank(const int64_t *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);
	return (double)v[rank ? rank - 1 : 0];
}

/* The figures of GET /api/v1/rounds/{id}/progress and `muster round report` (contract
 * in screening.h). */
int screening_progress_get(struct db *d, int64_t round_id, int64_t now,
			   const struct screening_counts *scope, struct screening_progress *out)
{
	struct screening_round r;
	struct group g[GROUPS_MAX];
	size_t ng = 0;
	int64_t *v = NULL;
	size_t n = 0;
	int rc;
	memset(out, 0, sizeof *out);
	out->round_id = round_id;
	out->now = now;
	out->turnaround_p50 = out->turnaround_p90 = -1;
	out->remaining = -1;
	/* One snapshot for every figure, unless the caller already holds one. */
	bool own = db_tx_depth(d) == 0;
	if (own && (rc = db_read_begin(d)))
		return rc;
	if ((rc = screening_round_get(d, round_id, &r)) ||
	    (rc = tube_counts(d, round_id, out, g, &ng)) ||
	    (rc = one_i64(d, sql_sample_first, 1, round_id, 0, 0, 0, &out->first_sample_at)) ||
	    (rc = one_i64(d, sql_sample_last, 1, round_id, 0, 0, 0, &out->last_sample_at)) ||
	    (rc = one_i64(d, sql_sample_since, 3, round_id, now - 3600, now, 0,
			  &out->samples_last_hour)) ||
	    (rc = one_i64(d, sql_pool_positive, 1, round_id, 0, 0, 0, &out->pool_positive_tubes)))
		goto out;
	v = mu_xmalloc(VALUES_MAX * sizeof *v);
	if ((rc = turnarounds(d, round_id, out, g, ng, v, &n)))
		goto out;
	out->turnaround_n = (int64_t)n;
	out->turnaround_exact = out->resulted <= SCREENING_PROGRESS_SAMPLE;
	if (n) {
		qsort(v, n, sizeof *v, cmp_i64);
		out->turnaround_p50 = nearest_rank(v, n, 0.5);
		out->turnaround_p90 = nearest_rank(v, n, 0.9);
	}
	/* In the round's first hour the last hour holds less than an hour of sampling: the
	 * rate is over the time since the first sample (12:30 of a round begun at 12:00
	 * projected 17:22 for a round that ended at 12:38). */
	out->rate_window_s = 3600;
	if (out->first_sample_at && now - out->first_sample_at < 3600)
		out->rate_window_s = now - out->first_sample_at;
	out->estimating = out->samples && out->rate_window_s < SCREENING_PROGRESS_WARMUP_S;
	out->rate_last_hour = (double)out->samples_last_hour * 3600.0 /
			      (double)(out->rate_window_s > 60 ? out->rate_window_s : 60);
	if (out->samples) {
		int64_t span = out->last_sample_at - out->first_sample_at;
		out->rate_overall =
		    (double)out->samples * 3600.0 / (double)(span > 3600 ? span : 3600);
	}
	if (scope) {
		out->remaining =
		    scope->expected > scope->sampled ? scope->expected - scope->sampled : 0;
		out->complete = out->remaining == 0;
		if (out->complete)
			out->projected_at = out->last_sample_at;
		else if (out->samples_last_hour > 0 && !out->estimating)
			out->projected_at = now + (int64_t)ceil((double)out->remaining * 3600.0 /
								out->rate_last_hour);
	}
out:
	free(v);
	if (own)
		db_read_end(d);
	return rc;
}

/* ---- progress kept for a moment, for the many viewers of a big round ---------------- */

#define KEPT_MAX 16 /* rounds kept at once; the oldest makes way */

struct kept_progress {
	double made; /* monotonic seconds; 0: free */
	struct screening_progress p;
};

struct screening_progress_keep {
	pthread_mutex_t mu;
	double slow_s, reuse_s;
	struct kept_progress k[KEPT_MAX];
};

struct screening_progress_keep *screening_progress_keep_new(double slow_s, double reuse_s)
{
	struct screening_progress_keep *k = mu_xcalloc(1, sizeof *k);
	pthread_mutex_init(&k->mu, NULL);
	k->slow_s = slow_s;
	k->reuse_s = reuse_s;
	return k;
}

void screening_progress_keep_free(struct screening_progress_keep *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->mu);
	free(k);
}

int screening_progress_get_kept(struct screening_progress_keep *k, struct db *d, int64_t round_id,
				int64_t now, double mono, const struct screening_counts *scope,
				struct screening_progress *out)
{
	struct kept_progress *slot = NULL, *oldest = &k->k[0];
	int rc = 0;
	/* One count at a time: viewers arriving while it runs take its answer. */
	pthread_mutex_lock(&k->mu);
	for (int i = 0; i < KEPT_MAX; i++) {
		struct kept_progress *e = &k->k[i];
		if (e->made > 0 && e->p.round_id == round_id)
			slot = e;
		if (e->made < oldest->made)
			oldest = e;
	}
	if (slot && mono - slot->made < k->reuse_s) {
		*out = slot->p;
		goto out;
	}
	double t0 = mu_now_mono();
	if ((rc = screening_progress_get(d, round_id, now, scope, out)) != 0)
		goto out;
	if (mu_now_mono() - t0 >= k->slow_s) {
		if (!slot)
			slot = oldest;
		slot->made = mono;
		slot->p = *out;
	} else if (slot) {
		slot->made = 0; /* quick again: counted afresh each time */
	}
out:
	pthread_mutex_unlock(&k->mu);
	return rc;
}

json_t *screening_counts_json(const struct screening_counts *k, const struct places_node *n)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "place",
			 n->code, "name", n->name, "level", places_level_name(n->level), "in_scope",
			 k->in_scope, "people", (json_int_t)k->people, "expected",
			 (json_int_t)k->expected, "sampled", (json_int_t)k->sampled, "resulted",
			 (json_int_t)k->resulted, "negative", (json_int_t)k->negative,
			 "pool_positive", (json_int_t)k->pool_positive, "positive",
			 (json_int_t)k->positive, "coverage", k->coverage);
}

static json_t *time_or_null(int64_t t)
{
	char buf[21];
	if (!t)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

/* The progress as JSON, for api.c and cmd_round.c alike. */
json_t *screening_progress_json(const struct screening_progress *p)
{
	bool turned = p->turnaround_n > 0;
	return json_pack(
	    "{s:I, s:o, s:I, s:I, s:{s:f, s:f, s:I}, s:o, s:o, s:{s:I, s:I, s:I, s:I},"
	    " s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I}, s:{s:o, s:o, s:I, s:b}, s:o, s:o, s:b, s:b}",
	    "round", (json_int_t)p->round_id, "at", time_or_null(p->now), "samples",
	    (json_int_t)p->samples, "samples_last_hour", (json_int_t)p->samples_last_hour,
	    "samples_per_hour", "last_hour", p->rate_last_hour, "overall", p->rate_overall,
	    "window_s", (json_int_t)p->rate_window_s, "first_sample_at",
	    time_or_null(p->first_sample_at), "last_sample_at", time_or_null(p->last_sample_at),
	    "tubes", "opened", (json_int_t)p->opened, "sealed", (json_int_t)p->sealed, "received",
	    (json_int_t)p->received, "resulted", (json_int_t)p->resulted, "results", "negative",
	    (json_int_t)p->by_result[SCREENING_RESULT_NEGATIVE], "positive",
	    (json_int_t)p->by_result[SCREENING_RESULT_POSITIVE], "invalid",
	    (json_int_t)p->by_result[SCREENING_RESULT_INVALID], "pool_positive",
	    (json_int_t)p->pool_positive_tubes, "backlog", "sealed_not_received",
	    (json_int_t)p->backlog_sealed, "received_not_resulted", (json_int_t)p->backlog_received,
	    "turnaround", "median_s", turned ? json_real(p->turnaround_p50) : json_null(), "p90_s",
	    turned ? json_real(p->turnaround_p90) : json_null(), "tubes",
	    (json_int_t)p->turnaround_n, "exact", p->turnaround_exact, "remaining",
	    p->remaining >= 0 ? json_integer(p->remaining) : json_null(), "projected_completion",
	    time_or_null(p->projected_at), "estimating", p->estimating, "complete", p->complete);
}

/* ---- the day: samples per hour, recalls, positives (for the overview) ------------------ */

/* The round's recalls (few: pool size × pool-positive tubes) by state. */
static const char sql_recall_states[] =
    "SELECT state, count(*), sum(state = 3 AND resolved_at >= ?)"
    " FROM recalls WHERE round_id = ? GROUP BY state";

/* One hour of the day's window: into the hourly chart and today's total. */
static void day_hour(int64_t h, int64_t c, void *ctx)
{
	struct screening_day *out = ctx;
	if (h >= out->hour0)
		out->hourly[(h - out->hour0) / 3600] += c;
	if (h >= out->day_start)
		out->samples_today += c;
}

int screening_day_get(struct db *d, struct screening_hours *hours, int64_t round_id, int64_t now,
		      int tz_offset_s, struct screening_day *out)
{
	struct db_stmt *s;
	int rc;
	memset(out, 0, sizeof *out);
	out->round_id = round_id;
	/* The day starts at local midnight; the window is the SCREENING_DAY_HOURS whole hours
	 * that end with the current hour. */
	out->day_start = (now + tz_offset_s) / 86400 * 86400 - tz_offset_s;
	out->hour0 = (now / 3600 - (SCREENING_DAY_HOURS - 1)) * 3600;
	int64_t from = out->hour0 < out->day_start ? out->hour0 : out->day_start;
	if ((rc = screening_hours_sum(hours, d, round_id, from, (now / 3600 + 1) * 3600, day_hour,
				      out)))
		return rc;
	if ((rc = db_prepare(d, sql_recall_states, &s)))
		return rc;
	db_bind_i64(s, 1, out->day_start);
	db_bind_i64(s, 2, round_id);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t st = db_col_i64(s, 0);
		if (st >= 0 && st < 4)
			out->recalls[st] = db_col_i64(s, 1);
		if (st == SCREENING_RECALL_POSITIVE)
			out->positives_today = db_col_i64(s, 2);
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}
