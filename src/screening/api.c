/* api.c: the screening HTTP API — rounds, sites and labs, the scan path for samplers and
 * site devices, lab receipts and results (barcodes only, never names), recalls, live
 * coverage from the server's aggregate, the audited roll-call, and exemptions. Every
 * write goes through auth_submit; the coverage deltas it produced are applied after. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/core.h"
#include "db/db.h"
#include "http/http.h"
#include "people/people.h"
#include "places/places.h"
#include "screening.h"

#define R_ADMIN AUTH_R(AUTH_ADMIN)
#define R_CMD	AUTH_R(AUTH_COMMANDER)
#define R_STAFF AUTH_R(AUTH_STAFF)
#define R_GRID	AUTH_R(AUTH_GRID_WORKER)
#define R_SAMP	AUTH_R(AUTH_SAMPLER)
#define R_LAB	AUTH_R(AUTH_LAB)
#define R_AUD	AUTH_R(AUTH_AUDITOR)

#define ROUND_WRITE (R_ADMIN | R_CMD | R_STAFF)
#define ROUND_READ  (R_ADMIN | R_CMD | R_STAFF | R_GRID | R_SAMP | R_AUD)
#define SETUP	    (R_ADMIN | R_STAFF)
#define FIELD	    (R_ADMIN | R_CMD | R_STAFF | R_GRID)
#define EXEMPT	    (R_GRID | R_STAFF)
#define SITE_READ   (R_ADMIN | R_CMD | R_STAFF | R_SAMP)
#define LAB_READ    (R_ADMIN | R_CMD | R_STAFF | R_LAB)

#define PAGE_DEFAULT 100
#define PAGE_MAX     1000
#define RECORD_IDS   50 /* person ids named in one audit record; the rest are counted */

/* The server's keys (personal codes and ID hashes for the scan path, names for the
 * roll-call) and its coverage aggregate: set by screening_api_init before the first
 * request; the aggregate locks itself. */
static struct people_keys keys;
static struct screening_cov *cov;
static struct screening_hours *day_hours; /* samples per hour, for the overview's day */
/* A progress that took 20 ms or more to count is answered again for 2 s. */
static struct screening_progress_keep *progress_kept;

/* Counts an open round's samples per hour now rather than at the first overview that
 * asks (a whole-city round sampled in a day: ~4 s). */
static int count_open_round(const struct screening_round *r, void *ctx)
{
	return r->closed_at ? 0 : screening_hours_sum(day_hours, ctx, r->id, 0, 0, NULL, NULL);
}

int screening_api_init(const char *db_path)
{
	struct db *d = NULL;
	int rc = people_keys_load(db_path, &keys);
	if (rc == 0)
		rc = db_open(db_path, DB_OPEN_READONLY, &d);
	if (rc == 0)
		rc = screening_cov_new(d, &cov);
	day_hours = screening_hours_new();
	progress_kept = screening_progress_keep_new(0.020, 2.0);
	/* One snapshot: the hours of every open round count the same samples. */
	if (rc == 0 && (rc = db_read_begin(d)) == 0) {
		rc = screening_round_list(d, count_open_round, d);
		db_read_end(d);
	}
	db_close(d);
	return rc;
}

void screening_api_fini(void)
{
	screening_cov_free(cov);
	cov = NULL;
	screening_hours_free(day_hours);
	day_hours = NULL;
	screening_progress_keep_free(progress_kept);
	progress_kept = NULL;
	sodium_memzero(&keys, sizeof keys);
}

/* Applies a committed delta to the aggregate. A failure leaves the aggregate behind
 * the database (the truth) until the round is rebuilt, so it is logged, not answered. */
static void cov_apply(const struct screening_delta *dl)
{
	int rc;
	if (screening_delta_count(dl) && (rc = screening_cov_apply(cov, auth_db(), dl)))
		mu_warn("screening: coverage not updated: %s", mu_err_msg(rc));
}

/* ---- input helpers ------------------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Refuses (400 on that member) any member of o not in the NULL-terminated list. */
static int only_keys(struct http_req *r, json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, k);
		if (!ok)
			return http_fail(r, MU_EINVAL, mu_arena_strndup(&r->arena, k, strlen(k)),
					 "unknown member");
	}
	return 0;
}

/* A required string member: 400 on it when missing or not a string. */
static int need_str(struct http_req *r, json_t *o, const char *k, const char **out)
{
	*out = jstr(o, k);
	if (!*out)
		return http_fail(r, MU_EINVAL, k, "required, a string");
	return 0;
}

/* An integer member within [lo, hi]; def when absent (required when def < 0). */
static int int_member(struct http_req *r, json_t *o, const char *k, int64_t lo, int64_t hi,
		      int64_t def, int64_t *out)
{
	const json_t *v = json_object_get(o, k);
	*out = def;
	if (!v || json_is_null(v)) {
		if (def < 0)
			return http_fail(r, MU_EINVAL, k, "required, an integer");
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return http_fail(r, MU_EINVAL, k,
				 mu_arena_sprintf(&r->arena, "must be an integer from %lld to %lld",
						  (long long)lo, (long long)hi));
	*out = json_integer_value(v);
	return 0;
}

/* The body as an object, and its array member k of 1..SCREENING_BATCH_MAX items (413
 * beyond). */
static int batch_body(struct http_req *r, const char *k, json_t **arr)
{
	json_t *body;
	int rc = http_body_json(r, &body);
	if (rc)
		return rc;
	const char *const allowed[] = {k, NULL};
	if ((rc = only_keys(r, body, allowed)))
		return rc;
	*arr = json_object_get(body, k);
	if (!json_is_array(*arr) || json_array_size(*arr) == 0)
		return http_fail(r, MU_EINVAL, k, "required, a non-empty array");
	if (json_array_size(*arr) > SCREENING_BATCH_MAX)
		return http_fail(r, MU_ETOOBIG, k, "at most 1000 items per request");
	return 0;
}

static int limit_param(struct http_req *r, int *out)
{
	const char *v = http_query(r, "limit");
	int64_t n;
	*out = PAGE_DEFAULT;
	if (!v)
		return 0;
	if (mu_parse_i64(v, &n) || n < 1 || n > PAGE_MAX)
		return http_fail(r, MU_EINVAL, "limit", "limit must be an integer from 1 to 1000");
	*out = (int)n;
	return 0;
}

/* The place named by the query parameter `place`: 400 when missing or malformed, 404
 * when unknown. */
static int place_query(struct http_req *r, struct places_node *node)
{
	const char *code = http_query(r, "place");
	if (!code || !*code)
		return http_fail(r, MU_EINVAL, "place", "place (a place code) is required");
	if (places_code_check(code, NULL))
		return http_fail(r, MU_EINVAL, "place",
				 "a place code is 1 to 32 letters, digits or '-'");
	int rc = places_find(auth_db(), code, node);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, "place", "no place has this code") : rc;
}

