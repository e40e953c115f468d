/* wartime.c: forces' side of the wartime switch — calls_wartime_set records the switch
 * (calls/ owns it); in the same transaction the standing shock team of every street
 * under the place is created the first time and made active exactly while its street
 * is in wartime. Also the posts' duty mode and the forces figures of the wartime board
 * (teams deployed now, person-times today). */
#include <stdio.h>
#include <string.h>

#include "calls/calls.h"
#include "core/core.h"
#include "db/db.h"
#include "forces.h"
#include "places/places.h"

#define STANDING_SUFFIX "常备突击队"

int forces_post_wartime(struct db *d, const struct forces_post *p, int64_t at, bool *on)
{
	return calls_wartime_of(d, p->place_id, at, on, NULL);
}

static const char sql_team[] = "SELECT id, active FROM orgs WHERE place_id = ? AND"
			       " kind = 'shock_team' AND standing = 1 ORDER BY id LIMIT 1";
static const char sql_team_add[] =
    "INSERT INTO orgs (kind, name, place_id, parent_id, created_at, standing, active,"
    " district_id, street_id, community_id, members)"
    " VALUES ('shock_team', ?, ?, NULL, ?, 1, 1, ?, ?, NULL, 0)";
static const char sql_team_set[] = "UPDATE orgs SET active = ? WHERE id = ?";

struct teams {
	struct db *d;
	int64_t at;
	struct forces_wartime_teams *out;
};

/* The street's standing team follows its street's mode at the switch's time: another
 * switch above it (the city's) may keep it in wartime when its district stands down. */
static int street_team(const struct places_ref *ref, void *ctx)
{
	struct teams *t = ctx;
	struct db_stmt *st;
	struct places_node street;
	bool war = false, found;
	int64_t id = 0, active = 0;
	int rc = calls_wartime_of(t->d, ref->id, t->at, &war, NULL);
	if (rc || (rc = db_prepare(t->d, sql_team, &st)))
		return rc;
	db_bind_i64(st, 1, ref->id);
	rc = db_step(st);
	found = rc == DB_ROW;
	if (found) {
		id = db_col_i64(st, 0);
		active = db_col_i64(st, 1);
	}
	db_stmt_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	t->out->streets++;
	if (!found && war) {
		if ((rc = places_get(t->d, ref->id, &street)) ||
		    (rc = db_prepare(t->d, sql_team_add, &st)))
			return rc;
		char name[sizeof street.name + sizeof STANDING_SUFFIX];
		snprintf(name, sizeof name, "%s%s", street.name, STANDING_SUFFIX);
		db_bind_text(st, 1, name, -1);
		db_bind_i64(st, 2, ref->id);
		db_bind_i64(st, 3, t->at);
		db_bind_i64(st, 4, ref->parent_id);
		db_bind_i64(st, 5, ref->id);
		rc = db_step(st);
		db_stmt_done(st);
		if (rc != DB_DONE)
			return rc;
		t->out->created++;
		t->out->active++;
		return 0;
	}
	if (found && (active != 0) != war) {
		if ((rc = db_prepare(t->d, sql_team_set, &st)))
			return rc;
		db_bind_i64(st, 1, war);
		db_bind_i64(st, 2, id);
		rc = db_step(st);
		db_stmt_done(st);
		if (rc != DB_DONE)
			return rc;
		if (war)
			t->out->activated++;
		else
			t->out->stood_down++;
	}
	if (found && war)
		t->out->active++;
	return 0;
}

int forces_wartime_switch(struct db *d, const struct forces_wartime_change *c,
			  struct forces_wartime_teams *out, struct mu_why *why)
{
	struct teams t = {.d = d, .at = c->at, .out = out};
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = db_tx_begin(d)))
		return rc;
	rc = calls_wartime_set(d, c->place_id, c->on, c->at, c->reason, c->user_id, &out->switch_id,
			       why);
	if (rc == 0)
		rc = places_level_walk(d, c->place_id, PLACES_STREET, street_team, &t);
	if (rc) {
		db_tx_rollback(d);
		return rc;
	}
	return db_tx_commit(d);
}

/* ---- the board's forces figures ---------------------------------------------------- */

/* Deployments of a subtree: ?1 the level column to match (0 all, 1 district, 2 street,
 * 3 community, 4 the place itself), ?2 the place. */
#define DEPLOY_SCOPE                                                                               \
	"(?1 = 0 OR (?1 = 1 AND district_id = ?2) OR (?1 = 2 AND street_id = ?2) OR"               \
	" (?1 = 3 AND community_id = ?2) OR (?1 = 4 AND place_id = ?2))"
static const char sql_teams_now[] =
    "SELECT count(DISTINCT org_id) FROM deployments WHERE " DEPLOY_SCOPE
    " AND org_id IS NOT NULL AND from_at <= ?3 AND to_at > ?3";
static const char sql_person_times[] =
    "SELECT coalesce(sum(people), 0) FROM deployments WHERE " DEPLOY_SCOPE " AND day = ?4";

static int deploy_count(struct db *d, const char *sql, int scope, int64_t place, int64_t now,
			const char *day, int64_t *out)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, scope);
	db_bind_i64(st, 2, place);
	db_bind_i64(st, 3, now);
	if (day)
		db_bind_text(st, 4, day, -1);
	rc = db_step(st);
	*out = rc == DB_ROW ? db_col_i64(st, 0) : 0;
	db_stmt_done(st);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? 0 : rc;
}

int forces_wartime_board(struct db *d, int64_t place_id, int64_t now,
			 struct forces_wartime_board *out)
{
	struct places_node node;
	struct calls_summary cs;
	char day[11], path[CALLS_PATH_MAX];
	int rc = places_get(d, place_id, &node);
	memset(out, 0, sizeof *out);
	if (rc || (rc = calls_summary_get(d, place_id, now, &cs)) ||
	    (rc = calls_place_path(d, place_id, path)) ||
	    (rc = calls_order_unacknowledged(d, path, &out->orders_unacknowledged)))
		return rc;
	out->calls_open = cs.open;
	out->calls_overdue = cs.overdue;
	int scope = node.level <= PLACES_COMMUNITY ? node.level : 4;
	/* Guangzhou's day: China Standard Time, UTC+8 all year */
	mu_date_format((now + 8 * 3600) / 86400, day);
	if ((rc = deploy_count(d, sql_teams_now, scope, place_id, now, NULL, &out->teams_deployed)))
		return rc;
	return deploy_count(d, sql_person_times, scope, place_id, now, day,
			    &out->person_times_today);
}
