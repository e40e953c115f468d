/* places: the administrative tree — city › district › street/town › community/village
 * › grid › compound › building › household — with official codes, names, and the
 * counts of everything below each node, kept so that any subtree figure is one read. */
#ifndef MU_PLACES_H
#define MU_PLACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct mu_why;

enum places_level {
	PLACES_CITY = 0,
	PLACES_DISTRICT,
	PLACES_STREET, /* street (街道) or town (镇) */
	PLACES_COMMUNITY, /* community (社区) or village (村) */
	PLACES_GRID,
	PLACES_COMPOUND,
	PLACES_BUILDING,
	PLACES_HOUSEHOLD,
	PLACES_NLEVELS
};

#define PLACES_CODE_MAX 32 /* bytes, ASCII letters, digits and '-' */
#define PLACES_NAME_MAX 64 /* code points of UTF-8 */

struct places_node {
	int64_t id, parent_id; /* parent_id 0 for the root */
	int level;
	char code[PLACES_CODE_MAX + 1];
	char name[PLACES_NAME_MAX * 4 + 1];
	int64_t below[PLACES_NLEVELS]; /* below[L]: descendants at level L (0 for L ≤ level) */
	int64_t people; /* people living anywhere in the subtree */
};

/* "city", "district", ... "household"; NULL outside 0..7. Static strings. */
const char *places_level_name(int level);
/* Parses a level name (also "town" = street, "village" = community); MU_EINVAL else. */
int places_level_parse(const char *s, int *level);

/* Checks a code and a name as stored: code 1..32 of [0-9A-Za-z-], name 1..64 code
 * points of valid UTF-8 with no control characters. On failure returns MU_EINVAL with
 * why (may be NULL) set: field "code" or "name" and the reason. */
int places_code_check(const char *code, struct mu_why *why);
int places_name_check(const char *name, struct mu_why *why);

/* Adds a node under parent (0 only for the city, of which there is at most one)
 * and counts it in every ancestor. The level must be the parent's level + 1.
 * Returns 0 with *id set; MU_EEXIST for a code already used; MU_ENOTFOUND for a
 * missing parent; MU_EINVAL for a bad level, code or name; why (may be NULL) says which
 * ("level", "parent", "code", "name") and why. Runs in the caller's transaction if
 * there is one. */
int places_add(struct db *d, int64_t parent_id, int level, const char *code, const char *name,
	       int64_t *id, struct mu_why *why);

/* Bulk load: inserts n exactly as given (its id, counts and all), without touching
 * other rows. For generators that computed the counts themselves; no checks. */
int places_insert_raw(struct db *d, const struct places_node *n);

/* Reads one node by id or by code. MU_ENOTFOUND when absent. */
int places_get(struct db *d, int64_t id, struct places_node *out);
int places_find(struct db *d, const char *code, struct places_node *out);
/* The code of place id into out (size bytes, truncated to fit). MU_ENOTFOUND when absent.
 * Matches auth_config.place_code, which `muster serve` sets to it. */
int places_code_get(struct db *d, int64_t id, char *out, size_t size);

/* The ids from the root down to id (inclusive) in ids[0..*n); at most PLACES_NLEVELS. */
int places_path(struct db *d, int64_t id, int64_t ids[PLACES_NLEVELS], int *n);

/* True when id is node ancestor or id itself, from the path. */
int places_is_within(struct db *d, int64_t id, int64_t ancestor, bool *within);

/* Calls fn for each child of id in code order; stops early when fn returns non-zero
 * and returns that value. The node passed is borrowed for the call. */
int places_children(struct db *d, int64_t id, int (*fn)(const struct places_node *n, void *ctx),
		    void *ctx);
/* As places_children, from the first child whose code sorts after after (NULL or "":
 * from the first): a page resumes where the last one stopped, and fn's non-zero return
 * ends it (say, after a page's worth of children with people). */
int places_children_after(struct db *d, int64_t id, const char *after,
			  int (*fn)(const struct places_node *n, void *ctx), void *ctx);

/* The city: the id of the level-0 node, MU_ENOTFOUND before one is added. */
int places_root(struct db *d, int64_t *id);

/* The parent of id (0 for the root). MU_ENOTFOUND when id is no place. One index read:
 * for walks up the tree that stop early (the scan path's scope check). */
int places_parent(struct db *d, int64_t id, int64_t *parent_id);

/* Calls fn with the id, parent (0 for the root) and level of every place, parents
 * before children; stops when fn returns non-zero and returns that. For in-memory
 * copies of the tree's shape (screening's coverage aggregate). */
int places_tree(struct db *d, int (*fn)(int64_t id, int64_t parent_id, int level, void *ctx),
		void *ctx);

/* A place as a walk over one level gives it: its code and its parent's. */
struct places_ref {
	int64_t id, parent_id; /* parent_id 0 for the root */
	char code[PLACES_CODE_MAX + 1], parent_code[PLACES_CODE_MAX + 1];
};

/* Calls fn for every place at level in the subtree of root (root itself when it is at
 * that level; none when it is below it), depth-first in code order (each place's
 * subtree before its next sibling), in one query that descends no further than level.
 * The ref is borrowed for the call; fn may run other statements on d. Stops when fn
 * returns non-zero and returns that. E.g. the households of a grid with the code of
 * the building above each, or the grids of a district. */
int places_level_walk(struct db *d, int64_t root, int level,
		      int (*fn)(const struct places_ref *r, void *ctx), void *ctx);

/* Adds delta people to id and every ancestor of it. */
int places_people_add(struct db *d, int64_t id, int64_t delta);

/* Adds deltas[i] people to ids[i] and its ancestors, for n places at once: the deltas
 * are summed up the tree in memory first, so each touched place is updated once (a
 * bulk load touching 400 k households updates ~450 k rows, not 3.6 M). */
int places_people_add_many(struct db *d, const int64_t *ids, const int64_t *deltas, size_t n);

/* Recomputes every count of every node from the tree's rows, in one transaction:
 * households[i] holds people[i] people (n pairs; households not listed hold none) —
 * who lives where is people/'s to say (people_counts_rebuild gives these). For repair
 * after a bulk load and as the oracle in tests; slow at full scale (a full scan per
 * level and one update per listed household). */
int places_counts_rebuild(struct db *d, const int64_t *households, const int64_t *people, size_t n);

/* Calls fn for every node of the subtree of root (root included), parents before
 * children, in code order among siblings. */
int places_walk(struct db *d, int64_t root, int (*fn)(const struct places_node *n, void *ctx),
		void *ctx);

#endif
