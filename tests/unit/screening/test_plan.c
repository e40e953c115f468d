/* test_plan.c: the planner against hand-computed values — docs/facts.md's table of Dorfman
 * tests per person, tubes, positive tubes, recalls, desks and hours. */
#include <math.h>

#include "screening/screening.h"
#include "testutil.h"

static double E(int k, double p)
{
	struct screening_plan_in in = {.people = 1000000, .k = k, .prevalence = p};
	struct screening_plan_out out;
	assert_int_equal(screening_plan(&in, &out), 0);
	return out.tests_per_person;
}

static void test_facts_table(void **state)
{
	(void)state;
	static const struct {
		double p;
		int k;
		double e;
	} t[] = {
	    {1e-4, 5, 0.2005}, {1e-4, 10, 0.1010}, {1e-4, 20, 0.0520},
	    {1e-3, 5, 0.2050}, {1e-3, 10, 0.1100}, {1e-3, 20, 0.0698},
	    {1e-2, 5, 0.2490}, {1e-2, 10, 0.1956}, {1e-2, 20, 0.2321},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (fabs(E(t[i].k, t[i].p) - t[i].e) > 0.00005)
			fail_msg("p=%g k=%d: E=%.5f, docs/facts.md says %.4f", t[i].p, t[i].k,
				 E(t[i].k, t[i].p), t[i].e);
	assert_true(fabs(E(1, 0.01) - 1.0) < 1e-12);
}

static void test_whole_city(void **state)
{
	(void)state;
	/* Guangzhou, 10-in-1, p = 1e-3, 1,325 desks, labs of 350,000 tubes a day. */
	struct screening_plan_in in = {
	    .people = 18676605, .k = 10, .prevalence = 1e-3, .desks = 1325, .lab_capacity = 350000};
	struct screening_plan_out o;
	assert_int_equal(screening_plan(&in, &o), 0);
	assert_int_equal(o.tubes, 1867661); /* ceil(18,676,605 / 10) */
	double qk = pow(0.999, 10);	    /* 0.990044880... */
	assert_true(fabs(o.tube_positive - (1 - qk)) < 1e-12);
	assert_true(fabs(o.positive_tubes - 1867661 * (1 - qk)) < 1e-6);
	/* 1,867,661 × 0.0099551 ≈ 18,592.8 positive tubes, ten recalls each. */
	assert_true(fabs(o.positive_tubes - 18592.8) < 0.5);
	assert_true(fabs(o.recalls - 185928) < 5);
	/* 18,676,605 / (1,325 × 405) = 34.8038 days = 835.29 hours. */
	assert_true(fabs(o.sampling_hours - 18676605.0 / (1325.0 * 405.0) * 24.0) < 1e-9);
	assert_true(fabs(o.sampling_hours - 835.29) < 0.01);
	assert_true(fabs(o.lab_hours - (1867661 + o.recalls) / 350000.0 * 24.0) < 1e-9);
	assert_true(o.hours == o.sampling_hours);
	/* Desks for 24 hours: ceil(18,676,605 / 405) = 46,116. */
	in.desks = 0;
	assert_int_equal(screening_plan(&in, &o), 0);
	assert_int_equal(o.desks, 46116);
	assert_true(fabs(o.sampling_hours - 23.9995) < 0.001);
}

static void test_rejects(void **state)
{
	(void)state;
	struct screening_plan_out o;
	struct screening_plan_in bad[] = {
	    {.people = -1, .k = 10},
	    {.people = 1, .k = 0},
	    {.people = 1, .k = 10, .prevalence = 1},
	    {.people = 1, .k = 10, .prevalence = -0.1},
	    {.people = 1, .k = 10, .desks = -1},
	    {.people = 1, .k = 10, .prevalence = NAN},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(screening_plan(&bad[i], &o), MU_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_facts_table),
	    cmocka_unit_test(test_whole_city),
	    cmocka_unit_test(test_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
