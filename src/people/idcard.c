/* idcard.c: resident ID numbers of China (GB 11643-1999) — shape, region, birth date
 * and the ISO 7064 MOD 11-2 check digit — and the names of the ID types. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "people.h"

static const char *const id_type_names[] = {"resident_id", "passport", "other"};

const char *people_id_type_name(int t)
{
	if (t < PEOPLE_ID_RESIDENT || t > PEOPLE_ID_OTHER)
		return NULL;
	return id_type_names[t];
}

int people_id_type_parse(const char *s, int *t)
{
	if (!s)
		return MU_EINVAL;
	for (int i = PEOPLE_ID_RESIDENT; i <= PEOPLE_ID_OTHER; i++) {
		if (strcmp(s, id_type_names[i]) == 0) {
			*t = i;
			return 0;
		}
	}
	return MU_EINVAL;
}

char people_idcard_check_digit(const char first17[17])
{
	static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char digit[] = "10X98765432";
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (first17[i] - '0') * weight[i];
	return digit[sum % 11];
}

bool people_region_plausible(int region6)
{
	if (region6 < 100000 || region6 > 999999)
		return false;
	int p = region6 / 10000;
	return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
	       (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 ||
	       p == 81 || p == 82;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Checks in the order a clerk would read the number, so that the first reason given
 * is the one to fix first: shape, region, date, then the check digit. */
int people_idcard_check(const char *id, struct mu_why *why, int64_t *birth, int *sex)
{
	size_t n = id ? strlen(id) : 0;
	if (n != 18)
		return mu_why_set(why, MU_EINVAL, "id_number",
				  "resident ID must be 18 characters (got %zu)", n);
	for (int i = 0; i < 18; i++) {
		char c = id[i];
		if (c >= '0' && c <= '9')
			continue;
		if (i == 17 && (c == 'X' || c == 'x'))
			continue;
		if (i == 17)
			return mu_why_set(why, MU_EINVAL, "id_number",
					  "resident ID must end in a digit or X (got '%c')",
					  c >= 0x20 && c < 0x7f ? c : '?');
		return mu_why_set(why, MU_EINVAL, "id_number",
				  "resident ID must have digits in its first 17 characters "
				  "(character %d is not a digit)",
				  i + 1);
	}
	int region = num(id, 6);
	if (!people_region_plausible(region))
		return mu_why_set(why, MU_EINVAL, "id_number",
				  "resident ID region %06d is not a region of China", region);
	int y = num(id + 6, 4), m = num(id + 10, 2), d = num(id + 12, 2);
	if (!mu_date_valid(y, m, d))
		return mu_why_set(why, MU_EINVAL, "id_number",
				  "resident ID birth date %.8s is not a real date", id + 6);
	if (y < 1900)
		return mu_why_set(why, MU_EINVAL, "id_number",
				  "resident ID birth date %.8s is before 1900", id + 6);
	int64_t days = mu_date_to_days(y, m, d);
	if (days > mu_now_unix() / 86400)
		return mu_why_set(why, MU_EINVAL, "id_number",
				  "resident ID birth date %.8s is in the future", id + 6);
	char want = people_idcard_check_digit(id);
	char got = id[17] == 'x' ? 'X' : id[17];
	if (got != want)
		return mu_why_set(why, MU_EINVAL, "id_number",
				  "resident ID check digit is %c, expected %c", got, want);
	if (birth)
		*birth = days;
	if (sex)
		*sex = (id[16] - '0') % 2 ? PEOPLE_SEX_M : PEOPLE_SEX_F;
	return 0;
}
