/* test_guard.c: the guard on hand-made requests — public routes, no credentials, bad
 * tokens, roles, the CSRF header, device tokens on user routes, jurisdiction inside
 * and outside, disabled users — and the audit entries it writes afterwards, including
 * auth_submit's write-and-entry in one savepoint. */
#include <strings.h>

#include "auth/api.h"
#include "auth/auth_int.h"
#include "places/places.h"
#include "testutil.h"

/* A request with the headers the guard reads. The http lookups below read them when
 * no real server is linked (weak: the server's own definitions win when present). */
struct freq {
	struct http_req r;
	const char *authz, *cookie, *csrf;
};

__attribute__((weak)) const char *http_header(const struct http_req *r, const char *name)
{
	const struct freq *f = (const struct freq *)r;
	if (!strcasecmp(name, "Authorization"))
		return f->authz;
	if (!strcasecmp(name, "X-CSRF-Token"))
		return f->csrf;
	return NULL;
}

__attribute__((weak)) const char *http_cookie(const struct http_req *r, const char *name)
{
	const struct freq *f = (const struct freq *)r;
	return !strcmp(name, "muster_session") ? f->cookie : NULL;
}

/* The target of /places/{code}: the place's path, root first. */
static int place_of(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct places_node node;
	int64_t path[PLACES_NLEVELS];
	int rc = places_find(auth_req_db(r), r->params[0], &node);
	if (rc != 0)
		return rc;
	if ((rc = places_path(auth_req_db(r), node.id, path, n)) != 0)
		return rc;
	MU_ASSERT(*n <= HTTP_PATH_MAX);
	memcpy(ids, path, sizeof ids[0] * (size_t)*n);
	return 0;
}

static int noop(struct http_req *r, struct http_resp *resp)
{
	(void)r, (void)resp;
	return 0;
}

static const struct http_route r_public = {HTTP_GET, "/open", noop, 0, HTTP_ROUTE_PUBLIC, NULL, ""};
static const struct http_route r_admin = {HTTP_GET, "/admin", noop, AUTH_R(AUTH_ADMIN),
					  0,	    NULL,     ""};
static const struct http_route r_write = {
    HTTP_POST, "/things", noop, AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_STAFF), 0, NULL, ""};
static const struct http_route r_place = {HTTP_GET,	     "/places/{code}", noop, AUTH_ANY,
					  HTTP_ROUTE_PERSON, place_of,	       ""};
static const struct http_route r_tubes = {
    HTTP_POST,	       "/tubes", noop, AUTH_R(AUTH_SAMPLER) | AUTH_R(AUTH_LAB),
    HTTP_ROUTE_DEVICE, NULL,	 ""};
static const struct http_route r_site = {HTTP_GET,
					 "/sites/{code}",
					 noop,
					 AUTH_R(AUTH_SAMPLER) | AUTH_R(AUTH_LAB) |
					     AUTH_R(AUTH_STAFF),
					 HTTP_ROUTE_DEVICE,
					 place_of,
					 ""};

struct fx {
	struct tdb t;
	struct db_writer *w;
	char staff[AUTH_TOKEN_LEN + 1], admin[AUTH_TOKEN_LEN + 1], lab[AUTH_TOKEN_LEN + 1],
	    site[AUTH_TOKEN_LEN + 1];
	char staff_csrf[AUTH_CSRF_LEN + 1];
	struct freq q;
	struct http_guard g;
};

