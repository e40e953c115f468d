/* control/api.h: the control HTTP API — grid control (issue 13): cases, contacts and chains, files
 * and plans, check-ins, the health code, three-person groups and their tasks, risk zones.
 * Registered by `muster serve` (cli/registry.c); the handlers live in api.c and one api_<area>.c
 * per area. */
#ifndef MU_CONTROL_API_H
#define MU_CONTROL_API_H

#include "control.h"
#include "http/http.h"

struct db_writer;

extern const struct http_route control_api_routes[];
/* Before the first request: keeps the database path and the writer (for the sweeps that
 * run on it) and starts each area's state; 0 or a negative MU_E*. fini stops them (safe
 * when init failed or never ran). */
int control_api_init(const char *db_path, struct db_writer *writer);
void control_api_fini(void);

/* ---- shared by api.c and api_*.c only ---------------------------------------------------- */

/* The server's database path and writer, as init kept them (NULL before). */
const char *control__api_db_path(void);
struct db_writer *control__api_writer(void);

/* ---- cases (helper cases) ---- */

/* ---- plans (helper plans) ---- */

/* ---- tasks (helper tasks) ---- */

/* ---- zones (helper zones) ---- */
#include "auth/auth.h"	 /* AUTH_R: the roles of the zone routes */
#include "control_int.h" /* control__hooks_set, control__zones_reset */
#include "places/api.h"	 /* places_api_of_query: GET /zones' resolver */
#define CONTROL__ZONE_WRITE (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF))
#define CONTROL__ZONE_READ  (CONTROL__ZONE_WRITE | AUTH_R(AUTH_GRID_WORKER))
/* api_zones.c: POST /zones, /zones/{id}/lift, /zones/{id}/downgrade, GET /zones; their
 * resolvers: the body's place, and the zone's place. */
int control__api_post_zone(struct http_req *r, struct http_resp *resp);
int control__api_post_lift(struct http_req *r, struct http_resp *resp);
int control__api_post_downgrade(struct http_req *r, struct http_resp *resp);
int control__api_get_zones(struct http_req *r, struct http_resp *resp);
int control__api_place_of_zone_body(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int control__api_place_of_zone(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);

#endif
