/* test_scan.c: the scan path — pool filling and sealing at k, idempotent scan ids,
 * repeats, each refusal answered with its field and nothing written — and the tube's
 * state machine through receipt and result with every illegal step refused. */
#include "fixture.h"

static void test_pool_fills_and_seals(void **state)
{
	struct fx *f = *state;
	struct screening_scan_result r;
	for (int i = 0; i < 5; i++) {
		r = fx_scan(f, "T1", i);
		assert_int_equal(r.status, SCREENING_SCAN_OK);
		assert_int_equal(r.opened, i == 0);
		assert_int_equal(r.sealed, i == 4);
		assert_false(r.repeat);
		assert_int_equal(r.person_id, f->person[i]);
	}
	struct screening_tube t;
	assert_int_equal(screening_tube_get(f->t.db, "T1", &t), 0);
	assert_int_equal(t.capacity, 5);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.state, SCREENING_TUBE_SEALED);
	assert_true(t.sealed_at > 0);
	/* A sixth sample: the tube is full, nothing written. */
	int64_t before = fx_rows(f);
	r = fx_scan(f, "T1", 5);
	assert_int_equal(r.status, SCREENING_SCAN_ERROR);
	assert_int_equal(r.err, MU_EEXIST);
	assert_string_equal(r.why.field, "tube");
	assert_non_null(strstr(r.why.text, "full"));
	assert_int_equal(fx_rows(f), before);
}

static void test_idempotent_and_repeat(void **state)
{
	struct fx *f = *state;
	struct screening_scan_result r = fx_scan_as(f, "uuid-1", "T1", 0, "SITE1");
	assert_int_equal(r.status, SCREENING_SCAN_OK);
	int64_t before = fx_rows(f);
	r = fx_scan_as(f, "uuid-1", "T1", 0, "SITE1");
	assert_int_equal(r.status, SCREENING_SCAN_DUPLICATE);
	/* A duplicate is a duplicate whatever else it says. */
	r = fx_scan_as(f, "uuid-1", "T2", 3, "SITE2");
	assert_int_equal(r.status, SCREENING_SCAN_DUPLICATE);
	assert_int_equal(fx_rows(f), before);
	/* Same person again in the round: accepted, flagged. */
	r = fx_scan_as(f, "uuid-2", "T1", 0, "SITE1");
	assert_int_equal(r.status, SCREENING_SCAN_OK);
	assert_true(r.repeat);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM samples WHERE is_repeat = 1"), 1);
	/* Within one batch the second copy of a scan id is a duplicate too. */
	struct screening_scan in[2] = {
	    {"uuid-3", f->round, "SITE1", "T1", f->idno[1], "2021-06-01"},
	    {"uuid-3", f->round, "SITE1", "T1", f->idno[1], "2021-06-01"},
	};
	struct screening_scan_result out[2];
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, in, 2, out, NULL), 0);
	assert_int_equal(out[0].status, SCREENING_SCAN_OK); /* found by ID number */
	assert_int_equal(out[0].person_id, f->person[1]);
	assert_int_equal(out[1].status, SCREENING_SCAN_DUPLICATE);
}

/* One batch exercises what the batch remembers between items (the last tube, the places
 * found inside the scope): a tube filled within the batch is full for the next item, a
 * person outside the scope stays outside after people inside it, and each refused item
 * writes nothing while the items around it are kept. */
