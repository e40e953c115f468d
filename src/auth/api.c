/* api.c: the routes auth serves itself — sign-in, the current session, sign-out
 * (POST/GET/DELETE /api/v1/session) and the audit log for auditors (GET /api/v1/audit). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "api.h"
#include "auth_int.h"
#include "core/core.h"
#include "db/db.h"

#define COOKIE "muster_session"

/* {"id","username","role","place":{"id","code"}|null} of a signed-in user; the code is
 * the wiring's to find (auth_config.place_code). */
static json_t *user_json(struct db *d, const struct auth_principal *p)
{
	json_t *place = json_null();
	char code[64];
	int (*code_of)(struct db *, int64_t, char *, size_t) = auth__env.cfg.place_code;
	if (p->place_id > 0 && code_of && code_of(d, p->place_id, code, sizeof code) == 0)
		place = json_pack("{s:I,s:s}", "id", (json_int_t)p->place_id, "code", code);
	else if (p->place_id > 0)
		place = json_pack("{s:I}", "id", (json_int_t)p->place_id);
	return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)p->id, "username", p->name, "role",
			 auth_role_name(p->role), "place", place);
}

/* How long a successful sign-in from an address vouches for it (30 days). */
#define KNOWN_KEEP_S (30 * 86400)

/* The client's address for the throttles: the last X-Forwarded-For entry when the peer
 * is the configured trusted proxy (which appends the address it saw), else the peer. */
const char *auth__client_addr(struct http_req *r)
{
	const char *proxy = auth__env.cfg.trusted_proxy, *xff;
	if (!proxy || !*proxy || strcmp(r->client, proxy) != 0 ||
	    !(xff = http_header(r, "X-Forwarded-For")))
		return r->client;
	const char *last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	size_t n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof r->client)
		return r->client;
	for (size_t k = 0; k < n; k++)
		if (!isxdigit((unsigned char)last[k]) && last[k] != '.' && last[k] != ':')
			return r->client;
	return mu_arena_sprintf(&r->arena, "%.*s", (int)n, last);
}

/* True when r carries a live session cookie of the user named lname (lowercase). */
static bool holds_session_of(struct http_req *r, const char *lname)
{
	struct auth_principal p;
	const char *token = http_cookie(r, COOKIE);
	if (!token || auth__session_lookup(auth_req_db(r), &auth__env.keys, token, mu_now_unix(),
					   mu_now_mono(), &p) != 0)
		return false;
	for (size_t k = 0; p.name[k] || lname[k]; k++)
		if (tolower((unsigned char)p.name[k]) != lname[k])
			return false;
	return true;
}

struct signin {
	const struct auth_user *user;
	int64_t expires;
	const char *addr;
	char token[AUTH_TOKEN_LEN + 1];
	struct auth_principal *p;
};

static int signin_job(struct db *d, void *arg)
{
	struct signin *s = arg;
	return auth__session_create(d, &auth__env.keys, s->user, s->expires, s->addr, s->token,
				    s->p);
}

/* True for "application/json", with parameters or not, in any case. */
static bool json_content_type(const char *ct)
{
	static const char want[] = "application/json";
	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, sizeof want - 1) != 0)
		return false;
	char c = ct[sizeof want - 1];
	return c == '\0' || c == ';' || c == ' ' || c == '\t';
}

/* True when r has no Origin, or one whose host:port is r's Host (a form on another
 * site cannot sign a browser in to this one: login CSRF). */
static bool same_origin(struct http_req *r)
{
	const char *origin = http_header(r, "Origin"), *host = http_header(r, "Host");
	if (!origin)
		return true;
	const char *p = strstr(origin, "://");
	if (!p || !host || !*host)
		return false;
	p += 3;
	size_t n = strcspn(p, "/");
	return strlen(host) == n && strncasecmp(p, host, n) == 0;
}

