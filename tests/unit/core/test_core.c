/* test_core.c: arenas, capped buffers, UTF-8 validation, civil dates, the error table
 * and number parsing from src/core. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"

/* ---- arena ---------------------------------------------------------------------- */

static void test_arena_alignment(void **state)
{
	(void)state;
	struct mu_arena a;
	mu_arena_init(&a, 256);
	for (size_t n = 1; n < 100; n++) {
		unsigned char *p = mu_arena_alloc(&a, n);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xAB, n);
	}
	mu_arena_fini(&a);
	assert_null(a.head);
}

static void test_arena_many(void **state)
{
	(void)state;
	struct mu_arena a;
	mu_arena_init(&a, 1024);
	enum { N = 10000 };
	int **ptrs = calloc(N, sizeof *ptrs);
	for (int i = 0; i < N; i++) {
		ptrs[i] = mu_arena_alloc(&a, sizeof(int) * 3);
		ptrs[i][0] = i;
		ptrs[i][1] = -i;
		ptrs[i][2] = i * 7;
	}
	/* Nothing handed out twice: every value still reads back. */
	for (int i = 0; i < N; i++) {
		assert_int_equal(ptrs[i][0], i);
		assert_int_equal(ptrs[i][1], -i);
		assert_int_equal(ptrs[i][2], i * 7);
	}
	free(ptrs);
	char *s = mu_arena_strndup(&a, "hello world", 5);
	assert_string_equal(s, "hello");
	char *f = mu_arena_sprintf(&a, "%s-%d-%s", "x", 42, "中文");
	assert_string_equal(f, "x-42-中文");
	mu_arena_fini(&a);
}

static void test_arena_big(void **state)
{
	(void)state;
	struct mu_arena a;
	mu_arena_init(&a, 128);
	char *small = mu_arena_alloc(&a, 16);
	memset(small, 's', 16);
	size_t big_n = 100000;
	unsigned char *big = mu_arena_alloc(&a, big_n);
	assert_int_equal((uintptr_t)big % 16, 0);
	memset(big, 0x5A, big_n);
	char *after = mu_arena_alloc(&a, 32);
	memset(after, 'a', 32);
	for (size_t i = 0; i < big_n; i++)
		if (big[i] != 0x5A)
			fail_msg("big allocation overwritten at %zu", i);
	for (int i = 0; i < 16; i++)
		assert_int_equal(small[i], 's');
	mu_arena_fini(&a);
}

static void test_arena_reset_reuses(void **state)
{
	(void)state;
	struct mu_arena a;
	mu_arena_init(&a, 4096);
	void *first = mu_arena_alloc(&a, 64);
	for (int i = 0; i < 1000; i++)
		mu_arena_alloc(&a, 100); /* spills into several more blocks */
	mu_arena_reset(&a);
	/* The first block is kept and rewound: the next allocation is the very first
	 * address again. */
	assert_non_null(a.head);
	void *again = mu_arena_alloc(&a, 64);
	assert_ptr_equal(first, again);
	mu_arena_fini(&a);
	/* Reset of an empty arena is harmless. */
	mu_arena_init(&a, 0);
	mu_arena_reset(&a);
	assert_null(a.head);
	mu_arena_fini(&a);
}

/* ---- buffer --------------------------------------------------------------------- */

static void test_buf_max(void **state)
{
	(void)state;
	struct mu_buf b;
	mu_buf_init(&b, 10);
	assert_string_equal(mu_buf_str(&b), "");
	assert_int_equal(mu_buf_puts(&b, "hello"), 0);
	assert_int_equal(mu_buf_append(&b, "world", 5), 0); /* exactly max */
	assert_int_equal(b.len, 10);
	assert_string_equal(mu_buf_str(&b), "helloworld");
	assert_int_equal(mu_buf_putc(&b, '!'), MU_ETOOBIG);
	assert_int_equal(mu_buf_printf(&b, "%d", 1), MU_ETOOBIG);
	assert_int_equal(mu_buf_append(&b, "x", SIZE_MAX), MU_ETOOBIG);
	assert_int_equal(b.len, 10);
	assert_string_equal(mu_buf_str(&b), "helloworld");
	mu_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(mu_buf_str(&b), "");
	assert_int_equal(mu_buf_puts(&b, "0123456789a"), MU_ETOOBIG);
	assert_string_equal(mu_buf_str(&b), "");
	mu_buf_fini(&b);
	mu_buf_fini(&b); /* twice is harmless */
}

