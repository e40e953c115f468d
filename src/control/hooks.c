/* hooks.c: control's say in screening's writes — the dispatchers screening's hooks call
 * on the writer (each area's function in its own file), and their installation. */
#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "screening/screening.h"

int control__on_result(struct db *d, const struct screening_hook_result *r)
{
	return control__case_on_result(d, r);
}

void control__hooks_install(void)
{
	screening_hooks_set(&(struct screening_hooks){.on_result = control__on_result});
}
