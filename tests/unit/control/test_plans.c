/* test_plans.c: plan templates and calendars (templates.c) against hand-computed
 * calendars, and plans on the writer (plans.c): made when a status starts, made late,
 * moved by a later exposure, their tests answered by results, missed by the sweep. */
#include "plans_fixture.h"
#include "screening/screening.h"

static void tmpl(struct pf *f, const char *name, struct control_template *t)
{
	assert_int_equal(control_template_get(f->t.db, name, t), 0);
}

static void assert_phase(const struct control_calendar *c, int i, int kind, int64_t from,
			 int64_t to)
{
	assert_int_equal(c->phases[i].kind, kind);
	assert_int_equal(c->phases[i].from, from);
	assert_int_equal(c->phases[i].to, to);
}

static void assert_tests(const struct control_calendar *c, const int *days, const int64_t *dues,
			 int n)
{
	assert_int_equal(c->ntests, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(c->tests[i].day, days[i]);
		assert_int_equal(c->tests[i].due, dues[i]);
	}
}

/* cn8-close exposed 1 June 2021: quarantine 2–15 June, monitoring 16–22 June, tests on
 * days 1, 4, 7, 14, 16, 21 = 2, 5, 8, 15, 17, 22 June. */
static void test_cn8_close(void **state)
{
	struct pf *f = *state;
	struct control_template t;
	struct control_calendar c;
	tmpl(f, "cn8-close", &t);
	control_calendar_compute(&t, day(2021, 6, 1), day(2021, 6, 1), &c);
	assert_int_equal(c.nphases, 2);
	assert_phase(&c, 0, CONTROL_PHASE_CENTRAL, day(2021, 6, 2), day(2021, 6, 15));
	assert_phase(&c, 1, CONTROL_PHASE_HOME_MONITORING, day(2021, 6, 16), day(2021, 6, 22));
	assert_int_equal(c.ends, day(2021, 6, 22));
	static const int days[] = {1, 4, 7, 14, 16, 21};
	int64_t dues[] = {day(2021, 6, 2),  day(2021, 6, 5),  day(2021, 6, 8),
			  day(2021, 6, 15), day(2021, 6, 17), day(2021, 6, 22)};
	assert_tests(&c, days, dues, 6);
}

/* Made late, on 6 June (day 5): days 1 and 4 are past and due once, today. */
static void test_cn8_close_late(void **state)
{
	struct pf *f = *state;
	struct control_template t;
	struct control_calendar c;
	tmpl(f, "cn8-close", &t);
	control_calendar_compute(&t, day(2021, 6, 1), day(2021, 6, 6), &c);
	static const int days[] = {4, 7, 14, 16, 21};
	int64_t dues[] = {day(2021, 6, 6), day(2021, 6, 8), day(2021, 6, 15), day(2021, 6, 17),
			  day(2021, 6, 22)};
	assert_tests(&c, days, dues, 5);
	/* Made on day 7, a test day: the past ones are that day's test. */
	control_calendar_compute(&t, day(2021, 6, 1), day(2021, 6, 8), &c);
	static const int days7[] = {7, 14, 16, 21};
	int64_t dues7[] = {day(2021, 6, 8), day(2021, 6, 15), day(2021, 6, 17), day(2021, 6, 22)};
	assert_tests(&c, days7, dues7, 4);
	/* Made after its last day: nothing due. */
	control_calendar_compute(&t, day(2021, 6, 1), day(2021, 6, 30), &c);
	assert_int_equal(c.ntests, 0);
}

static void test_cn8_secondary_cn9(void **state)
{
	struct pf *f = *state;
	struct control_template t;
	struct control_calendar c;
	tmpl(f, "cn8-secondary", &t);
	control_calendar_compute(&t, day(2021, 6, 1), day(2021, 6, 1), &c);
	assert_int_equal(c.nphases, 1);
	assert_phase(&c, 0, CONTROL_PHASE_CENTRAL, day(2021, 6, 2), day(2021, 6, 8));
	static const int d2[] = {1, 7};
	int64_t u2[] = {day(2021, 6, 2), day(2021, 6, 8)};
	assert_tests(&c, d2, u2, 2);

	tmpl(f, "cn9-close", &t);
	control_calendar_compute(&t, day(2021, 6, 1), day(2021, 6, 1), &c);
	assert_phase(&c, 0, CONTROL_PHASE_CENTRAL, day(2021, 6, 2), day(2021, 6, 8));
	assert_phase(&c, 1, CONTROL_PHASE_HOME_MONITORING, day(2021, 6, 9), day(2021, 6, 11));
	static const int d9[] = {1, 2, 3, 5, 7, 10};
	int64_t u9[] = {day(2021, 6, 2), day(2021, 6, 3), day(2021, 6, 4),
			day(2021, 6, 6), day(2021, 6, 8), day(2021, 6, 11)};
	assert_tests(&c, d9, u9, 6);

	tmpl(f, "cn9-secondary", &t);
	control_calendar_compute(&t, day(2021, 6, 1), day(2021, 6, 1), &c);
	assert_phase(&c, 0, CONTROL_PHASE_HOME_QUARANTINE, day(2021, 6, 2), day(2021, 6, 8));
	static const int d9s[] = {1, 4, 7};
	int64_t u9s[] = {day(2021, 6, 2), day(2021, 6, 5), day(2021, 6, 8)};
	assert_tests(&c, d9s, u9s, 3);
}

