/* forces/api.c: the forces HTTP API's route table and its start and stop; each area's
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

const char *forces__api_db_path(void)
{
	return db_path_kept;
}

struct db_writer *forces__api_writer(void)
{
	return writer_kept;
}

/* ---- forces (helper forces) ---- */
#define FORCES_WRITE (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF))
#define FORCES_READ  (FORCES_WRITE | AUTH_R(AUTH_GRID_WORKER))
#define FORCES_FIELD (FORCES_WRITE | AUTH_R(AUTH_GRID_WORKER))

const struct http_route forces_api_routes[] = {
    /* ---- forces (helper forces) ---- */
    {HTTP_POST, "/api/v1/orgs", forces__api_post_org, FORCES_WRITE, 0, forces__api_place_of_body,
     "add an organisation (party committee, branch, shock team, squad, hospital…) at a place"},
    {HTTP_GET, "/api/v1/orgs", forces__api_get_orgs, FORCES_READ, 0, places_api_of_query,
     "the organisations placed in a subtree, of a kind when given, a page at a time"},
    {HTTP_GET, "/api/v1/orgs/{id}", forces__api_get_org, FORCES_READ, HTTP_ROUTE_PERSON,
     forces__api_place_of_org,
     "one organisation with its members (residents' names masked outside the caller's "
     "jurisdiction), a page at a time"},
    {HTTP_POST, "/api/v1/orgs/{id}/members", forces__api_post_members, FORCES_WRITE,
     HTTP_ROUTE_PERSON, forces__api_place_of_org,
     "add residents or users to an organisation with their role and flags, answered per item"},
    {HTTP_POST, "/api/v1/forces/form", forces__api_post_form, FORCES_WRITE, HTTP_ROUTE_PERSON,
     forces__api_place_of_body,
     "form a compound: a temporary branch, a group per building of its party members, a "
     "volunteer team, and the counts"},
    {HTTP_POST, "/api/v1/deployments", forces__api_post_deployment, FORCES_WRITE, HTTP_ROUTE_PERSON,
     forces__api_place_of_body,
     "send an organisation (or some of its members) or people to a place for a shift"},
    {HTTP_GET, "/api/v1/deployments", forces__api_get_deployments, FORCES_READ, 0,
     places_api_of_query,
     "the shifts placed in a subtree, newest first; active=1: who is where now"},
    {HTTP_GET, "/api/v1/deployments/{id}", forces__api_get_deployment, FORCES_READ,
     HTTP_ROUTE_PERSON, forces__api_place_of_deployment,
     "one shift with the people on it and their check-in and check-out"},
    {HTTP_POST, "/api/v1/deployments/{id}/checkin", forces__api_post_checkin, FORCES_FIELD, 0,
     forces__api_place_of_deployment, "check in one person of a shift, or all of them"},
    {HTTP_POST, "/api/v1/deployments/{id}/checkout", forces__api_post_checkout, FORCES_FIELD, 0,
     forces__api_place_of_deployment, "check out one person of a shift, or all of them"},
    {HTTP_GET, "/api/v1/ledger", forces__api_get_ledger, FORCES_READ, 0, places_api_of_query,
     "person-times (one per person per shift) per Guangzhou day, organisation and place in a "
     "subtree, or the range's totals per organisation or per street"},

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
     forces__api_place_of_handout,
     "hand stock out at a post, against a call when one asked for it (closing it delivered)"},
    {HTTP_GET, "/api/v1/supplies/ledger", forces__api_get_supply_ledger, FORCES__POST_READ, 0,
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
	if (rc == 0)
		rc = forces__api_orgs_init(db_path);

	/* ---- posts (helper posts) ---- */

	return rc;
}

void forces_api_fini(void)
{
	/* ---- forces (helper forces) ---- */
	forces__api_orgs_fini();

	/* ---- posts (helper posts) ---- */

	db_path_kept = NULL;
	writer_kept = NULL;
}
