/* test_places.c: the tree's rules (levels, codes, names, one city), reads, walks and
 * the counts every node keeps, checked against a full rebuild. */
#include <time.h>

#include "testutil.h"

#include "places/places.h"

struct fx {
	struct tdb t;
	int64_t city, dist, street, comm, grid, comp, bld, hh1, hh2;
};

static int setup(void **state)
{
	struct fx *f = mu_xcalloc(1, sizeof *f);
	tdb_open(&f->t);
	struct db *d = f->t.db;
	assert_int_equal(places_add(d, 0, PLACES_CITY, "440100", "广州市", &f->city, NULL), 0);
	assert_int_equal(
	    places_add(d, f->city, PLACES_DISTRICT, "440103", "荔湾区", &f->dist, NULL), 0);
	assert_int_equal(
	    places_add(d, f->dist, PLACES_STREET, "440103014", "白鹤洞街", &f->street, NULL), 0);
	assert_int_equal(
	    places_add(d, f->street, PLACES_COMMUNITY, "440103014001", "芳村社区", &f->comm, NULL),
	    0);
	assert_int_equal(
	    places_add(d, f->comm, PLACES_GRID, "440103014001001", "第1网格", &f->grid, NULL), 0);
	assert_int_equal(places_add(d, f->grid, PLACES_COMPOUND, "44010301400100101", "芳村花园",
				    &f->comp, NULL),
			 0);
	assert_int_equal(
	    places_add(d, f->comp, PLACES_BUILDING, "44010301400100101001", "1栋", &f->bld, NULL),
	    0);
	assert_int_equal(places_add(d, f->bld, PLACES_HOUSEHOLD, "440103014001001010010101", "101",
				    &f->hh1, NULL),
			 0);
	assert_int_equal(places_add(d, f->bld, PLACES_HOUSEHOLD, "440103014001001010010102", "102",
				    &f->hh2, NULL),
			 0);
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

static void test_counts_maintained(void **state)
{
	struct fx *f = *state;
	struct places_node n;
	assert_int_equal(places_get(f->t.db, f->city, &n), 0);
	assert_int_equal(n.level, PLACES_CITY);
	for (int l = PLACES_DISTRICT; l < PLACES_HOUSEHOLD; l++)
		assert_int_equal(n.below[l], 1);
	assert_int_equal(n.below[PLACES_HOUSEHOLD], 2);
	assert_int_equal(places_get(f->t.db, f->bld, &n), 0);
	assert_int_equal(n.below[PLACES_HOUSEHOLD], 2);
	assert_int_equal(n.below[PLACES_BUILDING], 0);

	assert_int_equal(places_people_add(f->t.db, f->hh1, 3), 0);
	assert_int_equal(places_people_add(f->t.db, f->hh2, 2), 0);
	assert_int_equal(places_get(f->t.db, f->dist, &n), 0);
	assert_int_equal(n.people, 5);
	assert_int_equal(places_get(f->t.db, f->hh2, &n), 0);
	assert_int_equal(n.people, 2);
}

/* The maintained counts must equal what a rebuild from the rows finds. */
static void test_rebuild_agrees(void **state)
{
	struct fx *f = *state;
	struct places_node before, after;
	assert_int_equal(places_get(f->t.db, f->city, &before), 0);
	/* Damage the counts, then rebuild them. */
	assert_int_equal(db_exec(f->t.db, "UPDATE places SET n_households = 99, n_grids = 7"), 0);
	assert_int_equal(places_counts_rebuild(f->t.db, NULL, NULL, 0), 0);
	assert_int_equal(places_get(f->t.db, f->city, &after), 0);
	assert_memory_equal(before.below, after.below, sizeof before.below);
	assert_int_equal(before.people, after.people);
	assert_int_equal(places_get(f->t.db, f->hh1, &after), 0);
	assert_int_equal(after.below[PLACES_HOUSEHOLD], 0);
}

static void test_rules(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	int64_t id;
	struct mu_why why = {0};
	/* A second city, a level skipped, a duplicate code, a missing parent. */
	assert_int_equal(places_add(d, 0, PLACES_CITY, "440200", "韶关市", &id, &why), MU_EEXIST);
	assert_int_equal(
	    places_add(d, f->dist, PLACES_COMMUNITY, "440103999001", "X社区", &id, &why),
	    MU_EINVAL);
	assert_string_equal(why.text, "level must be one below its parent's");
	assert_string_equal(why.field, "level");
	assert_int_equal(places_add(d, f->dist, PLACES_STREET, "440103014", "重复街", &id, &why),
			 MU_EEXIST);
	assert_string_equal(why.text, "code already used");
	assert_string_equal(why.field, "code");
	assert_int_equal(places_add(d, 999999, PLACES_STREET, "440103099", "无父街", &id, &why),
			 MU_ENOTFOUND);
	assert_int_equal(places_add(d, f->dist, PLACES_STREET, "44 0103", "空格街", &id, &why),
			 MU_EINVAL);
	assert_int_equal(places_add(d, f->dist, PLACES_STREET, "440103098", "", &id, &why),
			 MU_EINVAL);
	assert_string_equal(why.text, "name is empty");
	assert_string_equal(why.field, "name");
	assert_int_equal(
	    places_add(d, f->dist, PLACES_STREET, "440103098", "\xD6\xD0\xCE\xC4", &id, &why),
	    MU_EINVAL);
	assert_string_equal(why.text, "name is not valid UTF-8");
	/* Bidi controls and zero-width characters would disguise a name (issue 11 #20). */
	static const char *const hidden[] = {
	    "\u202E\u533A\u5DE5", "\u5DE5\u200B\u533A", "\u5DE5\u200D", "\u2066\u8857\u2069",
	    "\u200E\u8857",	  "\u8857\u200F",	"\u061C\u8857", "\u8857\u2060",
	    "\uFEFF\u8857",	  "\u202A\u8857",	"\u200C\u8857"};
	for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
		assert_int_equal(
		    places_add(d, f->dist, PLACES_STREET, "440103095", hidden[i], &id, &why),
		    MU_EINVAL);
		assert_string_equal(why.field, "name");
		assert_non_null(strstr(why.text, "invisible"));
		assert_non_null(strstr(why.text, "U+"));
	}
	assert_int_equal(places_name_check("\u202E", &why), MU_EINVAL);
	assert_non_null(strstr(why.text, "U+202E"));
	/* Their neighbours are ordinary text. */
	assert_int_equal(places_name_check("\u2010\u8857\u2065\u206A", &why), 0);
	/* A rare 4-byte character is a valid name; 64 code points fit, 65 do not. */
	assert_int_equal(places_add(d, f->dist, PLACES_STREET, "440103097", "𠈌街", &id, &why), 0);
	char name[65 * 3 + 1] = "";
	for (int i = 0; i < 65; i++)
		strcat(name, "街");
	assert_int_equal(places_add(d, f->dist, PLACES_STREET, "440103096", name, &id, &why),
			 MU_EINVAL);
	name[64 * 3] = '\0';
	assert_int_equal(places_add(d, f->dist, PLACES_STREET, "440103096", name, &id, &why), 0);
	/* Refusals left nothing behind: two streets were added in all. */
	struct places_node n;
	assert_int_equal(places_get(d, f->city, &n), 0);
	assert_int_equal(n.below[PLACES_STREET], 3);
}

