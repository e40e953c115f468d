/* plans.c: the plans of key persons (一人一方案) on the writer — made from the template
 * their status kind uses when the status starts, moved when the exposure moves later,
 * ended with the status or after their last day; their tests answered by screening's
 * results (single tubes), missed after their day, and the daily sweep. */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "screening/screening.h"

static const char sql_use_of[] = "SELECT template FROM plan_uses WHERE kind = ?";
static const char sql_plan_of_status[] = "SELECT id, template, coalesce(exposure_at, 0) FROM plans "
					 "WHERE status_id = ? AND ended_at IS NULL";
static const char sql_plan_add[] =
    "INSERT INTO plans (person_id, status_id, template, exposure_at, made_at, phases, ends) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_plan_move[] =
    "UPDATE plans SET exposure_at = ?, phases = ?, ends = ? WHERE id = ?";
static const char sql_test_add[] =
    "INSERT INTO plan_tests (plan_id, person_id, day, due) VALUES (?, ?, ?, ?)";
static const char sql_tests_drop_open[] =
    "DELETE FROM plan_tests WHERE plan_id = ? AND state IN ('due', 'missed')";
static const char sql_taken_on[] =
    "SELECT 1 FROM plan_tests WHERE plan_id = ? AND due = ? AND state NOT IN ('due', 'missed')";
static const char sql_test_on[] = "SELECT 1 FROM plan_tests WHERE plan_id = ? AND due = ?";
static const char sql_plan_end[] = "UPDATE plans SET ended_at = ? WHERE id = ?";
static const char sql_tests_drop_due[] =
    "DELETE FROM plan_tests WHERE plan_id = ? AND state = 'due'";
static const char sql_alone[] =
    "SELECT 1 FROM plan_tests t JOIN plans p ON p.id = t.plan_id "
    "WHERE t.person_id = ? AND t.state IN ('due', 'missed') AND t.due <= ? "
    "AND p.ended_at IS NULL LIMIT 1";
static const char sql_open_tests[] =
    "SELECT t.id FROM plan_tests t JOIN plans p ON p.id = t.plan_id "
    "WHERE t.person_id = ? AND t.state = 'due' AND t.due <= ? "
    "AND p.ended_at IS NULL";
static const char sql_test_result[] =
    "UPDATE plan_tests SET state = ?, sample_id = ?, taken_at = ?, resulted_at = ? WHERE id = ?";

static void date_text(int64_t day, char out[11])
{
	mu_date_format(day, out);
}

