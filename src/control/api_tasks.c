/* api_tasks.c: the HTTP face of three-person groups and their day — the groups of a
 * place, the staffing need per child, a grid's tasks of a day (names masked, audited
 * per person), marking a task done, the missed tasks that climbed to a community or a
 * street — and the writer's sweep that records those climbs every 60 s. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "api.h"
#include "auth/api.h"
#include "auth/auth.h"
#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/api.h"
#include "places/places.h"
#include "screening/api.h"
#include "screening/screening.h"

#define TASKS_PAGE    100 /* tasks of a page when ?limit= is absent */
#define SWEEP_EVERY_S 60  /* the sweep's period */
#define SWEEP_IDLE    4	  /* seconds idle per second swept, at least */

/* ---- state: the keys (masked names) and the sweep's thread ------------------------------ */

static struct people_keys keys;
static pthread_t sweeper;
static bool sweeping;
static pthread_mutex_t sweep_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sweep_cv = PTHREAD_COND_INITIALIZER;
static bool sweep_stop;

struct sweep {
	struct control_task_list missed;
	int64_t now;
};

static int record_job(struct db *d, void *arg)
{
	struct sweep *sw = arg;
	return control_tasks_sweep_record(d, &sw->missed, sw->now, NULL);
}

/* One sweep: the missed tasks derived on this thread's reader (a whole city's grids take
 * seconds: the writer must not wait for that), their marks and climbs recorded on the
 * writer. */
static void sweep_once(struct db_writer *w)
{
	static int64_t swept_at; /* when the last complete sweep began (this thread's) */
	struct db *d;
	struct sweep sw = {.now = mu_now_unix()};
	int rc = db_reader(control__api_db_path(), &d);
	control_task_list_init(&sw.missed);
	if (rc == 0 && !swept_at)
		rc = db_read_mapped(d); /* once: the thread keeps its reader */
	if (rc == 0 && (rc = db_read_begin(d)) == 0) {
		rc = control_tasks_sweep_collect(d, screening_api_cov(), sw.now, swept_at,
						 &sw.missed);
		db_read_end(d);
	}
	if (rc == 0 && sw.missed.n)
		rc = db_writer_submit(w, record_job, &sw);
	if (rc == 0 && !swept_at)
		mu_info("control: first tasks sweep: %zu missed tasks in %.1f s", sw.missed.n,
			(double)(mu_now_unix() - sw.now));
	if (rc == 0)
		swept_at = sw.now;
	else if (rc != MU_ESTOPPED)
		mu_warn("control: the tasks sweep failed: %s", mu_err_msg(rc));
	control_task_list_fini(&sw.missed);
}

/* Sweeps at start and then every SWEEP_EVERY_S until told to stop — or, when a sweep
 * took longer than a fifth of that (a whole city's grids), SWEEP_IDLE times its length
 * after it, so that the sweep never holds more than a fifth of a core. */
