/* test_zones.c: risk zones on screening's small city — the risk of a household under
 * nested zones over time, the places a zone may be drawn on, sealed residents' statuses
 * (nested sealed zones hand them over), a downgrade that keeps the record, the tube
 * policy a high zone puts on a scan, and the proposal's conditions one by one with a
 * fake clock. */
#include "control/control.h"
#include "control/control_int.h"
#include "screening/fixture.h"

#define DAY    86400
#define T_0515 1621036800 /* 2021-05-15T00:00:00Z */
#define T_0517 1621209600
#define T_0520 1621468800
#define T_0531 1622419200
#define T_0601 1622505600
#define T_0602 1622592000
#define T_0604 1622764800

static int64_t zone(struct fx *f, int64_t place, int level, int measures, int64_t from)
{
	struct control_zone z = {
	    .place_id = place, .level = level, .measures = measures, .from_at = from};
	snprintf(z.reason, sizeof z.reason, "%s", "本土病例");
	struct mu_why why = {0};
	int rc = control_zone_create(f->t.db, &z, from, NULL, &why);
	if (rc)
		fail_msg("zone on %lld: %d %s", (long long)place, rc, why.text);
	return z.id;
}

static int risk(struct fx *f, int64_t household, int64_t at)
{
	int r1 = -1, r2 = -1;
	assert_int_equal(control__zone_risk(f->t.db, household, at, &r1), 0);
	/* The readers' answer from the table agrees with the memory's. */
	assert_int_equal(control_zone_risk(f->t.db, household, at, &r2), 0);
	assert_int_equal(r1, r2);
	return r1;
}

static void test_risk_nested(void **state)
{
	struct fx *f = *state;
	control__zones_reset();
	/* No zone: everyone low. */
	assert_int_equal(risk(f, f->h1, T_0601), CONTROL_ZONE_LOW);
	/* A medium community from 05-15, a high building inside it from 05-20. */
	zone(f, f->comm, CONTROL_ZONE_MEDIUM, CONTROL_MEASURES_CONTROLLED, T_0515);
	int64_t high = zone(f, f->b1, CONTROL_ZONE_HIGH, CONTROL_MEASURES_SEALED, T_0520);
	assert_int_equal(risk(f, f->h1, T_0515 - 1), CONTROL_ZONE_LOW);
	assert_int_equal(risk(f, f->h1, T_0515), CONTROL_ZONE_MEDIUM);
	assert_int_equal(risk(f, f->h1, T_0520), CONTROL_ZONE_HIGH);
	assert_int_equal(risk(f, f->h2, T_0520 + DAY), CONTROL_ZONE_HIGH);
	/* H3 is in the community, not in the building. */
	assert_int_equal(risk(f, f->h3, T_0520 + DAY), CONTROL_ZONE_MEDIUM);
	/* HX is in another street. */
	assert_int_equal(risk(f, f->hx, T_0520 + DAY), CONTROL_ZONE_LOW);
	/* Lifting the building at 06-01: medium after, high still before. */
	assert_int_equal(control_zone_lift(f->t.db, high, T_0601, NULL, NULL), 0);
	assert_int_equal(risk(f, f->h1, T_0601), CONTROL_ZONE_MEDIUM);
	assert_int_equal(risk(f, f->h1, T_0601 - 1), CONTROL_ZONE_HIGH);
	/* A low zone changes no pool. */
	zone(f, f->street2, CONTROL_ZONE_LOW, CONTROL_MEASURES_PRECAUTION, T_0515);
	assert_int_equal(risk(f, f->hx, T_0601), CONTROL_ZONE_LOW);
	/* Memory stale, as after a write elsewhere: the answer is reread, the same. */
	control__zones_changed();
	assert_int_equal(risk(f, f->h2, T_0520), CONTROL_ZONE_HIGH);
}