static void test_find_path_within(void **state)
{
	struct fx *f = *state;
	struct places_node n;
	assert_int_equal(places_find(f->t.db, "440103014", &n), 0);
	assert_int_equal(n.id, f->street);
	assert_string_equal(n.name, "白鹤洞街");
	assert_int_equal(places_find(f->t.db, "nope", &n), MU_ENOTFOUND);
	char code[8];
	assert_int_equal(places_code_get(f->t.db, f->street, code, sizeof code), 0);
	assert_string_equal(code, "4401030"); /* truncated to fit */
	assert_int_equal(places_code_get(f->t.db, 424242, code, sizeof code), MU_ENOTFOUND);

	int64_t ids[PLACES_NLEVELS];
	int k;
	assert_int_equal(places_path(f->t.db, f->hh2, ids, &k), 0);
	assert_int_equal(k, 8);
	assert_int_equal(ids[0], f->city);
	assert_int_equal(ids[6], f->bld);
	assert_int_equal(ids[7], f->hh2);
	bool in;
	assert_int_equal(places_is_within(f->t.db, f->hh2, f->street, &in), 0);
	assert_true(in);
	assert_int_equal(places_is_within(f->t.db, f->street, f->hh2, &in), 0);
	assert_false(in);
	assert_int_equal(places_path(f->t.db, 424242, ids, &k), MU_ENOTFOUND);
}

struct seen {
	char codes[16][PLACES_CODE_MAX + 1];
	int n;
};

static int collect(const struct places_node *n, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < 16)
		strcpy(s->codes[s->n++], n->code);
	return 0;
}

