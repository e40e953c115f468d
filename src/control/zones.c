/* zones.c: risk zones (issue 13 §5) — drawing one on a street, community, compound or
 * building, lifting and downgrading it (a sealed zone starts and ends its residents'
 * 'sealed' status), the risk of a household that screening's tube policy asks on every
 * scan (from zones kept in memory), and a zone's census with its lift or downgrade
 * proposal under Guangzhou's 2021 conditions. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

#define DAY_S (24 * 3600)

static const char *const level_names[] = {"low", "medium", "high"};
static const char *const measures_names[] = {"precaution", "controlled", "sealed"};
static const char *const cond_codes[] = {"no_new_case", "contacts_past", "tested_negative"};

const char *control_zone_level_name(int level)
{
	return level >= 0 && level <= CONTROL_ZONE_HIGH ? level_names[level] : NULL;
}

int control_zone_level_parse(const char *s, int *level)
{
	for (int i = 0; s && i <= CONTROL_ZONE_HIGH; i++)
		if (!strcmp(s, level_names[i])) {
			*level = i;
			return 0;
		}
	return MU_EINVAL;
}

const char *control_zone_measures_name(int m)
{
	return m >= 0 && m <= CONTROL_MEASURES_SEALED ? measures_names[m] : NULL;
}

int control_zone_measures_parse(const char *s, int *m)
{
	for (int i = 0; s && i <= CONTROL_MEASURES_SEALED; i++)
		if (!strcmp(s, measures_names[i])) {
			*m = i;
			return 0;
		}
	return MU_EINVAL;
}

const char *control_zone_cond_code(int c)
{
	return c >= 0 && c < CONTROL_ZONE_NCONDS ? cond_codes[c] : NULL;
}

/* ---- the risk cache ---------------------------------------------------------------------
 * Zones are few (Guangzhou drew tens), but every scan asks for its household's risk: the
 * zones above low are kept in memory, sorted by place, and reloaded from the asking
 * connection once a zone write has marked them stale. Parents of the places walked are
 * kept too (a place never moves), so a scan costs one index read for its household's
 * building and none once the building was seen. */

struct rule {
	int64_t place_id, from_at, lifted_at; /* lifted_at 0 while in force */
	int level;
};

#define PARENT_SLOTS 8192

static struct {
	pthread_mutex_t lock;
	bool fresh;
	struct rule *rules;
	size_t n, cap;
	int top; /* the highest tree level (smallest number) a rule sits at */
	struct {
		int64_t id, parent;
	} parents[PARENT_SLOTS];
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

void control__zones_reset(void)
{
	pthread_mutex_lock(&cache.lock);
	free(cache.rules);
	cache.rules = NULL;
	cache.n = cache.cap = 0;
	cache.fresh = false;
	memset(cache.parents, 0, sizeof cache.parents);
	pthread_mutex_unlock(&cache.lock);
}

void control__zones_changed(void)
{
	pthread_mutex_lock(&cache.lock);
	cache.fresh = false;
	pthread_mutex_unlock(&cache.lock);
}

static int rule_cmp(const void *a, const void *b)
{
	const struct rule *x = a, *y = b;
	return x->place_id < y->place_id ? -1 : x->place_id > y->place_id;
}

static const char sql_rules[] =
    "SELECT place_id, level, from_at, coalesce(lifted_at, 0) FROM zones WHERE level <> 'low'";

/* Reloads the rules from d; the lock is held. */
static int rules_load(struct db *d)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_rules, &s);
	if (rc)
		return rc;
	cache.n = 0;
	cache.top = PLACES_NLEVELS;
	while ((rc = db_step(s)) == DB_ROW) {
		if (cache.n == cache.cap) {
			cache.cap = cache.cap ? cache.cap * 2 : 64;
			cache.rules = mu_xrealloc(cache.rules, cache.cap * sizeof *cache.rules);
		}
		struct rule *r = &cache.rules[cache.n++];
		r->place_id = db_col_i64(s, 0);
		r->level = CONTROL_ZONE_LOW;
		control_zone_level_parse(db_col_text(s, 1), &r->level);
		r->from_at = db_col_i64(s, 2);
		r->lifted_at = db_col_i64(s, 3);
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	for (size_t i = 0; i < cache.n; i++) {
		struct places_node node;
		if ((rc = places_get(d, cache.rules[i].place_id, &node)))
			return rc;
		if (node.level < cache.top)
			cache.top = node.level;
	}
	if (cache.n)
		qsort(cache.rules, cache.n, sizeof *cache.rules, rule_cmp);
	cache.fresh = true;
	return 0;
}

