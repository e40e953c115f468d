/* people: residents — identity documents checked and sealed at rest, the random
 * personal code behind each QR code, and the household each lives in. */
#ifndef MU_PEOPLE_H
#define MU_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "places/places.h"

struct db;
struct mu_why;

enum people_id_type { PEOPLE_ID_RESIDENT = 0, PEOPLE_ID_PASSPORT = 1, PEOPLE_ID_OTHER = 2 };
enum people_sex { PEOPLE_SEX_M = 1, PEOPLE_SEX_F = 2 };

#define PEOPLE_ID_MAX		 32 /* bytes of an ID number */
#define PEOPLE_NAME_MAX		 64 /* code points */
#define PEOPLE_PHONE_MAX	 20 /* bytes: digits, '+', '-', ' ' */
#define PEOPLE_CODE_BYTES	 16 /* a 128-bit block: row id (40 bits) and secret (88 bits) */
#define PEOPLE_CODE_SECRET_BYTES 11 /* the random part, kept in the row */
#define PEOPLE_CODE_LEN		 26 /* Crockford base32 characters */
#define PEOPLE_HASH_BYTES	 16

/* "resident_id", "passport", "other"; parse returns MU_EINVAL for anything else. */
const char *people_id_type_name(int t);
int people_id_type_parse(const char *s, int *t);

/* ---- resident ID numbers (GB 11643-1999) ------------------------------------------ */

/* The check digit ('0'..'9' or 'X') for the first 17 digits (ISO 7064 MOD 11-2). */
char people_idcard_check_digit(const char first17[17]);

/* Checks an 18-character resident ID: length, digits (last may be 'X', also 'x'),
 * a plausible region code (a real province prefix), a real birth date not in the
 * future and after 1900-01-01, and the check digit. Returns 0, or MU_EINVAL with why
 * (may be NULL) set: field "id_number" and the first thing to fix. On success *birth
 * (days since 1970) and *sex (from the 17th digit: odd male) are set when the pointers
 * are not NULL. */
int people_idcard_check(const char *id, struct mu_why *why, int64_t *birth, int *sex);

/* True when the first two digits of a six-digit region code name a province-level
 * division of China (11..15, 21..23, 31..37, 41..46, 50..54, 61..65, 71, 81, 82). */
bool people_region_plausible(int region6);

/* ---- keys, sealing and keyed hashes ---------------------------------------------- */

struct people_keys {
	unsigned char seal[32];	 /* XChaCha20-Poly1305 key for sealed fields */
	unsigned char hash[32];	 /* BLAKE2b key for id_hash */
	unsigned char code[32];	 /* BLAKE2b key of the personal-code permutation */
	unsigned char phone[32]; /* BLAKE2b key of the phone blind index */
};

/* The key file of a database: "<db path>.key". Written into out (≥ PATH_MAX). */
void people_keyfile_path(const char *db_path, char *out, size_t outlen);
/* Creates a fresh master key at the key file, mode 0600, refusing to overwrite an
 * existing file (MU_EEXIST). */
int people_keys_create(const char *db_path);
/* Loads the keys of a database: MU_ENOTFOUND without a key file, MU_EFORBIDDEN when
 * the file is readable by group or others, MU_EIO when it is malformed. */
int people_keys_load(const char *db_path, struct people_keys *k);

/* Keyed hash of (id_type, id_number) for exact lookup; resident IDs are hashed in upper
 * case so that 'x' and 'X' match. */
void people_id_hash(const struct people_keys *k, int id_type, const char *id_number,
		    unsigned char out[PEOPLE_HASH_BYTES]);

/* A phone number as it is indexed: its digits only ('+', '-' and spaces dropped), the
 * mainland prefix 86 (written +86, 0086 or 86 before 11 digits) dropped, so that
 * "+86 138-0013-8000" and "13800138000" are the same number. Returns the length
 * written into out; 0 when fewer than 5 digits remain (not indexed, not searchable). */
size_t people_phone_normalise(const char *phone, char out[PEOPLE_PHONE_MAX + 1]);
/* The phone blind index: a keyed BLAKE2b of the normalised number under its own subkey,
 * stored beside the sealed fields so that a phone can be found without storing it in
 * clear. Returns 0, or MU_EINVAL when the number is not indexed (see normalise). */
int people_phone_hash(const struct people_keys *k, const char *phone,
		      unsigned char out[PEOPLE_HASH_BYTES]);

/* ---- personal codes ----------------------------------------------------------------- */

