/* places.c: the administrative tree — adding nodes with their checks, reading nodes,
 * paths and children, and keeping every node's counts of what lies below it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "places.h"
#include "places_int.h"

static const char *const level_names[PLACES_NLEVELS] = {
    "city", "district", "street", "community", "grid", "compound", "building", "household"};

const char *places_level_name(int level)
{
	return level >= 0 && level < PLACES_NLEVELS ? level_names[level] : NULL;
}

int places_level_parse(const char *s, int *level)
{
	for (int i = 0; i < PLACES_NLEVELS; i++)
		if (!strcmp(s, level_names[i])) {
			*level = i;
			return 0;
		}
	if (!strcmp(s, "town")) {
		*level = PLACES_STREET;
		return 0;
	}
	if (!strcmp(s, "village")) {
		*level = PLACES_COMMUNITY;
		return 0;
	}
	return MU_EINVAL;
}

int places_code_check(const char *code, struct mu_why *why)
{
	size_t n = strlen(code);
	if (n == 0)
		return mu_why_set(why, MU_EINVAL, "code", "code is empty");
	if (n > PLACES_CODE_MAX)
		return mu_why_set(why, MU_EINVAL, "code", "code is longer than 32 characters");
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '-'))
			return mu_why_set(why, MU_EINVAL, "code",
					  "code may hold only letters, digits and '-'");
	}
	return 0;
}

int places_name_check(const char *name, struct mu_why *why)
{
	size_t n = strlen(name);
	if (n == 0)
		return mu_why_set(why, MU_EINVAL, "name", "name is empty");
	if (!mu_utf8_valid(name, n))
		return mu_why_set(why, MU_EINVAL, "name", "name is not valid UTF-8");
	if (mu_utf8_len(name, n) > PLACES_NAME_MAX)
		return mu_why_set(why, MU_EINVAL, "name", "name is longer than 64 characters");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return mu_why_set(why, MU_EINVAL, "name", "name holds a control character");
	uint32_t cp = mu_utf8_invisible(name, n);
	if (cp)
		return mu_why_set(why, MU_EINVAL, "name",
				  "name holds an invisible character U+%04X (bidi controls and "
				  "zero-width characters disguise a name)",
				  (unsigned)cp);
	return 0;
}

/* ---- reading ---------------------------------------------------------------------- */

#define NODE_COLS                                                                                  \
	"id, parent_id, level, code, name, n_districts, n_streets, n_communities, n_grids, "       \
	"n_compounds, n_buildings, n_households, n_people"

static const char sql_get[] = "SELECT " NODE_COLS " FROM places WHERE id = ?";
static const char sql_find[] = "SELECT " NODE_COLS " FROM places WHERE code = ?";
static const char sql_children_after[] =
    "SELECT " NODE_COLS " FROM places WHERE parent_id = ? AND code > ? ORDER BY code";

/* Fills n from a row whose first columns are NODE_COLS (offset off). */
static void read_node(struct db_stmt *s, int off, struct places_node *n)
{
	memset(n, 0, sizeof *n);
	n->id = db_col_i64(s, off + 0);
	n->parent_id = db_col_i64(s, off + 1);
	n->level = (int)db_col_i64(s, off + 2);
	snprintf(n->code, sizeof n->code, "%s", db_col_text(s, off + 3));
	snprintf(n->name, sizeof n->name, "%s", db_col_text(s, off + 4));
	for (int l = PLACES_DISTRICT; l <= PLACES_HOUSEHOLD; l++)
		n->below[l] = db_col_i64(s, off + 4 + l);
	n->people = db_col_i64(s, off + 12);
}

static int get_one(struct db *d, const char *sql, int64_t id, const char *code,
		   struct places_node *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	rc = code ? db_bind_text(s, 1, code, -1) : db_bind_i64(s, 1, id);
	if (rc == 0) {
		rc = db_step(s);
		if (rc == DB_ROW) {
			read_node(s, 0, out);
			rc = 0;
		} else if (rc == DB_DONE) {
			rc = MU_ENOTFOUND;
		}
	}
	db_stmt_done(s);
	return rc;
}

int places_get(struct db *d, int64_t id, struct places_node *out)
{
	return get_one(d, sql_get, id, NULL, out);
}

int places_find(struct db *d, const char *code, struct places_node *out)
{
	return get_one(d, sql_find, 0, code, out);
}

