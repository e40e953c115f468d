/* control_int.h: what control's files share inside the folder. */
#ifndef MU_CONTROL_INT_H
#define MU_CONTROL_INT_H

#include "control.h"

/* ---- statuses (status.c): the one door through which a person becomes or stops being a
 * key person. It is where the person's plan is made (or moved, for a later exposure) and
 * their health-code colour recomputed — so that a case, a contact list, a zone and a
 * recall all make files and plans the same way. Runs on the writer, in the caller's
 * transaction. */

/* Starts a status of kind for person at now; source is "case", "contact", "zone" or
 * "recall" and ref_id the row that started it; exposure_at the last exposure (contacts;
 * 0 when none). When the person already has a status of that kind in force, no second
 * one starts: a later exposure moves it (and its plan); an earlier one changes nothing.
 * *status_id (may be NULL) is the status in force. MU_EINVAL for a bad kind or source. */
int control__key_start(struct db *d, int64_t person_id, int kind, int64_t exposure_at,
		       const char *source, int64_t ref_id, int64_t now, int64_t *status_id);
/* Ends status_id at now (its plan ends with it). MU_ENOTFOUND when no such status is in
 * force. */
int control__key_end(struct db *d, int64_t status_id, int64_t now);
/* Ends every status in force that source's row ref_id started (a zone lifted ends its
 * residents' "sealed"); *n (may be NULL) is how many. */
int control__key_end_ref(struct db *d, const char *source, int64_t ref_id, int64_t now, int64_t *n);

/* ---- cases (helper cases) ---- */

#define CONTROL__GZ_OFFSET_S  (8 * 3600) /* Guangzhou keeps UTC+8, no daylight saving */
#define CONTROL__CLOCK_SKEW_S 300	 /* a time "now" from a device may run this far ahead */

/* The cases columns control__case_read reads, in its order. */
#define CONTROL__CASE_COLS                                                                         \
	"id, person_id, kind, source, onset, confirmed_at, hospital, hospitalised_at,"             \
	" discharged_at, household_id, sample_id, status_id, user_id, created_at"
struct db_stmt;
struct control_case;
/* Reads a row of CONTROL__CASE_COLS into c. */
void control__case_read(struct db_stmt *s, struct control_case *c);

struct screening_hook_result;
/* screening's on_result hook (hooks.c): every area's say on a result, on the writer in
 * the result batch's transaction. */
int control__on_result(struct db *d, const struct screening_hook_result *r);
/* A case's say on a result (cases.c): a positive single tube opens a case (confirmed,
 * source screening, at the result's time, with the sample), unless the person has one
 * open; a positive pool makes each member pool_positive (ref: their recall); a negative
 * re-swab ends that status. */
int control__case_on_result(struct db *d, const struct screening_hook_result *r);
/* Sets screening's hooks to control's dispatchers (hooks.c): control_api_init, before
 * the first write. */
void control__hooks_set(void);

/* ---- plans, files, check-ins, health code (helper plans) ---- */

/* ---- groups and tasks (helper tasks) ---- */

/* ---- zones (helper zones) ---- */

#endif
