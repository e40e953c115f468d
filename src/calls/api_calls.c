/* api_calls.c: the HTTP face of calls for help — logging a call, its acknowledgement,
 * progress and closing, the board's lists, one call with its steps and the summary per
 * place — and the escalation sweep the server runs on its writer every few seconds. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "api.h"
#include "auth/api.h"
#include "calls.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/api.h"
#include "screening/screening.h"

#define PAGE 50 /* calls of a page when ?limit= is absent */

/* The server's keys (the callers' phones) and the sweep's thread. */
static struct people_keys keys;
static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct db_writer *writer;
	bool running, stop;
} sweeper = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static int sweep_fn(struct db *d, void *arg)
{
	return calls_sweep(d, mu_now_unix(), CALLS_SWEEP_MAX, NULL, arg);
}

/* Every CALLS__SWEEP_S seconds until fini: one sweep, committed by the writer like any
 * write (an escalation is durable before anyone reads it). */
static void *sweep_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sweeper.lock);
	while (!sweeper.stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CALLS__SWEEP_S;
		pthread_cond_timedwait(&sweeper.wake, &sweeper.lock, &until);
		if (sweeper.stop)
			break;
		pthread_mutex_unlock(&sweeper.lock);
		/* A chunk at a time, other writes in between, until none is left. */
		bool more = true;
		int rc = 0;
		while (more && rc == 0) {
			more = false;
			rc = db_writer_submit(sweeper.writer, sweep_fn, &more);
		}
		if (rc && rc != MU_ESTOPPED)
			mu_warn("calls: escalation sweep failed: %s", mu_err_msg(rc));
		pthread_mutex_lock(&sweeper.lock);
	}
	pthread_mutex_unlock(&sweeper.lock);
	return NULL;
}

int calls__calls_init(const char *db_path, struct db_writer *writer)
{
	int rc = people_keys_load(db_path, &keys);
	if (rc || !writer)
		return rc;
	sweeper.writer = writer;
	sweeper.stop = false;
	if (pthread_create(&sweeper.thread, NULL, sweep_main, NULL))
		return MU_EIO;
	sweeper.running = true;
	return 0;
}

void calls__calls_fini(void)
{
	if (sweeper.running) {
		pthread_mutex_lock(&sweeper.lock);
		sweeper.stop = true;
		pthread_cond_signal(&sweeper.wake);
		pthread_mutex_unlock(&sweeper.lock);
		pthread_join(sweeper.thread, NULL);
		sweeper.running = false;
	}
	sodium_memzero(&keys, sizeof keys);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static json_t *time_json(int64_t t)
{
	char buf[21];
	if (!t || t == INT64_MAX)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

static json_t *place_json(struct db *d, int64_t id)
{
	struct places_node n;
	if (!id || places_get(d, id, &n))
		return json_null();
	return json_pack("{s:s, s:s, s:s}", "code", n.code, "name", n.name, "level",
			 places_level_name(n.level));
}

/* The names on a call's path from the street down: what a card shows of its place. */
static json_t *place_names(struct db *d, int64_t id)
{
	int64_t path[PLACES_NLEVELS];
	int n = 0;
	json_t *arr = json_array();
	struct places_node node;
	if (places_path(d, id, path, &n))
		return arr;
	for (int i = PLACES_STREET; i < n; i++)
		if (places_get(d, path[i], &node) == 0)
			json_array_append_new(arr, json_string(node.name));
	return arr;
}

/* The path id of {id} in the path: 400 when malformed, 404 when no call has it. */
static int call_param(struct http_req *r, struct calls_call *c, bool phone)
{
	int64_t id;
	int rc;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], &id) || id <= 0)
		return http_fail(r, MU_EINVAL, "id", "a call id is a positive integer");
	rc = calls_call_get(auth_req_db(r), phone ? &keys : NULL, id, c);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no call has this id") : rc;
}

/* Who serves a call sees the caller's phone: a grid worker (the guard put the call's
 * place inside their grids) and the operator who logged it; everyone else sees it
 * masked. */
