/* test_colour.c: the health code's colour rules (colour.c), one by one — red for a case
 * not discharged, a close or secondary contact in quarantine, a sealed zone's resident;
 * yellow for home health monitoring, a pool-positive, a missed plan test (green again
 * after two negatives 24 h to 3 days apart), a zone's resident not sampled in a round
 * over it (missed_round_test, released likewise); green otherwise — and the queue of
 * changed people for the codebook. */
#include "plans_fixture.h"
#include "screening/screening.h"

static void test_green_by_default(void **state)
{
	struct pf *f = *state;
	assert_int_equal(pf_reasons(f, f->person[0]), 0);
	assert_string_equal(people_reasons_colour(0), "green");
}

static void test_case_red_until_discharged(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[0], t = gz(2021, 6, 1, 12, 0);
	int64_t st = pf_status(f, p, "case", t, 0, t);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_CASE);
	assert_string_equal(people_reasons_colour(pf_reasons(f, p)), "red");
	pf_end(f, st, p, gz(2021, 6, 20, 12, 0));
	assert_int_equal(pf_reasons(f, p), 0);
}

/* A close contact (cn8): red in central quarantine (days 0–14), yellow in home
 * monitoring (days 15–21), green after — the sweep moves it day by day. */
static void test_close_red_then_yellow_then_green(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[0], t = gz(2021, 6, 1, 12, 0), changed;
	struct control_sweep last = {0};
	pf_status(f, p, "close", t, gz(2021, 6, 1, 8, 0), t);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_CLOSE);
	/* Every test of the plan comes back negative, so nothing is missed. */
	static const int days[][2] = {{6, 2}, {6, 5}, {6, 8}, {6, 15}, {6, 17}, {6, 22}};
	for (size_t i = 0; i < 6; i++) {
		int64_t at = gz(2021, days[i][0], days[i][1], 9, 0);
		assert_int_equal(control_plans_sweep(f->t.db, at, &last, &changed), 0);
		assert_int_equal(control__plan_on_result(f->t.db, p, 100 + (int64_t)i,
							 SCREENING_RESULT_NEGATIVE, 1, at,
							 at + 3600),
				 0);
		if (i == 3)
			assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_CLOSE);
	}
	assert_int_equal(control_plans_sweep(f->t.db, gz(2021, 6, 16, 0, 1), &last, &changed), 0);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_MONITORING);
	assert_string_equal(people_reasons_colour(pf_reasons(f, p)), "yellow");
	assert_int_equal(control_plans_sweep(f->t.db, gz(2021, 6, 23, 0, 1), &last, &changed), 0);
	assert_int_equal(pf_reasons(f, p), 0);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'negative'"),
			 6);
}

static void test_secondary_and_sealed_red(void **state)
{
	struct pf *f = *state;
	int64_t t = gz(2021, 6, 1, 12, 0);
	pf_status(f, f->person[1], "secondary", t, gz(2021, 6, 1, 8, 0), t);
	assert_int_equal(pf_reasons(f, f->person[1]), PEOPLE_REASON_SECONDARY);
	int64_t st = pf_status(f, f->person[2], "sealed", t, 0, t);
	assert_int_equal(pf_reasons(f, f->person[2]), PEOPLE_REASON_SEALED);
	pf_end(f, st, f->person[2], gz(2021, 6, 1, 18, 0));
	/* The day's test was still due when the zone was lifted: dropped, not missed. */
	assert_int_equal(pf_reasons(f, f->person[2]), 0);
}

static void test_pool_positive_yellow(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[1], t = gz(2021, 6, 1, 12, 0);
	int64_t st = pf_status(f, p, "pool_positive", t, 0, t);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_POOL_POSITIVE);
	assert_string_equal(people_reasons_colour(pf_reasons(f, p)), "yellow");
	/* A red reason outweighs it. */
	pf_status(f, p, "case", t + 60, 0, t + 60);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_POOL_POSITIVE | PEOPLE_REASON_CASE);
	assert_string_equal(people_reasons_colour(pf_reasons(f, p)), "red");
	pf_end(f, st, p, t + 120);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_CASE);
}

