/* tasks_bench.c: the tasks-day bench on a copy of the full-scale city (issue 13).
 *   seed DB KEYS   (untimed) a round over the whole city running since this morning,
 *                  with every resident sampled but one in fifty (the bulk loader); KEYS
 *                  key persons (every n-th resident) as close contacts with a running
 *                  plan — a plan test due today, one taken yesterday, a check-in today
 *                  for half of them, a fever for one in twenty of those — written by
 *                  direct SQL; one three-person group per grid (three bench users).
 *   day DB GRIDS   every group's task list for today, grid by grid through
 *                  control_tasks_of_grid_city (the key persons and the round's missing
 *                  people read once for the city; timed), with TASKS_COV=1 from a
 *                  coverage aggregate built first as a server holds one (its build timed
 *                  apart), else from the round's samples; TASKS_NO_WALK skips the walk
 *                  below (for profiling); the database file is mapped as the server's
 *                  sweep maps it (TASKS_MMAP=0: not),
 *                  beside the floor of a grid-by-grid derivation that asks each resident: a
 *                  walk of every resident of every grid (places_level_walk and
 *                  people_household_members alone). Writes the grid codes to GRIDS for
 *                  the HTTP probe.
 * BENCH lines on stdout, details on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "control/control.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

static void ok(const char *what, int rc)
{
	if (rc) {
		fprintf(stderr, "tasks_bench: %s: %s\n", what, mu_err_msg(rc));
		exit(1);
	}
}

/* Runs sql with its first n of a, b, c bound. */
static void exec1(struct db *d, const char *sql, int n, int64_t a, int64_t b, int64_t c)
{
	struct db_stmt *s;
	const int64_t v[3] = {a, b, c};
	ok("prepare", db_prepare(d, sql, &s));
	for (int i = 0; i < n; i++)
		db_bind_i64(s, i + 1, v[i]);
	int rc = db_step(s);
	db_stmt_done(s);
	ok(sql, rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB);
}

/* ---- seed ----------------------------------------------------------------------------- */

static const char sql_people[] = "SELECT id, household_id FROM people ORDER BY household_id, id";
static const char sql_status[] =
    "INSERT INTO key_statuses (person_id, kind, started_at, exposure_at, source)"
    " VALUES (?1, 'close', ?2, ?2, 'contact')";
static const char sql_plan[] =
    "INSERT INTO plans (person_id, status_id, template, exposure_at, made_at, phases)"
    " VALUES (?1, ?2, 'cn8-close', ?3, ?3, '[]')";
static const char sql_test_due[] =
    "INSERT INTO plan_tests (plan_id, person_id, day, due, state) VALUES (?1, ?2, 4, ?3, 'due')";
static const char sql_test_taken[] =
    "INSERT INTO plan_tests (plan_id, person_id, day, due, state) VALUES (?1, ?2, 1, ?3,"
    " 'negative')";
static const char sql_checkin[] =
    "INSERT INTO checkins (person_id, at, temperature, symptoms, fever) VALUES (?, ?, ?, '[]', ?)";
static const char sql_group[] = "INSERT INTO care_groups (name, created_at) VALUES ('bench', ?1)";
static const char sql_group_grid[] = "INSERT INTO group_grids (group_id, grid_id) VALUES (?1, ?2)";
static const char sql_group_member[] =
    "INSERT INTO group_members (group_id, user_id, duty) VALUES (?1, ?2, ?3)";

struct row {
	int64_t id, hh;
};

static int grid_id(const struct places_ref *r, void *ctx)
{
	struct {
		int64_t *v;
		size_t n, cap;
	} *g = ctx;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4096;
		g->v = mu_xrealloc(g->v, g->cap * sizeof *g->v);
	}
	g->v[g->n++] = r->id;
	return 0;
}

