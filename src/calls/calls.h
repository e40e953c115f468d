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
/* Calls for help (有呼必应, issue 14 §1): calls.c logs, acknowledges, progresses, closes
 * and reads them; deadlines.c keeps call_deadlines; escalate.c climbs the unacknowledged
 * ones up the ladder and answers the summaries. */

#define CALLS_TEXT_MAX	   2000 /* bytes of a call's text, a note or an outcome */
#define CALLS_PHONE_MAX	   20	/* bytes of a caller's phone */
#define CALLS_CATEGORY_MAX 16
#define CALLS_NCATEGORIES  8
#define CALLS_TZ_OFFSET_S  (8 * 3600) /* a "day" is a Guangzhou date (UTC+8) */

/* "medicine", "food", "medical", "dialysis", "pregnancy", "transport", "mental", "other"
 * in this order (static strings); NULL outside 0..CALLS_NCATEGORIES - 1. */
const char *calls_category_name(int i);
/* True when s is a category or a priority ("urgent", "normal"). */
bool calls_category_valid(const char *s);
bool calls_priority_valid(const char *s);

/* The acknowledgement allowance of a call (deadlines.c): the row of call_deadlines for
 * its category, else the '*' row, for its priority and mode. 0 with *seconds set,
 * MU_EINVAL for an unknown category or priority, MU_ENOTFOUND when no row applies. */
int calls_deadline_get(struct db *d, const char *category, const char *priority, bool wartime,
		       int64_t *seconds);
/* Sets (adds or replaces) a row: category is a category or "*"; seconds ≥ 1. 0 or
 * MU_EINVAL (why says which field). */
int calls_deadline_set(struct db *d, const char *category, const char *priority, bool wartime,
		       int64_t seconds, struct mu_why *why);
struct calls_deadline {
	char category[CALLS_CATEGORY_MAX];
	char priority[8];
	bool wartime;
	int64_t seconds;
};
/* Calls fn for every row, category order, urgent first, normal mode first; stops on
 * non-zero and returns it. */
int calls_deadline_list(struct db *d, int (*fn)(const struct calls_deadline *dl, void *ctx),
			void *ctx);

/* A call as stored. phone is opened only when read with keys (else ""). */
struct calls_call {
	int64_t id, place_id, person_id, unit_id, level_id, user_id;
	char category[CALLS_CATEGORY_MAX];
	char priority[8];
	char text[CALLS_TEXT_MAX + 1];
	char phone[CALLS_PHONE_MAX + 1];
	char outcome[CALLS_TEXT_MAX + 1];
	bool wartime, overdue, closed;
	int64_t allowance, first_due, due, created_at, acked_at, closed_at;
};

/* What a new call says: place a household or building; person 0 when none; phone may
 * be "" (not stored). */
struct calls_new {
	int64_t place_id, person_id, user_id;
	const char *category, *priority, *text, *phone;
};

struct people_keys;
/* Logs a call at now: routes it (the place's grid when a three-person group holds it,
 * else its community), takes its allowance from call_deadlines (wartime when
 * calls_wartime_of says so for the place at now), seals the phone with k, records the
 * step 'logged' and counts it in the tallies of every place on its path. out (may be
 * NULL) gets the row. 0; MU_EINVAL (why) for a bad category, priority, text, phone or a
 * place that is no household or building; MU_ENOTFOUND for no such place. */
int calls_call_log(struct db *d, const struct people_keys *k, const struct calls_new *in,
		   int64_t now, struct calls_call *out, struct mu_why *why);
/* Reads a call, its phone opened with k when k is not NULL. MU_ENOTFOUND when absent. */
int calls_call_get(struct db *d, const struct people_keys *k, int64_t id, struct calls_call *out);
/* The holder acknowledges a call at now: it stops climbing and is no longer overdue.
 * MU_ENOTFOUND; MU_EEXIST when already acknowledged or closed. */
int calls_call_ack(struct db *d, int64_t id, int64_t user, int64_t now);
/* A progress note (1..CALLS_TEXT_MAX bytes) on an open call. MU_ENOTFOUND; MU_EEXIST
 * when the call is closed; MU_EINVAL for an empty note. */
int calls_call_progress(struct db *d, int64_t id, int64_t user, const char *note, int64_t now);
/* Closes an open call with its outcome (1..CALLS_TEXT_MAX bytes, required: nothing closes
 * without one), acknowledging it first when it was not. The forces' posts close a call
 * with outcome "delivered" when supplies are handed out against it. 0; MU_EINVAL for no
 * outcome; MU_ENOTFOUND; MU_EEXIST when already closed. */
int calls_close(struct db *d, int64_t id, const char *outcome, int64_t user, int64_t now);

/* A step of a call, in order. */
struct calls_step {
	int64_t id, at, place_id, user_id;
	const char *kind, *note; /* borrowed for the callback */
};
int calls_step_list(struct db *d, int64_t call, int (*fn)(const struct calls_step *s, void *ctx),
		    void *ctx);

enum { CALLS_STATE_OPEN = 0, CALLS_STATE_OVERDUE, CALLS_STATE_CLOSED };
/* "open", "overdue", "closed"; MU_EINVAL for another name. */
int calls_state_parse(const char *s, int *state);
/* Calls fn for the calls whose place lies in the subtree of place (a place at any level)
 * in state (OPEN: every call not closed, overdue ones too), newest first, with ids below
 * before (0: from the newest); stops on non-zero and returns it. Phones are not opened. */
int calls_call_list(struct db *d, int64_t place, int state, int64_t before,
		    int (*fn)(const struct calls_call *c, void *ctx), void *ctx);

/* The escalation sweep (escalate.c), run on the writer every few seconds: every call
 * not acknowledged whose rung's time ran out by now climbs, through places_ladder
 * and the per-rung allowances (each rung above the first holder: the call's own
 * allowance again, up to the district), one 'escalated' step per rung reached, and is
 * marked overdue from its first missed deadline. Idempotent: a second sweep at the same
 * now changes nothing. At most max calls (≤ 0: all), the longest due first, so that a
 * server back after hours away catches up in transactions of bounded length; *more
 * (may be NULL) says whether due calls were left. *climbed (may be NULL) counts the
 * rungs climbed. */
#define CALLS_SWEEP_MAX 500 /* calls a server's sweep climbs in one transaction */
int calls_sweep(struct db *d, int64_t now, int64_t max, int64_t *climbed, bool *more);

/* The figures of a place's calls: open and overdue now (in all and per category),
 * closed on the Guangzhou day of now, and the medians (seconds; -1 when none) of the
 * time to acknowledge and to close of the calls acknowledged / closed that day (the
 * mean of the two middle ones for an even count). */
struct calls_summary {
	int64_t open, overdue, closed_today, median_ack_s, median_close_s;
	int64_t cat_open[CALLS_NCATEGORIES], cat_overdue[CALLS_NCATEGORIES];
};
int calls_summary_get(struct db *d, int64_t place, int64_t now, struct calls_summary *out);

/* ---- orders (helper orders) ---- */

#endif
