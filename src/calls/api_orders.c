/* api_orders.c: the orders' HTTP face (令行禁止) — issue, a target's ack/done/blocked
 * and forward, one order's tree with its roll-up per level, the orders of a place and
 * the overdue targets below it. Every write goes through auth_submit (one audit entry
 * per step, record "order:ID" or "order:ID/CODE"); the logic is orders.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "auth/api.h"
#include "calls.h"
#include "core/core.h"
#include "db/db.h"
#include "places/api.h"
#include "places/places.h"
#include "screening/screening.h"

#define ORDERS_PAGE 50 /* orders or overdue targets of a page when ?limit= is absent */

static json_t *time_json(int64_t t)
{
	char buf[21];
	if (!t)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

/* Fails r with rc and the logic's reason (copied into the request's arena), or with rc
 * alone when the logic gave none. */
static int why_fail(struct http_req *r, int rc, const struct mu_why *why)
{
	if (!why->text[0])
		return rc;
	return http_fail(r, rc, why->field,
			 mu_arena_strndup(&r->arena, why->text, strlen(why->text)));
}

/* The jurisdiction of the caller as the issuer's place: an admin's is the city. */
static int caller_place(struct http_req *r, int64_t *place)
{
	const struct auth_principal *p = auth_who(r);
	*place = p ? p->place_id : 0;
	return *place ? 0 : places_root(auth_req_db(r), place);
}

/* The path string of the caller's jurisdiction, for what an order shows them. */
static int caller_within(struct http_req *r, char out[CALLS_PATH_MAX])
{
	int64_t place;
	int rc = caller_place(r, &place);
	return rc ? rc : calls_place_path(auth_req_db(r), place, out);
}

/* The order of the path's {id}: 400 for a malformed id, 404 when no order has it. */
static int order_param(struct http_req *r, struct calls_order *o)
{
	int64_t id;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], &id) || id <= 0)
		return http_fail(r, MU_EINVAL, "id", "an order id is a positive integer");
	int rc = calls_order_get(auth_req_db(r), id, o);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no order has this id") : rc;
}

/* An optional RFC 3339 member into unix seconds (0 when absent). */
static int time_member(struct http_req *r, const json_t *o, const char *k, int64_t *out)
{
	const json_t *v = json_object_get(o, k);
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || screening_time_parse(json_string_value(v), out))
		return http_fail(r, MU_EINVAL, k, "must be an RFC 3339 time");
	return 0;
}

/* The places of a "targets" member: [CODE…] or {"level","under"}. *ids (the caller
 * frees) and *n; each place must lie inside the caller's jurisdiction (403 otherwise,
 * the guard's words). */
static int targets_member(struct http_req *r, const json_t *body, int64_t **ids, size_t *n)
{
	const json_t *t = json_object_get(body, "targets");
	struct places_node node;
	int rc = 0;
	*ids = NULL;
	*n = 0;
	if (json_is_object(t)) {
		static const char *const allowed[] = {"level", "under", NULL};
		int level;
		const char *lv;
		if ((rc = http_json_only(r, t, allowed)) ||
		    (rc = http_json_need_str(r, t, "level", &lv)))
			return rc;
		if (places_level_parse(lv, &level) ||
		    (level != PLACES_STREET && level != PLACES_COMMUNITY && level != PLACES_GRID))
			return http_fail(r, MU_EINVAL, "level",
					 "a level is street, community or grid");
		if ((rc = places_api_resolve(r, "under", http_json_str(t, "under"), &node)))
			return rc;
		rc = calls_order_places_under(auth_req_db(r), node.id, level, ids, n);
		if (rc == MU_ETOOBIG)
			return http_fail(r, MU_EINVAL, "targets", "too many places at once");
		if (rc)
			return rc;
		if (*n == 0)
			return http_fail(r, MU_EINVAL, "targets", "no place at this level there");
	} else if (json_is_array(t)) {
		size_t len = json_array_size(t);
		if (len == 0)
			return http_fail(r, MU_EINVAL, "targets", "at least one target");
		if (len > CALLS_ORDER_TARGETS_MAX)
			return http_fail(r, MU_EINVAL, "targets", "too many places at once");
		*ids = mu_xmalloc(len * sizeof **ids);
		for (size_t i = 0; i < len; i++) {
			const json_t *c = json_array_get(t, i);
			if ((rc = places_api_resolve(
				 r, "targets", json_is_string(c) ? json_string_value(c) : NULL,
				 &node)))
				goto fail;
			(*ids)[(*n)++] = node.id;
		}
	} else {
		return http_fail(r, MU_EINVAL, "targets",
				 "a list of place codes or {\"level\", \"under\"}");
	}
	const struct auth_principal *p = auth_who(r);
	for (size_t i = 0; i < *n; i++) {
		int64_t path[HTTP_PATH_MAX];
		int np;
		if ((rc = places_path(auth_req_db(r), (*ids)[i], path, &np)))
			goto fail;
		if (!auth_within(p, path, np)) {
			rc = auth_refuse(r);
			goto fail;
		}
	}
	return 0;
fail:
	free(*ids);
	*ids = NULL;
	*n = 0;
	return rc;
}

