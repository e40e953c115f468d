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

#endif