/* The round of the path's {id}: 400 for a malformed id, 404 for an unknown round. */
static int round_param(struct http_req *r, struct screening_round *rd)
{
	int64_t id;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], &id) || id <= 0)
		return http_fail(r, MU_EINVAL, "id", "a round id is a positive integer");
	int rc = screening_round_get(auth_db(), id, rd);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no round has this id") : rc;
}

static json_t *item_error(int err, const char *field, const char *msg)
{
	return json_pack("{s:s, s:s, s:o}", "code", mu_err_code(err), "message",
			 msg && *msg ? msg : mu_err_msg(err), "field",
			 field ? json_string(field) : json_null());
}

static json_t *time_json(int64_t t)
{
	char buf[21];
	if (!t)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

/* An optional ISO 8601 member into unix seconds (0 when absent). */
static int time_member(struct http_req *r, json_t *o, const char *k, int64_t *out)
{
	const json_t *v = json_object_get(o, k);
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || screening_time_parse(json_string_value(v), out))
		return http_fail(r, MU_EINVAL, k, "must be an ISO 8601 time");
	return 0;
}

/* ---- place resolvers ------------------------------------------------------------------- */

/* The place of the query parameter `place`. */
static int place_of_query(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct places_node node;
	int rc = place_query(r, &node);
	return rc ? rc : places_path(auth_db(), node.id, ids, n);
}

/* The place of a body member that holds a place code (POST /rounds: scope; POST
 * /sites: place). */
static int place_of_member(struct http_req *r, const char *k, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	const char *code;
	struct places_node node;
	int rc = http_body_json(r, &body);
	if (rc || (rc = need_str(r, body, k, &code)))
		return rc;
	if (places_code_check(code, NULL))
		return http_fail(r, MU_EINVAL, k, "a place code is 1 to 32 letters, digits or '-'");
	if ((rc = places_find(auth_db(), code, &node)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, k, "no place has this code") : rc;
	return places_path(auth_db(), node.id, ids, n);
}

static int place_of_scope(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	return place_of_member(r, "scope", ids, n);
}

static int place_of_site_body(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	return place_of_member(r, "place", ids, n);
}

/* The round's scope: who closes a round must hold all of it. */
static int place_of_round(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct screening_round rd;
	int rc = round_param(r, &rd);
	return rc ? rc : places_path(auth_db(), rd.scope_place_id, ids, n);
}

/* A round is visible to everyone whose jurisdiction overlaps its scope: the scope's
 * path, or the caller's own place when that lies inside the scope. */
static int place_of_round_overlap(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct screening_round rd;
	const struct auth_principal *p = auth_who(r);
	bool inside = false;
	int rc = round_param(r, &rd);
	if (rc || (rc = places_path(auth_db(), rd.scope_place_id, ids, n)))
		return rc;
	if (auth_within(p, ids, *n) || !p || !p->place_id)
		return 0;
	if ((rc = places_is_within(auth_db(), p->place_id, rd.scope_place_id, &inside)))
		return rc;
	return inside ? places_path(auth_db(), p->place_id, ids, n) : 0;
}

static const char sql_tube_site[] =
    "SELECT s.code, s.place_id FROM tubes t JOIN sites s ON s.id = t.site_id"
    " WHERE t.barcode = ?";

/* The tube's site: its code (into the arena) and place. */
static int tube_site(struct http_req *r, const char **code, int64_t *place)
{
	struct db_stmt *s;
	const char *bc = r->nparams ? r->params[0] : "";
	int rc;
	if (strlen(bc) > SCREENING_BARCODE_MAX || !*bc ||
	    strspn(bc, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") !=
		strlen(bc))
		return http_fail(r, MU_EINVAL, "barcode",
				 "a tube barcode is 1 to 32 letters, digits or '-'");
	if ((rc = db_prepare(auth_db(), sql_tube_site, &s)))
		return rc;
	db_bind_text(s, 1, bc, -1);
	rc = db_step(s);
	if (rc == DB_ROW) {
		*code = mu_arena_strndup(&r->arena, db_col_text(s, 0), strlen(db_col_text(s, 0)));
		*place = db_col_i64(s, 1);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = http_fail(r, MU_ENOTFOUND, "barcode", "no tube has this barcode");
	}
	db_stmt_done(s);
	return rc;
}

static int place_of_tube(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	const char *code;
	int64_t place;
	int rc = tube_site(r, &code, &place);
	return rc ? rc : places_path(auth_db(), place, ids, n);
}

static const char sql_household_of[] = "SELECT household_id FROM people WHERE id = ?";

static int household_of(struct db *d, int64_t person, int64_t *hh)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_household_of, &s);
	*hh = 0;
	if (rc)
		return rc;
	db_bind_i64(s, 1, person);
	rc = db_step(s);
	if (rc == DB_ROW)
		*hh = db_col_i64(s, 0);
	db_stmt_done(s);
	return rc < 0 ? rc : *hh ? 0 : MU_ENOTFOUND;
}

/* POST /exemptions: the person's household. */
static int place_of_exempt_person(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	int64_t person, hh;
	int rc = http_body_json(r, &body);
	if (rc || (rc = int_member(r, body, "person", 1, INT64_MAX, -1, &person)))
		return rc;
	if ((rc = household_of(auth_db(), person, &hh)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "person", "no person has this id")
					  : rc;
	return places_path(auth_db(), hh, ids, n);
}

/* ---- rounds ------------------------------------------------------------------------------ */

static json_t *round_json(const struct screening_round *rd)
{
	struct places_node scope;
	const char *code = places_get(auth_db(), rd->scope_place_id, &scope) == 0 ? scope.code : "";
	return json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:b}", "id",
			 (json_int_t)rd->id, "name", rd->name, "scope", code, "pool", rd->pool_k,
			 "pool_high", rd->pool_high, "pool_medium", rd->pool_medium, "starts",
			 time_json(rd->starts), "ends", time_json(rd->ends), "created_at",
			 time_json(rd->created_at), "closed_at", time_json(rd->closed_at), "open",
			 rd->closed_at == 0);
}

struct round_job {
	struct http_req *r;
	struct screening_round rd;
	struct mu_why why;
};

static int round_create_fn(struct db *d, void *arg)
{
	struct round_job *j = arg;
	int rc = screening_round_create(d, &j->rd, &j->why);
	if (rc == 0)
		j->r->record = mu_arena_sprintf(&j->r->arena, "round:%lld", (long long)j->rd.id);
	return rc;
}