static void *sweep_main(void *arg)
{
	struct db_writer *w = arg;
	pthread_mutex_lock(&sweep_mu);
	while (!sweep_stop) {
		pthread_mutex_unlock(&sweep_mu);
		double t0 = mu_now_mono();
		sweep_once(w);
		double took = mu_now_mono() - t0;
		pthread_mutex_lock(&sweep_mu);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec +=
		    took * SWEEP_IDLE > SWEEP_EVERY_S ? (time_t)(took * SWEEP_IDLE) : SWEEP_EVERY_S;
		while (!sweep_stop &&
		       pthread_cond_timedwait(&sweep_cv, &sweep_mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sweep_mu);
	db_reader_close();
	return NULL;
}

int control__api_tasks_init(const char *db_path, struct db_writer *writer)
{
	int rc = people_keys_load(db_path, &keys);
	if (rc || !writer)
		return rc;
	sweep_stop = false;
	if (pthread_create(&sweeper, NULL, sweep_main, writer))
		return MU_EIO;
	sweeping = true;
	return 0;
}

void control__api_tasks_fini(void)
{
	if (sweeping) {
		pthread_mutex_lock(&sweep_mu);
		sweep_stop = true;
		pthread_cond_signal(&sweep_cv);
		pthread_mutex_unlock(&sweep_mu);
		pthread_join(sweeper, NULL);
		sweeping = false;
	}
	sodium_memzero(&keys, sizeof keys);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static json_t *time_json(int64_t t)
{
	char buf[21];
	if (!t)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

/* A place's code as JSON (null when it has none). */
static json_t *code_json(struct db *d, int64_t id)
{
	char code[PLACES_CODE_MAX + 1];
	return places_code_get(d, id, code, sizeof code) ? json_null() : json_string(code);
}

/* A task's place code: the one it was named with, else read. */
static json_t *code_of(struct db *d, const char *code, int64_t id)
{
	return code[0] ? json_string(code) : code_json(d, id);
}

/* The user ids and names of every user, for naming members. */
struct users {
	int64_t *id;
	char (*name)[AUTH_NAME_MAX + 1];
	size_t n, cap;
};

static int user_one(const struct auth_user *u, void *ctx)
{
	struct users *x = ctx;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		x->id = mu_xrealloc(x->id, x->cap * sizeof *x->id);
		x->name = mu_xrealloc(x->name, x->cap * sizeof *x->name);
	}
	x->id[x->n] = u->id;
	snprintf(x->name[x->n], sizeof x->name[x->n], "%s", u->username);
	x->n++;
	return 0;
}

static const char *user_name(const struct users *x, int64_t id)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->id[i] == id)
			return x->name[i];
	return NULL;
}

/* ---- GET /api/v1/groups ----------------------------------------------------------------- */

struct group_list {
	struct db *d;
	struct users users;
	json_t *arr;
};

static int group_json(const struct control_group *g, void *ctx)
{
	struct group_list *l = ctx;
	json_t *grids = json_array(), *members = json_object();
	for (size_t i = 0; i < g->ngrids; i++) {
		struct places_node n;
		int rc = places_get(l->d, g->grid[i], &n);
		if (rc) {
			json_decref(grids);
			json_decref(members);
			return rc;
		}
		json_array_append_new(grids,
				      json_pack("{s:s, s:s}", "code", n.code, "name", n.name));
	}
	for (int k = 0; k < CONTROL_NDUTIES; k++) {
		const char *u = g->member[k] ? user_name(&l->users, g->member[k]) : NULL;
		json_object_set_new(members, control_duty_name(k),
				    u ? json_string(u) : json_null());
	}
	json_array_append_new(l->arr,
			      json_pack("{s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)g->id,
					"name", g->name, "created_at", time_json(g->created_at),
					"grids", grids, "members", members));
	return 0;
}

int control__api_get_groups(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct group_list l = {.d = auth_req_db(r)};
	int rc = places_api_query(r, &node);
	if (rc || (rc = auth_user_list(l.d, user_one, &l.users)))
		goto out;
	l.arr = json_array();
	rc = control_group_list(l.d, node.id, group_json, &l);
	rc = http_resp_list(resp, "groups", l.arr, rc);
out:
	free(l.users.id);
	free(l.users.name);
	return rc;
}

/* ---- GET /api/v1/groups/needs ------------------------------------------------------------- */

static const char *const zone_levels[] = {"low", "medium", "high"};

struct need_list {
	struct db *d;
	json_t *arr;
	int64_t households, needed, short_by;
};

static int need_json(const struct control_need *n, void *ctx)
{
	struct need_list *l = ctx;
	struct places_node p;
	int rc = places_get(l->d, n->place_id, &p);
	if (rc)
		return rc;
	json_array_append_new(
	    l->arr, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:I}", "code", p.code,
			      "name", p.name, "level", places_level_name(p.level), "households",
			      (json_int_t)n->households, "high_households", (json_int_t)n->high,
			      "medium_households", (json_int_t)n->medium, "zone_level",
			      zone_levels[n->zone_level], "needed", (json_int_t)n->needed,
			      "staffed", (json_int_t)n->staffed, "short", (json_int_t)n->short_by));
	l->households += n->households;
	l->needed += n->needed;
	l->short_by += n->short_by;
	return 0;
}

