/* test_posts.c: service posts and their supplies — one post per street and community
 * (idempotent, and 176 + 2,759 for a generated city), stock arithmetic that never goes
 * below zero (a refused move changes nothing and says what there is), the ledger by
 * place, item and time, and the wartime switch's standing shock teams. */
#include "testutil.h"

#include "calls/calls.h"
#include "forces/forces.h"
#include "places/places.h"
#include "sim/sim.h"

struct fx {
	struct tdb t;
	int64_t city, d1, d2, s1, s2, s3, c1, c2, c3, c4, grid;
	struct forces_post p_s1, p_c1, p_c2, p_c4;
};

static int64_t place(struct fx *f, int64_t parent, int level, const char *code, const char *name)
{
	int64_t id;
	assert_int_equal(places_add(f->t.db, parent, level, code, name, &id, NULL), 0);
	return id;
}

static int setup(void **state)
{
	struct fx *f = mu_xcalloc(1, sizeof *f);
	tdb_open(&f->t);
	f->city = place(f, 0, PLACES_CITY, "440100", "广州市");
	f->d1 = place(f, f->city, PLACES_DISTRICT, "440103", "荔湾区");
	f->d2 = place(f, f->city, PLACES_DISTRICT, "440106", "天河区");
	/* codes out of id order, so that a walk in code order meets streets unsorted */
	f->s2 = place(f, f->d1, PLACES_STREET, "440103014", "白鹤洞街");
	f->s1 = place(f, f->d1, PLACES_STREET, "440103001", "沙面街");
	f->s3 = place(f, f->d2, PLACES_STREET, "440106001", "五山街");
	f->c1 = place(f, f->s1, PLACES_COMMUNITY, "440103001001", "彩虹社区");
	f->c2 = place(f, f->s1, PLACES_COMMUNITY, "440103001002", "礼贤社区");
	f->c3 = place(f, f->s2, PLACES_COMMUNITY, "440103014001", "鹤洞社区");
	f->c4 = place(f, f->s3, PLACES_COMMUNITY, "440106001001", "华工社区");
	f->grid = place(f, f->c1, PLACES_GRID, "440103001001-01", "一网格");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	tdb_close(&f->t);
	free(f);
	return 0;
}

/* Makes the posts and reads back four of them. */
static void sync_all(struct fx *f)
{
	int64_t made = -1;
	assert_int_equal(forces_post_sync(f->t.db, 0, 1000, &made), 0);
	assert_int_equal(made, 7);
	assert_int_equal(forces_post_get(f->t.db, f->s1, &f->p_s1), 0);
	assert_int_equal(forces_post_get(f->t.db, f->c1, &f->p_c1), 0);
	assert_int_equal(forces_post_get(f->t.db, f->c2, &f->p_c2), 0);
	assert_int_equal(forces_post_get(f->t.db, f->c4, &f->p_c4), 0);
}

static int64_t count(struct fx *f, const char *sql)
{
	int64_t v = -1;
	assert_int_equal(db_query_i64(f->t.db, sql, &v), 0);
	return v;
}

struct seen {
	int n;
	int64_t place[16];
	int64_t qty[16]; /* of masks */
};

static int see(const struct forces_post *p, void *ctx)
{
	struct seen *s = ctx;
	assert_true(s->n < 16);
	s->qty[s->n] = p->qty[FORCES_MASKS];
	s->place[s->n++] = p->place_id;
	return 0;
}

