/* test_city.c: the guangzhou-2021 synthetic city — the real districts and streets, the
 * 2,759 communities at any scale, the known compounds, valid and unique resident IDs,
 * census-like shares, determinism by seed, and counts that a rebuild confirms. */
#include "testutil.h"

#include <math.h>

#include "people/people.h"
#include "places/places.h"
#include "sim/sim.h"

#define TINY	 0.0005
#define CITY_POP 18674657 /* the 11 districts of docs/facts.md */

static void generate(struct tdb *t, double scale, uint64_t seed, struct sim_city_stats *st)
{
	struct sim_city_opts o = {
	    .preset = SIM_PRESET_GUANGZHOU_2021, .scale = scale, .seed = seed};
	assert_int_equal(sim_city_generate(t->db, &t->keys, &o, st), 0);
}

static int64_t q(struct tdb *t, const char *sql)
{
	int64_t v = -1;
	assert_int_equal(db_query_i64(t->db, sql, &v), 0);
	return v;
}

static int64_t root_id(struct tdb *t)
{
	return q(t, "SELECT id FROM places WHERE level = 0");
}

/* ---- dumps of places and people, for comparisons ----------------------------------- */

static int dump_place(const struct places_node *n, void *ctx)
{
	struct mu_buf *b = ctx;
	assert_int_equal(mu_buf_printf(b, "%lld|%lld|%d|%s|%s|%lld", (long long)n->id,
				       (long long)n->parent_id, n->level, n->code, n->name,
				       (long long)n->people),
			 0);
	for (int l = 0; l < PLACES_NLEVELS; l++)
		assert_int_equal(mu_buf_printf(b, "|%lld", (long long)n->below[l]), 0);
	return mu_buf_putc(b, '\n');
}

static int dump_person(const struct people_person *p, void *ctx)
{
	struct mu_buf *b = ctx;
	return mu_buf_printf(b, "%lld|%lld|%s|%s|%d|%lld|%s|%d\n", (long long)p->id,
			     (long long)p->household_id, p->name, p->id_number, p->sex,
			     (long long)p->birth, p->phone, p->party);
}

static void dump_places(struct tdb *t, struct mu_buf *b)
{
	mu_buf_init(b, 1u << 30);
	assert_int_equal(places_walk(t->db, root_id(t), dump_place, b), 0);
}

static void dump_people(struct tdb *t, struct mu_buf *b)
{
	mu_buf_init(b, 1u << 30);
	assert_int_equal(people_walk(t->db, &t->keys, root_id(t), dump_person, b), 0);
}

/* ---- the shape of the city ---------------------------------------------------------- */