/* The parent of id through the cache; the lock is held. */
static int parent_of(struct db *d, int64_t id, int64_t *parent)
{
	size_t slot = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 51) % PARENT_SLOTS;
	if (cache.parents[slot].id == id) {
		*parent = cache.parents[slot].parent;
		return 0;
	}
	int rc = places_parent(d, id, parent);
	if (rc == 0) {
		cache.parents[slot].id = id;
		cache.parents[slot].parent = *parent;
	}
	return rc;
}

/* The highest level of the rules on place id in force at `at`, raised into *risk. */
static void rules_at(int64_t id, int64_t at, int *risk)
{
	size_t lo = 0, hi = cache.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cache.rules[mid].place_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < cache.n && cache.rules[lo].place_id == id; lo++) {
		const struct rule *r = &cache.rules[lo];
		if (r->from_at <= at && (!r->lifted_at || r->lifted_at > at) && r->level > *risk)
			*risk = r->level;
	}
}

/* Walks up from place id at tree level `level` while a rule may lie above; the lock is
 * held and the rules are fresh. */
static int risk_walk(struct db *d, int64_t id, int level, int64_t at, int *risk)
{
	int rc = 0;
	*risk = CONTROL_ZONE_LOW;
	while (id && level >= cache.top && *risk < CONTROL_ZONE_HIGH) {
		rules_at(id, at, risk);
		if (level == cache.top || (rc = parent_of(d, id, &id)))
			break;
		level--;
	}
	return rc;
}

int control__zone_risk(struct db *d, int64_t household_id, int64_t at, int *risk)
{
	int rc = 0;
	*risk = CONTROL_ZONE_LOW;
	pthread_mutex_lock(&cache.lock);
	if (!cache.fresh)
		rc = rules_load(d);
	if (rc == 0 && cache.n)
		rc = risk_walk(d, household_id, PLACES_HOUSEHOLD, at, risk);
	pthread_mutex_unlock(&cache.lock);
	return rc;
}

static const char sql_risk_on[] =
    "SELECT max(CASE level WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END) FROM zones"
    " WHERE place_id = ?1 AND from_at <= ?2 AND (lifted_at IS NULL OR lifted_at > ?2)";

int control_zone_risk(struct db *d, int64_t place_id, int64_t at, int *risk)
{
	int64_t path[PLACES_NLEVELS];
	int n, rc = places_path(d, place_id, path, &n);
	*risk = CONTROL_ZONE_LOW;
	for (int i = 0; rc == 0 && i < n; i++) {
		struct db_stmt *s;
		if ((rc = db_prepare(d, sql_risk_on, &s)))
			break;
		db_bind_i64(s, 1, path[i]);
		db_bind_i64(s, 2, at);
		rc = db_step(s);
		if (rc == DB_ROW && !db_col_null(s, 0) && db_col_i64(s, 0) > *risk)
			*risk = (int)db_col_i64(s, 0);
		db_stmt_done(s);
		rc = rc == DB_ROW || rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
	}
	return rc;
}

/* ---- the residents of a place -------------------------------------------------------------- */

struct ids {
	int64_t *v;
	size_t n, cap;
};

static void ids_push(struct ids *a, int64_t id)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->v = mu_xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = id;
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static bool ids_has(const struct ids *a, int64_t id)
{
	return a->n && bsearch(&id, a->v, a->n, sizeof *a->v, id_cmp);
}

struct residents {
	struct db *d;
	struct ids households, people;
};

static int add_person(int64_t person, void *ctx)
{
	ids_push(&((struct residents *)ctx)->people, person);
	return 0;
}

static int add_household(const struct places_ref *r, void *ctx)
{
	struct residents *res = ctx;
	ids_push(&res->households, r->id);
	return people_household_members(res->d, r->id, 0, add_person, res);
}

/* The households and people of place's subtree, each sorted by id. */
static int residents_of(struct db *d, int64_t place, struct residents *res)
{
	memset(res, 0, sizeof *res);
	res->d = d;
	int rc = places_level_walk(d, place, PLACES_HOUSEHOLD, add_household, res);
	if (res->households.n)
		qsort(res->households.v, res->households.n, sizeof(int64_t), id_cmp);
	if (res->people.n)
		qsort(res->people.v, res->people.n, sizeof(int64_t), id_cmp);
	return rc;
}

static void residents_fini(struct residents *res)
{
	free(res->households.v);
	free(res->people.v);
}