static void test_batch_caches(void **state)
{
	struct fx *f = *state;
	char ids[9][16], forged[PEOPLE_CODE_LEN + 1];
	snprintf(forged, sizeof forged, "%s", f->code[1]);
	forged[3] = forged[3] == 'A' ? 'B' : 'A';
	struct screening_scan in[9];
	const char *tube[9] = {"T1", "T1", "T1", "T1", "T1", "T1", "T2", "T2", "T2"};
	const int who[9] = {0, 1, 2, 3, 4, 5, NPEOPLE - 1, 6, -1};
	for (int i = 0; i < 9; i++) {
		snprintf(ids[i], sizeof ids[i], "b-%d", i);
		in[i] = (struct screening_scan){ids[i],
						f->round,
						"SITE1",
						tube[i],
						who[i] < 0 ? forged : f->code[who[i]],
						"2021-06-01T08:00:00+08:00"};
	}
	struct screening_scan_result out[9];
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, in, 9, out, f->dl), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(out[i].status, SCREENING_SCAN_OK);
		assert_int_equal(out[i].person_id, f->person[i]);
		assert_int_equal(out[i].sealed, i == 4);
	}
	assert_int_equal(out[5].status, SCREENING_SCAN_ERROR);
	assert_string_equal(out[5].why.field, "tube");
	assert_non_null(strstr(out[5].why.text, "full"));
	assert_int_equal(out[6].status, SCREENING_SCAN_ERROR);
	assert_string_equal(out[6].why.field, "person");
	/* outside the scope answers as an unknown person does (out[8]) */
	assert_int_equal(out[6].err, MU_ENOTFOUND);
	assert_int_equal(out[7].status, SCREENING_SCAN_OK);
	assert_true(out[7].opened);
	assert_int_equal(out[8].status, SCREENING_SCAN_ERROR);
	assert_string_equal(out[8].why.field, "person");
	assert_int_equal(out[8].err, out[6].err);
	assert_string_equal(out[8].why.text, out[6].why.text);
	struct screening_tube t;
	assert_int_equal(screening_tube_get(f->t.db, "T1", &t), 0);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.state, SCREENING_TUBE_SEALED);
	assert_int_equal(screening_tube_get(f->t.db, "T2", &t), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.state, SCREENING_TUBE_OPEN);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM samples"), 6);
}

/* Each refusal: the right code and field, and not one row changed. */
static void test_refusals_write_nothing(void **state)
{
	struct fx *f = *state;
	assert_int_equal(fx_scan(f, "T1", 0).status, SCREENING_SCAN_OK);
	struct screening_round r2 = {
	    .scope_place_id = f->street, .name = "二", .pool_k = 10, .created_at = FX_OPENED};
	assert_int_equal(screening_round_create(f->t.db, &r2, NULL), 0);
	char unknown_code[PEOPLE_CODE_LEN + 1];
	memcpy(unknown_code, f->code[0], sizeof unknown_code);
	unknown_code[3] = unknown_code[3] == 'A' ? 'B' : 'A';
	struct {
		struct screening_scan in;
		int err;
		const char *field;
	} cases[] = {
	    {{"", f->round, "SITE1", "T9", f->code[1], "2021-06-01"}, MU_EINVAL, "scan_id"},
	    {{"a b", f->round, "SITE1", "T9", f->code[1], "2021-06-01"}, MU_EINVAL, "scan_id"},
	    {{"x1", 0, "SITE1", "T9", f->code[1], "2021-06-01"}, MU_EINVAL, "round"},
	    {{"x2", f->round, "SITE 1", "T9", f->code[1], "2021-06-01"}, MU_EINVAL, "site"},
	    {{"x3", f->round, "SITE1", "T/9", f->code[1], "2021-06-01"}, MU_EINVAL, "tube"},
	    {{"x4", f->round, "SITE1", "T9", NULL, "2021-06-01"}, MU_EINVAL, "person"},
	    {{"x5", f->round, "SITE1", "T9", f->code[1], "2021-13-01"}, MU_EINVAL, "at"},
	    {{"x6", f->round, "SITE1", "T9", f->code[1], NULL}, MU_EINVAL, "at"},
	    {{"x7", 999, "SITE1", "T9", f->code[1], "2021-06-01"}, MU_ENOTFOUND, "round"},
	    {{"x8", f->round, "NOSITE", "T9", f->code[1], "2021-06-01"}, MU_ENOTFOUND, "site"},
	    {{"x9", f->round, "SITE1", "T9", unknown_code, "2021-06-01"}, MU_ENOTFOUND, "person"},
	    {{"x10", f->round, "SITE1", "T9", "440106198001019999", "2021-06-01"},
	     MU_ENOTFOUND,
	     "person"},
	    /* outside the round's scope: as unknown (issue 11) */
	    {{"x11", f->round, "SITE1", "T9", f->code[12], "2021-06-01"}, MU_ENOTFOUND, "person"},
	    /* a site outside the round's scope: no scan of anyone */
	    {{"x14", f->round, "SITEX", "T9", f->code[1], "2021-06-01"}, MU_EFORBIDDEN, "site"},
	    {{"x12", f->round, "SITE2", "T1", f->code[1], "2021-06-01"}, MU_EEXIST, "tube"},
	    {{"x13", r2.id, "SITE1", "T1", f->code[1], "2021-06-01"}, MU_EEXIST, "tube"},
	    /* times that would skew progress: before the round opened, far ahead (#16) */
	    {{"x15", f->round, "SITE1", "T9", f->code[1], "1970-01-02"}, MU_EINVAL, "at"},
	    {{"x16", f->round, "SITE1", "T9", f->code[1], "2099-01-01"}, MU_EINVAL, "at"},
	};
	struct screening_site sx = {
	    .place_id = f->street2, .code = "SITEX", .name = "外", .desks = 1};
	assert_int_equal(screening_site_add(f->t.db, &sx, NULL), 0);
	int64_t before = fx_rows(f);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct screening_scan_result r;
		assert_int_equal(
		    screening_scan_batch(f->t.db, &f->t.keys, &cases[i].in, 1, &r, f->dl), 0);
		if (r.status != SCREENING_SCAN_ERROR || r.err != cases[i].err ||
		    strcmp(r.why.field, cases[i].field) != 0)
			fail_msg("case %zu: status %d err %d field %s (%s)", i, r.status, r.err,
				 r.why.field ? r.why.field : "-", r.why.text);
		assert_true(r.why.text[0] != '\0');
		assert_int_equal(fx_rows(f), before);
	}
	assert_int_equal(screening_delta_count(f->dl), 1); /* the one good scan */
	/* Sealed by hand, then closed round. */
	assert_int_equal(screening_tube_seal(f->t.db, "T1", 100, NULL), 0);
	before = fx_rows(f);
	struct screening_scan_result r = fx_scan(f, "T1", 1);
	assert_int_equal(r.err, MU_EEXIST);
	assert_non_null(strstr(r.why.text, "sealed"));
	assert_int_equal(screening_round_close(f->t.db, f->round, 200), 0);
	assert_int_equal(screening_round_close(f->t.db, f->round, 200), MU_EEXIST);
	r = fx_scan(f, "T2", 1);
	assert_int_equal(r.err, MU_EEXIST);
	assert_string_equal(r.why.field, "round");
	assert_int_equal(fx_rows(f), before);
	/* A scan accepted before the close is still a duplicate, not an error. */
	assert_int_equal(fx_scan_as(f, "scan-1", "T1", 0, "SITE1").status,
			 SCREENING_SCAN_DUPLICATE);
}

