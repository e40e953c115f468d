/* api.c: the screening HTTP API's server state and route table, and its read and setup
 * routes — rounds, sites and labs, recalls, live coverage from the server's aggregate,
 * the audited roll-call, exemptions and the lists the web shows. The device path (scans,
 * sealing, lab receipts and results) is api_scan.c. Every write goes through
 * auth_submit; the coverage deltas it produced are applied after. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "api.h"
#include "auth/api.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/api.h"
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
/* Who may read a person's record (people/api.c's PERSON_READ) may read their tests. */
#define PERSON_SCREENING (R_ADMIN | R_CMD | R_STAFF | R_GRID | AUTH_R(AUTH_OPERATOR))

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

struct screening_cov *screening_api_cov(void)
{
	return cov;
}

const struct people_keys *screening__api_keys(void)
{
	return &keys;
}

void screening__api_cov_apply(struct http_req *r, const struct screening_delta *dl)
{
	int rc;
	if (screening_delta_count(dl) && (rc = screening_cov_apply(cov, auth_req_db(r), dl)))
		mu_warn("screening: coverage not updated: %s", mu_err_msg(rc));
}

/* ---- input helpers ------------------------------------------------------------------- */

/* The round id named by field of r: 404 on field when no round has it. */
static int round_get(struct http_req *r, const char *field, int64_t id, struct screening_round *rd)
{
	int rc = screening_round_get(auth_req_db(r), id, rd);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, field, "no round has this id") : rc;
}

/* The round of the path's {id}: 400 for a malformed id, 404 for an unknown round. */
static int round_param(struct http_req *r, struct screening_round *rd)
{
	int64_t id;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], &id) || id <= 0)
		return http_fail(r, MU_EINVAL, "id", "a round id is a positive integer");
	return round_get(r, "id", id, rd);
}

json_t *screening__api_time_json(int64_t t)
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

/* The place of a body member that holds a place code (POST /rounds: scope; POST
 * /sites: place). */
static int place_of_member(struct http_req *r, const char *k, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	struct places_node node;
	int rc = http_body_json(r, &body);
	if (rc || (rc = places_api_resolve(r, k, http_json_str(body, k), &node)))
		return rc;
	return places_path(auth_req_db(r), node.id, ids, n);
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
	return rc ? rc : places_path(auth_req_db(r), rd.scope_place_id, ids, n);
}

/* A round is visible to everyone whose jurisdiction overlaps its scope: the scope's
 * path, or the caller's own place when that lies inside the scope. */
static int place_of_round_overlap(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct screening_round rd;
	const struct auth_principal *p = auth_who(r);
	bool inside = false;
	int rc = round_param(r, &rd);
	if (rc || (rc = places_path(auth_req_db(r), rd.scope_place_id, ids, n)))
		return rc;
	if (auth_within(p, ids, *n) || !p || !p->place_id)
		return 0;
	if ((rc = places_is_within(auth_req_db(r), p->place_id, rd.scope_place_id, &inside)))
		return rc;
	return inside ? places_path(auth_req_db(r), p->place_id, ids, n) : 0;
}

/* Whether the round's scope and place overlap (one holds the other). */
static int round_meets(struct http_req *r, const struct screening_round *rd, int64_t place,
		       bool *meets)
{
	int rc = places_is_within(auth_req_db(r), place, rd->scope_place_id, meets);
	if (rc == 0 && !*meets)
		rc = places_is_within(auth_req_db(r), rd->scope_place_id, place, meets);
	return rc;
}

/* ?place= of a round's read (coverage, recalls, roll-call): the place's path, when the
 * round's scope meets that place; else no path at all, which the guard refuses like
 * any place outside the caller's jurisdiction — a round of another district is not read
 * through one's own grid (issue 11). */
static int place_of_query_in_round(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct screening_round rd;
	bool meets = false;
	int rc = round_param(r, &rd);
	if (rc || (rc = places_api_of_query(r, ids, n)))
		return rc;
	MU_ASSERT(*n > 0);
	if ((rc = round_meets(r, &rd, ids[*n - 1], &meets)))
		return rc;
	if (!meets)
		*n = 0;
	return 0;
}

