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

#include <jansson.h>

#include "core/core.h"
#include "places/places.h"
#include "screening/screening.h"

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
/* Cases (confirmed or asymptomatic), their close and secondary contacts, the chains
 * those make, and the daily epidemic curve with the tracing indicators. */

enum control_case_kind { CONTROL_CASE_CONFIRMED = 0, CONTROL_CASE_ASYMPTOMATIC };
/* "confirmed", "asymptomatic"; NULL out of range. parse: MU_EINVAL for anything else. */
const char *control_case_kind_name(int kind);
int control_case_kind_parse(const char *s, int *kind);

#define CONTROL_HOSPITAL_MAX 64 /* code points of a hospital's name */
#define CONTROL_NO_DATE	     INT64_MIN

struct control_case {
	int64_t id, person_id, household_id;
	int kind;	      /* CONTROL_CASE_* */
	bool from_screening;  /* source 'screening' (else 'staff') */
	int64_t onset;	      /* Guangzhou date as days since 1970; CONTROL_NO_DATE */
	int64_t confirmed_at; /* unix seconds */
	int64_t hospitalised_at, discharged_at; /* 0 when not (yet) */
	int64_t sample_id, status_id, user_id;	/* 0 when none */
	int64_t created_at;
	char hospital[CONTROL_HOSPITAL_MAX * 4 + 1]; /* "" when none */
};

/* Opens a case for c->person_id (kind, from_screening, onset, confirmed_at, hospital,
 * hospitalised_at, sample_id and user_id as given; the household is read from people)
 * at now, starts the person's 'case' status (control__key_start) and sets c->id,
 * c->household_id and c->status_id. MU_EEXIST when the person already has an open
 * case: c->id is then that case and nothing is written. MU_EINVAL (why says the field)
 * for a bad kind, hospital or time; MU_ENOTFOUND for no such person. */
int control_case_open(struct db *d, struct control_case *c, int64_t now, struct mu_why *why);
/* One case; MU_ENOTFOUND when absent. */
int control_case_get(struct db *d, int64_t id, struct control_case *out);
/* The person's open (not discharged) case; MU_ENOTFOUND without one. */
int control_case_open_of(struct db *d, int64_t person, struct control_case *out);
/* Changes a case's kind. MU_ENOTFOUND; MU_EEXIST when it already is of that kind. */
int control_case_reclassify(struct db *d, int64_t id, int kind);
/* Records the case's admission to hospital (1..CONTROL_HOSPITAL_MAX code points) at at.
 * MU_EINVAL (why) for a bad name or a time before confirmation or after discharge. */
int control_case_hospitalise(struct db *d, int64_t id, const char *hospital, int64_t at,
			     struct mu_why *why);
/* Discharges a case at at and ends its 'case' status (control__key_end). MU_EEXIST when
 * already discharged; MU_EINVAL (why) for a time before its confirmation. */
int control_case_discharge(struct db *d, int64_t id, int64_t at, struct mu_why *why);
/* Calls fn for each case whose household lies in the subtree of place, newest id first,
 * starting below before_id (0: from the newest); fn's non-zero return stops the walk
 * and is returned. */
int control_case_list(struct db *d, int64_t place, int64_t before_id,
		      int (*fn)(const struct control_case *c, void *ctx), void *ctx);

enum control_contact_kind { CONTROL_CONTACT_CLOSE = 0, CONTROL_CONTACT_SECONDARY };
enum control_setting {
	CONTROL_SETTING_HOUSEHOLD = 0,
	CONTROL_SETTING_BUILDING,
	CONTROL_SETTING_WORKPLACE,
	CONTROL_SETTING_TRANSPORT,
	CONTROL_SETTING_SAME_SPACE,
	CONTROL_SETTING_OTHER,
};
/* Names as stored and answered ("close", "household", …); NULL out of range. parse:
 * MU_EINVAL for anything else. */
const char *control_contact_kind_name(int kind);
int control_contact_kind_parse(const char *s, int *kind);
const char *control_setting_name(int setting);
int control_setting_parse(const char *s, int *setting);

