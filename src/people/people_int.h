/* people_int.h: names shared inside people/ only — libsodium start-up, the sealed
 * record format and the canonical form of ID numbers. */
#ifndef MU_PEOPLE_INT_H
#define MU_PEOPLE_INT_H

#include <stddef.h>

#include "people.h"

#define PEOPLE__NONCE_BYTES 24 /* crypto_aead_xchacha20poly1305_ietf_NPUBBYTES */
#define PEOPLE__TAG_BYTES   16 /* crypto_aead_xchacha20poly1305_ietf_ABYTES */
/* name NUL phone NUL id_number, each at its maximum. */
#define PEOPLE__PLAIN_MAX  (PEOPLE_NAME_MAX * 4 + 1 + PEOPLE_PHONE_MAX + 1 + PEOPLE_ID_MAX)
#define PEOPLE__SEALED_MAX (PEOPLE__NONCE_BYTES + PEOPLE__PLAIN_MAX + PEOPLE__TAG_BYTES)
_Static_assert(PEOPLE_SEALED_MAX == PEOPLE__SEALED_MAX, "people.h's PEOPLE_SEALED_MAX is stale");

/* Runs sodium_init() once per process; aborts when libsodium cannot start. */
void people__sodium_init(void);

/* Seals p's name, phone and ID number into out (≥ PEOPLE__SEALED_MAX bytes) as
 * nonce || AEAD(name '\0' phone '\0' id_number, ad = id_hash); *outlen is its size.
 * The nonce is the caller's (fresh random bytes). MU_EINVAL when a field is too long. */
int people__seal(const struct people_keys *k, const unsigned char id_hash[PEOPLE_HASH_BYTES],
		 const unsigned char nonce[PEOPLE__NONCE_BYTES], const struct people_person *p,
		 unsigned char *out, size_t *outlen);

/* Opens a sealed blob into out's name, phone and id_number. MU_ECRYPTO when it does
 * not open with these keys and this id_hash; MU_EIO when it opens but is malformed. */
int people__unseal(const struct people_keys *k, const unsigned char id_hash[PEOPLE_HASH_BYTES],
		   const unsigned char *blob, size_t n, struct people_person *out);

/* Copies id_number as stored: resident IDs upper-cased (a final 'x' becomes 'X'),
 * other types as given. id_number must be at most PEOPLE_ID_MAX bytes. */
void people__id_canon(int id_type, const char *id_number, char out[PEOPLE_ID_MAX + 1]);

#endif