static void test_walk_depth_first(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	int64_t s2, c2;
	/* A second street whose code sorts before the first one's community codes. */
	assert_int_equal(places_add(d, f->dist, PLACES_STREET, "440103013", "B街", &s2, NULL), 0);
	assert_int_equal(places_add(d, s2, PLACES_COMMUNITY, "440103013001", "B社区", &c2, NULL),
			 0);
	struct seen s = {0};
	assert_int_equal(places_walk(d, f->dist, collect, &s), 0);
	assert_int_equal(s.n, 10);
	assert_string_equal(s.codes[0], "440103");
	assert_string_equal(s.codes[1], "440103013");
	assert_string_equal(s.codes[2], "440103013001");
	assert_string_equal(s.codes[3], "440103014");
	assert_string_equal(s.codes[8], "440103014001001010010101");
	assert_string_equal(s.codes[9], "440103014001001010010102");

	struct seen kids = {0};
	assert_int_equal(places_children(d, f->dist, collect, &kids), 0);
	assert_int_equal(kids.n, 2);
	assert_string_equal(kids.codes[0], "440103013");

	/* A page that resumes after a code: only the later sibling; none after the last. */
	memset(&kids, 0, sizeof kids);
	assert_int_equal(places_children_after(d, f->dist, "440103013", collect, &kids), 0);
	assert_int_equal(kids.n, 1);
	assert_string_equal(kids.codes[0], "440103014");
	memset(&kids, 0, sizeof kids);
	assert_int_equal(places_children_after(d, f->dist, NULL, collect, &kids), 0);
	assert_int_equal(kids.n, 2);
	memset(&kids, 0, sizeof kids);
	assert_int_equal(places_children_after(d, f->dist, "440103014", collect, &kids), 0);
	assert_int_equal(kids.n, 0);
}

/* The households' people counts the caller gives are summed up the tree. */
static void test_rebuild_with_people(void **state)
{
	struct fx *f = *state;
	struct places_node n;
	int64_t hh[] = {f->hh1, f->hh2}, people[] = {4, 1};
	assert_int_equal(places_counts_rebuild(f->t.db, hh, people, 2), 0);
	assert_int_equal(places_get(f->t.db, f->city, &n), 0);
	assert_int_equal(n.people, 5);
	assert_int_equal(n.below[PLACES_HOUSEHOLD], 2);
	assert_int_equal(places_get(f->t.db, f->hh1, &n), 0);
	assert_int_equal(n.people, 4);
	/* A later rebuild without them: nobody lives anywhere. */
	assert_int_equal(places_counts_rebuild(f->t.db, NULL, NULL, 0), 0);
	assert_int_equal(places_get(f->t.db, f->dist, &n), 0);
	assert_int_equal(n.people, 0);
}

