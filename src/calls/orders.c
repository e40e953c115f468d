/* orders.c: orders down the place tree (令行禁止) — issue to places below, each target's
 * acknowledgement, done and blocked reports, forwarding to its own units, the cascade
 * that makes a forwarding target done with its last forwarded target, the roll-up per
 * level and the overdue targets under a place. Tables orders, order_targets, order_steps. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

static const char *const state_names[] = {"pending", "acknowledged", "done", "blocked"};

const char *calls_order_state_name(int state)
{
	return state >= 0 && state <= CALLS_ORDER_BLOCKED ? state_names[state] : NULL;
}

int calls_order_act_parse(const char *s, int *act)
{
	if (!s)
		return MU_EINVAL;
	if (!strcmp(s, "ack"))
		*act = CALLS_ACT_ACK;
	else if (!strcmp(s, "done"))
		*act = CALLS_ACT_DONE;
	else if (!strcmp(s, "blocked"))
		*act = CALLS_ACT_BLOCKED;
	else
		return MU_EINVAL;
	return 0;
}

int calls_place_path(struct db *d, int64_t id, char out[CALLS_PATH_MAX])
{
	int64_t ids[PLACES_NLEVELS];
	int n, rc = places_path(d, id, ids, &n);
	size_t len = 1;
	if (rc)
		return rc;
	out[0] = '/';
	out[1] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, CALLS_PATH_MAX - len, "%" PRId64 "/", ids[i]);
	return 0;
}

bool calls_path_within(const char *path, const char *within)
{
	return !within || !strncmp(path, within, strlen(within));
}

/* The exclusive upper bound of the paths within prefix p ("/1/5/" → "/1/50"): '/' + 1
 * is '0', and no path holds a character between them at that position. */
static void path_upper(const char *p, char out[CALLS_PATH_MAX])
{
	size_t n = strlen(p);
	memcpy(out, p, n + 1);
	if (n)
		out[n - 1] = (char)(out[n - 1] + 1);
}

/* A text of 1 to max code points of valid UTF-8 (notes may be NULL or empty when
 * optional). */
static int text_check(const char *s, size_t max, bool required, const char *field,
		      struct mu_why *why)
{
	if (!s || !*s)
		return required ? mu_why_set(why, MU_EINVAL, field, "%s is empty", field) : 0;
	size_t n = strlen(s);
	if (!mu_utf8_valid(s, n) || mu_utf8_invisible(s, n))
		return mu_why_set(why, MU_EINVAL, field, "%s is not valid text", field);
	if (mu_utf8_len(s, n) > max)
		return mu_why_set(why, MU_EINVAL, field, "%s is longer than %zu characters", field,
				  max);
	return 0;
}

/* ---- steps ------------------------------------------------------------------------------ */

static const char sql_step[] = "INSERT INTO order_steps(order_id, target_id, kind, note, user_id,"
			       " by_cascade, at) VALUES (?, ?, ?, ?, ?, ?, ?)";

static int step_add(struct db *d, int64_t order, int64_t target, const char *kind, const char *note,
		    int64_t user, bool cascade, int64_t at)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_step, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, order);
	if (target)
		db_bind_i64(s, 2, target);
	db_bind_text(s, 3, kind, -1);
	if (note && *note)
		db_bind_text(s, 4, note, -1);
	if (user)
		db_bind_i64(s, 5, user);
	db_bind_i64(s, 6, cascade);
	db_bind_i64(s, 7, at);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* ---- issue ------------------------------------------------------------------------------- */

static const char sql_order_insert[] =
    "INSERT INTO orders(title, body, issuer_place, issuer_path, issuer_user, issuer_name,"
    " issued_at, due, wartime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_target_insert[] =
    "INSERT INTO order_targets(order_id, place_id, path, level, parent_id, due)"
    " VALUES (?, ?, ?, ?, ?, ?)";