/* A site samples the people of its own place: a resident of another community of the
 * same street (inside the round's scope) is answered at a community's site exactly as an
 * unknown code, nothing written; a street's site samples both communities (issue 11 #9). */
static void test_site_jurisdiction(void **state)
{
	struct fx *f = *state;
	int64_t m3 = fx_place(f, f->street, PLACES_COMMUNITY, "M3");
	int64_t g = fx_place(f, m3, PLACES_GRID, "G3");
	int64_t p = fx_place(f, g, PLACES_COMPOUND, "P3");
	int64_t b = fx_place(f, p, PLACES_BUILDING, "B3");
	int64_t h = fx_place(f, b, PLACES_HOUSEHOLD, "H4");
	struct people_person x;
	memset(&x, 0, sizeof x);
	snprintf(x.id_number, sizeof x.id_number, "44010619800101%03d", 777);
	x.id_number[17] = people_idcard_check_digit(x.id_number);
	x.id_type = PEOPLE_ID_RESIDENT;
	snprintf(x.name, sizeof x.name, "邻居");
	x.household_id = h;
	assert_int_equal(people_idcard_check(x.id_number, NULL, &x.birth, &x.sex), 0);
	assert_int_equal(people_add(f->t.db, &f->t.keys, &x, NULL), 0);
	char code3[PEOPLE_CODE_LEN + 1];
	people_code_format(x.code, code3);
	struct screening_site s3 = {.place_id = m3, .code = "SITE3", .name = "三", .desks = 1};
	struct screening_site st = {
	    .place_id = f->street, .code = "SITES", .name = "街", .desks = 1};
	assert_int_equal(screening_site_add(f->t.db, &s3, NULL), 0);
	assert_int_equal(screening_site_add(f->t.db, &st, NULL), 0);

	struct screening_scan in[] = {
	    {"j1", f->round, "SITE1", "TJ1", code3, "2021-06-01"},	/* M3's at M's site */
	    {"j2", f->round, "SITE3", "TJ3", f->code[0], "2021-06-01"}, /* M's at M3's site */
	    {"j3", f->round, "SITE3", "TJ3", f->idno[1], "2021-06-01"}, /* by ID number */
	    {"j4", f->round, "SITE1", "TJ1", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "2021-06-01"},
	};
	struct screening_scan_result r[4];
	int64_t before = fx_rows(f);
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, in, 4, r, f->dl), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(r[i].status, SCREENING_SCAN_ERROR);
		assert_int_equal(r[i].err, MU_ENOTFOUND);
		assert_string_equal(r[i].why.field, r[3].why.field);
		assert_string_equal(r[i].why.text, r[3].why.text);
		assert_false(r[i].repeat);
	}
	assert_int_equal(fx_rows(f), before);
	/* Each at their own community's site, and both at the street's. */
	assert_int_equal(fx_scan_as(f, "j5", "TJ3", 0, "SITE1").status, SCREENING_SCAN_OK);
	in[0].scan_id = "j6";
	in[0].site = "SITE3";
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, in, 1, r, f->dl), 0);
	assert_int_equal(r[0].status, SCREENING_SCAN_OK);
	/* Sampled already: still answered as unknown at another community's site. */
	assert_int_equal(fx_scan_as(f, "j7", "TJ5", 0, "SITE3").err, MU_ENOTFOUND);
	assert_int_equal(fx_scan_as(f, "j8", "TJS", 1, "SITES").status, SCREENING_SCAN_OK);
	in[0].scan_id = "j9";
	in[0].site = "SITES";
	in[0].tube = "TJS";
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, in, 1, r, f->dl), 0);
	assert_int_equal(r[0].status, SCREENING_SCAN_OK);
}

