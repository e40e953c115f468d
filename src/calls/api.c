/* calls/api.c: the calls HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "auth/api.h"
#include "core/core.h"
#include "http/http.h"
#include "places/api.h"

/* ---- orders (helper orders) ---- */
#include "auth/auth.h"
#include "places/api.h"
/* Who issues orders (commanders and staff, in their jurisdiction), who acts for a target
 * and reads orders (grid workers too, for their grids). */
#define ORDER_ISSUE (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF))
#define ORDER_ACT   (ORDER_ISSUE | AUTH_R(AUTH_GRID_WORKER))
#define ORDER_READ  ORDER_ACT

static const char *db_path_kept;
static struct db_writer *writer_kept;

const char *calls__api_db_path(void)
{
	return db_path_kept;
}

struct db_writer *calls__api_writer(void)
{
	return writer_kept;
}

/* ---- calls (helper calls) ---- */
#define CALLS_LOG  (AUTH_R(AUTH_OPERATOR) | AUTH_R(AUTH_GRID_WORKER) | CALLS_SEE)
#define CALLS_SEE  (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF))
#define CALLS_WORK (AUTH_R(AUTH_GRID_WORKER) | AUTH_R(AUTH_OPERATOR) | CALLS_SEE)
#define CALLS_READ (AUTH_R(AUTH_GRID_WORKER) | AUTH_R(AUTH_OPERATOR) | CALLS_SEE)

const struct http_route calls_api_routes[] = {
    /* ---- calls (helper calls) ---- */
    {HTTP_POST, "/api/v1/calls", calls__api_post_call, CALLS_LOG, HTTP_ROUTE_PERSON,
     calls__api_place_of_call_body,
     "log a call for help at a household or building: routed to its grid's three-person "
     "group or its community, with a deadline by category and priority (shorter in wartime)"},
    {HTTP_GET, "/api/v1/calls", calls__api_get_calls, CALLS_READ, HTTP_ROUTE_PERSON,
     places_api_of_query,
     "the calls of a place's subtree, open, overdue or closed, newest first, a page at a time "
     "(the phone to those who serve the call, masked for the rest)"},
    {HTTP_GET, "/api/v1/calls/summary", calls__api_get_summary, CALLS_READ, 0, places_api_of_query,
     "open, overdue and today's closed calls of a place and each child, by category, with "
     "the day's median times to acknowledge and to close"},
    {HTTP_GET, "/api/v1/calls/{id}", calls__api_get_call, CALLS_READ, HTTP_ROUTE_PERSON,
     calls__api_place_of_call, "one call with every step, escalations included"},
    {HTTP_POST, "/api/v1/calls/{id}/ack", calls__api_post_ack, CALLS_WORK, 0,
     calls__api_place_of_call, "acknowledge a call: it climbs no further"},
    {HTTP_POST, "/api/v1/calls/{id}/progress", calls__api_post_progress, CALLS_WORK, 0,
     calls__api_place_of_call, "a progress note on an open call"},
    {HTTP_POST, "/api/v1/calls/{id}/close", calls__api_post_close, CALLS_WORK, 0,
     calls__api_place_of_call, "close a call with its outcome (required)"},

    /* ---- orders (helper orders) ---- */
    {HTTP_POST, "/api/v1/orders", calls__api_post_orders, ORDER_ISSUE, 0,
     calls__api_place_of_new_order,
     "issue an order to places below the caller's jurisdiction (a list of codes, or a level "
     "under a place); due defaults to 24 h, 6 h in wartime"},
    {HTTP_GET, "/api/v1/orders", calls__api_get_orders, ORDER_READ, 0, places_api_of_query,
     "the orders issued at or received by a place's subtree, newest first, with their roll-up"},
    {HTTP_GET, "/api/v1/orders/overdue", calls__api_get_overdue, ORDER_READ, 0, places_api_of_query,
     "the targets below a place past due and not done, each with the place above that waits"},
    {HTTP_GET, "/api/v1/orders/{id}", calls__api_get_order, ORDER_READ, 0,
     calls__api_place_of_order,
     "an order's targets as a tree with their states, and the roll-up per level"},
    {HTTP_POST, "/api/v1/orders/{id}/targets/{code}/ack", calls__api_post_order_ack, ORDER_ACT, 0,
     calls__api_place_of_target, "a target acknowledges an order"},
    {HTTP_POST, "/api/v1/orders/{id}/targets/{code}/done", calls__api_post_order_done, ORDER_ACT, 0,
     calls__api_place_of_target,
     "a target reports an order done (kept as reported until its forwarded targets are done)"},
    {HTTP_POST, "/api/v1/orders/{id}/targets/{code}/blocked", calls__api_post_order_blocked,
     ORDER_ACT, 0, calls__api_place_of_target,
     "a target reports it cannot carry out an order, with a note"},
    {HTTP_POST, "/api/v1/orders/{id}/targets/{code}/forward", calls__api_post_order_forward,
     ORDER_ACT, 0, calls__api_place_of_target, "a target forwards an order to places below it"},

    {0, NULL, NULL, 0, 0, NULL, NULL},
};

int calls_api_init(const char *db_path, struct db_writer *writer)
{
	int rc = 0;
	db_path_kept = db_path;
	writer_kept = writer;
	/* ---- calls (helper calls) ---- */
	if (rc == 0)
		rc = calls__calls_init(db_path, writer);

	/* ---- orders (helper orders) ---- */

	return rc;
}

void calls_api_fini(void)
{
	/* ---- calls (helper calls) ---- */
	calls__calls_fini();

	/* ---- orders (helper orders) ---- */

	db_path_kept = NULL;
	writer_kept = NULL;
}