/* Inserts one target; MU_EEXIST when the order already has one at the place. */
static int target_insert(struct db *d, int64_t order, int64_t place, const char *path, int level,
			 int64_t parent, int64_t due, int64_t *id)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_target_insert, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, order);
	db_bind_i64(s, 2, place);
	db_bind_text(s, 3, path, -1);
	db_bind_i64(s, 4, level);
	if (parent)
		db_bind_i64(s, 5, parent);
	db_bind_i64(s, 6, due);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc == DB_DONE)
		*id = db_last_insert_id(d);
	return rc == DB_DONE ? 0 : rc;
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Checks places[0..n) as new targets strictly below the place whose path is above (not
 * empty, not too many, none twice) and writes each one's path and level. MU_EINVAL or
 * MU_ENOTFOUND with why on "targets"; out_of is the error for a place outside above's
 * subtree (MU_EFORBIDDEN for an issue, MU_EINVAL for a forward). */
static int targets_check(struct db *d, const int64_t *places, size_t n, const char *above,
			 int out_of, char (*paths)[CALLS_PATH_MAX], int *levels, struct mu_why *why)
{
	if (n == 0)
		return mu_why_set(why, MU_EINVAL, "targets", "an order needs at least one target");
	if (n > CALLS_ORDER_TARGETS_MAX)
		return mu_why_set(why, MU_EINVAL, "targets", "at most %d targets at once",
				  CALLS_ORDER_TARGETS_MAX);
	int64_t *sorted = mu_xmalloc(n * sizeof *sorted);
	int rc = 0;
	memcpy(sorted, places, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, id_cmp);
	for (size_t i = 1; i < n; i++)
		if (sorted[i] == sorted[i - 1]) {
			rc = mu_why_set(why, MU_EINVAL, "targets", "a place is named twice");
			goto out;
		}
	for (size_t i = 0; i < n; i++) {
		struct places_node node;
		if ((rc = places_get(d, places[i], &node)) ||
		    (rc = calls_place_path(d, places[i], paths[i]))) {
			if (rc == MU_ENOTFOUND)
				mu_why_set(why, rc, "targets", "no place has this id");
			goto out;
		}
		if (!calls_path_within(paths[i], above)) {
			rc = mu_why_set(why, out_of, "targets", "%s does not lie below the sender",
					node.code);
			goto out;
		}
		if (!strcmp(paths[i], above)) {
			rc = mu_why_set(why, MU_EINVAL, "targets",
					"an order goes to places below the sender, not to itself");
			goto out;
		}
		levels[i] = node.level;
	}
out:
	free(sorted);
	return rc;
}

int calls_order_issue(struct db *d, const struct calls_order_new *in, int64_t *id, int64_t *due,
		      struct mu_why *why)
{
	char issuer_path[CALLS_PATH_MAX];
	char(*paths)[CALLS_PATH_MAX] = NULL;
	int *levels = NULL;
	bool wartime = false;
	struct db_stmt *s;
	int rc;
	if ((rc = text_check(in->title, CALLS_ORDER_TITLE_MAX, true, "title", why)) ||
	    (rc = text_check(in->text, CALLS_ORDER_TEXT_MAX, true, "text", why)))
		return rc;
	if ((rc = calls_place_path(d, in->issuer_place, issuer_path)))
		return rc == MU_ENOTFOUND ? mu_why_set(why, rc, "place", "no place has this id")
					  : rc;
	if ((rc = calls_wartime_of(d, in->issuer_place, in->issued_at, &wartime, NULL)))
		return rc;
	*due = in->due
		   ? in->due
		   : in->issued_at + (wartime ? CALLS_ORDER_DUE_WARTIME : CALLS_ORDER_DUE_NORMAL);
	if (*due <= in->issued_at)
		return mu_why_set(why, MU_EINVAL, "due", "an order is due after it is issued");
	/* As many as the targets given (the caller holds that many ids already). */
	paths = mu_xmalloc((in->n ? in->n : 1) * sizeof *paths);
	levels = mu_xmalloc((in->n ? in->n : 1) * sizeof *levels);
	if ((rc = targets_check(d, in->targets, in->n, issuer_path, MU_EFORBIDDEN, paths, levels,
				why)))
		goto out;
	if ((rc = db_prepare(d, sql_order_insert, &s)))
		goto out;
	db_bind_text(s, 1, in->title, -1);
	db_bind_text(s, 2, in->text, -1);
	db_bind_i64(s, 3, in->issuer_place);
	db_bind_text(s, 4, issuer_path, -1);
	if (in->issuer_user)
		db_bind_i64(s, 5, in->issuer_user);
	db_bind_text(s, 6, in->issuer_name ? in->issuer_name : "", -1);
	db_bind_i64(s, 7, in->issued_at);
	db_bind_i64(s, 8, *due);
	db_bind_i64(s, 9, wartime);
	rc = db_step(s);
	db_stmt_done(s);
	if (rc != DB_DONE)
		goto out;
	*id = db_last_insert_id(d);
	rc = step_add(d, *id, 0, "issue", NULL, in->issuer_user, false, in->issued_at);
	for (size_t i = 0; rc == 0 && i < in->n; i++) {
		int64_t tid;
		rc = target_insert(d, *id, in->targets[i], paths[i], levels[i], 0, *due, &tid);
	}
out:
	free(paths);
	free(levels);
	return rc;
}

