/* auth: who is asking and whether they may — users with a role and a jurisdiction,
 * argon2id passwords, browser sessions with CSRF tokens, device tokens for sampling
 * sites and labs, sign-in throttling, and the hash-chained audit log. It depends on no
 * capability: a route resolves its target's path of place ids and auth checks that the
 * caller's jurisdiction is on it. This header knows no HTTP (the CLI uses it); the
 * guard `muster serve` installs in http, and what handlers ask of it, are in api.h. */
#ifndef MU_AUTH_H
#define MU_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_writer;
struct mu_why;

enum auth_role {
	AUTH_ADMIN = 0,
	AUTH_COMMANDER,
	AUTH_STAFF,
	AUTH_GRID_WORKER,
	AUTH_SAMPLER,
	AUTH_LAB,
	AUTH_OPERATOR,
	AUTH_AUDITOR,
	AUTH_NROLES
};
#define AUTH_R(role) (1u << (role))
#define AUTH_ANY     ((1u << AUTH_NROLES) - 1u)

/* "admin", "commander", ... ; NULL outside the enum. parse: MU_EINVAL otherwise. */
const char *auth_role_name(int role);
int auth_role_parse(const char *s, int *role);

enum auth_kind { AUTH_KIND_USER = 1, AUTH_KIND_SITE = 2, AUTH_KIND_LAB = 3 };

#define AUTH_NAME_MAX  64
#define AUTH_TOKEN_LEN 52 /* session and device tokens: 32 random bytes in base32 */
#define AUTH_CSRF_LEN  43 /* 32 random bytes, base64url without padding */

/* Who is asking: a signed-in user, or a device (site or lab token). */
struct auth_principal {
	int kind;
	int64_t id;		      /* user id or device id */
	char name[AUTH_NAME_MAX + 1]; /* username, or "site:CODE" / "lab:CODE" */
	int role;	  /* a user's role; AUTH_SAMPLER for site tokens, AUTH_LAB for lab tokens */
	int64_t place_id; /* the jurisdiction's root place; 0 for labs (no place at all) */
	char device_code[33];	      /* the site or lab code of a device token */
	char csrf[AUTH_CSRF_LEN + 1]; /* sessions: what X-CSRF-Token must carry */
	int64_t expires;	      /* sessions: unix seconds */
	bool audited; /* set once this request's audit entry is written (auth_submit) */
};

/* Checks that the key file beside d's database belongs to it: the key check value
 * (table key_check) is a keyed BLAKE2b of a fixed label under a subkey of the key file.
 * Returns 0 when it matches; MU_ECRYPTO when it does not (another database's key file);
 * the key file's own errors (mu_keyfile_load). A database without a value (made before
 * the check existed, or just created) gets the present key's, and *recorded is set. */
int auth_key_check(struct db *d, bool *recorded);

/* ---- the server environment ---------------------------------------------------------
 * Set once by `muster serve` before the first request. */
struct auth_config {
	const char *db_path;
	struct db_writer *writer;
	int session_hours;     /* 0: 12 */
	int throttle_max;      /* failed sign-ins per user or address per window; 0: 5 */
	int throttle_window_s; /* 0: 900 */
	int anon_per_s;	       /* refusals without an identity per address per second before
				* the answer is 429; 0: 50 */
	bool cookie_secure;    /* add Secure to the session cookie (behind TLS) */
	/* The reverse proxy's address: from it alone X-Forwarded-For names the client the
	 * sign-in throttles count. NULL: the peer is the client. */
	const char *trusted_proxy;
	/* The code of place id into out (size bytes), for the signed-in user's place in the
	 * session's answer. auth reads no capability's table, so the caller that wires the
	 * server passes the owner's function (places_code_get). NULL, or an error: the
	 * answer carries the place's id alone. */
	int (*place_code)(struct db *d, int64_t id, char *out, size_t size);
	/* The path of place id, root first (places_path), to scope the audit log by the
	 * jurisdiction of each entry's actor. NULL: a place's path is the place alone. */
	int (*place_path)(struct db *d, int64_t id, int64_t *ids, int *n);
};
/* Loads the audit key from the database's key file and keeps cfg (borrowed). */
int auth_init(const struct auth_config *cfg);
void auth_fini(void);

/* True when place path ids[0..n) (root first) is inside the principal's jurisdiction. */
bool auth_within(const struct auth_principal *p, const int64_t *ids, int n);

