/* ledger.c: `ledger` — a month of deployments (SHIFTS shifts, default 100,000: 532 shock
 * teams of 16, one per street, sent to the communities of their street at random hours of
 * 30 days) summed for the whole city per team and per street (forces_ledger_by, both
 * calls: `ledger`), per day, team and place (forces_ledger: every row of the month,
 * `ledger-days`) and for one street (`ledger-street`); the median of each beside the
 * median of a bare SUM over the same rows in the table (one full scan, the floor of any
 * design without an aggregate). Builds its own database at DB (removed first).
 * Usage: build/bench/ledger DB [SHIFTS] */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"
#include "db/db.h"
#include "forces/forces.h"
#include "places/places.h"

#define DISTRICTS   11
#define STREETS	    176
#define COMMUNITIES 2759
#define TEAMS	    532
#define TEAM_SIZE   16
#define DAYS	    30
#define JUNE1	    INT64_C(1622476800) /* 2021-06-01 00:00 in Guangzhou */

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

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

static void check(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "ledger bench: %s: %s\n", what, mu_err_msg(rc));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DB [SHIFTS]\n", argv[0]);
		return 2;
	}
	long shifts = argc > 2 ? atol(argv[2]) : 100000;
	char path[4096];
	static const char *const ext[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s%s", argv[1], ext[i]);
		unlink(path);
	}
	struct db *d;
	check(db_open(argv[1], DB_OPEN_CREATE, &d), "open");
	check(db_tx_begin(d), "begin");
	int64_t city, dist[DISTRICTS], street[STREETS], comm[COMMUNITIES], team[TEAMS];
	char code[PLACES_CODE_MAX + 1];
	check(places_add(d, 0, PLACES_CITY, "GZ", "广州市", &city, NULL), "city");
	for (int i = 0; i < DISTRICTS; i++) {
		snprintf(code, sizeof code, "D%02d", i);
		check(places_add(d, city, PLACES_DISTRICT, code, code, &dist[i], NULL), "district");
	}
	for (int i = 0; i < STREETS; i++) {
		snprintf(code, sizeof code, "S%03d", i);
		check(
		    places_add(d, dist[i % DISTRICTS], PLACES_STREET, code, code, &street[i], NULL),
		    "street");
	}
	for (int i = 0; i < COMMUNITIES; i++) {
		snprintf(code, sizeof code, "C%04d", i);
		check(places_add(d, street[i % STREETS], PLACES_COMMUNITY, code, code, &comm[i],
				 NULL),
		      "community");
	}
	for (int i = 0; i < TEAMS; i++) {
		struct forces_org o = {.kind = FORCES_SHOCK_TEAM,
				       .place_id = street[i % STREETS],
				       .created_at = JUNE1};
		snprintf(o.name, sizeof o.name, "突击队%d", i);
		check(forces_org_add(d, &o, NULL), "org");
		team[i] = o.id;
		for (int k = 0; k < TEAM_SIZE; k++) {
			struct forces_member m = {
			    .org_id = o.id, .role = "member", .added_at = JUNE1};
			check(forces_member_add(d, &m, NULL), "member");
		}
	}
	double t0 = mu_now_mono();
	for (long s = 0; s < shifts; s++) {
		int t = (int)(next() % TEAMS);
		/* A community of the team's street: communities i ≡ street (mod STREETS). */
		int c = (t % STREETS) + STREETS * (int)(next() % (COMMUNITIES / STREETS));
		int64_t from =
		    JUNE1 + (int64_t)(next() % DAYS) * 86400 + (int64_t)(next() % 24) * 3600;
		struct forces_deployment dp = {.org_id = team[t],
					       .place_id = comm[c],
					       .from_at = from,
					       .to_at = from + 8 * 3600,
					       .created_at = from,
					       .duty = FORCES_DUTY_PATROL};
		check(forces_deploy(d, &dp, NULL, 0, NULL, 0, NULL), "deploy");
	}
	check(db_tx_commit(d), "commit");
	fprintf(stderr, "ledger: %ld shifts of %d people stored in %.1f s\n", shifts, TEAM_SIZE,
		mu_now_mono() - t0);
	db_exec(d, "ANALYZE");
	/* Read the database as a server reads it after its checkpoints, not a fresh WAL. */
	db_exec(d, "PRAGMA wal_checkpoint(TRUNCATE)");

	enum { RUNS = 7 };
	double city_ms[RUNS], street_ms[RUNS], base_ms[RUNS], by_ms[RUNS];
	int64_t by_org = 0, by_street = 0;
	int64_t first = forces_day_of(JUNE1), last = first + DAYS - 1, total = 0, scanned = 0;
	for (int r = 0; r < RUNS; r++) {
		double a = mu_now_mono();
		check(forces_ledger(d, city, 0, first, last, NULL, NULL, &total), "city ledger");
		city_ms[r] = (mu_now_mono() - a) * 1000;
		a = mu_now_mono();
		int64_t st = 0;
		check(forces_ledger(d, street[next() % STREETS], 0, first, last, NULL, NULL, &st),
		      "street ledger");
		street_ms[r] = (mu_now_mono() - a) * 1000;
		a = mu_now_mono();
		check(forces_ledger_by(d, city, FORCES_BY_ORG, first, last, NULL, NULL, &by_org),
		      "per team");
		check(forces_ledger_by(d, city, FORCES_BY_STREET, first, last, NULL, NULL,
				       &by_street),
		      "per street");
		by_ms[r] = (mu_now_mono() - a) * 1000;
		a = mu_now_mono();
		check(db_query_i64(d, "SELECT SUM(people) FROM deployments", &scanned), "scan");
		base_ms[r] = (mu_now_mono() - a) * 1000;
	}
	if (total != scanned || total != (int64_t)shifts * TEAM_SIZE || by_org != total ||
	    by_street != total) {
		fprintf(stderr, "ledger bench: the ledger sums %lld, the table %lld\n",
			(long long)total, (long long)scanned);
		return 1;
	}
	double c = median(city_ms, RUNS), s = median(street_ms, RUNS), b = median(base_ms, RUNS);
	double t = median(by_ms, RUNS);
	fprintf(stderr, "ledger: %lld person-times; per team and per street %.2f ms\n",
		(long long)total, t);
	printf("BENCH ledger %.2f ms baseline=%.2f ratio=%.2f\n", t, b, t / b);
	printf("BENCH ledger-days %.2f ms baseline=%.2f ratio=%.2f\n", c, b, c / b);
	printf("BENCH ledger-street %.2f ms baseline=%.2f ratio=%.2f\n", s, b, s / b);
	db_close(d);
	return 0;
}
