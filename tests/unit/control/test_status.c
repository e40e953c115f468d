/* test_status.c: key persons' statuses — one in force per kind and person, a later
 * exposure moves it and an earlier one does not, ends by id and by the row that
 * started them, bad kinds and sources; and the group holding a grid. */
#include "testutil.h"

#include "control/control.h"
#include "control/control_int.h"
#include "places/places.h"

struct fx {
	struct tdb t;
	int64_t hh, p1;
};

static int setup(void **state)
{
	struct fx *f = mu_xcalloc(1, sizeof *f);
	tdb_open(&f->t);
	struct db *d = f->t.db;
	int64_t city, dist, street, comm, grid, comp, bld;
	assert_int_equal(places_add(d, 0, PLACES_CITY, "440100", "广州市", &city, NULL), 0);
	assert_int_equal(places_add(d, city, PLACES_DISTRICT, "440103", "荔湾区", &dist, NULL), 0);
	assert_int_equal(places_add(d, dist, PLACES_STREET, "440103014", "白鹤洞街", &street, NULL),
			 0);
	assert_int_equal(
	    places_add(d, street, PLACES_COMMUNITY, "440103014001", "芳村社区", &comm, NULL), 0);
	assert_int_equal(
	    places_add(d, comm, PLACES_GRID, "440103014001001", "第1网格", &grid, NULL), 0);
	assert_int_equal(
	    places_add(d, grid, PLACES_COMPOUND, "44010301400100101", "芳村花园", &comp, NULL), 0);
	assert_int_equal(
	    places_add(d, comp, PLACES_BUILDING, "44010301400100101001", "1栋", &bld, NULL), 0);
	assert_int_equal(
	    places_add(d, bld, PLACES_HOUSEHOLD, "440103014001001010010101", "101", &f->hh, NULL),
	    0);
	struct people_person x;
	memset(&x, 0, sizeof x);
	snprintf(x.id_number, sizeof x.id_number, "44010619800101%03d", 123);
	x.id_number[17] = people_idcard_check_digit(x.id_number);
	x.id_type = PEOPLE_ID_RESIDENT;
	snprintf(x.name, sizeof x.name, "陈大文");
	x.household_id = f->hh;
	assert_int_equal(people_idcard_check(x.id_number, NULL, &x.birth, &x.sex), 0);
	assert_int_equal(people_add(d, &f->t.keys, &x, NULL), 0);
	f->p1 = x.id;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	tdb_close(&f->t);
	free(f);
	return 0;
}

static int64_t count(struct db *d, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_i64(d, sql, &n), 0);
	return n;
}

static void test_one_per_kind(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	int64_t a, b, c;
	assert_int_equal(
	    control__key_start(d, f->p1, CONTROL_KEY_CLOSE, 1000, "contact", 7, 2000, &a), 0);
	/* An earlier exposure: the same status, unmoved. */
	assert_int_equal(
	    control__key_start(d, f->p1, CONTROL_KEY_CLOSE, 900, "contact", 8, 2100, &b), 0);
	assert_int_equal(a, b);
	assert_int_equal(count(d, "SELECT exposure_at FROM key_statuses"), 1000);
	/* A later one moves it. */
	assert_int_equal(
	    control__key_start(d, f->p1, CONTROL_KEY_CLOSE, 1500, "contact", 9, 2200, &b), 0);
	assert_int_equal(a, b);
	assert_int_equal(count(d, "SELECT exposure_at FROM key_statuses"), 1500);
	/* Another kind is another status. */
	assert_int_equal(control__key_start(d, f->p1, CONTROL_KEY_CASE, 0, "case", 1, 2300, &c), 0);
	assert_true(c != a);
	assert_int_equal(count(d, "SELECT COUNT(*) FROM key_statuses WHERE ended_at IS NULL"), 2);
	assert_int_equal(count(d, "SELECT COUNT(*) FROM key_statuses WHERE exposure_at IS NULL"),
			 1);
	/* Ended, it starts again as a new status. */
	assert_int_equal(control__key_end(d, a, 3000), 0);
	assert_int_equal(control__key_end(d, a, 3001), MU_ENOTFOUND);
	assert_int_equal(
	    control__key_start(d, f->p1, CONTROL_KEY_CLOSE, 2500, "contact", 9, 3100, &b), 0);
	assert_true(b != a);
}

static void test_end_by_ref_and_bad(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	int64_t n = -1;
	assert_int_equal(control__key_start(d, f->p1, CONTROL_KEY_SEALED, 0, "zone", 42, 10, NULL),
			 0);
	assert_int_equal(
	    control__key_start(d, f->p1, CONTROL_KEY_POOL_POSITIVE, 0, "recall", 42, 10, NULL), 0);
	assert_int_equal(control__key_end_ref(d, "zone", 42, 20, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(count(d, "SELECT COUNT(*) FROM key_statuses WHERE ended_at IS NULL"), 1);
	assert_int_equal(count(d, "SELECT kind = 'pool_positive' FROM key_statuses"
				  " WHERE ended_at IS NULL"),
			 1);
	assert_int_equal(control__key_end_ref(d, "zone", 42, 30, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(control__key_start(d, f->p1, CONTROL_NKEYS, 0, "zone", 1, 10, NULL),
			 MU_EINVAL);
	assert_int_equal(control__key_start(d, f->p1, CONTROL_KEY_CASE, 0, "rumour", 1, 10, NULL),
			 MU_EINVAL);
	int k;
	assert_int_equal(control_key_parse("secondary", &k), 0);
	assert_int_equal(k, CONTROL_KEY_SECONDARY);
	assert_int_equal(control_key_parse("Case", &k), MU_EINVAL);
	assert_string_equal(control_key_name(CONTROL_KEY_POOL_POSITIVE), "pool_positive");
	assert_null(control_key_name(-1));
}

static void test_group_of_grid(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	int64_t grid = -1, g = -1;
	assert_int_equal(db_query_i64(d, "SELECT id FROM places WHERE level = 4", &grid), 0);
	assert_int_equal(control_group_of_grid(d, grid, &g), MU_ENOTFOUND);
	assert_int_equal(db_exec(d, "INSERT INTO care_groups (id, name, created_at)"
				    " VALUES (5, 'g', 0)"),
			 0);
	char sql[128];
	snprintf(sql, sizeof sql, "INSERT INTO group_grids VALUES (5, %lld)", (long long)grid);
	assert_int_equal(db_exec(d, sql), 0);
	assert_int_equal(control_group_of_grid(d, grid, &g), 0);
	assert_int_equal(g, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_per_kind, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_end_by_ref_and_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group_of_grid, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
