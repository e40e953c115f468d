/* auth/api.h: auth as the HTTP layer sees it — the guard `muster serve` installs around
 * every route, what a handler asks of it (who is asking, the request's database
 * connection, a write committed with its audit entry) and the routes auth serves itself.
 * Logic and the CLI use auth.h, which knows no HTTP. */
#ifndef MU_AUTH_API_H
#define MU_AUTH_API_H

#include "auth.h"
#include "http/http.h"

/* The request's read-only connection to the server's database, for its place resolver
 * and handler. The design: a connection is request state, not a global to look up.
 * The guard's check takes the calling thread's reader (db_reader) before anything
 * else runs, public routes included, and keeps it in the request's guard_ctx — opaque
 * to http, which knows no database; this is the one place that gives it its type.
 * When no connection can be opened the check answers 503 (MU_EBUSY) and neither
 * resolver nor handler runs, so inside them this is never NULL. Borrowed: valid until
 * the request is answered; GET requests read one snapshot through it (check opens the
 * read transaction, done ends it). */
struct db *auth_req_db(const struct http_req *r);

/* Runs fn(arg) on the writer inside one savepoint together with the audit entry of
 * this request (who, what, r->record — set r->record before calling or inside fn):
 * the write and its audit entry are committed together or not at all. Returns fn's
 * result, or the writer's error. */
int auth_submit(struct http_req *r, int (*fn)(struct db *d, void *arg), void *arg);

/* Fails r with 403 and the guard's one message for every refusal, which tells nothing of
 * the target (whether it exists, where it lies). Returns MU_EFORBIDDEN. */
int auth_refuse(struct http_req *r);

/* ---- the audit record of a read or write of people (r->record) ----------------------- */

/* Sets r->record to "person:ID": the request read or wrote one person's record. */
void auth_record_person(struct http_req *r, int64_t person);

/* A record naming the people a page returned: "person:ID,ID,…", every one of them (at
 * most HTTP_LIMIT_MAX: a page is no longer). The guard's done writes one audit entry
 * per person of such a record ("person:ID"), so each read is found by person. init
 * and add, then fini sets r->record (from r's arena) when anyone was added, and frees
 * what init took. */
struct auth_people_record {
	struct mu_buf buf;
	size_t n;
};
void auth_people_record_init(struct auth_people_record *rec);
void auth_people_record_add(struct auth_people_record *rec, int64_t person);
void auth_people_record_fini(struct auth_people_record *rec, struct http_req *r);

/* The principal of a request that passed the guard; NULL on public routes. */
const struct auth_principal *auth_who(const struct http_req *r);

/* The guard for http: check authenticates (session cookie `muster_session` or
 * `Authorization: Bearer` device token), refuses a write without a matching
 * X-CSRF-Token (sessions), checks the route's roles, resolves the route's place and
 * checks jurisdiction; done audits person reads, writes not already audited by
 * auth_submit, and refusals (401/403) — those without an identity summed per minute.
 * Past auth_config.anon_per_s such refusals per second from one address, check
 * answers 429 (MU_ETOOMANY) instead of 401. */
struct http_guard auth_guard(void);

/* Refusals of requests without an identity are audited as one summary entry per minute,
 * address, route and status, written when the minute is over; this queues the current
 * minute's summaries for the writer now. `muster serve` calls it after the last request
 * and before it stops the writer. */
void auth_guard_flush(void);

/* The routes auth itself serves: POST/GET/DELETE /api/v1/session and GET
 * /api/v1/audit. Ends with a NULL pattern. */
extern const struct http_route auth_routes[];

/* Metrics lines for /metrics (sign-in failures, sessions); matches http_opts.metrics. */
void auth_metrics(void *ctx, struct mu_buf *out);

#endif
