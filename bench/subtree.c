/* subtree.c: `subtree-count` — people under a random node of each level, read through
 * places_get (the counts each node keeps), p50/p99 per level, beside the p99 of a bare
 * primary-key read of one row of the same table (the floor of any design).
 * Usage: build/bench/subtree DB [SAMPLES_PER_LEVEL] */
#include <stdio.h>
#include <stdlib.h>

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
	int i = (int)(p * (n - 1) + 0.5);
	return v[i];
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char sql_ids[] = "SELECT id, level FROM places";
static const char sql_pk[] = "SELECT level FROM places WHERE id = ?";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DB [SAMPLES_PER_LEVEL]\n", argv[0]);
		return 2;
	}
	int samples = argc > 2 ? atoi(argv[2]) : 2000;
	struct db *d;
	if (db_open(argv[1], DB_OPEN_READONLY, &d))
		return 1;
	int64_t *ids[PLACES_NLEVELS] = {0};
	size_t nids[PLACES_NLEVELS] = {0}, cap[PLACES_NLEVELS] = {0};
	struct db_stmt *s;
	if (db_prepare(d, sql_ids, &s))
		return 1;
	while (db_step(s) == DB_ROW) {
		int l = (int)db_col_i64(s, 1);
		if (nids[l] == cap[l]) {
			cap[l] = cap[l] ? cap[l] * 2 : 1024;
			ids[l] = mu_xrealloc(ids[l], cap[l] * sizeof **ids);
		}
		ids[l][nids[l]++] = db_col_i64(s, 0);
	}
	db_stmt_done(s);

	double *all = mu_xmalloc(sizeof(double) * (size_t)samples * PLACES_NLEVELS);
	double *lv = mu_xmalloc(sizeof(double) * (size_t)samples);
	double *base = mu_xmalloc(sizeof(double) * (size_t)samples * PLACES_NLEVELS);
	int nall = 0, nbase = 0;
	int64_t sink = 0;
	for (int l = PLACES_CITY; l < PLACES_NLEVELS; l++) {
		if (!nids[l])
			continue;
		for (int i = 0; i < samples; i++) {
			int64_t id = ids[l][next() % nids[l]];
			struct places_node n;
			double t0 = mu_now_mono();
			if (places_get(d, id, &n))
				return 1;
			double t1 = mu_now_mono();
			sink += n.people;
			lv[i] = all[nall++] = (t1 - t0) * 1e6;
			/* The baseline: one bare primary-key read of the same row. */
			if (db_prepare(d, sql_pk, &s))
				return 1;
			db_bind_i64(s, 1, id);
			double t2 = mu_now_mono();
			db_step(s);
			sink += db_col_i64(s, 0);
			db_stmt_done(s);
			base[nbase++] = (mu_now_mono() - t2) * 1e6;
		}
		double p50 = pct(lv, samples, 0.5), p99 = pct(lv, samples, 0.99);
		fprintf(stderr, "subtree-count %-10s nodes=%zu p50=%.1f us p99=%.1f us\n",
			places_level_name(l), nids[l], p50, p99);
	}
	double p99 = pct(all, nall, 0.99), b99 = pct(base, nbase, 0.99);
	printf("BENCH subtree-count %.1f us_p99 baseline=%.1f ratio=%.2f\n", p99, b99, p99 / b99);
	fprintf(stderr, "(checksum %lld)\n", (long long)sink);
	for (int l = 0; l < PLACES_NLEVELS; l++)
		free(ids[l]);
	free(all);
	free(lv);
	free(base);
	db_close(d);
	return 0;
}