/* POST /exemptions and /notes: the person's household. */
static int place_of_exempt_person(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	int64_t person, hh;
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_int(r, body, "person", 1, INT64_MAX, -1, &person)))
		return rc;
	if ((rc = people_household_of(auth_req_db(r), person, &hh)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "person", "no person has this id")
					  : rc;
	return places_path(auth_req_db(r), hh, ids, n);
}

/* ---- rounds ------------------------------------------------------------------------------ */

static json_t *round_json(struct db *d, const struct screening_round *rd)
{
	struct places_node scope;
	const char *code = places_get(d, rd->scope_place_id, &scope) == 0 ? scope.code : "";
	return json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:b}", "id",
			 (json_int_t)rd->id, "name", rd->name, "scope", code, "pool", rd->pool_k,
			 "pool_high", rd->pool_high, "pool_medium", rd->pool_medium, "starts",
			 screening__api_time_json(rd->starts), "ends",
			 screening__api_time_json(rd->ends), "created_at",
			 screening__api_time_json(rd->created_at), "closed_at",
			 screening__api_time_json(rd->closed_at), "open", rd->closed_at == 0);
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
	static const char *const pools[] = {"pool", "pool_high", "pool_medium"};
	int64_t k[3]; /* pool, pool_high, pool_medium */
	struct places_node node;
	struct round_job j = {.r = r};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_need_str(r, body, "scope", &scope)) ||
	    (rc = http_json_need_str(r, body, "name", &name)) ||
	    (rc = http_json_int(r, body, "pool", 1, 20, -1, &k[0])) ||
	    (rc = http_json_int(r, body, "pool_high", 1, 20, 1, &k[1])) ||
	    (rc = http_json_int(r, body, "pool_medium", 1, 20, k[0], &k[2])) ||
	    (rc = time_member(r, body, "starts", &j.rd.starts)) ||
	    (rc = time_member(r, body, "ends", &j.rd.ends)))
		return rc;
	for (int i = 0; i < 3; i++)
		if (!screening_pool_valid((int)k[i]))
			return http_fail(r, MU_EINVAL, pools[i],
					 "pool size must be 1, 5, 10 or 20");
	if (j.rd.starts && j.rd.ends && j.rd.starts > j.rd.ends)
		return http_fail(r, MU_EINVAL, "ends", "the round ends before it starts");
	if (strlen(name) >= sizeof j.rd.name)
		return http_fail(r, MU_EINVAL, "name", "a name is at most 64 characters");
	if ((rc = places_api_resolve(r, "scope", scope, &node)))
		return rc;
	snprintf(j.rd.name, sizeof j.rd.name, "%s", name);
	j.rd.scope_place_id = node.id;
	j.rd.pool_k = (int)k[0];
	j.rd.pool_high = (int)k[1];
	j.rd.pool_medium = (int)k[2];
	if ((rc = auth_submit(r, round_create_fn, &j)))
		return rc == MU_EINVAL ? http_fail(r, rc, "name", j.why.text) : rc;
	resp->status = 201;
	resp->json = json_pack("{s:o}", "round", round_json(auth_req_db(r), &j.rd));
	return 0;
}

struct round_list {
	struct db *d;
	const struct auth_principal *p;
	json_t *arr;
};

static int list_one(const struct screening_round *rd, void *ctx)
{
	struct round_list *l = ctx;
	bool show = !l->p->place_id;
	int rc = 0;
	if (!show && (rc = places_is_within(l->d, rd->scope_place_id, l->p->place_id, &show)))
		return rc;
	if (!show && (rc = places_is_within(l->d, l->p->place_id, rd->scope_place_id, &show)))
		return rc;
	if (show)
		json_array_append_new(l->arr, round_json(l->d, rd));
	return 0;
}

/* GET /api/v1/rounds */
static int get_rounds(struct http_req *r, struct http_resp *resp)
{
	struct round_list l = {.d = auth_req_db(r), .p = auth_who(r), .arr = json_array()};
	return http_resp_list(resp, "rounds", l.arr, screening_round_list(l.d, list_one, &l));
}

