/* api_cases.c: the HTTP face of cases, contacts, chains and the epidemic curve —
 * opening, reclassifying, hospitalising and discharging cases, listing contacts (one
 * by one or a household or building at once), the jurisdiction-scoped case list, the
 * chain graph and the daily curve with the tracing indicators. Names are masked and
 * every page that shows one is audited as a read of each person. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "api.h"
#include "auth/api.h"
#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/api.h"
#include "screening/screening.h"

#define CASES_PAGE	       100   /* cases of a page when ?limit= is absent */
#define CONTACTS_ITEMS_MAX     1000  /* contacts named one by one in a call */
#define CONTACTS_RESIDENTS_MAX 10000 /* people a building shortcut may add */
#define EPI_DEFAULT_DAYS       90

/* The server's keys (names, personal codes, ID hashes): loaded by
 * control__cases_api_init, wiped by its fini. */
static struct people_keys keys;

int control__cases_api_init(const char *db_path)
{
	return people_keys_load(db_path, &keys);
}

void control__cases_api_fini(void)
{
	sodium_memzero(&keys, sizeof keys);
}

/* ---- shared pieces ------------------------------------------------------------------ */

static json_t *time_json(int64_t t)
{
	char buf[21];
	if (!t)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

static json_t *date_json(int64_t day)
{
	char buf[11];
	if (day == CONTROL_NO_DATE)
		return json_null();
	mu_date_format(day, buf);
	return json_string(buf);
}

/* A required (or, opt, optional: 0 when absent) RFC 3339 member into unix seconds. */
static int time_member(struct http_req *r, const json_t *o, const char *k, bool opt, int64_t *out)
{
	const json_t *v = json_object_get(o, k);
	*out = 0;
	if ((!v || json_is_null(v)) && opt)
		return 0;
	if (!json_is_string(v) || screening_time_parse(json_string_value(v), out))
		return http_fail(r, MU_EINVAL, k, "must be an RFC 3339 time");
	return 0;
}

/* A person as a body names them: an id (a JSON integer or a string of digits shorter
 * than an ID number), an ID number or a personal code. 0, or MU_ENOTFOUND / MU_EINVAL
 * with why set on field. */
static int person_of(struct db *d, const json_t *v, const char *field, int64_t *person,
		     struct mu_why *why)
{
	int64_t id = 0, hh;
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	int rc;
	if (json_is_integer(v))
		id = json_integer_value(v);
	else if (s && strlen(s) > 0 && strlen(s) < 15 && strspn(s, "0123456789") == strlen(s))
		mu_parse_i64(s, &id);
	else if (!s || !*s || strlen(s) > 64)
		return mu_why_set(why, MU_EINVAL, field,
				  "a person is an id, an ID number or a personal code");
	if (id > 0) {
		rc = people_household_of(d, id, &hh);
		*person = id;
	} else if (json_is_integer(v) || !s) {
		return mu_why_set(why, MU_EINVAL, field, "a person id is a positive integer");
	} else {
		rc = people_resolve(d, &keys, s, person, &hh);
	}
	if (rc == MU_ENOTFOUND)
		return mu_why_set(why, rc, field, "no person has this id, ID number or code");
	return rc;
}

/* The masked name of person ("张*明"); null when it cannot be read. */
static json_t *masked_name(struct db *d, int64_t person)
{
	struct people_person p;
	struct people_mask m;
	char text[PEOPLE_MASK_MAX + 1];
	if (people_get(d, &keys, person, &p))
		return json_null();
	people_mask_of(p.name, &m);
	sodium_memzero(&p, sizeof p);
	people_mask_text(&m, text);
	json_t *o = json_string(text);
	sodium_memzero(&m, sizeof m);
	sodium_memzero(text, sizeof text);
	return o;
}

/* The case of the path's {id}: 400 for a malformed id, 404 for an unknown case. */
static int case_param(struct http_req *r, struct control_case *c)
{
	int64_t id;
	int rc;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], &id) || id <= 0)
		return http_fail(r, MU_EINVAL, "id", "a case id is a positive integer");
	rc = control_case_get(auth_req_db(r), id, c);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no case has this id") : rc;
}

/* ---- place resolvers ------------------------------------------------------------------ */