struct under {
	int64_t *ids;
	size_t n, cap;
};

static int under_one(const struct places_ref *r, void *ctx)
{
	struct under *u = ctx;
	if (u->n == CALLS_ORDER_TARGETS_MAX)
		return MU_ETOOBIG;
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		u->ids = mu_xrealloc(u->ids, u->cap * sizeof *u->ids);
	}
	u->ids[u->n++] = r->id;
	return 0;
}

int calls_order_places_under(struct db *d, int64_t under, int level, int64_t **ids, size_t *n)
{
	struct under u = {0};
	*ids = NULL;
	*n = 0;
	if (level != PLACES_STREET && level != PLACES_COMMUNITY && level != PLACES_GRID)
		return MU_EINVAL;
	int rc = places_level_walk(d, under, level, under_one, &u);
	if (rc) {
		free(u.ids);
		return rc;
	}
	*ids = u.ids;
	*n = u.n;
	return 0;
}

/* ---- reading ------------------------------------------------------------------------------ */

static const char sql_order_get[] =
    "SELECT id, title, body, issuer_place, issuer_path, coalesce(issuer_user, 0), issuer_name,"
    " issued_at, due, wartime FROM orders WHERE id = ?";

int calls_order_get(struct db *d, int64_t id, struct calls_order *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_order_get, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		memset(out, 0, sizeof *out);
		out->id = db_col_i64(s, 0);
		snprintf(out->title, sizeof out->title, "%s", db_col_text(s, 1));
		snprintf(out->text, sizeof out->text, "%s", db_col_text(s, 2));
		out->issuer_place = db_col_i64(s, 3);
		snprintf(out->issuer_path, sizeof out->issuer_path, "%s", db_col_text(s, 4));
		out->issuer_user = db_col_i64(s, 5);
		snprintf(out->issuer_name, sizeof out->issuer_name, "%s", db_col_text(s, 6));
		out->issued_at = db_col_i64(s, 7);
		out->due = db_col_i64(s, 8);
		out->wartime = db_col_i64(s, 9) != 0;
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

static const char sql_targets[] =
    "SELECT id, place_id, path, level, coalesce(parent_id, 0), state, due,"
    " coalesce(acked_at, 0), coalesce(done_at, 0), coalesce(blocked_at, 0),"
    " coalesce(reported_at, 0), note FROM order_targets WHERE order_id = ?";

static int target_cmp(const void *a, const void *b)
{
	const struct calls_order_target *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The index of target id in v (ids ascend); CALLS_NONE when absent. */
static size_t index_of(const struct calls_order_view *v, int64_t id)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->t[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->n && v->t[lo].id == id ? lo : CALLS_NONE;
}

int calls_order_view_new(struct db *d, int64_t id, int64_t now, struct calls_order_view **out)
{
	struct calls_order_view *v = mu_xcalloc(1, sizeof *v);
	struct db_stmt *s = NULL;
	int rc;
	mu_arena_init(&v->arena, 16384);
	*out = NULL;
	if ((rc = calls_order_get(d, id, &v->o)) || (rc = db_prepare(d, sql_targets, &s)))
		goto out;
	db_bind_i64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		if (v->n == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 32;
			v->t = mu_xrealloc(v->t, v->cap * sizeof *v->t);
		}
		struct calls_order_target *t = &v->t[v->n++];
		memset(t, 0, sizeof *t);
		t->id = db_col_i64(s, 0);
		t->place_id = db_col_i64(s, 1);
		t->path = mu_arena_strndup(&v->arena, db_col_text(s, 2), strlen(db_col_text(s, 2)));
		t->level = (int)db_col_i64(s, 3);
		t->parent_id = db_col_i64(s, 4);
		t->state = (int)db_col_i64(s, 5);
		t->due = db_col_i64(s, 6);
		t->acked_at = db_col_i64(s, 7);
		t->done_at = db_col_i64(s, 8);
		t->blocked_at = db_col_i64(s, 9);
		t->reported_at = db_col_i64(s, 10);
		if (!db_col_null(s, 11))
			t->note = mu_arena_strndup(&v->arena, db_col_text(s, 11),
						   strlen(db_col_text(s, 11)));
	}
	if (rc != DB_DONE)
		goto out;
	rc = 0;
	/* In id order, sorted here: an ORDER BY id over the (order_id, place_id) index costs
	 * SQLite a sorter whose setup now and then took milliseconds (bench orders-load). */
	if (v->n > 1)
		qsort(v->t, v->n, sizeof *v->t, target_cmp);
	/* Links: a forwarded target comes after its parent (a larger id), so walking back
	 * from the last one prepends each target to its parent's children in id order and
	 * adds its blocked count to the parent's before the parent is reached. */
	v->first_root = CALLS_NONE;
	for (size_t i = 0; i < v->n; i++) {
		struct calls_order_target *t = &v->t[i];
		t->parent = t->parent_id ? index_of(v, t->parent_id) : CALLS_NONE;
		t->first_child = t->next_sibling = CALLS_NONE;
		t->overdue = t->state != CALLS_ORDER_DONE && now > t->due;
	}
	for (size_t i = v->n; i-- > 0;) {
		struct calls_order_target *t = &v->t[i];
		size_t *head =
		    t->parent == CALLS_NONE ? &v->first_root : &v->t[t->parent].first_child;
		t->next_sibling = *head;
		*head = i;
		if (t->parent != CALLS_NONE)
			v->t[t->parent].blocked_below +=
			    t->blocked_below + (t->state == CALLS_ORDER_BLOCKED);
	}
	*out = v;
out:
	db_stmt_done(s);
	if (rc)
		calls_order_view_free(v);
	return rc;
}

void calls_order_view_free(struct calls_order_view *v)
{
	if (!v)
		return;
	mu_arena_fini(&v->arena);
	free(v->t);
	free(v);
}

size_t calls_order_view_find(const struct calls_order_view *v, int64_t place_id)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->t[i].place_id == place_id)
			return i;
	return CALLS_NONE;
}