/* A missed plan test turns yellow (with the plan's red when it runs); two negative tests
 * at least 24 h apart within 3 days clear it; two on the same day do not. */
static void test_missed_then_two_negatives(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[0], t = gz(2021, 6, 1, 12, 0), changed;
	struct control_sweep last = {0};
	int64_t st = pf_status(f, p, "secondary", t, gz(2021, 6, 1, 8, 0), t);
	assert_int_equal(control_plans_sweep(f->t.db, gz(2021, 6, 3, 0, 1), &last, &changed), 0);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_SECONDARY | PEOPLE_REASON_MISSED_TEST);
	pf_end(f, st, p, gz(2021, 6, 3, 9, 0));
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_MISSED_TEST);
	assert_string_equal(people_reasons_colour(pf_reasons(f, p)), "yellow");
	/* Two negatives on 4 June, 6 h apart: still yellow. */
	pf_exec(f, "INSERT INTO plans (id, person_id, status_id, template, made_at, phases) "
		   "VALUES (99, 1, 1, 'x', 0, '[]')");
	pf_exec(f, "INSERT INTO plan_tests (plan_id, person_id, day, due, state, taken_at) VALUES "
		   "(99, 1, 1, '2021-06-04', 'negative', 1622768400), "
		   "(99, 1, 1, '2021-06-04', 'negative', 1622790000)");
	bool ch;
	assert_int_equal(control__colour_update(f->t.db, p, gz(2021, 6, 4, 20, 0), &ch), 0);
	assert_false(ch);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_MISSED_TEST);
	/* A third on 5 June, 25 h after the first: green. */
	pf_exec(f, "INSERT INTO plan_tests (plan_id, person_id, day, due, state, taken_at) VALUES "
		   "(99, 1, 2, '2021-06-05', 'negative', 1622858400)");
	assert_int_equal(control__colour_update(f->t.db, p, gz(2021, 6, 5, 20, 0), &ch), 0);
	assert_true(ch);
	assert_int_equal(pf_reasons(f, p), 0);
}

/* ---- missed_round_test ------------------------------------------------------------------
 * A round over the street (scope), 1 June 08:00–20:00 Guangzhou, closed at its end; a
 * zone on the community that holds the household. */

static int64_t place_at(struct pf *f, int level)
{
	int64_t path[PLACES_NLEVELS];
	int n;
	assert_int_equal(places_path(f->t.db, f->hh, path, &n), 0);
	return path[level];
}

static int64_t pf_round(struct pf *f, int64_t starts, int64_t closed)
{
	char sql[320];
	snprintf(sql, sizeof sql,
		 "INSERT INTO rounds (scope_place_id, name, pool_k, pool_medium, starts, "
		 "created_at, closed_at) VALUES (%lld, 'R', 10, 5, %lld, %lld, %s%lld)",
		 (long long)place_at(f, PLACES_STREET), (long long)starts, (long long)starts,
		 closed ? "" : "NULL+", (long long)closed);
	pf_exec(f, sql);
	return db_last_insert_id(f->t.db);
}

/* A single tube of person in round, sampled at `at` and resulted negative an hour on. */
static void pf_sample(struct pf *f, int64_t round, int64_t person, int64_t at)
{
	static int serial;
	char sql[400];
	pf_exec(f, "INSERT OR IGNORE INTO sites (id, code, place_id, name, desks) "
		   "VALUES (1, 'S1', 1, 'site', 1)");
	snprintf(sql, sizeof sql,
		 "INSERT INTO tubes (barcode, round_id, site_id, capacity, n, state, opened_at, "
		 "result, resulted_at) VALUES ('T%d', %lld, 1, 1, 1, 3, %lld, 0, %lld)",
		 ++serial, (long long)round, (long long)at, (long long)at + 3600);
	pf_exec(f, sql);
	snprintf(sql, sizeof sql,
		 "INSERT INTO samples (scan_id, round_id, tube_id, person_id, household_id, "
		 "sampled_at) VALUES ('s%d', %lld, %lld, %lld, %lld, %lld)",
		 serial, (long long)round, (long long)db_last_insert_id(f->t.db), (long long)person,
		 (long long)f->hh, (long long)at);
	pf_exec(f, sql);
}

