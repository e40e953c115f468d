/* cases.c: cases — opened by staff or by a single-tube positive on screening's path,
 * reclassified, hospitalised, discharged — each the start (and, at discharge, the end)
 * of the person's 'case' status. Owns the cases table's writes. */
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

static const char *const kinds[] = {"confirmed", "asymptomatic"};

const char *control_case_kind_name(int kind)
{
	return kind >= 0 && kind < 2 ? kinds[kind] : NULL;
}

int control_case_kind_parse(const char *s, int *kind)
{
	for (int i = 0; s && i < 2; i++)
		if (!strcmp(s, kinds[i])) {
			*kind = i;
			return 0;
		}
	return MU_EINVAL;
}

int64_t control_gz_day(int64_t unix_s)
{
	int64_t t = unix_s + CONTROL__GZ_OFFSET_S;
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

int64_t control_gz_midnight(int64_t day)
{
	return day * 86400 - CONTROL__GZ_OFFSET_S;
}

#define CASE_COLS CONTROL__CASE_COLS

static const char sql_get[] = "SELECT " CASE_COLS " FROM cases WHERE id = ?";
static const char sql_open_of[] =
    "SELECT " CASE_COLS " FROM cases WHERE person_id = ? AND discharged_at IS NULL";
static const char sql_insert[] =
    "INSERT INTO cases (person_id, kind, source, onset, confirmed_at, hospital,"
    " hospitalised_at, household_id, sample_id, user_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_set_status[] = "UPDATE cases SET status_id = ? WHERE id = ?";
static const char sql_contact_statuses[] =
    "SELECT id, started_at FROM key_statuses WHERE person_id = ? AND ended_at IS NULL"
    " AND kind IN ('close', 'secondary') ORDER BY id";
static const char sql_reclassify[] = "UPDATE cases SET kind = ? WHERE id = ?";
static const char sql_hospitalise[] =
    "UPDATE cases SET hospital = ?, hospitalised_at = ? WHERE id = ?";
static const char sql_discharge[] = "UPDATE cases SET discharged_at = ? WHERE id = ?";
static const char sql_list[] = "SELECT " CASE_COLS " FROM cases WHERE id < ? ORDER BY id DESC";

void control__case_read(struct db_stmt *s, struct control_case *c)
{
	memset(c, 0, sizeof *c);
	c->id = db_col_i64(s, 0);
	c->person_id = db_col_i64(s, 1);
	control_case_kind_parse(db_col_text(s, 2), &c->kind);
	c->from_screening = !strcmp(db_col_text(s, 3), "screening");
	c->onset = CONTROL_NO_DATE;
	if (!db_col_null(s, 4) && mu_date_parse(db_col_text(s, 4), &c->onset))
		c->onset = CONTROL_NO_DATE;
	c->confirmed_at = db_col_i64(s, 5);
	if (!db_col_null(s, 6))
		snprintf(c->hospital, sizeof c->hospital, "%s", db_col_text(s, 6));
	c->hospitalised_at = db_col_i64(s, 7);
	c->discharged_at = db_col_i64(s, 8);
	c->household_id = db_col_i64(s, 9);
	c->sample_id = db_col_i64(s, 10);
	c->status_id = db_col_i64(s, 11);
	c->user_id = db_col_i64(s, 12);
	c->created_at = db_col_i64(s, 13);
}

static int get_one(struct db *d, const char *sql, int64_t key, struct control_case *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, key);
	rc = db_step(s);
	if (rc == DB_ROW)
		control__case_read(s, out);
	db_stmt_done(s);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? MU_ENOTFOUND : rc;
}

int control_case_get(struct db *d, int64_t id, struct control_case *out)
{
	return get_one(d, sql_get, id, out);
}

int control_case_open_of(struct db *d, int64_t person, struct control_case *out)
{
	return get_one(d, sql_open_of, person, out);
}

/* A hospital's name: 1..CONTROL_HOSPITAL_MAX code points of UTF-8 without control or
 * invisible characters (it is shown as it is). */
static int hospital_check(const char *h, struct mu_why *why)
{
	size_t n = strlen(h), cps = 0;
	if (!n || !mu_utf8_valid(h, n) || mu_utf8_invisible(h, n))
		return mu_why_set(why, MU_EINVAL, "hospital",
				  "a hospital is a name of 1 to 64 characters");
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)h[i] < 0x20 || h[i] == 0x7f)
			return mu_why_set(why, MU_EINVAL, "hospital",
					  "a hospital's name holds no control characters");
		cps += ((unsigned char)h[i] & 0xc0) != 0x80;
	}
	if (cps > CONTROL_HOSPITAL_MAX)
		return mu_why_set(why, MU_EINVAL, "hospital",
				  "a hospital is a name of 1 to 64 characters");
	return 0;
}