static int seed(const char *path, int64_t keys)
{
	static const char *const tables[] = {"samples", "tubes", NULL};
	struct db *d;
	struct mu_why why = {0};
	int64_t now = mu_now_unix(), root;
	char today[11], yesterday[11];
	mu_date_format(control_gz_day(now), today);
	mu_date_format(control_gz_day(now) - 1, yesterday);
	ok("open", db_open(path, 0, &d));
	ok("root", places_root(d, &root));
	double t = mu_now_mono();

	/* The round, and everyone sampled but one in fifty. */
	struct screening_site site = {.place_id = root, .name = "bench", .desks = 100};
	snprintf(site.code, sizeof site.code, "BENCH-T%lld", (long long)now);
	struct screening_round r = {
	    .scope_place_id = root, .pool_k = 10, .created_at = now - 6 * 3600};
	snprintf(r.name, sizeof r.name, "bench tasks %lld", (long long)now);
	ok("site", screening_site_add(d, &site, &why));
	ok("round", screening_round_create(d, &r, &why));
	struct row *p = NULL;
	size_t n = 0, cap = 0;
	struct db_stmt *s;
	ok("people", db_prepare(d, sql_people, &s));
	while (db_step(s) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			p = mu_xrealloc(p, cap * sizeof *p);
		}
		p[n].id = db_col_i64(s, 0);
		p[n++].hh = db_col_i64(s, 1);
	}
	db_stmt_done(s);
	ok("bulk", db_bulk_begin(d, tables));
	struct screening_loader *l;
	ok("loader", screening_loader_new(d, r.id, &l));
	char scan[40], bc[32];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i % 50 == 49)
			continue;
		snprintf(bc, sizeof bc, "TB%lld-%zu", (long long)r.id, k / 10);
		snprintf(scan, sizeof scan, "tb%lld-%zu", (long long)r.id, k++);
		struct screening_bulk_sample smp = {.scan_id = scan,
						    .tube = bc,
						    .site_id = site.id,
						    .person_id = p[i].id,
						    .household_id = p[i].hh,
						    .at = r.created_at + 60};
		ok("sample", screening_loader_add(l, &smp));
	}
	ok("finish", screening_loader_finish(l));
	screening_loader_free(l);
	ok("commit", db_bulk_end(d, true));
	fprintf(stderr, "tasks-day: round %lld over %zu residents, %zu sampled (%.1f s)\n",
		(long long)r.id, n, k, mu_now_mono() - t);

	/* KEYS key persons spread over the city, each with a plan and its rows. */
	t = mu_now_mono();
	ok("begin", db_tx_begin(d));
	size_t step = keys > 0 && (size_t)keys < n ? n / (size_t)keys : 1;
	int64_t made = 0;
	for (size_t i = step / 2; i < n && made < keys; i += step, made++) {
		int64_t person = p[i].id, exposure = now - 4 * 86400;
		exec1(d, sql_status, 2, person, exposure, 0);
		int64_t status = db_last_insert_id(d);
		exec1(d, sql_plan, 3, person, status, exposure);
		int64_t plan = db_last_insert_id(d);
		struct db_stmt *q;
		ok("test", db_prepare(d, sql_test_due, &q));
		db_bind_i64(q, 1, plan);
		db_bind_i64(q, 2, person);
		db_bind_text(q, 3, today, -1);
		ok("test", db_step(q) == DB_DONE ? 0 : MU_EDB);
		db_stmt_done(q);
		ok("test", db_prepare(d, sql_test_taken, &q));
		db_bind_i64(q, 1, plan);
		db_bind_i64(q, 2, person);
		db_bind_text(q, 3, yesterday, -1);
		ok("test", db_step(q) == DB_DONE ? 0 : MU_EDB);
		db_stmt_done(q);
		if (made % 2 == 0) {
			bool fever = made % 40 == 0;
			ok("checkin", db_prepare(d, sql_checkin, &q));
			db_bind_i64(q, 1, person);
			db_bind_i64(q, 2, now - 3600);
			db_bind_double(q, 3, fever ? 38.1 : 36.5);
			db_bind_i64(q, 4, fever);
			ok("checkin", db_step(q) == DB_DONE ? 0 : MU_EDB);
			db_stmt_done(q);
		}
	}
	ok("commit", db_tx_commit(d));
	fprintf(stderr, "tasks-day: %lld key persons in plans (%.1f s)\n", (long long)made,
		mu_now_mono() - t);

	/* One group per grid, the same three bench users in each. */
	int64_t users[3];
	const char *names[3] = {"bench-medic", "bench-cadre", "bench-police"};
	for (int i = 0; i < 3; i++) {
		struct auth_user u;
		if (auth_user_get(d, names[i], &u) == 0)
			users[i] = u.id;
		else
			ok("user", auth_user_add(d, names[i], AUTH_GRID_WORKER, root,
						 "bench-password-1234", &users[i], &why));
	}
	struct {
		int64_t *v;
		size_t n, cap;
	} grids = {0};
	ok("grids", places_level_walk(d, root, PLACES_GRID, grid_id, &grids));
	ok("begin", db_tx_begin(d));
	for (size_t i = 0; i < grids.n; i++) {
		int64_t held;
		if (control_group_of_grid(d, grids.v[i], &held) == 0)
			continue;
		exec1(d, sql_group, 1, now, 0, 0);
		int64_t g = db_last_insert_id(d);
		exec1(d, sql_group_grid, 2, g, grids.v[i], 0);
		for (int j = 0; j < 3; j++) {
			struct db_stmt *q;
			ok("member", db_prepare(d, sql_group_member, &q));
			db_bind_i64(q, 1, g);
			db_bind_i64(q, 2, users[j]);
			db_bind_text(q, 3, control_duty_name(j), -1);
			ok("member", db_step(q) == DB_DONE ? 0 : MU_EDB);
			db_stmt_done(q);
		}
	}
	ok("commit", db_tx_commit(d));
	fprintf(stderr, "tasks-day: %zu groups, one per grid\n", grids.n);
	free(grids.v);
	free(p);
	db_close(d);
	return 0;
}

/* ---- day ------------------------------------------------------------------------------- */

