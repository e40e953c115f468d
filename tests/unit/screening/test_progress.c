/* test_progress.c: a round's progress figures on the small city against hand-computed
 * values — rates, tubes per stage, results, backlog, nearest-rank turnaround and the
 * projection — and the sampled turnaround of a round with more resulted tubes than are
 * read, against the exact percentiles. */
#include <jansson.h>

#include "fixture.h"

#define T0 INT64_C(1622505600) /* 2021-06-01T00:00:00Z */

/* Scans person i into tube at T0 + dt. */
static struct screening_scan_result scan_round_at(struct fx *f, int64_t round, const char *tube,
						  int i, int64_t dt)
{
	char id[32], at[21];
	snprintf(id, sizeof id, "p-%d", ++f->seq);
	screening_time_format(T0 + dt, at);
	struct screening_scan in = {.scan_id = id,
				    .round_id = round,
				    .site = "SITE1",
				    .tube = tube,
				    .person = f->code[i],
				    .at = at};
	struct screening_scan_result r;
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, &in, 1, &r, f->dl), 0);
	if (r.status != SCREENING_SCAN_OK)
		fail_msg("scan %d into %s: %s", i, tube, r.why.text);
	return r;
}

static struct screening_scan_result scan_at(struct fx *f, const char *tube, int i, int64_t dt)
{
	return scan_round_at(f, f->round, tube, i, dt);
}

static void result_at(struct fx *f, const char *tube, const char *result, int64_t dt)
{
	char at[21];
	screening_time_format(T0 + dt, at);
	struct screening_result_in in = {
	    .tube = tube, .result = result, .ct_orf1ab = NAN, .ct_n = NAN, .at = at};
	struct screening_item_result r;
	assert_int_equal(screening_result_record(f->t.db, NULL, &in, 1, T0, &r, f->dl), 0);
	assert_int_equal(r.err, 0);
}

