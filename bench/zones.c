/* zones.c: risk zones at the city's scale, everything inside one transaction that is
 * rolled back (the city is left as it was).
 *   zone-risk  the household risk the scan path asks on every scan (control__zone_risk,
 *              zones in memory) with 50 zones in force, per random household, beside one
 *              places_parent read per household (the least a scan reads of the tree).
 *   zone-seal  drawing a sealed zone on the compound nearest 2,000 residents (a status
 *              each, through control__key_start), beside raw inserts of as many
 *              key_statuses rows.
 * Usage: build/bench/zones DB [HOUSEHOLDS] */
#include <stdio.h>
#include <stdlib.h>

#include "control/control.h"
#include "control/control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

#define NZONES 50

static const char sql_zone_places[] =
    "SELECT id FROM places WHERE level IN (3, 6) AND n_people > 0 ORDER BY random() LIMIT 50";
static const char sql_households[] =
    "SELECT id FROM places WHERE level = 7 AND n_people > 0 ORDER BY random() LIMIT ?";
static const char sql_compound[] =
    "SELECT id, n_people FROM places WHERE level = 5 ORDER BY abs(n_people - 2000) LIMIT 1";
static const char sql_raw_status[] =
    "INSERT INTO key_statuses (person_id, kind, started_at, source, ref_id)"
    " SELECT id, 'sealed', ?, 'zone', 0 FROM people ORDER BY id LIMIT ?";

static int64_t *ids_of(struct db *d, const char *sql, int64_t limit, size_t *n)
{
	struct db_stmt *s;
	int64_t *v = mu_xcalloc((size_t)(limit > 0 ? limit : NZONES), sizeof *v);
	*n = 0;
	if (db_prepare(d, sql, &s))
		return v;
	if (limit > 0)
		db_bind_i64(s, 1, limit);
	while (db_step(s) == DB_ROW)
		v[(*n)++] = db_col_i64(s, 0);
	db_stmt_done(s);
	return v;
}

int main(int argc, char **argv)
{
	struct db *d = NULL;
	int64_t nh = 20000, now = mu_now_unix();
	size_t nz = 0, nhh = 0;
	int rc;
	if (argc < 2 || (argc > 2 && (mu_parse_i64(argv[2], &nh) || nh <= 0))) {
		fprintf(stderr, "usage: %s DB [HOUSEHOLDS]\n", argv[0]);
		return 2;
	}
	if ((rc = db_open(argv[1], 0, &d)) || (rc = db_tx_begin(d))) {
		fprintf(stderr, "zones: %s\n", mu_err_msg(rc));
		db_close(d);
		return 1;
	}
	int64_t *zp = ids_of(d, sql_zone_places, 0, &nz);
	for (size_t i = 0; i < nz; i++) {
		struct control_zone z = {.place_id = zp[i],
					 .level = i % 3 ? CONTROL_ZONE_MEDIUM : CONTROL_ZONE_HIGH,
					 .measures = CONTROL_MEASURES_CONTROLLED,
					 .from_at = now - 3600,
					 .reason = "bench"};
		if ((rc = control_zone_create(d, &z, now, NULL, NULL)))
			goto fail;
	}
	int64_t *hh = ids_of(d, sql_households, nh, &nhh);
	int zoned = 0, r;
	/* The first pass loads the zones and warms the parents' cache as a day of scans would;
	 * the second is measured. */
	for (int pass = 0; pass < 2; pass++) {
		double t0 = mu_now_mono();
		zoned = 0;
		for (size_t i = 0; i < nhh; i++) {
			if ((rc = control__zone_risk(d, hh[i], now, &r)))
				goto fail;
			zoned += r > 0;
		}
		double t_risk = mu_now_mono() - t0;
		t0 = mu_now_mono();
		for (size_t i = 0; i < nhh; i++) {
			int64_t p;
			if ((rc = places_parent(d, hh[i], &p)))
				goto fail;
		}
		double t_base = mu_now_mono() - t0;
		if (pass == 1 && nhh) {
			double a = t_risk / (double)nhh * 1e9, b = t_base / (double)nhh * 1e9;
			printf("BENCH zone-risk %.0f ns/household baseline=%.0f ratio=%.2f\n", a, b,
			       a / b);
			fprintf(stderr, "zone-risk: %zu zones, %zu households, %d inside a zone\n",
				nz, nhh, zoned);
		}
	}

	struct db_stmt *s;
	int64_t compound = 0, residents = 0, sealed = 0;
	if ((rc = db_prepare(d, sql_compound, &s)))
		goto fail;
	if (db_step(s) == DB_ROW) {
		compound = db_col_i64(s, 0);
		residents = db_col_i64(s, 1);
	}
	db_stmt_done(s);
	if (compound) {
		struct control_zone z = {.place_id = compound,
					 .level = CONTROL_ZONE_HIGH,
					 .measures = CONTROL_MEASURES_SEALED,
					 .from_at = now,
					 .reason = "bench"};
		double t0 = mu_now_mono();
		if ((rc = control_zone_create(d, &z, now, &sealed, NULL)))
			goto fail;
		double t_seal = mu_now_mono() - t0;
		t0 = mu_now_mono();
		if ((rc = db_prepare(d, sql_raw_status, &s)))
			goto fail;
		db_bind_i64(s, 1, now);
		db_bind_i64(s, 2, sealed);
		rc = db_step(s);
		db_stmt_done(s);
		if (rc < 0)
			goto fail;
		double t_raw = mu_now_mono() - t0;
		printf("BENCH zone-seal %.1f ms baseline=%.1f ratio=%.2f\n", t_seal * 1e3,
		       t_raw * 1e3, t_seal / t_raw);
		fprintf(stderr, "zone-seal: %lld residents of a compound of %lld sealed\n",
			(long long)sealed, (long long)residents);
	}
	free(zp);
	free(hh);
	db_tx_rollback(d);
	db_close(d);
	return 0;
fail:
	fprintf(stderr, "zones: %s\n", mu_err_msg(rc));
	db_tx_rollback(d);
	db_close(d);
	return 1;
}
