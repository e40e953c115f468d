/* orgs.c: organisations (tables orgs, org_members) — the kinds, adding and reading
 * them, a subtree's organisations a page at a time, and the place ancestors every forces
 * table keeps to find a subtree's rows by index. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "forces_int.h"

static const char *const kind_names[FORCES_NKINDS] = {
    "party_committee", "party_branch",	 "temporary_branch", "temporary_group",
    "shock_team",      "volunteer_team", "sampling_squad",   "hospital",
    "police_station",  "agency",	 "enterprise",	     "other"};

static const char *const duty_names[FORCES_NDUTIES] = {"sampling",   "patrol",	 "delivery",
						       "checkpoint", "transfer", "other"};

const char *forces_kind_name(int kind)
{
	return kind >= 0 && kind < FORCES_NKINDS ? kind_names[kind] : NULL;
}

int forces_kind_parse(const char *s, int *kind)
{
	for (int i = 0; s && i < FORCES_NKINDS; i++)
		if (!strcmp(s, kind_names[i])) {
			*kind = i;
			return 0;
		}
	return MU_EINVAL;
}

const char *forces_duty_name(int duty)
{
	return duty >= 0 && duty < FORCES_NDUTIES ? duty_names[duty] : NULL;
}

int forces_duty_parse(const char *s, int *duty)
{
	for (int i = 0; s && i < FORCES_NDUTIES; i++)
		if (!strcmp(s, duty_names[i])) {
			*duty = i;
			return 0;
		}
	return MU_EINVAL;
}

/* ---- a subtree's rows ------------------------------------------------------------------ */

int forces__anc_of(struct db *d, int64_t place, struct forces__anc *out)
{
	int64_t ids[PLACES_NLEVELS];
	int n, rc;
	struct places_node node;
	memset(out, 0, sizeof *out);
	if ((rc = places_get(d, place, &node)) || (rc = places_path(d, place, ids, &n)))
		return rc;
	out->level = node.level;
	/* The path runs from the root down, one place a level: ids[L] is at level L when the
	 * root is the city. A tree rooted lower is read level by level. */
	for (int i = 0; i < n; i++) {
		int level = node.level - (n - 1 - i);
		if (level == PLACES_DISTRICT)
			out->district = ids[i];
		else if (level == PLACES_STREET)
			out->street = ids[i];
		else if (level == PLACES_COMMUNITY)
			out->community = ids[i];
	}
	return 0;
}

int forces__scope(const struct forces__anc *a, int64_t place, int64_t *key, bool *exact)
{
	*exact = true;
	*key = place;
	switch (a->level) {
	case PLACES_CITY:
		*key = 0;
		return 0;
	case PLACES_DISTRICT:
		return 1;
	case PLACES_STREET:
		return 2;
	case PLACES_COMMUNITY:
		return 3;
	default:
		*key = a->community;
		*exact = false;
		return 3;
	}
}

void forces__bind_anc(struct db_stmt *st, int i, const struct forces__anc *a)
{
	const int64_t v[3] = {a->district, a->street, a->community};
	for (int k = 0; k < 3; k++) {
		if (v[k])
			db_bind_i64(st, i + k, v[k]);
		else
			db_bind_null(st, i + k);
	}
}

/* ---- organisations ------------------------------------------------------------------------ */

#define ORG_COLS "id, kind, name, place_id, parent_id, created_at, standing, active, members"

static int read_org(struct db_stmt *st, struct forces_org *o)
{
	memset(o, 0, sizeof *o);
	o->id = db_col_i64(st, 0);
	if (forces_kind_parse(db_col_text(st, 1), &o->kind))
		o->kind = FORCES_OTHER;
	snprintf(o->name, sizeof o->name, "%s", db_col_text(st, 2));
	o->place_id = db_col_i64(st, 3);
	o->parent_id = db_col_i64(st, 4);
	o->created_at = db_col_i64(st, 5);
	o->standing = db_col_i64(st, 6) != 0;
	o->active = db_col_i64(st, 7) != 0;
	o->members = db_col_i64(st, 8);
	return 0;
}

static const char sql_org_add[] =
    "INSERT INTO orgs(kind, name, place_id, parent_id, created_at, standing, active, "
    "district_id, street_id, community_id) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)";