/* ---- users (CLI and API) ------------------------------------------------------------ */

struct auth_user {
	int64_t id;
	char username[AUTH_NAME_MAX + 1];
	int role;
	int64_t place_id;
	bool disabled;
	int64_t created;
};

/* Usernames: 1..64 of [A-Za-z0-9._-]. Passwords: 10..1024 bytes, 12 or more for an
 * admin or a commander, and none of the weak ones auth__password_check lists. The password is
 * hashed with argon2id (libsodium crypto_pwhash_str). MU_EEXIST for a taken name,
 * MU_EINVAL for a bad name, role, password or place; why (may be NULL) says which
 * field ("username", "role", "place", "password") and why. place_id must be a place
 * (the caller resolved the code). */
int auth_user_add(struct db *d, const char *username, int role, int64_t place_id,
		  const char *password, int64_t *id, struct mu_why *why);
int auth_user_passwd(struct db *d, const char *username, const char *password, struct mu_why *why);
/* Disables the user and ends their sessions. MU_ENOTFOUND for an unknown name. */
int auth_user_disable(struct db *d, const char *username);
int auth_user_get(struct db *d, const char *username, struct auth_user *out);
int auth_user_list(struct db *d, int (*fn)(const struct auth_user *u, void *ctx), void *ctx);
/* A fresh random password of 20 characters (base32), for `muster init`. */
void auth_password_generate(char out[21]);

/* ---- device tokens ------------------------------------------------------------------ */

/* Issues a token for a site (kind AUTH_KIND_SITE, place_id the site's place) or a lab
 * (AUTH_KIND_LAB, place_id 0). Only its hash is stored; the token is written to
 * token_out once. */
int auth_token_issue(struct db *d, int kind, const char *code, int64_t place_id,
		     char token_out[AUTH_TOKEN_LEN + 1], int64_t *id);
int auth_token_revoke(struct db *d, int64_t id);

/* A device token as `muster token list` shows it (never the token itself). */
struct auth_device {
	int64_t id;
	int kind; /* AUTH_KIND_SITE or AUTH_KIND_LAB */
	char code[33];
	int64_t place_id;	     /* 0 for a lab */
	int64_t created, revoked_at; /* Unix seconds; revoked_at 0 while active */
};
/* Calls fn for every device token in id order; fn's non-zero return stops the walk and
 * is returned. Returns 0 or a database error. */
int auth_token_list(struct db *d, int (*fn)(const struct auth_device *dev, void *ctx), void *ctx);

/* ---- audit -------------------------------------------------------------------------- */

/* Appends one entry (on the writer's connection; callers outside the server use their
 * own connection). Each entry's hash is keyed BLAKE2b over the previous entry's hash
 * and every field, so an edit, a removal or a reordering breaks the chain there. */
int auth_audit_append(struct db *d, const struct auth_principal *who, const char *action,
		      const char *record, const char *addr, int status);
/* Appends one entry per record of records[0..n), in order, sharing who, action, addr and
 * status: one savepoint, the chain's head and the key file read once (a bulk export's
 * people, "person:ID" each). Either all n are appended or none. */
int auth_audit_append_records(struct db *d, const struct auth_principal *who, const char *action,
			      const char *const *records, size_t n, const char *addr, int status);

/* Moves the entries the audit journal beside d's database still holds (a server that
 * stopped without moving them: killed, or its disk full) into audit on d, in one
 * transaction, and empties the journal; idempotent (an entry already moved is not
 * added again). *moved: entries appended; *bad: damaged or torn records skipped, each
 * a lost entry. For every command that writes to the database; `muster serve` does
 * the same at start. Returns 0 or a database error (the journal is then kept). */
int auth_audit_journal_replay(struct db *d, uint64_t *moved, uint64_t *bad);

/* Whether reads of people can be served: 0, or the last audit journal write's failure
 * (MU_EFULL: no space; MU_EIO: it cannot be opened or written) until one succeeds. */
int auth_audit_journal_health(void);

/* Walks the chain from the start. *bad_id is 0 when it holds, else the id of the first
 * entry that was edited, removed (the entry after the gap) or reordered; *checked the
 * entries read. keys: the database's key file is loaded from db_path. */
int auth_audit_verify(struct db *d, const char *db_path, int64_t *bad_id, int64_t *checked);

#endif