/* ---- writes ----------------------------------------------------------------------------- */

static const char sql_insert[] =
    "INSERT INTO zones (place_id, level, measures, from_at, reason, user_id, prev_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_get[] =
    "SELECT id, place_id, level, measures, from_at, coalesce(lifted_at, 0), reason,"
    " coalesce(user_id, 0), coalesce(prev_id, 0), created_at FROM zones WHERE id = ?";
static const char sql_in_force_on[] =
    "SELECT id FROM zones WHERE place_id = ? AND lifted_at IS NULL";
static const char sql_lift[] = "UPDATE zones SET lifted_at = ? WHERE id = ? AND lifted_at IS NULL";
static const char sql_all[] =
    "SELECT id, place_id, level, measures, from_at, coalesce(lifted_at, 0), reason,"
    " coalesce(user_id, 0), coalesce(prev_id, 0), created_at FROM zones"
    " WHERE ?1 OR lifted_at IS NULL ORDER BY from_at, id";

static void read_zone(struct db_stmt *s, struct control_zone *z)
{
	memset(z, 0, sizeof *z);
	z->id = db_col_i64(s, 0);
	z->place_id = db_col_i64(s, 1);
	control_zone_level_parse(db_col_text(s, 2), &z->level);
	control_zone_measures_parse(db_col_text(s, 3), &z->measures);
	z->from_at = db_col_i64(s, 4);
	z->lifted_at = db_col_i64(s, 5);
	snprintf(z->reason, sizeof z->reason, "%s", db_col_text(s, 6));
	z->user_id = db_col_i64(s, 7);
	z->prev_id = db_col_i64(s, 8);
	z->created_at = db_col_i64(s, 9);
}

int control_zone_get(struct db *d, int64_t id, struct control_zone *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_get, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		read_zone(s, out);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

static int zone_check(struct db *d, const struct control_zone *z, struct mu_why *why)
{
	struct places_node node;
	int rc = places_get(d, z->place_id, &node);
	if (rc == MU_ENOTFOUND)
		return mu_why_set(why, rc, "place", "no such place");
	if (rc)
		return rc;
	if (node.level < PLACES_STREET || node.level > PLACES_BUILDING || node.level == PLACES_GRID)
		return mu_why_set(why, MU_EINVAL, "place",
				  "a zone is a street, community, compound or building, not a %s",
				  places_level_name(node.level));
	if (!control_zone_level_name(z->level))
		return mu_why_set(why, MU_EINVAL, "level", "level is high, medium or low");
	if (!control_zone_measures_name(z->measures))
		return mu_why_set(why, MU_EINVAL, "measures",
				  "measures are sealed, controlled or precaution");
	if (z->from_at <= 0)
		return mu_why_set(why, MU_EINVAL, "from", "a zone needs its start time");
	size_t len = strlen(z->reason);
	bool control = false;
	for (size_t i = 0; i < len; i++)
		control = control || (unsigned char)z->reason[i] < 0x20;
	if (len == 0 || control || !mu_utf8_valid(z->reason, len) ||
	    mu_utf8_len(z->reason, len) > CONTROL_ZONE_REASON_MAX ||
	    mu_utf8_invisible(z->reason, len))
		return mu_why_set(why, MU_EINVAL, "reason",
				  "a reason is one line of 1 to %d characters",
				  CONTROL_ZONE_REASON_MAX);
	return 0;
}

struct sealing {
	struct db *d;
	int64_t zone_id, at, n;
};

static int seal_person(int64_t person, void *ctx)
{
	struct sealing *s = ctx;
	s->n++;
	return control__key_start(s->d, person, CONTROL_KEY_SEALED, 0, "zone", s->zone_id, s->at,
				  NULL);
}

static int seal_household(const struct places_ref *r, void *ctx)
{
	struct sealing *s = ctx;
	return people_household_members(s->d, r->id, 0, seal_person, s);
}

int control_zone_create(struct db *d, struct control_zone *z, int64_t now, int64_t *sealed,
			struct mu_why *why)
{
	struct db_stmt *s;
	int rc = zone_check(d, z, why);
	if (sealed)
		*sealed = 0;
	if (rc)
		return rc;
	if ((rc = db_prepare(d, sql_in_force_on, &s)))
		return rc;
	db_bind_i64(s, 1, z->place_id);
	rc = db_step(s);
	int64_t other = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_stmt_done(s);
	if (rc < 0)
		return rc;
	if (other)
		return mu_why_set(why, MU_EEXIST, "place",
				  "zone %lld is in force on this place: downgrade or lift it",
				  (long long)other);
	if ((rc = db_tx_begin(d)))
		return rc;
	if ((rc = db_prepare(d, sql_insert, &s)))
		goto out;
	db_bind_i64(s, 1, z->place_id);
	db_bind_text(s, 2, level_names[z->level], -1);
	db_bind_text(s, 3, measures_names[z->measures], -1);
	db_bind_i64(s, 4, z->from_at);
	db_bind_text(s, 5, z->reason, -1);
	if (z->user_id)
		db_bind_i64(s, 6, z->user_id);
	else
		db_bind_null(s, 6);
	if (z->prev_id)
		db_bind_i64(s, 7, z->prev_id);
	else
		db_bind_null(s, 7);
	db_bind_i64(s, 8, now);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE) {
		rc = rc < 0 ? rc : MU_EDB;
		goto out;
	}
	z->id = db_last_insert_id(d);
	z->lifted_at = 0;
	z->created_at = now;
	if (z->measures == CONTROL_MEASURES_SEALED) {
		struct sealing sl = {.d = d, .zone_id = z->id, .at = z->from_at};
		rc = places_level_walk(d, z->place_id, PLACES_HOUSEHOLD, seal_household, &sl);
		if (sealed)
			*sealed = sl.n;
	}
	if (rc == 0) /* a round over it that ended while it was in force: missed_round_test */
		rc = control__round_zone_changed(d, z, now);
out:
	if (rc == 0)
		rc = db_tx_commit(d);
	else
		db_tx_rollback(d);
	control__zones_changed();
	return rc;
}

