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

/* api_cases.c: loads the server's keys (names, personal codes); fini wipes them. */
int control__cases_api_init(const char *db_path);
void control__cases_api_fini(void);
/* Handlers and resolvers for the route table (api_cases.c). */
int control__api_post_case(struct http_req *r, struct http_resp *resp);
int control__api_post_reclassify(struct http_req *r, struct http_resp *resp);
int control__api_post_hospitalise(struct http_req *r, struct http_resp *resp);
int control__api_post_discharge(struct http_req *r, struct http_resp *resp);
int control__api_post_contacts(struct http_req *r, struct http_resp *resp);
int control__api_get_cases(struct http_req *r, struct http_resp *resp);
int control__api_get_epi(struct http_req *r, struct http_resp *resp);
int control__api_get_chain(struct http_req *r, struct http_resp *resp);
int control__api_place_of_case(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int control__api_place_of_body_person(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);

/* ---- plans (helper plans) ---- */

/* api_plans.c: the plans' state (keys, screening's hooks, the sweep and colour timer),
 * started and stopped by control_api_init/fini. */
int control__plans_init(const char *db_path);
void control__plans_fini(void);
/* The place of the person of the path {id}: their household's path. */
int control__api_place_of_person(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int control__api_get_file(struct http_req *r, struct http_resp *resp);
int control__api_get_keypersons(struct http_req *r, struct http_resp *resp);
int control__api_post_checkin(struct http_req *r, struct http_resp *resp);

/* ---- tasks (helper tasks) ---- */

/* api_tasks.c: loads the keys (masked names) and, with a writer, starts the sweep that
 * records missed tasks' climbs every 60 s (and once at start); fini stops it and wipes the
 * keys. */
int control__api_tasks_init(const char *db_path, struct db_writer *writer);
void control__api_tasks_fini(void);
/* Its handlers and the resolver of a task's place (the person's household path). */
int control__api_get_groups(struct http_req *r, struct http_resp *resp);
int control__api_get_needs(struct http_req *r, struct http_resp *resp);
int control__api_get_tasks(struct http_req *r, struct http_resp *resp);
int control__api_get_overdue(struct http_req *r, struct http_resp *resp);
int control__api_post_task_done(struct http_req *r, struct http_resp *resp);
int control__api_place_of_task(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);

/* ---- zones (helper zones) ---- */
#include "auth/auth.h"	 /* AUTH_R: the roles of the zone routes */
#include "control_int.h" /* control__zones_reset */
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
