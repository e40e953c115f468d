/* tasks.c: a three-person group's day — tasks derived from recalls, plan tests,
 * check-ins and a running round's roll-call, their deadlines, the marks a group leaves
 * (task_marks), and the climb of a missed task up the escalation ladder (task_steps). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

const struct control_task_deadline control_task_deadlines[CONTROL_TASK_NKINDS] = {
    {CONTROL_TASK_RECALL, 12, 0},   {CONTROL_TASK_PLAN_TEST, 12, 0}, {CONTROL_TASK_CHECKIN, 10, 0},
    {CONTROL_TASK_FEVER, -1, 3600}, {CONTROL_TASK_ROLLCALL, 20, 0},
};

static const char *const kind_names[CONTROL_TASK_NKINDS] = {"recall", "plan_test", "checkin",
							    "fever", "rollcall"};
static const char *const state_names[] = {"open", "done", "missed"};

const char *control_task_kind_name(int kind)
{
	return kind >= 0 && kind < CONTROL_TASK_NKINDS ? kind_names[kind] : NULL;
}

const char *control_task_state_name(int state)
{
	return state >= 0 && state <= CONTROL_TASK_MISSED ? state_names[state] : NULL;
}

void control_task_list_init(struct control_task_list *l)
{
	memset(l, 0, sizeof *l);
}

void control_task_list_fini(struct control_task_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

static struct control_task *list_push(struct control_task_list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = mu_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	struct control_task *t = &l->v[l->n++];
	memset(t, 0, sizeof *t);
	return t;
}

/* The due time of a task of kind on day (fixed-hour kinds), or after the event at. */
static int64_t due_of(int kind, int64_t day, int64_t at)
{
	const struct control_task_deadline *dl = &control_task_deadlines[kind];
	if (dl->hour < 0)
		return at + dl->after_s;
	return control_gz_midnight(day) + (int64_t)dl->hour * 3600;
}

/* ---- the grid's households, named only when a task needs them ------------------------- */

struct hh {
	int64_t id, building, compound; /* compound 0 until named */
	/* into the grid's string store; NULL until named */
	const char *name, *code, *bname, *bcode, *ccode;
};

struct grid {
	struct db *d;
	int64_t id;
	struct hh *h;
	size_t nh, caph;
	char **strs; /* names, freed at the end */
	size_t ns, caps;
	int64_t last_building, last_compound; /* the last looked up, for the next household */
	const char *last_bname, *last_bcode, *last_ccode;
};

static const char *keep(struct grid *g, const char *s)
{
	if (g->ns == g->caps) {
		g->caps = g->caps ? g->caps * 2 : 64;
		g->strs = mu_xrealloc(g->strs, g->caps * sizeof *g->strs);
	}
	return g->strs[g->ns++] = mu_xstrdup(s);
}

/* One household of the walk: its id and building only (the walk's refs carry them);
 * most households have no task, and their names are never read. */
static int grid_household(const struct places_ref *ref, void *ctx)
{
	struct grid *g = ctx;
	if (g->nh == g->caph) {
		g->caph = g->caph ? g->caph * 2 : 64;
		g->h = mu_xrealloc(g->h, g->caph * sizeof *g->h);
	}
	g->h[g->nh++] = (struct hh){.id = ref->id, .building = ref->parent_id};
	return 0;
}

/* Names h: its own name, its building's and its compound's code. */
static int name_household(struct grid *g, struct hh *h)
{
	struct places_node n;
	int rc;
	if (h->name)
		return 0;
	if (h->building != g->last_building) {
		if ((rc = places_get(g->d, h->building, &n)))
			return rc;
		g->last_building = n.id;
		g->last_bname = keep(g, n.name);
		g->last_bcode = keep(g, n.code);
		if (n.parent_id != g->last_compound) {
			struct places_node c;
			if ((rc = places_get(g->d, n.parent_id, &c)))
				return rc;
			g->last_compound = c.id;
			g->last_ccode = keep(g, c.code);
		}
	}
	if ((rc = places_get(g->d, h->id, &n)))
		return rc;
	h->name = keep(g, n.name);
	h->code = keep(g, n.code);
	h->bname = g->last_bname;
	h->bcode = g->last_bcode;
	h->ccode = g->last_ccode;
	h->compound = g->last_compound;
	return 0;
}

