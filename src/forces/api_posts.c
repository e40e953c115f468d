/* api_posts.c: the HTTP face of posts and supplies — the posts of a place with their
 * stock and duty mode, stock received, moved and handed out (against a call, closing
 * it "delivered"), the ledger and the low-stock alerts — and of the wartime switch with
 * its board. Logic is in posts.c, supplies.c and wartime.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "auth/api.h"
#include "auth/auth.h"
#include "calls/calls.h"
#include "core/core.h"
#include "db/db.h"
#include "forces.h"
#include "places/api.h"
#include "places/places.h"
#include "screening/screening.h"

/* ---- helpers ------------------------------------------------------------------------ */

static json_t *time_json(int64_t t)
{
	char buf[21];
	if (!t)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

/* An optional RFC 3339 member into unix seconds; def when absent or null. */
static int time_member(struct http_req *r, const json_t *o, const char *k, int64_t def,
		       int64_t *out)
{
	const json_t *v = json_object_get(o, k);
	*out = def;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || screening_time_parse(json_string_value(v), out))
		return http_fail(r, MU_EINVAL, k, "must be an RFC 3339 time");
	return 0;
}

/* An optional RFC 3339 query parameter; 0 when absent. */
static int time_query(struct http_req *r, const char *k, int64_t *out)
{
	const char *v = http_query(r, k);
	*out = 0;
	if (!v || !*v)
		return 0;
	if (screening_time_parse(v, out))
		return http_fail(r, MU_EINVAL, k, "must be an RFC 3339 time");
	return 0;
}

static int item_member(struct http_req *r, const json_t *o, int *item)
{
	const char *s;
	int rc = http_json_need_str(r, o, "item", &s);
	if (rc)
		return rc;
	if (forces_item_parse(s, item))
		return http_fail(r, MU_EINVAL, "item",
				 "an item is masks, test_kits, food_packs, medicine or ppe");
	return 0;
}

/* The post at the place of code named by field: 404 when the place has none. */
static int post_at(struct http_req *r, const char *field, const char *code,
		   struct places_node *node, struct forces_post *p)
{
	int rc = places_api_resolve(r, field, code, node);
	if (rc)
		return rc;
	rc = forces_post_get(auth_req_db(r), node->id, p);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, field, "no post at this place") : rc;
}

static int64_t user_of(const struct http_req *r)
{
	const struct auth_principal *p = auth_who(r);
	return p && p->kind == AUTH_KIND_USER ? p->id : 0;
}

/* The answer's name of a place: its code and name (empty when unknown). */
static void place_names(struct db *d, int64_t id, json_t *o, const char *code_key,
			const char *name_key)
{
	struct places_node n;
	bool ok = id && places_get(d, id, &n) == 0;
	json_object_set_new(o, code_key, ok ? json_string(n.code) : json_null());
	json_object_set_new(o, name_key, ok ? json_string(n.name) : json_null());
}

/* ---- place resolvers ------------------------------------------------------------------- */

int forces__api_place_of_query(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	return places_api_of_query(r, ids, n);
}

/* POST /posts/{code}/supplies: the post's place. */
int forces__api_place_of_code(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct places_node node;
	int rc = places_api_resolve(r, "code", r->nparams ? r->params[0] : NULL, &node);
	return rc ? rc : places_path(auth_req_db(r), node.id, ids, n);
}

/* POST /supplies/move: the lowest place holding both posts — whoever moves stock holds
 * both ends of the move. */
int forces__api_place_of_move(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	struct places_node a, b;
	int64_t pa[PLACES_NLEVELS], pb[PLACES_NLEVELS];
	int na = 0, nb = 0, k = 0;
	int rc = http_body_json(r, &body);
	if (rc || (rc = places_api_resolve(r, "from", http_json_str(body, "from"), &a)) ||
	    (rc = places_api_resolve(r, "to", http_json_str(body, "to"), &b)) ||
	    (rc = places_path(auth_req_db(r), a.id, pa, &na)) ||
	    (rc = places_path(auth_req_db(r), b.id, pb, &nb)))
		return rc;
	while (k < na && k < nb && pa[k] == pb[k]) {
		ids[k] = pa[k];
		k++;
	}
	*n = k;
	return 0;
}