/* POST /api/v1/rounds */
static int post_round(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"scope",	     "name",   "pool", "pool_high",
					      "pool_medium", "starts", "ends", NULL};
	json_t *body;
	const char *scope, *name;
	int64_t pool, high, medium;
	struct places_node node;
	struct round_job j = {.r = r};
	int rc = http_body_json(r, &body);
	if (rc || (rc = only_keys(r, body, allowed)) || (rc = need_str(r, body, "scope", &scope)) ||
	    (rc = need_str(r, body, "name", &name)) ||
	    (rc = int_member(r, body, "pool", 1, 20, -1, &pool)) ||
	    (rc = int_member(r, body, "pool_high", 1, 20, 1, &high)) ||
	    (rc = int_member(r, body, "pool_medium", 1, 20, pool, &medium)) ||
	    (rc = time_member(r, body, "starts", &j.rd.starts)) ||
	    (rc = time_member(r, body, "ends", &j.rd.ends)))
		return rc;
	if (!screening_pool_valid((int)pool))
		return http_fail(r, MU_EINVAL, "pool", "pool size must be 1, 5, 10 or 20");
	if (!screening_pool_valid((int)high))
		return http_fail(r, MU_EINVAL, "pool_high", "pool size must be 1, 5, 10 or 20");
	if (!screening_pool_valid((int)medium))
		return http_fail(r, MU_EINVAL, "pool_medium", "pool size must be 1, 5, 10 or 20");
	if (j.rd.starts && j.rd.ends && j.rd.starts > j.rd.ends)
		return http_fail(r, MU_EINVAL, "ends", "the round ends before it starts");
	if (strlen(name) >= sizeof j.rd.name)
		return http_fail(r, MU_EINVAL, "name", "a name is at most 64 characters");
	if ((rc = places_find(auth_db(), scope, &node)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "scope", "no place has this code")
					  : rc;
	snprintf(j.rd.name, sizeof j.rd.name, "%s", name);
	j.rd.scope_place_id = node.id;
	j.rd.pool_k = (int)pool;
	j.rd.pool_high = (int)high;
	j.rd.pool_medium = (int)medium;
	if ((rc = auth_submit(r, round_create_fn, &j)))
		return rc == MU_EINVAL ? http_fail(r, rc, "name", j.why.text) : rc;
	resp->status = 201;
	resp->json = json_pack("{s:o}", "round", round_json(&j.rd));
	return 0;
}

struct round_list {
	const struct auth_principal *p;
	json_t *arr;
};

static int list_one(const struct screening_round *rd, void *ctx)
{
	struct round_list *l = ctx;
	bool show = !l->p->place_id;
	int rc = 0;
	if (!show && (rc = places_is_within(auth_db(), rd->scope_place_id, l->p->place_id, &show)))
		return rc;
	if (!show && (rc = places_is_within(auth_db(), l->p->place_id, rd->scope_place_id, &show)))
		return rc;
	if (show)
		json_array_append_new(l->arr, round_json(rd));
	return 0;
}

/* GET /api/v1/rounds */
static int get_rounds(struct http_req *r, struct http_resp *resp)
{
	struct round_list l = {.p = auth_who(r), .arr = json_array()};
	int rc = screening_round_list(auth_db(), list_one, &l);
	if (rc) {
		json_decref(l.arr);
		return rc;
	}
	resp->json = json_pack("{s:o}", "rounds", l.arr);
	return 0;
}

/* GET /api/v1/rounds/{id} */
static int get_round(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	int rc = round_param(r, &rd);
	if (rc)
		return rc;
	resp->json = json_pack("{s:o}", "round", round_json(&rd));
	return 0;
}

struct close_job {
	int64_t id;
};

static int round_close_fn(struct db *d, void *arg)
{
	struct close_job *j = arg;
	return screening_round_close(d, j->id, mu_now_unix());
}

/* POST /api/v1/rounds/{id}/close */
static int post_round_close(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	int rc = round_param(r, &rd);
	if (rc)
		return rc;
	struct close_job j = {.id = rd.id};
	r->record = mu_arena_sprintf(&r->arena, "round:%lld", (long long)rd.id);
	if ((rc = auth_submit(r, round_close_fn, &j)))
		return rc == MU_EEXIST ? http_fail(r, rc, "id", "the round is already closed") : rc;
	if ((rc = screening_round_get(auth_db(), rd.id, &rd)))
		return rc;
	resp->json = json_pack("{s:o}", "round", round_json(&rd));
	return 0;
}

/* ---- sites and labs ------------------------------------------------------------------------ */

struct site_job {
	struct screening_site s;
	struct screening_lab l;
	bool lab;
	struct mu_why why;
};

static int site_add_fn(struct db *d, void *arg)
{
	struct site_job *j = arg;
	return j->lab ? screening_lab_add(d, &j->l, &j->why)
		      : screening_site_add(d, &j->s, &j->why);
}

/* Copies a string member into a fixed buffer: 400 when missing or too long. */
static int copy_str(struct http_req *r, json_t *o, const char *k, char *out, size_t n)
{
	const char *v;
	int rc = need_str(r, o, k, &v);
	if (rc)
		return rc;
	if (strlen(v) >= n)
		return http_fail(r, MU_EINVAL, k, "too long");
	snprintf(out, n, "%s", v);
	return 0;
}

/* POST /api/v1/sites */
static int post_site(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"code", "place", "name", "desks", NULL};
	json_t *body;
	const char *place;
	int64_t desks;
	struct places_node node;
	struct site_job j = {.lab = false};
	int rc = http_body_json(r, &body);
	if (rc || (rc = only_keys(r, body, allowed)) ||
	    (rc = copy_str(r, body, "code", j.s.code, sizeof j.s.code)) ||
	    (rc = copy_str(r, body, "name", j.s.name, sizeof j.s.name)) ||
	    (rc = need_str(r, body, "place", &place)) ||
	    (rc = int_member(r, body, "desks", 1, 10000, -1, &desks)))
		return rc;
	if ((rc = places_find(auth_db(), place, &node)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "place", "no place has this code")
					  : rc;
	j.s.place_id = node.id;
	j.s.desks = (int)desks;
	r->record = mu_arena_sprintf(&r->arena, "site:%s", j.s.code);
	if ((rc = auth_submit(r, site_add_fn, &j))) {
		if (rc == MU_EEXIST)
			return http_fail(r, rc, "code", "a site already has this code");
		if (rc == MU_EINVAL)
			return http_fail(r, rc, j.why.field ? j.why.field : "name", j.why.text);
		return rc;
	}
	resp->status = 201;
	resp->json = json_pack("{s:{s:s, s:s, s:s, s:i}}", "site", "code", j.s.code, "place",
			       node.code, "name", j.s.name, "desks", j.s.desks);
	return 0;
}

/* POST /api/v1/labs */
static int post_lab(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"code", "name", "capacity", NULL};
	json_t *body;
	struct site_job j = {.lab = true};
	int rc = http_body_json(r, &body);
	if (rc || (rc = only_keys(r, body, allowed)) ||
	    (rc = copy_str(r, body, "code", j.l.code, sizeof j.l.code)) ||
	    (rc = copy_str(r, body, "name", j.l.name, sizeof j.l.name)) ||
	    (rc = int_member(r, body, "capacity", 1, 100000000, -1, &j.l.capacity)))
		return rc;
	r->record = mu_arena_sprintf(&r->arena, "lab:%s", j.l.code);
	if ((rc = auth_submit(r, site_add_fn, &j))) {
		if (rc == MU_EEXIST)
			return http_fail(r, rc, "code", "a lab already has this code");
		if (rc == MU_EINVAL)
			return http_fail(r, rc, j.why.field ? j.why.field : "name", j.why.text);
		return rc;
	}
	resp->status = 201;
	resp->json = json_pack("{s:{s:s, s:s, s:I}}", "lab", "code", j.l.code, "name", j.l.name,
			       "capacity", (json_int_t)j.l.capacity);
	return 0;
}

