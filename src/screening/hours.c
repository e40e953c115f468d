/* hours.c: samples per hour of each round, in memory, for the overview's day. A round
 * is counted once from its samples index; afterwards only the samples added since are
 * read, by row id: the single writer gives samples ever larger ids in commit order and
 * none is ever deleted, so the rows a snapshot shows are ids 1..max, and "added since"
 * is a range of the table's own key. A day then costs the new rows, not the day's
 * samples (a whole-city round sampled in one day: 18.7 M index entries, ~4 s). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "screening.h"

struct hour_count {
	int64_t hour; /* sampled_at / 3600 */
	int64_t n;
};

struct round_hours {
	int64_t round_id;
	int64_t upto;	      /* samples with ids up to this are counted */
	struct hour_count *h; /* by hour, ascending */
	size_t n, cap;
};

struct screening_hours {
	pthread_mutex_t mu;
	struct round_hours *r;
	size_t nr, cap;
};

static const char sql_max_id[] = "SELECT coalesce(max(id), 0) FROM samples";
/* Index-only over samples_round_at. */
static const char sql_round_hours[] = "SELECT sampled_at / 3600, count(*) FROM samples"
				      " WHERE round_id = ? GROUP BY 1";
/* A range of the table's key; the round is told apart here, not by an index. */
static const char sql_since[] =
    "SELECT id, round_id, sampled_at / 3600 FROM samples WHERE id > ? ORDER BY id";

struct screening_hours *screening_hours_new(void)
{
	struct screening_hours *h = mu_xcalloc(1, sizeof *h);
	pthread_mutex_init(&h->mu, NULL);
	return h;
}

void screening_hours_free(struct screening_hours *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nr; i++)
		free(h->r[i].h);
	free(h->r);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

/* Adds n samples at hour to r, keeping the hours in order. */
static void add(struct round_hours *r, int64_t hour, int64_t n)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->h[mid].hour < hour)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->n && r->h[lo].hour == hour) {
		r->h[lo].n += n;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->h = mu_xrealloc(r->h, r->cap * sizeof *r->h);
	}
	memmove(r->h + lo + 1, r->h + lo, (r->n - lo) * sizeof *r->h);
	r->h[lo] = (struct hour_count){hour, n};
	r->n++;
}

static struct round_hours *find(struct screening_hours *h, int64_t round_id)
{
	for (size_t i = 0; i < h->nr; i++)
		if (h->r[i].round_id == round_id)
			return &h->r[i];
	return NULL;
}

/* Counts round_id from its index, in one snapshot with the largest sample id. */
static int count_round(struct screening_hours *h, struct db *d, int64_t round_id,
		       struct round_hours **out)
{
	struct round_hours r = {.round_id = round_id};
	struct db_stmt *s;
	int rc = db_query_i64(d, sql_max_id, &r.upto);
	if (rc || (rc = db_prepare(d, sql_round_hours, &s)))
		return rc;
	db_bind_i64(s, 1, round_id);
	while ((rc = db_step(s)) == DB_ROW)
		add(&r, db_col_i64(s, 0), db_col_i64(s, 1));
	db_stmt_done(s);
	if (rc != DB_DONE) {
		free(r.h);
		return rc;
	}
	if (h->nr == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 8;
		h->r = mu_xrealloc(h->r, h->cap * sizeof *h->r);
	}
	h->r[h->nr] = r;
	*out = &h->r[h->nr++];
	return 0;
}

/* Reads the samples added since the least counted id and adds each to its round when
 * that round has not counted it yet. */
static int catch_up(struct screening_hours *h, struct db *d)
{
	int64_t lo = INT64_MAX, last = 0;
	for (size_t i = 0; i < h->nr; i++)
		if (h->r[i].upto < lo)
			lo = h->r[i].upto;
	if (h->nr == 0)
		return 0;
	struct db_stmt *s;
	struct round_hours *r = NULL;
	int rc = db_prepare(d, sql_since, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, lo);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t id = db_col_i64(s, 0), round_id = db_col_i64(s, 1);
		last = id;
		if (!r || r->round_id != round_id)
			r = find(h, round_id);
		if (r && id > r->upto)
			add(r, db_col_i64(s, 2), 1);
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	for (size_t i = 0; i < h->nr; i++)
		if (h->r[i].upto < last)
			h->r[i].upto = last;
	return 0;
}

int screening_hours_sum(struct screening_hours *h, struct db *d, int64_t round_id, int64_t from,
			int64_t to, void (*fn)(int64_t hour_start, int64_t n, void *ctx), void *ctx)
{
	bool own = db_tx_depth(d) == 0;
	int rc = own ? db_read_begin(d) : 0;
	if (rc)
		return rc;
	pthread_mutex_lock(&h->mu);
	struct round_hours *r = find(h, round_id);
	if (!r)
		rc = count_round(h, d, round_id, &r);
	if (rc == 0)
		rc = catch_up(h, d);
	if (rc == 0) {
		r = find(h, round_id); /* count_round may have moved the array */
		for (size_t i = 0; fn && i < r->n; i++) {
			int64_t t = r->h[i].hour * 3600;
			if (t >= from && t < to)
				fn(t, r->h[i].n, ctx);
		}
	}
	pthread_mutex_unlock(&h->mu);
	if (own)
		db_read_end(d);
	return rc;
}
