/* calls/api.h: the calls HTTP API — calls for help and orders (issue 14): calls with their routing,
 * deadlines and escalation, orders down the tree with forwarding and roll-up, and the wartime
 * switch's state. Registered by `muster serve` (cli/registry.c); the handlers live in api.c and one
 * api_<area>.c per area. */
#ifndef MU_CALLS_API_H
#define MU_CALLS_API_H

#include "calls.h"
#include "http/http.h"

struct db_writer;

extern const struct http_route calls_api_routes[];
/* Before the first request: keeps the database path and the writer (for the sweeps that
 * run on it) and starts each area's state; 0 or a negative MU_E*. fini stops them (safe
 * when init failed or never ran). */
int calls_api_init(const char *db_path, struct db_writer *writer);
void calls_api_fini(void);

/* ---- shared by api.c and api_*.c only ---------------------------------------------------- */

/* The server's database path and writer, as init kept them (NULL before). */
const char *calls__api_db_path(void);
struct db_writer *calls__api_writer(void);

/* ---- calls (helper calls) ---- */
/* api_calls.c: its state (the keys of the callers' phones, the escalation sweep's thread,
 * which submits calls_sweep to the writer every CALLS__SWEEP_S seconds), handlers and
 * resolvers. */
#define CALLS__SWEEP_S 2
int calls__calls_init(const char *db_path, struct db_writer *writer);
void calls__calls_fini(void);
int calls__api_post_call(struct http_req *r, struct http_resp *resp);
int calls__api_post_ack(struct http_req *r, struct http_resp *resp);
int calls__api_post_progress(struct http_req *r, struct http_resp *resp);
int calls__api_post_close(struct http_req *r, struct http_resp *resp);
int calls__api_get_calls(struct http_req *r, struct http_resp *resp);
int calls__api_get_call(struct http_req *r, struct http_resp *resp);
int calls__api_get_summary(struct http_req *r, struct http_resp *resp);
int calls__api_place_of_call_body(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int calls__api_place_of_call(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);

/* ---- orders (helper orders) ---- */
/* api_orders.c's handlers and resolvers. */
int calls__api_post_orders(struct http_req *r, struct http_resp *resp);
int calls__api_post_order_ack(struct http_req *r, struct http_resp *resp);
int calls__api_post_order_done(struct http_req *r, struct http_resp *resp);
int calls__api_post_order_blocked(struct http_req *r, struct http_resp *resp);
int calls__api_post_order_forward(struct http_req *r, struct http_resp *resp);
int calls__api_get_order(struct http_req *r, struct http_resp *resp);
int calls__api_get_orders(struct http_req *r, struct http_resp *resp);
int calls__api_get_overdue(struct http_req *r, struct http_resp *resp);
int calls__api_place_of_new_order(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int calls__api_place_of_target(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
int calls__api_place_of_order(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);

#endif
