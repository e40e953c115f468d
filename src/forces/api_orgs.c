/* api_orgs.c: the organisations' HTTP face — adding and listing a subtree's
 * organisations, one organisation with its members (residents' names in full only to
 * callers whose jurisdiction holds their household, masked otherwise; every person read
 * audited), adding members answered per item, and forming a compound. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "api.h"
#include "auth/api.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/api.h"
#include "screening/screening.h"

#define ORG_PAGE     100
#define MEMBERS_MAX  1000 /* members added by one request */
#define MEMBERS_PAGE 200

static struct people_keys keys;
static bool keys_ready;

int forces__api_orgs_init(const char *db_path)
{
	int rc = people_keys_load(db_path, &keys);
	keys_ready = rc == 0;
	return rc;
}

void forces__api_orgs_fini(void)
{
	sodium_memzero(&keys, sizeof keys);
	keys_ready = false;
}

const struct people_keys *forces__api_keys(void)
{
	MU_ASSERT(keys_ready);
	return &keys;
}

json_t *forces__api_time_json(int64_t t)
{
	char buf[21];
	if (!t)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

json_t *forces__api_place_json(struct db *d, int64_t place)
{
	struct places_node n;
	if (places_get(d, place, &n))
		return json_null();
	return json_pack("{s:s, s:s, s:s}", "code", n.code, "name", n.name, "level",
			 places_level_name(n.level));
}

int forces__api_org_param(struct http_req *r, struct forces_org *o)
{
	int64_t id;
	int rc;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], &id) || id <= 0)
		return http_fail(r, MU_EINVAL, "id", "an organisation id is a positive integer");
	rc = forces_org_get(auth_req_db(r), id, o);
	return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no organisation has this id") : rc;
}

int forces__api_place_of_org(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct forces_org o;
	int rc = forces__api_org_param(r, &o);
	return rc ? rc : places_path(auth_req_db(r), o.place_id, ids, n);
}

int forces__api_place_of_body(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	struct places_node node;
	int rc = http_body_json(r, &body);
	if (rc || (rc = places_api_resolve(r, "place", http_json_str(body, "place"), &node)))
		return rc;
	return places_path(auth_req_db(r), node.id, ids, n);
}

static int64_t user_of(const struct http_req *r)
{
	const struct auth_principal *p = auth_who(r);
	return p && p->kind == AUTH_KIND_USER ? p->id : 0;
}

int forces__api_person(struct http_req *r, const json_t *v, int64_t *id)
{
	int64_t hh;
	const char *text = json_string_value(v);
	int rc;
	if (json_is_integer(v)) {
		*id = json_integer_value(v);
		return *id > 0 ? people_household_of(auth_req_db(r), *id, &hh) : MU_ENOTFOUND;
	}
	if (!text)
		return MU_EINVAL;
	rc = people_resolve(auth_req_db(r), &keys, text, id, &hh);
	/* Not a code or an ID number on record: a row id written as text. */
	if (rc == MU_ENOTFOUND && mu_parse_i64(text, id) == 0 && *id > 0)
		rc = people_household_of(auth_req_db(r), *id, &hh);
	return rc;
}

int forces__api_why_fail(struct http_req *r, int rc, const struct mu_why *why)
{
	if (!why->field)
		return rc;
	return http_fail(r, rc, why->field,
			 mu_arena_strndup(&r->arena, why->text, strlen(why->text)));
}

int64_t forces__api_user(const struct http_req *r)
{
	return user_of(r);
}

static json_t *org_json(struct db *d, const struct forces_org *o)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:I, s:b, s:b, s:o}", "id", (json_int_t)o->id,
			 "kind", forces_kind_name(o->kind), "name", o->name, "place",
			 forces__api_place_json(d, o->place_id), "parent",
			 o->parent_id ? json_integer(o->parent_id) : json_null(), "members",
			 (json_int_t)o->members, "standing", o->standing, "active", o->active,
			 "created_at", forces__api_time_json(o->created_at));
}

/* ---- POST /api/v1/orgs ------------------------------------------------------------------ */

struct org_job {
	struct http_req *r;
	struct forces_org o;
	struct mu_why why;
};

static int org_add_fn(struct db *d, void *arg)
{
	struct org_job *j = arg;
	int rc = forces_org_add(d, &j->o, &j->why);
	if (rc == 0)
		j->r->record = mu_arena_sprintf(&j->r->arena, "org:%lld", (long long)j->o.id);
	return rc;
}