/* The phases of cal as the JSON text plans.phases holds; the caller frees. */
static char *phases_text(const struct control_calendar *cal)
{
	json_t *a = json_array();
	char from[11], to[11];
	for (int i = 0; i < cal->nphases; i++) {
		date_text(cal->phases[i].from, from);
		date_text(cal->phases[i].to, to);
		json_array_append_new(
		    a, json_pack("{s:s, s:s, s:o}", "kind", control_phase_name(cal->phases[i].kind),
				 "from", from, "to",
				 cal->phases[i].to < 0 ? json_null() : json_string(to)));
	}
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static int bind_ends(struct db_stmt *st, int i, int64_t ends)
{
	char t[11];
	if (ends < 0)
		return db_bind_null(st, i);
	date_text(ends, t);
	return db_bind_text(st, i, t, -1);
}

/* Adds the calendar's tests to plan, skipping a day on which a test was already taken. */
static int tests_add(struct db *d, int64_t plan, int64_t person, const struct control_calendar *cal)
{
	int rc = 0;
	for (int i = 0; i < cal->ntests && rc == 0; i++) {
		struct db_stmt *st;
		char due[11];
		date_text(cal->tests[i].due, due);
		if ((rc = db_prepare(d, sql_taken_on, &st)))
			break;
		db_bind_i64(st, 1, plan);
		db_bind_text(st, 2, due, -1);
		rc = db_step(st);
		db_stmt_done(st);
		if (rc == DB_ROW) {
			rc = 0;
			continue;
		}
		if (rc < 0 || (rc = db_prepare(d, sql_test_add, &st)))
			break;
		db_bind_i64(st, 1, plan);
		db_bind_i64(st, 2, person);
		db_bind_i64(st, 3, cal->tests[i].day);
		db_bind_text(st, 4, due, -1);
		rc = db_step(st);
		db_stmt_done(st);
	}
	return rc < 0 ? rc : 0;
}

int control__plan_status_started(struct db *d, int64_t status_id, int64_t person, const char *kind,
				 int64_t exposure_at, int64_t started_at, int64_t now)
{
	struct db_stmt *st;
	struct control_template t;
	struct control_calendar cal;
	char name[CONTROL_TEMPLATE_NAME_MAX + 1] = "";
	int64_t plan = 0, had_exposure = 0;
	char *phases = NULL;
	bool changed;
	int rc = db_prepare(d, sql_plan_of_status, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, status_id);
	if ((rc = db_step(st)) == DB_ROW) {
		plan = db_col_i64(st, 0);
		snprintf(name, sizeof name, "%s", db_col_text(st, 1));
		had_exposure = db_col_i64(st, 2);
	}
	db_stmt_done(st);
	if (rc < 0)
		return rc;
	if (plan && exposure_at <= had_exposure) /* the same or an earlier exposure: unmoved */
		return control__colour_update(d, person, now, &changed);
	if (!plan) {
		if ((rc = db_prepare(d, sql_use_of, &st)))
			return rc;
		db_bind_text(st, 1, kind, -1);
		if ((rc = db_step(st)) == DB_ROW)
			snprintf(name, sizeof name, "%s", db_col_text(st, 0));
		db_stmt_done(st);
		if (rc < 0)
			return rc;
		if (!name[0]) /* a kind without a plan (a case, a pool-positive) */
			return control__colour_update(d, person, now, &changed);
	}
	if ((rc = control_template_get(d, name, &t)))
		return rc;
	control_calendar_compute(&t, control_gz_day(exposure_at ? exposure_at : started_at),
				 control_gz_day(now), &cal);
	phases = phases_text(&cal);
	if (!plan) {
		if ((rc = db_prepare(d, sql_plan_add, &st)))
			goto out;
		db_bind_i64(st, 1, person);
		db_bind_i64(st, 2, status_id);
		db_bind_text(st, 3, name, -1);
		if (exposure_at)
			db_bind_i64(st, 4, exposure_at);
		else
			db_bind_null(st, 4);
		db_bind_i64(st, 5, now);
		db_bind_text(st, 6, phases, -1);
		bind_ends(st, 7, cal.ends);
		rc = db_step(st);
		db_stmt_done(st);
		if (rc < 0)
			goto out;
		plan = db_last_insert_id(d);
	} else {
		/* A later exposure moves the plan: new phases, and the tests not yet taken are
		 * made again from the new day 0. */
		if ((rc = db_prepare(d, sql_plan_move, &st)))
			goto out;
		db_bind_i64(st, 1, exposure_at);
		db_bind_text(st, 2, phases, -1);
		bind_ends(st, 3, cal.ends);
		db_bind_i64(st, 4, plan);
		rc = db_step(st);
		db_stmt_done(st);
		if (rc < 0 || (rc = db_prepare(d, sql_tests_drop_open, &st)))
			goto out;
		db_bind_i64(st, 1, plan);
		rc = db_step(st);
		db_stmt_done(st);
		if (rc < 0)
			goto out;
	}
	if ((rc = tests_add(d, plan, person, &cal)) == 0)
		rc = control__colour_update(d, person, now, &changed);
out:
	free(phases);
	return rc < 0 ? rc : 0;
}

/* Ends plan at now and drops its tests still due. */
static int plan_end(struct db *d, int64_t plan, int64_t now)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql_plan_end, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, now);
	db_bind_i64(st, 2, plan);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc < 0 || (rc = db_prepare(d, sql_tests_drop_due, &st)))
		return rc;
	db_bind_i64(st, 1, plan);
	rc = db_step(st);
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int control__plan_status_ended(struct db *d, int64_t status_id, int64_t person, int64_t now)
{
	struct db_stmt *st;
	int64_t plan = 0;
	bool changed;
	int rc = db_prepare(d, sql_plan_of_status, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, status_id);
	if ((rc = db_step(st)) == DB_ROW)
		plan = db_col_i64(st, 0);
	db_stmt_done(st);
	if (rc < 0 || (plan && (rc = plan_end(d, plan, now))))
		return rc;
	return control__colour_update(d, person, now, &changed);
}