static void test_hand_computed(void **state)
{
	struct fx *f = *state;
	struct screening_progress p;
	/* Tube A: people 0–4 a minute apart from T0 (full, sealed); tube B: people 5–9
	 * from T0 + 1 h; tube C: people 10, 11 at T0 + 2 h and T0 + 2 h 100 s (open). */
	for (int i = 0; i < 5; i++)
		scan_at(f, "A", i, 60 * i);
	for (int i = 5; i < 10; i++)
		scan_at(f, "B", i, 3600 + 60 * (i - 5));
	scan_at(f, "C", 10, 7200);
	scan_at(f, "C", 11, 7300);
	fx_receive(f, "A", 0);
	fx_receive(f, "B", 0);
	result_at(f, "A", "negative", 72000);	     /* turnaround 72,000 s */
	result_at(f, "B", "positive", 3600 + 36000); /* turnaround 36,000 s; recalls 5–9 */
	struct screening_scan_result r = scan_at(f, "S1", 5, 7350); /* re-swab: single tube */
	assert_true(r.recall && r.sealed);
	assert_int_equal(screening_tube_seal(f->t.db, "C", T0 + 7390, NULL), 0);
	fx_receive(f, "S1", 0);

	int64_t now = T0 + 7400;
	struct screening_cov *c;
	struct screening_counts scope;
	assert_int_equal(screening_cov_new(f->t.db, &c), 0);
	assert_int_equal(screening_cov_get(c, f->t.db, f->round, f->street, &scope), 0);
	assert_int_equal(screening_progress_get(f->t.db, f->round, now, &scope, &p), 0);
	screening_cov_free(c);

	assert_int_equal(p.samples, 13);
	/* (now − 1 h, now] = (T0 + 3800, T0 + 7400]: 3840, 7200, 7300, 7350. */
	assert_int_equal(p.samples_last_hour, 4);
	assert_true(p.rate_last_hour == 4.0);
	assert_int_equal(p.first_sample_at, T0);
	assert_int_equal(p.last_sample_at, T0 + 7350);
	assert_true(fabs(p.rate_overall - 13.0 * 3600.0 / 7350.0) < 1e-9); /* 6.367/h */
	assert_int_equal(p.opened, 4);					   /* A, B, C, S1 */
	assert_int_equal(p.sealed, 4);	 /* C by hand, the others full */
	assert_int_equal(p.received, 3); /* A, B, S1 */
	assert_int_equal(p.resulted, 2);
	assert_int_equal(p.by_result[SCREENING_RESULT_NEGATIVE], 1);
	assert_int_equal(p.by_result[SCREENING_RESULT_POSITIVE], 1);
	assert_int_equal(p.by_result[SCREENING_RESULT_INVALID], 0);
	assert_int_equal(p.backlog_sealed, 1);	 /* C */
	assert_int_equal(p.backlog_received, 1); /* S1 */
	/* Sorted {36000, 72000}: median rank ceil(0.5 × 2) = 1, p90 rank ceil(1.8) = 2. */
	assert_int_equal(p.turnaround_n, 2);
	assert_true(p.turnaround_exact);
	assert_true(p.turnaround_p50 == 36000.0);
	assert_true(p.turnaround_p90 == 72000.0);
	/* Everyone in scope sampled: done at the last sample. */
	assert_int_equal(p.remaining, 0);
	assert_int_equal(p.projected_at, T0 + 7350);
	assert_true(p.complete);
	assert_false(p.estimating);
	assert_int_equal(p.rate_window_s, 3600);
	assert_int_equal(p.pool_positive_tubes, 1); /* B; the re-swab S1 is not pooled */

	json_t *j = screening_progress_json(&p);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "tubes"), "received")), 3);
	assert_int_equal(json_integer_value(
			     json_object_get(json_object_get(j, "backlog"), "sealed_not_received")),
			 1);
	assert_string_equal(json_string_value(json_object_get(j, "projected_completion")),
			    "2021-06-01T02:02:30Z");
	json_decref(j);

	/* Two people left at 4 samples an hour: 30 minutes from now. */
	scope.sampled = 10;
	assert_int_equal(screening_progress_get(f->t.db, f->round, now, &scope, &p), 0);
	assert_int_equal(p.remaining, 2);
	assert_int_equal(p.projected_at, now + 1800);
	assert_false(p.complete);
	/* No sample in the last hour: unknown. */
	assert_int_equal(screening_progress_get(f->t.db, f->round, now + 86400, &scope, &p), 0);
	assert_int_equal(p.samples_last_hour, 0);
	assert_int_equal(p.projected_at, 0);
	/* No scope: no projection. */
	assert_int_equal(screening_progress_get(f->t.db, f->round, now, NULL, &p), 0);
	assert_int_equal(p.remaining, -1);
	assert_int_equal(p.projected_at, 0);
	assert_int_equal(screening_progress_get(f->t.db, f->round + 99, now, NULL, &p),
			 MU_ENOTFOUND);
}

/* The round's first hour: the rate is over the time since the first sample, not over
 * an hour (issue 12, item 6: 12:30 of a round begun at 12:00 projected 17:22 for 12:38);
 * in its first ten minutes there is no projection yet (estimating). */
static void test_first_hour(void **state)
{
	struct fx *f = *state;
	struct screening_progress p;
	/* People 0–5 a minute apart from T0 + 60 s. */
	for (int i = 0; i < 6; i++)
		scan_at(f, i < 5 ? "A" : "B", i, 60 + 60 * i);
	struct screening_cov *c;
	struct screening_counts scope;
	assert_int_equal(screening_cov_new(f->t.db, &c), 0);
	assert_int_equal(screening_cov_get(c, f->t.db, f->round, f->street, &scope), 0);
	screening_cov_free(c);
	assert_int_equal(scope.expected - scope.sampled, 6);
	/* At T0 + 360 s: five minutes of sampling, too soon to project. */
	assert_int_equal(screening_progress_get(f->t.db, f->round, T0 + 360, &scope, &p), 0);
	assert_true(p.estimating);
	assert_int_equal(p.projected_at, 0);
	assert_false(p.complete);
	/* At T0 + 1860 s: 6 samples in 30 minutes is 12 an hour, so 6 left take 30 more
	 * minutes (not 60, as 6 samples "in the last hour" said). */
	assert_int_equal(screening_progress_get(f->t.db, f->round, T0 + 1860, &scope, &p), 0);
	assert_false(p.estimating);
	assert_int_equal(p.rate_window_s, 1800);
	assert_true(p.rate_last_hour == 12.0);
	assert_int_equal(p.projected_at, T0 + 1860 + 1800);
	json_t *j = screening_progress_json(&p);
	assert_false(json_is_true(json_object_get(j, "estimating")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "samples_per_hour"), "window_s")),
	    1800);
	json_decref(j);
}

