/* hooks.c: the hooks through which control/ has its say in screening's writes (a zone's
 * pool size, a plan test's own tube, a result that opens a case) without screening
 * knowing control. Set once before the writer starts; read by tube.c and result.c on the
 * writer thread. */
#include <string.h>

#include "core/core.h"
#include "screening.h"
#include "screening_int.h"

static struct screening_hooks hooks;

void screening_hooks_set(const struct screening_hooks *h)
{
	if (h)
		hooks = *h;
	else
		memset(&hooks, 0, sizeof hooks);
}

const struct screening_hooks *screening__hooks(void)
{
	return &hooks;
}