/* Groups holding a grid inside the place, each once. */
static int count_group(const struct control_group *g, void *ctx)
{
	(void)g;
	++*(int64_t *)ctx;
	return 0;
}

int control__api_get_needs(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct need_list l = {.d = auth_req_db(r)};
	int64_t staffed = 0;
	int rc = places_api_query(r, &node);
	if (rc)
		return rc;
	if (node.level >= PLACES_GRID)
		return http_fail(
		    r, MU_EINVAL, "place",
		    "needs are given for the children of a community or a place above it");
	l.arr = json_array();
	if ((rc = control_needs_children(l.d, node.id, mu_now_unix(), need_json, &l)) ||
	    (rc = control_group_list(l.d, node.id, count_group, &staffed))) {
		json_decref(l.arr);
		return rc;
	}
	resp->json = json_pack(
	    "{s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I}, s:{s:i, s:i, s:i}}", "place", node.code,
	    "name", node.name, "children", l.arr, "totals", "households", (json_int_t)l.households,
	    "needed", (json_int_t)l.needed, "staffed", (json_int_t)staffed, "short",
	    (json_int_t)l.short_by, "households_per_group", "high", CONTROL_NEED_HIGH, "medium",
	    CONTROL_NEED_MEDIUM, "other", CONTROL_NEED_OTHER);
	return 0;
}

/* ---- GET /api/v1/tasks and /api/v1/tasks/overdue ----------------------------------------- */

/* A task as the API gives it, the person's name masked. */
static json_t *task_json(struct db *d, const struct control_task *t)
{
	struct people_person p;
	struct people_mask m;
	char masked[PEOPLE_MASK_MAX + 1] = "";
	if (people_get(d, &keys, t->person_id, &p) == 0) {
		people_mask_of(p.name, &m);
		people_mask_text(&m, masked);
	}
	sodium_memzero(&p, sizeof p);
	char day[11];
	mu_date_format(t->day, day);
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:s, s:s, s:o, s:o}",
			 "id", t->id, "kind", control_task_kind_name(t->kind), "person",
			 (json_int_t)t->person_id, "name", masked, "household", t->household_name,
			 "household_code", code_of(d, t->household_code, t->household_id),
			 "building", t->building_name, "building_code",
			 code_of(d, t->building_code, t->building_id), "day", day, "due",
			 time_json(t->due), "state", control_task_state_name(t->state), "level",
			 places_level_name(t->level), "holder", code_json(d, t->level_place),
			 "since", time_json(t->level_at));
}

/* Answers tasks[offset..offset+limit) of l with the next cursor, auditing each person. */
static int task_page(struct http_req *r, struct http_resp *resp, const struct control_task_list *l,
		     json_t *extra)
{
	int64_t offset;
	int limit;
	int rc = http_query_cursor_id(r, &offset);
	if (rc || (rc = http_query_limit(r, TASKS_PAGE, HTTP_LIMIT_MAX, &limit))) {
		json_decref(extra);
		return rc;
	}
	if ((size_t)offset > l->n) {
		json_decref(extra);
		return http_fail_cursor(r);
	}
	json_t *arr = json_array();
	struct auth_people_record rec;
	auth_people_record_init(&rec);
	size_t end = (size_t)offset + (size_t)limit < l->n ? (size_t)offset + (size_t)limit : l->n;
	for (size_t i = (size_t)offset; i < end; i++) {
		json_array_append_new(arr, task_json(auth_req_db(r), &l->v[i]));
		auth_people_record_add(&rec, l->v[i].person_id);
	}
	auth_people_record_fini(&rec, r);
	json_object_set_new(extra, "tasks", arr);
	json_object_set_new(extra, "cursor", end < l->n ? json_sprintf("%zu", end) : json_null());
	json_object_set_new(extra, "total", json_integer((json_int_t)l->n));
	resp->json = extra;
	return 0;
}

