/* supplies.c: stock per post and item — received from outside, moved between posts,
 * handed out (against a call) — and the ledger that keeps every change. Stock never
 * goes below zero: a move or hand-out larger than the stock is refused with the
 * quantity there is, and nothing changes. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "forces.h"
#include "places/places.h"

static const char *const move_kinds[] = {"receive", "move", "handout"};

const char *forces_move_kind_name(int kind)
{
	return kind >= 0 && kind <= FORCES_MOVE_HANDOUT ? move_kinds[kind] : NULL;
}

static const char sql_exists[] = "SELECT 1 FROM posts WHERE id = ?";
static const char sql_qty[] = "SELECT qty FROM supplies WHERE post_id = ? AND item = ?";
static const char sql_add[] =
    "INSERT INTO supplies (post_id, item, qty, low_mark) VALUES (?1, ?2, ?3, max(?4, 0))"
    " ON CONFLICT(post_id, item) DO UPDATE SET qty = qty + ?3,"
    " low_mark = CASE WHEN ?4 >= 0 THEN ?4 ELSE low_mark END";
static const char sql_take[] =
    "UPDATE supplies SET qty = qty - ?3 WHERE post_id = ?1 AND item = ?2 AND qty >= ?3";
static const char sql_move[] =
    "INSERT INTO supply_moves (kind, from_post, to_post, item, qty, call_id, at, user_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

static int post_exists(struct db *d, int64_t id, const char *field, struct mu_why *why)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql_exists, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, id);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc == DB_ROW)
		return 0;
	return rc == DB_DONE ? mu_why_set(why, MU_ENOTFOUND, field, "no post has this place") : rc;
}

/* The stock of item at post (0 when never stocked). */
static int stock_of(struct db *d, int64_t post, int item, int64_t *qty)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql_qty, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, post);
	db_bind_text_static(st, 2, forces_item_name(item), -1);
	rc = db_step(st);
	*qty = rc == DB_ROW ? db_col_i64(st, 0) : 0;
	db_stmt_done(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : rc;
}

static int check_args(int item, int64_t qty, struct mu_why *why)
{
	if (!forces_item_name(item))
		return mu_why_set(why, MU_EINVAL, "item",
				  "an item is masks, test_kits, food_packs, medicine or ppe");
	if (qty < 1 || qty > FORCES_QTY_MAX)
		return mu_why_set(why, MU_EINVAL, "qty", "a quantity is an integer from 1 to %d",
				  FORCES_QTY_MAX);
	return 0;
}

/* An id, NULL for 0. */
static void bind_id(struct db_stmt *st, int i, int64_t id)
{
	if (id)
		db_bind_i64(st, i, id);
	else
		db_bind_null(st, i);
}

static int ledger_add(struct db *d, int kind, int64_t from, int64_t to, int item, int64_t qty,
		      int64_t call, const struct forces_supply_op *op, int64_t *move_id)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql_move, &st);
	if (rc)
		return rc;
	db_bind_text_static(st, 1, move_kinds[kind], -1);
	bind_id(st, 2, from);
	bind_id(st, 3, to);
	db_bind_text_static(st, 4, forces_item_name(item), -1);
	db_bind_i64(st, 5, qty);
	bind_id(st, 6, call);
	db_bind_i64(st, 7, op->at);
	bind_id(st, 8, op->user_id);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc != DB_DONE)
		return rc;
	if (move_id)
		*move_id = db_last_insert_id(d);
	return 0;
}

/* Adds qty of item to post (low_mark < 0 keeps the mark); refuses past the maximum. */
static int put(struct db *d, int64_t post, int item, int64_t qty, int64_t low_mark,
	       struct mu_why *why)
{
	struct db_stmt *st;
	int64_t have = 0;
	int rc = stock_of(d, post, item, &have);
	if (rc)
		return rc;
	if (have + qty > FORCES_QTY_MAX)
		return mu_why_set(why, MU_ETOOBIG, "qty", "a post holds at most %d of an item",
				  FORCES_QTY_MAX);
	if ((rc = db_prepare(d, sql_add, &st)))
		return rc;
	db_bind_i64(st, 1, post);
	db_bind_text_static(st, 2, forces_item_name(item), -1);
	db_bind_i64(st, 3, qty);
	db_bind_i64(st, 4, low_mark);
	rc = db_step(st);
	db_stmt_done(st);
	return rc == DB_DONE ? 0 : rc;
}

