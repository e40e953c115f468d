/* control/api.c: the control HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "auth/auth.h"
#include "control_int.h"
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

    /* ---- tasks (helper tasks) ---- */

    /* ---- zones (helper zones) ---- */

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

	/* ---- tasks (helper tasks) ---- */

	/* ---- zones (helper zones) ---- */

	return rc;
}

void control_api_fini(void)
{
	/* ---- cases (helper cases) ---- */
	control__cases_api_fini();

	/* ---- plans (helper plans) ---- */

	/* ---- tasks (helper tasks) ---- */

	/* ---- zones (helper zones) ---- */

	db_path_kept = NULL;
	writer_kept = NULL;
}
