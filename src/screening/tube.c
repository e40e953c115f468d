/* tube.c: the scan path — one batch of scans checked item by item and written
 * item by item — and the tube's life from opening by its first scan to sealing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening.h"
#include "screening_int.h"

static const char *const state_names[] = {"open", "sealed", "received", "resulted"};
static const char *const result_names[] = {"negative", "positive", "invalid"};

const char *screening_tube_state_name(int s)
{
	return s >= 0 && s <= SCREENING_TUBE_RESULTED ? state_names[s] : NULL;
}

const char *screening_result_name(int r)
{
	return r >= 0 && r <= SCREENING_RESULT_INVALID ? result_names[r] : NULL;
}

int screening_result_parse(const char *s, int *r)
{
	for (int i = 0; s && i <= SCREENING_RESULT_INVALID; i++)
		if (!strcmp(s, result_names[i])) {
			*r = i;
			return 0;
		}
	return MU_EINVAL;
}

/* ---- reading a tube ------------------------------------------------------------------ */

static const char sql_tube_get[] =
    "SELECT id, round_id, site_id, lab_id, barcode, capacity, n, state, single, result,"
    " ct_orf1ab, ct_n, opened_at, sealed_at, received_at, resulted_at"
    " FROM tubes WHERE barcode = ?";

int screening_tube_get(struct db *d, const char *barcode, struct screening_tube *out)
{
	if (!screening__code_ok(barcode, SCREENING_BARCODE_MAX))
		return MU_EINVAL;
	struct db_stmt *s;
	int rc = db_prepare(d, sql_tube_get, &s);
	if (rc)
		return rc;
	db_bind_text(s, 1, barcode, -1);
	rc = db_step(s);
	if (rc == DB_ROW) {
		memset(out, 0, sizeof *out);
		out->id = db_col_i64(s, 0);
		out->round_id = db_col_i64(s, 1);
		out->site_id = db_col_i64(s, 2);
		out->lab_id = db_col_i64(s, 3);
		snprintf(out->barcode, sizeof out->barcode, "%s", db_col_text(s, 4));
		out->capacity = (int)db_col_i64(s, 5);
		out->n = (int)db_col_i64(s, 6);
		out->state = (int)db_col_i64(s, 7);
		out->single = db_col_i64(s, 8) != 0;
		out->result = db_col_null(s, 9) ? SCREENING_RESULT_NONE : (int)db_col_i64(s, 9);
		out->ct_orf1ab = db_col_null(s, 10) ? NAN : db_col_double(s, 10);
		out->ct_n = db_col_null(s, 11) ? NAN : db_col_double(s, 11);
		out->opened_at = db_col_i64(s, 12);
		out->sealed_at = db_col_i64(s, 13);
		out->received_at = db_col_i64(s, 14);
		out->resulted_at = db_col_i64(s, 15);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

/* ---- sealing by hand ------------------------------------------------------------------ */

static const char sql_tube_seal[] =
    "UPDATE tubes SET state = 1, sealed_at = ? WHERE id = ? AND state = 0";

int screening_tube_seal(struct db *d, const char *barcode, int64_t now, struct mu_why *why)
{
	struct screening_tube t;
	int rc = screening_tube_get(d, barcode, &t);
	if (rc == MU_EINVAL || rc == MU_ENOTFOUND)
		return mu_why_set(why, rc, "tube", "tube %s: %s", barcode ? barcode : "",
				  rc == MU_EINVAL ? "malformed barcode" : "no such tube");
	if (rc)
		return rc;
	if (t.state != SCREENING_TUBE_OPEN)
		return mu_why_set(why, MU_EEXIST, "tube", "tube %s is already %s", barcode,
				  state_names[t.state]);
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_tube_seal, &s)))
		return rc;
	db_bind_i64(s, 1, now);
	db_bind_i64(s, 2, t.id);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

/* ---- the scan path --------------------------------------------------------------------- */

static const char sql_scan_seen[] = "SELECT 1 FROM samples WHERE scan_id = ?";
static const char sql_tube_of[] =
    "SELECT id, round_id, site_id, capacity, n, state, single FROM tubes WHERE barcode = ?";
static const char sql_recall_of[] =
    "SELECT id, state FROM recalls WHERE round_id = ? AND person_id = ?";
static const char sql_sampled[] =
    "SELECT 1 FROM samples WHERE round_id = ? AND person_id = ? LIMIT 1";
static const char sql_tube_open[] =
    "INSERT INTO tubes (barcode, round_id, site_id, capacity, n, state, single, opened_at,"
    " sealed_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)";