static void session(struct fx *f, const char *name, char *tok, char *csrf)
{
	struct auth__keys k;
	struct auth_user u;
	struct auth_principal p;
	assert_int_equal(auth__keys_for(f->t.path, &k), 0);
	assert_int_equal(auth_user_get(f->t.db, name, &u), 0);
	assert_int_equal(auth__session_create(f->t.db, &k, &u, mu_now_unix() + 600, "", tok, &p),
			 0);
	if (csrf)
		strcpy(csrf, p.csrf);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	int64_t gz, a, b, a1;
	struct db *d;
	tdb_open(&f->t);
	d = f->t.db;
	assert_int_equal(places_add(d, 0, PLACES_CITY, "GZ", "广州", &gz, NULL), 0);
	assert_int_equal(places_add(d, gz, PLACES_DISTRICT, "GZ-A", "甲区", &a, NULL), 0);
	assert_int_equal(places_add(d, gz, PLACES_DISTRICT, "GZ-B", "乙区", &b, NULL), 0);
	assert_int_equal(places_add(d, a, PLACES_STREET, "GZ-A-1", "一街", &a1, NULL), 0);
	assert_int_equal(auth_user_add(d, "admin", AUTH_ADMIN, 0, "keeper of keys", NULL, NULL), 0);
	assert_int_equal(auth_user_add(d, "staffa", AUTH_STAFF, a, "staff password", NULL, NULL),
			 0);
	session(f, "staffa", f->staff, f->staff_csrf);
	session(f, "admin", f->admin, NULL);
	assert_int_equal(auth_token_issue(d, AUTH_KIND_LAB, "LAB-1", 0, f->lab, NULL), 0);
	assert_int_equal(auth_token_issue(d, AUTH_KIND_SITE, "S-1", a, f->site, NULL), 0);
	assert_int_equal(db_writer_start(f->t.path, NULL, &f->w), 0);
	struct auth_config cfg = {.db_path = f->t.path, .writer = f->w};
	assert_int_equal(auth_init(&cfg), 0);
	f->g = auth_guard();
	assert_non_null(f->g.check);
	assert_non_null(f->g.done);
	mu_arena_init(&f->q.r.arena, 4096);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	mu_arena_fini(&f->q.r.arena);
	db_writer_stop(f->w);
	auth_fini();
	db_reader_close();
	tdb_close(&f->t);
	free(f);
	return 0;
}

/* Resets the request for route rt with one path parameter and the given credentials,
 * and runs the guard's check. */
static int ask(struct fx *f, const struct http_route *rt, const char *param, const char *cookie,
	       const char *authz, const char *csrf)
{
	struct mu_arena a = f->q.r.arena;
	mu_arena_reset(&a);
	memset(&f->q, 0, sizeof f->q);
	f->q.r.arena = a;
	f->q.r.method = rt->method;
	f->q.r.route = rt;
	f->q.r.path = rt->pattern;
	f->q.r.params[0] = param;
	f->q.r.nparams = param ? 1 : 0;
	f->q.r.body = "";
	strcpy(f->q.r.client, "192.0.2.7");
	f->q.cookie = cookie;
	f->q.authz = authz;
	f->q.csrf = csrf;
	int rc = f->g.check(f->g.ctx, &f->q.r);
	/* The request is over: end the read snapshot check opened, as done() would in the
	 * server (done itself is tested on its own, below). */
	if (f->q.r.guard_ctx)
		db_read_end(auth_req_db(&f->q.r));
	return rc;
}

/* "Bearer TOKEN" (ask() rewinds the request arena, so not from there). */
static const char *bearer(struct fx *f, const char *tok)
{
	static char buf[2][80];
	static int i;
	(void)f;
	i = !i;
	snprintf(buf[i], sizeof buf[i], "Bearer %s", tok);
	return buf[i];
}

static void test_public_and_unauthenticated(void **state)
{
	struct fx *f = *state;
	assert_int_equal(ask(f, &r_public, NULL, NULL, NULL, NULL), 0);
	assert_null(auth_who(&f->q.r));
	assert_int_equal(ask(f, &r_admin, NULL, NULL, NULL, NULL), MU_EUNAUTH);
	assert_null(auth_who(&f->q.r));
	char fake[AUTH_TOKEN_LEN + 1];
	auth__token_new(fake);
	assert_int_equal(ask(f, &r_admin, NULL, fake, NULL, NULL), MU_EUNAUTH);
	assert_int_equal(ask(f, &r_admin, NULL, "garbage", NULL, NULL), MU_EUNAUTH);
	assert_int_equal(ask(f, &r_tubes, NULL, NULL, "Bearer nope", NULL), MU_EUNAUTH);
	assert_int_equal(ask(f, &r_tubes, NULL, NULL, "Basic bGFiOmxhYg==", NULL), MU_EUNAUTH);
	/* a session token is no device token, and the other way round */
	assert_int_equal(ask(f, &r_admin, NULL, NULL, bearer(f, f->admin), NULL), MU_EUNAUTH);
	assert_int_equal(ask(f, &r_tubes, NULL, f->lab, NULL, NULL), MU_EUNAUTH);
	assert_int_equal(ask(f, &r_admin, NULL, f->admin, NULL, NULL), 0);
	assert_string_equal(auth_who(&f->q.r)->name, "admin");
}