/* A personal code is E(id ‖ secret) under a keyed 128-bit permutation: it carries 88
 * random bits (the secret, kept in the person's row), looks uniformly random, reveals
 * nothing of the row, and is resolved without an index. make computes the code of a
 * row id (1 ≤ id < 2^40) and its secret; open inverts it (any 16 bytes open to some
 * id and secret — the caller must compare the secret with the row's). */
void people_code_make(const struct people_keys *k, int64_t id,
		      const unsigned char secret[PEOPLE_CODE_SECRET_BYTES],
		      unsigned char raw[PEOPLE_CODE_BYTES]);
void people_code_open(const struct people_keys *k, const unsigned char raw[PEOPLE_CODE_BYTES],
		      int64_t *id, unsigned char secret[PEOPLE_CODE_SECRET_BYTES]);
/* Crockford base32 text, PEOPLE_CODE_LEN characters plus NUL. */
void people_code_format(const unsigned char raw[PEOPLE_CODE_BYTES], char out[PEOPLE_CODE_LEN + 1]);
/* Parses the text form (case-insensitive; I/L read as 1, O as 0; '-' ignored).
 * MU_EINVAL for anything else. */
int people_code_parse(const char *s, unsigned char raw[PEOPLE_CODE_BYTES]);

/* ---- records -------------------------------------------------------------------------- */

struct people_person {
	int64_t id, household_id;
	int id_type;
	char id_number[PEOPLE_ID_MAX + 1];
	char name[PEOPLE_NAME_MAX * 4 + 1];
	int sex;
	int64_t birth; /* days since 1970-01-01 */
	char phone[PEOPLE_PHONE_MAX + 1];
	bool party;
	unsigned char code[PEOPLE_CODE_BYTES];
};

/* Checks the fields of p as an import or the API would. Returns 0, or MU_EINVAL with
 * why (may be NULL) set: the field at fault, named as the CSV column ("id_number",
 * "name", "sex", "birth_date", "phone", "id_type"), and the reason. For a resident ID,
 * the sex and birth date must agree with the number. */
int people_validate(const struct people_person *p, struct mu_why *why);

/* A loader inserts many people in the caller's transaction and applies the people
 * counts of their households and ancestors once, at finish (one update per touched
 * place instead of eight per person). people_add is a loader of one. */
struct people_loader;

/* keys are borrowed and must outlive the loader. */
struct people_loader *people_loader_new(struct db *d, const struct people_keys *k);
/* Validates p, gives it a fresh personal-code secret, seals it and inserts it; sets
 * p->id (not p->code: bulk loads have no use for it, and computing it costs four
 * keyed hashes a person — people_add and every read fill it in). Returns 0; MU_EINVAL for bad
 * fields; MU_ENOTFOUND when household_id is not a household (field "household"); MU_EEXIST when
 * the ID number is already recorded; why (may be NULL) says which. A refused person leaves
 * nothing behind. */
int people_loader_add(struct people_loader *l, struct people_person *p, struct mu_why *why);
/* Like people_loader_add without validation or household check: for generators that
 * build valid people under households they just created. */
int people_loader_add_trusted(struct people_loader *l, struct people_person *p);
/* A sealer does a loader's CPU work without the database — the keyed ID hash, a fresh
 * code secret and the sealed blob — so that a producer thread can prepare people for
 * people_loader_add_sealed on the database's thread. Each sealer draws its randomness
 * from its own CSPRNG pool; one sealer is used by one thread at a time. */
struct people_sealer;

/* name NUL phone NUL id_number at their maxima, with the nonce and the tag. */
#define PEOPLE_SEALED_MAX (24 + PEOPLE_NAME_MAX * 4 + 1 + PEOPLE_PHONE_MAX + 1 + PEOPLE_ID_MAX + 16)

/* A person ready to insert. p holds the plaintext: wipe it (sodium_memzero) when done. */
struct people_sealed {
	struct people_person p;
	unsigned char id_hash[PEOPLE_HASH_BYTES];
	unsigned char phone_hash[PEOPLE_HASH_BYTES];
	bool has_phone; /* phone_hash is set: the phone is indexed */
	unsigned char secret[PEOPLE_CODE_SECRET_BYTES];
	unsigned char blob[PEOPLE_SEALED_MAX];
	size_t blob_len;
};

