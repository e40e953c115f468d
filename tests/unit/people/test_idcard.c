/* test_idcard.c: resident ID numbers — check digits, every reason for refusal, dates
 * at their edges — and the ID type names. */
#include <sodium.h>

#include "testutil.h"

static struct mu_why why;

static int check(const char *id)
{
	mu_why_clear(&why);
	return people_idcard_check(id, &why, NULL, NULL);
}

/* Replaces the 18th character of a 17-digit prefix by its correct check digit. */
static void with_check(char id[19], const char *first17)
{
	memcpy(id, first17, 17);
	id[17] = people_idcard_check_digit(first17);
	id[18] = '\0';
}

static void test_check_digit_by_hand(void **state)
{
	(void)state;
	/* 1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10
	 * + 1·5 + 0·8 + 0·4 + 2·2 = 167; 167 mod 11 = 2 → 'X'. */
	assert_int_equal(people_idcard_check_digit("11010519491231002"), 'X');
	/* 4·7 + 4·9 + 0 + 1·5 + 0 + 6·4 + 1·2 + 9·1 + 9·6 + 0 + 0 + 3·9 + 0 + 7·5 + 0 + 0
	 * + 2·2 = 224; 224 mod 11 = 4 → '8'. */
	assert_int_equal(people_idcard_check_digit("44010619900307002"), '8');
	assert_int_equal(people_idcard_check_digit("31011519850615123"), '6');
}

static void test_valid_ids(void **state)
{
	(void)state;
	int64_t birth = 0;
	int sex = 0;
	assert_int_equal(people_idcard_check("11010519491231002X", &why, &birth, &sex), 0);
	assert_int_equal(birth, mu_date_to_days(1949, 12, 31));
	assert_int_equal(sex, PEOPLE_SEX_F); /* 17th digit 2: even */
	assert_int_equal(people_idcard_check("310115198506151236", &why, &birth, &sex), 0);
	assert_int_equal(birth, mu_date_to_days(1985, 6, 15));
	assert_int_equal(sex, PEOPLE_SEX_M); /* 17th digit 3: odd */
	assert_int_equal(check("440106199003070028"), 0);
	/* Hong Kong, Macau and Taiwan prefixes are province-level too. */
	char id[19];
	with_check(id, "81000019800101001");
	assert_int_equal(check(id), 0);
	with_check(id, "71000019800101001");
	assert_int_equal(check(id), 0);
}

static void test_lower_x(void **state)
{
	(void)state;
	assert_int_equal(check("11010519491231002x"), 0);
	assert_int_equal(check("11010519491231002X"), 0);
	/* x only at the end */
	assert_int_equal(check("1101051949123100X2"), MU_EINVAL);
	assert_non_null(strstr(why.text, "character 17 is not a digit"));
}

static void test_length(void **state)
{
	(void)state;
	assert_int_equal(check("11010519491231002"), MU_EINVAL);
	assert_string_equal(why.text, "resident ID must be 18 characters (got 17)");
	assert_int_equal(check("11010519491231002X1"), MU_EINVAL);
	assert_string_equal(why.text, "resident ID must be 18 characters (got 19)");
	assert_int_equal(check(""), MU_EINVAL);
	assert_string_equal(why.text, "resident ID must be 18 characters (got 0)");
}

static void test_bad_characters(void **state)
{
	(void)state;
	assert_int_equal(check("1101A519491231002X"), MU_EINVAL);
	assert_string_equal(why.text, "resident ID must have digits in its first 17 characters "
				      "(character 5 is not a digit)");
	assert_int_equal(check("11010519491231002Y"), MU_EINVAL);
	assert_string_equal(why.text, "resident ID must end in a digit or X (got 'Y')");
}

static void test_region(void **state)
{
	(void)state;
	char id[19];
	with_check(id, "99010119800101001");
	assert_int_equal(check(id), MU_EINVAL);
	assert_string_equal(why.text, "resident ID region 990101 is not a region of China");
	with_check(id, "01010119800101001");
	assert_int_equal(check(id), MU_EINVAL);
	assert_string_equal(why.text, "resident ID region 010101 is not a region of China");
	assert_true(people_region_plausible(440106));
	assert_true(people_region_plausible(650000));
	assert_true(people_region_plausible(820000));
	assert_false(people_region_plausible(160000));
	assert_false(people_region_plausible(470000));
	assert_false(people_region_plausible(720000));
	assert_false(people_region_plausible(1100000));
}