/* The request's connection comes from the guard: when none can be opened the answer is
 * 503 before any credential is read (public routes too), never an abort; once the
 * database can be read again so can requests. */
static void test_no_reader(void **state)
{
	struct fx *f = *state;
	const char *path = auth__env.cfg.db_path;
	assert_int_equal(ask(f, &r_public, NULL, NULL, NULL, NULL), 0);
	assert_non_null(auth_req_db(&f->q.r));
	db_reader_close(); /* the thread's reader is opened again on its next use */
	auth__env.cfg.db_path = "/nonexistent/muster.db";
	assert_int_equal(ask(f, &r_admin, NULL, f->admin, NULL, NULL), MU_EBUSY);
	assert_null(f->q.r.guard_ctx);
	assert_null(auth_who(&f->q.r));
	assert_non_null(f->q.r.err_message);
	assert_int_equal(ask(f, &r_public, NULL, NULL, NULL, NULL), MU_EBUSY);
	f->g.done(f->g.ctx, &f->q.r, 503); /* nothing to end, nothing to audit */
	auth__env.cfg.db_path = path;
	assert_int_equal(ask(f, &r_admin, NULL, f->admin, NULL, NULL), 0);
	assert_non_null(auth_req_db(&f->q.r));
	assert_string_equal(auth_who(&f->q.r)->name, "admin");
}

static void test_roles(void **state)
{
	struct fx *f = *state;
	assert_int_equal(ask(f, &r_admin, NULL, f->staff, NULL, NULL), MU_EFORBIDDEN);
	assert_string_equal(f->q.r.err_message, "not allowed");
	assert_non_null(auth_who(&f->q.r)); /* known, for the audit entry of the refusal */
	assert_int_equal(ask(f, &r_tubes, NULL, f->staff, NULL, f->staff_csrf), MU_EFORBIDDEN);
}

static void test_csrf(void **state)
{
	struct fx *f = *state;
	assert_int_equal(ask(f, &r_write, NULL, f->staff, NULL, NULL), MU_EFORBIDDEN);
	assert_string_equal(f->q.r.err_message, "missing or wrong X-CSRF-Token");
	char wrong[AUTH_CSRF_LEN + 1];
	strcpy(wrong, f->staff_csrf);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	assert_int_equal(ask(f, &r_write, NULL, f->staff, NULL, wrong), MU_EFORBIDDEN);
	assert_int_equal(ask(f, &r_write, NULL, f->staff, NULL, "short"), MU_EFORBIDDEN);
	assert_int_equal(ask(f, &r_write, NULL, f->staff, NULL, f->staff_csrf), 0);
	assert_string_equal(auth_who(&f->q.r)->name, "staffa");
	/* GET needs none */
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	/* another session's token does not do */
	char other[AUTH_TOKEN_LEN + 1], other_csrf[AUTH_CSRF_LEN + 1];
	session(f, "admin", other, other_csrf);
	assert_int_equal(ask(f, &r_write, NULL, f->staff, NULL, other_csrf), MU_EFORBIDDEN);
	/* device tokens carry no CSRF token (no cookie, nothing a browser sends alone) */
	assert_int_equal(ask(f, &r_tubes, NULL, NULL, bearer(f, f->lab), NULL), 0);
}

