/* test_csv.c: places' CSV import as a library — rows added in order, every refused row
 * handed to the sink with its line and reason (a child of a refused row says so), the
 * header check, the export that imports again, and the lookups commands use. */
#include "testutil.h"

#include "places/places.h"

struct seen {
	int n;
	uint64_t lines[16];
	char why[16][PLACES_CSV_WHY_MAX];
	int nfields[16];
};

static void on_reject(void *ctx, uint64_t line, char *const *fields, int nfields, const char *why)
{
	struct seen *s = ctx;
	(void)fields;
	assert_true(s->n < 16);
	s->lines[s->n] = line;
	s->nfields[s->n] = nfields;
	snprintf(s->why[s->n++], PLACES_CSV_WHY_MAX, "%s", why);
}

static const char good[] = "code,parent_code,level,name\n"
			   "GZ,,city,广州市\n"
			   "TH,GZ,district,天河区\n"
			   "TH-S1,TH,street,石牌街道\n";

/* Imports text (header included) into d; returns import's code. */
static int import(struct db *d, const char *text, struct seen *s, struct places_csv_result *res)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	struct mu_csv *csv = mu_csv_new(f, PLACES_CSV_RECORD_MAX, 0);
	uint64_t line;
	const struct places_csv_sink sink = {on_reject, NULL, s};
	assert_true(places_csv_header_ok(csv, places_csv_columns, PLACES_CSV_NCOLS, &line));
	assert_int_equal(line, 1);
	int rc = places_csv_import(d, csv, &sink, res);
	mu_csv_free(csv);
	fclose(f);
	return rc;
}

static void test_import_and_reasons(void **state)
{
	(void)state;
	struct tdb t;
	struct seen s = {0};
	struct places_csv_result res;
	struct places_node n;
	tdb_open(&t);
	assert_int_equal(import(t.db, good, &s, &res), 0);
	assert_int_equal(res.imported, 3);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(s.n, 0);

	static const char bad[] = "code,parent_code,level,name\n"
				  "TH-S2,TH,grid,错层\n"	 /* 2: level skips */
				  "TH-C1,TH-S2,community,社区\n" /* 3: parent refused */
				  "TH-S1,TH,street,again\n"	 /* 4: in the database */
				  "TH-S3,TH,street\n"		 /* 5: column count */
				  "TH-S4,TH,street,石牌二\n";	 /* 6: good */
	assert_int_equal(import(t.db, bad, &s, &res), 0);
	assert_int_equal(res.imported, 1);
	assert_int_equal(res.rejected, 4);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.lines[0], 2);
	assert_non_null(strstr(s.why[0], "cannot be under district TH"));
	assert_int_equal(s.lines[1], 3);
	assert_string_equal(s.why[1], "parent code TH-S2 was rejected (line 2)");
	assert_int_equal(s.lines[2], 4);
	assert_string_equal(s.why[2], "code TH-S1 already in the database");
	assert_int_equal(s.lines[3], 5);
	assert_string_equal(s.why[3], "wrong column count (3, expected 4)");
	assert_int_equal(s.nfields[3], 3);

	/* The lookups: the city without a code, a place by code, a household's level. */
	assert_int_equal(places_scope_find(t.db, NULL, &n), 0);
	assert_string_equal(n.code, "GZ");
	assert_int_equal(places_scope_find(t.db, "NOPE", &n), MU_ENOTFOUND);
	int64_t id;
	int level;
	assert_int_equal(places_level_of(t.db, "TH-S4", &id, &level), 0);
	assert_int_equal(level, PLACES_STREET);
	assert_int_equal(places_level_of(t.db, "NOPE", &id, &level), MU_ENOTFOUND);

	/* The export of the subtree of TH: parents first, parent codes filled in. */
	char buf[1024] = "";
	int64_t rows = 0;
	assert_int_equal(places_scope_find(t.db, "TH", &n), 0);
	FILE *f = fmemopen(buf, sizeof buf - 1, "w");
	assert_int_equal(places_csv_export(t.db, n.id, f, &rows), 0);
	fclose(f);
	assert_int_equal(rows, 3);
	assert_string_equal(buf, "TH,GZ,district,天河区\nTH-S1,TH,street,石牌街道\n"
				 "TH-S4,TH,street,石牌二\n");
	tdb_close(&t);
}

static void test_empty_and_header(void **state)
{
	(void)state;
	struct tdb t;
	struct places_node n;
	int64_t rows = 7;
	uint64_t line;
	tdb_open(&t);
	/* No city yet: a zeroed node, and an export of nothing. */
	assert_int_equal(places_scope_find(t.db, NULL, &n), 0);
	assert_int_equal(n.id, 0);
	assert_int_equal(places_csv_export(t.db, 0, stdout, &rows), 0);
	assert_int_equal(rows, 0);
	static const char hdr[] = "code,parent,level,name\n";
	FILE *f = fmemopen((void *)hdr, strlen(hdr), "r");
	struct mu_csv *csv = mu_csv_new(f, PLACES_CSV_RECORD_MAX, 0);
	assert_false(places_csv_header_ok(csv, places_csv_columns, PLACES_CSV_NCOLS, &line));
	mu_csv_free(csv);
	fclose(f);
	tdb_close(&t);
}

/* The map of keys seen keeps every key through its growth. */
static void test_seen_map(void **state)
{
	(void)state;
	struct places_csv_seen m;
	unsigned char key[8];
	int64_t v;
	places_csv_seen_init(&m, sizeof key);
	for (int64_t i = 0; i < 5000; i++) {
		memcpy(key, &i, sizeof key);
		places_csv_seen_put(&m, key, -i);
	}
	for (int64_t i = 0; i < 5000; i++) {
		memcpy(key, &i, sizeof key);
		assert_true(places_csv_seen_get(&m, key, &v));
		assert_int_equal(v, -i);
	}
	int64_t absent = 5000;
	memcpy(key, &absent, sizeof key);
	assert_false(places_csv_seen_get(&m, key, &v));
	assert_int_equal(m.n, 5000);
	places_csv_seen_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_import_and_reasons),
	    cmocka_unit_test(test_empty_and_header),
	    cmocka_unit_test(test_seen_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