/* GET /api/v1/rounds/{id} */
static int get_round(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	int rc = round_param(r, &rd);
	if (rc)
		return rc;
	resp->json = json_pack("{s:o}", "round", round_json(auth_req_db(r), &rd));
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
	if ((rc = screening_round_get(auth_req_db(r), rd.id, &rd)))
		return rc;
	resp->json = json_pack("{s:o}", "round", round_json(auth_req_db(r), &rd));
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

/* Copies a string member of 1 to n - 1 bytes into out (n bytes). */
static int copy_str(struct http_req *r, json_t *o, const char *k, char *out, size_t n)
{
	const char *v;
	int rc = http_json_text(r, o, k, n - 1, &v);
	if (rc == 0)
		snprintf(out, n, "%s", v);
	return rc;
}

/* POST /api/v1/sites */
static int post_site(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"code", "place", "name", "desks", NULL};
	json_t *body;
	int64_t desks;
	struct places_node node;
	struct site_job j = {.lab = false};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = copy_str(r, body, "code", j.s.code, sizeof j.s.code)) ||
	    (rc = copy_str(r, body, "name", j.s.name, sizeof j.s.name)) ||
	    (rc = http_json_int(r, body, "desks", 1, 10000, -1, &desks)) ||
	    (rc = places_api_resolve(r, "place", http_json_str(body, "place"), &node)))
		return rc;
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
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = copy_str(r, body, "code", j.l.code, sizeof j.l.code)) ||
	    (rc = copy_str(r, body, "name", j.l.name, sizeof j.l.name)) ||
	    (rc = http_json_int(r, body, "capacity", 1, 100000000, -1, &j.l.capacity)))
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

/* ---- recalls ----------------------------------------------------------------------------------
 */

static const char sql_barcode[] = "SELECT barcode FROM tubes WHERE id = ?";

/* The code and name of place id into the arena ("" when absent) and its parent's id. */
struct place_label {
	const char *code, *name;
	int64_t parent_id;
};

static struct place_label place_label(struct http_req *r, int64_t id)
{
	struct places_node n;
	if (!id || places_get(auth_req_db(r), id, &n))
		return (struct place_label){"", "", 0};
	return (struct place_label){mu_arena_strndup(&r->arena, n.code, strlen(n.code)),
				    mu_arena_strndup(&r->arena, n.name, strlen(n.name)),
				    n.parent_id};
}

static json_t *barcode_json(struct db *d, int64_t tube)
{
	struct db_stmt *s;
	json_t *out = json_null();
	if (!tube || db_prepare(d, sql_barcode, &s))
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
	struct auth_people_record rec; /* the people named on the page */
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
	int err = people_get(auth_req_db(pg->r), &keys, rc->person_id, &p);
	if (err)
		return err;
	/* Cards are titled with names (issue 12 item 8): the grid, the building and the
	 * household by name beside their codes, and the phone the caller may read on the
	 * person's record anyway (every role of this route reads people), to call them back. */
	struct place_label grid = place_label(pg->r, rc->grid_id);
	struct place_label hh = place_label(pg->r, p.household_id);
	struct place_label bld = place_label(pg->r, hh.parent_id);
	auth_people_record_add(&pg->rec, rc->person_id);
	json_t *row = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
				(json_int_t)rc->id, "person_id", (json_int_t)rc->person_id, "name",
				p.name, "phone", p.phone, "grid", grid.code, "grid_name", grid.name,
				"building", bld.code, "building_name", bld.name, "household",
				hh.code, "household_name", hh.name);
	json_object_update_new(
	    row,
	    json_pack("{s:s, s:o, s:o, s:o, s:o}", "state", screening_recall_state_name(rc->state),
		      "source_tube", barcode_json(auth_req_db(pg->r), rc->source_tube_id),
		      "single_tube", barcode_json(auth_req_db(pg->r), rc->single_tube_id),
		      "created_at", screening__api_time_json(rc->created_at), "resolved_at",
		      screening__api_time_json(rc->resolved_at)));
	json_array_append_new(pg->arr, row);
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
	const char *st = http_query(r, "status");
	int state = -1, limit, rc;
	int64_t after;
	if ((rc = round_param(r, &rd)) || (rc = places_api_query(r, &node)) ||
	    (rc = http_query_limit(r, SCREENING__API_PAGE, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &after)))
		return rc;
	if (st && *st && screening_recall_state_parse(st, &state))
		return http_fail(r, MU_EINVAL, "status",
				 "status is pending, sampled, negative or positive");
	struct recall_page pg = {.r = r, .arr = json_array(), .limit = limit};
	auth_people_record_init(&pg.rec);
	rc = screening_recall_list(auth_req_db(r), rd.id, node.id, state, after, recall_one, &pg);
	auth_people_record_fini(&pg.rec, r);
	if (rc < 0) {
		json_decref(pg.arr);
		return rc == MU_EINVAL ? http_fail_cursor(r) : rc;
	}
	resp->json =
	    json_pack("{s:o, s:o}", "recalls", pg.arr, "cursor",
		      pg.more ? json_string(mu_arena_sprintf(&r->arena, "%lld", (long long)pg.last))
			      : json_null());
	return 0;
}

