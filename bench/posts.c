/* posts.c: `posts` — the posts of the whole city (2,935 at any scale) with their stock,
 * folded from one query (forces_post_list), median over runs, beside the median of a bare
 * read of the same rows, unordered and unfolded (the floor of any design). The stock is filled
 * first: every item at every post, so that each post folds five rows. A database generated before
 * posts existed gets them (forces_post_sync) on the way. Usage: build/bench/posts DB [RUNS] */
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "db/db.h"
#include "forces/forces.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int count_post(const struct forces_post *p, void *ctx)
{
	int64_t *n = ctx;
	*n += 1 + (p->qty[FORCES_MASKS] > 0);
	return 0;
}

static const char sql_ids[] = "SELECT p.id, p.place_id, s.item, s.qty, s.low_mark FROM posts p"
			      " LEFT JOIN supplies s ON s.post_id = p.id";
static const char sql_stocked[] = "SELECT count(*) FROM supplies";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DB [RUNS]\n", argv[0]);
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 50;
	struct db *d;
	int64_t city = 0, made = 0, stocked = 0;
	if (db_open(argv[1], 0, &d) || forces_post_sync(d, 0, mu_now_unix(), &made))
		return 1;
	if (db_query_i64(d, sql_stocked, &stocked))
		return 1;
	if (stocked == 0) {
		struct forces_supply_op op = {.at = mu_now_unix()};
		int64_t n = 0;
		db_tx_begin(d);
		if (db_query_i64(d, "SELECT max(id) FROM posts", &n))
			return 1;
		for (int64_t id = 1; id <= n; id++)
			for (int i = 0; i < FORCES_NITEMS; i++)
				if (forces_supply_receive(d, id, i, 100 + i, 50, &op, NULL, NULL))
					return 1;
		db_tx_commit(d);
	}
	if (db_query_i64(d, "SELECT id FROM places WHERE level = 0", &city))
		return 1;
	double *t = mu_xmalloc(sizeof(double) * (size_t)runs);
	double *b = mu_xmalloc(sizeof(double) * (size_t)runs);
	int64_t sink = 0;
	for (int r = 0; r < runs; r++) {
		double t0 = mu_now_mono();
		if (forces_post_list(d, city, count_post, &sink))
			return 1;
		double t1 = mu_now_mono();
		struct db_stmt *s;
		if (db_prepare(d, sql_ids, &s))
			return 1;
		while (db_step(s) == DB_ROW)
			sink += db_col_i64(s, 0) & 1;
		db_stmt_done(s);
		double t2 = mu_now_mono();
		t[r] = (t1 - t0) * 1e3;
		b[r] = (t2 - t1) * 1e3;
	}
	qsort(t, (size_t)runs, sizeof *t, cmp_double);
	qsort(b, (size_t)runs, sizeof *b, cmp_double);
	double med = t[runs / 2], base = b[runs / 2];
	fprintf(stderr, "posts: %lld made, median of %d runs over the whole city (sink %lld)\n",
		(long long)made, runs, (long long)sink);
	printf("BENCH posts-list %.2f ms baseline=%.2f ratio=%.2f\n", med, base,
	       base > 0 ? med / base : 0);
	free(t);
	free(b);
	db_close(d);
	return 0;
}
