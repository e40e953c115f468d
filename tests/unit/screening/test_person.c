/* test_person.c: one person's screening (person.c) — the status each round gives them
 * (negative, awaiting a result, recalled, exempt, not sampled; a recall and the last
 * sample decide), their samples with tube and site, and which rounds are theirs: only
 * those covering their household, newest first, at most as many as asked. */
#include "fixture.h"

struct seen {
	int n;
	struct screening_person_round r[4];
};

static int keep(const struct screening_person_round *pr, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < 4)
		s->r[s->n] = *pr;
	s->n++;
	return 0;
}

static struct seen history(struct fx *f, int i, int max)
{
	struct seen s = {0};
	assert_int_equal(screening_person_history(f->t.db, f->person[i], max, keep, &s), 0);
	return s;
}

static void test_statuses_of_a_round(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_scan(f, "T-NEG", 0).err, 0);
	assert_int_equal(fx_scan(f, "T-NEG", 1).err, 0);
	assert_int_equal(fx_scan(f, "T-WAIT", 2).err, 0);
	assert_int_equal(fx_scan(f, "T-POS", 3).err, 0);
	assert_int_equal(screening_tube_seal(f->t.db, "T-NEG", FX_OPENED + 100, NULL), 0);
	assert_int_equal(screening_tube_seal(f->t.db, "T-POS", FX_OPENED + 100, NULL), 0);
	fx_receive(f, "T-NEG", 0);
	fx_receive(f, "T-POS", 0);
	fx_result(f, "T-NEG", "negative", 0);
	fx_result(f, "T-POS", "positive", 0);
	assert_int_equal(screening_exemption_add(f->t.db, f->round, f->person[4],
						 SCREENING_EXEMPT_HOSPITALISED, 0, FX_OPENED + 50,
						 f->dl),
			 0);

	struct seen s = history(f, 0, 5);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].round.id, f->round);
	assert_int_equal(s.r[0].status, SCREENING_PERSON_NEGATIVE);
	assert_int_equal(s.r[0].nsamples, 1);
	assert_string_equal(s.r[0].samples[0].barcode, "T-NEG");
	assert_string_equal(s.r[0].samples[0].site, "站一");
	assert_int_equal(s.r[0].samples[0].capacity, 5);
	assert_int_equal(s.r[0].samples[0].tube_state, SCREENING_TUBE_RESULTED);
	assert_int_equal(s.r[0].samples[0].result, SCREENING_RESULT_NEGATIVE);
	assert_true(s.r[0].samples[0].resulted_at > 0);
	assert_false(s.r[0].has_recall);
	assert_int_equal(s.r[0].exempt_reason, -1);

	s = history(f, 2, 5);
	assert_int_equal(s.r[0].status, SCREENING_PERSON_AWAITING);
	assert_int_equal(s.r[0].samples[0].result, SCREENING_RESULT_NONE);
	assert_int_equal(s.r[0].samples[0].tube_state, SCREENING_TUBE_OPEN);

	s = history(f, 3, 5);
	assert_int_equal(s.r[0].status, SCREENING_PERSON_RECALL_PENDING);
	assert_true(s.r[0].has_recall);
	assert_int_equal(s.r[0].recall.state, SCREENING_RECALL_PENDING);

	s = history(f, 4, 5);
	assert_int_equal(s.r[0].status, SCREENING_PERSON_EXEMPT);
	assert_int_equal(s.r[0].exempt_reason, SCREENING_EXEMPT_HOSPITALISED);
	assert_int_equal(s.r[0].nsamples, 0);

	s = history(f, 5, 5);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].status, SCREENING_PERSON_NOT_SAMPLED);

	/* The person outside the round's street has no round at all. */
	s = history(f, 12, 5);
	assert_int_equal(s.n, 0);
	assert_int_equal(screening_person_history(f->t.db, 999999, 5, keep, &s), MU_ENOTFOUND);
}

static void test_rounds_newest_first_and_bounded(void **state)
{
	struct fx *f = *state;
	struct screening_round r2 = {.scope_place_id = f->dist,
				     .name = "第二轮",
				     .pool_k = 10,
				     .created_at = FX_OPENED + 86400};
	struct screening_round r3 = {
	    .scope_place_id = f->street2, .name = "别处", .pool_k = 10, .created_at = FX_OPENED};
	assert_int_equal(screening_round_create(f->t.db, &r2, NULL), 0);
	assert_int_equal(screening_round_create(f->t.db, &r3, NULL), 0);
	struct seen s = history(f, 0, 5);
	assert_int_equal(s.n, 2); /* not the round of the other street */
	assert_int_equal(s.r[0].round.id, r2.id);
	assert_int_equal(s.r[1].round.id, f->round);
	s = history(f, 0, 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].round.id, r2.id);
	s = history(f, 12, 5); /* the outsider: the district's round and their street's */
	assert_int_equal(s.n, 2);
	assert_int_equal(s.r[0].round.id, r3.id);
	assert_int_equal(s.r[1].round.id, r2.id);
	s = history(f, 0, 0);
	assert_int_equal(s.n, 0);
}

static void test_status_rules(void **state)
{
	struct screening_person_round pr;
	(void)state;
	memset(&pr, 0, sizeof pr);
	pr.exempt_reason = -1;
	assert_int_equal(screening_person_status(&pr), SCREENING_PERSON_NOT_SAMPLED);
	pr.exempt_reason = SCREENING_EXEMPT_AWAY;
	assert_int_equal(screening_person_status(&pr), SCREENING_PERSON_EXEMPT);
	/* Sampled anyway: the sample speaks, the last one first. */
	pr.nsamples = 2;
	pr.samples[0].tube_state = SCREENING_TUBE_RESULTED;
	pr.samples[0].result = SCREENING_RESULT_INVALID;
	pr.samples[1].tube_state = SCREENING_TUBE_SEALED;
	pr.samples[1].result = SCREENING_RESULT_NONE;
	assert_int_equal(screening_person_status(&pr), SCREENING_PERSON_AWAITING);
	pr.nsamples = 1;
	assert_int_equal(screening_person_status(&pr), SCREENING_PERSON_INVALID);
	pr.samples[0].result = SCREENING_RESULT_POSITIVE;
	assert_int_equal(screening_person_status(&pr), SCREENING_PERSON_POSITIVE);
	/* A recall decides over the pooled sample. */
	pr.has_recall = true;
	static const int want[] = {SCREENING_PERSON_RECALL_PENDING, SCREENING_PERSON_RECALL_SAMPLED,
				   SCREENING_PERSON_NEGATIVE, SCREENING_PERSON_POSITIVE};
	for (int st = SCREENING_RECALL_PENDING; st <= SCREENING_RECALL_POSITIVE; st++) {
		pr.recall.state = st;
		assert_int_equal(screening_person_status(&pr), want[st]);
	}
	assert_string_equal(screening_person_status_name(SCREENING_PERSON_AWAITING),
			    "awaiting_result");
	assert_string_equal(screening_person_status_name(SCREENING_PERSON_NOT_SAMPLED),
			    "not_sampled");
	assert_null(screening_person_status_name(-1));
	assert_null(screening_person_status_name(SCREENING_PERSON_POSITIVE + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_statuses_of_a_round, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_rounds_newest_first_and_bounded, fx_setup,
					    fx_teardown),
	    cmocka_unit_test(test_status_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
