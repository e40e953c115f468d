/* sessions.c: the credentials the guard accepts — browser sessions (cookie token and
 * CSRF token) and device tokens of sampling sites and labs. Only keyed hashes of the
 * tokens are stored, so a copy of the database signs nobody in. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "auth_int.h"
#include "core/core.h"
#include "db/db.h"

static const char sql_sessions_gc[] = "DELETE FROM sessions WHERE expires <= ?";
static const char sql_session_add[] =
    "INSERT INTO sessions(token_hash, user_id, csrf, created, expires, addr) "
    "VALUES (?, ?, ?, ?, ?, ?)";

static void principal_of_user(const struct auth_user *u, struct auth_principal *p)
{
	memset(p, 0, sizeof *p);
	p->kind = AUTH_KIND_USER;
	p->id = u->id;
	snprintf(p->name, sizeof p->name, "%s", u->username);
	p->role = u->role;
	p->place_id = u->place_id;
}

int auth__session_create(struct db *d, const struct auth__keys *k, const struct auth_user *u,
			 int64_t expires, const char *addr, char token_out[AUTH_TOKEN_LEN + 1],
			 struct auth_principal *p)
{
	unsigned char raw[32], th[AUTH__HASH_BYTES];
	struct db_stmt *s = NULL;
	int64_t now = mu_now_unix();
	int rc;
	principal_of_user(u, p);
	p->expires = expires;
	auth__token_new(token_out);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(p->csrf, sizeof p->csrf, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	auth__token_hash(k, token_out, th);
	if ((rc = db_prepare(d, sql_sessions_gc, &s)) != 0)
		goto out;
	db_bind_i64(s, 1, now);
	if ((rc = db_step(s)) != DB_DONE)
		goto out;
	db_stmt_done(s);
	s = NULL;
	if ((rc = db_prepare(d, sql_session_add, &s)) != 0)
		goto out;
	db_bind_blob(s, 1, th, sizeof th);
	db_bind_i64(s, 2, u->id);
	db_bind_text(s, 3, p->csrf, -1);
	db_bind_i64(s, 4, now);
	db_bind_i64(s, 5, expires);
	db_bind_text(s, 6, addr ? addr : "", -1);
	rc = db_step(s) == DB_DONE ? 0 : MU_EDB;
out:
	db_stmt_done(s);
	sodium_memzero(raw, sizeof raw);
	if (rc != 0)
		sodium_memzero(token_out, AUTH_TOKEN_LEN + 1);
	return rc;
}

/* Credentials accepted in the last ACCEPTED_TTL seconds, per request thread (no lock):
 * a browser or a checkpoint's scanner sends the same token with every request, and every
 * commit empties the readers' page caches, so the lookup read its pages from the kernel
 * each time (a fifth of a logged call's time on its request thread). Keyed by the token's
 * keyed hash, so no token text is kept. A sign-out, a password change, a disabled user or
 * a revoked device in this process empties every thread's cache at once through the
 * generation (a request on another thread that reads the database between that and the
 * change's commit may still be accepted within the TTL); a change made by another process
 * (`muster user disable` beside a running server) takes effect within the TTL. Refusals
 * are never cached, and a session is never accepted past its expiry. */
#define ACCEPTED_SLOTS 8
#define ACCEPTED_TTL   1.0

struct accepted {
	unsigned char th[AUTH__HASH_BYTES];
	struct auth_principal p;
	double until; /* mu_now_mono() */
	uint_fast64_t gen;
};

static _Thread_local struct accepted accepted[ACCEPTED_SLOTS];
static atomic_uint_fast64_t accepted_gen = 1;

void auth__accepted_forget(void)
{
	atomic_fetch_add(&accepted_gen, 1);
}

/* True, with *p, when this thread accepted th within the TTL and nothing was revoked since. */
static bool accepted_get(const unsigned char *th, double mono, struct auth_principal *p)
{
	const struct accepted *c = &accepted[th[0] % ACCEPTED_SLOTS];
	if (c->gen != atomic_load(&accepted_gen) || mono >= c->until ||
	    sodium_memcmp(c->th, th, AUTH__HASH_BYTES) != 0)
		return false;
	*p = c->p;
	return true;
}

/* gen: the generation read before the database was, so that a revocation committed
 * between that read and this call is not hidden. */