static int cmp_hh_id(const void *a, const void *b)
{
	const struct hh *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void grid_fini(struct grid *g)
{
	for (size_t i = 0; i < g->ns; i++)
		free(g->strs[i]);
	free(g->strs);
	free(g->h);
}

/* An empty g for grid_id; MU_EINVAL when it is not a grid. */
static int grid_init(struct db *d, int64_t grid_id, struct grid *g)
{
	struct places_node n;
	memset(g, 0, sizeof *g);
	g->d = d;
	g->id = grid_id;
	int rc = places_get(d, grid_id, &n);
	return rc ? rc : n.level != PLACES_GRID ? MU_EINVAL : 0;
}

/* The grid's households in walking order (g->h); the caller sorts them by id for
 * lookups once it has used the walking order. */
static int grid_load(struct db *d, int64_t grid_id, struct grid *g)
{
	int rc = grid_init(d, grid_id, g);
	return rc ? rc : places_level_walk(d, grid_id, PLACES_HOUSEHOLD, grid_household, g);
}

static struct hh *grid_find(const struct grid *g, int64_t household)
{
	struct hh key = {.id = household};
	return g->nh ? bsearch(&key, g->h, g->nh, sizeof *g->h, cmp_hh_id) : NULL;
}

/* The grid's households from the city: only those some task may name, named already. */
static int grid_from_city(struct db *d, const struct control_city *c, int64_t grid_id,
			  struct grid *g)
{
	int rc = grid_init(d, grid_id, g);
	if (rc)
		return rc;
	size_t lo = 0, hi = c->nhh;
	while (lo < hi) { /* the first household of the grid */
		size_t mid = lo + (hi - lo) / 2;
		if (c->hh[mid].grid < grid_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->nhh && c->hh[i].grid == grid_id; i++) {
		const struct control_city_hh *e = &c->hh[i];
		if (g->nh == g->caph) {
			g->caph = g->caph ? g->caph * 2 : 64;
			g->h = mu_xrealloc(g->h, g->caph * sizeof *g->h);
		}
		g->h[g->nh++] = (struct hh){.id = e->id,
					    .building = e->building,
					    .compound = e->compound,
					    .name = c->str + e->name,
					    .code = c->str + e->code,
					    .bname = c->str + e->bname,
					    .bcode = c->str + e->bcode,
					    .ccode = c->str + e->ccode};
	}
	return 0;
}

/* A task of the grid for a person of household hh; its names are filled at the end. */
static struct control_task *task_new(struct control_task_list *out, const struct grid *g,
				     const struct hh *h, int kind, int64_t person, int64_t day)
{
	struct control_task *t = list_push(out);
	t->kind = kind;
	t->person_id = person;
	t->household_id = h->id;
	t->building_id = h->building;
	t->grid_id = g->id;
	t->day = day;
	return t;
}

/* Fills the compound, building and household names of t. */
static int task_name(struct grid *g, struct control_task *t)
{
	struct hh *h = grid_find(g, t->household_id);
	int rc = h ? name_household(g, h) : MU_ENOTFOUND;
	if (rc)
		return rc;
	t->compound_id = h->compound;
	snprintf(t->compound, sizeof t->compound, "%s", h->ccode);
	snprintf(t->household_name, sizeof t->household_name, "%s", h->name);
	snprintf(t->household_code, sizeof t->household_code, "%s", h->code);
	snprintf(t->building_name, sizeof t->building_name, "%s", h->bname);
	snprintf(t->building_code, sizeof t->building_code, "%s", h->bcode);
	return 0;
}

/* ---- the kinds ------------------------------------------------------------------------ */

static const char sql_key_person[] =
    "SELECT 1 FROM key_statuses WHERE person_id = ? AND ended_at IS NULL LIMIT 1";
static const char sql_plan_tests[] =
    "SELECT t.id, t.due, p.made_at FROM plan_tests t JOIN plans p ON p.id = t.plan_id"
    " WHERE t.person_id = ? AND t.state IN ('due', 'missed') AND t.due <= ?"
    " AND p.ended_at IS NULL ORDER BY t.due, t.id";
static const char sql_plan_first[] =
    "SELECT min(made_at) FROM plans WHERE person_id = ? AND ended_at IS NULL";
static const char sql_checkins[] =
    "SELECT id, at, fever FROM checkins WHERE person_id = ? AND at >= ? AND at < ? ORDER BY at, id";

struct derive {
	struct db *d;
	struct grid *g;
	struct control_task_list *out;
	int64_t day, now;
	char date[11];
	struct hh cur;			 /* the household whose members are being read */
	const struct control_city *city; /* the key persons' rows, when read for the city */
};

static void plan_test_task(struct derive *x, int64_t person, int64_t test, int64_t due_day,
			   int64_t made)
{
	/* A plan made after its test day's deadline hour: the test is due at the deadline
	 * of the day after the plan was made, as a late recall is. */
	if (made >= due_of(CONTROL_TASK_PLAN_TEST, due_day, 0)) {
		int64_t mday = control_gz_day(made);
		due_day = made >= due_of(CONTROL_TASK_PLAN_TEST, mday, 0) ? mday + 1 : mday;
	}
	struct control_task *t =
	    task_new(x->out, x->g, &x->cur, CONTROL_TASK_PLAN_TEST, person, due_day);
	t->source_id = test;
	t->due = due_of(CONTROL_TASK_PLAN_TEST, due_day, 0);
	snprintf(t->id, sizeof t->id, "plan_test:%" PRId64, test);
}

static void fever_task(struct derive *x, int64_t person, int64_t checkin, int64_t at)
{
	struct control_task *t =
	    task_new(x->out, x->g, &x->cur, CONTROL_TASK_FEVER, person, x->day);
	t->source_id = checkin;
	t->due = due_of(CONTROL_TASK_FEVER, x->day, at);
	snprintf(t->id, sizeof t->id, "fever:%" PRId64, checkin);
}

/* The day's check-in, asked of someone in a plan made by the day's end (first_made: the
 * first of their running plans) who has not checked in: due at the day's deadline, or
 * at the day's end when the plan was made after that deadline. */
static void checkin_task(struct derive *x, int64_t person, int64_t first_made, bool checked_in)
{
	int64_t due = due_of(CONTROL_TASK_CHECKIN, x->day, 0),
		end = control_gz_midnight(x->day + 1);
	if (checked_in || !first_made || first_made >= end)
		return;
	struct control_task *t =
	    task_new(x->out, x->g, &x->cur, CONTROL_TASK_CHECKIN, person, x->day);
	t->due = first_made >= due ? end : due;
	snprintf(t->id, sizeof t->id, "checkin:%" PRId64 ":%s", person, x->date);
}

/* The first entry of person in v (n entries of size, each starting with a person id,
 * sorted by it). */
static size_t first_of(const void *v, size_t n, size_t size, int64_t person)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t p;
		memcpy(&p, (const char *)v + mid * size, sizeof p);
		if (p < person)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The same from the city's rows (read for days including x->day). */
static int key_person_city(struct derive *x, int64_t person)
{
	const struct control_city *c = x->city;
	int64_t from = control_gz_midnight(x->day), to = control_gz_midnight(x->day + 1);
	bool checked_in = false;
	for (size_t i = first_of(c->tests, c->ntests, sizeof *c->tests, person);
	     i < c->ntests && c->tests[i].person_id == person; i++)
		if (c->tests[i].due_day <= x->day)
			plan_test_task(x, person, c->tests[i].id, c->tests[i].due_day,
				       c->tests[i].made_at);
	for (size_t i = first_of(c->checkins, c->ncheckins, sizeof *c->checkins, person);
	     i < c->ncheckins && c->checkins[i].person_id == person; i++) {
		const struct control_city_checkin *k = &c->checkins[i];
		if (k->at < from || k->at >= to)
			continue;
		checked_in = true;
		if (k->fever)
			fever_task(x, person, k->id, k->at);
	}
	size_t i = first_of(c->plans, c->nplans, sizeof *c->plans, person);
	checkin_task(x, person,
		     i < c->nplans && c->plans[i].person_id == person ? c->plans[i].made_at : 0,
		     checked_in);
	return 0;
}

/* The plan tests, the check-in and the fevers of one key person of the grid. */
static int key_person_tasks(struct derive *x, int64_t person)
{
	struct db_stmt *s;
	int64_t from = control_gz_midnight(x->day), to = control_gz_midnight(x->day + 1), first = 0;
	bool checked_in = false;
	if (x->city)
		return key_person_city(x, person);
	int rc = db_prepare(x->d, sql_plan_tests, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, person);
	db_bind_text(s, 2, x->date, -1);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t due_day;
		if (!mu_date_parse(db_col_text(s, 1), &due_day))
			plan_test_task(x, person, db_col_i64(s, 0), due_day, db_col_i64(s, 2));
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;

	if ((rc = db_prepare(x->d, sql_plan_first, &s)))
		return rc;
	db_bind_i64(s, 1, person);
	rc = db_step(s);
	if (rc == DB_ROW && !db_col_null(s, 0))
		first = db_col_i64(s, 0);
	db_stmt_done(s);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;

	if ((rc = db_prepare(x->d, sql_checkins, &s)))
		return rc;
	db_bind_i64(s, 1, person);
	db_bind_i64(s, 2, from);
	db_bind_i64(s, 3, to);
	while ((rc = db_step(s)) == DB_ROW) {
		checked_in = true;
		if (db_col_i64(s, 2))
			fever_task(x, person, db_col_i64(s, 0), db_col_i64(s, 1));
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	checkin_task(x, person, first, checked_in);
	return 0;
}

/* The residents of the grid, household by household in walking order: for asking each
 * of them (key person? missing from a round?) when no city-wide set answers. */
struct members {
	int64_t *person, *hh;
	size_t n, cap;
	int64_t cur; /* the household being read */
};

static int member(int64_t person, void *ctx)
{
	struct members *m = ctx;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->person = mu_xrealloc(m->person, m->cap * sizeof *m->person);
		m->hh = mu_xrealloc(m->hh, m->cap * sizeof *m->hh);
	}
	m->person[m->n] = person;
	m->hh[m->n++] = m->cur;
	return 0;
}

static int members_load(struct db *d, const struct grid *g, struct members *m)
{
	int rc = 0;
	for (size_t i = 0; i < g->nh && !rc; i++) {
		m->cur = g->h[i].id;
		rc = people_household_members(d, m->cur, 0, member, m);
	}
	return rc;
}

static void members_fini(struct members *m)
{
	free(m->person);
	free(m->hh);
}

/* The key persons among the residents, asked one by one. */
static int members_key_tasks(struct derive *x, const struct members *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct db_stmt *s;
		int rc = db_prepare(x->d, sql_key_person, &s);
		if (rc)
			return rc;
		db_bind_i64(s, 1, m->person[i]);
		rc = db_step(s);
		db_stmt_done(s);
		if (rc != DB_ROW && rc != DB_DONE)
			return rc;
		if (rc == DB_ROW) {
			x->cur = *grid_find(x->g, m->hh[i]);
			if ((rc = key_person_tasks(x, m->person[i])))
				return rc;
		}
	}
	return 0;
}

/* ---- key persons by household, for many grids at once ------------------------------- */

static const char sql_key_persons[] =
    "SELECT DISTINCT person_id FROM key_statuses WHERE ended_at IS NULL ORDER BY person_id";

static int cmp_key(const void *a, const void *b)
{
	const struct control_key_person *x = a, *y = b;
	if (x->household_id != y->household_id)
		return x->household_id < y->household_id ? -1 : 1;
	return x->person_id < y->person_id ? -1 : x->person_id > y->person_id;
}

int control_keyset_load(struct db *d, struct control_keyset *k)
{
	struct db_stmt *s;
	size_t cap = 0;
	memset(k, 0, sizeof *k);
	int rc = db_prepare(d, sql_key_persons, &s);
	if (rc)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (k->n == cap) {
			cap = cap ? cap * 2 : 1024;
			k->v = mu_xrealloc(k->v, cap * sizeof *k->v);
		}
		k->v[k->n++].person_id = db_col_i64(s, 0);
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	int64_t *persons = mu_xmalloc((k->n ? k->n : 1) * sizeof *persons);
	int64_t *hh = mu_xmalloc((k->n ? k->n : 1) * sizeof *hh);
	for (size_t i = 0; i < k->n; i++)
		persons[i] = k->v[i].person_id;
	rc = people_households_of(d, persons, k->n, hh);
	for (size_t i = 0; i < k->n; i++)
		k->v[i].household_id = hh[i];
	free(persons);
	free(hh);
	if (!rc && k->n)
		qsort(k->v, k->n, sizeof *k->v, cmp_key);
	return rc;
}

void control_keyset_fini(struct control_keyset *k)
{
	free(k->v);
	memset(k, 0, sizeof *k);
}

/* The key persons of household, in person order: calls key_person_tasks on each. */
static int keyset_household(struct derive *x, const struct control_keyset *k, int64_t household)
{
	size_t lo = 0, hi = k->n;
	while (lo < hi) { /* the first entry of household or above */
		size_t mid = lo + (hi - lo) / 2;
		if (k->v[mid].household_id < household)
			lo = mid + 1;
		else
			hi = mid;
	}
	int rc = 0;
	for (size_t i = lo; i < k->n && k->v[i].household_id == household && !rc; i++)
		rc = key_person_tasks(x, k->v[i].person_id);
	return rc;
}

int control__round_collect(const struct screening_round *r, void *ctx)
{
	struct control__rounds *rs = ctx;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->v = mu_xrealloc(rs->v, rs->cap * sizeof *rs->v);
	}
	rs->v[rs->n++] = *r;
	return 0;
}