static void test_buf_printf_growth(void **state)
{
	(void)state;
	struct mu_buf b;
	mu_buf_init(&b, 1 << 20);
	assert_int_equal(mu_buf_printf(&b, "%s=%d;", "a", 1), 0);
	/* Longer than printf's 256-byte stack buffer. */
	char big[1000];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(mu_buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 4 + 1 + 999 + 1);
	assert_memory_equal(b.data, "a=1;[", 5);
	assert_int_equal(b.data[b.len - 1], ']');
	assert_int_equal(b.data[b.len], '\0');
	assert_true(b.cap > b.len);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(mu_buf_printf(&b, "%04d", i % 10000), 0);
	assert_int_equal(b.len, 1005 + 40000);
	assert_memory_equal(b.data + 1005, "000000010002", 12);
	mu_buf_fini(&b);
}

/* ---- UTF-8 ---------------------------------------------------------------------- */

static bool v(const char *s)
{
	return mu_utf8_valid(s, strlen(s));
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(v(""));
	assert_true(v("plain ascii"));
	assert_true(v("\xC3\xA9"));	    /* é, 2 bytes */
	assert_true(v("中文"));		    /* 3 bytes each */
	assert_true(v("\xF0\xA0\x88\x8C")); /* 𠈌 U+2020C, 4 bytes */
	assert_true(v("𠈌"));
	assert_true(v("\xF4\x8F\xBF\xBF"));    /* U+10FFFF, the last code point */
	assert_true(v("\xEF\xBF\xBF"));	       /* U+FFFF */
	assert_true(v("\xED\x9F\xBF"));	       /* U+D7FF, just before surrogates */
	assert_true(mu_utf8_valid("a\0b", 3)); /* NUL is a valid code point */
	assert_int_equal(mu_utf8_len("a中𠈌é", strlen("a中𠈌é")), 4);

	assert_false(v("\xC0\x80"));	     /* overlong NUL */
	assert_false(v("\xC1\xBF"));	     /* overlong 2-byte */
	assert_false(v("\xE0\x80\xAF"));     /* overlong '/' in 3 bytes */
	assert_false(v("\xE0\x9F\xBF"));     /* overlong 3-byte */
	assert_false(v("\xF0\x8F\xBF\xBF")); /* overlong 4-byte */
	assert_false(v("\xED\xA0\x80"));     /* U+D800 surrogate */
	assert_false(v("\xED\xBF\xBF"));     /* U+DFFF surrogate */
	assert_false(v("\xF4\x90\x80\x80")); /* U+110000 */
	assert_false(v("\xF5\x80\x80\x80"));
	assert_false(v("\xFF"));
	assert_false(v("\x80"));			    /* lone continuation */
	assert_false(v("\xC3"));			    /* truncated 2-byte */
	assert_false(v("\xE4\xB8"));			    /* truncated 3-byte */
	assert_false(v("\xF0\xA0\x88"));		    /* truncated 4-byte */
	assert_false(mu_utf8_valid("\xF0\xA0\x88\x8C", 3)); /* cut by n, not by NUL */
	assert_false(v("ok\xE4\xB8x"));			    /* bad continuation */
	assert_false(v("\xD6\xD0\xCE\xC4"));		    /* "中文" in GBK */
}

/* ---- dates ---------------------------------------------------------------------- */

