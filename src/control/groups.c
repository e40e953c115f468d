/* groups.c: three-person groups (三人小组: a medic, a community cadre, a police officer)
 * and the grids they hold (care_groups, group_grids, group_members). */
#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"

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
