/* test_tasks.c: a three-person group's day on the screening fixture's city — the order a
 * group walks (building by name, then household), each kind's deadline and its missed
 * state, the ladder's climb to the community and the street with a fake now, the sweep's
 * record of each climb (once), marks, groups, and the staffing arithmetic with zones. */
#include "auth/auth.h"
#include "control/control.h"
#include "screening/fixture.h"

/* 2021-06-01 in Guangzhou at hour h (UTC+8). */
#define JUNE1(h) ((int64_t)1622476800 + (int64_t)(h)*3600)

static int64_t day_of(const char *date)
{
	int64_t d;
	assert_int_equal(mu_date_parse(date, &d), 0);
	return d;
}

static void exec(struct fx *f, const char *sql)
{
	assert_int_equal(db_exec(f->t.db, sql), 0);
}

static void execf(struct fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void execf(struct fx *f, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	exec(f, sql);
}

static int64_t add_named(struct fx *f, int64_t parent, int level, const char *code,
			 const char *name)
{
	int64_t id;
	assert_int_equal(places_add(f->t.db, parent, level, code, name, &id, NULL), 0);
	return id;
}

static int64_t add_person(struct fx *f, int64_t household, int n)
{
	struct people_person p;
	memset(&p, 0, sizeof p);
	snprintf(p.id_number, sizeof p.id_number, "44010619900101%03d", n);
	p.id_number[17] = people_idcard_check_digit(p.id_number);
	p.id_number[18] = '\0';
	p.id_type = PEOPLE_ID_RESIDENT;
	snprintf(p.name, sizeof p.name, "居民乙%d", n);
	p.household_id = household;
	assert_int_equal(people_idcard_check(p.id_number, NULL, &p.birth, &p.sex), 0);
	assert_int_equal(people_add(f->t.db, &f->t.keys, &p, NULL), 0);
	return p.id;
}

static const struct control_task *find(const struct control_task_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].id, id))
			return &l->v[i];
	return NULL;
}

static void test_day(void **state)
{
	(void)state;
	/* Guangzhou's midnight is 16:00 UTC the day before. */
	assert_int_equal(control_gz_day(JUNE1(0)), day_of("2021-06-01"));
	assert_int_equal(control_gz_day(JUNE1(0) - 1), day_of("2021-05-31"));
	assert_int_equal(control_gz_day(JUNE1(24) - 1), day_of("2021-06-01"));
	assert_int_equal(control_gz_midnight(day_of("2021-06-01")), JUNE1(0));
	assert_string_equal(control_task_kind_name(CONTROL_TASK_ROLLCALL), "rollcall");
	assert_null(control_task_kind_name(CONTROL_TASK_NKINDS));
	assert_string_equal(control_task_state_name(CONTROL_TASK_MISSED), "missed");
}

/* Grid G1 walked door to door: buildings by name in natural order ("2栋" before "10栋",
 * digits before letters), households likewise, people by id within one. */
