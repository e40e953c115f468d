/* metrics.c: request counters per route and status, and a latency histogram per
 * route, kept with relaxed atomics and written in Prometheus text format. */
#include <stdatomic.h>
#include <stdlib.h>

#include "http_int.h"

static const int statuses[] = {200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 429, 500, 503};
#define NSTATUS ((int)(sizeof statuses / sizeof statuses[0]) + 1) /* + "other" */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				 0.05,	 0.1,	0.25,	0.5,   1,    2.5};
#define NBUCKET ((int)(sizeof buckets / sizeof buckets[0]))

struct slot {
	const struct http_route *route; /* NULL for unmatched */
	atomic_uint_fast64_t by_status[NSTATUS];
	atomic_uint_fast64_t bucket[NBUCKET + 1]; /* the last is +Inf */
	atomic_uint_fast64_t micros;
};

struct http__metrics {
	int n;
	struct slot *slots;
};

struct http__metrics *http__metrics_new(const struct http_route *const *tables)
{
	int n = 1;
	for (const struct http_route *const *t = tables; *t; t++)
		for (const struct http_route *r = *t; r->pattern; r++)
			n++;
	struct http__metrics *m = mu_xcalloc(1, sizeof *m);
	m->slots = mu_xcalloc((size_t)n, sizeof *m->slots);
	m->n = n;
	int i = 1;
	for (const struct http_route *const *t = tables; *t; t++)
		for (const struct http_route *r = *t; r->pattern; r++)
			m->slots[i++].route = r;
	return m;
}

void http__metrics_free(struct http__metrics *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

void http__metrics_record(struct http__metrics *m, const struct http_route *route, int status,
			  double seconds)
{
	struct slot *s = &m->slots[0];
	if (route)
		for (int i = 1; i < m->n; i++)
			if (m->slots[i].route == route) {
				s = &m->slots[i];
				break;
			}
	int k = NSTATUS - 1;
	for (int i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			k = i;
	atomic_fetch_add_explicit(&s->by_status[k], 1, memory_order_relaxed);
	int b = NBUCKET;
	for (int i = 0; i < NBUCKET; i++)
		if (seconds <= buckets[i]) {
			b = i;
			break;
		}
	atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->micros, (uint_fast64_t)(seconds * 1e6), memory_order_relaxed);
}

static void labels(struct mu_buf *out, const struct slot *s)
{
	if (s->route)
		mu_buf_printf(out, "method=\"%s\",route=\"%s\"", http_method_name(s->route->method),
			      s->route->pattern);
	else
		mu_buf_puts(out, "method=\"\",route=\"other\"");
}

void http__metrics_write(struct http__metrics *m, struct mu_buf *out)
{
	mu_buf_puts(out, "# HELP muster_http_requests_total HTTP requests by route and status.\n"
			 "# TYPE muster_http_requests_total counter\n");
	for (int i = 0; i < m->n; i++) {
		struct slot *s = &m->slots[i];
		for (int k = 0; k < NSTATUS; k++) {
			uint64_t v = atomic_load_explicit(&s->by_status[k], memory_order_relaxed);
			if (!v)
				continue;
			mu_buf_puts(out, "muster_http_requests_total{");
			labels(out, s);
			if (k < NSTATUS - 1)
				mu_buf_printf(out, ",status=\"%d\"} %llu\n", statuses[k],
					      (unsigned long long)v);
			else
				mu_buf_printf(out, ",status=\"other\"} %llu\n",
					      (unsigned long long)v);
		}
	}
	mu_buf_puts(out, "# HELP muster_http_request_duration_seconds Request latency by route.\n"
			 "# TYPE muster_http_request_duration_seconds histogram\n");
	for (int i = 0; i < m->n; i++) {
		struct slot *s = &m->slots[i];
		uint64_t cum = 0;
		for (int b = 0; b <= NBUCKET; b++)
			cum += atomic_load_explicit(&s->bucket[b], memory_order_relaxed);
		if (!cum)
			continue;
		uint64_t run = 0;
		for (int b = 0; b <= NBUCKET; b++) {
			run += atomic_load_explicit(&s->bucket[b], memory_order_relaxed);
			mu_buf_puts(out, "muster_http_request_duration_seconds_bucket{");
			labels(out, s);
			if (b < NBUCKET)
				mu_buf_printf(out, ",le=\"%g\"} %llu\n", buckets[b],
					      (unsigned long long)run);
			else
				mu_buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)run);
		}
		mu_buf_puts(out, "muster_http_request_duration_seconds_sum{");
		labels(out, s);
		mu_buf_printf(out, "} %.6f\n",
			      (double)atomic_load_explicit(&s->micros, memory_order_relaxed) / 1e6);
		mu_buf_puts(out, "muster_http_request_duration_seconds_count{");
		labels(out, s);
		mu_buf_printf(out, "} %llu\n", (unsigned long long)cum);
	}
}
