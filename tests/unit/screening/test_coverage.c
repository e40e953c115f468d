/* test_coverage.c: coverage arithmetic with exemptions on the small city (exact
 * numbers), the incremental aggregate against one rebuilt from the rows after a
 * random mix of operations, the two-level walk (depth=2) and its bound, and the
 * roll-call's contents and cursor paging. */
#include "fixture.h"

static void expect(struct screening_cov *c, struct fx *f, int64_t place, int64_t people,
		   int64_t expected, int64_t sampled, int64_t resulted, int64_t negative,
		   int64_t pool_positive, int64_t positive)
{
	struct screening_counts k;
	assert_int_equal(screening_cov_get(c, f->t.db, f->round, place, &k), 0);
	int64_t got[7] = {k.people,   k.expected,      k.sampled, k.resulted,
			  k.negative, k.pool_positive, k.positive};
	int64_t want[7] = {people, expected, sampled, resulted, negative, pool_positive, positive};
	for (int i = 0; i < 7; i++)
		if (got[i] != want[i])
			fail_msg("place %lld field %d: got %lld want %lld", (long long)place, i,
				 (long long)got[i], (long long)want[i]);
}

static void apply(struct screening_cov *c, struct fx *f)
{
	assert_int_equal(screening_cov_apply(c, f->t.db, f->dl), 0);
	screening_delta_reset(f->dl);
}

