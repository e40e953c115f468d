/* http: server plumbing only — the libmicrohttpd listener, the router, JSON in and out,
 * error bodies, static files and metrics. It knows nothing of capabilities, auth or
 * the database: a guard installed by the caller decides who may call what. */
#ifndef MU_HTTP_H
#define MU_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

enum http_method { HTTP_GET = 1, HTTP_POST = 2, HTTP_PUT = 4, HTTP_PATCH = 8, HTTP_DELETE = 16 };

#define HTTP_MAX_PARAMS 4
#define HTTP_PATH_MAX	8 /* place ids from the city down to a household */

struct http_route;

/* One request. Everything hanging off it is allocated from its arena and dies with it
 * after the response is sent. */
struct http_req {
	struct mu_arena arena;
	int method;
	const char *path; /* the URL path, without the query */
	const struct http_route *route;
	const char *params[HTTP_MAX_PARAMS]; /* the {name} parts of the pattern, in order */
	int nparams;
	const char *body; /* NUL-terminated; "" when there is none */
	size_t body_len;
	char client[64]; /* the peer's address */
	void *conn;	 /* libmicrohttpd's connection, for the header/query lookups below */
	/* Set by the guard: who is asking (opaque here, the guard's own type). */
	const void *principal;
	/* Set by the guard: its per-request context, opaque here and never read by http (auth
	 * keeps the request's database connection in it, see auth/api.h). */
	void *guard_ctx;
	/* The place the request last resolved (places/api.c's, opaque here): the route's
	 * place resolver and then its handler name the same place once. */
	void *resolved;
	/* Set by the handler for the guard's after-hook, e.g. the audit entry:
	 * "person:42" — the record the request read or wrote. */
	const char *record;
	/* Set on error by the handler: the offending field and a message for the body. */
	const char *err_field;
	const char *err_message;
	double started;
};

/* Request header, query parameter or cookie value; NULL when absent. Borrowed. */
const char *http_header(const struct http_req *r, const char *name);
const char *http_query(const struct http_req *r, const char *name);
const char *http_cookie(const struct http_req *r, const char *name);

/* Parses the body as one JSON object. MU_EINVAL (with err_message set) when it is not
 * JSON or not an object. *out is owned by the request (freed after the response). */
int http_body_json(struct http_req *r, json_t **out);

/* Sets the field and message the error body will carry; returns err for chaining:
 * `return http_fail(r, MU_EINVAL, "username", "must be a string");`. Inline so that the
 * static analyser sees the code come back unchanged (an error path stays one). */
static inline int http_fail(struct http_req *r, int err, const char *field, const char *message)
{
	r->err_field = field;
	r->err_message = message;
	return err;
}

/* ---- request parsing every api.c shares (request.c) -----------------------------------
 * Each answers 0, or fails the request (http_fail: 400 on the parameter or member, with
 * the one message for that mistake) and returns the error code. */

#define HTTP_LIMIT_MAX 1000 /* the largest page any list answers */

/* ?limit=N: def when absent, else an integer from 1 to max (at most HTTP_LIMIT_MAX). */
int http_query_limit(struct http_req *r, int def, int max, int *out);
/* ?cursor= as the positive id a previous page ended on; 0 when absent or empty. */
int http_query_cursor_id(struct http_req *r, int64_t *out);
/* Fails r on "cursor": not a cursor this server gave (for cursors of other shapes). */
int http_fail_cursor(struct http_req *r);

/* The string member k of o; NULL when absent or not a string. Borrowed from o. */
const char *http_json_str(const json_t *o, const char *k);
/* The name of o's first member not in the NULL-terminated list allowed; NULL when
 * every member is allowed. Borrowed from o. */
const char *http_json_unknown(const json_t *o, const char *const *allowed);
#define HTTP_MSG_UNKNOWN_MEMBER "unknown member"
/* Fails r on o's first member not in allowed (HTTP_MSG_UNKNOWN_MEMBER). */
int http_json_only(struct http_req *r, const json_t *o, const char *const *allowed);
/* A required string member k. */
int http_json_need_str(struct http_req *r, const json_t *o, const char *k, const char **out);
/* A required string member k of 1 to max bytes without NUL. */
int http_json_text(struct http_req *r, const json_t *o, const char *k, size_t max,
		   const char **out);
/* An integer member k from lo to hi; def when absent or null, and required when def is
 * negative. */
int http_json_int(struct http_req *r, const json_t *o, const char *k, int64_t lo, int64_t hi,
		  int64_t def, int64_t *out);

struct http_resp {
	int status;	  /* 0 means 200 */
	json_t *json;	  /* the body; the server sends and frees it */
	const char *type; /* content type for raw bodies */
	const char *raw;  /* a raw body from the request arena, raw_len bytes */
	size_t raw_len;
	const char *headers[8][2]; /* extra headers (name, value), arena strings */
	int nheaders;
};