/* A lifted zone's residents still under another sealed zone in force (one above it, or
 * one below it) get that zone's 'sealed' status: one status of a kind is in force per
 * person, and it was the lifted zone's. */
struct reseal {
	struct db *d;
	const struct control_zone *lifted;
	int64_t at;
};

static int reseal_one(const struct control_zone *o, void *ctx)
{
	struct reseal *rs = ctx;
	bool above = false, below = false;
	int rc;
	if (o->measures != CONTROL_MEASURES_SEALED || o->id == rs->lifted->id)
		return 0;
	if ((rc = places_is_within(rs->d, rs->lifted->place_id, o->place_id, &above)) ||
	    (!above && (rc = places_is_within(rs->d, o->place_id, rs->lifted->place_id, &below))))
		return rc;
	if (!above && !below)
		return 0;
	struct sealing sl = {.d = rs->d, .zone_id = o->id, .at = rs->at};
	return places_level_walk(rs->d, above ? rs->lifted->place_id : o->place_id,
				 PLACES_HOUSEHOLD, seal_household, &sl);
}

int control_zone_lift(struct db *d, int64_t id, int64_t at, int64_t *ended, struct mu_why *why)
{
	struct control_zone z;
	struct db_stmt *s;
	int rc = control_zone_get(d, id, &z);
	if (ended)
		*ended = 0;
	if (rc == MU_ENOTFOUND)
		return mu_why_set(why, rc, "id", "no zone has this id");
	if (rc)
		return rc;
	if (z.lifted_at)
		return mu_why_set(why, MU_EEXIST, "id", "the zone is already lifted");
	if (at < z.from_at)
		return mu_why_set(why, MU_EINVAL, "at", "a zone is lifted after it starts");
	if ((rc = db_tx_begin(d)))
		return rc;
	if ((rc = db_prepare(d, sql_lift, &s)))
		goto out;
	db_bind_i64(s, 1, at);
	db_bind_i64(s, 2, id);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE) {
		rc = rc < 0 ? rc : MU_EDB;
		goto out;
	}
	if ((rc = control__key_end_ref(d, "zone", id, at, ended)) == 0) {
		struct reseal rs = {.d = d, .lifted = &z, .at = at};
		rc = control_zone_list(d, 0, false, reseal_one, &rs);
	}
	if (rc == 0) /* its residents' missed_round_test ends with it */
		rc = control__round_zone_changed(d, &z, at);
out:
	if (rc == 0)
		rc = db_tx_commit(d);
	else
		db_tx_rollback(d);
	control__zones_changed();
	return rc;
}

/* The measures a level usually brings: a high zone is sealed (封控), a medium one
 * controlled (管控), a low one under precaution (防范). */
static int usual_measures(int level)
{
	return level == CONTROL_ZONE_HIGH     ? CONTROL_MEASURES_SEALED
	       : level == CONTROL_ZONE_MEDIUM ? CONTROL_MEASURES_CONTROLLED
					      : CONTROL_MEASURES_PRECAUTION;
}