/* ---- place resolvers -------------------------------------------------------------------- */

/* POST /orders: the place of {"under"}, or of the first code of a list (the handler
 * checks every target). */
int calls__api_place_of_new_order(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	struct places_node node;
	int rc = http_body_json(r, &body);
	if (rc)
		return rc;
	const json_t *t = json_object_get(body, "targets");
	const json_t *c = json_is_object(t)  ? json_object_get(t, "under")
			  : json_is_array(t) ? json_array_get(t, 0)
					     : NULL;
	if ((rc = places_api_resolve(r, json_is_object(t) ? "under" : "targets",
				     json_is_string(c) ? json_string_value(c) : NULL, &node)))
		return rc;
	return places_path(auth_req_db(r), node.id, ids, n);
}

/* /orders/{id}/targets/{code}/…: the target's place. The caller acts for it when their
 * jurisdiction is that place or above it. */
int calls__api_place_of_target(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct calls_order o;
	struct places_node node;
	int rc = order_param(r, &o);
	if (rc || (rc = places_api_resolve(r, "code", r->nparams > 1 ? r->params[1] : NULL, &node)))
		return rc;
	return places_path(auth_req_db(r), node.id, ids, n);
}

/* GET /orders/{id}: whoever holds the issuer's place, or any target's. */
int calls__api_place_of_order(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct calls_order o;
	char within[CALLS_PATH_MAX];
	struct calls_order_view *v = NULL;
	const struct auth_principal *p = auth_who(r);
	int rc = order_param(r, &o);
	if (rc || (rc = places_path(auth_req_db(r), o.issuer_place, ids, n)))
		return rc;
	if (auth_within(p, ids, *n) || !p || !p->place_id)
		return 0;
	if ((rc = caller_within(r, within)) ||
	    (rc = calls_order_view_new(auth_req_db(r), o.id, 0, &v)))
		return rc;
	for (size_t i = 0; i < v->n; i++)
		if (calls_path_within(v->t[i].path, within)) {
			rc = places_path(auth_req_db(r), p->place_id, ids, n);
			break;
		}
	calls_order_view_free(v);
	return rc;
}

/* ---- issue ------------------------------------------------------------------------------- */

struct issue_job {
	struct http_req *r;
	struct calls_order_new in;
	int64_t id, due;
	struct mu_why why;
};

static int issue_fn(struct db *d, void *arg)
{
	struct issue_job *j = arg;
	int rc = calls_order_issue(d, &j->in, &j->id, &j->due, &j->why);
	if (rc == 0)
		j->r->record = mu_arena_sprintf(&j->r->arena, "order:%lld", (long long)j->id);
	return rc;
}

/* POST /api/v1/orders */
int calls__api_post_orders(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"title", "text", "targets", "due", NULL};
	const struct auth_principal *p = auth_who(r);
	json_t *body;
	int64_t *ids = NULL;
	size_t n = 0;
	struct issue_job j = {.r = r};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_need_str(r, body, "title", &j.in.title)) ||
	    (rc = http_json_need_str(r, body, "text", &j.in.text)) ||
	    (rc = time_member(r, body, "due", &j.in.due)) ||
	    (rc = caller_place(r, &j.in.issuer_place)) || (rc = targets_member(r, body, &ids, &n)))
		return rc;
	j.in.issuer_user = p->id;
	j.in.issuer_name = p->name;
	j.in.issued_at = mu_now_unix();
	j.in.targets = ids;
	j.in.n = n;
	rc = auth_submit(r, issue_fn, &j);
	free(ids);
	if (rc == MU_EFORBIDDEN)
		return auth_refuse(r);
	if (rc)
		return why_fail(r, rc, &j.why);
	resp->status = 201;
	resp->json = json_pack("{s:I, s:I, s:o}", "id", (json_int_t)j.id, "targets", (json_int_t)n,
			       "due", time_json(j.due));
	return 0;
}