int forces_org_add(struct db *d, struct forces_org *o, struct mu_why *why)
{
	struct forces__anc a;
	struct forces_org parent;
	struct db_stmt *st = NULL;
	int rc;
	if (!forces_kind_name(o->kind))
		return mu_why_set(why, MU_EINVAL, "kind", "not a kind of organisation");
	if ((rc = places_name_check(o->name, why)))
		return rc;
	if ((rc = forces__anc_of(d, o->place_id, &a)))
		return rc == MU_ENOTFOUND ? mu_why_set(why, rc, "place", "no place has this id")
					  : rc;
	if (o->parent_id && (rc = forces_org_get(d, o->parent_id, &parent)))
		return rc == MU_ENOTFOUND
			   ? mu_why_set(why, rc, "parent", "no organisation has this id")
			   : rc;
	if ((rc = db_prepare(d, sql_org_add, &st)))
		return rc;
	db_bind_text(st, 1, forces_kind_name(o->kind), -1);
	db_bind_text(st, 2, o->name, -1);
	db_bind_i64(st, 3, o->place_id);
	if (o->parent_id)
		db_bind_i64(st, 4, o->parent_id);
	else
		db_bind_null(st, 4);
	db_bind_i64(st, 5, o->created_at);
	db_bind_i64(st, 6, o->standing ? 1 : 0);
	forces__bind_anc(st, 7, &a);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	o->id = db_last_insert_id(d);
	o->active = true;
	o->members = 0;
	return 0;
}

static const char sql_org_get[] = "SELECT " ORG_COLS " FROM orgs WHERE id = ?";

int forces_org_get(struct db *d, int64_t id, struct forces_org *out)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(d, sql_org_get, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		rc = read_org(st, out);
	else if (rc == DB_DONE)
		rc = MU_ENOTFOUND;
	db_stmt_done(st);
	return rc;
}

static const char sql_org_find[] =
    "SELECT " ORG_COLS " FROM orgs WHERE kind = ? AND name = ? ORDER BY id LIMIT 1";

int forces_org_find(struct db *d, int kind, const char *name, struct forces_org *out)
{
	struct db_stmt *st = NULL;
	int rc;
	if (!forces_kind_name(kind))
		return MU_EINVAL;
	if ((rc = db_prepare(d, sql_org_find, &st)))
		return rc;
	db_bind_text(st, 1, forces_kind_name(kind), -1);
	db_bind_text(st, 2, name, -1);
	rc = db_step(st);
	if (rc == DB_ROW)
		rc = read_org(st, out);
	else if (rc == DB_DONE)
		rc = MU_ENOTFOUND;
	db_stmt_done(st);
	return rc;
}

/* A subtree's organisations by id: one statement per filter level (forces__scope). The
 * kind is bound as text or NULL for any. */
static const char *const sql_org_list[4] = {
    "SELECT " ORG_COLS " FROM orgs WHERE id > ?1 AND (?2 IS NULL OR kind = ?2) "
    "AND ?3 = 0 ORDER BY id",
    "SELECT " ORG_COLS " FROM orgs WHERE district_id = ?3 AND id > ?1 "
    "AND (?2 IS NULL OR kind = ?2) ORDER BY id",
    "SELECT " ORG_COLS " FROM orgs WHERE street_id = ?3 AND id > ?1 "
    "AND (?2 IS NULL OR kind = ?2) ORDER BY id",
    "SELECT " ORG_COLS " FROM orgs WHERE community_id = ?3 AND id > ?1 "
    "AND (?2 IS NULL OR kind = ?2) ORDER BY id",
};

int forces_org_list(struct db *d, int64_t place, int kind, int64_t after, int limit,
		    int (*fn)(const struct forces_org *o, void *ctx), void *ctx, int64_t *next)
{
	struct forces__anc a;
	struct forces_org o;
	struct db_stmt *st = NULL;
	int64_t key;
	bool exact;
	int n = 0, rc = forces__anc_of(d, place, &a);
	*next = 0;
	if (rc)
		return rc;
	int which = forces__scope(&a, place, &key, &exact);
	if ((rc = db_prepare(d, sql_org_list[which], &st)))
		return rc;
	db_bind_i64(st, 1, after);
	if (kind >= 0)
		db_bind_text(st, 2, forces_kind_name(kind), -1);
	else
		db_bind_null(st, 2);
	db_bind_i64(st, 3, key);
	while ((rc = db_step(st)) == DB_ROW) {
		read_org(st, &o);
		if (!exact) {
			bool in = false;
			if ((rc = places_is_within(d, o.place_id, place, &in)))
				break;
			if (!in)
				continue;
		}
		if (limit > 0 && n == limit) {
			*next = after;
			break;
		}
		if ((rc = fn(&o, ctx)))
			break;
		after = o.id;
		n++;
	}
	db_stmt_done(st);
	return rc == DB_ROW ? 0 : rc;
}

