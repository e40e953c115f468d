/* control/api.c: the control HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "auth/auth.h"
#include "control_int.h"
#include "core/core.h"
#include "http/http.h"
#include "places/api.h"

/* ---- plans (helper plans) ---- */

/* Files, key persons and check-ins: the roles that serve key persons, in jurisdiction. */
#define KEYP_READ                                                                                  \
	(AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF) |                        \
	 AUTH_R(AUTH_GRID_WORKER))
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
#define CASES_RW (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF))
    {HTTP_POST, "/api/v1/cases", control__api_post_case, CASES_RW, HTTP_ROUTE_PERSON,
     control__api_place_of_body_person,
     "open a case (confirmed or asymptomatic) for a person; starts their case status"},
    {HTTP_GET, "/api/v1/cases", control__api_get_cases, CASES_RW, HTTP_ROUTE_PERSON,
     places_api_of_query, "the cases counted under a place, newest first, a page at a time"},
    {HTTP_POST, "/api/v1/cases/{id}/reclassify", control__api_post_reclassify, CASES_RW,
     HTTP_ROUTE_PERSON, control__api_place_of_case, "change a case's kind"},
    {HTTP_POST, "/api/v1/cases/{id}/hospitalise", control__api_post_hospitalise, CASES_RW,
     HTTP_ROUTE_PERSON, control__api_place_of_case, "record a case's admission to hospital"},
    {HTTP_POST, "/api/v1/cases/{id}/discharge", control__api_post_discharge, CASES_RW,
     HTTP_ROUTE_PERSON, control__api_place_of_case,
     "discharge a case; ends the person's case status"},
    {HTTP_POST, "/api/v1/cases/{id}/contacts", control__api_post_contacts, CASES_RW,
     HTTP_ROUTE_PERSON, control__api_place_of_case,
     "list close and secondary contacts of a case (or its household, or a building), "
     "answered per person"},
    {HTTP_GET, "/api/v1/chains/{id}", control__api_get_chain, CASES_RW, HTTP_ROUTE_PERSON,
     control__api_place_of_case,
     "the transmission chain holding a case: people, roles, generations, links, serial "
     "intervals"},
    {HTTP_GET, "/api/v1/epi", control__api_get_epi, CASES_RW, 0, places_api_of_query,
     "a place's daily curve of cases and discharges, days since the last case and the "
     "tracing indicators"},
#undef CASES_RW

    /* ---- plans (helper plans) ---- */
    {HTTP_GET, "/api/v1/people/{id}/file", control__api_get_file, KEYP_READ, HTTP_ROUTE_PERSON,
     control__api_place_of_person,
     "a key person's file: who and where, statuses in force, plans with their tests, "
     "check-ins and history"},
    {HTTP_GET, "/api/v1/keypersons", control__api_get_keypersons, KEYP_READ, HTTP_ROUTE_PERSON,
     places_api_of_query,
     "key persons under a place with their statuses, colour and plan progress, a page at a "
     "time"},
    {HTTP_POST, "/api/v1/people/{id}/checkins", control__api_post_checkin, KEYP_READ,
     HTTP_ROUTE_PERSON, control__api_place_of_person,
     "a key person's daily check-in: temperature and symptoms (fever: the medic's task)"},

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
    {HTTP_POST, "/api/v1/zones", control__api_post_zone, CONTROL__ZONE_WRITE, 0,
     control__api_place_of_zone_body,
     "draw a risk zone on a street, community, compound or building (sealed: its residents"
     " get a sealed status)"},
    {HTTP_POST, "/api/v1/zones/{id}/lift", control__api_post_lift, CONTROL__ZONE_WRITE, 0,
     control__api_place_of_zone, "lift a zone (its residents' sealed statuses end)"},
    {HTTP_POST, "/api/v1/zones/{id}/downgrade", control__api_post_downgrade, CONTROL__ZONE_WRITE, 0,
     control__api_place_of_zone,
     "lower a zone's level: the zone is lifted and one at the lower level opened"},
    {HTTP_GET, "/api/v1/zones", control__api_get_zones, CONTROL__ZONE_READ, 0, places_api_of_query,
     "zones of a subtree: people inside, their statuses and colours, the lift or downgrade"
     " proposal"},

    {0, NULL, NULL, 0, 0, NULL, NULL},
};

int control_api_init(const char *db_path, struct db_writer *writer)
{
	int rc = 0;
	db_path_kept = db_path;
	writer_kept = writer;
	/* ---- cases (helper cases) ---- */
	control__hooks_set();
	if (rc == 0)
		rc = control__cases_api_init(db_path);

	/* ---- plans (helper plans) ---- */
	if (rc == 0)
		rc = control__plans_init(db_path);

	/* ---- tasks (helper tasks) ---- */
	if (rc == 0)
		rc = control__api_tasks_init(db_path, writer);

	/* ---- zones (helper zones): the tube policy asks zones.c (hooks.c) ---- */

	return rc;
}

void control_api_fini(void)
{
	/* ---- cases (helper cases) ---- */
	control__cases_api_fini();

	/* ---- plans (helper plans) ---- */
	control__plans_fini();

	/* ---- tasks (helper tasks) ---- */
	control__api_tasks_fini();

	/* ---- zones (helper zones) ---- */
	control__zones_reset();

	db_path_kept = NULL;
	writer_kept = NULL;
}