/* keys are borrowed and must outlive the sealer. */
struct people_sealer *people_sealer_new(const struct people_keys *k);
/* Copies p (not validated: call people_validate first) into out with its ID hash, a
 * fresh code secret and the sealed fields. Returns 0, or MU_EINVAL when a field is too
 * long to store (out->id_hash is set even then). */
int people_sealer_seal(struct people_sealer *s, const struct people_person *p,
		       struct people_sealed *out);
void people_sealer_free(struct people_sealer *s);
/* Inserts a person sealed by a sealer with the loader's keys, after the household
 * check of people_loader_add (once per run of the same household); sets ps->p.id.
 * Returns 0, MU_ENOTFOUND or MU_EEXIST (why says what) as people_loader_add does, or
 * a database error. */
int people_loader_add_sealed(struct people_loader *l, struct people_sealed *ps, struct mu_why *why);
/* Writes the pending counts. Returns 0 or an error; the loader can be freed either way. */
int people_loader_finish(struct people_loader *l);
void people_loader_free(struct people_loader *l);

int people_add(struct db *d, const struct people_keys *k, struct people_person *p,
	       struct mu_why *why);

/* Reads a person, opening the sealed fields and computing the personal code.
 * MU_ENOTFOUND when absent (for a code: also when it was not made with these keys),
 * MU_ECRYPTO when the sealed data does not open with these keys (tampered, wrong key). */
int people_get(struct db *d, const struct people_keys *k, int64_t id, struct people_person *out);
int people_find_code(struct db *d, const struct people_keys *k,
		     const unsigned char code[PEOPLE_CODE_BYTES], struct people_person *out);
int people_find_id(struct db *d, const struct people_keys *k, int id_type, const char *id_number,
		   struct people_person *out);
/* The ids of the people whose phone is phone (after normalising; a household may share
 * one), in id order, at most max into ids; *n is how many were written. MU_EINVAL when
 * the number is not indexed. Unseals nothing; people recorded before the index are found
 * once people_phone_index_fill has run (`muster serve` runs it at start). */
int people_find_phone(struct db *d, const struct people_keys *k, const char *phone, int64_t *ids,
		      size_t max, size_t *n);
/* Fills the phone index of the people recorded before it (phone_hash NULL: migration
 * 0007 on an older database), a chunk a transaction; a person with no number to index
 * gets an empty entry, so that each row is read once. *filled counts the rows done.
 * 0, MU_ECRYPTO for a row that does not open with k, or a database error (the chunks
 * committed before it stay). */
int people_phone_index_fill(struct db *d, const struct people_keys *k, int64_t *filled);
/* Calls fn for every person living in the subtree of place: household by household in
 * the tree's code order (places_level_walk), by id within one; stops when fn returns
 * non-zero and returns that. fn must not start another people_walk on d. */
int people_walk(struct db *d, const struct people_keys *k, int64_t place,
		int (*fn)(const struct people_person *p, void *ctx), void *ctx);

/* ---- who lives where, for other capabilities (people.c) --------------------------------
 * The people table is people/'s alone: other capabilities ask these instead of writing
 * SQL that names it. None opens sealed fields. */

/* The household person lives in. MU_ENOTFOUND for no such person. */
int people_household_of(struct db *d, int64_t person, int64_t *household);
/* households[i] = the household of persons[i] (0 for no such person), for n people at
 * once with one statement (what a join on people gave, for a list held in memory). */
int people_households_of(struct db *d, const int64_t *persons, size_t n, int64_t *households);
/* The largest person id (0 without people): for arrays indexed by person id. */
int people_max_id(struct db *d, int64_t *max_id);
/* Calls fn with the id of each person of household with an id above after_id (0: all),
 * in id order; stops when fn returns non-zero and returns that. fn must not run
 * people_household_members on d itself. */
int people_household_members(struct db *d, int64_t household, int64_t after_id,
			     int (*fn)(int64_t person, void *ctx), void *ctx);
/* The person a scanned text names — a personal code (checked against the row's secret,
 * without unsealing it), else an ID number (resident ID when it is a valid one, else
 * passport, else other) — with their household. MU_ENOTFOUND when nobody matches,
 * MU_ECRYPTO for a row that does not open with k, or a database error. */
int people_resolve(struct db *d, const struct people_keys *k, const char *text, int64_t *id,
		   int64_t *household);
/* Recounts the people of every household from the rows and has places/ rebuild every
 * count of the tree from those (places_counts_rebuild): repair and test oracle. */
int people_counts_rebuild(struct db *d);

