/* screening_bench.c: the screening benches on a copy of the full-scale city, each figure
 * beside a baseline from the same run.
 *   ingest DB SCOPE     a new 10-in-1 round over SCOPE (a place code) and one sample per
 *                       resident, tube by tube in household order: raw prepared inserts
 *                       of the same tube and sample rows (rolled back), then the bulk
 *                       loader (committed), both inside db_bulk_begin; the index rebuild
 *                       of db_bulk_end is timed once and counted in both. Prints the
 *                       round id on stdout.
 *   results DB ROUND    every tube received (untimed), then one result per tube through
 *                       screening_result_record (1 % positive: recalls) in one
 *                       transaction, beside raw UPDATEs of the same tubes (rolled back).
 *   coverage DB ROUND   screening_cov_new (timed), p99 of cov_get + children for random
 *                       nodes of each level down to the grid, `missing` (first page of
 *                       100) for random grids of ROUND and of a new empty round, beside a
 *                       naive GROUP BY over the samples of one district.
 * BENCH lines on stdout, details on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

#define T0 INT64_C(1622505600) /* 2021-06-01T00:00:00Z */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
	qsort(v, n, sizeof *v, cmp_double);
	return v[(size_t)(p * (double)(n - 1) + 0.5)];
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "screening_bench: %s: %s\n", what, mu_err_msg(rc));
	exit(1);
}

static void ok(const char *what, int rc)
{
	if (rc)
		die(what, rc);
}

/* ---- ingest ----------------------------------------------------------------------------- */

static const char sql_people_all[] =
    "SELECT id, household_id FROM people ORDER BY household_id, id";
static const char sql_people_under[] =
    "SELECT p.id, p.household_id FROM places h JOIN people p ON p.household_id = h.id"
    " WHERE h.level = 7 AND h.code LIKE ? || '%' ORDER BY h.id, p.id";
static const char sql_raw_tube[] =
    "INSERT INTO tubes (barcode, round_id, site_id, capacity, n, state, opened_at, sealed_at)"
    " VALUES (?, ?, ?, ?, ?, 1, ?, ?)";
static const char sql_raw_sample[] =
    "INSERT INTO samples (scan_id, round_id, tube_id, person_id, household_id, sampled_at,"
    " is_repeat) VALUES (?, ?, ?, ?, ?, ?, 0)";

struct person_row {
	int64_t id, hh;
};

static int64_t at_of(size_t i, size_t n)
{
	return T0 + (int64_t)((double)i * 86400.0 / (double)n);
}

static int raw_load(struct db *d, int64_t round, int64_t site, const struct person_row *p, size_t n)
{
	char scan[40], bc[32];
	struct db_stmt *s;
	int rc = 0;
	for (size_t t = 0; t < n; t += 10) {
		size_t m = n - t < 10 ? n - t : 10;
		snprintf(bc, sizeof bc, "B%lld-%zu", (long long)round, t / 10);
		if ((rc = db_prepare(d, sql_raw_tube, &s)))
			return rc;
		db_bind_text_static(s, 1, bc, -1);
		db_bind_i64(s, 2, round);
		db_bind_i64(s, 3, site);
		db_bind_i64(s, 4, 10);
		db_bind_i64(s, 5, (int64_t)m);
		db_bind_i64(s, 6, at_of(t, n));
		db_bind_i64(s, 7, at_of(t + m - 1, n));
		rc = db_step(s);
		db_stmt_done(s);
		if (rc != DB_DONE)
			return rc < 0 ? rc : MU_EDB;
		int64_t tube = db_last_insert_id(d);
		for (size_t i = t; i < t + m; i++) {
			snprintf(scan, sizeof scan, "b%lld-%zu", (long long)round, i);
			if ((rc = db_prepare(d, sql_raw_sample, &s)))
				return rc;
			db_bind_text_static(s, 1, scan, -1);
			db_bind_i64(s, 2, round);
			db_bind_i64(s, 3, tube);
			db_bind_i64(s, 4, p[i].id);
			db_bind_i64(s, 5, p[i].hh);
			db_bind_i64(s, 6, at_of(i, n));
			rc = db_step(s);
			db_stmt_done(s);
			if (rc != DB_DONE)
				return rc < 0 ? rc : MU_EDB;
		}
	}
	return 0;
}

