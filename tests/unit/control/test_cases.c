/* test_cases.c: cases, contacts, chains and the epi curve — a case opened once per
 * person (by hand or by a positive single tube through screening's hook), a pool's
 * members pool-positive until their re-swab, contacts added, moved and refused, chain
 * generations through a contact who became a case, and the article's "11 days without
 * a new case, 97 discharged" read off a built curve. */
#include "control/control.h"
#include "control/control_int.h"
#include "screening/fixture.h"

/* 2021-06-01T00:00:00+08:00 */
#define JUNE1 1622476800

static int64_t gz(const char *t)
{
	int64_t s;
	assert_int_equal(screening_time_parse(t, &s), 0);
	return s;
}

static int64_t day_of(const char *date)
{
	int64_t d;
	assert_int_equal(mu_date_parse(date, &d), 0);
	return d;
}

static int setup(void **state)
{
	fx_setup(state);
	control__hooks_set();
	return 0;
}

static int teardown(void **state)
{
	screening_hooks_set(NULL);
	return fx_teardown(state);
}

static int64_t open_case(struct fx *f, int64_t person, int kind, int64_t at, int64_t *status)
{
	struct control_case c = {
	    .person_id = person, .kind = kind, .onset = CONTROL_NO_DATE, .confirmed_at = at};
	assert_int_equal(control_case_open(f->t.db, &c, at + 60, NULL), 0);
	if (status)
		*status = c.status_id;
	return c.id;
}

static int64_t open_statuses(struct fx *f, const char *kind, int64_t person)
{
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM key_statuses WHERE kind = '%s' AND person_id = %lld"
		 " AND ended_at IS NULL",
		 kind, (long long)person);
	return fx_count(f, sql);
}

static void test_case_once_per_person(void **state)
{
	struct fx *f = *state;
	int64_t status;
	int64_t id = open_case(f, f->person[0], CONTROL_CASE_CONFIRMED, JUNE1, &status);
	assert_true(status > 0);
	assert_int_equal(open_statuses(f, "case", f->person[0]), 1);
	struct control_case again = {.person_id = f->person[0],
				     .kind = CONTROL_CASE_ASYMPTOMATIC,
				     .onset = CONTROL_NO_DATE,
				     .confirmed_at = JUNE1 + 100};
	assert_int_equal(control_case_open(f->t.db, &again, JUNE1 + 200, NULL), MU_EEXIST);
	assert_int_equal(again.id, id);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM cases"), 1);
	/* The household is where the person lives; a future confirmation is refused. */
	struct control_case c;
	assert_int_equal(control_case_get(f->t.db, id, &c), 0);
	assert_int_equal(c.household_id, f->h1);
	struct control_case later = {.person_id = f->person[1],
				     .kind = CONTROL_CASE_CONFIRMED,
				     .onset = CONTROL_NO_DATE,
				     .confirmed_at = JUNE1 + 86400};
	struct mu_why why = {0};
	assert_int_equal(control_case_open(f->t.db, &later, JUNE1, &why), MU_EINVAL);
	assert_string_equal(why.field, "confirmed_at");
	/* Reclassified, hospitalised, discharged: the status ends; a new case may open. */
	assert_int_equal(control_case_reclassify(f->t.db, id, CONTROL_CASE_ASYMPTOMATIC), 0);
	assert_int_equal(control_case_reclassify(f->t.db, id, CONTROL_CASE_ASYMPTOMATIC),
			 MU_EEXIST);
	assert_int_equal(control_case_hospitalise(f->t.db, id, "市八医院", JUNE1 + 3600, NULL), 0);
	assert_int_equal(control_case_discharge(f->t.db, id, JUNE1 - 1, &why), MU_EINVAL);
	assert_int_equal(control_case_discharge(f->t.db, id, JUNE1 + 86400 * 20, NULL), 0);
	assert_int_equal(control_case_discharge(f->t.db, id, JUNE1 + 86400 * 21, &why), MU_EEXIST);
	assert_int_equal(open_statuses(f, "case", f->person[0]), 0);
	assert_int_equal(control_case_get(f->t.db, id, &c), 0);
	assert_int_equal(c.kind, CONTROL_CASE_ASYMPTOMATIC);
	assert_string_equal(c.hospital, "市八医院");
	open_case(f, f->person[0], CONTROL_CASE_CONFIRMED, JUNE1 + 86400 * 30, NULL);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM cases"), 2);
}

