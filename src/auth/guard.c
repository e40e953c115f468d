/* guard.c: what `muster serve` installs around every route — authentication (device
 * bearer token or session cookie), the CSRF check of session writes, the route's roles,
 * the jurisdiction of the route's target, the audit entries of person reads journalled
 * before their answer is sent, and afterwards those of writes and refusals. Also
 * auth_submit, which commits a write together with its audit entry, and the auth
 * metrics. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "api.h"
#include "auth_int.h"
#include "core/core.h"
#include "db/db.h"

struct db *auth_req_db(const struct http_req *r)
{
	MU_ASSERT(r->guard_ctx);
	return r->guard_ctx;
}

int auth_refuse(struct http_req *r)
{
	return http_fail(r, MU_EFORBIDDEN, NULL, "not allowed");
}

void auth_record_person(struct http_req *r, int64_t person)
{
	r->record = mu_arena_sprintf(&r->arena, "person:%lld", (long long)person);
}

void auth_people_record_init(struct auth_people_record *rec)
{
	/* "person:" and up to HTTP_LIMIT_MAX ids of at most 19 digits and a comma. */
	mu_buf_init(&rec->buf, 8 + (size_t)HTTP_LIMIT_MAX * 20);
	rec->n = 0;
}

void auth_people_record_add(struct auth_people_record *rec, int64_t person)
{
	MU_ASSERT(rec->n < HTTP_LIMIT_MAX);
	mu_buf_printf(&rec->buf, "%s%lld", rec->n ? "," : "person:", (long long)person);
	rec->n++;
}

void auth_people_record_fini(struct auth_people_record *rec, struct http_req *r)
{
	if (rec->n)
		r->record = mu_arena_strndup(&r->arena, mu_buf_str(&rec->buf), rec->buf.len);
	mu_buf_fini(&rec->buf);
}

const struct auth_principal *auth_who(const struct http_req *r)
{
	const struct auth_principal *p = r->principal;
	return p && p->kind != 0 ? p : NULL;
}

bool auth_within(const struct auth_principal *p, const int64_t *ids, int n)
{
	if (!p || p->kind == AUTH_KIND_LAB)
		return false;
	/* Only an admin can be without a place (the schema says so): the whole system. */
	if (p->kind == AUTH_KIND_USER && p->place_id == 0)
		return p->role == AUTH_ADMIN;
	for (int i = 0; i < n; i++)
		if (ids[i] == p->place_id)
			return true;
	return false;
}

const char *auth__action(struct http_req *r, const char *prefix)
{
	const char *m = http_method_name(r->method);
	return mu_arena_sprintf(&r->arena, "%s%s %s", prefix, m ? m : "?",
				r->route && r->route->pattern ? r->route->pattern : r->path);
}

void auth__mark_audited(struct http_req *r)
{
	/* The principal is this request's own arena copy, made by the guard or sign-in. */
	struct auth_principal *p = (struct auth_principal *)r->principal;
	if (p)
		p->audited = true;
}

/* ---- check ------------------------------------------------------------------------------ */

static const char msg_csrf[] = "missing or wrong X-CSRF-Token";

/* A refusal for want of an identity: 401, or 429 past the address's rate. */
static int unauthenticated(struct http_req *r, const char *msg)
{
	if (auth__anon_limited(r->client, auth__env.cfg.anon_per_s, (int64_t)mu_now_mono())) {
		atomic_fetch_add(&auth__env.anon_limited, 1);
		return http_fail(r, MU_ETOOMANY, NULL,
				 "too many requests without sign-in from this address; slow down");
	}
	return http_fail(r, MU_EUNAUTH, NULL, msg);
}