static int loader_load(struct db *d, int64_t round, int64_t site, const struct person_row *p,
		       size_t n)
{
	char scan[40], bc[32];
	struct screening_loader *l;
	int rc = screening_loader_new(d, round, &l);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		snprintf(bc, sizeof bc, "B%lld-%zu", (long long)round, i / 10);
		snprintf(scan, sizeof scan, "b%lld-%zu", (long long)round, i);
		struct screening_bulk_sample s = {.scan_id = scan,
						  .tube = bc,
						  .site_id = site,
						  .person_id = p[i].id,
						  .household_id = p[i].hh,
						  .at = at_of(i, n)};
		rc = screening_loader_add(l, &s);
	}
	if (rc == 0)
		rc = screening_loader_finish(l);
	screening_loader_free(l);
	return rc;
}

static int ingest(const char *path, const char *scope_code)
{
	static const char *const tables[] = {"samples", "tubes", NULL};
	struct db *d;
	struct places_node scope;
	struct mu_why why = {0};
	ok("open", db_open(path, 0, &d));
	ok("scope", places_find(d, scope_code, &scope));
	struct screening_site site = {.place_id = scope.id, .name = "bench", .desks = 100};
	struct screening_lab lab = {.name = "bench", .capacity = 350000};
	snprintf(site.code, sizeof site.code, "BENCH-S%lld", (long long)mu_now_unix());
	snprintf(lab.code, sizeof lab.code, "BENCH-L%lld", (long long)mu_now_unix());
	struct screening_round r = {.scope_place_id = scope.id, .pool_k = 10};
	snprintf(r.name, sizeof r.name, "bench %s", scope_code);
	ok("site", screening_site_add(d, &site, &why));
	ok("lab", screening_lab_add(d, &lab, &why));
	ok("round", screening_round_create(d, &r, &why));

	/* The rows, untimed: residents of the scope in household order. */
	double t = mu_now_mono();
	struct person_row *p = NULL;
	size_t n = 0, cap = 0;
	struct db_stmt *s;
	bool all = scope.level == PLACES_CITY;
	ok("people", db_prepare(d, all ? sql_people_all : sql_people_under, &s));
	if (!all)
		db_bind_text(s, 1, scope.code, -1);
	while (db_step(s) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			p = mu_xrealloc(p, cap * sizeof *p);
		}
		p[n].id = db_col_i64(s, 0);
		p[n++].hh = db_col_i64(s, 1);
	}
	db_stmt_done(s);
	fprintf(stderr, "ingest-samples: %zu residents of %s read in %.1f s (untimed)\n", n,
		scope.code, mu_now_mono() - t);

	/* Baseline: raw inserts, rolled back. */
	int64_t samples0, tubes0;
	ok("count", db_query_i64(d, "SELECT count(*) FROM samples", &samples0));
	ok("count", db_query_i64(d, "SELECT count(*) FROM tubes", &tubes0));
	ok("bulk", db_bulk_begin(d, tables));
	t = mu_now_mono();
	ok("raw", raw_load(d, r.id, site.id, p, n));
	double raw = mu_now_mono() - t;
	int64_t raw_samples, raw_tubes;
	ok("count", db_query_i64(d, "SELECT count(*) FROM samples", &raw_samples));
	ok("count", db_query_i64(d, "SELECT count(*) FROM tubes", &raw_tubes));
	raw_samples -= samples0;
	raw_tubes -= tubes0;
	ok("rollback", db_bulk_end(d, false));

	/* The bulk path, committed. */
	ok("bulk", db_bulk_begin(d, tables));
	t = mu_now_mono();
	ok("loader", loader_load(d, r.id, site.id, p, n));
	double load = mu_now_mono() - t;
	t = mu_now_mono();
	ok("commit", db_bulk_end(d, true));
	double rebuild = mu_now_mono() - t;
	int64_t samples, tubes;
	char q[120];
	snprintf(q, sizeof q, "SELECT count(*) FROM tubes WHERE round_id = %lld", (long long)r.id);
	ok("count", db_query_i64(d, q, &tubes));
	snprintf(q, sizeof q, "SELECT count(*) FROM samples WHERE round_id = %lld",
		 (long long)r.id);
	ok("count", db_query_i64(d, q, &samples));
	fprintf(stderr,
		"ingest-samples: raw %lld samples + %lld tubes in %.1f s; loader %lld samples + "
		"%lld tubes in %.1f s; index rebuild + commit %.1f s (counted in both)\n",
		(long long)raw_samples, (long long)raw_tubes, raw, (long long)samples,
		(long long)tubes, load, rebuild);
	double a = load + rebuild, b = raw + rebuild;
	printf("BENCH ingest-samples %.1f s baseline=%.1f ratio=%.2f (inserts alone %.2f)\n", a, b,
	       a / b, load / raw);
	fprintf(stdout, "round %lld\n", (long long)r.id);
	free(p);
	db_close(d);
	return 0;
}