/* ---- coverage ----------------------------------------------------------------------------- */

struct kids {
	struct db *d;
	json_t *arr;
};

static int child_counts(const struct screening_counts *k, void *ctx)
{
	struct kids *kids = ctx;
	struct places_node n;
	int rc = places_get(kids->d, k->place_id, &n);
	if (rc == 0)
		json_array_append_new(kids->arr, screening_counts_json(k, &n));
	return rc;
}

/* depth=2: each child carries its own children, appended to the last child listed. */
static int below_counts(const struct places_node *n, const struct screening_counts *k, int depth,
			void *ctx)
{
	json_t *o = screening_counts_json(k, n), *last;
	if (depth == 1) {
		json_object_set_new(o, "children", json_array());
		json_array_append_new(ctx, o);
	} else {
		last = json_array_get(ctx, json_array_size(ctx) - 1);
		json_array_append_new(json_object_get(last, "children"), o);
	}
	return 0;
}

/* GET /api/v1/rounds/{id}/coverage?place=CODE&depth=1|2 */
static int get_coverage(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	struct places_node node;
	struct screening_counts k;
	const char *depth = http_query(r, "depth");
	int rc;
	if (depth && strcmp(depth, "1") && strcmp(depth, "2"))
		return http_fail(r, MU_EINVAL, "depth", "depth is 1 or 2");
	if ((rc = round_param(r, &rd)) || (rc = places_api_query(r, &node)) ||
	    (rc = screening_cov_get(cov, auth_req_db(r), rd.id, node.id, &k)))
		return rc;
	struct kids kids = {.d = auth_req_db(r), .arr = json_array()};
	if (node.level < PLACES_HOUSEHOLD && depth && !strcmp(depth, "2"))
		rc = screening_cov_below(cov, kids.d, rd.id, node.id, 2, SCREENING_COV_BELOW_MAX,
					 below_counts, kids.arr);
	else if (node.level < PLACES_HOUSEHOLD)
		rc = screening_cov_children(cov, kids.d, rd.id, node.id, child_counts, &kids);
	if (rc) {
		json_decref(kids.arr);
		return rc == MU_ETOOBIG
			   ? http_fail(r, rc, "depth",
				       mu_arena_sprintf(&r->arena,
							"more than %d places lie within depth 2 "
							"of this place: ask with depth=1",
							SCREENING_COV_BELOW_MAX))
			   : rc;
	}
	json_t *o = screening_counts_json(&k, &node);
	json_object_set_new(o, "round", json_integer(rd.id));
	json_object_set_new(o, "children", kids.arr);
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
	    (rc = screening_cov_get(cov, auth_req_db(r), rd.id, rd.scope_place_id, &k)) ||
	    (rc = screening_progress_get_kept(progress_kept, auth_req_db(r), rd.id, mu_now_unix(),
					      mu_now_mono(), &k, &p)))
		return rc;
	resp->json = screening_progress_json(&p);
	return 0;
}

/* ---- roll-call ----------------------------------------------------------------------------- */