/* ---- scans ------------------------------------------------------------------------------- */

struct scan_job {
	const struct screening_scan *in;
	size_t n;
	struct screening_scan_result *out;
	struct screening_delta *dl;
};

static int scan_fn(struct db *d, void *arg)
{
	struct scan_job *j = arg;
	screening_delta_reset(j->dl);
	return screening_scan_batch(d, &keys, j->in, j->n, j->out, j->dl);
}

/* May this caller scan at site code? A site token only at its own site; a sampler only
 * at a site inside their jurisdiction. An unknown site is left to the store to refuse. */
static int site_allowed(struct http_req *r, const char *code, bool *ok)
{
	const struct auth_principal *p = auth_who(r);
	struct screening_site st;
	int64_t ids[PLACES_NLEVELS];
	int n, rc;
	*ok = true;
	if (!code)
		return 0;
	if (p->kind == AUTH_KIND_SITE) {
		*ok = !strcmp(code, p->device_code);
		return 0;
	}
	rc = screening_site_find(auth_db(), code, &st);
	if (rc == MU_ENOTFOUND || rc == MU_EINVAL)
		return 0;
	if (rc || (rc = places_path(auth_db(), st.place_id, ids, &n)))
		return rc;
	*ok = auth_within(p, ids, n);
	return 0;
}

/* POST /api/v1/scans */
static int post_scans(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"scan_id", "round", "site", "tube",
					      "person",	 "at",	  NULL};
	json_t *arr;
	int rc = batch_body(r, "scans", &arr);
	if (rc)
		return rc;
	size_t n = json_array_size(arr), m = 0;
	struct screening_scan *in = mu_arena_alloc(&r->arena, n * sizeof *in);
	struct screening_scan_result *out = mu_arena_alloc(&r->arena, n * sizeof *out);
	size_t *slot = mu_arena_alloc(&r->arena, n * sizeof *slot); /* item → in[] or SIZE_MAX */
	json_t **pre = mu_arena_alloc(&r->arena, n * sizeof *pre);  /* refused before the store */
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(arr, i);
		const char *k;
		json_t *v;
		pre[i] = NULL;
		slot[i] = SIZE_MAX;
		if (!json_is_object(it)) {
			pre[i] = item_error(MU_EINVAL, NULL, "a scan is an object");
			continue;
		}
		json_object_foreach(it, k, v)
		{
			bool known = false;
			for (const char *const *a = allowed; *a && !known; a++)
				known = !strcmp(*a, k);
			if (!known && !pre[i])
				pre[i] = item_error(MU_EINVAL, k, "unknown member");
		}
		if (pre[i])
			continue;
		const json_t *round = json_object_get(it, "round");
		struct screening_scan s = {
		    .scan_id = jstr(it, "scan_id"),
		    .round_id = json_is_integer(round) ? json_integer_value(round) : 0,
		    .site = jstr(it, "site"),
		    .tube = jstr(it, "tube"),
		    .person = jstr(it, "person"),
		    .at = jstr(it, "at"),
		};
		bool ok;
		if ((rc = site_allowed(r, s.site, &ok)))
			return rc;
		if (!ok) {
			pre[i] =
			    item_error(MU_EFORBIDDEN, "site", "not allowed to scan at this site");
			continue;
		}
		slot[i] = m;
		in[m++] = s;
	}
	struct screening_delta *dl = screening_delta_new();
	struct scan_job j = {.in = in, .n = m, .out = out, .dl = dl};
	if (m) {
		r->record = mu_arena_sprintf(&r->arena, "scans:%zu", m);
		if ((rc = auth_submit(r, scan_fn, &j))) {
			screening_delta_free(dl);
			return rc;
		}
		cov_apply(dl);
	}
	screening_delta_free(dl);
	static const char *const status[] = {"ok", "duplicate", "error"};
	json_t *results = json_array();
	for (size_t i = 0; i < n; i++) {
		const json_t *sid = json_object_get(json_array_get(arr, i), "scan_id");
		json_t *o = json_pack("{s:O}", "scan_id", json_is_string(sid) ? sid : json_null());
		if (pre[i]) {
			json_object_set_new(o, "status", json_string("error"));
			json_object_set_new(o, "error", pre[i]);
		} else {
			const struct screening_scan_result *x = &out[slot[i]];
			json_object_set_new(o, "status", json_string(status[x->status]));
			if (x->status == SCREENING_SCAN_ERROR) {
				json_object_set_new(o, "error",
						    item_error(x->err, x->why.field, x->why.text));
			} else if (x->status == SCREENING_SCAN_OK) {
				json_object_set_new(o, "tube", json_string(in[slot[i]].tube));
				json_object_set_new(o, "opened", json_boolean(x->opened));
				json_object_set_new(o, "sealed", json_boolean(x->sealed));
				json_object_set_new(o, "repeat", json_boolean(x->repeat));
				json_object_set_new(o, "recall", json_boolean(x->recall));
			}
		}
		json_array_append_new(results, o);
	}
	resp->json = json_pack("{s:o}", "results", results);
	return 0;
}

/* ---- tubes -------------------------------------------------------------------------------- */

static json_t *tube_json(const struct screening_tube *t)
{
	json_t *o = json_pack("{s:s, s:I, s:s, s:i, s:i, s:b, s:o, s:o, s:o, s:o}", "barcode",
			      t->barcode, "round", (json_int_t)t->round_id, "state",
			      screening_tube_state_name(t->state), "capacity", t->capacity, "n",
			      t->n, "single", t->single, "opened_at", time_json(t->opened_at),
			      "sealed_at", time_json(t->sealed_at), "received_at",
			      time_json(t->received_at), "resulted_at", time_json(t->resulted_at));
	const char *res = screening_result_name(t->result);
	json_object_set_new(o, "result", res ? json_string(res) : json_null());
	return o;
}

struct seal_job {
	const char *barcode;
	struct mu_why why;
};

static int seal_fn(struct db *d, void *arg)
{
	struct seal_job *j = arg;
	return screening_tube_seal(d, j->barcode, mu_now_unix(), &j->why);
}