static void test_walking_order(void **state)
{
	struct fx *f = *state;
	int64_t b10 = add_named(f, f->p1, PLACES_BUILDING, "BA", "10栋");
	int64_t b2 = add_named(f, f->p1, PLACES_BUILDING, "BB", "2栋");
	int64_t ha = add_named(f, b10, PLACES_HOUSEHOLD, "HA", "201");
	int64_t hb1 = add_named(f, b2, PLACES_HOUSEHOLD, "HB1", "1001");
	int64_t hb2 = add_named(f, b2, PLACES_HOUSEHOLD, "HB2", "101");
	int64_t pa = add_person(f, ha, 1), pb1 = add_person(f, hb1, 2), pb2 = add_person(f, hb2, 3);
	struct control_task_list l;
	control_task_list_init(&l);
	assert_int_equal(control_tasks_of_grid(f->t.db, f->g1, day_of("2021-06-01"), JUNE1(10), &l),
			 0);
	/* Everyone of G1 is unsampled in the fixture's open round: a roll-call task each. */
	int64_t want[] = {pb2,		pb1,	      pa,	    f->person[0], f->person[1],
			  f->person[2], f->person[3], f->person[4], f->person[5], f->person[6]};
	assert_int_equal(l.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < l.n; i++) {
		char id[64];
		snprintf(id, sizeof id, "rollcall:%lld:%lld:2021-06-01", (long long)f->round,
			 (long long)want[i]);
		assert_int_equal(l.v[i].person_id, want[i]);
		assert_string_equal(l.v[i].id, id);
		assert_int_equal(l.v[i].kind, CONTROL_TASK_ROLLCALL);
		assert_int_equal(l.v[i].due, JUNE1(20));
		assert_int_equal(l.v[i].state, CONTROL_TASK_OPEN);
		assert_int_equal(l.v[i].level, PLACES_GRID);
		assert_int_equal(l.v[i].grid_id, f->g1);
	}
	assert_string_equal(l.v[0].building_name, "2栋");
	assert_string_equal(l.v[0].household_name, "101");
	assert_string_equal(l.v[1].household_name, "1001");
	assert_string_equal(l.v[2].building_name, "10栋");
	assert_int_equal(l.v[3].household_id, f->h1);
	/* Sampled people leave the roll-call. */
	fx_scan(f, "T-1", 0);
	l.n = 0;
	assert_int_equal(control_tasks_of_grid(f->t.db, f->g1, day_of("2021-06-01"), JUNE1(10), &l),
			 0);
	assert_int_equal(l.n, sizeof want / sizeof want[0] - 1);
	for (size_t i = 0; i < l.n; i++)
		assert_int_not_equal(l.v[i].person_id, f->person[0]);
	/* Not a grid. */
	assert_int_equal(
	    control_tasks_of_grid(f->t.db, f->comm, day_of("2021-06-01"), JUNE1(10), &l),
	    MU_EINVAL);
	/* A closed round raises no roll-call. */
	assert_int_equal(screening_round_close(f->t.db, f->round, JUNE1(0)), 0);
	l.n = 0;
	assert_int_equal(control_tasks_of_grid(f->t.db, f->g1, day_of("2021-06-01"), JUNE1(10), &l),
			 0);
	assert_int_equal(l.n, 0);
	control_task_list_fini(&l);
	/* Nothing to do, in a fresh list: a grid without tasks, a grid without households. */
	int64_t empty = add_named(f, f->comm, PLACES_GRID, "G3", "空网格");
	control_task_list_init(&l);
	assert_int_equal(control_tasks_of_grid(f->t.db, f->g2, day_of("2021-06-01"), JUNE1(10), &l),
			 0);
	assert_int_equal(control_tasks_of_grid(f->t.db, empty, day_of("2021-06-01"), JUNE1(10), &l),
			 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(control_tasks_overdue(f->t.db, NULL, f->comm, JUNE1(10), &l), 0);
	assert_int_equal(l.n, 0);
	control_task_list_fini(&l);
}

/* Person 0 of H1 is a close contact with a plan: a plan test due today (12:00), one of
 * yesterday still not taken, one of tomorrow (not listed), and no check-in today
 * (10:00). Person 3 of H2 checked in at 08:00 with a fever: the medic's task, due at
 * 09:00. Person 12, outside the grid, has tests too: never listed. */
static void key_persons(struct fx *f)
{
	exec(f, "UPDATE rounds SET closed_at = 1"); /* no roll-call in the way */
	int64_t who[] = {f->person[0], f->person[3], f->person[12]};
	for (int i = 0; i < 3; i++) {
		execf(f,
		      "INSERT INTO key_statuses (person_id, kind, started_at, source) VALUES "
		      "(%lld, 'close', %lld, 'contact')",
		      (long long)who[i], (long long)JUNE1(-48));
		execf(f,
		      "INSERT INTO plans (id, person_id, status_id, template, made_at, phases) "
		      "VALUES "
		      "(%d, %lld, (SELECT max(id) FROM key_statuses), 'cn8-close', %lld, '[]')",
		      i + 1, (long long)who[i], (long long)JUNE1(-48));
	}
	exec(f, "INSERT INTO plan_tests (id, plan_id, person_id, day, due, state) VALUES"
		" (10, 1, (SELECT person_id FROM plans WHERE id = 1), 1, '2021-05-31', 'missed'),"
		" (11, 1, (SELECT person_id FROM plans WHERE id = 1), 2, '2021-06-01', 'due'),"
		" (12, 1, (SELECT person_id FROM plans WHERE id = 1), 3, '2021-06-02', 'due'),"
		" (13, 1, (SELECT person_id FROM plans WHERE id = 1), 0, '2021-05-30', 'negative'),"
		" (20, 3, (SELECT person_id FROM plans WHERE id = 3), 1, '2021-06-01', 'due')");
	execf(f,
	      "INSERT INTO checkins (id, person_id, at, temperature, fever) VALUES "
	      "(7, %lld, %lld, 37.9, 1)",
	      (long long)f->person[3], (long long)JUNE1(8));
}

/* A plan made at 15:00 with a test due that day: the test is due at 12:00 the next day,
 * not missed before the plan existed, and that day's check-in by the day's end. */
static void test_plan_made_late(void **state)
{
	struct fx *f = *state;
	struct control_task_list l;
	exec(f, "UPDATE rounds SET closed_at = 1");
	execf(f,
	      "INSERT INTO key_statuses (person_id, kind, started_at, source) VALUES "
	      "(%lld, 'close', %lld, 'contact')",
	      (long long)f->person[0], (long long)JUNE1(15));
	execf(f,
	      "INSERT INTO plans (id, person_id, status_id, template, made_at, phases) VALUES "
	      "(1, %lld, (SELECT max(id) FROM key_statuses), 'cn9-close', %lld, '[]')",
	      (long long)f->person[0], (long long)JUNE1(15));
	exec(f, "INSERT INTO plan_tests (id, plan_id, person_id, day, due, state) VALUES"
		" (30, 1, (SELECT person_id FROM plans WHERE id = 1), 1, '2021-06-01', 'due')");
	control_task_list_init(&l);
	assert_int_equal(control_tasks_of_grid(f->t.db, f->g1, day_of("2021-06-01"), JUNE1(16), &l),
			 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].id, "plan_test:30");
	assert_int_equal(l.v[0].due, JUNE1(12) + 86400);
	assert_int_equal(l.v[0].state, CONTROL_TASK_OPEN);
	assert_int_equal(l.v[0].level, PLACES_GRID);
	assert_int_equal(l.v[1].kind, CONTROL_TASK_CHECKIN);
	assert_int_equal(l.v[1].due, JUNE1(24));
	assert_int_equal(l.v[1].state, CONTROL_TASK_OPEN);
	/* The next day: the test is still due at noon, and the check-in is asked. */
	l.n = 0;
	assert_int_equal(
	    control_tasks_of_grid(f->t.db, f->g1, day_of("2021-06-02"), JUNE1(24 + 9), &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].kind, CONTROL_TASK_PLAN_TEST);
	assert_int_equal(l.v[0].state, CONTROL_TASK_OPEN);
	assert_int_equal(l.v[1].kind, CONTROL_TASK_CHECKIN);
	control_task_list_fini(&l);
}

