/* calls.c: calls for help (有呼必应) — logging a call at a household or building and
 * routing it to the unit that holds the place, its acknowledgement, progress notes and
 * closing with an outcome, every step after the logging in call_steps, the tallies a
 * summary reads, and
 * the reads of one call, its steps and the calls of a subtree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "calls.h"
#include "calls_int.h"
#include "control/control.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"

static const char *const categories[CALLS_NCATEGORIES] = {
    "medicine", "food", "medical", "dialysis", "pregnancy", "transport", "mental", "other"};

const char *calls_category_name(int i)
{
	return i >= 0 && i < CALLS_NCATEGORIES ? categories[i] : NULL;
}

int calls__category_index(const char *s)
{
	for (int i = 0; s && i < CALLS_NCATEGORIES; i++)
		if (!strcmp(s, categories[i]))
			return i;
	return -1;
}

bool calls_category_valid(const char *s)
{
	return calls__category_index(s) >= 0;
}

bool calls_priority_valid(const char *s)
{
	return s && (!strcmp(s, "urgent") || !strcmp(s, "normal"));
}

int calls_state_parse(const char *s, int *state)
{
	static const char *const names[] = {"open", "overdue", "closed"};
	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, names[i])) {
			*state = i;
			return 0;
		}
	return MU_EINVAL;
}

/* ---- tallies and times ---------------------------------------------------------------- */

/* One upsert for every place on a path, one statement for each length of path: a
 * statement per place cost a statement's start and end eight times a call. The category,
 * open and overdue are ?1..?3, the places ?4 on. */
#define TALLY_HEAD "INSERT INTO call_tallies(place_id, category, open, overdue) VALUES "
#define TALLY_TAIL                                                                                 \
	" ON CONFLICT(place_id, category) DO UPDATE SET open = open + excluded.open, "             \
	"overdue = overdue + excluded.overdue"
#define TALLY_ROWS1 "(?4, ?1, ?2, ?3)"
#define TALLY_ROWS2 TALLY_ROWS1 ", (?5, ?1, ?2, ?3)"
#define TALLY_ROWS3 TALLY_ROWS2 ", (?6, ?1, ?2, ?3)"
#define TALLY_ROWS4 TALLY_ROWS3 ", (?7, ?1, ?2, ?3)"
#define TALLY_ROWS5 TALLY_ROWS4 ", (?8, ?1, ?2, ?3)"
#define TALLY_ROWS6 TALLY_ROWS5 ", (?9, ?1, ?2, ?3)"
#define TALLY_ROWS7 TALLY_ROWS6 ", (?10, ?1, ?2, ?3)"
#define TALLY_ROWS8 TALLY_ROWS7 ", (?11, ?1, ?2, ?3)"
static const char *const sql_tally[PLACES_NLEVELS] = {
    TALLY_HEAD TALLY_ROWS1 TALLY_TAIL, TALLY_HEAD TALLY_ROWS2 TALLY_TAIL,
    TALLY_HEAD TALLY_ROWS3 TALLY_TAIL, TALLY_HEAD TALLY_ROWS4 TALLY_TAIL,
    TALLY_HEAD TALLY_ROWS5 TALLY_TAIL, TALLY_HEAD TALLY_ROWS6 TALLY_TAIL,
    TALLY_HEAD TALLY_ROWS7 TALLY_TAIL, TALLY_HEAD TALLY_ROWS8 TALLY_TAIL};
_Static_assert(PLACES_NLEVELS == 8, "one tally statement per length of path");

int calls__tally(struct db *d, const int64_t *path, int n, const char *category, int open,
		 int overdue)
{
	struct db_stmt *s;
	int rc;
	MU_ASSERT(n >= 0 && n <= PLACES_NLEVELS);
	if (n > CALLS_KEPT_LEVELS)
		n = CALLS_KEPT_LEVELS;
	if (n == 0)
		return 0;
	if ((rc = db_prepare(d, sql_tally[n - 1], &s)))
		return rc;
	db_bind_text_static(s, 1, category, -1);
	db_bind_i64(s, 2, open);
	db_bind_i64(s, 3, overdue);
	for (int i = 0; i < n; i++)
		db_bind_i64(s, 4 + i, path[i]);
	rc = calls__exec(s);
	db_stmt_done(s);
	return rc;
}

static const char sql_time[] =
    "INSERT INTO call_times(place_id, kind, day, secs, call_id) VALUES (?, ?, ?, ?, ?)";

