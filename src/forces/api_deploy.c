/* api_deploy.c: deployments' HTTP face — sending a team or people to a place for a shift,
 * checking them in and out, who is where now, one shift with the people on it, and the
 * person-time ledger by day, organisation and place. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "auth/api.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/api.h"

#define DEP_PAGE	100
#define SHIFT_PAGE	500
#define LEDGER_DAYS_MAX 366

/* An RFC 3339 member into unix seconds; required. */
static int time_member(struct http_req *r, json_t *o, const char *k, int64_t *out)
{
	const char *s = http_json_str(o, k);
	int64_t ms;
	if (!s || mu_time_parse(s, &ms))
		return http_fail(r, MU_EINVAL, k, "required, an RFC 3339 time");
	*out = ms / 1000;
	return 0;
}

/* ---- POST /api/v1/deployments --------------------------------------------------------------- */

struct dep_job {
	struct http_req *r;
	struct forces_deployment dp;
	int64_t *members, *persons;
	size_t n_members, n_persons;
	struct mu_why why;
};

static int deploy_fn(struct db *d, void *arg)
{
	struct dep_job *j = arg;
	int rc =
	    forces_deploy(d, &j->dp, j->members, j->n_members, j->persons, j->n_persons, &j->why);
	if (rc == 0 && !j->r->record)
		j->r->record =
		    mu_arena_sprintf(&j->r->arena, "deployment:%lld", (long long)j->dp.id);
	return rc;
}

/* The array member k of up to FORCES_DEPLOY_MAX items, or none (*n 0). */
static int array_member(struct http_req *r, json_t *body, const char *k, json_t **arr, size_t *n)
{
	*arr = json_object_get(body, k);
	*n = 0;
	if (!*arr || json_is_null(*arr))
		return 0;
	if (!json_is_array(*arr) || json_array_size(*arr) == 0)
		return http_fail(r, MU_EINVAL, k, "a non-empty array");
	if (json_array_size(*arr) > FORCES_DEPLOY_MAX)
		return http_fail(r, MU_ETOOBIG, k, "at most 10000 people on a shift");
	*n = json_array_size(*arr);
	return 0;
}

int forces__api_post_deployment(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"org",  "people", "members", "place",
					      "from", "to",	"duty",	   NULL};
	json_t *body, *people, *members;
	struct places_node node;
	struct dep_job j = {.r = r};
	const char *duty;
	int64_t org;
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_int(r, body, "org", 1, INT64_MAX, 0, &org)) ||
	    (rc = array_member(r, body, "people", &people, &j.n_persons)) ||
	    (rc = array_member(r, body, "members", &members, &j.n_members)) ||
	    (rc = places_api_resolve(r, "place", http_json_str(body, "place"), &node)) ||
	    (rc = time_member(r, body, "from", &j.dp.from_at)) ||
	    (rc = time_member(r, body, "to", &j.dp.to_at)) ||
	    (rc = http_json_need_str(r, body, "duty", &duty)))
		return rc;
	if (forces_duty_parse(duty, &j.dp.duty))
		return http_fail(r, MU_EINVAL, "duty",
				 "sampling, patrol, delivery, checkpoint, transfer or other");
	if (!org == !j.n_persons)
		return http_fail(r, MU_EINVAL, "org", "an organisation or people, one of them");
	if (j.n_members && !org)
		return http_fail(r, MU_EINVAL, "members", "members are an organisation's");
	if (j.dp.to_at <= j.dp.from_at)
		return http_fail(r, MU_EINVAL, "to", "a shift ends after it starts");
	if (org) {
		/* Who sends a team must hold the team's own place too. */
		struct forces_org o;
		int64_t ids[PLACES_NLEVELS];
		int n;
		if ((rc = forces_org_get(auth_req_db(r), org, &o)))
			return rc == MU_ENOTFOUND
				   ? http_fail(r, rc, "org", "no organisation has this id")
				   : rc;
		if ((rc = places_path(auth_req_db(r), o.place_id, ids, &n)))
			return rc;
		if (!auth_within(auth_who(r), ids, n))
			return auth_refuse(r);
	}
	j.members = mu_arena_alloc(&r->arena, (j.n_members + 1) * sizeof *j.members);
	for (size_t i = 0; i < j.n_members; i++) {
		json_t *v = json_array_get(members, i);
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return http_fail(r, MU_EINVAL, "members",
					 "member ids are positive integers");
		j.members[i] = json_integer_value(v);
	}
	j.persons = mu_arena_alloc(&r->arena, (j.n_persons + 1) * sizeof *j.persons);
	struct auth_people_record rec;
	auth_people_record_init(&rec);
	for (size_t i = 0; i < j.n_persons; i++) {
		rc = forces__api_person(r, json_array_get(people, i), &j.persons[i]);
		if (rc == MU_EINVAL || rc == MU_ENOTFOUND) {
			rc = http_fail(
			    r, rc, "people",
			    mu_arena_sprintf(&r->arena,
					     "item %zu: not the id, ID number or personal "
					     "code of anyone on record",
					     i));
			break;
		}
		if (rc)
			break;
		auth_people_record_add(&rec, j.persons[i]);
	}
	auth_people_record_fini(&rec, r);
	if (rc)
		return rc;
	j.dp.org_id = org;
	j.dp.place_id = node.id;
	j.dp.created_at = mu_now_unix();
	j.dp.user_id = forces__api_user(r);
	if ((rc = auth_submit(r, deploy_fn, &j)))
		return forces__api_why_fail(r, rc, &j.why);
	char day[11];
	mu_date_format(forces_day_of(j.dp.from_at), day);
	resp->status = 201;
	resp->json = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)j.dp.id, "people",
			       (json_int_t)j.dp.people, "date", day);
	return 0;
}