static void test_arithmetic_with_exemptions(void **state)
{
	struct fx *f = *state;
	struct screening_cov *c;
	assert_int_equal(screening_cov_new(f->t.db, &c), 0);
	/* Person 11 away (standing), person 10 hospitalised for this round only. */
	assert_int_equal(
	    screening_exemption_add(f->t.db, 0, f->person[11], SCREENING_EXEMPT_AWAY, 0, 1, f->dl),
	    0);
	assert_int_equal(screening_exemption_add(f->t.db, f->round, f->person[10],
						 SCREENING_EXEMPT_HOSPITALISED, 0, 1, f->dl),
			 0);
	assert_int_equal(
	    screening_exemption_add(f->t.db, 0, f->person[11], SCREENING_EXEMPT_MOVED, 0, 1, f->dl),
	    MU_EEXIST);
	apply(c, f);
	expect(c, f, f->street, 12, 10, 0, 0, 0, 0, 0);
	/* The city holds the round's street: only the street's people count (issue 12,
	 * item 5), not person HX of the other street. */
	expect(c, f, f->city, 12, 10, 0, 0, 0, 0, 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(fx_scan(f, "T1", i).status, SCREENING_SCAN_OK);
	assert_int_equal(fx_scan(f, "T2", 7).status, SCREENING_SCAN_OK);
	assert_int_equal(fx_scan(f, "T2", 10).status, SCREENING_SCAN_OK); /* exempt, came anyway */
	assert_int_equal(fx_scan(f, "T2", 0).status, SCREENING_SCAN_OK);  /* a repeat */
	apply(c, f);
	/* Street: 12 people, person 11 exempt → 11 expected; 7 distinct sampled. */
	expect(c, f, f->street, 12, 11, 7, 0, 0, 0, 0);
	struct screening_counts k;
	assert_int_equal(screening_cov_get(c, f->t.db, f->round, f->street, &k), 0);
	assert_true(fabs(k.coverage - 7.0 / 11.0) < 1e-12);
	assert_int_equal(screening_tube_seal(f->t.db, "T2", 10, NULL), 0);
	fx_receive(f, "T1", 0);
	fx_receive(f, "T2", 0);
	fx_result(f, "T1", "negative", 0);
	fx_result(f, "T2", "positive", 0);
	apply(c, f);
	/* T2 held 7, 10 and 0: 0 was cleared by T1 but is recalled now (recall outranks). */
	expect(c, f, f->street, 12, 11, 7, 7, 4, 3, 0);
	expect(c, f, f->g1, 7, 7, 5, 5, 4, 1, 0);
	expect(c, f, f->g2, 5, 4, 2, 2, 0, 2, 0);
	expect(c, f, f->b2, 5, 4, 2, 2, 0, 2, 0);
	expect(c, f, f->h3, 5, 4, 2, 2, 0, 2, 0);
	expect(c, f, f->h2, 4, 4, 2, 2, 2, 0, 0); /* persons 3 and 4 */
	/* Beside the scope: nobody expected, and marked out of the round. */
	expect(c, f, f->street2, 0, 0, 0, 0, 0, 0, 0);
	{
		struct screening_counts out, in;
		assert_int_equal(screening_cov_get(c, f->t.db, f->round, f->street2, &out), 0);
		assert_false(out.in_scope);
		assert_int_equal(screening_cov_get(c, f->t.db, f->round, f->city, &in), 0);
		assert_true(in.in_scope);
		assert_int_equal(screening_cov_get(c, f->t.db, f->round, f->h2, &in), 0);
		assert_true(in.in_scope);
	}
	/* Person 7's re-swab positive, person 10's negative. */
	assert_int_equal(fx_scan(f, "R7", 7).status, SCREENING_SCAN_OK);
	assert_int_equal(fx_scan(f, "R10", 10).status, SCREENING_SCAN_OK);
	fx_receive(f, "R7", 0);
	fx_receive(f, "R10", 0);
	fx_result(f, "R7", "positive", 0);
	fx_result(f, "R10", "negative", 0);
	apply(c, f);
	expect(c, f, f->g2, 5, 4, 2, 2, 1, 0, 1);
	expect(c, f, f->city, 12, 11, 7, 7, 5, 1, 1);
	expect(c, f, f->dist, 12, 11, 7, 7, 5, 1, 1);
	/* The aggregate rebuilt from the rows agrees everywhere. */
	struct screening_cov *fresh;
	assert_int_equal(screening_cov_new(f->t.db, &fresh), 0);
	int64_t ids[] = {f->city, f->dist, f->street, f->comm, f->g1, f->g2,
			 f->b1,	  f->b2,   f->h1,     f->h2,   f->h3, f->street2};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct screening_counts a, b;
		assert_int_equal(screening_cov_get(c, f->t.db, f->round, ids[i], &a), 0);
		assert_int_equal(screening_cov_get(fresh, f->t.db, f->round, ids[i], &b), 0);
		assert_memory_equal(&a, &b, sizeof a);
	}
	screening_cov_free(fresh);
	screening_cov_free(c);
}

struct kids {
	int64_t id[8], sampled[8];
	int n;
};

static int collect_kid(const struct screening_counts *x, void *ctx)
{
	struct kids *k = ctx;
	k->id[k->n] = x->place_id;
	k->sampled[k->n++] = x->sampled;
	return 0;
}

static void test_children(void **state)
{
	struct fx *f = *state;
	struct screening_cov *c;
	assert_int_equal(screening_cov_new(f->t.db, &c), 0);
	assert_int_equal(fx_scan(f, "T1", 8).status, SCREENING_SCAN_OK);
	assert_int_equal(fx_scan(f, "T1", 1).status, SCREENING_SCAN_OK);
	apply(c, f);
	struct kids k = {0};
	assert_int_equal(screening_cov_children(c, f->t.db, f->round, f->comm, collect_kid, &k), 0);
	assert_int_equal(k.n, 2);
	assert_int_equal(k.id[0], f->g1);
	assert_int_equal(k.sampled[0], 1);
	assert_int_equal(k.id[1], f->g2);
	assert_int_equal(k.sampled[1], 1);
	struct kids h = {0};
	assert_int_equal(screening_cov_children(c, f->t.db, f->round, f->b1, collect_kid, &h), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.sampled[0] + h.sampled[1], 1);
	screening_cov_free(c);
}