/* Persons 0-4 in pooled tube T1 (positive): each is pool-positive until their re-swab;
 * a positive re-swab opens one case (a second result changes nothing). */
static void test_results_open_cases(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(fx_scan(f, "T1", i).status, SCREENING_SCAN_OK);
	fx_receive(f, "T1", 0);
	fx_result(f, "T1", "positive", 0);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM cases"), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(open_statuses(f, "pool_positive", f->person[i]), 1);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM key_statuses k JOIN recalls r ON"
				     " r.id = k.ref_id WHERE k.source = 'recall'"
				     " AND r.person_id = k.person_id"),
			 5);
	assert_true(fx_scan(f, "R0", 0).recall);
	assert_true(fx_scan(f, "R1", 1).recall);
	fx_receive(f, "R0", 0);
	fx_receive(f, "R1", 0);
	fx_result(f, "R0", "negative", 0);
	fx_result(f, "R1", "positive", 0);
	assert_int_equal(open_statuses(f, "pool_positive", f->person[0]), 0);
	assert_int_equal(open_statuses(f, "pool_positive", f->person[1]), 0);
	assert_int_equal(open_statuses(f, "pool_positive", f->person[2]), 1);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM cases"), 1);
	struct control_case c;
	assert_int_equal(control_case_open_of(f->t.db, f->person[1], &c), 0);
	assert_true(c.from_screening);
	assert_int_equal(c.kind, CONTROL_CASE_CONFIRMED);
	assert_int_equal(c.confirmed_at, gz("2021-06-01T20:00:00Z"));
	assert_true(c.sample_id > 0);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM cases c JOIN samples s ON"
				     " s.id = c.sample_id AND s.person_id = c.person_id"),
			 1);
	assert_int_equal(open_statuses(f, "case", f->person[1]), 1);
	/* Idempotent: another positive single tube of the same person opens nothing. */
	struct screening_hook_result again = {.person_id = f->person[1],
					      .household_id = f->h1,
					      .round_id = f->round,
					      .capacity = 1,
					      .result = SCREENING_RESULT_POSITIVE,
					      .resulted_at = gz("2021-06-02T08:00:00Z")};
	assert_int_equal(control__on_result(f->t.db, &again), 0);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM cases"), 1);
	assert_int_equal(open_statuses(f, "case", f->person[1]), 1);
}

static struct control_contact_result add(struct fx *f, int64_t case_id, int who, int kind, int via,
					 int64_t exposure)
{
	struct control_contact_in in = {.person_id = f->person[who],
					.kind = kind,
					.setting = CONTROL_SETTING_HOUSEHOLD,
					.last_exposure = exposure,
					.via_person_id = via >= 0 ? f->person[via] : 0};
	struct control_contact_result x;
	assert_int_equal(control_contacts_add(f->t.db, case_id, &in, 1, JUNE1 + 86400 * 10, 0, &x),
			 0);
	return x;
}