/* The call a hand-out names (c->id 0 when none); 404 on "call" when there is no such
 * call. The phone is not opened: a hand-out never shows it. */
static int handout_call(struct http_req *r, const json_t *body, struct calls_call *c)
{
	int64_t id;
	int rc = http_json_int(r, body, "call", 1, INT64_MAX, 0, &id);
	memset(c, 0, sizeof *c);
	if (rc || !id)
		return rc;
	rc = calls_call_get(auth_req_db(r), NULL, id, c);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, "call", "no call has this id") : rc;
}

/* POST /supplies/handout: the call's place when it names one (a grid worker hands out
 * against the calls of their grids; the handler holds everyone else to the post too),
 * else — no call, or none with that id, which the handler refuses on "call" to whoever
 * holds the post — the post's. */
int forces__api_place_of_handout(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	struct places_node node;
	struct calls_call *c = mu_arena_alloc(&r->arena, sizeof *c);
	const json_t *call;
	int rc = http_body_json(r, &body);
	if (rc)
		return rc;
	call = json_object_get(body, "call");
	if (json_is_integer(call) && json_integer_value(call) > 0) {
		rc = calls_call_get(auth_req_db(r), NULL, json_integer_value(call), c);
		if (rc == 0)
			return places_path(auth_req_db(r), c->place_id, ids, n);
		if (rc != MU_ENOTFOUND)
			return rc;
	}
	if ((rc = places_api_resolve(r, "post", http_json_str(body, "post"), &node)))
		return rc;
	return places_path(auth_req_db(r), node.id, ids, n);
}

/* ---- posts ----------------------------------------------------------------------------- */

static json_t *functions_json(const char *list)
{
	json_t *a = json_array();
	const char *s = list;
	while (*s) {
		size_t k = strcspn(s, ",");
		json_array_append_new(a, json_stringn(s, k));
		s += k + (s[k] == ',');
	}
	return a;
}

static json_t *stock_json(const struct forces_post *p, json_t **low)
{
	json_t *o = json_object();
	*low = json_array();
	for (int i = 0; i < FORCES_NITEMS; i++) {
		bool is_low = p->qty[i] < p->low_mark[i];
		json_object_set_new(o, forces_item_name(i),
				    json_pack("{s:I, s:I, s:b}", "qty", (json_int_t)p->qty[i],
					      "low_mark", (json_int_t)p->low_mark[i], "low",
					      is_low));
		if (is_low)
			json_array_append_new(*low, json_string(forces_item_name(i)));
	}
	return o;
}

/* A post as the API answers it, with its duty mode at now. */
static int post_json(struct db *d, const struct forces_post *p, int64_t now, json_t **out)
{
	struct places_node n;
	bool war = false;
	json_t *low;
	int rc = places_get(d, p->place_id, &n);
	if (rc || (rc = forces_post_wartime(d, p, now, &war)))
		return rc;
	json_t *stock = stock_json(p, &low);
	*out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o}", "id",
			 (json_int_t)p->id, "code", n.code, "name", n.name, "level",
			 places_level_name(p->level), "kind",
			 p->level == PLACES_STREET ? "centre" : "station", "functions",
			 functions_json(p->functions), "hours", p->hours, "hours_now",
			 war ? FORCES_HOURS_WARTIME : p->hours, "duty", war ? "wartime" : "normal",
			 "stock", stock, "low", low);
	return 0;
}

struct post_list {
	struct db *d;
	int64_t now;
	bool alerts_only;
	json_t *arr;
};

static int list_one(const struct forces_post *p, void *ctx)
{
	struct post_list *l = ctx;
	json_t *o;
	int rc;
	if (l->alerts_only) {
		bool any = false;
		for (int i = 0; i < FORCES_NITEMS; i++)
			any = any || p->qty[i] < p->low_mark[i];
		if (!any)
			return 0;
	}
	if ((rc = post_json(l->d, p, l->now, &o)))
		return rc;
	json_array_append_new(l->arr, o);
	return 0;
}