static void test_deadlines_and_missed(void **state)
{
	struct fx *f = *state;
	struct control_task_list l;
	char id[64];
	key_persons(f);
	control_task_list_init(&l);
	/* 09:30: the fever (due 09:00) is missed and at the community since 09:00; the
	 * check-in (10:00) and today's test (12:00) are open; yesterday's test (due 12:00
	 * yesterday) climbed to the community at 12:00 and to the street at 14:00. */
	int64_t now = JUNE1(9) + 1800;
	assert_int_equal(control_tasks_of_grid(f->t.db, f->g1, day_of("2021-06-01"), now, &l), 0);
	assert_int_equal(l.n, 4);
	/* H1's person: kinds in order plan_test (yesterday's, today's), checkin; then H2's. */
	assert_string_equal(l.v[0].id, "plan_test:10");
	assert_string_equal(l.v[1].id, "plan_test:11");
	snprintf(id, sizeof id, "checkin:%lld:2021-06-01", (long long)f->person[0]);
	assert_string_equal(l.v[2].id, id);
	assert_string_equal(l.v[3].id, "fever:7");

	assert_int_equal(l.v[0].due, JUNE1(12) - 86400);
	assert_int_equal(l.v[0].state, CONTROL_TASK_MISSED);
	assert_int_equal(l.v[0].level, PLACES_STREET);
	assert_int_equal(l.v[0].level_place, f->street);
	assert_int_equal(l.v[0].level_at, JUNE1(14) - 86400);
	assert_int_equal(l.v[1].due, JUNE1(12));
	assert_int_equal(l.v[1].state, CONTROL_TASK_OPEN);
	assert_int_equal(l.v[1].level, PLACES_GRID);
	assert_int_equal(l.v[2].due, JUNE1(10));
	assert_int_equal(l.v[2].state, CONTROL_TASK_OPEN);
	assert_int_equal(l.v[3].due, JUNE1(9));
	assert_int_equal(l.v[3].state, CONTROL_TASK_MISSED);
	assert_int_equal(l.v[3].level, PLACES_COMMUNITY);
	assert_int_equal(l.v[3].level_place, f->comm);
	assert_int_equal(l.v[3].level_at, JUNE1(9));

	/* The same from the city read once (the sweep's and the bench's way), task for
	 * task. */
	struct control_city city;
	struct control_task_list k;
	assert_int_equal(
	    control_city_load(f->t.db, NULL, day_of("2021-06-01"), day_of("2021-06-01"), &city), 0);
	assert_int_equal(city.keys.n, 3);
	control_task_list_init(&k);
	assert_int_equal(
	    control_tasks_of_grid_city(f->t.db, &city, f->g1, day_of("2021-06-01"), now, &k), 0);
	assert_int_equal(k.n, l.n);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(k.v[i].id, l.v[i].id);
		assert_int_equal(k.v[i].state, l.v[i].state);
		assert_string_equal(k.v[i].household_name, l.v[i].household_name);
		assert_string_equal(k.v[i].household_code, l.v[i].household_code);
	}
	control_task_list_fini(&k);
	control_city_fini(&city);

	/* 11:01: the check-in climbed to the community at 10:00; 12:00 is still an hour
	 * away for today's test; the fever reached the street at 11:00. */
	l.n = 0;
	assert_int_equal(
	    control_tasks_of_grid(f->t.db, f->g1, day_of("2021-06-01"), JUNE1(11) + 60, &l), 0);
	assert_int_equal(l.v[2].state, CONTROL_TASK_MISSED);
	assert_int_equal(l.v[2].level, PLACES_COMMUNITY);
	assert_int_equal(l.v[3].level, PLACES_STREET);
	assert_int_equal(l.v[3].level_at, JUNE1(11));
	assert_int_equal(l.v[1].state, CONTROL_TASK_OPEN);

	/* A check-in today takes the check-in task away; the day before lists yesterday's
	 * test alone (today's is not due yet then). */
	execf(f, "INSERT INTO checkins (person_id, at, fever) VALUES (%lld, %lld, 0)",
	      (long long)f->person[0], (long long)JUNE1(9));
	l.n = 0;
	assert_int_equal(control_tasks_of_grid(f->t.db, f->g1, day_of("2021-06-01"), now, &l), 0);
	assert_int_equal(l.n, 3);
	assert_null(find(&l, id));
	l.n = 0;
	assert_int_equal(control_tasks_of_grid(f->t.db, f->g1, day_of("2021-05-31"), now, &l), 0);
	assert_non_null(find(&l, "plan_test:10"));
	assert_null(find(&l, "plan_test:11"));
	assert_null(find(&l, "fever:7"));

	/* At the community: what climbed to it — with yesterday's check-ins, missing since
	 * 10:00 yesterday — household by household; at the street: only what went on. */
	char c0[64], c3[64];
	snprintf(c0, sizeof c0, "checkin:%lld:2021-05-31", (long long)f->person[0]);
	snprintf(c3, sizeof c3, "checkin:%lld:2021-05-31", (long long)f->person[3]);
	l.n = 0;
	assert_int_equal(control_tasks_overdue(f->t.db, NULL, f->comm, now, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].id, "plan_test:10");
	assert_string_equal(l.v[1].id, c0);
	assert_string_equal(l.v[2].id, c3);
	assert_string_equal(l.v[3].id, "fever:7");
	assert_int_equal(l.v[1].level_at, JUNE1(12) - 86400);
	l.n = 0;
	assert_int_equal(control_tasks_overdue(f->t.db, NULL, f->street, now, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].id, "plan_test:10");
	assert_string_equal(l.v[1].id, c0);
	assert_string_equal(l.v[2].id, c3);
	assert_int_equal(control_tasks_overdue(f->t.db, NULL, f->g1, now, &l), MU_EINVAL);
	control_task_list_fini(&l);
}

