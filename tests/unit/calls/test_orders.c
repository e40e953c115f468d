/* test_orders.c: orders down the tree with a fake clock — issue and its refusals, the
 * cascade (a target done only when its forwarded targets are, its own done kept as
 * reported until then), the roll-up per level at each step, blocked showing up the
 * tree, overdue targets listed below a place with the place above them, what a viewer
 * below the issuer is shown, and the default due in wartime. */
#include "calls/calls.h"
#include "places/places.h"
#include "testutil.h"

#define T0 1623283200 /* 2021-06-10T00:00:00Z */

struct fx {
	struct tdb t;
	int64_t city, d, s1, s2, m11, m12, m21, g111, d2, t1;
};

static int64_t place(struct fx *f, int64_t parent, int level, const char *code)
{
	int64_t id;
	assert_int_equal(places_add(f->t.db, parent, level, code, code, &id, NULL), 0);
	return id;
}

static int setup(void **state)
{
	struct fx *f = mu_xcalloc(1, sizeof *f);
	tdb_open(&f->t);
	f->city = place(f, 0, PLACES_CITY, "C");
	f->d = place(f, f->city, PLACES_DISTRICT, "D");
	f->s1 = place(f, f->d, PLACES_STREET, "S1");
	f->s2 = place(f, f->d, PLACES_STREET, "S2");
	f->m11 = place(f, f->s1, PLACES_COMMUNITY, "M11");
	f->m12 = place(f, f->s1, PLACES_COMMUNITY, "M12");
	f->m21 = place(f, f->s2, PLACES_COMMUNITY, "M21");
	f->g111 = place(f, f->m11, PLACES_GRID, "G111");
	f->d2 = place(f, f->city, PLACES_DISTRICT, "D2");
	f->t1 = place(f, f->d2, PLACES_STREET, "T1");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	tdb_close(&f->t);
	free(f);
	return 0;
}

static int64_t count(struct fx *f, const char *sql)
{
	int64_t v = -1;
	assert_int_equal(db_query_i64(f->t.db, sql, &v), 0);
	return v;
}

/* A district order to its streets, due an hour after T0. */
static int64_t issue_to_streets(struct fx *f, int64_t due)
{
	int64_t *ids, id, got_due;
	size_t n;
	assert_int_equal(calls_order_places_under(f->t.db, f->d, PLACES_STREET, &ids, &n), 0);
	assert_int_equal(n, 2);
	struct calls_order_new in = {.title = "全员核酸",
				     .text = "今日完成辖区全员核酸检测",
				     .issuer_place = f->d,
				     .issuer_user = 7,
				     .issuer_name = "cmd103",
				     .issued_at = T0,
				     .due = due,
				     .targets = ids,
				     .n = n};
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &got_due, NULL), 0);
	assert_int_equal(got_due, due ? due : T0 + CALLS_ORDER_DUE_NORMAL);
	free(ids);
	return id;
}

/* The roll-up at level of the order as the issuer sees it, at now. */
struct fig {
	int64_t ack, done, blocked, overdue, total;
};
static struct fig rollup(struct fx *f, int64_t id, int level, int64_t now, const char *within)
{
	struct calls_order_view *v;
	struct calls_order_rollup r[CALLS_LEVELS], all;
	assert_int_equal(calls_order_view_new(f->t.db, id, now, &v), 0);
	calls_order_rollup(v, within, r, &all);
	calls_order_view_free(v);
	return (struct fig){r[level].acknowledged, r[level].done, r[level].blocked,
			    r[level].overdue, r[level].total};
}
#define FIG_EQ(got, a, d, b, o, t)                                                                 \
	do {                                                                                       \
		struct fig g_ = (got);                                                             \
		assert_int_equal(g_.ack, a);                                                       \
		assert_int_equal(g_.done, d);                                                      \
		assert_int_equal(g_.blocked, b);                                                   \
		assert_int_equal(g_.overdue, o);                                                   \
		assert_int_equal(g_.total, t);                                                     \
	} while (0)