/* GET /api/v1/posts?place=CODE */
int forces__api_get_posts(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct post_list l = {.d = auth_req_db(r), .now = mu_now_unix()};
	int rc = places_api_query(r, &node);
	if (rc)
		return rc;
	l.arr = json_array();
	return http_resp_list(resp, "posts", l.arr, forces_post_list(l.d, node.id, list_one, &l));
}

/* GET /api/v1/supplies/alerts?place=CODE: each post under the place with an item below
 * its low mark, and one row per such item. */
int forces__api_get_alerts(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct post_list l = {.d = auth_req_db(r), .now = mu_now_unix(), .alerts_only = true};
	int rc = places_api_query(r, &node);
	if (rc)
		return rc;
	l.arr = json_array();
	if ((rc = forces_post_list(l.d, node.id, list_one, &l))) {
		json_decref(l.arr);
		return rc;
	}
	json_t *alerts = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(l.arr, i, p)
	{
		json_t *low = json_object_get(p, "low"), *it;
		size_t j;
		json_array_foreach(low, j, it)
		{
			json_t *s =
			    json_object_get(json_object_get(p, "stock"), json_string_value(it));
			json_array_append_new(
			    alerts, json_pack("{s:O, s:O, s:O, s:O, s:O}", "post",
					      json_object_get(p, "code"), "name",
					      json_object_get(p, "name"), "item", it, "qty",
					      json_object_get(s, "qty"), "low_mark",
					      json_object_get(s, "low_mark")));
		}
	}
	json_decref(l.arr);
	return http_resp_list(resp, "alerts", alerts, 0);
}

/* ---- supplies --------------------------------------------------------------------------- */

/* What a write of stock carries to the writer and back. */
struct supply_job {
	struct http_req *r;
	int kind; /* FORCES_MOVE_* */
	int64_t post, to, qty, low_mark, call;
	int item;
	struct forces_supply_op op;
	int64_t available, move_id;
	bool call_closed; /* a hand-out against a call closed it "delivered" */
	struct mu_why why;
};

static int supply_fn(struct db *d, void *arg)
{
	struct supply_job *j = arg;
	int rc;
	switch (j->kind) {
	case FORCES_MOVE_RECEIVE:
		rc = forces_supply_receive(d, j->post, j->item, j->qty, j->low_mark, &j->op,
					   &j->move_id, &j->why);
		break;
	case FORCES_MOVE_MOVE:
		rc = forces_supply_move(d, j->post, j->to, j->item, j->qty, &j->op, &j->available,
					&j->move_id, &j->why);
		break;
	default:
		rc = forces_supply_handout(d, j->post, j->item, j->qty, j->call, &j->op,
					   &j->available, &j->move_id, &j->why);
		/* in the same write: the stock leaves and the call closes, or neither */
		if (rc == 0 && j->call) {
			rc = calls_close(d, j->call, "delivered", j->op.user_id, j->op.at);
			if (rc == MU_EEXIST)
				mu_why_set(&j->why, rc, "call", "the call is already closed");
			j->call_closed = rc == 0;
		}
		break;
	}
	if (rc == 0)
		j->r->record =
		    mu_arena_sprintf(&j->r->arena, "supply_move:%lld", (long long)j->move_id);
	return rc;
}

/* Submits the job; a refusal answers with the logic's field and reason. */
static int supply_submit(struct http_req *r, struct supply_job *j)
{
	int rc = auth_submit(r, supply_fn, j);
	if (rc && j->why.text[0])
		return http_fail(r, rc, j->why.field,
				 mu_arena_strndup(&r->arena, j->why.text, strlen(j->why.text)));
	return rc;
}

static json_t *post_stock_json(struct http_req *r, int64_t post_id)
{
	struct forces_post p;
	json_t *o = NULL;
	if (forces_post_by_id(auth_req_db(r), post_id, &p) ||
	    post_json(auth_req_db(r), &p, mu_now_unix(), &o))
		return json_null();
	return o;
}

