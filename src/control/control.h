/* control: grid control (issue 13) — what a city does with the positives screening finds:
 * cases, close and secondary contacts and their chains, one file and one plan per key
 * person (一人一档、一人一方案), three-person groups and their day's tasks, risk zones and
 * the health code. Control reads screening (and people, places); calls/ and forces/
 * read control; nothing below includes it. Its say in screening's writes goes through
 * screening's hooks (screening.h), set by control's api init. */
#ifndef MU_CONTROL_H
#define MU_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

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