static int act(struct fx *f, int64_t id, int64_t place_id, int what, int64_t now)
{
	int st = -1;
	int rc = calls_order_act(f->t.db, id, place_id, what, "好", 9, now, &st, NULL);
	return rc ? rc : st;
}

static void test_issue(void **state)
{
	struct fx *f = *state;
	struct mu_why why;
	int64_t id, due;
	int64_t one[] = {f->s1};
	struct calls_order_new in = {.title = "令",
				     .text = "正文",
				     .issuer_place = f->d,
				     .issuer_name = "cli:x",
				     .issued_at = T0,
				     .targets = one,
				     .n = 1};
	/* Refusals write nothing. */
	int64_t self[] = {f->d}, out[] = {f->t1}, twice[] = {f->s1, f->s1}, above[] = {f->city};
	in.targets = self;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, &why), MU_EINVAL);
	assert_string_equal(why.field, "targets");
	in.targets = out;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, &why), MU_EFORBIDDEN);
	in.targets = above;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, &why), MU_EFORBIDDEN);
	in.targets = twice;
	in.n = 2;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, &why), MU_EINVAL);
	in.targets = one;
	in.n = 0;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, &why), MU_EINVAL);
	in.n = 1;
	in.title = "";
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, &why), MU_EINVAL);
	assert_string_equal(why.field, "title");
	in.title = "令";
	in.due = T0 - 1;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, &why), MU_EINVAL);
	assert_string_equal(why.field, "due");
	assert_int_equal(count(f, "SELECT count(*) FROM orders"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM order_targets"), 0);
	/* A grid two levels down is a target like any place below. */
	in.due = 0;
	int64_t deep[] = {f->s2, f->g111};
	in.targets = deep;
	in.n = 2;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, NULL), 0);
	assert_int_equal(due, T0 + 24 * 3600);
	struct calls_order o;
	assert_int_equal(calls_order_get(f->t.db, id, &o), 0);
	assert_string_equal(o.title, "令");
	assert_string_equal(o.text, "正文");
	assert_int_equal(o.issuer_place, f->d);
	assert_false(o.wartime);
	assert_int_equal(count(f, "SELECT count(*) FROM order_steps WHERE kind = 'issue'"), 1);
	FIG_EQ(rollup(f, id, PLACES_STREET, T0, NULL), 0, 0, 0, 0, 1);
	FIG_EQ(rollup(f, id, PLACES_GRID, T0, NULL), 0, 0, 0, 0, 1);
	/* Places under: streets of the district; a level that is no unit's is refused. */
	int64_t *ids;
	size_t n;
	assert_int_equal(calls_order_places_under(f->t.db, f->d, PLACES_COMMUNITY, &ids, &n), 0);
	assert_int_equal(n, 3);
	free(ids);
	assert_int_equal(calls_order_places_under(f->t.db, f->d, PLACES_BUILDING, &ids, &n),
			 MU_EINVAL);
	assert_int_equal(calls_order_get(f->t.db, id + 1, &o), MU_ENOTFOUND);
}

