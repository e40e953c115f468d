/* places/api.h: the places HTTP API (api.c) — its routes, and the place resolution every
 * capability's api.c shares: a place code from the query or the body, answered 400/404
 * on the request when it is malformed or unknown. */
#ifndef MU_PLACES_API_H
#define MU_PLACES_API_H

#include "http/http.h"
#include "places.h"

/* GET /api/v1/places/{code} and /children, registered by `muster serve`. */
extern const struct http_route places_api_routes[];

#endif
