/* wartime.c: the wartime switch's state (wartime_switches) — whether a place is in
 * wartime at a time, the switches of a district or the city, and their history. The
 * route and what forces do when a switch flips (standing shock teams, posts' duties) are
 * forces/'s; calls/ keeps the state because calls and orders shorten their deadlines
 * by it. */
#include <stdio.h>
#include <string.h>

#include "calls.h"
#include "calls_int.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

/* The latest switch on one place at or before a time: the index (place_id, at, id) read
 * backwards from its first row. One IN over the whole path with ORDER BY sorted its rows
 * in a temporary b-tree on every call, a third of the time of a logged call. */
static const char sql_latest[] =
    "SELECT is_on, at, id FROM wartime_switches WHERE place_id = ? AND at <= ?"
    " ORDER BY at DESC, id DESC LIMIT 1";
static const char sql_insert[] =
    "INSERT INTO wartime_switches (place_id, is_on, at, reason, user_id) VALUES (?, ?, ?, ?, ?)";
static const char sql_history[] =
    "SELECT id, place_id, is_on, at, reason, user_id FROM wartime_switches WHERE place_id = ?"
    " ORDER BY at DESC, id DESC";

int calls__wartime_of_path(struct db *d, const int64_t *path, int n, int64_t at, bool *on,
			   int64_t *since)
{
	int64_t best_at = 0, best_id = 0;
	bool found = false;
	int rc = 0;
	*on = false;
	if (since)
		*since = 0;
	/* Only the city and the districts switch (calls_wartime_set), and path[i] is at
	 * level i: the rungs below hold no switch to read. */
	if (n > PLACES_DISTRICT + 1)
		n = PLACES_DISTRICT + 1;
	for (int i = 0; i < n && rc == 0; i++) {
		struct db_stmt *s;
		if ((rc = db_prepare(d, sql_latest, &s)))
			return rc;
		db_bind_i64(s, 1, path[i]);
		db_bind_i64(s, 2, at);
		rc = db_step(s);
		if (rc == DB_ROW) {
			int64_t t = db_col_i64(s, 1), id = db_col_i64(s, 2);
			if (!found || t > best_at || (t == best_at && id > best_id)) {
				found = true;
				best_at = t;
				best_id = id;
				*on = db_col_i64(s, 0) != 0;
			}
		}
		db_stmt_done(s);
		rc = rc == DB_ROW || rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
	}
	if (rc == 0 && found && since)
		*since = best_at;
	return rc;
}

int calls_wartime_of(struct db *d, int64_t place_id, int64_t at, bool *on, int64_t *since)
{
	int64_t path[PLACES_NLEVELS];
	int np = 0;
	*on = false;
	if (since)
		*since = 0;
	int rc = places_path(d, place_id, path, &np);
	return rc ? rc : calls__wartime_of_path(d, path, np, at, on, since);
}

int calls_wartime_set(struct db *d, int64_t place_id, bool on, int64_t at, const char *reason,
		      int64_t user_id, int64_t *id, struct mu_why *why)
{
	struct places_node n;
	int rc = places_get(d, place_id, &n);
	if (rc == MU_ENOTFOUND)
		return mu_why_set(why, rc, "place", "no such place");
	if (rc)
		return rc;
	if (n.level != PLACES_CITY && n.level != PLACES_DISTRICT)
		return mu_why_set(why, MU_EINVAL, "place",
				  "only the city or a district switches to wartime, not a %s",
				  places_level_name(n.level));
	size_t len = reason ? strlen(reason) : 0;
	if (!len || !mu_utf8_valid(reason, len) || mu_utf8_len(reason, len) > CALLS_REASON_MAX)
		return mu_why_set(why, MU_EINVAL, "reason",
				  "reason must be 1 to %d characters of UTF-8", CALLS_REASON_MAX);
	/* A switch is recorded as it happens: never ahead of the clock (forces stand the
	 * teams up and put the posts on duty at once, which a state beginning later would
	 * contradict, and a later switch could not undo it before it began), and never
	 * before the latest switch over its path (the history runs forward). */
	bool now_on;
	int64_t latest;
	if (at > mu_now_unix())
		return mu_why_set(why, MU_EINVAL, "at", "a switch cannot be dated in the future");
	if ((rc = calls_wartime_of(d, place_id, INT64_MAX, &now_on, &latest)))
		return rc;
	if (latest && at < latest)
		return mu_why_set(why, MU_EINVAL, "at",
				  "a switch cannot be dated before the latest switch over %s",
				  n.name);
	if ((rc = calls_wartime_of(d, place_id, at, &now_on, NULL)))
		return rc;
	if (now_on == on)
		return mu_why_set(why, MU_EINVAL, "on", "%s is already %s", n.name,
				  on ? "in wartime" : "in normal mode");
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_insert, &s)))
		return rc;
	db_bind_i64(s, 1, place_id);
	db_bind_i64(s, 2, on ? 1 : 0);
	db_bind_i64(s, 3, at);
	db_bind_text(s, 4, reason, (int)len);
	if (user_id)
		db_bind_i64(s, 5, user_id);
	else
		db_bind_null(s, 5);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	if (id)
		*id = db_last_insert_id(d);
	return 0;
}

int calls_wartime_history(struct db *d, int64_t place_id,
			  int (*fn)(const struct calls_wartime_switch *s, void *ctx), void *ctx)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_history, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, place_id);
	while ((rc = db_step(s)) == DB_ROW) {
		struct calls_wartime_switch w = {.id = db_col_i64(s, 0),
						 .place_id = db_col_i64(s, 1),
						 .on = db_col_i64(s, 2) != 0,
						 .at = db_col_i64(s, 3),
						 .user_id = db_col_i64(s, 5)};
		const char *r = db_col_text(s, 4);
		snprintf(w.reason, sizeof w.reason, "%s", r ? r : "");
		if ((rc = fn(&w, ctx)) != 0)
			break;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}
