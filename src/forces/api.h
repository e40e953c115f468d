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
int forces__api_get_ledger(struct http_req *r, struct http_resp *resp);
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
int forces__api_place_of_body(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);

#endif
