/* epi.c: the daily epidemic curve of a place — new confirmed and asymptomatic cases,
 * discharges and cumulative counts per Guangzhou date, the days since the last case —
 * and the WHO tracing indicators: new cases already listed as contacts, cases whose
 * contacts were listed within 24 h, and contacts in plans seen each day. Reads cases,
 * contacts, plans, plan_tests and checkins. */
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

static const char sql_cases[] =
    "SELECT " CONTROL__CASE_COLS " FROM cases ORDER BY confirmed_at, id";
static const char sql_was_contact[] =
    "SELECT 1 FROM contacts WHERE person_id = ? AND listed_at <= ? LIMIT 1";
static const char sql_listed_by[] =
    "SELECT 1 FROM contacts WHERE case_id = ? AND listed_at <= ? LIMIT 1";
static const char sql_contacts_of[] = "SELECT person_id FROM contacts WHERE case_id = ?";
static const char sql_plans_of[] = "SELECT made_at, ended_at FROM plans WHERE person_id = ?";
static const char sql_checkins_of[] =
    "SELECT at FROM checkins WHERE person_id = ? AND at >= ? AND at < ?";
static const char sql_tests_of[] =
    "SELECT due FROM plan_tests WHERE person_id = ? AND due >= ? AND due <= ?"
    " AND state IN ('taken', 'negative', 'positive')";

/* 1 when the statement bound with (a, b) finds a row, 0 when not, or an error. */
static int exists(struct db *d, const char *sql, int64_t a, int64_t b)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, a);
	db_bind_i64(s, 2, b);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_ROW ? 1 : rc;
}

struct people_set {
	int64_t *ids;
	size_t n, cap;
};

static void set_add(struct people_set *p, int64_t id)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->ids = mu_xrealloc(p->ids, p->cap * sizeof *p->ids);
	}
	p->ids[p->n++] = id;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int contacts_of(struct db *d, int64_t case_id, struct people_set *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_contacts_of, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, case_id);
	while ((rc = db_step(s)) == DB_ROW)
		set_add(out, db_col_i64(s, 0));
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* One contact's days in e: running plan days (in_plans) and, of those, days seen (a
 * check-in or a plan test taken). mark is scratch of e->ndays bytes. */
static int seen_days(struct db *d, int64_t person, struct control_epi *e, int64_t from,
		     unsigned char *mark)
{
	struct db_stmt *s;
	int64_t to = from + (int64_t)e->ndays - 1;
	char f[11], t[11];
	int rc = db_prepare(d, sql_plans_of, &s);
	if (rc)
		return rc;
	memset(mark, 0, e->ndays);
	db_bind_i64(s, 1, person);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t a = control_gz_day(db_col_i64(s, 0));
		int64_t b = db_col_null(s, 1) ? to : control_gz_day(db_col_i64(s, 1));
		for (int64_t day = a < from ? from : a; day <= b && day <= to; day++)
			mark[day - from] = 1;
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	if ((rc = db_prepare(d, sql_checkins_of, &s)))
		return rc;
	db_bind_i64(s, 1, person);
	db_bind_i64(s, 2, control_gz_midnight(from));
	db_bind_i64(s, 3, control_gz_midnight(to + 1));
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t day = control_gz_day(db_col_i64(s, 0));
		if (mark[day - from])
			mark[day - from] = 2;
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	if ((rc = db_prepare(d, sql_tests_of, &s)))
		return rc;
	mu_date_format(from, f);
	mu_date_format(to, t);
	db_bind_i64(s, 1, person);
	db_bind_text(s, 2, f, -1);
	db_bind_text(s, 3, t, -1);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t day;
		if (!mu_date_parse(db_col_text(s, 0), &day) && day >= from && day <= to &&
		    mark[day - from])
			mark[day - from] = 2;
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	for (size_t i = 0; i < e->ndays; i++) {
		e->days[i].in_plans += mark[i] > 0;
		e->days[i].seen += mark[i] == 2;
	}
	return 0;
}

/* A case under place: its day's counts, the cumulative ones and the indicators. */
static int count_case(struct db *d, const struct control_case *c, struct control_epi *e,
		      int64_t from, int64_t to, int64_t *before, int64_t *dis_before,
		      struct people_set *contacts)
{
	int64_t day = control_gz_day(c->confirmed_at);
	int rc;
	if (day > to)
		return 0;
	e->last_case_date = day; /* cases come in confirmation order */
	if (day < from)
		(*before)++;
	else {
		struct control_epi_day *x = &e->days[day - from];
		if (c->kind == CONTROL_CASE_CONFIRMED)
			x->confirmed++;
		else
			x->asymptomatic++;
		e->cases++;
		if ((rc = exists(d, sql_was_contact, c->person_id, c->confirmed_at)) < 0)
			return rc;
		e->from_contacts += rc;
		if ((rc = exists(d, sql_listed_by, c->id, c->confirmed_at + 86400)) < 0)
			return rc;
		e->listed_24h += rc;
	}
	if (c->discharged_at) {
		int64_t dd = control_gz_day(c->discharged_at);
		if (dd < from)
			(*dis_before)++;
		else if (dd <= to)
			e->days[dd - from].discharged++;
	}
	return contacts_of(d, c->id, contacts);
}

int control_epi_get(struct db *d, int64_t place, int64_t from, int64_t to, struct control_epi *out)
{
	struct db_stmt *s = NULL;
	struct control_case c;
	struct people_set contacts = {0};
	int64_t before = 0, dis_before = 0, last_hh = 0;
	unsigned char *mark = NULL;
	bool in = false;
	int rc;
	memset(out, 0, sizeof *out);
	out->last_case_date = CONTROL_NO_DATE;
	if (to < from || to - from >= CONTROL_EPI_DAYS_MAX)
		return MU_EINVAL;
	out->ndays = (size_t)(to - from + 1);
	out->days = mu_xcalloc(out->ndays, sizeof *out->days);
	for (size_t i = 0; i < out->ndays; i++)
		out->days[i].date = from + (int64_t)i;
	if ((rc = db_prepare(d, sql_cases, &s)))
		goto out;
	while ((rc = db_step(s)) == DB_ROW) {
		control__case_read(s, &c);
		if (c.household_id != last_hh &&
		    (rc = places_is_within(d, c.household_id, place, &in)))
			break;
		last_hh = c.household_id;
		if (in && (rc = count_case(d, &c, out, from, to, &before, &dis_before, &contacts)))
			break;
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		goto out;
	for (size_t i = 0; i < out->ndays; i++) {
		before += out->days[i].confirmed + out->days[i].asymptomatic;
		dis_before += out->days[i].discharged;
		out->days[i].cumulative = before;
		out->days[i].discharged_cumulative = dis_before;
	}
	/* Each contact once, however many cases list them. */
	if (contacts.n > 1)
		qsort(contacts.ids, contacts.n, sizeof *contacts.ids, cmp_id);
	mark = mu_xmalloc(out->ndays);
	rc = 0;
	for (size_t i = 0; rc == 0 && i < contacts.n; i++)
		if (i == 0 || contacts.ids[i] != contacts.ids[i - 1])
			rc = seen_days(d, contacts.ids[i], out, from, mark);
out:
	free(mark);
	free(contacts.ids);
	if (rc)
		control_epi_fini(out);
	return rc;
}

void control_epi_fini(struct control_epi *e)
{
	free(e->days);
	e->days = NULL;
	e->ndays = 0;
}