static void test_contacts(void **state)
{
	struct fx *f = *state;
	int64_t a = open_case(f, f->person[0], CONTROL_CASE_CONFIRMED, JUNE1, NULL);
	assert_int_equal(add(f, a, 1, CONTROL_CONTACT_CLOSE, -1, JUNE1 - 7200).status,
			 CONTROL_CONTACT_ADDED);
	assert_int_equal(open_statuses(f, "close", f->person[1]), 1);
	/* The same exposure again: a duplicate; a later one moves the status's exposure. */
	assert_int_equal(add(f, a, 1, CONTROL_CONTACT_CLOSE, -1, JUNE1 - 7200).status,
			 CONTROL_CONTACT_DUPLICATE);
	assert_int_equal(add(f, a, 1, CONTROL_CONTACT_CLOSE, -1, JUNE1 - 3600).status,
			 CONTROL_CONTACT_MOVED);
	char sql[160];
	snprintf(sql, sizeof sql,
		 "SELECT exposure_at FROM key_statuses WHERE person_id = %lld AND kind = 'close'",
		 (long long)f->person[1]);
	assert_int_equal(fx_count(f, sql), JUNE1 - 3600);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM contacts"), 1);
	/* Refusals: the case itself, a secondary without via, an exposure ahead. */
	struct control_contact_result x = add(f, a, 0, CONTROL_CONTACT_CLOSE, -1, JUNE1);
	assert_int_equal(x.status, CONTROL_CONTACT_REFUSED);
	assert_string_equal(x.why.field, "person");
	x = add(f, a, 2, CONTROL_CONTACT_SECONDARY, -1, JUNE1);
	assert_string_equal(x.why.field, "via");
	x = add(f, a, 2, CONTROL_CONTACT_CLOSE, -1, JUNE1 + 86400 * 12);
	assert_string_equal(x.why.field, "last_exposure");
	assert_int_equal(add(f, a, 2, CONTROL_CONTACT_SECONDARY, 1, JUNE1).status,
			 CONTROL_CONTACT_ADDED);
	assert_int_equal(open_statuses(f, "secondary", f->person[2]), 1);
	/* The residents of a building, in id order. */
	int64_t *ids;
	size_t n;
	assert_int_equal(control_contacts_residents(f->t.db, f->b1, &ids, &n), 0);
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], f->person[i]);
	free(ids);
}

/* A contact who becomes a case stops being a contact: their close status and its plan
 * end when the case opens (no check-ins or plan tests for the group, no close-contact
 * reason on the code); the contacts row (the chain's link) and the secondary contact
 * they met stay. */
static void test_case_ends_contact_status(void **state)
{
	struct fx *f = *state;
	char sql[200];
	int64_t a = open_case(f, f->person[0], CONTROL_CASE_CONFIRMED, JUNE1, NULL);
	add(f, a, 1, CONTROL_CONTACT_CLOSE, -1, JUNE1 - 3600);
	add(f, a, 2, CONTROL_CONTACT_SECONDARY, 1, JUNE1 - 1800);
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM plans WHERE person_id = %lld AND ended_at IS NULL",
		 (long long)f->person[1]);
	assert_int_equal(fx_count(f, sql), 1);
	/* Listed on day 10 (add), a case on day 11: the status ends at the case's now. */
	int64_t status;
	open_case(f, f->person[1], CONTROL_CASE_CONFIRMED, JUNE1 + 86400 * 11, &status);
	assert_int_equal(open_statuses(f, "close", f->person[1]), 0);
	assert_int_equal(open_statuses(f, "case", f->person[1]), 1);
	assert_int_equal(fx_count(f, sql), 0);
	snprintf(sql, sizeof sql,
		 "SELECT ended_at FROM key_statuses WHERE person_id = %lld AND kind = 'close'",
		 (long long)f->person[1]);
	assert_int_equal(fx_count(f, sql), JUNE1 + 86400 * 11 + 60);
	assert_int_equal(open_statuses(f, "secondary", f->person[2]), 1);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM contacts"), 2);
	/* A case without a contact status opens as before. */
	open_case(f, f->person[3], CONTROL_CASE_CONFIRMED, JUNE1 + 86400 * 11, NULL);
	assert_int_equal(open_statuses(f, "case", f->person[3]), 1);
}

