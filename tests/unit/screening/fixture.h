/* fixture.h: the small city the screening tests share — one street in scope with two
 * grids (three households, twelve people), one street outside it (one person), two
 * sites, two labs and a round at 5-in-1 — and helpers to scan and count rows. */
#ifndef MU_SCREENING_FIXTURE_H
#define MU_SCREENING_FIXTURE_H

#include <math.h>

#include "places/places.h"
#include "screening/screening.h"
#include "testutil.h"

#define FX_OPENED 1619827200 /* 2021-05-01: the fixture round opened before its scans */
#define NPEOPLE	  13	     /* 12 in scope (H1: 3, H2: 4, H3: 5), 1 outside (HX) */

struct fx {
	struct tdb t;
	int64_t city, dist, street, comm, g1, g2, p1, p2, b1, b2, h1, h2, h3;
	int64_t street2, hx;
	int64_t person[NPEOPLE];
	char code[NPEOPLE][PEOPLE_CODE_LEN + 1];
	char idno[NPEOPLE][19];
	int64_t round;
	struct screening_delta *dl;
	int seq; /* for fresh scan ids */
};

static inline int64_t fx_place(struct fx *f, int64_t parent, int level, const char *code)
{
	int64_t id;
	assert_int_equal(places_add(f->t.db, parent, level, code, code, &id, NULL), 0);
	return id;
}

static inline void fx_person(struct fx *f, int i, int64_t household)
{
	struct people_person p;
	memset(&p, 0, sizeof p);
	snprintf(f->idno[i], sizeof f->idno[i], "44010619800101%03d", (100 + i) % 1000);
	f->idno[i][17] = people_idcard_check_digit(f->idno[i]);
	f->idno[i][18] = '\0';
	p.id_type = PEOPLE_ID_RESIDENT;
	snprintf(p.id_number, sizeof p.id_number, "%s", f->idno[i]);
	snprintf(p.name, sizeof p.name, "居民%d", i);
	p.household_id = household;
	assert_int_equal(people_idcard_check(f->idno[i], NULL, &p.birth, &p.sex), 0);
	assert_int_equal(people_add(f->t.db, &f->t.keys, &p, NULL), 0);
	f->person[i] = p.id;
	people_code_format(p.code, f->code[i]);
}

static inline int fx_setup(void **state)
{
	struct fx *f = mu_xcalloc(1, sizeof *f);
	tdb_open(&f->t);
	f->city = fx_place(f, 0, PLACES_CITY, "C");
	f->dist = fx_place(f, f->city, PLACES_DISTRICT, "D");
	f->street = fx_place(f, f->dist, PLACES_STREET, "S");
	f->comm = fx_place(f, f->street, PLACES_COMMUNITY, "M");
	f->g1 = fx_place(f, f->comm, PLACES_GRID, "G1");
	f->g2 = fx_place(f, f->comm, PLACES_GRID, "G2");
	f->p1 = fx_place(f, f->g1, PLACES_COMPOUND, "P1");
	f->p2 = fx_place(f, f->g2, PLACES_COMPOUND, "P2");
	f->b1 = fx_place(f, f->p1, PLACES_BUILDING, "B1");
	f->b2 = fx_place(f, f->p2, PLACES_BUILDING, "B2");
	f->h1 = fx_place(f, f->b1, PLACES_HOUSEHOLD, "H1");
	f->h2 = fx_place(f, f->b1, PLACES_HOUSEHOLD, "H2");
	f->h3 = fx_place(f, f->b2, PLACES_HOUSEHOLD, "H3");
	f->street2 = fx_place(f, f->dist, PLACES_STREET, "S2");
	int64_t c2 = fx_place(f, f->street2, PLACES_COMMUNITY, "M2");
	int64_t g = fx_place(f, c2, PLACES_GRID, "GX");
	int64_t p = fx_place(f, g, PLACES_COMPOUND, "PX");
	int64_t b = fx_place(f, p, PLACES_BUILDING, "BX");
	f->hx = fx_place(f, b, PLACES_HOUSEHOLD, "HX");
	for (int i = 0; i < NPEOPLE; i++)
		fx_person(f, i, i < 3 ? f->h1 : i < 7 ? f->h2 : i < 12 ? f->h3 : f->hx);

	struct screening_site s1 = {
	    .place_id = f->comm, .code = "SITE1", .name = "站一", .desks = 4};
	struct screening_site s2 = {
	    .place_id = f->comm, .code = "SITE2", .name = "站二", .desks = 2};
	struct screening_lab l1 = {.code = "LAB1", .name = "金域", .capacity = 350000};
	struct screening_lab l2 = {.code = "LAB2", .name = "气膜", .capacity = 120000};
	assert_int_equal(screening_site_add(f->t.db, &s1, NULL), 0);
	assert_int_equal(screening_site_add(f->t.db, &s2, NULL), 0);
	assert_int_equal(screening_lab_add(f->t.db, &l1, NULL), 0);
	assert_int_equal(screening_lab_add(f->t.db, &l2, NULL), 0);
	struct screening_round r = {
	    .scope_place_id = f->street, .name = "第一轮", .pool_k = 5, .created_at = FX_OPENED};
	assert_int_equal(screening_round_create(f->t.db, &r, NULL), 0);
	f->round = r.id;
	f->dl = screening_delta_new();
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	screening_delta_free(f->dl);
	tdb_close(&f->t);
	free(f);
	return 0;
}

