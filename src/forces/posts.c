/* posts.c: the service posts — one per street (a centre) and per community (a
 * station), made by `muster city generate` and `muster post sync` — the posts of a
 * place with their stock, read in one query, and the ledger of a place's posts. Stock
 * itself changes in supplies.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "forces.h"
#include "places/places.h"

static const char *const item_names[FORCES_NITEMS] = {"masks", "test_kits", "food_packs",
						      "medicine", "ppe"};

const char *forces_item_name(int item)
{
	return item >= 0 && item < FORCES_NITEMS ? item_names[item] : NULL;
}

int forces_item_parse(const char *s, int *item)
{
	for (int i = 0; s && i < FORCES_NITEMS; i++)
		if (strcmp(s, item_names[i]) == 0) {
			*item = i;
			return 0;
		}
	return MU_EINVAL;
}

/* ---- making posts ---------------------------------------------------------------------- */

static const char sql_post_add[] =
    "INSERT INTO posts (place_id, kind, functions, hours, district_id, street_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(place_id) DO NOTHING";

/* A street seen by the walk, with its district: its stations need both. */
struct street {
	int64_t id, district;
};

struct sync {
	struct db *d;
	int64_t at, made;
	struct street *streets;
	size_t n, cap;
};

static int post_add(struct sync *s, int64_t place, int level, int64_t district, int64_t street)
{
	struct db_stmt *st;
	bool centre = level == PLACES_STREET;
	int rc = db_prepare(s->d, sql_post_add, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, place);
	db_bind_text_static(st, 2, centre ? "centre" : "station", -1);
	db_bind_text_static(st, 3, FORCES_POST_FUNCTIONS, -1);
	db_bind_text_static(st, 4, centre ? FORCES_HOURS_CENTRE : FORCES_HOURS_STATION, -1);
	db_bind_i64(st, 5, district);
	db_bind_i64(st, 6, street);
	db_bind_i64(st, 7, s->at);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc == DB_DONE) {
		s->made += db_changes(s->d);
		rc = 0;
	}
	return rc;
}

/* Streets come in code order, not id order: remembered, sorted by id after the walk. */
static int sync_street(const struct places_ref *r, void *ctx)
{
	struct sync *s = ctx;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->streets = mu_xrealloc(s->streets, s->cap * sizeof *s->streets);
	}
	s->streets[s->n++] = (struct street){r->id, r->parent_id};
	return post_add(s, r->id, PLACES_STREET, r->parent_id, r->id);
}

