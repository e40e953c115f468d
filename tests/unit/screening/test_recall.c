/* test_recall.c: results and what they set off — one recall per member of a positive
 * (or invalid) pooled tube on the grid of their household, re-swabs into single tubes
 * through the scan path, and the single-tube results that resolve each recall. */
#include "fixture.h"

struct seen {
	int64_t person[32], grid[32];
	int state[32];
	int n;
};

static int collect(const struct screening_recall *r, void *ctx)
{
	struct seen *s = ctx;
	s->person[s->n] = r->person_id;
	s->grid[s->n] = r->grid_id;
	s->state[s->n++] = r->state;
	return 0;
}

static int recall_state(struct fx *f, int i)
{
	struct screening_recall r;
	int rc = screening_recall_get(f->t.db, f->round, f->person[i], &r);
	return rc ? rc : r.state;
}

/* Persons 0-4 (grid G1) in T1, 7-11 (grid G2) in T2, both sealed and received. */
static void two_tubes(struct fx *f)
{
	for (int i = 0; i < 5; i++)
		assert_int_equal(fx_scan(f, "T1", i).status, SCREENING_SCAN_OK);
	for (int i = 7; i < 12; i++)
		assert_int_equal(fx_scan(f, "T2", i).status, SCREENING_SCAN_OK);
	fx_receive(f, "T1", 0);
	fx_receive(f, "T2", 0);
}

static void test_positive_pool_recalls_each_member(void **state)
{
	struct fx *f = *state;
	two_tubes(f);
	fx_result(f, "T1", "positive", 0);
	fx_result(f, "T2", "invalid", 0);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM recalls"), 10);
	struct seen s = {0};
	assert_int_equal(screening_recall_list(f->t.db, f->round, f->comm, -1, 0, collect, &s), 0);
	assert_int_equal(s.n, 10);
	for (int i = 0; i < 10; i++) {
		int who = i < 5 ? i : i + 2;
		assert_int_equal(s.person[i], f->person[who]);
		assert_int_equal(s.grid[i], i < 5 ? f->g1 : f->g2);
		assert_int_equal(s.state[i], SCREENING_RECALL_PENDING);
	}
	/* By grid, by a building below a grid, and paged. */
	struct seen g = {0};
	assert_int_equal(screening_recall_list(f->t.db, f->round, f->g2, -1, 0, collect, &g), 0);
	assert_int_equal(g.n, 5);
	struct seen h = {0};
	assert_int_equal(screening_recall_list(f->t.db, f->round, f->h2, -1, 0, collect, &h), 0);
	assert_int_equal(h.n, 2); /* persons 3 and 4 live in H2 */
	struct screening_recall r3;
	assert_int_equal(screening_recall_get(f->t.db, f->round, f->person[3], &r3), 0);
	struct seen after = {0};
	assert_int_equal(
	    screening_recall_list(f->t.db, f->round, f->street, -1, r3.id, collect, &after), 0);
	assert_int_equal(after.n, 6); /* person 4, then G2's five */
	assert_int_equal(after.person[0], f->person[4]);
}

static void test_reswab_resolves(void **state)
{
	struct fx *f = *state;
	two_tubes(f);
	fx_result(f, "T1", "positive", 0);
	fx_result(f, "T2", "negative", 0);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM recalls"), 5);
	/* A recalled person cannot go into a pooled tube. */
	assert_int_equal(fx_scan(f, "T4", 5).status, SCREENING_SCAN_OK);
	struct screening_scan_result r = fx_scan(f, "T4", 0);
	assert_int_equal(r.err, MU_EEXIST);
	assert_string_equal(r.why.field, "person");
	assert_int_equal(recall_state(f, 0), SCREENING_RECALL_PENDING);
	/* Re-swabs: a new barcode becomes the recall's single tube, sealed at once. */
	const char *tubes[4] = {"R0", "R1", "R2", "R3"};
	for (int i = 0; i < 4; i++) {
		r = fx_scan(f, tubes[i], i);
		assert_int_equal(r.status, SCREENING_SCAN_OK);
		assert_true(r.recall && r.opened && r.sealed && r.repeat);
		assert_int_equal(recall_state(f, i), SCREENING_RECALL_SAMPLED);
		fx_receive(f, tubes[i], 0);
	}
	struct screening_tube t;
	assert_int_equal(screening_tube_get(f->t.db, "R0", &t), 0);
	assert_true(t.single);
	assert_int_equal(t.capacity, 1);
	/* Nobody else may use a single tube. */
	assert_int_equal(fx_scan(f, "R0", 6).err, MU_EEXIST);
	fx_result(f, "R0", "negative", 0);
	fx_result(f, "R1", "positive", 0);
	fx_result(f, "R2", "invalid", 0);
	assert_int_equal(recall_state(f, 0), SCREENING_RECALL_NEGATIVE);
	assert_int_equal(recall_state(f, 1), SCREENING_RECALL_POSITIVE);
	assert_int_equal(recall_state(f, 2), SCREENING_RECALL_PENDING); /* swab again */
	assert_int_equal(recall_state(f, 3), SCREENING_RECALL_SAMPLED);
	r = fx_scan(f, "R2B", 2);
	assert_true(r.recall);
	fx_receive(f, "R2B", 0);
	fx_result(f, "R2B", "negative", 0);
	assert_int_equal(recall_state(f, 2), SCREENING_RECALL_NEGATIVE);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM recalls WHERE resolved_at IS NOT NULL"),
			 3);
	/* Still one recall per person. */
	assert_int_equal(fx_count(f, "SELECT count(*) FROM recalls"), 5);
	struct seen s = {0};
	assert_int_equal(screening_recall_list(f->t.db, f->round, f->city,
					       SCREENING_RECALL_POSITIVE, 0, collect, &s),
			 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.person[0], f->person[1]);
}

/* In a k = 1 round a positive tube is a confirmed positive at once. */
static void test_single_round_confirms(void **state)
{
	struct fx *f = *state;
	struct screening_round r1 = {
	    .scope_place_id = f->street, .name = "单采", .pool_k = 1, .created_at = FX_OPENED};
	assert_int_equal(screening_round_create(f->t.db, &r1, NULL), 0);
	f->round = r1.id;
	struct screening_scan_result r = fx_scan(f, "S1", 3);
	assert_true(r.sealed && !r.recall);
	fx_receive(f, "S1", 0);
	fx_result(f, "S1", "positive", 0);
	assert_int_equal(recall_state(f, 3), SCREENING_RECALL_POSITIVE);
	assert_int_equal(
	    fx_count(f, "SELECT count(*) FROM recalls WHERE single_tube_id = source_tube_id"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_positive_pool_recalls_each_member, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reswab_resolves, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_single_round_confirms, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
