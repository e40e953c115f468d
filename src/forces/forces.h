/* forces: the people a city mobilises (issue 14) — organisations and their members
 * (party branches, temporary branches and groups, shock teams, volunteer teams, sampling
 * squads…), the formation of a compound's temporary branch as 芳村花园 did, deployments
 * and the person-time ledger (人次), service posts with their supplies, and the forces'
 * side of the wartime switch (posts' duties, standing shock teams). Forces read calls
 * (wartime, calls closed by a delivery), control, screening, people and places. */
#ifndef MU_FORCES_H
#define MU_FORCES_H

#include <stdbool.h>
#include <stdint.h>

struct db;
struct mu_why;

/* ---- organisations, formation, deployments, ledger (helper forces) ---- */

/* ---- posts, supplies, wartime (helper posts) ---- */
/* Service posts and their supplies (posts.c, supplies.c) and forces' side of the wartime
 * switch (wartime.c): every street centre and community station is a post with its
 * functions and hours; stock per post and item, received, moved, handed out against a
 * call, with a ledger and low-stock alerts. */

enum forces_item {
	FORCES_MASKS = 0,
	FORCES_TEST_KITS,
	FORCES_FOOD_PACKS,
	FORCES_MEDICINE,
	FORCES_PPE,
	FORCES_NITEMS
};
/* "masks", "test_kits", "food_packs", "medicine", "ppe"; NULL outside the enum. parse:
 * MU_EINVAL for any other name. */
const char *forces_item_name(int item);
int forces_item_parse(const char *s, int *item);

#define FORCES_POST_FUNCTIONS "testing,supplies,dispatch,publicity"
#define FORCES_HOURS_CENTRE   "08:00-22:00"
#define FORCES_HOURS_STATION  "08:30-18:00"
#define FORCES_HOURS_WARTIME  "00:00-24:00"
#define FORCES_QTY_MAX	      100000000 /* one move or stock level, at most */

/* A post with its stock. kind: PLACES_STREET for a street centre, PLACES_COMMUNITY for a
 * community station (the level of its place). */
struct forces_post {
	int64_t id, place_id, district_id, street_id;
	int level;
	char functions[64];
	char hours[16];
	int64_t qty[FORCES_NITEMS], low_mark[FORCES_NITEMS];
};

/* Makes the post of every street and community in the subtree of root (0: the whole
 * tree) that has none yet, at time at: idempotent. *made (may be NULL) counts the new
 * ones. Runs in the caller's transaction when there is one. 0 or a database error. */
int forces_post_sync(struct db *d, int64_t root, int64_t at, int64_t *made);

/* The post at place_id with its stock; MU_ENOTFOUND when the place has none. */
int forces_post_get(struct db *d, int64_t place_id, struct forces_post *out);
/* The post with id; MU_ENOTFOUND when absent. */
int forces_post_by_id(struct db *d, int64_t id, struct forces_post *out);

/* The posts of place: those in its subtree when it is a community or above; below a
 * community, the posts that serve it (its community's station and its street's
 * centre). Calls fn with each (borrowed for the call), street by street, the centre
 * before its stations; fn's non-zero return stops the walk and is returned. */
int forces_post_list(struct db *d, int64_t place_id,
		     int (*fn)(const struct forces_post *p, void *ctx), void *ctx);

/* ---- supplies (supplies.c): every change is one row of the ledger ----------------- */

/* Who and when of a change of stock. */
struct forces_supply_op {
	int64_t at;	 /* unix seconds */
	int64_t user_id; /* 0 on the command line */
};

/* Adds qty (1..FORCES_QTY_MAX) of item to the post's stock; low_mark ≥ 0 sets the
 * post's low mark of the item, < 0 keeps it. *move_id (may be NULL): the ledger row.
 * MU_ENOTFOUND for no post, MU_EINVAL for a bad item or quantity (why says which),
 * MU_ETOOBIG past FORCES_QTY_MAX in stock. */