/* POST /api/v1/tubes/{barcode}/seal */
static int post_seal(struct http_req *r, struct http_resp *resp)
{
	const struct auth_principal *p = auth_who(r);
	const char *site;
	int64_t place;
	int rc = tube_site(r, &site, &place);
	if (rc)
		return rc;
	if (p->kind == AUTH_KIND_SITE && strcmp(site, p->device_code) != 0)
		return http_fail(r, MU_EFORBIDDEN, NULL, "not allowed");
	struct seal_job j = {.barcode = r->params[0]};
	r->record = mu_arena_sprintf(&r->arena, "tube:%s", j.barcode);
	if ((rc = auth_submit(r, seal_fn, &j)))
		return rc == MU_EEXIST || rc == MU_ENOTFOUND
			   ? http_fail(r, rc, "barcode",
				       mu_arena_strndup(&r->arena, j.why.text, strlen(j.why.text)))
			   : rc;
	struct screening_tube t;
	if ((rc = screening_tube_get(auth_db(), j.barcode, &t)))
		return rc;
	resp->json = json_pack("{s:o}", "tube", tube_json(&t));
	return 0;
}

/* ---- labs: receipts and results (barcodes only) ------------------------------------------- */

/* The lab a lab call acts for: a lab token only for its own lab (403 otherwise); a
 * lab user for any. code NULL: the token's lab, or any lab for a user (*out NULL). */
static int lab_of_caller(struct http_req *r, const char *code, const char **out)
{
	const struct auth_principal *p = auth_who(r);
	*out = code;
	if (p->kind != AUTH_KIND_LAB)
		return 0;
	if (code && strcmp(code, p->device_code) != 0)
		return http_fail(r, MU_EFORBIDDEN, NULL, "not allowed");
	*out = p->device_code;
	return 0;
}

static json_t *item_json(const char *tube, const struct screening_item_result *x)
{
	json_t *o = json_pack("{s:o, s:s}", "tube", tube ? json_string(tube) : json_null(),
			      "status", x->err ? "error" : "ok");
	if (x->err)
		json_object_set_new(o, "error", item_error(x->err, x->why.field, x->why.text));
	return o;
}

struct receipt_job {
	const char *lab;
	const char *const *barcodes;
	size_t n;
	struct screening_item_result *out;
};

static int receipt_fn(struct db *d, void *arg)
{
	struct receipt_job *j = arg;
	return screening_tube_receive(d, j->lab, j->barcodes, j->n, mu_now_unix(), j->out);
}

/* POST /api/v1/labs/{code}/receipts */
static int post_receipts(struct http_req *r, struct http_resp *resp)
{
	const char *code = r->nparams ? r->params[0] : "", *lab;
	json_t *arr;
	int rc;
	if (!*code || strlen(code) > SCREENING_CODE_MAX)
		return http_fail(r, MU_EINVAL, "code",
				 "a lab code is 1 to 32 letters, digits or '-'");
	if ((rc = lab_of_caller(r, code, &lab)) || (rc = batch_body(r, "tubes", &arr)))
		return rc;
	size_t n = json_array_size(arr);
	const char **bc = mu_arena_alloc(&r->arena, n * sizeof *bc);
	struct screening_item_result *out = mu_arena_alloc(&r->arena, n * sizeof *out);
	for (size_t i = 0; i < n; i++)
		bc[i] = json_string_value(json_array_get(arr, i)); /* NULL: refused by the store */
	struct receipt_job j = {.lab = lab, .barcodes = bc, .n = n, .out = out};
	r->record = mu_arena_sprintf(&r->arena, "lab:%s tubes:%zu", lab, n);
	if ((rc = auth_submit(r, receipt_fn, &j)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "code", "no lab has this code") : rc;
	json_t *results = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(results, item_json(bc[i], &out[i]));
	resp->json = json_pack("{s:o}", "results", results);
	return 0;
}

struct result_job {
	const char *lab;
	const struct screening_result_in *in;
	size_t n;
	struct screening_item_result *out;
	struct screening_delta *dl;
};

static int result_fn(struct db *d, void *arg)
{
	struct result_job *j = arg;
	screening_delta_reset(j->dl);
	return screening_result_record(d, j->lab, j->in, j->n, mu_now_unix(), j->out, j->dl);
}

/* A ct member: NAN when absent or null; false when present but not a number. */
static bool ct_member(const json_t *o, const char *k, double *out)
{
	const json_t *v = json_object_get(o, k);
	*out = NAN;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

/* POST /api/v1/results */
static int post_results(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"tube", "result", "ct_orf1ab", "ct_n", "at", NULL};
	const char *lab;
	json_t *arr;
	int rc;
	if ((rc = lab_of_caller(r, NULL, &lab)) || (rc = batch_body(r, "results", &arr)))
		return rc;
	size_t n = json_array_size(arr), m = 0;
	struct screening_result_in *in = mu_arena_alloc(&r->arena, n * sizeof *in);
	struct screening_item_result *out = mu_arena_alloc(&r->arena, n * sizeof *out);
	struct screening_item_result *pre = mu_arena_alloc(&r->arena, n * sizeof *pre);
	size_t *slot = mu_arena_alloc(&r->arena, n * sizeof *slot);
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(arr, i), *v;
		const char *k;
		memset(&pre[i], 0, sizeof pre[i]);
		slot[i] = SIZE_MAX;
		if (!json_is_object(it)) {
			pre[i].err =
			    mu_why_set(&pre[i].why, MU_EINVAL, NULL, "a result is an object");
			continue;
		}
		json_object_foreach(it, k, v)
		{
			bool known = false;
			for (const char *const *a = allowed; *a && !known; a++)
				known = !strcmp(*a, k);
			if (!known && !pre[i].err) {
				pre[i].err = mu_why_set(&pre[i].why, MU_EINVAL,
							mu_arena_strndup(&r->arena, k, strlen(k)),
							"unknown member");
			}
		}
		struct screening_result_in x = {
		    .tube = jstr(it, "tube"), .result = jstr(it, "result"), .at = jstr(it, "at")};
		if (!pre[i].err && !ct_member(it, "ct_orf1ab", &x.ct_orf1ab)) {
			pre[i].err = mu_why_set(&pre[i].why, MU_EINVAL, "ct_orf1ab",
						"ct_orf1ab must be a number");
		}
		if (!pre[i].err && !ct_member(it, "ct_n", &x.ct_n)) {
			pre[i].err =
			    mu_why_set(&pre[i].why, MU_EINVAL, "ct_n", "ct_n must be a number");
		}
		if (!pre[i].err && json_object_get(it, "at") &&
		    !json_is_null(json_object_get(it, "at")) && !x.at) {
			pre[i].err =
			    mu_why_set(&pre[i].why, MU_EINVAL, "at", "at must be an ISO 8601 time");
		}
		if (pre[i].err)
			continue;
		slot[i] = m;
		in[m++] = x;
	}
	struct screening_delta *dl = screening_delta_new();
	struct result_job j = {.lab = lab, .in = in, .n = m, .out = out, .dl = dl};
	if (m) {
		r->record = mu_arena_sprintf(&r->arena, "results:%zu", m);
		if ((rc = auth_submit(r, result_fn, &j))) {
			screening_delta_free(dl);
			/* A lab token whose lab is not (or no longer) registered. */
			return rc == MU_ENOTFOUND ? http_fail(r, MU_EFORBIDDEN, NULL, "not allowed")
						  : rc;
		}
		cov_apply(dl);
	}
	screening_delta_free(dl);
	json_t *results = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *tube = jstr(json_array_get(arr, i), "tube");
		json_array_append_new(
		    results, item_json(tube, slot[i] == SIZE_MAX ? &pre[i] : &out[slot[i]]));
	}
	resp->json = json_pack("{s:o}", "results", results);
	return 0;
}