static int check(void *ctx, struct http_req *r)
{
	(void)ctx;
	const struct http_route *rt = r->route;
	struct auth_principal *p;
	int rc;
	struct db *d = NULL;
	r->principal = NULL;
	r->guard_ctx = NULL;
	MU_ASSERT(rt && auth__env.ready);
	if ((rc = db_reader(auth__env.cfg.db_path, &d)) != 0) {
		mu_warn("auth: no reader on %s: %s", auth__env.cfg.db_path, mu_err_msg(rc));
		return http_fail(r, MU_EBUSY, NULL, "the database cannot be read now; try again");
	}
	r->guard_ctx = d;
	if (rt->flags & HTTP_ROUTE_PUBLIC)
		return 0;
	/* A read request's queries (credentials, target, answer) share one snapshot and
	 * one WAL read lock; ended in done(). Writes read fresh state after their write. */
	if (r->method == HTTP_GET) {
		db_read_end(d); /* a check without its done (tests) must not leave one open */
		if ((rc = db_read_begin(d)) != 0)
			return rc;
	}
	p = mu_arena_alloc(&r->arena, sizeof *p);
	memset(p, 0, sizeof *p);
	const char *authz = http_header(r, "Authorization");
	if (authz) {
		if (strncasecmp(authz, "Bearer ", 7) != 0)
			return unauthenticated(r, "the Authorization header must be Bearer");
		const char *tok = authz + 7;
		while (*tok == ' ')
			tok++;
		rc = auth__device_lookup(d, &auth__env.keys, tok, mu_now_mono(), p);
		if (rc == MU_EUNAUTH)
			return unauthenticated(r, "unknown or revoked device token");
		if (rc != 0)
			return rc;
		r->principal = p;
		if (!(rt->flags & HTTP_ROUTE_DEVICE))
			return http_fail(r, MU_EFORBIDDEN, NULL, "not allowed for a device token");
	} else {
		const char *cookie = http_cookie(r, "muster_session");
		if (!cookie)
			return unauthenticated(r, "sign-in required");
		rc = auth__session_lookup(d, &auth__env.keys, cookie, mu_now_unix(), mu_now_mono(),
					  p);
		if (rc == MU_EUNAUTH)
			return unauthenticated(r, "sign-in required (session unknown or expired)");
		if (rc != 0)
			return rc;
		r->principal = p;
		if (r->method != HTTP_GET && !(rt->flags & HTTP_ROUTE_NOCSRF)) {
			const char *h = http_header(r, "X-CSRF-Token");
			if (!h || strlen(h) != AUTH_CSRF_LEN ||
			    sodium_memcmp(h, p->csrf, AUTH_CSRF_LEN) != 0)
				return http_fail(r, MU_EFORBIDDEN, NULL, msg_csrf);
		}
	}
	if (!(rt->roles & AUTH_R(p->role)))
		return auth_refuse(r);
	if (rt->place) {
		int64_t ids[HTTP_PATH_MAX];
		int n = 0;
		rc = rt->place(r, ids, &n);
		if (rc == MU_ENOTFOUND)
			return http_fail(r, rc, NULL, "not found");
		if (rc != 0)
			return rc;
		MU_ASSERT(n >= 0 && n <= HTTP_PATH_MAX);
		/* The same words whatever lies outside: the body tells nothing of the target. */
		if (!auth_within(p, ids, n))
			return auth_refuse(r);
	}
	return 0;
}

/* ---- audit entries -------------------------------------------------------------------- */

/* Entries wait here for the writer, which appends them in batches: one posted job drains
 * everything queued since the last drain, so the chain's head is read once per batch
 * rather than once per request. The entries of a person read are in the journal before
 * they are queued here (before_send), in the same order and under the same lock. */
struct posted {
	struct auth_principal who;
	bool anonymous;
	const char *action, *record; /* into text */
	char addr[64];
	int status;
	int tries;	    /* drains that failed to commit it */
	int64_t seq, at_ms; /* seq: its journal record's, 0 when it is not journalled */
	struct posted *next;
	char text[]; /* action NUL record NUL: one allocation per entry */
};

#define DRAIN_TRIES 3 /* a drain that fails is retried with the next; then it is lost */

static pthread_mutex_t pending_mu = PTHREAD_MUTEX_INITIALIZER;
static struct posted *pending_head, *pending_tail;
static bool drain_queued;

static void posted_free(struct posted *e)
{
	while (e) {
		struct posted *next = e->next;
		free(e);
		e = next;
	}
}

/* Under pending_mu: takes every queued entry (the caller frees the list). */
static struct posted *pending_take_locked(void)
{
	struct posted *list = pending_head;
	pending_head = pending_tail = NULL;
	drain_queued = false;
	return list;
}

