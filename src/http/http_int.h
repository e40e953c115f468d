/* http_int.h: names shared inside http/ only — the request metrics. */
#ifndef MU_HTTP_INT_H
#define MU_HTTP_INT_H

#include "http.h"

struct http__metrics;

/* Counters for every route of tables (plus one slot for unmatched requests). */
struct http__metrics *http__metrics_new(const struct http_route *const *tables);
void http__metrics_free(struct http__metrics *m);
/* Counts one request of route (NULL: unmatched) answered with status in seconds. */
void http__metrics_record(struct http__metrics *m, const struct http_route *route, int status,
			  double seconds);
/* Writes the Prometheus text of every counter and histogram. */
void http__metrics_write(struct http__metrics *m, struct mu_buf *out);

#endif