static void test_dates(void **state)
{
	(void)state;
	char id[19];
	with_check(id, "11010519990231001");
	assert_int_equal(check(id), MU_EINVAL);
	assert_string_equal(why.text, "resident ID birth date 19990231 is not a real date");
	/* Feb 29: 2000 and 2004 leap, 1900 and 2001 not. */
	with_check(id, "11010520000229001");
	assert_int_equal(check(id), 0);
	with_check(id, "11010520040229001");
	assert_int_equal(check(id), 0);
	with_check(id, "11010519000229001");
	assert_int_equal(check(id), MU_EINVAL);
	assert_string_equal(why.text, "resident ID birth date 19000229 is not a real date");
	with_check(id, "11010520010229001");
	assert_int_equal(check(id), MU_EINVAL);
	assert_string_equal(why.text, "resident ID birth date 20010229 is not a real date");
	with_check(id, "11010519001301001");
	assert_int_equal(check(id), MU_EINVAL);
	assert_string_equal(why.text, "resident ID birth date 19001301 is not a real date");
	with_check(id, "11010519000101001");
	assert_int_equal(check(id), 0);
	with_check(id, "11010518991231001");
	assert_int_equal(check(id), MU_EINVAL);
	assert_string_equal(why.text, "resident ID birth date 18991231 is before 1900");
}

static void test_future(void **state)
{
	(void)state;
	char id[19], first[18];
	int y, m, d;
	int64_t today = mu_now_unix() / 86400;
	mu_days_to_date(today, &y, &m, &d);
	snprintf(first, sizeof first, "110105%04d%02d%02d001", y, m, d);
	with_check(id, first);
	assert_int_equal(check(id), 0);
	mu_days_to_date(today + 2, &y, &m, &d);
	snprintf(first, sizeof first, "110105%04d%02d%02d001", y, m, d);
	with_check(id, first);
	assert_int_equal(check(id), MU_EINVAL);
	assert_non_null(strstr(why.text, "is in the future"));
	with_check(id, "11010520991231001");
	assert_int_equal(check(id), MU_EINVAL);
	assert_string_equal(why.text, "resident ID birth date 20991231 is in the future");
}

static void test_check_digit_wrong(void **state)
{
	(void)state;
	assert_int_equal(check("110105194912310025"), MU_EINVAL);
	assert_string_equal(why.text, "resident ID check digit is 5, expected X");
	assert_int_equal(check("44010619900307002X"), MU_EINVAL);
	assert_string_equal(why.text, "resident ID check digit is X, expected 8");
	assert_int_equal(check("44010619900307002x"), MU_EINVAL);
	assert_string_equal(why.text, "resident ID check digit is X, expected 8");
	/* One digit changed anywhere is caught. */
	char id[19] = "310115198506151236";
	for (int i = 0; i < 17; i++) {
		char save = id[i];
		id[i] = (char)(save == '9' ? '8' : save + 1);
		int64_t b;
		int s;
		int rc = people_idcard_check(id, &why, &b, &s);
		if (rc == 0)
			fail_msg("ID with digit %d changed passed: %s", i, id);
		id[i] = save;
	}
}

static void test_type_names(void **state)
{
	(void)state;
	int t = -1;
	assert_string_equal(people_id_type_name(PEOPLE_ID_RESIDENT), "resident_id");
	assert_string_equal(people_id_type_name(PEOPLE_ID_PASSPORT), "passport");
	assert_string_equal(people_id_type_name(PEOPLE_ID_OTHER), "other");
	assert_null(people_id_type_name(3));
	assert_null(people_id_type_name(-1));
	assert_int_equal(people_id_type_parse("passport", &t), 0);
	assert_int_equal(t, PEOPLE_ID_PASSPORT);
	assert_int_equal(people_id_type_parse("resident_id", &t), 0);
	assert_int_equal(t, PEOPLE_ID_RESIDENT);
	assert_int_equal(people_id_type_parse("Passport", &t), MU_EINVAL);
	assert_int_equal(people_id_type_parse("", &t), MU_EINVAL);
}