struct recall_ctx {
	struct derive *x;
	int64_t round;
};

static int recall_one(const struct screening_recall *rc_, void *ctx)
{
	struct recall_ctx *c = ctx;
	struct derive *x = c->x;
	int64_t hh, day = control_gz_day(rc_->created_at);
	int rc = people_household_of(x->d, rc_->person_id, &hh);
	if (rc)
		return rc == MU_ENOTFOUND ? 0 : rc;
	const struct hh *h = grid_find(x->g, hh);
	if (!h)
		return 0; /* moved out of the grid since the recall */
	if (day > x->day)
		return 0; /* raised after the day asked for */
	/* Raised after its day's deadline: due at the next day's. */
	if (rc_->created_at >= due_of(CONTROL_TASK_RECALL, day, 0))
		day++;
	struct control_task *t =
	    task_new(x->out, x->g, h, CONTROL_TASK_RECALL, rc_->person_id, day);
	t->source_id = c->round;
	t->due = due_of(CONTROL_TASK_RECALL, day, 0);
	snprintf(t->id, sizeof t->id, "recall:%" PRId64 ":%" PRId64, c->round, rc_->person_id);
	return 0;
}

/* Whether round r runs on day over the grid: open, begun by the day's end, not ended
 * before it began, and its scope holding the grid. */