static int street_cmp(const void *a, const void *b)
{
	const struct street *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int sync_community(const struct places_ref *r, void *ctx)
{
	struct sync *s = ctx;
	struct street key = {r->parent_id, 0};
	const struct street *st = bsearch(&key, s->streets, s->n, sizeof key, street_cmp);
	MU_ASSERT(st != NULL);
	return post_add(s, r->id, PLACES_COMMUNITY, st->district, st->id);
}

/* Two walks, one level each: a walk's callback may not start another walk (one cached
 * statement per text). */
int forces_post_sync(struct db *d, int64_t root, int64_t at, int64_t *made)
{
	struct sync s = {.d = d, .at = at};
	struct places_node node;
	int64_t path[PLACES_NLEVELS];
	int n = 0, rc;
	if (made)
		*made = 0;
	if (root == 0 && (rc = places_root(d, &root)))
		return rc == MU_ENOTFOUND ? 0 : rc;
	if ((rc = places_get(d, root, &node)))
		return rc;
	if ((rc = db_tx_begin(d)))
		return rc;
	if (node.level <= PLACES_STREET) {
		rc = places_level_walk(d, root, PLACES_STREET, sync_street, &s);
		if (rc == 0 && s.n) {
			qsort(s.streets, s.n, sizeof *s.streets, street_cmp);
			rc = places_level_walk(d, root, PLACES_COMMUNITY, sync_community, &s);
		}
	} else if (node.level == PLACES_COMMUNITY && (rc = places_path(d, root, path, &n)) == 0) {
		MU_ASSERT_INT(n, ==, PLACES_COMMUNITY + 1);
		rc = post_add(&s, root, PLACES_COMMUNITY, path[PLACES_DISTRICT],
			      path[PLACES_STREET]);
	}
	free(s.streets);
	if (rc) {
		db_tx_rollback(d);
		return rc;
	}
	if ((rc = db_tx_commit(d)))
		return rc;
	if (made)
		*made = s.made;
	return 0;
}

/* ---- reading posts ------------------------------------------------------------------ */

/* Which posts a place counts (forces_post_list): all, a district's, a street's, or
 * the posts at two places (a community's own station; below it, its station and its
 * street's centre). SCOPE_WHERE matches them over posts aliased p, with the
 * scope bound to ?1, ?2 and ?3 (scope_bind). */
enum { SCOPE_ALL = 0, SCOPE_DISTRICT, SCOPE_STREET, SCOPE_PLACES };
struct scope {
	int kind;
	int64_t a, b;
};
#define SCOPE_WHERE                                                                                \
	"(?1 = 0 OR (?1 = 1 AND p.district_id = ?2) OR (?1 = 2 AND p.street_id = ?2) OR"           \
	" (?1 = 3 AND p.place_id IN (?2, ?3)))"

static int post_scope(struct db *d, int64_t place_id, struct scope *sc)
{
	struct places_node node;
	int64_t path[PLACES_NLEVELS];
	int n = 0;
	int rc = places_get(d, place_id, &node);
	if (rc)
		return rc;
	memset(sc, 0, sizeof *sc);
	switch (node.level) {
	case PLACES_CITY:
		sc->kind = SCOPE_ALL;
		return 0;
	case PLACES_DISTRICT:
		sc->kind = SCOPE_DISTRICT;
		sc->a = place_id;
		return 0;
	case PLACES_STREET:
		sc->kind = SCOPE_STREET;
		sc->a = place_id;
		return 0;
	default:
		if ((rc = places_path(d, place_id, path, &n)))
			return rc;
		MU_ASSERT_INT(n, >, PLACES_COMMUNITY);
		sc->kind = SCOPE_PLACES;
		sc->a = path[PLACES_COMMUNITY];
		/* below a community, the street's centre serves it as well */
		sc->b =
		    node.level == PLACES_COMMUNITY ? path[PLACES_COMMUNITY] : path[PLACES_STREET];
		return 0;
	}
}

static void scope_bind(struct db_stmt *st, int first, const struct scope *sc)
{
	db_bind_i64(st, first, sc->kind);
	db_bind_i64(st, first + 1, sc->a);
	db_bind_i64(st, first + 2, sc->b);
}

/* Posts with their stock, one row per (post, item) and one for a post without any:
 * folded into one struct per post. ?1..?3: the scope (scope_bind). */
static const char sql_post_list[] =
    "SELECT p.id, p.place_id, p.kind, p.functions, p.hours, p.district_id, p.street_id,"
    " s.item, s.qty, s.low_mark FROM posts p LEFT JOIN supplies s ON s.post_id = p.id"
    " WHERE " SCOPE_WHERE " ORDER BY p.district_id, p.street_id, p.kind, p.place_id, s.item";

static const char sql_post_one[] =
    "SELECT p.id, p.place_id, p.kind, p.functions, p.hours, p.district_id, p.street_id,"
    " s.item, s.qty, s.low_mark FROM posts p LEFT JOIN supplies s ON s.post_id = p.id"
    " WHERE p.place_id = ?";

static const char sql_post_id[] =
    "SELECT p.id, p.place_id, p.kind, p.functions, p.hours, p.district_id, p.street_id,"
    " s.item, s.qty, s.low_mark FROM posts p LEFT JOIN supplies s ON s.post_id = p.id"
    " WHERE p.id = ?";

static void post_head(struct db_stmt *st, struct forces_post *p)
{
	memset(p, 0, sizeof *p);
	p->id = db_col_i64(st, 0);
	p->place_id = db_col_i64(st, 1);
	p->level = strcmp(db_col_text(st, 2), "centre") == 0 ? PLACES_STREET : PLACES_COMMUNITY;
	snprintf(p->functions, sizeof p->functions, "%s", db_col_text(st, 3));
	snprintf(p->hours, sizeof p->hours, "%s", db_col_text(st, 4));
	p->district_id = db_col_i64(st, 5);
	p->street_id = db_col_i64(st, 6);
}

static void post_stock(struct db_stmt *st, struct forces_post *p)
{
	int item;
	if (db_col_null(st, 7) || forces_item_parse(db_col_text(st, 7), &item))
		return;
	p->qty[item] = db_col_i64(st, 8);
	p->low_mark[item] = db_col_i64(st, 9);
}

/* Steps st to its end, folding rows into posts and calling fn after each post's last
 * row; *any tells whether any row came. */
static int fold(struct db_stmt *st, int (*fn)(const struct forces_post *p, void *ctx), void *ctx,
		bool *any)
{
	struct forces_post cur;
	bool have = false, seen = false;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		seen = true;
		if (have && db_col_i64(st, 0) != cur.id) {
			if ((rc = fn(&cur, ctx)))
				break;
			have = false;
		}
		if (!have) {
			post_head(st, &cur);
			have = true;
		}
		post_stock(st, &cur);
	}
	if (rc == DB_DONE) {
		rc = have ? fn(&cur, ctx) : 0;
	}
	if (any)
		*any = seen;
	return rc;
}

