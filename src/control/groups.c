/* groups.c: three-person groups (三人小组: a medic, a community cadre, a police officer)
 * and the grids they hold (care_groups, group_grids, group_members). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

static const char sql_group_of_grid[] = "SELECT group_id FROM group_grids WHERE grid_id = ?";

int control_group_of_grid(struct db *d, int64_t grid_id, int64_t *group_id)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_group_of_grid, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, grid_id);
	rc = db_step(s);
	if (rc == DB_ROW)
		*group_id = db_col_i64(s, 0);
	db_stmt_done(s);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? MU_ENOTFOUND : rc < 0 ? rc : MU_EDB;
}
/* ---- adding and listing groups (helper tasks) ------------------------------------------ */

static const char *const duty_names[CONTROL_NDUTIES] = {"medic", "cadre", "police"};

const char *control_duty_name(int duty)
{
	return duty >= 0 && duty < CONTROL_NDUTIES ? duty_names[duty] : NULL;
}

static const char sql_group_insert[] = "INSERT INTO care_groups (name, created_at) VALUES (?, ?)";
static const char sql_group_grid_insert[] =
    "INSERT INTO group_grids (group_id, grid_id) VALUES (?, ?)";
static const char sql_group_member_insert[] =
    "INSERT INTO group_members (group_id, user_id, duty) VALUES (?, ?, ?)";
static const char sql_grid_holder[] = "SELECT group_id FROM group_grids WHERE grid_id = ?";

static int exec3(struct db *d, const char *sql, int64_t a, int64_t b, const char *c)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, a);
	db_bind_i64(s, 2, b);
	if (c)
		db_bind_text(s, 3, c, -1);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

int control_group_add(struct db *d, const char *name, const char *const *grids, size_t n,
		      const char *const members[CONTROL_NDUTIES], int64_t now, int64_t *id,
		      struct mu_why *why)
{
	struct places_node g[CONTROL_GROUP_GRIDS_MAX];
	struct auth_user u[CONTROL_NDUTIES];
	char gname[CONTROL_GROUP_NAME_MAX * 4 + 1];
	struct db_stmt *s;
	int rc;
	if (n == 0 || n > CONTROL_GROUP_GRIDS_MAX)
		return mu_why_set(why, MU_EINVAL, "grid", "a group holds 1 to %d grids",
				  CONTROL_GROUP_GRIDS_MAX);
	for (size_t i = 0; i < n; i++) {
		if ((rc = places_find(d, grids[i], &g[i])))
			return rc == MU_ENOTFOUND
				   ? mu_why_set(why, rc, "grid", "no place has code '%s'", grids[i])
				   : rc;
		if (g[i].level != PLACES_GRID)
			return mu_why_set(why, MU_EINVAL, "grid", "'%s' is a %s, not a grid",
					  grids[i], places_level_name(g[i].level));
		for (size_t j = 0; j < i; j++)
			if (g[j].id == g[i].id)
				return mu_why_set(why, MU_EINVAL, "grid",
						  "grid '%s' is named twice", grids[i]);
		if ((rc = db_prepare(d, sql_grid_holder, &s)))
			return rc;
		db_bind_i64(s, 1, g[i].id);
		rc = db_step(s);
		int64_t holder = rc == DB_ROW ? db_col_i64(s, 0) : 0;
		db_stmt_done(s);
		if (rc == DB_ROW)
			return mu_why_set(why, MU_EEXIST, "grid",
					  "grid '%s' is already held by group %lld", grids[i],
					  (long long)holder);
		if (rc != DB_DONE)
			return rc;
	}
	for (int k = 0; k < CONTROL_NDUTIES; k++) {
		const char *f = duty_names[k];
		if (!members[k] || !*members[k])
			return mu_why_set(why, MU_EINVAL, f, "the group needs its %s", f);
		if ((rc = auth_user_get(d, members[k], &u[k])))
			return rc == MU_ENOTFOUND
				   ? mu_why_set(why, rc, f, "no user is named '%s'", members[k])
				   : rc;
		if (u[k].disabled)
			return mu_why_set(why, MU_EINVAL, f, "user '%s' is disabled", members[k]);
		for (int j = 0; j < k; j++)
			if (u[j].id == u[k].id)
				return mu_why_set(why, MU_EINVAL, f,
						  "user '%s' is already the group's %s", members[k],
						  duty_names[j]);
		for (size_t i = 0; i < n; i++) {
			bool within = !u[k].place_id;
			if (u[k].place_id &&
			    (rc = places_is_within(d, g[i].id, u[k].place_id, &within)))
				return rc;
			if (!within)
				return mu_why_set(
				    why, MU_EFORBIDDEN, f,
				    "grid '%s' lies outside the jurisdiction of user '%s'",
				    g[i].code, members[k]);
		}
	}
	if (name && (rc = places_name_check(name, why))) {
		if (why)
			why->field = "name";
		return rc;
	}
	snprintf(gname, sizeof gname, "%s", name ? name : g[0].name);
	if ((rc = db_prepare(d, sql_group_insert, &s)))
		return rc;
	db_bind_text(s, 1, gname, -1);
	db_bind_i64(s, 2, now);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	*id = db_last_insert_id(d);
	for (size_t i = 0; i < n && !rc; i++)
		rc = exec3(d, sql_group_grid_insert, *id, g[i].id, NULL);
	for (int k = 0; k < CONTROL_NDUTIES && !rc; k++)
		rc = exec3(d, sql_group_member_insert, *id, u[k].id, duty_names[k]);
	return rc;
}