/* ---- members ------------------------------------------------------------------------------- */

static const char sql_member_add[] =
    "INSERT INTO org_members(org_id, person_id, user_id, role, party, medic, police, from_org, "
    "added_at, username) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_member_count[] = "UPDATE orgs SET members = members + 1 WHERE id = ?";

static void bind_opt(struct db_stmt *st, int i, int64_t v)
{
	if (v)
		db_bind_i64(st, i, v);
	else
		db_bind_null(st, i);
}

int forces_member_add(struct db *d, struct forces_member *m, struct mu_why *why)
{
	struct db_stmt *st = NULL;
	struct forces_org o;
	size_t len = strlen(m->role);
	int rc;
	if (!len || len > FORCES_ROLE_MAX || !mu_utf8_valid(m->role, len))
		return mu_why_set(why, MU_EINVAL, "role", "a role is 1 to %d bytes of text",
				  FORCES_ROLE_MAX);
	if ((rc = forces_org_get(d, m->org_id, &o)))
		return rc == MU_ENOTFOUND
			   ? mu_why_set(why, rc, "org", "no organisation has this id")
			   : rc;
	if ((rc = db_prepare(d, sql_member_add, &st)))
		return rc;
	db_bind_i64(st, 1, m->org_id);
	bind_opt(st, 2, m->person_id);
	bind_opt(st, 3, m->user_id);
	db_bind_text(st, 4, m->role, -1);
	db_bind_i64(st, 5, m->party);
	db_bind_i64(st, 6, m->medic);
	db_bind_i64(st, 7, m->police);
	bind_opt(st, 8, m->from_org);
	db_bind_i64(st, 9, m->added_at);
	if (m->user_id && m->username[0])
		db_bind_text(st, 10, m->username, -1);
	else
		db_bind_null(st, 10);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc == MU_EEXIST)
		return mu_why_set(why, rc, m->person_id ? "person" : "user",
				  "already a member of this organisation");
	if (rc == MU_EINVAL)
		return mu_why_set(why, MU_ENOTFOUND, m->person_id ? "person" : "user",
				  "no such person or user");
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	m->id = db_last_insert_id(d);
	if ((rc = db_prepare(d, sql_member_count, &st)))
		return rc;
	db_bind_i64(st, 1, m->org_id);
	rc = db_step(st);
	db_stmt_done(st);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

static const char sql_member_list[] =
    "SELECT id, org_id, person_id, user_id, from_org, role, party, medic, police, added_at, "
    "username "
    "FROM org_members WHERE org_id = ? AND id > ? ORDER BY id";

int forces_member_list(struct db *d, int64_t org, int64_t after, int limit,
		       int (*fn)(const struct forces_member *m, void *ctx), void *ctx,
		       int64_t *next)
{
	struct db_stmt *st = NULL;
	struct forces_member m;
	int n = 0, rc = db_prepare(d, sql_member_list, &st);
	if (next)
		*next = 0;
	if (rc)
		return rc;
	db_bind_i64(st, 1, org);
	db_bind_i64(st, 2, after);
	while ((rc = db_step(st)) == DB_ROW) {
		if (limit > 0 && n == limit) {
			if (next)
				*next = after;
			break;
		}
		memset(&m, 0, sizeof m);
		m.id = db_col_i64(st, 0);
		m.org_id = db_col_i64(st, 1);
		m.person_id = db_col_i64(st, 2);
		m.user_id = db_col_i64(st, 3);
		m.from_org = db_col_i64(st, 4);
		snprintf(m.role, sizeof m.role, "%s", db_col_text(st, 5));
		m.party = db_col_i64(st, 6) != 0;
		m.medic = db_col_i64(st, 7) != 0;
		m.police = db_col_i64(st, 8) != 0;
		m.added_at = db_col_i64(st, 9);
		if (!db_col_null(st, 10))
			snprintf(m.username, sizeof m.username, "%s", db_col_text(st, 10));
		if ((rc = fn(&m, ctx)))
			break;
		after = m.id;
		n++;
	}
	db_stmt_done(st);
	return rc == DB_ROW ? 0 : rc;
}
