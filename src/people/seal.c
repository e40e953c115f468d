/* seal.c: the keys people derives from the database's key file (src/core/keyfile.c),
 * the keyed hash behind exact ID lookups, and the sealing of a person's private fields. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/core.h"
#include "people.h"
#include "people_int.h"

#define SUBKEY_SEAL  1
#define SUBKEY_HASH  2
#define SUBKEY_CODE  3
#define SUBKEY_PHONE 4

void people__sodium_init(void)
{
	mu_sodium_init();
}

void people_keyfile_path(const char *db_path, char *out, size_t outlen)
{
	mu_keyfile_path(db_path, out, outlen);
}

int people_keys_create(const char *db_path)
{
	return mu_keyfile_create(db_path);
}

int people_keys_load(const char *db_path, struct people_keys *k)
{
	unsigned char master[MU_KEY_BYTES];
	int rc = mu_keyfile_load(db_path, master);
	if (rc == 0) {
		mu_keyfile_subkey(master, SUBKEY_SEAL, k->seal);
		mu_keyfile_subkey(master, SUBKEY_HASH, k->hash);
		mu_keyfile_subkey(master, SUBKEY_CODE, k->code);
		mu_keyfile_subkey(master, SUBKEY_PHONE, k->phone);
	}
	sodium_memzero(master, sizeof master);
	return rc;
}

void people_id_hash(const struct people_keys *k, int id_type, const char *id_number,
		    unsigned char out[PEOPLE_HASH_BYTES])
{
	crypto_generichash_state st;
	char prefix[16];
	int plen = snprintf(prefix, sizeof prefix, "%d:", id_type);
	crypto_generichash_init(&st, k->hash, sizeof k->hash, PEOPLE_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)prefix, (size_t)plen);
	if (id_type == PEOPLE_ID_RESIDENT) {
		unsigned char chunk[64];
		size_t n = 0;
		for (const char *s = id_number; *s; s++) {
			char c = *s;
			chunk[n++] = (unsigned char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
			if (n == sizeof chunk) {
				crypto_generichash_update(&st, chunk, n);
				n = 0;
			}
		}
		crypto_generichash_update(&st, chunk, n);
	} else {
		crypto_generichash_update(&st, (const unsigned char *)id_number, strlen(id_number));
	}
	crypto_generichash_final(&st, out, PEOPLE_HASH_BYTES);
}

size_t people_phone_normalise(const char *phone, char out[PEOPLE_PHONE_MAX + 1])
{
	size_t n = 0;
	for (const char *s = phone; *s && n < PEOPLE_PHONE_MAX; s++)
		if (*s >= '0' && *s <= '9')
			out[n++] = *s;
	out[n] = '\0';
	/* +86 / 0086 / 86 before a mainland number of 11 digits: the same number. */
	size_t drop = 0;
	if (n == 15 && !strncmp(out, "0086", 4))
		drop = 4;
	else if (n == 13 && !strncmp(out, "86", 2))
		drop = 2;
	if (drop) {
		memmove(out, out + drop, n - drop + 1);
		n -= drop;
	}
	if (n < 5) {
		sodium_memzero(out, PEOPLE_PHONE_MAX + 1);
		return 0;
	}
	return n;
}

int people_phone_hash(const struct people_keys *k, const char *phone,
		      unsigned char out[PEOPLE_HASH_BYTES])
{
	char norm[PEOPLE_PHONE_MAX + 1];
	size_t n = people_phone_normalise(phone, norm);
	if (n == 0)
		return MU_EINVAL;
	crypto_generichash(out, PEOPLE_HASH_BYTES, (const unsigned char *)norm, n, k->phone,
			   sizeof k->phone);
	sodium_memzero(norm, sizeof norm);
	return 0;
}

void people__id_canon(int id_type, const char *id_number, char out[PEOPLE_ID_MAX + 1])
{
	size_t i = 0;
	for (; i < PEOPLE_ID_MAX && id_number[i]; i++) {
		char c = id_number[i];
		if (id_type == PEOPLE_ID_RESIDENT && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		out[i] = c;
	}
	out[i] = '\0';
}

int people__seal(const struct people_keys *k, const unsigned char id_hash[PEOPLE_HASH_BYTES],
		 const unsigned char nonce[PEOPLE__NONCE_BYTES], const struct people_person *p,
		 unsigned char *out, size_t *outlen)
{
	unsigned char plain[PEOPLE__PLAIN_MAX];
	size_t ln = strnlen(p->name, sizeof p->name), lp = strnlen(p->phone, sizeof p->phone);
	size_t li = strnlen(p->id_number, sizeof p->id_number);
	if (ln > PEOPLE_NAME_MAX * 4 || lp > PEOPLE_PHONE_MAX || li > PEOPLE_ID_MAX)
		return MU_EINVAL;
	memcpy(plain, p->name, ln);
	plain[ln] = 0;
	memcpy(plain + ln + 1, p->phone, lp);
	plain[ln + 1 + lp] = 0;
	memcpy(plain + ln + 1 + lp + 1, p->id_number, li);
	size_t mlen = ln + 1 + lp + 1 + li;
	unsigned long long clen = 0;
	memcpy(out, nonce, PEOPLE__NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + PEOPLE__NONCE_BYTES, &clen, plain, mlen,
						   id_hash, PEOPLE_HASH_BYTES, NULL, nonce,
						   k->seal);
	*outlen = PEOPLE__NONCE_BYTES + (size_t)clen;
	sodium_memzero(plain, mlen);
	return 0;
}

/* Copies the NUL-terminated field starting at *pos into dst (cap bytes with NUL),
 * or the rest of the buffer when last; false when it does not fit or is unterminated. */
static bool take_field(const unsigned char *plain, size_t n, size_t *pos, bool last, char *dst,
		       size_t cap)
{
	const unsigned char *start = plain + *pos;
	size_t rest = n - *pos, len;
	if (last) {
		len = rest;
		if (memchr(start, 0, rest))
			return false;
	} else {
		const unsigned char *z = memchr(start, 0, rest);
		if (!z)
			return false;
		len = (size_t)(z - start);
	}
	if (len + 1 > cap)
		return false;
	memcpy(dst, start, len);
	dst[len] = '\0';
	*pos += len + (last ? 0 : 1);
	return true;
}

int people__unseal(const struct people_keys *k, const unsigned char id_hash[PEOPLE_HASH_BYTES],
		   const unsigned char *blob, size_t n, struct people_person *out)
{
	unsigned char plain[PEOPLE__PLAIN_MAX];
	unsigned long long mlen = 0;
	size_t pos = 0;
	int rc = 0;
	if (n < PEOPLE__NONCE_BYTES + PEOPLE__TAG_BYTES || n > PEOPLE__SEALED_MAX)
		return MU_ECRYPTO;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		plain, &mlen, NULL, blob + PEOPLE__NONCE_BYTES, n - PEOPLE__NONCE_BYTES, id_hash,
		PEOPLE_HASH_BYTES, blob, k->seal) != 0)
		return MU_ECRYPTO;
	if (!take_field(plain, (size_t)mlen, &pos, false, out->name, sizeof out->name) ||
	    !take_field(plain, (size_t)mlen, &pos, false, out->phone, sizeof out->phone) ||
	    !take_field(plain, (size_t)mlen, &pos, true, out->id_number, sizeof out->id_number))
		rc = MU_EIO;
	sodium_memzero(plain, sizeof plain);
	return rc;
}
