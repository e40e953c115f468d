/* ledger.c: the person-time ledger (人次) — one per person per shift, by the Guangzhou
 * date of the shift's start, summed per day, organisation and place over a subtree.
 * Each filter reads one covering index of deployments (0017): a month of 100,000 shifts
 * is one range scan, no table row. */
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