static bool serves(const struct http_req *r, const struct calls_call *c)
{
	const struct auth_principal *p = auth_who(r);
	return p && p->kind == AUTH_KIND_USER &&
	       (p->role == AUTH_GRID_WORKER || (p->id == c->user_id && p->role == AUTH_OPERATOR));
}

static json_t *call_json(struct http_req *r, const struct calls_call *c, int64_t now)
{
	struct db *d = auth_req_db(r);
	char masked[PEOPLE_PHONE_MAX + 1];
	const char *state = c->closed ? "closed" : c->overdue ? "overdue" : "open";
	json_t *o = json_pack(
	    "{s:I, s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:b, s:b, s:o, s:o, s:o, s:I}",
	    "id", (json_int_t)c->id, "place", place_json(d, c->place_id), "place_names",
	    place_names(d, c->place_id), "category", c->category, "priority", c->priority, "text",
	    c->text, "unit", place_json(d, c->unit_id), "level", place_json(d, c->level_id), "due",
	    time_json(c->due), "state", state, "overdue", c->overdue, "wartime", c->wartime,
	    "created_at", time_json(c->created_at), "acked_at", time_json(c->acked_at), "closed_at",
	    time_json(c->closed_at), "allowance_s", (json_int_t)c->allowance);
	json_object_set_new(o, "outcome", c->closed ? json_string(c->outcome) : json_null());
	json_object_set_new(o, "person", c->person_id ? json_integer(c->person_id) : json_null());
	json_object_set_new(o, "late_s",
			    !c->closed && !c->acked_at && now > c->first_due
				? json_integer(now - c->first_due)
				: json_integer(0));
	if (c->phone[0]) {
		people_phone_mask(c->phone, masked);
		json_object_set_new(o, "phone_masked", json_string(masked));
		if (serves(r, c))
			json_object_set_new(o, "phone", json_string(c->phone));
	}
	return o;
}

/* ---- place resolvers ------------------------------------------------------------------ */

/* POST /calls: the body's place. */
int calls__api_place_of_call_body(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	int64_t place;
	int rc = http_body_json(r, &body);
	if (rc || (rc = places_api_resolve_id(r, "place", http_json_str(body, "place"), &place)))
		return rc;
	return places_path(auth_req_db(r), place, ids, n);
}

/* /calls/{id}…: the call's place — a unit sees the calls of its own subtree. */
int calls__api_place_of_call(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct calls_call *c = mu_arena_alloc(&r->arena, sizeof *c);
	int rc = call_param(r, c, false);
	return rc ? rc : places_path(auth_req_db(r), c->place_id, ids, n);
}

/* ---- writes ------------------------------------------------------------------------------ */

struct log_job {
	struct calls_new in;
	struct calls_call *out;
	struct http_req *r;
	struct mu_why why;
	struct places_node unit; /* the call's unit, for the answer */
	bool have_unit;		 /* unit was read on the writer */
};

/* Logs the call and reads its unit for the answer on the writer: a request's connection
 * finds its page cache dropped by every commit in between (WAL), so the same row read
 * there after the commit came from the file, while the writer's cache still holds it. A
 * failed read of the unit is no reason to refuse the call: the request reads it then. */
static int log_fn(struct db *d, void *arg)
{
	struct log_job *j = arg;
	int rc = calls_call_log(d, &keys, &j->in, mu_now_unix(), j->out, &j->why);
	if (rc == 0) {
		j->r->record = mu_arena_sprintf(&j->r->arena, "call:%lld", (long long)j->out->id);
		j->have_unit = places_get(d, j->out->unit_id, &j->unit) == 0;
	}
	return rc;
}

/* The PERSON of a body: an id, an ID number or a personal code; 0 when absent. */
static int person_member(struct http_req *r, json_t *body, int64_t *person)
{
	const json_t *v = json_object_get(body, "person");
	int64_t hh;
	int rc;
	*person = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*person = json_integer_value(v);
		if (*person <= 0 || people_household_of(auth_req_db(r), *person, &hh))
			return http_fail(r, MU_ENOTFOUND, "person", "no person has this id");
		return 0;
	}
	if (!json_is_string(v) || !json_string_length(v))
		return http_fail(r, MU_EINVAL, "person",
				 "a person is an id, an ID number or a personal code");
	rc = people_resolve(auth_req_db(r), &keys, json_string_value(v), person, &hh);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, "person", "nobody has this ID or code") : rc;
}