int forces__api_post_org(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"kind", "name", "place", "parent", "standing", NULL};
	json_t *body;
	const char *kind, *name;
	struct places_node node;
	int64_t parent, standing;
	struct org_job j = {.r = r};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_need_str(r, body, "kind", &kind)) ||
	    (rc = http_json_text(r, body, "name", PLACES_NAME_MAX * 4, &name)) ||
	    (rc = http_json_int(r, body, "parent", 1, INT64_MAX, 0, &parent)) ||
	    (rc = http_json_int(r, body, "standing", 0, 1, 0, &standing)))
		return rc;
	if (forces_kind_parse(kind, &j.o.kind))
		return http_fail(r, MU_EINVAL, "kind", "not a kind of organisation");
	if ((rc = places_api_resolve(r, "place", http_json_str(body, "place"), &node)))
		return rc;
	snprintf(j.o.name, sizeof j.o.name, "%s", name);
	j.o.place_id = node.id;
	j.o.parent_id = parent;
	j.o.standing = standing != 0;
	j.o.created_at = mu_now_unix();
	if ((rc = auth_submit(r, org_add_fn, &j)))
		return forces__api_why_fail(r, rc, &j.why);
	resp->status = 201;
	resp->json = json_pack("{s:I, s:o}", "id", (json_int_t)j.o.id, "org",
			       org_json(auth_req_db(r), &j.o));
	return 0;
}

/* ---- GET /api/v1/orgs ------------------------------------------------------------------ */

struct org_list {
	struct db *d;
	json_t *arr;
};

static int list_one(const struct forces_org *o, void *ctx)
{
	struct org_list *l = ctx;
	json_array_append_new(l->arr, org_json(l->d, o));
	return 0;
}

int forces__api_get_orgs(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	struct org_list l = {.d = auth_req_db(r)};
	const char *kind = http_query(r, "kind");
	int k = -1, limit, rc;
	int64_t after, next;
	if ((rc = places_api_query(r, &node)) ||
	    (rc = http_query_limit(r, ORG_PAGE, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &after)))
		return rc;
	if (kind && *kind && forces_kind_parse(kind, &k))
		return http_fail(r, MU_EINVAL, "kind", "not a kind of organisation");
	l.arr = json_array();
	rc = forces_org_list(l.d, node.id, k, after, limit, list_one, &l, &next);
	if (rc) {
		json_decref(l.arr);
		return rc;
	}
	resp->json = json_pack("{s:o, s:o}", "orgs", l.arr, "cursor",
			       next ? json_sprintf("%lld", (long long)next) : json_null());
	return 0;
}

/* ---- GET /api/v1/orgs/{id} ------------------------------------------------------------------ */

struct member_list {
	struct http_req *r;
	struct db *d;
	json_t *arr;
	struct auth_people_record rec;
};

static int member_one(const struct forces_member *m, void *ctx)
{
	struct member_list *l = ctx;
	json_t *o =
	    json_pack("{s:I, s:s, s:b, s:b, s:b, s:o, s:o, s:o}", "id", (json_int_t)m->id, "role",
		      m->role, "party", m->party, "medic", m->medic, "police", m->police, "person",
		      m->person_id ? json_integer(m->person_id) : json_null(), "user",
		      m->user_id ? json_string(m->username) : json_null(), "from_org",
		      m->from_org ? json_integer(m->from_org) : json_null());
	if (m->person_id) {
		struct people_person p;
		int64_t ids[PLACES_NLEVELS];
		int n, rc;
		if ((rc = people_get(l->d, &keys, m->person_id, &p)) ||
		    (rc = places_path(l->d, p.household_id, ids, &n))) {
			json_decref(o);
			return rc;
		}
		/* In full where the caller serves the household, as people/ shows it. */
		bool serves = auth_within(auth_who(l->r), ids, n);
		if (serves) {
			json_object_set_new(o, "name", json_string(p.name));
		} else {
			struct people_mask mk;
			char text[PEOPLE_MASK_MAX + 1];
			people_mask_of(p.name, &mk);
			people_mask_text(&mk, text);
			json_object_set_new(o, "name", json_string(text));
		}
		json_object_set_new(o, "masked", json_boolean(!serves));
		sodium_memzero(&p, sizeof p);
		auth_people_record_add(&l->rec, m->person_id);
	}
	json_array_append_new(l->arr, o);
	return 0;
}