static void test_devices(void **state)
{
	struct fx *f = *state;
	/* a device token on a route not open to devices */
	assert_int_equal(ask(f, &r_admin, NULL, NULL, bearer(f, f->lab), NULL), MU_EFORBIDDEN);
	assert_int_equal(ask(f, &r_place, "GZ-A", NULL, bearer(f, f->site), NULL), MU_EFORBIDDEN);
	assert_int_equal(ask(f, &r_tubes, NULL, NULL, bearer(f, f->lab), NULL), 0);
	const struct auth_principal *p = auth_who(&f->q.r);
	assert_int_equal(p->kind, AUTH_KIND_LAB);
	assert_string_equal(p->name, "lab:LAB-1");
	/* a site works at its place only; a lab is within no place at all */
	assert_int_equal(ask(f, &r_site, "GZ-A-1", NULL, bearer(f, f->site), NULL), 0);
	assert_int_equal(auth_who(&f->q.r)->role, AUTH_SAMPLER);
	assert_int_equal(ask(f, &r_site, "GZ-B", NULL, bearer(f, f->site), NULL), MU_EFORBIDDEN);
	assert_int_equal(ask(f, &r_site, "GZ", NULL, bearer(f, f->site), NULL), MU_EFORBIDDEN);
	assert_int_equal(ask(f, &r_site, "GZ-A", NULL, bearer(f, f->lab), NULL), MU_EFORBIDDEN);
	/* revoked */
	assert_int_equal(auth_token_revoke(f->t.db, 1), 0);
	assert_int_equal(ask(f, &r_tubes, NULL, NULL, bearer(f, f->lab), NULL), MU_EUNAUTH);
}

static void test_jurisdiction(void **state)
{
	struct fx *f = *state;
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	assert_int_equal(ask(f, &r_place, "GZ-A-1", f->staff, NULL, NULL), 0);
	assert_int_equal(ask(f, &r_place, "GZ-B", f->staff, NULL, NULL), MU_EFORBIDDEN);
	assert_string_equal(f->q.r.err_message, "not allowed");
	assert_null(f->q.r.err_field);
	assert_int_equal(ask(f, &r_place, "GZ", f->staff, NULL, NULL), MU_EFORBIDDEN);
	assert_int_equal(ask(f, &r_place, "NOPE", f->staff, NULL, NULL), MU_ENOTFOUND);
	/* the admin without a place sees everything */
	assert_int_equal(ask(f, &r_place, "GZ-B", f->admin, NULL, NULL), 0);
	assert_int_equal(ask(f, &r_place, "GZ", f->admin, NULL, NULL), 0);
}

static void test_within(void **state)
{
	(void)state;
	struct auth_principal p = {.kind = AUTH_KIND_USER, .role = AUTH_STAFF, .place_id = 5};
	int64_t path[] = {1, 5, 9};
	assert_true(auth_within(&p, path, 3));
	assert_true(auth_within(&p, path, 2));
	assert_false(auth_within(&p, path, 1));
	assert_false(auth_within(&p, path, 0));
	assert_false(auth_within(NULL, path, 3));
	p.place_id = 0; /* only an admin may be without a place */
	assert_false(auth_within(&p, path, 3));
	p.role = AUTH_ADMIN;
	assert_true(auth_within(&p, path, 3));
	struct auth_principal lab = {.kind = AUTH_KIND_LAB, .role = AUTH_LAB, .place_id = 0};
	assert_false(auth_within(&lab, path, 3));
	lab.place_id = 5; /* never, even if a place were set */
	assert_false(auth_within(&lab, path, 3));
}

static void test_disabled_user(void **state)
{
	struct fx *f = *state;
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	assert_int_equal(auth_user_disable(f->t.db, "staffa"), 0);
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), MU_EUNAUTH);
}

static int write_thing(struct db *d, void *arg)
{
	struct http_req *r = arg;
	r->record = "thing:7";
	return db_exec(d, "CREATE TABLE IF NOT EXISTS things(x)");
}

static int failing_write(struct db *d, void *arg)
{
	(void)arg;
	db_exec(d, "CREATE TABLE IF NOT EXISTS failed(x)");
	return MU_EINVAL;
}

static int64_t count(struct fx *f, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_i64(f->t.db, sql, &n), 0);
	return n;
}