static const struct control_chain_node *node(const struct control_chain *c, int64_t person)
{
	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i].person_id == person)
			return &c->nodes[i];
	fail_msg("person %lld is not in the chain", (long long)person);
	return NULL;
}

/* A (0) → close 1, 2; secondary 3 via 1; 1 becomes a case → close 4, 5 via 4; person 7
 * is a separate case. Asked from any case of it, the chain is the same. */
static void test_chain_generations(void **state)
{
	struct fx *f = *state;
	int64_t a = open_case(f, f->person[0], CONTROL_CASE_CONFIRMED, JUNE1, NULL);
	add(f, a, 1, CONTROL_CONTACT_CLOSE, -1, JUNE1 - 3600);
	add(f, a, 2, CONTROL_CONTACT_CLOSE, -1, JUNE1 - 3600);
	add(f, a, 3, CONTROL_CONTACT_SECONDARY, 1, JUNE1 - 1800);
	struct control_case c1 = {.person_id = f->person[1],
				  .kind = CONTROL_CASE_CONFIRMED,
				  .onset = day_of("2021-06-03"),
				  .confirmed_at = JUNE1 + 3 * 86400};
	assert_int_equal(control_case_open(f->t.db, &c1, JUNE1 + 3 * 86400, NULL), 0);
	add(f, c1.id, 4, CONTROL_CONTACT_CLOSE, -1, JUNE1 + 2 * 86400);
	add(f, c1.id, 5, CONTROL_CONTACT_SECONDARY, 4, JUNE1 + 2 * 86400);
	open_case(f, f->person[7], CONTROL_CASE_CONFIRMED, JUNE1, NULL);
	/* The contact who became a case keeps their row (the link). */
	assert_int_equal(fx_count(f, "SELECT count(*) FROM contacts"), 5);

	struct control_chain ch;
	assert_int_equal(control_chain_get(f->t.db, c1.id, &ch), 0);
	assert_int_equal(ch.nnodes, 6);
	assert_int_equal(ch.nedges, 5);
	assert_int_equal(ch.nodes[0].person_id, f->person[0]); /* generation order */
	assert_int_equal(node(&ch, f->person[0])->generation, 0);
	assert_int_equal(node(&ch, f->person[0])->role, CONTROL_ROLE_CASE);
	assert_int_equal(node(&ch, f->person[1])->generation, 1);
	assert_int_equal(node(&ch, f->person[1])->role, CONTROL_ROLE_CASE);
	assert_int_equal(node(&ch, f->person[1])->onset, day_of("2021-06-03"));
	assert_int_equal(node(&ch, f->person[2])->generation, 1);
	assert_int_equal(node(&ch, f->person[2])->role, CONTROL_ROLE_CLOSE);
	assert_int_equal(node(&ch, f->person[3])->generation, 2);
	assert_int_equal(node(&ch, f->person[3])->role, CONTROL_ROLE_SECONDARY);
	assert_int_equal(node(&ch, f->person[4])->generation, 2);
	assert_int_equal(node(&ch, f->person[5])->generation, 3);
	int via = 0;
	for (size_t e = 0; e < ch.nedges; e++)
		via += ch.edges[e].from == f->person[1] && ch.edges[e].to == f->person[3];
	assert_int_equal(via, 1);
	control_chain_fini(&ch);
	assert_int_equal(control_chain_get(f->t.db, a, &ch), 0);
	assert_int_equal(ch.nnodes, 6);
	control_chain_fini(&ch);
	assert_int_equal(control_chain_get(f->t.db, 999, &ch), MU_ENOTFOUND);
}

/* Guangzhou dates: 23:59 local on the 18th is the 18th; 00:30 local on the 19th is the
 * 19th though it is the 18th in UTC. */
static void test_gz_days(void **state)
{
	(void)state;
	assert_int_equal(control_gz_day(gz("2021-06-18T23:59:00+08:00")), day_of("2021-06-18"));
	assert_int_equal(control_gz_day(gz("2021-06-18T16:30:00Z")), day_of("2021-06-19"));
	assert_int_equal(control_gz_midnight(day_of("2021-06-19")),
			 gz("2021-06-19T00:00:00+08:00"));
}