/* What one drain took, for its after-commit (drained). */
struct drain_job {
	struct db *d;
	struct posted *list;
	int64_t max_seq; /* its highest journal seq, 0: none */
	int rc;
};

static void drained(void *arg);

static int drain(struct db *d, void *arg)
{
	struct drain_job *j = arg;
	j->d = d;
	pthread_mutex_lock(&pending_mu);
	j->list = pending_take_locked();
	/* Everything in the file written so far is in j->list (or an earlier drain's): it
	 * is sealed here and emptied once this batch committed (drained). */
	auth__journal_seal();
	pthread_mutex_unlock(&pending_mu);
	auth__journal_sync();
	size_t n = 0, k = 0;
	for (struct posted *e = j->list; e; e = e->next)
		n++;
	int64_t mark = 0;
	int rc = auth__journal_on() ? auth__journal_mark(d, &mark) : 0;
	struct auth__entry *es = mu_xcalloc(n ? n : 1, sizeof *es);
	for (struct posted *e = j->list; e && rc == 0; e = e->next) {
		if (e->seq && e->seq <= mark)
			continue; /* moved already (a replay) */
		if (e->seq > j->max_seq)
			j->max_seq = e->seq;
		es[k++] = (struct auth__entry){e->anonymous ? NULL : &e->who,
					       e->action,
					       e->record,
					       e->addr,
					       e->status,
					       e->at_ms};
	}
	if (rc == 0 && k)
		rc = auth__audit_append_many(d, es, k);
	if (rc == 0 && j->max_seq > mark)
		rc = auth__journal_mark_set(d, j->max_seq);
	free(es);
	j->rc = rc;
	if (rc != 0)
		mu_error("auth: %zu audit entries not appended: %s", n, mu_err_msg(rc));
	return rc;
}

static void post_drain(void);

/* Puts the entries of a drain that did not commit back at the head of the queue (they
 * are older than anything queued since), but for those that failed DRAIN_TRIES times:
 * counted lost. */
static void requeue(struct posted *list)
{
	struct posted *first = NULL, *last = NULL;
	uint64_t lost = 0;
	for (struct posted *e = list, *next; e; e = next) {
		next = e->next;
		e->next = NULL;
		if (++e->tries >= DRAIN_TRIES) {
			lost++;
			free(e);
			continue;
		}
		if (last)
			last->next = e;
		else
			first = e;
		last = e;
	}
	if (lost) {
		atomic_fetch_add(&auth__env.audit_lost, lost);
		mu_error("auth: %llu audit entries lost after %d failed commits",
			 (unsigned long long)lost, DRAIN_TRIES);
	}
	if (!first)
		return;
	pthread_mutex_lock(&pending_mu);
	last->next = pending_head;
	pending_head = first;
	if (!pending_tail)
		pending_tail = last;
	bool post = !drain_queued;
	drain_queued = true;
	pthread_mutex_unlock(&pending_mu);
	if (post)
		post_drain();
}

/* After the drain's batch committed or failed (the writer frees a posted job's argument
 * then, on its thread): the mark tells whether its entries are in audit. */
static void drained(void *arg)
{
	struct drain_job *j = arg;
	if (!j->d) { /* never ran: the writer had stopped */
		free(j);
		return;
	}
	int64_t mark = 0;
	bool kept = j->rc == 0;
	if (auth__journal_on() && auth__journal_mark(j->d, &mark) == 0) {
		kept = kept && mark >= j->max_seq;
		pthread_mutex_lock(&pending_mu);
		auth__journal_release(mark);
		pthread_mutex_unlock(&pending_mu);
	}
	if (kept)
		posted_free(j->list);
	else
		requeue(j->list);
	free(j);
}

/* Has the writer drain the queue. When it has stopped nothing will drain the queue
 * again: what is journalled waits in the journal for the next start (replayed then),
 * the rest is counted lost. */
static void post_drain(void)
{
	struct drain_job *j = mu_xcalloc(1, sizeof *j);
	if (db_writer_post(auth__env.cfg.writer, drain, j, drained) == 0)
		return;
	pthread_mutex_lock(&pending_mu);
	struct posted *list = pending_take_locked();
	pthread_mutex_unlock(&pending_mu);
	uint64_t lost = 0;
	for (struct posted *e = list; e; e = e->next)
		lost += e->seq == 0;
	atomic_fetch_add(&auth__env.audit_lost, lost);
	mu_warn("auth: %llu audit entries lost (writer stopped)", (unsigned long long)lost);
	posted_free(list);
}

