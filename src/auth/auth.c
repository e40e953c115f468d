/* auth.c: auth's environment and small shared pieces — role names, the server setup
 * (auth_init), the derived keys, token text and hashing, and the in-memory
 * sign-in throttle. Nothing here depends on http, so the CLI links it alone. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "auth_int.h"
#include "core/core.h"
#include "db/db.h"

struct auth__env auth__env;

static const char *const role_names[AUTH_NROLES] = {
    "admin", "commander", "staff", "grid_worker", "sampler", "lab", "operator", "auditor",
};

const char *auth_role_name(int role)
{
	return role >= 0 && role < AUTH_NROLES ? role_names[role] : NULL;
}

int auth_role_parse(const char *s, int *role)
{
	for (int i = 0; i < AUTH_NROLES; i++)
		if (!strcmp(s, role_names[i])) {
			*role = i;
			return 0;
		}
	return MU_EINVAL;
}

/* ---- keys ----------------------------------------------------------------------------- */

static int keys_load(const char *db_path, struct auth__keys *k)
{
	unsigned char master[MU_KEY_BYTES];
	int rc = mu_keyfile_load(db_path, master);
	if (rc == 0) {
		mu_keyfile_subkey(master, AUTH__SUBKEY_AUDIT, k->audit);
		mu_keyfile_subkey(master, AUTH__SUBKEY_TOKEN, k->token);
	}
	sodium_memzero(master, sizeof master);
	return rc;
}

int auth__keys_for(const char *db_path, struct auth__keys *k)
{
	if (auth__env.ready && !strcmp(db_path, auth__env.cfg.db_path)) {
		*k = auth__env.keys;
		return 0;
	}
	return keys_load(db_path, k);
}

int auth_init(const struct auth_config *cfg)
{
	mu_sodium_init();
	struct auth__keys k;
	int rc = keys_load(cfg->db_path, &k);
	if (rc != 0) {
		mu_error("auth: cannot load the key file of %s: %s", cfg->db_path, mu_err_msg(rc));
		return rc;
	}
	auth__env.cfg = *cfg;
	if (auth__env.cfg.session_hours <= 0)
		auth__env.cfg.session_hours = 12;
	if (auth__env.cfg.throttle_max <= 0)
		auth__env.cfg.throttle_max = 5;
	if (auth__env.cfg.throttle_window_s <= 0)
		auth__env.cfg.throttle_window_s = 900;
	if (auth__env.cfg.anon_per_s <= 0)
		auth__env.cfg.anon_per_s = 50;
	auth__env.keys = k;
	sodium_memzero(&k, sizeof k);
	auth__throttle_reset();
	auth__flood_reset();
	auth__env.ready = true;
	auth__journal_close();
	if (cfg->writer) {
		/* What a server killed before moving it left in the journal goes into audit
		 * before the first request: else its seqs would be handed out again. */
		struct auth__journal_replay r;
		if ((rc = auth__journal_open(cfg->db_path, cfg->writer, &r)) != 0) {
			auth_fini();
			return rc;
		}
		if (r.moved || r.bad)
			mu_warn(
			    "auth: the audit journal held %llu entries not yet in the audit log "
			    "(moved there now) and %llu damaged or torn records (lost)",
			    (unsigned long long)r.moved, (unsigned long long)r.bad);
		atomic_fetch_add(&auth__env.audit_lost, r.bad);
	}
	return 0;
}

void auth_fini(void)
{
	auth__journal_close();
	auth__throttle_reset();
	auth__flood_reset();
	sodium_memzero(&auth__env.keys, sizeof auth__env.keys);
	auth__env.ready = false;
	memset(&auth__env.cfg, 0, sizeof auth__env.cfg);
}

/* ---- tokens ---------------------------------------------------------------------------- */

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