static int64_t user(struct fx *f, const char *name, int64_t place)
{
	int64_t id;
	assert_int_equal(
	    auth_user_add(f->t.db, name, AUTH_GRID_WORKER, place, "correct horse 1", &id, NULL), 0);
	return id;
}

static void test_groups(void **state)
{
	struct fx *f = *state;
	struct mu_why why;
	int64_t id = 0;
	user(f, "medic", f->g1);
	user(f, "cadre", f->comm);
	user(f, "police", f->street);
	user(f, "far", f->street2);
	const char *g1[] = {"G1"}, *both[] = {"G1", "G2"}, *comm[] = {"M"}, *none[] = {"NOPE"};
	const char *ok[] = {"medic", "cadre", "police"};
	const char *far[] = {"medic", "cadre", "far"};
	const char *twice[] = {"medic", "medic", "police"};
	const char *ghost[] = {"medic", "ghost", "police"};
	assert_int_equal(control_group_add(f->t.db, NULL, comm, 1, ok, 1, &id, &why), MU_EINVAL);
	assert_string_equal(why.field, "grid");
	assert_int_equal(control_group_add(f->t.db, NULL, none, 1, ok, 1, &id, &why), MU_ENOTFOUND);
	assert_int_equal(control_group_add(f->t.db, NULL, g1, 1, far, 1, &id, &why), MU_EFORBIDDEN);
	assert_string_equal(why.field, "police");
	assert_int_equal(control_group_add(f->t.db, NULL, g1, 1, twice, 1, &id, &why), MU_EINVAL);
	assert_string_equal(why.field, "cadre");
	assert_int_equal(control_group_add(f->t.db, NULL, g1, 1, ghost, 1, &id, &why),
			 MU_ENOTFOUND);
	/* The medic's jurisdiction is G1: a group over G1 and G2 is refused for them. */
	assert_int_equal(control_group_add(f->t.db, NULL, both, 2, ok, 1, &id, &why),
			 MU_EFORBIDDEN);
	assert_string_equal(why.field, "medic");
	assert_int_equal(fx_count(f, "SELECT count(*) FROM care_groups"), 0);
	assert_int_equal(control_group_add(f->t.db, "一组", g1, 1, ok, 5, &id, &why), 0);
	int64_t held;
	assert_int_equal(control_group_of_grid(f->t.db, f->g1, &held), 0);
	assert_int_equal(held, id);
	assert_int_equal(control_group_add(f->t.db, NULL, g1, 1, ok, 1, &id, &why), MU_EEXIST);
	assert_int_equal(auth_user_disable(f->t.db, "cadre"), 0);
	const char *g2[] = {"G2"};
	const char *ok2[] = {"police", "cadre", "medic"};
	assert_int_equal(control_group_add(f->t.db, NULL, g2, 1, ok2, 1, &id, &why), MU_EINVAL);
	assert_string_equal(why.field, "cadre");
}

