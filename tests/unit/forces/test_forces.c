/* test_forces.c: forces' logic on a small fixture city — organisations in a subtree,
 * forming a compound (branch, a group per building with party members, the volunteer
 * team's choice), deployments and check-ins, the ledger's sums by Guangzhou date
 * (shifts crossing midnight, UTC and UTC+8 dates apart) and a squad split over its
 * hospitals and places. */
#include "forces/forces.h"
#include "places/places.h"
#include "testutil.h"

/* 2021-06-11 00:00 in Guangzhou (2021-06-10T16:00:00Z). */
#define JUNE11 INT64_C(1623340800)
#define HOUR   3600

struct fx {
	struct tdb t;
	int64_t city, dist, s1, s2, m1, m2, g1, g2, p1, p2, b[3], h[5], hx;
	int64_t person[16];
	int np;
};

static int64_t place(struct fx *f, int64_t parent, int level, const char *code, const char *name)
{
	int64_t id;
	assert_int_equal(places_add(f->t.db, parent, level, code, name, &id, NULL), 0);
	return id;
}

/* A resident of household born on the first of June of year, a party member or not. */
static int64_t person(struct fx *f, int64_t household, int year, bool party)
{
	struct people_person p;
	char id[32];
	memset(&p, 0, sizeof p);
	snprintf(id, sizeof id, "440106%04d0601%03d", year % 10000, (100 + f->np) % 1000);
	id[17] = people_idcard_check_digit(id);
	id[18] = '\0';
	p.id_type = PEOPLE_ID_RESIDENT;
	snprintf(p.id_number, sizeof p.id_number, "%s", id);
	snprintf(p.name, sizeof p.name, "居民%d", f->np);
	p.household_id = household;
	p.party = party;
	assert_int_equal(people_idcard_check(id, NULL, &p.birth, &p.sex), 0);
	assert_int_equal(people_add(f->t.db, &f->t.keys, &p, NULL), 0);
	f->person[f->np++] = p.id;
	return p.id;
}

