/* orders_bench.c: `orders-load` (calls-load, part 2) — 1,000 orders with 30,000 targets
 * on a city: each order from a district to its streets, one of the streets forwarding it
 * to its communities, a share acknowledged and done, half of them past due. Measures the
 * roll-up of one order (its view read and rolled up per level, p50/p99 over random
 * orders) beside a bare read of the same order's target rows, and the overdue listing
 * under a district (every overdue target, p50/p99 over districts) beside a bare count of
 * the targets in the district's path range. Everything is written in one transaction
 * that is rolled back: the city is left as it was (its schema migrated).
 * Usage: build/bench/orders_bench DB [ORDERS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls/calls.h"
#include "core/core.h"
#include "db/db.h"
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

static const char sql_districts[] = "SELECT id FROM places WHERE level = 1 ORDER BY id";
static const char sql_raw_targets[] =
    "SELECT id, place_id, path, state, due FROM order_targets WHERE order_id = ?";
static const char sql_raw_range[] =
    "SELECT count(*) FROM order_targets WHERE path > ? AND path < ?";

static int count_row(const struct calls_overdue *o, void *ctx)
{
	(void)o;
	(*(int64_t *)ctx)++;
	return 0;
}

#define NOW 1623283200 /* 2021-06-10T00:00:00Z: half the orders are due before it */

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DB [ORDERS]\n", argv[0]);
		return 2;
	}
	int norders = argc > 2 ? atoi(argv[2]) : 1000;
	struct db *d;
	struct db_stmt *s;
	int64_t dists[64];
	int nd = 0, rc;
	if (db_open(argv[1], 0, &d))
		return 1;
	if (db_prepare(d, sql_districts, &s))
		return 1;
	while (nd < 64 && db_step(s) == DB_ROW)
		dists[nd++] = db_col_i64(s, 0);
	db_stmt_done(s);
	if (!nd || db_tx_begin(d))
		return 1;
	int64_t *ids = mu_xmalloc((size_t)norders * sizeof *ids), targets = 0;
	double t0 = mu_now_mono();
	for (int i = 0; i < norders; i++) {
		int64_t dist = dists[next() % (uint64_t)nd], *streets, *comms, due;
		size_t ns, nc;
		if ((rc = calls_order_places_under(d, dist, PLACES_STREET, &streets, &ns)) || !ns)
			return 1;
		struct calls_order_new in = {.title = "全员核酸检测",
					     .text = "今日完成辖区全员核酸检测",
					     .issuer_place = dist,
					     .issuer_name = "bench",
					     .issued_at = NOW - 7200,
					     .due = NOW + (i % 2 ? 3600 : -3600),
					     .targets = streets,
					     .n = ns};
		if ((rc = calls_order_issue(d, &in, &ids[i], &due, NULL)))
			return fprintf(stderr, "issue: %s\n", mu_err_msg(rc)), 1;
		int64_t fwd = streets[next() % ns];
		if ((rc = calls_order_places_under(d, fwd, PLACES_COMMUNITY, &comms, &nc)))
			return 1;
		if (nc &&
		    (rc = calls_order_forward(d, ids[i], fwd, comms, nc, 0, 0, NOW - 7000, NULL)))
			return fprintf(stderr, "forward: %s\n", mu_err_msg(rc)), 1;
		targets += (int64_t)(ns + nc);
		/* A third of the communities done, a third acknowledged; a street in eight done. */
		int st;
		for (size_t k = 0; k < nc; k++)
			if (k % 3 < 2 && calls_order_act(d, ids[i], comms[k],
							 k % 3 ? CALLS_ACT_ACK : CALLS_ACT_DONE,
							 NULL, 0, NOW - 6000, &st, NULL))
				return 1;
		for (size_t k = 0; k < ns; k++)
			if (streets[k] != fwd && k % 8 == 0 &&
			    calls_order_act(d, ids[i], streets[k], CALLS_ACT_DONE, NULL, 0,
					    NOW - 6000, &st, NULL))
				return 1;
		free(streets);
		free(comms);
	}
	double load_s = mu_now_mono() - t0;
	fprintf(stderr, "orders-load: %d orders, %lld targets written in %.1f s\n", norders,
		(long long)targets, load_s);

	/* One pass over every order first: both measures then read from a warm cache, as a
	 * server's readers do (the rows were just written, half of them spilled). */
	for (int i = 0; i < norders; i++) {
		struct calls_order_view *v;
		if (calls_order_view_new(d, ids[i], NOW, &v))
			return 1;
		calls_order_view_free(v);
	}
	/* The roll-up of one order vs the bare read of its target rows, each on its own
	 * random order. */
	int samples = 2000;
	double *a = mu_xmalloc((size_t)samples * sizeof *a),
	       *b = mu_xmalloc((size_t)samples * sizeof *b);
	for (int i = 0; i < samples; i++) {
		int64_t id = ids[next() % (uint64_t)norders];
		struct calls_order_view *v;
		struct calls_order_rollup r[CALLS_LEVELS], all;
		double t = mu_now_mono();
		if (calls_order_view_new(d, id, NOW, &v))
			return 1;
		calls_order_rollup(v, NULL, r, &all);
		calls_order_view_free(v);
		a[i] = mu_now_mono() - t;
		t = mu_now_mono();
		if (db_prepare(d, sql_raw_targets, &s))
			return 1;
		db_bind_i64(s, 1, ids[next() % (uint64_t)norders]);
		int64_t n = 0;
		while (db_step(s) == DB_ROW)
			n += db_col_i64(s, 3);
		db_stmt_done(s);
		b[i] = mu_now_mono() - t;
	}
	double r50 = pct(a, samples, 0.5) * 1e3, r99 = pct(a, samples, 0.99) * 1e3;
	double b99 = pct(b, samples, 0.99) * 1e3;
	fprintf(
	    stderr,
	    "orders-load: roll-up of one order p50 %.3f ms p99 %.3f ms (bare rows p99 %.3f ms)\n",
	    r50, r99, b99);
	printf("BENCH orders-rollup %.3f ms baseline=%.3f ratio=%.2f\n", r99, b99, r99 / b99);

	/* The overdue listing of a district vs the bare count of its path range. */
	int rounds = nd * 20;
	double *c = mu_xmalloc((size_t)rounds * sizeof *c),
	       *e = mu_xmalloc((size_t)rounds * sizeof *e);
	int64_t listed = 0;
	for (int i = 0; i < rounds; i++) {
		char path[CALLS_PATH_MAX], hi[CALLS_PATH_MAX];
		int64_t n = 0, dist = dists[i % nd];
		if (calls_place_path(d, dist, path))
			return 1;
		double t = mu_now_mono();
		if (calls_order_overdue(d, path, NOW, 0, 100000, count_row, &n))
			return 1;
		c[i] = mu_now_mono() - t;
		listed += n;
		snprintf(hi, sizeof hi, "%s", path);
		hi[strlen(hi) - 1] = '0';
		t = mu_now_mono();
		if (db_prepare(d, sql_raw_range, &s))
			return 1;
		db_bind_text(s, 1, path, -1);
		db_bind_text(s, 2, hi, -1);
		if (db_step(s) != DB_ROW)
			return 1;
		db_stmt_done(s);
		e[i] = mu_now_mono() - t;
	}
	double o50 = pct(c, rounds, 0.5) * 1e3, o99 = pct(c, rounds, 0.99) * 1e3;
	double e99 = pct(e, rounds, 0.99) * 1e3;
	fprintf(stderr,
		"orders-load: overdue of a district p50 %.3f ms p99 %.3f ms, %.0f targets a listing"
		" (bare range count p99 %.3f ms)\n",
		o50, o99, (double)listed / rounds, e99);
	printf("BENCH orders-overdue %.3f ms baseline=%.3f ratio=%.2f\n", o99, e99, o99 / e99);
	db_tx_rollback(d);
	db_close(d);
	free(ids);
	free(a);
	free(b);
	free(c);
	free(e);
	return 0;
}