static void test_levels_and_districts(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	struct sim_city_stats st;
	generate(&t, TINY, 1, &st);
	assert_int_equal(q(&t, "SELECT count(*) FROM places WHERE level = 0"), 1);
	assert_int_equal(q(&t, "SELECT count(*) FROM places WHERE level = 1"), 11);
	assert_int_equal(q(&t, "SELECT count(*) FROM places WHERE level = 2"), 176);
	assert_int_equal(q(&t, "SELECT count(*) FROM places WHERE level = 3"), 2759);
	assert_int_equal(st.places[PLACES_DISTRICT], 11);
	assert_int_equal(st.places[PLACES_STREET], 176);
	assert_int_equal(st.places[PLACES_COMMUNITY], 2759);
	for (int l = 0; l < PLACES_NLEVELS; l++) {
		char sql[96];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM places WHERE level = %d", l);
		assert_int_equal(q(&t, sql), st.places[l]);
	}
	assert_int_equal(q(&t, "SELECT count(*) FROM people"), st.people);

	struct places_node n;
	assert_int_equal(places_find(t.db, "440100", &n), 0);
	assert_string_equal(n.name, "广州市");
	assert_int_equal(n.below[PLACES_DISTRICT], 11);
	assert_int_equal(n.below[PLACES_STREET], 176);
	assert_int_equal(n.below[PLACES_COMMUNITY], 2759);
	assert_int_equal(n.people, st.people);

	static const struct {
		const char *code, *name;
		int64_t pop;
		int streets;
	} want[] = {
	    {"440103", "荔湾区", 1238338, 22}, {"440104", "越秀区", 1038629, 18},
	    {"440105", "海珠区", 1819873, 18}, {"440106", "天河区", 2241826, 21},
	    {"440111", "白云区", 3742991, 24}, {"440112", "黄埔区", 1264000, 17},
	    {"440113", "番禺区", 2658000, 16}, {"440114", "花都区", 1642000, 10},
	    {"440115", "南沙区", 846000, 9},   {"440117", "从化区", 717000, 8},
	    {"440118", "增城区", 1466000, 13},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(places_find(t.db, want[i].code, &n), 0);
		assert_string_equal(n.name, want[i].name);
		assert_int_equal(n.level, PLACES_DISTRICT);
		assert_int_equal(n.below[PLACES_STREET], want[i].streets);
		assert_int_equal(n.people, llround((double)want[i].pop * TINY));
	}
	/* Street and town codes: the district's then 001.. (streets) or 100.. (towns). */
	assert_int_equal(q(&t, "SELECT count(*) FROM places s JOIN places d ON s.parent_id = d.id"
			       " WHERE s.level = 2 AND (length(s.code) != 9"
			       "  OR substr(s.code, 1, 6) != d.code"
			       "  OR (s.name LIKE '%镇') != (substr(s.code, 7, 1) = '1'))"),
			 0);
	assert_int_equal(q(&t, "SELECT count(*) FROM places WHERE level = 2 AND name LIKE '%镇'"),
			 35);
	assert_int_equal(q(&t, "SELECT count(*) FROM places c JOIN places s ON c.parent_id = s.id"
			       " WHERE c.level = 3 AND (length(c.code) != 12"
			       "  OR substr(c.code, 1, 9) != s.code)"),
			 0);
	/* Every street has at least 3 communities; names are unique within a street. */
	assert_int_equal(q(&t, "SELECT min(n_communities) >= 3 FROM places WHERE level = 2"), 1);
	assert_int_equal(q(&t, "SELECT count(*) FROM (SELECT parent_id, name FROM places"
			       " WHERE level = 3 GROUP BY parent_id, name HAVING count(*) > 1)"),
			 0);
	assert_true(q(&t, "SELECT count(*) FROM places WHERE level = 3 AND name LIKE '%村'") > 100);
	/* Villages (200..) live in towns only. */
	assert_int_equal(
	    q(&t, "SELECT count(*) FROM places c JOIN places s ON c.parent_id = s.id"
		  " WHERE c.level = 3 AND (c.name LIKE '%村') != (substr(c.code, 10, 1) = '2')"),
	    0);
	assert_int_equal(q(&t,
			   "SELECT count(*) FROM places c JOIN places s ON c.parent_id = s.id"
			   " WHERE c.level = 3 AND c.name LIKE '%村' AND s.name NOT LIKE '%镇'"),
			 0);
	/* Codes: grid 15, compound 17, building 20, household 24 digits, each prefixed by
	 * its parent's. */
	assert_int_equal(q(&t,
			   "SELECT count(*) FROM places c JOIN places p ON c.parent_id = p.id"
			   " WHERE c.level >= 4 AND (substr(c.code, 1, length(p.code)) != p.code"
			   "  OR length(c.code) != CASE c.level WHEN 4 THEN 15 WHEN 5 THEN 17"
			   "   WHEN 6 THEN 20 ELSE 24 END)"),
			 0);
	/* At least one grid per community. */
	assert_int_equal(q(&t, "SELECT min(n_grids) FROM places WHERE level = 3") >= 1, 1);
	tdb_close(&t);
}

static int64_t parent_named(struct tdb *t, const char *child, int level, const char *parent_code)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM places c JOIN places d ON d.code = '%s'"
		 " WHERE c.level = %d AND c.name = '%s' AND substr(c.code, 1, 6) = d.code",
		 parent_code, level, child);
	return q(t, sql);
}