int control_zone_downgrade(struct db *d, int64_t id, int level, int measures, int64_t at,
			   int64_t user_id, struct control_zone *out, struct mu_why *why)
{
	struct control_zone z;
	int rc = control_zone_get(d, id, &z);
	if (rc == MU_ENOTFOUND)
		return mu_why_set(why, rc, "id", "no zone has this id");
	if (rc)
		return rc;
	if (z.lifted_at)
		return mu_why_set(why, MU_EEXIST, "id", "the zone is already lifted");
	if (!control_zone_level_name(level) || level >= z.level)
		return mu_why_set(why, MU_EINVAL, "level", "a downgrade goes below %s",
				  level_names[z.level]);
	if (measures < 0) {
		measures = usual_measures(level);
		if (measures > z.measures)
			measures = z.measures;
	} else if (!control_zone_measures_name(measures)) {
		return mu_why_set(why, MU_EINVAL, "measures",
				  "measures are sealed, controlled or precaution");
	}
	if ((rc = db_tx_begin(d)))
		return rc;
	struct control_zone n = z;
	n.level = level;
	n.measures = measures;
	n.from_at = at;
	n.user_id = user_id;
	n.prev_id = z.id;
	if ((rc = control_zone_lift(d, id, at, NULL, why)) == 0)
		rc = control_zone_create(d, &n, at, NULL, why);
	if (rc == 0)
		rc = db_tx_commit(d);
	else
		db_tx_rollback(d);
	control__zones_changed();
	if (rc == 0 && out)
		*out = n;
	return rc;
}

int control_zone_list(struct db *d, int64_t place_id, bool all,
		      int (*fn)(const struct control_zone *z, void *ctx), void *ctx)
{
	struct db_stmt *s;
	struct control_zone *v = NULL;
	size_t n = 0, cap = 0;
	int rc = db_prepare(d, sql_all, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, all);
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = mu_xrealloc(v, cap * sizeof *v);
		}
		read_zone(s, &v[n++]);
	}
	db_stmt_done(s);
	rc = rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
	/* Zones are few: each one's place is checked against the subtree after the rows are
	 * read, so fn may run statements of its own. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		bool within = true;
		if (place_id && (rc = places_is_within(d, v[i].place_id, place_id, &within)))
			break;
		if (within)
			rc = fn(&v[i], ctx);
	}
	free(v);
	return rc;
}

/* ---- census and proposal --------------------------------------------------------------- */

struct pair {
	int64_t person;
	int value;
};

struct control_zone_facts {
	struct pair *status; /* open key statuses (person, CONTROL_KEY_*), by person */
	size_t nstatus;
	struct pair *colour; /* yellow and red codes (person, colour), by person */
	size_t ncolour;
	struct kase {
		int64_t id, household, confirmed_at;
	} * cases;
	size_t ncases;
};

static const char sql_open_statuses[] =
    "SELECT person_id, kind FROM key_statuses WHERE ended_at IS NULL ORDER BY person_id";
static const char sql_colours[] =
    "SELECT person_id, colour FROM code_colours WHERE colour > 0 ORDER BY person_id";
static const char sql_cases[] = "SELECT id, household_id, confirmed_at FROM cases";
static const char sql_last_close[] =
    "SELECT max(last_exposure) FROM contacts WHERE case_id = ? AND kind = 'close'";

static int load_pairs(struct db *d, const char *sql, bool kinds, struct pair **out, size_t *n)
{
	struct db_stmt *s;
	size_t cap = 0;
	int rc = db_prepare(d, sql, &s);
	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*out = mu_xrealloc(*out, cap * sizeof **out);
		}
		struct pair *p = &(*out)[(*n)++];
		p->person = db_col_i64(s, 0);
		p->value = 0;
		if (!kinds)
			p->value = (int)db_col_i64(s, 1);
		else if (control_key_parse(db_col_text(s, 1), &p->value))
			(*n)--;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

void control_zone_facts_free(struct control_zone_facts *f)
{
	if (!f)
		return;
	free(f->status);
	free(f->colour);
	free(f->cases);
	free(f);
}