/* POST /api/v1/calls */
int calls__api_post_call(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"place", "person", "category", "priority",
					      "text",  "phone",	 NULL};
	const struct auth_principal *p = auth_who(r);
	json_t *body;
	struct log_job j = {.r = r, .out = mu_arena_alloc(&r->arena, sizeof *j.out)};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_need_str(r, body, "category", &j.in.category)) ||
	    (rc = http_json_need_str(r, body, "priority", &j.in.priority)) ||
	    (rc = http_json_text(r, body, "text", CALLS_TEXT_MAX, &j.in.text)) ||
	    (rc =
		 places_api_resolve_id(r, "place", http_json_str(body, "place"), &j.in.place_id)) ||
	    (rc = person_member(r, body, &j.in.person_id)))
		return rc;
	const json_t *ph = json_object_get(body, "phone");
	if (ph && !json_is_null(ph) && !json_is_string(ph))
		return http_fail(r, MU_EINVAL, "phone", "a phone is a string");
	j.in.phone = ph && json_is_string(ph) ? json_string_value(ph) : "";
	j.in.user_id = p->kind == AUTH_KIND_USER ? p->id : 0;
	if (j.in.person_id)
		auth_record_person(r, j.in.person_id);
	if ((rc = auth_submit(r, log_fn, &j)))
		return j.why.field ? http_fail(r, rc, j.why.field, j.why.text) : rc;
	if (!j.have_unit && (rc = places_get(auth_req_db(r), j.out->unit_id, &j.unit)))
		return rc;
	resp->status = 201;
	resp->json = json_pack("{s:I, s:s, s:s, s:s, s:o, s:I}", "id", (json_int_t)j.out->id,
			       "unit", j.unit.code, "unit_name", j.unit.name, "unit_level",
			       places_level_name(j.unit.level), "due", time_json(j.out->due),
			       "allowance_s", (json_int_t)j.out->allowance);
	return 0;
}

struct step_job {
	int kind; /* 0 ack, 1 progress, 2 close */
	int64_t id, user;
	const char *note;
};

static int step_fn(struct db *d, void *arg)
{
	struct step_job *j = arg;
	int64_t now = mu_now_unix();
	if (j->kind == 0)
		return calls_call_ack(d, j->id, j->user, now);
	if (j->kind == 1)
		return calls_call_progress(d, j->id, j->user, j->note, now);
	return calls_close(d, j->id, j->note, j->user, now);
}

static int post_step(struct http_req *r, struct http_resp *resp, int kind)
{
	static const char *const none[] = {NULL};
	static const char *const note[] = {"note", NULL};
	static const char *const outcome[] = {"outcome", NULL};
	const struct auth_principal *p = auth_who(r);
	struct calls_call *c = mu_arena_alloc(&r->arena, sizeof *c);
	struct step_job j = {.kind = kind, .user = p->kind == AUTH_KIND_USER ? p->id : 0};
	json_t *body = NULL;
	int rc = call_param(r, c, false);
	if (rc)
		return rc;
	if (r->body_len && (rc = http_body_json(r, &body)))
		return rc;
	if (kind == 0 && body && (rc = http_json_only(r, body, none)))
		return rc;
	if (kind == 1 && ((rc = http_body_json(r, &body)) || (rc = http_json_only(r, body, note)) ||
			  (rc = http_json_text(r, body, "note", CALLS_TEXT_MAX, &j.note))))
		return rc;
	if (kind == 2 &&
	    ((rc = http_body_json(r, &body)) || (rc = http_json_only(r, body, outcome)) ||
	     (rc = http_json_text(r, body, "outcome", CALLS_TEXT_MAX, &j.note))))
		return rc;
	j.id = c->id;
	r->record = mu_arena_sprintf(&r->arena, "call:%lld", (long long)c->id);
	rc = auth_submit(r, step_fn, &j);
	if (rc == MU_EEXIST)
		return http_fail(r, rc, "id",
				 kind == 0 ? "the call is already acknowledged or closed"
					   : "the call is closed");
	if (rc == MU_EINVAL)
		return http_fail(r, rc, kind == 1 ? "note" : "outcome", "must be valid UTF-8 text");
	if (rc || (rc = calls_call_get(auth_req_db(r), &keys, c->id, c)))
		return rc;
	/* The write is committed; this request's snapshot may predate it: reread. */
	resp->json = json_pack("{s:o}", "call", call_json(r, c, mu_now_unix()));
	return 0;
}