static void test_cascade(void **state)
{
	struct fx *f = *state;
	struct mu_why why;
	int64_t id = issue_to_streets(f, T0 + 3600);
	int64_t to_s1[] = {f->m11, f->m12}, to_s2[] = {f->m21};
	int64_t t = T0 + 60;
	/* Each street forwards to its communities: forwarding acknowledges. */
	assert_int_equal(calls_order_forward(f->t.db, id, f->s1, to_s1, 2, 0, 9, t, NULL), 0);
	FIG_EQ(rollup(f, id, PLACES_STREET, t, NULL), 1, 0, 0, 0, 2);
	assert_int_equal(calls_order_forward(f->t.db, id, f->s2, to_s2, 1, 0, 9, t, NULL), 0);
	FIG_EQ(rollup(f, id, PLACES_STREET, t, NULL), 2, 0, 0, 0, 2);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, t, NULL), 0, 0, 0, 0, 3);
	/* Forwarding again to a target, or outside the street, or later than due: refused. */
	int64_t again[] = {f->m11}, other[] = {f->m21}, later[] = {f->g111};
	assert_int_equal(calls_order_forward(f->t.db, id, f->s1, again, 1, 0, 9, t, &why),
			 MU_EEXIST);
	assert_int_equal(calls_order_forward(f->t.db, id, f->s1, other, 1, 0, 9, t, &why),
			 MU_EINVAL);
	assert_int_equal(calls_order_forward(f->t.db, id, f->m11, later, 1, T0 + 3601, 9, t, &why),
			 MU_EINVAL);
	assert_int_equal(calls_order_forward(f->t.db, id, f->t1, later, 1, 0, 9, t, &why),
			 MU_ENOTFOUND);
	assert_int_equal(count(f, "SELECT count(*) FROM order_targets"), 5);

	/* Communities acknowledge; an acknowledgement twice changes nothing. */
	assert_int_equal(act(f, id, f->m11, CALLS_ACT_ACK, t), CALLS_ORDER_ACKNOWLEDGED);
	assert_int_equal(act(f, id, f->m11, CALLS_ACT_ACK, t + 1), CALLS_ORDER_ACKNOWLEDGED);
	assert_int_equal(count(f, "SELECT count(*) FROM order_steps WHERE kind = 'ack'"), 3);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, t, NULL), 1, 0, 0, 0, 3);
	/* S1 reports done before its communities: kept as reported, not done. */
	assert_int_equal(act(f, id, f->s1, CALLS_ACT_DONE, t), CALLS_ORDER_ACKNOWLEDGED);
	FIG_EQ(rollup(f, id, PLACES_STREET, t, NULL), 2, 0, 0, 0, 2);
	assert_int_equal(act(f, id, f->m11, CALLS_ACT_DONE, t + 10), CALLS_ORDER_DONE);
	FIG_EQ(rollup(f, id, PLACES_STREET, t, NULL), 2, 0, 0, 0, 2);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, t, NULL), 1, 1, 0, 0, 3);
	/* A done without acknowledging first acknowledges too; the last community done
	 * makes its street done by cascade. */
	assert_int_equal(act(f, id, f->m12, CALLS_ACT_DONE, t + 20), CALLS_ORDER_DONE);
	FIG_EQ(rollup(f, id, PLACES_STREET, t, NULL), 2, 1, 0, 0, 2);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, t, NULL), 2, 2, 0, 0, 3);
	assert_int_equal(count(f, "SELECT count(*) FROM order_steps WHERE by_cascade = 1"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM order_targets t JOIN places p ON"
				  " p.id = t.place_id WHERE p.code = 'S1' AND t.done_at = "
				  "1623283280"),
			 1);
	/* S2's community is blocked: it shows up the tree, and S2 cannot be done yet. */
	assert_int_equal(act(f, id, f->m21, CALLS_ACT_BLOCKED, t + 30), CALLS_ORDER_BLOCKED);
	struct calls_order_view *v;
	assert_int_equal(calls_order_view_new(f->t.db, id, t + 30, &v), 0);
	size_t s2 = calls_order_view_find(v, f->s2), m21 = calls_order_view_find(v, f->m21);
	assert_true(s2 != CALLS_NONE && m21 != CALLS_NONE);
	assert_int_equal(v->t[s2].blocked_below, 1);
	assert_int_equal(v->t[m21].parent, s2);
	assert_int_equal(v->t[s2].first_child, m21);
	assert_int_equal(v->t[m21].next_sibling, CALLS_NONE);
	assert_string_equal(v->t[m21].note, "好");
	calls_order_view_free(v);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, t, NULL), 3, 2, 1, 0, 3);
	assert_int_equal(act(f, id, f->s2, CALLS_ACT_DONE, t + 40), CALLS_ORDER_ACKNOWLEDGED);
	FIG_EQ(rollup(f, id, PLACES_STREET, t, NULL), 2, 1, 0, 0, 2);
	/* Unblocked by its done: S2 (reported) follows. */
	assert_int_equal(act(f, id, f->m21, CALLS_ACT_DONE, t + 50), CALLS_ORDER_DONE);
	FIG_EQ(rollup(f, id, PLACES_STREET, t, NULL), 2, 2, 0, 0, 2);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, t, NULL), 3, 3, 0, 0, 3);
	/* Once done: blocked and forwarding are refused, done again changes nothing. */
	assert_int_equal(act(f, id, f->m21, CALLS_ACT_BLOCKED, t + 60), MU_EEXIST);
	assert_int_equal(act(f, id, f->s1, CALLS_ACT_DONE, t + 60), CALLS_ORDER_DONE);
	assert_int_equal(calls_order_forward(f->t.db, id, f->s1, later, 1, 0, 9, t, &why),
			 MU_EEXIST);
	assert_int_equal(act(f, id, f->t1, CALLS_ACT_ACK, t), MU_ENOTFOUND);
	assert_int_equal(count(f, "SELECT count(*) FROM order_steps WHERE kind = 'done'"), 5);
	assert_int_equal(count(f, "SELECT count(*) FROM order_steps WHERE kind = 'reported'"), 2);
}

