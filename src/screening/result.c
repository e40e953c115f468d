/* result.c: the lab side — receipt of sealed tubes, one result per tube — and what a
 * result sets off: members cleared, pool-positive recalls on their grids, and the
 * single-tube results that resolve those recalls. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "places/places.h"
#include "screening.h"
#include "screening_int.h"

static const char *const recall_names[] = {"pending", "sampled", "negative", "positive"};

const char *screening_recall_state_name(int s)
{
	return s >= 0 && s <= SCREENING_RECALL_POSITIVE ? recall_names[s] : NULL;
}

int screening_recall_state_parse(const char *s, int *state)
{
	for (int i = 0; s && i <= SCREENING_RECALL_POSITIVE; i++)
		if (!strcmp(s, recall_names[i])) {
			*state = i;
			return 0;
		}
	return MU_EINVAL;
}

static int step_done(struct db_stmt *s)
{
	int rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

/* Why a tube in state st cannot take the next step; for per-item messages. */
static const char *not_ready(int st, int want)
{
	if (st == SCREENING_TUBE_OPEN)
		return "is still open: seal it first";
	if (st == SCREENING_TUBE_SEALED && want == SCREENING_TUBE_RESULTED)
		return "was not received by a lab";
	if (st == SCREENING_TUBE_RECEIVED)
		return "was already received";
	return "already has a result";
}

/* ---- receipt --------------------------------------------------------------------------- */

static const char sql_receive[] =
    "UPDATE tubes SET state = 2, lab_id = ?, received_at = ? WHERE id = ? AND state = 1";

int screening_tube_receive(struct db *d, const char *lab_code, const char *const *barcodes,
			   size_t n, int64_t now, struct screening_item_result *out)
{
	struct screening_lab lab;
	int rc = screening_lab_find(d, lab_code ? lab_code : "", &lab);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct screening_item_result *r = &out[i];
		memset(r, 0, sizeof *r);
		const char *bc = barcodes[i] ? barcodes[i] : "";
		struct screening_tube t;
		rc = screening_tube_get(d, bc, &t);
		if (rc == MU_EINVAL || rc == MU_ENOTFOUND) {
			r->err = mu_why_set(&r->why, rc, "tube", "tube %s: %s", bc,
					    rc == MU_EINVAL ? "malformed barcode" : "no such tube");
			continue;
		}
		if (rc)
			return rc;
		if (t.state != SCREENING_TUBE_SEALED) {
			r->err = mu_why_set(&r->why, MU_EEXIST, "tube", "tube %s %s", bc,
					    not_ready(t.state, SCREENING_TUBE_RECEIVED));
			continue;
		}
		struct db_stmt *s;
		if ((rc = db_prepare(d, sql_receive, &s)))
			return rc;
		db_bind_i64(s, 1, lab.id);
		db_bind_i64(s, 2, now);
		db_bind_i64(s, 3, t.id);
		if ((rc = step_done(s)))
			return rc;
	}
	return 0;
}

/* ---- results ----------------------------------------------------------------------------- */

static const char sql_set_result[] =
    "UPDATE tubes SET state = 3, result = ?, ct_orf1ab = ?, ct_n = ?, resulted_at = ?"
    " WHERE id = ? AND state = 2";
static const char sql_members[] =
    "SELECT person_id, household_id, id, sampled_at FROM samples WHERE tube_id = ?";
static const char sql_recall_new[] =
    "INSERT INTO recalls (round_id, person_id, grid_id, source_tube_id, state, single_tube_id,"
    " created_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (round_id, person_id) DO NOTHING";
static const char sql_recall_confirm[] =
    "UPDATE recalls SET state = 3, single_tube_id = ?, resolved_at = ?"
    " WHERE round_id = ? AND person_id = ? AND state IN (0, 1)";
static const char sql_recall_resolve[] =
    "UPDATE recalls SET state = ?, resolved_at = ? WHERE round_id = ? AND person_id = ?"
    " AND single_tube_id = ? AND state = 1";