int control__plan_alone(struct db *d, int64_t person, int64_t now, bool *alone)
{
	struct db_stmt *st;
	char today[11];
	int rc = db_prepare(d, sql_alone, &st);
	*alone = false;
	if (rc)
		return rc;
	date_text(control_gz_day(now), today);
	db_bind_i64(st, 1, person);
	db_bind_text(st, 2, today, -1);
	rc = db_step(st);
	*alone = rc == DB_ROW;
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

#define OPEN_TESTS_MAX 64

int control__plan_on_result(struct db *d, int64_t person, int64_t sample_id, int result, int k,
			    int64_t sampled_at, int64_t resulted_at)
{
	struct db_stmt *st;
	int64_t ids[OPEN_TESTS_MAX];
	size_t n = 0;
	char day[11];
	bool changed;
	int rc;
	/* An invalid result answers nothing; a pooled positive is a recall, not a result. */
	if (result == SCREENING_RESULT_INVALID || (result == SCREENING_RESULT_POSITIVE && k != 1))
		return 0;
	if ((rc = db_prepare(d, sql_open_tests, &st)))
		return rc;
	date_text(control_gz_day(sampled_at), day);
	db_bind_i64(st, 1, person);
	db_bind_text(st, 2, day, -1);
	while (n < OPEN_TESTS_MAX && (rc = db_step(st)) == DB_ROW)
		ids[n++] = db_col_i64(st, 0);
	db_stmt_done(st);
	if (rc < 0)
		return rc;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((rc = db_prepare(d, sql_test_result, &st)))
			return rc;
		db_bind_text(st, 1, result == SCREENING_RESULT_POSITIVE ? "positive" : "negative",
			     -1);
		db_bind_i64(st, 2, sample_id);
		db_bind_i64(st, 3, sampled_at);
		db_bind_i64(st, 4, resulted_at);
		db_bind_i64(st, 5, ids[i]);
		rc = db_step(st);
		db_stmt_done(st);
		if (rc < 0)
			return rc;
	}
	return control__colour_update(d, person, resulted_at, &changed);
}

/* ---- the sweep ------------------------------------------------------------------------ */

static const char sql_missed_people[] =
    "SELECT DISTINCT t.person_id FROM plan_tests t JOIN plans p ON p.id = t.plan_id "
    "WHERE t.due < ? AND t.state = 'due' AND p.ended_at IS NULL";
static const char sql_mark_missed[] =
    "UPDATE plan_tests SET state = 'missed' WHERE due < ? AND state = 'due' "
    "AND plan_id IN (SELECT id FROM plans WHERE ended_at IS NULL)";
static const char sql_past_plans[] =
    "SELECT id, person_id FROM plans WHERE ended_at IS NULL AND ends IS NOT NULL AND ends < ?";
static const char sql_open_plans[] =
    "SELECT p.id, p.person_id, p.template, coalesce(p.exposure_at, s.started_at) "
    "FROM plans p JOIN key_statuses s ON s.id = p.status_id "
    "WHERE p.ended_at IS NULL AND p.ends IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM plan_tests t WHERE t.plan_id = p.id AND t.due = ?) LIMIT ?";
static const char sql_running_people[] =
    "SELECT person_id FROM (SELECT person_id FROM plans WHERE ended_at IS NULL "
    "UNION SELECT person_id FROM plan_tests WHERE state = 'missed') "
    "WHERE person_id > ? ORDER BY person_id LIMIT ?";

/* People (or plans) one sweep takes at most in each of its bulk steps: a sweep is one
 * writer job, and every other write waits for it. A person's colour reads their last
 * rounds: ~0.1 ms on a warm cache, but 27 ms a person was seen on a cold one (the day's
 * recompute of 200,000 people in plans on the full-scale city), when 2,000 a job held
 * the writer ~54 s; 250 hold it ~7 s at worst. */
#define SWEEP_CHUNK 250

struct ids {
	int64_t *v;
	size_t n, cap;
};