static const char sql_tube_fill[] =
    "UPDATE tubes SET n = n + 1, state = CASE WHEN n + 1 >= capacity THEN 1 ELSE 0 END,"
    " sealed_at = CASE WHEN n + 1 >= capacity THEN ? ELSE NULL END WHERE id = ? AND state = 0";
static const char sql_sample_insert[] =
    "INSERT INTO samples (scan_id, round_id, tube_id, person_id, household_id, sampled_at,"
    " is_repeat) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_recall_sampled[] =
    "UPDATE recalls SET state = 1, single_tube_id = ? WHERE id = ? AND state = 0";

/* What the checks of one scan found, for the writes. */
struct scan_plan {
	int64_t round_id, site_id, person_id, household_id, at;
	int64_t tube_id;   /* 0: open a new tube */
	int capacity, n;   /* of the existing tube */
	int64_t recall_id; /* a pending recall: this is its re-swab */
	bool repeat;
	bool duplicate; /* the scan id was seen before: nothing to write */
};

/* The last tube this batch read or wrote, as it stands in this transaction: a desk
 * fills one tube with consecutive scans, and nothing else writes tubes while the batch
 * runs (it is one writer job). */
struct tube_seen {
	char barcode[SCREENING_BARCODE_MAX + 1];
	int64_t id, round_id, site_id;
	int capacity, n, state;
	bool single;
};

/* Places found inside the site's place by this batch: households of one batch share
 * grids, compounds and buildings, so most walks up the tree stop after one or two
 * steps. Bounded; when full, walks just go on to the scope. */
enum { INSIDE_MAX = 512 };

#define SCAN_AHEAD_MAX (24 * 3600) /* seconds a scan's time may lie ahead of the server's */
#define SCAN_SKEW_MAX  300	   /* ... and before the round's opening: a device's clock skew */

/* The batch's caches: most batches come from one desk, one round, one site. */
struct scan_ctx {
	struct db *d;
	const struct people_keys *k;
	struct screening_round round;
	bool have_round;
	struct screening_site site;
	bool have_site;
	struct tube_seen tube;
	bool have_tube;
	int64_t now; /* the batch's clock: a scan is at most a day ahead of it */
	int64_t site_in_round, site_in_round_of; /* the site and round site_within is of */
	bool site_within;			 /* that site lies inside that round's scope */
	int64_t inside_scope;			 /* the scope inside[] belongs to */
	int64_t inside[INSIDE_MAX];
	size_t ninside;
};

/* Runs a one-row lookup with (text) or (int, int) parameters; 1 with a row (columns
 * read by the caller through *out), 0 without one, or an error. The caller must call
 * db_stmt_done(*out) when the result is 1. */
static int lookup(struct db *d, const char *sql, const char *text, int64_t a, int64_t b,
		  struct db_stmt **out)
{
	int rc = db_prepare(d, sql, out);
	if (rc)
		return rc;
	if (text) {
		db_bind_text(*out, 1, text, -1);
	} else {
		db_bind_i64(*out, 1, a);
		db_bind_i64(*out, 2, b);
	}
	rc = db_step(*out);
	if (rc == DB_ROW)
		return 1;
	db_stmt_done(*out);
	return rc == DB_DONE ? 0 : rc;
}

static bool printable_token(const char *s, size_t max)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

/* Is household within scope? As places_is_within, but the walk up the tree stops at the
 * scope or at a place this batch already found inside it, and remembers the places it
 * passed on a walk that ended inside. */
static int within_scope(struct scan_ctx *c, int64_t household, int64_t scope, bool *within)
{
	int64_t path[PLACES_NLEVELS];
	int k = 0, rc;
	*within = false;
	if (c->inside_scope != scope) {
		c->inside_scope = scope;
		c->ninside = 0;
	}
	for (int64_t cur = household; cur;) {
		bool known = cur == scope;
		for (size_t i = 0; !known && i < c->ninside; i++)
			known = c->inside[i] == cur;
		if (known) {
			/* path[0] is the household: its walk is rarely repeated in a batch. */
			for (int i = 1; i < k && c->ninside < INSIDE_MAX; i++)
				c->inside[c->ninside++] = path[i];
			*within = true;
			return 0;
		}
		/* The tree is at most eight deep; a longer chain means a corrupted parent. */
		if (k == PLACES_NLEVELS)
			return MU_EDB;
		path[k++] = cur;
		rc = places_parent(c->d, cur, &cur);
		if (rc == MU_ENOTFOUND)
			return k == 1 ? MU_ENOTFOUND : MU_EDB;
		if (rc)
			return rc;
	}
	return 0;
}

