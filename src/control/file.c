/* file.c: a key person's file (一人一档) — who they are and where they live, their
 * statuses in force, plans with tests, check-ins and a history of everything that
 * happened to them — and the list of key persons under a place with their plan
 * progress. Reads only; names are opened with the server's keys and masked unless the
 * caller's role serves them. */
#include <math.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"

#define CHECKINS_MAX 60
#define HISTORY_MAX  500

static json_t *time_json(int64_t t)
{
	char s[32];
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), sec = t - days * 86400;
	if (!t)
		return json_null();
	mu_date_format(days, s);
	snprintf(s + 10, sizeof s - 10, "T%02d:%02d:%02dZ", (int)(sec / 3600), (int)(sec / 60 % 60),
		 (int)(sec % 60));
	return json_string(s);
}

static const char sql_statuses[] =
    "SELECT id, kind, started_at, coalesce(exposure_at, 0), coalesce(ended_at, 0), "
    "coalesce(ref_id, 0), source FROM key_statuses WHERE person_id = ? ORDER BY id";
static const char sql_plans[] =
    "SELECT id, status_id, template, coalesce(exposure_at, 0), made_at, phases, ends, "
    "coalesce(ended_at, 0) FROM plans WHERE person_id = ? ORDER BY id";
static const char sql_tests[] =
    "SELECT id, day, due, state, coalesce(sample_id, 0), coalesce(taken_at, 0), "
    "coalesce(resulted_at, 0) FROM plan_tests WHERE plan_id = ? ORDER BY due, id";
static const char sql_checkins[] =
    "SELECT id, at, temperature, symptoms, fever FROM checkins WHERE person_id = ? "
    "ORDER BY at DESC LIMIT ?";
static const char sql_cases[] =
    "SELECT id, kind, confirmed_at, coalesce(discharged_at, 0) FROM cases WHERE person_id = ?";
static const char sql_contacts[] =
    "SELECT c.case_id, c.kind, c.setting, c.last_exposure, c.listed_at, k.person_id "
    "FROM contacts c JOIN cases k ON k.id = c.case_id WHERE c.person_id = ?";

static void event(json_t *hist, int64_t at, const char *kind, json_t *detail)
{
	if (json_array_size(hist) >= HISTORY_MAX) {
		json_decref(detail);
		return;
	}
	json_object_set_new(detail, "at", time_json(at));
	json_object_set_new(detail, "event", json_string(kind));
	json_array_append_new(hist, detail);
}

static int cmp_event(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "at"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "at"));
	return strcmp(x ? x : "", y ? y : "");
}

/* Sorts the history by time (RFC 3339 UTC texts sort as times). */
static json_t *sorted(json_t *hist)
{
	size_t n = json_array_size(hist);
	json_t **v = mu_xmalloc((n ? n : 1) * sizeof *v), *out = json_array();
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(hist, i);
	qsort(v, n, sizeof *v, cmp_event);
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(hist);
	return out;
}

/* The person's household and its ancestors as {level: name, ...} with codes. */
static int where_json(struct db *d, int64_t household, json_t **out)
{
	int64_t ids[PLACES_NLEVELS];
	int n = 0, rc = places_path(d, household, ids, &n);
	json_t *o = json_object();
	for (int i = 0; rc == 0 && i < n; i++) {
		struct places_node node;
		if ((rc = places_get(d, ids[i], &node)) == 0 && node.level > 0)
			json_object_set_new(
			    o, places_level_name(node.level),
			    json_pack("{s:s, s:s}", "code", node.code, "name", node.name));
	}
	*out = o;
	return rc;
}

