/* hooks.c: control's say in screening's writes (screening_hooks) — the dispatchers that
 * screening calls on the writer, each calling every area's own function (kept in that
 * area's file), and their installation: what a result means to control (a case opened,
 * a pool's members awaiting their re-swab; helper plans adds the plan test answered and
 * the tube policy here). */
#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "screening/screening.h"

int control__on_result(struct db *d, const struct screening_hook_result *r)
{
	return control__case_on_result(d, r);
}

void control__hooks_set(void)
{
	const struct screening_hooks h = {.on_result = control__on_result};
	screening_hooks_set(&h);
}
