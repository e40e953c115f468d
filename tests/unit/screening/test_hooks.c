/* test_hooks.c: control's say in screening's writes through the hooks — a high-risk
 * household's tube is single, a medium one pools at most 5, a person wanted alone gets a
 * tube of their own and may not join a pool, and each member of a resulted tube is
 * handed to on_result with its sample, tube and result; a hook's error fails the batch. */
#include "fixture.h"

static struct fx *hooked; /* the fixture the hooks read */
static int results_seen;
static struct screening_hook_result last;
static int fail_with;

static int policy(struct db *d, int64_t person, int64_t household, int64_t at, int *risk,
		  bool *alone)
{
	(void)d;
	assert_true(at > 0);
	if (fail_with)
		return fail_with;
	if (household == hooked->h1)
		*risk = SCREENING_RISK_HIGH;
	else if (household == hooked->h2)
		*risk = SCREENING_RISK_MEDIUM;
	*alone = person == hooked->person[7];
	return 0;
}

static int on_result(struct db *d, const struct screening_hook_result *r)
{
	(void)d;
	results_seen++;
	last = *r;
	return 0;
}

static int setup(void **state)
{
	fx_setup(state);
	hooked = *state;
	results_seen = 0;
	fail_with = 0;
	const struct screening_hooks h = {policy, on_result};
	screening_hooks_set(&h);
	return 0;
}

static int teardown(void **state)
{
	screening_hooks_set(NULL);
	return fx_teardown(state);
}

static struct screening_scan_result scan_in(struct fx *f, int64_t round, const char *tube, int i)
{
	char id[32];
	snprintf(id, sizeof id, "hook-%d", ++f->seq);
	struct screening_scan in = {.scan_id = id,
				    .round_id = round,
				    .site = "SITE1",
				    .tube = tube,
				    .person = f->code[i],
				    .at = "2021-06-01T08:00:00+08:00"};
	struct screening_scan_result r;
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, &in, 1, &r, f->dl), 0);
	return r;
}

static void test_policy_sizes_tubes(void **state)
{
	struct fx *f = *state;
	struct screening_round r10 = {
	    .scope_place_id = f->street, .name = "十混一", .pool_k = 10, .created_at = FX_OPENED};
	assert_int_equal(screening_round_create(f->t.db, &r10, NULL), 0);
	struct screening_tube t;
	/* High risk (H1): a single tube, sealed at once; nobody joins it. */
	struct screening_scan_result r = scan_in(f, r10.id, "T1", 0);
	assert_int_equal(r.status, SCREENING_SCAN_OK);
	assert_true(r.sealed);
	assert_int_equal(screening_tube_get(f->t.db, "T1", &t), 0);
	assert_int_equal(t.capacity, 1);
	assert_int_equal(scan_in(f, r10.id, "T1", 1).status, SCREENING_SCAN_ERROR);
	/* Medium (H2): at most 5 in a 10-in-1 round; a low-risk neighbour may join it. */
	assert_int_equal(scan_in(f, r10.id, "T2", 3).status, SCREENING_SCAN_OK);
	assert_int_equal(screening_tube_get(f->t.db, "T2", &t), 0);
	assert_int_equal(t.capacity, 5);
	assert_int_equal(scan_in(f, r10.id, "T2", 8).status, SCREENING_SCAN_OK);
	/* Low (H3): the round's 10; a medium-risk person may not join a 10. */
	assert_int_equal(scan_in(f, r10.id, "T3", 9).status, SCREENING_SCAN_OK);
	assert_int_equal(screening_tube_get(f->t.db, "T3", &t), 0);
	assert_int_equal(t.capacity, 10);
	r = scan_in(f, r10.id, "T3", 4);
	assert_int_equal(r.status, SCREENING_SCAN_ERROR);
	assert_int_equal(r.err, MU_EEXIST);
	assert_string_equal(r.why.field, "person");
	/* Wanted alone (person 7, low risk): not into a pool, into a single tube. */
	r = scan_in(f, r10.id, "T3", 7);
	assert_int_equal(r.status, SCREENING_SCAN_ERROR);
	assert_string_equal(r.why.field, "person");
	assert_non_null(strstr(r.why.text, "alone"));
	assert_int_equal(scan_in(f, r10.id, "T4", 7).status, SCREENING_SCAN_OK);
	assert_int_equal(screening_tube_get(f->t.db, "T4", &t), 0);
	assert_int_equal(t.capacity, 1);
	assert_int_equal(t.state, SCREENING_TUBE_SEALED);
}

static void test_on_result_and_errors(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_scan(f, "T1", 0).status, SCREENING_SCAN_OK); /* H1: single */
	fx_receive(f, "T1", 0);
	fx_result(f, "T1", "positive", 0);
	assert_int_equal(results_seen, 1);
	assert_int_equal(last.person_id, f->person[0]);
	assert_int_equal(last.household_id, f->h1);
	assert_int_equal(last.capacity, 1);
	assert_false(last.reswab);
	assert_int_equal(last.result, SCREENING_RESULT_POSITIVE);
	assert_int_equal(last.round_id, f->round);
	assert_true(last.sample_id > 0);
	assert_true(last.sampled_at > 0);
	assert_int_equal(last.resulted_at, 1622577600); /* the result's own time */
	/* A policy's error fails the batch: nothing written. */
	int64_t before = fx_rows(f);
	fail_with = MU_EDB;
	struct screening_scan in = {.scan_id = "err-1",
				    .round_id = f->round,
				    .site = "SITE1",
				    .tube = "T9",
				    .person = f->code[8],
				    .at = "2021-06-01T08:00:00+08:00"};
	struct screening_scan_result r;
	assert_int_equal(db_tx_begin(f->t.db), 0);
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, &in, 1, &r, NULL), MU_EDB);
	assert_int_equal(db_tx_rollback(f->t.db), 0);
	assert_int_equal(fx_rows(f), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_policy_sizes_tubes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_on_result_and_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