static const char sql_recall_again[] =
    "UPDATE recalls SET state = 0, single_tube_id = NULL WHERE round_id = ? AND person_id = ?"
    " AND single_tube_id = ? AND state = 1";

struct member {
	int64_t person_id, household_id, sample_id, sampled_at;
};

/* A recall for a member: pending for a pool, already positive for a k = 1 tube.
 * Does nothing when the person already has one in this round, except that a positive
 * single tube confirms an open one. */
static int recall_create(struct db *d, const struct screening_tube *t, const struct member *m,
			 int state, int64_t at, struct screening_delta *dl)
{
	int64_t grid;
	int rc = screening__grid_of(d, m->household_id, &grid);
	if (rc)
		return rc == MU_ENOTFOUND ? MU_EDB : rc; /* a household always has a grid */
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_recall_new, &s)))
		return rc;
	db_bind_i64(s, 1, t->round_id);
	db_bind_i64(s, 2, m->person_id);
	db_bind_i64(s, 3, grid);
	db_bind_i64(s, 4, t->id);
	db_bind_i64(s, 5, state);
	if (state == SCREENING_RECALL_POSITIVE) {
		db_bind_i64(s, 6, t->id);
		db_bind_i64(s, 8, at);
	} else {
		db_bind_null(s, 6);
		db_bind_null(s, 8);
	}
	db_bind_i64(s, 7, at);
	if ((rc = step_done(s)))
		return rc;
	if (db_changes(d) == 0 && state == SCREENING_RECALL_POSITIVE) {
		if ((rc = db_prepare(d, sql_recall_confirm, &s)))
			return rc;
		db_bind_i64(s, 1, t->id);
		db_bind_i64(s, 2, at);
		db_bind_i64(s, 3, t->round_id);
		db_bind_i64(s, 4, m->person_id);
		if ((rc = step_done(s)))
			return rc;
	}
	screening__delta_add(dl, t->round_id, m->person_id, m->household_id, SCREENING__F_RECALL);
	if (state == SCREENING_RECALL_POSITIVE)
		screening__delta_add(dl, t->round_id, m->person_id, m->household_id,
				     SCREENING__F_RECALL_POS);
	return 0;
}

/* A recall's single tube resulted: negative clears, positive confirms, invalid sends
 * the recall back to pending for another re-swab. */
static int recall_resolve(struct db *d, const struct screening_tube *t, const struct member *m,
			  int result, int64_t at, struct screening_delta *dl)
{
	struct db_stmt *s;
	int rc;
	if (result == SCREENING_RESULT_INVALID) {
		if ((rc = db_prepare(d, sql_recall_again, &s)))
			return rc;
		db_bind_i64(s, 1, t->round_id);
		db_bind_i64(s, 2, m->person_id);
		db_bind_i64(s, 3, t->id);
		return step_done(s);
	}
	bool neg = result == SCREENING_RESULT_NEGATIVE;
	if ((rc = db_prepare(d, sql_recall_resolve, &s)))
		return rc;
	db_bind_i64(s, 1, neg ? SCREENING_RECALL_NEGATIVE : SCREENING_RECALL_POSITIVE);
	db_bind_i64(s, 2, at);
	db_bind_i64(s, 3, t->round_id);
	db_bind_i64(s, 4, m->person_id);
	db_bind_i64(s, 5, t->id);
	if ((rc = step_done(s)))
		return rc;
	if (db_changes(d) == 1)
		screening__delta_add(dl, t->round_id, m->person_id, m->household_id,
				     neg ? SCREENING__F_RECALL_NEG : SCREENING__F_RECALL_POS);
	return 0;
}