/* ---- one deployment ------------------------------------------------------------------------ */

static int dep_param(struct http_req *r, struct forces_deployment *dp)
{
	int64_t id;
	int rc;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], &id) || id <= 0)
		return http_fail(r, MU_EINVAL, "id", "a deployment id is a positive integer");
	rc = forces_deployment_get(auth_req_db(r), id, dp);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no deployment has this id") : rc;
}

int forces__api_place_of_deployment(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct forces_deployment dp;
	int rc = dep_param(r, &dp);
	return rc ? rc : places_path(auth_req_db(r), dp.place_id, ids, n);
}

static json_t *dep_json(struct db *d, const struct forces_deployment *dp)
{
	json_t *org = json_null();
	struct forces_org o;
	if (dp->org_id && forces_org_get(d, dp->org_id, &o) == 0)
		org = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)o.id, "name", o.name, "kind",
				forces_kind_name(o.kind));
	char day[11];
	mu_date_format(forces_day_of(dp->from_at), day);
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:s, s:s, s:I, s:I}", "id", (json_int_t)dp->id,
			 "org", org, "place", forces__api_place_json(d, dp->place_id), "from",
			 forces__api_time_json(dp->from_at), "to", forces__api_time_json(dp->to_at),
			 "duty", forces_duty_name(dp->duty), "date", day, "people",
			 (json_int_t)dp->people, "present", (json_int_t)dp->present);
}

struct checkin_job {
	int64_t dep, row, changed;
	bool out;
};

static int checkin_fn(struct db *d, void *arg)
{
	struct checkin_job *j = arg;
	return forces_checkin(d, j->dep, j->row, j->out, mu_now_unix(), &j->changed);
}

static int checkin(struct http_req *r, struct http_resp *resp, bool out)
{
	static const char *const allowed[] = {"member", "all", NULL};
	struct forces_deployment dp;
	json_t *body, *all;
	struct checkin_job j = {.out = out};
	int rc;
	if ((rc = dep_param(r, &dp)) || (rc = http_body_json(r, &body)) ||
	    (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_int(r, body, "member", 1, INT64_MAX, 0, &j.row)))
		return rc;
	all = json_object_get(body, "all");
	if (all && !json_is_boolean(all))
		return http_fail(r, MU_EINVAL, "all", "true or false");
	if (!j.row == !(all && json_is_true(all)))
		return http_fail(r, MU_EINVAL, "member", "a member's row id or \"all\": true");
	j.dep = dp.id;
	r->record = mu_arena_sprintf(&r->arena, "deployment:%lld", (long long)dp.id);
	if ((rc = auth_submit(r, checkin_fn, &j)))
		return rc == MU_ENOTFOUND
			   ? http_fail(r, rc, "member", "nobody on this shift has this row")
			   : rc;
	if ((rc = forces_deployment_get(auth_req_db(r), dp.id, &dp)))
		return rc;
	resp->json = json_pack("{s:I, s:o}", "changed", (json_int_t)j.changed, "deployment",
			       dep_json(auth_req_db(r), &dp));
	return 0;
}