static int count_member(int64_t person, void *ctx)
{
	(void)person;
	++*(int64_t *)ctx;
	return 0;
}

static int walk_household(const struct places_ref *r, void *ctx)
{
	struct {
		struct db *d;
		int64_t n;
	} *w = ctx;
	return people_household_members(w->d, r->id, 0, count_member, &w->n);
}

static const char sql_grids[] = "SELECT grid_id FROM group_grids ORDER BY grid_id";

static int day(const char *path, const char *grids_out)
{
	struct db *d;
	int64_t now = mu_now_unix(), today = control_gz_day(now);
	ok("open", db_open(path, DB_OPEN_READONLY, &d));
	/* Mapped as the server's sweep maps its reader (TASKS_MMAP=0: not). */
	if (!getenv("TASKS_MMAP") || strcmp(getenv("TASKS_MMAP"), "0"))
		ok("mmap", db_read_mapped(d));
	int64_t *g = NULL;
	size_t n = 0, cap = 0;
	struct db_stmt *s;
	ok("grids", db_prepare(d, sql_grids, &s));
	while (db_step(s) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			g = mu_xrealloc(g, cap * sizeof *g);
		}
		g[n++] = db_col_i64(s, 0);
	}
	db_stmt_done(s);
	FILE *f = fopen(grids_out, "w");
	if (!f) {
		perror(grids_out);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		char code[PLACES_CODE_MAX + 1];
		ok("code", places_code_get(d, g[i], code, sizeof code));
		fprintf(f, "%s\n", code);
	}
	fclose(f);

	/* Baseline: every resident of every grid walked, nothing asked of them. */
	struct {
		struct db *d;
		int64_t n;
	} w = {d, 0};
	double t = mu_now_mono();
	bool walked = !getenv("TASKS_NO_WALK"); /* for profiling the build alone */
	ok("read", db_read_begin(d));
	for (size_t i = 0; i < n && walked; i++)
		ok("walk", places_level_walk(d, g[i], PLACES_HOUSEHOLD, walk_household, &w));
	db_read_end(d);
	double walk = mu_now_mono() - t;

	/* Every group's list for today, the city read once: its key persons and the
	 * round's missing people, from the database (a sweep without the server's
	 * aggregate) or, with TASKS_COV=1, from a coverage aggregate built first (the
	 * server's standing state; its build is timed apart). */
	struct control_task_list l;
	struct control_city city;
	struct screening_cov *cov = NULL;
	int64_t by_kind[CONTROL_TASK_NKINDS] = {0}, total = 0, most = 0;
	control_task_list_init(&l);
	if (getenv("TASKS_COV") && !strcmp(getenv("TASKS_COV"), "1")) {
		t = mu_now_mono();
		ok("read", db_read_begin(d));
		ok("cov", screening_cov_new(d, &cov));
		db_read_end(d);
		fprintf(stderr, "tasks-day: coverage aggregate built in %.2f s (once, at start)\n",
			mu_now_mono() - t);
	}
	t = mu_now_mono();
	ok("read", db_read_begin(d));
	ok("city", control_city_load(d, cov, today, today, &city));
	double loaded = mu_now_mono() - t;
	for (size_t i = 0; i < n; i++) {
		l.n = 0;
		ok("tasks", control_tasks_of_grid_city(d, &city, g[i], today, now, &l));
		for (size_t j = 0; j < l.n; j++)
			by_kind[l.v[j].kind]++;
		total += (int64_t)l.n;
		if ((int64_t)l.n > most)
			most = (int64_t)l.n;
	}
	db_read_end(d);
	double build = mu_now_mono() - t;
	fprintf(stderr,
		"tasks-day: the city read (%zu key persons, %zu rounds, %zu missing) in %.2f s\n",
		city.keys.n, city.nrounds, city.nrounds ? city.rounds[0].absent.n : 0, loaded);
	control_city_fini(&city);
	screening_cov_free(cov);
	control_task_list_fini(&l);
	fprintf(stderr,
		"tasks-day: %zu groups, %lld tasks (recall %lld, plan_test %lld, checkin %lld, "
		"fever %lld, rollcall %lld; at most %lld in one grid) in %.2f s; walking the %lld "
		"residents of the grids alone %.2f s\n",
		n, (long long)total, (long long)by_kind[0], (long long)by_kind[1],
		(long long)by_kind[2], (long long)by_kind[3], (long long)by_kind[4],
		(long long)most, build, (long long)w.n, walk);
	printf("BENCH tasks-day %.2f s baseline=%.2f ratio=%.2f\n", build, walk, build / walk);
	printf("BENCH tasks-day-target %.2f s baseline=10 ratio=%.2f\n", build, build / 10);
	free(g);
	db_close(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "seed"))
		return seed(argv[2], atoll(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "day"))
		return day(argv[2], argv[3]);
	fprintf(stderr, "usage: %s seed DB KEYS | day DB GRIDS_OUT\n", argv[0]);
	return 2;
}
