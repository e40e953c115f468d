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

#include "people/people.h"
#include "places/places.h"

struct db;
struct mu_why;

/* ---- organisations, formation, deployments, ledger (helper forces) ---- */
/* orgs.c, form.c, deploy.c, ledger.c; tables orgs, org_members, deployments,
 * deployment_people (0017). */

enum forces_kind {
	FORCES_PARTY_COMMITTEE = 0,
	FORCES_PARTY_BRANCH,
	FORCES_TEMPORARY_BRANCH,
	FORCES_TEMPORARY_GROUP,
	FORCES_SHOCK_TEAM,
	FORCES_VOLUNTEER_TEAM,
	FORCES_SAMPLING_SQUAD,
	FORCES_HOSPITAL,
	FORCES_POLICE_STATION,
	FORCES_AGENCY,
	FORCES_ENTERPRISE,
	FORCES_OTHER,
	FORCES_NKINDS
};
/* "party_committee" … "other"; NULL outside the enum. parse: MU_EINVAL for other text. */
const char *forces_kind_name(int kind);
int forces_kind_parse(const char *s, int *kind);

enum forces_duty {
	FORCES_DUTY_SAMPLING = 0,
	FORCES_DUTY_PATROL,
	FORCES_DUTY_DELIVERY,
	FORCES_DUTY_CHECKPOINT,
	FORCES_DUTY_TRANSFER,
	FORCES_DUTY_OTHER,
	FORCES_NDUTIES
};
const char *forces_duty_name(int duty);
int forces_duty_parse(const char *s, int *duty);

#define FORCES_ROLE_MAX 32 /* bytes of a member's role */

struct forces_org {
	int64_t id;
	int kind;
	char name[PLACES_NAME_MAX * 4 + 1];
	int64_t place_id, parent_id; /* parent_id 0: none */
	int64_t created_at;
	bool standing, active;
	int64_t members; /* rows of org_members */
};

/* Adds o (kind, name, place_id, parent_id, standing, created_at) as an active
 * organisation and sets o->id. MU_EINVAL with why for a bad name or kind, MU_ENOTFOUND
 * (why field "place" or "parent") for an unknown place or parent organisation. */
int forces_org_add(struct db *d, struct forces_org *o, struct mu_why *why);
/* Reads one organisation. MU_ENOTFOUND when absent. */
int forces_org_get(struct db *d, int64_t id, struct forces_org *out);
/* The organisation of kind named name (the oldest, when several), MU_ENOTFOUND if none. */
int forces_org_find(struct db *d, int kind, const char *name, struct forces_org *out);
/* Calls fn for the organisations placed in the subtree of place (kind < 0: any kind) with
 * an id above after, in id order, at most limit of them; *next is the last id given when
 * more may follow, else 0. Stops when fn returns non-zero and returns that. */
int forces_org_list(struct db *d, int64_t place, int kind, int64_t after, int limit,
		    int (*fn)(const struct forces_org *o, void *ctx), void *ctx, int64_t *next);

struct forces_member {
	int64_t id, org_id;
	int64_t person_id, user_id; /* 0: none (a hospital's staff place: from_org set) */
	int64_t from_org;	    /* 0: none */
	char role[FORCES_ROLE_MAX + 1];
	bool party, medic, police;
	int64_t added_at;
	char username[65]; /* a user member's login name (AUTH_NAME_MAX), "" for others */
};

/* Adds m to its organisation and sets m->id. MU_EEXIST when the person or user is
 * already a member of it; MU_ENOTFOUND (why: "org") for no such organisation; MU_EINVAL
 * (why: "role") for an empty or too long role. */
int forces_member_add(struct db *d, struct forces_member *m, struct mu_why *why);
/* Calls fn for the members of org with an id above after, in id order, at most limit
 * (≤ 0: all); *next as forces_org_list (may be NULL). */
