/* tasks_city.c: the city at once for the tasks of many grids — key persons, their plan
 * tests, first running plans, check-ins, the days' marks and each open round's missing
 * people read in a few scans, and only the households these live in named. */
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

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Orders by (x1, x2) against (y1, y2). */
static int cmp_pair(int64_t x1, int64_t x2, int64_t y1, int64_t y2)
{
	if (x1 != y1)
		return x1 < y1 ? -1 : 1;
	return x2 < y2 ? -1 : x2 > y2;
}

static int cmp_city_hh(const void *a, const void *b)
{
	const struct control_city_hh *x = a, *y = b;
	return cmp_pair(x->grid, x->id, y->grid, y->id);
}

#define GROW_TO(arr, n, cap)                                                                       \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 1024;                                            \
			(arr) = mu_xrealloc((arr), (cap) * sizeof *(arr));                         \
		}                                                                                  \
	} while (0)

/* Stores text in the city's string store; its offset. */
static uint32_t city_keep(struct control_city *c, const char *text)
{
	size_t n = strlen(text) + 1;
	if (c->nstr + n > c->capstr) {
		while (c->nstr + n > c->capstr)
			c->capstr = c->capstr ? c->capstr * 2 : 1 << 16;
		c->str = mu_xrealloc(c->str, c->capstr);
	}
	memcpy(c->str + c->nstr, text, n);
	c->nstr += n;
	MU_ASSERT(c->nstr < UINT32_MAX);
	return (uint32_t)(c->nstr - n);
}

struct ids64 {
	int64_t *v;
	size_t n, cap;
};

static void ids_push(struct ids64 *x, int64_t v)
{
	GROW_TO(x->v, x->n, x->cap);
	x->v[x->n++] = v;
}

static int recall_person(const struct screening_recall *r, void *ctx)
{
	ids_push(ctx, r->person_id);
	return 0;
}

/* Names the households hh[0..n) (sorted by id, distinct) and finds their grids: a
 * household's building and compound are read once for a run of households sharing them
 * (ids run building by building when a city was loaded or generated). */
static int city_name(struct db *d, struct control_city *c, const int64_t *hh, size_t n)
{
	struct places_node h, b = {0}, k = {0};
	uint32_t bname = 0, bcode = 0, ccode = 0;
	int rc = 0;
	c->hh = mu_xmalloc((n ? n : 1) * sizeof *c->hh);
	for (size_t i = 0; i < n && !rc; i++) {
		if ((rc = places_get(d, hh[i], &h)))
			break;
		if (h.level != PLACES_HOUSEHOLD)
			continue;
		if (h.parent_id != b.id) {
			if ((rc = places_get(d, h.parent_id, &b)))
				break;
			bname = city_keep(c, b.name);
			bcode = city_keep(c, b.code);
		}
		if (b.parent_id != k.id) {
			if ((rc = places_get(d, b.parent_id, &k)))
				break;
			ccode = city_keep(c, k.code);
		}
		c->hh[c->nhh++] = (struct control_city_hh){.id = h.id,
							   .building = b.id,
							   .compound = k.id,
							   .grid = k.parent_id,
							   .name = city_keep(c, h.name),
							   .code = city_keep(c, h.code),
							   .bname = bname,
							   .bcode = bcode,
							   .ccode = ccode};
	}
	return rc;
}

static const char sql_city_marks[] =
    "SELECT task, state FROM task_marks WHERE day >= ? AND day <= ?";
static const char sql_city_tests[] =
    "SELECT t.person_id, t.id, t.due, p.made_at FROM plan_tests t JOIN plans p ON p.id = t.plan_id"
    " WHERE t.state IN ('due', 'missed') AND t.due <= ? AND p.ended_at IS NULL";
static const char sql_city_plans[] =
    "SELECT person_id, min(made_at) FROM plans WHERE ended_at IS NULL GROUP BY person_id"
    " ORDER BY person_id";
static const char sql_city_checkins[] =
    "SELECT person_id, id, at, fever FROM checkins WHERE at >= ? AND at < ?";

static int cmp_test(const void *a, const void *b)
{
	const struct control_city_test *x = a, *y = b;
	return cmp_pair(x->person_id, x->id, y->person_id, y->id);
}

static int cmp_checkin(const void *a, const void *b)
{
	const struct control_city_checkin *x = a, *y = b;
	return cmp_pair(x->person_id, x->id, y->person_id, y->id);
}

/* The key persons' rows for days [from_day, to_day]: plan tests due by then and not
 * taken, the first running plan of each person, the check-ins of those days. */