/* ids[0..n): the grid's path from the root. */
bool control__round_open_on(const struct screening_round *r, int64_t from_day, int64_t to_day)
{
	int64_t from = control_gz_midnight(from_day), to = control_gz_midnight(to_day + 1);
	int64_t starts = r->starts ? r->starts : r->created_at;
	return !r->closed_at && starts < to && !(r->ends && r->ends <= from);
}

static bool round_runs(const struct screening_round *r, const int64_t *ids, int n, int64_t day)
{
	if (!control__round_open_on(r, day, day))
		return false;
	for (int i = 0; i < n; i++)
		if (ids[i] == r->scope_place_id)
			return true;
	return false;
}

static struct control_task *rollcall_task(struct derive *x, const struct hh *h, int64_t round,
					  int64_t person)
{
	struct control_task *t = task_new(x->out, x->g, h, CONTROL_TASK_ROLLCALL, person, x->day);
	t->source_id = round;
	t->due = due_of(CONTROL_TASK_ROLLCALL, x->day, 0);
	snprintf(t->id, sizeof t->id, "rollcall:%" PRId64 ":%" PRId64 ":%s", round, person,
		 x->date);
	return t;
}

/* The roll-call from the city's missing people of the round: each household of the grid
 * looked up in the set (both in household order). */