int calls__api_post_ack(struct http_req *r, struct http_resp *resp)
{
	return post_step(r, resp, 0);
}

int calls__api_post_progress(struct http_req *r, struct http_resp *resp)
{
	return post_step(r, resp, 1);
}

int calls__api_post_close(struct http_req *r, struct http_resp *resp)
{
	return post_step(r, resp, 2);
}

/* ---- reads -------------------------------------------------------------------------------- */

struct steps {
	struct http_req *r;
	json_t *arr;
};

static int step_json(const struct calls_step *s, void *ctx)
{
	struct steps *st = ctx;
	json_t *o = json_pack("{s:s, s:o, s:o}", "kind", s->kind, "at", time_json(s->at), "place",
			      place_json(auth_req_db(st->r), s->place_id));
	json_object_set_new(o, "note", s->note ? json_string(s->note) : json_null());
	json_object_set_new(o, "user", s->user_id ? json_integer(s->user_id) : json_null());
	json_array_append_new(st->arr, o);
	return 0;
}

/* GET /api/v1/calls/{id}: the call with its steps. */
int calls__api_get_call(struct http_req *r, struct http_resp *resp)
{
	struct calls_call *c = mu_arena_alloc(&r->arena, sizeof *c);
	int rc = call_param(r, c, true);
	if (rc)
		return rc;
	struct steps st = {.r = r, .arr = json_array()};
	if ((rc = calls_step_list(auth_req_db(r), c->id, step_json, &st))) {
		json_decref(st.arr);
		return rc;
	}
	if (c->person_id)
		auth_record_person(r, c->person_id);
	else
		r->record = mu_arena_sprintf(&r->arena, "call:%lld", (long long)c->id);
	json_t *o = call_json(r, c, mu_now_unix());
	sodium_memzero(c->phone, sizeof c->phone);
	json_object_set_new(o, "steps", st.arr);
	resp->json = json_pack("{s:o}", "call", o);
	return 0;
}

struct page {
	struct http_req *r;
	json_t *arr;
	int limit, got;
	int64_t last, now;
	bool more;
	struct auth_people_record rec;
};

static int page_one(const struct calls_call *c, void *ctx)
{
	struct page *pg = ctx;
	struct calls_call *full;
	int rc;
	if (pg->got == pg->limit) {
		pg->more = true;
		return 1;
	}
	/* The list's row has the phone sealed: open it for this card only. */
	full = mu_xmalloc(sizeof *full);
	rc = calls_call_get(auth_req_db(pg->r), &keys, c->id, full);
	if (rc == 0) {
		json_array_append_new(pg->arr, call_json(pg->r, full, pg->now));
		if (full->person_id)
			auth_people_record_add(&pg->rec, full->person_id);
		pg->got++;
		pg->last = c->id;
	}
	sodium_memzero(full, sizeof *full);
	free(full);
	return rc;
}

/* GET /api/v1/calls?place=CODE&state=open|overdue|closed&cursor=ID&limit=N */
int calls__api_get_calls(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	const char *st = http_query(r, "state");
	int state = CALLS_STATE_OPEN, limit, rc;
	int64_t before;
	if ((rc = places_api_query(r, &node)) ||
	    (rc = http_query_limit(r, PAGE, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &before)))
		return rc;
	if (st && *st && calls_state_parse(st, &state))
		return http_fail(r, MU_EINVAL, "state", "state is open, overdue or closed");
	struct page pg = {.r = r, .arr = json_array(), .limit = limit, .now = mu_now_unix()};
	auth_people_record_init(&pg.rec);
	rc = calls_call_list(auth_req_db(r), node.id, state, before, page_one, &pg);
	auth_people_record_fini(&pg.rec, r);
	if (rc < 0) {
		json_decref(pg.arr);
		return rc;
	}
	if (!r->record)
		r->record = mu_arena_sprintf(&r->arena, "calls:%s", node.code);
	resp->json =
	    json_pack("{s:o, s:o}", "calls", pg.arr, "cursor",
		      pg.more ? json_string(mu_arena_sprintf(&r->arena, "%lld", (long long)pg.last))
			      : json_null());
	return 0;
}