/* The case of {id}: its household's path (where it was counted when it opened). */
int control__api_place_of_case(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct control_case c;
	int rc = case_param(r, &c);
	return rc ? rc : places_path(auth_req_db(r), c.household_id, ids, n);
}

/* POST /cases: the household of the body's person. */
int control__api_place_of_body_person(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	int64_t person, hh;
	struct mu_why why = {0};
	int rc = http_body_json(r, &body);
	if (rc)
		return rc;
	if ((rc = person_of(auth_req_db(r), json_object_get(body, "person"), "person", &person,
			    &why)))
		return why.field ? http_fail(r, rc, why.field,
					     mu_arena_sprintf(&r->arena, "%s", why.text))
				 : rc;
	if ((rc = people_household_of(auth_req_db(r), person, &hh)))
		return rc;
	return places_path(auth_req_db(r), hh, ids, n);
}

/* ---- a case as JSON ------------------------------------------------------------------ */

/* The places above a household the list names (code and name each). */
static void place_fields(struct http_req *r, json_t *o, int64_t household)
{
	static const struct {
		int level;
		const char *code, *name;
	} want[] = {
	    {PLACES_STREET, "street", "street_name"},
	    {PLACES_COMMUNITY, "community", "community_name"},
	    {PLACES_GRID, "grid", "grid_name"},
	    {PLACES_BUILDING, "building", "building_name"},
	    {PLACES_HOUSEHOLD, "household", "household_name"},
	};
	int64_t ids[PLACES_NLEVELS];
	int n = 0;
	struct places_node node;
	if (places_path(auth_req_db(r), household, ids, &n))
		n = 0;
	for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
		bool found = false;
		for (int i = 0; i < n && !found; i++)
			if (!places_get(auth_req_db(r), ids[i], &node) &&
			    node.level == want[w].level) {
				json_object_set_new(o, want[w].code, json_string(node.code));
				json_object_set_new(o, want[w].name, json_string(node.name));
				found = true;
			}
		if (!found) {
			json_object_set_new(o, want[w].code, json_null());
			json_object_set_new(o, want[w].name, json_null());
		}
	}
}

static json_t *case_json(struct http_req *r, const struct control_case *c)
{
	json_t *o = json_pack(
	    "{s:I, s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)c->id,
	    "person", (json_int_t)c->person_id, "name", masked_name(auth_req_db(r), c->person_id),
	    "kind", control_case_kind_name(c->kind), "source",
	    c->from_screening ? "screening" : "staff", "onset", date_json(c->onset), "confirmed_at",
	    time_json(c->confirmed_at), "hospital",
	    c->hospital[0] ? json_string(c->hospital) : json_null(), "hospitalised_at",
	    time_json(c->hospitalised_at), "discharged_at", time_json(c->discharged_at), "sample",
	    c->sample_id ? json_integer(c->sample_id) : json_null());
	place_fields(r, o, c->household_id);
	return o;
}

/* Answers one case (after a write): a read of its person, audited with the write. */
static int answer_case(struct http_req *r, struct http_resp *resp, int64_t id, int status)
{
	struct control_case c;
	int rc = control_case_get(auth_req_db(r), id, &c);
	if (rc)
		return rc;
	resp->status = status;
	resp->json = json_pack("{s:I, s:o}", "id", (json_int_t)c.id, "case", case_json(r, &c));
	return 0;
}

/* ---- writes ---------------------------------------------------------------------------- */

enum case_op { OP_OPEN, OP_RECLASSIFY, OP_HOSPITALISE, OP_DISCHARGE };

struct case_job {
	struct http_req *r;
	enum case_op op;
	struct control_case c;
	int kind;
	int64_t at;
	const char *hospital;
	struct mu_why why;
};

static int case_fn(struct db *d, void *arg)
{
	struct case_job *j = arg;
	switch (j->op) {
	case OP_OPEN:
		return control_case_open(d, &j->c, mu_now_unix(), &j->why);
	case OP_RECLASSIFY:
		return control_case_reclassify(d, j->c.id, j->kind);
	case OP_HOSPITALISE:
		return control_case_hospitalise(d, j->c.id, j->hospital, j->at, &j->why);
	case OP_DISCHARGE:
		return control_case_discharge(d, j->c.id, j->at, &j->why);
	}
	return MU_EINVAL;
}