static void rollcall_from_set(struct derive *x, int64_t round, const struct screening_absent_set *a)
{
	size_t j = 0;
	for (size_t i = 0; i < x->g->nh; i++) {
		const struct hh *h = &x->g->h[i];
		size_t lo = j, hi = a->n;
		while (lo < hi) { /* the first entry of h or above */
			size_t mid = lo + (hi - lo) / 2;
			if (a->v[mid].household_id < h->id)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (j = lo; j < a->n && a->v[j].household_id == h->id; j++)
			rollcall_task(x, h, round, a->v[j].person_id);
	}
}

/* The roll-call from the grid's residents, each asked of screening (of the server's
 * aggregate when there is one). */
static int rollcall_from_members(struct derive *x, struct screening_cov *cov, int64_t round,
				 const struct members *m)
{
	bool *missing = mu_xmalloc(m->n ? m->n : 1);
	int rc = screening_missing_of(x->d, cov, round, m->person, m->n, missing);
	for (size_t i = 0; i < m->n && !rc; i++)
		if (missing[i])
			rollcall_task(x, grid_find(x->g, m->hh[i]), round, m->person[i]);
	free(missing);
	return rc;
}

/* The city's missing people of round (NULL when the city has none for it). */
static const struct screening_absent_set *city_absent(const struct control_city *c, int64_t round)
{
	for (size_t i = 0; c && i < c->nrounds; i++)
		if (c->rounds[i].round_id == round)
			return &c->rounds[i].absent;
	return NULL;
}

/* ---- states, the ladder and the order -------------------------------------------------- */

static const char sql_mark[] =
    "SELECT state FROM task_marks WHERE task = ? ORDER BY state = 'done' DESC LIMIT 1";

/* The allowance of each rung (places_ladder): the grid holds a task until its due time,
 * the community for CONTROL_TASK_COMMUNITY_S more, then the street for good. */
static const int64_t ladder_allow[PLACES_NLEVELS] = {[PLACES_COMMUNITY] = CONTROL_TASK_COMMUNITY_S};

/* The path of a task's grid, read once per grid (every task of a grid climbs the same
 * ladder). */
struct path {
	int64_t grid, ids[PLACES_NLEVELS];
	int n;
};

static int path_of(struct db *d, int64_t grid, struct path *p)
{
	if (p->grid == grid && p->n)
		return 0;
	p->grid = grid;
	return places_path(d, grid, p->ids, &p->n);
}

/* The rungs t has held by now: its grid from the start of its day (or its event) to its
 * due time, then the community and the street as it climbs. */
static int ladder(struct db *d, struct path *p, const struct control_task *t, int64_t now,
		  struct places_rung rungs[PLACES_NLEVELS], int *n)
{
	int64_t start = control_gz_midnight(t->day);
	int rc = path_of(d, t->grid_id, p);
	return rc ? rc
		  : places_ladder_walk(p->ids, p->n, start < t->due ? start : t->due, t->due,
				       ladder_allow, PLACES_STREET, now, rungs, n);
}

/* Sets t's holder by now: the last rung it reached and when. */
static int climb(struct db *d, struct path *p, struct control_task *t, int64_t now)
{
	struct places_rung rungs[PLACES_NLEVELS];
	int n = 0;
	int rc = ladder(d, p, t, now, rungs, &n);
	if (rc || n < 1)
		return rc;
	t->level = rungs[n - 1].level;
	t->level_place = rungs[n - 1].place_id;
	t->level_at = rungs[n - 1].from;
	return 0;
}

int control__cmp_mark(const void *a, const void *b)
{
	return strcmp(((const struct control_city_mark *)a)->task,
		      ((const struct control_city_mark *)b)->task);
}

/* t's mark from the city's, when it read t's day: 1 and *done, else 0. */
static int city_mark(const struct control_city *c, const struct control_task *t, bool *done)
{
	if (!c || t->day < c->marks_from || t->day > c->marks_to)
		return 0;
	struct control_city_mark key = {.done = false};
	snprintf(key.task, sizeof key.task, "%s", t->id);
	const struct control_city_mark *m =
	    c->nmarks ? bsearch(&key, c->marks, c->nmarks, sizeof *c->marks, control__cmp_mark)
		      : NULL;
	if (!m)
		return 0;
	*done = m->done;
	return 1;
}

static int task_state(struct db *d, const struct control_city *c, struct path *p,
		      struct control_task *t, int64_t now)
{
	struct db_stmt *s;
	bool done = false;
	int rc = 0;
	if (c && t->day >= c->marks_from && t->day <= c->marks_to) {
		t->state = city_mark(c, t, &done) ? done ? CONTROL_TASK_DONE : CONTROL_TASK_MISSED
			   : now >= t->due	  ? CONTROL_TASK_MISSED
						  : CONTROL_TASK_OPEN;
	} else {
		if ((rc = db_prepare(d, sql_mark, &s)))
			return rc;
		db_bind_text(s, 1, t->id, -1);
		rc = db_step(s);
		if (rc == DB_ROW)
			t->state = !strcmp(db_col_text(s, 0), "done") ? CONTROL_TASK_DONE
								      : CONTROL_TASK_MISSED;
		else if (rc == DB_DONE)
			t->state = now >= t->due ? CONTROL_TASK_MISSED : CONTROL_TASK_OPEN;
		db_stmt_done(s);
		if (rc != DB_ROW && rc != DB_DONE)
			return rc;
	}
	if (t->state == CONTROL_TASK_MISSED)
		return climb(d, p, t, now);
	int64_t start = control_gz_midnight(t->day);
	t->level = PLACES_GRID;
	t->level_place = t->grid_id;
	t->level_at = start < t->due ? start : t->due;
	return 0;
}

static int cmp_task(const void *a, const void *b)
{
	const struct control_task *x = a, *y = b;
	int c = strcmp(x->compound, y->compound);
	if (!c)
		c = screening_name_cmp(x->building_name, y->building_name);
	if (!c && x->building_id != y->building_id)
		c = x->building_id < y->building_id ? -1 : 1;
	if (!c)
		c = screening_name_cmp(x->household_name, y->household_name);
	if (!c && x->household_id != y->household_id)
		c = x->household_id < y->household_id ? -1 : 1;
	if (!c && x->person_id != y->person_id)
		c = x->person_id < y->person_id ? -1 : 1;
	if (!c && x->kind != y->kind)
		c = x->kind < y->kind ? -1 : 1;
	if (!c)
		c = strcmp(x->id, y->id);
	return c;
}

/* What a derivation reads besides the database: the server's coverage aggregate (for
 * asking residents whether they are missing from a round) and the city's sets (key
 * persons and missing people read once for every grid), each optional. */
struct src {
	struct screening_cov *cov;
	const struct control_city *city;
};

/* The tasks of grid_id for day as of now; without rollcall, the roll-call's are left out
 * (the sweep's shortcut: nothing to record most of the day). */
static int derive(struct db *d, const struct src *src, int64_t grid_id, int64_t day, int64_t now,
		  bool rollcall, struct control_task_list *out)
{
	struct grid g;
	struct control__rounds rs = {0};
	struct members m = {0};
	const struct control_city *city = src->city;
	struct derive x = {.d = d, .g = &g, .out = out, .day = day, .now = now, .city = city};
	struct path p = {0};
	size_t first = out->n;
	int rc = city ? grid_from_city(d, city, grid_id, &g) : grid_load(d, grid_id, &g);
	mu_date_format(day, x.date);
	if (!rc)
		rc = path_of(d, grid_id, &p);
	if (rc || (!city && (rc = members_load(d, &g, &m))))
		goto out;
	/* The households by id from here on (grid_find); the tasks are put in walking
	 * order at the end. */
	if (g.nh)
		qsort(g.h, g.nh, sizeof *g.h, cmp_hh_id);
	/* Key persons: from the city's key set when there is one, else asked of each
	 * resident. */
	if (city) {
		for (size_t i = 0; i < g.nh && !rc; i++) {
			x.cur = g.h[i];
			rc = keyset_household(&x, &city->keys, g.h[i].id);
		}
	} else {
		rc = members_key_tasks(&x, &m);
	}
	if (rc || (!city && (rc = screening_round_list(d, control__round_collect, &rs))))
		goto out;
	const struct screening_round *rv = city ? city->all : rs.v;
	size_t nr = city ? city->nall : rs.n;
	for (size_t i = 0; i < nr && !rc; i++) {
		struct recall_ctx c = {.x = &x, .round = rv[i].id};
		rc = screening_recall_list(d, rv[i].id, grid_id, SCREENING_RECALL_PENDING, 0,
					   recall_one, &c);
		if (!rollcall || rc || !round_runs(&rv[i], p.ids, p.n, day))
			continue;
		const struct screening_absent_set *a = city_absent(city, rv[i].id);
		if (a)
			rollcall_from_set(&x, rv[i].id, a);
		else if (city)
			rc = MU_EINVAL; /* the city was read without this round's day */
		else
			rc = rollcall_from_members(&x, src->cov, rv[i].id, &m);
	}
	for (size_t i = first; i < out->n && !rc; i++)
		if (!(rc = task_name(&g, &out->v[i])))
			rc = task_state(d, city, &p, &out->v[i], now);
	if (!rc && out->n > first)
		qsort(out->v + first, out->n - first, sizeof *out->v, cmp_task);
out:
	free(rs.v);
	members_fini(&m);
	grid_fini(&g);
	return rc;
}

int control_tasks_of_grid(struct db *d, int64_t grid_id, int64_t day, int64_t now,
			  struct control_task_list *out)
{
	const struct src src = {0};
	return derive(d, &src, grid_id, day, now, true, out);
}

int control_tasks_of_grid_cov(struct db *d, struct screening_cov *cov, int64_t grid_id, int64_t day,
			      int64_t now, struct control_task_list *out)
{
	const struct src src = {.cov = cov};
	return derive(d, &src, grid_id, day, now, true, out);
}

int control_tasks_of_grid_city(struct db *d, const struct control_city *city, int64_t grid_id,
			       int64_t day, int64_t now, struct control_task_list *out)
{
	const struct src src = {.city = city};
	return derive(d, &src, grid_id, day, now, true, out);
}

/* ---- overdue at a community or a street ---------------------------------------------- */

struct ids {
	int64_t *v;
	size_t n, cap;
};

static int collect_id(const struct places_ref *ref, void *ctx)
{
	struct ids *x = ctx;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		x->v = mu_xrealloc(x->v, x->cap * sizeof *x->v);
	}
	x->v[x->n++] = ref->id;
	return 0;
}