/* 100 people of household H3's building: 97 confirmed and 3 asymptomatic cases from 21
 * May to 18 June, 97 discharged by 29 June — "11 days without a new case". */
static void test_epi_article(void **state)
{
	struct fx *f = *state;
	int64_t people[100];
	for (int i = 0; i < 100; i++) {
		struct people_person p;
		memset(&p, 0, sizeof p);
		p.id_type = PEOPLE_ID_PASSPORT;
		snprintf(p.id_number, sizeof p.id_number, "E%08d", i);
		snprintf(p.name, sizeof p.name, "病例%d", i);
		p.sex = PEOPLE_SEX_F;
		p.birth = 7000;
		p.household_id = f->h3;
		assert_int_equal(people_add(f->t.db, &f->t.keys, &p, NULL), 0);
		people[i] = p.id;
	}
	int64_t may21 = gz("2021-05-21T10:00:00+08:00"), last = gz("2021-06-18T23:30:00+08:00");
	int64_t now = gz("2021-06-30T12:00:00+08:00");
	int64_t ids[100];
	for (int i = 0; i < 100; i++) {
		struct control_case c = {
		    .person_id = people[i],
		    .kind = i < 97 ? CONTROL_CASE_CONFIRMED : CONTROL_CASE_ASYMPTOMATIC,
		    .onset = CONTROL_NO_DATE,
		    .confirmed_at = i == 99 ? last : may21 + (int64_t)i * 20000};
		assert_int_equal(control_case_open(f->t.db, &c, now, NULL), 0);
		ids[i] = c.id;
	}
	for (int i = 0; i < 97; i++)
		assert_int_equal(control_case_discharge(f->t.db, ids[i],
							gz("2021-06-29T10:00:00+08:00") -
							    (int64_t)(i % 20) * 86400,
							NULL),
				 0);
	/* A case the place does not hold: outside the street. */
	int64_t out = open_case(f, f->person[12], CONTROL_CASE_CONFIRMED,
				gz("2021-06-25T10:00:00+08:00"), NULL);
	(void)out;

	struct control_epi e;
	int64_t from = day_of("2021-06-10"), to = day_of("2021-06-29");
	assert_int_equal(control_epi_get(f->t.db, f->street, from, to, &e), 0);
	assert_int_equal(e.ndays, 20);
	assert_int_equal(e.last_case_date, day_of("2021-06-18"));
	assert_int_equal(to - e.last_case_date, 11);
	const struct control_epi_day *d29 = &e.days[e.ndays - 1];
	assert_int_equal(d29->date, to);
	assert_int_equal(d29->cumulative, 100);
	assert_int_equal(d29->discharged_cumulative, 97);
	assert_int_equal(d29->discharged, 5); /* i % 20 == 0: 0, 20, 40, 60, 80 */
	assert_int_equal(e.days[day_of("2021-06-18") - from].asymptomatic, 1);
	int64_t sum = 0;
	for (size_t i = 0; i < e.ndays; i++)
		sum += e.days[i].confirmed + e.days[i].asymptomatic;
	assert_int_equal(e.days[0].cumulative - e.days[0].confirmed - e.days[0].asymptomatic + sum,
			 100);
	assert_int_equal(e.cases, sum);
	control_epi_fini(&e);
	/* The city holds the case outside the street too; an empty span has no last case. */
	assert_int_equal(control_epi_get(f->t.db, f->city, from, to, &e), 0);
	assert_int_equal(e.days[e.ndays - 1].cumulative, 101);
	assert_int_equal(to - e.last_case_date, 4);
	control_epi_fini(&e);
	assert_int_equal(
	    control_epi_get(f->t.db, f->street, day_of("2021-05-01"), day_of("2021-05-10"), &e), 0);
	assert_int_equal(e.last_case_date, CONTROL_NO_DATE);
	control_epi_fini(&e);
	assert_int_equal(control_epi_get(f->t.db, f->street, to, from, &e), MU_EINVAL);
}