static int session_post(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"username", "password", NULL};
	char pw_hash[crypto_pwhash_STRBYTES] = "";
	struct auth_user u;
	json_t *body;
	const char *name, *pw;
	if (!json_content_type(http_header(r, "Content-Type")))
		return http_fail(r, MU_EINVAL, NULL, "a sign-in is a JSON body (application/json)");
	if (!same_origin(r))
		return http_fail(r, MU_EFORBIDDEN, NULL, "a sign-in from another site is refused");
	int rc = http_body_json(r, &body);
	if (rc != 0 || (rc = http_json_only(r, body, allowed)) != 0 ||
	    (rc = http_json_text(r, body, "username", AUTH_NAME_MAX, &name)) != 0 ||
	    (rc = http_json_text(r, body, "password", AUTH__PW_MAX, &pw)) != 0)
		return rc;

	/* The throttles are asked before argon2id runs, so refused attempts cost nothing:
	 * the pair (user, address) backs off after throttle_max failures, the address after
	 * 4 times as many (a NAT or a proxy is many people), the user across addresses after
	 * 10 times as many. A client that holds a session of this user passes them all; one
	 * that signed in as this user from this address before passes all but its pair's:
	 * others' failures do not lock a known device out. */
	const struct auth_config *cfg = &auth__env.cfg;
	const char *addr = auth__client_addr(r);
	char lname[AUTH_NAME_MAX + 1];
	size_t i = 0;
	for (; i < AUTH_NAME_MAX && name[i]; i++)
		lname[i] = (char)tolower((unsigned char)name[i]);
	lname[i] = '\0';
	const char *ukey = mu_arena_sprintf(&r->arena, "u:%s", lname);
	const char *akey = mu_arena_sprintf(&r->arena, "a:%s", addr);
	const char *pkey = mu_arena_sprintf(&r->arena, "ua:%s %s", lname, addr);
	const char *gkey = mu_arena_sprintf(&r->arena, "g:%s %s", lname, addr);
	double now = mu_now_mono(), wait = 0;
	if (!holds_session_of(r, lname)) {
		wait = auth__throttle_wait(pkey, now);
		if (!auth__throttle_marked(gkey, now)) {
			double w = auth__throttle_wait(akey, now);
			wait = w > wait ? w : wait;
			w = auth__throttle_wait(ukey, now);
			wait = w > wait ? w : wait;
		}
	}
	if (wait > 0) {
		atomic_fetch_add(&auth__env.signin_throttled, 1);
		http_resp_header(resp, "Retry-After",
				 mu_arena_sprintf(&r->arena, "%d", (int)wait + 1));
		return http_fail(r, MU_ETOOMANY, NULL, "too many failed sign-ins; try again later");
	}

	/* argon2id runs on a small pool: when it stays full for a short wait the answer is
	 * 503, and the attempt counts as no failure. */
	if (auth__hash_enter() != 0) {
		atomic_fetch_add(&auth__env.signin_busy, 1);
		http_resp_header(resp, "Retry-After", "1");
		return http_fail(r, MU_EBUSY, NULL, "too many sign-ins at once; try again");
	}
	rc = auth__user_by_name(auth_req_db(r), name, &u, pw_hash);
	/* One answer for an unknown name, a disabled user and a wrong password, after the
	 * same argon2id work, so that neither the body nor the timing tells them apart. */
	bool ok = (rc == 0 || rc == MU_ENOTFOUND) &&
		  auth__password_verify(rc == 0 ? pw_hash : NULL, pw) && rc == 0 && !u.disabled;
	auth__hash_leave();
	if (rc != 0 && rc != MU_ENOTFOUND)
		goto out;
	if (!ok) {
		atomic_fetch_add(&auth__env.signin_failures, 1);
		int max = cfg->throttle_max, win = cfg->throttle_window_s;
		(void)auth__throttle_fail(pkey, max, win, now);
		(void)auth__throttle_fail(akey, 4 * max, win, now);
		(void)auth__throttle_fail(ukey, 10 * max, win, now);
		if (i > 0 && auth__username_check(name, NULL) == 0)
			r->record = mu_arena_sprintf(&r->arena, "user:%s", name);
		rc = http_fail(r, MU_EUNAUTH, NULL, "wrong username or password");
		goto out;
	}
	auth__throttle_clear(pkey);
	auth__throttle_mark(gkey, KNOWN_KEEP_S, now);

	struct auth_principal *p = mu_arena_alloc(&r->arena, sizeof *p);
	struct signin s = {.user = &u,
			   .expires = mu_now_unix() + (int64_t)cfg->session_hours * 3600,
			   .addr = addr,
			   .p = p};
	r->record = mu_arena_sprintf(&r->arena, "user:%lld", (long long)u.id);
	memset(p, 0, sizeof *p);
	p->kind = AUTH_KIND_USER; /* the audit entry's actor, filled in by the job */
	if ((rc = auth__submit_as(r, p, signin_job, &s)) != 0)
		goto out;
	/* From here the request belongs to the new user: done() sees it audited. */
	p->audited = true;
	r->principal = p;
	atomic_fetch_add(&auth__env.signins, 1);
	const char *cookie = mu_arena_sprintf(
	    &r->arena, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", s.token,
	    cfg->session_hours * 3600, cfg->cookie_secure ? "; Secure" : "");
	http_resp_header(resp, "Set-Cookie", cookie);
	resp->json = json_pack("{s:o,s:s}", "user", user_json(auth_req_db(r), p), "csrf", p->csrf);
	sodium_memzero(s.token, sizeof s.token);