/* The overview's day: T0 is 08:00 in Guangzhou, so the local day began at T0 − 8 h; the
 * 24 whole hours end with now's hour. One sample before local midnight but inside the
 * window, one before the window, three today; a positive pool, one re-swab confirmed. */
static void test_day(void **state)
{
	struct fx *f = *state;
	struct screening_day d;
	struct screening_hours *h = screening_hours_new();
	int64_t now = T0 + 7400;
	scan_at(f, "A", 0, -9 * 3600 - 60); /* 22:59 local the day before: window hour 11 */
	scan_at(f, "A", 1, -30 * 3600);	    /* before the window */
	scan_at(f, "A", 2, 60);		    /* hour 21 */
	scan_at(f, "B", 3, 7210);	    /* hour 23 */
	scan_at(f, "B", 4, 7300);	    /* hour 23 */
	assert_int_equal(screening_tube_seal(f->t.db, "B", T0 + 7300, NULL), 0);
	fx_receive(f, "B", 0);
	result_at(f, "B", "positive", 7320); /* recalls for 3 and 4 */
	struct screening_scan_result r = scan_at(f, "S1", 3, 7330);
	assert_true(r.recall);
	fx_receive(f, "S1", 0);
	result_at(f, "S1", "positive", 7350);

	assert_int_equal(screening_day_get(f->t.db, h, f->round, now, 8 * 3600, &d), 0);
	assert_int_equal(d.day_start, T0 - 8 * 3600);
	assert_int_equal(d.hour0, T0 + 7200 - 23 * 3600);
	int64_t want[SCREENING_DAY_HOURS] = {0};
	want[11] = 1;
	want[21] = 1;
	want[23] = 3; /* 3, 4 and the re-swab of 3 */
	for (int i = 0; i < SCREENING_DAY_HOURS; i++)
		if (d.hourly[i] != want[i])
			fail_msg("hour %d: %lld samples, want %lld", i, (long long)d.hourly[i],
				 (long long)want[i]);
	assert_int_equal(d.samples_today, 4);
	assert_int_equal(d.recalls[SCREENING_RECALL_PENDING], 1);
	assert_int_equal(d.recalls[SCREENING_RECALL_SAMPLED], 0);
	assert_int_equal(d.recalls[SCREENING_RECALL_POSITIVE], 1);
	assert_int_equal(d.positives_today, 1);
	/* In UTC the day began at T0: the sample at 22:59 local (14:59 UTC) is yesterday's. */
	assert_int_equal(screening_day_get(f->t.db, h, f->round, now, 0, &d), 0);
	assert_int_equal(d.day_start, T0);
	assert_int_equal(d.samples_today, 4);
	/* The next day: nothing today, the positive was yesterday. */
	assert_int_equal(screening_day_get(f->t.db, h, f->round, now + 86400, 8 * 3600, &d), 0);
	assert_int_equal(d.samples_today, 0);
	assert_int_equal(d.positives_today, 0);
	assert_int_equal(d.recalls[SCREENING_RECALL_POSITIVE], 1);
	screening_hours_free(h);
}

/* The hours are counted once, then kept up from the samples added since: a late scan
 * with an old time lands in its own hour, another round's samples stay out, and counts
 * made afresh agree with the kept ones at every step. */
static void expect_same_day(struct fx *f, struct screening_hours *kept, int64_t round, int64_t now)
{
	struct screening_day a, b;
	struct screening_hours *fresh = screening_hours_new();
	assert_int_equal(screening_day_get(f->t.db, kept, round, now, 8 * 3600, &a), 0);
	assert_int_equal(screening_day_get(f->t.db, fresh, round, now, 8 * 3600, &b), 0);
	assert_memory_equal(a.hourly, b.hourly, sizeof a.hourly);
	assert_int_equal(a.samples_today, b.samples_today);
	screening_hours_free(fresh);
}

