/* templates.c: plan templates as data (table plan_templates) — parsing and checking a
 * template's JSON body, storing and listing them, which template each status kind uses
 * (plan_uses), and the pure calendar of a plan: its phases and test days as Guangzhou
 * dates from the day of the last exposure. */
#include <string.h>

#include <jansson.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"

#define DAY_MAX 365

static const char *const phase_names[] = {"central_quarantine", "home_quarantine",
					  "home_monitoring"};

const char *control_phase_name(int kind)
{
	return kind >= 0 && kind < (int)(sizeof phase_names / sizeof *phase_names)
		   ? phase_names[kind]
		   : NULL;
}

int control_phase_parse(const char *s, int *kind)
{
	for (int i = 0; i < (int)(sizeof phase_names / sizeof *phase_names); i++)
		if (s && strcmp(s, phase_names[i]) == 0) {
			*kind = i;
			return 0;
		}
	return MU_EINVAL;
}

static int fail(struct mu_why *why, const char *field, const char *text)
{
	return mu_why_set(why, MU_EINVAL, field, "%s", text);
}

static bool name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > CONTROL_TEMPLATE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			return false;
	return true;
}

static bool day_of(const json_t *v, int *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > DAY_MAX)
		return false;
	*out = (int)json_integer_value(v);
	return true;
}

static int parse_phases(const json_t *arr, struct control_template *t, struct mu_why *why)
{
	size_t i;
	json_t *ph;
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > CONTROL_PHASES_MAX)
		return fail(why, "phases", "phases is a list of 1 to 8 phases");
	json_array_foreach(arr, i, ph)
	{
		const char *k;
		json_t *to;
		if (!json_is_object(ph) || json_object_size(ph) != 3 ||
		    !(k = json_string_value(json_object_get(ph, "kind"))) ||
		    control_phase_parse(k, &t->phases[i].kind))
			return fail(why, "phases",
				    "each phase is {kind, from, to} with kind central_quarantine, "
				    "home_quarantine or home_monitoring");
		if (!day_of(json_object_get(ph, "from"), &t->phases[i].from))
			return fail(why, "phases", "a phase's from is a day number 0..365");
		to = json_object_get(ph, "to");
		t->phases[i].open = json_is_null(to);
		if (t->phases[i].open) {
			if (i + 1 != json_array_size(arr))
				return fail(why, "phases",
					    "only the last phase may be open (to: null)");
			t->phases[i].to = DAY_MAX;
		} else if (!day_of(to, &t->phases[i].to) || t->phases[i].to < t->phases[i].from)
			return fail(why, "phases",
				    "a phase's to is a day number 0..365, not before its from, or "
				    "null");
		if (i > 0 && t->phases[i].from <= t->phases[i - 1].to)
			return fail(why, "phases", "phases follow one another without overlap");
		t->nphases = (int)i + 1;
	}
	return 0;
}

int control_template_parse(const char *name, const char *json, struct control_template *t,
			   struct mu_why *why)
{
	json_error_t err;
	json_t *o = NULL, *tests, *every, *v;
	const char *key;
	size_t i;
	int rc = 0;
	memset(t, 0, sizeof *t);
	if (!name_valid(name))
		return fail(why, "name",
			    "a template's name is 1 to 64 characters of a-z, 0-9 and '-'");
	snprintf(t->name, sizeof t->name, "%s", name);
	o = json_loads(json ? json : "", JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(o)) {
		rc = fail(why, "body", "a template is a JSON object {phases, tests, every}");
		goto out;
	}
	json_object_foreach(o, key, v) if (strcmp(key, "phases") && strcmp(key, "tests") &&
					   strcmp(key, "every"))
	{
		mu_why_set(why, MU_EINVAL, "body", "unknown member %s (phases, tests, every)", key);
		rc = MU_EINVAL;
		goto out;
	}
	if ((rc = parse_phases(json_object_get(o, "phases"), t, why)))
		goto out;
	tests = json_object_get(o, "tests");
	if (!json_is_array(tests) || json_array_size(tests) > CONTROL_TESTS_MAX) {
		rc = fail(why, "tests", "tests is a list of at most 64 day numbers");
		goto out;
	}
	json_array_foreach(tests, i, v)
	{
		if (!day_of(v, &t->tests[i]) || (i > 0 && t->tests[i] <= t->tests[i - 1])) {
			rc = fail(why, "tests", "tests are ascending day numbers 0..365");
			goto out;
		}
		t->ntests = (int)i + 1;
	}
	every = json_object_get(o, "every");
	if (every) {
		if (!json_is_integer(every) || json_integer_value(every) < 1 ||
		    json_integer_value(every) > 30) {
			rc = fail(why, "every", "every is a number of days 1..30");
			goto out;
		}
		if (!t->phases[t->nphases - 1].open) {
			rc = fail(why, "every",
				  "a test every N days needs an open last phase (to: null)");
			goto out;
		}
		t->every = (int)json_integer_value(every);
	}
	if (t->ntests > 0 && t->tests[t->ntests - 1] > t->phases[t->nphases - 1].to) {
		rc = fail(why, "tests", "a test day lies after the last phase");
		goto out;
	}
out:
	json_decref(o);
	return rc;
}