int forces_member_list(struct db *d, int64_t org, int64_t after, int limit,
		       int (*fn)(const struct forces_member *m, void *ctx), void *ctx,
		       int64_t *next);

/* ---- forming a compound (form.c): what 芳村花园 did ----------------------------------- */

/* Volunteers a formation asks of a compound: 66 per 8,000 residents (芳村花园's 66-person
 * team for its 8,000), rounded, at least one for a compound with residents. */
int64_t forces_volunteers_for(int64_t residents);

struct forces_form_report {
	int64_t branch; /* the temporary branch's org id */
	int64_t volunteer_team;
	int64_t groups;	    /* temporary groups: buildings with party members */
	int64_t members;    /* party members placed in the groups */
	int64_t volunteers; /* members of the volunteer team */
	int64_t buildings, residents;
};

/* Forms compound (a place at level compound): one temporary branch placed at the
 * compound, one temporary group per building with party members living in it (each
 * such member with role "member" and the party flag), and a volunteer team of
 * forces_volunteers_for(residents) adults aged 18 to 60 on now's Guangzhou date who are
 * not party members, chosen evenly spread over the compound's residents in the walk
 * order (building by building, household by household). MU_EEXIST (why "place") when
 * the compound was formed before; MU_EINVAL (why "place") when it is not a compound;
 * MU_ENOTFOUND when no place has that id. Runs in the caller's transaction. */
int forces_form(struct db *d, const struct people_keys *k, int64_t compound, int64_t now,
		struct forces_form_report *out, struct mu_why *why);

/* ---- deployments (deploy.c) ------------------------------------------------------------ */

#define FORCES_DEPLOY_MAX 10000 /* people on one shift at most */

struct forces_deployment {
	int64_t id;
	int64_t org_id; /* 0: people sent alone */
	int64_t place_id;
	int64_t from_at, to_at, created_at;
	int duty;
	int64_t user_id; /* who sent them, 0 for the command line */
	int64_t people;	 /* on the shift */
	int64_t present; /* checked in and not out (lists only) */
};

/* The Guangzhou date (UTC+8) of unix time t, as days since 1970-01-01. */
int64_t forces_day_of(int64_t t);

/* Sends a shift: of org (dp->org_id) its members listed in members (n_members of them;
 * 0 with an org: all its members), or the residents in persons (n_persons; org 0).
 * Sets dp->id and dp->people. MU_EINVAL (why: "from", "to", "people", "members") for an
 * empty or reversed shift, nobody to send, a member of another org, a person twice or
 * more than FORCES_DEPLOY_MAX; MU_ENOTFOUND (why: "org", "place", "people") for what
 * does not exist. */
int forces_deploy(struct db *d, struct forces_deployment *dp, const int64_t *members,
		  size_t n_members, const int64_t *persons, size_t n_persons, struct mu_why *why);
int forces_deployment_get(struct db *d, int64_t id, struct forces_deployment *out);
/* Checks in (out false) or out the deployment's person row (0: everyone on it) at at.
 * Check-in of someone in already, or out of someone out already, changes nothing;
 * a check-out first checks in who never did (at the shift's start). *changed counts the
 * rows changed. MU_ENOTFOUND (why "member") for a row of another deployment. */
int forces_checkin(struct db *d, int64_t deployment, int64_t row, bool out, int64_t at,
		   int64_t *changed);
/* Calls fn for the deployments placed in the subtree of place, newest first (id below
 * before, 0: from the newest), at most limit; active: only those whose shift holds now.
 * *next as forces_org_list. */
int forces_deployment_list(struct db *d, int64_t place, bool active, int64_t now, int64_t before,
			   int limit, int (*fn)(const struct forces_deployment *dp, void *ctx),
			   void *ctx, int64_t *next);