struct control_contact_in {
	int64_t person_id;
	int kind, setting;
	int64_t last_exposure; /* unix seconds */
	int64_t via_person_id; /* secondary: the close contact they met; else 0 */
};
enum control_contact_status {
	CONTROL_CONTACT_ADDED = 0, /* a new contact of the case */
	CONTROL_CONTACT_MOVED,	   /* already listed: a later exposure moved it */
	CONTROL_CONTACT_DUPLICATE, /* already listed, exposure not later: nothing written */
	CONTROL_CONTACT_REFUSED,   /* err and why say why */
};
struct control_contact_result {
	int status; /* CONTROL_CONTACT_* */
	int err;
	struct mu_why why;
	int64_t id; /* the contacts row (added, moved or duplicate) */
};
/* Lists n people as contacts of case_id at now by user (0: the command line), in the
 * caller's transaction: per item a contacts row and the person's close or secondary
 * status (control__key_start with the exposure; again, to move it, on a later one).
 * Refused items (out[i].status CONTROL_CONTACT_REFUSED, err and why): the case's own
 * person, a secondary without a via (or a close one with one), an unknown person or
 * via, an exposure in the future. A person with an open case of their own is listed
 * (the row is the chain's link) but keeps the case as their status. Returns 0 (items answered in
 * out) or MU_ENOTFOUND for no such case, or a database error (the caller rolls back). */
int control_contacts_add(struct db *d, int64_t case_id, const struct control_contact_in *in,
			 size_t n, int64_t now, int64_t user, struct control_contact_result *out);
/* The people a shortcut names, for control_contacts_add: everyone living in the
 * subtree of place (a household or a building), in id order, into a new array *out
 * (*n of them; the caller frees). */
int control_contacts_residents(struct db *d, int64_t place, int64_t **out, size_t *n);

/* A transmission chain: every person linked to a case through contacts rows, both ways
 * (a case's contacts, the cases a person is a contact of, a secondary's via). */
enum control_role { CONTROL_ROLE_CASE = 0, CONTROL_ROLE_CLOSE, CONTROL_ROLE_SECONDARY };
const char *control_role_name(int role); /* "case", "close", "secondary" */
struct control_chain_node {
	int64_t person_id;
	int role;	/* CONTROL_ROLE_*: case when the person has a case */
	int generation; /* 0: an index case, else links from the nearest one */
	int64_t onset;	/* the person's case's onset; CONTROL_NO_DATE */
};
struct control_chain_edge {
	int64_t from, to; /* person ids: the case (or via) and the contact */
	int setting;
	int64_t at; /* last exposure */
};
struct control_chain {
	struct control_chain_node *nodes; /* generation order, then person id */
	size_t nnodes;
	struct control_chain_edge *edges;
	size_t nedges;
};
#define CONTROL_CHAIN_MAX 20000 /* people one chain answers at most */
/* The chain holding case_id's person. Generations: the index cases (cases no link
 * reaches from another person of the chain; else the earliest confirmed) are 0, each
 * link adds one (breadth first along the links' direction, then against it for what
 * those do not reach). MU_ENOTFOUND for no such case; MU_ETOOBIG past
 * CONTROL_CHAIN_MAX people. fini frees. */
int control_chain_get(struct db *d, int64_t case_id, struct control_chain *out);
void control_chain_fini(struct control_chain *c);

/* The daily curve of the cases counted under place (their household at opening), for
 * Guangzhou dates from..to (days since 1970, inclusive). */
struct control_epi_day {
	int64_t date;
	int64_t confirmed, asymptomatic, discharged; /* that day */
	int64_t cumulative, discharged_cumulative;   /* up to the day's end */
	int64_t seen, in_plans; /* contacts in running plans seen that day, of in_plans */
};
struct control_epi {
	struct control_epi_day *days; /* to − from + 1 of them */
	size_t ndays;
	int64_t last_case_date; /* the last case confirmed on or before to; CONTROL_NO_DATE */
	int64_t cases;		/* cases confirmed from..to */
	int64_t from_contacts;	/* of those, already listed as a contact when confirmed */
	int64_t listed_24h;	/* of those, with a contact listed within 24 h */
};
#define CONTROL_EPI_DAYS_MAX 731
/* Counts the curve. MU_EINVAL when to < from or more than CONTROL_EPI_DAYS_MAX days.
 * fini frees. */
int control_epi_get(struct db *d, int64_t place, int64_t from, int64_t to, struct control_epi *out);
void control_epi_fini(struct control_epi *e);

/* The Guangzhou (UTC+8) date of a unix time, as days since 1970; and the unix time of a
 * Guangzhou date's midnight. */
int64_t control_gz_day(int64_t unix_s);
int64_t control_gz_midnight(int64_t day);

