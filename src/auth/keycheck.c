/* keycheck.c: the key check value of a database (table key_check): a keyed BLAKE2b of a
 * fixed label under subkey 18 of its key file, so that a key file of another database
 * is refused before anything is sealed, chained or hashed under it. */
#include <sodium.h>
#include <string.h>

#include "auth.h"
#include "auth_int.h"
#include "core/core.h"
#include "db/db.h"

static const char label[] = "muster key check v1";
static const char sql_get[] = "SELECT mac FROM key_check WHERE id = 1";
static const char sql_put[] = "INSERT INTO key_check (id, mac, made_at) VALUES (1, ?, ?)";

void auth__key_check_value(const unsigned char master[32], unsigned char out[32])
{
	unsigned char k[MU_KEY_BYTES];
	mu_keyfile_subkey(master, AUTH__SUBKEY_CHECK, k);
	crypto_generichash(out, 32, (const unsigned char *)label, sizeof label - 1, k, sizeof k);
	sodium_memzero(k, sizeof k);
}

int auth_key_check(struct db *d, bool *recorded)
{
	unsigned char master[MU_KEY_BYTES], want[32];
	struct db_stmt *s = NULL;
	bool found = false;
	*recorded = false;
	mu_sodium_init();
	int rc = mu_keyfile_load(db_path(d), master);
	if (rc != 0)
		return rc;
	auth__key_check_value(master, want);
	sodium_memzero(master, sizeof master);
	if ((rc = db_prepare(d, sql_get, &s)) != 0)
		goto out;
	rc = db_step(s);
	if (rc == DB_ROW) {
		found = true;
		rc = db_col_bytes(s, 0) == 32 && sodium_memcmp(db_col_blob(s, 0), want, 32) == 0
			 ? 0
			 : MU_ECRYPTO;
	}
	db_stmt_done(s);
	s = NULL;
	if (rc < 0 || found)
		goto out;
	/* A database made before the check existed: record it under the present key. */
	if ((rc = db_prepare(d, sql_put, &s)) != 0)
		goto out;
	db_bind_blob(s, 1, want, 32);
	db_bind_i64(s, 2, mu_now_unix());
	rc = db_step(s);
	if (rc == DB_DONE) {
		rc = 0;
		*recorded = true;
	} else if (rc == MU_EEXIST) {
		/* Another process recorded it meanwhile: check again. */
		db_stmt_done(s);
		s = NULL;
		rc = auth_key_check(d, recorded);
	}
out:
	db_stmt_done(s);
	return rc;
}