static void test_audit_after(void **state)
{
	struct fx *f = *state;
	int64_t before = count(f, "SELECT count(*) FROM audit");
	/* a refusal; a person read; a write the handler did not audit; a plain read */
	assert_int_equal(ask(f, &r_admin, NULL, f->staff, NULL, NULL), MU_EFORBIDDEN);
	f->g.done(f->g.ctx, &f->q.r, 403);
	assert_int_equal(ask(f, &r_admin, NULL, NULL, NULL, NULL), MU_EUNAUTH);
	f->g.done(f->g.ctx, &f->q.r, 401);
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	f->q.r.record = "place:GZ-A";
	f->g.done(f->g.ctx, &f->q.r, 200);
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	f->g.done(f->g.ctx, &f->q.r, 404); /* failed reads are not person reads */
	assert_int_equal(ask(f, &r_write, NULL, f->staff, NULL, f->staff_csrf), 0);
	f->g.done(f->g.ctx, &f->q.r, 200);
	assert_int_equal(ask(f, &r_admin, NULL, f->admin, NULL, NULL), 0);
	f->g.done(f->g.ctx, &f->q.r, 200);
	/* a write through auth_submit: audited once, inside the write's own savepoint
	 * (first refused without its CSRF header) */
	assert_int_equal(ask(f, &r_write, NULL, f->admin, NULL, NULL), MU_EFORBIDDEN);
	f->g.done(f->g.ctx, &f->q.r, 403);
	char admin_csrf[AUTH_CSRF_LEN + 1], admin2[AUTH_TOKEN_LEN + 1];
	session(f, "admin", admin2, admin_csrf);
	assert_int_equal(ask(f, &r_write, NULL, admin2, NULL, admin_csrf), 0);
	assert_int_equal(auth_submit(&f->q.r, write_thing, &f->q.r), 0);
	f->g.done(f->g.ctx, &f->q.r, 201);
	/* a failing write leaves neither its change nor an entry */
	assert_int_equal(ask(f, &r_write, NULL, admin2, NULL, admin_csrf), 0);
	assert_int_equal(auth_submit(&f->q.r, failing_write, NULL), MU_EINVAL);
	auth_guard_flush();   /* the anonymous refusal's summary */
	db_writer_stop(f->w); /* drains the posted entries */
	f->w = NULL;
	assert_int_equal(count(f, "SELECT count(*) FROM audit") - before, 6);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'denied GET /admin' "
				  "AND actor = 'staffa' AND status = 403 AND addr = '192.0.2.7'"),
			 1);
	assert_int_equal(
	    count(f, "SELECT count(*) FROM audit WHERE action = 'denied GET /admin' "
		     "AND actor = '' AND status = 401 AND record LIKE 'anonymous:1 minute:%'"),
	    1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'GET /places/{code}' "
				  "AND record = 'place:GZ-A' AND actor_kind = 1"),
			 1);
	assert_int_equal(
	    count(f,
		  "SELECT count(*) FROM audit WHERE action = 'POST /things' AND actor = 'staffa'"),
	    1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'POST /things' AND "
				  "actor = 'admin' AND record = 'thing:7' AND status = 200"),
			 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE actor = 'admin' AND action = "
				  "'denied POST /things'"),
			 1);
	assert_int_equal(count(f, "SELECT count(*) FROM sqlite_master WHERE name = 'things'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM sqlite_master WHERE name = 'failed'"), 0);
	int64_t bad = -1, checked = 0;
	assert_int_equal(auth_audit_verify(f->t.db, f->t.path, &bad, &checked), 0);
	assert_int_equal(bad, 0);
	assert_true(checked >= 6);
	/* after the writer stopped, auth_submit refuses */
	struct auth_config cfg = {.db_path = f->t.path, .writer = NULL};
	assert_int_equal(auth_init(&cfg), 0);
	assert_int_equal(auth_submit(&f->q.r, write_thing, &f->q.r), MU_ESTOPPED);
}

/* Refusals without an identity: one summary entry per (address, route, status) of a
 * minute, whatever their number; with an identity, one entry each as before. */