static int city_rows(struct db *d, struct control_city *c, int64_t from_day, int64_t to_day)
{
	struct db_stmt *s;
	size_t cap = 0;
	char to[11];
	mu_date_format(to_day, to);
	int rc = db_prepare(d, sql_city_tests, &s);
	if (rc)
		return rc;
	db_bind_text(s, 1, to, -1);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t due_day;
		if (mu_date_parse(db_col_text(s, 2), &due_day))
			continue;
		GROW_TO(c->tests, c->ntests, cap);
		c->tests[c->ntests++] = (struct control_city_test){
		    db_col_i64(s, 0), db_col_i64(s, 1), due_day, db_col_i64(s, 3)};
	}
	db_stmt_done(s);
	if (rc != DB_DONE || (rc = db_prepare(d, sql_city_plans, &s)))
		return rc < 0 ? rc : rc == DB_DONE ? 0 : rc;
	cap = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		GROW_TO(c->plans, c->nplans, cap);
		c->plans[c->nplans++] =
		    (struct control_city_plan){db_col_i64(s, 0), db_col_i64(s, 1)};
	}
	db_stmt_done(s);
	if (rc != DB_DONE || (rc = db_prepare(d, sql_city_checkins, &s)))
		return rc < 0 ? rc : rc == DB_DONE ? 0 : rc;
	cap = 0;
	db_bind_i64(s, 1, control_gz_midnight(from_day));
	db_bind_i64(s, 2, control_gz_midnight(to_day + 1));
	while ((rc = db_step(s)) == DB_ROW) {
		GROW_TO(c->checkins, c->ncheckins, cap);
		c->checkins[c->ncheckins++] = (struct control_city_checkin){
		    db_col_i64(s, 0), db_col_i64(s, 1), db_col_i64(s, 2), db_col_i64(s, 3) != 0};
	}
	db_stmt_done(s);
	if (rc != DB_DONE || (rc = db_prepare(d, sql_city_marks, &s)))
		return rc < 0 ? rc : rc == DB_DONE ? 0 : rc;
	/* The marks of the days' tasks (a task of an earlier day asks its own). */
	char from[11];
	mu_date_format(from_day, from);
	c->marks_from = from_day;
	c->marks_to = to_day;
	cap = 0;
	db_bind_text(s, 1, from, -1);
	db_bind_text(s, 2, to, -1);
	while ((rc = db_step(s)) == DB_ROW) {
		GROW_TO(c->marks, c->nmarks, cap);
		struct control_city_mark *m = &c->marks[c->nmarks++];
		snprintf(m->task, sizeof m->task, "%s", db_col_text(s, 0));
		m->done = !strcmp(db_col_text(s, 1), "done");
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	/* One entry a task: done outranks missed. */
	size_t u = 0;
	if (c->nmarks > 1)
		qsort(c->marks, c->nmarks, sizeof *c->marks, control__cmp_mark);
	for (size_t i = 0; i < c->nmarks; i++) {
		if (u && !strcmp(c->marks[u - 1].task, c->marks[i].task))
			c->marks[u - 1].done |= c->marks[i].done;
		else
			c->marks[u++] = c->marks[i];
	}
	c->nmarks = u;
	if (c->ntests > 1)
		qsort(c->tests, c->ntests, sizeof *c->tests, cmp_test);
	if (c->ncheckins > 1)
		qsort(c->checkins, c->ncheckins, sizeof *c->checkins, cmp_checkin);
	return 0;
}

int control_city_load(struct db *d, struct screening_cov *cov, int64_t from_day, int64_t to_day,
		      struct control_city *c)
{
	struct control__rounds rs = {0};
	struct ids64 hh = {0}, recalled = {0};
	int64_t root = 0;
	memset(c, 0, sizeof *c);
	int rc = control_keyset_load(d, &c->keys);
	if (!rc)
		rc = city_rows(d, c, from_day, to_day);
	if (!rc)
		rc = screening_round_list(d, control__round_collect, &rs);
	if (!rc)
		rc = places_root(d, &root);
	c->all = rs.v;
	c->nall = rs.n;
	for (size_t i = 0; i < c->keys.n; i++)
		ids_push(&hh, c->keys.v[i].household_id);
	for (size_t i = 0; i < rs.n && !rc; i++) {
		rc = screening_recall_list(d, rs.v[i].id, root, SCREENING_RECALL_PENDING, 0,
					   recall_person, &recalled);
		if (rc || !control__round_open_on(&rs.v[i], from_day, to_day))
			continue;
		c->rounds = mu_xrealloc(c->rounds, (c->nrounds + 1) * sizeof *c->rounds);
		struct control_city_round *cr = &c->rounds[c->nrounds++];
		cr->round_id = rs.v[i].id;
		if ((rc = screening_missing_all(d, cov, rs.v[i].id, &cr->absent)))
			break;
		for (size_t j = 0; j < cr->absent.n; j++)
			ids_push(&hh, cr->absent.v[j].household_id);
	}
	/* The households recalled people live in now. */
	if (!rc && recalled.n) {
		int64_t *of = mu_xmalloc(recalled.n * sizeof *of);
		rc = people_households_of(d, recalled.v, recalled.n, of);
		for (size_t i = 0; i < recalled.n && !rc; i++)
			if (of[i])
				ids_push(&hh, of[i]);
		free(of);
	}
	/* Each household once, named, by grid. */
	size_t u = 0;
	if (hh.n)
		qsort(hh.v, hh.n, sizeof *hh.v, cmp_i64);
	for (size_t i = 0; i < hh.n; i++)
		if (!u || hh.v[u - 1] != hh.v[i])
			hh.v[u++] = hh.v[i];
	if (!rc)
		rc = city_name(d, c, hh.v, u);
	if (!rc && c->nhh)
		qsort(c->hh, c->nhh, sizeof *c->hh, cmp_city_hh);
	free(hh.v);
	free(recalled.v);
	if (rc)
		control_city_fini(c);
	return rc;
}

void control_city_fini(struct control_city *c)
{
	for (size_t i = 0; i < c->nrounds; i++)
		screening_absent_set_fini(&c->rounds[i].absent);
	free(c->rounds);
	free(c->all);
	free(c->hh);
	free(c->str);
	free(c->tests);
	free(c->plans);
	free(c->checkins);
	free(c->marks);
	control_keyset_fini(&c->keys);
	memset(c, 0, sizeof *c);
}