static const char sql_groups[] = "SELECT id, name, created_at FROM care_groups ORDER BY id";
static const char sql_groups_grids[] =
    "SELECT grid_id FROM group_grids WHERE group_id = ? ORDER BY grid_id";
static const char sql_groups_members[] =
    "SELECT user_id, duty FROM group_members WHERE group_id = ?";

/* Reads the grids and members of g (its id set). */
static int group_fill(struct db *d, struct control_group *g)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_groups_grids, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, g->id);
	g->ngrids = 0;
	while ((rc = db_step(s)) == DB_ROW)
		if (g->ngrids < CONTROL_GROUP_GRIDS_MAX)
			g->grid[g->ngrids++] = db_col_i64(s, 0);
	db_stmt_done(s);
	if (rc != DB_DONE || (rc = db_prepare(d, sql_groups_members, &s)))
		return rc == DB_DONE ? 0 : rc;
	db_bind_i64(s, 1, g->id);
	memset(g->member, 0, sizeof g->member);
	while ((rc = db_step(s)) == DB_ROW)
		for (int k = 0; k < CONTROL_NDUTIES; k++)
			if (!strcmp(db_col_text(s, 1), duty_names[k]))
				g->member[k] = db_col_i64(s, 0);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

int control_group_list(struct db *d, int64_t place_id,
		       int (*fn)(const struct control_group *g, void *ctx), void *ctx)
{
	struct db_stmt *s;
	struct control_group *v = NULL;
	size_t n = 0, cap = 0;
	int rc = db_prepare(d, sql_groups, &s);
	if (rc)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = mu_xrealloc(v, cap * sizeof *v);
		}
		memset(&v[n], 0, sizeof v[n]);
		v[n].id = db_col_i64(s, 0);
		snprintf(v[n].name, sizeof v[n].name, "%s", db_col_text(s, 1));
		v[n].created_at = db_col_i64(s, 2);
		n++;
	}
	db_stmt_done(s);
	rc = rc == DB_DONE ? 0 : rc;
	for (size_t i = 0; i < n && !rc; i++) {
		bool inside = !place_id;
		if ((rc = group_fill(d, &v[i])))
			break;
		for (size_t j = 0; j < v[i].ngrids && !inside && !rc; j++)
			rc = places_is_within(d, v[i].grid[j], place_id, &inside);
		if (!rc && inside)
			rc = fn(&v[i], ctx);
	}
	free(v);
	return rc;
}