/* Appends grid's missed tasks of now's day and the day before whose climb reached
 * level (a recall or plan test listed on both days once). */
static int overdue_grid(struct db *d, struct screening_cov *cov, int64_t grid, int64_t now,
			int level, struct control_task_list *tmp, struct control_task_list *out)
{
	int64_t today = control_gz_day(now);
	size_t first = out->n;
	for (int64_t day = today - 1; day <= today; day++) {
		tmp->n = 0;
		int rc = control_tasks_of_grid_cov(d, cov, grid, day, now, tmp);
		if (rc)
			return rc;
		for (size_t i = 0; i < tmp->n; i++) {
			const struct control_task *t = &tmp->v[i];
			if (t->state != CONTROL_TASK_MISSED || t->level > level)
				continue;
			bool seen = false;
			for (size_t j = first; j < out->n && !seen; j++)
				seen = !strcmp(out->v[j].id, t->id);
			if (!seen)
				*list_push(out) = *t;
		}
	}
	return 0;
}

int control_tasks_overdue(struct db *d, struct screening_cov *cov, int64_t place_id, int64_t now,
			  struct control_task_list *out)
{
	struct places_node n;
	struct ids grids = {0};
	struct control_task_list tmp;
	int rc = places_get(d, place_id, &n);
	if (rc)
		return rc;
	if (n.level != PLACES_COMMUNITY && n.level != PLACES_STREET)
		return MU_EINVAL;
	size_t first = out->n;
	/* The grids first: deriving a grid's tasks walks the tree with the same query. */
	rc = places_level_walk(d, place_id, PLACES_GRID, collect_id, &grids);
	control_task_list_init(&tmp);
	for (size_t i = 0; i < grids.n && !rc; i++)
		rc = overdue_grid(d, cov, grids.v[i], now, n.level, &tmp, out);
	control_task_list_fini(&tmp);
	free(grids.v);
	if (!rc && out->n > first)
		qsort(out->v + first, out->n - first, sizeof *out->v, cmp_task);
	return rc;
}

/* ---- task ids and marks ---------------------------------------------------------------- */