static void test_done_without_report(void **state)
{
	/* A street whose communities are all done is not done until it says so. */
	struct fx *f = *state;
	int64_t id = issue_to_streets(f, 0);
	int64_t to_s1[] = {f->m11};
	assert_int_equal(calls_order_forward(f->t.db, id, f->s1, to_s1, 1, 0, 9, T0, NULL), 0);
	assert_int_equal(act(f, id, f->m11, CALLS_ACT_DONE, T0 + 1), CALLS_ORDER_DONE);
	FIG_EQ(rollup(f, id, PLACES_STREET, T0, NULL), 1, 0, 0, 0, 2);
	assert_int_equal(act(f, id, f->s1, CALLS_ACT_DONE, T0 + 2), CALLS_ORDER_DONE);
	FIG_EQ(rollup(f, id, PLACES_STREET, T0, NULL), 1, 1, 0, 0, 2);
	/* A blocked report withdraws a reported done. */
	int64_t to_s2[] = {f->m21};
	assert_int_equal(calls_order_forward(f->t.db, id, f->s2, to_s2, 1, 0, 9, T0, NULL), 0);
	assert_int_equal(act(f, id, f->s2, CALLS_ACT_DONE, T0 + 3), CALLS_ORDER_ACKNOWLEDGED);
	assert_int_equal(act(f, id, f->s2, CALLS_ACT_BLOCKED, T0 + 4), CALLS_ORDER_BLOCKED);
	assert_int_equal(act(f, id, f->m21, CALLS_ACT_DONE, T0 + 5), CALLS_ORDER_DONE);
	FIG_EQ(rollup(f, id, PLACES_STREET, T0, NULL), 2, 1, 1, 0, 2);
}

struct od {
	int64_t place[8], above[8];
	size_t n;
};
static int od_one(const struct calls_overdue *o, void *ctx)
{
	struct od *l = ctx;
	assert_true(l->n < 8);
	l->place[l->n] = o->place_id;
	l->above[l->n++] = o->above_place;
	return 0;
}
static struct od overdue(struct fx *f, int64_t at_place, int64_t now)
{
	char path[CALLS_PATH_MAX];
	struct od l = {.n = 0};
	assert_int_equal(calls_place_path(f->t.db, at_place, path), 0);
	assert_int_equal(calls_order_overdue(f->t.db, path, now, 0, 100, od_one, &l), 0);
	return l;
}