int places_id_of_code(struct db *d, const char *code, int64_t *id)
{
	int level;
	return places__codeindex_find(d, code, id) ? 0 : places_level_of(d, code, id, &level);
}

int places_code_get(struct db *d, int64_t id, char *out, size_t size)
{
	struct places_node n;
	int rc = places_get(d, id, &n);
	if (rc == 0)
		snprintf(out, size, "%s", n.code);
	return rc;
}

static const char sql_parent_of[] = "SELECT parent_id FROM places WHERE id = ?";

int places_path(struct db *d, int64_t id, int64_t ids[PLACES_NLEVELS], int *n)
{
	int64_t rev[PLACES_NLEVELS + 1];
	int k = 0, rc = 0;
	struct db_stmt *s = NULL;
	struct places__pathindex *ix = places__pathindex_of(d);
	int64_t cur = id;
	while (cur) {
		/* The tree is at most eight deep; a longer chain means a corrupted parent. */
		if (k == PLACES_NLEVELS) {
			rc = MU_EDB;
			break;
		}
		rev[k++] = cur;
		int64_t parent;
		/* Served from memory, a path asks SQL only for the parents it has not seen. */
		if (places__pathindex_parent(ix, cur, &parent)) {
			cur = parent;
			continue;
		}
		if (!s && (rc = db_prepare(d, sql_parent_of, &s)))
			return rc;
		db_bind_i64(s, 1, cur);
		rc = db_step(s);
		if (rc == DB_DONE) {
			rc = k == 1 ? MU_ENOTFOUND : MU_EDB;
			break;
		}
		if (rc < 0)
			break;
		parent = db_col_i64(s, 0);
		places__pathindex_set(ix, cur, parent);
		cur = parent;
		rc = 0;
		db_stmt_done(s);
	}
	if (s)
		db_stmt_done(s);
	if (rc)
		return rc;
	for (int i = 0; i < k; i++)
		ids[i] = rev[k - 1 - i];
	*n = k;
	return 0;
}

int places_is_within(struct db *d, int64_t id, int64_t ancestor, bool *within)
{
	int64_t ids[PLACES_NLEVELS];
	int n, rc = places_path(d, id, ids, &n);
	*within = false;
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		if (ids[i] == ancestor)
			*within = true;
	return 0;
}

/* Steps s (bound by the caller) and calls fn with each row's node, read from column off;
 * stops when fn returns non-zero and returns that. Hands s back either way. */
static int each_node(struct db_stmt *s, int off, int (*fn)(const struct places_node *n, void *ctx),
		     void *ctx)
{
	struct places_node n;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		read_node(s, off, &n);
		if ((rc = fn(&n, ctx)) != 0)
			break;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

int places_children(struct db *d, int64_t id, int (*fn)(const struct places_node *n, void *ctx),
		    void *ctx)
{
	/* Every code sorts after "": the same query and index as a later page's. */
	return places_children_after(d, id, "", fn, ctx);
}

int places_children_after(struct db *d, int64_t id, const char *after,
			  int (*fn)(const struct places_node *n, void *ctx), void *ctx)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_children_after, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, id);
	db_bind_text(s, 2, after ? after : "", -1);
	return each_node(s, 0, fn, ctx);
}

/* Depth-first in one query: the recursive CTE's queue is ordered by the path of codes
 * (joined by \x01, which sorts below every code character), so each node's subtree is
 * drained before its next sibling. */
static const char sql_walk[] =
    "WITH RECURSIVE t(path, " NODE_COLS ") AS ("
    " SELECT code, " NODE_COLS " FROM places WHERE id = ?1"
    " UNION ALL"
    " SELECT t.path || char(1) || c.code, c.id, c.parent_id, c.level, c.code, c.name,"
    "  c.n_districts, c.n_streets, c.n_communities, c.n_grids, c.n_compounds,"
    "  c.n_buildings, c.n_households, c.n_people"
    " FROM places c JOIN t ON c.parent_id = t.id"
    " ORDER BY 1)"
    " SELECT * FROM t";

int places_walk(struct db *d, int64_t root, int (*fn)(const struct places_node *n, void *ctx),
		void *ctx)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_walk, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, root);
	return each_node(s, 1, fn, ctx);
}

static const char sql_root[] = "SELECT id FROM places WHERE level = 0 ORDER BY id LIMIT 1";

int places_root(struct db *d, int64_t *id)
{
	int64_t v = 0;
	int rc = db_query_i64(d, sql_root, &v);
	*id = v;
	return rc ? rc : v ? 0 : MU_ENOTFOUND;
}

