/* test_sealtext.c: people_text_seal/open — a short personal text another capability keeps
 * (a caller's phone) opens under its own context and key only, refuses a tampered blob
 * and a text too long, and never holds the text in clear. */
#include <sodium.h>

#include "testutil.h"

static void test_round_trip(void **state)
{
	(void)state;
	struct people_keys k;
	randombytes_buf(&k, sizeof k);
	unsigned char blob[PEOPLE_TEXT_SEALED(PEOPLE_TEXT_MAX)];
	size_t n = 0;
	char out[PEOPLE_TEXT_MAX + 1];
	assert_int_equal(people_text_seal(&k, "calls.phone", "13800138000", blob, sizeof blob, &n),
			 0);
	assert_int_equal(n, PEOPLE_TEXT_SEALED(11));
	assert_null(memmem(blob, n, "13800138000", 11));
	assert_int_equal(people_text_open(&k, "calls.phone", blob, n, out, sizeof out), 0);
	assert_string_equal(out, "13800138000");
	/* Another use's context, another key, a flipped bit: none opens. */
	assert_int_equal(people_text_open(&k, "calls.text", blob, n, out, sizeof out), MU_ECRYPTO);
	assert_string_equal(out, "");
	struct people_keys other = k;
	other.seal[0] ^= 1;
	assert_int_equal(people_text_open(&other, "calls.phone", blob, n, out, sizeof out),
			 MU_ECRYPTO);
	blob[n - 1] ^= 1;
	assert_int_equal(people_text_open(&k, "calls.phone", blob, n, out, sizeof out), MU_ECRYPTO);
	/* Too short to be a blob; an output too small for the text. */
	assert_int_equal(people_text_open(&k, "calls.phone", blob, 10, out, sizeof out),
			 MU_ECRYPTO);
	blob[n - 1] ^= 1;
	char small[4];
	assert_int_equal(people_text_open(&k, "calls.phone", blob, n, small, sizeof small),
			 MU_EINVAL);
	/* Two seals of one text differ (a fresh nonce each). */
	unsigned char again[sizeof blob];
	size_t m = 0;
	assert_int_equal(
	    people_text_seal(&k, "calls.phone", "13800138000", again, sizeof again, &m), 0);
	assert_int_equal(m, n);
	assert_memory_not_equal(again, blob, n);
}

static void test_limits(void **state)
{
	(void)state;
	struct people_keys k;
	randombytes_buf(&k, sizeof k);
	char text[PEOPLE_TEXT_MAX + 2];
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	unsigned char blob[PEOPLE_TEXT_SEALED(PEOPLE_TEXT_MAX + 1)];
	size_t n = 99;
	assert_int_equal(people_text_seal(&k, "c", text, blob, sizeof blob, &n), MU_EINVAL);
	assert_int_equal(n, 0);
	text[PEOPLE_TEXT_MAX] = '\0';
	assert_int_equal(people_text_seal(&k, "c", text, blob, 10, &n), MU_EINVAL);
	assert_int_equal(people_text_seal(&k, "c", text, blob, sizeof blob, &n), 0);
	char out[PEOPLE_TEXT_MAX + 1];
	assert_int_equal(people_text_open(&k, "c", blob, n, out, sizeof out), 0);
	assert_int_equal(strlen(out), PEOPLE_TEXT_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