int forces_supply_receive(struct db *d, int64_t post_id, int item, int64_t qty, int64_t low_mark,
			  const struct forces_supply_op *op, int64_t *move_id, struct mu_why *why);

/* Moves qty of item from one post to another. MU_EEXIST (409) when the first holds
 * less, with *available (may be NULL) its stock and nothing changed; MU_EINVAL for the
 * same post twice or a bad quantity; MU_ENOTFOUND for an unknown post. */
int forces_supply_move(struct db *d, int64_t from_post, int64_t to_post, int item, int64_t qty,
		       const struct forces_supply_op *op, int64_t *available, int64_t *move_id,
		       struct mu_why *why);

/* Hands out qty of item from the post, against call_id (0: none). MU_EEXIST with
 * *available as forces_supply_move. The caller closes the call (calls_close) in the
 * same transaction. */
int forces_supply_handout(struct db *d, int64_t post_id, int item, int64_t qty, int64_t call_id,
			  const struct forces_supply_op *op, int64_t *available, int64_t *move_id,
			  struct mu_why *why);

/* One row of the ledger. from_post/to_post 0 where the stock came from outside or was
 * handed out. */
struct forces_supply_move {
	int64_t id;
	int kind; /* FORCES_MOVE_* */
	int64_t from_post, to_post, from_place, to_place;
	int item;
	int64_t qty, call_id, at, user_id;
};
enum { FORCES_MOVE_RECEIVE = 0, FORCES_MOVE_MOVE, FORCES_MOVE_HANDOUT };
/* "receive", "move", "handout". */
const char *forces_move_kind_name(int kind);

/* A ledger query: the moves touching a post of place (as forces_post_list counts
 * them), item (-1: any), at in [from, to) (0: unbounded), newest first from before id
 * before (0: the newest), at most limit. */
struct forces_ledger_query {
	int64_t place_id;
	int item;
	int64_t from, to, before;
	int limit;
};
/* Calls fn with each row (borrowed); fn's non-zero return stops and is returned. */
int forces_ledger_list(struct db *d, const struct forces_ledger_query *q,
		       int (*fn)(const struct forces_supply_move *m, void *ctx), void *ctx);

/* ---- the wartime switch, forces' side (wartime.c) ---------------------------------- */

/* Whether the post is on wartime duty at `at` (its place in wartime, calls_wartime_of):
 * manned round the clock (FORCES_HOURS_WARTIME). */
int forces_post_wartime(struct db *d, const struct forces_post *p, int64_t at, bool *on);

/* A switch as the API and the CLI ask for it. reason borrowed. */
struct forces_wartime_change {
	int64_t place_id; /* the city or a district */
	bool on;
	int64_t at, user_id; /* user_id 0: the command line */
	const char *reason;
};
/* What the switch did to the standing shock teams (orgs kind shock_team, standing 1,
 * one per street) of the streets under the place. */
struct forces_wartime_teams {
	int64_t switch_id;
	int64_t streets;	    /* streets under the place */
	int64_t created, activated; /* teams made active: new, or existing ones */
	int64_t stood_down;	    /* teams made inactive */
	int64_t active;		    /* teams of those streets active after the switch */
};
/* Records the switch (calls_wartime_set) and, in the same transaction, makes the
 * standing team of each street under the place active exactly while its street is in
 * wartime (a street stays in wartime when the city still is), creating a team the
 * first time its street goes to wartime. The caller audits it. MU_EINVAL / MU_ENOTFOUND
 * as calls_wartime_set, why says which; nothing is kept on failure. */
int forces_wartime_switch(struct db *d, const struct forces_wartime_change *c,
			  struct forces_wartime_teams *out, struct mu_why *why);

/* The forces' figures of a place's wartime board (the calls and orders figures are
 * calls.h's to give). */
struct forces_wartime_board {
	int64_t teams_deployed;	    /* organisations on a shift under the place at now */
	int64_t person_times_today; /* person-times of shifts under it that start today (UTC+8) */
};
int forces_wartime_board(struct db *d, int64_t place_id, int64_t now,
			 struct forces_wartime_board *out);

#endif