/* A contact who becomes a case is no longer a contact in quarantine: their close and
 * secondary statuses in force end (with their plans: no more check-ins or plan tests for
 * the group, no "close contact" on the code) at now, or at their start when later. The
 * contacts rows stay: the chain keeps its links. At most one status of each kind is in
 * force (key_start). */
static int end_contact_statuses(struct db *d, int64_t person, int64_t now)
{
	int64_t ids[2], starts[2];
	size_t n = 0;
	struct db_stmt *s;
	int rc = db_prepare(d, sql_contact_statuses, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, person);
	while (n < 2 && (rc = db_step(s)) == DB_ROW) {
		ids[n] = db_col_i64(s, 0);
		starts[n++] = db_col_i64(s, 1);
	}
	db_stmt_done(s);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = control__key_end(d, ids[i], starts[i] > now ? starts[i] : now)))
			return rc;
	return 0;
}

int control_case_open(struct db *d, struct control_case *c, int64_t now, struct mu_why *why)
{
	struct control_case old;
	struct db_stmt *s = NULL;
	int rc;
	if (!control_case_kind_name(c->kind))
		return mu_why_set(why, MU_EINVAL, "kind", "kind is confirmed or asymptomatic");
	if (c->hospital[0] && (rc = hospital_check(c->hospital, why)))
		return rc;
	if (c->confirmed_at <= 0 || c->confirmed_at > now + CONTROL__CLOCK_SKEW_S)
		return mu_why_set(why, MU_EINVAL, "confirmed_at",
				  "a case is confirmed at a time not in the future");
	if (c->onset != CONTROL_NO_DATE && c->onset > control_gz_day(c->confirmed_at))
		return mu_why_set(why, MU_EINVAL, "onset", "onset is on or before confirmation");
	if ((rc = control_case_open_of(d, c->person_id, &old)) != MU_ENOTFOUND) {
		if (rc == 0) {
			c->id = old.id;
			return MU_EEXIST;
		}
		return rc;
	}
	if ((rc = people_household_of(d, c->person_id, &c->household_id)))
		return rc == MU_ENOTFOUND ? mu_why_set(why, rc, "person", "no person has this id")
					  : rc;
	if ((rc = db_prepare(d, sql_insert, &s)))
		return rc;
	char onset[11];
	db_bind_i64(s, 1, c->person_id);
	db_bind_text_static(s, 2, kinds[c->kind], -1);
	db_bind_text_static(s, 3, c->from_screening ? "screening" : "staff", -1);
	if (c->onset != CONTROL_NO_DATE) {
		mu_date_format(c->onset, onset);
		db_bind_text(s, 4, onset, -1);
	} else {
		db_bind_null(s, 4);
	}
	db_bind_i64(s, 5, c->confirmed_at);
	if (c->hospital[0])
		db_bind_text(s, 6, c->hospital, -1);
	else
		db_bind_null(s, 6);
	if (c->hospitalised_at)
		db_bind_i64(s, 7, c->hospitalised_at);
	else
		db_bind_null(s, 7);
	db_bind_i64(s, 8, c->household_id);
	if (c->sample_id)
		db_bind_i64(s, 9, c->sample_id);
	else
		db_bind_null(s, 9);
	if (c->user_id)
		db_bind_i64(s, 10, c->user_id);
	else
		db_bind_null(s, 10);
	db_bind_i64(s, 11, now);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	c->id = db_last_insert_id(d);
	c->created_at = now;
	if ((rc = control__key_start(d, c->person_id, CONTROL_KEY_CASE, 0, "case", c->id,
				     c->confirmed_at, &c->status_id)))
		return rc;
	if ((rc = db_prepare(d, sql_set_status, &s)))
		return rc;
	db_bind_i64(s, 1, c->status_id);
	db_bind_i64(s, 2, c->id);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	return end_contact_statuses(d, c->person_id, now);
}

/* Runs an UPDATE of one case bound as (text or int, id). */
static int update(struct db *d, const char *sql, const char *text, int64_t v, int64_t id)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	if (text)
		db_bind_text(s, 1, text, -1);
	else
		db_bind_i64(s, 1, v);
	db_bind_i64(s, 2, id);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

