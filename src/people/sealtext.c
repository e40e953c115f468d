/* sealtext.c: a short text of personal data that another capability keeps (a caller's
 * phone on a call for help) sealed at rest under people's seal key, the same AEAD as a
 * person's own fields, so that one key file guards every personal field. */
#include <string.h>

#include <sodium.h>

#include "core/core.h"
#include "people.h"
#include "people_int.h"

int people_text_seal(const struct people_keys *k, const char *context, const char *text,
		     unsigned char *out, size_t cap, size_t *outlen)
{
	size_t n = strlen(text);
	unsigned long long clen = 0;
	*outlen = 0;
	if (n > PEOPLE_TEXT_MAX || cap < PEOPLE_TEXT_SEALED(n))
		return MU_EINVAL;
	people__sodium_init();
	randombytes_buf(out, PEOPLE__NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    out + PEOPLE__NONCE_BYTES, &clen, (const unsigned char *)text, n,
	    (const unsigned char *)context, strlen(context), NULL, out, k->seal);
	*outlen = PEOPLE__NONCE_BYTES + (size_t)clen;
	return 0;
}

int people_text_open(const struct people_keys *k, const char *context, const unsigned char *blob,
		     size_t n, char *out, size_t cap)
{
	unsigned long long mlen = 0;
	if (cap)
		out[0] = '\0';
	if (n < PEOPLE__NONCE_BYTES + PEOPLE__TAG_BYTES)
		return MU_ECRYPTO;
	if (n - PEOPLE__NONCE_BYTES - PEOPLE__TAG_BYTES >= cap)
		return MU_EINVAL;
	people__sodium_init();
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		(unsigned char *)out, &mlen, NULL, blob + PEOPLE__NONCE_BYTES,
		n - PEOPLE__NONCE_BYTES, (const unsigned char *)context, strlen(context), blob,
		k->seal) != 0) {
		sodium_memzero(out, cap);
		return MU_ECRYPTO;
	}
	out[mlen] = '\0';
	return 0;
}
