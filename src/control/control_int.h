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

/* Makes or moves the plan of key status status_id (person, kind, exposure_at 0 when
 * none, started_at) at now, from the template set for kind (none: no plan), then
 * recomputes the person's colour. Called by control__key_start. */
int control__plan_status_started(struct db *d, int64_t status_id, int64_t person, const char *kind,
				 int64_t exposure_at, int64_t started_at, int64_t now);
/* Ends the running plan of status_id at now (its untaken tests dropped) and recomputes
 * the person's colour. Called by control__key_end. */
int control__plan_status_ended(struct db *d, int64_t status_id, int64_t person, int64_t now);
/* True when person has a plan test due on now's day or overdue and not taken: to be
 * sampled alone in a single tube. */
int control__plan_alone(struct db *d, int64_t person, int64_t now, bool *alone);
/* A resulted sample of person: the open tests of their running plans due on or before
 * the sample's day become negative or positive (positive only from a single tube, k 1);
 * then the colour is recomputed. */
int control__plan_on_result(struct db *d, int64_t person, int64_t sample_id, int result, int k,
			    int64_t sampled_at, int64_t resulted_at);
/* Recomputes and stores person's colour at now; *changed when it differs from the one
 * stored. The person is queued for the codebook (control__colour_drain). */
int control__colour_update(struct db *d, int64_t person, int64_t now, bool *changed);
/* The reasons (PEOPLE_REASON_* bits) of person's colour at now, from the tables. */
int control__colour_compute(struct db *d, int64_t person, int64_t now, unsigned *reasons);
/* Colour of a reason set: 2 red, 1 yellow, 0 green. */
int control__colour_of(unsigned reasons);
/* The people whose stored colour changed recently (kept for a few seconds so that a
 * reader sees them after their commit): calls fn with each; safe from any thread. */
void control__colour_drain(int64_t now_ms, void (*fn)(int64_t person, void *ctx), void *ctx);

/* Two negative tests at least 24 h and at most 3 days apart among t[0..n) (sample
 * times): what releases a missed test's yellow. */
bool control__two_negatives(const int64_t *t, size_t n);

/* ---- the missed-round yellow (colour_round.c, helper yellow) ----
 * A person whose household lies in a zone in force at now, who has neither a sample nor
 * an exemption in a round whose scope holds their household and which ended (closed, or
 * its `ends` passed: the earlier) while that zone (or the zone it was downgraded from)
 * was in force, gets PEOPLE_REASON_MISSED_ROUND — until two negatives 24 h to 3 days
 * apart, both sampled after that round's end. Looks back at the household's newest 8
 * rounds. Cost for a person under no zone: one read of the zones in force. */
struct screening_round;
/* When a round ended: the earlier of its close and its `ends`; 0 while it runs. */
int64_t control__round_end(const struct screening_round *r);
/* Whether round r runs at some time of days [from_day, to_day] (anywhere in its scope):
 * the tasks of one grid and the city read both ask (tasks.c). */
bool control__round_open_on(const struct screening_round *r, int64_t from_day, int64_t to_day);
/* The rounds, as screening_round_list gives them (control__round_collect is its callback;
 * the caller frees v): the ids of every round for recalls, and which run on a day. */
struct control__rounds {
	struct screening_round *v;
	size_t n, cap;
};
int control__round_collect(const struct screening_round *r, void *ctx);
/* Orders struct control_city_mark by task id (the city's marks are sorted by it). */
int control__cmp_mark(const void *a, const void *b);
/* Adds PEOPLE_REASON_MISSED_ROUND to *reasons when person has it at now. */
int control__round_reason(struct db *d, int64_t person, int64_t now, unsigned *reasons);
/* The plans sweep's part: for each round that ended in (*seen, now], the residents of
 * every zone in force over its scope recoloured; *seen = now once done (0 at start: every
 * round ended so far). *changed grows by the colours that changed. */
int control__round_sweep(struct db *d, int64_t now, int64_t *seen, int64_t *changed);
struct control_zone;
/* Zone z was drawn or lifted at now: when a round over it ended while it was in force,
 * the residents that round covered are recoloured; otherwise nothing is read. */
int control__round_zone_changed(struct db *d, const struct control_zone *z, int64_t now);
/* screening's on_result: a negative result of a person yellow for a missed round
 * recomputes their colour (it may release them). Reads nothing until this process has
 * found a missed round (the first sweep after start finds the stored ones). */
int control__round_on_result(struct db *d, const struct screening_hook_result *r);

/* ---- groups and tasks (helper tasks) ---- */

/* ---- zones (helper zones) ---- */

/* The risk (CONTROL_ZONE_*, = SCREENING_RISK_*) of household_id at `at`: the highest
 * zone in force then over its path, from zones kept in memory (reloaded through d after
 * control__zones_changed). For the tube policy hook, on the writer. */
int control__zone_risk(struct db *d, int64_t household_id, int64_t at, int *risk);
/* Marks the memory of control__zone_risk stale: after every zone write (committed or
 * not), so that the next scan reads the zones as its connection sees them. */
void control__zones_changed(void);
/* Frees the zone memory (control_api_fini); the next risk asked reloads it. */
void control__zones_reset(void);

#endif
