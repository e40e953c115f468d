/* calls: calls for help (有呼必应) and orders down the tree (令行禁止), issue 14 — a call
 * routed to the unit that serves its place with a deadline by category, climbing the
 * escalation ladder (places_ladder) when nobody answers; an order carried to the units
 * below, forwarded, acknowledged and rolled up; and whether a place is in wartime, which
 * shortens both. Calls read control (the group holding a grid), screening, people and
 * places; forces reads calls. */
#ifndef MU_CALLS_H
#define MU_CALLS_H

#include <stdbool.h>
#include <stdint.h>

struct db;
struct mu_why;

/* ---- the wartime switch (wartime.c) ---------------------------------------------------
 * A district or the city switches from normal to wartime (战时机制) and back; every
 * switch is kept. A place is in wartime at a time when the latest switch at or before
 * that time on the place or on any of its ancestors says on. */

#define CALLS_REASON_MAX 500 /* code points of a switch's reason */

/* Whether place_id is in wartime at `at`: *on, and *since (may be NULL) the time of the
 * switch that decides it (0 when none ever did). MU_ENOTFOUND for no such place. */
int calls_wartime_of(struct db *d, int64_t place_id, int64_t at, bool *on, int64_t *since);
/* Records a switch of place_id (the city or a district) at `at` by user_id (0: the
 * command line), *id (may be NULL) its row. MU_EINVAL for another level, an empty or too
 * long reason, or a switch that changes nothing (already so at `at`); MU_ENOTFOUND for no
 * such place; why (may be NULL) says which. */
int calls_wartime_set(struct db *d, int64_t place_id, bool on, int64_t at, const char *reason,
		      int64_t user_id, int64_t *id, struct mu_why *why);

/* One switch as kept. */
struct calls_wartime_switch {
	int64_t id, place_id, at, user_id;
	bool on;
	char reason[CALLS_REASON_MAX * 4 + 1];
};
/* Calls fn with each switch made on place_id itself, newest first; stops when fn returns
 * non-zero and returns that. */
int calls_wartime_history(struct db *d, int64_t place_id,
			  int (*fn)(const struct calls_wartime_switch *s, void *ctx), void *ctx);

/* ---- calls (helper calls) ---- */

/* ---- orders (helper orders) ---- */

#endif
