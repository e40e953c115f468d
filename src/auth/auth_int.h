/* auth_int.h: names shared inside src/auth only — the derived keys, token text and
 * hashing, sessions and devices as the guard looks them up, the sign-in throttle, and
 * the server environment set by auth_init. */
#ifndef MU_AUTH_INT_H
#define MU_AUTH_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth.h"

struct db;
struct http_req;
struct mu_buf;

#define AUTH__SUBKEY_AUDIT 16
#define AUTH__SUBKEY_TOKEN 17
#define AUTH__SUBKEY_CHECK 18 /* the key check value (keycheck.c) */
#define AUTH__HASH_BYTES   32
#define AUTH__PW_MIN	   10
#define AUTH__PW_MIN_HIGH  12 /* admins and commanders */
#define AUTH__PW_MAX	   1024

/* The keys auth derives from a database's key file. */
struct auth__keys {
	unsigned char audit[32];
	unsigned char token[32];
};

/* The keys for the database d was opened on: the server's cached keys when auth_init
 * ran for that path, else read from its key file. */
int auth__keys_for(const char *db_path, struct auth__keys *k);

/* 32 random bytes as base32 (lowercase RFC 4648 alphabet, no padding): AUTH_TOKEN_LEN
 * characters. */
void auth__token_new(char out[AUTH_TOKEN_LEN + 1]);
/* True when s has the shape of a token (length and alphabet). */
bool auth__token_shape(const char *s);
/* The keyed BLAKE2b-256 of a token's text, as stored in sessions and devices. */
void auth__token_hash(const struct auth__keys *k, const char *token,
		      unsigned char out[AUTH__HASH_BYTES]);
/* Base32 of n bytes into out (≥ (8n+4)/5 + 1 bytes). */
void auth__base32(const unsigned char *in, size_t n, char *out);

/* Usernames: 1..64 of [A-Za-z0-9._-]. MU_EINVAL with why (may be NULL) otherwise. */
int auth__username_check(const char *name, struct mu_why *why);
/* Passwords: 10..1024 bytes (12 for an admin or a commander; role -1: 10), no NUL; not
 * one short piece repeated, not a keyboard or alphabet run, not among the most common
 * passwords or a common word with digits and signs around it, not holding the username
 * (may be NULL). MU_EINVAL with why (may be NULL) otherwise. */
int auth__password_check(const char *pw, int role, const char *username, struct mu_why *why);
/* The sign-in hashing pool: enter takes one of its few slots, waiting a short while
 * (100 ms) for one; MU_EBUSY when none came free. leave gives it back. */
int auth__hash_enter(void);
void auth__hash_leave(void);
/* argon2id verification; equalises time for unknown users when hash is NULL. */
bool auth__password_verify(const char *hash, const char *password);

/* Reads a user by id or name with their password hash (pw_hash ≥ 129 bytes, may be
 * NULL). MU_ENOTFOUND when absent. */
int auth__user_by_name(struct db *d, const char *username, struct auth_user *u, char *pw_hash);
int auth__user_by_id(struct db *d, int64_t id, struct auth_user *u);

/* Sessions. create: a fresh token and csrf for user (the token goes to token_out,
 * the csrf into p), deleting expired sessions on the way. lookup: fills p for a
 * live session of an enabled user; MU_EUNAUTH otherwise. now: unix seconds (the
 * expiry's clock); mono: seconds on the monotonic clock, that of the cache of accepted
 * credentials below. delete: ends that session (and empties the cache). */
int auth__session_create(struct db *d, const struct auth__keys *k, const struct auth_user *u,
			 int64_t expires, const char *addr, char token_out[AUTH_TOKEN_LEN + 1],
			 struct auth_principal *p);
int auth__session_lookup(struct db *d, const struct auth__keys *k, const char *token, int64_t now,
			 double mono, struct auth_principal *p);