bool calls_order_view_shows(const struct calls_order_view *v, size_t i, const char *within)
{
	return calls_path_within(v->o.issuer_path, within) ||
	       calls_path_within(v->t[i].path, within);
}

void calls_order_rollup(const struct calls_order_view *v, const char *within,
			struct calls_order_rollup out[CALLS_LEVELS], struct calls_order_rollup *all)
{
	memset(out, 0, CALLS_LEVELS * sizeof *out);
	memset(all, 0, sizeof *all);
	for (size_t i = 0; i < v->n; i++) {
		const struct calls_order_target *t = &v->t[i];
		if (t->level < 0 || t->level >= CALLS_LEVELS ||
		    !calls_order_view_shows(v, i, within))
			continue;
		struct calls_order_rollup *r[2] = {&out[t->level], all};
		for (int k = 0; k < 2; k++) {
			r[k]->total++;
			r[k]->acknowledged += t->state != CALLS_ORDER_PENDING;
			r[k]->done += t->state == CALLS_ORDER_DONE;
			r[k]->blocked += t->state == CALLS_ORDER_BLOCKED;
			r[k]->overdue += t->overdue;
		}
	}
}

/* ---- acting on a target -------------------------------------------------------------------- */

static const char sql_target_of[] =
    "SELECT id, state, coalesce(parent_id, 0), path, due, coalesce(reported_at, 0)"
    " FROM order_targets WHERE order_id = ? AND place_id = ?";
