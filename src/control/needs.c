/* needs.c: how many three-person groups each place needs — Guangzhou's rule of one group
 * per 200 households in a high zone, 400 in a medium one, 800 elsewhere — against the
 * groups that hold its grids. Reads the zones in force (zones table) and group_grids. */
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

int64_t control_need_groups(int64_t high, int64_t medium, int64_t other)
{
	/* In 800ths of a group: a high household weighs 4, a medium one 2, another 1. */
	int64_t w = high * (CONTROL_NEED_OTHER / CONTROL_NEED_HIGH) +
		    medium * (CONTROL_NEED_OTHER / CONTROL_NEED_MEDIUM) + other;
	return (w + CONTROL_NEED_OTHER - 1) / CONTROL_NEED_OTHER;
}

static const char sql_zones[] =
    "SELECT place_id, level FROM zones WHERE lifted_at IS NULL AND from_at <= ?"
    " ORDER BY place_id";
static const char sql_group_of_grid[] = "SELECT group_id FROM group_grids WHERE grid_id = ?";

struct zone {
	int64_t place;
	int level; /* 0 low, 1 medium, 2 high */
	int64_t households;
	int64_t path[PLACES_NLEVELS];
	int npath;
};

static int level_of(const char *s)
{
	return !strcmp(s, "high") ? 2 : !strcmp(s, "medium") ? 1 : 0;
}

static bool on_path(const int64_t *path, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (path[i] == id)
			return true;
	return false;
}

static int64_t households_of(const struct places_node *n)
{
	return n->level == PLACES_HOUSEHOLD ? 1 : n->below[PLACES_HOUSEHOLD];
}

struct needs {
	struct db *d;
	struct zone *z;
	size_t nz;
	int64_t *groups; /* distinct groups of the current child */
	size_t ng, capg;
	int (*fn)(const struct control_need *n, void *ctx);
	void *ctx;
};

static int add_group(const struct places_ref *ref, void *ctx)
{
	struct needs *x = ctx;
	struct db_stmt *s;
	int rc = db_prepare(x->d, sql_group_of_grid, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, ref->id);
	if ((rc = db_step(s)) == DB_ROW) {
		int64_t g = db_col_i64(s, 0);
		bool seen = false;
		for (size_t i = 0; i < x->ng && !seen; i++)
			seen = x->groups[i] == g;
		if (!seen) {
			if (x->ng == x->capg) {
				x->capg = x->capg ? x->capg * 2 : 16;
				x->groups = mu_xrealloc(x->groups, x->capg * sizeof *x->groups);
			}
			x->groups[x->ng++] = g;
		}
	}
	db_stmt_done(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : rc;
}

/* Whether zone i is hidden inside c by another zone of c at least as high that holds it
 * (or by one of the same place and level listed first). */
static bool shadowed(const struct needs *x, size_t i, int64_t child)
{
	const struct zone *z = &x->z[i];
	for (size_t j = 0; j < x->nz; j++) {
		const struct zone *o = &x->z[j];
		if (j == i || o->level < z->level || !on_path(o->path, o->npath, child) ||
		    o->place == child || !on_path(z->path, z->npath, o->place))
			continue;
		if (o->place != z->place || o->level > z->level || j < i)
			return true;
	}
	return false;
}

static int child_need(const struct places_node *c, void *ctx)
{
	struct needs *x = ctx;
	struct control_need n = {.place_id = c->id, .households = households_of(c)};
	int64_t path[PLACES_NLEVELS];
	int npath;
	int rc = places_path(x->d, c->id, path, &npath);
	if (rc)
		return rc;
	/* The highest zone over the child: on its path, itself included. */
	for (size_t i = 0; i < x->nz; i++)
		if (on_path(path, npath, x->z[i].place) && x->z[i].level > n.zone_level)
			n.zone_level = x->z[i].level;
	if (n.zone_level == 2) {
		n.high = n.households;
	} else {
		/* Zones inside it above its own level, each household counted once at the
		 * highest level over it. */
		int64_t medium_hh = 0, high_in_medium = 0;
		for (size_t i = 0; i < x->nz; i++) {
			const struct zone *z = &x->z[i];
			if (z->level <= n.zone_level || z->place == c->id ||
			    !on_path(z->path, z->npath, c->id) || shadowed(x, i, c->id))
				continue;
			if (z->level == 2) {
				n.high += z->households;
				/* A high zone inside a counted medium one leaves it. */
				for (size_t j = 0; j < x->nz; j++)
					if (x->z[j].level == 1 && j != i &&
					    on_path(z->path, z->npath, x->z[j].place) &&
					    x->z[j].place != c->id &&
					    on_path(x->z[j].path, x->z[j].npath, c->id) &&
					    !shadowed(x, j, c->id)) {
						high_in_medium += z->households;
						break;
					}
			} else {
				medium_hh += z->households;
			}
		}
		n.medium = medium_hh - high_in_medium;
		if (n.zone_level == 1)
			n.medium = n.households - n.high;
	}
	n.needed = control_need_groups(n.high, n.medium, n.households - n.high - n.medium);
	x->ng = 0;
	if (c->level <= PLACES_GRID &&
	    (rc = places_level_walk(x->d, c->id, PLACES_GRID, add_group, x)))
		return rc;
	n.staffed = (int64_t)x->ng;
	n.short_by = n.needed > n.staffed ? n.needed - n.staffed : 0;
	return x->fn(&n, x->ctx);
}

int control_needs_children(struct db *d, int64_t place_id, int64_t now,
			   int (*fn)(const struct control_need *n, void *ctx), void *ctx)
{
	struct needs x = {.d = d, .fn = fn, .ctx = ctx};
	struct db_stmt *s;
	size_t cap = 0;
	int rc = db_prepare(d, sql_zones, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, now);
	while ((rc = db_step(s)) == DB_ROW) {
		if (x.nz == cap) {
			cap = cap ? cap * 2 : 16;
			x.z = mu_xrealloc(x.z, cap * sizeof *x.z);
		}
		struct zone *z = &x.z[x.nz++];
		memset(z, 0, sizeof *z);
		z->place = db_col_i64(s, 0);
		z->level = level_of(db_col_text(s, 1));
	}
	db_stmt_done(s);
	rc = rc == DB_DONE ? 0 : rc;
	for (size_t i = 0; i < x.nz && !rc; i++) {
		struct places_node n;
		if (!(rc = places_get(d, x.z[i].place, &n)) &&
		    !(rc = places_path(d, n.id, x.z[i].path, &x.z[i].npath)))
			x.z[i].households = households_of(&n);
	}
	if (!rc)
		rc = places_children(d, place_id, child_need, &x);
	free(x.z);
	free(x.groups);
	return rc;
}