static void test_tube_state_machine(void **state)
{
	struct fx *f = *state;
	struct mu_why why;
	assert_int_equal(fx_scan(f, "T1", 0).status, SCREENING_SCAN_OK);
	/* open: no receipt, no result. */
	fx_receive(f, "T1", MU_EEXIST);
	fx_result(f, "T1", "negative", MU_EEXIST);
	/* open → sealed; again refused. */
	assert_int_equal(screening_tube_seal(f->t.db, "T1", 100, &why), 0);
	assert_int_equal(screening_tube_seal(f->t.db, "T1", 100, &why), MU_EEXIST);
	assert_non_null(strstr(why.text, "sealed"));
	assert_int_equal(screening_tube_seal(f->t.db, "NOPE", 100, &why), MU_ENOTFOUND);
	/* sealed: no result before receipt. */
	fx_result(f, "T1", "negative", MU_EEXIST);
	/* sealed → received; again refused; unknown tube and lab. */
	fx_receive(f, "T1", 0);
	fx_receive(f, "T1", MU_EEXIST);
	fx_receive(f, "NOPE", MU_ENOTFOUND);
	const char *bc[1] = {"T1"};
	struct screening_item_result ir;
	assert_int_equal(screening_tube_receive(f->t.db, "NOLAB", bc, 1, 0, &ir), MU_ENOTFOUND);
	assert_int_equal(screening_tube_seal(f->t.db, "T1", 100, &why), MU_EEXIST);
	/* Only the receiving lab may post the result. */
	struct screening_result_in in = {
	    .tube = "T1", .result = "negative", .ct_orf1ab = NAN, .ct_n = NAN};
	assert_int_equal(screening_result_record(f->t.db, "LAB2", &in, 1, 5, &ir, NULL), 0);
	assert_int_equal(ir.err, MU_EFORBIDDEN);
	/* Malformed results. */
	fx_result(f, "T1", "maybe", MU_EINVAL);
	in.ct_n = 70;
	assert_int_equal(screening_result_record(f->t.db, "LAB1", &in, 1, 5, &ir, NULL), 0);
	assert_int_equal(ir.err, MU_EINVAL);
	assert_string_equal(ir.why.field, "ct_n");
	/* received → resulted, once. */
	in.ct_n = 31.5;
	assert_int_equal(screening_result_record(f->t.db, "LAB1", &in, 1, 5, &ir, NULL), 0);
	assert_int_equal(ir.err, 0);
	fx_result(f, "T1", "positive", MU_EEXIST);
	fx_result(f, "NOPE", "positive", MU_ENOTFOUND);
	fx_receive(f, "T1", MU_EEXIST);
	struct screening_tube t;
	assert_int_equal(screening_tube_get(f->t.db, "T1", &t), 0);
	assert_int_equal(t.state, SCREENING_TUBE_RESULTED);
	assert_int_equal(t.result, SCREENING_RESULT_NEGATIVE);
	assert_true(isnan(t.ct_orf1ab));
	assert_true(t.ct_n == 31.5);
	assert_string_equal(screening_tube_state_name(t.state), "resulted");
}