/* cn8-sealed: home quarantine from the day sealed while the zone lasts, a test every
 * day: the calendar lists only the day's own test. */
static void test_cn8_sealed(void **state)
{
	struct pf *f = *state;
	struct control_template t;
	struct control_calendar c;
	tmpl(f, "cn8-sealed", &t);
	assert_int_equal(t.every, 1);
	control_calendar_compute(&t, day(2021, 6, 2), day(2021, 6, 2), &c);
	assert_phase(&c, 0, CONTROL_PHASE_HOME_QUARANTINE, day(2021, 6, 2), -1);
	assert_int_equal(c.ends, -1);
	static const int d0[] = {0};
	int64_t u0[] = {day(2021, 6, 2)};
	assert_tests(&c, d0, u0, 1);
	control_calendar_compute(&t, day(2021, 6, 2), day(2021, 6, 5), &c);
	static const int d3[] = {3};
	int64_t u3[] = {day(2021, 6, 5)};
	assert_tests(&c, d3, u3, 1);
}

static void test_template_add(void **state)
{
	struct pf *f = *state;
	struct mu_why why = {0};
	static const char *const bad[] = {
	    "",
	    "[]",
	    "{\"phases\":[]}",
	    "{\"phases\":[{\"kind\":\"jail\",\"from\":1,\"to\":2}],"
	    "\"tests\":[]}",
	    "{\"phases\":[{\"kind\":\"home_quarantine\",\"from\":3,\"to\":2}],\"tests\":[]}",
	    "{\"phases\":[{\"kind\":\"home_quarantine\",\"from\":1,\"to\":7}],\"tests\":[4,1]}",
	    "{\"phases\":[{\"kind\":\"home_quarantine\",\"from\":1,\"to\":7}],\"tests\":[9]}",
	    "{\"phases\":[{\"kind\":\"home_quarantine\",\"from\":1,\"to\":7}],\"tests\":[],"
	    "\"every\":1}",
	    "{\"phases\":[{\"kind\":\"home_quarantine\",\"from\":1,\"to\":null},{\"kind\":"
	    "\"home_monitoring\",\"from\":8,\"to\":9}],\"tests\":[]}",
	    "{\"phases\":[{\"kind\":\"home_quarantine\",\"from\":1,\"to\":7}],\"tests\":[],"
	    "\"extra\":1}"};
	int64_t before = pf_count(f, "SELECT count(*) FROM plan_templates");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		mu_why_clear(&why);
		assert_int_equal(control_template_add(f->t.db, "x-bad", bad[i], &why), MU_EINVAL);
		assert_non_null(why.field);
		assert_true(why.text[0] != '\0');
	}
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_templates"), before);
	assert_int_equal(
	    control_template_add(f->t.db, "Bad Name",
				 "{\"phases\":[{\"kind\":\"home_quarantine\",\"from\":1,\"to\":7}],"
				 "\"tests\":[1]}",
				 &why),
	    MU_EINVAL);
	const char *good = "{\"phases\":[{\"kind\":\"home_quarantine\",\"from\":1,\"to\":5}],"
			   "\"tests\":[1,5]}";
	assert_int_equal(control_template_add(f->t.db, "local-5", good, &why), 0);
	assert_int_equal(control_template_add(f->t.db, "local-5", good, &why), MU_EEXIST);
	assert_int_equal(control_plan_use_set(f->t.db, "close", "nope", &why), MU_ENOTFOUND);
	assert_int_equal(control_plan_use_set(f->t.db, "case", "local-5", &why), MU_EINVAL);
	assert_int_equal(control_plan_use_set(f->t.db, "close", "local-5", &why), 0);
	/* A new close contact's plan follows the setting. */
	int64_t now = gz(2021, 6, 1, 12, 0);
	pf_status(f, f->person[0], "close", now, gz(2021, 6, 1, 9, 0), now);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans WHERE template = 'local-5'"), 1);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests"), 2);
}