int places_parent(struct db *d, int64_t id, int64_t *parent_id)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_parent_of, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	*parent_id = rc == DB_ROW ? db_col_i64(s, 0) : 0;
	db_stmt_done(s);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? MU_ENOTFOUND : rc;
}

static const char sql_tree[] =
    "SELECT id, coalesce(parent_id, 0), level FROM places ORDER BY level";

int places_tree(struct db *d, int (*fn)(int64_t id, int64_t parent_id, int level, void *ctx),
		void *ctx)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_tree, &s);
	if (rc)
		return rc;
	while ((rc = db_step(s)) == DB_ROW)
		if ((rc = fn(db_col_i64(s, 0), db_col_i64(s, 1), (int)db_col_i64(s, 2), ctx)) != 0)
			break;
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* As sql_walk, but the recursion stops at the wanted level (?2) and each row carries
 * its parent's code: the root's from a join, the others' from the row they came from. */
static const char sql_level_walk[] =
    "WITH RECURSIVE t(path, id, parent_id, level, code, pcode) AS ("
    " SELECT p.code, p.id, coalesce(p.parent_id, 0), p.level, p.code, coalesce(q.code, '')"
    " FROM places p LEFT JOIN places q ON q.id = p.parent_id WHERE p.id = ?1"
    " UNION ALL SELECT t.path || char(1) || c.code, c.id, c.parent_id, c.level, c.code, t.code"
    " FROM places c JOIN t ON c.parent_id = t.id WHERE t.level < ?2 ORDER BY 1)"
    " SELECT id, parent_id, code, pcode FROM t WHERE level = ?2";

int places_level_walk(struct db *d, int64_t root, int level,
		      int (*fn)(const struct places_ref *r, void *ctx), void *ctx)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_level_walk, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, root);
	db_bind_i64(s, 2, level);
	struct places_ref r;
	while ((rc = db_step(s)) == DB_ROW) {
		r.id = db_col_i64(s, 0);
		r.parent_id = db_col_i64(s, 1);
		snprintf(r.code, sizeof r.code, "%s", db_col_text(s, 2));
		snprintf(r.parent_code, sizeof r.parent_code, "%s", db_col_text(s, 3));
		if ((rc = fn(&r, ctx)) != 0)
			break;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* ---- writing ------------------------------------------------------------------------ */

static const char sql_insert[] =
    "INSERT INTO places (parent_id, level, code, name) VALUES (?, ?, ?, ?)";
static const char sql_insert_raw[] =
    "INSERT INTO places (id, parent_id, level, code, name, n_districts, n_streets,"
    " n_communities, n_grids, n_compounds, n_buildings, n_households, n_people)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_has_city[] = "SELECT 1 FROM places WHERE level = 0 LIMIT 1";

/* One statement per counted level: the column name cannot be a parameter. The CTE
 * walks from the given node up to the root. */
#define ANCESTORS_UPDATE(col)                                                                      \
	"WITH RECURSIVE anc(id) AS (SELECT ?1 UNION ALL"                                           \
	" SELECT p.parent_id FROM places p JOIN anc ON p.id = anc.id"                              \
	" WHERE p.parent_id IS NOT NULL)"                                                          \
	" UPDATE places SET " col " = " col " + ?2 WHERE id IN anc"

static const char *const sql_count_up[PLACES_NLEVELS + 1] = {
    NULL,
    ANCESTORS_UPDATE("n_districts"),
    ANCESTORS_UPDATE("n_streets"),
    ANCESTORS_UPDATE("n_communities"),
    ANCESTORS_UPDATE("n_grids"),
    ANCESTORS_UPDATE("n_compounds"),
    ANCESTORS_UPDATE("n_buildings"),
    ANCESTORS_UPDATE("n_households"),
    ANCESTORS_UPDATE("n_people"),
};

static int count_up(struct db *d, int64_t from, int which, int64_t delta)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_count_up[which], &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, from);
	db_bind_i64(s, 2, delta);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

int places_people_add(struct db *d, int64_t id, int64_t delta)
{
	return count_up(d, id, PLACES_NLEVELS, delta);
}

/* A small open-addressing map from place id to (parent id, summed delta). */
struct agg {
	int64_t *ids, *parents, *sums;
	size_t cap, n;
};

static size_t agg_slot(const struct agg *a, int64_t id)
{
	size_t i = (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 17) & (a->cap - 1);
	while (a->ids[i] && a->ids[i] != id)
		i = (i + 1) & (a->cap - 1);
	return i;
}