static const char sql_get[] = "SELECT body FROM plan_templates WHERE name = ?";
static const char sql_add[] = "INSERT INTO plan_templates (name, body) VALUES (?, ?)";
static const char sql_list[] =
    "SELECT t.name, t.body, coalesce((SELECT group_concat(u.kind, ',') FROM plan_uses u "
    "WHERE u.template = t.name), '') FROM plan_templates t ORDER BY t.name";
static const char sql_use[] = "INSERT INTO plan_uses (kind, template) VALUES (?, ?) "
			      "ON CONFLICT (kind) DO UPDATE SET template = excluded.template";

int control_template_get(struct db *d, const char *name, struct control_template *t)
{
	struct db_stmt *st;
	struct mu_why why = {0};
	int rc = db_prepare(d, sql_get, &st);
	if (rc)
		return rc;
	db_bind_text(st, 1, name, -1);
	rc = db_step(st);
	if (rc == DB_ROW)
		rc = control_template_parse(name, db_col_text(st, 0), t, &why) ? MU_EDB : 0;
	else if (rc == DB_DONE)
		rc = MU_ENOTFOUND;
	db_stmt_done(st);
	return rc;
}

int control_template_add(struct db *d, const char *name, const char *json, struct mu_why *why)
{
	struct control_template t;
	struct db_stmt *st;
	int rc = control_template_parse(name, json, &t, why);
	if (rc)
		return rc;
	if ((rc = db_prepare(d, sql_add, &st)))
		return rc;
	db_bind_text(st, 1, name, -1);
	db_bind_text(st, 2, json, -1);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc == MU_EEXIST)
		mu_why_set(why, rc, "name", "a template named %s exists already", name);
	return rc < 0 ? rc : 0;
}

int control_template_list(struct db *d,
			  int (*fn)(const char *name, const char *body, const char *used_by,
				    void *ctx),
			  void *ctx)
{
	struct db_stmt *st;
	int rc = db_prepare(d, sql_list, &st);
	if (rc)
		return rc;
	while ((rc = db_step(st)) == DB_ROW)
		if ((rc = fn(db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2), ctx)))
			break;
	db_stmt_done(st);
	return rc < 0 || rc > DB_ROW ? rc : 0;
}

int control_plan_use_set(struct db *d, const char *kind, const char *template_name,
			 struct mu_why *why)
{
	struct control_template t;
	struct db_stmt *st;
	int rc;
	if (!kind || (strcmp(kind, "close") && strcmp(kind, "secondary") && strcmp(kind, "sealed")))
		return fail(why, "kind", "a plan is made for kind close, secondary or sealed");
	if ((rc = control_template_get(d, template_name, &t))) {
		if (rc == MU_ENOTFOUND)
			mu_why_set(why, rc, "template", "no template is named %s", template_name);
		return rc;
	}
	if ((rc = db_prepare(d, sql_use, &st)))
		return rc;
	db_bind_text(st, 1, kind, -1);
	db_bind_text(st, 2, template_name, -1);
	rc = db_step(st);
	db_stmt_done(st);
	return rc < 0 ? rc : 0;
}

void control_calendar_compute(const struct control_template *t, int64_t d0, int64_t today,
			      struct control_calendar *out)
{
	int past = -1; /* the last test day already past on today */
	bool on_today = false;
	memset(out, 0, sizeof *out);
	out->nphases = t->nphases;
	for (int i = 0; i < t->nphases; i++) {
		out->phases[i].kind = t->phases[i].kind;
		out->phases[i].from = d0 + t->phases[i].from;
		out->phases[i].to = t->phases[i].open ? -1 : d0 + t->phases[i].to;
	}
	out->ends = out->phases[t->nphases - 1].to;
	for (int i = 0; i < t->ntests; i++) {
		int64_t due = d0 + t->tests[i];
		if (due < today) {
			past = t->tests[i];
			continue;
		}
		on_today |= due == today;
		if (past >= 0 && !on_today && out->ntests == 0) {
			/* The days missed before the plan existed are due once, today. */
			out->tests[out->ntests].day = past;
			out->tests[out->ntests++].due = today;
			on_today = true;
		}
		out->tests[out->ntests].day = t->tests[i];
		out->tests[out->ntests++].due = due;
	}
	if (past >= 0 && out->ntests == 0 && (out->ends < 0 || today <= out->ends)) {
		out->tests[out->ntests].day = past;
		out->tests[out->ntests++].due = today;
		on_today = true;
	}
	if (t->every > 0 && !on_today) {
		int64_t first = d0 + t->phases[t->nphases - 1].from;
		if (today >= first && (today - first) % t->every == 0 &&
		    out->ntests < CONTROL_TESTS_MAX + 1) {
			out->tests[out->ntests].day = (int)(today - d0);
			out->tests[out->ntests++].due = today;
		}
	}
}
