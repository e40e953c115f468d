/* test_rollcall.c: the roll-call's door-to-door order — compounds in code order,
 * buildings and households by name in natural order whatever their codes — with the
 * names and phones of each place and person, pages that resume across households, and
 * the natural order of names itself; notes left on a person, once per client id. */
#include "fixture.h"

static void test_name_cmp(void **state)
{
	(void)state;
	const char *sorted[] = {"1栋", "2栋", "10栋", "101", "102", "201", "1001",
				"A1",  "A02", "A2",   "A10", "B",   "Ba",  "b"};
	size_t n = sizeof sorted / sizeof *sorted;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = screening_name_cmp(sorted[i], sorted[j]);
			if ((i < j && c >= 0) || (i > j && c <= 0) || (i == j && c != 0))
				fail_msg("%s vs %s: %d", sorted[i], sorted[j], c);
		}
	/* Equal by value, not equal as text: still ordered, and both ways. */
	assert_true(screening_name_cmp("01", "1") < 0);
	assert_true(screening_name_cmp("1", "01") > 0);
	assert_true(screening_name_cmp("", "1") < 0);
	assert_int_equal(screening_name_cmp("", ""), 0);
	/* A run longer than any integer compares by its digits. */
	assert_true(screening_name_cmp("99999999999999999999999", "100000000000000000000000") < 0);
}

/* Adds a place with a name of its own. */
static int64_t place(struct fx *f, int64_t parent, int level, const char *code, const char *name)
{
	int64_t id;
	assert_int_equal(places_add(f->t.db, parent, level, code, name, &id, NULL), 0);
	return id;
}

static int64_t person(struct fx *f, int64_t household, int seq, const char *name, const char *phone)
{
	struct people_person p;
	char idno[19];
	memset(&p, 0, sizeof p);
	snprintf(idno, sizeof idno, "44010619900101%03d", seq);
	idno[17] = people_idcard_check_digit(idno);
	idno[18] = '\0';
	p.id_type = PEOPLE_ID_RESIDENT;
	snprintf(p.id_number, sizeof p.id_number, "%s", idno);
	snprintf(p.name, sizeof p.name, "%s", name);
	snprintf(p.phone, sizeof p.phone, "%s", phone);
	p.household_id = household;
	assert_int_equal(people_idcard_check(idno, NULL, &p.birth, &p.sex), 0);
	assert_int_equal(people_add(f->t.db, &f->t.keys, &p, NULL), 0);
	return p.id;
}