static void pf_zone(struct pf *f, int64_t from)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "INSERT INTO zones (place_id, level, measures, from_at, reason, created_at) "
		 "VALUES (%lld, 'medium', 'controlled', %lld, 'r', %lld)",
		 (long long)place_at(f, PLACES_COMMUNITY), (long long)from, (long long)from);
	pf_exec(f, sql);
}

static void pf_sweep(struct pf *f, int64_t now)
{
	struct control_sweep sw = {0};
	int64_t changed;
	assert_int_equal(control_plans_sweep(f->t.db, now, &sw, &changed), 0);
}

/* Not sampled in a round over the zone that has closed: yellow, at the sweep after. */
static void test_round_missed_yellow(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[1];
	pf_zone(f, gz(2021, 5, 30, 12, 0));
	int64_t r = pf_round(f, gz(2021, 6, 1, 8, 0), 0);
	pf_sweep(f, gz(2021, 6, 1, 12, 0)); /* still running: nobody missed it yet */
	assert_int_equal(pf_reasons(f, p), 0);
	char sql[128];
	snprintf(sql, sizeof sql, "UPDATE rounds SET closed_at = %lld WHERE id = %lld",
		 (long long)gz(2021, 6, 1, 20, 0), (long long)r);
	pf_exec(f, sql);
	pf_sweep(f, gz(2021, 6, 1, 20, 1));
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_MISSED_ROUND);
	assert_string_equal(people_reasons_colour(pf_reasons(f, p)), "yellow");
	assert_string_equal(people_reason_code(7), "missed_round_test");
}

/* Sampled in the round (or exempt from it): green. */
static void test_round_sampled_green(void **state)
{
	struct pf *f = *state;
	pf_zone(f, gz(2021, 5, 30, 12, 0));
	int64_t r = pf_round(f, gz(2021, 6, 1, 8, 0), gz(2021, 6, 1, 20, 0));
	pf_sample(f, r, f->person[0], gz(2021, 6, 1, 9, 0));
	char sql[200];
	snprintf(sql, sizeof sql,
		 "INSERT INTO exemptions (round_id, person_id, reason, created_at) "
		 "VALUES (%lld, %lld, 0, 0)",
		 (long long)r, (long long)f->person[2]);
	pf_exec(f, sql);
	pf_sweep(f, gz(2021, 6, 1, 20, 1));
	assert_int_equal(pf_reasons(f, f->person[0]), 0);
	assert_int_equal(pf_reasons(f, f->person[2]), 0);
	assert_int_equal(pf_reasons(f, f->person[1]), PEOPLE_REASON_MISSED_ROUND);
}

/* No zone over the household (or one drawn only after the round ended): green. */
static void test_round_no_zone_green(void **state)
{
	struct pf *f = *state;
	unsigned reasons;
	pf_round(f, gz(2021, 6, 1, 8, 0), gz(2021, 6, 1, 20, 0));
	pf_sweep(f, gz(2021, 6, 1, 20, 1));
	assert_int_equal(pf_reasons(f, f->person[1]), 0);
	assert_int_equal(
	    control__colour_compute(f->t.db, f->person[1], gz(2021, 6, 2, 9, 0), &reasons), 0);
	assert_int_equal(reasons, 0);
	pf_zone(f, gz(2021, 6, 2, 8, 0));
	assert_int_equal(
	    control__colour_compute(f->t.db, f->person[1], gz(2021, 6, 2, 9, 0), &reasons), 0);
	assert_int_equal(reasons, 0);
}