int auth__session_delete(struct db *d, const struct auth__keys *k, const char *token);
/* Device tokens: fills p for a token not revoked; MU_EUNAUTH otherwise. now: seconds on
 * the monotonic clock (mu_now_mono; tests pass their own).
 * An accepted session or device token is remembered for up to a second by the calling
 * thread: a sign-out, password change, disabled user or revocation made in this process
 * applies at once, one made by another process within that second.
 * auth__accepted_forget forgets every thread's entries. */
void auth__accepted_forget(void);
int auth__device_lookup(struct db *d, const struct auth__keys *k, const char *token, double now,
			struct auth_principal *p);

/* The in-memory sign-in throttle (a fixed table under a keyed hash). Keys: "a:ADDR",
 * "u:NAME", "ua:NAME ADDR"; marks "g:NAME ADDR" (signed in from there before). now:
 * seconds on any monotonic clock (tests pass their own).
 * wait: seconds before key may try again (0: now); a key with no slot of its own while
 *   its run of slots is full of blocking keys waits too (nothing is evicted to make room).
 * fail: one failure; from the max-th failure on the key backs off 2 s, doubling with each
 *   further failure, up to window_s; a key is forgotten window_s after its last failure.
 *   MU_ETOOMANY when there is no slot to count it in.
 * mark/marked: a key remembered for keep_s seconds (evicted, like any key that is not
 *   blocking, when its run is full). */
void auth__throttle_reset(void);
double auth__throttle_wait(const char *key, double now);
bool auth__throttle_blocked(const char *key, double now);
int auth__throttle_fail(const char *key, int max, int window_s, double now);
void auth__throttle_mark(const char *key, int keep_s, double now);
bool auth__throttle_marked(const char *key, double now);
void auth__throttle_clear(const char *key);

/* Anonymous refusals (flood.c). auth__anon_limited counts one refusal of addr in second
 * sec and tells whether it is past per_s in that second. auth__anon_count adds one to
 * the summary of (addr, action, status) of now_s's minute; when now_s begins a new
 * minute it first moves the previous minute's sums to *out (the caller frees) and
 * returns how many. auth__anon_take moves the current sums out likewise. */
struct auth__anon_sum {
	char addr[64];
	char action[160];
	int status;
	uint64_t n;
	int64_t minute; /* unix seconds / 60 */
};
bool auth__anon_limited(const char *addr, int per_s, int64_t sec);
size_t auth__anon_count(const char *addr, const char *action, int status, int64_t now_s,
			struct auth__anon_sum **out);
size_t auth__anon_take(struct auth__anon_sum **out);
void auth__flood_reset(void);

/* The key check value of master (keycheck.c). */
void auth__key_check_value(const unsigned char master[32], unsigned char out[32]);

/* The server environment (guard.c). */
struct auth__env {
	bool ready;
	struct auth_config cfg;
	struct auth__keys keys;
	atomic_uint_fast64_t signin_failures, signin_throttled, signins, denied, audit_lost,
	    anon_limited, signin_busy;
};
extern struct auth__env auth__env;

/* The client's address for throttling: X-Forwarded-For's last entry from the trusted
 * proxy (auth_config.trusted_proxy), else the peer's address. */
const char *auth__client_addr(struct http_req *r);

/* Marks a request as audited inside its own write (auth_submit, sign-in). */
void auth__mark_audited(struct http_req *r);
/* auth_submit with an explicit principal (sign-in, where the guard set none). */
int auth__submit_as(struct http_req *r, const struct auth_principal *who,
		    int (*fn)(struct db *d, void *arg), void *arg);
/* "METHOD pattern" of r's route, from r's arena. */
const char *auth__action(struct http_req *r, const char *prefix);

/* Audit listing for GET /api/v1/audit: newest first, id < before (0: no bound). NULL
 * or 0 filters are off. fn gets each row; returns the first non-zero of fn. */