static const char sql_target_by_id[] =
    "SELECT id, state, coalesce(parent_id, 0), path, due, coalesce(reported_at, 0)"
    " FROM order_targets WHERE id = ?";
static const char sql_children_open[] =
    "SELECT count(*) FROM order_targets WHERE parent_id = ? AND done_at IS NULL";
static const char sql_ack[] =
    "UPDATE order_targets SET state = 1, acked_at = ? WHERE id = ? AND state = 0";
static const char sql_done[] = "UPDATE order_targets SET state = 2, done_at = ?,"
			       " acked_at = coalesce(acked_at, ?), reported_at = coalesce("
			       "reported_at, ?), note = coalesce(?, note) WHERE id = ?";
static const char sql_reported[] = "UPDATE order_targets SET state = 1, reported_at = ?,"
				   " acked_at = coalesce(acked_at, ?), note = coalesce(?, note)"
				   " WHERE id = ?";
static const char sql_blocked[] = "UPDATE order_targets SET state = 3, blocked_at = ?,"
				  " acked_at = coalesce(acked_at, ?), reported_at = NULL,"
				  " note = coalesce(?, note) WHERE id = ?";

struct target_row {
	int64_t id, parent, due, reported_at;
	int state;
	char path[CALLS_PATH_MAX];
};

static int target_read(struct db *d, const char *sql, int64_t a, int64_t b, struct target_row *t)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, a);
	if (b)
		db_bind_i64(s, 2, b);
	rc = db_step(s);
	if (rc == DB_ROW) {
		t->id = db_col_i64(s, 0);
		t->state = (int)db_col_i64(s, 1);
		t->parent = db_col_i64(s, 2);
		snprintf(t->path, sizeof t->path, "%s", db_col_text(s, 3));
		t->due = db_col_i64(s, 4);
		t->reported_at = db_col_i64(s, 5);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

/* Runs an UPDATE whose parameters are the int64 values v[0..n) in order, with the text
 * note (NULL: SQL NULL) at position note_at (0: none). */
static int update(struct db *d, const char *sql, const int64_t *v, int n, int note_at,
		  const char *note)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql, &s);
	if (rc)
		return rc;
	for (int i = 0, pos = 1; i < n; i++, pos++) {
		if (pos == note_at) {
			if (note && *note)
				db_bind_text(s, pos, note, -1);
			pos++;
		}
		db_bind_i64(s, pos, v[i]);
	}
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* Marks target t done at now, then each target above that reported done and now has no
 * forwarded target left open, in turn (steps by_cascade). */
static int done_cascade(struct db *d, int64_t order, struct target_row *t, const char *note,
			int64_t user, int64_t now)
{
	bool cascade = false;
	int rc;
	for (;;) {
		const int64_t v[] = {now, now, now, t->id};
		if ((rc = update(d, sql_done, v, 4, 4, cascade ? NULL : note)) ||
		    (rc = step_add(d, order, t->id, "done", cascade ? NULL : note, user, cascade,
				   now)))
			return rc;
		if (!t->parent)
			return 0;
		struct target_row p;
		int64_t open = 0;
		struct db_stmt *s;
		if ((rc = target_read(d, sql_target_by_id, t->parent, 0, &p)))
			return rc;
		if (!p.reported_at || p.state == CALLS_ORDER_DONE)
			return 0;
		if ((rc = db_prepare(d, sql_children_open, &s)))
			return rc;
		db_bind_i64(s, 1, p.id);
		rc = db_step(s);
		open = rc == DB_ROW ? db_col_i64(s, 0) : 0;
		db_stmt_done(s);
		if (rc != DB_ROW)
			return rc;
		if (open)
			return 0;
		*t = p;
		cascade = true;
	}
}