static void agg_grow(struct agg *a)
{
	struct agg old = *a;
	a->cap = old.cap ? old.cap * 2 : 1024;
	a->ids = mu_xcalloc(a->cap, sizeof *a->ids);
	a->parents = mu_xcalloc(a->cap, sizeof *a->parents);
	a->sums = mu_xcalloc(a->cap, sizeof *a->sums);
	a->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.ids[i]) {
			size_t j = agg_slot(a, old.ids[i]);
			a->ids[j] = old.ids[i];
			a->parents[j] = old.parents[i];
			a->sums[j] = old.sums[i];
			a->n++;
		}
	free(old.ids);
	free(old.parents);
	free(old.sums);
}

/* Finds or adds id (reading its parent once); returns its slot. */
static int agg_get(struct db *d, struct agg *a, int64_t id, size_t *slot)
{
	if ((a->n + 1) * 2 > a->cap)
		agg_grow(a);
	size_t i = agg_slot(a, id);
	if (!a->ids[i]) {
		struct db_stmt *s;
		int rc = db_prepare(d, sql_parent_of, &s);
		if (rc)
			return rc;
		db_bind_i64(s, 1, id);
		rc = db_step(s);
		int64_t parent = rc == DB_ROW ? db_col_i64(s, 0) : 0;
		db_stmt_done(s);
		if (rc == DB_DONE)
			return MU_ENOTFOUND;
		if (rc < 0)
			return rc;
		a->ids[i] = id;
		a->parents[i] = parent;
		a->sums[i] = 0;
		a->n++;
	}
	*slot = i;
	return 0;
}

static int cmp_upd(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static const char sql_people_plus[] = "UPDATE places SET n_people = n_people + ? WHERE id = ?";

int places_people_add_many(struct db *d, const int64_t *ids, const int64_t *deltas, size_t n)
{
	struct agg a = {0};
	int rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++) {
		if (!deltas[k])
			continue;
		int64_t id = ids[k];
		for (int depth = 0; id && rc == 0; depth++) {
			size_t i;
			if (depth == PLACES_NLEVELS) {
				rc = MU_EDB; /* a parent cycle: the tree is corrupt */
				break;
			}
			if ((rc = agg_get(d, &a, id, &i)) == 0) {
				a.sums[i] += deltas[k];
				id = a.parents[i];
			}
		}
	}
	/* Update in id order: rows of neighbouring ids share pages, so the updates walk the
	 * table once instead of landing on random pages (≈1.3 s of a 1 M-person import). */
	struct upd {
		int64_t id, sum;
	} *u = mu_xmalloc((a.n ? a.n : 1) * sizeof *u);
	size_t nu = 0;
	for (size_t i = 0; i < a.cap; i++)
		if (a.ids[i] && a.sums[i])
			u[nu++] = (struct upd){a.ids[i], a.sums[i]};
	qsort(u, nu, sizeof *u, cmp_upd);
	for (size_t i = 0; i < nu && rc == 0; i++) {
		struct db_stmt *s;
		if ((rc = db_prepare(d, sql_people_plus, &s)))
			break;
		db_bind_i64(s, 1, u[i].sum);
		db_bind_i64(s, 2, u[i].id);
		rc = db_step(s);
		db_stmt_done(s);
		rc = rc == DB_DONE ? 0 : rc;
	}
	free(u);
	free(a.ids);
	free(a.parents);
	free(a.sums);
	return rc;
}

int places_add(struct db *d, int64_t parent_id, int level, const char *code, const char *name,
	       int64_t *id, struct mu_why *why)
{
	mu_why_clear(why);
	if (level < 0 || level >= PLACES_NLEVELS)
		return mu_why_set(why, MU_EINVAL, "level", "unknown level");
	int rc;
	if ((rc = places_code_check(code, why)) || (rc = places_name_check(name, why)))
		return rc;
	if (parent_id == 0) {
		if (level != PLACES_CITY)
			return mu_why_set(why, MU_EINVAL, "parent", "only the city has no parent");
		int64_t has;
		if ((rc = db_query_i64(d, sql_has_city, &has)))
			return rc;
		if (has)
			return mu_why_set(why, MU_EEXIST, "level", "there is already a city");
	} else {
		struct places_node parent;
		if ((rc = places_get(d, parent_id, &parent)))
			return mu_why_set(why, rc, "parent", "unknown parent");
		if (parent.level + 1 != level)
			return mu_why_set(why, MU_EINVAL, "level",
					  "level must be one below its parent's");
	}
	if ((rc = db_tx_begin(d)))
		return rc;
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_insert, &s)))
		goto out;
	if (parent_id)
		db_bind_i64(s, 1, parent_id);
	else
		db_bind_null(s, 1);
	db_bind_i64(s, 2, level);
	db_bind_text(s, 3, code, -1);
	db_bind_text(s, 4, name, -1);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc == MU_EEXIST) {
		mu_why_set(why, rc, "code", "code already used");
		goto out;
	}
	if (rc != DB_DONE)
		goto out;
	*id = db_last_insert_id(d);
	rc = parent_id ? count_up(d, parent_id, level, 1) : 0;