static const char sql_plan_test_person[] = "SELECT person_id FROM plan_tests WHERE id = ?";
static const char sql_checkin_person[] = "SELECT person_id FROM checkins WHERE id = ?";

static int row_person(struct db *d, const char *sql, int64_t id, int64_t *person)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		*person = db_col_i64(s, 0);
	db_stmt_done(s);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? MU_ENOTFOUND : rc;
}

/* Splits text at ':' into at most max parts (in buf, ≥ CONTROL_TASK_ID_MAX bytes). */
static int split(const char *text, char *buf, char **part, int max)
{
	int n = 0;
	snprintf(buf, CONTROL_TASK_ID_MAX, "%s", text);
	for (char *p = buf; n < max;) {
		part[n++] = p;
		char *c = strchr(p, ':');
		if (!c)
			return n;
		*c = '\0';
		p = c + 1;
	}
	return -1;
}

static int positive(const char *s, int64_t *v)
{
	return mu_parse_i64(s, v) || *v <= 0 ? MU_EINVAL : 0;
}

int control_task_parse(struct db *d, const char *id, int *kind, int64_t *person, int64_t *day)
{
	char buf[CONTROL_TASK_ID_MAX], *p[4];
	int64_t a;
	*day = -1;
	*person = 0;
	if (!id || strlen(id) >= CONTROL_TASK_ID_MAX)
		return MU_EINVAL;
	int n = split(id, buf, p, 4);
	if (n < 2)
		return MU_EINVAL;
	for (*kind = 0; *kind < CONTROL_TASK_NKINDS && strcmp(p[0], kind_names[*kind]); (*kind)++)
		;
	switch (*kind) {
	case CONTROL_TASK_RECALL:
		if (n != 3 || positive(p[1], &a) || positive(p[2], person))
			return MU_EINVAL;
		return 0;
	case CONTROL_TASK_PLAN_TEST:
	case CONTROL_TASK_FEVER:
		if (n != 2 || positive(p[1], &a))
			return MU_EINVAL;
		return row_person(
		    d, *kind == CONTROL_TASK_FEVER ? sql_checkin_person : sql_plan_test_person, a,
		    person);
	case CONTROL_TASK_CHECKIN:
		if (n != 3 || positive(p[1], person) || mu_date_parse(p[2], day))
			return MU_EINVAL;
		return 0;
	case CONTROL_TASK_ROLLCALL:
		if (n != 4 || positive(p[1], &a) || positive(p[2], person) ||
		    mu_date_parse(p[3], day))
			return MU_EINVAL;
		return 0;
	default:
		return MU_EINVAL;
	}
}

/* The grid holding household: its ancestor at PLACES_GRID. */
static int grid_of_household(struct db *d, int64_t household, int64_t *grid)
{
	int64_t ids[PLACES_NLEVELS];
	int n;
	int rc = places_path(d, household, ids, &n);
	if (rc)
		return rc;
	if (n <= PLACES_GRID)
		return MU_ENOTFOUND;
	*grid = ids[PLACES_GRID];
	return 0;
}

static const char sql_mark_insert[] =
    "INSERT INTO task_marks (task, day, state, result, note, user_id, at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";

static int text_ok(const char *v, const char *field, struct mu_why *why)
{
	if (!v)
		return 0;
	size_t cps = 0;
	if (!mu_utf8_valid(v, strlen(v)))
		return mu_why_set(why, MU_EINVAL, field, "%s is not UTF-8", field);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if ((*p & 0xC0) != 0x80)
			cps++;
		if (*p < 0x20 && *p != '\n')
			return mu_why_set(why, MU_EINVAL, field, "%s holds a control character",
					  field);
	}
	if (cps > CONTROL_TASK_NOTE_MAX)
		return mu_why_set(why, MU_EINVAL, field, "%s is longer than %d characters", field,
				  CONTROL_TASK_NOTE_MAX);
	return 0;
}