/* POST /api/v1/posts/{code}/supplies {"item","qty","low_mark"} */
int forces__api_post_supplies(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"item", "qty", "low_mark", NULL};
	json_t *body;
	struct places_node node;
	struct forces_post p;
	struct supply_job j = {.r = r, .kind = FORCES_MOVE_RECEIVE, .low_mark = -1};
	const json_t *low;
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) || (rc = item_member(r, body, &j.item)) ||
	    (rc = http_json_int(r, body, "qty", 1, FORCES_QTY_MAX, -1, &j.qty)))
		return rc;
	/* low_mark is optional: absent or null keeps the post's mark of the item */
	low = json_object_get(body, "low_mark");
	if (low && !json_is_null(low) &&
	    (rc = http_json_int(r, body, "low_mark", 0, FORCES_QTY_MAX, 0, &j.low_mark)))
		return rc;
	if ((rc = post_at(r, "code", r->params[0], &node, &p)))
		return rc;
	j.post = p.id;
	j.op = (struct forces_supply_op){.at = mu_now_unix(), .user_id = user_of(r)};
	if ((rc = supply_submit(r, &j)))
		return rc;
	resp->status = 201;
	resp->json = json_pack("{s:I, s:o}", "move", (json_int_t)j.move_id, "post",
			       post_stock_json(r, p.id));
	return 0;
}

/* POST /api/v1/supplies/move {"from","to","item","qty"} */
int forces__api_post_move(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"from", "to", "item", "qty", NULL};
	json_t *body;
	struct places_node a, b;
	struct forces_post pa, pb;
	struct supply_job j = {.r = r, .kind = FORCES_MOVE_MOVE};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) || (rc = item_member(r, body, &j.item)) ||
	    (rc = http_json_int(r, body, "qty", 1, FORCES_QTY_MAX, -1, &j.qty)) ||
	    (rc = post_at(r, "from", http_json_str(body, "from"), &a, &pa)) ||
	    (rc = post_at(r, "to", http_json_str(body, "to"), &b, &pb)))
		return rc;
	j.post = pa.id;
	j.to = pb.id;
	j.op = (struct forces_supply_op){.at = mu_now_unix(), .user_id = user_of(r)};
	if ((rc = supply_submit(r, &j)))
		return rc;
	resp->status = 201;
	resp->json = json_pack("{s:I, s:o, s:o}", "move", (json_int_t)j.move_id, "from",
			       post_stock_json(r, pa.id), "to", post_stock_json(r, pb.id));
	return 0;
}

/* POST /api/v1/supplies/handout {"post","item","qty","call"}: with a call, the post
 * must serve it (lie on its path: its community's station or its street's centre), the
 * call must be open, and the hand-out closes it "delivered". */
int forces__api_post_handout(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"post", "item", "qty", "call", NULL};
	json_t *body;
	struct places_node node;
	struct forces_post p;
	struct supply_job j = {.r = r, .kind = FORCES_MOVE_HANDOUT};
	struct calls_call *c = mu_arena_alloc(&r->arena, sizeof *c);
	int64_t path[PLACES_NLEVELS];
	int n = 0;
	bool serves = false;
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) || (rc = item_member(r, body, &j.item)) ||
	    (rc = http_json_int(r, body, "qty", 1, FORCES_QTY_MAX, -1, &j.qty)) ||
	    (rc = handout_call(r, body, c)) ||
	    (rc = post_at(r, "post", http_json_str(body, "post"), &node, &p)))
		return rc;
	if (c->id) {
		if ((rc = places_path(auth_req_db(r), c->place_id, path, &n)))
			return rc;
		for (int i = 0; i < n; i++)
			serves = serves || path[i] == p.place_id;
		if (!serves)
			return http_fail(r, MU_EINVAL, "post",
					 "this post does not serve the call's place");
		/* The guard checked the call's place; only a grid worker hands out at a post
		 * above their jurisdiction, and only against the calls of their grids. */
		if (auth_who(r)->role != AUTH_GRID_WORKER &&
		    ((rc = places_path(auth_req_db(r), p.place_id, path, &n)) ||
		     !auth_within(auth_who(r), path, n)))
			return rc ? rc : auth_refuse(r);
		if (c->closed)
			return http_fail(r, MU_EEXIST, "call", "the call is already closed");
	}
	j.post = p.id;
	j.call = c->id;
	j.op = (struct forces_supply_op){.at = mu_now_unix(), .user_id = user_of(r)};
	if ((rc = supply_submit(r, &j)))
		return rc;
	resp->status = 201;
	resp->json = json_pack("{s:I, s:o, s:o, s:b}", "move", (json_int_t)j.move_id, "post",
			       post_stock_json(r, p.id), "call",
			       c->id ? json_integer(c->id) : json_null(), "closed", j.call_closed);
	return 0;
}

