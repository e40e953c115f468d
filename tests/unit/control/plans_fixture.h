/* plans_fixture.h: what the plans and colour tests share — one household of three people
 * in a migrated database, key statuses started as control__key_start stores them, and
 * Guangzhou times. */
#ifndef MU_CONTROL_PLANS_FIXTURE_H
#define MU_CONTROL_PLANS_FIXTURE_H

#include "control/control.h"
#include "control/control_int.h"
#include "places/places.h"
#include "testutil.h"

struct pf {
	struct tdb t;
	int64_t hh, person[3];
};

/* Unix time of a Guangzhou (UTC+8) wall-clock time. */
static inline int64_t gz(int y, int m, int d, int hh, int mm)
{
	return mu_date_to_days(y, m, d) * 86400 + hh * 3600 + mm * 60 - 8 * 3600;
}

static inline int64_t day(int y, int m, int d)
{
	return mu_date_to_days(y, m, d);
}

static inline int pf_setup(void **state)
{
	struct pf *f = mu_xcalloc(1, sizeof *f);
	static const int levels[] = {PLACES_CITY,      PLACES_DISTRICT, PLACES_STREET,
				     PLACES_COMMUNITY, PLACES_GRID,	PLACES_COMPOUND,
				     PLACES_BUILDING,  PLACES_HOUSEHOLD};
	static const char *const codes[] = {"C", "D", "S", "M", "G", "P", "B", "H"};
	int64_t parent = 0;
	tdb_open(&f->t);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(
		    places_add(f->t.db, parent, levels[i], codes[i], codes[i], &parent, NULL), 0);
	f->hh = parent;
	for (int i = 0; i < 3; i++) {
		struct people_person p;
		memset(&p, 0, sizeof p);
		p.id_type = PEOPLE_ID_PASSPORT;
		snprintf(p.id_number, sizeof p.id_number, "E1234567%d", i);
		snprintf(p.name, sizeof p.name, "张小%c", 'A' + i);
		p.sex = 1;
		p.birth = 3650;
		p.household_id = f->hh;
		assert_int_equal(people_add(f->t.db, &f->t.keys, &p, NULL), 0);
		f->person[i] = p.id;
	}
	*state = f;
	return 0;
}

static inline int pf_teardown(void **state)
{
	struct pf *f = *state;
	tdb_close(&f->t);
	free(f);
	return 0;
}

static inline void pf_exec(struct pf *f, const char *sql)
{
	assert_int_equal(db_exec(f->t.db, sql), 0);
}

/* Inserts a key status row (as control__key_start stores it) and makes its plan. */
static inline int64_t pf_status(struct pf *f, int64_t person, const char *kind, int64_t started,
				int64_t exposure, int64_t now)
{
	char sql[320];
	snprintf(sql, sizeof sql,
		 "INSERT INTO key_statuses (person_id, kind, started_at, exposure_at, source) "
		 "VALUES (%lld, '%s', %lld, %s%lld, '%s')",
		 (long long)person, kind, (long long)started, exposure ? "" : "NULL+",
		 (long long)exposure,
		 strcmp(kind, "sealed") == 0	      ? "zone"
		 : strcmp(kind, "pool_positive") == 0 ? "recall"
		 : strcmp(kind, "case") == 0	      ? "case"
						      : "contact");
	pf_exec(f, sql);
	int64_t id = db_last_insert_id(f->t.db);
	assert_int_equal(
	    control__plan_status_started(f->t.db, id, person, kind, exposure, started, now), 0);
	return id;
}

static inline void pf_end(struct pf *f, int64_t status, int64_t person, int64_t at)
{
	char sql[128];
	snprintf(sql, sizeof sql, "UPDATE key_statuses SET ended_at = %lld WHERE id = %lld",
		 (long long)at, (long long)status);
	pf_exec(f, sql);
	assert_int_equal(control__plan_status_ended(f->t.db, status, person, at), 0);
}

static inline int64_t pf_count(struct pf *f, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_i64(f->t.db, sql, &n), 0);
	return n;
}

/* The stored colour's reasons of person. */
static inline unsigned pf_reasons(struct pf *f, int64_t person)
{
	int colour;
	unsigned reasons;
	int64_t since;
	assert_int_equal(control_colour_get(f->t.db, person, &colour, &reasons, &since), 0);
	assert_int_equal(colour, control__colour_of(reasons));
	return reasons;
}

#endif