int calls_order_act(struct db *d, int64_t order_id, int64_t place_id, int act, const char *note,
		    int64_t user_id, int64_t now, int *state, struct mu_why *why)
{
	struct target_row t;
	int rc;
	if ((rc = text_check(note, CALLS_ORDER_NOTE_MAX, false, "note", why)))
		return rc;
	if ((rc = target_read(d, sql_target_of, order_id, place_id, &t)))
		return rc == MU_ENOTFOUND
			   ? mu_why_set(why, rc, "code", "the order has no target at this place")
			   : rc;
	*state = t.state;
	switch (act) {
	case CALLS_ACT_ACK: {
		if (t.state != CALLS_ORDER_PENDING)
			return 0;
		const int64_t v[] = {now, t.id};
		if ((rc = update(d, sql_ack, v, 2, 0, NULL)) ||
		    (rc = step_add(d, order_id, t.id, "ack", note, user_id, false, now)))
			return rc;
		*state = CALLS_ORDER_ACKNOWLEDGED;
		return 0;
	}
	case CALLS_ACT_DONE: {
		struct db_stmt *s;
		int64_t open;
		if (t.state == CALLS_ORDER_DONE)
			return 0;
		if ((rc = db_prepare(d, sql_children_open, &s)))
			return rc;
		db_bind_i64(s, 1, t.id);
		rc = db_step(s);
		open = rc == DB_ROW ? db_col_i64(s, 0) : 0;
		db_stmt_done(s);
		if (rc != DB_ROW)
			return rc;
		if (open) {
			const int64_t v[] = {now, now, t.id};
			if ((rc = update(d, sql_reported, v, 3, 3, note)) ||
			    (rc = step_add(d, order_id, t.id, "reported", note, user_id, false,
					   now)))
				return rc;
			*state = CALLS_ORDER_ACKNOWLEDGED;
			return 0;
		}
		*state = CALLS_ORDER_DONE;
		return done_cascade(d, order_id, &t, note, user_id, now);
	}
	case CALLS_ACT_BLOCKED: {
		if (t.state == CALLS_ORDER_DONE)
			return mu_why_set(why, MU_EEXIST, "code", "the target is already done");
		const int64_t v[] = {now, now, t.id};
		if ((rc = update(d, sql_blocked, v, 3, 3, note)) ||
		    (rc = step_add(d, order_id, t.id, "blocked", note, user_id, false, now)))
			return rc;
		*state = CALLS_ORDER_BLOCKED;
		return 0;
	}
	default:
		return mu_why_set(why, MU_EINVAL, "action", "an action is ack, done or blocked");
	}
}

int calls_order_forward(struct db *d, int64_t order_id, int64_t place_id, const int64_t *places,
			size_t n, int64_t due, int64_t user_id, int64_t now, struct mu_why *why)
{
	struct target_row t;
	char(*paths)[CALLS_PATH_MAX] = NULL;
	int *levels = NULL;
	int rc;
	if ((rc = target_read(d, sql_target_of, order_id, place_id, &t)))
		return rc == MU_ENOTFOUND
			   ? mu_why_set(why, rc, "code", "the order has no target at this place")
			   : rc;
	if (t.state == CALLS_ORDER_DONE)
		return mu_why_set(why, MU_EEXIST, "code", "the target is already done");
	if (due > t.due)
		return mu_why_set(why, MU_EINVAL, "due",
				  "a forwarded order is due no later than "
				  "the order it forwards");
	if (!due)
		due = t.due;
	paths = mu_xmalloc((n ? n : 1) * sizeof *paths);
	levels = mu_xmalloc((n ? n : 1) * sizeof *levels);
	if ((rc = targets_check(d, places, n, t.path, MU_EINVAL, paths, levels, why)))
		goto out;
	if (t.state == CALLS_ORDER_PENDING) {
		const int64_t v[] = {now, t.id};
		if ((rc = update(d, sql_ack, v, 2, 0, NULL)) ||
		    (rc = step_add(d, order_id, t.id, "ack", NULL, user_id, false, now)))
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t tid;
		if ((rc = target_insert(d, order_id, places[i], paths[i], levels[i], t.id, due,
					&tid))) {
			if (rc == MU_EEXIST)
				mu_why_set(why, rc, "targets",
					   "a place is already a target of this order");
			goto out;
		}
		if ((rc = step_add(d, order_id, tid, "forward", NULL, user_id, false, now)))
			goto out;
	}
out:
	free(paths);
	free(levels);
	return rc;
}

