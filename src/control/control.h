/* control: grid control (issue 13) — what a city does with the positives screening finds:
 * cases, close and secondary contacts and their chains, one file and one plan per key
 * person (一人一档、一人一方案), three-person groups and their day's tasks, risk zones and
 * the health code. Control reads screening (and people, places); calls/ and forces/
 * read control; nothing below includes it. Its say in screening's writes goes through
 * screening's hooks (screening.h), set by control's api init. */
#ifndef MU_CONTROL_H
#define MU_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "places/places.h"

struct db;
struct mu_why;

/* ---- key persons' statuses (status.c) -------------------------------------------------
 * A key person is a person with a status in force: a case, a close or secondary
 * contact, a resident of a sealed zone, a pool-positive awaiting the re-swab. */
enum control_key {
	CONTROL_KEY_CASE = 0,
	CONTROL_KEY_CLOSE,
	CONTROL_KEY_SECONDARY,
	CONTROL_KEY_SEALED,
	CONTROL_KEY_POOL_POSITIVE,
	CONTROL_NKEYS
};
/* "case", "close", "secondary", "sealed", "pool_positive"; NULL out of range. */
const char *control_key_name(int kind);
/* MU_EINVAL for an unknown name. */
int control_key_parse(const char *s, int *kind);

/* ---- three-person groups (groups.c) --------------------------------------------------- */

/* The three-person group (a medic, a cadre, a police officer) holding grid_id in
 * *group_id. MU_ENOTFOUND when no group holds it (calls/ then routes to the community). */
int control_group_of_grid(struct db *d, int64_t grid_id, int64_t *group_id);

/* ---- cases (helper cases) ---- */

/* ---- plans, files, check-ins, health code (helper plans) ---- */

/* ---- groups and tasks (helper tasks) ---- */

/* A three-person group's day (tasks.c): the tasks are derived from other tables —
 * screening's pending recalls and the roll-call of a running round, the plan tests due,
 * the check-ins missing and the fevers reported — and only what the group did with them
 * (task_marks) and how far a missed one climbed (task_steps) are stored. Groups
 * (groups.c) and the staffing need per place (needs.c) sit beside them. */

enum control_task_kind {
	CONTROL_TASK_RECALL = 0, /* a pending recall: bring the person to the re-swab */
	CONTROL_TASK_PLAN_TEST,	 /* a plan test due that day or overdue, not taken */
	CONTROL_TASK_CHECKIN,	 /* a person in a running plan without a check-in that day */
	CONTROL_TASK_FEVER,	 /* a check-in that day with fever: the medic's visit */
	CONTROL_TASK_ROLLCALL,	 /* a person of the grid still unsampled in a running round */
	CONTROL_TASK_NKINDS
};
enum control_task_state { CONTROL_TASK_OPEN = 0, CONTROL_TASK_DONE, CONTROL_TASK_MISSED };

/* "recall", "plan_test", "checkin", "fever", "rollcall"; "open", "done", "missed".
 * Static strings, NULL out of range. */
const char *control_task_kind_name(int kind);
const char *control_task_state_name(int state);

/* The deadline table (docs/architecture.md, "How a group's day flows"): a task is due
 * at a fixed hour of its Guangzhou day (hour ≥ 0), or a number of seconds after the
 * event that raised it (after_s > 0, hour −1). A recall raised after its day's hour is
 * due at the next day's. */
struct control_task_deadline {
	int kind;
	int hour;    /* local hour of the day, or −1 */
	int after_s; /* seconds after the event, when hour is −1 */
};
extern const struct control_task_deadline control_task_deadlines[CONTROL_TASK_NKINDS];

/* The escalation ladder of a task (places_ladder): the group's grid holds it until its
 * due time; a task still open then is missed and climbs to the community, which holds it
 * for CONTROL_TASK_COMMUNITY_S, then to the street, which holds it for good. */
#define CONTROL_TASK_COMMUNITY_S (2 * 3600)

#define CONTROL_TASK_ID_MAX   64  /* bytes of a task id */
#define CONTROL_TASK_NOTE_MAX 500 /* code points of a note or a result */