/* ---- a target's steps --------------------------------------------------------------------- */

struct act_job {
	int64_t order, place, user, due;
	int act, state;
	const char *note;
	const int64_t *places;
	size_t n;
	bool forward;
	struct mu_why why;
};

static int act_fn(struct db *d, void *arg)
{
	struct act_job *j = arg;
	int64_t now = mu_now_unix();
	if (j->forward)
		return calls_order_forward(d, j->order, j->place, j->places, j->n, j->due, j->user,
					   now, &j->why);
	return calls_order_act(d, j->order, j->place, j->act, j->note, j->user, now, &j->state,
			       &j->why);
}

/* The order and target of the path, and the body (NULL when there is none). */
static int target_params(struct http_req *r, struct act_job *j, struct places_node *node,
			 json_t **body)
{
	struct calls_order o;
	int rc = order_param(r, &o);
	*body = NULL;
	if (rc || (rc = places_api_resolve(r, "code", r->params[1], node)))
		return rc;
	j->order = o.id;
	j->place = node->id;
	j->user = auth_who(r)->id;
	if (r->body_len && (rc = http_body_json(r, body)))
		return rc;
	r->record = mu_arena_sprintf(&r->arena, "order:%lld/%s", (long long)o.id, node->code);
	return 0;
}

static int act_answer(struct http_req *r, struct http_resp *resp, const struct act_job *j,
		      const struct places_node *node, int rc)
{
	if (rc)
		return why_fail(r, rc, &j->why);
	resp->json = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)j->order, "code", node->code,
			       "state", calls_order_state_name(j->state));
	return 0;
}

static int post_act(struct http_req *r, struct http_resp *resp, int act)
{
	static const char *const allowed[] = {"note", NULL};
	struct act_job j = {.act = act};
	struct places_node node;
	json_t *body;
	int rc = target_params(r, &j, &node, &body);
	if (rc)
		return rc;
	if (body) {
		const json_t *note = json_object_get(body, "note");
		if ((rc = http_json_only(r, body, allowed)))
			return rc;
		if (note && !json_is_null(note) && !json_is_string(note))
			return http_fail(r, MU_EINVAL, "note", "a note is text");
		j.note = json_string_value(note);
	}
	return act_answer(r, resp, &j, &node, auth_submit(r, act_fn, &j));
}

/* POST /api/v1/orders/{id}/targets/{code}/ack|done|blocked */
int calls__api_post_order_ack(struct http_req *r, struct http_resp *resp)
{
	return post_act(r, resp, CALLS_ACT_ACK);
}
int calls__api_post_order_done(struct http_req *r, struct http_resp *resp)
{
	return post_act(r, resp, CALLS_ACT_DONE);
}
int calls__api_post_order_blocked(struct http_req *r, struct http_resp *resp)
{
	return post_act(r, resp, CALLS_ACT_BLOCKED);
}

/* POST /api/v1/orders/{id}/targets/{code}/forward */
int calls__api_post_order_forward(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"targets", "due", NULL};
	struct act_job j = {.forward = true};
	struct places_node node;
	json_t *body;
	int64_t *ids = NULL;
	int rc = target_params(r, &j, &node, &body);
	if (rc)
		return rc;
	if (!body)
		return http_fail(r, MU_EINVAL, "targets",
				 "a list of place codes or {\"level\", \"under\"}");
	if ((rc = http_json_only(r, body, allowed)) || (rc = time_member(r, body, "due", &j.due)) ||
	    (rc = targets_member(r, body, &ids, &j.n)))
		return rc;
	j.places = ids;
	rc = auth_submit(r, act_fn, &j);
	free(ids);
	if (rc)
		return why_fail(r, rc, &j.why);
	resp->status = 201;
	resp->json = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)j.order, "code", node.code,
			       "forwarded", (json_int_t)j.n);
	return 0;
}

/* ---- reading ------------------------------------------------------------------------------- */

