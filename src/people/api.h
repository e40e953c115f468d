/* people/api.h: the people HTTP API (api.c) — GET /api/v1/people, /api/v1/people/{id},
 * its QR code and /api/v1/codes/{code}, registered by `muster serve`. */
#ifndef MU_PEOPLE_API_H
#define MU_PEOPLE_API_H

#include "core/core.h"
#include "http/http.h"
#include "people.h"

extern const struct http_route people_api_routes[];
/* Loads the keys of the server's database (before the first request) and starts filling
 * the codebook (a missing codebook is only slower); fini stops it and wipes the keys. */
int people_api_init(const char *db_path);
void people_api_fini(void);
/* The health-code reasons (PEOPLE_REASON_* bits) of person id as GET /api/v1/codes
 * answers them: set by control after the commit that changed them, read from memory
 * (beside the codebook entry, or a small table for ids past it). Any thread. */
void people_api_reasons_set(int64_t id, unsigned reasons);
unsigned people_api_reasons(int64_t id);
/* The codebook's gauges, in Prometheus text. */
void people_api_metrics(struct mu_buf *out);

#endif