/* A queued entry of an anonymous principal; the caller sets who for a known one. */
static struct posted *posted_new(const char *action, const char *record, const char *addr,
				 int status)
{
	size_t la = strlen(action) + 1, lr = strlen(record) + 1;
	struct posted *e = mu_xcalloc(1, sizeof *e + la + lr);
	e->anonymous = true;
	e->action = memcpy(e->text, action, la);
	e->record = memcpy(e->text + la, record, lr);
	snprintf(e->addr, sizeof e->addr, "%s", addr);
	e->status = status;
	return e;
}

/* Under pending_mu: appends first..last to the queue; true when a drain must be posted. */
static bool enqueue_locked(struct posted *first, struct posted *last)
{
	if (pending_tail)
		pending_tail->next = first;
	else
		pending_head = first;
	pending_tail = last;
	bool post = !drain_queued;
	drain_queued = true;
	return post;
}

/* Appends the list first..last to the queue and has the writer drain it. */
static void queue(struct posted *first, struct posted *last)
{
	if (!first)
		return;
	pthread_mutex_lock(&pending_mu);
	bool post = enqueue_locked(first, last);
	pthread_mutex_unlock(&pending_mu);
	if (post)
		post_drain();
}

/* Queues one entry per summary of anonymous refusals ("anonymous:N minute:…Z") and
 * frees sums. */
static void queue_sums(struct auth__anon_sum *sums, size_t n)
{
	struct posted *first = NULL, *last = NULL;
	if (n && !auth__env.cfg.writer) {
		atomic_fetch_add(&auth__env.audit_lost, n);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		char record[96], at[32];
		time_t t = (time_t)(sums[i].minute * 60);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(at, sizeof at, "%Y-%m-%dT%H:%MZ", &tm);
		snprintf(record, sizeof record, "anonymous:%llu minute:%s",
			 (unsigned long long)sums[i].n, at);
		struct posted *e = posted_new(sums[i].action, record, sums[i].addr, sums[i].status);
		if (last)
			last->next = e;
		else
			first = e;
		last = e;
	}
	free(sums);
	queue(first, last);
}

/* The entries of r as a list first..last (*n of them): a read of several people
 * ("person:1,2,3") is one entry per person, so that each is found by record=person:ID. */
static void entries_of(struct http_req *r, const struct auth_principal *p, const char *action,
		       const char *record, int status, struct posted **firstp,
		       struct posted **lastp, size_t *n)
{
	bool anonymous = !(p && p->kind != 0);
	struct posted *first = NULL, *last = NULL;
	const char *ids = !strncmp(record, "person:", 7) && strchr(record, ',') ? record + 7 : NULL;
	*n = 0;
	do {
		char one[32];
		const char *rec = record;
		if (ids) {
			size_t len = strcspn(ids, ",");
			snprintf(one, sizeof one, "person:%.*s", (int)(len < 20 ? len : 20), ids);
			rec = one;
			ids = ids[len] ? ids + len + 1 : NULL;
		}
		struct posted *e = posted_new(action, rec, r->client, status);
		if (!anonymous) {
			e->who = *p;
			e->anonymous = false;
		}
		if (last)
			last->next = e;
		else
			first = e;
		last = e;
		(*n)++;
	} while (ids);
	*firstp = first;
	*lastp = last;
}