int control_zone_facts_new(struct db *d, struct control_zone_facts **out)
{
	struct control_zone_facts *f = mu_xcalloc(1, sizeof *f);
	struct db_stmt *s = NULL;
	size_t cap = 0;
	int rc = load_pairs(d, sql_open_statuses, true, &f->status, &f->nstatus);
	if (rc == 0)
		rc = load_pairs(d, sql_colours, false, &f->colour, &f->ncolour);
	if (rc == 0 && (rc = db_prepare(d, sql_cases, &s)) == 0) {
		while ((rc = db_step(s)) == DB_ROW) {
			if (f->ncases == cap) {
				cap = cap ? cap * 2 : 64;
				f->cases = mu_xrealloc(f->cases, cap * sizeof *f->cases);
			}
			struct kase *k = &f->cases[f->ncases++];
			k->id = db_col_i64(s, 0);
			k->household = db_col_i64(s, 1);
			k->confirmed_at = db_col_i64(s, 2);
		}
		db_stmt_done(s);
		rc = rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
	}
	if (rc) {
		control_zone_facts_free(f);
		f = NULL;
	}
	*out = f;
	return rc;
}

/* Counts the values of pairs (sorted by person) whose person is in people (sorted). */
static void count_pairs(const struct pair *p, size_t np, const struct ids *people, int64_t *counts,
			int nvalues)
{
	size_t i = 0, j = 0;
	while (i < np && j < people->n) {
		if (p[i].person < people->v[j]) {
			i++;
		} else if (p[i].person > people->v[j]) {
			j++;
		} else {
			if (p[i].value >= 0 && p[i].value < nvalues)
				counts[p[i].value]++;
			i++;
		}
	}
}

int control_zone_census(struct db *d, const struct control_zone_facts *f,
			const struct control_zone *z, int64_t now, struct control_zone_census *out)
{
	struct residents res;
	bool *neg = NULL;
	memset(out, 0, sizeof *out);
	int rc = residents_of(d, z->place_id, &res);
	if (rc)
		goto out;
	out->households = (int64_t)res.households.n;
	out->people = (int64_t)res.people.n;
	count_pairs(f->status, f->nstatus, &res.people, out->status, CONTROL_NKEYS);
	count_pairs(f->colour, f->ncolour, &res.people, out->colour, 3);
	out->colour[0] = out->people - out->colour[1] - out->colour[2];

	/* Condition 1 and 2: the cases inside (by the household they lived in when they
	 * opened), the newest of them, and the last exposure of their close contacts. */
	for (size_t i = 0; i < f->ncases; i++) {
		const struct kase *k = &f->cases[i];
		if (k->confirmed_at > now || !ids_has(&res.households, k->household))
			continue;
		out->cases++;
		if (k->confirmed_at > out->last_case_at)
			out->last_case_at = k->confirmed_at;
		struct db_stmt *s;
		if ((rc = db_prepare(d, sql_last_close, &s)))
			goto out;
		db_bind_i64(s, 1, k->id);
		rc = db_step(s);
		if (rc == DB_ROW && !db_col_null(s, 0) && db_col_i64(s, 0) > out->last_exposure)
			out->last_exposure = db_col_i64(s, 0);
		db_stmt_done(s);
		if (rc < 0)
			goto out;
		rc = 0;
	}
	int64_t quiet = (int64_t)CONTROL_ZONE_QUIET_DAYS * DAY_S;
	out->ok[CONTROL_ZONE_NO_NEW_CASE] = !out->last_case_at || now - out->last_case_at > quiet;
	out->ok[CONTROL_ZONE_CONTACTS_PAST] =
	    !out->last_exposure || now - out->last_exposure > quiet;

	/* Condition 3: everyone inside tested negative in the last two days. */
	size_t negative = 0;
	if (res.people.n) {
		neg = mu_xmalloc(res.people.n * sizeof *neg);
		rc = screening_negative_within(d, res.people.v, res.people.n,
					       now - (int64_t)CONTROL_ZONE_TESTED_DAYS * DAY_S, now,
					       neg, &negative);
		if (rc)
			goto out;
	}
	out->untested = out->people - (int64_t)negative;
	out->ok[CONTROL_ZONE_TESTED_NEGATIVE] = out->untested == 0;

	out->ready = true;
	for (int c = 0; c < CONTROL_ZONE_NCONDS; c++)
		out->ready = out->ready && out->ok[c];
	out->action = z->level > CONTROL_ZONE_LOW ? CONTROL_ZONE_DOWNGRADE : CONTROL_ZONE_LIFT;
	out->to_level = z->level > CONTROL_ZONE_LOW ? z->level - 1 : CONTROL_ZONE_LOW;
out:
	free(neg);
	residents_fini(&res);
	return rc;
}
