/* deploy.c: deployments (tables deployments, deployment_people) — sending a team or
 * people to a place for a shift, checking them in and out, who is where now, and a
 * squad raised from hospitals and sent to several places at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "forces_int.h"

/* Guangzhou keeps China Standard Time (UTC+8, no daylight saving). */
#define CITY_TZ_OFFSET_S (8 * 3600)

int64_t forces_day_of(int64_t t)
{
	int64_t s = t + CITY_TZ_OFFSET_S;
	return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}

void forces_split(int64_t total, size_t n, int64_t *shares)
{
	for (size_t i = 0; i < n; i++)
		shares[i] = total / (int64_t)n + ((int64_t)i < total % (int64_t)n ? 1 : 0);
}

static const char sql_dep_add[] =
    "INSERT INTO deployments(org_id, place_id, from_at, to_at, duty, created_at, user_id, day, "
    "people, district_id, street_id, community_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)";
static const char sql_dep_people[] = "UPDATE deployments SET people = ? WHERE id = ?";
static const char sql_day_add[] =
    "INSERT INTO deployment_days(day, org_id, street_id, district_id, people, shifts) "
    "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT(day, org_id, street_id) DO UPDATE SET "
    "people = people + excluded.people, shifts = shifts + 1";
static const char sql_on_add[] =
    "INSERT INTO deployment_people(deployment_id, member_id, person_id, user_id) "
    "VALUES (?, ?, ?, ?)";
static const char sql_member_of[] =
    "SELECT org_id, person_id, user_id FROM org_members WHERE id = ?";
static const char sql_all_members[] =
    "SELECT id, person_id, user_id FROM org_members WHERE org_id = ? ORDER BY id";
static const char sql_on_person[] =
    "SELECT 1 FROM deployment_people WHERE deployment_id = ? AND person_id = ?";

static void bind_opt(struct db_stmt *st, int i, int64_t v)
{
	if (v)
		db_bind_i64(st, i, v);
	else
		db_bind_null(st, i);
}

static int on_add(struct db *d, int64_t dep, int64_t member, int64_t person, int64_t user)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(d, sql_on_add, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, dep);
	bind_opt(st, 2, member);
	bind_opt(st, 3, person);
	bind_opt(st, 4, user);
	rc = db_step(st);
	db_stmt_done(st);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

/* One listed member of org onto the shift: MU_EINVAL (why "members") for a member of
 * another organisation. */
static int member_on(struct db *d, int64_t dep, int64_t org, int64_t member, struct mu_why *why)
{
	struct db_stmt *st = NULL;
	int64_t of = 0, person = 0, user = 0;
	int rc = db_prepare(d, sql_member_of, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, member);
	rc = db_step(st);
	if (rc == DB_ROW) {
		of = db_col_i64(st, 0);
		person = db_col_i64(st, 1);
		user = db_col_i64(st, 2);
		rc = 0;
	}
	db_stmt_done(st);
	if (rc)
		return rc == DB_DONE ? mu_why_set(why, MU_EINVAL, "members",
						  "member %lld is no member of the organisation",
						  (long long)member)
				     : rc;
	if (of != org)
		return mu_why_set(why, MU_EINVAL, "members",
				  "member %lld is no member of the organisation",
				  (long long)member);
	return on_add(d, dep, member, person, user);
}

/* Every member of org onto the shift; *n how many. */
static int all_on(struct db *d, int64_t dep, int64_t org, int64_t *n)
{
	struct db_stmt *st = NULL;
	struct ids {
		int64_t id, person, user;
	} *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc = db_prepare(d, sql_all_members, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, org);
	while ((rc = db_step(st)) == DB_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			v = mu_xrealloc(v, cap * sizeof *v);
		}
		v[cnt].id = db_col_i64(st, 0);
		v[cnt].person = db_col_i64(st, 1);
		v[cnt].user = db_col_i64(st, 2);
		cnt++;
	}
	db_stmt_done(st);
	for (size_t i = 0; rc == DB_DONE && i < cnt; i++)
		if (on_add(d, dep, v[i].id, v[i].person, v[i].user))
			rc = MU_EDB;
	free(v);
	*n = (int64_t)cnt;
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