int forces__api_post_checkin(struct http_req *r, struct http_resp *resp)
{
	return checkin(r, resp, false);
}

int forces__api_post_checkout(struct http_req *r, struct http_resp *resp)
{
	return checkin(r, resp, true);
}

struct shift_list {
	json_t *arr;
	struct auth_people_record rec;
};

static int shift_one(const struct forces_on_shift *p, void *ctx)
{
	struct shift_list *l = ctx;
	json_array_append_new(
	    l->arr, json_pack("{s:I, s:o, s:o, s:o, s:s, s:o, s:o}", "id", (json_int_t)p->id,
			      "member", p->member_id ? json_integer(p->member_id) : json_null(),
			      "person", p->person_id ? json_integer(p->person_id) : json_null(),
			      "from_org", p->from_org ? json_integer(p->from_org) : json_null(),
			      "role", p->role, "checkin_at", forces__api_time_json(p->checkin_at),
			      "checkout_at", forces__api_time_json(p->checkout_at)));
	if (p->person_id)
		auth_people_record_add(&l->rec, p->person_id);
	return 0;
}

int forces__api_get_deployment(struct http_req *r, struct http_resp *resp)
{
	struct forces_deployment dp;
	struct shift_list l;
	int64_t after, next;
	int limit, rc;
	if ((rc = dep_param(r, &dp)) ||
	    (rc = http_query_limit(r, SHIFT_PAGE, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &after)))
		return rc;
	l.arr = json_array();
	auth_people_record_init(&l.rec);
	rc = forces_shift_people(auth_req_db(r), dp.id, after, limit, shift_one, &l, &next);
	auth_people_record_fini(&l.rec, r);
	if (rc) {
		json_decref(l.arr);
		return rc;
	}
	resp->json =
	    json_pack("{s:o, s:o, s:o}", "deployment", dep_json(auth_req_db(r), &dp), "people",
		      l.arr, "cursor", next ? json_sprintf("%lld", (long long)next) : json_null());
	return 0;
}

/* ---- GET /api/v1/deployments: who is where ----------------------------------------------- */

struct dep_list {
	struct db *d;
	json_t *arr;
	int64_t people, present;
};

static int dep_one(const struct forces_deployment *dp, void *ctx)
{
	struct dep_list *l = ctx;
	json_array_append_new(l->arr, dep_json(l->d, dp));
	l->people += dp->people;
	l->present += dp->present;
	return 0;
}

int forces__api_get_deployments(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct dep_list l = {.d = auth_req_db(r)};
	const char *active = http_query(r, "active");
	int64_t before, next;
	int limit, rc;
	if ((rc = places_api_query(r, &node)) ||
	    (rc = http_query_limit(r, DEP_PAGE, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &before)))
		return rc;
	if (active && strcmp(active, "0") && strcmp(active, "1") && *active)
		return http_fail(r, MU_EINVAL, "active", "0 or 1");
	bool now_only = active && !strcmp(active, "1");
	l.arr = json_array();
	rc = forces_deployment_list(l.d, node.id, now_only, mu_now_unix(), before, limit, dep_one,
				    &l, &next);
	if (rc) {
		json_decref(l.arr);
		return rc;
	}
	resp->json = json_pack("{s:o, s:I, s:I, s:o}", "deployments", l.arr, "people",
			       (json_int_t)l.people, "present", (json_int_t)l.present, "cursor",
			       next ? json_sprintf("%lld", (long long)next) : json_null());
	return 0;
}

/* ---- GET /api/v1/ledger ------------------------------------------------------------------ */

/* ?k= as a Guangzhou date: "YYYY-MM-DD", or an RFC 3339 time's date in Guangzhou. */
static int day_query(struct http_req *r, const char *k, int64_t def, int64_t *out)
{
	const char *s = http_query(r, k);
	int64_t ms;
	*out = def;
	if (!s || !*s)
		return 0;
	if (mu_date_parse(s, out) == 0)
		return 0;
	if (mu_time_parse(s, &ms) == 0) {
		*out = forces_day_of(ms / 1000);
		return 0;
	}
	return http_fail(r, MU_EINVAL, k, "a date (YYYY-MM-DD) or an RFC 3339 time");
}