/* Two negatives at least 24 h apart after the round's end turn it green; one does not. */
static void test_round_two_negatives_green(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[1];
	pf_zone(f, gz(2021, 5, 30, 12, 0));
	pf_round(f, gz(2021, 6, 1, 8, 0), gz(2021, 6, 1, 20, 0));
	pf_sweep(f, gz(2021, 6, 1, 20, 1));
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_MISSED_ROUND);
	int64_t r2 = pf_round(f, gz(2021, 6, 2, 8, 0), 0); /* a later round, still open */
	struct screening_hook_result hr = {.person_id = p,
					   .household_id = f->hh,
					   .round_id = r2,
					   .capacity = 1,
					   .result = SCREENING_RESULT_NEGATIVE};
	pf_sample(f, r2, p, gz(2021, 6, 2, 9, 0));
	hr.sampled_at = gz(2021, 6, 2, 9, 0);
	hr.resulted_at = gz(2021, 6, 2, 10, 0);
	assert_int_equal(control__round_on_result(f->t.db, &hr), 0);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_MISSED_ROUND);
	pf_sample(f, r2, p, gz(2021, 6, 3, 10, 0));
	hr.sampled_at = gz(2021, 6, 3, 10, 0);
	hr.resulted_at = gz(2021, 6, 3, 11, 0);
	assert_int_equal(control__round_on_result(f->t.db, &hr), 0);
	assert_int_equal(pf_reasons(f, p), 0);
}

/* A zone drawn after the round closed (in force before its end) recolours its residents
 * at once; lifting it turns them green again. */
static void test_round_zone_drawn_and_lifted(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[1], ended;
	pf_round(f, gz(2021, 6, 1, 8, 0), gz(2021, 6, 1, 20, 0));
	struct control_zone z = {.place_id = place_at(f, PLACES_COMMUNITY),
				 .level = CONTROL_ZONE_MEDIUM,
				 .measures = CONTROL_MEASURES_CONTROLLED,
				 .from_at = gz(2021, 6, 1, 7, 0)};
	snprintf(z.reason, sizeof z.reason, "cluster");
	assert_int_equal(control_zone_create(f->t.db, &z, gz(2021, 6, 2, 9, 0), NULL, NULL), 0);
	assert_int_equal(pf_reasons(f, p), PEOPLE_REASON_MISSED_ROUND);
	assert_int_equal(control_zone_lift(f->t.db, z.id, gz(2021, 6, 2, 12, 0), &ended, NULL), 0);
	assert_int_equal(pf_reasons(f, p), 0);
}

static void drained(int64_t person, void *ctx)
{
	int64_t *seen = ctx;
	seen[person < 4 ? person : 0]++;
}

/* Each change queues the person for the codebook; a drain long after forgets them. */
static void test_drain(void **state)
{
	struct pf *f = *state;
	int64_t t = gz(2021, 6, 1, 12, 0), seen[4] = {0};
	control__colour_drain(INT64_MAX / 2, drained, seen); /* empty what earlier tests left */
	memset(seen, 0, sizeof seen);
	pf_status(f, f->person[1], "case", t, 0, t);
	control__colour_drain((int64_t)(mu_now_mono() * 1000), drained, seen);
	assert_int_equal(seen[f->person[1]], 1);
	control__colour_drain(INT64_MAX / 2, drained, seen);
	assert_int_equal(seen[f->person[1]], 2);
	control__colour_drain(INT64_MAX / 2, drained, seen);
	assert_int_equal(seen[f->person[1]], 2);
	assert_int_equal(people_reasons_parse("case,missed_plan_test,bogus"),
			 PEOPLE_REASON_CASE | PEOPLE_REASON_MISSED_TEST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_green_by_default, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_case_red_until_discharged, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_close_red_then_yellow_then_green, pf_setup,
					    pf_teardown),
	    cmocka_unit_test_setup_teardown(test_secondary_and_sealed_red, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_pool_positive_yellow, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_missed_then_two_negatives, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_round_missed_yellow, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_round_sampled_green, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_round_no_zone_green, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_round_two_negatives_green, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_round_zone_drawn_and_lifted, pf_setup,
					    pf_teardown),
	    cmocka_unit_test_setup_teardown(test_drain, pf_setup, pf_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