/* ---- CSV files (csv.c): `muster import|export people`; docs/csv.md --------------------
 * id_type,id_number,name,sex,birth_date,phone,household_code[,party]. The row checks, the
 * sink and the result are places' (people sit in places' households). party (0 or 1,
 * empty 0) is optional on import — files written before it import as before — and
 * always written on export. */

#define PEOPLE_CSV_NCOLS     8
#define PEOPLE_CSV_NCOLS_MIN 7 /* without party */
extern const struct places_csv_column people_csv_columns[PEOPLE_CSV_NCOLS];

/* Imports the people rows of csv (its header already read) into d inside the caller's
 * transaction. A producer thread reads, checks, hashes and seals the rows while this
 * thread inserts them in file order; each refused row (bad field, unknown household,
 * an ID number twice in the file or already recorded) goes to sink->reject with its
 * reason, on this thread. The counts of households and their ancestors are written at
 * the end — unless all_or_nothing and a row was refused: then nothing is left to
 * commit. Returns 0 when the file was read to its end (res->rejected rows refused);
 * MU_EIO with errno set and res->why empty on a read error; or the error that stopped
 * it with res->why (and res->line when at a row). ncols: the header's columns
 * (PEOPLE_CSV_NCOLS_MIN or PEOPLE_CSV_NCOLS). keys are borrowed. The caller
 * commits, or rolls back on an error or, all or nothing, on refused rows. */
int people_csv_import(struct db *d, const struct people_keys *keys, struct mu_csv *csv, int ncols,
		      bool all_or_nothing, const struct places_csv_sink *sink,
		      struct places_csv_result *res);

/* Writes the people living in the subtree of root as CSV records (no header), their
 * sealed fields opened; *n counts them. root 0 writes none. 0, MU_ECRYPTO (a record
 * does not open with keys), MU_EIO (errno set) on a write error, or a database error. */
int people_csv_export(struct db *d, const struct people_keys *keys, int64_t root, FILE *out,
		      int64_t *n);

/* ---- what a checkpoint sees (codebook.c) ------------------------------------------
 * A name masked by code points: 张* for two, 张*明 for three, the first and last with
 * stars between for more, * for one. */
struct people_mask {
	char first[4], last[4]; /* the first and last code points' bytes (not NUL-ended) */
	unsigned char first_len, last_len, stars;
};
#define PEOPLE_MASK_MAX (8 + PEOPLE_NAME_MAX) /* bytes of a mask's text */

void people_mask_of(const char *name, struct people_mask *m);
/* Writes the mask's text and a NUL into out; returns its length. */
size_t people_mask_text(const struct people_mask *m, char out[PEOPLE_MASK_MAX + 1]);
/* A phone number as a list shows it: of 11 digits or more the first 3 and the last 4
 * stay ("138****5678"), of fewer the last quarter (at most 4); every other digit is a
 * star, '+', '-' and spaces stay where they are. Writes a NUL-ended text of the same
 * length into out ("" for ""). */
void people_phone_mask(const char *phone, char out[PEOPLE_PHONE_MAX + 1]);

/* The codebook: each person's code secret and masked name in memory by row id (23
 * bytes a person, anonymous memory kept out of core dumps), so that a checkpoint's
 * lookup reads no row. It relies on people rows never being updated: a capability
 * that changes a stored name or code secret must change this too.
 * start sizes it from the people there are (and a fifth more), then fills it from the
 * database on a thread of its own, in id order, publishing each filled chunk; keys are
 * copied. Returns 0, or a database error or MU_EIO (no memory, no thread). */
struct people_codebook;
#define PEOPLE_CODEBOOK_MAX ((size_t)100 * 1000 * 1000) /* people held at most */
int people_codebook_start(const char *db_path, const struct people_keys *k,
			  struct people_codebook **out);
/* True when the codebook knows row id (filled and published); then *genuine says
 * whether secret is that row's, and *m is set when it is. False: read the row. Safe
 * from any thread while the build runs. cb may be NULL. */
bool people_codebook_find(const struct people_codebook *cb, int64_t id,
			  const unsigned char secret[PEOPLE_CODE_SECRET_BYTES], bool *genuine,
			  struct people_mask *m);
/* True once the build has read every row it will; *people (may be NULL) is how many
 * it holds. */
bool people_codebook_ready(const struct people_codebook *cb, int64_t *people);
/* Stops the build (waits for its thread), wipes the keys and frees; accepts NULL. */
void people_codebook_free(struct people_codebook *cb);

#endif