/* Places added after the aggregate loaded its tree: where they lie against the round's
 * scope is read from the database (inside: counted; beside: in_scope false, nothing);
 * a round over a new place counts from the places above it as from its scope. */
static void test_places_after_load(void **state)
{
	struct fx *f = *state;
	struct screening_cov *c;
	struct screening_counts k;
	assert_int_equal(screening_cov_new(f->t.db, &c), 0);
	int64_t inside = fx_place(f, f->street, PLACES_COMMUNITY, "M9");
	int64_t beside = fx_place(f, f->dist, PLACES_STREET, "S3");
	assert_int_equal(screening_cov_get(c, f->t.db, f->round, inside, &k), 0);
	assert_true(k.in_scope);
	assert_int_equal(k.people, 0);
	assert_int_equal(screening_cov_get(c, f->t.db, f->round, beside, &k), 0);
	assert_false(k.in_scope);
	assert_int_equal(k.expected, 0);
	/* A round over the new community, asked at the city: the community's (no one). */
	struct screening_round r = {
	    .scope_place_id = inside, .name = "新", .pool_k = 5, .created_at = FX_OPENED};
	assert_int_equal(screening_round_create(f->t.db, &r, NULL), 0);
	assert_int_equal(screening_cov_get(c, f->t.db, r.id, f->city, &k), 0);
	assert_true(k.in_scope);
	assert_int_equal(k.people, 0);
	assert_int_equal(k.expected, 0);
	assert_int_equal(screening_cov_get(c, f->t.db, r.id, f->g1, &k), 0);
	assert_false(k.in_scope);
	screening_cov_free(c);
}

struct walk {
	int64_t id[8], sampled[8];
	int depth[8], n;
};

static int collect_below(const struct places_node *n, const struct screening_counts *x, int depth,
			 void *ctx)
{
	struct walk *w = ctx;
	assert_int_equal(n->id, x->place_id);
	assert_true(w->n < 8);
	w->id[w->n] = x->place_id;
	w->sampled[w->n] = x->sampled;
	w->depth[w->n++] = depth;
	return 0;
}

/* Two levels in one walk, depth first, each equal to the place's own counts; an answer
 * over the bound refused before any place is counted. */
static void test_below(void **state)
{
	struct fx *f = *state;
	struct screening_cov *c;
	assert_int_equal(screening_cov_new(f->t.db, &c), 0);
	assert_int_equal(fx_scan(f, "T1", 8).status, SCREENING_SCAN_OK);
	assert_int_equal(fx_scan(f, "T1", 1).status, SCREENING_SCAN_OK);
	assert_int_equal(fx_scan(f, "T1", 2).status, SCREENING_SCAN_OK);
	apply(c, f);
	struct walk w = {0};
	assert_int_equal(
	    screening_cov_below(c, f->t.db, f->round, f->comm, 2, 100, collect_below, &w), 0);
	int64_t want[] = {f->g1, f->p1, f->g2, f->p2};
	int depth[] = {1, 2, 1, 2};
	assert_int_equal(w.n, 4);
	for (int i = 0; i < 4; i++) {
		struct screening_counts k;
		assert_int_equal(w.id[i], want[i]);
		assert_int_equal(w.depth[i], depth[i]);
		assert_int_equal(screening_cov_get(c, f->t.db, f->round, want[i], &k), 0);
		assert_int_equal(w.sampled[i], k.sampled);
	}
	assert_int_equal(w.sampled[0], 2);
	assert_int_equal(w.sampled[2], 1);
	/* A building: its households, which have no children. */
	struct walk h = {0};
	assert_int_equal(
	    screening_cov_below(c, f->t.db, f->round, f->b1, 2, 100, collect_below, &h), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.id[0], f->h1);
	assert_int_equal(h.depth[1], 1);
	assert_int_equal(h.sampled[0] + h.sampled[1], 2);
	/* Depth 1 is the children alone. */
	struct walk one = {0};
	assert_int_equal(
	    screening_cov_below(c, f->t.db, f->round, f->comm, 1, 100, collect_below, &one), 0);
	assert_int_equal(one.n, 2);
	assert_int_equal(one.id[1], f->g2);
	/* Four places within depth 2: a bound of 3 refuses the walk, nothing counted. */
	struct walk none = {0};
	assert_int_equal(
	    screening_cov_below(c, f->t.db, f->round, f->comm, 2, 3, collect_below, &none),
	    MU_ETOOBIG);
	assert_int_equal(none.n, 0);
	assert_int_equal(
	    screening_cov_below(c, f->t.db, f->round, f->comm, 2, 4, collect_below, &none), 0);
	assert_int_equal(none.n, 4);
	assert_int_equal(
	    screening_cov_below(c, f->t.db, f->round, f->comm, 3, 100, collect_below, &w),
	    MU_EINVAL);
	screening_cov_free(c);
}