/* Checks one scan without writing. Returns 0 or a database error (the batch fails), as
 * every function here does; the item's outcome is in the outputs: *plan filled for the
 * writes, plan->duplicate set for a scan id seen before, or r->err (a MU_E* code) and
 * r->why set when the item is refused. */
static int check_scan(struct scan_ctx *c, const struct screening_scan *in,
		      struct screening_scan_result *r, struct scan_plan *plan)
{
	struct db_stmt *s;
	int rc;
	memset(plan, 0, sizeof *plan);
#define REFUSE(e_, f_, ...)                                                                        \
	do {                                                                                       \
		r->err = mu_why_set(&r->why, e_, f_, __VA_ARGS__);                                 \
		return 0;                                                                          \
	} while (0)

	if (!printable_token(in->scan_id, SCREENING_SCAN_ID_MAX))
		REFUSE(MU_EINVAL, "scan_id", "scan_id must be 1 to 64 printable characters");
	if ((rc = lookup(c->d, sql_scan_seen, in->scan_id, 0, 0, &s)) < 0)
		return rc;
	if (rc == 1) {
		db_stmt_done(s);
		plan->duplicate = true;
		return 0;
	}
	if (in->round_id <= 0)
		REFUSE(MU_EINVAL, "round", "round must be a round id");
	if (!screening__code_ok(in->site, SCREENING_CODE_MAX))
		REFUSE(MU_EINVAL, "site", "site must be a site code");
	if (!screening__code_ok(in->tube, SCREENING_BARCODE_MAX))
		REFUSE(MU_EINVAL, "tube", "tube barcode must be 1 to 32 letters, digits or '-'");
	if (!printable_token(in->person, 64))
		REFUSE(MU_EINVAL, "person", "person must be a personal code or an ID number");
	if (!in->at || screening_time_parse(in->at, &plan->at))
		REFUSE(MU_EINVAL, "at", "at must be an ISO 8601 time");
	/* A device clock at 2099 (or 1970, below) would skew progress (issue 11 #16). */
	if (plan->at > c->now + SCAN_AHEAD_MAX)
		REFUSE(MU_EINVAL, "at", "at lies more than a day in the future");

	if (!c->have_round || c->round.id != in->round_id) {
		c->have_round = false;
		rc = screening_round_get(c->d, in->round_id, &c->round);
		if (rc == MU_ENOTFOUND)
			REFUSE(MU_ENOTFOUND, "round", "round %lld not found",
			       (long long)in->round_id);
		if (rc)
			return rc;
		c->have_round = true;
	}
	if (c->round.closed_at)
		REFUSE(MU_EEXIST, "round", "round %lld is closed", (long long)in->round_id);
	int64_t opened = c->round.starts ? c->round.starts : c->round.created_at;
	if (plan->at < opened - SCAN_SKEW_MAX)
		REFUSE(MU_EINVAL, "at", "at lies before round %lld opened",
		       (long long)in->round_id);
	plan->round_id = c->round.id;

	if (!c->have_site || strcmp(c->site.code, in->site) != 0) {
		c->have_site = false;
		rc = screening_site_find(c->d, in->site, &c->site);
		if (rc == MU_ENOTFOUND)
			REFUSE(MU_ENOTFOUND, "site", "site %s not found", in->site);
		if (rc)
			return rc;
		c->have_site = true;
	}
	plan->site_id = c->site.id;
	/* A site outside the round's scope takes no part in it: a site of one district
	 * scans nobody into another district's round (issue 11). Asked once per site and
	 * round of the batch, so that the walks below keep the site's place as their scope. */
	bool within;
	if (c->site_in_round != c->site.id || c->site_in_round_of != c->round.id) {
		int64_t path[PLACES_NLEVELS];
		int np;
		if ((rc = places_path(c->d, c->site.place_id, path, &np)))
			return rc;
		c->site_within = false;
		for (int i = 0; i < np; i++)
			c->site_within |= path[i] == c->round.scope_place_id;
		c->site_in_round = c->site.id;
		c->site_in_round_of = c->round.id;
	}
	if (!c->site_within)
		REFUSE(MU_EFORBIDDEN, "site", "site %s lies outside the round's scope", in->site);

	/* A site samples the people of the place it belongs to (its community or street),
	 * which lies inside the round's scope; a sampler's site lies inside the sampler's
	 * place. Unknown, outside the site's place and outside the round's scope answer
	 * alike, by the same path: the answer must not tell that a number exists, nor where
	 * its holder lives, nor whether they were sampled (issue 11 #9). */
	rc = people_resolve(c->d, c->k, in->person, &plan->person_id, &plan->household_id);
	if (rc == MU_ENOTFOUND || rc == MU_EINVAL || rc == MU_ECRYPTO)
		REFUSE(MU_ENOTFOUND, "person", "no person with this personal code or ID number");
	if (rc)
		return rc;
	if ((rc = within_scope(c, plan->household_id, c->site.place_id, &within)))
		return rc;
	if (!within)
		REFUSE(MU_ENOTFOUND, "person", "no person with this personal code or ID number");