static void ids_add(struct ids *s, int64_t id)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = mu_xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = id;
}

static int ids_query(struct db *d, const char *sql, const char *date, struct ids *out)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql, &st);
	if (rc)
		return rc;
	if (date)
		db_bind_text(st, 1, date, -1);
	while ((rc = db_step(st)) == DB_ROW)
		ids_add(out, db_col_i64(st, 0));
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Adds today's test to each open plan (an `every` template) that has none yet, at most
 * SWEEP_CHUNK of them; *more when some may be left. */
static int open_plans_today(struct db *d, int64_t today, bool *more)
{
	struct db_stmt *st;
	struct ids plans = {0}, people = {0}, d0s = {0};
	struct mu_buf names;
	char date[11];
	int rc = db_prepare(d, sql_open_plans, &st);
	if (rc)
		return rc;
	date_text(today, date);
	db_bind_text(st, 1, date, -1);
	db_bind_i64(st, 2, SWEEP_CHUNK);
	mu_buf_init(&names, 1u << 24);
	while ((rc = db_step(st)) == DB_ROW) {
		ids_add(&plans, db_col_i64(st, 0));
		ids_add(&people, db_col_i64(st, 1));
		ids_add(&d0s, control_gz_day(db_col_i64(st, 3)));
		mu_buf_append(&names, db_col_text(st, 2), strlen(db_col_text(st, 2)) + 1);
	}
	db_stmt_done(st);
	*more |= plans.n == SWEEP_CHUNK;
	const char *name = mu_buf_str(&names);
	for (size_t i = 0; rc >= 0 && i < plans.n; i++, name += strlen(name) + 1) {
		struct control_template t;
		struct control_calendar cal;
		if ((rc = control_template_get(d, name, &t)))
			break;
		if (!t.every)
			continue;
		control_calendar_compute(&t, d0s.v[i], today, &cal);
		/* Only the day's own test, once: the collapsed past ones were due when it was
		 * made. */
		struct db_stmt *q;
		char due[11];
		date_text(today, due);
		if ((rc = db_prepare(d, sql_test_on, &q)))
			break;
		db_bind_i64(q, 1, plans.v[i]);
		db_bind_text(q, 2, due, -1);
		rc = db_step(q);
		db_stmt_done(q);
		if (rc != DB_DONE) {
			rc = rc < 0 ? rc : 0;
			continue;
		}
		for (int j = 0; j < cal.ntests; j++)
			if (cal.tests[j].due == today &&
			    cal.tests[j].day == (int)(today - d0s.v[i])) {
				cal.tests[0] = cal.tests[j];
				cal.ntests = 1;
				rc = tests_add(d, plans.v[i], people.v[i], &cal);
				break;
			}
	}
	mu_buf_fini(&names);
	free(plans.v);
	free(people.v);
	free(d0s.v);
	return rc < 0 ? rc : 0;
}

/* Statuses written without control__key_start (a bulk load, a bench's seed, a repair by
 * hand) are caught up with: a plan for each open status of a kind that has one and none
 * yet, the plan of a status ended ended too, and the colour of their people. */
static const char sql_planless[] =
    "SELECT s.id, s.person_id, s.kind, coalesce(s.exposure_at, 0), s.started_at "
    "FROM key_statuses s JOIN plan_uses u ON u.kind = s.kind WHERE s.ended_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.status_id = s.id) LIMIT ?";
static const char sql_orphans[] =
    "SELECT p.id, p.person_id FROM plans p JOIN key_statuses s ON s.id = p.status_id "
    "WHERE p.ended_at IS NULL AND s.ended_at IS NOT NULL";
static const char sql_uncoloured[] =
    "SELECT DISTINCT s.person_id FROM key_statuses s WHERE s.ended_at IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM code_colours c WHERE c.person_id = s.person_id AND c.colour > 0) "
    "UNION SELECT c.person_id FROM code_colours c WHERE c.colour = 2 AND NOT EXISTS "
    "(SELECT 1 FROM key_statuses s WHERE s.person_id = c.person_id AND s.ended_at IS NULL)";

