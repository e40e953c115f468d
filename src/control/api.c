/* control/api.c: the control HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "core/core.h"
#include "http/http.h"

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

    /* ---- plans (helper plans) ---- */

    /* ---- tasks (helper tasks) ---- */

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

	/* ---- plans (helper plans) ---- */

	/* ---- tasks (helper tasks) ---- */

	/* ---- zones (helper zones) ---- */
	control__hooks_set();

	return rc;
}

void control_api_fini(void)
{
	/* ---- cases (helper cases) ---- */

	/* ---- plans (helper plans) ---- */

	/* ---- tasks (helper tasks) ---- */

	/* ---- zones (helper zones) ---- */
	control__zones_reset();

	db_path_kept = NULL;
	writer_kept = NULL;
}