static void test_sync_counts(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	int64_t made = -1;
	sync_all(f);
	assert_int_equal(count(f, "SELECT count(*) FROM posts WHERE kind = 'centre'"), 3);
	assert_int_equal(count(f, "SELECT count(*) FROM posts WHERE kind = 'station'"), 4);
	/* each station knows its street and district, a centre itself */
	assert_int_equal(f->p_c1.street_id, f->s1);
	assert_int_equal(f->p_c1.district_id, f->d1);
	assert_int_equal(f->p_c4.street_id, f->s3);
	assert_int_equal(f->p_c4.district_id, f->d2);
	assert_int_equal(f->p_s1.street_id, f->s1);
	assert_int_equal(f->p_s1.level, PLACES_STREET);
	assert_int_equal(f->p_c1.level, PLACES_COMMUNITY);
	assert_string_equal(f->p_c1.functions, FORCES_POST_FUNCTIONS);
	assert_string_equal(f->p_c1.hours, FORCES_HOURS_STATION);
	assert_string_equal(f->p_s1.hours, FORCES_HOURS_CENTRE);
	/* idempotent; a new community later gets its station alone */
	assert_int_equal(forces_post_sync(d, 0, 2000, &made), 0);
	assert_int_equal(made, 0);
	int64_t c5 = place(f, f->s3, PLACES_COMMUNITY, "440106001002", "石牌社区");
	assert_int_equal(forces_post_sync(d, f->d2, 2000, &made), 0);
	assert_int_equal(made, 1);
	assert_int_equal(forces_post_sync(d, c5, 2000, &made), 0);
	assert_int_equal(made, 0);
	/* no post below a community */
	struct forces_post p;
	assert_int_equal(forces_post_get(d, f->grid, &p), MU_ENOTFOUND);

	/* a district's posts: its streets' centres, each before its stations */
	struct seen s = {0};
	assert_int_equal(forces_post_list(d, f->d1, see, &s), 0);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.place[0], f->s2 < f->s1 ? f->s2 : f->s1);
	int centres = 0;
	for (int i = 0; i < s.n; i++)
		centres += s.place[i] == f->s1 || s.place[i] == f->s2;
	assert_int_equal(centres, 2);
	/* a grid: the posts serving it, its community's station and its street's centre */
	memset(&s, 0, sizeof s);
	assert_int_equal(forces_post_list(d, f->grid, see, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.place[0], f->s1);
	assert_int_equal(s.place[1], f->c1);
	memset(&s, 0, sizeof s);
	assert_int_equal(forces_post_list(d, f->city, see, &s), 0);
	assert_int_equal(s.n, 8);
}