/* One person on a shift, as a deployment's list gives it. */
struct forces_on_shift {
	int64_t id; /* deployment_people row */
	int64_t member_id, person_id, user_id, from_org;
	char role[FORCES_ROLE_MAX + 1];
	int64_t checkin_at, checkout_at; /* 0: not yet */
};
int forces_shift_people(struct db *d, int64_t deployment, int64_t after, int limit,
			int (*fn)(const struct forces_on_shift *p, void *ctx), void *ctx,
			int64_t *next);

/* Splits total into n shares as equal as can be, the first total % n one larger (the
 * 483-person squad over 7 hospitals: 69 each; over 2 streets: 242 and 241). */
void forces_split(int64_t total, size_t n, int64_t *shares);

#define FORCES_SQUAD_MAX 64 /* hospitals or target places of one squad */

struct forces_squad {
	const char *name;
	int64_t place_id; /* where the squad is placed (an ancestor of its targets) */
	const int64_t *hospitals;
	size_t n_hospitals;
	int64_t size;
	const int64_t *targets;
	size_t n_targets;
	int64_t from_at, to_at, now;
	int duty;
	/* out */
	int64_t org_id;
	int64_t per_hospital[FORCES_SQUAD_MAX];
	int64_t deployments[FORCES_SQUAD_MAX], per_target[FORCES_SQUAD_MAX];
};

/* Raises a squad: an organisation of kind sampling_squad (name, place) with size
 * members, forces_split over the hospitals (each member a staff place of their
 * hospital: role medic, the medic flag, from_org), and sends it, split again over the
 * targets, on one shift each. MU_EINVAL (why) for no hospital or target, more than
 * FORCES_SQUAD_MAX, a size below the targets' count or above FORCES_DEPLOY_MAX × targets,
 * an organisation that is not a hospital; errors of forces_org_add and forces_deploy. */
int forces_squad_raise(struct db *d, struct forces_squad *s, struct mu_why *why);

/* ---- the ledger (ledger.c) --------------------------------------------------------------- */

struct forces_ledger_row {
	int64_t day; /* Guangzhou date, days since 1970-01-01 */
	int64_t org_id, place_id;
	int64_t person_times;
};

/* The person-times (one per person per shift, on the Guangzhou date of the shift's
 * start) of the shifts placed in the subtree of place (the city for every shift), of
 * org when org is not 0, with a day from from_day to to_day inclusive: fn per (day, org,
 * place) in that order, and their sum in *total. */
int forces_ledger(struct db *d, int64_t place, int64_t org, int64_t from_day, int64_t to_day,
		  int (*fn)(const struct forces_ledger_row *row, void *ctx), void *ctx,
		  int64_t *total);

enum forces_ledger_by { FORCES_BY_ORG = 0, FORCES_BY_STREET = 1 };
/* The same person-times summed over the whole range per organisation (row.org_id; 0:
 * people sent alone) or per street (row.place_id: the street the shift's place lies in,
 * 0 for a place above the streets), row.day 0: fn per group in id order, and the sum in
 * *total. One range scan of one index either way. MU_EINVAL for a place below a
 * community (use forces_ledger there) or another by. */
int forces_ledger_by(struct db *d, int64_t place, int by, int64_t from_day, int64_t to_day,
		     int (*fn)(const struct forces_ledger_row *row, void *ctx), void *ctx,
		     int64_t *total);

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

/* The figures of a place's wartime board: its calls open and overdue now
 * (calls_summary_get), the targets of orders at or under it not yet acknowledged
 * (calls_order_unacknowledged), and the forces' own. */
struct forces_wartime_board {
	int64_t calls_open;	       /* calls under the place not closed, overdue ones too */
	int64_t calls_overdue;	       /* of those, past their deadline unacknowledged */
	int64_t orders_unacknowledged; /* order targets at or under the place still pending */
	int64_t teams_deployed;	       /* organisations on a shift under the place at now */
	int64_t person_times_today; /* person-times of shifts under it that start today (UTC+8) */
};
int forces_wartime_board(struct db *d, int64_t place_id, int64_t now,
			 struct forces_wartime_board *out);

#endif
