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

/* ---- orders (helper orders) ---- */

#endif