static void accepted_put(const unsigned char *th, uint_fast64_t gen, double mono,
			 const struct auth_principal *p)
{
	struct accepted *c = &accepted[th[0] % ACCEPTED_SLOTS];
	memcpy(c->th, th, AUTH__HASH_BYTES);
	c->p = *p;
	c->until = mono + ACCEPTED_TTL;
	c->gen = gen;
}

static const char sql_session_get[] =
    "SELECT u.id, u.username, u.role, u.place_id, s.csrf, s.expires FROM sessions s "
    "JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = ? AND s.expires > ? AND u.disabled = 0";

int auth__session_lookup(struct db *d, const struct auth__keys *k, const char *token, int64_t now,
			 double mono, struct auth_principal *p)
{
	unsigned char th[AUTH__HASH_BYTES];
	struct db_stmt *s = NULL;
	if (!auth__token_shape(token))
		return MU_EUNAUTH;
	auth__token_hash(k, token, th);
	struct auth_principal c;
	if (accepted_get(th, mono, &c) && c.kind == AUTH_KIND_USER && now < c.expires) {
		*p = c;
		return 0;
	}
	uint_fast64_t gen = atomic_load(&accepted_gen);
	int rc = db_prepare(d, sql_session_get, &s);
	if (rc != 0)
		return rc;
	db_bind_blob(s, 1, th, sizeof th);
	db_bind_i64(s, 2, now);
	rc = db_step(s);
	if (rc == DB_ROW) {
		memset(p, 0, sizeof *p);
		p->kind = AUTH_KIND_USER;
		p->id = db_col_i64(s, 0);
		snprintf(p->name, sizeof p->name, "%s", db_col_text(s, 1));
		p->role = (int)db_col_i64(s, 2);
		p->place_id = db_col_null(s, 3) ? 0 : db_col_i64(s, 3);
		snprintf(p->csrf, sizeof p->csrf, "%s", db_col_text(s, 4));
		p->expires = db_col_i64(s, 5);
		accepted_put(th, gen, mono, p);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_EUNAUTH;
	}
	db_stmt_done(s);
	return rc;
}

static const char sql_session_del[] = "DELETE FROM sessions WHERE token_hash = ?";

int auth__session_delete(struct db *d, const struct auth__keys *k, const char *token)
{
	unsigned char th[AUTH__HASH_BYTES];
	struct db_stmt *s = NULL;
	auth__token_hash(k, token, th);
	int rc = db_prepare(d, sql_session_del, &s);
	if (rc != 0)
		return rc;
	db_bind_blob(s, 1, th, sizeof th);
	rc = db_step(s) == DB_DONE ? 0 : MU_EDB;
	db_stmt_done(s);
	auth__accepted_forget();
	return rc;
}

/* ---- device tokens ----------------------------------------------------------------------- */

