/* round.c: rounds (scope, window, pool policy, closing), sampling sites and labs, and
 * the small helpers every screening file shares (times, codes, per-item messages). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "places/places.h"
#include "screening.h"
#include "screening_int.h"

bool screening_pool_valid(int k)
{
	return k == 1 || k == 5 || k == 10 || k == 20;
}

/* ---- helpers shared inside screening/ ------------------------------------------------ */

bool screening__code_ok(const char *s, size_t max)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

int screening__grid_of(struct db *d, int64_t household_id, int64_t *grid_id)
{
	int64_t ids[PLACES_NLEVELS];
	int n;
	int rc = places_path(d, household_id, ids, &n);
	if (rc)
		return rc;
	if (n <= PLACES_GRID)
		return MU_ENOTFOUND;
	*grid_id = ids[PLACES_GRID];
	return 0;
}

/* ---- times ------------------------------------------------------------------------------ */

int screening_time_parse(const char *s, int64_t *unix_s)
{
	int64_t ms;
	int rc = mu_time_parse(s, &ms);
	if (rc == 0) /* floor: a time before 1970 keeps its second */
		*unix_s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	return rc;
}

void screening_time_format(int64_t t, char out[21])
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;
	int y, m, d;
	mu_days_to_date(days, &y, &m, &d);
	unsigned yy = (unsigned)y % 10000u, mm = (unsigned)m % 100u, dd = (unsigned)d % 100u;
	unsigned hh = (unsigned)(rem / 3600) % 100u, mi = (unsigned)(rem / 60 % 60),
		 ss = (unsigned)(rem % 60);
	snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", yy, mm, dd, hh, mi, ss);
}

/* ---- rounds -------------------------------------------------------------------------- */

#define ROUND_COLS                                                                                 \
	"id, scope_place_id, name, pool_k, pool_high, pool_medium, starts, ends, created_at, "     \
	"closed_at"

static const char sql_round_insert[] =
    "INSERT INTO rounds (scope_place_id, name, pool_k, pool_high, pool_medium, starts, ends,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_round_get[] = "SELECT " ROUND_COLS " FROM rounds WHERE id = ?";
static const char sql_round_list[] = "SELECT " ROUND_COLS " FROM rounds ORDER BY id DESC";
static const char sql_round_close[] =
    "UPDATE rounds SET closed_at = ? WHERE id = ? AND closed_at IS NULL";

static void read_round(struct db_stmt *s, struct screening_round *r)
{
	memset(r, 0, sizeof *r);
	r->id = db_col_i64(s, 0);
	r->scope_place_id = db_col_i64(s, 1);
	snprintf(r->name, sizeof r->name, "%s", db_col_text(s, 2));
	r->pool_k = (int)db_col_i64(s, 3);
	r->pool_high = (int)db_col_i64(s, 4);
	r->pool_medium = (int)db_col_i64(s, 5);
	r->starts = db_col_i64(s, 6);
	r->ends = db_col_i64(s, 7);
	r->created_at = db_col_i64(s, 8);
	r->closed_at = db_col_i64(s, 9);
}

static int bind_opt(struct db_stmt *s, int i, int64_t v)
{
	return v ? db_bind_i64(s, i, v) : db_bind_null(s, i);
}

int screening_round_create(struct db *d, struct screening_round *r, struct mu_why *why)
{
	if (places_name_check(r->name, why))
		return MU_EINVAL;
	/* Defaults are written back only on success: a refused r can be fixed and retried. */
	int high = r->pool_high ? r->pool_high : 1;
	int medium = r->pool_medium ? r->pool_medium : r->pool_k;
	if (!screening_pool_valid(r->pool_k) || !screening_pool_valid(high) ||
	    !screening_pool_valid(medium))
		return mu_why_set(why, MU_EINVAL, "pool_k", "pool size must be 1, 5, 10 or 20");
	if (r->starts && r->ends && r->starts > r->ends)
		return mu_why_set(why, MU_EINVAL, "ends", "the round ends before it starts");
	struct places_node scope;
	int rc = places_get(d, r->scope_place_id, &scope);
	if (rc)
		return mu_why_set(why, rc, "scope", "scope place not found");
	int64_t created = r->created_at ? r->created_at : mu_now_unix();
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_round_insert, &s)))
		return rc;
	db_bind_i64(s, 1, r->scope_place_id);
	db_bind_text(s, 2, r->name, -1);
	db_bind_i64(s, 3, r->pool_k);
	db_bind_i64(s, 4, high);
	db_bind_i64(s, 5, medium);
	bind_opt(s, 6, r->starts);
	bind_opt(s, 7, r->ends);
	db_bind_i64(s, 8, created);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	r->id = db_last_insert_id(d);
	r->pool_high = high;
	r->pool_medium = medium;
	r->created_at = created;
	r->closed_at = 0;
	return 0;
}

int screening_round_get(struct db *d, int64_t id, struct screening_round *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_round_get, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		read_round(s, out);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

int screening_round_close(struct db *d, int64_t id, int64_t now)
{
	struct screening_round r;
	int rc = screening_round_get(d, id, &r);
	if (rc)
		return rc;
	if (r.closed_at)
		return MU_EEXIST;
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_round_close, &s)))
		return rc;
	db_bind_i64(s, 1, now);
	db_bind_i64(s, 2, id);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