/* A scan's time lies between the round's opening (its start, else its creation) and a
 * day after now: a device clock at 1970 or 2099 must not skew progress (issue 11 #16).
 * Five minutes before the opening pass, for a device's clock skew. */
static void test_scan_time_window(void **state)
{
	struct fx *f = *state;
	int64_t now = mu_now_unix();
	struct screening_round late = {
	    .scope_place_id = f->street, .name = "三", .pool_k = 5, .created_at = now - 3600};
	struct screening_round window = {.scope_place_id = f->street,
					 .name = "四",
					 .pool_k = 5,
					 .starts = now - 7200,
					 .created_at = now};
	assert_int_equal(screening_round_create(f->t.db, &late, NULL), 0);
	assert_int_equal(screening_round_create(f->t.db, &window, NULL), 0);
	char t[8][21];
	screening_time_format(now - 7200 - 1, t[0]);	 /* before late's creation */
	screening_time_format(now - 3600, t[1]);	 /* at it: fine */
	screening_time_format(now + 86400 - 60, t[2]);	 /* within a day ahead: fine */
	screening_time_format(now + 86400 + 3600, t[3]); /* more than a day ahead */
	screening_time_format(now - 7200 - 301, t[4]);	 /* before window's start */
	screening_time_format(now - 7200 - 299, t[5]);	 /* within the skew of its start */
	struct screening_scan in[] = {
	    {"w0", late.id, "SITE1", "W1", f->code[0], t[0]},
	    {"w1", late.id, "SITE1", "W1", f->code[1], t[1]},
	    {"w2", late.id, "SITE1", "W1", f->code[2], t[2]},
	    {"w3", late.id, "SITE1", "W1", f->code[3], t[3]},
	    {"w4", window.id, "SITE1", "W2", f->code[4], t[4]},
	    {"w5", window.id, "SITE1", "W2", f->code[5], t[5]},
	};
	const bool ok[] = {false, true, true, false, false, true};
	struct screening_scan_result out[6];
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, in, 6, out, f->dl), 0);
	for (int i = 0; i < 6; i++) {
		if (ok[i]) {
			assert_int_equal(out[i].status, SCREENING_SCAN_OK);
			continue;
		}
		assert_int_equal(out[i].status, SCREENING_SCAN_ERROR);
		assert_int_equal(out[i].err, MU_EINVAL);
		assert_string_equal(out[i].why.field, "at");
	}
	assert_non_null(strstr(out[0].why.text, "before"));
	assert_non_null(strstr(out[3].why.text, "future"));
	assert_int_equal(fx_count(f, "SELECT count(*) FROM samples"), 3);
}

static void test_times(void **state)
{
	(void)state;
	int64_t t;
	char buf[21];
	assert_int_equal(screening_time_parse("2021-06-01T08:00:00+08:00", &t), 0);
	assert_int_equal(t, 1622505600);
	screening_time_format(t, buf);
	assert_string_equal(buf, "2021-06-01T00:00:00Z");
	assert_int_equal(screening_time_parse("2021-06-01T00:00:00.250Z", &t), 0);
	assert_int_equal(t, 1622505600);
	assert_int_equal(screening_time_parse("2021-06-01", &t), 0);
	assert_int_equal(t, 1622505600);
	assert_int_equal(screening_time_parse("2021-02-29", &t), MU_EINVAL);
	assert_int_equal(screening_time_parse("2021-06-01T24:00:00Z", &t), MU_EINVAL);
	assert_int_equal(screening_time_parse("2021-06-01T08:00:00+8", &t), MU_EINVAL);
	assert_int_equal(screening_time_parse("2021-06-01Tx", &t), MU_EINVAL);
}

