/* code.c: personal codes — the text behind each resident's QR code. A code is the
 * 128-bit block E(id ‖ secret): the person's 40-bit row id and 88 random bits kept in
 * the row, under a keyed permutation. So a code looks uniformly random, carries 88
 * fresh random bits, reveals nothing of the row, and is found by decrypting it and
 * reading one row by primary key — no index over 18.7 M random codes to build or keep.
 * Shown as 26 characters of Crockford base32. */
#include <sodium.h>
#include <string.h>

#include "core/core.h"
#include "people.h"
#include "people_int.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define ROUNDS	 4
#define ID_BYTES (PEOPLE_CODE_BYTES - PEOPLE_CODE_SECRET_BYTES)

/* The round function: keyed BLAKE2b of (round, half), 64 bits out. */
static uint64_t round_fn(const struct people_keys *k, int round, uint64_t half)
{
	unsigned char in[9], out[8];
	in[0] = (unsigned char)round;
	for (int i = 0; i < 8; i++)
		in[1 + i] = (unsigned char)(half >> (56 - 8 * i));
	crypto_generichash(out, sizeof out, in, sizeof in, k->code, sizeof k->code);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | out[i];
	return v;
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void store64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

/* A four-round Feistel network with pseudorandom round functions is a strong
 * pseudorandom permutation (Luby–Rackoff). */
void people_code_make(const struct people_keys *k, int64_t id,
		      const unsigned char secret[PEOPLE_CODE_SECRET_BYTES],
		      unsigned char raw[PEOPLE_CODE_BYTES])
{
	MU_ASSERT(id > 0 && id < ((int64_t)1 << (8 * ID_BYTES)));
	unsigned char block[PEOPLE_CODE_BYTES];
	for (int i = 0; i < ID_BYTES; i++)
		block[i] = (unsigned char)(id >> (8 * (ID_BYTES - 1 - i)));
	memcpy(block + ID_BYTES, secret, PEOPLE_CODE_SECRET_BYTES);
	uint64_t l = load64(block), r = load64(block + 8);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t = l ^ round_fn(k, i, r);
		l = r;
		r = t;
	}
	store64(raw, l);
	store64(raw + 8, r);
	sodium_memzero(block, sizeof block);
}

void people_code_open(const struct people_keys *k, const unsigned char raw[PEOPLE_CODE_BYTES],
		      int64_t *id, unsigned char secret[PEOPLE_CODE_SECRET_BYTES])
{
	uint64_t l = load64(raw), r = load64(raw + 8);
	for (int i = ROUNDS - 1; i >= 0; i--) {
		uint64_t t = r ^ round_fn(k, i, l);
		r = l;
		l = t;
	}
	unsigned char block[PEOPLE_CODE_BYTES];
	store64(block, l);
	store64(block + 8, r);
	int64_t v = 0;
	for (int i = 0; i < ID_BYTES; i++)
		v = (v << 8) | block[i];
	*id = v;
	memcpy(secret, block + ID_BYTES, PEOPLE_CODE_SECRET_BYTES);
	sodium_memzero(block, sizeof block);
}

/* The 128 bits are read most significant first and padded with two zero bits at the
 * end, so that the text sorts like the bytes. */
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

/* Crockford's reading of a symbol: I and L are 1, O is 0, U is refused, either case.
 * A table by letter: a scan of the alphabet per symbol was half the cost of a parse. */
static int symbol(char c)
{
	static const signed char letters[26] = {
	    10, 11,	   12, 13, 14, 15, 16, 17,	   1 /* I */, 18, 19, 1 /* L */, 20,
	    21, 0 /* O */, 22, 23, 24, 25, 26, -1 /* U */, 27,	      28, 29, 30,	 31};
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return letters[c - 'a'];
	if (c >= 'A' && c <= 'Z')
		return letters[c - 'A'];
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
		acc = ((acc << 5) | (uint32_t)v) & 0xFFFF;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o < PEOPLE_CODE_BYTES)
				tmp[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* Exactly 26 symbols, and the two padding bits zero: one text per code. */
	if (nsym != PEOPLE_CODE_LEN || o != PEOPLE_CODE_BYTES || bits != 2 || (acc & 3) != 0)
		return MU_EINVAL;
	memcpy(raw, tmp, PEOPLE_CODE_BYTES);
	return 0;
}