/* ---- plans, files, check-ins, health code (helper plans) ---- */

#define CONTROL_TEMPLATE_NAME_MAX 64 /* bytes of a template's name: [0-9a-z-] */
#define CONTROL_PHASES_MAX	  8
#define CONTROL_TESTS_MAX	  64

enum control_phase_kind {
	CONTROL_PHASE_CENTRAL = 0, /* "central_quarantine" */
	CONTROL_PHASE_HOME_QUARANTINE,
	CONTROL_PHASE_HOME_MONITORING,
};
/* "central_quarantine", "home_quarantine", "home_monitoring"; NULL out of range. parse:
 * MU_EINVAL for anything else. */
const char *control_phase_name(int kind);
int control_phase_parse(const char *s, int *kind);

/* A plan template (data, table plan_templates): phases by day number from the exposure,
 * the test days, and optionally a test every `every` days while the status lasts. A
 * phase with open set lasts while the status is in force (its `to` is ignored). */
struct control_template {
	char name[CONTROL_TEMPLATE_NAME_MAX + 1];
	int nphases;
	struct {
		int kind, from, to;
		bool open;
	} phases[CONTROL_PHASES_MAX];
	int ntests;
	int tests[CONTROL_TESTS_MAX]; /* ascending, distinct */
	int every;		      /* 0: none */
};

/* Parses a template's JSON body (docs/control.md "Plan templates") into *t with the name
 * given. MU_EINVAL with why (field and reason) for a bad body: unknown members, a phase
 * kind not known, days outside 0..365, phases out of order or overlapping, tests not
 * ascending, more than CONTROL_TESTS_MAX tests, an open phase that is not the last, an
 * `every` without an open phase. */
int control_template_parse(const char *name, const char *json, struct control_template *t,
			   struct mu_why *why);
/* Reads a stored template. MU_ENOTFOUND when absent. */
int control_template_get(struct db *d, const char *name, struct control_template *t);
/* Stores a new template after parsing it (nothing stored when it does not parse).
 * MU_EINVAL (bad name or body, why says), MU_EEXIST for a name already used. */
int control_template_add(struct db *d, const char *name, const char *json, struct mu_why *why);
/* Calls fn with each template (name order) and its stored body; fn's non-zero return
 * stops and is returned. */
int control_template_list(struct db *d,
			  int (*fn)(const char *name, const char *body, const char *used_by,
				    void *ctx),
			  void *ctx);
/* Sets the template kind ("close", "secondary", "sealed") uses for new plans.
 * MU_EINVAL for another kind, MU_ENOTFOUND for an unknown template. */
int control_plan_use_set(struct db *d, const char *kind, const char *template_name,
			 struct mu_why *why);

/* A plan's calendar in days since 1970-01-01 (Guangzhou dates). */
struct control_calendar {
	int nphases;
	struct {
		int kind;
		int64_t from, to; /* to -1: open */
	} phases[CONTROL_PHASES_MAX];
	int ntests;
	struct {
		int day;
		int64_t due;
	} tests[CONTROL_TESTS_MAX + 1];
	int64_t ends; /* -1: open */
};
/* The calendar of template t for a day-0 of d0 (the Guangzhou date of the last
 * exposure) made on day today: day N is d0 + N; test days already past on today are
 * due once, today (the last of them gives the day number), unless a test already falls
 * on today; an `every` template lists only today's test (later ones are added day by
 * day while the status lasts). Pure. */
void control_calendar_compute(const struct control_template *t, int64_t d0, int64_t today,
			      struct control_calendar *out);

/* The Guangzhou date of unix time t: control_gz_day (cases.c). */

/* Symptom codes a check-in may list (docs/control.md "Check-ins"); NULL-terminated. */
extern const char *const control_symptoms[];
#define CONTROL_SYMPTOMS_MAX 16
#define CONTROL_FEVER_C	     37.3
/* Records a check-in of person at `at`: temperature in °C (NAN: not taken; else
 * 34.0–43.0), symptom codes (each from control_symptoms, no repeats), by user (0 none).
 * fever = temperature ≥ 37.3 or any symptom. MU_EINVAL with why, MU_ENOTFOUND for an
 * unknown person. *id the new row. */
int control_checkin_add(struct db *d, int64_t person, int64_t at, double temperature,
			const char *const *symptoms, size_t nsymptoms, int64_t user, int64_t *id,
			bool *fever, struct mu_why *why);

