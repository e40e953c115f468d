/* forces/api.c: the forces HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "auth/auth.h"
#include "core/core.h"
#include "http/http.h"
#include "places/api.h"

/* ---- posts (helper posts) ---- */
#define POST_READ                                                                                  \
	(AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF) |                        \
	 AUTH_R(AUTH_GRID_WORKER) | AUTH_R(AUTH_OPERATOR))
#define STOCK_WRITE    (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF))
#define HANDOUT	       (STOCK_WRITE | AUTH_R(AUTH_GRID_WORKER))
#define WARTIME_SWITCH (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER))
#define WARTIME_READ   (POST_READ | AUTH_R(AUTH_AUDITOR))

static const char *db_path_kept;
static struct db_writer *writer_kept;

const char *forces__api_db_path(void)
{
	return db_path_kept;
}

struct db_writer *forces__api_writer(void)
{
	return writer_kept;
}

const struct http_route forces_api_routes[] = {
    /* ---- forces (helper forces) ---- */

    /* ---- posts (helper posts) ---- */
    {HTTP_GET, "/api/v1/posts", forces__api_get_posts, POST_READ, 0, places_api_of_query,
     "the service posts of a place (below a community: those serving it) with their stock, "
     "low-stock flags and duty mode"},
    {HTTP_POST, "/api/v1/posts/{code}/supplies", forces__api_post_supplies, STOCK_WRITE, 0,
     forces__api_place_of_code, "receive stock at the post of a street or community"},
    {HTTP_POST, "/api/v1/supplies/move", forces__api_post_move, STOCK_WRITE, 0,
     forces__api_place_of_move, "move stock from one post to another (never below zero)"},
    {HTTP_POST, "/api/v1/supplies/handout", forces__api_post_handout, HANDOUT, 0,
     forces__api_place_of_handout, "hand stock out at a post"},
    {HTTP_GET, "/api/v1/supplies/ledger", forces__api_get_ledger, POST_READ, 0, places_api_of_query,
     "every change of stock at the posts of a place, newest first"},
    {HTTP_GET, "/api/v1/supplies/alerts", forces__api_get_alerts, POST_READ, 0, places_api_of_query,
     "items below their low mark at the posts of a place"},
    {HTTP_POST, "/api/v1/wartime", forces__api_post_wartime, WARTIME_SWITCH, 0,
     forces__api_place_of_body,
     "switch a district or the city to wartime or back; standing shock teams follow"},
    {HTTP_GET, "/api/v1/wartime", forces__api_get_wartime, WARTIME_READ, 0, places_api_of_query,
     "a place's mode, the switches on it and above it, and the wartime board"},

    {0, NULL, NULL, 0, 0, NULL, NULL},
};

int forces_api_init(const char *db_path, struct db_writer *writer)
{
	int rc = 0;
	db_path_kept = db_path;
	writer_kept = writer;
	/* ---- forces (helper forces) ---- */

	/* ---- posts (helper posts) ---- */

	return rc;
}

void forces_api_fini(void)
{
	/* ---- forces (helper forces) ---- */

	/* ---- posts (helper posts) ---- */

	db_path_kept = NULL;
	writer_kept = NULL;
}