int forces__api_get_org(struct http_req *r, struct http_resp *resp)
{
	struct forces_org o;
	struct member_list l = {.r = r, .d = auth_req_db(r)};
	int64_t after, next;
	int limit, rc;
	if ((rc = forces__api_org_param(r, &o)) ||
	    (rc = http_query_limit(r, MEMBERS_PAGE, HTTP_LIMIT_MAX, &limit)) ||
	    (rc = http_query_cursor_id(r, &after)))
		return rc;
	l.arr = json_array();
	auth_people_record_init(&l.rec);
	rc = forces_member_list(l.d, o.id, after, limit, member_one, &l, &next);
	auth_people_record_fini(&l.rec, r);
	if (rc) {
		json_decref(l.arr);
		return rc;
	}
	resp->json =
	    json_pack("{s:o, s:o, s:o}", "org", org_json(l.d, &o), "members", l.arr, "cursor",
		      next ? json_sprintf("%lld", (long long)next) : json_null());
	return 0;
}

/* ---- POST /api/v1/orgs/{id}/members --------------------------------------------------------- */

struct member_item {
	struct forces_member m;
	int err;
	struct mu_why why;
};

struct members_job {
	struct member_item *items;
	size_t n;
};

static int members_fn(struct db *d, void *arg)
{
	struct members_job *j = arg;
	for (size_t i = 0; i < j->n; i++) {
		struct member_item *x = &j->items[i];
		int rc;
		if (x->err)
			continue;
		/* Each item stands alone: a refused one leaves the others in. */
		if ((rc = db_tx_begin(d)))
			return rc;
		x->err = forces_member_add(d, &x->m, &x->why);
		if ((rc = x->err ? db_tx_rollback(d) : db_tx_commit(d)))
			return rc;
		if (x->err && x->err != MU_EEXIST && x->err != MU_ENOTFOUND && x->err != MU_EINVAL)
			return x->err;
	}
	return 0;
}

static json_t *item_error(int err, const char *field, const char *msg)
{
	return json_pack("{s:s, s:s, s:o}", "code", mu_err_code(err), "message",
			 msg && *msg ? msg : mu_err_msg(err), "field",
			 field ? json_string(field) : json_null());
}

/* One item of the body into x: a person (resolved as scans resolve them) or a user. */
static void member_item(struct http_req *r, json_t *it, int64_t org, struct member_item *x)
{
	static const char *const allowed[] = {"person", "user",	  "role", "party",
					      "medic",	"police", NULL};
	json_t *person = json_object_get(it, "person");
	const char *user = http_json_str(it, "user");
	const char *role = http_json_str(it, "role"), *k;
	x->m.org_id = org;
	x->m.added_at = mu_now_unix();
	if (!json_is_object(it)) {
		x->err = mu_why_set(&x->why, MU_EINVAL, NULL, "an item is an object");
		return;
	}
	if ((k = http_json_unknown(it, allowed))) {
		x->err = mu_why_set(&x->why, MU_EINVAL, "member", HTTP_MSG_UNKNOWN_MEMBER);
		return;
	}
	if (!person == !user) {
		x->err =
		    mu_why_set(&x->why, MU_EINVAL, "person", "a person or a user, one of them");
		return;
	}
	static const char *const flags[] = {"party", "medic", "police"};
	bool *dst[] = {&x->m.party, &x->m.medic, &x->m.police};
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(it, flags[i]);
		if (v && !json_is_boolean(v)) {
			x->err = mu_why_set(&x->why, MU_EINVAL, flags[i], "true or false");
			return;
		}
		*dst[i] = v && json_is_true(v);
	}
	snprintf(x->m.role, sizeof x->m.role, "%s", role ? role : "member");
	if (role && strlen(role) > FORCES_ROLE_MAX) {
		x->err =
		    mu_why_set(&x->why, MU_EINVAL, "role", "at most %d bytes", FORCES_ROLE_MAX);
		return;
	}
	if (person) {
		int rc = forces__api_person(r, person, &x->m.person_id);
		if (rc == MU_EINVAL)
			x->err = mu_why_set(&x->why, rc, "person",
					    "a person is an id, an ID number or a personal code");
		else if (rc)
			x->err = rc == MU_ENOTFOUND ? mu_why_set(&x->why, rc, "person",
								 "nobody has this id, code or ID")
						    : rc;
		return;
	}
	struct auth_user u;
	int rc = auth_user_get(auth_req_db(r), user, &u);
	if (rc) {
		x->err = rc == MU_ENOTFOUND
			     ? mu_why_set(&x->why, rc, "user", "no user has this name")
			     : rc;
		return;
	}
	x->m.user_id = u.id;
	snprintf(x->m.username, sizeof x->m.username, "%s", u.username);
}