static int setup(void **state)
{
	struct fx *f = mu_xcalloc(1, sizeof *f);
	tdb_open(&f->t);
	f->city = place(f, 0, PLACES_CITY, "C", "市");
	f->dist = place(f, f->city, PLACES_DISTRICT, "D", "区");
	f->s1 = place(f, f->dist, PLACES_STREET, "S1", "中南街");
	f->s2 = place(f, f->dist, PLACES_STREET, "S2", "白鹤洞街");
	f->m1 = place(f, f->s1, PLACES_COMMUNITY, "M1", "社区一");
	f->m2 = place(f, f->s2, PLACES_COMMUNITY, "M2", "社区二");
	f->g1 = place(f, f->m1, PLACES_GRID, "G1", "第1网格");
	f->g2 = place(f, f->m1, PLACES_GRID, "G2", "第2网格");
	f->p1 = place(f, f->g1, PLACES_COMPOUND, "P1", "花园");
	f->p2 = place(f, f->g2, PLACES_COMPOUND, "P2", "新村");
	for (int i = 0; i < 3; i++) {
		char code[16], name[24];
		snprintf(code, sizeof code, "B%d", i + 1);
		snprintf(name, sizeof name, "%d栋", i + 1);
		f->b[i] = place(f, f->p1, PLACES_BUILDING, code, name);
	}
	f->h[0] = place(f, f->b[0], PLACES_HOUSEHOLD, "H1", "101");
	f->h[1] = place(f, f->b[0], PLACES_HOUSEHOLD, "H2", "102");
	f->h[2] = place(f, f->b[1], PLACES_HOUSEHOLD, "H3", "101");
	f->h[3] = place(f, f->b[2], PLACES_HOUSEHOLD, "H4", "101");
	int64_t bx = place(f, f->p2, PLACES_BUILDING, "BX", "1栋");
	f->hx = place(f, bx, PLACES_HOUSEHOLD, "HX", "101");
	/* On 2021-06-11: B1 two party members (51), an adult of 31, a child of 6; B2 a party
	 * member of 61, adults of 36 and 71; B3 adults of 26 and 21. */
	person(f, f->h[0], 1970, true);
	person(f, f->h[0], 1990, false);
	person(f, f->h[1], 1970, true);
	person(f, f->h[1], 2015, false);
	person(f, f->h[2], 1960, true);
	person(f, f->h[2], 1985, false);
	person(f, f->h[2], 1950, false);
	person(f, f->h[3], 1995, false);
	person(f, f->h[3], 2000, false);
	person(f, f->hx, 1980, true); /* another compound */
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

static int64_t org(struct fx *f, int kind, const char *name, int64_t at)
{
	struct forces_org o = {.kind = kind, .place_id = at, .created_at = JUNE11};
	snprintf(o.name, sizeof o.name, "%s", name);
	assert_int_equal(forces_org_add(f->t.db, &o, NULL), 0);
	return o.id;
}

/* ---- organisations ---------------------------------------------------------------------- */

struct seen {
	int64_t ids[32];
	int n;
};

static int seen_org(const struct forces_org *o, void *ctx)
{
	struct seen *s = ctx;
	s->ids[s->n++] = o->id;
	return 0;
}

static void test_orgs_subtree(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	int64_t next;
	int64_t a = org(f, FORCES_SHOCK_TEAM, "中南突击队", f->s1);
	int64_t b = org(f, FORCES_PARTY_BRANCH, "社区一支部", f->m1);
	int64_t c = org(f, FORCES_VOLUNTEER_TEAM, "花园志愿队", f->p1);
	int64_t d = org(f, FORCES_SHOCK_TEAM, "白鹤洞突击队", f->s2);
	assert_int_equal(forces_org_list(f->t.db, f->city, -1, 0, 0, seen_org, &s, &next), 0);
	assert_int_equal(s.n, 4);
	s.n = 0;
	assert_int_equal(forces_org_list(f->t.db, f->s1, -1, 0, 0, seen_org, &s, &next), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ids[0], a);
	assert_int_equal(s.ids[2], c);
	/* Below a community every row is checked: the grid holds only the compound's. */
	s.n = 0;
	assert_int_equal(forces_org_list(f->t.db, f->g1, -1, 0, 0, seen_org, &s, &next), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ids[0], c);
	s.n = 0;
	assert_int_equal(forces_org_list(f->t.db, f->g2, -1, 0, 0, seen_org, &s, &next), 0);
	assert_int_equal(s.n, 0);
	/* A kind, and pages of one. */
	s.n = 0;
	assert_int_equal(
	    forces_org_list(f->t.db, f->dist, FORCES_SHOCK_TEAM, 0, 1, seen_org, &s, &next), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ids[0], a);
	assert_int_equal(next, a);
	assert_int_equal(
	    forces_org_list(f->t.db, f->dist, FORCES_SHOCK_TEAM, next, 1, seen_org, &s, &next), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ids[1], d);
	assert_int_equal(next, 0);
	(void)b;

	/* Members: a person once, counted on the organisation. */
	struct forces_member m = {.org_id = a,
				  .person_id = f->person[0],
				  .party = true,
				  .role = "leader",
				  .added_at = JUNE11};
	struct mu_why why;
	assert_int_equal(forces_member_add(f->t.db, &m, &why), 0);
	m.role[0] = '\0';
	assert_int_equal(forces_member_add(f->t.db, &m, &why), MU_EINVAL);
	snprintf(m.role, sizeof m.role, "member");
	assert_int_equal(forces_member_add(f->t.db, &m, &why), MU_EEXIST);
	m.person_id = 999999;
	assert_int_equal(forces_member_add(f->t.db, &m, &why), MU_ENOTFOUND);
	struct forces_org o;
	assert_int_equal(forces_org_get(f->t.db, a, &o), 0);
	assert_int_equal(o.members, 1);
	assert_string_equal(forces_kind_name(o.kind), "shock_team");
	struct forces_org bad = {.kind = FORCES_OTHER, .place_id = f->s1, .parent_id = 999};
	snprintf(bad.name, sizeof bad.name, "x");
	assert_int_equal(forces_org_add(f->t.db, &bad, &why), MU_ENOTFOUND);
	assert_string_equal(why.field, "parent");
}

/* ---- forming a compound --------------------------------------------------------------------- */

struct roster {
	int64_t person[16];
	bool party[16];
	int n;
};

static int roster_one(const struct forces_member *m, void *ctx)
{
	struct roster *r = ctx;
	r->person[r->n] = m->person_id;
	r->party[r->n++] = m->party;
	return 0;
}

static void test_volunteers_for(void **state)
{
	(void)state;
	assert_int_equal(forces_volunteers_for(8000), 66);
	assert_int_equal(forces_volunteers_for(8123), 67);
	assert_int_equal(forces_volunteers_for(400), 3);
	assert_int_equal(forces_volunteers_for(9), 1);
	assert_int_equal(forces_volunteers_for(0), 0);
}

static void test_form(void **state)
{
	struct fx *f = *state;
	struct forces_form_report rp;
	struct mu_why why;
	int64_t now = JUNE11 + 10 * HOUR;
	assert_int_equal(forces_form(f->t.db, &f->t.keys, f->p1, now, &rp, &why), 0);
	assert_int_equal(rp.buildings, 3);
	assert_int_equal(rp.residents, 9);
	assert_int_equal(rp.groups, 2); /* B3 has no party member */
	assert_int_equal(rp.members, 3);
	assert_int_equal(rp.volunteers, 1); /* 9 residents: at least one */

	struct forces_org br, g;
	assert_int_equal(forces_org_get(f->t.db, rp.branch, &br), 0);
	assert_int_equal(br.kind, FORCES_TEMPORARY_BRANCH);
	assert_int_equal(br.place_id, f->p1);
	assert_string_equal(br.name, "花园临时党支部");
	/* The groups are the branch's children placed at their buildings, with the party
	 * members living there. */
	struct seen s = {0};
	int64_t next;
	assert_int_equal(
	    forces_org_list(f->t.db, f->p1, FORCES_TEMPORARY_GROUP, 0, 0, seen_org, &s, &next), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(forces_org_get(f->t.db, s.ids[0], &g), 0);
	assert_int_equal(g.parent_id, rp.branch);
	assert_int_equal(g.place_id, f->b[0]);
	assert_int_equal(g.members, 2);
	struct roster r = {0};
	assert_int_equal(forces_member_list(f->t.db, g.id, 0, 0, roster_one, &r, NULL), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.person[0], f->person[0]);
	assert_int_equal(r.person[1], f->person[2]);
	assert_true(r.party[0] && r.party[1]);
	assert_int_equal(forces_org_get(f->t.db, s.ids[1], &g), 0);
	assert_int_equal(g.place_id, f->b[1]);
	assert_int_equal(g.members, 1);
	/* The volunteer: the first eligible (18–60, not a party member) of the walk — the
	 * 31-year-old of B1; never the child, the 71-year-old or a party member. */
	memset(&r, 0, sizeof r);
	assert_int_equal(forces_member_list(f->t.db, rp.volunteer_team, 0, 0, roster_one, &r, NULL),
			 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.person[0], f->person[1]);

	/* Once only; and a compound only. */
	assert_int_equal(forces_form(f->t.db, &f->t.keys, f->p1, now, &rp, &why), MU_EEXIST);
	assert_string_equal(why.field, "place");
	assert_int_equal(forces_form(f->t.db, &f->t.keys, f->g1, now, &rp, &why), MU_EINVAL);
	s.n = 0;
	assert_int_equal(
	    forces_org_list(f->t.db, f->city, FORCES_TEMPORARY_BRANCH, 0, 0, seen_org, &s, &next),
	    0);
	assert_int_equal(s.n, 1);
}

/* ---- deployments and the ledger ------------------------------------------------------------ */

static int64_t deploy_people(struct fx *f, int64_t at, int64_t from, int64_t to,
			     const int64_t *persons, size_t n)
{
	struct forces_deployment dp = {.place_id = at,
				       .from_at = from,
				       .to_at = to,
				       .duty = FORCES_DUTY_PATROL,
				       .created_at = from};
	assert_int_equal(forces_deploy(f->t.db, &dp, NULL, 0, persons, n, NULL), 0);
	assert_int_equal(dp.people, (int64_t)n);
	return dp.id;
}

static int64_t deploy_org(struct fx *f, int64_t o, int64_t at, int64_t from, int64_t to)
{
	struct forces_deployment dp = {.org_id = o,
				       .place_id = at,
				       .from_at = from,
				       .to_at = to,
				       .duty = FORCES_DUTY_SAMPLING,
				       .created_at = from};
	assert_int_equal(forces_deploy(f->t.db, &dp, NULL, 0, NULL, 0, NULL), 0);
	return dp.id;
}

struct rows {
	struct forces_ledger_row r[16];
	int n;
};

static int row_one(const struct forces_ledger_row *row, void *ctx)
{
	struct rows *rs = ctx;
	rs->r[rs->n++] = *row;
	return 0;
}

static void add_members(struct fx *f, int64_t o, int from, int n)
{
	for (int i = 0; i < n; i++) {
		struct forces_member m = {.org_id = o,
					  .person_id = f->person[from + i],
					  .role = "member",
					  .added_at = JUNE11};
		assert_int_equal(forces_member_add(f->t.db, &m, NULL), 0);
	}
}

static void test_ledger(void **state)
{
	struct fx *f = *state;
	int64_t a = org(f, FORCES_SHOCK_TEAM, "突击队", f->s1);
	int64_t b = org(f, FORCES_SHOCK_TEAM, "突击二队", f->s1);
	add_members(f, a, 0, 3);
	add_members(f, b, 3, 2);
	int64_t day11 = forces_day_of(JUNE11), total;
	assert_int_equal(day11, mu_date_to_days(2021, 6, 11));
	/* 20:00–04:00 crosses midnight: the 11th, its start. */
	deploy_org(f, a, f->m1, JUNE11 + 20 * HOUR, JUNE11 + 28 * HOUR);
	/* 23:30 on the 11th in Guangzhou is 15:30Z: still the 11th. */
	deploy_org(f, b, f->m1, JUNE11 + 23 * HOUR + 1800, JUNE11 + 31 * HOUR);
	/* 00:30 on the 12th in Guangzhou is 16:30Z on the 11th: the 12th here. */
	deploy_org(f, b, f->m1, JUNE11 + 24 * HOUR + 1800, JUNE11 + 32 * HOUR);
	/* Two people alone to the other street; one to a compound of grid 1. */
	deploy_people(f, f->m2, JUNE11 + 32 * HOUR, JUNE11 + 40 * HOUR, &f->person[5], 2);
	deploy_people(f, f->p1, JUNE11 + 33 * HOUR, JUNE11 + 35 * HOUR, &f->person[7], 1);

	struct rows rs = {0};
	assert_int_equal(forces_ledger(f->t.db, f->city, 0, day11, day11 + 1, row_one, &rs, &total),
			 0);
	assert_int_equal(total, 3 + 2 + 2 + 2 + 1);
	assert_int_equal(rs.n, 5);
	/* By day, organisation (none first), place. */
	assert_int_equal(rs.r[0].day, day11);
	assert_int_equal(rs.r[0].org_id, a);
	assert_int_equal(rs.r[0].person_times, 3);
	assert_int_equal(rs.r[1].org_id, b);
	assert_int_equal(rs.r[1].person_times, 2);
	assert_int_equal(rs.r[2].day, day11 + 1);
	assert_int_equal(rs.r[2].org_id, 0);
	assert_int_equal(rs.r[2].place_id, f->m2); /* places by id: M2 was added before P1 */
	assert_int_equal(rs.r[2].person_times, 2);
	assert_int_equal(rs.r[3].org_id, 0);
	assert_int_equal(rs.r[3].place_id, f->p1);
	assert_int_equal(rs.r[3].person_times, 1);
	assert_int_equal(rs.r[4].org_id, b);
	assert_int_equal(rs.r[4].place_id, f->m1);

	/* A street, an organisation, a day, a grid. */
	assert_int_equal(forces_ledger(f->t.db, f->s1, 0, day11, day11 + 1, NULL, NULL, &total), 0);
	assert_int_equal(total, 8);
	assert_int_equal(forces_ledger(f->t.db, f->s2, 0, day11, day11 + 1, NULL, NULL, &total), 0);
	assert_int_equal(total, 2);
	assert_int_equal(forces_ledger(f->t.db, f->s1, b, day11, day11 + 1, NULL, NULL, &total), 0);
	assert_int_equal(total, 4);
	assert_int_equal(forces_ledger(f->t.db, f->city, b, day11, day11, NULL, NULL, &total), 0);
	assert_int_equal(total, 2);
	assert_int_equal(forces_ledger(f->t.db, f->s2, a, day11, day11 + 1, NULL, NULL, &total), 0);
	assert_int_equal(total, 0);
	assert_int_equal(
	    forces_ledger(f->t.db, f->city, 0, day11 + 1, day11 + 1, NULL, NULL, &total), 0);
	assert_int_equal(total, 5);
	assert_int_equal(forces_ledger(f->t.db, f->g1, 0, day11, day11 + 1, NULL, NULL, &total), 0);
	assert_int_equal(total, 1);
	assert_int_equal(forces_ledger(f->t.db, f->g2, 0, day11, day11 + 1, NULL, NULL, &total), 0);
	assert_int_equal(total, 0);

	/* The month's totals per team and per street, from the day aggregate. */
	memset(&rs, 0, sizeof rs);
	assert_int_equal(forces_ledger_by(f->t.db, f->city, FORCES_BY_ORG, day11, day11 + 1,
					  row_one, &rs, &total),
			 0);
	assert_int_equal(total, 10);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.r[0].org_id, 0); /* people sent alone */
	assert_int_equal(rs.r[0].person_times, 3);
	assert_int_equal(rs.r[1].org_id, a);
	assert_int_equal(rs.r[1].person_times, 3);
	assert_int_equal(rs.r[2].org_id, b);
	assert_int_equal(rs.r[2].person_times, 4);
	memset(&rs, 0, sizeof rs);
	assert_int_equal(forces_ledger_by(f->t.db, f->dist, FORCES_BY_STREET, day11, day11 + 1,
					  row_one, &rs, &total),
			 0);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.r[0].place_id, f->s1);
	assert_int_equal(rs.r[0].person_times, 8);
	assert_int_equal(rs.r[1].place_id, f->s2);
	assert_int_equal(rs.r[1].person_times, 2);
	assert_int_equal(forces_ledger_by(f->t.db, f->s1, FORCES_BY_ORG, day11 + 1, day11 + 1, NULL,
					  NULL, &total),
			 0);
	assert_int_equal(total, 3); /* b's 2 on the 12th and the compound's 1 */
	assert_int_equal(
	    forces_ledger_by(f->t.db, f->m1, FORCES_BY_ORG, day11, day11, NULL, NULL, &total), 0);
	assert_int_equal(total, 5);
	assert_int_equal(
	    forces_ledger_by(f->t.db, f->g1, FORCES_BY_ORG, day11, day11, NULL, NULL, &total),
	    MU_EINVAL);
}