struct ledger_list {
	struct db *d;
	json_t *arr;
	int64_t last;
};

static int ledger_one(const struct forces_supply_move *m, void *ctx)
{
	struct ledger_list *l = ctx;
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:I, s:o, s:o}", "id", (json_int_t)m->id, "kind",
	    forces_move_kind_name(m->kind), "item", m->item >= 0 ? forces_item_name(m->item) : "",
	    "qty", (json_int_t)m->qty, "call", m->call_id ? json_integer(m->call_id) : json_null(),
	    "at", time_json(m->at));
	place_names(l->d, m->from_place, o, "from", "from_name");
	place_names(l->d, m->to_place, o, "to", "to_name");
	json_array_append_new(l->arr, o);
	l->last = m->id;
	return 0;
}

/* GET /api/v1/supplies/ledger?place=&item=&from=&to=&cursor=&limit= */
int forces__api_get_supply_ledger(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct forces_ledger_query q = {.item = -1};
	struct ledger_list l = {.d = auth_req_db(r)};
	const char *item = http_query(r, "item");
	int limit, rc = places_api_query(r, &node);
	if (rc || (rc = http_query_limit(r, 100, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &q.before)) || (rc = time_query(r, "from", &q.from)) ||
	    (rc = time_query(r, "to", &q.to)))
		return rc;
	if (item && *item && forces_item_parse(item, &q.item))
		return http_fail(r, MU_EINVAL, "item",
				 "an item is masks, test_kits, food_packs, medicine or ppe");
	q.place_id = node.id;
	q.limit = limit;
	l.arr = json_array();
	if ((rc = forces_ledger_list(l.d, &q, ledger_one, &l))) {
		json_decref(l.arr);
		return rc;
	}
	bool more = json_array_size(l.arr) == (size_t)limit;
	resp->json = json_pack("{s:o, s:o}", "moves", l.arr, "cursor",
			       more ? json_sprintf("%lld", (long long)l.last) : json_null());
	return 0;
}

/* ---- the wartime switch -------------------------------------------------------------- */

struct wartime_job {
	struct http_req *r;
	struct forces_wartime_change c;
	struct forces_wartime_teams teams;
	struct mu_why why;
};

static int wartime_fn(struct db *d, void *arg)
{
	struct wartime_job *j = arg;
	int rc = forces_wartime_switch(d, &j->c, &j->teams, &j->why);
	if (rc == 0)
		j->r->record = mu_arena_sprintf(&j->r->arena, "wartime_switch:%lld",
						(long long)j->teams.switch_id);
	return rc;
}