int forces__api_post_members(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"members", NULL};
	struct forces_org o;
	json_t *body, *arr;
	struct auth_people_record rec;
	int rc;
	if ((rc = forces__api_org_param(r, &o)) || (rc = http_body_json(r, &body)) ||
	    (rc = http_json_only(r, body, allowed)))
		return rc;
	arr = json_object_get(body, "members");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return http_fail(r, MU_EINVAL, "members", "required, a non-empty array");
	if (json_array_size(arr) > MEMBERS_MAX)
		return http_fail(r, MU_ETOOBIG, "members", "at most 1000 members per request");
	struct members_job j = {.n = json_array_size(arr)};
	j.items = mu_arena_alloc(&r->arena, j.n * sizeof *j.items);
	memset(j.items, 0, j.n * sizeof *j.items);
	auth_people_record_init(&rec);
	for (size_t i = 0; i < j.n; i++) {
		member_item(r, json_array_get(arr, i), o.id, &j.items[i]);
		if (j.items[i].err && j.items[i].err != MU_EINVAL &&
		    j.items[i].err != MU_ENOTFOUND) {
			auth_people_record_fini(&rec, r);
			return j.items[i].err;
		}
		if (j.items[i].m.person_id)
			auth_people_record_add(&rec, j.items[i].m.person_id);
	}
	auth_people_record_fini(&rec, r);
	if (!r->record)
		r->record = mu_arena_sprintf(&r->arena, "org:%lld", (long long)o.id);
	if ((rc = auth_submit(r, members_fn, &j)))
		return rc;
	json_t *out = json_array();
	size_t added = 0;
	for (size_t i = 0; i < j.n; i++) {
		struct member_item *x = &j.items[i];
		json_t *it = json_pack("{s:s}", "status", x->err ? "error" : "ok");
		if (x->err)
			json_object_set_new(it, "error",
					    item_error(x->err, x->why.field, x->why.text));
		else
			json_object_set_new(it, "id", json_integer(x->m.id)), added++;
		if (x->m.person_id)
			json_object_set_new(it, "person", json_integer(x->m.person_id));
		json_array_append_new(out, it);
	}
	resp->json = json_pack("{s:o, s:I}", "results", out, "added", (json_int_t)added);
	return 0;
}

/* ---- POST /api/v1/forces/form --------------------------------------------------------------- */

struct form_job {
	struct http_req *r;
	int64_t place;
	struct forces_form_report rp;
	struct mu_why why;
};

static int form_fn(struct db *d, void *arg)
{
	struct form_job *j = arg;
	int rc = forces_form(d, &keys, j->place, mu_now_unix(), &j->rp, &j->why);
	if (rc == 0)
		j->r->record = mu_arena_sprintf(&j->r->arena, "org:%lld", (long long)j->rp.branch);
	return rc;
}

json_t *forces__api_form_json(const struct forces_form_report *rp)
{
	return json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I}", "branch", (json_int_t)rp->branch,
	    "branches", (json_int_t)1, "groups", (json_int_t)rp->groups, "members",
	    (json_int_t)rp->members, "volunteers", (json_int_t)rp->volunteers, "volunteer_team",
	    rp->volunteer_team ? json_integer(rp->volunteer_team) : json_null(), "buildings",
	    (json_int_t)rp->buildings, "residents", (json_int_t)rp->residents);
}

int forces__api_post_form(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"place", NULL};
	json_t *body;
	struct places_node node;
	struct form_job j = {.r = r};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = places_api_resolve(r, "place", http_json_str(body, "place"), &node)))
		return rc;
	j.place = node.id;
	if ((rc = auth_submit(r, form_fn, &j)))
		return forces__api_why_fail(r, rc, &j.why);
	resp->status = 201;
	resp->json = forces__api_form_json(&j.rp);
	return 0;
}