out:
	sodium_memzero(pw_hash, sizeof pw_hash);
	return rc;
}

static int session_get(struct http_req *r, struct http_resp *resp)
{
	const struct auth_principal *p = auth_who(r);
	if (!p || p->kind != AUTH_KIND_USER) /* the route is for sessions only */
		return MU_EUNAUTH;
	resp->json = json_pack("{s:o,s:s,s:I}", "user", user_json(auth_req_db(r), p), "csrf",
			       p->csrf, "expires", (json_int_t)p->expires);
	return 0;
}

static int signout_job(struct db *d, void *arg)
{
	return auth__session_delete(d, &auth__env.keys, arg);
}

static int session_delete(struct http_req *r, struct http_resp *resp)
{
	const struct auth_principal *p = auth_who(r);
	const char *token = http_cookie(r, COOKIE);
	if (!p || !token) /* the guard let only a session through */
		return MU_EUNAUTH;
	r->record = mu_arena_sprintf(&r->arena, "user:%lld", (long long)p->id);
	int rc = auth_submit(r, signout_job, (void *)token);
	if (rc != 0)
		return rc;
	http_resp_header(resp, "Set-Cookie",
			 auth__env.cfg.cookie_secure
			     ? COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
			     : COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	resp->status = 204;
	return 0;
}

/* ---- GET /api/v1/audit ------------------------------------------------------------------ */

static void iso_of_ms(int64_t ms, char out[32])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rest = secs - days * 86400;
	char date[11];
	mu_date_format(days, date);
	snprintf(out, 32, "%sT%02d:%02d:%02d.%03dZ", date, (int)(rest / 3600),
		 (int)(rest / 60 % 60), (int)(rest % 60), (int)(ms - secs * 1000));
}

/* The actor places already resolved for one listing. */
#define SCOPE_CACHE 64

struct listing {
	json_t *entries;
	int want, got, seen;
	int64_t last_id;   /* the last entry listed */
	int64_t last_seen; /* the last entry examined, listed or not */
	bool more;
	/* The scope: whole for an admin or an auditor of the city; else entries whose actor
	 * (a user or a site) has a place inside who's jurisdiction. */
	bool whole;
	struct db *d;
	const struct auth_principal *who;
	struct scope_hit {
		int64_t kind, id;
		bool in;
	} cache[SCOPE_CACHE];
	int ncache;
};

static const char sql_user_place[] = "SELECT coalesce(place_id, 0) FROM users WHERE id = ?";
static const char sql_device_place[] = "SELECT coalesce(place_id, 0) FROM devices WHERE id = ?";

/* The path of place into ids (root first), by the configured resolver. */
static int place_path(struct db *d, int64_t place, int64_t ids[16], int *n)
{
	if (!auth__env.cfg.place_path) {
		ids[0] = place;
		*n = 1;
		return 0;
	}
	return auth__env.cfg.place_path(d, place, ids, n);
}

/* True when the actor of row lies inside the listing's scope. Anonymous entries (the
 * summaries of refusals, failed sign-ins) and labs have no place: the city's only. */
static bool actor_in_scope(struct listing *l, const struct auth__audit_row *row)
{
	if (l->whole)
		return true;
	if (row->actor_kind != AUTH_KIND_USER && row->actor_kind != AUTH_KIND_SITE)
		return false;
	for (int i = 0; i < l->ncache; i++)
		if (l->cache[i].kind == row->actor_kind && l->cache[i].id == row->actor_id)
			return l->cache[i].in;
	int64_t place = 0, ids[16];
	int n = 0;
	bool in = false;
	struct db_stmt *s = NULL;
	if (db_prepare(l->d, row->actor_kind == AUTH_KIND_USER ? sql_user_place : sql_device_place,
		       &s) == 0) {
		db_bind_i64(s, 1, row->actor_id);
		if (db_step(s) == DB_ROW)
			place = db_col_i64(s, 0);
	}
	db_stmt_done(s);
	/* An actor without a place is an admin of the whole system: outside any district. */
	if (place > 0 && place_path(l->d, place, ids, &n) == 0)
		in = auth_within(l->who, ids, n);
	if (l->ncache < SCOPE_CACHE)
		l->cache[l->ncache++] = (struct scope_hit){row->actor_kind, row->actor_id, in};
	return in;
}