int control__api_get_tasks(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct control_task_list l;
	const char *day_s = http_query(r, "day");
	int64_t now = mu_now_unix(), day = control_gz_day(now);
	int rc = places_api_query(r, &node);
	if (rc)
		return rc;
	if (node.level != PLACES_GRID)
		return http_fail(r, MU_EINVAL, "place",
				 "tasks are listed a grid at a time: ask for each grid");
	if (day_s && *day_s && mu_date_parse(day_s, &day))
		return http_fail(r, MU_EINVAL, "day", "a day is YYYY-MM-DD");
	control_task_list_init(&l);
	if (!(rc = control_tasks_of_grid_cov(auth_req_db(r), screening_api_cov(), node.id, day, now,
					     &l))) {
		char date[11];
		mu_date_format(day, date);
		rc = task_page(r, resp, &l,
			       json_pack("{s:s, s:s, s:s, s:o}", "place", node.code, "name",
					 node.name, "day", date, "at", time_json(now)));
	}
	control_task_list_fini(&l);
	return rc;
}

int control__api_get_overdue(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct control_task_list l;
	int64_t now = mu_now_unix();
	int rc = places_api_query(r, &node);
	if (rc)
		return rc;
	if (node.level != PLACES_COMMUNITY && node.level != PLACES_STREET)
		return http_fail(r, MU_EINVAL, "place",
				 "overdue tasks climb to a community or a street: ask at one");
	control_task_list_init(&l);
	if (!(rc = control_tasks_overdue(auth_req_db(r), screening_api_cov(), node.id, now, &l)))
		rc = task_page(r, resp, &l,
			       json_pack("{s:s, s:s, s:s, s:o}", "place", node.code, "name",
					 node.name, "level", places_level_name(node.level), "at",
					 time_json(now)));
	control_task_list_fini(&l);
	return rc;
}

/* ---- POST /api/v1/tasks/{id}/done ---------------------------------------------------------- */

/* The task's person's household path: a grid worker marks only their grids' tasks. */
int control__api_place_of_task(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	int kind;
	int64_t person, day, hh;
	int rc;
	if (r->nparams < 1)
		return http_fail(r, MU_EINVAL, "id", "not a task id");
	rc = control_task_parse(auth_req_db(r), r->params[0], &kind, &person, &day);
	if (rc == MU_EINVAL)
		return http_fail(r, rc, "id", "not a task id");
	if (rc || (rc = people_household_of(auth_req_db(r), person, &hh)))
		return rc;
	return places_path(auth_req_db(r), hh, ids, n);
}

struct done_job {
	const struct control_task *t;
	const char *result, *note;
	int64_t user, now;
	struct mu_why why;
};

/* The mark alone, on the writer: the task was found on the request's reader. */
static int done_fn(struct db *d, void *arg)
{
	struct done_job *j = arg;
	return control_task_mark_done(d, j->t, j->result, j->note, j->user, j->now, &j->why);
}

/* An optional string member k (NULL when absent or null). */
static int opt_str(struct http_req *r, const json_t *o, const char *k, const char **out)
{
	const json_t *v = json_object_get(o, k);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return http_fail(r, MU_EINVAL, k, "must be a string");
	*out = json_string_value(v);
	return 0;
}

int control__api_post_task_done(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"result", "note", NULL};
	const struct auth_principal *p = auth_who(r);
	json_t *body;
	struct control_task t = {0};
	struct done_job j = {
	    .t = &t, .user = p->kind == AUTH_KIND_USER ? p->id : 0, .now = mu_now_unix()};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = opt_str(r, body, "result", &j.result)) ||
	    (rc = opt_str(r, body, "note", &j.note)))
		return rc;
	if ((rc = control_task_find(auth_req_db(r), screening_api_cov(), r->params[0], j.now, &t,
				    &j.why)))
		return j.why.field ? http_fail(r, rc, j.why.field, j.why.text) : rc;
	auth_record_person(r, t.person_id);
	rc = t.state == CONTROL_TASK_DONE ? MU_EEXIST : auth_submit(r, done_fn, &j);
	if (rc == MU_EEXIST) {
		resp->json = json_pack("{s:s, s:s}", "task", t.id, "status", "duplicate");
		return 0;
	}
	if (rc)
		return j.why.field ? http_fail(r, rc, j.why.field, j.why.text) : rc;
	resp->json =
	    json_pack("{s:s, s:s, s:o}", "task", t.id, "status", "done", "at", time_json(j.now));
	return 0;
}