/* ---- lists ---------------------------------------------------------------------------------- */

static const char sql_list[] =
    "SELECT id FROM orders WHERE id < ?3 AND ((issuer_path >= ?1 AND issuer_path < ?2) OR id IN"
    " (SELECT order_id FROM order_targets WHERE path >= ?1 AND path < ?2))"
    " ORDER BY id DESC";

int calls_order_list(struct db *d, const char *within, int64_t before, size_t limit,
		     int (*fn)(int64_t id, void *ctx), void *ctx)
{
	char hi[CALLS_PATH_MAX];
	struct db_stmt *s;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;
	path_upper(within, hi);
	if ((rc = db_prepare(d, sql_list, &s)))
		return rc;
	db_bind_text(s, 1, within, -1);
	db_bind_text(s, 2, hi, -1);
	db_bind_i64(s, 3, before > 0 ? before : INT64_MAX);
	/* The ids first: fn reads each order on the same connection. A page stops early. */
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = mu_xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = db_col_i64(s, 0);
		if (n == limit)
			break;
	}
	db_stmt_done(s);
	if (rc == DB_ROW || rc == DB_DONE)
		rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = fn(ids[i], ctx);
	free(ids);
	return rc;
}

static const char sql_overdue[] =
    "SELECT t.id, t.order_id, t.place_id, coalesce(p.place_id, o.issuer_place), t.due, t.level,"
    " t.state FROM order_targets t JOIN orders o ON o.id = t.order_id"
    " LEFT JOIN order_targets p ON p.id = t.parent_id"
    " WHERE t.path > ?1 AND t.path < ?2 AND t.done_at IS NULL AND t.due < ?3 AND +t.id > ?4"
    " ORDER BY +t.id";

int calls_order_overdue(struct db *d, const char *within, int64_t now, int64_t after, size_t limit,
			int (*fn)(const struct calls_overdue *o, void *ctx), void *ctx)
{
	char hi[CALLS_PATH_MAX];
	struct db_stmt *s;
	struct calls_overdue *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	path_upper(within, hi);
	if ((rc = db_prepare(d, sql_overdue, &s)))
		return rc;
	/* t.path > within: the place itself is not below itself. The unary + keeps the
	 * planner on the path range (a district's targets) rather than walking every target
	 * by id for the order of the page. */
	db_bind_text(s, 1, within, -1);
	db_bind_text(s, 2, hi, -1);
	db_bind_i64(s, 3, now);
	db_bind_i64(s, 4, after);
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = mu_xrealloc(rows, cap * sizeof *rows);
		}
		struct calls_overdue *o = &rows[n++];
		o->target_id = db_col_i64(s, 0);
		o->order_id = db_col_i64(s, 1);
		o->place_id = db_col_i64(s, 2);
		o->above_place = db_col_i64(s, 3);
		o->due = db_col_i64(s, 4);
		o->level = (int)db_col_i64(s, 5);
		o->state = (int)db_col_i64(s, 6);
		if (n == limit)
			break;
	}
	db_stmt_done(s);
	if (rc == DB_ROW || rc == DB_DONE)
		rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = fn(&rows[i], ctx);
	free(rows);
	return rc;
}

static const char sql_unacked[] =
    "SELECT count(*) FROM order_targets WHERE path >= ?1 AND path < ?2 AND done_at IS NULL"
    " AND state = 0";

int calls_order_unacknowledged(struct db *d, const char *within, int64_t *n)
{
	char hi[CALLS_PATH_MAX];
	struct db_stmt *s;
	int rc;
	*n = 0;
	path_upper(within, hi);
	if ((rc = db_prepare(d, sql_unacked, &s)))
		return rc;
	/* done_at IS NULL: a pending target is never done, and it keeps the read on the
	 * path index's range (path, done_at, due). */
	db_bind_text(s, 1, within, -1);
	db_bind_text(s, 2, hi, -1);
	if ((rc = db_step(s)) == DB_ROW) {
		*n = db_col_i64(s, 0);
		rc = 0;
	}
	db_stmt_done(s);
	return rc;
}