static void test_overdue(void **state)
{
	struct fx *f = *state;
	int64_t id = issue_to_streets(f, T0 + 3600);
	int64_t to_s1[] = {f->m11, f->m12};
	assert_int_equal(calls_order_forward(f->t.db, id, f->s1, to_s1, 2, T0 + 1800, 9, T0, NULL),
			 0);
	/* Before any due: nothing. */
	assert_int_equal(overdue(f, f->d, T0 + 1800).n, 0);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, T0 + 1800, NULL), 0, 0, 0, 0, 2);
	/* Past the communities' earlier due, not yet the streets'. */
	struct od l = overdue(f, f->d, T0 + 1801);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.place[0], f->m11);
	assert_int_equal(l.above[0], f->s1);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, T0 + 1801, NULL), 0, 0, 0, 2, 2);
	FIG_EQ(rollup(f, id, PLACES_STREET, T0 + 1801, NULL), 1, 0, 0, 0, 2);
	/* Past every due: streets listed at the district, communities at their street; a
	 * place does not list itself, and a done target is no longer overdue. */
	assert_int_equal(act(f, id, f->m12, CALLS_ACT_DONE, T0 + 3000), CALLS_ORDER_DONE);
	l = overdue(f, f->d, T0 + 3601);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.place[0], f->s1);
	assert_int_equal(l.above[0], f->d);
	assert_int_equal(l.place[1], f->s2);
	assert_int_equal(l.place[2], f->m11);
	assert_int_equal(l.above[2], f->s1);
	l = overdue(f, f->s1, T0 + 3601);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.place[0], f->m11);
	assert_int_equal(overdue(f, f->d2, T0 + 3601).n, 0);
	FIG_EQ(rollup(f, id, PLACES_STREET, T0 + 3601, NULL), 1, 0, 0, 2, 2);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, T0 + 3601, NULL), 1, 1, 0, 1, 2);
}

static int collect(int64_t id, void *ctx)
{
	int64_t *n = ctx;
	(void)id;
	(*n)++;
	return 0;
}

static void test_views(void **state)
{
	struct fx *f = *state;
	char d[CALLS_PATH_MAX], s1[CALLS_PATH_MAX], s2[CALLS_PATH_MAX], m11[CALLS_PATH_MAX];
	char d2[CALLS_PATH_MAX];
	int64_t id = issue_to_streets(f, 0);
	int64_t to_s1[] = {f->m11, f->m12};
	assert_int_equal(calls_order_forward(f->t.db, id, f->s1, to_s1, 2, 0, 9, T0, NULL), 0);
	assert_int_equal(calls_place_path(f->t.db, f->d, d), 0);
	assert_int_equal(calls_place_path(f->t.db, f->s1, s1), 0);
	assert_int_equal(calls_place_path(f->t.db, f->s2, s2), 0);
	assert_int_equal(calls_place_path(f->t.db, f->m11, m11), 0);
	assert_int_equal(calls_place_path(f->t.db, f->d2, d2), 0);
	assert_true(calls_path_within(m11, s1));
	assert_false(calls_path_within(s1, m11));
	assert_false(calls_path_within(s2, s1));
	/* The issuer's district sees all; a street its own target and below; a community
	 * itself. */
	FIG_EQ(rollup(f, id, PLACES_STREET, T0, d), 1, 0, 0, 0, 2);
	FIG_EQ(rollup(f, id, PLACES_STREET, T0, s1), 1, 0, 0, 0, 1);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, T0, s1), 0, 0, 0, 0, 2);
	FIG_EQ(rollup(f, id, PLACES_STREET, T0, m11), 0, 0, 0, 0, 0);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, T0, m11), 0, 0, 0, 0, 1);
	FIG_EQ(rollup(f, id, PLACES_COMMUNITY, T0, s2), 0, 0, 0, 0, 0);
	/* Listed where issued or received; not in another district. */
	int64_t n = 0;
	assert_int_equal(calls_order_list(f->t.db, d, 0, 100, collect, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(calls_order_list(f->t.db, m11, 0, 100, collect, &n), 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(calls_order_list(f->t.db, d2, 0, 100, collect, &n), 0);
	assert_int_equal(n, 0);
	n = 0;
	assert_int_equal(calls_order_list(f->t.db, d, id, 100, collect, &n), 0);
	assert_int_equal(n, 0);
}

static void test_wartime_due(void **state)
{
	/* The district switched to wartime before the order: 6 hours, not 24; a due given
	 * is kept as given. After it switches back: 24 hours again. */
	struct fx *f = *state;
	struct calls_order o;
	int64_t one[] = {f->s1}, id, due;
	assert_int_equal(calls_wartime_set(f->t.db, f->d, true, T0 - 60, "战时", 0, NULL, NULL), 0);
	struct calls_order_new in = {.title = "令",
				     .text = "正文",
				     .issuer_place = f->d,
				     .issuer_name = "cli:x",
				     .issued_at = T0,
				     .targets = one,
				     .n = 1};
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, NULL), 0);
	assert_int_equal(due, T0 + 6 * 3600);
	assert_int_equal(calls_order_get(f->t.db, id, &o), 0);
	assert_true(o.wartime);
	in.due = T0 + 48 * 3600;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, NULL), 0);
	assert_int_equal(due, T0 + 48 * 3600);
	assert_int_equal(calls_wartime_set(f->t.db, f->d, false, T0 + 60, "平时", 0, NULL, NULL),
			 0);
	in.due = 0;
	in.issued_at = T0 + 120;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, NULL), 0);
	assert_int_equal(due, T0 + 120 + 24 * 3600);
	/* Another district is not in wartime because this one was at T0. */
	in.issuer_place = f->d2;
	in.issued_at = T0;
	int64_t t1[] = {f->t1};
	in.targets = t1;
	assert_int_equal(calls_order_issue(f->t.db, &in, &id, &due, NULL), 0);
	assert_int_equal(due, T0 + 24 * 3600);
}