/* One person of the roll-call, with the latest note left on them (this round's or of no
 * round). Everyone who may read it sees the phone masked; the grid worker, who serves
 * these residents and must be able to call them, gets the number too (the guard put the
 * place inside their jurisdiction; the read is audited per person). Other roles open
 * the person's record for it, as before. */
static json_t *missing_json(const struct screening_missing *m, bool phone)
{
	char masked[PEOPLE_PHONE_MAX + 1];
	people_phone_mask(m->phone, masked);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "person_id",
			      (json_int_t)m->person_id, "name", m->name, "compound", m->compound,
			      "compound_name", m->compound_name, "building", m->building,
			      "building_name", m->building_name, "household", m->household,
			      "household_name", m->household_name, "phone_masked", masked);
	if (phone)
		json_object_set_new(o, "phone", json_string(m->phone));
	json_object_set_new(o, "note", m->note_at ? json_string(m->note) : json_null());
	json_object_set_new(o, "note_at", screening__api_time_json(m->note_at));
	return o;
}

/* GET /api/v1/rounds/{id}/missing?place=CODE&cursor=C&limit=N: a page of the roll-call in
 * door-to-door order with the place's counts for the page's header. */
static int get_missing(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	struct places_node node;
	struct screening_counts k;
	const char *cur = http_query(r, "cursor");
	char next[SCREENING_CURSOR_MAX];
	int limit, rc;
	size_t n = 0;
	if ((rc = round_param(r, &rd)) || (rc = places_api_query(r, &node)) ||
	    (rc = http_query_limit(r, SCREENING__API_PAGE, HTTP_LIMIT_MAX, &limit)))
		return rc;
	if (node.level < PLACES_GRID)
		return http_fail(
		    r, MU_EINVAL, "place",
		    "the roll-call lists a grid or a place below it (compound, building, "
		    "household); ask for each grid of a larger place");
	if (cur && strlen(cur) >= SCREENING_CURSOR_MAX)
		return http_fail_cursor(r);
	if ((rc = screening_cov_get(cov, auth_req_db(r), rd.id, node.id, &k)))
		return rc;
	struct screening_missing *out = mu_xcalloc((size_t)limit, sizeof *out);
	rc = screening_missing_list(auth_req_db(r), &keys, rd.id, node.id, cur, out, (size_t)limit,
				    &n, next);
	if (rc) {
		free(out);
		return rc == MU_EINVAL ? http_fail_cursor(r) : rc;
	}
	bool phone = auth_who(r)->role == AUTH_GRID_WORKER;
	json_t *arr = json_array();
	struct auth_people_record rec;
	auth_people_record_init(&rec);
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(arr, missing_json(&out[i], phone));
		auth_people_record_add(&rec, out[i].person_id);
	}
	auth_people_record_fini(&rec, r);
	sodium_memzero(out, (size_t)limit * sizeof *out);
	free(out);
	int64_t missing = k.expected > k.sampled ? k.expected - k.sampled : 0;
	resp->json = json_pack(
	    "{s:o, s:o, s:{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}}", "missing", arr, "cursor",
	    next[0] ? json_string(next) : json_null(), "counts", "place", node.code, "name",
	    node.name, "level", places_level_name(node.level), "people", (json_int_t)k.people,
	    "due", (json_int_t)k.expected, "sampled", (json_int_t)k.sampled, "missing",
	    (json_int_t)missing, "exempted", (json_int_t)(k.people - k.expected));
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
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_int(r, body, "person", 1, INT64_MAX, -1, &j.person)) ||
	    (rc = http_json_int(r, body, "round", 1, INT64_MAX, 0, &j.round)) ||
	    (rc = http_json_need_str(r, body, "reason", &reason)))
		return rc;
	if (screening_exempt_reason_parse(reason, &j.reason))
		return http_fail(r, MU_EINVAL, "reason",
				 "reason is away, hospitalised, deceased or moved");
	struct screening_round rd;
	if (j.round && (rc = round_get(r, "round", j.round, &rd)))
		return rc;
	if (j.round) {
		/* Only from a round that covers the person: not another district's. */
		int64_t hh;
		bool meets = false;
		if ((rc = people_household_of(auth_req_db(r), j.person, &hh)) ||
		    (rc = round_meets(r, &rd, hh, &meets)))
			return rc;
		if (!meets)
			return auth_refuse(r);
	}
	j.dl = screening_delta_new();
	auth_record_person(r, j.person);
	rc = auth_submit(r, exempt_fn, &j);
	if (rc == 0)
		screening__api_cov_apply(r, j.dl);
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

