/* forces_int.h: what the files of forces/ share and nothing else sees. */
#ifndef MU_FORCES_INT_H
#define MU_FORCES_INT_H

#include "forces.h"

/* ---- orgs, formation, deployments, ledger (helper forces) ---------------------------- */

/* A place's ancestors at the district, street and community levels (0 above them or
 * when missing) and its own level: the columns a subtree's rows are found by. */
struct forces__anc {
	int level;
	int64_t district, street, community;
};
int forces__anc_of(struct db *d, int64_t place, struct forces__anc *out);
/* Which of the per-level statements filters a subtree of place a: 0 every row (the
 * city), 1 district_id, 2 street_id, 3 community_id; *key the id to bind (for places
 * below a community: the community, and each row must then be checked with
 * places_is_within — *exact false). */
int forces__scope(const struct forces__anc *a, int64_t place, int64_t *key, bool *exact);
/* Binds the ancestors to positions i, i+1, i+2 (NULL for 0). */
void forces__bind_anc(struct db_stmt *st, int i, const struct forces__anc *a);

#endif