static void done(void *ctx, struct http_req *r, int status)
{
	(void)ctx;
	const struct http_route *rt = r->route;
	const struct auth_principal *p = r->principal;
	if (rt && !(rt->flags & HTTP_ROUTE_PUBLIC) && r->method == HTTP_GET && r->guard_ctx)
		db_read_end(r->guard_ctx);
	if (!rt || (p && p->audited))
		return;
	bool denied = status == 401 || status == 403;
	bool person = (rt->flags & HTTP_ROUTE_PERSON) && status < 400;
	bool write = r->method != HTTP_GET && status < 400;
	if (denied)
		atomic_fetch_add(&auth__env.denied, 1);
	if (!denied && !person && !write)
		return;
	if (!auth__env.cfg.writer) {
		atomic_fetch_add(&auth__env.audit_lost, 1);
		return;
	}
	const char *action = auth__action(r, denied ? "denied " : ""),
		   *record = r->record ? r->record : "";
	bool anonymous = !(p && p->kind != 0);
	if (denied && anonymous && !(rt->flags & HTTP_ROUTE_PUBLIC)) {
		/* No identity: counted into the minute's summary, not a row of its own. */
		struct auth__anon_sum *sums;
		size_t n = auth__anon_count(r->client, action, status, mu_now_unix(), &sums);
		queue_sums(sums, n);
		return;
	}
	struct posted *first, *last;
	size_t n;
	entries_of(r, p, action, record, status, &first, &last, &n);
	queue(first, last);
}

/* A read of people is answered only once its entries are in the journal: one write()
 * of them all, before the body is queued, under the queue's lock so that the journal's
 * order is the queue's. When they cannot be written the answer is 503 instead and every
 * entry is counted lost: nothing is served without its entry. */
static int before_send(void *ctx, struct http_req *r, int status)
{
	(void)ctx;
	const struct http_route *rt = r->route;
	const struct auth_principal *p = r->principal;
	if (!rt || !(rt->flags & HTTP_ROUTE_PERSON) || r->method != HTTP_GET || status >= 400 ||
	    (p && p->audited))
		return 0;
	struct posted *first, *last;
	size_t n;
	entries_of(r, p, auth__action(r, ""), r->record ? r->record : "", status, &first, &last,
		   &n);
	int64_t at = (int64_t)mu_now_unix() * 1000;
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		at = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	struct mu_buf buf;
	mu_buf_init(&buf, (size_t)n * (AUTH__JREC_MAX + 16));
	int rc = MU_ESTOPPED;
	bool post = false;
	pthread_mutex_lock(&pending_mu);
	if (auth__env.cfg.writer && auth__journal_on()) {
		int64_t seq = auth__journal_next();
		for (struct posted *e = first; e; e = e->next, seq++) {
			e->seq = seq;
			e->at_ms = at;
			struct auth__entry x = {e->anonymous ? NULL : &e->who,
						e->action,
						e->record,
						e->addr,
						e->status,
						at};
			auth__journal_encode(&buf, seq, at, &x);
		}
		if ((rc = auth__journal_write(buf.data, buf.len, n)) == 0)
			post = enqueue_locked(first, last);
	}
	pthread_mutex_unlock(&pending_mu);
	mu_buf_fini(&buf);
	if (rc != 0) {
		posted_free(first);
		atomic_fetch_add(&auth__env.audit_lost, n);
		mu_error("auth: a read of people refused: its %zu audit entries could not be "
			 "journalled: %s",
			 n, mu_err_msg(rc));
		if (rc != MU_EFULL)
			rc = MU_EBUSY;
		return http_fail(r, rc, NULL,
				 rc == MU_EFULL ? "the disk is full: the read could not be audited"
						: "the read could not be audited; try again");
	}
	if (post)
		post_drain();
	if (!p) {
		struct auth_principal *blank = mu_arena_alloc(&r->arena, sizeof *blank);
		memset(blank, 0, sizeof *blank);
		r->principal = blank;
	}
	auth__mark_audited(r);
	return 0;
}

void auth_guard_flush(void)
{
	struct auth__anon_sum *sums;
	size_t n = auth__anon_take(&sums);
	queue_sums(sums, n);
}

struct http_guard auth_guard(void)
{
	struct http_guard g = {
	    .check = check, .before_send = before_send, .done = done, .ctx = NULL};
	return g;
}

/* ---- auth_submit ------------------------------------------------------------------------- */

struct submit {
	struct http_req *r;
	const struct auth_principal *who;
	const char *action;
	int (*fn)(struct db *d, void *arg);
	void *arg;
};

static int submit_job(struct db *d, void *arg)
{
	struct submit *s = arg;
	int rc = s->fn(d, s->arg);
	if (rc != 0)
		return rc;
	/* r->record may have been set by fn; the caller is blocked, so r is still ours.
	 * Status 200: the entry says the write committed. */
	const struct auth_principal *who = s->who && s->who->kind != 0 ? s->who : NULL;
	return auth_audit_append(d, who, s->action, s->r->record, s->r->client, 200);
}