/* ---- roll-call notes ------------------------------------------------------------------------ */

struct note_job {
	const char *client_id, *text;
	int64_t round, person, user, id;
	struct mu_why why;
};

static int note_fn(struct db *d, void *arg)
{
	struct note_job *j = arg;
	return screening_note_add(d, &keys, j->client_id, j->round, j->person, j->text, j->user,
				  mu_now_unix(), &j->id, &j->why);
}

/* POST /api/v1/notes: {id, person, round?, text}. The person's household is the route's
 * place (the guard checks it), and a round must cover them, as for an exemption. */
static int post_note(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"id", "person", "round", "text", NULL};
	const struct auth_principal *p = auth_who(r);
	json_t *body;
	struct note_job j = {.user = p->kind == AUTH_KIND_USER ? p->id : 0};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_need_str(r, body, "id", &j.client_id)) ||
	    (rc = http_json_int(r, body, "person", 1, INT64_MAX, -1, &j.person)) ||
	    (rc = http_json_int(r, body, "round", 1, INT64_MAX, 0, &j.round)) ||
	    (rc = http_json_need_str(r, body, "text", &j.text)))
		return rc;
	if (j.round) {
		struct screening_round rd;
		int64_t hh;
		bool meets = false;
		if ((rc = round_get(r, "round", j.round, &rd)) ||
		    (rc = people_household_of(auth_req_db(r), j.person, &hh)) ||
		    (rc = round_meets(r, &rd, hh, &meets)))
			return rc;
		if (!meets)
			return auth_refuse(r);
	}
	auth_record_person(r, j.person);
	rc = auth_submit(r, note_fn, &j);
	if (rc)
		return j.why.field ? http_fail(r, rc, j.why.field, j.why.text) : rc;
	resp->status = 201;
	resp->json = json_pack("{s:{s:I, s:s, s:I, s:o, s:s}}", "note", "row", (json_int_t)j.id,
			       "id", j.client_id, "person", (json_int_t)j.person, "round",
			       j.round ? json_integer(j.round) : json_null(), "text", j.text);
	return 0;
}

/* ---- lists for the web: sites, a round's day ------------------------------------------------ */

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
	if ((rc = places_path(auth_req_db(l->r), st->place_id, ids, &n)))
		return rc;
	if (l->p->kind != AUTH_KIND_SITE && !auth_within(l->p, ids, n))
		return 0;
	for (int i = 0; i < n && !under; i++)
		under = ids[i] == l->under;
	if (!under)
		return 0;
	struct places_node node;
	if ((rc = places_get(auth_req_db(l->r), st->place_id, &node)))
		return rc;
	json_array_append_new(l->arr, json_pack("{s:s, s:s, s:s, s:s, s:i}", "code", st->code,
						"name", st->name, "place", node.code, "place_name",
						node.name, "desks", st->desks));
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
		if ((rc = places_api_query(r, &node)))
			return rc;
		l.under = node.id;
	}
	l.arr = json_array();
	rc = screening_site_list(auth_req_db(r), site_one, &l);
	return http_resp_list(resp, "sites", l.arr, rc);
}

