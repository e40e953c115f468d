/* text.c: UTF-8 validation, number parsing, civil-date arithmetic and ISO 8601 times. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

bool mu_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

size_t mu_utf8_len(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

uint32_t mu_utf8_invisible(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len;
		if (u[i] < 0x80)
			cp = u[i], len = 1;
		else if (u[i] < 0xE0)
			cp = u[i] & 0x1Fu, len = 2;
		else if (u[i] < 0xF0)
			cp = u[i] & 0x0Fu, len = 3;
		else
			cp = u[i] & 0x07u, len = 4;
		if (len > n - i)
			return 0; /* not valid UTF-8: the caller's UTF-8 check answers */
		for (size_t k = 1; k < len; k++)
			cp = cp << 6 | (u[i + k] & 0x3Fu);
		if (cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
		    (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF)
			return cp;
		i += len;
	}
	return 0;
}

int mu_parse_i64(const char *s, int64_t *out)
{
	/* strtoll would skip leading white space; the whole string must be the number. */
	if (!s || !*s || isspace((unsigned char)*s))
		return MU_EINVAL;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return MU_EINVAL;
	*out = v;
	return 0;
}

int mu_parse_double(const char *s, double *out)
{
	if (!s || !*s || isspace((unsigned char)*s))
		return MU_EINVAL;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	/* strtod takes "nan" and "inf"; a NaN would slip through every range check. */
	if (errno || *end || end == s || !isfinite(v))
		return MU_EINVAL;
	*out = v;
	return 0;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool mu_date_valid(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	int lim = mdays[m - 1] + (m == 2 && leap(y));
	return d <= lim;
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int64_t mu_date_to_days(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void mu_days_to_date(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int mu_date_parse(const char *s, int64_t *days)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return MU_EINVAL;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0 || !mu_date_valid(y, m, d))
		return MU_EINVAL;
	*days = mu_date_to_days(y, m, d);
	return 0;
}

int mu_time_parse(const char *s, int64_t *ms)
{
	int64_t days;
	int h = 0, mi = 0, sec = 0, frac = 0, off = 0;
	char date[11];
	if (!s || strnlen(s, 11) < 10)
		return MU_EINVAL;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (mu_date_parse(date, &days) != 0)
		return MU_EINVAL;
	s += 10;
	if (*s == 'T' || *s == ' ') {
		if ((h = digits(s + 1, 2)) < 0 || s[3] != ':' || (mi = digits(s + 4, 2)) < 0 ||
		    h > 23 || mi > 59)
			return MU_EINVAL;
		s += 6;
		if (*s == ':') {
			if ((sec = digits(s + 1, 2)) < 0 || sec > 60)
				return MU_EINVAL;
			s += 3;
			if (*s == '.' || *s == ',') {
				int n = 0;
				for (s++; *s >= '0' && *s <= '9'; s++, n++)
					if (n < 3)
						frac = frac * 10 + (*s - '0');
				if (n == 0)
					return MU_EINVAL;
				for (; n < 3; n++)
					frac *= 10;
			}
		}
		if (*s == 'Z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			int oh = digits(s + 1, 2), om = -1;
			if (oh >= 0 && s[3] == ':') /* s[4] is read only inside the string */
				om = digits(s + 4, 2);
			if (om < 0 || oh > 14 || om > 59)
				return MU_EINVAL;
			off = (oh * 60 + om) * (*s == '+' ? 1 : -1);
			s += 6;
		}
	}
	if (*s)
		return MU_EINVAL;
	*ms = (days * 86400 + h * 3600 + mi * 60 + sec - (int64_t)off * 60) * 1000 + frac;
	return 0;
}

void mu_date_format(int64_t days, char out[11])
{
	int y, m, d;
	mu_days_to_date(days, &y, &m, &d);
	unsigned yy = (unsigned)y % 10000u, mm = (unsigned)m % 100u, dd = (unsigned)d % 100u;
	out[0] = (char)('0' + yy / 1000);
	out[1] = (char)('0' + yy / 100 % 10);
	out[2] = (char)('0' + yy / 10 % 10);
	out[3] = (char)('0' + yy % 10);
	out[4] = '-';
	out[5] = (char)('0' + mm / 10);
	out[6] = (char)('0' + mm % 10);
	out[7] = '-';
	out[8] = (char)('0' + dd / 10);
	out[9] = (char)('0' + dd % 10);
	out[10] = '\0';
}