/* Fails r with the job's reason when the store gave one. */
static int job_fail(struct http_req *r, int rc, const struct mu_why *why, const char *field)
{
	if (why->field)
		return http_fail(r, rc, why->field, mu_arena_sprintf(&r->arena, "%s", why->text));
	return field ? http_fail(r, rc, field, NULL) : rc;
}

/* POST /api/v1/cases */
int control__api_post_case(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"person",	      "kind",	  "onset",
					      "confirmed_at", "hospital", NULL};
	const struct auth_principal *p = auth_who(r);
	json_t *body;
	const char *kind, *onset = NULL, *hospital = NULL;
	struct case_job j = {.r = r, .op = OP_OPEN};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_need_str(r, body, "kind", &kind)) ||
	    (rc = time_member(r, body, "confirmed_at", false, &j.c.confirmed_at)))
		return rc;
	if (control_case_kind_parse(kind, &j.c.kind))
		return http_fail(r, MU_EINVAL, "kind", "kind is confirmed or asymptomatic");
	j.c.onset = CONTROL_NO_DATE;
	onset = http_json_str(body, "onset");
	if (json_object_get(body, "onset") && !json_is_null(json_object_get(body, "onset")) &&
	    (!onset || mu_date_parse(onset, &j.c.onset)))
		return http_fail(r, MU_EINVAL, "onset", "onset is a date YYYY-MM-DD");
	if (json_object_get(body, "hospital") && !json_is_null(json_object_get(body, "hospital"))) {
		if ((rc = http_json_text(r, body, "hospital", sizeof j.c.hospital - 1, &hospital)))
			return rc;
		snprintf(j.c.hospital, sizeof j.c.hospital, "%s", hospital);
		j.c.hospitalised_at = j.c.confirmed_at;
	}
	if ((rc = person_of(auth_req_db(r), json_object_get(body, "person"), "person",
			    &j.c.person_id, &j.why)))
		return job_fail(r, rc, &j.why, "person");
	j.c.user_id = p && p->kind == AUTH_KIND_USER ? p->id : 0;
	auth_record_person(r, j.c.person_id);
	if ((rc = auth_submit(r, case_fn, &j)))
		return rc == MU_EEXIST
			   ? http_fail(r, rc, "person",
				       mu_arena_sprintf(
					   &r->arena, "this person already has an open case (%lld)",
					   (long long)j.c.id))
			   : job_fail(r, rc, &j.why, NULL);
	return answer_case(r, resp, j.c.id, 201);
}

/* POST /api/v1/cases/{id}/reclassify|hospitalise|discharge */
static int post_case_op(struct http_req *r, struct http_resp *resp, enum case_op op)
{
	static const char *const a_kind[] = {"kind", NULL};
	static const char *const a_hosp[] = {"hospital", "at", NULL};
	static const char *const a_at[] = {"at", NULL};
	json_t *body;
	const char *kind;
	struct case_job j = {.r = r, .op = op};
	int rc = case_param(r, &j.c);
	if (rc || (rc = http_body_json(r, &body)))
		return rc;
	switch (op) {
	case OP_RECLASSIFY:
		if ((rc = http_json_only(r, body, a_kind)) ||
		    (rc = http_json_need_str(r, body, "kind", &kind)))
			return rc;
		if (control_case_kind_parse(kind, &j.kind))
			return http_fail(r, MU_EINVAL, "kind", "kind is confirmed or asymptomatic");
		break;
	case OP_HOSPITALISE:
		if ((rc = http_json_only(r, body, a_hosp)) ||
		    (rc = http_json_text(r, body, "hospital", CONTROL_HOSPITAL_MAX * 4,
					 &j.hospital)) ||
		    (rc = time_member(r, body, "at", false, &j.at)))
			return rc;
		break;
	default:
		if ((rc = http_json_only(r, body, a_at)) ||
		    (rc = time_member(r, body, "at", false, &j.at)))
			return rc;
		break;
	}
	auth_record_person(r, j.c.person_id);
	if ((rc = auth_submit(r, case_fn, &j))) {
		if (rc == MU_EEXIST && op == OP_RECLASSIFY)
			return http_fail(r, rc, "kind", "the case already is of this kind");
		return job_fail(r, rc, &j.why, NULL);
	}
	return answer_case(r, resp, j.c.id, 200);
}

int control__api_post_reclassify(struct http_req *r, struct http_resp *resp)
{
	return post_case_op(r, resp, OP_RECLASSIFY);
}

