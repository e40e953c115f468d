/* status.c: key persons' statuses (key_statuses) — the one door through which a person
 * becomes or stops being a key person: a case, a close or secondary contact, a resident
 * of a sealed zone, a pool-positive awaiting the re-swab. */
#include <string.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"

static const char *const key_names[CONTROL_NKEYS] = {"case", "close", "secondary", "sealed",
						     "pool_positive"};
static const char *const sources[] = {"case", "contact", "zone", "recall"};

const char *control_key_name(int kind)
{
	return kind >= 0 && kind < CONTROL_NKEYS ? key_names[kind] : NULL;
}

int control_key_parse(const char *s, int *kind)
{
	for (int i = 0; s && i < CONTROL_NKEYS; i++)
		if (!strcmp(s, key_names[i])) {
			*kind = i;
			return 0;
		}
	return MU_EINVAL;
}

static bool source_ok(const char *s)
{
	for (size_t i = 0; s && i < sizeof sources / sizeof *sources; i++)
		if (!strcmp(s, sources[i]))
			return true;
	return false;
}

static int step_done(struct db_stmt *s)
{
	int rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

static const char sql_open_of[] = "SELECT id, exposure_at FROM key_statuses"
				  " WHERE person_id = ? AND kind = ? AND ended_at IS NULL"
				  " ORDER BY id LIMIT 1";
static const char sql_insert[] =
    "INSERT INTO key_statuses (person_id, kind, started_at, exposure_at, ref_id, source)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_move[] = "UPDATE key_statuses SET exposure_at = ? WHERE id = ?";
static const char sql_end[] =
    "UPDATE key_statuses SET ended_at = ? WHERE id = ? AND ended_at IS NULL";
static const char sql_person_of[] = "SELECT person_id FROM key_statuses WHERE id = ?";
static const char sql_of_ref[] = "SELECT id FROM key_statuses"
				 " WHERE source = ? AND ref_id = ? AND ended_at IS NULL";

int control__key_start(struct db *d, int64_t person_id, int kind, int64_t exposure_at,
		       const char *source, int64_t ref_id, int64_t now, int64_t *status_id)
{
	if (!control_key_name(kind) || !source_ok(source))
		return MU_EINVAL;
	struct db_stmt *s;
	int rc = db_prepare(d, sql_open_of, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, person_id);
	db_bind_text_static(s, 2, key_names[kind], -1);
	rc = db_step(s);
	if (rc == DB_ROW) {
		int64_t id = db_col_i64(s, 0), had = db_col_i64(s, 1);
		db_stmt_done(s);
		if (status_id)
			*status_id = id;
		if (exposure_at <= had)
			return 0;
		if ((rc = db_prepare(d, sql_move, &s)))
			return rc;
		db_bind_i64(s, 1, exposure_at);
		db_bind_i64(s, 2, id);
		if ((rc = step_done(s)))
			return rc;
		/* The later exposure moves the plan and may change the colour. */
		return control__plan_status_started(d, id, person_id, key_names[kind], exposure_at,
						    now, now);
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	if ((rc = db_prepare(d, sql_insert, &s)))
		return rc;
	db_bind_i64(s, 1, person_id);
	db_bind_text_static(s, 2, key_names[kind], -1);
	db_bind_i64(s, 3, now);
	if (exposure_at)
		db_bind_i64(s, 4, exposure_at);
	else
		db_bind_null(s, 4);
	if (ref_id)
		db_bind_i64(s, 5, ref_id);
	else
		db_bind_null(s, 5);
	db_bind_text(s, 6, source, -1);
	if ((rc = step_done(s)))
		return rc;
	int64_t id = db_last_insert_id(d);
	if (status_id)
		*status_id = id;
	/* The file's plan (from the template the kind uses) and the health-code colour. */
	return control__plan_status_started(d, id, person_id, key_names[kind], exposure_at, now,
					    now);
}

int control__key_end(struct db *d, int64_t status_id, int64_t now)
{
	struct db_stmt *s;
	int64_t person = 0;
	int rc = db_prepare(d, sql_end, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, now);
	db_bind_i64(s, 2, status_id);
	if ((rc = step_done(s)))
		return rc;
	if (db_changes(d) != 1)
		return MU_ENOTFOUND;
	if ((rc = db_prepare(d, sql_person_of, &s)))
		return rc;
	db_bind_i64(s, 1, status_id);
	if ((rc = db_step(s)) == DB_ROW)
		person = db_col_i64(s, 0);
	db_stmt_done(s);
	if (rc < 0)
		return rc;
	/* Its plan ends with it, and the colour is recomputed. */
	return control__plan_status_ended(d, status_id, person, now);
}

int control__key_end_ref(struct db *d, const char *source, int64_t ref_id, int64_t now, int64_t *n)
{
	int64_t ids[256];
	int64_t done = 0;
	int rc;
	if (n)
		*n = 0;
	/* In pages: ending a status may touch other tables (its plan), so the ids are read
	 * first and ended after the statement is done. */
	for (;;) {
		struct db_stmt *s;
		size_t k = 0;
		if ((rc = db_prepare(d, sql_of_ref, &s)))
			return rc;
		db_bind_text(s, 1, source, -1);
		db_bind_i64(s, 2, ref_id);
		while (k < sizeof ids / sizeof *ids && (rc = db_step(s)) == DB_ROW)
			ids[k++] = db_col_i64(s, 0);
		db_stmt_done(s);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < k; i++)
			if ((rc = control__key_end(d, ids[i], now)))
				return rc;
		done += (int64_t)k;
		if (k < sizeof ids / sizeof *ids)
			break;
	}
	if (n)
		*n = done;
	return 0;
}