/* Health-code colours: 0 green, 1 yellow, 2 red, with PEOPLE_REASON_* bits. */
/* The colour stored for person (code_colours): green with no reasons when none. */
int control_colour_get(struct db *d, int64_t person, int *colour, unsigned *reasons,
		       int64_t *since);
/* Calls fn for every person whose stored colour is not green (start-up load). */
int control_colour_each(struct db *d, int (*fn)(int64_t person, unsigned reasons, void *ctx),
			void *ctx);
/* The sweep's state between calls (zeroed at first). */
struct control_sweep {
	int64_t day;	     /* the Guangzhou day whose colours were (or are being) recomputed */
	int64_t after;	     /* the last person recomputed of that day */
	bool pending;	     /* that day's recompute is not finished */
	bool more;	     /* the last call left work: call again soon */
	int64_t rounds_seen; /* rounds ended by this time had their zones recoloured */
};
/* Marks every plan test due before today missed, adds the day's test of open plans,
 * ends plans whose last day has passed, and recomputes the colour of the people
 * concerned; on a new Guangzhou day (sw->day) the colour of everyone in a plan, a chunk
 * a call. It also catches up with statuses written without control__key_start (a bulk
 * load or a seed): plans made for open statuses that lack one, plans of ended statuses
 * ended, colours of key persons computed. A round that ended since the last call recolours
 * the residents of the zones in force over it (missed_round_test). Each bulk step takes at most
 * 2,000 people or plans a call (one writer job); sw->more says work was left. Writer side;
 * idempotent. *changed counts colours that changed. */
int control_plans_sweep(struct db *d, int64_t now, struct control_sweep *sw, int64_t *changed);

/* The file of a person (一人一档) as JSON (a new reference in *out): person (id, name
 * masked unless full_name, household, building and place names), status (current key
 * statuses), plans, checkins, history. keys opens the name. MU_ENOTFOUND. */
struct people_keys;
int control_file_json(struct db *d, const struct people_keys *k, int64_t person, bool full_name,
		      int64_t now, json_t **out);
/* Key persons of the subtree of place: calls fn with each one's JSON (person id, masked
 * name, kinds, plan progress), person id order after after_id; kind NULL any. */
int control_keypersons_list(struct db *d, const struct people_keys *k, int64_t place,
			    const char *kind, int64_t after_id, int limit,
			    int (*fn)(int64_t person, json_t *item, void *ctx), void *ctx);

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
	char household_code[PLACES_CODE_MAX + 1], building_code[PLACES_CODE_MAX + 1];
};

/* A growable list of tasks; _init/_fini: storage the caller provides. */
struct control_task_list {
	struct control_task *v;
	size_t n, cap;
};
void control_task_list_init(struct control_task_list *l);
void control_task_list_fini(struct control_task_list *l);

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
/* The same, asking the server's coverage aggregate cov (not the database) whether each
 * resident is missing from a running round: a request's way. */
int control_tasks_of_grid_cov(struct db *d, struct screening_cov *cov, int64_t grid_id, int64_t day,
			      int64_t now, struct control_task_list *out);

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

/* The city read once for deriving every grid's tasks (the sweep, the bench): the key
 * persons by household, the missing people of every round open at some time of days
 * [from_day, to_day] (screening_missing_all, from cov when given), the households of
 * pending recalls, and each household any of these live in, named, by grid. No resident
 * is then asked anything and no grid is walked: a grid costs the reads of its tasks. _load fills
 * storage the caller provides (_fini frees it, also after a failed load). */
struct control_city_round {
	int64_t round_id;
	struct screening_absent_set absent;
};
/* A household some task of the day may name (a key person's, a missing person's, a
 * recalled person's): its grid, building and compound, and its names as offsets into
 * the city's string store. */