int64_t calls__day(int64_t t)
{
	int64_t s = t + CALLS_TZ_OFFSET_S;
	return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}

/* Records the time to acknowledge (kind 0) or to close (kind 1) of call c, at, for
 * every place on its path down to the grid. */
static int record_time(struct db *d, const struct calls_call *c, int kind, int64_t at)
{
	int64_t path[PLACES_NLEVELS];
	int n = 0;
	struct db_stmt *s;
	int rc = places_path(d, c->place_id, path, &n);
	for (int i = 0; i < n && i < CALLS_KEPT_LEVELS && rc == 0; i++) {
		if ((rc = db_prepare(d, sql_time, &s)))
			break;
		db_bind_i64(s, 1, path[i]);
		db_bind_i64(s, 2, kind);
		db_bind_i64(s, 3, calls__day(at));
		db_bind_i64(s, 4, at - c->created_at > 0 ? at - c->created_at : 0);
		db_bind_i64(s, 5, c->id);
		rc = calls__exec(s);
		db_stmt_done(s);
	}
	return rc;
}

static const char sql_step[] =
    "INSERT INTO call_steps(call_id, kind, at, place_id, note, user_id) VALUES (?, ?, ?, ?, ?, ?)";

int calls__step(struct db *d, int64_t call, const char *kind, int64_t at, int64_t place,
		const char *note, int64_t user)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_step, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, call);
	db_bind_text_static(s, 2, kind, -1);
	db_bind_i64(s, 3, at);
	if (place)
		db_bind_i64(s, 4, place);
	if (note)
		db_bind_text_static(s, 5, note, -1);
	if (user)
		db_bind_i64(s, 6, user);
	rc = calls__exec(s);
	db_stmt_done(s);
	return rc;
}

/* ---- logging ------------------------------------------------------------------------- */

/* The unit of a place whose path is path[0..n): its grid when a three-person group holds
 * the grid, else its community. */
static int route(struct db *d, const int64_t *path, int n, int64_t *unit)
{
	int64_t group = 0;
	MU_ASSERT(n > PLACES_GRID);
	int rc = control_group_of_grid(d, path[PLACES_GRID], &group);
	if (rc == MU_ENOTFOUND) {
		group = 0;
		rc = 0;
	}
	*unit = group ? path[PLACES_GRID] : path[PLACES_COMMUNITY];
	return rc;
}

static bool text_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 1 && n <= CALLS_TEXT_MAX && mu_utf8_valid(s, n);
}

static const char sql_insert[] =
    "INSERT INTO calls(place_id, person_id, category, priority, text, phone, unit_id, level_id, "
    "wartime, allowance, first_due, due, next_at, created_at, user_id, district_id, street_id, "
    "community_id, grid_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* What calls_call_get would read back of the call just inserted as id (phone sealed,
 * so left empty as calls_call_get leaves it without keys): every column is known here,
 * and the read was a primary-key search per call on the writer. */
static void fill_new(struct calls_call *c, int64_t id, const struct calls_new *in, int64_t unit,
		     bool war, int64_t allowance, int64_t now)
{
	memset(c, 0, sizeof *c);
	c->id = id;
	c->place_id = in->place_id;
	c->person_id = in->person_id;
	c->unit_id = unit;
	c->level_id = unit;
	c->user_id = in->user_id;
	snprintf(c->category, sizeof c->category, "%s", in->category);
	snprintf(c->priority, sizeof c->priority, "%s", in->priority);
	snprintf(c->text, sizeof c->text, "%s", in->text);
	c->wartime = war;
	c->allowance = allowance;
	c->first_due = now + allowance;
	c->due = now + allowance;
	c->created_at = now;
}