int screening_round_list(struct db *d, int (*fn)(const struct screening_round *r, void *ctx),
			 void *ctx)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_round_list, &s);
	if (rc)
		return rc;
	struct screening_round r;
	while ((rc = db_step(s)) == DB_ROW) {
		read_round(s, &r);
		if ((rc = fn(&r, ctx)) != 0)
			break;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* ---- sites and labs ------------------------------------------------------------------- */

static const char sql_site_insert[] =
    "INSERT INTO sites (code, place_id, name, desks) VALUES (?, ?, ?, ?)";
static const char sql_site_find[] =
    "SELECT id, code, place_id, name, desks FROM sites WHERE code = ?";
static const char sql_lab_insert[] = "INSERT INTO labs (code, name, capacity) VALUES (?, ?, ?)";
static const char sql_lab_find[] = "SELECT id, code, name, capacity FROM labs WHERE code = ?";
static const char sql_site_list[] =
    "SELECT id, code, place_id, name, desks FROM sites ORDER BY code";
static const char sql_lab_list[] = "SELECT id, code, name, capacity FROM labs ORDER BY code";

int screening_site_add(struct db *d, struct screening_site *st, struct mu_why *why)
{
	if (!screening__code_ok(st->code, SCREENING_CODE_MAX))
		return mu_why_set(why, MU_EINVAL, "code",
				  "code must be 1 to 32 letters, digits or '-'");
	if (places_name_check(st->name, why))
		return MU_EINVAL;
	if (st->desks < 1 || st->desks > 10000)
		return mu_why_set(why, MU_EINVAL, "desks", "desks must be 1 to 10000");
	struct places_node n;
	int rc = places_get(d, st->place_id, &n);
	if (rc)
		return mu_why_set(why, rc, "place", "place not found");
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_site_insert, &s)))
		return rc;
	db_bind_text(s, 1, st->code, -1);
	db_bind_i64(s, 2, st->place_id);
	db_bind_text(s, 3, st->name, -1);
	db_bind_i64(s, 4, st->desks);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc == MU_EEXIST)
		mu_why_set(why, rc, "code", "code already used");
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	st->id = db_last_insert_id(d);
	return 0;
}

/* A row of sql_site_find or sql_site_list (id, code, place_id, name, desks). */
static void site_row(struct db_stmt *s, struct screening_site *out)
{
	memset(out, 0, sizeof *out);
	out->id = db_col_i64(s, 0);
	snprintf(out->code, sizeof out->code, "%s", db_col_text(s, 1));
	out->place_id = db_col_i64(s, 2);
	snprintf(out->name, sizeof out->name, "%s", db_col_text(s, 3));
	out->desks = (int)db_col_i64(s, 4);
}

/* A row of sql_lab_find or sql_lab_list (id, code, name, capacity). */
static void lab_row(struct db_stmt *s, struct screening_lab *out)
{
	memset(out, 0, sizeof *out);
	out->id = db_col_i64(s, 0);
	snprintf(out->code, sizeof out->code, "%s", db_col_text(s, 1));
	snprintf(out->name, sizeof out->name, "%s", db_col_text(s, 2));
	out->capacity = db_col_i64(s, 3);
}

int screening_site_find(struct db *d, const char *code, struct screening_site *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_site_find, &s);
	if (rc)
		return rc;
	db_bind_text(s, 1, code, -1);
	rc = db_step(s);
	if (rc == DB_ROW) {
		site_row(s, out);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

int screening_lab_add(struct db *d, struct screening_lab *l, struct mu_why *why)
{
	if (!screening__code_ok(l->code, SCREENING_CODE_MAX))
		return mu_why_set(why, MU_EINVAL, "code",
				  "code must be 1 to 32 letters, digits or '-'");
	if (places_name_check(l->name, why))
		return MU_EINVAL;
	if (l->capacity < 1 || l->capacity > 100000000)
		return mu_why_set(why, MU_EINVAL, "capacity",
				  "capacity must be 1 to 100000000 tubes a day");
	struct db_stmt *s;
	int rc = db_prepare(d, sql_lab_insert, &s);
	if (rc)
		return rc;
	db_bind_text(s, 1, l->code, -1);
	db_bind_text(s, 2, l->name, -1);
	db_bind_i64(s, 3, l->capacity);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc == MU_EEXIST)
		mu_why_set(why, rc, "code", "code already used");
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	l->id = db_last_insert_id(d);
	return 0;
}

int screening_lab_find(struct db *d, const char *code, struct screening_lab *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_lab_find, &s);
	if (rc)
		return rc;
	db_bind_text(s, 1, code, -1);
	rc = db_step(s);
	if (rc == DB_ROW) {
		lab_row(s, out);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

int screening_site_list(struct db *d, int (*fn)(const struct screening_site *s, void *ctx),
			void *ctx)
{
	struct db_stmt *s;
	struct screening_site st;
	int rc = db_prepare(d, sql_site_list, &s);
	if (rc)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		site_row(s, &st);
		if ((rc = fn(&st, ctx)))
			break;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

int screening_lab_list(struct db *d, int (*fn)(const struct screening_lab *l, void *ctx), void *ctx)
{
	struct db_stmt *s;
	struct screening_lab l;
	int rc = db_prepare(d, sql_lab_list, &s);
	if (rc)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		lab_row(s, &l);
		if ((rc = fn(&l, ctx)))
			break;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}