int control__api_post_hospitalise(struct http_req *r, struct http_resp *resp)
{
	return post_case_op(r, resp, OP_HOSPITALISE);
}

int control__api_post_discharge(struct http_req *r, struct http_resp *resp)
{
	return post_case_op(r, resp, OP_DISCHARGE);
}

/* ---- contacts ------------------------------------------------------------------------- */

struct contacts_job {
	int64_t case_id, user;
	struct control_contact_in *in; /* items named one by one, then the shortcuts' */
	size_t n, cap;
	struct control_contact_result *out;
	/* shortcuts, expanded on the writer so that the list is the committed one */
	bool household;
	int64_t building, exposure;
	size_t named; /* in[0..named) came from the body's items */
	size_t *slot; /* body item → in[] (SIZE_MAX: refused before the store) */
	bool too_many;
};

static void job_push(struct contacts_job *j, const struct control_contact_in *c)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 64;
		j->in = mu_xrealloc(j->in, j->cap * sizeof *j->in);
	}
	j->in[j->n++] = *c;
}

/* Adds the residents of place as close contacts of setting (the case's person and
 * anyone already named are left out). */
static int expand(struct db *d, struct contacts_job *j, int64_t place, int setting)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = control_contacts_residents(d, place, &ids, &n);
	if (rc)
		return rc;
	struct control_case c;
	if ((rc = control_case_get(d, j->case_id, &c))) {
		free(ids);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		bool named = ids[i] == c.person_id;
		for (size_t k = 0; k < j->named && !named; k++)
			named = j->in[k].person_id == ids[i];
		if (named)
			continue;
		if (j->n - j->named >= CONTACTS_RESIDENTS_MAX) {
			j->too_many = true;
			break;
		}
		job_push(j, &(struct control_contact_in){.person_id = ids[i],
							 .kind = CONTROL_CONTACT_CLOSE,
							 .setting = setting,
							 .last_exposure = j->exposure});
	}
	free(ids);
	return j->too_many ? MU_ETOOBIG : 0;
}

static int contacts_fn(struct db *d, void *arg)
{
	struct contacts_job *j = arg;
	struct control_case c;
	int rc;
	j->n = j->named;
	if (j->household) {
		if ((rc = control_case_get(d, j->case_id, &c)) ||
		    (rc = expand(d, j, c.household_id, CONTROL_SETTING_HOUSEHOLD)))
			return rc;
	}
	if (j->building && (rc = expand(d, j, j->building, CONTROL_SETTING_BUILDING)))
		return rc;
	j->out = mu_xrealloc(j->out, (j->n ? j->n : 1) * sizeof *j->out);
	return control_contacts_add(d, j->case_id, j->in, j->n, mu_now_unix(), j->user, j->out);
}

static json_t *item_error(int err, const struct mu_why *why)
{
	return json_pack("{s:s, s:s, s:o}", "code", mu_err_code(err), "message",
			 why->text[0] ? why->text : mu_err_msg(err), "field",
			 why->field ? json_string(why->field) : json_null());
}

static json_t *result_json(const struct control_contact_in *in,
			   const struct control_contact_result *x)
{
	static const char *const status[] = {"ok", "ok", "duplicate", "error"};
	json_t *o = json_pack("{s:s}", "status", status[x->status]);
	if (in)
		json_object_set_new(o, "person", json_integer(in->person_id));
	if (x->status == CONTROL_CONTACT_REFUSED) {
		json_object_set_new(o, "error", item_error(x->err, &x->why));
	} else {
		json_object_set_new(o, "id", json_integer(x->id));
		json_object_set_new(o, "moved", json_boolean(x->status == CONTROL_CONTACT_MOVED));
	}
	return o;
}

/* One item of the body: its person, kind, setting, exposure and via. A refusal goes to
 * pre (not an error of the call). */