	if ((rc = lookup(c->d, sql_recall_of, NULL, plan->round_id, plan->person_id, &s)) < 0)
		return rc;
	if (rc == 1) {
		if (db_col_i64(s, 1) == SCREENING_RECALL_PENDING)
			plan->recall_id = db_col_i64(s, 0);
		db_stmt_done(s);
	}

	/* The tube this person may go into: a recall's re-swab and a person control wants
	 * alone (a plan test due) take a single tube; a high-risk place pools at the
	 * round's pool_high (1 unless set), a medium-risk one at most pool_medium and
	 * never more than 5; elsewhere the round's pool size. */
	int want = c->round.pool_k, risk = SCREENING_RISK_LOW;
	bool alone = plan->recall_id != 0;
	const struct screening_hooks *h = screening__hooks();
	if (!alone && h->tube_policy &&
	    (rc = h->tube_policy(c->d, plan->person_id, plan->household_id, plan->at, &risk,
				 &alone)))
		return rc;
	if (alone)
		want = 1;
	else if (risk == SCREENING_RISK_HIGH)
		want = c->round.pool_high > 0 ? c->round.pool_high : 1;
	else if (risk == SCREENING_RISK_MEDIUM) {
		int m = c->round.pool_medium > 0 ? c->round.pool_medium : c->round.pool_k;
		want = m < SCREENING_POOL_MEDIUM_MAX ? m : SCREENING_POOL_MEDIUM_MAX;
	}
	if (want > c->round.pool_k)
		want = c->round.pool_k;

	struct tube_seen *t = &c->tube;
	if (c->have_tube && !strcmp(t->barcode, in->tube)) {
		rc = 1;
	} else {
		c->have_tube = false;
		if ((rc = lookup(c->d, sql_tube_of, in->tube, 0, 0, &s)) < 0)
			return rc;
		if (rc == 1) {
			snprintf(t->barcode, sizeof t->barcode, "%s", in->tube);
			t->id = db_col_i64(s, 0);
			t->round_id = db_col_i64(s, 1);
			t->site_id = db_col_i64(s, 2);
			t->capacity = (int)db_col_i64(s, 3);
			t->n = (int)db_col_i64(s, 4);
			t->state = (int)db_col_i64(s, 5);
			t->single = db_col_i64(s, 6) != 0;
			db_stmt_done(s);
			c->have_tube = true;
		}
	}
	if (rc == 1) {
		int64_t tid = t->id, tround = t->round_id, tsite = t->site_id;
		int cap = t->capacity, n = t->n, st = t->state;
		bool single = t->single;
		/* The person's state, not the tube's, is at fault: the sampler takes a new
		 * tube for them alone. */
		if (plan->recall_id)
			REFUSE(MU_EEXIST, "person",
			       "person is recalled: re-swab into a new single tube, not %s",
			       in->tube);
		if (tround != plan->round_id)
			REFUSE(MU_EEXIST, "tube", "tube %s belongs to round %lld", in->tube,
			       (long long)tround);
		if (tsite != plan->site_id)
			REFUSE(MU_EEXIST, "tube", "tube %s was opened at another site", in->tube);
		if (single)
			REFUSE(MU_EEXIST, "tube", "tube %s is a recall's single tube", in->tube);
		if (st != SCREENING_TUBE_OPEN)
			REFUSE(MU_EEXIST, "tube", "tube %s is %s", in->tube,
			       n >= cap ? "full" : state_names[st]);
		if (n >= cap)
			REFUSE(MU_EEXIST, "tube", "tube %s is full", in->tube);
		/* A pool bigger than this person may join: a new tube for them (alone, or
		 * with their zone's neighbours). */
		if (cap > want)
			REFUSE(MU_EEXIST, "person",
			       want == 1 ? "person must be sampled alone: a new single tube, not %s"
					 : "person's place pools fewer: a new tube, not %s",
			       in->tube);
		plan->tube_id = tid;
		plan->capacity = cap;
		plan->n = n;
	} else {
		plan->capacity = want;
	}

	if ((rc = lookup(c->d, sql_sampled, NULL, plan->round_id, plan->person_id, &s)) < 0)
		return rc;
	if (rc == 1) {
		plan->repeat = true;
		db_stmt_done(s);
	}
	return 0;
#undef REFUSE
}