struct control_city_hh {
	int64_t id, building, compound, grid;
	uint32_t name, code, bname, bcode, ccode;
};
/* A key person's rows, read for the whole city. */
struct control_city_test {
	int64_t person_id, id, due_day, made_at; /* made_at: its plan's */
};
struct control_city_plan {
	int64_t person_id, made_at; /* the first made of their running plans */
};
struct control_city_checkin {
	int64_t person_id, id, at;
	bool fever;
};
struct control_city_mark {
	char task[CONTROL_TASK_ID_MAX];
	bool done; /* else missed */
};
struct control_city {
	struct control_keyset keys;
	struct control_city_mark *marks; /* the marks of days [marks_from, marks_to], by task */
	size_t nmarks;
	int64_t marks_from, marks_to;
	struct control_city_test *tests;       /* by person, then id */
	struct control_city_plan *plans;       /* by person */
	struct control_city_checkin *checkins; /* by person, then id */
	size_t ntests, nplans, ncheckins;
	struct control_city_round *rounds; /* the open rounds' missing people */
	size_t nrounds;
	struct screening_round *all; /* every round (recalls are listed of any) */
	size_t nall;
	struct control_city_hh *hh; /* by grid, then id */
	size_t nhh;
	char *str;
	size_t nstr, capstr;
};
int control_city_load(struct db *d, struct screening_cov *cov, int64_t from_day, int64_t to_day,
		      struct control_city *c);
void control_city_fini(struct control_city *c);
/* control_tasks_of_grid from city (loaded on d's snapshot, for days including day). */
int control_tasks_of_grid_city(struct db *d, const struct control_city *city, int64_t grid_id,
			       int64_t day, int64_t now, struct control_task_list *out);

/* The missed tasks under place_id (a community or a street) whose climb reached it by
 * now: those of its grids for now's day and the day before, ordered as tasks are.
 * MU_EINVAL when place_id is not a community or a street. */
int control_tasks_overdue(struct db *d, struct screening_cov *cov, int64_t place_id, int64_t now,
			  struct control_task_list *out);

/* The task id text parsed: its kind, person (for recall, check-in and roll-call the id
 * names it; for plan tests and fevers it is read from their row) and day (the id's own
 * for check-in and roll-call, else −1). MU_EINVAL for malformed text, MU_ENOTFOUND when
 * the row it names does not exist. */
int control_task_parse(struct db *d, const char *id, int *kind, int64_t *person, int64_t *day);

/* The task id as its grid has it now (derived for its day, or today when the id names
 * none) in *out. MU_EINVAL for a malformed id, MU_ENOTFOUND when its grid has no such
 * task (why says so, on field "id"). Reads only: a request checks on its reader. */
int control_task_find(struct db *d, struct screening_cov *cov, const char *id, int64_t now,
		      struct control_task *out, struct mu_why *why);
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
int control_tasks_sweep_collect(struct db *d, struct screening_cov *cov, int64_t now,
				int64_t swept_at, struct control_task_list *missed);
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
/* ---- zones (helper zones) ----
 * Risk zones (zones.c): a street, community, compound or building at a risk level with
 * its measures, from a time until lifted. A zone raises the risk of every household
 * below it (screening pools single tubes in a high zone, at most 5 in a medium one); a
 * sealed zone makes its residents key persons ('sealed'). A downgrade lifts the row and
 * opens another at the lower level (prev_id), so the record keeps every step. */
enum control_zone_level { CONTROL_ZONE_LOW = 0, CONTROL_ZONE_MEDIUM, CONTROL_ZONE_HIGH };
enum control_zone_measures {
	CONTROL_MEASURES_PRECAUTION = 0, /* 防范 */
	CONTROL_MEASURES_CONTROLLED,	 /* 管控 */
	CONTROL_MEASURES_SEALED,	 /* 封控: residents stay home, a 'sealed' status each */
};
/* "low", "medium", "high" / "precaution", "controlled", "sealed"; NULL out of range.
 * parse: MU_EINVAL for any other name. */
const char *control_zone_level_name(int level);
int control_zone_level_parse(const char *s, int *level);
const char *control_zone_measures_name(int m);
int control_zone_measures_parse(const char *s, int *m);

#define CONTROL_ZONE_REASON_MAX	 200 /* code points of a zone's reason */
#define CONTROL_ZONE_QUIET_DAYS	 14  /* no new case, last close contact exposure: days */
#define CONTROL_ZONE_TESTED_DAYS 2   /* everyone inside tested negative within: days */

struct control_zone {
	int64_t id, place_id;
	int level;		    /* CONTROL_ZONE_* */
	int measures;		    /* CONTROL_MEASURES_* */
	int64_t from_at, lifted_at; /* unix seconds; lifted_at 0 while in force */
	int64_t user_id;	    /* who drew it; 0 the command line */
	int64_t prev_id;	    /* the zone a downgrade replaced; 0 */
	int64_t created_at;
	char reason[CONTROL_ZONE_REASON_MAX * 4 + 1];
};