static void test_stock_never_negative(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	struct forces_supply_op op = {.at = 100, .user_id = 0};
	struct mu_why why;
	int64_t avail = -1, id = 0;
	struct forces_post p;
	sync_all(f);
	assert_int_equal(
	    forces_supply_receive(d, f->p_s1.id, FORCES_MASKS, 100, 30, &op, &id, NULL), 0);
	assert_true(id > 0);
	op.at = 200;
	assert_int_equal(forces_supply_move(d, f->p_s1.id, f->p_c1.id, FORCES_MASKS, 70, &op,
					    &avail, NULL, NULL),
			 0);
	assert_int_equal(avail, 30);
	/* more than there is: refused, with what there is, and nothing changes */
	mu_why_clear(&why);
	assert_int_equal(forces_supply_move(d, f->p_s1.id, f->p_c2.id, FORCES_MASKS, 31, &op,
					    &avail, NULL, &why),
			 MU_EEXIST);
	assert_int_equal(avail, 30);
	assert_string_equal(why.field, "qty");
	assert_non_null(strstr(why.text, "30"));
	assert_int_equal(
	    forces_supply_handout(d, f->p_c2.id, FORCES_MASKS, 1, 0, &op, &avail, NULL, NULL),
	    MU_EEXIST);
	assert_int_equal(avail, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM supply_moves"), 2);
	op.at = 300;
	assert_int_equal(
	    forces_supply_handout(d, f->p_c1.id, FORCES_MASKS, 70, 0, &op, &avail, NULL, NULL), 0);
	assert_int_equal(avail, 0);
	assert_int_equal(
	    forces_supply_handout(d, f->p_c1.id, FORCES_MASKS, 1, 0, &op, &avail, NULL, NULL),
	    MU_EEXIST);
	/* the books balance: received = in stock + handed out */
	assert_int_equal(count(f, "SELECT sum(qty) FROM supplies WHERE item = 'masks'"), 30);
	assert_int_equal(count(f, "SELECT sum(qty) FROM supply_moves WHERE kind = 'handout'"), 70);
	assert_int_equal(forces_post_by_id(d, f->p_s1.id, &p), 0);
	assert_int_equal(p.qty[FORCES_MASKS], 30);
	assert_int_equal(p.low_mark[FORCES_MASKS], 30);
	assert_int_equal(p.qty[FORCES_PPE], 0);
	/* the low mark stays when a receipt does not set it; 29 < 30 would be low */
	assert_int_equal(forces_supply_receive(d, f->p_s1.id, FORCES_MASKS, 5, -1, &op, NULL, NULL),
			 0);
	assert_int_equal(forces_post_by_id(d, f->p_s1.id, &p), 0);
	assert_int_equal(p.qty[FORCES_MASKS], 35);
	assert_int_equal(p.low_mark[FORCES_MASKS], 30);
	/* refusals: same post, bad item or quantity, unknown post, past the maximum */
	assert_int_equal(
	    forces_supply_move(d, f->p_s1.id, f->p_s1.id, FORCES_MASKS, 1, &op, NULL, NULL, &why),
	    MU_EINVAL);
	assert_string_equal(why.field, "to");
	assert_int_equal(forces_supply_receive(d, f->p_s1.id, 7, 1, -1, &op, NULL, &why),
			 MU_EINVAL);
	assert_string_equal(why.field, "item");
	assert_int_equal(forces_supply_receive(d, f->p_s1.id, FORCES_PPE, 0, -1, &op, NULL, &why),
			 MU_EINVAL);
	assert_string_equal(why.field, "qty");
	assert_int_equal(forces_supply_receive(d, 999, FORCES_PPE, 1, -1, &op, NULL, NULL),
			 MU_ENOTFOUND);
	assert_int_equal(
	    forces_supply_receive(d, f->p_s1.id, FORCES_MASKS, FORCES_QTY_MAX, -1, &op, NULL, &why),
	    MU_ETOOBIG);
	assert_int_equal(count(f, "SELECT count(*) FROM supply_moves"), 4);
}

struct rows {
	int n;
	int64_t id[16], qty[16];
};

static int row(const struct forces_supply_move *m, void *ctx)
{
	struct rows *r = ctx;
	assert_true(r->n < 16);
	r->qty[r->n] = m->qty;
	r->id[r->n++] = m->id;
	return 0;
}

static void test_ledger(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	struct forces_supply_op op = {.at = 1000};
	sync_all(f);
	/* 1 receive at s1, 2 move s1 → c1, 3 receive at c4 (another district), 4 handout
	 * ppe at c1 */
	assert_int_equal(
	    forces_supply_receive(d, f->p_s1.id, FORCES_MASKS, 10, -1, &op, NULL, NULL), 0);
	op.at = 2000;
	assert_int_equal(
	    forces_supply_move(d, f->p_s1.id, f->p_c1.id, FORCES_MASKS, 4, &op, NULL, NULL, NULL),
	    0);
	op.at = 3000;
	assert_int_equal(forces_supply_receive(d, f->p_c4.id, FORCES_MASKS, 9, -1, &op, NULL, NULL),
			 0);
	assert_int_equal(forces_supply_receive(d, f->p_c1.id, FORCES_PPE, 3, -1, &op, NULL, NULL),
			 0);
	op.at = 4000;
	assert_int_equal(
	    forces_supply_handout(d, f->p_c1.id, FORCES_PPE, 2, 77, &op, NULL, NULL, NULL), 0);

	struct forces_ledger_query q = {.place_id = f->city, .item = -1, .limit = 100};
	struct rows r = {0};
	assert_int_equal(forces_ledger_list(d, &q, row, &r), 0);
	assert_int_equal(r.n, 5);
	assert_true(r.id[0] > r.id[4]); /* newest first */
	/* a district sees its own posts' moves only */
	q.place_id = f->d2;
	memset(&r, 0, sizeof r);
	assert_int_equal(forces_ledger_list(d, &q, row, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.qty[0], 9);
	/* a community: the move into it, its ppe receipt and hand-out */
	q.place_id = f->c1;
	memset(&r, 0, sizeof r);
	assert_int_equal(forces_ledger_list(d, &q, row, &r), 0);
	assert_int_equal(r.n, 3);
	q.item = FORCES_MASKS;
	memset(&r, 0, sizeof r);
	assert_int_equal(forces_ledger_list(d, &q, row, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.qty[0], 4);
	/* a time window [from, to) and a page */
	q = (struct forces_ledger_query){
	    .place_id = f->d1, .item = -1, .from = 2000, .to = 4000, .limit = 100};
	memset(&r, 0, sizeof r);
	assert_int_equal(forces_ledger_list(d, &q, row, &r), 0);
	assert_int_equal(r.n, 2);
	q = (struct forces_ledger_query){.place_id = f->city, .item = -1, .limit = 2};
	memset(&r, 0, sizeof r);
	assert_int_equal(forces_ledger_list(d, &q, row, &r), 0);
	assert_int_equal(r.n, 2);
	q.before = r.id[1];
	q.limit = 100;
	memset(&r, 0, sizeof r);
	assert_int_equal(forces_ledger_list(d, &q, row, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(count(f, "SELECT call_id FROM supply_moves WHERE kind = 'handout'"), 77);
}

static int64_t active_teams(struct fx *f)
{
	return count(f, "SELECT coalesce(sum(active), 0) FROM orgs WHERE kind = 'shock_team'"
			" AND standing = 1");
}

static void test_wartime_teams(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	struct forces_wartime_teams t;
	struct mu_why why;
	struct forces_wartime_change c = {
	    .place_id = f->d1, .on = true, .at = 100, .reason = "本土病例"};
	sync_all(f);
	assert_int_equal(forces_wartime_switch(d, &c, &t, NULL), 0);
	assert_true(t.switch_id > 0);
	assert_int_equal(t.streets, 2);
	assert_int_equal(t.created, 2);
	assert_int_equal(t.active, 2);
	assert_int_equal(active_teams(f), 2);
	bool war = false;
	assert_int_equal(forces_post_wartime(d, &f->p_c1, 150, &war), 0);
	assert_true(war);
	assert_int_equal(forces_post_wartime(d, &f->p_c1, 50, &war), 0);
	assert_false(war);
	assert_int_equal(forces_post_wartime(d, &f->p_c4, 150, &war), 0);
	assert_false(war);
	/* the city goes to wartime too: the other district's street gets its team */
	c = (struct forces_wartime_change){
	    .place_id = f->city, .on = true, .at = 200, .reason = "全市"};
	assert_int_equal(forces_wartime_switch(d, &c, &t, NULL), 0);
	assert_int_equal(t.streets, 3);
	assert_int_equal(t.created, 1);
	assert_int_equal(active_teams(f), 3);
	/* the district stands down after the city's switch: the latest switch over a street
	 * decides (calls_wartime_of), so its streets' teams stand down, the other stays */
	c = (struct forces_wartime_change){
	    .place_id = f->d1, .on = false, .at = 300, .reason = "解除"};
	assert_int_equal(forces_wartime_switch(d, &c, &t, NULL), 0);
	assert_int_equal(t.stood_down, 2);
	assert_int_equal(active_teams(f), 1);
	/* the city stands down: the last team does; none is removed, none made twice */
	c = (struct forces_wartime_change){
	    .place_id = f->city, .on = false, .at = 400, .reason = "解除"};
	assert_int_equal(forces_wartime_switch(d, &c, &t, NULL), 0);
	assert_int_equal(t.stood_down, 1);
	assert_int_equal(active_teams(f), 0);
	c = (struct forces_wartime_change){
	    .place_id = f->d1, .on = true, .at = 500, .reason = "反弹"};
	assert_int_equal(forces_wartime_switch(d, &c, &t, NULL), 0);
	assert_int_equal(t.created, 0);
	assert_int_equal(t.activated, 2);
	assert_int_equal(count(f, "SELECT count(*) FROM orgs WHERE standing = 1"), 3);
	assert_int_equal(count(f, "SELECT count(*) FROM wartime_switches"), 5);
	/* refusals keep nothing: not a district, already so */
	int64_t teams = count(f, "SELECT count(*) FROM orgs");
	c = (struct forces_wartime_change){
	    .place_id = f->s1, .on = false, .at = 600, .reason = "x"};
	assert_int_equal(forces_wartime_switch(d, &c, &t, &why), MU_EINVAL);
	assert_string_equal(why.field, "place");
	c = (struct forces_wartime_change){.place_id = f->d1, .on = true, .at = 600, .reason = "x"};
	assert_int_equal(forces_wartime_switch(d, &c, &t, &why), MU_EINVAL);
	assert_string_equal(why.field, "on");
	assert_int_equal(count(f, "SELECT count(*) FROM orgs"), teams);
	assert_int_equal(count(f, "SELECT count(*) FROM wartime_switches"), 5);
}

/* A generated city: 176 street centres and 2,759 community stations, whatever the scale. */
static void test_generated_city(void **state)
{
	(void)state;
	struct tdb t;
	struct sim_city_stats st;
	struct sim_city_opts o = {.preset = SIM_PRESET_GUANGZHOU_2021, .scale = 0.0002, .seed = 3};
	tdb_open(&t);
	assert_int_equal(sim_city_generate(t.db, &t.keys, &o, &st), 0);
	assert_int_equal(st.posts, 176 + 2759);
	int64_t v = -1;
	assert_int_equal(db_query_i64(t.db, "SELECT count(*) FROM posts WHERE kind = 'centre'", &v),
			 0);
	assert_int_equal(v, 176);
	assert_int_equal(
	    db_query_i64(t.db, "SELECT count(*) FROM posts WHERE kind = 'station'", &v), 0);
	assert_int_equal(v, 2759);
	int64_t made = -1;
	assert_int_equal(forces_post_sync(t.db, 0, 1, &made), 0);
	assert_int_equal(made, 0);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sync_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stock_never_negative, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ledger, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wartime_teams, setup, teardown),
	    cmocka_unit_test(test_generated_city),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
