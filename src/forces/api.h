/* forces/api.h: the forces HTTP API — forces (issue 14): organisations and their members, the
 * formation of a compound's temporary branch, deployments and the person-time ledger, service posts
 * and their supplies, the wartime switch. Registered by `muster serve` (cli/registry.c); the
 * handlers live in api.c and one api_<area>.c per area. */
#ifndef MU_FORCES_API_H
#define MU_FORCES_API_H

#include "forces.h"
#include "http/http.h"

struct db_writer;

extern const struct http_route forces_api_routes[];
/* Before the first request: keeps the database path and the writer (for the sweeps that
 * run on it) and starts each area's state; 0 or a negative MU_E*. fini stops them (safe
 * when init failed or never ran). */
int forces_api_init(const char *db_path, struct db_writer *writer);
void forces_api_fini(void);

/* ---- shared by api.c and api_*.c only ---------------------------------------------------- */

/* The server's database path and writer, as init kept them (NULL before). */
const char *forces__api_db_path(void);
struct db_writer *forces__api_writer(void);

/* ---- forces (helper forces) ---- */

/* api_orgs.c: loads the server's keys (names of members, people resolved from a body);
 * fini wipes them. */
int forces__api_orgs_init(const char *db_path);
void forces__api_orgs_fini(void);
const struct people_keys *forces__api_keys(void);
/* An RFC 3339 time as JSON (null for 0); a place as {code, name, level} (null when
 * absent). New references. */
json_t *forces__api_time_json(int64_t t);
json_t *forces__api_place_json(struct db *d, int64_t place);
/* Fails r with rc on why's field and text (copied into r's arena); rc alone when why
 * names no field. Returns rc. */
int forces__api_why_fail(struct http_req *r, int rc, const struct mu_why *why);
/* The person a body's PERSON names: a JSON integer (their id), or a text — a personal
 * code, an ID number, else an id written as text. MU_EINVAL for another JSON type,
 * MU_ENOTFOUND for nobody. */
int forces__api_person(struct http_req *r, const json_t *v, int64_t *id);
/* The signed-in user of r, 0 for a device. */
int64_t forces__api_user(const struct http_req *r);
/* The organisation of the path's {id}: 400 malformed, 404 unknown. */
int forces__api_org_param(struct http_req *r, struct forces_org *o);
json_t *forces__api_form_json(const struct forces_form_report *rp);
/* Place resolvers: an organisation's place ({id}), a body's "place", a deployment's. */
int forces__api_place_of_org(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int forces__api_place_of_body(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int forces__api_place_of_deployment(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int forces__api_post_org(struct http_req *r, struct http_resp *resp);
int forces__api_get_orgs(struct http_req *r, struct http_resp *resp);
int forces__api_get_org(struct http_req *r, struct http_resp *resp);
int forces__api_post_members(struct http_req *r, struct http_resp *resp);
int forces__api_post_form(struct http_req *r, struct http_resp *resp);
/* api_deploy.c */
int forces__api_post_deployment(struct http_req *r, struct http_resp *resp);
int forces__api_get_deployments(struct http_req *r, struct http_resp *resp);
int forces__api_get_deployment(struct http_req *r, struct http_resp *resp);
int forces__api_post_checkin(struct http_req *r, struct http_resp *resp);
int forces__api_post_checkout(struct http_req *r, struct http_resp *resp);
int forces__api_get_ledger(struct http_req *r, struct http_resp *resp);

/* ---- posts (helper posts) ---- */
/* api_posts.c: posts, supplies and the wartime switch — who may call them, handlers and
 * place resolvers. */
#include "auth/auth.h"
#define FORCES__POST_READ                                                                          \
	(AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF) |                        \
	 AUTH_R(AUTH_GRID_WORKER) | AUTH_R(AUTH_OPERATOR))
#define FORCES__STOCK_WRITE    (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF))
#define FORCES__HANDOUT	       (FORCES__STOCK_WRITE | AUTH_R(AUTH_GRID_WORKER))
#define FORCES__WARTIME_SWITCH (AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER))
#define FORCES__WARTIME_READ   (FORCES__POST_READ | AUTH_R(AUTH_AUDITOR))
int forces__api_get_posts(struct http_req *r, struct http_resp *resp);
int forces__api_get_alerts(struct http_req *r, struct http_resp *resp);
int forces__api_get_supply_ledger(struct http_req *r, struct http_resp *resp);
int forces__api_post_supplies(struct http_req *r, struct http_resp *resp);
int forces__api_post_move(struct http_req *r, struct http_resp *resp);
int forces__api_post_handout(struct http_req *r, struct http_resp *resp);
int forces__api_post_wartime(struct http_req *r, struct http_resp *resp);
int forces__api_get_wartime(struct http_req *r, struct http_resp *resp);
/* ?place=CODE: that place's path (places_api_of_query). */
int forces__api_place_of_query(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int forces__api_place_of_code(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int forces__api_place_of_move(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int forces__api_place_of_handout(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
/* POST /wartime's place: forces__api_place_of_body (api_orgs.c). */

#endif
