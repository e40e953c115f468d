/* calls_load.c: `calls-load` part 1 — N open calls for help logged through calls_call_log
 * over the households of one district (created over the last 20 hours, a third urgent,
 * categories mixed), then: the escalation sweep as the server runs it every 2 s (p50/p99
 * of 20 consecutive sweeps once the first has caught up) beside the sweep's own reading of
 * the due calls alone (no climbing: the floor of any sweep); and the district's summary
 * as GET /api/v1/calls/summary answers it (the district and each street) beside a bare
 * read of the district's place row. Everything runs in one transaction that is rolled
 * back: the database is left as it was.
 * Usage: build/bench/calls_load DB [N] [DISTRICT] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calls/calls.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[(int)(p * (n - 1) + 0.5)];
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct ids {
	int64_t *v;
	size_t n, cap;
};

static int add_id(const struct places_ref *r, void *ctx)
{
	struct ids *l = ctx;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = mu_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = r->id;
	return 0;
}

struct at {
	struct db *d;
	int64_t now;
};

static int summary_of_child(const struct places_node *n, void *ctx)
{
	struct calls_summary s;
	const struct at *a = ctx;
	return calls_summary_get(a->d, n->id, a->now, &s);
}

static const char sql_due[] =
    "SELECT id, place_id, unit_id, level_id, created_at, first_due, allowance, overdue, "
    "category FROM calls WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at, id";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DB [N] [DISTRICT]\n", argv[0]);
		return 2;
	}
	int64_t n = argc > 2 ? atoll(argv[2]) : 100000;
	const char *code = argc > 3 ? argv[3] : "440103";
	struct db *d;
	struct people_keys keys;
	struct places_node dist;
	struct ids homes = {0};
	static const char *const cats[] = {"medicine",	"food",	     "medical", "dialysis",
					   "pregnancy", "transport", "mental",	"other"};
	if (people_keys_load(argv[1], &keys) || db_open(argv[1], 0, &d))
		return 1;
	if (places_find(d, code, &dist) || dist.level != PLACES_DISTRICT) {
		fprintf(stderr, "calls_load: no district %s\n", code);
		return 1;
	}
	if (places_level_walk(d, dist.id, PLACES_HOUSEHOLD, add_id, &homes) || !homes.n)
		return 1;
	int64_t now = mu_now_unix();
	if (db_tx_begin(d))
		return 1;
	double t0 = mu_now_mono();
	clock_t cpu0 = clock();
	for (int64_t i = 0; i < n; i++) {
		struct calls_new in = {.place_id = homes.v[next() % homes.n],
				       .category = cats[next() % 8],
				       .priority = next() % 3 ? "normal" : "urgent",
				       .text = "bench: 需要生活物资",
				       .phone = "13800138000"};
		struct mu_why why;
		int64_t at = now - (int64_t)(next() % 72000);
		if (calls_call_log(d, &keys, &in, at, NULL, &why)) {
			fprintf(stderr, "calls_load: %s\n", why.text);
			return 1;
		}
	}
	double seed = mu_now_mono() - t0;
	double cpu = (double)(clock() - cpu0) / CLOCKS_PER_SEC;
	fprintf(stderr,
		"calls-load: %lld calls over %zu households of %s logged in %.1f s (%.0f/s), "
		"%.1f us of CPU each\n",
		(long long)n, homes.n, dist.code, seed, (double)n / seed, cpu * 1e6 / (double)n);

	/* The first sweep catches up with 20 hours of deadlines, CALLS_SWEEP_MAX calls a
	 * transaction as the server does it (other writes go between the chunks). */
	int64_t climbed = 0, rungs = 0;
	bool more = true;
	int chunks = 0;
	double worst = 0;
	t0 = mu_now_mono();
	while (more) {
		double c0 = mu_now_mono();
		if (calls_sweep(d, now, CALLS_SWEEP_MAX, &climbed, &more))
			return 1;
		double c = mu_now_mono() - c0;
		worst = c > worst ? c : worst;
		rungs += climbed;
		chunks++;
	}
	fprintf(stderr,
		"calls-load: catch-up sweep %.1f ms in %d chunks (the longest %.1f ms), %lld rungs "
		"climbed\n",
		(mu_now_mono() - t0) * 1e3, chunks, worst * 1e3, (long long)rungs);
	/* Then the server's rhythm: a sweep every 2 s of (fake) clock. */
	enum { SWEEPS = 20 };
	double sweep[SWEEPS], floor_[SWEEPS];
	int64_t total = 0;
	for (int i = 0; i < SWEEPS; i++) {
		int64_t at = now + 2 * (i + 1);
		struct db_stmt *s;
		int64_t rows = 0;
		t0 = mu_now_mono();
		if (db_prepare(d, sql_due, &s))
			return 1;
		db_bind_i64(s, 1, at);
		while (db_step(s) == DB_ROW)
			rows += db_col_i64(s, 0) > 0;
		db_stmt_done(s);
		floor_[i] = (mu_now_mono() - t0) * 1e3;
		t0 = mu_now_mono();
		if (calls_sweep(d, at, 0, &climbed, NULL))
			return 1;
		sweep[i] = (mu_now_mono() - t0) * 1e3;
		total += climbed;
	}
	double s50 = pct(sweep, SWEEPS, 0.5), s99 = pct(sweep, SWEEPS, 0.99);
	double f99 = pct(floor_, SWEEPS, 0.99);
	fprintf(stderr,
		"calls-load: sweep every 2 s: p50 %.2f ms, p99 %.2f ms, %lld rungs in %d sweeps\n",
		s50, s99, (long long)total, SWEEPS);
	printf("BENCH calls-sweep %.2f ms_p99 baseline=%.2f ratio=%.2f\n", s99, f99,
	       f99 > 0 ? s99 / f99 : 0.0);

	/* The district's summary with its streets, as the route answers it. */
	enum { RUNS = 200 };
	double sum[RUNS], base[RUNS];
	struct calls_summary s;
	struct at ctx = {d, now};
	for (int i = 0; i < RUNS; i++) {
		t0 = mu_now_mono();
		if (calls_summary_get(d, dist.id, now, &s) ||
		    places_children(d, dist.id, summary_of_child, &ctx))
			return 1;
		sum[i] = (mu_now_mono() - t0) * 1e3;
		struct places_node p;
		t0 = mu_now_mono();
		if (places_get(d, dist.id, &p))
			return 1;
		base[i] = (mu_now_mono() - t0) * 1e3;
	}
	fprintf(stderr, "calls-load: summary of %s: %lld open, %lld overdue; p50 %.2f ms\n",
		dist.code, (long long)s.open, (long long)s.overdue, pct(sum, RUNS, 0.5));
	double u99 = pct(sum, RUNS, 0.99), b99 = pct(base, RUNS, 0.99);
	printf("BENCH calls-summary %.2f ms_p99 baseline=%.3f ratio=%.1f\n", u99, b99,
	       b99 > 0 ? u99 / b99 : 0.0);
	db_tx_rollback(d);
	db_close(d);
	free(homes.v);
	return 0;
}