/* ---- results ---------------------------------------------------------------------------- */

static const char sql_receive_all[] =
    "UPDATE tubes SET state = 2, lab_id = (SELECT max(id) FROM labs), received_at = ?"
    " WHERE round_id = ? AND state = 1";
static const char sql_tube_ids[] =
    "SELECT id, barcode FROM tubes WHERE round_id = ? AND state = 2 ORDER BY id";
static const char sql_raw_result[] =
    "UPDATE tubes SET state = 3, result = ?, resulted_at = ? WHERE id = ?";

#define RESULT_BATCH 1000

static int results(const char *path, int64_t round)
{
	struct db *d;
	struct db_stmt *s;
	ok("open", db_open(path, 0, &d));
	double t = mu_now_mono();
	ok("receive", db_prepare(d, sql_receive_all, &s));
	db_bind_i64(s, 1, T0 + 86400);
	db_bind_i64(s, 2, round);
	if (db_step(s) != DB_DONE)
		die("receive", MU_EDB);
	db_stmt_done(s);
	size_t n = 0, cap = 0;
	int64_t *id = NULL;
	char(*bc)[SCREENING_BARCODE_MAX + 1] = NULL;
	ok("tubes", db_prepare(d, sql_tube_ids, &s));
	db_bind_i64(s, 1, round);
	while (db_step(s) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 18;
			id = mu_xrealloc(id, cap * sizeof *id);
			bc = mu_xrealloc(bc, cap * sizeof *bc);
		}
		id[n] = db_col_i64(s, 0);
		snprintf(bc[n++], sizeof *bc, "%s", db_col_text(s, 1));
	}
	db_stmt_done(s);
	fprintf(stderr, "results: %zu tubes received and read in %.1f s (untimed)\n", n,
		mu_now_mono() - t);
	/* 1 % of tubes positive: every hundredth, spread over the city. */
	bool *pos = mu_xcalloc(n, sizeof *pos);
	for (size_t i = 0; i < n; i++)
		pos[i] = next() % 100 == 0;

	/* Baseline: raw UPDATEs of the result column, one transaction, rolled back. */
	ok("begin", db_tx_begin(d));
	t = mu_now_mono();
	for (size_t i = 0; i < n; i++) {
		ok("raw", db_prepare(d, sql_raw_result, &s));
		db_bind_i64(s, 1, pos[i]);
		db_bind_i64(s, 2, T0 + 2 * 86400);
		db_bind_i64(s, 3, id[i]);
		if (db_step(s) != DB_DONE)
			die("raw", MU_EDB);
		db_stmt_done(s);
	}
	double raw = mu_now_mono() - t;
	ok("rollback", db_tx_rollback(d));

	/* The real path, in one transaction, committed. */
	struct screening_result_in in[RESULT_BATCH];
	struct screening_item_result out[RESULT_BATCH];
	size_t failed = 0;
	ok("begin", db_tx_begin(d));
	t = mu_now_mono();
	for (size_t i = 0; i < n; i += RESULT_BATCH) {
		size_t m = n - i < RESULT_BATCH ? n - i : RESULT_BATCH;
		for (size_t j = 0; j < m; j++)
			in[j] = (struct screening_result_in){.tube = bc[i + j],
							     .result = pos[i + j] ? "positive"
										  : "negative",
							     .ct_orf1ab = pos[i + j] ? 28.5 : NAN,
							     .ct_n = pos[i + j] ? 27.0 : NAN,
							     .at = "2021-06-03T00:00:00Z"};
		ok("record", screening_result_record(d, NULL, in, m, T0 + 2 * 86400, out, NULL));
		for (size_t j = 0; j < m; j++)
			failed += out[j].err != 0;
	}
	ok("commit", db_tx_commit(d));
	double real = mu_now_mono() - t;
	int64_t recalls;
	char q[120];
	snprintf(q, sizeof q, "SELECT count(*) FROM recalls WHERE round_id = %lld",
		 (long long)round);
	ok("count", db_query_i64(d, q, &recalls));
	fprintf(
	    stderr,
	    "results: %zu tubes (%zu refused) with %lld recalls in %.1f s; raw UPDATEs %.1f s\n", n,
	    failed, (long long)recalls, real, raw);
	printf("BENCH results %.1f s baseline=%.1f ratio=%.2f\n", real, raw, real / raw);
	free(pos);
	free(id);
	free(bc);
	db_close(d);
	return failed ? 1 : 0;
}

