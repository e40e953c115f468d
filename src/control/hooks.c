/* hooks.c: control's say in screening's writes (screening_hooks): how a scanned person
 * is pooled — the risk of their household's zone and whether a plan test due puts them
 * alone in a single tube — and what a result means to control (a plan test answered, a
 * case opened). Each dispatcher calls every area's own function, kept in that area's
 * file. */
#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "screening/screening.h"

/* A person scanned at `at`: the plans' part (zones.c adds the risk of the household's
 * zone here). */
static int control__tube_policy(struct db *d, int64_t person_id, int64_t household_id, int64_t at,
				int *risk, bool *alone)
{
	(void)household_id;
	(void)risk;
	return control__plan_alone(d, person_id, at, alone);
}

/* A member of a resulted tube: the plans' part (cases.c adds the case opened by a
 * positive single tube here). */
static int control__on_result(struct db *d, const struct screening_hook_result *r)
{
	return control__plan_on_result(d, r->person_id, r->sample_id, r->result, r->capacity,
				       r->sampled_at, r->resulted_at);
}

void control__hooks_set(void)
{
	struct screening_hooks h = {.tube_policy = control__tube_policy,
				    .on_result = control__on_result};
	screening_hooks_set(&h);
}