static int tests_json(struct db *d, int64_t plan, json_t *hist, json_t **out, int *taken,
		      int *total, char next_due[11])
{
	struct db_stmt *st;
	json_t *a = json_array();
	int rc = db_prepare(d, sql_tests, &st);
	*taken = *total = 0;
	next_due[0] = '\0';
	*out = a;
	if (rc)
		return rc;
	db_bind_i64(st, 1, plan);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *state = db_col_text(st, 3);
		(*total)++;
		*taken += strcmp(state, "due") && strcmp(state, "missed");
		if (!next_due[0] && strcmp(state, "due") == 0)
			snprintf(next_due, 11, "%s", db_col_text(st, 2));
		json_array_append_new(
		    a, json_pack("{s:I, s:i, s:s, s:s, s:o, s:o, s:o}", "id",
				 (json_int_t)db_col_i64(st, 0), "day", (int)db_col_i64(st, 1),
				 "due", db_col_text(st, 2), "state", state, "sample",
				 db_col_i64(st, 4) ? json_integer(db_col_i64(st, 4)) : json_null(),
				 "taken_at", time_json(db_col_i64(st, 5)), "resulted_at",
				 time_json(db_col_i64(st, 6))));
		if (hist && db_col_i64(st, 6))
			event(hist, db_col_i64(st, 6), "plan_test",
			      json_pack("{s:i, s:s}", "day", (int)db_col_i64(st, 1), "result",
					state));
	}
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* The kind of phase on today (a phase's name), "before" or "over". */
static const char *phase_now(json_t *phases, int64_t today)
{
	size_t i;
	json_t *ph;
	json_array_foreach(phases, i, ph)
	{
		int64_t from, to = -1;
		const char *tt = json_string_value(json_object_get(ph, "to"));
		if (mu_date_parse(json_string_value(json_object_get(ph, "from")), &from) ||
		    (tt && mu_date_parse(tt, &to)))
			continue;
		if (i == 0 && today < from)
			return "before";
		if (today >= from && (!tt || today <= to))
			return json_string_value(json_object_get(ph, "kind"));
	}
	return "over";
}

static int plans_json(struct db *d, int64_t person, int64_t now, json_t *hist, json_t **out)
{
	struct db_stmt *st;
	json_t *a = json_array();
	int rc = db_prepare(d, sql_plans, &st);
	*out = a;
	if (rc)
		return rc;
	db_bind_i64(st, 1, person);
	/* Collected first: a plan's tests are read with another statement. */
	json_t *rows = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *phases = json_loads(db_col_text(st, 5), 0, NULL);
		json_array_append_new(
		    rows,
		    json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o}", "id",
			      (json_int_t)db_col_i64(st, 0), "status",
			      (json_int_t)db_col_i64(st, 1), "template", db_col_text(st, 2),
			      "exposure_at", time_json(db_col_i64(st, 3)), "made_at",
			      time_json(db_col_i64(st, 4)), "phases",
			      phases ? phases : json_array(), "ends",
			      db_col_null(st, 6) ? json_null() : json_string(db_col_text(st, 6)),
			      "ended_at", time_json(db_col_i64(st, 7))));
		if (hist)
			event(hist, db_col_i64(st, 4), "plan_made",
			      json_pack("{s:s}", "template", db_col_text(st, 2)));
		if (hist && db_col_i64(st, 7))
			event(hist, db_col_i64(st, 7), "plan_ended",
			      json_pack("{s:s}", "template", db_col_text(st, 2)));
	}
	db_stmt_done(st);
	size_t i;
	json_t *p;
	json_array_foreach(rows, i, p)
	{
		json_t *tests = NULL;
		int taken, total;
		char next[11];
		if (rc < 0 || (rc = tests_json(d, json_integer_value(json_object_get(p, "id")),
					       hist, &tests, &taken, &total, next)) < 0) {
			json_decref(tests);
			break;
		}
		bool running = json_is_null(json_object_get(p, "ended_at"));
		json_object_set_new(p, "tests", tests);
		json_object_set_new(p, "phase",
				    json_string(running ? phase_now(json_object_get(p, "phases"),
								    control_gz_day(now))
							: "over"));
		json_object_set_new(p, "progress",
				    json_pack("{s:i, s:i, s:o}", "taken", taken, "total", total,
					      "next_due",
					      next[0] ? json_string(next) : json_null()));
		json_array_append(a, p);
	}
	json_decref(rows);
	return rc < 0 ? rc : 0;
}

