/* places_int.h: what places' own files share and nothing else includes. */
#ifndef MUSTER_PLACES_INT_H
#define MUSTER_PLACES_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "places.h"

/* The path of id from the open path index (pathindex.c) when d is its database and every
 * place on the path is known there; false (ids untouched) otherwise. */
bool places__pathindex_get(const struct db *d, int64_t id, int64_t ids[PLACES_NLEVELS], int *n);
/* Records a path read from d (ids[0] the root) in the index when d is its database. */
void places__pathindex_put(const struct db *d, const int64_t *ids, int n);

#endif