static void parse_item(struct db *d, const json_t *it, struct control_contact_in *c,
		       struct control_contact_result *pre)
{
	static const char *const allowed[] = {"person",	       "kind", "setting",
					      "last_exposure", "via",  NULL};
	const char *kind = http_json_str(it, "kind"), *setting = http_json_str(it, "setting");
	const char *unknown;
	memset(pre, 0, sizeof *pre);
	memset(c, 0, sizeof *c);
	pre->status = CONTROL_CONTACT_REFUSED;
	pre->err = MU_EINVAL;
	if (!json_is_object(it)) {
		mu_why_set(&pre->why, MU_EINVAL, NULL, "a contact is an object");
		return;
	}
	if ((unknown = http_json_unknown(it, allowed))) {
		mu_why_set(&pre->why, MU_EINVAL, "contacts", "unknown member %s", unknown);
		return;
	}
	if (control_contact_kind_parse(kind, &c->kind)) {
		mu_why_set(&pre->why, MU_EINVAL, "kind", "kind is close or secondary");
		return;
	}
	if (control_setting_parse(setting ? setting : "other", &c->setting)) {
		mu_why_set(&pre->why, MU_EINVAL, "setting",
			   "setting is household, building, workplace, transport, same_space "
			   "or other");
		return;
	}
	const char *t = http_json_str(it, "last_exposure");
	if (!t || screening_time_parse(t, &c->last_exposure)) {
		mu_why_set(&pre->why, MU_EINVAL, "last_exposure", "must be an RFC 3339 time");
		return;
	}
	int rc = person_of(d, json_object_get(it, "person"), "person", &c->person_id, &pre->why);
	if (rc == 0 && json_object_get(it, "via") && !json_is_null(json_object_get(it, "via")))
		rc = person_of(d, json_object_get(it, "via"), "via", &c->via_person_id, &pre->why);
	if (rc) {
		pre->err = rc;
		return;
	}
	pre->status = CONTROL_CONTACT_ADDED; /* passed: the store answers */
	pre->err = 0;
}

/* POST /api/v1/cases/{id}/contacts */
int control__api_post_contacts(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"contacts", "household", "building", "last_exposure",
					      NULL};
	const struct auth_principal *p = auth_who(r);
	struct control_case c;
	json_t *body, *items;
	struct contacts_job j = {0};
	struct control_contact_result *pre = NULL;
	int rc = case_param(r, &c);
	if (rc || (rc = http_body_json(r, &body)) || (rc = http_json_only(r, body, allowed)))
		return rc;
	items = json_object_get(body, "contacts");
	const json_t *hh = json_object_get(body, "household");
	const char *bld = http_json_str(body, "building");
	if (items && (!json_is_array(items) || json_array_size(items) > CONTACTS_ITEMS_MAX))
		return http_fail(r, MU_EINVAL, "contacts", "contacts is an array of up to 1,000");
	if (hh && !json_is_boolean(hh))
		return http_fail(r, MU_EINVAL, "household", "household is true or false");
	j.household = hh && json_is_true(hh);
	if (json_object_get(body, "building") && !bld)
		return http_fail(r, MU_EINVAL, "building", "building is a place code");
	if (!json_array_size(items) && !j.household && !bld)
		return http_fail(r, MU_EINVAL, "contacts",
				 "name contacts, or the household or a building");
	if ((j.household || bld) &&
	    (rc = time_member(r, body, "last_exposure", false, &j.exposure)))
		return rc;
	if (bld) {
		struct places_node node;
		int64_t ids[PLACES_NLEVELS];
		int n;
		if ((rc = places_api_resolve(r, "building", bld, &node)))
			return rc;
		if (node.level < PLACES_COMPOUND)
			return http_fail(r, MU_EINVAL, "building",
					 "a building (or a compound or household) is named");
		if ((rc = places_path(auth_req_db(r), node.id, ids, &n)))
			return rc;
		if (!auth_within(p, ids, n))
			return auth_refuse(r);
		j.building = node.id;
	}
	j.case_id = c.id;
	j.user = p && p->kind == AUTH_KIND_USER ? p->id : 0;
	size_t nitems = json_array_size(items);
	pre = mu_xcalloc(nitems ? nitems : 1, sizeof *pre);
	j.slot = mu_xcalloc(nitems ? nitems : 1, sizeof *j.slot);
	for (size_t i = 0; i < nitems; i++) {
		struct control_contact_in in;
		parse_item(auth_req_db(r), json_array_get(items, i), &in, &pre[i]);
		j.slot[i] = SIZE_MAX;
		if (pre[i].status == CONTROL_CONTACT_REFUSED)
			continue;
		j.slot[i] = j.n;
		job_push(&j, &in);
	}
	j.named = j.n;
	r->record = mu_arena_sprintf(&r->arena, "case:%lld:contacts", (long long)c.id);
	rc = auth_submit(r, contacts_fn, &j);
	if (rc == MU_ETOOBIG) {
		rc = http_fail(r, rc, "building", "more than 10,000 people live there");
		goto out;
	}
	if (rc)
		goto out;
	json_t *results = json_array();
	int64_t counts[4] = {0};
	for (size_t i = 0; i < nitems; i++) {
		const struct control_contact_result *x =
		    j.slot[i] == SIZE_MAX ? &pre[i] : &j.out[j.slot[i]];
		counts[x->status]++;
		json_array_append_new(
		    results, result_json(j.slot[i] == SIZE_MAX ? NULL : &j.in[j.slot[i]], x));
	}
	for (size_t i = j.named; i < j.n; i++) {
		counts[j.out[i].status]++;
		json_array_append_new(results, result_json(&j.in[i], &j.out[i]));
	}
	resp->json =
	    json_pack("{s:I, s:o, s:I, s:I, s:I, s:I}", "case", (json_int_t)c.id, "results",
		      results, "added", (json_int_t)counts[0], "moved", (json_int_t)counts[1],
		      "duplicate", (json_int_t)counts[2], "refused", (json_int_t)counts[3]);
