/* forces/api.c: the forces HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "core/core.h"
#include "http/http.h"

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
    {HTTP_GET, "/api/v1/posts", forces__api_get_posts, FORCES__POST_READ, 0,
     forces__api_place_of_query,
     "the service posts of a place (below a community: those serving it) with their stock, "
     "low-stock flags and duty mode"},
    {HTTP_POST, "/api/v1/posts/{code}/supplies", forces__api_post_supplies, FORCES__STOCK_WRITE, 0,
     forces__api_place_of_code, "receive stock at the post of a street or community"},
    {HTTP_POST, "/api/v1/supplies/move", forces__api_post_move, FORCES__STOCK_WRITE, 0,
     forces__api_place_of_move, "move stock from one post to another (never below zero)"},
    {HTTP_POST, "/api/v1/supplies/handout", forces__api_post_handout, FORCES__HANDOUT, 0,
     forces__api_place_of_handout, "hand stock out at a post"},
    {HTTP_GET, "/api/v1/supplies/ledger", forces__api_get_ledger, FORCES__POST_READ, 0,
     forces__api_place_of_query, "every change of stock at the posts of a place, newest first"},
    {HTTP_GET, "/api/v1/supplies/alerts", forces__api_get_alerts, FORCES__POST_READ, 0,
     forces__api_place_of_query, "items below their low mark at the posts of a place"},
    {HTTP_POST, "/api/v1/wartime", forces__api_post_wartime, FORCES__WARTIME_SWITCH, 0,
     forces__api_place_of_body,
     "switch a district or the city to wartime or back; standing shock teams follow"},
    {HTTP_GET, "/api/v1/wartime", forces__api_get_wartime, FORCES__WARTIME_READ, 0,
     forces__api_place_of_query,
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