/* Tracing indicators: a new case already listed as a contact, contacts listed within
 * 24 h, contacts in plans seen (checked in or tested) each day. */
static void test_epi_indicators(void **state)
{
	struct fx *f = *state;
	int64_t a = open_case(f, f->person[0], CONTROL_CASE_CONFIRMED, JUNE1, NULL);
	struct control_contact_in in[2] = {
	    {.person_id = f->person[1], .kind = CONTROL_CONTACT_CLOSE, .last_exposure = JUNE1 - 60},
	    {.person_id = f->person[2],
	     .kind = CONTROL_CONTACT_CLOSE,
	     .last_exposure = JUNE1 - 60}};
	struct control_contact_result x[2];
	/* listed a day after a's confirmation */
	assert_int_equal(control_contacts_add(f->t.db, a, in, 2, JUNE1 + 86400, 0, x), 0);
	struct control_case c1 = {.person_id = f->person[1],
				  .kind = CONTROL_CASE_CONFIRMED,
				  .onset = CONTROL_NO_DATE,
				  .confirmed_at = JUNE1 + 2 * 86400};
	assert_int_equal(control_case_open(f->t.db, &c1, JUNE1 + 2 * 86400, NULL), 0);
	/* Person 2's plan alone runs from June 2 (whatever plans the statuses made are set
	 * aside: the days are this test's); checks in on the 2nd, tested on the 3rd. */
	char sql[1200];
	snprintf(sql, sizeof sql,
		 "DELETE FROM plan_tests; DELETE FROM plans;"
		 "INSERT INTO plans (person_id, status_id, template, exposure_at, made_at, phases)"
		 " VALUES (%lld, (SELECT id FROM key_statuses WHERE person_id = %lld AND kind ="
		 " 'close'), 'cn8-close', %lld, %lld, '[]');"
		 "INSERT INTO checkins (person_id, at, fever) VALUES (%lld, %lld, 0);"
		 "INSERT INTO plan_tests (plan_id, person_id, day, due, state)"
		 " VALUES ((SELECT max(id) FROM plans), %lld, 1, '2021-06-03', 'negative'),"
		 " ((SELECT max(id) FROM plans), %lld, 4, '2021-06-04', 'missed')",
		 (long long)f->person[2], (long long)f->person[2], (long long)(JUNE1 - 60),
		 (long long)(JUNE1 + 86400 + 60), (long long)f->person[2],
		 (long long)(JUNE1 + 86400 + 3600), (long long)f->person[2],
		 (long long)f->person[2]);
	assert_int_equal(db_exec(f->t.db, sql), 0);
	struct control_epi e;
	int64_t from = day_of("2021-06-01");
	assert_int_equal(control_epi_get(f->t.db, f->street, from, from + 3, &e), 0);
	assert_int_equal(e.cases, 2);
	assert_int_equal(e.from_contacts, 1); /* c1 was listed on the 2nd, confirmed the 3rd */
	assert_int_equal(e.listed_24h, 1);    /* a's contacts: listed at JUNE1 + 1 day */
	assert_int_equal(e.days[0].in_plans, 0);
	assert_int_equal(e.days[1].in_plans, 1);
	assert_int_equal(e.days[1].seen, 1);
	assert_int_equal(e.days[2].seen, 1);
	assert_int_equal(e.days[3].in_plans, 1);
	assert_int_equal(e.days[3].seen, 0);
	control_epi_fini(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_case_once_per_person, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_results_open_cases, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_contacts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain_generations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_case_ends_contact_status, setup, teardown),
	    cmocka_unit_test(test_gz_days),
	    cmocka_unit_test_setup_teardown(test_epi_article, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_epi_indicators, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