static void test_known_places(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	generate(&t, TINY, 7, NULL);
	/* Streets: real names under their real districts (the parent, not only the code). */
	assert_int_equal(q(&t, "SELECT count(*) FROM places s JOIN places d ON s.parent_id = d.id"
			       " WHERE s.name IN ('中南街', '白鹤洞街') AND d.code = '440103'"),
			 2);
	assert_int_equal(q(&t, "SELECT count(*) FROM places s JOIN places d ON s.parent_id = d.id"
			       " WHERE s.name = '滨江街' AND d.name = '海珠区'"),
			 1);
	assert_int_equal(q(&t, "SELECT count(*) FROM places s JOIN places d ON s.parent_id = d.id"
			       " WHERE s.name = '大沙街' AND d.name = '黄埔区'"),
			 1);
	assert_int_equal(q(&t, "SELECT count(*) FROM places s JOIN places d ON s.parent_id = d.id"
			       " WHERE s.name = '棠下街' AND d.name = '天河区'"),
			 1);
	/* 华景新城 in 华景社区 of 棠下街, Tianhe. */
	assert_int_equal(parent_named(&t, "华景新城", PLACES_COMPOUND, "440106"), 1);
	assert_int_equal(
	    q(&t, "SELECT count(*) FROM places k"
		  " JOIN places g ON k.parent_id = g.id JOIN places c ON g.parent_id = c.id"
		  " JOIN places s ON c.parent_id = s.id"
		  " WHERE k.name = '华景新城' AND c.name = '华景社区' AND s.name = '棠下街'"),
	    1);
	/* 芳村花园 in 白鹤洞街, Liwan, with 21 buildings whatever the scale. */
	assert_int_equal(parent_named(&t, "芳村花园", PLACES_COMPOUND, "440103"), 1);
	assert_int_equal(q(&t, "SELECT count(*) FROM places k JOIN places s"
			       " ON s.code = substr(k.code, 1, 9)"
			       " WHERE k.name = '芳村花园' AND s.name = '白鹤洞街'"),
			 1);
	assert_int_equal(q(&t, "SELECT n_buildings FROM places WHERE name = '芳村花园'"), 21);
	assert_int_equal(q(&t, "SELECT count(*) FROM places b JOIN places k ON b.parent_id = k.id"
			       " WHERE k.name = '芳村花园'"),
			 21);
	assert_int_equal(q(&t, "SELECT n_people FROM places WHERE name = '芳村花园'"),
			 llround(8000 * TINY));
	tdb_close(&t);
}

/* At scale 0.02 芳村花园 holds 160 residents of whom exactly round(326 × 0.02) = 7 are
 * party members. */
static void test_fangcun_party(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	generate(&t, 0.02, 3, NULL);
	assert_int_equal(q(&t, "SELECT n_people FROM places WHERE name = '芳村花园'"), 160);
	assert_int_equal(q(&t, "SELECT n_buildings FROM places WHERE name = '芳村花园'"), 21);
	assert_int_equal(
	    q(&t, "SELECT sum(p.party) FROM people p JOIN places h ON h.id = p.household_id"
		  " JOIN places b ON b.id = h.parent_id JOIN places k ON k.id = b.parent_id"
		  " WHERE k.name = '芳村花园'"),
	    7);
	tdb_close(&t);
}

/* ---- people --------------------------------------------------------------------------- */

struct census {
	struct tdb *t;
	int *district_of; /* household id → district code */
	int64_t ref_day, n, male, age[3], party, adults, phones_ok, ids_ok, region_ok;
	int64_t hh_last, hh_n, hh_adult, hh_children_alone, households;
	int64_t size_hist[9];
};

static int note_household(const struct places_node *n, void *ctx)
{
	struct census *c = ctx;
	if (n->level == PLACES_HOUSEHOLD)
		c->district_of[n->id] = atoi((char[7]){n->code[0], n->code[1], n->code[2],
						       n->code[3], n->code[4], n->code[5], 0});
	return 0;
}

static int age_at(int64_t birth, int64_t ref)
{
	int by, bm, bd, ry, rm, rd;
	mu_days_to_date(birth, &by, &bm, &bd);
	mu_days_to_date(ref, &ry, &rm, &rd);
	int a = ry - by;
	if (rm < bm || (rm == bm && rd < bd))
		a--;
	return a;
}

static void household_done(struct census *c)
{
	if (c->hh_n == 0)
		return;
	c->households++;
	c->size_hist[c->hh_n > 8 ? 8 : c->hh_n]++;
	if (c->hh_adult == 0)
		c->hh_children_alone++;
}

static int census_person(const struct people_person *p, void *ctx)
{
	struct census *c = ctx;
	if (p->household_id != c->hh_last) {
		household_done(c);
		c->hh_last = p->household_id;
		c->hh_n = c->hh_adult = 0;
	}
	c->hh_n++;
	c->n++;
	c->male += p->sex == PEOPLE_SEX_M;
	int a = age_at(p->birth, c->ref_day);
	c->age[a < 15 ? 0 : a < 60 ? 1 : 2]++;
	if (a >= 18) {
		c->adults++;
		c->hh_adult++;
		c->party += p->party;
	} else if (p->party) {
		c->party += 1000000; /* a minor in the party fails the share check */
	}
	c->phones_ok += a >= 12 ? (strlen(p->phone) == 11 && p->phone[0] == '1') : p->phone[0] == 0;
	struct mu_why why = {0};
	int64_t birth;
	int sex;
	if (people_idcard_check(p->id_number, &why, &birth, &sex) == 0 && birth == p->birth &&
	    sex == p->sex)
		c->ids_ok++;
	else
		fail_msg("bad ID %s: %s", p->id_number, why.text);
	char region[7];
	memcpy(region, p->id_number, 6);
	region[6] = 0;
	c->region_ok += atoi(region) == c->district_of[p->household_id];
	return 0;
}