static void test_where_and_what(void **state)
{
	struct fx *f = *state;
	struct control_zone z = {.place_id = f->g1,
				 .level = CONTROL_ZONE_HIGH,
				 .measures = CONTROL_MEASURES_SEALED,
				 .from_at = T_0515,
				 .reason = "r"};
	struct mu_why why = {0};
	/* Grids, households, districts are no zones. */
	assert_int_equal(control_zone_create(f->t.db, &z, T_0515, NULL, &why), MU_EINVAL);
	assert_string_equal(why.field, "place");
	z.place_id = f->h1;
	assert_int_equal(control_zone_create(f->t.db, &z, T_0515, NULL, &why), MU_EINVAL);
	z.place_id = f->dist;
	assert_int_equal(control_zone_create(f->t.db, &z, T_0515, NULL, &why), MU_EINVAL);
	z.place_id = 99999;
	assert_int_equal(control_zone_create(f->t.db, &z, T_0515, NULL, &why), MU_ENOTFOUND);
	/* A reason of one line. */
	z.place_id = f->p1;
	snprintf(z.reason, sizeof z.reason, "%s", "a\nb");
	assert_int_equal(control_zone_create(f->t.db, &z, T_0515, NULL, &why), MU_EINVAL);
	assert_string_equal(why.field, "reason");
	z.reason[0] = '\0';
	assert_int_equal(control_zone_create(f->t.db, &z, T_0515, NULL, &why), MU_EINVAL);
	/* One zone in force a place: the second is refused, a lifted one is no obstacle. */
	int64_t id = zone(f, f->p1, CONTROL_ZONE_MEDIUM, CONTROL_MEASURES_CONTROLLED, T_0515);
	snprintf(z.reason, sizeof z.reason, "%s", "again");
	assert_int_equal(control_zone_create(f->t.db, &z, T_0515, NULL, &why), MU_EEXIST);
	assert_string_equal(why.field, "place");
	/* Lifting: not before its start, not twice. */
	assert_int_equal(control_zone_lift(f->t.db, id, T_0515 - 1, NULL, &why), MU_EINVAL);
	assert_int_equal(control_zone_lift(f->t.db, id, T_0517, NULL, &why), 0);
	assert_int_equal(control_zone_lift(f->t.db, id, T_0517, NULL, &why), MU_EEXIST);
	assert_int_equal(control_zone_lift(f->t.db, 424242, T_0517, NULL, &why), MU_ENOTFOUND);
	assert_int_equal(control_zone_create(f->t.db, &z, T_0520, NULL, &why), 0);
}

static int64_t sealed_in_force(struct fx *f, int64_t zone_id)
{
	char sql[200];
	int64_t n = -1;
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM key_statuses WHERE kind = 'sealed' AND source = 'zone'"
		 " AND ref_id = %lld AND ended_at IS NULL",
		 (long long)zone_id);
	assert_int_equal(db_query_i64(f->t.db, sql, &n), 0);
	return n;
}

static void test_sealed(void **state)
{
	struct fx *f = *state;
	struct control_zone b = {.place_id = f->b1,
				 .level = CONTROL_ZONE_HIGH,
				 .measures = CONTROL_MEASURES_SEALED,
				 .from_at = T_0515,
				 .reason = "封控"};
	int64_t sealed = 0, ended = 0;
	assert_int_equal(control_zone_create(f->t.db, &b, T_0515, &sealed, NULL), 0);
	/* B1 holds H1 (3) and H2 (4). */
	assert_int_equal(sealed, 7);
	assert_int_equal(sealed_in_force(f, b.id), 7);
	/* The compound around it, sealed too: nobody gets a second status. */
	int64_t p = zone(f, f->p1, CONTROL_ZONE_HIGH, CONTROL_MEASURES_SEALED, T_0517);
	assert_int_equal(sealed_in_force(f, p), 0);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM key_statuses WHERE ended_at IS NULL"),
			 7);
	/* Lifting the building: its residents stay sealed, now under the compound. */
	assert_int_equal(control_zone_lift(f->t.db, b.id, T_0520, &ended, NULL), 0);
	assert_int_equal(ended, 7);
	assert_int_equal(sealed_in_force(f, b.id), 0);
	assert_int_equal(sealed_in_force(f, p), 7);
	/* Lifting the compound ends them all. */
	assert_int_equal(control_zone_lift(f->t.db, p, T_0601, &ended, NULL), 0);
	assert_int_equal(ended, 7);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM key_statuses WHERE ended_at IS NULL"),
			 0);
	assert_int_equal(
	    fx_count(f, "SELECT count(*) FROM key_statuses WHERE ended_at = 1622505600"), 7);
	/* A controlled zone seals nobody. */
	zone(f, f->b2, CONTROL_ZONE_MEDIUM, CONTROL_MEASURES_CONTROLLED, T_0601);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM key_statuses WHERE ended_at IS NULL"),
			 0);
}