/* Takes qty of item from post, or refuses with what is there. */
static int take(struct db *d, int64_t post, int item, int64_t qty, int64_t *available,
		struct mu_why *why)
{
	struct db_stmt *st;
	int64_t have = 0;
	int rc = stock_of(d, post, item, &have);
	if (available)
		*available = have;
	if (rc)
		return rc;
	if (have < qty)
		return mu_why_set(why, MU_EEXIST, "qty", "only %lld %s in stock", (long long)have,
				  forces_item_name(item));
	if ((rc = db_prepare(d, sql_take, &st)))
		return rc;
	db_bind_i64(st, 1, post);
	db_bind_text_static(st, 2, forces_item_name(item), -1);
	db_bind_i64(st, 3, qty);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc != DB_DONE)
		return rc;
	MU_ASSERT_INT(db_changes(d), ==, 1);
	if (available)
		*available = have - qty;
	return 0;
}

int forces_supply_receive(struct db *d, int64_t post_id, int item, int64_t qty, int64_t low_mark,
			  const struct forces_supply_op *op, int64_t *move_id, struct mu_why *why)
{
	int rc;
	if ((rc = check_args(item, qty, why)))
		return rc;
	if (low_mark > FORCES_QTY_MAX)
		return mu_why_set(why, MU_EINVAL, "low_mark", "a low mark is at most %d",
				  FORCES_QTY_MAX);
	if ((rc = post_exists(d, post_id, "post", why)) || (rc = db_tx_begin(d)))
		return rc;
	if ((rc = put(d, post_id, item, qty, low_mark, why)) == 0)
		rc = ledger_add(d, FORCES_MOVE_RECEIVE, 0, post_id, item, qty, 0, op, move_id);
	if (rc) {
		db_tx_rollback(d);
		return rc;
	}
	return db_tx_commit(d);
}

int forces_supply_move(struct db *d, int64_t from_post, int64_t to_post, int item, int64_t qty,
		       const struct forces_supply_op *op, int64_t *available, int64_t *move_id,
		       struct mu_why *why)
{
	int rc;
	if ((rc = check_args(item, qty, why)))
		return rc;
	if (from_post == to_post)
		return mu_why_set(why, MU_EINVAL, "to", "a move goes to another post");
	if ((rc = post_exists(d, from_post, "from", why)) ||
	    (rc = post_exists(d, to_post, "to", why)) || (rc = db_tx_begin(d)))
		return rc;
	if ((rc = take(d, from_post, item, qty, available, why)) == 0 &&
	    (rc = put(d, to_post, item, qty, -1, why)) == 0)
		rc = ledger_add(d, FORCES_MOVE_MOVE, from_post, to_post, item, qty, 0, op, move_id);
	if (rc) {
		db_tx_rollback(d);
		return rc;
	}
	return db_tx_commit(d);
}

int forces_supply_handout(struct db *d, int64_t post_id, int item, int64_t qty, int64_t call_id,
			  const struct forces_supply_op *op, int64_t *available, int64_t *move_id,
			  struct mu_why *why)
{
	int rc;
	if ((rc = check_args(item, qty, why)))
		return rc;
	if ((rc = post_exists(d, post_id, "post", why)) || (rc = db_tx_begin(d)))
		return rc;
	if ((rc = take(d, post_id, item, qty, available, why)) == 0)
		rc =
		    ledger_add(d, FORCES_MOVE_HANDOUT, post_id, 0, item, qty, call_id, op, move_id);
	if (rc) {
		db_tx_rollback(d);
		return rc;
	}
	return db_tx_commit(d);
}
