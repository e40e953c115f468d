/* calls: calls for help (有呼必应) and orders down the tree (令行禁止), issue 14 — a call
 * routed to the unit that serves its place with a deadline by category, climbing the
 * escalation ladder (places_ladder) when nobody answers; an order carried to the units
 * below, forwarded, acknowledged and rolled up; and whether a place is in wartime, which
 * shortens both. Calls read control (the group holding a grid), screening, people and
 * places; forces reads calls. */
#ifndef MU_CALLS_H
#define MU_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

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
 * calls_wartime_of says so for the place at now), seals the phone with k and counts it
 * in the tallies of the places on its path (its step 'logged' is the row itself: see
 * calls_step_list). out (may be
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

/* A step of a call, in order. The first, 'logged' (at the call's creation, place its
 * first unit, by its logger; id 0), is read from the call's row: call_steps holds the
 * steps after it. MU_ENOTFOUND for no such call. */
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
/* The figures of places[0..n), all at level (below the grid) under grid, into
 * out[0..n), from one scan of the grid's calls: a compound, building or household has no
 * tallies of its own. A call logged at a building counts for no household. */
int calls_summary_below(struct db *d, int64_t grid, int level, const int64_t *places, size_t n,
			int64_t now, struct calls_summary *out);

/* ---- orders (helper orders) ---- */
/* Orders down the place tree (令行禁止, orders.c): a unit issues an order to places
 * strictly below it; each target acknowledges, reports done or blocked with a note, and
 * may forward the order to places below itself. A target with forwarded targets is done
 * only when every one of them is: its own "done" before then is kept as reported and
 * it becomes done, by cascade, when the last of them is. Every function takes the time
 * it acts at (now): the tests' fake clock. */

enum calls_order_state {
	CALLS_ORDER_PENDING = 0,
	CALLS_ORDER_ACKNOWLEDGED,
	CALLS_ORDER_DONE,
	CALLS_ORDER_BLOCKED,
};
/* "pending", "acknowledged", "done", "blocked"; NULL outside the enum. */
const char *calls_order_state_name(int state);

/* What a target reports (calls_order_act). */
enum calls_order_act { CALLS_ACT_ACK = 1, CALLS_ACT_DONE, CALLS_ACT_BLOCKED };
/* "ack", "done", "blocked" → CALLS_ACT_*; MU_EINVAL else. */
int calls_order_act_parse(const char *s, int *act);

#define CALLS_ORDER_TITLE_MAX	200	    /* code points */
#define CALLS_ORDER_TEXT_MAX	4000	    /* code points */
#define CALLS_ORDER_NOTE_MAX	1000	    /* code points */
#define CALLS_ORDER_TARGETS_MAX 10000	    /* targets one issue or forward names */
#define CALLS_ORDER_DUE_NORMAL	(24 * 3600) /* a missing due: 24 h after issue ... */
#define CALLS_ORDER_DUE_WARTIME (6 * 3600)  /* ... or 6 h when the issuer is in wartime */
#define CALLS_PATH_MAX		200	    /* bytes of a place path "/1/5/77/" with its NUL */

/* The path string of place id, "/ID/ID/…/" from the city down (what order rows keep to
 * test "within a subtree" as a prefix). 0, MU_ENOTFOUND or a database error. */
int calls_place_path(struct db *d, int64_t id, char out[CALLS_PATH_MAX]);
/* True when path lies within (or is) the place whose path is within. */
bool calls_path_within(const char *path, const char *within);

struct calls_order {
	int64_t id;
	char title[CALLS_ORDER_TITLE_MAX * 4 + 1];
	char text[CALLS_ORDER_TEXT_MAX * 4 + 1];
	int64_t issuer_place, issuer_user; /* issuer_user 0 on the command line */
	char issuer_path[CALLS_PATH_MAX];
	char issuer_name[65]; /* the issuing user's name, "cli:…" on the command line */
	int64_t issued_at, due;
	bool wartime; /* the issuer's place was in wartime when it was issued */
};

/* A new order. due 0: issued_at + CALLS_ORDER_DUE_NORMAL, or CALLS_ORDER_DUE_WARTIME
 * when calls_wartime_of says the issuer's place is in wartime at issued_at (the only
 * thing wartime changes about an order). targets: place ids, each strictly below the
 * issuer's place. */
struct calls_order_new {
	const char *title, *text;
	int64_t issuer_place, issuer_user;
	const char *issuer_name;
	int64_t issued_at, due;
	const int64_t *targets;
	size_t n;
};
/* Issues in (one 'issue' step) and sets *id and *due. MU_EINVAL for a bad title, text,
 * due (not after issued_at), no target, too many, a place named twice or the issuer's
 * own place; MU_EFORBIDDEN for a target outside the issuer's subtree; MU_ENOTFOUND for
 * an unknown place. why (may be NULL) names the field. Runs in the caller's
 * transaction. */
int calls_order_issue(struct db *d, const struct calls_order_new *in, int64_t *id, int64_t *due,
		      struct mu_why *why);

/* The places at level in the subtree of under (under itself when at that level), for
 * an issue or forward by {"level","under"}: *ids (the caller frees) and *n. MU_ETOOBIG
 * past CALLS_ORDER_TARGETS_MAX; MU_EINVAL when level is not street, community or grid. */
int calls_order_places_under(struct db *d, int64_t under, int level, int64_t **ids, size_t *n);

/* Reads an order. MU_ENOTFOUND when absent. */
int calls_order_get(struct db *d, int64_t id, struct calls_order *out);

/* One target of an order, as read (a view's row). */
struct calls_order_target {
	int64_t id, place_id, parent_id; /* parent_id: the target that forwarded it, or 0 */
	int level, state;
	int64_t due, acked_at, done_at, blocked_at, reported_at; /* 0 when not set */
	const char *path, *note;				 /* the view's; note NULL: none */
	/* Computed by the view: overdue (not done and past due at now), the index of the
	 * parent in the view (SIZE_MAX for the issuer's own targets), the blocked targets
	 * anywhere below, the forwarded targets' first index and the next sibling's. */
	bool overdue;
	size_t parent, first_child, next_sibling;
	int64_t blocked_below;
};
#define CALLS_NONE ((size_t)-1)

/* An order with every target, in id order (a forwarded target after the one that
 * forwarded it), and the figures computed at now. _new reads; _free accepts NULL. */
struct calls_order_view {
	struct calls_order o;
	struct calls_order_target *t;
	size_t n, cap;
	size_t first_root; /* the issuer's first target; siblings by next_sibling */
	struct mu_arena arena;
};
int calls_order_view_new(struct db *d, int64_t id, int64_t now, struct calls_order_view **out);
void calls_order_view_free(struct calls_order_view *v);
/* The index of the target at place_id; CALLS_NONE when the order has none there. */
size_t calls_order_view_find(const struct calls_order_view *v, int64_t place_id);
/* Whether target i shows to a viewer at the place whose path is within (NULL: every
 * target): all when the issuer lies within it, else the targets within it. */
bool calls_order_view_shows(const struct calls_order_view *v, size_t i, const char *within);

/* The roll-up of the targets shown to within, per level of the tree: out[level] for
 * level 0..PLACES_NLEVELS-1 (total 0 at levels without targets), and *all over them. */
struct calls_order_rollup {
	int64_t acknowledged; /* past pending: acknowledged, done or blocked */
	int64_t done, blocked, overdue, total;
};
#define CALLS_LEVELS 8 /* = PLACES_NLEVELS */
void calls_order_rollup(const struct calls_order_view *v, const char *within,
			struct calls_order_rollup out[CALLS_LEVELS],
			struct calls_order_rollup *all);

/* What a target at place_id reports: ack (pending → acknowledged; again: nothing),
 * done (with forwarded targets not all done: kept as reported, state acknowledged;
 * else done, which may make the targets above done in turn when they reported; again:
 * nothing), blocked (with note; MU_EEXIST once done). A done or blocked report
 * acknowledges a pending target too. Each change is a step. *state: the target's state
 * after. MU_ENOTFOUND when the order has no target at place_id; MU_EINVAL for a bad
 * note. */
int calls_order_act(struct db *d, int64_t order_id, int64_t place_id, int act, const char *note,
		    int64_t user_id, int64_t now, int *state, struct mu_why *why);

/* The target at place_id forwards the order to places[0..n), each strictly below it and
 * not yet a target of the order, due at due (0: the target's own; never later). The
 * forwarding target is acknowledged if it was pending. MU_ENOTFOUND (no such target),
 * MU_EEXIST (already done, or a place already a target), MU_EINVAL (a place not below
 * it, none, too many, due later than its own). */
int calls_order_forward(struct db *d, int64_t order_id, int64_t place_id, const int64_t *places,
			size_t n, int64_t due, int64_t user_id, int64_t now, struct mu_why *why);

/* The orders issued within, or with a target within, the place whose path is within,
 * newest first, ids below before (0: from the newest), at most limit of them (read
 * before fn is called: fn may read on d); fn's non-zero return stops the walk and is
 * returned. */
int calls_order_list(struct db *d, const char *within, int64_t before, size_t limit,
		     int (*fn)(int64_t id, void *ctx), void *ctx);

/* A target past due and not done, with the place above it that waits for it (the
 * issuer's, or the target that forwarded it). */
struct calls_overdue {
	int64_t target_id, order_id, place_id, above_place, due;
	int level, state;
};
/* The overdue targets strictly below the place whose path is within, at now, by target
 * id from after (exclusive), at most limit of them (read before fn is called); fn's
 * non-zero return stops and is returned. */
int calls_order_overdue(struct db *d, const char *within, int64_t now, int64_t after, size_t limit,
			int (*fn)(const struct calls_overdue *o, void *ctx), void *ctx);

/* The targets of orders at within or below it (the place whose path is within) that
 * are still pending — not acknowledged, forwarded nor reported — into *n: the wartime
 * board's "orders not acknowledged". */
int calls_order_unacknowledged(struct db *d, const char *within, int64_t *n);

#endif