/* ---- recalls ----------------------------------------------------------------------------------
 */

static const char sql_barcode[] = "SELECT barcode FROM tubes WHERE id = ?";

/* The code of place id, or the barcode of tube id, into the arena; "" when absent. */
static const char *place_code(struct http_req *r, int64_t id)
{
	struct places_node n;
	if (!id || places_get(auth_db(), id, &n))
		return "";
	return mu_arena_strndup(&r->arena, n.code, strlen(n.code));
}

static json_t *barcode_json(int64_t tube)
{
	struct db_stmt *s;
	json_t *out = json_null();
	if (!tube || db_prepare(auth_db(), sql_barcode, &s))
		return out;
	db_bind_i64(s, 1, tube);
	if (db_step(s) == DB_ROW)
		out = json_string(db_col_text(s, 0));
	db_stmt_done(s);
	return out;
}

struct recall_page {
	struct http_req *r;
	json_t *arr;
	int limit, got;
	int64_t last;
	bool more;
	struct mu_buf rec; /* the audit record: the people named on the page */
};

static int recall_one(const struct screening_recall *rc, void *ctx)
{
	struct recall_page *pg = ctx;
	if (pg->got == pg->limit) {
		pg->more = true;
		return 1;
	}
	/* The grid worker calls on them: the name, unsealed, makes the page a read of
	 * each person (audited like the roll-call); the row gives the household too. */
	struct people_person p;
	int err = people_get(auth_db(), &keys, rc->person_id, &p);
	if (err)
		return err;
	int64_t hh = p.household_id;
	if (pg->got < RECORD_IDS)
		mu_buf_printf(&pg->rec, "%s%lld", pg->got ? "," : "person:",
			      (long long)rc->person_id);
	json_array_append_new(
	    pg->arr,
	    json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)rc->id,
		      "person_id", (json_int_t)rc->person_id, "name", p.name, "grid",
		      place_code(pg->r, rc->grid_id), "household", place_code(pg->r, hh), "state",
		      screening_recall_state_name(rc->state), "source_tube",
		      barcode_json(rc->source_tube_id), "single_tube",
		      barcode_json(rc->single_tube_id), "created_at", time_json(rc->created_at),
		      "resolved_at", time_json(rc->resolved_at)));
	sodium_memzero(&p, sizeof p);
	pg->got++;
	pg->last = rc->id;
	return 0;
}

/* GET /api/v1/rounds/{id}/recalls?place=CODE&status=S&cursor=C&limit=N */
static int get_recalls(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	struct places_node node;
	const char *st = http_query(r, "status"), *cur = http_query(r, "cursor");
	int state = -1, limit, rc;
	int64_t after = 0;
	if ((rc = round_param(r, &rd)) || (rc = place_query(r, &node)) ||
	    (rc = limit_param(r, &limit)))
		return rc;
	if (st && *st && screening_recall_state_parse(st, &state))
		return http_fail(r, MU_EINVAL, "status",
				 "status is pending, sampled, negative or positive");
	if (cur && *cur && (mu_parse_i64(cur, &after) || after <= 0))
		return http_fail(r, MU_EINVAL, "cursor", "the cursor is not one this server gave");
	struct recall_page pg = {.r = r, .arr = json_array(), .limit = limit};
	mu_buf_init(&pg.rec, 4096);
	rc = screening_recall_list(auth_db(), rd.id, node.id, state, after, recall_one, &pg);
	if (pg.got > RECORD_IDS)
		mu_buf_printf(&pg.rec, ",+%d more", pg.got - RECORD_IDS);
	if (pg.got)
		r->record = mu_arena_strndup(&r->arena, mu_buf_str(&pg.rec), pg.rec.len);
	mu_buf_fini(&pg.rec);
	if (rc < 0) {
		json_decref(pg.arr);
		return rc == MU_EINVAL
			   ? http_fail(r, rc, "cursor", "the cursor is not one this server gave")
			   : rc;
	}
	resp->json =
	    json_pack("{s:o, s:o}", "recalls", pg.arr, "cursor",
		      pg.more ? json_string(mu_arena_sprintf(&r->arena, "%lld", (long long)pg.last))
			      : json_null());
	return 0;
}

/* ---- coverage ----------------------------------------------------------------------------- */

static json_t *counts_json(const struct screening_counts *k, const struct places_node *n)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "place",
			 n->code, "name", n->name, "level", places_level_name(n->level), "people",
			 (json_int_t)k->people, "expected", (json_int_t)k->expected, "sampled",
			 (json_int_t)k->sampled, "resulted", (json_int_t)k->resulted, "negative",
			 (json_int_t)k->negative, "pool_positive", (json_int_t)k->pool_positive,
			 "positive", (json_int_t)k->positive, "coverage", k->coverage);
}

static int child_counts(const struct screening_counts *k, void *ctx)
{
	struct places_node n;
	int rc = places_get(auth_db(), k->place_id, &n);
	if (rc == 0)
		json_array_append_new(ctx, counts_json(k, &n));
	return rc;
}

/* GET /api/v1/rounds/{id}/coverage?place=CODE */
static int get_coverage(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	struct places_node node;
	struct screening_counts k;
	int rc;
	if ((rc = round_param(r, &rd)) || (rc = place_query(r, &node)) ||
	    (rc = screening_cov_get(cov, auth_db(), rd.id, node.id, &k)))
		return rc;
	json_t *kids = json_array();
	if (node.level < PLACES_HOUSEHOLD &&
	    (rc = screening_cov_children(cov, auth_db(), rd.id, node.id, child_counts, kids))) {
		json_decref(kids);
		return rc;
	}
	json_t *o = counts_json(&k, &node);
	json_object_set_new(o, "round", json_integer(rd.id));
	json_object_set_new(o, "children", kids);
	resp->json = o;
	return 0;
}

/* GET /api/v1/rounds/{id}/progress */
static int get_progress(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	struct screening_counts k;
	struct screening_progress p;
	int rc;
	if ((rc = round_param(r, &rd)) ||
	    (rc = screening_cov_get(cov, auth_db(), rd.id, rd.scope_place_id, &k)) ||
	    (rc = screening_progress_get_kept(progress_kept, auth_db(), rd.id, mu_now_unix(),
					      mu_now_mono(), &k, &p)))
		return rc;
	resp->json = screening_progress_json(&p);
	return 0;
}

/* ---- roll-call ----------------------------------------------------------------------------- */