static void test_people_census_like(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	struct sim_city_stats st;
	generate(&t, 0.003, 11, &st);
	struct census c = {.t = &t, .ref_day = mu_date_to_days(2020, 11, 1)};
	int64_t maxid = q(&t, "SELECT max(id) FROM places");
	c.district_of = mu_xcalloc((size_t)maxid + 1, sizeof *c.district_of);
	assert_int_equal(places_walk(t.db, root_id(&t), note_household, &c), 0);
	assert_int_equal(people_walk(t.db, &t.keys, root_id(&t), census_person, &c), 0);
	household_done(&c);
	free(c.district_of);

	assert_int_equal(c.n, st.people);
	assert_true(llabs(c.n - llround(CITY_POP * 0.003)) <= 11);
	assert_int_equal(c.ids_ok, c.n);
	assert_int_equal(c.region_ok, c.n);
	assert_int_equal(st.id_fallbacks, 0);
	assert_int_equal(c.phones_ok, c.n);
	assert_int_equal(c.hh_children_alone, 0);
	double n = (double)c.n;
	/* The census shares, within a point. */
	assert_true(fabs(100.0 * (double)c.male / n - 52.83) < 1.0);
	assert_true(fabs(100.0 * (double)c.age[0] / n - 13.87) < 1.0);
	assert_true(fabs(100.0 * (double)c.age[1] / n - 74.72) < 1.0);
	assert_true(fabs(100.0 * (double)c.age[2] / n - 11.41) < 1.0);
	double party = 100.0 * (double)c.party / (double)c.adults;
	assert_true(party > 6.5 && party < 8.5);
	assert_int_equal(c.party, st.party);
	double mean = n / (double)c.households;
	assert_true(mean > 2.4 && mean < 2.7);
	assert_true(c.size_hist[1] > c.size_hist[5]);
	assert_int_equal(c.households,
			 q(&t, "SELECT count(*) FROM places WHERE level = 7 AND n_people > 0"));
	/* About one grid per 1,000 residents, never none. */
	int64_t grids = q(&t, "SELECT count(*) FROM places WHERE level = 4");
	assert_true(grids >= 2759 && grids <= 2759 + c.n / 1000 + 1);
	tdb_close(&t);
}

/* ---- determinism and counts --------------------------------------------------------- */

static void test_same_seed_same_city(void **state)
{
	(void)state;
	struct tdb a, b, c;
	tdb_open(&a);
	tdb_open(&b);
	tdb_open(&c);
	generate(&a, TINY, 42, NULL);
	generate(&b, TINY, 42, NULL);
	generate(&c, TINY, 43, NULL);
	struct mu_buf pa, pb, pc, ha, hb, hc;
	dump_places(&a, &pa);
	dump_places(&b, &pb);
	dump_places(&c, &pc);
	dump_people(&a, &ha);
	dump_people(&b, &hb);
	dump_people(&c, &hc);
	assert_true(pa.len > 1000 && ha.len > 1000);
	assert_int_equal(pa.len, pb.len);
	assert_memory_equal(pa.data, pb.data, pa.len);
	assert_int_equal(ha.len, hb.len);
	assert_memory_equal(ha.data, hb.data, ha.len);
	/* Another seed: other names and people, same 11/176/2,759. */
	assert_true(pa.len != pc.len || memcmp(pa.data, pc.data, pa.len) != 0);
	assert_true(ha.len != hc.len || memcmp(ha.data, hc.data, ha.len) != 0);
	assert_int_equal(q(&c, "SELECT count(*) FROM places WHERE level = 3"), 2759);
	/* Personal codes are secrets: never reproducible from the seed. */
	assert_int_equal(q(&a, "SELECT count(*) FROM people"),
			 q(&b, "SELECT count(*) FROM people"));
	struct people_person x, y;
	assert_int_equal(people_get(a.db, &a.keys, 1, &x), 0);
	assert_int_equal(people_get(b.db, &b.keys, 1, &y), 0);
	assert_string_equal(x.id_number, y.id_number);
	assert_memory_not_equal(x.code, y.code, PEOPLE_CODE_BYTES);
	mu_buf_fini(&pa);
	mu_buf_fini(&pb);
	mu_buf_fini(&pc);
	mu_buf_fini(&ha);
	mu_buf_fini(&hb);
	mu_buf_fini(&hc);
	tdb_close(&a);
	tdb_close(&b);
	tdb_close(&c);
}

