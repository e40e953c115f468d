/* test_ladder.c: the escalation ladder calls/ and control/ share — rung by rung with a
 * fake clock, the top that holds, an allowance that holds for good, bad arguments, and
 * the database form over a real path. */
#include "testutil.h"

#include "places/places.h"

/* A grid's path: city 1, district 2, street 3, community 4, grid 5. */
static const int64_t path[] = {1, 2, 3, 4, 5};
/* Allowances per level: community 2 h, street 4 h, district 8 h. */
static const int64_t allow[PLACES_NLEVELS] = {0, 8 * 3600, 4 * 3600, 2 * 3600, 0, 0, 0, 0};

static void test_rungs_by_time(void **state)
{
	(void)state;
	struct places_rung r[PLACES_NLEVELS];
	int n;
	const int64_t t0 = 1000000, due = t0 + 1800; /* 30 min on the grid */
	/* Before its due: the grid holds it. */
	assert_int_equal(
	    places_ladder_walk(path, 5, t0, due, allow, PLACES_DISTRICT, due - 1, r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].place_id, 5);
	assert_int_equal(r[0].level, PLACES_GRID);
	assert_int_equal(r[0].from, t0);
	assert_int_equal(r[0].due, due);
	/* At its due: the community, for 2 h from then. */
	assert_int_equal(places_ladder_walk(path, 5, t0, due, allow, PLACES_DISTRICT, due, r, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].place_id, 4);
	assert_int_equal(r[1].level, PLACES_COMMUNITY);
	assert_int_equal(r[1].from, due);
	assert_int_equal(r[1].due, due + 7200);
	/* 2 h later the street, 4 h after that the district, where it stays. */
	assert_int_equal(
	    places_ladder_walk(path, 5, t0, due, allow, PLACES_DISTRICT, due + 7200, r, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[2].place_id, 3);
	assert_int_equal(r[2].from, due + 7200);
	assert_int_equal(r[2].due, due + 7200 + 14400);
	assert_int_equal(places_ladder_walk(path, 5, t0, due, allow, PLACES_DISTRICT,
					    due + 365 * 86400LL, r, &n),
			 0);
	assert_int_equal(n, 4);
	assert_int_equal(r[3].place_id, 2);
	assert_int_equal(r[3].level, PLACES_DISTRICT);
	assert_int_equal(r[3].from, due + 7200 + 14400);
	assert_int_equal(r[3].due, due + 7200 + 14400 + 28800);
}

static void test_top_and_holding(void **state)
{
	(void)state;
	struct places_rung r[PLACES_NLEVELS];
	int n;
	/* A top of street: it never reaches the district. */
	assert_int_equal(places_ladder_walk(path, 5, 0, 10, allow, PLACES_STREET, 1000000, r, &n),
			 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[2].level, PLACES_STREET);
	/* A community allowance of 0 holds it there for good. */
	int64_t hold[PLACES_NLEVELS] = {0, 3600, 3600, 0, 0, 0, 0, 0};
	assert_int_equal(places_ladder_walk(path, 5, 0, 10, hold, PLACES_DISTRICT, 1000000, r, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].level, PLACES_COMMUNITY);
	assert_true(r[1].due == INT64_MAX);
	/* A first holder that is already the top stays. */
	assert_int_equal(places_ladder_walk(path, 2, 0, 10, allow, PLACES_DISTRICT, 1000000, r, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].place_id, 2);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct places_rung r[PLACES_NLEVELS];
	int n = 7;
	assert_int_equal(places_ladder_walk(path, 0, 0, 10, allow, 0, 5, r, &n), MU_EINVAL);
	assert_int_equal(n, 0);
	assert_int_equal(places_ladder_walk(path, 5, 0, 10, allow, 5, 5, r, &n), MU_EINVAL);
	assert_int_equal(places_ladder_walk(path, 5, 10, 5, allow, 1, 5, r, &n), MU_EINVAL);
}

static void test_from_database(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	int64_t city, dist, street, comm, grid;
	assert_int_equal(places_add(t.db, 0, PLACES_CITY, "440100", "广州市", &city, NULL), 0);
	assert_int_equal(places_add(t.db, city, PLACES_DISTRICT, "440103", "荔湾区", &dist, NULL),
			 0);
	assert_int_equal(
	    places_add(t.db, dist, PLACES_STREET, "440103014", "白鹤洞街", &street, NULL), 0);
	assert_int_equal(
	    places_add(t.db, street, PLACES_COMMUNITY, "440103014001", "芳村社区", &comm, NULL), 0);
	assert_int_equal(
	    places_add(t.db, comm, PLACES_GRID, "440103014001001", "第1网格", &grid, NULL), 0);
	struct places_rung r[PLACES_NLEVELS];
	int n;
	assert_int_equal(places_ladder(t.db, grid, 0, 60, allow, PLACES_DISTRICT, 60 + 7200, r, &n),
			 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].place_id, grid);
	assert_int_equal(r[1].place_id, comm);
	assert_int_equal(r[2].place_id, street);
	assert_int_equal(places_ladder(t.db, 999999, 0, 60, allow, PLACES_DISTRICT, 0, r, &n),
			 MU_ENOTFOUND);
	/* A top below the holder: no answer. */
	assert_int_equal(places_ladder(t.db, comm, 0, 60, allow, PLACES_GRID, 0, r, &n), MU_EINVAL);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rungs_by_time),
	    cmocka_unit_test(test_top_and_holding),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_from_database),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
