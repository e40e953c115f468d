/* hooks.c: control's say in screening's writes (screening_hooks) — the dispatchers that
 * screening calls on the writer, each calling every area's own function (kept in that
 * area's file), and their installation: how a scanned person is pooled (the risk of
 * their household's zone, a plan test due that puts them alone in a single tube) and
 * what a result means to control (a plan test answered, a case opened). */
#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "screening/screening.h"

/* A person scanned at `at`: the risk of their household's zone (zones.c, from memory;
 * CONTROL_ZONE_* equals SCREENING_RISK_* level for level), and alone for a plan test due
 * (plans.c). */
static int tube_policy(struct db *d, int64_t person_id, int64_t household_id, int64_t at, int *risk,
		       bool *alone)
{
	int rc = control__zone_risk(d, household_id, at, risk);
	return rc ? rc : control__plan_alone(d, person_id, at, alone);
}

int control__on_result(struct db *d, const struct screening_hook_result *r)
{
	/* The plan test first (taken → negative or positive), then the case it may open. */
	int rc = control__plan_on_result(d, r->person_id, r->sample_id, r->result, r->capacity,
					 r->sampled_at, r->resulted_at);
	return rc ? rc : control__case_on_result(d, r);
}

void control__hooks_set(void)
{
	const struct screening_hooks h = {.tube_policy = tube_policy,
					  .on_result = control__on_result};
	screening_hooks_set(&h);
}