static void test_counts_equal_rebuild(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	generate(&t, 0.001, 5, NULL);
	struct mu_buf before, after;
	dump_places(&t, &before);
	assert_int_equal(people_counts_rebuild(t.db), 0);
	dump_places(&t, &after);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.data, after.data, before.len);
	mu_buf_fini(&before);
	mu_buf_fini(&after);
	tdb_close(&t);
}

static void test_scale_keeps_the_tree(void **state)
{
	(void)state;
	static const double scales[] = {0.0001, 0.002};
	int64_t people[2];
	for (int i = 0; i < 2; i++) {
		struct tdb t;
		tdb_open(&t);
		struct sim_city_stats st;
		generate(&t, scales[i], 1, &st);
		assert_int_equal(st.places[PLACES_DISTRICT], 11);
		assert_int_equal(st.places[PLACES_STREET], 176);
		assert_int_equal(st.places[PLACES_COMMUNITY], 2759);
		assert_int_equal(q(&t, "SELECT count(*) FROM places WHERE level = 3"), 2759);
		assert_int_equal(q(&t, "SELECT n_buildings FROM places WHERE name = '芳村花园'"),
				 21);
		people[i] = st.people;
		tdb_close(&t);
	}
	assert_true(llabs(people[0] - llround(CITY_POP * 0.0001)) <= 11);
	assert_true(llabs(people[1] - llround(CITY_POP * 0.002)) <= 11);
}

static void test_refuses_a_used_database(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	struct sim_city_opts o = {.scale = TINY, .seed = 1};
	assert_int_equal(sim_city_generate(t.db, &t.keys, &o, NULL), 0);
	int64_t places = q(&t, "SELECT count(*) FROM places");
	int64_t people = q(&t, "SELECT count(*) FROM people");
	assert_int_equal(sim_city_generate(t.db, &t.keys, &o, NULL), MU_EEXIST);
	assert_int_equal(q(&t, "SELECT count(*) FROM places"), places);
	assert_int_equal(q(&t, "SELECT count(*) FROM people"), people);
	/* A database holding a city alone is a used one too. */
	struct tdb t2;
	int64_t city;
	tdb_open(&t2);
	assert_int_equal(places_add(t2.db, 0, PLACES_CITY, "X", "某市", &city, NULL), 0);
	assert_int_equal(sim_city_generate(t2.db, &t2.keys, &o, NULL), MU_EEXIST);
	tdb_close(&t2);
	/* Bad options change nothing either. */
	o.scale = 0;
	assert_int_equal(sim_city_generate(t.db, &t.keys, &o, NULL), MU_EINVAL);
	o.scale = 1;
	o.preset = "wuhan-2020";
	assert_int_equal(sim_city_generate(t.db, &t.keys, &o, NULL), MU_EINVAL);
	/* The indexes are back after the bulk load. */
	assert_int_equal(q(&t, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
			       " AND name IN ('places_code', 'places_parent', 'people_id_hash',"
			       " 'people_household')"),
			 4);
	tdb_close(&t);
}

/* A store failure half-way (a trigger refuses the 500th person) keeps nothing. */
static void test_failure_keeps_nothing(void **state)
{
	(void)state;
	struct tdb t;
	tdb_open(&t);
	assert_int_equal(db_exec(t.db, "CREATE TRIGGER boom AFTER INSERT ON people"
				       " WHEN NEW.id = 500 BEGIN SELECT RAISE(ABORT, 'boom'); END"),
			 0);
	struct sim_city_opts o = {.scale = TINY, .seed = 1};
	assert_int_not_equal(sim_city_generate(t.db, &t.keys, &o, NULL), 0);
	assert_int_equal(q(&t, "SELECT count(*) FROM places"), 0);
	assert_int_equal(q(&t, "SELECT count(*) FROM people"), 0);
	assert_int_equal(q(&t, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
			       " AND name IN ('places_code', 'people_id_hash')"),
			 2);
	/* And the database is usable for a fresh attempt. */
	assert_int_equal(db_exec(t.db, "DROP TRIGGER boom"), 0);
	assert_int_equal(sim_city_generate(t.db, &t.keys, &o, NULL), 0);
	assert_int_equal(q(&t, "SELECT count(*) FROM places WHERE level = 3"), 2759);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_levels_and_districts),
	    cmocka_unit_test(test_known_places),
	    cmocka_unit_test(test_fangcun_party),
	    cmocka_unit_test(test_people_census_like),
	    cmocka_unit_test(test_same_seed_same_city),
	    cmocka_unit_test(test_counts_equal_rebuild),
	    cmocka_unit_test(test_scale_keeps_the_tree),
	    cmocka_unit_test(test_refuses_a_used_database),
	    cmocka_unit_test(test_failure_keeps_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
