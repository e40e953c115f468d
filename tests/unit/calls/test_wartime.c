/* test_wartime.c: the wartime switch's state — a district's switch holds for its
 * streets from its time on, the latest switch over the path decides, only the city or a
 * district switches, a switch that changes nothing is refused, the history is kept. */
#include "testutil.h"

#include "calls/calls.h"
#include "places/places.h"

struct fx {
	struct tdb t;
	int64_t city, dist, dist2, street;
};

static int setup(void **state)
{
	struct fx *f = mu_xcalloc(1, sizeof *f);
	tdb_open(&f->t);
	struct db *d = f->t.db;
	assert_int_equal(places_add(d, 0, PLACES_CITY, "440100", "广州市", &f->city, NULL), 0);
	assert_int_equal(
	    places_add(d, f->city, PLACES_DISTRICT, "440103", "荔湾区", &f->dist, NULL), 0);
	assert_int_equal(
	    places_add(d, f->city, PLACES_DISTRICT, "440104", "越秀区", &f->dist2, NULL), 0);
	assert_int_equal(
	    places_add(d, f->dist, PLACES_STREET, "440103014", "白鹤洞街", &f->street, NULL), 0);
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

static int count_switch(const struct calls_wartime_switch *s, void *ctx)
{
	int *n = ctx;
	assert_string_not_equal(s->reason, "");
	(*n)++;
	return 0;
}

static void test_switch_and_path(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	bool on = true;
	int64_t since = -1, id = 0;
	assert_int_equal(calls_wartime_of(d, f->street, 100, &on, &since), 0);
	assert_false(on);
	assert_int_equal(since, 0);
	assert_int_equal(
	    calls_wartime_set(d, f->dist, true, 1000, "白鹤洞街 high risk", 0, &id, NULL), 0);
	assert_true(id > 0);
	/* Before the switch: normal; from its time: wartime, below it too, not beside it. */
	assert_int_equal(calls_wartime_of(d, f->street, 999, &on, NULL), 0);
	assert_false(on);
	assert_int_equal(calls_wartime_of(d, f->street, 1000, &on, &since), 0);
	assert_true(on);
	assert_int_equal(since, 1000);
	assert_int_equal(calls_wartime_of(d, f->dist2, 2000, &on, NULL), 0);
	assert_false(on);
	/* The city switches off later: the latest switch over the path decides. */
	struct mu_why why;
	assert_int_equal(calls_wartime_set(d, f->city, false, 3000, "over", 0, NULL, &why),
			 MU_EINVAL);
	assert_string_equal(why.field, "on"); /* the city was never on */
	assert_int_equal(calls_wartime_set(d, f->city, true, 3000, "city", 0, NULL, NULL), 0);
	assert_int_equal(calls_wartime_set(d, f->city, false, 4000, "city off", 0, NULL, NULL), 0);
	assert_int_equal(calls_wartime_of(d, f->street, 4000, &on, &since), 0);
	assert_false(on);
	assert_int_equal(since, 4000);
	assert_int_equal(calls_wartime_of(d, f->street, 3500, &on, NULL), 0);
	assert_true(on);
	int n = 0;
	assert_int_equal(calls_wartime_history(d, f->city, count_switch, &n), 0);
	assert_int_equal(n, 2);
}

static void test_refusals(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	struct mu_why why;
	assert_int_equal(calls_wartime_set(d, f->street, true, 1, "x", 0, NULL, &why), MU_EINVAL);
	assert_string_equal(why.field, "place");
	assert_int_equal(calls_wartime_set(d, f->dist, true, 1, "", 0, NULL, &why), MU_EINVAL);
	assert_string_equal(why.field, "reason");
	assert_int_equal(calls_wartime_set(d, 999999, true, 1, "x", 0, NULL, &why), MU_ENOTFOUND);
	assert_int_equal(calls_wartime_set(d, f->dist, true, 1, "on", 0, NULL, NULL), 0);
	assert_int_equal(calls_wartime_set(d, f->dist, true, 2, "again", 0, NULL, &why), MU_EINVAL);
	assert_string_equal(why.field, "on");
	bool on;
	assert_int_equal(calls_wartime_of(d, 999999, 1, &on, NULL), MU_ENOTFOUND);
}

/* Switches are dated as they happen: none ahead of the clock, none before the latest
 * over the path; nothing is recorded by a refusal. */
static void test_dated_in_order(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	struct mu_why why;
	bool on = true;
	int n = 0;
	assert_int_equal(
	    calls_wartime_set(d, f->dist, true, mu_now_unix() + 3600, "later", 0, NULL, &why),
	    MU_EINVAL);
	assert_string_equal(why.field, "at");
	assert_int_equal(calls_wartime_of(d, f->street, mu_now_unix() + 7200, &on, NULL), 0);
	assert_false(on);
	assert_int_equal(calls_wartime_set(d, f->city, true, 1000, "city", 0, NULL, NULL), 0);
	/* The district is on through the city: switching it off before the city's switch is
	 * refused on its date; after it, accepted. */
	assert_int_equal(calls_wartime_set(d, f->dist, false, 999, "early", 0, NULL, &why),
			 MU_EINVAL);
	assert_string_equal(why.field, "at");
	assert_int_equal(calls_wartime_set(d, f->dist, false, 1000, "same time", 0, NULL, NULL), 0);
	assert_int_equal(calls_wartime_of(d, f->street, 1000, &on, NULL), 0);
	assert_false(on);
	/* The city is on every district's path: the other district is held to it too. */
	assert_int_equal(calls_wartime_set(d, f->dist2, false, 500, "early", 0, NULL, &why),
			 MU_EINVAL);
	assert_string_equal(why.field, "at");
	assert_int_equal(calls_wartime_of(d, f->dist2, 1000, &on, NULL), 0);
	assert_true(on);
	assert_int_equal(calls_wartime_history(d, f->dist, count_switch, &n), 0);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_switch_and_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dated_in_order, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