static int mark(struct db *d, const char *id, int64_t day, const char *state, const char *result,
		const char *note, int64_t user_id, int64_t at)
{
	struct db_stmt *s;
	char date[11];
	int rc = db_prepare(d, sql_mark_insert, &s);
	if (rc)
		return rc;
	mu_date_format(day, date);
	db_bind_text(s, 1, id, -1);
	db_bind_text(s, 2, date, -1);
	db_bind_text(s, 3, state, -1);
	result ? db_bind_text(s, 4, result, -1) : db_bind_null(s, 4);
	note ? db_bind_text(s, 5, note, -1) : db_bind_null(s, 5);
	user_id ? db_bind_i64(s, 6, user_id) : db_bind_null(s, 6);
	db_bind_i64(s, 7, at);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

int control_task_find(struct db *d, struct screening_cov *cov, const char *id, int64_t now,
		      struct control_task *out, struct mu_why *why)
{
	int kind;
	int64_t person, day, hh, grid;
	struct control_task_list l;
	int rc = control_task_parse(d, id, &kind, &person, &day);
	if (rc == MU_EINVAL)
		return mu_why_set(why, rc, "id", "not a task id");
	if (rc)
		return rc == MU_ENOTFOUND ? mu_why_set(why, rc, "id", "no such task") : rc;
	if ((rc = people_household_of(d, person, &hh)) || (rc = grid_of_household(d, hh, &grid)))
		return rc == MU_ENOTFOUND ? mu_why_set(why, rc, "id", "no such task") : rc;
	if (day < 0)
		day = control_gz_day(now);
	control_task_list_init(&l);
	rc = control_tasks_of_grid_cov(d, cov, grid, day, now, &l);
	const struct control_task *t = NULL;
	for (size_t i = 0; !rc && i < l.n && !t; i++)
		if (!strcmp(l.v[i].id, id))
			t = &l.v[i];
	if (!rc && !t)
		rc = mu_why_set(why, MU_ENOTFOUND, "id", "no such task is due in its grid");
	else if (!rc)
		*out = *t;
	control_task_list_fini(&l);
	return rc;
}

int control_task_mark_done(struct db *d, const struct control_task *t, const char *result,
			   const char *note, int64_t user_id, int64_t now, struct mu_why *why)
{
	int rc;
	if ((rc = text_ok(result, "result", why)) || (rc = text_ok(note, "note", why)))
		return rc;
	rc = mark(d, t->id, t->day, "done", result, note, user_id, now);
	return rc == MU_EEXIST ? mu_why_set(why, rc, "id", "the task is already done") : rc;
}

int control_task_done(struct db *d, const char *id, const char *result, const char *note,
		      int64_t user_id, int64_t now, struct mu_why *why)
{
	struct control_task t = {0};
	int rc = control_task_find(d, NULL, id, now, &t, why);
	if (!rc && t.state == CONTROL_TASK_DONE)
		return mu_why_set(why, MU_EEXIST, "id", "the task is already done");
	return rc ? rc : control_task_mark_done(d, &t, result, note, user_id, now, why);
}

/* ---- the sweep --------------------------------------------------------------------------- */

static const char sql_held_grids[] = "SELECT grid_id FROM group_grids ORDER BY grid_id";
static const char sql_step_insert[] =
    "INSERT INTO task_steps (task, day, level, place_id, at) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (task, level) DO NOTHING";
static const char sql_missed_insert[] =
    "INSERT INTO task_marks (task, day, state, at) VALUES (?, ?, 'missed', ?)"
    " ON CONFLICT (task, state) DO NOTHING";

/* Records its missed mark and every rung above the grid t has reached by now, each
 * once. */
static int sweep_task(struct db *d, struct path *p, const struct control_task *t, int64_t now,
		      int64_t *steps)
{
	struct places_rung rungs[PLACES_NLEVELS];
	struct db_stmt *s;
	char date[11];
	int n = 0;
	int rc = ladder(d, p, t, now, rungs, &n);
	mu_date_format(t->day, date);
	if (rc || (rc = db_prepare(d, sql_missed_insert, &s)))
		return rc;
	db_bind_text(s, 1, t->id, -1);
	db_bind_text(s, 2, date, -1);
	db_bind_i64(s, 3, t->due);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	for (int i = 1; i < n; i++) {
		if ((rc = db_prepare(d, sql_step_insert, &s)))
			return rc;
		db_bind_text(s, 1, t->id, -1);
		db_bind_text(s, 2, date, -1);
		db_bind_i64(s, 3, rungs[i].level);
		db_bind_i64(s, 4, rungs[i].place_id);
		db_bind_i64(s, 5, rungs[i].from);
		rc = db_step(s);
		db_stmt_done(s);
		if (rc != DB_DONE)
			return rc;
		*steps += db_changes(d);
	}
	return 0;
}

int control_tasks_sweep_collect(struct db *d, struct screening_cov *cov, int64_t now,
				int64_t swept_at, struct control_task_list *missed)
{
	struct db_stmt *s;
	int64_t *grids = NULL, today = control_gz_day(now);
	size_t n = 0, cap = 0;
	struct control_task_list l;
	struct control_city city = {0};
	int rc = db_prepare(d, sql_held_grids, &s);
	if (rc)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grids = mu_xrealloc(grids, cap * sizeof *grids);
		}
		grids[n++] = db_col_i64(s, 0);
	}
	db_stmt_done(s);
	rc = rc == DB_DONE ? 0 : rc;
	if (!rc && n)
		rc = control_city_load(d, cov, today - 1, today, &city);
	const struct src src = {.city = &city};
	control_task_list_init(&l);
	for (size_t i = 0; i < n && !rc; i++) {
		for (int64_t day = today - 1; day <= today && !rc; day++) {
			/* A day's roll-call is missed at its due time and has climbed as far
			 * as it goes CONTROL_TASK_COMMUNITY_S later: before the one, or once a
			 * sweep began after the other, there is nothing of it to record. */
			int64_t due = due_of(CONTROL_TASK_ROLLCALL, day, 0);
			bool rollcall = now >= due && swept_at < due + CONTROL_TASK_COMMUNITY_S;
			l.n = 0;
			rc = derive(d, &src, grids[i], day, now, rollcall, &l);
			for (size_t j = 0; j < l.n && !rc; j++)
				if (l.v[j].state == CONTROL_TASK_MISSED)
					*list_push(missed) = l.v[j];
		}
	}
	control_task_list_fini(&l);
	control_city_fini(&city);
	free(grids);
	return rc;
}

int control_tasks_sweep_record(struct db *d, const struct control_task_list *missed, int64_t now,
			       int64_t *steps)
{
	int64_t nsteps = 0;
	struct path p = {0};
	int rc = 0;
	for (size_t i = 0; i < missed->n && !rc; i++)
		rc = sweep_task(d, &p, &missed->v[i], now, &nsteps);
	if (steps)
		*steps = nsteps;
	return rc;
}

int control_tasks_sweep(struct db *d, int64_t now, int64_t *steps)
{
	struct control_task_list missed;
	control_task_list_init(&missed);
	int rc = control_tasks_sweep_collect(d, NULL, now, 0, &missed);
	if (!rc)
		rc = control_tasks_sweep_record(d, &missed, now, steps);
	control_task_list_fini(&missed);
	return rc;
}
