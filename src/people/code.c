/* code.c: personal codes — 96 random bits behind each resident's QR code, shown as
 * 20 characters of Crockford base32. */
#include <sodium.h>

#include "core/core.h"
#include "people.h"
#include "people_int.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void people_code_new(unsigned char raw[PEOPLE_CODE_BYTES])
{
	people__sodium_init();
	randombytes_buf(raw, PEOPLE_CODE_BYTES);
}

/* The 96 bits are read most significant first and padded with four zero bits at the
 * end, so that the text sorts like the bytes and the last character is 0 or G. */
void people_code_format(const unsigned char raw[PEOPLE_CODE_BYTES], char out[PEOPLE_CODE_LEN + 1])
{
	uint32_t acc = 0;
	int bits = 0, o = 0;
	for (int i = 0; i < PEOPLE_CODE_BYTES; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = alphabet[(acc >> bits) & 31];
		}
	}
	out[o++] = alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	MU_ASSERT(o == PEOPLE_CODE_LEN);
}

static int symbol(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	switch (c) {
	case 'I':
	case 'L':
		return 1;
	case 'O':
		return 0;
	case 'U':
		return -1;
	default:
		break;
	}
	if (c >= '0' && c <= '9')
		return c - '0';
	for (int i = 10; i < 32; i++)
		if (alphabet[i] == c)
			return i;
	return -1;
}

int people_code_parse(const char *s, unsigned char raw[PEOPLE_CODE_BYTES])
{
	unsigned char tmp[PEOPLE_CODE_BYTES];
	uint32_t acc = 0;
	int bits = 0, nsym = 0, o = 0;
	if (!s)
		return MU_EINVAL;
	for (; *s; s++) {
		if (*s == '-')
			continue;
		int v = symbol(*s);
		if (v < 0 || nsym == PEOPLE_CODE_LEN)
			return MU_EINVAL;
		nsym++;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o < PEOPLE_CODE_BYTES)
				tmp[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* Exactly 20 symbols, and the four padding bits zero: one text per code. */
	if (nsym != PEOPLE_CODE_LEN || o != PEOPLE_CODE_BYTES || bits != 4 || (acc & 15) != 0)
		return MU_EINVAL;
	for (int i = 0; i < PEOPLE_CODE_BYTES; i++)
		raw[i] = tmp[i];
	return 0;
}
