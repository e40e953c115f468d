/* fuzz_idcard.c: libFuzzer target for the text parsers of people/ — resident ID
 * numbers and personal codes — checking their invariants on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "people/people.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_id(const char *s)
{
	struct mu_why why = {0};
	int64_t birth = -1;
	int sex = 0;
	int rc = people_idcard_check(s, &why, &birth, &sex);
	if (rc != 0) {
		/* A refusal always says why, and names the field. */
		if (rc != MU_EINVAL || why.text[0] == '\0' || strlen(why.text) >= sizeof why.text ||
		    !why.field)
			abort();
		return;
	}
	if (strlen(s) != 18)
		abort();
	char last = s[17] == 'x' ? 'X' : s[17];
	if (people_idcard_check_digit(s) != last)
		abort();
	int region = 0;
	for (int i = 0; i < 6; i++)
		region = region * 10 + (s[i] - '0');
	if (!people_region_plausible(region))
		abort();
	int y, m, d;
	mu_days_to_date(birth, &y, &m, &d);
	if (y < 1900 || birth > mu_now_unix() / 86400 + 1)
		abort();
	if (y != (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0') ||
	    m != (s[10] - '0') * 10 + (s[11] - '0') || d != (s[12] - '0') * 10 + (s[13] - '0'))
		abort();
	if (sex != ((s[16] - '0') % 2 ? PEOPLE_SEX_M : PEOPLE_SEX_F))
		abort();
}

static void check_code(const char *s, const uint8_t *data, size_t size)
{
	unsigned char raw[PEOPLE_CODE_BYTES], again[PEOPLE_CODE_BYTES];
	char text[PEOPLE_CODE_LEN + 1], text2[PEOPLE_CODE_LEN + 1];
	if (people_code_parse(s, raw) == 0) {
		people_code_format(raw, text);
		if (strlen(text) != PEOPLE_CODE_LEN ||
		    strspn(text, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") != PEOPLE_CODE_LEN)
			abort();
		if (people_code_parse(text, again) != 0 || memcmp(raw, again, sizeof raw) != 0)
			abort();
		people_code_format(again, text2);
		if (strcmp(text, text2) != 0)
			abort();
	}
	/* Any 128 bits format to a code that parses back to them. */
	if (size >= PEOPLE_CODE_BYTES) {
		people_code_format(data, text);
		if (people_code_parse(text, again) != 0 || memcmp(data, again, PEOPLE_CODE_BYTES))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	check_id(s);
	check_code(s, data, size);
	free(s);
	return 0;
}