/* GET /api/v1/rounds/{id}/missing?place=CODE&cursor=C&limit=N */
static int get_missing(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	struct places_node node;
	const char *cur = http_query(r, "cursor");
	char next[SCREENING_CURSOR_MAX];
	int limit, rc;
	size_t n = 0;
	if ((rc = round_param(r, &rd)) || (rc = place_query(r, &node)) ||
	    (rc = limit_param(r, &limit)))
		return rc;
	if (node.level < PLACES_GRID)
		return http_fail(
		    r, MU_EINVAL, "place",
		    "the roll-call lists a grid or a place below it (compound, building, "
		    "household); ask for each grid of a larger place");
	if (cur && strlen(cur) >= SCREENING_CURSOR_MAX)
		return http_fail(r, MU_EINVAL, "cursor", "the cursor is not one this server gave");
	struct screening_missing *out = mu_xcalloc((size_t)limit, sizeof *out);
	rc = screening_missing_list(auth_db(), &keys, rd.id, node.id, cur, out, (size_t)limit, &n,
				    next);
	if (rc) {
		free(out);
		return rc == MU_EINVAL
			   ? http_fail(r, rc, "cursor", "the cursor is not one this server gave")
			   : rc;
	}
	json_t *arr = json_array();
	struct mu_buf rec;
	mu_buf_init(&rec, 4096);
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s}", "person_id",
						     (json_int_t)out[i].person_id, "name",
						     out[i].name, "building", out[i].building,
						     "household", out[i].household));
		if (i < RECORD_IDS)
			mu_buf_printf(&rec, "%s%lld",
				      i ? "," : "person:", (long long)out[i].person_id);
	}
	if (n > RECORD_IDS)
		mu_buf_printf(&rec, ",+%zu more", n - RECORD_IDS);
	if (n)
		r->record = mu_arena_strndup(&r->arena, mu_buf_str(&rec), rec.len);
	mu_buf_fini(&rec);
	sodium_memzero(out, (size_t)limit * sizeof *out);
	free(out);
	resp->json = json_pack("{s:o, s:o}", "missing", arr, "cursor",
			       next[0] ? json_string(next) : json_null());
	return 0;
}

/* ---- exemptions --------------------------------------------------------------------------- */

struct exempt_job {
	int64_t round, person, user;
	int reason;
	struct screening_delta *dl;
};

static int exempt_fn(struct db *d, void *arg)
{
	struct exempt_job *j = arg;
	screening_delta_reset(j->dl);
	return screening_exemption_add(d, j->round, j->person, j->reason, j->user, mu_now_unix(),
				       j->dl);
}

/* POST /api/v1/exemptions */
static int post_exemption(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"person", "round", "reason", NULL};
	const struct auth_principal *p = auth_who(r);
	json_t *body;
	const char *reason;
	struct exempt_job j = {.user = p->kind == AUTH_KIND_USER ? p->id : 0};
	int rc = http_body_json(r, &body);
	if (rc || (rc = only_keys(r, body, allowed)) ||
	    (rc = int_member(r, body, "person", 1, INT64_MAX, -1, &j.person)) ||
	    (rc = int_member(r, body, "round", 1, INT64_MAX, 0, &j.round)) ||
	    (rc = need_str(r, body, "reason", &reason)))
		return rc;
	if (screening_exempt_reason_parse(reason, &j.reason))
		return http_fail(r, MU_EINVAL, "reason",
				 "reason is away, hospitalised, deceased or moved");
	if (j.round) {
		struct screening_round rd;
		if ((rc = screening_round_get(auth_db(), j.round, &rd)))
			return rc == MU_ENOTFOUND
				   ? http_fail(r, rc, "round", "no round has this id")
				   : rc;
	}
	j.dl = screening_delta_new();
	r->record = mu_arena_sprintf(&r->arena, "person:%lld", (long long)j.person);
	rc = auth_submit(r, exempt_fn, &j);
	if (rc == 0)
		cov_apply(j.dl);
	screening_delta_free(j.dl);
	if (rc == MU_EEXIST)
		return http_fail(r, rc, "person", "this exemption is already recorded");
	if (rc)
		return rc;
	resp->status = 201;
	resp->json =
	    json_pack("{s:{s:I, s:o, s:s}}", "exemption", "person", (json_int_t)j.person, "round",
		      j.round ? json_integer(j.round) : json_null(), "reason", reason);
	return 0;
}

/* ---- lists for the web: sites, labs, a lab's backlog, a round's day ------------------------ */

/* Guangzhou keeps China Standard Time (UTC+8, no daylight saving): "today" starts at
 * its midnight. */
#define CITY_TZ_OFFSET_S (8 * 3600)
#define CITY_TZ		 "+08:00"

struct site_list {
	struct http_req *r;
	const struct auth_principal *p;
	int64_t under; /* a place the site must be under, 0: any */
	json_t *arr;
};

static int site_one(const struct screening_site *st, void *ctx)
{
	struct site_list *l = ctx;
	int64_t ids[PLACES_NLEVELS];
	int n, rc;
	bool under = !l->under;
	if (l->p->kind == AUTH_KIND_SITE) {
		if (strcmp(st->code, l->p->device_code) != 0)
			return 0;
	}
	if ((rc = places_path(auth_db(), st->place_id, ids, &n)))
		return rc;
	if (l->p->kind != AUTH_KIND_SITE && !auth_within(l->p, ids, n))
		return 0;
	for (int i = 0; i < n && !under; i++)
		under = ids[i] == l->under;
	if (!under)
		return 0;
	struct places_node node;
	if ((rc = places_get(auth_db(), st->place_id, &node)))
		return rc;
	json_array_append_new(l->arr, json_pack("{s:s, s:s, s:s, s:s, s:i}", "code", st->code,
						"name", st->name, "place", node.code,
						"place_name", node.name, "desks", st->desks));
	return 0;
}

/* GET /api/v1/sites[?place=CODE]: the sites inside the caller's jurisdiction (a site
 * token: its own site), under place when given. */
static int get_sites(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct site_list l = {.r = r, .p = auth_who(r)};
	int rc;
	if (http_query(r, "place")) {
		if ((rc = place_query(r, &node)))
			return rc;
		l.under = node.id;
	}
	l.arr = json_array();
	if ((rc = screening_site_list(auth_db(), site_one, &l))) {
		json_decref(l.arr);
		return rc;
	}
	resp->json = json_pack("{s:o}", "sites", l.arr);
	return 0;
}

static json_t *lab_json(const struct screening_lab *lab)
{
	return json_pack("{s:s, s:s, s:I}", "code", lab->code, "name", lab->name, "capacity",
			 (json_int_t)lab->capacity);
}

struct lab_list {
	const char *only; /* a lab token's lab */
	json_t *arr;
};

static int lab_one(const struct screening_lab *lab, void *ctx)
{
	struct lab_list *l = ctx;
	if (!l->only || !strcmp(l->only, lab->code))
		json_array_append_new(l->arr, lab_json(lab));
	return 0;
}