out:
	free(pre);
	free(j.slot);
	free(j.in);
	free(j.out);
	return rc;
}

/* ---- reads ------------------------------------------------------------------------------ */

struct case_page {
	struct http_req *r;
	json_t *arr;
	int limit, got;
	int64_t last;
	bool more;
	struct auth_people_record rec;
};

static int page_one(const struct control_case *c, void *ctx)
{
	struct case_page *pg = ctx;
	if (pg->got == pg->limit) {
		pg->more = true;
		return 1;
	}
	json_array_append_new(pg->arr, case_json(pg->r, c));
	auth_people_record_add(&pg->rec, c->person_id);
	pg->got++;
	pg->last = c->id;
	return 0;
}

/* GET /api/v1/cases?place=CODE&cursor=ID&limit=N: newest first. */
int control__api_get_cases(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	int64_t before;
	int limit, rc;
	if ((rc = places_api_query(r, &node)) ||
	    (rc = http_query_limit(r, CASES_PAGE, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &before)))
		return rc;
	struct case_page pg = {.r = r, .arr = json_array(), .limit = limit};
	auth_people_record_init(&pg.rec);
	rc = control_case_list(auth_req_db(r), node.id, before, page_one, &pg);
	auth_people_record_fini(&pg.rec, r);
	if (rc < 0) {
		json_decref(pg.arr);
		return rc;
	}
	resp->json =
	    json_pack("{s:o, s:o}", "cases", pg.arr, "cursor",
		      pg.more ? json_string(mu_arena_sprintf(&r->arena, "%lld", (long long)pg.last))
			      : json_null());
	return 0;
}

/* A share as JSON: null when there is nothing to share out. */
static json_t *share_json(int64_t part, int64_t whole)
{
	return whole ? json_real((double)part / (double)whole) : json_null();
}

/* ?k=YYYY-MM-DD, or def when absent. */
static int date_query(struct http_req *r, const char *k, int64_t def, int64_t *out)
{
	const char *v = http_query(r, k);
	*out = def;
	if (v && *v && mu_date_parse(v, out))
		return http_fail(r, MU_EINVAL, k, "a date is YYYY-MM-DD");
	return 0;
}

/* GET /api/v1/epi?place=CODE&from=DATE&to=DATE (Guangzhou dates; to defaults to today,
 * from to 89 days before it). */