/* A close contact exposed at 23:30 Guangzhou time on 1 June (15:30 UTC): day 0 is 1 June. */
static void test_plan_made_and_moved(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[0], made = gz(2021, 6, 3, 10, 0);
	int64_t st = pf_status(f, p, "close", made, gz(2021, 6, 1, 23, 30), made);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans"), 1);
	/* Made on day 2: day 1 (2 June) is due on 3 June, then 5, 8, 15, 17, 22 June. */
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests"), 6);
	assert_int_equal(
	    pf_count(f, "SELECT count(*) FROM plan_tests WHERE day = 1 AND due = '2021-06-03'"), 1);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans WHERE ends = '2021-06-22'"), 1);
	/* Day 1's test comes back negative from a single tube sampled on 3 June. */
	assert_int_equal(control__plan_on_result(f->t.db, p, 77, SCREENING_RESULT_NEGATIVE, 1,
						 gz(2021, 6, 3, 11, 0), gz(2021, 6, 3, 18, 0)),
			 0);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'negative' AND "
				     "sample_id = 77 AND day = 1"),
			 1);
	/* A later exposure (4 June) moves the plan: tests not taken are made again. */
	int64_t moved = gz(2021, 6, 4, 9, 0);
	assert_int_equal(control__plan_status_started(f->t.db, st, p, "close", gz(2021, 6, 4, 8, 0),
						      made, moved),
			 0);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans WHERE ends = '2021-06-25'"), 1);
	/* Days 1, 4, 7, 14, 16, 21 from 4 June: 5, 8, 11, 18, 20, 25 June; the taken one stays. */
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'due'"), 6);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'due' AND due "
				     "IN ('2021-06-05','2021-06-08','2021-06-11','2021-06-18',"
				     "'2021-06-20','2021-06-25')"),
			 6);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'negative'"),
			 1);
	/* An earlier exposure does not move it back. */
	assert_int_equal(control__plan_status_started(f->t.db, st, p, "close", gz(2021, 6, 2, 8, 0),
						      made, moved),
			 0);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans WHERE ends = '2021-06-25'"), 1);
	/* Cases and pool-positives get no plan. */
	pf_status(f, f->person[1], "case", made, 0, made);
	pf_status(f, f->person[2], "pool_positive", made, 0, made);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans"), 1);
}

static void test_alone_result_and_sweep(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[0], made = gz(2021, 6, 1, 12, 0), changed;
	struct control_sweep last = {0};
	bool alone;
	pf_status(f, p, "secondary", made, gz(2021, 6, 1, 8, 0), made);
	/* Tests on 2 and 8 June. On 1 June nothing is due; on 2 June the person is alone. */
	assert_int_equal(control__plan_alone(f->t.db, p, gz(2021, 6, 1, 20, 0), &alone), 0);
	assert_false(alone);
	assert_int_equal(control__plan_alone(f->t.db, p, gz(2021, 6, 2, 8, 0), &alone), 0);
	assert_true(alone);
	assert_int_equal(control__plan_alone(f->t.db, f->person[1], gz(2021, 6, 2, 8, 0), &alone),
			 0);
	assert_false(alone);
	/* A pooled positive answers no plan test; a pooled negative does. */
	assert_int_equal(control__plan_on_result(f->t.db, p, 5, SCREENING_RESULT_POSITIVE, 5,
						 gz(2021, 6, 2, 9, 0), gz(2021, 6, 2, 15, 0)),
			 0);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'due'"), 2);
	/* The sweep on 3 June: the 2 June test was not taken, it is missed. */
	assert_int_equal(control_plans_sweep(f->t.db, gz(2021, 6, 3, 0, 5), &last, &changed), 0);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'missed' AND "
				     "due = '2021-06-02'"),
			 1);
	assert_int_equal(last.day, day(2021, 6, 3));
	/* Idempotent. */
	assert_int_equal(control_plans_sweep(f->t.db, gz(2021, 6, 3, 0, 6), &last, &changed), 0);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'missed'"), 1);
	/* A single-tube positive on 8 June answers the day-7 test positive. */
	assert_int_equal(control__plan_on_result(f->t.db, p, 9, SCREENING_RESULT_POSITIVE, 1,
						 gz(2021, 6, 8, 9, 0), gz(2021, 6, 8, 15, 0)),
			 0);
	assert_int_equal(
	    pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'positive' AND day = 7"), 1);
	/* After 8 June the plan is over: the sweep ends it. */
	assert_int_equal(control_plans_sweep(f->t.db, gz(2021, 6, 9, 0, 5), &last, &changed), 0);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans WHERE ended_at IS NOT NULL"), 1);
}