/* The wartime board's "orders not acknowledged": pending targets at or under a place;
 * forwarding, acknowledging and reporting each take one off, and another district's
 * orders never count. */
static int64_t unacked(struct fx *f, int64_t place_id)
{
	char path[CALLS_PATH_MAX];
	int64_t n = -1;
	assert_int_equal(calls_place_path(f->t.db, place_id, path), 0);
	assert_int_equal(calls_order_unacknowledged(f->t.db, path, &n), 0);
	return n;
}

static void test_unacknowledged(void **state)
{
	struct fx *f = *state;
	int64_t id = issue_to_streets(f, T0 + 3600);
	int64_t to_s1[] = {f->m11, f->m12};
	assert_int_equal(unacked(f, f->city), 2);
	assert_int_equal(unacked(f, f->d), 2);
	assert_int_equal(unacked(f, f->s1), 1);
	assert_int_equal(unacked(f, f->d2), 0);
	/* S1 forwards to its two communities: S1 is acknowledged, they are pending. */
	assert_int_equal(calls_order_forward(f->t.db, id, f->s1, to_s1, 2, 0, 9, T0 + 60, NULL), 0);
	assert_int_equal(unacked(f, f->d), 3);
	assert_int_equal(unacked(f, f->s1), 2);
	assert_int_equal(unacked(f, f->m11), 1);
	assert_int_equal(act(f, id, f->m11, CALLS_ACT_ACK, T0 + 70), CALLS_ORDER_ACKNOWLEDGED);
	assert_int_equal(unacked(f, f->m11), 0);
	assert_int_equal(unacked(f, f->s1), 1);
	/* A done (or blocked) report acknowledges a pending target too. */
	assert_int_equal(act(f, id, f->m12, CALLS_ACT_DONE, T0 + 80), CALLS_ORDER_DONE);
	assert_int_equal(act(f, id, f->s2, CALLS_ACT_BLOCKED, T0 + 90), CALLS_ORDER_BLOCKED);
	assert_int_equal(unacked(f, f->d), 0);
	assert_int_equal(unacked(f, f->city), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_issue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cascade, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_done_without_report, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overdue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_views, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wartime_due, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unacknowledged, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