static void test_day_catches_up(void **state)
{
	struct fx *f = *state;
	struct screening_day d;
	struct screening_hours *h = screening_hours_new();
	int64_t now = T0 + 7400;
	scan_at(f, "A", 0, 60);
	assert_int_equal(screening_day_get(f->t.db, h, f->round, now, 8 * 3600, &d), 0);
	assert_int_equal(d.hourly[21], 1);
	assert_int_equal(d.samples_today, 1);
	/* Two more now, and one sent late by an offline sampler, taken at 23:30 local. */
	scan_at(f, "A", 1, 7210);
	scan_at(f, "A", 2, 7220);
	scan_at(f, "A", 3, -8 * 3600 - 1800);
	assert_int_equal(screening_day_get(f->t.db, h, f->round, now, 8 * 3600, &d), 0);
	assert_int_equal(d.hourly[21], 1);
	assert_int_equal(d.hourly[23], 2);
	assert_int_equal(d.hourly[12], 1);
	assert_int_equal(d.samples_today, 3);
	expect_same_day(f, h, f->round, now);
	/* Another round's samples are its own; the first round's figures do not move. */
	struct screening_round second = {
	    .scope_place_id = f->street, .name = "第二轮", .pool_k = 5, .created_at = FX_OPENED};
	assert_int_equal(screening_round_create(f->t.db, &second, NULL), 0);
	int64_t other = second.id;
	int64_t before[SCREENING_DAY_HOURS];
	memcpy(before, d.hourly, sizeof before);
	scan_round_at(f, other, "X", 4, 7230);
	assert_int_equal(screening_day_get(f->t.db, h, f->round, now, 8 * 3600, &d), 0);
	assert_memory_equal(d.hourly, before, sizeof before);
	assert_int_equal(screening_day_get(f->t.db, h, other, now, 8 * 3600, &d), 0);
	assert_int_equal(d.hourly[23], 1);
	assert_int_equal(d.samples_today, 1);
	/* Both rounds known: one pass over the new rows serves each. */
	scan_round_at(f, other, "X", 5, 7240);
	scan_at(f, "A", 6, 7250);
	assert_int_equal(screening_day_get(f->t.db, h, other, now, 8 * 3600, &d), 0);
	assert_int_equal(d.hourly[23], 2);
	assert_int_equal(screening_day_get(f->t.db, h, f->round, now, 8 * 3600, &d), 0);
	assert_int_equal(d.hourly[23], 3);
	expect_same_day(f, h, f->round, now);
	expect_same_day(f, h, other, now);
	screening_hours_free(h);
	screening_hours_free(NULL);
}

static void test_empty_round(void **state)
{
	struct fx *f = *state;
	struct screening_progress p;
	assert_int_equal(screening_progress_get(f->t.db, f->round, T0, NULL, &p), 0);
	assert_int_equal(p.samples, 0);
	assert_int_equal(p.opened, 0);
	assert_true(p.rate_overall == 0.0);
	assert_int_equal(p.turnaround_n, 0);
	assert_true(p.turnaround_p50 < 0 && p.turnaround_p90 < 0);
}

/* 5,000 resulted tubes with turnarounds 1..5000 s in id order (every tenth positive):
 * exact nearest-rank median 2500, p90 4500; the sample of 2,000 must land within 1 %. */
