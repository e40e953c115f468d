/* ledger.c: the person-time ledger (人次) — one per person per shift, by the Guangzhou
 * date of the shift's start, summed per day, organisation and place over a subtree (each
 * filter one covering index of deployments, 0017: a range scan, no table row), and a
 * month's totals per team or per street from the day aggregate deployment_days. */
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "forces_int.h"

#define LEDGER_SUM "SELECT day, org_id, place_id, SUM(people) FROM deployments "
#define LEDGER_END " GROUP BY day, org_id, place_id ORDER BY day, org_id, place_id"
#define LEDGER_ORG " AND (?4 = 0 OR org_id = ?4)"

/* ?1 the scope's key, ?2 and ?3 the days, ?4 the org (0: any). */
static const char *const sql_ledger[4] = {
    LEDGER_SUM "WHERE ?1 = 0 AND day BETWEEN ?2 AND ?3" LEDGER_ORG LEDGER_END,
    LEDGER_SUM "WHERE district_id = ?1 AND day BETWEEN ?2 AND ?3" LEDGER_ORG LEDGER_END,
    LEDGER_SUM "WHERE street_id = ?1 AND day BETWEEN ?2 AND ?3" LEDGER_ORG LEDGER_END,
    LEDGER_SUM "WHERE community_id = ?1 AND day BETWEEN ?2 AND ?3" LEDGER_ORG LEDGER_END,
};
/* An organisation's shifts anywhere: its own index, the place checked per row. */
static const char sql_ledger_org[] =
    LEDGER_SUM "WHERE org_id = ?4 AND day BETWEEN ?2 AND ?3 AND ?1 = ?1" LEDGER_END;

/* Totals per organisation or per street: ?1 the scope's key, ?2 and ?3 the days. Down to a
 * street they read the day aggregate deployment_days (a row per day, team and street);
 * a community's come from its shifts. For the whole city COALESCE hides day from the
 * planner, which would otherwise range over the day and sort every row into groups: the
 * index that leads with the group's column is read in order instead. */
#define DAYS_ORG    "SELECT org_id, SUM(people) FROM deployment_days "
#define DAYS_STREET "SELECT street_id, SUM(people) FROM deployment_days "
#define SHIFTS_ORG  "SELECT COALESCE(org_id, 0), SUM(people) FROM deployments "
#define SHIFTS_STR  "SELECT COALESCE(street_id, 0), SUM(people) FROM deployments "
static const char *const sql_by[2][4] = {
    {DAYS_ORG "WHERE ?1 = 0 AND COALESCE(day, '') BETWEEN ?2 AND ?3 GROUP BY org_id "
	      "ORDER BY org_id",
     DAYS_ORG "WHERE district_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY org_id ORDER BY org_id",
     DAYS_ORG "WHERE street_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY org_id ORDER BY org_id",
     SHIFTS_ORG "WHERE community_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY 1 ORDER BY 1"},
    {DAYS_STREET "WHERE ?1 = 0 AND COALESCE(day, '') BETWEEN ?2 AND ?3 GROUP BY street_id "
		 "ORDER BY street_id",
     DAYS_STREET "WHERE district_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY street_id "
		 "ORDER BY street_id",
     DAYS_STREET "WHERE street_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY street_id "
		 "ORDER BY street_id",
     SHIFTS_STR "WHERE community_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY 1 ORDER BY 1"},
};

int forces_ledger_by(struct db *d, int64_t place, int by, int64_t from_day, int64_t to_day,
		     int (*fn)(const struct forces_ledger_row *row, void *ctx), void *ctx,
		     int64_t *total)
{
	struct forces__anc a;
	struct db_stmt *st = NULL;
	struct forces_ledger_row row;
	char from[11], to[11];
	int64_t key;
	bool exact;
	int rc = forces__anc_of(d, place, &a);
	*total = 0;
	if (rc)
		return rc;
	if (by != FORCES_BY_ORG && by != FORCES_BY_STREET)
		return MU_EINVAL;
	int which = forces__scope(&a, place, &key, &exact);
	/* Below a community the groups would mix places in and out of the subtree: sum the
	 * day rows instead (few: a grid's shifts). */
	if (!exact)
		return MU_EINVAL;
	if ((rc = db_prepare(d, sql_by[by][which], &st)))
		return rc;
	mu_date_format(from_day, from);
	mu_date_format(to_day, to);
	db_bind_i64(st, 1, key);
	db_bind_text(st, 2, from, -1);
	db_bind_text(st, 3, to, -1);
	while ((rc = db_step(st)) == DB_ROW) {
		memset(&row, 0, sizeof row);
		if (by == FORCES_BY_ORG)
			row.org_id = db_col_i64(st, 0);
		else
			row.place_id = db_col_i64(st, 0);
		row.person_times = db_col_i64(st, 1);
		*total += row.person_times;
		if (fn && (rc = fn(&row, ctx)))
			break;
	}
	db_stmt_done(st);
	return rc == DB_DONE ? 0 : rc;
}

int forces_ledger(struct db *d, int64_t place, int64_t org, int64_t from_day, int64_t to_day,
		  int (*fn)(const struct forces_ledger_row *row, void *ctx), void *ctx,
		  int64_t *total)
{
	struct forces__anc a;
	struct db_stmt *st = NULL;
	struct forces_ledger_row row;
	char from[11], to[11];
	int64_t key;
	bool exact;
	int rc = forces__anc_of(d, place, &a);
	*total = 0;
	if (rc)
		return rc;
	int which = forces__scope(&a, place, &key, &exact);
	/* An organisation's own index is narrower than a place's unless the place is the
	 * city (which every shift is in). */
	bool by_org = org && which != 0;
	if (by_org)
		exact = false;
	if ((rc = db_prepare(d, by_org ? sql_ledger_org : sql_ledger[which], &st)))
		return rc;
	mu_date_format(from_day, from);
	mu_date_format(to_day, to);
	db_bind_i64(st, 1, key);
	db_bind_text(st, 2, from, -1);
	db_bind_text(st, 3, to, -1);
	db_bind_i64(st, 4, org);
	while ((rc = db_step(st)) == DB_ROW) {
		memset(&row, 0, sizeof row);
		if (mu_date_parse(db_col_text(st, 0), &row.day)) {
			rc = MU_EDB;
			break;
		}
		row.org_id = db_col_i64(st, 1);
		row.place_id = db_col_i64(st, 2);
		row.person_times = db_col_i64(st, 3);
		if (!exact) {
			bool in = false;
			if ((rc = places_is_within(d, row.place_id, place, &in)))
				break;
			if (!in)
				continue;
		}
		*total += row.person_times;
		if (fn && (rc = fn(&row, ctx)))
			break;
	}
	db_stmt_done(st);
	return rc == DB_DONE ? 0 : rc;
}
