/* hooks.c: control's say in screening's writes (screening_hooks, set by control's api
 * init): the tube policy — a household inside a high zone is sampled alone, inside a
 * medium one in pools of at most 5 (zones.c answers the risk from memory). */
#include <stdbool.h>
#include <stdint.h>

#include "control.h"
#include "control_int.h"
#include "screening/screening.h"

/* The risk of the household's place at the scan's time; CONTROL_ZONE_* equals
 * SCREENING_RISK_* level for level. */
static int tube_policy(struct db *d, int64_t person_id, int64_t household_id, int64_t at, int *risk,
		       bool *alone)
{
	(void)person_id;
	(void)alone;
	return control__zone_risk(d, household_id, at, risk);
}

void control__hooks_set(void)
{
	const struct screening_hooks h = {.tube_policy = tube_policy};
	screening_hooks_set(&h);
}
