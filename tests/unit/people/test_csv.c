/* test_csv.c: people's CSV import as a library — the producer thread's checks and the
 * database's, reported through the sink in file order; all or nothing leaves the
 * counts unwritten; the export opens what the import sealed. */
#include "testutil.h"

#include "people/people.h"
#include "places/places.h"

struct seen {
	int n;
	uint64_t lines[16];
	char why[16][PLACES_CSV_WHY_MAX];
	uint64_t progress;
};

static void on_reject(void *ctx, uint64_t line, char *const *fields, int nfields, const char *why)
{
	struct seen *s = ctx;
	(void)fields;
	(void)nfields;
	assert_true(s->n < 16);
	s->lines[s->n] = line;
	snprintf(s->why[s->n++], PLACES_CSV_WHY_MAX, "%s", why);
}

static void on_progress(void *ctx, uint64_t bytes)
{
	struct seen *s = ctx;
	s->progress = bytes;
}

static void tree(struct db *d)
{
	int64_t city, dist, str, com, grid, comp, bld, hh;
	assert_int_equal(places_add(d, 0, PLACES_CITY, "GZ", "广州市", &city, NULL), 0);
	assert_int_equal(places_add(d, city, PLACES_DISTRICT, "TH", "天河区", &dist, NULL), 0);
	assert_int_equal(places_add(d, dist, PLACES_STREET, "S", "街", &str, NULL), 0);
	assert_int_equal(places_add(d, str, PLACES_COMMUNITY, "C", "社区", &com, NULL), 0);
	assert_int_equal(places_add(d, com, PLACES_GRID, "G", "网格", &grid, NULL), 0);
	assert_int_equal(places_add(d, grid, PLACES_COMPOUND, "K", "小区", &comp, NULL), 0);
	assert_int_equal(places_add(d, comp, PLACES_BUILDING, "B", "1栋", &bld, NULL), 0);
	assert_int_equal(places_add(d, bld, PLACES_HOUSEHOLD, "H1", "101", &hh, NULL), 0);
}

static const char rows[] = "id_type,id_number,name,sex,birth_date,phone,household_code\n"
			   "passport,E1,Smith,M,1970-05-05,,H1\n"  /* 2: good */
			   "passport,E2,Jones,X,1970-05-05,,H1\n"  /* 3: sex */
			   "passport,E3,Brown,F,1980-01-01,,B\n"   /* 4: not a household */
			   "passport,E1,Again,M,1970-05-05,,H1\n"  /* 5: duplicate of 2 */
			   "passport,E4,Green,F,1990-02-02,,H1\n"; /* 6: good */

static int import(struct tdb *t, bool all, struct seen *s, struct places_csv_result *res)
{
	FILE *f = fmemopen((void *)rows, strlen(rows), "r");
	assert_non_null(f);
	struct mu_csv *csv = mu_csv_new(f, PLACES_CSV_RECORD_MAX, 0);
	const struct places_csv_sink sink = {on_reject, on_progress, s};
	uint64_t line;
	assert_true(places_csv_header_ok(csv, people_csv_columns, PEOPLE_CSV_NCOLS_MIN, &line));
	assert_int_equal(db_tx_begin(t->db), 0);
	int rc = people_csv_import(t->db, &t->keys, csv, PEOPLE_CSV_NCOLS_MIN, all, &sink, res);
	mu_csv_free(csv);
	fclose(f);
	return rc;
}

/* The optional party column: 1 and 0 and empty kept, anything else refused; a header
 * without it is the older format and still reads. */
static const char party_rows[] =
    "id_type,id_number,name,sex,birth_date,phone,household_code,party\n"
    "passport,P1,One,M,1970-05-05,,H1,1\n"
    "passport,P2,Two,F,1971-05-05,,H1,0\n"
    "passport,P3,Three,F,1972-05-05,,H1,\n"
    "passport,P4,Four,M,1973-05-05,,H1,yes\n";