struct ledger_list {
	struct db *d;
	json_t *arr;
	struct forces_org org; /* the last one looked up */
	int group;	       /* ?by: FORCES_BY_*, or -1 by day */
};

static int ledger_one(const struct forces_ledger_row *row, void *ctx)
{
	struct ledger_list *l = ctx;
	struct places_node n;
	char day[11];
	if (row->org_id && l->org.id != row->org_id && forces_org_get(l->d, row->org_id, &l->org))
		memset(&l->org, 0, sizeof l->org);
	bool named = row->org_id && l->org.id == row->org_id;
	bool placed = places_get(l->d, row->place_id, &n) == 0;
	mu_date_format(row->day, day);
	json_array_append_new(
	    l->arr, json_pack("{s:s, s:o, s:o, s:o, s:s, s:s, s:I}", "date", day, "org",
			      row->org_id ? json_integer(row->org_id) : json_null(), "org_name",
			      named ? json_string(l->org.name) : json_null(), "org_kind",
			      named ? json_string(forces_kind_name(l->org.kind)) : json_null(),
			      "place", placed ? n.code : "", "place_name", placed ? n.name : "",
			      "person_times", (json_int_t)row->person_times));
	return 0;
}

/* ?by=org|street: the range's totals per organisation or per street (no date). */
static int total_one(const struct forces_ledger_row *row, void *ctx)
{
	struct ledger_list *l = ctx;
	struct places_node n;
	json_t *o;
	if (l->group == FORCES_BY_STREET) {
		bool placed = row->place_id && places_get(l->d, row->place_id, &n) == 0;
		o = json_pack("{s:o, s:o, s:I}", "place",
			      placed ? json_string(n.code) : json_null(), "place_name",
			      placed ? json_string(n.name) : json_null(), "person_times",
			      (json_int_t)row->person_times);
	} else {
		bool named = row->org_id && forces_org_get(l->d, row->org_id, &l->org) == 0;
		o = json_pack("{s:o, s:o, s:o, s:I}", "org",
			      row->org_id ? json_integer(row->org_id) : json_null(), "org_name",
			      named ? json_string(l->org.name) : json_null(), "org_kind",
			      named ? json_string(forces_kind_name(l->org.kind)) : json_null(),
			      "person_times", (json_int_t)row->person_times);
	}
	json_array_append_new(l->arr, o);
	return 0;
}

int forces__api_get_ledger(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct ledger_list l = {.d = auth_req_db(r), .group = -1};
	int64_t today = forces_day_of(mu_now_unix()), from, to, org = 0, total;
	const char *o = http_query(r, "org"), *by = http_query(r, "by");
	int rc, group = -1;
	if ((rc = places_api_query(r, &node)) || (rc = day_query(r, "to", today, &to)) ||
	    (rc = day_query(r, "from", to - 29, &from)))
		return rc;
	if (o && *o && (mu_parse_i64(o, &org) || org <= 0))
		return http_fail(r, MU_EINVAL, "org", "an organisation id is a positive integer");
	if (from > to)
		return http_fail(r, MU_EINVAL, "from", "the range starts after it ends");
	if (to - from >= LEDGER_DAYS_MAX)
		return http_fail(r, MU_EINVAL, "from", "at most 366 days at once");
	if (by && *by && strcmp(by, "day")) {
		group = !strcmp(by, "org")	? FORCES_BY_ORG
			: !strcmp(by, "street") ? FORCES_BY_STREET
						: -1;
		if (group < 0)
			return http_fail(r, MU_EINVAL, "by", "day, org or street");
		if (org)
			return http_fail(r, MU_EINVAL, "org", "one organisation's rows are by day");
		if (node.level > PLACES_COMMUNITY)
			return http_fail(r, MU_EINVAL, "by",
					 "totals are of a community or above; below, by day");
	}
	l.arr = json_array();
	l.group = group;
	rc = group >= 0 ? forces_ledger_by(l.d, node.id, group, from, to, total_one, &l, &total)
			: forces_ledger(l.d, node.id, org, from, to, ledger_one, &l, &total);
	if (rc) {
		json_decref(l.arr);
		return rc;
	}
	char f[11], t[11];
	mu_date_format(from, f);
	mu_date_format(to, t);
	resp->json = json_pack("{s:s, s:s, s:s, s:o, s:I}", "place", node.code, "from", f, "to", t,
			       "rows", l.arr, "total_person_times", (json_int_t)total);
	return 0;
}