int calls_call_log(struct db *d, const struct people_keys *k, const struct calls_new *in,
		   int64_t now, struct calls_call *out, struct mu_why *why)
{
	int64_t path[PLACES_NLEVELS], unit = 0, allowance = 0;
	int n = 0, rc;
	bool war = false;
	unsigned char sealed[PEOPLE_TEXT_SEALED(CALLS_PHONE_MAX)];
	size_t sealed_len = 0;
	struct db_stmt *s;
	mu_why_clear(why);
	if (!calls_category_valid(in->category))
		return mu_why_set(why, MU_EINVAL, "category",
				  "category is medicine, food, medical, dialysis, pregnancy, "
				  "transport, mental or other");
	if (!calls_priority_valid(in->priority))
		return mu_why_set(why, MU_EINVAL, "priority", "priority is urgent or normal");
	if (!text_ok(in->text))
		return mu_why_set(why, MU_EINVAL, "text", "the text is 1 to %d bytes of UTF-8",
				  CALLS_TEXT_MAX);
	if (in->phone && strlen(in->phone) > CALLS_PHONE_MAX)
		return mu_why_set(why, MU_EINVAL, "phone", "a phone is at most %d characters",
				  CALLS_PHONE_MAX);
	/* The path alone (no node read): a place's level is its depth. */
	if ((rc = places_path(d, in->place_id, path, &n)))
		return rc == MU_ENOTFOUND ? mu_why_set(why, rc, "place", "no place has this id")
					  : rc;
	if (n - 1 != PLACES_HOUSEHOLD && n - 1 != PLACES_BUILDING)
		return mu_why_set(why, MU_EINVAL, "place",
				  "a call comes from a household or a building");
	if ((rc = route(d, path, n, &unit)) ||
	    (rc = calls__wartime_of_path(d, path, n, now, &war, NULL)) ||
	    (rc = calls_deadline_get(d, in->category, in->priority, war, &allowance)))
		return rc;
	if (in->phone && in->phone[0] &&
	    (rc = people_text_seal(k, CALLS__PHONE_CONTEXT, in->phone, sealed, sizeof sealed,
				   &sealed_len)))
		return mu_why_set(why, rc, "phone", "the phone could not be sealed");
	if ((rc = db_prepare(d, sql_insert, &s)))
		return rc;
	db_bind_i64(s, 1, in->place_id);
	if (in->person_id)
		db_bind_i64(s, 2, in->person_id);
	db_bind_text_static(s, 3, in->category, -1);
	db_bind_text_static(s, 4, in->priority, -1);
	db_bind_text_static(s, 5, in->text, -1);
	if (sealed_len)
		db_bind_blob(s, 6, sealed, (int)sealed_len);
	db_bind_i64(s, 7, unit);
	db_bind_i64(s, 8, unit);
	db_bind_i64(s, 9, war);
	db_bind_i64(s, 10, allowance);
	db_bind_i64(s, 11, now + allowance);
	db_bind_i64(s, 12, now + allowance);
	db_bind_i64(s, 13, now + allowance);
	db_bind_i64(s, 14, now);
	if (in->user_id)
		db_bind_i64(s, 15, in->user_id);
	for (int i = PLACES_DISTRICT; i <= PLACES_GRID; i++)
		db_bind_i64(s, 16 + i - PLACES_DISTRICT, path[i]);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc < 0)
		return rc == MU_EINVAL ? mu_why_set(why, rc, "person", "no person has this id")
				       : rc;
	/* No 'logged' step row: the call's own row says when, where and by whom (an insert
	 * and its index entry less per call on the writer). */
	int64_t id = db_last_insert_id(d);
	if ((rc = calls__tally(d, path, n, in->category, 1, 0)))
		return rc;
	if (out)
		fill_new(out, id, in, unit, war, allowance, now);
	return 0;
}

/* ---- reading --------------------------------------------------------------------------- */

#define CALL_COLS                                                                                  \
	"id, place_id, COALESCE(person_id, 0), unit_id, level_id, COALESCE(user_id, 0), "          \
	"category, priority, text, COALESCE(outcome, ''), wartime, overdue, closed, allowance, "   \
	"first_due, due, created_at, COALESCE(acked_at, 0), COALESCE(closed_at, 0), phone"

static const char sql_get[] = "SELECT " CALL_COLS " FROM calls WHERE id = ?";

static void snap(char *out, size_t n, const char *v)
{
	snprintf(out, n, "%s", v);
}

/* Reads the row at s (CALL_COLS) into c; the phone stays sealed. */
static void read_row(struct db_stmt *s, struct calls_call *c)
{
	c->id = db_col_i64(s, 0);
	c->place_id = db_col_i64(s, 1);
	c->person_id = db_col_i64(s, 2);
	c->unit_id = db_col_i64(s, 3);
	c->level_id = db_col_i64(s, 4);
	c->user_id = db_col_i64(s, 5);
	snap(c->category, sizeof c->category, db_col_text(s, 6));
	snap(c->priority, sizeof c->priority, db_col_text(s, 7));
	snap(c->text, sizeof c->text, db_col_text(s, 8));
	snap(c->outcome, sizeof c->outcome, db_col_text(s, 9));
	c->wartime = db_col_i64(s, 10) != 0;
	c->overdue = db_col_i64(s, 11) != 0;
	c->closed = db_col_i64(s, 12) != 0;
	c->allowance = db_col_i64(s, 13);
	c->first_due = db_col_i64(s, 14);
	c->due = db_col_i64(s, 15);
	c->created_at = db_col_i64(s, 16);
	c->acked_at = db_col_i64(s, 17);
	c->closed_at = db_col_i64(s, 18);
	c->phone[0] = '\0';
}