/* Draws z (id, lifted_at and created_at are set) at now, in the caller's transaction if
 * there is one: a sealed zone starts a 'sealed' status (source "zone", ref z->id, at
 * z->from_at) for every resident of the place's subtree, *sealed (may be NULL) counting
 * them. MU_EINVAL (why: "place" not a street, community, compound or building, "level",
 * "measures", "from", "reason" not one line of 1..200 characters); MU_ENOTFOUND
 * ("place"); MU_EEXIST ("place") when a zone is in force on that place already. */
int control_zone_create(struct db *d, struct control_zone *z, int64_t now, int64_t *sealed,
			struct mu_why *why);
/* Lifts zone id at `at`, ending the statuses it started (*ended, may be NULL, counts
 * them). MU_ENOTFOUND ("id"), MU_EEXIST ("id": already lifted), MU_EINVAL ("at" before
 * the zone's start). */
int control_zone_lift(struct db *d, int64_t id, int64_t at, int64_t *ended, struct mu_why *why);
/* Lowers zone id to level at `at`: the zone is lifted and a new one opened on its place
 * with prev_id = id, the same reason, by user_id. measures < 0: the lower of the zone's
 * and the level's usual ones (high sealed, medium controlled, low precaution). *out (may
 * be NULL) is the new zone. MU_EINVAL ("level" not below the zone's, "measures", "at"),
 * MU_ENOTFOUND, MU_EEXIST (already lifted). */
int control_zone_downgrade(struct db *d, int64_t id, int level, int measures, int64_t at,
			   int64_t user_id, struct control_zone *out, struct mu_why *why);
/* Reads zone id. MU_ENOTFOUND when absent. */
int control_zone_get(struct db *d, int64_t id, struct control_zone *out);
/* Calls fn for each zone on place_id's subtree (0: everywhere) in force — or, all, lifted
 * ones too — by start time; fn may run statements on d; its non-zero return stops the
 * walk and is returned. */
int control_zone_list(struct db *d, int64_t place_id, bool all,
		      int (*fn)(const struct control_zone *z, void *ctx), void *ctx);
/* The risk (CONTROL_ZONE_*) of place_id at `at`: the highest level of the zones in force
 * then on the place or any ancestor. Reads the zones table (one query per ancestor): for
 * readers; the scan path uses control__zone_risk's memory. */
int control_zone_risk(struct db *d, int64_t place_id, int64_t at, int *risk);

/* A zone's census and proposal. Conditions (Guangzhou, 2021): no new case inside for 14
 * days (cases by the household they opened in), the last close contact of its cases
 * more than 14 days past exposure, everyone inside tested negative in the last 2 days. */
enum {
	CONTROL_ZONE_NO_NEW_CASE = 0,
	CONTROL_ZONE_CONTACTS_PAST,
	CONTROL_ZONE_TESTED_NEGATIVE,
	CONTROL_ZONE_NCONDS
};
enum { CONTROL_ZONE_LIFT = 0, CONTROL_ZONE_DOWNGRADE };
/* "no_new_case", "contacts_past", "tested_negative"; NULL out of range. */
const char *control_zone_cond_code(int c);
struct control_zone_census {
	int64_t households, people;    /* inside the zone's place */
	int64_t status[CONTROL_NKEYS]; /* people inside with a status of each kind in force */
	int64_t colour[3];	       /* people inside by health-code colour (0 green) */
	int64_t cases;		       /* cases inside, ever (confirmed by now) */
	int64_t last_case_at;	       /* the newest of them; 0 none */
	int64_t last_exposure;	       /* the last close contact's exposure of them; 0 none */
	int64_t untested;	       /* people inside without a negative test in 2 days */
	bool ok[CONTROL_ZONE_NCONDS];  /* each condition */
	bool ready;		       /* all of them */
	int action;		       /* CONTROL_ZONE_LIFT (a low zone) or _DOWNGRADE */
	int to_level;		       /* a downgrade's level: one below the zone's */
};
/* What every census of one listing shares, read once: the statuses in force, the
 * yellow and red codes, the cases. free accepts NULL. */
struct control_zone_facts;
int control_zone_facts_new(struct db *d, struct control_zone_facts **out);
void control_zone_facts_free(struct control_zone_facts *f);
/* The census of zone z at now. Cost: the zone's households and people (index reads),
 * one query per case inside, and screening_negative_within over its people. */
int control_zone_census(struct db *d, const struct control_zone_facts *f,
			const struct control_zone *z, int64_t now, struct control_zone_census *out);

#endif