static void test_downgrade(void **state)
{
	struct fx *f = *state;
	int64_t id = zone(f, f->b2, CONTROL_ZONE_HIGH, CONTROL_MEASURES_SEALED, T_0515);
	assert_int_equal(sealed_in_force(f, id), 5);
	struct control_zone n, old;
	struct mu_why why = {0};
	/* Not up, not sideways. */
	assert_int_equal(
	    control_zone_downgrade(f->t.db, id, CONTROL_ZONE_HIGH, -1, T_0601, 7, &n, &why),
	    MU_EINVAL);
	assert_string_equal(why.field, "level");
	assert_int_equal(
	    control_zone_downgrade(f->t.db, id, CONTROL_ZONE_MEDIUM, -1, T_0601, 7, &n, &why), 0);
	assert_int_equal(control_zone_get(f->t.db, id, &old), 0);
	assert_int_equal(old.lifted_at, T_0601);
	assert_int_equal(n.prev_id, id);
	assert_int_equal(n.level, CONTROL_ZONE_MEDIUM);
	assert_int_equal(n.measures, CONTROL_MEASURES_CONTROLLED);
	assert_int_equal(n.from_at, T_0601);
	assert_int_equal(n.user_id, 7);
	assert_string_equal(n.reason, "本土病例");
	/* The sealed statuses ended with the high zone; the controlled one seals nobody. */
	assert_int_equal(sealed_in_force(f, id), 0);
	assert_int_equal(sealed_in_force(f, n.id), 0);
	assert_int_equal(risk(f, f->h3, T_0601), CONTROL_ZONE_MEDIUM);
	assert_int_equal(risk(f, f->h3, T_0601 - 1), CONTROL_ZONE_HIGH);
	/* The lifted one cannot be lowered again; the new one can, down to low. */
	assert_int_equal(
	    control_zone_downgrade(f->t.db, id, CONTROL_ZONE_LOW, -1, T_0602, 7, NULL, &why),
	    MU_EEXIST);
	assert_int_equal(
	    control_zone_downgrade(f->t.db, n.id, CONTROL_ZONE_LOW, -1, T_0602, 7, NULL, &why), 0);
	assert_int_equal(risk(f, f->h3, T_0602), CONTROL_ZONE_LOW);
	/* Three rows, one in force. */
	assert_int_equal(fx_count(f, "SELECT count(*) FROM zones"), 3);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM zones WHERE lifted_at IS NULL"), 1);
}

/* A high zone's household is sampled alone: the hook tells the scan path so. */
static void test_tube_policy(void **state)
{
	struct fx *f = *state;
	control__hooks_set();
	control__zones_reset();
	/* Zoned high from 05-15: person 0 (H1) gets a single tube; person 1 cannot join it. */
	zone(f, f->b1, CONTROL_ZONE_HIGH, CONTROL_MEASURES_SEALED, T_0515);
	struct screening_scan_result r = fx_scan(f, "TA", 0);
	assert_int_equal(r.err, 0);
	assert_int_equal(fx_count(f, "SELECT capacity FROM tubes WHERE barcode = 'TA'"), 1);
	r = fx_scan(f, "TA", 1);
	assert_int_not_equal(r.err, 0);
	/* Person 7 (H3, no zone) pools at the round's 5 with person 8. */
	assert_int_equal(fx_scan(f, "TB", 7).err, 0);
	assert_int_equal(fx_scan(f, "TB", 8).err, 0);
	assert_int_equal(fx_count(f, "SELECT capacity FROM tubes WHERE barcode = 'TB'"), 5);
	assert_int_equal(fx_count(f, "SELECT n FROM tubes WHERE barcode = 'TB'"), 2);
	screening_hooks_set(NULL);
}

static void census(struct fx *f, int64_t zone_id, int64_t now, struct control_zone_census *c)
{
	struct control_zone z;
	struct control_zone_facts *facts;
	assert_int_equal(control_zone_get(f->t.db, zone_id, &z), 0);
	assert_int_equal(control_zone_facts_new(f->t.db, &facts), 0);
	assert_int_equal(control_zone_census(f->t.db, facts, &z, now, c), 0);
	control_zone_facts_free(facts);
}

static void exec(struct fx *f, const char *sql)
{
	assert_int_equal(db_exec(f->t.db, sql), 0);
}