/* A random mix of every write, applied as it commits; the result must equal a rebuild. */
static void test_incremental_equals_rebuilt(void **state)
{
	struct fx *f = *state;
	struct screening_cov *c;
	assert_int_equal(screening_cov_new(f->t.db, &c), 0);
	struct screening_round r2 = {
	    .scope_place_id = f->city, .name = "二", .pool_k = 5, .created_at = FX_OPENED};
	assert_int_equal(screening_round_create(f->t.db, &r2, NULL), 0);
	int64_t rounds[2] = {f->round, r2.id};
	srand(12345);
	int ntubes = 0;
	char open[2][16] = {"", ""};
	char tubes[200][16];
	for (int op = 0; op < 400; op++) {
		int which = rand() % 2;
		f->round = rounds[which];
		int kind = rand() % 10;
		if (kind < 5) {
			if (!open[which][0] || rand() % 4 == 0) {
				snprintf(open[which], sizeof open[which], "X%d", ntubes);
				snprintf(tubes[ntubes], 16, "X%d", ntubes);
				ntubes++;
				if (ntubes == 200)
					break;
			}
			struct screening_scan_result r = fx_scan(f, open[which], rand() % NPEOPLE);
			if (r.status == SCREENING_SCAN_ERROR && r.err == MU_EEXIST)
				open[which][0] = '\0';
			if (r.sealed)
				open[which][0] = '\0';
		} else if (kind < 6 && open[which][0]) {
			screening_tube_seal(f->t.db, open[which], 5, NULL);
			open[which][0] = '\0';
		} else if (kind < 8 && ntubes) {
			const char *bc[1] = {tubes[rand() % ntubes]};
			struct screening_item_result ir;
			assert_int_equal(screening_tube_receive(f->t.db, "LAB1", bc, 1, 6, &ir), 0);
		} else if (kind < 9 && ntubes) {
			static const char *const res[] = {"negative", "negative", "positive",
							  "invalid"};
			const char *bc[1] = {tubes[rand() % ntubes]};
			struct screening_item_result rr;
			screening_tube_seal(f->t.db, bc[0], 5, NULL);
			assert_int_equal(screening_tube_receive(f->t.db, "LAB1", bc, 1, 6, &rr), 0);
			struct screening_result_in in = {.tube = bc[0],
							 .result = res[rand() % 4],
							 .ct_orf1ab = NAN,
							 .ct_n = NAN};
			struct screening_item_result ir;
			assert_int_equal(
			    screening_result_record(f->t.db, NULL, &in, 1, 7, &ir, f->dl), 0);
		} else {
			screening_exemption_add(f->t.db, rand() % 3 ? rounds[which] : 0,
						f->person[rand() % NPEOPLE], rand() % 4, 0, 8,
						f->dl);
		}
		/* Apply some deltas late, several operations at once: order must not matter. */
		if (rand() % 3 == 0)
			apply(c, f);
	}
	apply(c, f);
	assert_true(fx_count(f, "SELECT count(*) FROM recalls") > 0);
	assert_true(fx_count(f, "SELECT count(*) FROM tubes WHERE result = 0") > 0);
	struct screening_cov *fresh;
	assert_int_equal(screening_cov_new(f->t.db, &fresh), 0);
	int64_t ids[] = {f->city, f->dist, f->street, f->comm, f->g1,	   f->g2, f->b1,
			 f->b2,	  f->h1,   f->h2,     f->h3,   f->street2, f->hx};
	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
			struct screening_counts a, b;
			assert_int_equal(screening_cov_get(c, f->t.db, rounds[w], ids[i], &a), 0);
			assert_int_equal(screening_cov_get(fresh, f->t.db, rounds[w], ids[i], &b),
					 0);
			if (memcmp(&a, &b, sizeof a) != 0)
				fail_msg(
				    "round %lld place %lld: sampled %lld/%lld resulted %lld/%lld"
				    " neg %lld/%lld pp %lld/%lld pos %lld/%lld exp %lld/%lld",
				    (long long)rounds[w], (long long)ids[i], (long long)a.sampled,
				    (long long)b.sampled, (long long)a.resulted,
				    (long long)b.resulted, (long long)a.negative,
				    (long long)b.negative, (long long)a.pool_positive,
				    (long long)b.pool_positive, (long long)a.positive,
				    (long long)b.positive, (long long)a.expected,
				    (long long)b.expected);
			assert_int_equal(a.resulted, a.negative + a.pool_positive + a.positive);
		}
	screening_cov_free(fresh);
	screening_cov_free(c);
}