/* GET /api/v1/labs: every lab (a lab token: its own). Labs hold no personal data. */
static int get_labs(struct http_req *r, struct http_resp *resp)
{
	const struct auth_principal *p = auth_who(r);
	struct lab_list l = {.only = p->kind == AUTH_KIND_LAB ? p->device_code : NULL,
			     .arr = json_array()};
	int rc = screening_lab_list(auth_db(), lab_one, &l);
	if (rc) {
		json_decref(l.arr);
		return rc;
	}
	resp->json = json_pack("{s:o}", "labs", l.arr);
	return 0;
}

/* GET /api/v1/labs/{code}/backlog?limit=N: the tubes a lab has received and not yet
 * resulted, oldest first — barcodes only. */
static int get_lab_backlog(struct http_req *r, struct http_resp *resp)
{
	const char *code;
	struct screening_lab lab;
	int limit, rc;
	size_t n = 0;
	int64_t total = 0, oldest = 0;
	if ((rc = lab_of_caller(r, r->params[0], &code)) || (rc = limit_param(r, &limit)))
		return rc;
	rc = screening_lab_find(auth_db(), code, &lab);
	if (rc == MU_ENOTFOUND || rc == MU_EINVAL)
		return http_fail(r, MU_ENOTFOUND, "code", "no lab has this code");
	if (rc)
		return rc;
	struct screening_backlog_tube *out = mu_xcalloc((size_t)limit, sizeof *out);
	if ((rc = screening_lab_backlog(auth_db(), lab.id, (size_t)limit, out, &n, &total,
					&oldest))) {
		free(out);
		return rc;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:I, s:i, s:b, s:o}", "barcode",
						     out[i].barcode, "round",
						     (json_int_t)out[i].round_id, "samples", out[i].n,
						     "single", out[i].single, "received_at",
						     time_json(out[i].received_at)));
	free(out);
	resp->json = json_pack("{s:o, s:I, s:o, s:o}", "lab", lab_json(&lab), "waiting",
			       (json_int_t)total, "oldest_received_at", time_json(oldest), "tubes",
			       arr);
	return 0;
}

/* GET /api/v1/rounds/{id}/day: the overview's figures of the city's day. */
static int get_day(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	struct screening_day day;
	int rc;
	if ((rc = round_param(r, &rd)) ||
	    (rc = screening_day_get(auth_db(), day_hours, rd.id, mu_now_unix(), CITY_TZ_OFFSET_S,
				       &day)))
		return rc;
	json_t *hours = json_array();
	for (int i = 0; i < SCREENING_DAY_HOURS; i++)
		json_array_append_new(hours, json_pack("{s:o, s:I}", "at",
						       time_json(day.hour0 + 3600 * i), "samples",
						       (json_int_t)day.hourly[i]));
	json_t *recalls = json_object();
	for (int st = 0; st < 4; st++)
		json_object_set_new(recalls, screening_recall_state_name(st),
				    json_integer(day.recalls[st]));
	resp->json = json_pack("{s:I, s:s, s:o, s:I, s:I, s:o, s:o}", "round", (json_int_t)rd.id,
			       "tz", CITY_TZ, "day_start", time_json(day.day_start),
			       "samples_today", (json_int_t)day.samples_today, "positives_today",
			       (json_int_t)day.positives_today, "recalls", recalls, "hours", hours);
	return 0;
}

const struct http_route screening_api_routes[] = {
    {HTTP_POST, "/api/v1/rounds", post_round, ROUND_WRITE, 0, place_of_scope,
     "create a screening round over a place's subtree with its pool policy"},
    {HTTP_GET, "/api/v1/rounds", get_rounds, ROUND_READ, HTTP_ROUTE_DEVICE, NULL,
     "the rounds whose scope overlaps the caller's jurisdiction, newest first"},
    {HTTP_GET, "/api/v1/rounds/{id}", get_round, ROUND_READ, HTTP_ROUTE_DEVICE,
     place_of_round_overlap, "one round"},
    {HTTP_POST, "/api/v1/rounds/{id}/close", post_round_close, ROUND_WRITE, 0, place_of_round,
     "close a round: no scan is taken after, results still are"},
    {HTTP_POST, "/api/v1/sites", post_site, SETUP, 0, place_of_site_body,
     "add a sampling site at a place"},
    {HTTP_POST, "/api/v1/labs", post_lab, SETUP, 0, NULL, "add a lab with its daily capacity"},
    {HTTP_POST, "/api/v1/scans", post_scans, R_SAMP, HTTP_ROUTE_DEVICE, NULL,
     "a batch of up to 1,000 scans of people into tubes, answered per item, idempotent"},
    {HTTP_POST, "/api/v1/tubes/{barcode}/seal", post_seal, R_SAMP, HTTP_ROUTE_DEVICE, place_of_tube,
     "seal an open tube by hand"},
    {HTTP_POST, "/api/v1/labs/{code}/receipts", post_receipts, R_LAB, HTTP_ROUTE_DEVICE, NULL,
     "a lab receives sealed tubes, answered per tube"},
    {HTTP_POST, "/api/v1/results", post_results, R_LAB, HTTP_ROUTE_DEVICE, NULL,
     "results of received tubes, answered per tube; pool-positive tubes raise recalls"},
    {HTTP_GET, "/api/v1/rounds/{id}/recalls", get_recalls, FIELD, HTTP_ROUTE_PERSON, place_of_query,
     "the recalls of a round under a place, grid by grid, a page at a time"},
    {HTTP_GET, "/api/v1/rounds/{id}/coverage", get_coverage, FIELD, 0, place_of_query,
     "live coverage of a round for a place and each of its children"},
    {HTTP_GET, "/api/v1/rounds/{id}/progress", get_progress, FIELD, 0, place_of_round,
     "a round's progress: sampling rate, tubes per stage, lab backlog, turnaround, projection"},
    {HTTP_GET, "/api/v1/rounds/{id}/missing", get_missing, FIELD, HTTP_ROUTE_PERSON, place_of_query,
     "the roll-call: who in a grid or below has no sample yet, a page at a time"},
    {HTTP_POST, "/api/v1/exemptions", post_exemption, EXEMPT, HTTP_ROUTE_PERSON,
     place_of_exempt_person, "record that a person need not be tested in a round, or in any"},
    {HTTP_GET, "/api/v1/sites", get_sites, SITE_READ, HTTP_ROUTE_DEVICE, NULL,
     "the sampling sites inside the caller's jurisdiction, under a place when given"},
    {HTTP_GET, "/api/v1/labs", get_labs, LAB_READ, HTTP_ROUTE_DEVICE, NULL,
     "the labs with their daily capacity (a lab token: its own)"},
    {HTTP_GET, "/api/v1/labs/{code}/backlog", get_lab_backlog, LAB_READ, HTTP_ROUTE_DEVICE, NULL,
     "the tubes a lab has received and not yet resulted, oldest first (barcodes only)"},
    {HTTP_GET, "/api/v1/rounds/{id}/day", get_day, FIELD, 0, place_of_round,
     "a round's day in the city's time zone: samples per hour, today's samples, recalls, positives"},
    {0, NULL, NULL, 0, 0, NULL, NULL},
};