out:
	if (rc == 0)
		return db_tx_commit(d);
	db_tx_rollback(d);
	return rc;
}

int places_insert_raw(struct db *d, const struct places_node *n)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_insert_raw, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, n->id);
	if (n->parent_id)
		db_bind_i64(s, 2, n->parent_id);
	else
		db_bind_null(s, 2);
	db_bind_i64(s, 3, n->level);
	db_bind_text_static(s, 4, n->code, -1);
	db_bind_text_static(s, 5, n->name, -1);
	for (int l = PLACES_DISTRICT; l <= PLACES_HOUSEHOLD; l++)
		db_bind_i64(s, 5 + l, n->below[l]);
	db_bind_i64(s, 13, n->people);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* Rebuild, bottom-up: households take the people counts they are given, then each
 * level sums its children (and counts them at the children's level). CASE, not
 * SUM(level = 1): PostgreSQL has no sum of booleans. */
static const char sql_reset[] =
    "UPDATE places SET n_districts = 0, n_streets = 0, n_communities = 0, n_grids = 0,"
    " n_compounds = 0, n_buildings = 0, n_households = 0, n_people = 0";
static const char sql_household_people[] =
    "UPDATE places SET n_people = ?2 WHERE id = ?1 AND level = 7";
static const char sql_level_up[] =
    "UPDATE places SET"
    " n_districts = c.d, n_streets = c.s, n_communities = c.cm, n_grids = c.g,"
    " n_compounds = c.cp, n_buildings = c.b, n_households = c.h, n_people = c.p"
    " FROM (SELECT parent_id,"
    "  SUM(CASE WHEN level = 1 THEN 1 ELSE 0 END) + SUM(n_districts) AS d,"
    "  SUM(CASE WHEN level = 2 THEN 1 ELSE 0 END) + SUM(n_streets) AS s,"
    "  SUM(CASE WHEN level = 3 THEN 1 ELSE 0 END) + SUM(n_communities) AS cm,"
    "  SUM(CASE WHEN level = 4 THEN 1 ELSE 0 END) + SUM(n_grids) AS g,"
    "  SUM(CASE WHEN level = 5 THEN 1 ELSE 0 END) + SUM(n_compounds) AS cp,"
    "  SUM(CASE WHEN level = 6 THEN 1 ELSE 0 END) + SUM(n_buildings) AS b,"
    "  SUM(CASE WHEN level = 7 THEN 1 ELSE 0 END) + SUM(n_households) AS h,"
    "  SUM(n_people) AS p"
    "  FROM places WHERE level = ?1 GROUP BY parent_id) AS c"
    " WHERE places.id = c.parent_id";

int places_counts_rebuild(struct db *d, const int64_t *households, const int64_t *people, size_t n)
{
	struct db_stmt *s;
	int rc;
	if ((rc = db_tx_begin(d)))
		return rc;
	if ((rc = db_exec(d, sql_reset)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if ((rc = db_prepare(d, sql_household_people, &s)))
			goto out;
		db_bind_i64(s, 1, households[i]);
		db_bind_i64(s, 2, people[i]);
		rc = db_step(s);
		db_stmt_done(s);
		if (rc != DB_DONE)
			goto out;
		rc = 0;
	}
	for (int level = PLACES_HOUSEHOLD; level >= PLACES_DISTRICT; level--) {
		if ((rc = db_prepare(d, sql_level_up, &s)))
			goto out;
		db_bind_i64(s, 1, level);
		rc = db_step(s);
		db_stmt_done(s);
		if (rc != DB_DONE)
			goto out;
		rc = 0;
	}
out:
	if (rc == 0)
		return db_tx_commit(d);
	db_tx_rollback(d);
	return rc;
}