static int count_groups(const struct control_group *g, void *ctx)
{
	assert_int_equal(g->ngrids, 1);
	++*(int *)ctx;
	return 0;
}

/* The sweep records the missed tasks' climbs and missed marks once; done marks. */
static void test_sweep_and_done(void **state)
{
	struct fx *f = *state;
	struct mu_why why;
	int64_t gid, steps = -1;
	int n = 0;
	key_persons(f);
	user(f, "medic", f->g1);
	user(f, "cadre", f->comm);
	user(f, "police", f->street);
	const char *g1[] = {"G1"}, *ok[] = {"medic", "cadre", "police"};
	assert_int_equal(control_group_add(f->t.db, NULL, g1, 1, ok, 1, &gid, &why), 0);
	assert_int_equal(control_group_list(f->t.db, f->street, count_groups, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(control_group_list(f->t.db, f->street2, count_groups, &n), 0);
	assert_int_equal(n, 1);

	int64_t now = JUNE1(9) + 1800;
	assert_int_equal(control_tasks_sweep(f->t.db, now, &steps), 0);
	/* plan_test:10 and yesterday's two check-ins reached the community and the street,
	 * fever:7 the community. */
	assert_int_equal(steps, 7);
	char q[256];
	snprintf(q, sizeof q,
		 "SELECT count(*) FROM task_steps WHERE task = 'plan_test:10' AND"
		 " ((level = 3 AND at = %lld) OR (level = 2 AND at = %lld))",
		 (long long)(JUNE1(12) - 86400), (long long)(JUNE1(14) - 86400));
	assert_int_equal(fx_count(f, q), 2);
	assert_int_equal(fx_count(f, "SELECT at FROM task_steps WHERE task = 'fever:7'"), JUNE1(9));
	assert_int_equal(fx_count(f, "SELECT count(*) FROM task_marks WHERE state = 'missed'"), 4);
	assert_int_equal(control_tasks_sweep(f->t.db, now, &steps), 0);
	assert_int_equal(steps, 0);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM task_steps"), 7);
	/* Later, the fever climbs on; recorded once more. */
	assert_int_equal(control_tasks_sweep(f->t.db, JUNE1(11) + 60, &steps), 0);
	assert_int_equal(steps, 2); /* fever:7 at the street; the check-in at the community */

	/* Done: once; a missed task may still be done late; the state says done. */
	assert_int_equal(
	    control_task_done(f->t.db, "fever:7", "37.2 at 11:00", NULL, 0, JUNE1(11), &why), 0);
	assert_int_equal(control_task_done(f->t.db, "fever:7", NULL, NULL, 0, JUNE1(11), &why),
			 MU_EEXIST);
	struct control_task_list l;
	control_task_list_init(&l);
	assert_int_equal(control_tasks_of_grid(f->t.db, f->g1, day_of("2021-06-01"), JUNE1(11), &l),
			 0);
	assert_int_equal(find(&l, "fever:7")->state, CONTROL_TASK_DONE);
	/* The city's read of the marks (done over missed; plan_test:10, of the day before
	 * the days read, asks its own) gives the same states, task for task. */
	struct control_city city;
	struct control_task_list k;
	assert_int_equal(
	    control_city_load(f->t.db, NULL, day_of("2021-06-01"), day_of("2021-06-01"), &city), 0);
	assert_true(city.nmarks >= 2);
	control_task_list_init(&k);
	assert_int_equal(
	    control_tasks_of_grid_city(f->t.db, &city, f->g1, day_of("2021-06-01"), JUNE1(11), &k),
	    0);
	assert_int_equal(k.n, l.n);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(k.v[i].id, l.v[i].id);
		assert_int_equal(k.v[i].state, l.v[i].state);
		assert_int_equal(k.v[i].level, l.v[i].level);
	}
	assert_int_equal(find(&k, "fever:7")->state, CONTROL_TASK_DONE);
	control_task_list_fini(&k);
	control_city_fini(&city);
	control_task_list_fini(&l);
	assert_int_equal(control_task_done(f->t.db, "plan_test:12", NULL, NULL, 0, JUNE1(11), &why),
			 MU_ENOTFOUND); /* due tomorrow */
	assert_int_equal(control_task_done(f->t.db, "plan_test:99", NULL, NULL, 0, JUNE1(11), &why),
			 MU_ENOTFOUND);
	assert_int_equal(control_task_done(f->t.db, "plan_test:x", NULL, NULL, 0, JUNE1(11), &why),
			 MU_EINVAL);
	assert_int_equal(control_task_done(f->t.db, "chore:1", NULL, NULL, 0, JUNE1(11), &why),
			 MU_EINVAL);
	assert_int_equal(
	    control_task_done(f->t.db, "plan_test:11", "bad\x01", NULL, 0, JUNE1(11), &why),
	    MU_EINVAL);
	assert_string_equal(why.field, "result");
	assert_int_equal(fx_count(f, "SELECT count(*) FROM task_marks WHERE state = 'done'"), 1);

	/* The two halves the API uses: find on a reader, mark on the writer. */
	struct control_task t;
	assert_int_equal(control_task_find(f->t.db, NULL, "plan_test:11", JUNE1(11), &t, &why), 0);
	assert_int_equal(t.kind, CONTROL_TASK_PLAN_TEST);
	assert_int_equal(t.person_id, f->person[0]);
	assert_int_equal(t.day, day_of("2021-06-01"));
	assert_int_equal(t.state, CONTROL_TASK_OPEN);
	assert_int_equal(control_task_mark_done(f->t.db, &t, NULL, "夜里\x07", 0, JUNE1(11), &why),
			 MU_EINVAL);
	assert_string_equal(why.field, "note");
	assert_int_equal(control_task_mark_done(f->t.db, &t, NULL, "已采样", 0, JUNE1(11), &why),
			 0);
	assert_int_equal(control_task_mark_done(f->t.db, &t, NULL, NULL, 0, JUNE1(11), &why),
			 MU_EEXIST);
	assert_int_equal(control_task_find(f->t.db, NULL, "plan_test:11", JUNE1(11), &t, &why), 0);
	assert_int_equal(t.state, CONTROL_TASK_DONE);
}

/* The sweep derives a day's roll-call only between its due time and the first sweep
 * that began after its last climb (20:00 + 2 h). */
static void test_sweep_rollcall_window(void **state)
{
	struct fx *f = *state;
	struct control_task_list l;
	exec(f, "INSERT INTO care_groups (id, name, created_at) VALUES (1, 'g', 0)");
	execf(f, "INSERT INTO group_grids (group_id, grid_id) VALUES (1, %lld)", (long long)f->g1);
	int64_t now = JUNE1(21);
	size_t today = 0, yesterday = 0;
	control_task_list_init(&l);
	assert_int_equal(control_tasks_sweep_collect(f->t.db, NULL, now, 0, &l), 0);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(l.v[i].kind, CONTROL_TASK_ROLLCALL);
		assert_int_equal(l.v[i].state, CONTROL_TASK_MISSED);
		today += l.v[i].day == day_of("2021-06-01");
		yesterday += l.v[i].day == day_of("2021-05-31");
	}
	assert_int_equal(today, 7);
	assert_int_equal(yesterday, 7);
	/* A sweep began at 22:00 yesterday: yesterday's climbs are all recorded. */
	l.n = 0;
	assert_int_equal(control_tasks_sweep_collect(f->t.db, NULL, now, JUNE1(22) - 86400, &l), 0);
	assert_int_equal(l.n, 7);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.v[i].day, day_of("2021-06-01"));
	/* Before 20:00 nothing of today's roll-call is missed, nor derived. */
	l.n = 0;
	assert_int_equal(
	    control_tasks_sweep_collect(f->t.db, NULL, JUNE1(19), JUNE1(22) - 86400, &l), 0);
	assert_int_equal(l.n, 0);
	control_task_list_fini(&l);
}