static void test_sampled_turnaround(void **state)
{
	struct fx *f = *state;
	struct screening_site s;
	struct screening_progress p;
	static const char ins[] =
	    "INSERT INTO tubes (barcode, round_id, site_id, capacity, n, state, opened_at,"
	    " sealed_at, received_at, result, resulted_at) VALUES (?, ?, ?, 10, 10, 3, ?, ?, ?, ?, "
	    "?)";
	assert_int_equal(screening_site_find(f->t.db, "SITE1", &s), 0);
	assert_int_equal(db_tx_begin(f->t.db), 0);
	for (int i = 1; i <= 5000; i++) {
		struct db_stmt *st;
		char bc[16];
		snprintf(bc, sizeof bc, "T%d", i);
		assert_int_equal(db_prepare(f->t.db, ins, &st), 0);
		db_bind_text(st, 1, bc, -1);
		db_bind_i64(st, 2, f->round);
		db_bind_i64(st, 3, s.id);
		db_bind_i64(st, 4, T0);
		db_bind_i64(st, 5, T0);
		db_bind_i64(st, 6, T0);
		db_bind_i64(st, 7,
			    i % 10 == 0 ? SCREENING_RESULT_POSITIVE : SCREENING_RESULT_NEGATIVE);
		db_bind_i64(st, 8, T0 + i);
		assert_int_equal(db_step(st), DB_DONE);
		db_stmt_done(st);
	}
	assert_int_equal(db_tx_commit(f->t.db), 0);
	assert_int_equal(screening_progress_get(f->t.db, f->round, T0, NULL, &p), 0);
	assert_int_equal(p.resulted, 5000);
	assert_int_equal(p.by_result[SCREENING_RESULT_POSITIVE], 500);
	assert_false(p.turnaround_exact);
	assert_true(p.turnaround_n > 1900 && p.turnaround_n <= SCREENING_PROGRESS_SAMPLE + 64);
	if (fabs(p.turnaround_p50 - 2500) > 50 || fabs(p.turnaround_p90 - 4500) > 50)
		fail_msg("sampled p50 %.0f p90 %.0f, exact 2500 and 4500", p.turnaround_p50,
			 p.turnaround_p90);
}

/* Progress kept for a moment: a slow count (here every count: slow_s 0) is answered
 * again until reuse_s has passed, then counted afresh; with a threshold no count
 * reaches, every answer is fresh. Rounds are kept apart. */
static void test_progress_kept(void **state)
{
	struct fx *f = *state;
	struct screening_progress p;
	struct screening_progress_keep *always = screening_progress_keep_new(0, 2.0);
	struct screening_progress_keep *never = screening_progress_keep_new(1e9, 2.0);
	int64_t now = T0 + 7400;
	scan_at(f, "A", 0, 60);
	assert_int_equal(
	    screening_progress_get_kept(always, f->t.db, f->round, now, 100.0, NULL, &p), 0);
	assert_int_equal(p.samples, 1);
	assert_int_equal(
	    screening_progress_get_kept(never, f->t.db, f->round, now, 100.0, NULL, &p), 0);
	assert_int_equal(p.samples, 1);
	scan_at(f, "A", 1, 70);
	assert_int_equal(
	    screening_progress_get_kept(always, f->t.db, f->round, now + 1, 101.9, NULL, &p), 0);
	assert_int_equal(p.samples, 1);
	assert_int_equal(p.now, now); /* when it was counted */
	assert_int_equal(
	    screening_progress_get_kept(never, f->t.db, f->round, now + 1, 101.9, NULL, &p), 0);
	assert_int_equal(p.samples, 2);
	assert_int_equal(
	    screening_progress_get_kept(always, f->t.db, f->round, now + 2, 102.0, NULL, &p), 0);
	assert_int_equal(p.samples, 2);
	assert_int_equal(p.now, now + 2);
	/* Another round is counted for itself, not answered with the first one's figures. */
	struct screening_round second = {
	    .scope_place_id = f->street, .name = "第二轮", .pool_k = 5, .created_at = FX_OPENED};
	assert_int_equal(screening_round_create(f->t.db, &second, NULL), 0);
	assert_int_equal(
	    screening_progress_get_kept(always, f->t.db, second.id, now + 2, 102.1, NULL, &p), 0);
	assert_int_equal(p.round_id, second.id);
	assert_int_equal(p.samples, 0);
	assert_int_equal(
	    screening_progress_get_kept(always, f->t.db, f->round, now + 2, 102.2, NULL, &p), 0);
	assert_int_equal(p.samples, 2);
	assert_int_equal(screening_progress_get_kept(always, f->t.db, 999, now, 103.0, NULL, &p),
			 MU_ENOTFOUND);
	screening_progress_keep_free(always);
	screening_progress_keep_free(never);
	screening_progress_keep_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_hand_computed, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_empty_round, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_first_hour, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_day, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_day_catches_up, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_progress_kept, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_sampled_turnaround, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