static void test_anonymous_summary(void **state)
{
	struct fx *f = *state;
	struct auth_config cfg = {.db_path = f->t.path, .writer = f->w, .anon_per_s = 1000000};
	assert_int_equal(auth_init(&cfg), 0);
	int64_t before = count(f, "SELECT count(*) FROM audit");
	for (int i = 0; i < 300; i++) {
		const struct http_route *rt = i % 3 ? &r_admin : &r_tubes;
		int rc =
		    ask(f, rt, NULL, i % 2 ? "garbage" : NULL, i % 3 ? NULL : "Bearer nope", NULL);
		assert_int_equal(rc, MU_EUNAUTH);
		if (i >= 150)
			strcpy(f->q.r.client, "192.0.2.8");
		f->g.done(f->g.ctx, &f->q.r, 401);
	}
	assert_int_equal(ask(f, &r_admin, NULL, f->staff, NULL, NULL), MU_EFORBIDDEN);
	f->g.done(f->g.ctx, &f->q.r, 403);
	auth_guard_flush();
	auth_guard_flush(); /* nothing left: nothing more */
	db_writer_stop(f->w);
	f->w = NULL;
	/* Two addresses by two routes, and the signed-in refusal; a minute may have turned
	 * during the loop, splitting a summary in two. */
	int64_t added = count(f, "SELECT count(*) FROM audit") - before;
	assert_true(added >= 5 && added <= 9);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE actor = 'staffa'"), 1);
	assert_true(count(f, "SELECT count(*) FROM audit WHERE actor = '' AND addr = "
			     "'192.0.2.8' AND action = 'denied POST /tubes'") >= 1);
	int64_t anon = 0;
	struct db_stmt *st = NULL;
	assert_int_equal(
	    db_prepare(f->t.db, "SELECT record FROM audit WHERE actor = '' AND status = 401", &st),
	    0);
	while (db_step(st) == DB_ROW) {
		unsigned long long n = 0;
		assert_int_equal(sscanf(db_col_text(st, 0), "anonymous:%llu minute:", &n), 1);
		anon += (int64_t)n;
	}
	db_stmt_done(st);
	assert_int_equal(anon, 300); /* every refusal counted */
}

/* A read of several people leaves one entry per person, each found by its record. */
static void test_person_entries(void **state)
{
	struct fx *f = *state;
	int64_t before = count(f, "SELECT count(*) FROM audit");
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	f->q.r.record = "person:5,6,1234567890123";
	f->g.done(f->g.ctx, &f->q.r, 200);
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	f->q.r.record = "person:8";
	f->g.done(f->g.ctx, &f->q.r, 200);
	db_writer_stop(f->w);
	f->w = NULL;
	assert_int_equal(count(f, "SELECT count(*) FROM audit") - before, 4);
	assert_int_equal(count(f,
			       "SELECT count(*) FROM audit WHERE actor = 'staffa' AND action = "
			       "'GET /places/{code}' AND status = 200 AND record IN ('person:5', "
			       "'person:6', 'person:1234567890123', 'person:8')"),
			 4);
	int64_t bad = -1, checked = 0;
	assert_int_equal(auth_audit_verify(f->t.db, f->t.path, &bad, &checked), 0);
	assert_int_equal(bad, 0);
}

static uint64_t lost_now(void)
{
	return (uint64_t)atomic_load(&auth__env.audit_lost);
}

/* The size of the journal file being written (both files' sizes summed). */
static long journal_bytes(struct fx *f)
{
	long total = 0;
	const char *ext[] = {"-audit.journal", "-audit.journal.1"};
	for (int i = 0; i < 2; i++) {
		char p[256];
		snprintf(p, sizeof p, "%s%s", f->t.path, ext[i]);
		FILE *fp = fopen(p, "rb");
		if (!fp)
			continue;
		fseek(fp, 0, SEEK_END);
		total += ftell(fp);
		fclose(fp);
	}
	return total;
}

/* A read of people is answered only once its entries are in the journal: before_send
 * writes them there (one record per person) before the body goes out, the writer moves
 * them into audit and empties the journal, and done() adds no second entry. Reads that
 * are not of people, and failed ones, write nothing (issue 11 item 5). */
