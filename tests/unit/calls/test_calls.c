/* test_calls.c: calls for help with a fake clock — deadlines per category, priority and
 * mode, routing to a grid's three-person group or the community, the escalation chain
 * rung by rung (and its idempotence), acknowledgement and closing, lists of a subtree,
 * the sealed phone and the summary's counts and medians. */
#include "calls/calls.h"
#include "calls/calls_int.h"
#include "places/places.h"
#include "testutil.h"

#define T0 1623369600 /* 2021-06-11T00:00:00Z: 08:00 in Guangzhou */

struct fx {
	struct tdb t;
	int64_t city, dist, street, comm, g1, g2, p1, p2, b1, b2, h1, h2, h3;
	int64_t street2, hx;
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
	f->dist = place(f, f->city, PLACES_DISTRICT, "D");
	f->street = place(f, f->dist, PLACES_STREET, "S");
	f->comm = place(f, f->street, PLACES_COMMUNITY, "M");
	f->g1 = place(f, f->comm, PLACES_GRID, "G1");
	f->g2 = place(f, f->comm, PLACES_GRID, "G2");
	f->p1 = place(f, f->g1, PLACES_COMPOUND, "P1");
	f->p2 = place(f, f->g2, PLACES_COMPOUND, "P2");
	f->b1 = place(f, f->p1, PLACES_BUILDING, "B1");
	f->b2 = place(f, f->p2, PLACES_BUILDING, "B2");
	f->h1 = place(f, f->b1, PLACES_HOUSEHOLD, "H1");
	f->h2 = place(f, f->b1, PLACES_HOUSEHOLD, "H2");
	f->h3 = place(f, f->b2, PLACES_HOUSEHOLD, "H3");
	f->street2 = place(f, f->dist, PLACES_STREET, "S2");
	int64_t c2 = place(f, f->street2, PLACES_COMMUNITY, "M2");
	int64_t g = place(f, c2, PLACES_GRID, "GX");
	int64_t p = place(f, g, PLACES_COMPOUND, "PX");
	int64_t b = place(f, p, PLACES_BUILDING, "BX");
	f->hx = place(f, b, PLACES_HOUSEHOLD, "HX");
	/* A three-person group holds G1 (and not G2). */
	char sql[200];
	snprintf(sql, sizeof sql,
		 "INSERT INTO care_groups(id, name, created_at) VALUES (1, 'g', 0);"
		 "INSERT INTO group_grids(group_id, grid_id) VALUES (1, %lld);",
		 (long long)f->g1);
	assert_int_equal(db_exec(f->t.db, sql), 0);
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

static int64_t log_call(struct fx *f, int64_t at_place, const char *cat, const char *prio,
			int64_t now, struct calls_call *out)
{
	struct calls_new in = {.place_id = at_place,
			       .category = cat,
			       .priority = prio,
			       .text = "需要帮助",
			       .phone = "13800138000",
			       .user_id = 0};
	struct mu_why why;
	struct calls_call c, row;
	struct calls_call *got = out ? out : &c;
	assert_int_equal(calls_call_log(f->t.db, &f->t.keys, &in, now, got, &why), 0);
	/* What the log hands back is the row as a read without keys gives it. */
	assert_int_equal(calls_call_get(f->t.db, NULL, got->id, &row), 0);
	assert_int_equal(got->place_id, row.place_id);
	assert_int_equal(got->person_id, row.person_id);
	assert_int_equal(got->unit_id, row.unit_id);
	assert_int_equal(got->level_id, row.level_id);
	assert_int_equal(got->user_id, row.user_id);
	assert_string_equal(got->category, row.category);
	assert_string_equal(got->priority, row.priority);
	assert_string_equal(got->text, row.text);
	assert_string_equal(got->outcome, row.outcome);
	assert_string_equal(got->phone, row.phone);
	assert_int_equal(got->wartime, row.wartime);
	assert_int_equal(got->overdue, row.overdue);
	assert_int_equal(got->closed, row.closed);
	assert_int_equal(got->allowance, row.allowance);
	assert_int_equal(got->first_due, row.first_due);
	assert_int_equal(got->due, row.due);
	assert_int_equal(got->created_at, row.created_at);
	assert_int_equal(got->acked_at, row.acked_at);
	assert_int_equal(got->closed_at, row.closed_at);
	return got->id;
}

static int64_t count(struct fx *f, const char *sql)
{
	int64_t n = -1;
	assert_int_equal(db_query_i64(f->t.db, sql, &n), 0);
	return n;
}

static void test_deadlines(void **state)
{
	struct fx *f = *state;
	int64_t s;
	struct {
		const char *cat, *prio;
		bool war;
		int64_t want;
	} cases[] = {
	    {"medical", "urgent", false, 1800},	 {"food", "urgent", false, 7200},
	    {"dialysis", "urgent", false, 7200}, {"medical", "normal", false, 86400},
	    {"other", "normal", false, 86400},	 {"medical", "urgent", true, 900},
	    {"transport", "urgent", true, 3600}, {"medical", "normal", true, 43200},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(
		    calls_deadline_get(f->t.db, cases[i].cat, cases[i].prio, cases[i].war, &s), 0);
		assert_int_equal(s, cases[i].want);
	}
	assert_int_equal(calls_deadline_get(f->t.db, "pets", "urgent", false, &s), MU_EINVAL);
	assert_int_equal(calls_deadline_get(f->t.db, "food", "soon", false, &s), MU_EINVAL);
	/* A row of its own beats the '*' row; editing '*' changes the rest. */
	struct mu_why why;
	assert_int_equal(calls_deadline_set(f->t.db, "dialysis", "urgent", false, 600, &why), 0);
	assert_int_equal(calls_deadline_set(f->t.db, "*", "urgent", false, 5400, &why), 0);
	assert_int_equal(calls_deadline_get(f->t.db, "dialysis", "urgent", false, &s), 0);
	assert_int_equal(s, 600);
	assert_int_equal(calls_deadline_get(f->t.db, "food", "urgent", false, &s), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(calls_deadline_get(f->t.db, "medical", "urgent", false, &s), 0);
	assert_int_equal(s, 1800);
	assert_int_equal(calls_deadline_set(f->t.db, "pets", "urgent", false, 60, &why), MU_EINVAL);
	assert_string_equal(why.field, "category");
	assert_int_equal(calls_deadline_set(f->t.db, "food", "urgent", false, 0, &why), MU_EINVAL);
	assert_string_equal(why.field, "seconds");
}

static void test_route_and_due(void **state)
{
	struct fx *f = *state;
	struct calls_call c;
	log_call(f, f->h1, "medical", "urgent", T0, &c);
	assert_int_equal(c.unit_id, f->g1); /* the group's grid */
	assert_int_equal(c.level_id, f->g1);
	assert_int_equal(c.due, T0 + 1800);
	assert_false(c.wartime);
	log_call(f, f->b2, "food", "normal", T0, &c);
	assert_int_equal(c.unit_id, f->comm); /* no group on G2: the community */
	assert_int_equal(c.due, T0 + 86400);
	/* Wartime on the district from T0 + 10: shorter deadlines after, not before. */
	assert_int_equal(calls_wartime_set(f->t.db, f->dist, true, T0 + 10, "战时", 0, NULL, NULL),
			 0);
	log_call(f, f->h3, "medical", "urgent", T0 + 5, &c);
	assert_false(c.wartime);
	assert_int_equal(c.due, T0 + 5 + 1800);
	log_call(f, f->h3, "medical", "urgent", T0 + 20, &c);
	assert_true(c.wartime);
	assert_int_equal(c.due, T0 + 20 + 900);
	log_call(f, f->hx, "food", "urgent", T0 + 20, &c);
	assert_int_equal(c.due, T0 + 20 + 3600);

	/* Refusals: a place that is no household or building, a bad category, no text. */
	struct calls_new in = {
	    .place_id = f->g1, .category = "food", .priority = "normal", .text = "x", .phone = ""};
	struct mu_why why;
	assert_int_equal(calls_call_log(f->t.db, &f->t.keys, &in, T0, &c, &why), MU_EINVAL);
	assert_string_equal(why.field, "place");
	in.place_id = f->h1;
	in.category = "pets";
	assert_int_equal(calls_call_log(f->t.db, &f->t.keys, &in, T0, &c, &why), MU_EINVAL);
	assert_string_equal(why.field, "category");
	in.category = "food";
	in.text = "";
	assert_int_equal(calls_call_log(f->t.db, &f->t.keys, &in, T0, &c, &why), MU_EINVAL);
	assert_string_equal(why.field, "text");
}

static void test_escalation_chain(void **state)
{
	struct fx *f = *state;
	struct calls_call c;
	struct calls_summary s;
	int64_t climbed;
	int64_t id = log_call(f, f->h1, "medical", "urgent", T0, NULL);
	assert_int_equal(calls_sweep(f->t.db, T0 + 1799, 0, &climbed, NULL), 0);
	assert_int_equal(climbed, 0);
	assert_int_equal(calls_call_get(f->t.db, NULL, id, &c), 0);
	assert_int_equal(c.level_id, f->g1);
	assert_false(c.overdue);
	/* Rung by rung: the community at its due, the street 30 minutes later, then the
	 * district, where it stays. */
	int64_t want[] = {f->comm, f->street, f->dist};
	for (int i = 0; i < 3; i++) {
		int64_t at = T0 + 1800 * (i + 1);
		assert_int_equal(calls_sweep(f->t.db, at, 0, &climbed, NULL), 0);
		assert_int_equal(climbed, 1);
		assert_int_equal(calls_call_get(f->t.db, NULL, id, &c), 0);
		assert_int_equal(c.level_id, want[i]);
		assert_int_equal(c.due, at + 1800);
		assert_true(c.overdue);
		/* The same sweep again changes nothing. */
		assert_int_equal(calls_sweep(f->t.db, at, 0, &climbed, NULL), 0);
		assert_int_equal(climbed, 0);
	}
	assert_int_equal(calls_sweep(f->t.db, T0 + 100000, 0, &climbed, NULL), 0);
	assert_int_equal(climbed, 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM call_steps WHERE kind = 'escalated'"), 3);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM calls WHERE next_at IS NOT NULL"), 0);
	assert_int_equal(calls_summary_get(f->t.db, f->dist, T0 + 100000, &s), 0);
	assert_int_equal(s.open, 1);
	assert_int_equal(s.overdue, 1);
	assert_int_equal(s.cat_overdue[2], 1); /* medical */

	/* A sweep that comes late climbs every rung missed at once, each at its own time. */
	int64_t id2 = log_call(f, f->h3, "food", "urgent", T0, NULL); /* unit: the community */
	assert_int_equal(calls_sweep(f->t.db, T0 + 7200 * 2 + 1, 0, &climbed, NULL), 0);
	assert_int_equal(climbed, 2);
	assert_int_equal(calls_call_get(f->t.db, NULL, id2, &c), 0);
	assert_int_equal(c.level_id, f->dist);
	assert_int_equal(
	    count(f, "SELECT at FROM call_steps WHERE kind = 'escalated' ORDER BY id DESC"),
	    T0 + 7200 * 2);

	/* Acknowledged: no longer overdue, the tallies follow, and it climbs no more. */
	assert_int_equal(calls_call_ack(f->t.db, id2, 7, T0 + 20000), 0);
	assert_int_equal(calls_call_ack(f->t.db, id2, 7, T0 + 20001), MU_EEXIST);
	assert_int_equal(calls_summary_get(f->t.db, f->comm, T0 + 20000, &s), 0);
	assert_int_equal(s.open, 2);
	assert_int_equal(s.overdue, 1);
}

struct steps_seen {
	int n;
	char kinds[128];
	int64_t first_at, first_place;
};

static int step_seen(const struct calls_step *st, void *ctx)
{
	struct steps_seen *x = ctx;
	if (x->n++ == 0) {
		x->first_at = st->at;
		x->first_place = st->place_id;
	}
	size_t l = strlen(x->kinds);
	snprintf(x->kinds + l, sizeof x->kinds - l, "%s ", st->kind);
	return 0;
}

static void test_ack_close(void **state)
{
	struct fx *f = *state;
	struct calls_call c;
	struct calls_summary s;
	int64_t id = log_call(f, f->h2, "medicine", "normal", T0, NULL);
	assert_int_equal(calls_call_progress(f->t.db, id, 3, "路上", T0 + 5), 0);
	assert_int_equal(calls_call_progress(f->t.db, id, 3, "", T0 + 5), MU_EINVAL);
	assert_int_equal(calls_close(f->t.db, id, "", 3, T0 + 60), MU_EINVAL);
	assert_int_equal(calls_close(f->t.db, id, NULL, 3, T0 + 60), MU_EINVAL);
	assert_int_equal(calls_close(f->t.db, id, "delivered", 3, T0 + 60), 0);
	assert_int_equal(calls_close(f->t.db, id, "delivered", 3, T0 + 61), MU_EEXIST);
	assert_int_equal(calls_call_progress(f->t.db, id, 3, "again", T0 + 62), MU_EEXIST);
	assert_int_equal(calls_call_get(f->t.db, NULL, id, &c), 0);
	assert_true(c.closed);
	assert_int_equal(c.acked_at, T0 + 60); /* closing acknowledges too */
	assert_string_equal(c.outcome, "delivered");
	assert_int_equal(calls_call_ack(f->t.db, 999, 1, T0), MU_ENOTFOUND);
	/* logged (the call's row), progress, acknowledged, closed: three rows of steps. */
	assert_int_equal(count(f, "SELECT COUNT(*) FROM call_steps"), 3);
	struct steps_seen seen = {0};
	assert_int_equal(calls_step_list(f->t.db, id, step_seen, &seen), 0);
	assert_int_equal(seen.n, 4);
	assert_string_equal(seen.kinds, "logged progress acknowledged closed ");
	assert_int_equal(seen.first_at, T0);
	assert_int_equal(seen.first_place, f->g1); /* its first unit: a group holds G1 */
	assert_int_equal(calls_step_list(f->t.db, 999, step_seen, &seen), MU_ENOTFOUND);
	assert_int_equal(calls_summary_get(f->t.db, f->g1, T0 + 60, &s), 0);
	assert_int_equal(s.open, 0);
	assert_int_equal(s.closed_today, 1);
	assert_int_equal(s.median_close_s, 60);
}

static void test_medians(void **state)
{
	struct fx *f = *state;
	struct calls_summary s;
	int64_t ack[] = {10, 40, 20};
	int64_t close[] = {100, 300, 200, 1000};
	int64_t ids[4];
	for (int i = 0; i < 4; i++)
		ids[i] = log_call(f, i % 2 ? f->h1 : f->h3, "food", "normal", T0, NULL);
	for (int i = 0; i < 3; i++)
		assert_int_equal(calls_call_ack(f->t.db, ids[i], 1, T0 + ack[i]), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(calls_close(f->t.db, ids[i], "done", 1, T0 + close[i]), 0);
	assert_int_equal(calls_summary_get(f->t.db, f->comm, T0 + 2000, &s), 0);
	/* Acks: 10, 20, 40 and the fourth's at its close (1000): (20 + 40) / 2. */
	assert_int_equal(s.median_ack_s, 30);
	assert_int_equal(s.median_close_s, 250); /* (200 + 300) / 2 */
	assert_int_equal(s.closed_today, 4);
	/* One grid's share: G1 holds ids 1 and 3 (close 300 and 1000). */
	assert_int_equal(calls_summary_get(f->t.db, f->g1, T0 + 2000, &s), 0);
	assert_int_equal(s.closed_today, 2);
	assert_int_equal(s.median_close_s, 650);
	/* The next Guangzhou day (from 16:00 UTC) has none. */
	assert_int_equal(calls_summary_get(f->t.db, f->comm, T0 + 16 * 3600, &s), 0);
	assert_int_equal(s.closed_today, 0);
	assert_int_equal(s.median_ack_s, -1);
	assert_int_equal(calls_summary_get(f->t.db, f->comm, T0 + 16 * 3600 - 1, &s), 0);
	assert_int_equal(s.closed_today, 4);
}

/* Below the grid the figures are counted from the grid's calls (no tallies or times are
 * kept there): a household, its building (which also holds a call logged at the
 * building itself) and compound, several households in one scan, and the grid from its
 * tallies agreeing with its one compound. */
static void expect(const struct calls_summary *s, int64_t open, int64_t overdue, int64_t closed,
		   int64_t mack, int64_t mclose)
{
	assert_int_equal(s->open, open);
	assert_int_equal(s->overdue, overdue);
	assert_int_equal(s->closed_today, closed);
	assert_int_equal(s->median_ack_s, mack);
	assert_int_equal(s->median_close_s, mclose);
}

static void test_below_grid(void **state)
{
	struct fx *f = *state;
	struct calls_summary s, g, many[3];
	int64_t climbed = 0;
	bool more = false;
	int64_t a = log_call(f, f->h1, "medical", "urgent", T0, NULL);
	log_call(f, f->h2, "food", "normal", T0, NULL);
	log_call(f, f->h2, "medical", "urgent", T0, NULL);
	int64_t d = log_call(f, f->b1, "other", "normal", T0, NULL);
	int64_t e = log_call(f, f->h1, "mental", "normal", T0, NULL);
	log_call(f, f->h3, "food", "normal", T0, NULL); /* another grid */
	assert_int_equal(calls_call_ack(f->t.db, a, 1, T0 + 20), 0);
	assert_int_equal(calls_close(f->t.db, d, "done", 1, T0 + 100), 0);
	assert_int_equal(calls_close(f->t.db, e, "done", 1, T0 + 300), 0);
	/* The unacknowledged urgent medical call at H2 is past its 30 minutes. */
	assert_int_equal(calls_sweep(f->t.db, T0 + 1801, 100, &climbed, &more), 0);
	assert_true(climbed >= 1);
	int64_t now = T0 + 2000;
	/* Nothing below the grid in the tables any more. */
	assert_int_equal(count(f, "SELECT COUNT(*) FROM call_tallies t JOIN places p ON p.id = "
				  "t.place_id WHERE p.level > 4"),
			 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM call_times t JOIN places p ON p.id = "
				  "t.place_id WHERE p.level > 4"),
			 0);
	assert_int_equal(calls_summary_get(f->t.db, f->h1, now, &s), 0);
	expect(&s, 1, 0, 1, 160, 300); /* acks 20 and 300 */
	assert_int_equal(s.cat_open[calls__category_index("medical")], 1);
	assert_int_equal(calls_summary_get(f->t.db, f->h2, now, &s), 0);
	expect(&s, 2, 1, 0, -1, -1);
	assert_int_equal(s.cat_overdue[calls__category_index("medical")], 1);
	assert_int_equal(s.cat_open[calls__category_index("food")], 1);
	assert_int_equal(calls_summary_get(f->t.db, f->b1, now, &s), 0);
	expect(&s, 3, 1, 2, 100, 200); /* acks 20, 100, 300; closes 100, 300 */
	assert_int_equal(calls_summary_get(f->t.db, f->p1, now, &s), 0);
	expect(&s, 3, 1, 2, 100, 200);
	assert_int_equal(calls_summary_get(f->t.db, f->g1, now, &g), 0);
	assert_memory_equal(&g, &s, sizeof s);
	/* Several at once, in the caller's order; a place with no call has zeros. */
	int64_t hs[3] = {f->h2, f->h1, f->hx};
	assert_int_equal(calls_summary_below(f->t.db, f->g1, PLACES_HOUSEHOLD, hs, 3, now, many),
			 0);
	expect(&many[0], 2, 1, 0, -1, -1);
	expect(&many[1], 1, 0, 1, 160, 300);
	expect(&many[2], 0, 0, 0, -1, -1);
	/* The next Guangzhou day: only what is open. */
	assert_int_equal(calls_summary_get(f->t.db, f->b1, T0 + 16 * 3600, &s), 0);
	expect(&s, 3, 1, 0, -1, -1);
}

static void test_sweep_in_chunks(void **state)
{
	struct fx *f = *state;
	int64_t climbed, total = 0;
	bool more = true;
	int rounds = 0;
	/* Five late calls, two at a time: three sweeps, the longest due first. */
	for (int i = 0; i < 5; i++)
		log_call(f, f->h3, "food", "urgent", T0 + i, NULL);
	while (more) {
		assert_int_equal(calls_sweep(f->t.db, T0 + 7200 + 10, 2, &climbed, &more), 0);
		total += climbed;
		rounds++;
		if (rounds == 1)
			assert_int_equal(
			    count(f, "SELECT COUNT(*) FROM calls WHERE overdue = 1 AND id <= 2"),
			    2);
	}
	assert_int_equal(rounds, 3);
	assert_int_equal(total, 5);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM calls WHERE overdue = 1"), 5);
	assert_int_equal(calls_sweep(f->t.db, T0 + 7200 + 10, 2, &climbed, &more), 0);
	assert_int_equal(climbed, 0);
	assert_false(more);
}

struct ids {
	int64_t v[16];
	int n;
};

static int collect(const struct calls_call *c, void *ctx)
{
	struct ids *l = ctx;
	l->v[l->n++] = c->id;
	return 0;
}

static void test_lists_and_phone(void **state)
{
	struct fx *f = *state;
	struct calls_call c;
	struct ids l = {0};
	int64_t a = log_call(f, f->h1, "medical", "urgent", T0, NULL);
	int64_t b = log_call(f, f->h3, "food", "normal", T0, NULL);
	int64_t x = log_call(f, f->hx, "other", "normal", T0, NULL);
	assert_int_equal(calls_close(f->t.db, b, "done", 1, T0 + 5), 0);
	assert_int_equal(calls_sweep(f->t.db, T0 + 1800, 0, NULL, NULL), 0);
	assert_int_equal(calls_call_list(f->t.db, f->comm, CALLS_STATE_OPEN, 0, collect, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0], a);
	l.n = 0;
	assert_int_equal(calls_call_list(f->t.db, f->dist, CALLS_STATE_OPEN, 0, collect, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0], x); /* newest first */
	l.n = 0;
	assert_int_equal(calls_call_list(f->t.db, f->dist, CALLS_STATE_OPEN, x, collect, &l), 0);
	assert_int_equal(l.n, 1); /* the page after x */
	l.n = 0;
	assert_int_equal(calls_call_list(f->t.db, f->city, CALLS_STATE_OVERDUE, 0, collect, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0], a);
	l.n = 0;
	assert_int_equal(calls_call_list(f->t.db, f->b2, CALLS_STATE_CLOSED, 0, collect, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0], b);
	l.n = 0;
	assert_int_equal(calls_call_list(f->t.db, f->h2, CALLS_STATE_OPEN, 0, collect, &l), 0);
	assert_int_equal(l.n, 0); /* below the grid: only the calls of that place */

	/* The phone is sealed at rest and opens with the keys alone. */
	assert_int_equal(count(f, "SELECT COUNT(*) FROM calls WHERE instr(phone, '13800138000') "
				  "OR instr(hex(phone), hex('13800138000'))"),
			 0);
	assert_int_equal(calls_call_get(f->t.db, &f->t.keys, a, &c), 0);
	assert_string_equal(c.phone, "13800138000");
	assert_int_equal(calls_call_get(f->t.db, NULL, a, &c), 0);
	assert_string_equal(c.phone, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_deadlines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_route_and_due, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escalation_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ack_close, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_medians, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_below_grid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lists_and_phone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sweep_in_chunks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
