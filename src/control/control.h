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

#include "core/core.h"

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

/* ---- groups and tasks (helper tasks) ---- */

/* ---- zones (helper zones) ---- */

#endif
