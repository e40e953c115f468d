/* screening/api.h: the screening HTTP API (api.c, api_scan.c) — rounds, sites, labs,
 * scans, sealing, lab receipts and results, recalls, coverage, the roll-call and
 * exemptions, registered by `muster serve` (docs/roles.md lists them). */
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
/* The server's coverage aggregate, for other capabilities' reads of who is missing from
 * a round (screening_missing_of); NULL outside a server. Valid until screening_api_fini. */
struct screening_cov *screening_api_cov(void);

/* ---- shared by api.c and api_scan.c only -----------------------------------------------
 * api.c holds the server's state, the route table and the read and setup routes;
 * api_scan.c the device path (scans, sealing, lab receipts and results, a lab's view). */

#define SCREENING__API_PAGE 100 /* rows of a page when ?limit= is absent */

struct people_keys;
/* The server's keys, loaded by screening_api_init. */
const struct people_keys *screening__api_keys(void);
/* Applies a committed write's delta to the server's coverage aggregate. A failure leaves
 * the aggregate behind the database (the truth) until it is rebuilt: logged, not
 * answered. */
void screening__api_cov_apply(struct http_req *r, const struct screening_delta *dl);
/* An ISO 8601 time as JSON; null for 0. A new reference. */
json_t *screening__api_time_json(int64_t t);

/* api_scan.c's handlers and resolver, for the route table. */
int screening__api_post_scans(struct http_req *r, struct http_resp *resp);
int screening__api_post_seal(struct http_req *r, struct http_resp *resp);
int screening__api_post_receipts(struct http_req *r, struct http_resp *resp);
int screening__api_post_results(struct http_req *r, struct http_resp *resp);
int screening__api_get_labs(struct http_req *r, struct http_resp *resp);
int screening__api_get_lab_backlog(struct http_req *r, struct http_resp *resp);
int screening__api_place_of_tube(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
/* api_person.c: a person's screening, and its resolver (the person's household path). */
int screening__api_get_person(struct http_req *r, struct http_resp *resp);
int screening__api_place_of_person(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);

#endif