static void test_deploy_refusals_and_checkin(void **state)
{
	struct fx *f = *state;
	struct mu_why why;
	int64_t a = org(f, FORCES_SHOCK_TEAM, "突击队", f->s1);
	int64_t empty = org(f, FORCES_SHOCK_TEAM, "空队", f->s1);
	add_members(f, a, 0, 3);
	struct forces_deployment dp = {.org_id = a,
				       .place_id = f->m1,
				       .from_at = JUNE11,
				       .to_at = JUNE11,
				       .duty = FORCES_DUTY_PATROL};
	assert_int_equal(forces_deploy(f->t.db, &dp, NULL, 0, NULL, 0, &why), MU_EINVAL);
	assert_string_equal(why.field, "to");
	dp.to_at = JUNE11 + 8 * HOUR;
	dp.duty = FORCES_NDUTIES;
	assert_int_equal(forces_deploy(f->t.db, &dp, NULL, 0, NULL, 0, &why), MU_EINVAL);
	dp.duty = FORCES_DUTY_PATROL;
	int64_t twice[2] = {f->person[0], f->person[0]};
	struct forces_deployment dq = dp;
	dq.org_id = 0;
	assert_int_equal(forces_deploy(f->t.db, &dq, NULL, 0, twice, 2, &why), MU_EINVAL);
	assert_string_equal(why.field, "people");
	dq.org_id = empty;
	assert_int_equal(forces_deploy(f->t.db, &dq, NULL, 0, NULL, 0, &why), MU_EINVAL);
	/* A member of another organisation is refused. */
	struct forces_member other = {.org_id = empty, .person_id = f->person[5], .role = "member"};
	assert_int_equal(forces_member_add(f->t.db, &other, NULL), 0);
	assert_int_equal(forces_deploy(f->t.db, &dp, &other.id, 1, NULL, 0, &why), MU_EINVAL);
	assert_string_equal(why.field, "members");

	assert_int_equal(forces_deploy(f->t.db, &dp, NULL, 0, NULL, 0, &why), 0);
	assert_int_equal(dp.people, 3);
	int64_t changed, first = 0;
	struct forces_deployment got;
	assert_int_equal(forces_checkin(f->t.db, dp.id, 0, false, JUNE11 + 60, &changed), 0);
	assert_int_equal(changed, 3);
	assert_int_equal(forces_checkin(f->t.db, dp.id, 0, false, JUNE11 + 90, &changed), 0);
	assert_int_equal(changed, 0); /* in already */
	assert_int_equal(forces_deployment_get(f->t.db, dp.id, &got), 0);
	assert_int_equal(got.present, 3);
	/* The first row of the shift checks out (the refused shifts above left rows: the
	 * caller's transaction is what takes them back). */
	char sql[128];
	snprintf(sql, sizeof sql,
		 "SELECT MIN(id) FROM deployment_people WHERE deployment_id = %lld",
		 (long long)dp.id);
	assert_int_equal(db_query_i64(f->t.db, sql, &first), 0);
	assert_int_equal(forces_checkin(f->t.db, dp.id, first, true, JUNE11 + 4 * HOUR, &changed),
			 0);
	assert_int_equal(changed, 1);
	assert_int_equal(forces_deployment_get(f->t.db, dp.id, &got), 0);
	assert_int_equal(got.present, 2);
	assert_int_equal(forces_checkin(f->t.db, dp.id, 999999, true, JUNE11, &changed),
			 MU_ENOTFOUND);
	assert_int_equal(forces_checkin(f->t.db, 999999, 0, true, JUNE11, &changed), MU_ENOTFOUND);
}