static int catch_up(struct db *d, int64_t now, struct ids *people, bool *more)
{
	struct db_stmt *st;
	struct ids sts = {0}, who = {0}, exp = {0}, started = {0}, plans = {0};
	struct mu_buf kinds;
	int rc = db_prepare(d, sql_planless, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, SWEEP_CHUNK);
	mu_buf_init(&kinds, 1u << 20);
	while ((rc = db_step(st)) == DB_ROW) {
		ids_add(&sts, db_col_i64(st, 0));
		ids_add(&who, db_col_i64(st, 1));
		mu_buf_append(&kinds, db_col_text(st, 2), strlen(db_col_text(st, 2)) + 1);
		ids_add(&exp, db_col_i64(st, 3));
		ids_add(&started, db_col_i64(st, 4));
	}
	db_stmt_done(st);
	*more |= sts.n == SWEEP_CHUNK;
	const char *kind = mu_buf_str(&kinds);
	for (size_t i = 0; rc >= 0 && i < sts.n; i++, kind += strlen(kind) + 1)
		rc = control__plan_status_started(d, sts.v[i], who.v[i], kind, exp.v[i],
						  started.v[i], now);
	if (rc >= 0 && (rc = db_prepare(d, sql_orphans, &st)) == 0) {
		while ((rc = db_step(st)) == DB_ROW) {
			ids_add(&plans, db_col_i64(st, 0));
			ids_add(people, db_col_i64(st, 1));
		}
		db_stmt_done(st);
	}
	for (size_t i = 0; rc >= 0 && i < plans.n; i++)
		rc = plan_end(d, plans.v[i], now);
	if (rc >= 0)
		rc = ids_query(d, sql_uncoloured, NULL, people);
	mu_buf_fini(&kinds);
	free(sts.v);
	free(who.v);
	free(exp.v);
	free(started.v);
	free(plans.v);
	return rc < 0 ? rc : 0;
}

int control_plans_sweep(struct db *d, int64_t now, struct control_sweep *sw, int64_t *changed)
{
	struct db_stmt *st;
	struct ids people = {0}, ended = {0};
	int64_t today = control_gz_day(now);
	char date[11];
	int rc;
	*changed = 0;
	sw->more = false;
	date_text(today, date);
	if ((rc = catch_up(d, now, &people, &sw->more)) ||
	    (rc = ids_query(d, sql_missed_people, date, &people)))
		goto out;
	if ((rc = db_prepare(d, sql_mark_missed, &st)))
		goto out;
	db_bind_text(st, 1, date, -1);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc < 0)
		goto out;
	if ((rc = db_prepare(d, sql_past_plans, &st)))
		goto out;
	db_bind_text(st, 1, date, -1);
	while ((rc = db_step(st)) == DB_ROW) {
		ids_add(&ended, db_col_i64(st, 0));
		ids_add(&people, db_col_i64(st, 1));
	}
	db_stmt_done(st);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < ended.n; i++)
		if ((rc = plan_end(d, ended.v[i], now)))
			goto out;
	if ((rc = open_plans_today(d, today, &sw->more)))
		goto out;
	/* A new day moves phases (quarantine → monitoring → over): everyone in a plan, a
	 * chunk of them a sweep, in person id order. */
	if (sw->day != today) {
		sw->day = today;
		sw->after = 0;
		sw->pending = true;
	}
	if (sw->pending) {
		size_t from = people.n;
		if ((rc = db_prepare(d, sql_running_people, &st)))
			goto out;
		db_bind_i64(st, 1, sw->after);
		db_bind_i64(st, 2, SWEEP_CHUNK);
		while ((rc = db_step(st)) == DB_ROW)
			ids_add(&people, db_col_i64(st, 0));
		db_stmt_done(st);
		if (rc < 0)
			goto out;
		if (people.n > from)
			sw->after = people.v[people.n - 1];
		sw->pending = people.n - from == SWEEP_CHUNK;
		sw->more |= sw->pending;
	}
	for (size_t i = 0; i < people.n; i++) {
		bool ch;
		if ((rc = control__colour_update(d, people.v[i], now, &ch)))
			goto out;
		*changed += ch;
	}
	rc = control__round_sweep(d, now, &sw->rounds_seen, changed);
out:
	free(people.v);
	free(ended.v);
	return rc < 0 ? rc : 0;
}