/* What one result sets off, after the tube row took it. */
static int result_effects(struct db *d, const struct screening_tube *t, int result, int64_t at,
			  struct screening_delta *dl)
{
	/* Negatives of pooled tubes change nothing in the database; their members are read
	 * only for the coverage aggregate, so bulk loads (no delta) skip the read. */
	if (result == SCREENING_RESULT_NEGATIVE && !t->single && !dl)
		return 0;
	struct member m[20];
	int nm = 0;
	struct db_stmt *s;
	int rc = db_prepare(d, sql_members, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, t->id);
	while ((rc = db_step(s)) == DB_ROW && nm < 20) {
		m[nm].person_id = db_col_i64(s, 0);
		m[nm].household_id = db_col_i64(s, 1);
		m[nm].sample_id = db_col_i64(s, 2);
		m[nm].sampled_at = db_col_i64(s, 3);
		nm++;
	}
	db_stmt_done(s);
	if (rc < 0)
		return rc;
	for (int i = 0; i < nm; i++) {
		if (result == SCREENING_RESULT_NEGATIVE)
			screening__delta_add(dl, t->round_id, m[i].person_id, m[i].household_id,
					     SCREENING__F_NEG);
		if (t->single)
			rc = recall_resolve(d, t, &m[i], result, at, dl);
		else if (result == SCREENING_RESULT_NEGATIVE)
			rc = 0;
		else if (t->capacity == 1 && result == SCREENING_RESULT_POSITIVE)
			rc = recall_create(d, t, &m[i], SCREENING_RECALL_POSITIVE, at, dl);
		else
			rc = recall_create(d, t, &m[i], SCREENING_RECALL_PENDING, at, dl);
		if (rc)
			return rc;
	}
	/* Then control's say (a case opened, a plan test taken), once screening's own
	 * effects are written, so that the hook reads them. */
	const struct screening_hooks *h = screening__hooks();
	for (int i = 0; h->on_result && i < nm; i++) {
		const struct screening_hook_result hr = {.person_id = m[i].person_id,
							 .household_id = m[i].household_id,
							 .sample_id = m[i].sample_id,
							 .tube_id = t->id,
							 .round_id = t->round_id,
							 .capacity = t->capacity,
							 .reswab = t->single,
							 .result = result,
							 .sampled_at = m[i].sampled_at,
							 .resulted_at = at};
		if ((rc = h->on_result(d, &hr)))
			return rc;
	}
	return 0;
}

static bool ct_ok(double v)
{
	return isnan(v) || (v >= 0 && v <= 60);
}

static void bind_ct(struct db_stmt *s, int i, double v)
{
	if (isnan(v))
		db_bind_null(s, i);
	else
		db_bind_double(s, i, v);
}

/* Checks and records one result. Returns 0 (r says whether it was taken) or a
 * database error. */
static int record_one(struct db *d, int64_t lab_id, const struct screening_result_in *in,
		      int64_t now, struct screening_item_result *r, struct screening_delta *dl)
{
	const char *bc = in->tube ? in->tube : "";
	int result;
	int64_t at = now;
#define REFUSE(e_, f_, ...)                                                                        \
	do {                                                                                       \
		r->err = mu_why_set(&r->why, e_, f_, __VA_ARGS__);                                 \
		return 0;                                                                          \
	} while (0)
	if (!screening__code_ok(bc, SCREENING_BARCODE_MAX))
		REFUSE(MU_EINVAL, "tube", "tube barcode must be 1 to 32 letters, digits or '-'");
	if (screening_result_parse(in->result, &result))
		REFUSE(MU_EINVAL, "result", "result must be negative, positive or invalid");
	if (!ct_ok(in->ct_orf1ab))
		REFUSE(MU_EINVAL, "ct_orf1ab", "ct_orf1ab must lie between 0 and 60");
	if (!ct_ok(in->ct_n))
		REFUSE(MU_EINVAL, "ct_n", "ct_n must lie between 0 and 60");
	if (in->at && screening_time_parse(in->at, &at))
		REFUSE(MU_EINVAL, "at", "at must be an ISO 8601 time");
	struct screening_tube t;
	int rc = screening_tube_get(d, bc, &t);
	if (rc == MU_ENOTFOUND)
		REFUSE(MU_ENOTFOUND, "tube", "tube %s: no such tube", bc);
	if (rc)
		return rc;
	if (t.state != SCREENING_TUBE_RECEIVED)
		REFUSE(MU_EEXIST, "tube", "tube %s %s", bc,
		       not_ready(t.state, SCREENING_TUBE_RESULTED));
	if (lab_id && t.lab_id != lab_id)
		REFUSE(MU_EFORBIDDEN, "tube", "tube %s was received by another lab", bc);
#undef REFUSE

	size_t mark = dl ? dl->n : 0;
	if ((rc = db_tx_begin(d)))
		return rc;
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_set_result, &s)))
		goto fail;
	db_bind_i64(s, 1, result);
	bind_ct(s, 2, in->ct_orf1ab);
	bind_ct(s, 3, in->ct_n);
	db_bind_i64(s, 4, at);
	db_bind_i64(s, 5, t.id);
	if ((rc = step_done(s)) || (rc = result_effects(d, &t, result, at, dl)))
		goto fail;
	return db_tx_commit(d);