static void test_proposal(void **state)
{
	struct fx *f = *state;
	struct control_zone_census c;
	char sql[400];
	int64_t id = zone(f, f->b1, CONTROL_ZONE_MEDIUM, CONTROL_MEASURES_CONTROLLED, T_0515);
	/* A case in H1 confirmed 05-15, its close contact exposed 05-17; a case in H3
	 * (outside the building) later, which does not count. */
	snprintf(sql, sizeof sql,
		 "INSERT INTO cases (id, person_id, kind, source, confirmed_at, household_id,"
		 " created_at) VALUES (1, %lld, 'confirmed', 'staff', %d, %lld, %d),"
		 " (2, %lld, 'confirmed', 'staff', %d, %lld, %d)",
		 (long long)f->person[0], T_0515, (long long)f->h1, T_0515, (long long)f->person[7],
		 T_0531, (long long)f->h3, T_0531);
	exec(f, sql);
	snprintf(
	    sql, sizeof sql,
	    "INSERT INTO contacts (case_id, person_id, kind, setting, last_exposure, listed_at)"
	    " VALUES (1, %lld, 'close', 'household', %d, %d),"
	    " (1, %lld, 'secondary', 'other', %d, %d),"
	    " (2, %lld, 'close', 'household', %d, %d)",
	    (long long)f->person[1], T_0517, T_0517, (long long)f->person[2], T_0531, T_0531,
	    (long long)f->person[8], T_0531, T_0531);
	exec(f, sql);
	/* Statuses and colours of the people inside. */
	assert_int_equal(
	    control__key_start(f->t.db, f->person[0], CONTROL_KEY_CASE, 0, "case", 1, T_0515, NULL),
	    0);
	assert_int_equal(control__key_start(f->t.db, f->person[1], CONTROL_KEY_CLOSE, T_0517,
					    "contact", 1, T_0517, NULL),
			 0);
	assert_int_equal(control__key_start(f->t.db, f->person[8], CONTROL_KEY_CLOSE, T_0531,
					    "contact", 2, T_0531, NULL),
			 0);
	snprintf(sql, sizeof sql,
		 "INSERT OR REPLACE INTO code_colours (person_id, colour, reasons, since)"
		 " VALUES (%lld, 2, 'case', 0), (%lld, 1, 'missed_test', 0), (%lld, 2, 'close', 0)",
		 (long long)f->person[0], (long long)f->person[3], (long long)f->person[8]);
	exec(f, sql);

	/* 05-20: nothing holds. */
	census(f, id, T_0520, &c);
	assert_int_equal(c.people, 7);
	assert_int_equal(c.households, 2);
	assert_int_equal(c.status[CONTROL_KEY_CASE], 1);
	assert_int_equal(c.status[CONTROL_KEY_CLOSE], 1);
	/* Red: the case and the close contact (key_start coloured them); yellow: the row
	 * written above. */
	assert_int_equal(c.colour[2], 2);
	assert_int_equal(c.colour[1], 1);
	assert_int_equal(c.colour[0], 4);
	assert_int_equal(c.cases, 1);
	assert_int_equal(c.last_case_at, T_0515);
	assert_int_equal(c.last_exposure, T_0517);
	assert_false(c.ok[CONTROL_ZONE_NO_NEW_CASE]);
	assert_false(c.ok[CONTROL_ZONE_CONTACTS_PAST]);
	assert_false(c.ok[CONTROL_ZONE_TESTED_NEGATIVE]);
	assert_int_equal(c.untested, 7);
	assert_false(c.ready);
	assert_int_equal(c.action, CONTROL_ZONE_DOWNGRADE);
	assert_int_equal(c.to_level, CONTROL_ZONE_LOW);

	/* 05-31: 16 days since the case; the contact exactly 14 days past: not yet. */
	census(f, id, T_0531, &c);
	assert_true(c.ok[CONTROL_ZONE_NO_NEW_CASE]);
	assert_false(c.ok[CONTROL_ZONE_CONTACTS_PAST]);
	census(f, id, T_0531 + 1, &c);
	assert_true(c.ok[CONTROL_ZONE_CONTACTS_PAST]);
	assert_false(c.ok[CONTROL_ZONE_TESTED_NEGATIVE]);

	/* Everyone in B1 sampled on 06-01 (two pools); one resulted negative: 2 left. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(fx_scan(f, "N1", i).err, 0);
	assert_int_equal(fx_scan(f, "N2", 5).err, 0);
	assert_int_equal(fx_scan(f, "N2", 6).err, 0);
	assert_int_equal(screening_tube_seal(f->t.db, "N2", T_0601, NULL), 0);
	fx_receive(f, "N1", 0);
	fx_receive(f, "N2", 0);
	fx_result(f, "N1", "negative", 0);
	census(f, id, T_0602, &c);
	assert_int_equal(c.untested, 2);
	assert_false(c.ok[CONTROL_ZONE_TESTED_NEGATIVE]);
	assert_false(c.ready);
	/* A positive is no negative. */
	fx_result(f, "N2", "positive", 0);
	census(f, id, T_0602, &c);
	assert_int_equal(c.untested, 2);
	/* Re-sampled alone and negative: everyone holds, the downgrade is ready. */
	assert_int_equal(fx_scan(f, "N3", 5).err, 0);
	assert_int_equal(fx_scan(f, "N4", 6).err, 0);
	assert_int_equal(fx_count(f, "SELECT capacity FROM tubes WHERE barcode = 'N3'"), 1);
	fx_receive(f, "N3", 0);
	fx_receive(f, "N4", 0);
	fx_result(f, "N3", "negative", 0);
	fx_result(f, "N4", "negative", 0);
	census(f, id, T_0602, &c);
	assert_int_equal(c.untested, 0);
	assert_true(c.ok[CONTROL_ZONE_NO_NEW_CASE]);
	assert_true(c.ok[CONTROL_ZONE_CONTACTS_PAST]);
	assert_true(c.ok[CONTROL_ZONE_TESTED_NEGATIVE]);
	assert_true(c.ready);
	/* Before the results came (06-01 12:00Z) they were not negative yet. */
	census(f, id, T_0601 + 12 * 3600, &c);
	assert_false(c.ok[CONTROL_ZONE_TESTED_NEGATIVE]);
	/* Two days on, the tests are too old. */
	census(f, id, T_0604, &c);
	assert_false(c.ok[CONTROL_ZONE_TESTED_NEGATIVE]);
	assert_int_equal(c.untested, 7);
	/* A low zone proposes a lift. */
	assert_int_equal(
	    control_zone_downgrade(f->t.db, id, CONTROL_ZONE_LOW, -1, T_0602, 0, NULL, NULL), 0);
	int64_t low = fx_count(f, "SELECT id FROM zones WHERE lifted_at IS NULL");
	census(f, low, T_0602, &c);
	assert_int_equal(c.action, CONTROL_ZONE_LIFT);
}