static int step_done(struct db_stmt *s)
{
	int rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

/* Writes one checked scan: nothing here can refuse it, only fail the whole batch. */
static int write_scan(struct db *d, const struct screening_scan *in, struct scan_plan *plan,
		      struct screening_scan_result *r)
{
	struct db_stmt *s;
	int rc;
	bool full;
	if (!plan->tube_id) {
		full = plan->capacity == 1;
		if ((rc = db_prepare(d, sql_tube_open, &s)))
			return rc;
		db_bind_text(s, 1, in->tube, -1);
		db_bind_i64(s, 2, plan->round_id);
		db_bind_i64(s, 3, plan->site_id);
		db_bind_i64(s, 4, plan->capacity);
		db_bind_i64(s, 5, full ? SCREENING_TUBE_SEALED : SCREENING_TUBE_OPEN);
		db_bind_i64(s, 6, plan->recall_id ? 1 : 0);
		db_bind_i64(s, 7, plan->at);
		if (full)
			db_bind_i64(s, 8, plan->at);
		else
			db_bind_null(s, 8);
		if ((rc = step_done(s)))
			return rc;
		plan->tube_id = db_last_insert_id(d);
		r->opened = true;
	} else {
		full = plan->n + 1 >= plan->capacity;
		if ((rc = db_prepare(d, sql_tube_fill, &s)))
			return rc;
		db_bind_i64(s, 1, plan->at);
		db_bind_i64(s, 2, plan->tube_id);
		if ((rc = step_done(s)))
			return rc;
		if (db_changes(d) != 1)
			return MU_EDB; /* checked open a moment ago in this transaction */
	}
	if ((rc = db_prepare(d, sql_sample_insert, &s)))
		return rc;
	db_bind_text(s, 1, in->scan_id, -1);
	db_bind_i64(s, 2, plan->round_id);
	db_bind_i64(s, 3, plan->tube_id);
	db_bind_i64(s, 4, plan->person_id);
	db_bind_i64(s, 5, plan->household_id);
	db_bind_i64(s, 6, plan->at);
	db_bind_i64(s, 7, plan->repeat ? 1 : 0);
	if ((rc = step_done(s)))
		return rc;
	r->sample_id = db_last_insert_id(d);
	if (plan->recall_id) {
		if ((rc = db_prepare(d, sql_recall_sampled, &s)))
			return rc;
		db_bind_i64(s, 1, plan->tube_id);
		db_bind_i64(s, 2, plan->recall_id);
		if ((rc = step_done(s)))
			return rc;
		r->recall = true;
	}
	r->tube_id = plan->tube_id;
	r->person_id = plan->person_id;
	r->repeat = plan->repeat;
	r->sealed = full;
	return 0;
}

int screening_scan_batch(struct db *d, const struct people_keys *k, const struct screening_scan *in,
			 size_t n, struct screening_scan_result *out, struct screening_delta *dl)
{
	struct scan_ctx c = {.d = d, .k = k, .now = mu_now_unix()};
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct screening_scan_result *r = &out[i];
		struct scan_plan plan;
		memset(r, 0, sizeof *r);
		if ((rc = check_scan(&c, &in[i], r, &plan)))
			goto out;
		if (r->err || plan.duplicate) {
			r->status = r->err ? SCREENING_SCAN_ERROR : SCREENING_SCAN_DUPLICATE;
			continue;
		}
		/* No savepoint of its own: every refusal was decided by check_scan before any
		 * write, and a write that fails here fails the batch, which the caller rolls
		 * back whole. A savepoint per item made SQLite copy each page the item touched
		 * into the statement journal again (spilling to a temp file past 64 KiB). */
		if ((rc = write_scan(d, &in[i], &plan, r)))
			goto out;
		c.tube = (struct tube_seen){.id = plan.tube_id,
					    .round_id = plan.round_id,
					    .site_id = plan.site_id,
					    .capacity = plan.capacity,
					    .n = r->opened ? 1 : plan.n + 1,
					    .state = r->sealed ? SCREENING_TUBE_SEALED
							       : SCREENING_TUBE_OPEN,
					    .single = plan.recall_id != 0};
		snprintf(c.tube.barcode, sizeof c.tube.barcode, "%s", in[i].tube);
		c.have_tube = true;
		r->status = SCREENING_SCAN_OK;
		screening__delta_add(dl, plan.round_id, plan.person_id, plan.household_id,
				     SCREENING__F_SAMPLED);
	}
out:
	explicit_bzero(&c, sizeof c);
	return rc;
}
