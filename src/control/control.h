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

/* The Guangzhou date (UTC+8) of unix time t, in days since 1970-01-01. */
int64_t control_gz_day(int64_t t);

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
	int64_t day;   /* the Guangzhou day whose colours were (or are being) recomputed */
	int64_t after; /* the last person recomputed of that day */
	bool pending;  /* that day's recompute is not finished */
	bool more;     /* the last call left work: call again soon */
};
/* Marks every plan test due before today missed, adds the day's test of open plans,
 * ends plans whose last day has passed, and recomputes the colour of the people
 * concerned; on a new Guangzhou day (sw->day) the colour of everyone in a plan, a chunk
 * a call. It also catches up with statuses written without control__key_start (a bulk
 * load or a seed): plans made for open statuses that lack one, plans of ended statuses
 * ended, colours of key persons computed. Each bulk step takes at most 2,000 people or
 * plans a call (one writer job); sw->more says work was left. Writer side; idempotent.
 * *changed counts colours that changed. */
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

/* ---- zones (helper zones) ---- */

#endif