int control_case_reclassify(struct db *d, int64_t id, int kind)
{
	struct control_case c;
	int rc = control_case_get(d, id, &c);
	if (rc)
		return rc;
	if (!control_case_kind_name(kind))
		return MU_EINVAL;
	if (c.kind == kind)
		return MU_EEXIST;
	return update(d, sql_reclassify, kinds[kind], 0, id);
}

int control_case_hospitalise(struct db *d, int64_t id, const char *hospital, int64_t at,
			     struct mu_why *why)
{
	struct control_case c;
	struct db_stmt *s;
	int rc = control_case_get(d, id, &c);
	if (rc || (rc = hospital_check(hospital, why)))
		return rc;
	if (at < c.confirmed_at - 14 * 86400 || (c.discharged_at && at > c.discharged_at))
		return mu_why_set(why, MU_EINVAL, "at",
				  "admission is after confirmation (14 days before at most) and "
				  "before discharge");
	if ((rc = db_prepare(d, sql_hospitalise, &s)))
		return rc;
	db_bind_text(s, 1, hospital, -1);
	db_bind_i64(s, 2, at);
	db_bind_i64(s, 3, id);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

int control_case_discharge(struct db *d, int64_t id, int64_t at, struct mu_why *why)
{
	struct control_case c;
	int rc = control_case_get(d, id, &c);
	if (rc)
		return rc;
	if (c.discharged_at)
		return mu_why_set(why, MU_EEXIST, "id", "the case is already discharged");
	if (at < c.confirmed_at)
		return mu_why_set(why, MU_EINVAL, "at", "discharge is after confirmation");
	if ((rc = update(d, sql_discharge, NULL, at, id)))
		return rc;
	return c.status_id ? control__key_end(d, c.status_id, at) : 0;
}

int control_case_list(struct db *d, int64_t place, int64_t before_id,
		      int (*fn)(const struct control_case *c, void *ctx), void *ctx)
{
	struct db_stmt *s;
	struct control_case c;
	int64_t last_hh = 0;
	bool in = false;
	int rc = db_prepare(d, sql_list, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, before_id > 0 ? before_id : INT64_MAX);
	while ((rc = db_step(s)) == DB_ROW) {
		control__case_read(s, &c);
		/* Cases are few (hundreds in an outbreak): a check per household. */
		if (c.household_id != last_hh &&
		    (rc = places_is_within(d, c.household_id, place, &in)))
			break;
		last_hh = c.household_id;
		if (in && (rc = fn(&c, ctx)))
			break;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* ---- screening's results ------------------------------------------------------------- */

/* A positive pool: the member's recall (written by screening in this transaction) is the
 * status's ref, so that the re-swab's result finds it. */
static int pool_positive(struct db *d, const struct screening_hook_result *r)
{
	struct screening_recall rec;
	int rc = screening_recall_get(d, r->round_id, r->person_id, &rec);
	if (rc)
		return rc == MU_ENOTFOUND ? 0 : rc; /* no recall raised: nothing awaits */
	return control__key_start(d, r->person_id, CONTROL_KEY_POOL_POSITIVE, 0, "recall", rec.id,
				  r->resulted_at, NULL);
}

int control__case_on_result(struct db *d, const struct screening_hook_result *r)
{
	struct screening_recall rec;
	int rc;
	if (r->result == SCREENING_RESULT_POSITIVE && r->capacity > 1 && !r->reswab)
		return pool_positive(d, r);
	/* A re-swab's result, either way, settles the pool's doubt. */
	if (r->reswab && r->result != SCREENING_RESULT_INVALID) {
		rc = screening_recall_get(d, r->round_id, r->person_id, &rec);
		if (rc == 0)
			rc = control__key_end_ref(d, "recall", rec.id, r->resulted_at, NULL);
		if (rc && rc != MU_ENOTFOUND)
			return rc;
	}
	if (r->result != SCREENING_RESULT_POSITIVE || r->capacity != 1)
		return 0;
	struct control_case c = {.person_id = r->person_id,
				 .kind = CONTROL_CASE_CONFIRMED,
				 .from_screening = true,
				 .onset = CONTROL_NO_DATE,
				 .confirmed_at = r->resulted_at,
				 .sample_id = r->sample_id};
	struct mu_why why = {0};
	/* now is the result's time too: a lab's clock ahead of ours still opens the case. */
	rc = control_case_open(d, &c, r->resulted_at, &why);
	return rc == MU_EEXIST ? 0 : rc;
}