int calls_call_get(struct db *d, const struct people_keys *k, int64_t id, struct calls_call *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_get, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		read_row(s, out);
		rc = 0;
		if (k && !db_col_null(s, 19))
			rc = people_text_open(k, CALLS__PHONE_CONTEXT, db_col_blob(s, 19),
					      db_col_bytes(s, 19), out->phone, sizeof out->phone);
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

static const char sql_logged[] =
    "SELECT created_at, unit_id, COALESCE(user_id, 0) FROM calls WHERE id = ?";
static const char sql_steps[] =
    "SELECT id, kind, at, COALESCE(place_id, 0), note, COALESCE(user_id, 0) FROM call_steps "
    "WHERE call_id = ? ORDER BY id";

int calls_step_list(struct db *d, int64_t call, int (*fn)(const struct calls_step *s, void *ctx),
		    void *ctx)
{
	struct db_stmt *s;
	struct calls_step logged = {.kind = "logged"};
	int rc = db_prepare(d, sql_logged, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, call);
	rc = db_step(s);
	if (rc == DB_ROW) {
		logged.at = db_col_i64(s, 0);
		logged.place_id = db_col_i64(s, 1);
		logged.user_id = db_col_i64(s, 2);
	}
	db_stmt_done(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? MU_ENOTFOUND : rc;
	if ((rc = fn(&logged, ctx)))
		return rc;
	if ((rc = db_prepare(d, sql_steps, &s)))
		return rc;
	db_bind_i64(s, 1, call);
	while ((rc = db_step(s)) == DB_ROW) {
		struct calls_step st = {.id = db_col_i64(s, 0),
					.kind = db_col_text(s, 1),
					.at = db_col_i64(s, 2),
					.place_id = db_col_i64(s, 3),
					.note = db_col_null(s, 4) ? NULL : db_col_text(s, 4),
					.user_id = db_col_i64(s, 5)};
		if ((rc = fn(&st, ctx)))
			break;
	}
	db_stmt_done(s);
	return rc < 0 || rc > 0 ? rc : 0;
}

/* One list per level that has a path column (district … grid), and one for the whole
 * city; each in two states: not closed / closed, and overdue. */
#define LIST_SQL(col)                                                                              \
	{                                                                                          \
		"SELECT " CALL_COLS " FROM calls WHERE " col " = ? AND closed = ? AND id < ? "     \
		"ORDER BY id DESC",                                                                \
		    "SELECT " CALL_COLS " FROM calls WHERE " col                                   \
		    " = ? AND overdue = 1 AND id < ? "                                             \
		    "ORDER BY id DESC"                                                             \
	}
static const char *const sql_lists[5][2] = {
    {"SELECT " CALL_COLS " FROM calls WHERE ? > 0 AND closed = ? AND id < ? ORDER BY id DESC",
     "SELECT " CALL_COLS " FROM calls WHERE ? > 0 AND overdue = 1 AND id < ? ORDER BY id DESC"},
    LIST_SQL("district_id"),
    LIST_SQL("street_id"),
    LIST_SQL("community_id"),
    LIST_SQL("grid_id"),
};

int calls_call_list(struct db *d, int64_t place, int state, int64_t before,
		    int (*fn)(const struct calls_call *c, void *ctx), void *ctx)
{
	struct places_node node;
	int64_t path[PLACES_NLEVELS];
	int n = 0;
	struct db_stmt *s;
	struct calls_call *c = NULL;
	int rc = places_get(d, place, &node);
	if (rc || (rc = places_path(d, place, path, &n)))
		return rc;
	/* Below a grid: the grid's list, each call's path checked for the place. */
	int level = node.level < PLACES_GRID ? node.level : PLACES_GRID;
	const char *sql = sql_lists[level][state == CALLS_STATE_OVERDUE];
	if ((rc = db_prepare(d, sql, &s)))
		return rc;
	c = mu_xmalloc(sizeof *c);
	int i = 1;
	db_bind_i64(s, i++, level == PLACES_CITY ? 1 : path[level]);
	if (state != CALLS_STATE_OVERDUE)
		db_bind_i64(s, i++, state == CALLS_STATE_CLOSED);
	db_bind_i64(s, i, before > 0 ? before : INT64_MAX);
	while ((rc = db_step(s)) == DB_ROW) {
		read_row(s, c);
		if (node.level > PLACES_GRID) {
			bool in = false;
			if ((rc = places_is_within(d, c->place_id, place, &in)))
				break;
			if (!in)
				continue;
		}
		if ((rc = fn(c, ctx)))
			break;
	}
	db_stmt_done(s);
	free(c);
	return rc < 0 || rc > 0 ? rc : 0;
}

/* ---- steps of the holder ------------------------------------------------------------------ */

static const char sql_ack[] =
    "UPDATE calls SET acked_at = ?, next_at = NULL, overdue = 0 WHERE id = ?";

/* Acknowledges c (read, open, not acknowledged) at now: its tallies lose an overdue. */
static int ack(struct db *d, struct calls_call *c, int64_t user, int64_t now)
{
	struct db_stmt *s;
	int64_t path[PLACES_NLEVELS];
	int n = 0;
	int rc = db_prepare(d, sql_ack, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, now);
	db_bind_i64(s, 2, c->id);
	rc = calls__exec(s);
	db_stmt_done(s);
	if (rc == 0 && c->overdue && (rc = places_path(d, c->place_id, path, &n)) == 0)
		rc = calls__tally(d, path, n, c->category, 0, -1);
	if (rc == 0)
		rc = calls__step(d, c->id, "acknowledged", now, c->level_id, NULL, user);
	if (rc == 0)
		rc = record_time(d, c, 0, now);
	c->acked_at = now;
	c->overdue = false;
	return rc;
}

int calls_call_ack(struct db *d, int64_t id, int64_t user, int64_t now)
{
	struct calls_call *c = mu_xmalloc(sizeof *c);
	int rc = calls_call_get(d, NULL, id, c);
	if (rc == 0 && (c->closed || c->acked_at))
		rc = MU_EEXIST;
	if (rc == 0)
		rc = ack(d, c, user, now);
	free(c);
	return rc;
}

int calls_call_progress(struct db *d, int64_t id, int64_t user, const char *note, int64_t now)
{
	struct calls_call *c;
	int rc;
	if (!text_ok(note))
		return MU_EINVAL;
	c = mu_xmalloc(sizeof *c);
	rc = calls_call_get(d, NULL, id, c);
	if (rc == 0 && c->closed)
		rc = MU_EEXIST;
	if (rc == 0)
		rc = calls__step(d, id, "progress", now, c->level_id, note, user);
	free(c);
	return rc;
}

static const char sql_close[] =
    "UPDATE calls SET closed = 1, closed_at = ?, outcome = ?, next_at = NULL, overdue = 0 "
    "WHERE id = ?";

int calls_close(struct db *d, int64_t id, const char *outcome, int64_t user, int64_t now)
{
	struct calls_call *c;
	struct db_stmt *s;
	int64_t path[PLACES_NLEVELS];
	int n = 0, rc;
	if (!text_ok(outcome))
		return MU_EINVAL;
	c = mu_xmalloc(sizeof *c);
	rc = calls_call_get(d, NULL, id, c);
	if (rc == 0 && c->closed)
		rc = MU_EEXIST;
	/* Whoever closes a call has answered it: one not yet acknowledged is acknowledged
	 * now, so that the time to acknowledge of every closed call is known. */
	if (rc == 0 && !c->acked_at)
		rc = ack(d, c, user, now);
	if (rc == 0 && (rc = db_prepare(d, sql_close, &s)) == 0) {
		db_bind_i64(s, 1, now);
		db_bind_text_static(s, 2, outcome, -1);
		db_bind_i64(s, 3, id);
		rc = calls__exec(s);
		db_stmt_done(s);
	}
	if (rc == 0 && (rc = places_path(d, c->place_id, path, &n)) == 0)
		rc = calls__tally(d, path, n, c->category, -1, 0);
	if (rc == 0)
		rc = calls__step(d, id, "closed", now, c->level_id, outcome, user);
	if (rc == 0)
		rc = record_time(d, c, 1, now);
	free(c);
	return rc;
}