static void test_person_read_journalled(void **state)
{
	struct fx *f = *state;
	assert_non_null(f->g.before_send);
	int64_t before = count(f, "SELECT count(*) FROM audit");
	assert_int_equal(journal_bytes(f), 0);
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	f->q.r.record = "person:5,6";
	assert_int_equal(f->g.before_send(f->g.ctx, &f->q.r, 200), 0);
	/* in the journal file at once, before any commit */
	assert_true(journal_bytes(f) > 0);
	f->g.done(f->g.ctx, &f->q.r, 200); /* no second entry */
	assert_int_equal(ask(f, &r_admin, NULL, f->admin, NULL, NULL), 0);
	long size = journal_bytes(f);
	assert_int_equal(f->g.before_send(f->g.ctx, &f->q.r, 200), 0);
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	f->q.r.record = "person:9";
	assert_int_equal(f->g.before_send(f->g.ctx, &f->q.r, 404), 0);
	assert_int_equal(journal_bytes(f), size);
	db_writer_stop(f->w); /* drains and commits what is queued */
	f->w = NULL;
	assert_int_equal(count(f, "SELECT count(*) FROM audit") - before, 2);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE record IN ('person:5', "
				  "'person:6') AND actor = 'staffa' AND status = 200"),
			 2);
	/* moved: the mark says so and the journal is empty again */
	assert_int_equal(count(f, "SELECT seq FROM audit_journal"), 2);
	assert_int_equal(journal_bytes(f), 0);
	int64_t bad = -1, checked = 0;
	assert_int_equal(auth_audit_verify(f->t.db, f->t.path, &bad, &checked), 0);
	assert_int_equal(bad, 0);
}

/* A journal that cannot be written (/dev/full: ENOSPC at every write) refuses the read
 * with 503 storage_full and counts each of its entries lost; no journal at all (no
 * writer) refuses it too. */
static void test_person_read_journal_full(void **state)
{
	struct fx *f = *state;
	struct auth_config cfg = {.db_path = f->t.path, .writer = f->w};
	setenv("MUSTER_AUDIT_JOURNAL", "/dev/full", 1);
	int rc = auth_init(&cfg);
	unsetenv("MUSTER_AUDIT_JOURNAL");
	assert_int_equal(rc, 0);
	int64_t before = count(f, "SELECT count(*) FROM audit");
	uint64_t lost = lost_now();
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	f->q.r.record = "person:7,8,9";
	rc = f->g.before_send(f->g.ctx, &f->q.r, 200);
	assert_int_equal(rc, MU_EFULL);
	assert_int_equal(mu_err_http(rc), 503);
	assert_non_null(f->q.r.err_message);
	assert_int_equal(lost_now() - lost, 3);
	/* a journal path that cannot be opened (a directory): the server runs, the read is
	 * refused */
	setenv("MUSTER_AUDIT_JOURNAL", f->t.dir, 1);
	rc = auth_init(&cfg);
	unsetenv("MUSTER_AUDIT_JOURNAL");
	assert_int_equal(rc, 0);
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	f->q.r.record = "person:7,8";
	rc = f->g.before_send(f->g.ctx, &f->q.r, 200);
	assert_int_equal(mu_err_http(rc), 503);
	assert_int_equal(lost_now() - lost, 5);
	/* no writer: no journal, the same refusal (503) */
	cfg.writer = NULL;
	assert_int_equal(auth_init(&cfg), 0);
	assert_int_equal(ask(f, &r_place, "GZ-A", f->staff, NULL, NULL), 0);
	f->q.r.record = "person:7";
	assert_int_equal(mu_err_http(f->g.before_send(f->g.ctx, &f->q.r, 200)), 503);
	assert_int_equal(lost_now() - lost, 6);
	db_writer_stop(f->w);
	f->w = NULL;
	assert_int_equal(count(f, "SELECT count(*) FROM audit") - before, 0);
}

