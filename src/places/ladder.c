/* ladder.c: the escalation ladder that calls/ and control/ share — which rungs of the
 * tree (grid → community → street → district) an item not done in time has climbed by
 * a given time, and when it reached each. Arithmetic over a path; the one database read
 * is the path itself. */
#include <stdint.h>

#include "core/core.h"
#include "places.h"

int places_ladder_walk(const int64_t *path, int npath, int64_t start, int64_t first_due,
		       const int64_t allow[PLACES_NLEVELS], int top, int64_t now,
		       struct places_rung rungs[PLACES_NLEVELS], int *n)
{
	*n = 0;
	if (npath < 1 || npath > PLACES_NLEVELS || top < 0 || top > npath - 1 || first_due < start)
		return MU_EINVAL;
	int level = npath - 1;
	rungs[0] = (struct places_rung){path[level], level, start, first_due};
	int k = 1;
	/* Climb while this rung's time ran out, a rung above remains and this one lets go
	 * (an allowance ≤ 0 below the top holds the item for good). */
	while (now >= rungs[k - 1].due && rungs[k - 1].due != INT64_MAX && level > top) {
		level--;
		int64_t from = rungs[k - 1].due;
		int64_t due = allow[level] > 0 && from <= INT64_MAX - allow[level]
				  ? from + allow[level]
				  : INT64_MAX;
		rungs[k++] = (struct places_rung){path[level], level, from, due};
	}
	*n = k;
	return 0;
}

int places_ladder(struct db *d, int64_t holder, int64_t start, int64_t first_due,
		  const int64_t allow[PLACES_NLEVELS], int top, int64_t now,
		  struct places_rung rungs[PLACES_NLEVELS], int *n)
{
	int64_t path[PLACES_NLEVELS];
	int np = 0;
	*n = 0;
	int rc = places_path(d, holder, path, &np);
	if (rc)
		return rc;
	if (top > np - 1)
		return MU_EINVAL;
	return places_ladder_walk(path, np, start, first_due, allow, top, now, rungs, n);
}