void auth__base32(const unsigned char *in, size_t n, char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

void auth__token_new(char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	mu_sodium_init();
	randombytes_buf(raw, sizeof raw);
	auth__base32(raw, sizeof raw, out);
	sodium_memzero(raw, sizeof raw);
}

bool auth__token_shape(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (i >= AUTH_TOKEN_LEN || !strchr(b32, s[i]))
			return false;
	return i == AUTH_TOKEN_LEN;
}

void auth__token_hash(const struct auth__keys *k, const char *token,
		      unsigned char out[AUTH__HASH_BYTES])
{
	crypto_generichash(out, AUTH__HASH_BYTES, (const unsigned char *)token, strlen(token),
			   k->token, sizeof k->token);
}

void auth_password_generate(char out[21])
{
	unsigned char raw[13]; /* 104 bits, of which the 20 characters keep 100 */
	char text[24];
	mu_sodium_init();
	randombytes_buf(raw, sizeof raw);
	auth__base32(raw, sizeof raw, text);
	memcpy(out, text, 20);
	out[20] = '\0';
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(text, sizeof text);
}

/* ---- the sign-in throttle --------------------------------------------------------------
 * A fixed table, so that a flood of distinct names or addresses cannot grow memory. A
 * key's slot is found by a keyed hash (SipHash, a random key per process), so nobody can
 * aim names at one run of slots; and a slot that is blocking is never given to another
 * key: when a key's run is full of blocking slots, the key is refused until one ends. */

#define THROTTLE_SLOTS 4096
#define THROTTLE_KEY   160
#define PROBES	       16

struct slot {
	char key[THROTTLE_KEY];
	int fails;    /* failures so far */
	double last;  /* the last failure or mark; 0 for a free slot */
	double until; /* blocked before this time */
	double keep;  /* the slot is kept this long after last */
};

static struct slot slots[THROTTLE_SLOTS];
static unsigned char hash_key[crypto_shorthash_KEYBYTES];
static bool hash_keyed;
static pthread_mutex_t throttle_mu = PTHREAD_MUTEX_INITIALIZER;

void auth__throttle_reset(void)
{
	mu_sodium_init();
	pthread_mutex_lock(&throttle_mu);
	memset(slots, 0, sizeof slots);
	crypto_shorthash_keygen(hash_key);
	hash_keyed = true;
	pthread_mutex_unlock(&throttle_mu);
}

/* Under throttle_mu. */
static uint32_t key_hash(const char *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	if (!hash_keyed) {
		mu_sodium_init();
		crypto_shorthash_keygen(hash_key);
		hash_keyed = true;
	}
	crypto_shorthash(h, (const unsigned char *)key, strlen(key), hash_key);
	return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
}

static bool live(const struct slot *s, double now)
{
	return s->last > 0 && (now - s->last < s->keep || now < s->until);
}

static bool blocking(const struct slot *s, double now)
{
	return s->last > 0 && now < s->until;
}

/* The live slot holding key, or NULL; under throttle_mu. */
static struct slot *find(const char *key, double now)
{
	uint32_t h = key_hash(key);
	for (int i = 0; i < PROBES; i++) {
		struct slot *s = &slots[(h + (uint32_t)i) % THROTTLE_SLOTS];
		if (s->last > 0 && !strncmp(s->key, key, THROTTLE_KEY - 1)) {
			if (!live(s, now)) {
				s->last = 0;
				return NULL;
			}
			return s;
		}
	}
	return NULL;
}

/* A slot for a new key: a free or spent one, else the oldest that is not blocking;
 * NULL when every slot of the run is blocking. Under throttle_mu. */
static struct slot *claim(const char *key, double now)
{
	uint32_t h = key_hash(key);
	struct slot *oldest = NULL;
	for (int i = 0; i < PROBES; i++) {
		struct slot *c = &slots[(h + (uint32_t)i) % THROTTLE_SLOTS];
		if (!live(c, now))
			return c;
		if (!blocking(c, now) && (!oldest || c->last < oldest->last))
			oldest = c;
	}
	return oldest;
}

double auth__throttle_wait(const char *key, double now)
{
	pthread_mutex_lock(&throttle_mu);
	struct slot *s = find(key, now);
	double wait = 0;
	if (s)
		wait = s->until > now ? s->until - now : 0;
	else if (!claim(key, now))
		wait = 60; /* nowhere to count this key's failures: refuse it for now */
	pthread_mutex_unlock(&throttle_mu);
	return wait;
}

bool auth__throttle_blocked(const char *key, double now)
{
	return auth__throttle_wait(key, now) > 0;
}

/* The delay after fails failures of a key whose limit is max: none below max, then
 * 2 s doubling with each further failure, at most window_s. */
static double backoff(int fails, int max, int window_s)
{
	if (fails < max)
		return 0;
	int n = fails - max;
	double d = n >= 20 ? window_s : (double)(2 << n);
	return d < window_s ? d : window_s;
}

int auth__throttle_fail(const char *key, int max, int window_s, double now)
{
	int rc = 0;
	pthread_mutex_lock(&throttle_mu);
	struct slot *s = find(key, now);
	if (!s) {
		if (!(s = claim(key, now))) {
			rc = MU_ETOOMANY;
			goto out;
		}
		memset(s, 0, sizeof *s);
		snprintf(s->key, sizeof s->key, "%s", key);
	}
	s->fails++;
	/* 0 marks a free slot, so a clock that starts at 0 still counts. */
	s->last = now > 0 ? now : 1e-9;
	s->keep = window_s;
	double d = backoff(s->fails, max, window_s);
	s->until = d > 0 ? now + d : 0;
out:
	pthread_mutex_unlock(&throttle_mu);
	return rc;
}

void auth__throttle_mark(const char *key, int keep_s, double now)
{
	pthread_mutex_lock(&throttle_mu);
	struct slot *s = find(key, now);
	if (!s && (s = claim(key, now))) {
		memset(s, 0, sizeof *s);
		snprintf(s->key, sizeof s->key, "%s", key);
	}
	if (s) {
		s->last = now > 0 ? now : 1e-9;
		s->keep = keep_s;
	}
	pthread_mutex_unlock(&throttle_mu);
}

bool auth__throttle_marked(const char *key, double now)
{
	pthread_mutex_lock(&throttle_mu);
	bool marked = find(key, now) != NULL;
	pthread_mutex_unlock(&throttle_mu);
	return marked;
}

void auth__throttle_clear(const char *key)
{
	pthread_mutex_lock(&throttle_mu);
	uint32_t h = key_hash(key);
	for (int i = 0; i < PROBES; i++) {
		struct slot *s = &slots[(h + (uint32_t)i) % THROTTLE_SLOTS];
		if (s->last > 0 && !strncmp(s->key, key, THROTTLE_KEY - 1))
			s->last = 0;
	}
	pthread_mutex_unlock(&throttle_mu);
}
