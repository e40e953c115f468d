/* places_int.h: what places' own files share and nothing else includes. */
#ifndef MUSTER_PLACES_INT_H
#define MUSTER_PLACES_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "places.h"

/* The path index (pathindex.c) of d's database, or NULL when d is another database or
 * none is open. */
struct places__pathindex;
struct places__pathindex *places__pathindex_of(const struct db *d);
/* The parent of id (0 for the root) when the index knows it; false otherwise (and always
 * for a NULL index). */
bool places__pathindex_parent(const struct places__pathindex *ix, int64_t id, int64_t *parent);
/* Records the parent of id read from the database (no-op for a NULL index). */
void places__pathindex_set(struct places__pathindex *ix, int64_t id, int64_t parent);

/* The id of code from the code map (codeindex.c) of d's database; false when the map
 * is not built, is of another database or does not hold the code (read SQL then). */
bool places__codeindex_find(const struct db *d, const char *code, int64_t *id);

#endif