static inline int64_t fx_count(struct fx *f, const char *sql)
{
	int64_t v = -1;
	assert_int_equal(db_query_i64(f->t.db, sql, &v), 0);
	return v;
}

/* Rows of every screening table, to show that a refusal wrote nothing. */
static inline int64_t fx_rows(struct fx *f)
{
	return fx_count(
	    f, "SELECT (SELECT count(*) FROM tubes) * 1000000 + (SELECT count(*) FROM"
	       " samples) * 1000 + (SELECT count(*) FROM recalls) +"
	       " (SELECT coalesce(sum(n), 0) + coalesce(sum(state), 0) FROM tubes) * 1000000000");
}

/* Scans person i (by personal code) into tube at site, with a fresh scan id. */
static inline struct screening_scan_result fx_scan_as(struct fx *f, const char *scan_id,
						      const char *tube, int i, const char *site)
{
	struct screening_scan in = {.scan_id = scan_id,
				    .round_id = f->round,
				    .site = site,
				    .tube = tube,
				    .person = f->code[i],
				    .at = "2021-06-01T08:00:00+08:00"};
	struct screening_scan_result r;
	assert_int_equal(screening_scan_batch(f->t.db, &f->t.keys, &in, 1, &r, f->dl), 0);
	return r;
}

static inline struct screening_scan_result fx_scan(struct fx *f, const char *tube, int i)
{
	char id[32];
	snprintf(id, sizeof id, "scan-%d", ++f->seq);
	return fx_scan_as(f, id, tube, i, "SITE1");
}

static inline void fx_receive(struct fx *f, const char *tube, int want_err)
{
	struct screening_item_result r;
	const char *bc[1] = {tube};
	assert_int_equal(screening_tube_receive(f->t.db, "LAB1", bc, 1, 1000, &r), 0);
	assert_int_equal(r.err, want_err);
}

static inline void fx_result(struct fx *f, const char *tube, const char *result, int want_err)
{
	struct screening_result_in in = {.tube = tube,
					 .result = result,
					 .ct_orf1ab = NAN,
					 .ct_n = NAN,
					 .at = "2021-06-01T20:00:00Z"};
	struct screening_item_result r;
	assert_int_equal(screening_result_record(f->t.db, NULL, &in, 1, 2000, &r, f->dl), 0);
	if (r.err != want_err)
		fail_msg("result %s for %s: err %d (%s), want %d", result, tube, r.err, r.why.text,
			 want_err);
}

#endif