int auth__submit_as(struct http_req *r, const struct auth_principal *who,
		    int (*fn)(struct db *d, void *arg), void *arg)
{
	if (!auth__env.cfg.writer)
		return MU_ESTOPPED;
	struct submit s = {.r = r, .who = who, .action = auth__action(r, ""), .fn = fn, .arg = arg};
	int rc = db_writer_submit(auth__env.cfg.writer, submit_job, &s);
	if (rc == 0) {
		if (!r->principal) {
			/* A public route: keep a blank principal only to carry the mark. */
			struct auth_principal *blank = mu_arena_alloc(&r->arena, sizeof *blank);
			memset(blank, 0, sizeof *blank);
			r->principal = blank;
		}
		auth__mark_audited(r);
	}
	return rc;
}

int auth_submit(struct http_req *r, int (*fn)(struct db *d, void *arg), void *arg)
{
	return auth__submit_as(r, auth_who(r), fn, arg);
}

/* ---- metrics ------------------------------------------------------------------------------ */

static const char sql_sessions_live[] = "SELECT count(*) FROM sessions WHERE expires > ?";

void auth_metrics(void *ctx, struct mu_buf *out)
{
	(void)ctx;
	int64_t live = -1;
	struct db *d = NULL;
	/* Not a request: the thread's own reader; no figure when it cannot be opened. */
	if (auth__env.ready && db_reader(auth__env.cfg.db_path, &d) == 0) {
		struct db_stmt *s = NULL;
		if (db_prepare(d, sql_sessions_live, &s) == 0) {
			db_bind_i64(s, 1, mu_now_unix());
			if (db_step(s) == DB_ROW)
				live = db_col_i64(s, 0);
		}
		db_stmt_done(s);
	}
	mu_buf_printf(
	    out,
	    "# HELP muster_signins_total Successful sign-ins.\n"
	    "# TYPE muster_signins_total counter\n"
	    "muster_signins_total %llu\n"
	    "# HELP muster_signin_failures_total Sign-ins refused for a wrong name or password.\n"
	    "# TYPE muster_signin_failures_total counter\n"
	    "muster_signin_failures_total %llu\n"
	    "# HELP muster_signin_throttled_total Sign-ins refused by the throttle.\n"
	    "# TYPE muster_signin_throttled_total counter\n"
	    "muster_signin_throttled_total %llu\n"
	    "# HELP muster_signin_busy_total Sign-ins answered 503: the hashing pool was full.\n"
	    "# TYPE muster_signin_busy_total counter\n"
	    "muster_signin_busy_total %llu\n"
	    "# HELP muster_auth_denied_total Requests answered 401 or 403 by the guard or a "
	    "handler.\n"
	    "# TYPE muster_auth_denied_total counter\n"
	    "muster_auth_denied_total %llu\n"
	    "# HELP muster_auth_anonymous_limited_total Requests without an identity answered "
	    "429 past the rate per address.\n"
	    "# TYPE muster_auth_anonymous_limited_total counter\n"
	    "muster_auth_anonymous_limited_total %llu\n"
	    "# HELP muster_audit_lost_total Audit entries never in the log: each entry of a "
	    "person read refused for want of the journal, and entries not committed after "
	    "retries, queued after the writer stopped or damaged in the journal at start.\n"
	    "# TYPE muster_audit_lost_total counter\n"
	    "muster_audit_lost_total %llu\n",
	    (unsigned long long)atomic_load(&auth__env.signins),
	    (unsigned long long)atomic_load(&auth__env.signin_failures),
	    (unsigned long long)atomic_load(&auth__env.signin_throttled),
	    (unsigned long long)atomic_load(&auth__env.signin_busy),
	    (unsigned long long)atomic_load(&auth__env.denied),
	    (unsigned long long)atomic_load(&auth__env.anon_limited),
	    (unsigned long long)atomic_load(&auth__env.audit_lost));
	if (live >= 0)
		mu_buf_printf(out,
			      "# HELP muster_sessions_active Browser sessions not yet expired.\n"
			      "# TYPE muster_sessions_active gauge\n"
			      "muster_sessions_active %lld\n",
			      (long long)live);
}