static void test_root_parent(void **state)
{
	struct fx *f = *state;
	int64_t id = -1;
	assert_int_equal(places_root(f->t.db, &id), 0);
	assert_int_equal(id, f->city);
	assert_int_equal(places_parent(f->t.db, f->hh2, &id), 0);
	assert_int_equal(id, f->bld);
	assert_int_equal(places_parent(f->t.db, f->city, &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(places_parent(f->t.db, 999999, &id), MU_ENOTFOUND);

	struct tdb empty;
	tdb_open(&empty);
	assert_int_equal(places_root(empty.db, &id), MU_ENOTFOUND);
	tdb_close(&empty);
}

struct shape {
	int n, bad_order;
	int64_t ids[16], parents[16];
	int levels[16];
};

static int note_shape(int64_t id, int64_t parent, int level, void *ctx)
{
	struct shape *sh = ctx;
	if (sh->n > 0 && level < sh->levels[sh->n - 1])
		sh->bad_order++;
	if (sh->n < 16) {
		sh->ids[sh->n] = id;
		sh->parents[sh->n] = parent;
		sh->levels[sh->n] = level;
		sh->n++;
	}
	return 0;
}

static int stop_at_two(int64_t id, int64_t parent, int level, void *ctx)
{
	(void)id, (void)parent, (void)level;
	return ++*(int *)ctx == 2 ? 42 : 0;
}

static void test_tree(void **state)
{
	struct fx *f = *state;
	struct shape sh = {0};
	assert_int_equal(places_tree(f->t.db, note_shape, &sh), 0);
	assert_int_equal(sh.n, 9);
	assert_int_equal(sh.bad_order, 0);
	assert_int_equal(sh.ids[0], f->city);
	assert_int_equal(sh.parents[0], 0);
	assert_int_equal(sh.levels[8], PLACES_HOUSEHOLD);
	assert_int_equal(sh.parents[8], f->bld);
	int calls = 0;
	assert_int_equal(places_tree(f->t.db, stop_at_two, &calls), 42);
	assert_int_equal(calls, 2);
}

struct refs {
	int n;
	char codes[16][PLACES_CODE_MAX + 1], parents[16][PLACES_CODE_MAX + 1];
	int64_t parent_ids[16];
};

static int note_ref(const struct places_ref *r, void *ctx)
{
	struct refs *rs = ctx;
	if (rs->n < 16) {
		strcpy(rs->codes[rs->n], r->code);
		strcpy(rs->parents[rs->n], r->parent_code);
		rs->parent_ids[rs->n] = r->parent_id;
		rs->n++;
	}
	return 0;
}

static void test_level_walk(void **state)
{
	struct fx *f = *state;
	struct db *d = f->t.db;
	int64_t s2, c2, g2, g3;
	/* A second street whose code sorts first, with two grids. */
	assert_int_equal(places_add(d, f->dist, PLACES_STREET, "440103013", "B街", &s2, NULL), 0);
	assert_int_equal(places_add(d, s2, PLACES_COMMUNITY, "440103013001", "B社区", &c2, NULL),
			 0);
	assert_int_equal(places_add(d, c2, PLACES_GRID, "440103013001002", "第2网格", &g2, NULL),
			 0);
	assert_int_equal(places_add(d, c2, PLACES_GRID, "440103013001001", "第1网格", &g3, NULL),
			 0);
	struct refs rs = {0};
	assert_int_equal(places_level_walk(d, f->city, PLACES_GRID, note_ref, &rs), 0);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.codes[0], "440103013001001");
	assert_string_equal(rs.codes[1], "440103013001002");
	assert_string_equal(rs.codes[2], "440103014001001");
	assert_string_equal(rs.parents[2], "440103014001");
	assert_int_equal(rs.parent_ids[2], f->comm);

	/* Households with their building's code; a household as root is itself. */
	memset(&rs, 0, sizeof rs);
	assert_int_equal(places_level_walk(d, f->grid, PLACES_HOUSEHOLD, note_ref, &rs), 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.codes[1], "440103014001001010010102");
	assert_string_equal(rs.parents[1], "44010301400100101001");
	memset(&rs, 0, sizeof rs);
	assert_int_equal(places_level_walk(d, f->hh1, PLACES_HOUSEHOLD, note_ref, &rs), 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.parents[0], "44010301400100101001");
	assert_int_equal(rs.parent_ids[0], f->bld);
	/* Nothing at a level above the root, nor under an unknown place. */
	memset(&rs, 0, sizeof rs);
	assert_int_equal(places_level_walk(d, f->bld, PLACES_GRID, note_ref, &rs), 0);
	assert_int_equal(places_level_walk(d, 999999, PLACES_GRID, note_ref, &rs), 0);
	assert_int_equal(rs.n, 0);
}

static void test_levels(void **state)
{
	(void)state;
	int l;
	assert_int_equal(places_level_parse("village", &l), 0);
	assert_int_equal(l, PLACES_COMMUNITY);
	assert_int_equal(places_level_parse("town", &l), 0);
	assert_int_equal(l, PLACES_STREET);
	assert_int_equal(places_level_parse("Household", &l), MU_EINVAL);
	assert_string_equal(places_level_name(PLACES_HOUSEHOLD), "household");
	assert_null(places_level_name(8));
}

/* The path index answers for its own database only, the same paths as SQL: a second
 * database whose place 5 has another parent reads its own, and a place added after the
 * index opened (beyond its capacity) is read from SQL. */
static void test_path_index(void **state)
{
	struct fx *f = *state;
	struct tdb other;
	int64_t ids[PLACES_NLEVELS], c, d1, s1, s2, cm, late;
	int k;
	tdb_open(&other);
	struct db *o = other.db;
	assert_int_equal(places_add(o, 0, PLACES_CITY, "440100", "广州市", &c, NULL), 0);
	assert_int_equal(places_add(o, c, PLACES_DISTRICT, "440103", "荔湾区", &d1, NULL), 0);
	assert_int_equal(places_add(o, d1, PLACES_STREET, "440103001", "沙面街", &s1, NULL), 0);
	assert_int_equal(places_add(o, d1, PLACES_STREET, "440103002", "岭南街", &s2, NULL), 0);
	assert_int_equal(places_add(o, s2, PLACES_COMMUNITY, "440103002001", "社区", &cm, NULL), 0);
	assert_int_equal(cm, f->grid); /* the same id, another parent */

	assert_int_equal(places_pathindex_open(f->t.db), 0);
	for (int round = 0; round < 2; round++) { /* read, then from the index */
		assert_int_equal(places_path(f->t.db, f->hh2, ids, &k), 0);
		assert_int_equal(k, 8);
		assert_int_equal(ids[0], f->city);
		assert_int_equal(ids[4], f->grid);
		assert_int_equal(ids[7], f->hh2);
		assert_int_equal(places_path(f->t.db, f->grid, ids, &k), 0);
		assert_int_equal(k, 5);
		assert_int_equal(ids[3], f->comm);
	}
	assert_int_equal(places_path(o, cm, ids, &k), 0);
	assert_int_equal(k, 4);
	assert_int_equal(ids[2], s2);
	assert_int_equal(places_path(f->t.db, 424242, ids, &k), MU_ENOTFOUND);
	assert_int_equal(places_add(f->t.db, f->bld, PLACES_HOUSEHOLD, "440103014001001010010103",
				    "103", &late, NULL),
			 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(places_path(f->t.db, late, ids, &k), 0);
		assert_int_equal(k, 8);
		assert_int_equal(ids[6], f->bld);
	}
	places_pathindex_close();
	assert_int_equal(places_path(f->t.db, f->hh2, ids, &k), 0);
	assert_int_equal(ids[7], f->hh2);
	tdb_close(&other);
}

static void wait_codes(void)
{
	for (int i = 0; i < 1000 && !places_codeindex_ready(NULL); i++) {
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	assert_true(places_codeindex_ready(NULL));
}

/* The code map answers exactly what SQL answers, for its own database only: every code
 * of a few thousand places (long probe chains in a small table), a code it never held
 * (absent, or a place added after the map was built: read from SQL), another database
 * whose code names another id, and the same answers once it is closed. */
static void test_code_index(void **state)
{
	struct fx *f = *state;
	struct tdb other;
	enum { N = 3000 };
	static int64_t ids[N];
	char code[64]; /* room for any int: the codes made are 26 characters */
	int64_t id, c, late, n = 0;
	for (int i = 0; i < N; i++) {
		snprintf(code, sizeof code, "4401030140010010100199%04d", i);
		assert_int_equal(
		    places_add(f->t.db, f->bld, PLACES_HOUSEHOLD, code, "x", &ids[i], NULL), 0);
	}
	tdb_open(&other);
	assert_int_equal(places_add(other.db, 0, PLACES_CITY, "440103", "另一城", &c, NULL), 0);
	assert_int_not_equal(c, f->dist);

	assert_false(places_codeindex_ready(NULL));
	assert_int_equal(places_codeindex_open(f->t.db), 0);
	wait_codes();
	assert_true(places_codeindex_ready(&n));
	assert_int_equal(n, N + 9);
	for (int round = 0; round < 2; round++) { /* from the map, then from SQL */
		for (int i = 0; i < N; i++) {
			snprintf(code, sizeof code, "4401030140010010100199%04d", i);
			assert_int_equal(places_id_of_code(f->t.db, code, &id), 0);
			assert_int_equal(id, ids[i]);
		}
		assert_int_equal(places_id_of_code(f->t.db, "440103014001001010010102", &id), 0);
		assert_int_equal(id, f->hh2);
		assert_int_equal(places_id_of_code(f->t.db, "440100", &id), 0);
		assert_int_equal(id, f->city);
		assert_int_equal(places_id_of_code(f->t.db, "4401030140010010100199", &id),
				 MU_ENOTFOUND);
		assert_int_equal(places_id_of_code(f->t.db, "44010301400100101001990000x", &id),
				 MU_ENOTFOUND);
		assert_int_equal(places_id_of_code(other.db, "440103", &id), 0);
		assert_int_equal(id, c);
		if (round == 0) {
			assert_int_equal(places_add(f->t.db, f->bld, PLACES_HOUSEHOLD,
						    "440103014001001010010103", "103", &late, NULL),
					 0);
			assert_int_equal(
			    places_id_of_code(f->t.db, "440103014001001010010103", &id), 0);
			assert_int_equal(id, late);
			places_codeindex_close();
			assert_false(places_codeindex_ready(NULL));
		}
	}
	tdb_close(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_counts_maintained, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rebuild_agrees, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_find_path_within, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walk_depth_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rebuild_with_people, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_root_parent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_walk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_index, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_code_index, setup, teardown),
	    cmocka_unit_test(test_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