int forces_deploy(struct db *d, struct forces_deployment *dp, const int64_t *members,
		  size_t n_members, const int64_t *persons, size_t n_persons, struct mu_why *why)
{
	struct forces__anc a;
	struct forces_org org;
	struct db_stmt *st = NULL;
	char day[11];
	int rc;
	dp->people = 0;
	if (!forces_duty_name(dp->duty))
		return mu_why_set(why, MU_EINVAL, "duty", "not a duty");
	if (!dp->from_at)
		return mu_why_set(why, MU_EINVAL, "from", "a shift needs its start");
	if (dp->to_at <= dp->from_at)
		return mu_why_set(why, MU_EINVAL, "to", "a shift ends after it starts");
	if (dp->org_id && n_persons)
		return mu_why_set(why, MU_EINVAL, "people",
				  "send an organisation or people, not both");
	if (!dp->org_id && !n_persons)
		return mu_why_set(why, MU_EINVAL, "people", "nobody to send");
	if (n_members + n_persons > FORCES_DEPLOY_MAX)
		return mu_why_set(why, MU_EINVAL, n_persons ? "people" : "members",
				  "at most %d people on a shift", FORCES_DEPLOY_MAX);
	if (dp->org_id && (rc = forces_org_get(d, dp->org_id, &org)))
		return rc == MU_ENOTFOUND
			   ? mu_why_set(why, rc, "org", "no organisation has this id")
			   : rc;
	if ((rc = forces__anc_of(d, dp->place_id, &a)))
		return rc == MU_ENOTFOUND ? mu_why_set(why, rc, "place", "no place has this id")
					  : rc;
	mu_date_format(forces_day_of(dp->from_at), day);
	if ((rc = db_prepare(d, sql_dep_add, &st)))
		return rc;
	bind_opt(st, 1, dp->org_id);
	db_bind_i64(st, 2, dp->place_id);
	db_bind_i64(st, 3, dp->from_at);
	db_bind_i64(st, 4, dp->to_at);
	db_bind_text(st, 5, forces_duty_name(dp->duty), -1);
	db_bind_i64(st, 6, dp->created_at);
	bind_opt(st, 7, dp->user_id);
	db_bind_text(st, 8, day, -1);
	forces__bind_anc(st, 9, &a);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	dp->id = db_last_insert_id(d);
	if (dp->org_id && !n_members) {
		if ((rc = all_on(d, dp->id, dp->org_id, &dp->people)))
			return rc;
		if (!dp->people)
			return mu_why_set(why, MU_EINVAL, "org", "the organisation has no members");
	}
	for (size_t i = 0; i < n_members; i++) {
		if ((rc = member_on(d, dp->id, dp->org_id, members[i], why)))
			return rc;
		dp->people++;
	}
	for (size_t i = 0; i < n_persons; i++) {
		bool twice = false;
		if ((rc = db_prepare(d, sql_on_person, &st)))
			return rc;
		db_bind_i64(st, 1, dp->id);
		db_bind_i64(st, 2, persons[i]);
		rc = db_step(st);
		twice = rc == DB_ROW;
		db_stmt_done(st);
		if (rc < 0)
			return rc;
		if (twice)
			return mu_why_set(why, MU_EINVAL, "people", "person %lld is listed twice",
					  (long long)persons[i]);
		if ((rc = on_add(d, dp->id, 0, persons[i], 0)))
			return rc == MU_EDB || rc == MU_EINVAL
				   ? mu_why_set(why, MU_ENOTFOUND, "people",
						"no person has id %lld", (long long)persons[i])
				   : rc;
		dp->people++;
	}
	if ((rc = db_prepare(d, sql_dep_people, &st)))
		return rc;
	db_bind_i64(st, 1, dp->people);
	db_bind_i64(st, 2, dp->id);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	if ((rc = db_prepare(d, sql_day_add, &st)))
		return rc;
	db_bind_text(st, 1, day, -1);
	db_bind_i64(st, 2, dp->org_id);
	db_bind_i64(st, 3, a.street);
	db_bind_i64(st, 4, a.district);
	db_bind_i64(st, 5, dp->people);
	rc = db_step(st);
	db_stmt_done(st);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

#define DEP_COLS                                                                                   \
	"d.id, d.org_id, d.place_id, d.from_at, d.to_at, d.created_at, d.duty, d.user_id, "        \
	"d.people, (SELECT COUNT(*) FROM deployment_people p WHERE p.deployment_id = d.id "        \
	"AND p.checkin_at IS NOT NULL AND p.checkout_at IS NULL)"

static void read_dep(struct db_stmt *st, struct forces_deployment *o)
{
	memset(o, 0, sizeof *o);
	o->id = db_col_i64(st, 0);
	o->org_id = db_col_i64(st, 1);
	o->place_id = db_col_i64(st, 2);
	o->from_at = db_col_i64(st, 3);
	o->to_at = db_col_i64(st, 4);
	o->created_at = db_col_i64(st, 5);
	if (forces_duty_parse(db_col_text(st, 6), &o->duty))
		o->duty = FORCES_DUTY_OTHER;
	o->user_id = db_col_i64(st, 7);
	o->people = db_col_i64(st, 8);
	o->present = db_col_i64(st, 9);
}

static const char sql_dep_get[] = "SELECT " DEP_COLS " FROM deployments d WHERE d.id = ?";

int forces_deployment_get(struct db *d, int64_t id, struct forces_deployment *out)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(d, sql_dep_get, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		read_dep(st, out);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(st);
	return rc;
}

static const char sql_checkin_one[] =
    "UPDATE deployment_people SET checkin_at = ?1 WHERE deployment_id = ?2 AND id = ?3 "
    "AND checkin_at IS NULL";
static const char sql_checkin_all[] =
    "UPDATE deployment_people SET checkin_at = ?1 WHERE deployment_id = ?2 AND ?3 = 0 "
    "AND checkin_at IS NULL";
static const char sql_checkout_one[] =
    "UPDATE deployment_people SET checkout_at = ?1, checkin_at = COALESCE(checkin_at, ?4) "
    "WHERE deployment_id = ?2 AND id = ?3 AND checkout_at IS NULL";
static const char sql_checkout_all[] =
    "UPDATE deployment_people SET checkout_at = ?1, checkin_at = COALESCE(checkin_at, ?4) "
    "WHERE deployment_id = ?2 AND ?3 = 0 AND checkout_at IS NULL";
static const char sql_row_of[] =
    "SELECT 1 FROM deployment_people WHERE id = ? AND deployment_id = ?";

int forces_checkin(struct db *d, int64_t deployment, int64_t row, bool out, int64_t at,
		   int64_t *changed)
{
	struct forces_deployment dp;
	struct db_stmt *st = NULL;
	int rc;
	*changed = 0;
	if ((rc = forces_deployment_get(d, deployment, &dp)))
		return rc;
	if (row) {
		if ((rc = db_prepare(d, sql_row_of, &st)))
			return rc;
		db_bind_i64(st, 1, row);
		db_bind_i64(st, 2, deployment);
		rc = db_step(st);
		db_stmt_done(st);
		if (rc == DB_DONE)
			return MU_ENOTFOUND;
		if (rc < 0)
			return rc;
	}
	const char *sql = out ? (row ? sql_checkout_one : sql_checkout_all)
			      : (row ? sql_checkin_one : sql_checkin_all);
	if ((rc = db_prepare(d, sql, &st)))
		return rc;
	db_bind_i64(st, 1, at);
	db_bind_i64(st, 2, deployment);
	db_bind_i64(st, 3, row);
	if (out)
		db_bind_i64(st, 4, dp.from_at);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	*changed = db_changes(d);
	return 0;
}

/* A subtree's deployments, newest first; active ones hold now. */
static const char *const sql_dep_list[4] = {
    "SELECT " DEP_COLS " FROM deployments d WHERE d.id < ?1 AND ?2 = 0 "
    "AND (?3 = 0 OR (d.from_at <= ?4 AND d.to_at > ?4)) ORDER BY d.id DESC",
    "SELECT " DEP_COLS " FROM deployments d WHERE d.district_id = ?2 AND d.id < ?1 "
    "AND (?3 = 0 OR (d.from_at <= ?4 AND d.to_at > ?4)) ORDER BY d.id DESC",
    "SELECT " DEP_COLS " FROM deployments d WHERE d.street_id = ?2 AND d.id < ?1 "
    "AND (?3 = 0 OR (d.from_at <= ?4 AND d.to_at > ?4)) ORDER BY d.id DESC",
    "SELECT " DEP_COLS " FROM deployments d WHERE d.community_id = ?2 AND d.id < ?1 "
    "AND (?3 = 0 OR (d.from_at <= ?4 AND d.to_at > ?4)) ORDER BY d.id DESC",
};

int forces_deployment_list(struct db *d, int64_t place, bool active, int64_t now, int64_t before,
			   int limit, int (*fn)(const struct forces_deployment *dp, void *ctx),
			   void *ctx, int64_t *next)
{
	struct forces__anc a;
	struct forces_deployment dp;
	struct db_stmt *st = NULL;
	int64_t key;
	bool exact;
	int n = 0, rc = forces__anc_of(d, place, &a);
	*next = 0;
	if (rc)
		return rc;
	int which = forces__scope(&a, place, &key, &exact);
	if ((rc = db_prepare(d, sql_dep_list[which], &st)))
		return rc;
	db_bind_i64(st, 1, before > 0 ? before : INT64_MAX);
	db_bind_i64(st, 2, key);
	db_bind_i64(st, 3, active ? 1 : 0);
	db_bind_i64(st, 4, now);
	while ((rc = db_step(st)) == DB_ROW) {
		read_dep(st, &dp);
		if (!exact) {
			bool in = false;
			if ((rc = places_is_within(d, dp.place_id, place, &in)))
				break;
			if (!in)
				continue;
		}
		if (limit > 0 && n == limit) {
			*next = before;
			break;
		}
		if ((rc = fn(&dp, ctx)))
			break;
		before = dp.id;
		n++;
	}
	db_stmt_done(st);
	return rc == DB_ROW ? 0 : rc;
}

static const char sql_shift_people[] =
    "SELECT p.id, p.member_id, p.person_id, p.user_id, m.from_org, m.role, p.checkin_at, "
    "p.checkout_at FROM deployment_people p LEFT JOIN org_members m ON m.id = p.member_id "
    "WHERE p.deployment_id = ? AND p.id > ? ORDER BY p.id";

int forces_shift_people(struct db *d, int64_t deployment, int64_t after, int limit,
			int (*fn)(const struct forces_on_shift *p, void *ctx), void *ctx,
			int64_t *next)
{
	struct db_stmt *st = NULL;
	struct forces_on_shift p;
	int n = 0, rc = db_prepare(d, sql_shift_people, &st);
	*next = 0;
	if (rc)
		return rc;
	db_bind_i64(st, 1, deployment);
	db_bind_i64(st, 2, after);
	while ((rc = db_step(st)) == DB_ROW) {
		if (limit > 0 && n == limit) {
			*next = after;
			break;
		}
		memset(&p, 0, sizeof p);
		p.id = db_col_i64(st, 0);
		p.member_id = db_col_i64(st, 1);
		p.person_id = db_col_i64(st, 2);
		p.user_id = db_col_i64(st, 3);
		p.from_org = db_col_i64(st, 4);
		snprintf(p.role, sizeof p.role, "%s", db_col_null(st, 5) ? "" : db_col_text(st, 5));
		p.checkin_at = db_col_i64(st, 6);
		p.checkout_at = db_col_i64(st, 7);
		if ((rc = fn(&p, ctx)))
			break;
		after = p.id;
		n++;
	}
	db_stmt_done(st);
	return rc == DB_ROW ? 0 : rc;
}

/* ---- a squad from hospitals ----------------------------------------------------------------- */

int forces_squad_raise(struct db *d, struct forces_squad *s, struct mu_why *why)
{
	struct forces_org o = {
	    .kind = FORCES_SAMPLING_SQUAD, .place_id = s->place_id, .created_at = s->now};
	int64_t *ids = NULL;
	int rc;
	s->org_id = 0;
	if (!s->n_hospitals || s->n_hospitals > FORCES_SQUAD_MAX)
		return mu_why_set(why, MU_EINVAL, "hospitals", "1 to %d hospitals",
				  FORCES_SQUAD_MAX);
	if (!s->n_targets || s->n_targets > FORCES_SQUAD_MAX)
		return mu_why_set(why, MU_EINVAL, "to", "1 to %d places", FORCES_SQUAD_MAX);
	if (s->size < (int64_t)s->n_targets ||
	    s->size > (int64_t)FORCES_DEPLOY_MAX * (int64_t)s->n_targets)
		return mu_why_set(why, MU_EINVAL, "size",
				  "a squad of %zu places is %zu to %lld people", s->n_targets,
				  s->n_targets,
				  (long long)FORCES_DEPLOY_MAX * (long long)s->n_targets);
	for (size_t i = 0; i < s->n_hospitals; i++) {
		struct forces_org h;
		if ((rc = forces_org_get(d, s->hospitals[i], &h)))
			return rc == MU_ENOTFOUND
				   ? mu_why_set(why, rc, "hospitals", "no organisation has id %lld",
						(long long)s->hospitals[i])
				   : rc;
		if (h.kind != FORCES_HOSPITAL)
			return mu_why_set(why, MU_EINVAL, "hospitals", "%s is no hospital", h.name);
	}
	snprintf(o.name, sizeof o.name, "%s", s->name ? s->name : "");
	if ((rc = forces_org_add(d, &o, why)))
		return rc;
	s->org_id = o.id;
	forces_split(s->size, s->n_hospitals, s->per_hospital);
	ids = mu_xmalloc((size_t)s->size * sizeof *ids);
	size_t k = 0;
	for (size_t i = 0; i < s->n_hospitals; i++)
		for (int64_t j = 0; j < s->per_hospital[i]; j++) {
			struct forces_member m = {.org_id = o.id,
						  .from_org = s->hospitals[i],
						  .medic = true,
						  .role = "medic",
						  .added_at = s->now};
			if ((rc = forces_member_add(d, &m, why)))
				goto out;
			ids[k++] = m.id;
		}
	/* Each target takes its share of every hospital's staff in turn (members are in
	 * hospital order: a stride over them mixes the hospitals on every shift). */
	forces_split(s->size, s->n_targets, s->per_target);
	int64_t *shift = mu_xmalloc((size_t)s->size * sizeof *shift);
	for (size_t t = 0; t < s->n_targets; t++) {
		size_t n = 0;
		for (size_t i = t; i < k; i += s->n_targets)
			shift[n++] = ids[i];
		struct forces_deployment dp = {.org_id = o.id,
					       .place_id = s->targets[t],
					       .from_at = s->from_at,
					       .to_at = s->to_at,
					       .created_at = s->now,
					       .duty = s->duty};
		if ((rc = forces_deploy(d, &dp, shift, n, NULL, 0, why)))
			break;
		s->deployments[t] = dp.id;
	}
	free(shift);
out:
	free(ids);
	return rc;
}