static int count_zone(const struct control_zone *z, void *ctx)
{
	(void)z;
	(*(int *)ctx)++;
	return 0;
}

static void test_list(void **state)
{
	struct fx *f = *state;
	int64_t a = zone(f, f->b1, CONTROL_ZONE_HIGH, CONTROL_MEASURES_SEALED, T_0515);
	zone(f, f->street2, CONTROL_ZONE_MEDIUM, CONTROL_MEASURES_CONTROLLED, T_0515);
	assert_int_equal(control_zone_lift(f->t.db, a, T_0520, NULL, NULL), 0);
	zone(f, f->p2, CONTROL_ZONE_MEDIUM, CONTROL_MEASURES_CONTROLLED, T_0517);
	int n = 0;
	assert_int_equal(control_zone_list(f->t.db, f->street, false, count_zone, &n), 0);
	assert_int_equal(n, 1); /* P2 in force; B1 lifted; street2 outside */
	n = 0;
	assert_int_equal(control_zone_list(f->t.db, f->street, true, count_zone, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(control_zone_list(f->t.db, 0, false, count_zone, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(control_zone_list(f->t.db, f->g1, true, count_zone, &n), 0);
	assert_int_equal(n, 1);
}

static void test_names(void **state)
{
	(void)state;
	int v;
	assert_string_equal(control_zone_level_name(CONTROL_ZONE_HIGH), "high");
	assert_null(control_zone_level_name(3));
	assert_int_equal(control_zone_level_parse("medium", &v), 0);
	assert_int_equal(v, CONTROL_ZONE_MEDIUM);
	assert_int_equal(control_zone_level_parse("severe", &v), MU_EINVAL);
	assert_int_equal(control_zone_measures_parse("sealed", &v), 0);
	assert_int_equal(v, CONTROL_MEASURES_SEALED);
	assert_string_equal(control_zone_cond_code(CONTROL_ZONE_TESTED_NEGATIVE),
			    "tested_negative");
	assert_null(control_zone_cond_code(CONTROL_ZONE_NCONDS));
	/* The zone levels are screening's risks, level for level. */
	assert_int_equal(CONTROL_ZONE_HIGH, SCREENING_RISK_HIGH);
	assert_int_equal(CONTROL_ZONE_MEDIUM, SCREENING_RISK_MEDIUM);
}

/* Each test starts with the zone memory empty: the fixture's database is new. */
static int setup(void **state)
{
	control__zones_reset();
	return fx_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test_setup_teardown(test_risk_nested, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_where_and_what, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_sealed, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_downgrade, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_tube_policy, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_proposal, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_list, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