static void test_missing_pages(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(fx_scan(f, "T1", i).status, SCREENING_SCAN_OK);
	assert_int_equal(
	    screening_exemption_add(f->t.db, 0, f->person[11], SCREENING_EXEMPT_AWAY, 0, 1, NULL),
	    0);
	assert_int_equal(screening_exemption_add(f->t.db, f->round, f->person[10],
						 SCREENING_EXEMPT_DECEASED, 0, 1, NULL),
			 0);
	/* Missing in the street: 5, 6 (H2 in B1), then 7, 8, 9 (H3 in B2). */
	int want[5] = {5, 6, 7, 8, 9};
	struct screening_missing m[2];
	char cursor[SCREENING_CURSOR_MAX] = "", next[SCREENING_CURSOR_MAX];
	size_t n, got = 0;
	for (int page = 0; page < 3; page++) {
		assert_int_equal(screening_missing_list(f->t.db, &f->t.keys, f->round, f->street,
							cursor, m, 2, &n, next),
				 0);
		assert_int_equal(n, page < 2 ? 2 : 1);
		for (size_t i = 0; i < n; i++, got++) {
			int who = want[got];
			assert_int_equal(m[i].person_id, f->person[who]);
			assert_string_equal(m[i].household, who < 7 ? "H2" : "H3");
			assert_string_equal(m[i].building, who < 7 ? "B1" : "B2");
			char name[32];
			snprintf(name, sizeof name, "居民%d", who);
			assert_string_equal(m[i].name, name);
		}
		assert_int_equal(next[0] != '\0', page < 2);
		strcpy(cursor, next);
	}
	assert_int_equal(got, 5);
	/* A grid, without keys; an exactly full page has no next cursor. */
	struct screening_missing g[3];
	assert_int_equal(
	    screening_missing_list(f->t.db, NULL, f->round, f->g2, NULL, g, 3, &n, next), 0);
	assert_int_equal(n, 3);
	assert_string_equal(next, "");
	assert_string_equal(g[0].name, "");
	assert_int_equal(
	    screening_missing_list(f->t.db, NULL, f->round, f->g1, "nonsense", g, 3, &n, next),
	    MU_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_arithmetic_with_exemptions, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_children, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_places_after_load, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_below, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_incremental_equals_rebuilt, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_missing_pages, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