/* POST /api/v1/wartime {"place","on","at","reason"} */
int forces__api_post_wartime(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"place", "on", "at", "reason", NULL};
	json_t *body;
	const json_t *on;
	struct places_node node;
	struct wartime_job j = {.r = r};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = places_api_resolve(r, "place", http_json_str(body, "place"), &node)) ||
	    (rc = time_member(r, body, "at", mu_now_unix(), &j.c.at)) ||
	    (rc = http_json_text(r, body, "reason", CALLS_REASON_MAX * 4, &j.c.reason)))
		return rc;
	if (!json_is_boolean((on = json_object_get(body, "on"))))
		return http_fail(r, MU_EINVAL, "on", "must be true or false");
	j.c.place_id = node.id;
	j.c.on = json_is_true(on);
	j.c.user_id = user_of(r);
	if ((rc = auth_submit(r, wartime_fn, &j)))
		return j.why.text[0]
			   ? http_fail(r, rc, j.why.field,
				       mu_arena_strndup(&r->arena, j.why.text, strlen(j.why.text)))
			   : rc;
	resp->status = 201;
	resp->json =
	    json_pack("{s:I, s:s, s:s, s:b, s:o, s:s, s:{s:I, s:I, s:I, s:I, s:I}}", "id",
		      (json_int_t)j.teams.switch_id, "place", node.code, "name", node.name, "on",
		      j.c.on, "at", time_json(j.c.at), "reason", j.c.reason, "teams", "streets",
		      (json_int_t)j.teams.streets, "created", (json_int_t)j.teams.created,
		      "activated", (json_int_t)j.teams.activated, "stood_down",
		      (json_int_t)j.teams.stood_down, "active", (json_int_t)j.teams.active);
	return 0;
}

/* The switches of a place's path, gathered to be sorted. */
struct history {
	struct calls_wartime_switch *v;
	size_t n, cap;
};

static int history_one(const struct calls_wartime_switch *s, void *ctx)
{
	struct history *h = ctx;
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 8;
		h->v = mu_xrealloc(h->v, h->cap * sizeof *h->v);
	}
	h->v[h->n++] = *s;
	return 0;
}

/* Newest first, by time then id. */
static int history_cmp(const void *a, const void *b)
{
	const struct calls_wartime_switch *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? 1 : -1;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* GET /api/v1/wartime?place=CODE: the place's mode, the switch that decides it (the
 * newest on the place or above it at or before now), every switch on the place and
 * above it (newest first), and the wartime board. */
int forces__api_get_wartime(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct forces_wartime_board b;
	struct db *d = auth_req_db(r);
	int64_t path[PLACES_NLEVELS], since = 0, now = mu_now_unix();
	int n = 0;
	bool on = false;
	struct history h = {0};
	int rc = places_api_query(r, &node);
	if (rc || (rc = calls_wartime_of(d, node.id, now, &on, &since)) ||
	    (rc = places_path(d, node.id, path, &n)) ||
	    (rc = forces_wartime_board(d, node.id, now, &b)))
		return rc;
	for (int i = 0; i < n && rc == 0; i++)
		rc = calls_wartime_history(d, path[i], history_one, &h);
	if (rc) {
		free(h.v);
		return rc;
	}
	if (h.n)
		qsort(h.v, h.n, sizeof *h.v, history_cmp);
	json_t *arr = json_array(), *reason = json_null();
	for (size_t i = 0; i < h.n; i++) {
		const struct calls_wartime_switch *s = &h.v[i];
		json_t *o = json_pack("{s:I, s:b, s:o, s:s, s:o}", "id", (json_int_t)s->id, "on",
				      s->on, "at", time_json(s->at), "reason", s->reason, "user",
				      s->user_id ? json_integer(s->user_id) : json_null());
		place_names(d, s->place_id, o, "place", "name");
		json_array_append_new(arr, o);
		if (json_is_null(reason) && since && s->at <= now)
			reason = json_string(s->reason);
	}
	free(h.v);
	resp->json = json_pack(
	    "{s:s, s:s, s:b, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "place", node.code,
	    "name", node.name, "on", on, "since", time_json(since), "reason", reason, "history",
	    arr, "board", "calls_open", (json_int_t)b.calls_open, "calls_overdue",
	    (json_int_t)b.calls_overdue, "orders_unacknowledged",
	    (json_int_t)b.orders_unacknowledged, "teams_deployed", (json_int_t)b.teams_deployed,
	    "person_times_today", (json_int_t)b.person_times_today);
	return 0;
}