/* A sealed zone's resident: a test every day, added by the sweep day by day; the
 * status's end ends the plan and drops the test still due. */
static void test_sealed_daily(void **state)
{
	struct pf *f = *state;
	int64_t p = f->person[2], made = gz(2021, 6, 2, 10, 0), changed;
	struct control_sweep last = {0};
	int64_t st = pf_status(f, p, "sealed", made, 0, made);
	assert_int_equal(
	    pf_count(f, "SELECT count(*) FROM plan_tests WHERE day = 0 AND due = '2021-06-02'"), 1);
	assert_int_equal(control_plans_sweep(f->t.db, gz(2021, 6, 3, 0, 1), &last, &changed), 0);
	assert_int_equal(control_plans_sweep(f->t.db, gz(2021, 6, 3, 0, 2), &last, &changed), 0);
	assert_int_equal(
	    pf_count(f, "SELECT count(*) FROM plan_tests WHERE day = 1 AND due = '2021-06-03' AND "
			"state = 'due'"),
	    1);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests"), 2);
	pf_end(f, st, p, gz(2021, 6, 3, 12, 0));
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plan_tests WHERE state = 'due'"), 0);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans WHERE ended_at IS NULL"), 0);
}

/* Statuses written without control__key_start (a bulk load, a seed) are caught up with
 * by the sweep, 2,000 a call: their plans made, their colours computed; a status ended
 * behind its back ends its plan. */
static void test_sweep_catches_up(void **state)
{
	struct pf *f = *state;
	struct control_sweep sw = {0};
	int64_t now = gz(2021, 6, 1, 12, 0), changed;
	char sql[256];
	pf_exec(f, "BEGIN");
	for (int i = 0; i < 2050; i++) {
		snprintf(sql, sizeof sql,
			 "INSERT INTO key_statuses (person_id, kind, started_at, exposure_at, "
			 "source) VALUES (%lld, 'close', %lld, %lld, 'contact')",
			 (long long)f->person[i % 2], (long long)now, (long long)now - 3600);
		pf_exec(f, sql);
	}
	pf_exec(f, "COMMIT");
	/* Each sweep in a transaction of its own, as the writer runs it. */
	pf_exec(f, "BEGIN");
	assert_int_equal(control_plans_sweep(f->t.db, now, &sw, &changed), 0);
	pf_exec(f, "COMMIT");
	assert_true(sw.more);
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans"), 250); /* SWEEP_CHUNK */
	int sweeps = 1;
	while (sw.more && sweeps < 20) {
		pf_exec(f, "BEGIN");
		assert_int_equal(control_plans_sweep(f->t.db, now + sweeps, &sw, &changed), 0);
		pf_exec(f, "COMMIT");
		sweeps++;
	}
	assert_false(sw.more);
	assert_int_equal(sweeps, 9); /* 2,050 plans, 250 a sweep */
	assert_int_equal(pf_count(f, "SELECT count(*) FROM plans"), 2050);
	assert_int_equal(pf_reasons(f, f->person[0]), PEOPLE_REASON_CLOSE);
	assert_int_equal(pf_reasons(f, f->person[1]), PEOPLE_REASON_CLOSE);
	assert_int_equal(pf_reasons(f, f->person[2]), 0);
	/* Every status of person 1 ended behind the plans' back. */
	snprintf(sql, sizeof sql, "UPDATE key_statuses SET ended_at = %lld WHERE person_id = %lld",
		 (long long)now + 60, (long long)f->person[1]);
	pf_exec(f, sql);
	pf_exec(f, "BEGIN");
	assert_int_equal(control_plans_sweep(f->t.db, now + 120, &sw, &changed), 0);
	pf_exec(f, "COMMIT");
	assert_int_equal(pf_reasons(f, f->person[1]), 0);
	assert_int_equal(pf_reasons(f, f->person[0]), PEOPLE_REASON_CLOSE);
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM plans WHERE person_id = %lld AND ended_at IS NULL",
		 (long long)f->person[1]);
	assert_int_equal(pf_count(f, sql), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cn8_close, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_cn8_close_late, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_cn8_secondary_cn9, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_cn8_sealed, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_template_add, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_plan_made_and_moved, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_alone_result_and_sweep, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_sealed_daily, pf_setup, pf_teardown),
	    cmocka_unit_test_setup_teardown(test_sweep_catches_up, pf_setup, pf_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