/* Ends a handler that listed into arr (taken): rc 0 answers {key: arr}, an error frees
 * arr. Returns rc. */
int http_resp_list(struct http_resp *resp, const char *key, json_t *arr, int rc);

/* Adds a response header (both strings must live until the response is sent). */
void http_resp_header(struct http_resp *resp, const char *name, const char *value);

/* A handler answers 0 with resp filled, or a negative MU_E* code: the server then sends
 * {"error":{"code","message","field"}} with the status from the error table. */
typedef int (*http_handler)(struct http_req *r, struct http_resp *resp);

enum {
	HTTP_ROUTE_PUBLIC = 1, /* no sign-in at all (healthz, metrics, sign-in itself) */
	HTTP_ROUTE_DEVICE = 2, /* device tokens (sites, labs) may call it too */
	HTTP_ROUTE_PERSON = 4, /* reads or writes a person's record: audited with r->record */
	HTTP_ROUTE_NOCSRF = 8, /* a write that needs no CSRF header (sign-in) */
};

/* A route as a capability's api.c declares it. The guard interprets roles and place;
 * http only matches and dispatches. Tables end with an entry whose pattern is NULL. */
struct http_route {
	int method;
	const char *pattern; /* "/api/v1/places/{code}" */
	http_handler fn;
	unsigned roles; /* bit (1 << role) for each role allowed, for the guard */
	unsigned flags; /* HTTP_ROUTE_* */
	/* How the target's place is found, for the jurisdiction check: writes the target's
	 * path of place ids, root first, to ids[0..*n); MU_ENOTFOUND when the target does
	 * not exist. NULL when the route has no place (the guard checks the role alone). */
	int (*place)(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n);
	const char *summary;
};

/* The guard runs around every matched route: check before the handler (0 lets it run,
 * an error code answers with that error), before_send after a handler that succeeded
 * and before its body is queued (may be NULL; an error code replaces the answer with
 * that error, e.g. when what the answer must leave behind could not be written), done
 * after the response with the final status. The server refuses to start without a check
 * function, so no route goes unguarded. */
struct http_guard {
	int (*check)(void *ctx, struct http_req *r);
	int (*before_send)(void *ctx, struct http_req *r, int status);
	void (*done)(void *ctx, struct http_req *r, int status);
	void *ctx;
};

struct http_opts {
	const char *listen; /* "127.0.0.1:8080"; port 0 picks a free one */
	int threads;	    /* 0: one per core */
	size_t max_body;    /* bytes; larger requests answer 413 */
	unsigned timeout_s; /* idle connection timeout */
	/* Slow clients. A connection's first request head must arrive within head_timeout_s
	 * of its accept (0: 10), however slowly it trickles in; one address holds at most
	 * per_address connections (0: 64); at most max_conns in all (0: 4096), and once all
	 * but reserve of them (0: max_conns / 8) are waiting for their head, a new one gets
	 * one second for it — so a client that sends its head at once (/healthz, a
	 * signed-in user) still gets in while slow ones hold the rest. */
	unsigned head_timeout_s;
	unsigned per_address;
	unsigned max_conns;
	unsigned reserve;
	const char *web_dir; /* static files served under / (may be NULL) */
	struct http_guard guard;
	/* Extra metrics lines appended to /metrics (may be NULL): writes Prometheus text. */
	void (*metrics)(void *ctx, struct mu_buf *out);
	void *metrics_ctx;
	bool access_log; /* one line per request on stderr */
	/* Asked by /healthz (may be NULL): 0 while healthy, else the MU_E* code /healthz
	 * answers as its error (MU_EFULL: 503 storage_full). */
	int (*health)(void *ctx);
	void *health_ctx;
};

struct http_server;

/* Starts listening with the route tables (a NULL-terminated array of tables, each
 * ending with a NULL pattern; borrowed for the server's life). /healthz and /metrics
 * are built in. Returns 0, MU_EINVAL for a bad listen address or a missing guard,
 * MU_EIO when the port cannot be bound. */
int http_server_start(const struct http_opts *o, const struct http_route *const *tables,
		      struct http_server **out);
/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *s);
/* Stops accepting, waits for requests in flight, frees. Accepts NULL. */
void http_server_stop(struct http_server *s);

/* Finds the route for method and path in tables, filling params (arena strings).
 * Returns the route, or NULL; *path_known tells 405 from 404. Exposed for tests. */
const struct http_route *http_route_match(const struct http_route *const *tables, int method,
					  const char *path, struct mu_arena *a,
					  const char *params[HTTP_MAX_PARAMS], int *nparams,
					  bool *path_known);

/* "GET" for HTTP_GET and so on. */
const char *http_method_name(int method);

#endif