static void test_door_to_door(void **state)
{
	struct fx *f = *state;
	/* A grid whose codes run against the walk: building "10栋" has the smaller code,
	 * and households are coded 1001, 201, 102, 101 in that order. */
	int64_t g = place(f, f->comm, PLACES_GRID, "G3", "第三网格");
	int64_t c1 = place(f, g, PLACES_COMPOUND, "G3-A", "华景新城");
	int64_t c2 = place(f, g, PLACES_COMPOUND, "G3-B", "东园");
	int64_t b10 = place(f, c1, PLACES_BUILDING, "G3-A-1", "10栋");
	int64_t b2 = place(f, c1, PLACES_BUILDING, "G3-A-2", "2栋");
	int64_t bb = place(f, c2, PLACES_BUILDING, "G3-B-1", "1栋");
	int64_t h1001 = place(f, b2, PLACES_HOUSEHOLD, "G3-A-2-1", "1001");
	int64_t h201 = place(f, b2, PLACES_HOUSEHOLD, "G3-A-2-2", "201");
	int64_t h102 = place(f, b2, PLACES_HOUSEHOLD, "G3-A-2-3", "102");
	int64_t h101 = place(f, b2, PLACES_HOUSEHOLD, "G3-A-2-4", "101");
	int64_t h10 = place(f, b10, PLACES_HOUSEHOLD, "G3-A-1-1", "101");
	int64_t hb = place(f, bb, PLACES_HOUSEHOLD, "G3-B-1-1", "301");
	/* People added in an order unlike the walk's. */
	int64_t p_b = person(f, hb, 1, "东园一", "");
	int64_t p_10 = person(f, h10, 2, "十栋一", "13800000010");
	int64_t p_1001a = person(f, h1001, 3, "千零一甲", "13800001001");
	int64_t p_1001b = person(f, h1001, 4, "千零一乙", "");
	int64_t p_201 = person(f, h201, 5, "二零一", "020-83331234");
	int64_t p_102 = person(f, h102, 6, "一零二", "");
	int64_t p_101 = person(f, h101, 7, "一零一", "13912345678");
	/* A note on one of them, shown with the list; one of another round is not. */
	int64_t nid;
	assert_int_equal(screening_note_add(f->t.db, &f->t.keys, "d-1", f->round, p_201, "晚上再来",
					    0, 50, &nid, NULL),
			 0);
	struct screening_round r2 = {.scope_place_id = f->street, .name = "第二轮", .pool_k = 5};
	assert_int_equal(screening_round_create(f->t.db, &r2, NULL), 0);
	assert_int_equal(
	    screening_note_add(f->t.db, &f->t.keys, "d-2", r2.id, p_101, "别轮", 0, 51, &nid, NULL),
	    0);
	/* One of them exempt: not listed. */
	assert_int_equal(
	    screening_exemption_add(f->t.db, f->round, p_102, SCREENING_EXEMPT_MOVED, 0, 1, NULL),
	    0);

	struct {
		int64_t person, building, household;
		const char *compound, *bname, *hname, *name, *phone;
	} want[] = {
	    {p_101, b2, h101, "华景新城", "2栋", "101", "一零一", "13912345678"},
	    {p_201, b2, h201, "华景新城", "2栋", "201", "二零一", "020-83331234"},
	    {p_1001a, b2, h1001, "华景新城", "2栋", "1001", "千零一甲", "13800001001"},
	    {p_1001b, b2, h1001, "华景新城", "2栋", "1001", "千零一乙", ""},
	    {p_10, b10, h10, "华景新城", "10栋", "101", "十栋一", "13800000010"},
	    {p_b, bb, hb, "东园", "1栋", "301", "东园一", ""},
	};
	size_t nwant = sizeof want / sizeof *want;
	/* Pages of 1, 2 and 3: each resumes where the last stopped, within a household
	 * (1001 holds two) or across one. */
	for (size_t page = 1; page <= 3; page++) {
		struct screening_missing m[3];
		char cursor[SCREENING_CURSOR_MAX] = "", next[SCREENING_CURSOR_MAX];
		size_t n, got = 0;
		for (int guard = 0; guard < 10; guard++) {
			assert_int_equal(screening_missing_list(f->t.db, &f->t.keys, f->round, g,
								cursor, m, page, &n, next),
					 0);
			for (size_t i = 0; i < n; i++, got++) {
				assert_true(got < nwant);
				assert_int_equal(m[i].person_id, want[got].person);
				assert_int_equal(m[i].building_id, want[got].building);
				assert_int_equal(m[i].household_id, want[got].household);
				assert_string_equal(m[i].compound_name, want[got].compound);
				assert_string_equal(m[i].building_name, want[got].bname);
				assert_string_equal(m[i].household_name, want[got].hname);
				assert_string_equal(m[i].name, want[got].name);
				assert_string_equal(m[i].phone, want[got].phone);
				bool noted = want[got].person == p_201;
				assert_string_equal(m[i].note, noted ? "晚上再来" : "");
				assert_int_equal(m[i].note_at, noted ? 50 : 0);
			}
			if (!next[0])
				break;
			strcpy(cursor, next);
		}
		assert_int_equal(got, nwant);
	}
	/* The codes are those of the places; without keys no name and no phone. */
	struct screening_missing one;
	size_t n;
	char next[SCREENING_CURSOR_MAX];
	assert_int_equal(
	    screening_missing_list(f->t.db, NULL, f->round, b2, NULL, &one, 1, &n, next), 0);
	assert_int_equal(n, 1);
	assert_string_equal(one.building, "G3-A-2");
	assert_string_equal(one.household, "G3-A-2-4");
	assert_string_equal(one.compound, "G3-A");
	assert_string_equal(one.name, "");
	assert_string_equal(one.phone, "");
	/* A cursor of a household outside the place is refused, not an empty page. */
	char other[SCREENING_CURSOR_MAX];
	snprintf(other, sizeof other, "%lld:%lld", (long long)f->h1, (long long)f->person[0]);
	assert_int_equal(
	    screening_missing_list(f->t.db, NULL, f->round, g, other, &one, 1, &n, next),
	    MU_EINVAL);

	/* The whole city's missing people and people asked one by one, from the database
	 * and from the coverage aggregate alike: the roll-call's people (not the exempt
	 * 102), each with their household, in household order; a scanned resident of the
	 * fixture drops out. */
	fx_scan(f, "RC-1", 0);
	struct screening_cov *cov;
	struct screening_absent_set all[2];
	assert_int_equal(screening_cov_new(f->t.db, &cov), 0);
	for (int use = 0; use < 2; use++) {
		struct screening_cov *c = use ? cov : NULL;
		assert_int_equal(screening_missing_all(f->t.db, c, f->round, &all[use]), 0);
		for (size_t i = 0; i < nwant; i++) {
			bool found = false;
			for (size_t j = 0; j < all[use].n; j++)
				found |= all[use].v[j].person_id == want[i].person &&
					 all[use].v[j].household_id == want[i].household;
			assert_true(found);
		}
		for (size_t j = 0; j < all[use].n; j++) {
			assert_int_not_equal(all[use].v[j].person_id, p_102);
			assert_int_not_equal(all[use].v[j].person_id, f->person[0]);
			if (j)
				assert_true(all[use].v[j - 1].household_id <=
					    all[use].v[j].household_id);
		}
		int64_t ask[4] = {p_101, p_102, f->person[0], p_b};
		bool miss[4];
		assert_int_equal(screening_missing_of(f->t.db, c, f->round, ask, 4, miss), 0);
		assert_true(miss[0]);
		assert_false(miss[1]);
		assert_false(miss[2]);
		assert_true(miss[3]);
	}
	assert_int_equal(all[0].n, all[1].n);
	assert_memory_equal(all[0].v, all[1].v, all[0].n * sizeof *all[0].v);
	screening_absent_set_fini(&all[0]);
	screening_absent_set_fini(&all[1]);
	screening_cov_free(cov);
	(void)c2;
}