static int statuses_json(struct db *d, int64_t person, json_t *hist, json_t **out)
{
	struct db_stmt *st;
	json_t *a = json_array();
	int rc = db_prepare(d, sql_statuses, &st);
	*out = a;
	if (rc)
		return rc;
	db_bind_i64(st, 1, person);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *kind = db_col_text(st, 1);
		int64_t ended = db_col_i64(st, 4);
		json_t *s = json_pack(
		    "{s:I, s:s, s:o, s:o, s:o, s:s, s:o}", "id", (json_int_t)db_col_i64(st, 0),
		    "kind", kind, "started_at", time_json(db_col_i64(st, 2)), "exposure_at",
		    time_json(db_col_i64(st, 3)), "ended_at", time_json(ended), "source",
		    db_col_text(st, 6), "ref",
		    db_col_i64(st, 5) ? json_integer(db_col_i64(st, 5)) : json_null());
		if (hist) {
			event(hist, db_col_i64(st, 2), "status_started",
			      json_pack("{s:s, s:s}", "kind", kind, "source", db_col_text(st, 6)));
			if (ended)
				event(hist, ended, "status_ended",
				      json_pack("{s:s}", "kind", kind));
		}
		if (!ended)
			json_array_append(a, s);
		json_decref(s);
	}
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int checkins_json(struct db *d, int64_t person, json_t *hist, json_t **out)
{
	struct db_stmt *st;
	json_t *a = json_array();
	int rc = db_prepare(d, sql_checkins, &st);
	*out = a;
	if (rc)
		return rc;
	db_bind_i64(st, 1, person);
	db_bind_i64(st, 2, CHECKINS_MAX);
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *sym = json_loads(db_col_text(st, 3), 0, NULL);
		json_t *temp = db_col_null(st, 2) ? json_null() : json_real(db_col_double(st, 2));
		json_array_append_new(a, json_pack("{s:I, s:o, s:O, s:O, s:b}", "id",
						   (json_int_t)db_col_i64(st, 0), "at",
						   time_json(db_col_i64(st, 1)), "temperature",
						   temp, "symptoms", sym ? sym : json_array(),
						   "fever", (int)db_col_i64(st, 4)));
		if (hist)
			event(hist, db_col_i64(st, 1), "checkin",
			      json_pack("{s:o, s:b}", "temperature", json_incref(temp), "fever",
					(int)db_col_i64(st, 4)));
		json_decref(temp);
		json_decref(sym);
	}
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Cases of the person and the contacts they were listed as (tables of cases.c). */
static int cases_history(struct db *d, int64_t person, json_t *hist)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql_cases, &st);
	if (rc)
		return rc;
	db_bind_i64(st, 1, person);
	while ((rc = db_step(st)) == DB_ROW) {
		event(hist, db_col_i64(st, 2), "case_opened",
		      json_pack("{s:I, s:s}", "case", (json_int_t)db_col_i64(st, 0), "kind",
				db_col_text(st, 1)));
		if (db_col_i64(st, 3))
			event(hist, db_col_i64(st, 3), "case_discharged",
			      json_pack("{s:I}", "case", (json_int_t)db_col_i64(st, 0)));
	}
	db_stmt_done(st);
	if (rc < 0 || (rc = db_prepare(d, sql_contacts, &st)))
		return rc < 0 ? rc : rc;
	db_bind_i64(st, 1, person);
	while ((rc = db_step(st)) == DB_ROW)
		event(hist, db_col_i64(st, 4), "contact_listed",
		      json_pack("{s:I, s:I, s:s, s:s, s:o}", "case", (json_int_t)db_col_i64(st, 0),
				"case_person", (json_int_t)db_col_i64(st, 5), "kind",
				db_col_text(st, 1), "setting", db_col_text(st, 2), "last_exposure",
				time_json(db_col_i64(st, 3))));
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static json_t *name_json(const char *name, bool full)
{
	struct people_mask m;
	char masked[PEOPLE_MASK_MAX + 1];
	if (full)
		return json_string(name);
	people_mask_of(name, &m);
	people_mask_text(&m, masked);
	return json_string(masked);
}

int control_file_json(struct db *d, const struct people_keys *k, int64_t person, bool full_name,
		      int64_t now, json_t **out)
{
	struct people_person p;
	json_t *where = NULL, *status = NULL, *plans = NULL, *checkins = NULL, *hist = json_array();
	int colour;
	unsigned reasons;
	int64_t since;
	*out = NULL;
	int rc = people_get(d, k, person, &p);
	if (rc)
		goto out;
	if ((rc = where_json(d, p.household_id, &where)) ||
	    (rc = statuses_json(d, person, hist, &status)) ||
	    (rc = plans_json(d, person, now, hist, &plans)) ||
	    (rc = checkins_json(d, person, hist, &checkins)) ||
	    (rc = cases_history(d, person, hist)) ||
	    (rc = control_colour_get(d, person, &colour, &reasons, &since)))
		goto out;
	json_t *rs = json_array();
	for (int b = 0; b < PEOPLE_REASONS_N; b++)
		if (reasons & (1u << b))
			json_array_append_new(rs,
					      json_pack("{s:s, s:s}", "code", people_reason_code(b),
							"text", people_reason_text(b)));
	*out = json_pack("{s:{s:I, s:o, s:I, s:O}, s:{s:s, s:o, s:o}, s:O, s:O, s:O, s:o}",
			 "person", "id", (json_int_t)person, "name", name_json(p.name, full_name),
			 "household_id", (json_int_t)p.household_id, "place", where, "colour",
			 "status", people_reasons_colour(reasons), "reasons", rs, "since",
			 time_json(since), "status", status, "plans", plans, "checkins", checkins,
			 "history", sorted(hist));
	hist = NULL;
out:
	sodium_memzero(&p, sizeof p);
	json_decref(where);
	json_decref(status);
	json_decref(plans);
	json_decref(checkins);
	json_decref(hist);
	return rc;
}

/* ---- key persons under a place ------------------------------------------------------------ */

#define KEYP_BATCH 512	/* key persons whose households are read in one statement */
#define KEYP_SEEN  4096 /* households remembered as under the place or not */