/* Device codes: 1..32 of [A-Za-z0-9._-] (sites and labs are named like places). */
static bool device_code_ok(const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static const char sql_device_add[] =
    "INSERT INTO devices(kind, code, place_id, token_hash, created) VALUES (?, ?, ?, ?, ?)";

int auth_token_issue(struct db *d, int kind, const char *code, int64_t place_id,
		     char token_out[AUTH_TOKEN_LEN + 1], int64_t *id)
{
	struct auth__keys k;
	unsigned char th[AUTH__HASH_BYTES];
	struct db_stmt *s = NULL;
	int rc;
	if (!device_code_ok(code) || (kind != AUTH_KIND_SITE && kind != AUTH_KIND_LAB) ||
	    (kind == AUTH_KIND_SITE) != (place_id > 0))
		return MU_EINVAL;
	if ((rc = auth__keys_for(db_path(d), &k)) != 0)
		return rc;
	auth__token_new(token_out);
	auth__token_hash(&k, token_out, th);
	if ((rc = db_prepare(d, sql_device_add, &s)) != 0)
		goto out;
	db_bind_i64(s, 1, kind);
	db_bind_text(s, 2, code, -1);
	if (place_id > 0)
		db_bind_i64(s, 3, place_id);
	else
		db_bind_null(s, 3);
	db_bind_blob(s, 4, th, sizeof th);
	db_bind_i64(s, 5, mu_now_unix());
	rc = db_step(s);
	if (rc == DB_DONE) {
		rc = 0;
		if (id)
			*id = db_last_insert_id(d);
	}
out:
	db_stmt_done(s);
	sodium_memzero(&k, sizeof k);
	if (rc != 0)
		sodium_memzero(token_out, AUTH_TOKEN_LEN + 1);
	return rc;
}

static const char sql_device_revoke[] =
    "UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
static const char sql_device_exists[] = "SELECT 1 FROM devices WHERE id = ?";

int auth_token_revoke(struct db *d, int64_t id)
{
	struct db_stmt *s = NULL;
	int rc = db_prepare(d, sql_device_revoke, &s);
	if (rc != 0)
		goto out;
	db_bind_i64(s, 1, mu_now_unix());
	db_bind_i64(s, 2, id);
	if ((rc = db_step(s)) != DB_DONE)
		goto out;
	rc = 0;
	/* This process's cached acceptances end now; other processes' within their TTL. */
	auth__accepted_forget();
	/* Revoking twice is fine; revoking what never existed is a mistake worth telling. */
	if (db_changes(d) > 0)
		goto out;
	db_stmt_done(s);
	s = NULL;
	if ((rc = db_prepare(d, sql_device_exists, &s)) != 0)
		goto out;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	rc = rc == DB_ROW ? 0 : rc == DB_DONE ? MU_ENOTFOUND : rc;
out:
	db_stmt_done(s);
	return rc;
}

static const char sql_device_list[] =
    "SELECT id, kind, code, place_id, created, revoked_at FROM devices ORDER BY id";

int auth_token_list(struct db *d, int (*fn)(const struct auth_device *dev, void *ctx), void *ctx)
{
	struct db_stmt *s = NULL;
	struct auth_device dev;
	int rc = db_prepare(d, sql_device_list, &s);
	if (rc != 0)
		goto out;
	while ((rc = db_step(s)) == DB_ROW) {
		memset(&dev, 0, sizeof dev);
		dev.id = db_col_i64(s, 0);
		dev.kind = (int)db_col_i64(s, 1);
		snprintf(dev.code, sizeof dev.code, "%s", db_col_text(s, 2));
		dev.place_id = db_col_null(s, 3) ? 0 : db_col_i64(s, 3);
		dev.created = db_col_i64(s, 4);
		dev.revoked_at = db_col_null(s, 5) ? 0 : db_col_i64(s, 5);
		if ((rc = fn(&dev, ctx)) != 0)
			goto out;
	}
	if (rc == DB_DONE)
		rc = 0;
out:
	db_stmt_done(s);
	return rc;
}

static const char sql_device_get[] =
    "SELECT id, kind, code, place_id FROM devices WHERE token_hash = ? AND revoked_at IS NULL";

int auth__device_lookup(struct db *d, const struct auth__keys *k, const char *token, double now,
			struct auth_principal *p)
{
	unsigned char th[AUTH__HASH_BYTES];
	struct db_stmt *s = NULL;
	if (!auth__token_shape(token))
		return MU_EUNAUTH;
	auth__token_hash(k, token, th);
	struct auth_principal c;
	if (accepted_get(th, now, &c) && c.kind != AUTH_KIND_USER) {
		*p = c;
		return 0;
	}
	uint_fast64_t gen = atomic_load(&accepted_gen);
	int rc = db_prepare(d, sql_device_get, &s);
	if (rc != 0)
		return rc;
	db_bind_blob(s, 1, th, sizeof th);
	rc = db_step(s);
	if (rc == DB_ROW) {
		memset(p, 0, sizeof *p);
		p->id = db_col_i64(s, 0);
		p->kind = (int)db_col_i64(s, 1);
		snprintf(p->device_code, sizeof p->device_code, "%s", db_col_text(s, 2));
		if (p->kind == AUTH_KIND_SITE) {
			p->role = AUTH_SAMPLER;
			p->place_id = db_col_i64(s, 3);
			snprintf(p->name, sizeof p->name, "site:%s", p->device_code);
		} else {
			p->kind = AUTH_KIND_LAB;
			p->role = AUTH_LAB;
			p->place_id = 0;
			snprintf(p->name, sizeof p->name, "lab:%s", p->device_code);
		}
		accepted_put(th, gen, now, p);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_EUNAUTH;
	}
	db_stmt_done(s);
	return rc;
}