static void test_need_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(control_need_groups(0, 0, 0), 0);
	assert_int_equal(control_need_groups(0, 0, 1), 1);
	assert_int_equal(control_need_groups(0, 0, 800), 1);
	assert_int_equal(control_need_groups(0, 0, 801), 2);
	assert_int_equal(control_need_groups(200, 0, 0), 1);
	assert_int_equal(control_need_groups(201, 0, 0), 2);
	assert_int_equal(control_need_groups(0, 400, 0), 1);
	assert_int_equal(control_need_groups(0, 401, 0), 2);
	/* Shares add before rounding: 100 high + 200 medium + 400 other = 1.5 groups. */
	assert_int_equal(control_need_groups(100, 200, 400), 2);
	assert_int_equal(control_need_groups(100, 100, 200), 1);
	assert_int_equal(control_need_groups(2000, 4000, 8000), 30);
}

struct needs_seen {
	struct control_need n[4];
	int count;
};

static int need_one(const struct control_need *n, void *ctx)
{
	struct needs_seen *s = ctx;
	s->n[s->count++] = *n;
	return 0;
}

static void needs_of(struct fx *f, int64_t place, int64_t now, struct needs_seen *s)
{
	memset(s, 0, sizeof *s);
	assert_int_equal(control_needs_children(f->t.db, place, now, need_one, s), 0);
}

