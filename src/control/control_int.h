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

/* ---- plans, files, check-ins, health code (helper plans) ---- */

/* ---- groups and tasks (helper tasks) ---- */

/* ---- zones (helper zones) ---- */

/* The risk (CONTROL_ZONE_*, = SCREENING_RISK_*) of household_id at `at`: the highest
 * zone in force then over its path, from zones kept in memory (reloaded through d after
 * control__zones_changed). For the tube policy hook, on the writer. */
int control__zone_risk(struct db *d, int64_t household_id, int64_t at, int *risk);
/* Marks the memory of control__zone_risk stale: after every zone write (committed or
 * not), so that the next scan reads the zones as its connection sees them. */
void control__zones_changed(void);
/* Sets screening's hooks to control's (hooks.c): the tube policy asks the household's
 * zone risk. control_api_init calls it before the first request. */
void control__hooks_set(void);
/* Frees the zone memory (control_api_fini); the next risk asked reloads it. */
void control__zones_reset(void);

#endif
