/* deadlines.c: the acknowledgement allowances of calls for help (call_deadlines): per
 * category (or '*' for the rest), priority and mode (normal, wartime), with the defaults
 * of migration 0015, edited with `muster call deadline set`. */
#include <stdio.h>
#include <string.h>

#include "calls.h"
#include "calls_int.h"
#include "core/core.h"
#include "db/db.h"

int calls__exec(struct db_stmt *s)
{
	int rc = db_step(s);
	return rc < 0 ? rc : 0;
}

/* One primary-key read for the category's row, a second for '*' when it has none: an
 * IN (…, '*') with ORDER BY sorted on every call (a sixth of a logged call's time). */
static const char sql_get[] =
    "SELECT seconds FROM call_deadlines WHERE category = ? AND priority = ? AND wartime = ?";

int calls_deadline_get(struct db *d, const char *category, const char *priority, bool wartime,
		       int64_t *seconds)
{
	struct db_stmt *s;
	int rc;
	*seconds = 0;
	if (!calls_category_valid(category) || !calls_priority_valid(priority))
		return MU_EINVAL;
	for (int i = 0; i < 2; i++) {
		if ((rc = db_prepare(d, sql_get, &s)))
			return rc;
		db_bind_text_static(s, 1, i ? "*" : category, -1);
		db_bind_text_static(s, 2, priority, -1);
		db_bind_i64(s, 3, wartime);
		rc = db_step(s);
		if (rc == DB_ROW)
			*seconds = db_col_i64(s, 0);
		db_stmt_done(s);
		if (rc == DB_ROW)
			return 0;
		if (rc < 0)
			return rc;
	}
	return MU_ENOTFOUND;
}

static const char sql_set[] =
    "INSERT INTO call_deadlines(category, priority, wartime, seconds) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(category, priority, wartime) DO UPDATE SET seconds = excluded.seconds";

int calls_deadline_set(struct db *d, const char *category, const char *priority, bool wartime,
		       int64_t seconds, struct mu_why *why)
{
	struct db_stmt *s;
	int rc;
	if (!category || (strcmp(category, "*") && !calls_category_valid(category)))
		return mu_why_set(why, MU_EINVAL, "category",
				  "category is medicine, food, medical, dialysis, pregnancy, "
				  "transport, mental, other or *");
	if (!calls_priority_valid(priority))
		return mu_why_set(why, MU_EINVAL, "priority", "priority is urgent or normal");
	if (seconds < 1 || seconds > 366LL * 86400)
		return mu_why_set(why, MU_EINVAL, "seconds",
				  "a deadline is from 1 second to a year");
	if ((rc = db_prepare(d, sql_set, &s)))
		return rc;
	db_bind_text_static(s, 1, category, -1);
	db_bind_text_static(s, 2, priority, -1);
	db_bind_i64(s, 3, wartime);
	db_bind_i64(s, 4, seconds);
	rc = calls__exec(s);
	db_stmt_done(s);
	return rc;
}

static const char sql_list[] = "SELECT category, priority, wartime, seconds FROM call_deadlines "
			       "ORDER BY wartime, priority DESC, category = '*', category";

int calls_deadline_list(struct db *d, int (*fn)(const struct calls_deadline *dl, void *ctx),
			void *ctx)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_list, &s);
	if (rc)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		struct calls_deadline dl = {.wartime = db_col_i64(s, 2) != 0,
					    .seconds = db_col_i64(s, 3)};
		snprintf(dl.category, sizeof dl.category, "%s", db_col_text(s, 0));
		snprintf(dl.priority, sizeof dl.priority, "%s", db_col_text(s, 1));
		if ((rc = fn(&dl, ctx)))
			break;
	}
	db_stmt_done(s);
	return rc < 0 || rc > 0 ? rc : 0;
}