static void test_dates_valid(void **state)
{
	(void)state;
	assert_true(mu_date_valid(2000, 2, 29));
	assert_false(mu_date_valid(1900, 2, 29));
	assert_true(mu_date_valid(2024, 2, 29));
	assert_false(mu_date_valid(2023, 2, 29));
	assert_false(mu_date_valid(2100, 2, 29));
	assert_true(mu_date_valid(2023, 12, 31));
	assert_false(mu_date_valid(2023, 4, 31));
	assert_false(mu_date_valid(2023, 13, 1));
	assert_false(mu_date_valid(2023, 0, 1));
	assert_false(mu_date_valid(2023, 1, 0));
	assert_int_equal(mu_date_to_days(1970, 1, 1), 0);
	assert_int_equal(mu_date_to_days(2000, 3, 1) - mu_date_to_days(2000, 2, 28), 2);
	assert_int_equal(mu_date_to_days(1900, 3, 1) - mu_date_to_days(1900, 2, 28), 1);
	assert_int_equal(mu_date_to_days(1969, 12, 31), -1);
	assert_int_equal(mu_date_to_days(2022, 4, 1), 19083);
}

static void test_dates_round_trip(void **state)
{
	(void)state;
	/* Every day from 1800-01-01 to 2200-12-31: consecutive, valid, and round-trips
	 * through both the numeric and the text form. */
	int64_t from = mu_date_to_days(1800, 1, 1), to = mu_date_to_days(2200, 12, 31);
	int py = 1799, pm = 12, pd = 31;
	for (int64_t z = from; z <= to; z++) {
		int y, m, d;
		mu_days_to_date(z, &y, &m, &d);
		assert_true(mu_date_valid(y, m, d));
		assert_int_equal(mu_date_to_days(y, m, d), z);
		/* The day after (py, pm, pd). */
		if (d == 1)
			assert_true(m == pm % 12 + 1 && !mu_date_valid(py, pm, pd + 1));
		else
			assert_true(y == py && m == pm && d == pd + 1);
		char txt[11];
		mu_date_format(z, txt);
		int64_t back;
		assert_int_equal(mu_date_parse(txt, &back), 0);
		assert_int_equal(back, z);
		py = y, pm = m, pd = d;
	}
	char txt[11];
	mu_date_format(mu_date_to_days(2000, 2, 29), txt);
	assert_string_equal(txt, "2000-02-29");
	mu_date_format(mu_date_to_days(987, 6, 5), txt);
	assert_string_equal(txt, "0987-06-05");
}

static void test_dates_parse(void **state)
{
	(void)state;
	int64_t z = 12345;
	assert_int_equal(mu_date_parse("2000-02-29", &z), 0);
	assert_int_equal(z, mu_date_to_days(2000, 2, 29));
	static const char *const bad[] = {
	    "1900-02-29",  "2023-02-29",    "2023-04-31", "2023-13-01",
	    "2023-00-10",  "2023-01-00",    "0000-01-01", "2023-1-01",
	    "2023-01-1",   "23-01-01",	    "2023/01/01", "2023-01-01 ",
	    " 2023-01-01", "2023-01-01T00", "2023-0a-01", "+023-01-01",
	    "2023-+1-01",  "2023-01--1",    "",		  "20230101",
	    "2023-001-1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		z = 777;
		if (mu_date_parse(bad[i], &z) != MU_EINVAL)
			fail_msg("accepted bad date \"%s\"", bad[i]);
		assert_int_equal(z, 777);
	}
	assert_int_equal(mu_date_parse(NULL, &z), MU_EINVAL);
}

/* ---- errors, numbers ------------------------------------------------------------ */