struct control_task {
	char id[CONTROL_TASK_ID_MAX];
	int kind, state;
	int64_t person_id, household_id, building_id, compound_id, grid_id;
	int64_t source_id; /* the recall's round, the plan test, the check-in; else 0 */
	int64_t day;	   /* days since 1970 (Guangzhou) the task belongs to */
	int64_t due;	   /* unix seconds */
	/* Who holds the task by now on the ladder (PLACES_GRID until it is missed, then
	 * PLACES_COMMUNITY, then PLACES_STREET), that place, and since when. */
	int level;
	int64_t level_place, level_at;
	char compound[PLACES_CODE_MAX + 1];
	char household_name[PLACES_NAME_MAX * 4 + 1], building_name[PLACES_NAME_MAX * 4 + 1];
};

/* A growable list of tasks; _init/_fini: storage the caller provides. */
struct control_task_list {
	struct control_task *v;
	size_t n, cap;
};
void control_task_list_init(struct control_task_list *l);
void control_task_list_fini(struct control_task_list *l);

/* The Guangzhou day (days since 1970) of unix time t, and the unix time a day starts. */
int64_t control_day_of(int64_t t);
int64_t control_day_start(int64_t day);

/* Appends to out every task of grid_id for day as of now, in the order a group walks
 * its grid: compound (code order), building by name, household by name (natural order,
 * screening_name_cmp), person id, kind. Day-bound kinds (check-in, fever, roll-call)
 * are those of day; pending recalls raised on day or before it, and plan tests due on
 * day or before it and not taken, are listed too (a recall raised after its day's
 * deadline hour is due at the next day's). Each task's state is its mark (done
 * before missed), else missed once now is past its due time, else open; level says who
 * holds it by now on the ladder. MU_ENOTFOUND when grid_id is no place, MU_EINVAL when it is not a
 * grid, or a database error (out keeps what was appended). */
int control_tasks_of_grid(struct db *d, int64_t grid_id, int64_t day, int64_t now,
			  struct control_task_list *out);

/* The key persons in force by household ((household, person) pairs in that order): for
 * deriving many grids at once without asking each resident (the sweep, the bench). _load
 * fills storage the caller provides (_fini frees it, also after a failed load). */
struct control_key_person {
	int64_t household_id, person_id;
};
struct control_keyset {
	struct control_key_person *v;
	size_t n;
};
int control_keyset_load(struct db *d, struct control_keyset *k);
void control_keyset_fini(struct control_keyset *k);
/* control_tasks_of_grid with the key persons taken from keys (loaded on d's snapshot). */
int control_tasks_of_grid_keyed(struct db *d, const struct control_keyset *keys, int64_t grid_id,
				int64_t day, int64_t now, struct control_task_list *out);

/* The missed tasks under place_id (a community or a street) whose climb reached it by
 * now: those of its grids for now's day and the day before, ordered as tasks are.
 * MU_EINVAL when place_id is not a community or a street. */
int control_tasks_overdue(struct db *d, int64_t place_id, int64_t now,
			  struct control_task_list *out);

/* The task id text parsed: its kind, person (for recall, check-in and roll-call the id
 * names it; for plan tests and fevers it is read from their row) and day (the id's own
 * for check-in and roll-call, else −1). MU_EINVAL for malformed text, MU_ENOTFOUND when
 * the row it names does not exist. */
int control_task_parse(struct db *d, const char *id, int *kind, int64_t *person, int64_t *day);

/* The task id as its grid has it now (derived for its day, or today when the id names
 * none) in *out. MU_EINVAL for a malformed id, MU_ENOTFOUND when its grid has no such
 * task (why says so, on field "id"). Reads only: a request checks on its reader. */
int control_task_find(struct db *d, const char *id, int64_t now, struct control_task *out,
		      struct mu_why *why);
/* Marks t (as control_task_find gave it) done by user_id at now with result and note
 * (either may be NULL; ≤ CONTROL_TASK_NOTE_MAX code points each, no control characters
 * but newlines: MU_EINVAL with why on "result" or "note"). MU_EEXIST when it is marked
 * done already (nothing written). Runs in the caller's transaction; no derivation. */
int control_task_mark_done(struct db *d, const struct control_task *t, const char *result,
			   const char *note, int64_t user_id, int64_t now, struct mu_why *why);