static void test_code_format_parse(void **state)
{
	(void)state;
	unsigned char raw[PEOPLE_CODE_BYTES], back[PEOPLE_CODE_BYTES];
	char text[PEOPLE_CODE_LEN + 1];
	memset(raw, 0xff, sizeof raw);
	people_code_format(raw, text);
	assert_string_equal(text, "ZZZZZZZZZZZZZZZZZZZZZZZZZW");
	memset(raw, 0, sizeof raw);
	people_code_format(raw, text);
	assert_string_equal(text, "00000000000000000000000000");
	assert_true(sodium_init() >= 0);
	for (int i = 0; i < 200; i++) {
		randombytes_buf(raw, sizeof raw);
		people_code_format(raw, text);
		assert_int_equal(strlen(text), PEOPLE_CODE_LEN);
		assert_null(strpbrk(text, "ILOU"));
		assert_int_equal(people_code_parse(text, back), 0);
		assert_memory_equal(raw, back, sizeof raw);
	}
	/* The permutation: distinct ids or secrets give distinct codes, and open inverts. */
	struct people_keys k;
	randombytes_buf(&k, sizeof k);
	unsigned char secret[PEOPLE_CODE_SECRET_BYTES], s2[PEOPLE_CODE_SECRET_BYTES];
	unsigned char a[PEOPLE_CODE_BYTES], b[PEOPLE_CODE_BYTES];
	randombytes_buf(secret, sizeof secret);
	people_code_make(&k, 1, secret, a);
	people_code_make(&k, 2, secret, b);
	assert_memory_not_equal(a, b, sizeof a);
	int64_t id;
	people_code_open(&k, b, &id, s2);
	assert_int_equal(id, 2);
	assert_memory_equal(secret, s2, sizeof secret);
	people_code_make(&k, ((int64_t)1 << 40) - 1, secret, a);
	people_code_open(&k, a, &id, s2);
	assert_int_equal(id, ((int64_t)1 << 40) - 1);
	/* The id is not visible in the code: consecutive ids share no prefix pattern. */
	people_code_make(&k, 1, secret, a);
	assert_memory_not_equal(a, b, 4);
}

static void test_code_tolerant(void **state)
{
	(void)state;
	unsigned char raw[PEOPLE_CODE_BYTES], want[PEOPLE_CODE_BYTES];
	assert_int_equal(people_code_parse("01ABCDEFGHJKMNPQRSTVWXYZ0G", want), 0);
	assert_int_equal(people_code_parse("01abcdefghjkmnpqrstvwxyz0g", raw), 0);
	assert_memory_equal(raw, want, sizeof raw);
	assert_int_equal(people_code_parse("OIABCDEFGHJKMNPQRSTVWXYZ0G", raw), 0);
	assert_memory_equal(raw, want, sizeof raw);
	assert_int_equal(people_code_parse("oLAB-CDEF-GHJK-MNPQ-RSTV-WXYZ-0G", raw), 0);
	assert_memory_equal(raw, want, sizeof raw);
	assert_int_equal(people_code_parse("-0iabcdefghjkmnpqrstvwxyz0g-", raw), 0);
	assert_memory_equal(raw, want, sizeof raw);
}

static void test_code_refused(void **state)
{
	(void)state;
	unsigned char raw[PEOPLE_CODE_BYTES];
	memset(raw, 0xAA, sizeof raw);
	assert_int_equal(people_code_parse("01ABCDEFGHJKMNPQRSTVWXYZ0U", raw), MU_EINVAL);  /* U */
	assert_int_equal(people_code_parse("01ABCDEFGHJKMNPQRSTVWXYZ0", raw), MU_EINVAL);   /* 25 */
	assert_int_equal(people_code_parse("01ABCDEFGHJKMNPQRSTVWXYZ0G0", raw), MU_EINVAL); /* 27 */
	assert_int_equal(people_code_parse("01ABCDEFGHJKMNPQRSTVWXYZ01", raw), MU_EINVAL); /* pad */
	assert_int_equal(people_code_parse("01ABCDEFGH KMNPQRSTVWXYZ0G", raw),
			 MU_EINVAL); /* space */
	assert_int_equal(people_code_parse("01ABCDEFGH\xc3\x89KMNPQRSTVWXYZ", raw),
			 MU_EINVAL); /* É */
	assert_int_equal(people_code_parse("01ABCDEFGH[KMNPQRSTVWXYZ0G", raw),
			 MU_EINVAL); /* past Z */
	assert_int_equal(people_code_parse("01ABCDEFGH`KMNPQRSTVWXYZ0G", raw),
			 MU_EINVAL); /* before a */
	assert_int_equal(people_code_parse("", raw), MU_EINVAL);
	assert_int_equal(people_code_parse("--------------------------", raw), MU_EINVAL);
	/* A refused parse leaves raw alone. */
	for (size_t i = 0; i < sizeof raw; i++)
		assert_int_equal(raw[i], 0xAA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_digit_by_hand),
	    cmocka_unit_test(test_valid_ids),
	    cmocka_unit_test(test_lower_x),
	    cmocka_unit_test(test_length),
	    cmocka_unit_test(test_bad_characters),
	    cmocka_unit_test(test_region),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_future),
	    cmocka_unit_test(test_check_digit_wrong),
	    cmocka_unit_test(test_type_names),
	    cmocka_unit_test(test_code_format_parse),
	    cmocka_unit_test(test_code_tolerant),
	    cmocka_unit_test(test_code_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
