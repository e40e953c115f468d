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

#endif