fail:
	db_tx_rollback(d);
	if (dl)
		dl->n = mark;
	return rc;
}

int screening_result_record(struct db *d, const char *lab_code,
			    const struct screening_result_in *in, size_t n, int64_t now,
			    struct screening_item_result *out, struct screening_delta *dl)
{
	int64_t lab_id = 0;
	int rc = 0;
	if (lab_code) {
		struct screening_lab lab;
		if ((rc = screening_lab_find(d, lab_code, &lab)))
			return rc;
		lab_id = lab.id;
	}
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		if ((rc = record_one(d, lab_id, &in[i], now, &out[i], dl)))
			return rc;
	}
	return 0;
}

/* ---- recalls ------------------------------------------------------------------------------- */

#define RECALL_COLS                                                                                \
	"id, round_id, person_id, grid_id, source_tube_id, single_tube_id, state, created_at,"     \
	" resolved_at"

static const char sql_recall_get[] =
    "SELECT " RECALL_COLS " FROM recalls WHERE round_id = ? AND person_id = ?";
static const char sql_recall_by_id[] = "SELECT grid_id FROM recalls WHERE id = ?";
static const char sql_recalls_of_grid[] =
    "SELECT " RECALL_COLS " FROM recalls WHERE round_id = ?1 AND grid_id = ?2"
    " AND (?3 < 0 OR state = ?3) AND id > ?4 ORDER BY id";
static const char sql_household_in_round[] =
    "SELECT household_id FROM samples WHERE round_id = ? AND person_id = ? LIMIT 1";

static void read_recall(struct db_stmt *s, struct screening_recall *r)
{
	r->id = db_col_i64(s, 0);
	r->round_id = db_col_i64(s, 1);
	r->person_id = db_col_i64(s, 2);
	r->grid_id = db_col_i64(s, 3);
	r->source_tube_id = db_col_i64(s, 4);
	r->single_tube_id = db_col_i64(s, 5);
	r->state = (int)db_col_i64(s, 6);
	r->created_at = db_col_i64(s, 7);
	r->resolved_at = db_col_i64(s, 8);
}

int screening_recall_get(struct db *d, int64_t round_id, int64_t person_id,
			 struct screening_recall *out)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_recall_get, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, round_id);
	db_bind_i64(s, 2, person_id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		read_recall(s, out);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

/* Recalls of one grid after after_id; within (a place below the grid) filters by the
 * household the person was sampled in. */
static int list_grid(struct db *d, int64_t round_id, int64_t grid, int state, int64_t after_id,
		     int64_t within, int (*fn)(const struct screening_recall *r, void *ctx),
		     void *ctx)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_recalls_of_grid, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, round_id);
	db_bind_i64(s, 2, grid);
	db_bind_i64(s, 3, state);
	db_bind_i64(s, 4, after_id);
	struct screening_recall r;
	while ((rc = db_step(s)) == DB_ROW) {
		read_recall(s, &r);
		if (within) {
			struct db_stmt *h;
			bool in = false;
			if ((rc = db_prepare(d, sql_household_in_round, &h)))
				break;
			db_bind_i64(h, 1, round_id);
			db_bind_i64(h, 2, r.person_id);
			rc = db_step(h);
			int64_t hh = rc == DB_ROW ? db_col_i64(h, 0) : 0;
			db_stmt_done(h);
			if (rc < 0 || (hh && (rc = places_is_within(d, hh, within, &in))))
				break;
			if (!in)
				continue;
		}
		if ((rc = fn(&r, ctx)) != 0)
			break;
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

struct grids {
	int64_t *v;
	size_t n, cap;
};

static int collect_grid(const struct places_ref *r, void *ctx)
{
	struct grids *g = ctx;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->v = mu_xrealloc(g->v, g->cap * sizeof *g->v);
	}
	g->v[g->n++] = r->id;
	return 0;
}