/* The rate of refusals without an identity per address and second. */
static void test_anonymous_rate(void **state)
{
	struct fx *f = *state;
	auth__flood_reset();
	for (int i = 1; i <= 3; i++)
		assert_false(auth__anon_limited("192.0.2.1", 3, 100));
	assert_true(auth__anon_limited("192.0.2.1", 3, 100));
	assert_false(auth__anon_limited("192.0.2.2", 3, 100)); /* another address */
	assert_false(auth__anon_limited("192.0.2.1", 3, 101)); /* the next second */
	/* A flood from many addresses fills the table; the address being limited keeps
	 * its slot (nothing counting this second is evicted), so it stays limited. */
	for (int i = 0; i < 3; i++)
		auth__anon_limited("198.51.100.1", 3, 102);
	assert_true(auth__anon_limited("198.51.100.1", 3, 102));
	int refused = 0;
	char addr[64];
	for (int i = 0; i < 40000; i++) {
		snprintf(addr, sizeof addr, "2001:db8::%x", i);
		refused += auth__anon_limited(addr, 3, 102);
	}
	assert_true(refused > 0);
	assert_true(auth__anon_limited("198.51.100.1", 3, 102));
	/* and a second later the table serves again */
	assert_false(auth__anon_limited("2001:db8::1", 3, 103));
	/* The guard answers 429 past the configured rate. */
	struct auth_config cfg = {.db_path = f->t.path, .writer = f->w, .anon_per_s = 2};
	assert_int_equal(auth_init(&cfg), 0);
	int limited = 0;
	for (int i = 0; i < 10; i++) {
		int rc = ask(f, &r_admin, NULL, NULL, NULL, NULL);
		assert_true(rc == MU_EUNAUTH || rc == MU_ETOOMANY);
		limited += rc == MU_ETOOMANY;
	}
	assert_true(limited > 0);
	struct mu_buf b;
	mu_buf_init(&b, 1 << 16);
	auth_metrics(NULL, &b);
	assert_null(strstr(mu_buf_str(&b), "\nmuster_auth_anonymous_limited_total 0\n"));
	assert_non_null(strstr(mu_buf_str(&b), "\nmuster_auth_anonymous_limited_total "));
	mu_buf_fini(&b);
	/* signed in, the same address is served */
	assert_int_equal(ask(f, &r_admin, NULL, f->admin, NULL, NULL), 0);
}

static void test_metrics(void **state)
{
	struct fx *f = *state;
	struct mu_buf b;
	mu_buf_init(&b, 1 << 16);
	auth_metrics(NULL, &b);
	assert_non_null(strstr(mu_buf_str(&b), "\nmuster_signin_failures_total 0\n"));
	assert_non_null(strstr(mu_buf_str(&b), "\nmuster_signin_throttled_total 0\n"));
	assert_non_null(strstr(mu_buf_str(&b), "\nmuster_signin_busy_total 0\n"));
	assert_non_null(strstr(mu_buf_str(&b), "\nmuster_sessions_active 2\n"));
	mu_buf_fini(&b);
	(void)f;
}

/* The audit record of a page of people: every id on it. */
static void test_people_record(void **state)
{
	(void)state;
	struct http_req r;
	struct auth_people_record rec;
	memset(&r, 0, sizeof r);
	mu_arena_init(&r.arena, 4096);
	auth_people_record_init(&rec);
	auth_people_record_fini(&rec, &r);
	assert_null(r.record); /* nobody named, nothing recorded */
	auth_people_record_init(&rec);
	for (int i = 1; i <= 52; i++)
		auth_people_record_add(&rec, i);
	auth_people_record_fini(&rec, &r);
	assert_true(!strncmp(r.record, "person:1,2,3,", 13));
	assert_non_null(strstr(r.record, ",49,50,51,52"));
	assert_null(strstr(r.record, "more"));
	/* a full page of the largest ids fits */
	auth_people_record_init(&rec);
	for (int i = 0; i < HTTP_LIMIT_MAX; i++)
		auth_people_record_add(&rec, INT64_MAX - i);
	auth_people_record_fini(&rec, &r);
	assert_int_equal(strlen(r.record), 7 + HTTP_LIMIT_MAX * 20 - 1);
	auth_record_person(&r, 42);
	assert_string_equal(r.record, "person:42");
	mu_arena_fini(&r.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_public_and_unauthenticated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_reader, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csrf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_jurisdiction, setup, teardown),
	    cmocka_unit_test(test_within),
	    cmocka_unit_test(test_people_record),
	    cmocka_unit_test_setup_teardown(test_disabled_user, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_after, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_anonymous_summary, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_anonymous_rate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_person_entries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_person_read_journalled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_person_read_journal_full, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