static void test_round_rules(void **state)
{
	struct fx *f = *state;
	struct mu_why why = {0};
	struct screening_round r = {.scope_place_id = f->street, .name = "x", .pool_k = 3};
	assert_int_equal(screening_round_create(f->t.db, &r, &why), MU_EINVAL);
	assert_string_equal(why.field, "pool_k");
	r.pool_k = 20;
	r.starts = 200;
	r.ends = 100;
	assert_int_equal(screening_round_create(f->t.db, &r, &why), MU_EINVAL);
	r.ends = 300;
	r.scope_place_id = 9999;
	assert_int_equal(screening_round_create(f->t.db, &r, &why), MU_ENOTFOUND);
	r.scope_place_id = f->city;
	assert_int_equal(screening_round_create(f->t.db, &r, &why), 0);
	struct screening_round g;
	assert_int_equal(screening_round_get(f->t.db, r.id, &g), 0);
	assert_int_equal(g.pool_k, 20);
	assert_int_equal(g.pool_high, 1);
	assert_int_equal(g.pool_medium, 20);
	assert_int_equal(g.ends, 300);
	struct screening_site s = {.place_id = f->comm, .code = "SITE1", .name = "dup", .desks = 1};
	assert_int_equal(screening_site_add(f->t.db, &s, &why), MU_EEXIST);
	assert_string_equal(why.text, "code already used");
	s.desks = 0;
	assert_int_equal(screening_site_add(f->t.db, &s, &why), MU_EINVAL);
	assert_string_equal(why.field, "desks");
}

/* The bulk path: tubes written once with their final count, repeats flagged, indexes
 * dropped during the load and rebuilt at the end; coverage rebuilt afterwards. */
static void test_loader(void **state)
{
	struct fx *f = *state;
	static const char *const tables[] = {"samples", "tubes", NULL};
	struct screening_loader *l;
	assert_int_equal(db_bulk_begin(f->t.db, tables), 0);
	assert_int_equal(screening_loader_new(f->t.db, f->round, &l), 0);
	int who[8] = {0, 1, 2, 3, 4, 5, 6, 0};
	for (int i = 0; i < 8; i++) {
		char id[16];
		snprintf(id, sizeof id, "b%d", i);
		struct screening_bulk_sample bs = {.scan_id = id,
						   .tube = i < 5 ? "BT1" : "BT2",
						   .site_id = 1,
						   .person_id = f->person[who[i]],
						   .household_id = who[i] < 3 ? f->h1 : f->h2,
						   .at = 100 + i};
		assert_int_equal(screening_loader_add(l, &bs), 0);
	}
	struct screening_bulk_sample over = {.scan_id = "b9",
					     .tube = "BT2",
					     .site_id = 1,
					     .person_id = f->person[9],
					     .household_id = f->h3};
	assert_int_equal(screening_loader_add(l, &over), 0); /* the fourth in BT2 */
	assert_int_equal(screening_loader_finish(l), 0);
	screening_loader_free(l);
	assert_int_equal(db_bulk_end(f->t.db, true), 0);
	struct screening_tube t;
	assert_int_equal(screening_tube_get(f->t.db, "BT1", &t), 0);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.state, SCREENING_TUBE_SEALED);
	assert_int_equal(screening_tube_get(f->t.db, "BT2", &t), 0);
	assert_int_equal(t.n, 4);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM samples WHERE is_repeat = 1"), 1);
	struct screening_cov *c;
	assert_int_equal(screening_cov_new(f->t.db, &c), 0);
	struct screening_counts k;
	assert_int_equal(screening_cov_get(c, f->t.db, f->round, f->street, &k), 0);
	assert_int_equal(k.sampled, 8);
	screening_cov_free(c);
	/* A scan id loaded twice rejects the whole load at the end. */
	assert_int_equal(db_bulk_begin(f->t.db, tables), 0);
	assert_int_equal(screening_loader_new(f->t.db, f->round, &l), 0);
	struct screening_bulk_sample dup = {.scan_id = "b0",
					    .tube = "BT3",
					    .site_id = 1,
					    .person_id = f->person[8],
					    .household_id = f->h3};
	assert_int_equal(screening_loader_add(l, &dup), 0);
	assert_int_equal(screening_loader_finish(l), 0);
	screening_loader_free(l);
	assert_int_equal(db_bulk_end(f->t.db, true), MU_EEXIST);
	assert_int_equal(screening_tube_get(f->t.db, "BT3", &t), MU_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pool_fills_and_seals, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_idempotent_and_repeat, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_refusals_write_nothing, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_batch_caches, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_site_jurisdiction, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_tube_state_machine, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_round_rules, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_loader, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_scan_time_window, fx_setup, fx_teardown),
	    cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