/* ---- coverage ----------------------------------------------------------------------------- */

static int count_kid(const struct screening_counts *k, void *ctx)
{
	*(int64_t *)ctx += k->sampled;
	return 0;
}

static const char sql_level_ids[] = "SELECT id, level FROM places WHERE level <= 4";
static const char sql_naive[] =
    "SELECT count(*), count(DISTINCT s.person_id) FROM samples s JOIN places h"
    " ON h.id = s.household_id WHERE s.round_id = ? AND h.code LIKE ? || '%'";

static int coverage(const char *path, int64_t round)
{
	struct db *d;
	struct db_stmt *s;
	struct screening_cov *c;
	ok("open", db_open(path, 0, &d));
	struct screening_round r;
	ok("round", screening_round_get(d, round, &r));
	/* An empty round beside it, for the roll-call of a grid where everyone is missing. */
	struct screening_round empty = {.scope_place_id = r.scope_place_id, .pool_k = 10};
	snprintf(empty.name, sizeof empty.name, "bench empty");
	ok("round", screening_round_create(d, &empty, NULL));
	double t = mu_now_mono();
	ok("cov", screening_cov_new(d, &c));
	fprintf(stderr, "coverage: aggregate built in %.1f s\n", mu_now_mono() - t);
	t = mu_now_mono();
	ok("rebuild", screening_cov_round_rebuild(c, d, round));
	double rebuild = mu_now_mono() - t;

	int64_t *ids[PLACES_NLEVELS] = {0};
	size_t nids[PLACES_NLEVELS] = {0}, cap[PLACES_NLEVELS] = {0};
	ok("ids", db_prepare(d, sql_level_ids, &s));
	while (db_step(s) == DB_ROW) {
		int l = (int)db_col_i64(s, 1);
		if (nids[l] == cap[l]) {
			cap[l] = cap[l] ? cap[l] * 2 : 1024;
			ids[l] = mu_xrealloc(ids[l], cap[l] * sizeof **ids);
		}
		ids[l][nids[l]++] = db_col_i64(s, 0);
	}
	db_stmt_done(s);
	const int per = 1000;
	double *all = mu_xmalloc(sizeof(double) * per * PLACES_NLEVELS),
	       *lv = mu_xmalloc(sizeof(double) * per);
	size_t nall = 0;
	int64_t sink = 0;
	for (int l = PLACES_CITY; l <= PLACES_GRID; l++) {
		for (int i = 0; i < per; i++) {
			struct screening_counts k;
			int64_t id = ids[l][next() % nids[l]];
			double t0 = mu_now_mono();
			ok("get", screening_cov_get(c, d, round, id, &k));
			ok("children", screening_cov_children(c, d, round, id, count_kid, &sink));
			lv[i] = all[nall++] = (mu_now_mono() - t0) * 1e3;
			sink += k.sampled;
		}
		fprintf(stderr, "coverage %-10s nodes=%zu p50=%.3f ms p99=%.3f ms\n",
			places_level_name(l), nids[l], pct(lv, (size_t)per, 0.5),
			pct(lv, (size_t)per, 0.99));
	}
	double cov99 = pct(all, nall, 0.99);

	/* missing: first page of 100 for random grids, of the full round and the empty one. */
	struct screening_missing *out = mu_xcalloc(100, sizeof *out);
	char nextc[SCREENING_CURSOR_MAX];
	double miss99[2];
	const int64_t rounds[2] = {round, empty.id};
	for (int w = 0; w < 2; w++) {
		for (int i = 0; i < 200; i++) {
			size_t got;
			int64_t g = ids[PLACES_GRID][next() % nids[PLACES_GRID]];
			double t0 = mu_now_mono();
			ok("missing", screening_missing_list(d, NULL, rounds[w], g, "", out, 100,
							     &got, nextc));
			lv[i] = (mu_now_mono() - t0) * 1e3;
			sink += (int64_t)got;
		}
		fprintf(stderr, "missing (%s round): p50=%.2f ms p99=%.2f ms\n",
			w ? "empty" : "ingested", pct(lv, 200, 0.5), pct(lv, 200, 0.99));
		miss99[w] = pct(lv, 200, 0.99);
	}

	/* The round's progress figures (GET /api/v1/rounds/{id}/progress) at this scale. */
	struct screening_counts scope;
	struct screening_progress pg;
	ok("scope", screening_cov_get(c, d, round, r.scope_place_id, &scope));
	t = mu_now_mono();
	ok("progress", screening_progress_get(d, round, T0 + 86400, &scope, &pg));
	fprintf(stderr,
		"progress: %.0f ms for %lld samples, %lld tubes (%lld resulted; turnaround p50 "
		"%.0f s p90 "
		"%.0f s over %lld tubes)\n",
		(mu_now_mono() - t) * 1e3, (long long)pg.samples, (long long)pg.opened,
		(long long)pg.resulted, pg.turnaround_p50, pg.turnaround_p90,
		(long long)pg.turnaround_n);

	/* The naive baseline: a GROUP BY over the round's samples for one district. */
	/* The district of the round with the most people sampled. */
	struct places_node dist;
	int64_t best = ids[PLACES_DISTRICT][0], most = -1;
	for (size_t i = 0; i < nids[PLACES_DISTRICT]; i++) {
		struct screening_counts k;
		ok("get", screening_cov_get(c, d, round, ids[PLACES_DISTRICT][i], &k));
		if (k.sampled > most) {
			most = k.sampled;
			best = ids[PLACES_DISTRICT][i];
		}
	}
	ok("district", places_get(d, best, &dist));
	t = mu_now_mono();
	ok("naive", db_prepare(d, sql_naive, &s));
	db_bind_i64(s, 1, round);
	db_bind_text(s, 2, dist.code, -1);
	if (db_step(s) != DB_ROW)
		die("naive", MU_EDB);
	int64_t naive_n = db_col_i64(s, 1);
	db_stmt_done(s);
	double naive = (mu_now_mono() - t) * 1e3;
	fprintf(
	    stderr,
	    "coverage: round rebuild %.1f s; naive count for district %s: %lld people in %.0f ms\n",
	    rebuild, dist.code, (long long)naive_n, naive);
	printf("BENCH coverage %.3f ms_p99 baseline=%.0f ratio=%.5f\n", cov99, naive,
	       cov99 / naive);
	printf("BENCH missing %.2f ms_p99 baseline=%.0f ratio=%.5f (empty round p99 %.2f ms)\n",
	       miss99[0] > miss99[1] ? miss99[0] : miss99[1], naive,
	       (miss99[0] > miss99[1] ? miss99[0] : miss99[1]) / naive, miss99[1]);
	fprintf(stderr, "(checksum %lld)\n", (long long)sink);
	for (int l = 0; l < PLACES_NLEVELS; l++)
		free(ids[l]);
	free(all);
	free(lv);
	free(out);
	screening_cov_free(c);
	db_close(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "ingest"))
		return ingest(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "results"))
		return results(argv[2], atoll(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "coverage"))
		return coverage(argv[2], atoll(argv[3]));
	fprintf(stderr, "usage: %s ingest DB SCOPE | results DB ROUND | coverage DB ROUND\n",
		argv[0]);
	return 2;
}