static json_t *summary_json(const struct places_node *n, const struct calls_summary *s)
{
	json_t *cats = json_object();
	for (int i = 0; i < CALLS_NCATEGORIES; i++)
		json_object_set_new(cats, calls_category_name(i),
				    json_pack("{s:I, s:I}", "open", (json_int_t)s->cat_open[i],
					      "overdue", (json_int_t)s->cat_overdue[i]));
	return json_pack(
	    "{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:o}", "place", n->code, "name", n->name,
	    "level", places_level_name(n->level), "open", (json_int_t)s->open, "overdue",
	    (json_int_t)s->overdue, "closed_today", (json_int_t)s->closed_today, "median_ack_s",
	    s->median_ack_s < 0 ? json_null() : json_integer(s->median_ack_s), "median_close_s",
	    s->median_close_s < 0 ? json_null() : json_integer(s->median_close_s), "by_category",
	    cats);
}

struct kids {
	struct db *d;
	json_t *arr;
	int64_t now;
	/* Children below the grid: gathered, then counted in one scan of the grid's calls. */
	struct places_node *v;
	int64_t *ids;
	size_t n, cap;
};

static int kid_summary(const struct places_node *n, void *ctx)
{
	struct kids *k = ctx;
	struct calls_summary s;
	int rc = calls_summary_get(k->d, n->id, k->now, &s);
	if (rc == 0)
		json_array_append_new(k->arr, summary_json(n, &s));
	return rc;
}

static int kid_gather(const struct places_node *n, void *ctx)
{
	struct kids *k = ctx;
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 32;
		k->v = mu_xrealloc(k->v, k->cap * sizeof *k->v);
		k->ids = mu_xrealloc(k->ids, k->cap * sizeof *k->ids);
	}
	k->v[k->n] = *n;
	k->ids[k->n++] = n->id;
	return 0;
}

/* The children of a grid or of a place below it, in places_children's order. */
static int kids_below(struct kids *k, const struct places_node *node, int64_t grid)
{
	int rc = places_children(k->d, node->id, kid_gather, k);
	struct calls_summary *s = mu_xcalloc(k->n ? k->n : 1, sizeof *s);
	if (rc == 0 && k->n)
		rc = calls_summary_below(k->d, grid, node->level + 1, k->ids, k->n, k->now, s);
	for (size_t i = 0; rc == 0 && i < k->n; i++)
		json_array_append_new(k->arr, summary_json(&k->v[i], &s[i]));
	free(s);
	free(k->v);
	free(k->ids);
	return rc;
}

/* GET /api/v1/calls/summary?place=CODE */
int calls__api_get_summary(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct calls_summary s;
	struct kids k = {.d = auth_req_db(r), .now = mu_now_unix()};
	int64_t path[PLACES_NLEVELS];
	int n = 0, rc;
	if ((rc = places_api_query(r, &node)) || (rc = calls_summary_get(k.d, node.id, k.now, &s)))
		return rc;
	k.arr = json_array();
	if (node.level >= PLACES_GRID && node.level < PLACES_HOUSEHOLD) {
		if ((rc = places_path(k.d, node.id, path, &n)) == 0)
			rc = kids_below(&k, &node, path[PLACES_GRID]);
	} else if (node.level < PLACES_GRID) {
		rc = places_children(k.d, node.id, kid_summary, &k);
	}
	if (rc) {
		json_decref(k.arr);
		return rc;
	}
	json_t *o = summary_json(&node, &s);
	json_object_set_new(o, "children", k.arr);
	resp->json = o;
	return 0;
}