int control__api_get_epi(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct control_epi e;
	int64_t from, to;
	int rc;
	if ((rc = places_api_query(r, &node)) ||
	    (rc = date_query(r, "to", control_gz_day(mu_now_unix()), &to)) ||
	    (rc = date_query(r, "from", to - (EPI_DEFAULT_DAYS - 1), &from)))
		return rc;
	if (to < from || to - from >= CONTROL_EPI_DAYS_MAX)
		return http_fail(r, MU_EINVAL, "from",
				 "from is on or before to, at most 731 days before");
	if ((rc = control_epi_get(auth_req_db(r), node.id, from, to, &e)))
		return rc;
	json_t *days = json_array(), *seen = json_array();
	for (size_t i = 0; i < e.ndays; i++) {
		const struct control_epi_day *x = &e.days[i];
		json_array_append_new(
		    days,
		    json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}", "date", date_json(x->date),
			      "confirmed", (json_int_t)x->confirmed, "asymptomatic",
			      (json_int_t)x->asymptomatic, "discharged", (json_int_t)x->discharged,
			      "cumulative", (json_int_t)x->cumulative, "discharged_cumulative",
			      (json_int_t)x->discharged_cumulative));
		json_array_append_new(
		    seen, json_pack("{s:o, s:o, s:I, s:I}", "date", date_json(x->date), "share",
				    share_json(x->seen, x->in_plans), "seen", (json_int_t)x->seen,
				    "in_plans", (json_int_t)x->in_plans));
	}
	const struct control_epi_day *last = &e.days[e.ndays - 1];
	resp->json = json_pack(
	    "{s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:{s:o, s:o, s:o}}", "place", node.code,
	    "name", node.name, "from", date_json(from), "to", date_json(to), "days_since_last_case",
	    e.last_case_date == CONTROL_NO_DATE ? json_null() : json_integer(to - e.last_case_date),
	    "cases", (json_int_t)e.cases, "cumulative", (json_int_t)last->cumulative,
	    "discharged_cumulative", (json_int_t)last->discharged_cumulative, "indicators",
	    "new_cases_from_contacts", share_json(e.from_contacts, e.cases), "contacts_listed_24h",
	    share_json(e.listed_24h, e.cases), "contacts_seen_daily", seen);
	json_object_set_new(resp->json, "days", days);
	control_epi_fini(&e);
	return 0;
}

/* GET /api/v1/chains/{id}: the chain holding the case's person. The first
 * HTTP_LIMIT_MAX people carry their masked names and make the read of each audited;
 * beyond them a node is its id alone. */
int control__api_get_chain(struct http_req *r, struct http_resp *resp)
{
	struct control_case c;
	struct control_chain ch;
	int rc = case_param(r, &c);
	if (rc)
		return rc;
	if ((rc = control_chain_get(auth_req_db(r), c.id, &ch)))
		return rc == MU_ETOOBIG
			   ? http_fail(r, rc, "id", "the chain holds more than 20,000 people")
			   : rc;
	json_t *nodes = json_array(), *edges = json_array(), *si = json_array();
	struct auth_people_record rec;
	auth_people_record_init(&rec);
	for (size_t i = 0; i < ch.nnodes; i++) {
		const struct control_chain_node *n = &ch.nodes[i];
		bool named = i < HTTP_LIMIT_MAX;
		if (named)
			auth_people_record_add(&rec, n->person_id);
		json_array_append_new(
		    nodes,
		    json_pack("{s:I, s:o, s:s, s:i, s:o}", "person", (json_int_t)n->person_id,
			      "name",
			      named ? masked_name(auth_req_db(r), n->person_id) : json_null(),
			      "role", control_role_name(n->role), "generation", n->generation,
			      "onset", date_json(n->onset)));
	}
	auth_people_record_fini(&rec, r);
	for (size_t e = 0; e < ch.nedges; e++) {
		const struct control_chain_edge *x = &ch.edges[e];
		json_array_append_new(edges, json_pack("{s:I, s:I, s:s, s:o}", "from",
						       (json_int_t)x->from, "to", (json_int_t)x->to,
						       "setting", control_setting_name(x->setting),
						       "at", time_json(x->at)));
		int64_t of = CONTROL_NO_DATE, ot = CONTROL_NO_DATE;
		for (size_t i = 0; i < ch.nnodes; i++) {
			if (ch.nodes[i].person_id == x->from)
				of = ch.nodes[i].onset;
			if (ch.nodes[i].person_id == x->to)
				ot = ch.nodes[i].onset;
		}
		if (of != CONTROL_NO_DATE && ot != CONTROL_NO_DATE)
			json_array_append_new(
			    si, json_pack("{s:I, s:I, s:I}", "from", (json_int_t)x->from, "to",
					  (json_int_t)x->to, "days", (json_int_t)(ot - of)));
	}
	resp->json = json_pack("{s:I, s:o, s:o, s:o}", "case", (json_int_t)c.id, "nodes", nodes,
			       "edges", edges, "serial_intervals", si);
	control_chain_fini(&ch);
	return 0;
}