static void test_party_column(void **state)
{
	(void)state;
	struct tdb t;
	struct seen s = {0};
	struct places_csv_result res;
	uint64_t line;
	int got = 0;
	int64_t party = -1;
	tdb_open(&t);
	tree(t.db);
	FILE *f = fmemopen((void *)party_rows, strlen(party_rows), "r");
	assert_non_null(f);
	struct mu_csv *csv = mu_csv_new(f, PLACES_CSV_RECORD_MAX, 0);
	const struct places_csv_sink sink = {on_reject, on_progress, &s};
	assert_true(places_csv_header_cols(csv, people_csv_columns, PEOPLE_CSV_NCOLS_MIN,
					   PEOPLE_CSV_NCOLS, &line, &got));
	assert_int_equal(got, PEOPLE_CSV_NCOLS);
	assert_int_equal(db_tx_begin(t.db), 0);
	assert_int_equal(people_csv_import(t.db, &t.keys, csv, got, false, &sink, &res), 0);
	assert_int_equal(db_tx_commit(t.db), 0);
	mu_csv_free(csv);
	fclose(f);
	assert_int_equal(res.imported, 3);
	assert_int_equal(res.rejected, 1);
	assert_int_equal(s.lines[0], 5);
	assert_string_equal(s.why[0], "party: must be 0, 1 or empty, not yes");
	assert_int_equal(db_query_i64(t.db, "SELECT SUM(party) FROM people", &party), 0);
	assert_int_equal(party, 1);
	tdb_close(&t);
}

static void test_reasons_in_order(void **state)
{
	(void)state;
	struct tdb t;
	struct seen s = {0};
	struct places_csv_result res;
	struct places_node hh;
	tdb_open(&t);
	tree(t.db);
	assert_int_equal(import(&t, false, &s, &res), 0);
	assert_int_equal(db_tx_commit(t.db), 0);
	assert_int_equal(res.imported, 2);
	assert_int_equal(res.rejected, 3);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.lines[0], 3);
	assert_non_null(strstr(s.why[0], "sex: must be M or F, not X"));
	assert_int_equal(s.lines[1], 4);
	assert_string_equal(s.why[1], "household_code B is a building, not a household");
	assert_int_equal(s.lines[2], 5);
	assert_string_equal(s.why[2], "duplicate id_number (also on line 2)");
	assert_int_equal(s.progress, strlen(rows));
	/* The counts were written: the household holds its two people. */
	assert_int_equal(places_find(t.db, "H1", &hh), 0);
	assert_int_equal(hh.people, 2);

	/* The export opens the sealed fields, in household order. */
	char buf[512] = "";
	int64_t n = 0;
	FILE *f = fmemopen(buf, sizeof buf - 1, "w");
	assert_int_equal(people_csv_export(t.db, &t.keys, hh.id, f, &n), 0);
	fclose(f);
	assert_int_equal(n, 2);
	assert_non_null(strstr(buf, "passport,E1,Smith,M,1970-05-05,,H1,0\n"));
	assert_non_null(strstr(buf, "passport,E4,Green,F,1990-02-02,,H1,0\n"));
	tdb_close(&t);
}

static void test_all_or_nothing(void **state)
{
	(void)state;
	struct tdb t;
	struct seen s = {0};
	struct places_csv_result res;
	struct places_node hh;
	tdb_open(&t);
	tree(t.db);
	/* Refused rows with all_or_nothing: the counts are not written, the caller rolls
	 * back, and nothing is left. */
	assert_int_equal(import(&t, true, &s, &res), 0);
	assert_int_equal(res.rejected, 3);
	assert_int_equal(places_find(t.db, "H1", &hh), 0);
	assert_int_equal(hh.people, 0);
	assert_int_equal(db_tx_rollback(t.db), 0);
	int64_t n = 1;
	assert_int_equal(people_csv_export(t.db, &t.keys, hh.id, stdout, &n), 0);
	assert_int_equal(n, 0);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reasons_in_order),
	    cmocka_unit_test(test_all_or_nothing),
	    cmocka_unit_test(test_party_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