static json_t *rollup_json(const struct calls_order_view *v, const char *within)
{
	struct calls_order_rollup r[CALLS_LEVELS], all;
	json_t *levels = json_array();
	calls_order_rollup(v, within, r, &all);
	for (int l = 0; l < CALLS_LEVELS; l++)
		if (r[l].total)
			json_array_append_new(
			    levels,
			    json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "level",
				      places_level_name(l), "acknowledged",
				      (json_int_t)r[l].acknowledged, "done", (json_int_t)r[l].done,
				      "blocked", (json_int_t)r[l].blocked, "overdue",
				      (json_int_t)r[l].overdue, "total", (json_int_t)r[l].total));
	return json_pack("{s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "levels", levels, "all",
			 "acknowledged", (json_int_t)all.acknowledged, "done", (json_int_t)all.done,
			 "blocked", (json_int_t)all.blocked, "overdue", (json_int_t)all.overdue,
			 "total", (json_int_t)all.total);
}

static json_t *place_json(struct db *d, int64_t id)
{
	struct places_node n;
	if (places_get(d, id, &n))
		return json_null();
	return json_pack("{s:s, s:s, s:s}", "code", n.code, "name", n.name, "level",
			 places_level_name(n.level));
}

/* Whether the caller acts for target i: their jurisdiction is its place or above it. */
static bool acts_for(const struct auth_principal *p, const struct calls_order_target *t)
{
	char needle[32];
	if (!p->place_id)
		return p->role == AUTH_ADMIN;
	snprintf(needle, sizeof needle, "/%lld/", (long long)p->place_id);
	return strstr(t->path, needle) != NULL;
}

struct tree {
	struct http_req *r;
	const struct calls_order_view *v;
	const char *within;
	const struct auth_principal *p;
};

static json_t *targets_json(const struct tree *tr, size_t first);

/* One target with its forwarded targets (those shown), recursively. */
static json_t *target_json(const struct tree *tr, size_t i)
{
	const struct calls_order_target *t = &tr->v->t[i];
	struct places_node n;
	bool known = places_get(auth_req_db(tr->r), t->place_id, &n) == 0;
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:o, s:o, s:o}", "code", known ? n.code : "",
	    "name", known ? n.name : "", "level", places_level_name(t->level), "state",
	    calls_order_state_name(t->state), "overdue", t->overdue, "reported",
	    t->reported_at && t->state != CALLS_ORDER_DONE, "due", time_json(t->due), "acked_at",
	    time_json(t->acked_at), "done_at", time_json(t->done_at), "blocked_at",
	    time_json(t->blocked_at), "note", t->note ? json_string(t->note) : json_null());
	json_object_set_new(o, "blocked_below", json_integer(t->blocked_below));
	json_object_set_new(o, "mine", json_boolean(acts_for(tr->p, t)));
	json_object_set_new(o, "forwarded", targets_json(tr, t->first_child));
	return o;
}

/* The shown targets among first and its siblings; a hidden one's shown descendants take
 * its place (a street viewer of a district's order sees its own street at the top). */
static json_t *targets_json(const struct tree *tr, size_t first)
{
	json_t *arr = json_array();
	for (size_t i = first; i != CALLS_NONE; i = tr->v->t[i].next_sibling) {
		if (calls_order_view_shows(tr->v, i, tr->within)) {
			json_array_append_new(arr, target_json(tr, i));
		} else {
			json_t *below = targets_json(tr, tr->v->t[i].first_child);
			json_array_extend(arr, below);
			json_decref(below);
		}
	}
	return arr;
}

static json_t *order_head(struct http_req *r, const struct calls_order *o)
{
	json_t *issuer = place_json(auth_req_db(r), o->issuer_place);
	if (json_is_object(issuer))
		json_object_set_new(issuer, "user", json_string(o->issuer_name));
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:b, s:o}", "id", (json_int_t)o->id, "title",
			 o->title, "text", o->text, "due", time_json(o->due), "issued_at",
			 time_json(o->issued_at), "wartime", o->wartime, "issuer", issuer);
}

