/* test_time.c: mu_time_parse, the one ISO 8601 / RFC 3339 parser of src/core — dates,
 * times with and without seconds, fractions, offsets, and what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

/* 2021-06-01T00:00:00Z in unix milliseconds. */
#define JUNE1 1622505600000LL

static int64_t ms_of(const char *s)
{
	int64_t ms = -42;
	assert_int_equal(mu_time_parse(s, &ms), 0);
	return ms;
}

static void test_dates_and_times(void **state)
{
	(void)state;
	assert_int_equal(ms_of("2021-06-01"), JUNE1);
	assert_int_equal(ms_of("1970-01-01"), 0);
	assert_int_equal(ms_of("1969-12-31"), -86400000LL);
	assert_int_equal(ms_of("2021-06-01T08:30"), JUNE1 + (8 * 3600 + 30 * 60) * 1000LL);
	assert_int_equal(ms_of("2021-06-01 08:30:15"), JUNE1 + (8 * 3600 + 30 * 60 + 15) * 1000LL);
	assert_int_equal(ms_of("2021-06-01T23:59:60Z"), JUNE1 + 86400 * 1000LL); /* leap second */
	assert_int_equal(ms_of("2024-02-29T00:00:00Z"), 1709164800000LL);
}

static void test_fractions(void **state)
{
	(void)state;
	assert_int_equal(ms_of("2021-06-01T00:00:00.250Z"), JUNE1 + 250);
	assert_int_equal(ms_of("2021-06-01T00:00:00,5"), JUNE1 + 500);
	assert_int_equal(ms_of("2021-06-01T00:00:00.1239"), JUNE1 + 123); /* dropped, not rounded */
	assert_int_equal(ms_of("2021-06-01T00:00:00.07Z"), JUNE1 + 70);
}

static void test_offsets(void **state)
{
	(void)state;
	assert_int_equal(ms_of("2021-06-01T08:00:00+08:00"), JUNE1);
	assert_int_equal(ms_of("2021-05-31T16:00:00-08:00"), JUNE1);
	assert_int_equal(ms_of("2021-06-01T05:30+05:30"), JUNE1);
	assert_int_equal(ms_of("2021-06-01T00:00:00Z"), ms_of("2021-06-01T00:00:00"));
}

static void test_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "2021-06",
	    "2021-6-01",
	    "2021-02-29",
	    "2021-13-01",
	    "2021-06-01T",
	    "2021-06-01Tx",
	    "2021-06-01T8:00",
	    "2021-06-01T24:00:00Z",
	    "2021-06-01T08:60",
	    "2021-06-01T08:00:61",
	    "2021-06-01T08:00:00.",
	    "2021-06-01T08:00:00.5x",
	    "2021-06-01T08:00:00+8",
	    "2021-06-01T08:00:00+08",
	    "2021-06-01T08:00:00+0800",
	    "2021-06-01T08:00:00+15:00",
	    "2021-06-01T08:00:00+08:60",
	    "2021-06-01T08:00:00Zjunk",
	    "2021-06-01Z",
	    "2021-06-01 ",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t ms = 7;
		if (mu_time_parse(bad[i], &ms) != MU_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(ms, 7); /* untouched on refusal */
	}
	int64_t ms;
	assert_int_equal(mu_time_parse(NULL, &ms), MU_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dates_and_times),
	    cmocka_unit_test(test_fractions),
	    cmocka_unit_test(test_offsets),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
