/* screening/api.h: the screening HTTP API — rounds, sites, labs, scans, sealing, lab
 * receipts and results, recalls, coverage, the roll-call and exemptions, registered by
 * `muster serve` (docs/roles.md lists them). */
#ifndef MU_SCREENING_API_H
#define MU_SCREENING_API_H

#include "http/http.h"
#include "screening.h"

extern const struct http_route screening_api_routes[];
/* Loads the keys of the server's database and builds the server's coverage aggregate
 * (every round) before the first request; every write's delta is applied to it after
 * its commit. fini frees the aggregate and wipes the keys. */
int screening_api_init(const char *db_path);
void screening_api_fini(void);

#endif