static int list_row(const struct auth__audit_row *row, void *ctx)
{
	struct listing *l = ctx;
	char at[32];
	l->seen++;
	l->last_seen = row->id;
	if (!actor_in_scope(l, row))
		return 0;
	if (l->got == l->want) {
		l->more = true;
		return 1;
	}
	iso_of_ms(row->at_ms, at);
	json_array_append_new(
	    l->entries, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:i}", "id", (json_int_t)row->id, "at",
				  at, "actor", row->actor, "action", row->action, "record",
				  row->record, "addr", row->addr, "status", row->status));
	l->got++;
	l->last_id = row->id;
	return 0;
}

#define AUDIT_LIMIT_DEFAULT 50
#define AUDIT_LIMIT_MAX	    500
#define AUDIT_SCAN_MAX	    20000 /* entries examined by one scoped page */

static int audit_get(struct http_req *r, struct http_resp *resp)
{
	const char *user = http_query(r, "user"), *record = http_query(r, "record");
	const char *since = http_query(r, "since"), *until = http_query(r, "until");
	int64_t since_ms = 0, until_ms = 0, before;
	int lim, rc;
	if (user && (!*user || strlen(user) > AUTH_NAME_MAX + 40))
		return http_fail(r, MU_EINVAL, "user", "must have 1 to 104 characters");
	if (record && (!*record || strlen(record) > 512))
		return http_fail(r, MU_EINVAL, "record", "must have 1 to 512 characters");
	if (since && mu_time_parse(since, &since_ms) != 0)
		return http_fail(r, MU_EINVAL, "since", "must be an ISO 8601 date or date-time");
	if (until && mu_time_parse(until, &until_ms) != 0)
		return http_fail(r, MU_EINVAL, "until", "must be an ISO 8601 date or date-time");
	if ((rc = http_query_cursor_id(r, &before)) != 0 ||
	    (rc = http_query_limit(r, AUDIT_LIMIT_DEFAULT, AUDIT_LIMIT_MAX, &lim)) != 0)
		return rc;
	/* 0 means "no bound" below; a bound at the epoch itself is one millisecond off. */
	if (since && since_ms == 0)
		since_ms = 1;
	if (until && until_ms == 0)
		until_ms = -1;
	struct listing *l = mu_arena_alloc(&r->arena, sizeof *l);
	memset(l, 0, sizeof *l);
	l->entries = json_array();
	l->want = lim;
	l->d = auth_req_db(r);
	l->who = auth_who(r);
	MU_ASSERT(l->who);
	int64_t own[16];
	int nown = 0;
	l->whole = l->who->place_id == 0 ||
		   (place_path(l->d, l->who->place_id, own, &nown) == 0 && nown == 1);
	/* Entries outside the scope are skipped, so a page may need several runs of the
	 * listing; bounded, and past the bound the cursor goes on where it stopped. */
	int scanned = 0;
	for (;;) {
		l->seen = 0;
		rc = auth__audit_list(l->d, user, record, since_ms, until_ms, before, lim + 1,
				      list_row, l);
		if (rc < 0)
			break;
		scanned += l->seen;
		if (l->more || l->seen < lim + 1)
			break;
		before = l->last_seen;
		if (scanned >= AUDIT_SCAN_MAX) {
			l->more = true;
			l->last_id = l->last_seen;
			break;
		}
	}
	if (rc < 0) {
		json_decref(l->entries);
		return rc;
	}
	json_t *next = l->more
			   ? json_string(mu_arena_sprintf(&r->arena, "%lld", (long long)l->last_id))
			   : json_null();
	resp->json = json_pack("{s:o,s:o}", "entries", l->entries, "cursor", next);
	return 0;
}

const struct http_route auth_routes[] = {
    {HTTP_POST, "/api/v1/session", session_post, AUTH_ANY, HTTP_ROUTE_PUBLIC | HTTP_ROUTE_NOCSRF,
     NULL, "sign in with username and password: a session cookie and the CSRF token"},
    {HTTP_GET, "/api/v1/session", session_get, AUTH_ANY, 0, NULL,
     "the signed-in user and the session's CSRF token"},
    {HTTP_DELETE, "/api/v1/session", session_delete, AUTH_ANY, 0, NULL, "sign out"},
    {HTTP_GET, "/api/v1/audit", audit_get, AUTH_R(AUTH_AUDITOR) | AUTH_R(AUTH_ADMIN), 0, NULL,
     "the audit log, newest first, filtered by user, record and time"},
    {0, NULL, NULL, 0, 0, NULL, NULL},
};