int screening_recall_list(struct db *d, int64_t round_id, int64_t place_id, int state,
			  int64_t after_id, int (*fn)(const struct screening_recall *r, void *ctx),
			  void *ctx)
{
	struct places_node node;
	int rc = places_get(d, place_id, &node);
	if (rc)
		return rc;
	int64_t after_grid = 0;
	if (after_id > 0) {
		struct db_stmt *s;
		if ((rc = db_prepare(d, sql_recall_by_id, &s)))
			return rc;
		db_bind_i64(s, 1, after_id);
		rc = db_step(s);
		after_grid = rc == DB_ROW ? db_col_i64(s, 0) : 0;
		db_stmt_done(s);
		if (rc < 0)
			return rc;
		if (!after_grid)
			return MU_EINVAL;
	}
	if (node.level > PLACES_GRID) {
		int64_t grid;
		if ((rc = screening__grid_of(d, place_id, &grid)))
			return rc;
		return list_grid(d, round_id, grid, state, after_id, place_id, fn, ctx);
	}
	/* Grids are read first (in code order): fn may run other queries on this
	 * connection, and may stop the listing. */
	struct grids g = {0};
	if ((rc = places_level_walk(d, place_id, PLACES_GRID, collect_grid, &g)))
		goto out;
	int64_t *grids = g.v;
	size_t ng = g.n;
	size_t i = 0;
	if (after_grid) {
		while (i < ng && grids[i] != after_grid)
			i++;
	}
	for (; i < ng && rc == 0; i++)
		rc = list_grid(d, round_id, grids[i], state, grids[i] == after_grid ? after_id : 0,
			       0, fn, ctx);
out:
	free(g.v);
	return rc;
}

/* Index-only over tubes_lab_waiting (a partial index of waiting tubes). */
static const char sql_backlog_count[] =
    "SELECT count(*), min(received_at) FROM tubes WHERE lab_id = ? AND state = 2";
static const char sql_backlog_list[] =
    "SELECT t.barcode, t.round_id, t.n, t.single, t.received_at FROM tubes t"
    " WHERE t.lab_id = ? AND t.state = 2 ORDER BY t.received_at, t.id LIMIT ?";

int screening_lab_backlog(struct db *d, int64_t lab_id, size_t limit,
			  struct screening_backlog_tube *out, size_t *n, int64_t *total,
			  int64_t *oldest)
{
	struct db_stmt *s;
	int rc = db_prepare(d, sql_backlog_count, &s);
	*n = 0;
	if (rc)
		return rc;
	db_bind_i64(s, 1, lab_id);
	if ((rc = db_step(s)) == DB_ROW) {
		*total = db_col_i64(s, 0);
		*oldest = db_col_null(s, 1) ? 0 : db_col_i64(s, 1);
		rc = 0;
	}
	db_stmt_done(s);
	if (rc || !limit)
		return rc;
	if ((rc = db_prepare(d, sql_backlog_list, &s)))
		return rc;
	db_bind_i64(s, 1, lab_id);
	db_bind_i64(s, 2, (int64_t)limit);
	while (*n < limit && (rc = db_step(s)) == DB_ROW) {
		struct screening_backlog_tube *t = &out[(*n)++];
		snprintf(t->barcode, sizeof t->barcode, "%s", db_col_text(s, 0));
		t->round_id = db_col_i64(s, 1);
		t->n = (int)db_col_i64(s, 2);
		t->single = db_col_i64(s, 3) != 0;
		t->received_at = db_col_i64(s, 4);
	}
	db_stmt_done(s);
	return rc == DB_DONE || rc == DB_ROW ? 0 : rc;
}