/* Who is where now: active shifts of a subtree. */
static int count_dep(const struct forces_deployment *dp, void *ctx)
{
	(void)dp;
	(*(int *)ctx)++;
	return 0;
}

static void test_where_now(void **state)
{
	struct fx *f = *state;
	int64_t next;
	int n = 0;
	deploy_people(f, f->m1, JUNE11, JUNE11 + 8 * HOUR, &f->person[0], 2);
	deploy_people(f, f->m2, JUNE11 + 4 * HOUR, JUNE11 + 12 * HOUR, &f->person[2], 1);
	deploy_people(f, f->p1, JUNE11 + 9 * HOUR, JUNE11 + 10 * HOUR, &f->person[3], 1);
	assert_int_equal(forces_deployment_list(f->t.db, f->city, true, JUNE11 + 5 * HOUR, 0, 0,
						count_dep, &n, &next),
			 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(forces_deployment_list(f->t.db, f->s1, true, JUNE11 + 5 * HOUR, 0, 0,
						count_dep, &n, &next),
			 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(forces_deployment_list(f->t.db, f->g1, true, JUNE11 + 9 * HOUR, 0, 0,
						count_dep, &n, &next),
			 0);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(
	    forces_deployment_list(f->t.db, f->s1, false, 0, 0, 1, count_dep, &n, &next), 0);
	assert_int_equal(n, 1);
	assert_true(next > 0);
}

/* ---- a squad -------------------------------------------------------------------------------- */

static void test_split(void **state)
{
	(void)state;
	int64_t s[7];
	forces_split(483, 7, s);
	for (int i = 0; i < 7; i++)
		assert_int_equal(s[i], 69);
	forces_split(483, 2, s);
	assert_int_equal(s[0], 242);
	assert_int_equal(s[1], 241);
	forces_split(10, 3, s);
	assert_int_equal(s[0], 4);
	assert_int_equal(s[1], 3);
	assert_int_equal(s[2], 3);
}

static void test_squad(void **state)
{
	struct fx *f = *state;
	int64_t hosp[7], targets[2] = {f->s1, f->s2}, total;
	for (int i = 0; i < 7; i++) {
		char name[32];
		snprintf(name, sizeof name, "医院%d", i + 1);
		hosp[i] = org(f, FORCES_HOSPITAL, name, f->city);
	}
	struct forces_squad s = {.name = "采样队",
				 .place_id = f->dist,
				 .hospitals = hosp,
				 .n_hospitals = 7,
				 .size = 483,
				 .targets = targets,
				 .n_targets = 2,
				 .from_at = JUNE11 + 8 * HOUR,
				 .to_at = JUNE11 + 20 * HOUR,
				 .now = JUNE11,
				 .duty = FORCES_DUTY_SAMPLING};
	struct mu_why why;
	assert_int_equal(forces_squad_raise(f->t.db, &s, &why), 0);
	for (int i = 0; i < 7; i++)
		assert_int_equal(s.per_hospital[i], 69);
	assert_int_equal(s.per_target[0], 242);
	assert_int_equal(s.per_target[1], 241);
	struct forces_org o;
	struct forces_deployment d0, d1;
	assert_int_equal(forces_org_get(f->t.db, s.org_id, &o), 0);
	assert_int_equal(o.kind, FORCES_SAMPLING_SQUAD);
	assert_int_equal(o.members, 483);
	assert_int_equal(forces_deployment_get(f->t.db, s.deployments[0], &d0), 0);
	assert_int_equal(forces_deployment_get(f->t.db, s.deployments[1], &d1), 0);
	assert_int_equal(d0.people, 242);
	assert_int_equal(d1.people, 241);
	assert_int_equal(d0.place_id, f->s1);
	/* Every hospital on both shifts: the first hospital gives 35 and 34. */
	int64_t n0 = 0;
	char sql[256];
	snprintf(
	    sql, sizeof sql,
	    "SELECT COUNT(*) FROM deployment_people p JOIN org_members m ON m.id = p.member_id "
	    "WHERE p.deployment_id = %lld AND m.from_org = %lld",
	    (long long)d0.id, (long long)hosp[0]);
	assert_int_equal(db_query_i64(f->t.db, sql, &n0), 0);
	assert_int_equal(n0, 35);
	assert_int_equal(forces_ledger(f->t.db, f->dist, s.org_id, forces_day_of(JUNE11),
				       forces_day_of(JUNE11), NULL, NULL, &total),
			 0);
	assert_int_equal(total, 483);

	/* Refusals: not a hospital; fewer people than places. */
	int64_t not_h = org(f, FORCES_AGENCY, "机关", f->city);
	s.hospitals = &not_h;
	s.n_hospitals = 1;
	assert_int_equal(forces_squad_raise(f->t.db, &s, &why), MU_EINVAL);
	assert_string_equal(why.field, "hospitals");
	s.hospitals = hosp;
	s.size = 1;
	assert_int_equal(forces_squad_raise(f->t.db, &s, &why), MU_EINVAL);
	assert_string_equal(why.field, "size");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_orgs_subtree, setup, teardown),
	    cmocka_unit_test(test_volunteers_for),
	    cmocka_unit_test_setup_teardown(test_form, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ledger, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deploy_refusals_and_checkin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_where_now, setup, teardown),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test_setup_teardown(test_squad, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