/* GET /api/v1/rounds/{id}/day: the overview's figures of the city's day. */
static int get_day(struct http_req *r, struct http_resp *resp)
{
	struct screening_round rd;
	struct screening_day day;
	int rc;
	if ((rc = round_param(r, &rd)) ||
	    (rc = screening_day_get(auth_req_db(r), day_hours, rd.id, mu_now_unix(),
				    CITY_TZ_OFFSET_S, &day)))
		return rc;
	json_t *hours = json_array();
	for (int i = 0; i < SCREENING_DAY_HOURS; i++)
		json_array_append_new(hours,
				      json_pack("{s:o, s:I}", "at",
						screening__api_time_json(day.hour0 + 3600 * i),
						"samples", (json_int_t)day.hourly[i]));
	json_t *recalls = json_object();
	for (int st = 0; st < 4; st++)
		json_object_set_new(recalls, screening_recall_state_name(st),
				    json_integer(day.recalls[st]));
	resp->json = json_pack("{s:I, s:s, s:o, s:I, s:I, s:o, s:o}", "round", (json_int_t)rd.id,
			       "tz", CITY_TZ, "day_start", screening__api_time_json(day.day_start),
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
    {HTTP_POST, "/api/v1/scans", screening__api_post_scans, R_SAMP, HTTP_ROUTE_DEVICE, NULL,
     "a batch of up to 1,000 scans of people into tubes, answered per item, idempotent"},
    {HTTP_POST, "/api/v1/tubes/{barcode}/seal", screening__api_post_seal, R_SAMP, HTTP_ROUTE_DEVICE,
     screening__api_place_of_tube, "seal an open tube by hand"},
    {HTTP_POST, "/api/v1/labs/{code}/receipts", screening__api_post_receipts, R_LAB,
     HTTP_ROUTE_DEVICE, NULL, "a lab receives sealed tubes, answered per tube"},
    {HTTP_POST, "/api/v1/results", screening__api_post_results, R_LAB, HTTP_ROUTE_DEVICE, NULL,
     "results of received tubes, answered per tube; pool-positive tubes raise recalls"},
    {HTTP_GET, "/api/v1/rounds/{id}/recalls", get_recalls, FIELD, HTTP_ROUTE_PERSON,
     place_of_query_in_round,
     "the recalls of a round under a place, grid by grid, a page at a time"},
    {HTTP_GET, "/api/v1/rounds/{id}/coverage", get_coverage, FIELD, 0, place_of_query_in_round,
     "live coverage of a round for a place and each of its children"},
    {HTTP_GET, "/api/v1/rounds/{id}/progress", get_progress, FIELD, 0, place_of_round,
     "a round's progress: sampling rate, tubes per stage, lab backlog, turnaround, projection"},
    {HTTP_GET, "/api/v1/rounds/{id}/missing", get_missing, FIELD, HTTP_ROUTE_PERSON,
     place_of_query_in_round,
     "the roll-call: who in a grid or below has no sample yet, door to door, a page at a "
     "time, with the place's counts"},
    {HTTP_POST, "/api/v1/exemptions", post_exemption, EXEMPT, HTTP_ROUTE_PERSON,
     place_of_exempt_person, "record that a person need not be tested in a round, or in any"},
    {HTTP_POST, "/api/v1/notes", post_note, EXEMPT, HTTP_ROUTE_PERSON, place_of_exempt_person,
     "leave a note on a person from the roll-call (idempotent by the client's note id)"},
    {HTTP_GET, "/api/v1/sites", get_sites, SITE_READ, HTTP_ROUTE_DEVICE, NULL,
     "the sampling sites inside the caller's jurisdiction, under a place when given"},
    {HTTP_GET, "/api/v1/labs", screening__api_get_labs, LAB_READ, HTTP_ROUTE_DEVICE, NULL,
     "the labs with their daily capacity (a lab token: its own)"},
    {HTTP_GET, "/api/v1/labs/{code}/backlog", screening__api_get_lab_backlog, LAB_READ,
     HTTP_ROUTE_DEVICE, NULL,
     "the tubes a lab has received and not yet resulted, oldest first (barcodes only)"},
    {HTTP_GET, "/api/v1/rounds/{id}/day", get_day, FIELD, 0, place_of_round,
     "a round's day in the city's time zone: samples per hour, today's samples, recalls, "
     "positives"},
    {HTTP_GET, "/api/v1/people/{id}/screening", screening__api_get_person, PERSON_SCREENING,
     HTTP_ROUTE_PERSON, screening__api_place_of_person,
     "has this person been tested: their samples, results, recall and exemption in the newest "
     "rounds covering their household"},
    {0, NULL, NULL, 0, 0, NULL, NULL},
};