/* GET /api/v1/orders/{id} */
int calls__api_get_order(struct http_req *r, struct http_resp *resp)
{
	struct calls_order o;
	struct calls_order_view *v;
	char within[CALLS_PATH_MAX];
	const struct auth_principal *p = auth_who(r);
	int rc = order_param(r, &o);
	if (rc || (rc = caller_within(r, within)) ||
	    (rc = calls_order_view_new(auth_req_db(r), o.id, mu_now_unix(), &v)))
		return rc;
	const char *w = p->place_id ? within : NULL;
	struct tree tr = {.r = r, .v = v, .within = w, .p = p};
	json_t *j = order_head(r, &v->o);
	json_object_set_new(j, "targets", targets_json(&tr, v->first_root));
	json_object_set_new(j, "rollup", rollup_json(v, w));
	calls_order_view_free(v);
	resp->json = j;
	return 0;
}

struct order_page {
	struct http_req *r;
	const char *within;
	json_t *arr;
	size_t limit, got;
	int64_t last;
	bool more;
};

static int list_one(int64_t id, void *ctx)
{
	struct order_page *pg = ctx;
	struct calls_order_view *v;
	if (pg->got == pg->limit) {
		pg->more = true;
		return 1;
	}
	int rc = calls_order_view_new(auth_req_db(pg->r), id, mu_now_unix(), &v);
	if (rc)
		return rc;
	json_t *j = order_head(pg->r, &v->o);
	json_object_del(j, "text");
	json_object_set_new(j, "rollup", rollup_json(v, pg->within));
	json_array_append_new(pg->arr, j);
	calls_order_view_free(v);
	pg->got++;
	pg->last = id;
	return 0;
}

/* GET /api/v1/orders?place=CODE&cursor=&limit= */
int calls__api_get_orders(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	char within[CALLS_PATH_MAX];
	int64_t before;
	int limit, rc;
	if ((rc = places_api_query(r, &node)) ||
	    (rc = http_query_limit(r, ORDERS_PAGE, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &before)) ||
	    (rc = calls_place_path(auth_req_db(r), node.id, within)))
		return rc;
	struct order_page pg = {
	    .r = r, .within = within, .arr = json_array(), .limit = (size_t)limit};
	rc = calls_order_list(auth_req_db(r), within, before, pg.limit + 1, list_one, &pg);
	if (rc < 0) {
		json_decref(pg.arr);
		return rc;
	}
	resp->json =
	    json_pack("{s:o, s:o}", "orders", pg.arr, "cursor",
		      pg.more ? json_string(mu_arena_sprintf(&r->arena, "%lld", (long long)pg.last))
			      : json_null());
	return 0;
}

struct overdue_page {
	struct http_req *r;
	json_t *arr;
	size_t limit, got;
	int64_t last;
	bool more;
};

static int overdue_one(const struct calls_overdue *od, void *ctx)
{
	struct overdue_page *pg = ctx;
	struct calls_order o;
	struct db *d = auth_req_db(pg->r);
	if (pg->got == pg->limit) {
		pg->more = true;
		return 1;
	}
	int rc = calls_order_get(d, od->order_id, &o);
	if (rc)
		return rc;
	json_t *target = place_json(d, od->place_id);
	json_t *row =
	    json_pack("{s:I, s:s, s:o, s:s, s:o, s:o}", "order", (json_int_t)o.id, "title", o.title,
		      "due", time_json(od->due), "state", calls_order_state_name(od->state),
		      "target", target, "above", place_json(d, od->above_place));
	json_array_append_new(pg->arr, row);
	pg->got++;
	pg->last = od->target_id;
	return 0;
}

/* GET /api/v1/orders/overdue?place=CODE&cursor=&limit= */
int calls__api_get_overdue(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	char within[CALLS_PATH_MAX];
	int64_t after;
	int limit, rc;
	if ((rc = places_api_query(r, &node)) ||
	    (rc = http_query_limit(r, ORDERS_PAGE, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &after)) ||
	    (rc = calls_place_path(auth_req_db(r), node.id, within)))
		return rc;
	struct overdue_page pg = {.r = r, .arr = json_array(), .limit = (size_t)limit};
	rc = calls_order_overdue(auth_req_db(r), within, mu_now_unix(), after, pg.limit + 1,
				 overdue_one, &pg);
	if (rc < 0) {
		json_decref(pg.arr);
		return rc;
	}
	resp->json =
	    json_pack("{s:o, s:o}", "overdue", pg.arr, "cursor",
		      pg.more ? json_string(mu_arena_sprintf(&r->arena, "%lld", (long long)pg.last))
			      : json_null());
	return 0;
}