static void test_needs(void **state)
{
	struct fx *f = *state;
	struct needs_seen s;
	/* G1 holds H1 and H2 (building B1), G2 holds H3. */
	needs_of(f, f->comm, JUNE1(0), &s);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.n[0].place_id, f->g1);
	assert_int_equal(s.n[0].households, 2);
	assert_int_equal(s.n[0].zone_level, 0);
	assert_int_equal(s.n[0].needed, 1);
	assert_int_equal(s.n[0].staffed, 0);
	assert_int_equal(s.n[0].short_by, 1);
	assert_int_equal(s.n[1].households, 1);

	/* A high zone on household H1 inside a medium zone on G1: H1 counts high, H2
	 * medium. A lifted zone and one not yet begun change nothing. */
	execf(f,
	      "INSERT INTO zones (place_id, level, measures, from_at, reason, created_at) VALUES"
	      " (%lld, 'medium', 'controlled', 0, 'r', 0), (%lld, 'high', 'sealed', 0, 'r', 0),"
	      " (%lld, 'high', 'sealed', 0, 'r', 0), (%lld, 'high', 'sealed', %lld, 'r', 0)",
	      (long long)f->g1, (long long)f->h1, (long long)f->h3, (long long)f->g2,
	      (long long)JUNE1(1));
	execf(f, "UPDATE zones SET lifted_at = 5 WHERE place_id = %lld", (long long)f->h3);
	needs_of(f, f->comm, JUNE1(0), &s);
	assert_int_equal(s.n[0].zone_level, 1);
	assert_int_equal(s.n[0].high, 1);
	assert_int_equal(s.n[0].medium, 1);
	assert_int_equal(s.n[1].zone_level, 0);
	assert_int_equal(s.n[1].high, 0);
	/* From the street: M holds both grids; the high household inside the medium grid
	 * counts once, high. */
	needs_of(f, f->street, JUNE1(0), &s);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.n[0].households, 3);
	assert_int_equal(s.n[0].high, 1);
	assert_int_equal(s.n[0].medium, 1);
	assert_int_equal(s.n[0].zone_level, 0);
	/* G2's zone begins: G2 is high all over. */
	needs_of(f, f->comm, JUNE1(2), &s);
	assert_int_equal(s.n[1].zone_level, 2);
	assert_int_equal(s.n[1].high, 1);
	/* A group on G1 staffs G1 and, from the street, M. */
	exec(f, "INSERT INTO care_groups (id, name, created_at) VALUES (1, 'g', 0)");
	execf(f, "INSERT INTO group_grids (group_id, grid_id) VALUES (1, %lld)", (long long)f->g1);
	needs_of(f, f->comm, JUNE1(0), &s);
	assert_int_equal(s.n[0].staffed, 1);
	assert_int_equal(s.n[0].short_by, 0);
	assert_int_equal(s.n[1].staffed, 0);
	needs_of(f, f->street, JUNE1(0), &s);
	assert_int_equal(s.n[0].staffed, 1);
	assert_int_equal(s.n[0].needed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_day),
	    cmocka_unit_test_setup_teardown(test_walking_order, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_deadlines_and_missed, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_plan_made_late, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_groups, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_sweep_and_done, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_sweep_rollcall_window, fx_setup, fx_teardown),
	    cmocka_unit_test(test_need_arithmetic),
	    cmocka_unit_test_setup_teardown(test_needs, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