int forces_post_list(struct db *d, int64_t place_id,
		     int (*fn)(const struct forces_post *p, void *ctx), void *ctx)
{
	struct scope sc;
	struct db_stmt *st;
	int rc = post_scope(d, place_id, &sc);
	if (rc || (rc = db_prepare(d, sql_post_list, &st)))
		return rc;
	scope_bind(st, 1, &sc);
	rc = fold(st, fn, ctx, NULL);
	db_stmt_done(st);
	return rc;
}

static int copy_post(const struct forces_post *p, void *ctx)
{
	*(struct forces_post *)ctx = *p;
	return 0;
}

static int post_one(struct db *d, const char *sql, int64_t key, struct forces_post *out)
{
	struct db_stmt *st;
	bool any = false;
	int rc = db_prepare(d, sql, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, key);
	rc = fold(st, copy_post, out, &any);
	db_stmt_done(st);
	return rc ? rc : any ? 0 : MU_ENOTFOUND;
}

int forces_post_get(struct db *d, int64_t place_id, struct forces_post *out)
{
	return post_one(d, sql_post_one, place_id, out);
}

int forces_post_by_id(struct db *d, int64_t id, struct forces_post *out)
{
	return post_one(d, sql_post_id, id, out);
}

/* ---- the ledger ------------------------------------------------------------------------ */

/* ?1..?3 the scope, ?4 item ('' any), ?5 from, ?6 to (0 unbounded), ?7 before (0: the
 * newest), ?8 limit. */
static const char sql_ledger[] =
    "SELECT m.id, m.kind, coalesce(m.from_post, 0), coalesce(m.to_post, 0),"
    " coalesce(a.place_id, 0), coalesce(b.place_id, 0), m.item, m.qty,"
    " coalesce(m.call_id, 0), m.at, coalesce(m.user_id, 0)"
    " FROM supply_moves m LEFT JOIN posts a ON a.id = m.from_post"
    " LEFT JOIN posts b ON b.id = m.to_post"
    " WHERE (?1 = 0 OR m.from_post IN (SELECT p.id FROM posts p WHERE " SCOPE_WHERE ")"
    " OR m.to_post IN (SELECT p.id FROM posts p WHERE " SCOPE_WHERE "))"
    " AND (?4 = '' OR m.item = ?4) AND (?5 = 0 OR m.at >= ?5) AND (?6 = 0 OR m.at < ?6)"
    " AND (?7 = 0 OR m.id < ?7) ORDER BY m.id DESC LIMIT ?8";

int forces_ledger_list(struct db *d, const struct forces_ledger_query *q,
		       int (*fn)(const struct forces_supply_move *m, void *ctx), void *ctx)
{
	struct scope sc;
	struct db_stmt *st;
	int rc = post_scope(d, q->place_id, &sc);
	if (rc || (rc = db_prepare(d, sql_ledger, &st)))
		return rc;
	scope_bind(st, 1, &sc);
	db_bind_text_static(st, 4, q->item >= 0 ? forces_item_name(q->item) : "", -1);
	db_bind_i64(st, 5, q->from);
	db_bind_i64(st, 6, q->to);
	db_bind_i64(st, 7, q->before);
	db_bind_i64(st, 8, q->limit > 0 ? q->limit : 100);
	while ((rc = db_step(st)) == DB_ROW) {
		struct forces_supply_move m = {.id = db_col_i64(st, 0)};
		const char *kind = db_col_text(st, 1);
		m.kind = strcmp(kind, "receive") == 0 ? FORCES_MOVE_RECEIVE
			 : strcmp(kind, "move") == 0  ? FORCES_MOVE_MOVE
						      : FORCES_MOVE_HANDOUT;
		m.from_post = db_col_i64(st, 2);
		m.to_post = db_col_i64(st, 3);
		m.from_place = db_col_i64(st, 4);
		m.to_place = db_col_i64(st, 5);
		if (forces_item_parse(db_col_text(st, 6), &m.item))
			m.item = -1;
		m.qty = db_col_i64(st, 7);
		m.call_id = db_col_i64(st, 8);
		m.at = db_col_i64(st, 9);
		m.user_id = db_col_i64(st, 10);
		if ((rc = fn(&m, ctx)))
			break;
	}
	db_stmt_done(st);
	return rc == DB_DONE ? 0 : rc;
}