static void test_notes(void **state)
{
	struct fx *f = *state;
	struct mu_why why;
	int64_t id = 0, id2 = 0;
	assert_int_equal(screening_note_add(f->t.db, &f->t.keys, "n-1", f->round, f->person[0],
					    "敲门无人\n晚上再来", 0, 100, &id, &why),
			 0);
	assert_true(id > 0);
	/* The same client id again: recorded once, whatever the text. */
	assert_int_equal(screening_note_add(f->t.db, &f->t.keys, "n-1", f->round, f->person[0],
					    "again", 0, 101, &id2, &why),
			 MU_EEXIST);
	assert_string_equal(why.field, "id");
	/* Without a round, and another note on the same person. */
	assert_int_equal(screening_note_add(f->t.db, &f->t.keys, "n-2", 0, f->person[0], "standing",
					    0, 102, &id2, NULL),
			 0);
	assert_true(id2 > id);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM rollcall_notes"), 2);
	assert_int_equal(fx_count(f, "SELECT count(*) FROM rollcall_notes WHERE round_id IS NULL"),
			 1);
	/* Refusals write nothing and name the field. */
	char long_text[SCREENING_NOTE_MAX * 3 + 4] = "";
	for (int i = 0; i <= SCREENING_NOTE_MAX; i++)
		strcat(long_text, "字");
	char exact[SCREENING_NOTE_MAX * 3 + 1] = "";
	for (int i = 0; i < SCREENING_NOTE_MAX; i++)
		strcat(exact, "字");
	struct {
		const char *client, *text, *field;
		int64_t round, person;
		int err;
	} bad[] = {
	    {"", "x", "id", f->round, f->person[0], MU_EINVAL},
	    {"has space", "x", "id", f->round, f->person[0], MU_EINVAL},
	    {"n-3", "", "text", f->round, f->person[0], MU_EINVAL},
	    {"n-3", long_text, "text", f->round, f->person[0], MU_EINVAL},
	    {"n-3", "tab\there", "text", f->round, f->person[0], MU_EINVAL},
	    {"n-3",
	     "\xe2\x80\xae"
	     "evil",
	     "text", f->round, f->person[0], MU_EINVAL},
	    {"n-3", "\xff", "text", f->round, f->person[0], MU_EINVAL},
	    {"n-3", "x", "person", f->round, 999999, MU_ENOTFOUND},
	    {"n-3", "x", "round", 999999, f->person[0], MU_ENOTFOUND},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memset(&why, 0, sizeof why);
		int rc = screening_note_add(f->t.db, &f->t.keys, bad[i].client, bad[i].round,
					    bad[i].person, bad[i].text, 0, 103, &id2, &why);
		if (rc != bad[i].err || !why.field || strcmp(why.field, bad[i].field))
			fail_msg("case %zu: rc %d field %s", i, rc, why.field ? why.field : "-");
	}
	assert_int_equal(fx_count(f, "SELECT count(*) FROM rollcall_notes"), 2);
	/* The latest of the round's or of no round is read back, opened; none elsewhere. */
	char text[SCREENING_NOTE_MAX * 4 + 1];
	int64_t at;
	assert_int_equal(
	    screening_note_last(f->t.db, &f->t.keys, f->round, f->person[0], text, &at), 0);
	assert_string_equal(text, "standing");
	assert_int_equal(at, 102);
	assert_int_equal(
	    screening_note_last(f->t.db, &f->t.keys, f->round, f->person[2], text, &at),
	    MU_ENOTFOUND);
	assert_string_equal(text, "");
	assert_int_equal(at, 0);
	/* Sealed at rest: the text is not in the row, and a row moved to another person, or
	 * opened with another key, does not open. */
	assert_int_equal(fx_count(f, "SELECT count(*) FROM rollcall_notes WHERE"
				     " instr(sealed, CAST('standing' AS BLOB)) > 0"
				     " OR instr(sealed, CAST('敲门' AS BLOB)) > 0"),
			 0);
	struct people_keys other = f->t.keys;
	other.seal[0] ^= 1;
	assert_int_equal(screening_note_last(f->t.db, &other, f->round, f->person[0], text, &at),
			 MU_ECRYPTO);
	char moved[96];
	snprintf(moved, sizeof moved, "UPDATE rollcall_notes SET person_id = %lld",
		 (long long)f->person[1]);
	assert_int_equal(db_exec(f->t.db, moved), 0);
	assert_int_equal(
	    screening_note_last(f->t.db, &f->t.keys, f->round, f->person[1], text, &at),
	    MU_ECRYPTO);
	/* The longest note there may be is taken. */
	assert_int_equal(screening_note_add(f->t.db, &f->t.keys, "n-4", f->round, f->person[1],
					    exact, 0, 104, &id2, NULL),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name_cmp),
	    cmocka_unit_test_setup_teardown(test_door_to_door, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_notes, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
