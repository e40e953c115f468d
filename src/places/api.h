/* places/api.h: the places HTTP API (api.c) — its routes, and the place resolution every
 * capability's api.c shares: a place code from the query or the body, answered 400/404
 * on the request when it is malformed or unknown. */
#ifndef MU_PLACES_API_H
#define MU_PLACES_API_H

#include "http/http.h"
#include "places.h"

/* GET /api/v1/places/{code} and /children, registered by `muster serve`. */
extern const struct http_route places_api_routes[];

/* Serving db_path: opens the path index (places_pathindex_open); fini closes it. */
int places_api_init(const char *db_path);
void places_api_fini(void);
/* muster_place_codes_ready and muster_place_codes (the code map, places_codeindex_open). */
void places_api_metrics(struct mu_buf *out);

/* The place whose code is `code`, named by `field` of r (a path or query parameter, a
 * body member; code NULL when absent): 400 on field when missing or not a place code,
 * 404 when no place has it. Reads through the request's connection; a request's second
 * resolution of the same field and code (its route's place resolver, then its handler)
 * is answered from the first. */
int places_api_resolve(struct http_req *r, const char *field, const char *code,
		       struct places_node *node);
/* As places_api_resolve for a caller that needs only the place's id: answered from the
 * code map, without reading the node (same answers: 400 on field, 404). */
int places_api_resolve_id(struct http_req *r, const char *field, const char *code, int64_t *id);
/* The place of the query parameter `place` (required). */
int places_api_query(struct http_req *r, struct places_node *node);
/* A route's place resolver (http_route.place) for ?place=CODE: that place's path. */
int places_api_of_query(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);

#endif
