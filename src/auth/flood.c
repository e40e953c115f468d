/* flood.c: what a request without an identity may cost. Anonymous refusals are
 * rate-limited per address (429 past the limit) and audited as one summary entry per
 * minute, address, route and status instead of one durable row each. Both tables are
 * bounded and indexed by a keyed hash, so crafted addresses can neither aim at one
 * slot nor flush an address that is being limited. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth_int.h"
#include "core/core.h"

#define RATE_SLOTS 4096
#define AGG_SLOTS  512
#define PROBES	   8

static pthread_mutex_t flood_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char hkey[crypto_shorthash_KEYBYTES];
static bool hkey_set;

/* The keyed hash of s; under flood_mu. */
static uint64_t keyed(const char *s, size_t n)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;
	if (!hkey_set) {
		mu_sodium_init();
		randombytes_buf(hkey, sizeof hkey);
		hkey_set = true;
	}
	crypto_shorthash(out, (const unsigned char *)s, n, hkey);
	memcpy(&h, out, sizeof h);
	return h;
}

/* ---- the rate --------------------------------------------------------------------------- */

struct rate_slot {
	char addr[64];
	int64_t sec;
	uint32_t n;
};
static struct rate_slot rate[RATE_SLOTS];

bool auth__anon_limited(const char *addr, int per_s, int64_t sec)
{
	bool limited;
	pthread_mutex_lock(&flood_mu);
	uint64_t h = keyed(addr, strlen(addr));
	struct rate_slot *hit = NULL, *free_slot = NULL;
	for (int i = 0; i < PROBES && !hit; i++) {
		struct rate_slot *s = &rate[(h + (uint64_t)i) % RATE_SLOTS];
		if (!strcmp(s->addr, addr))
			hit = s;
		else if (!free_slot && s->sec != sec)
			free_slot = s; /* empty, or an address seen in an earlier second only */
	}
	if (!hit && free_slot) {
		hit = free_slot;
		snprintf(hit->addr, sizeof hit->addr, "%s", addr);
		hit->sec = sec;
		hit->n = 0;
	}
	if (!hit) {
		/* Every slot of this address's probe run holds an address seen this second:
		 * only a flood from many addresses gets here, and its requests are refusals
		 * anyway. An entry counting this second is never evicted. */
		limited = true;
	} else {
		if (hit->sec != sec)
			hit->sec = sec, hit->n = 0;
		if (hit->n < UINT32_MAX)
			hit->n++;
		limited = hit->n > (uint32_t)per_s;
	}
	pthread_mutex_unlock(&flood_mu);
	return limited;
}

/* ---- the summaries ------------------------------------------------------------------------ */

/* AGG_SLOTS slots by keyed hash plus one last slot for whatever finds no room. */
static struct auth__anon_sum agg[AGG_SLOTS + 1];
static int64_t agg_minute = -1;
static size_t agg_used;

/* Moves the table's sums to a new array (*out, the caller frees); under flood_mu. */
static size_t take(struct auth__anon_sum **out)
{
	*out = NULL;
	if (!agg_used)
		return 0;
	struct auth__anon_sum *a = mu_xcalloc(agg_used, sizeof *a);
	size_t n = 0;
	for (size_t i = 0; i <= AGG_SLOTS; i++)
		if (agg[i].n) {
			a[n] = agg[i];
			a[n++].minute = agg_minute;
		}
	MU_ASSERT(n == agg_used);
	memset(agg, 0, sizeof agg);
	agg_used = 0;
	*out = a;
	return n;
}

static bool same(const struct auth__anon_sum *s, const char *addr, const char *action, int status)
{
	return s->status == status && !strcmp(s->addr, addr) && !strcmp(s->action, action);
}

size_t auth__anon_count(const char *addr, const char *action, int status, int64_t now_s,
			struct auth__anon_sum **out)
{
	size_t n = 0;
	*out = NULL;
	pthread_mutex_lock(&flood_mu);
	int64_t minute = now_s / 60;
	if (minute != agg_minute) {
		n = take(out);
		agg_minute = minute;
	}
	char key[sizeof agg[0].addr + sizeof agg[0].action + 16];
	int kn = snprintf(key, sizeof key, "%s\n%s\n%d", addr, action, status);
	uint64_t h = keyed(key, (size_t)kn < sizeof key ? (size_t)kn : sizeof key - 1);
	struct auth__anon_sum *hit = NULL;
	for (int i = 0; i < PROBES && !hit; i++) {
		struct auth__anon_sum *s = &agg[(h + (uint64_t)i) % AGG_SLOTS];
		if (!s->n || same(s, addr, action, status))
			hit = s;
	}
	if (!hit) {
		/* The overflow: every (address, route, status) without a slot of its own. */
		hit = &agg[AGG_SLOTS];
		addr = "*";
		if (hit->n && !same(hit, addr, action, status))
			snprintf(hit->action, sizeof hit->action, "denied (various routes)");
	}
	if (!hit->n) {
		snprintf(hit->addr, sizeof hit->addr, "%s", addr);
		snprintf(hit->action, sizeof hit->action, "%s", action);
		hit->status = status;
		agg_used++;
	}
	hit->n++;
	pthread_mutex_unlock(&flood_mu);
	return n;
}

size_t auth__anon_take(struct auth__anon_sum **out)
{
	pthread_mutex_lock(&flood_mu);
	size_t n = take(out);
	pthread_mutex_unlock(&flood_mu);
	return n;
}

void auth__flood_reset(void)
{
	pthread_mutex_lock(&flood_mu);
	memset(rate, 0, sizeof rate);
	memset(agg, 0, sizeof agg);
	agg_used = 0;
	agg_minute = -1;
	pthread_mutex_unlock(&flood_mu);
}