static const char sql_keyp[] =
    "SELECT DISTINCT person_id FROM key_statuses WHERE ended_at IS NULL AND person_id > ? "
    "AND (? IS NULL OR kind = ?) ORDER BY person_id";
static const char sql_kinds[] =
    "SELECT group_concat(kind, ',') FROM key_statuses WHERE person_id = ? AND ended_at IS NULL";

int control_keypersons_list(struct db *d, const struct people_keys *k, int64_t place,
			    const char *kind, int64_t after_id, int limit,
			    int (*fn)(int64_t person, json_t *item, void *ctx), void *ctx)
{
	struct db_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc = db_prepare(d, sql_keyp, &st), sent = 0;
	if (rc)
		return rc;
	db_bind_i64(st, 1, after_id);
	if (kind) {
		db_bind_text(st, 2, kind, -1);
		db_bind_text(st, 3, kind, -1);
	} else {
		db_bind_null(st, 2);
		db_bind_null(st, 3);
	}
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			ids = mu_xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = db_col_i64(st, 0);
	}
	db_stmt_done(st);
	/* The households of a batch of key persons at once, and whether each household lies
	 * under place remembered: a city's key persons share few households per grid. */
	int64_t hhs[KEYP_BATCH];
	struct seen {
		int64_t hh;
		bool within;
	} *seen = mu_xcalloc(KEYP_SEEN, sizeof *seen);
	for (size_t i = 0; rc >= 0 && i < n && sent < limit; i++) {
		int64_t hh;
		bool within;
		struct people_person p;
		json_t *where, *plans, *kinds;
		if (i % KEYP_BATCH == 0 &&
		    (rc = people_households_of(d, ids + i, n - i < KEYP_BATCH ? n - i : KEYP_BATCH,
					       hhs)))
			break;
		hh = hhs[i % KEYP_BATCH];
		size_t slot = (size_t)((uint64_t)hh * 0x9E3779B97F4A7C15ull >> 52) % KEYP_SEEN;
		if (hh && seen[slot].hh == hh)
			within = seen[slot].within;
		else if (!hh)
			within = false;
		else if ((rc = places_is_within(d, hh, place, &within)))
			break;
		else {
			seen[slot].hh = hh;
			seen[slot].within = within;
		}
		if (!within)
			continue;
		if ((rc = people_get(d, k, ids[i], &p)))
			break;
		json_t *name = name_json(p.name, false);
		sodium_memzero(&p, sizeof p);
		if ((rc = where_json(d, hh, &where))) {
			json_decref(name);
			break;
		}
		if ((rc = plans_json(d, ids[i], mu_now_unix(), NULL, &plans))) {
			json_decref(name);
			json_decref(where);
			json_decref(plans);
			break;
		}
		if ((rc = db_prepare(d, sql_kinds, &st)) == 0) {
			db_bind_i64(st, 1, ids[i]);
			rc = db_step(st);
			kinds = json_array();
			if (rc == DB_ROW) {
				const char *s = db_col_text(st, 0);
				while (*s) {
					size_t len = strcspn(s, ",");
					json_array_append_new(kinds, json_stringn(s, len));
					s += len + (s[len] == ',');
				}
			}
			db_stmt_done(st);
			if (rc < 0) {
				json_decref(kinds);
				kinds = NULL;
			} else
				rc = 0;
		}
		if (rc) {
			json_decref(name);
			json_decref(where);
			json_decref(plans);
			break;
		}
		/* The running plan (the newest one) for the list: progress and phase. */
		json_t *plan = json_null();
		for (size_t j = json_array_size(plans); j-- > 0;) {
			json_t *pl = json_array_get(plans, j);
			if (json_is_null(json_object_get(pl, "ended_at"))) {
				plan = json_pack("{s:O, s:O, s:O, s:O}", "template",
						 json_object_get(pl, "template"), "phase",
						 json_object_get(pl, "phase"), "progress",
						 json_object_get(pl, "progress"), "ends",
						 json_object_get(pl, "ends"));
				break;
			}
		}
		json_decref(plans);
		int colour;
		unsigned reasons;
		int64_t since;
		if ((rc = control_colour_get(d, ids[i], &colour, &reasons, &since))) {
			json_decref(name);
			json_decref(where);
			json_decref(kinds);
			json_decref(plan);
			break;
		}
		json_t *item =
		    json_pack("{s:I, s:o, s:o, s:o, s:o, s:s}", "person", (json_int_t)ids[i],
			      "name", name, "place", where, "kinds", kinds, "plan", plan, "colour",
			      people_reasons_colour(reasons));
		sent++;
		if ((rc = fn(ids[i], item, ctx)))
			break;
	}
	free(ids);
	free(seen);
	return rc < 0 || rc > DB_ROW ? rc : 0;
}