static void test_error_table(void **state)
{
	(void)state;
	struct {
		int err, http;
		const char *code;
	} want[] = {
	    {MU_EINVAL, 400, "invalid"},       {MU_ENOTFOUND, 404, "not_found"},
	    {MU_EEXIST, 409, "conflict"},      {MU_EDB, 500, "db_error"},
	    {MU_EIO, 500, "io_error"},	       {MU_ETOOBIG, 413, "too_large"},
	    {MU_EBUSY, 503, "busy"},	       {MU_ECRYPTO, 500, "crypto_error"},
	    {MU_EFORBIDDEN, 403, "forbidden"}, {MU_EUNAUTH, 401, "unauthenticated"},
	    {MU_ESTOPPED, 503, "stopped"},     {MU_ESCHEMA, 500, "schema"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_true(want[i].err < 0);
		assert_int_equal(mu_err_http(want[i].err), want[i].http);
		assert_string_equal(mu_err_code(want[i].err), want[i].code);
		assert_non_null(mu_err_msg(want[i].err));
		assert_true(strlen(mu_err_msg(want[i].err)) > 0);
		for (size_t k = 0; k < i; k++)
			assert_int_not_equal(want[k].err, want[i].err);
	}
	assert_int_equal(mu_err_http(-999), 500);
	assert_string_equal(mu_err_code(-999), "internal");
	assert_int_equal(mu_err_http(0), 500);
}

/* A reason: code returned, field and text set, long text cut with its NUL kept; NULL
 * accepted; clear empties it. */
static void test_why(void **state)
{
	(void)state;
	struct mu_why w = {0};
	assert_int_equal(mu_why_set(&w, MU_EEXIST, "tube", "tube %s is %s", "T1", "full"),
			 MU_EEXIST);
	assert_string_equal(w.field, "tube");
	assert_string_equal(w.text, "tube T1 is full");
	assert_int_equal(mu_why_set(NULL, MU_EINVAL, "x", "ignored %d", 1), MU_EINVAL);
	char big[300];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(mu_why_set(&w, MU_EINVAL, NULL, "%s", big), MU_EINVAL);
	assert_null(w.field);
	assert_int_equal(strlen(w.text), MU_WHY_MAX - 1);
	mu_why_clear(&w);
	assert_null(w.field);
	assert_string_equal(w.text, "");
	mu_why_clear(NULL);
}

static void test_parse_i64(void **state)
{
	(void)state;
	int64_t x = 0;
	assert_int_equal(mu_parse_i64("0", &x), 0);
	assert_int_equal(x, 0);
	assert_int_equal(mu_parse_i64("-42", &x), 0);
	assert_int_equal(x, -42);
	assert_int_equal(mu_parse_i64("9223372036854775807", &x), 0);
	assert_true(x == INT64_MAX);
	assert_int_equal(mu_parse_i64("-9223372036854775808", &x), 0);
	assert_true(x == INT64_MIN);
	x = 5;
	static const char *const bad[] = {
	    "",
	    "-",
	    "12a",
	    "a12",
	    "1 ",
	    " 1",
	    "\t1",
	    "\n1",
	    "1.5",
	    "0x10",
	    "1e3",
	    "9223372036854775808",
	    "-9223372036854775809",
	    "99999999999999999999",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (mu_parse_i64(bad[i], &x) != MU_EINVAL)
			fail_msg("accepted bad integer \"%s\"", bad[i]);
	assert_int_equal(x, 5);
	assert_int_equal(mu_parse_i64(NULL, &x), MU_EINVAL);

	double dv = 0;
	assert_int_equal(mu_parse_double("23.125", &dv), 0);
	assert_true(dv == 23.125);
	assert_int_equal(mu_parse_double("-1e2", &dv), 0);
	assert_true(dv == -100.0);
	static const char *const dbad[] = {"",	  "x",	  "1.5x", " 1.5", "nan",
					   "inf", "-inf", "NaN",  "1e999"};
	for (size_t i = 0; i < sizeof dbad / sizeof dbad[0]; i++)
		if (mu_parse_double(dbad[i], &dv) != MU_EINVAL)
			fail_msg("accepted bad number \"%s\"", dbad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arena_alignment),
	    cmocka_unit_test(test_arena_many),
	    cmocka_unit_test(test_arena_big),
	    cmocka_unit_test(test_arena_reset_reuses),
	    cmocka_unit_test(test_buf_max),
	    cmocka_unit_test(test_buf_printf_growth),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_dates_valid),
	    cmocka_unit_test(test_dates_round_trip),
	    cmocka_unit_test(test_dates_parse),
	    cmocka_unit_test(test_error_table),
	    cmocka_unit_test(test_why),
	    cmocka_unit_test(test_parse_i64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
