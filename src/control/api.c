/* control/api.c: the control HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "auth/api.h"
#include "auth/auth.h"
#include "core/core.h"
#include "http/http.h"
#include "places/api.h"

static const char *db_path_kept;
static struct db_writer *writer_kept;

const char *control__api_db_path(void)
{
	return db_path_kept;
}

struct db_writer *control__api_writer(void)
{
	return writer_kept;
}

/* ---- tasks (helper tasks) ---- */
/* A grid's day: the roles that serve a grid (a grid worker only inside their own); the
 * staffing needs: those who staff groups. */
#define TASKS_READ                                                                                 \
	(AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF) |                        \
	 AUTH_R(AUTH_GRID_WORKER))
#define NEEDS_READ (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF))

const struct http_route control_api_routes[] = {
    /* ---- cases (helper cases) ---- */

    /* ---- plans (helper plans) ---- */

    /* ---- tasks (helper tasks) ---- */
    {HTTP_GET, "/api/v1/groups", control__api_get_groups, TASKS_READ, 0, places_api_of_query,
     "the three-person groups holding a grid inside a place, with their grids and members"},
    {HTTP_GET, "/api/v1/groups/needs", control__api_get_needs, NEEDS_READ, 0, places_api_of_query,
     "groups needed (one per 200 households in a high zone, 400 in a medium one, 800 "
     "elsewhere) against groups staffed, for each child of a place"},
    {HTTP_GET, "/api/v1/tasks", control__api_get_tasks, TASKS_READ, HTTP_ROUTE_PERSON,
     places_api_of_query,
     "a grid's tasks of a day (recalls, plan tests, check-ins, fevers, roll-call) by building "
     "then household, a page at a time"},
    {HTTP_GET, "/api/v1/tasks/overdue", control__api_get_overdue, TASKS_READ, HTTP_ROUTE_PERSON,
     places_api_of_query,
     "the missed tasks that climbed to a community or a street, with the time they reached it"},
    {HTTP_POST, "/api/v1/tasks/{id}/done", control__api_post_task_done, TASKS_READ,
     HTTP_ROUTE_PERSON, control__api_place_of_task,
     "mark a task done with an optional result and note (a second time answers duplicate)"},

    /* ---- zones (helper zones) ---- */

    {0, NULL, NULL, 0, 0, NULL, NULL},
};

int control_api_init(const char *db_path, struct db_writer *writer)
{
	int rc = 0;
	db_path_kept = db_path;
	writer_kept = writer;
	/* ---- cases (helper cases) ---- */

	/* ---- plans (helper plans) ---- */

	/* ---- tasks (helper tasks) ---- */
	if (rc == 0)
		rc = control__api_tasks_init(db_path, writer);

	/* ---- zones (helper zones) ---- */

	return rc;
}

void control_api_fini(void)
{
	/* ---- cases (helper cases) ---- */

	/* ---- plans (helper plans) ---- */

	/* ---- tasks (helper tasks) ---- */
	control__api_tasks_fini();

	/* ---- zones (helper zones) ---- */

	db_path_kept = NULL;
	writer_kept = NULL;
}