/* One audit entry to append; the strings are borrowed for the call. */
struct auth__entry {
	const struct auth_principal *who; /* NULL: anonymous */
	const char *action, *record, *addr;
	int status;
	int64_t at_ms; /* when it happened; 0: now */
};
/* Appends n entries in order in one savepoint, reading the chain's head once. */
int auth__audit_append_many(struct db *d, const struct auth__entry *entries, size_t n);

/* ---- the audit journal (journal.c) ---------------------------------------------------
 * A read of people is answered only once its entries reached the journal file beside the
 * database (`<db>-audit.journal` and `<db>-audit.journal.1`, 0600; MUSTER_AUDIT_JOURNAL
 * names the first instead, for tests): a write() into the kernel outlives a kill -9 of
 * the process. The writer moves journalled entries into audit and records the highest
 * sequence number moved (table audit_journal) in the same transaction; a file is emptied
 * once everything in it is committed. write, seal and release are called under one lock
 * (the guard's queue lock), so that the files, the sequence and the queue agree. */
#define AUTH__JREC_MAX 2200 /* bytes of one record's body at most */

/* A decoded record; the texts point into the decoded buffer. who.kind 0: anonymous. */
struct auth__jrec {
	int64_t seq, at_ms;
	struct auth_principal who;
	const char *action, *record, *addr;
	int status;
};
/* Appends the record of entry e with seq and at_ms to out. */
void auth__journal_encode(struct mu_buf *out, int64_t seq, int64_t at_ms,
			  const struct auth__entry *e);
/* Calls fn on every whole, intact record of buf[0..n) in order (its first non-zero is
 * returned). A torn tail or a damaged stretch is skipped up to the next intact record
 * and counted once in *bad. */
int auth__journal_decode(const unsigned char *buf, size_t n,
			 int (*fn)(const struct auth__jrec *rec, void *ctx), void *ctx,
			 uint64_t *bad);
/* The highest journal seq moved into audit (0: none), and moving it on (never back). */
int auth__journal_mark(struct db *d, int64_t *seq);
int auth__journal_mark_set(struct db *d, int64_t seq);

struct auth__journal_replay {
	uint64_t moved, bad; /* entries appended; damaged or torn records skipped */
	int64_t mark;	     /* the mark afterwards */
};
/* For the server: replays what the journal files of db_path hold into audit through w,
 * empties them, and opens the journal for writing (*r says what the replay did).
 * Returns 0, or the replay's error (the files are then left as they are). A journal
 * file that cannot be opened is logged and returns 0: reads are refused meanwhile. */
int auth__journal_open(const char *db_path, struct db_writer *w, struct auth__journal_replay *r);
void auth__journal_close(void);
bool auth__journal_on(void);
/* The seq the next record gets. */
int64_t auth__journal_next(void);
/* Writes buf[0..n) (nseq records numbered from auth__journal_next()) with one write()
 * and advances the sequence. MU_EFULL when the disk (or quota) is full, MU_EIO on any
 * other failure, MU_ESTOPPED when the journal is not open; nothing is left of a failed
 * write. */
int auth__journal_write(const void *buf, size_t n, size_t nseq);
/* On the writer, as it takes the queued entries: the file being written is sealed and
 * the other takes over, unless a sealed one still waits for its commit. */
void auth__journal_seal(void);
/* After a commit that moved everything up to seq committed: empties the sealed file
 * when it holds nothing newer. */
void auth__journal_release(int64_t committed);
/* fdatasync of the file being written: on the writer, once a batch, so that a power loss
 * takes at most the entries of the last moments. */
void auth__journal_sync(void);

struct auth__audit_row {
	int64_t id, at_ms, actor_kind, actor_id;
	const char *actor, *action, *record, *addr;
	int status;
};
int auth__audit_list(struct db *d, const char *actor, const char *record, int64_t since_ms,
		     int64_t until_ms, int64_t before, int limit,
		     int (*fn)(const struct auth__audit_row *row, void *ctx), void *ctx);

#endif