/* Both in one: find, then mark (MU_EEXIST too when the task is done already). */
int control_task_done(struct db *d, const char *id, const char *result, const char *note,
		      int64_t user_id, int64_t now, struct mu_why *why);

/* The sweep: for every grid a group holds, the tasks of now's day and the day before
 * that are open past their due time are marked missed and each ladder rung they reached
 * by now is recorded in task_steps, once. Idempotent. *steps (may be NULL) counts the
 * rungs recorded by this call. In two halves, so that the derivation (a whole city's
 * grids) runs on a reader and only the inserts on the writer: collect appends the
 * missed tasks to missed (reads only); record writes their marks and climbs. sweep is
 * both on one connection. swept_at is when the last sweep that completed began (0:
 * none): a day's roll-call — the costly kind, whose tasks only ever leave — is derived
 * only from its due time until a sweep has begun after its last climb. */
int control_tasks_sweep_collect(struct db *d, int64_t now, int64_t swept_at,
				struct control_task_list *missed);
int control_tasks_sweep_record(struct db *d, const struct control_task_list *missed, int64_t now,
			       int64_t *steps);
int control_tasks_sweep(struct db *d, int64_t now, int64_t *steps);

/* Groups (groups.c). */

enum control_duty {
	CONTROL_DUTY_MEDIC = 0,
	CONTROL_DUTY_CADRE,
	CONTROL_DUTY_POLICE,
	CONTROL_NDUTIES
};
const char *control_duty_name(int duty); /* "medic", "cadre", "police" */

#define CONTROL_GROUP_NAME_MAX	64 /* code points */
#define CONTROL_GROUP_GRIDS_MAX 64 /* grids one group holds at most */

/* Adds a group holding the n grids (place codes) with its three members (usernames by
 * CONTROL_DUTY_*), named name (NULL: the first grid's name and "组"). Every grid must be a
 * grid held by no group; every member an active user whose jurisdiction holds every
 * grid. MU_EINVAL / MU_ENOTFOUND / MU_EEXIST / MU_EFORBIDDEN with why (field "grid",
 * "medic", "cadre", "police", "name") otherwise; nothing written then. *id gets the
 * group's id. Runs in the caller's transaction. */
int control_group_add(struct db *d, const char *name, const char *const *grids, size_t n,
		      const char *const members[CONTROL_NDUTIES], int64_t now, int64_t *id,
		      struct mu_why *why);

struct control_group {
	int64_t id, created_at;
	char name[CONTROL_GROUP_NAME_MAX * 4 + 1];
	size_t ngrids;
	int64_t grid[CONTROL_GROUP_GRIDS_MAX];
	int64_t member[CONTROL_NDUTIES]; /* user ids, 0 when the duty is unstaffed */
};
/* Calls fn for each group holding a grid inside place_id (0: every group), in id order;
 * g is borrowed for the call. Stops when fn returns non-zero and returns that. */
int control_group_list(struct db *d, int64_t place_id,
		       int (*fn)(const struct control_group *g, void *ctx), void *ctx);

/* Staffing needs (needs.c). */

/* Households a group serves: Guangzhou's rule of one group per 200 households in a high
 * zone, 400 in a medium one and 800 elsewhere. */
#define CONTROL_NEED_HIGH   200
#define CONTROL_NEED_MEDIUM 400
#define CONTROL_NEED_OTHER  800

struct control_need {
	int64_t place_id;
	int64_t households;
	int64_t high, medium; /* households inside high and medium zones in force */
	int zone_level;	      /* the highest zone in force over the place: 0 none/low,
				 1 medium, 2 high */
	int64_t needed, staffed, short_by;
};
/* needed = ceil(high / 200 + medium / 400 + other / 800), exactly (in 800ths). */
int64_t control_need_groups(int64_t high, int64_t medium, int64_t other);
/* Calls fn with the need of each child of place_id (code order) at now: its
 * households, those inside zones in force by level (a zone inside another counts at the
 * higher level once), the highest zone over it, groups needed and groups holding one of
 * its grids (staffed). Stops when fn returns non-zero. */
int control_needs_children(struct db *d, int64_t place_id, int64_t now,
			   int (*fn)(const struct control_need *n, void *ctx), void *ctx);

/* ---- zones (helper zones) ---- */

#endif
