/* api_zones.c: the risk zones' routes — draw a zone on a street, community, compound or
 * building, lift it, downgrade it, and list the zones of a subtree with the people
 * inside, their statuses and colours, and each zone's lift or downgrade proposal. Every
 * write goes through auth_submit and marks the scan path's zone memory stale. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "auth/api.h"
#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "places/api.h"
#include "screening/screening.h"

/* ---- input ---------------------------------------------------------------------------- */

/* An optional RFC 3339 member into unix seconds; def when absent or null. */
static int time_member(struct http_req *r, const json_t *o, const char *k, int64_t def,
		       int64_t *out)
{
	const json_t *v = json_object_get(o, k);
	*out = def;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || screening_time_parse(json_string_value(v), out) || *out <= 0)
		return http_fail(r, MU_EINVAL, k, "must be an RFC 3339 time");
	return 0;
}

/* The zone of the path's {id}: 400 for a malformed id, 404 for an unknown zone. */
static int zone_param(struct http_req *r, struct control_zone *z)
{
	int64_t id;
	int rc;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], &id) || id <= 0)
		return http_fail(r, MU_EINVAL, "id", "a zone id is a positive integer");
	if ((rc = control_zone_get(auth_req_db(r), id, z)) == MU_ENOTFOUND)
		return http_fail(r, rc, "id", "no zone has this id");
	return rc;
}

/* A refusal's reason, copied into the request (the job holding it dies first). */
static int fail_why(struct http_req *r, int rc, const struct mu_why *why)
{
	if (!why->field)
		return rc;
	return http_fail(r, rc, why->field, mu_arena_sprintf(&r->arena, "%s", why->text));
}

/* ---- place resolvers -------------------------------------------------------------------- */

int control__api_place_of_zone_body(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	json_t *body;
	struct places_node node;
	int rc = http_body_json(r, &body);
	if (rc || (rc = places_api_resolve(r, "place", http_json_str(body, "place"), &node)))
		return rc;
	return places_path(auth_req_db(r), node.id, ids, n);
}

int control__api_place_of_zone(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct control_zone z;
	int rc = zone_param(r, &z);
	return rc ? rc : places_path(auth_req_db(r), z.place_id, ids, n);
}

/* ---- answers ------------------------------------------------------------------------------ */

static json_t *time_json(int64_t t)
{
	char buf[21];
	if (!t)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

/* The places from the street (or the highest level below the city and district) down
 * to the zone's place, as [{code, name, level}], for a name one can read. */
static int path_json(struct db *d, int64_t place, json_t **out)
{
	int64_t ids[PLACES_NLEVELS];
	int n, rc = places_path(d, place, ids, &n);
	*out = json_array();
	for (int i = 0; rc == 0 && i < n; i++) {
		struct places_node node;
		if ((rc = places_get(d, ids[i], &node)))
			break;
		if (node.level < PLACES_STREET)
			continue;
		json_array_append_new(*out,
				      json_pack("{s:s, s:s, s:s}", "code", node.code, "name",
						node.name, "level", places_level_name(node.level)));
	}
	return rc;
}

static json_t *conditions_json(const struct control_zone_census *c)
{
	json_t *arr = json_array();
	char when[21];
	for (int i = 0; i < CONTROL_ZONE_NCONDS; i++) {
		const char *text;
		json_t *o =
		    json_pack("{s:s, s:b}", "code", control_zone_cond_code(i), "ok", c->ok[i]);
		char buf[160];
		switch (i) {
		case CONTROL_ZONE_NO_NEW_CASE:
			if (c->last_case_at) {
				screening_time_format(c->last_case_at, when);
				snprintf(buf, sizeof buf,
					 "the last case inside was confirmed at %s%s", when,
					 c->ok[i] ? ", more than 14 days ago" : "");
				text = buf;
			} else {
				text = "no case inside";
			}
			json_object_set_new(o, "last_case_at", time_json(c->last_case_at));
			break;
		case CONTROL_ZONE_CONTACTS_PAST:
			if (c->last_exposure) {
				screening_time_format(c->last_exposure, when);
				snprintf(buf, sizeof buf,
					 "the last close contact of its cases was exposed at %s%s",
					 when, c->ok[i] ? ", more than 14 days ago" : "");
				text = buf;
			} else {
				text = "no close contact of a case inside";
			}
			json_object_set_new(o, "last_exposure", time_json(c->last_exposure));
			break;
		default:
			snprintf(
			    buf, sizeof buf,
			    "%lld of %lld people inside have no negative test in the last 2 days",
			    (long long)c->untested, (long long)c->people);
			text = buf;
			json_object_set_new(o, "untested", json_integer(c->untested));
			break;
		}
		json_object_set_new(o, "text", json_string(text));
		json_array_append_new(arr, o);
	}
	return arr;
}

static int zone_json(struct db *d, const struct control_zone *z,
		     const struct control_zone_census *c, json_t **out)
{
	struct places_node node;
	json_t *path;
	int rc = places_get(d, z->place_id, &node);
	if (rc || (rc = path_json(d, z->place_id, &path)))
		return rc;
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:s, s:o}", "id", (json_int_t)z->id,
	    "place", node.code, "name", node.name, "place_level", places_level_name(node.level),
	    "path", path, "level", control_zone_level_name(z->level), "measures",
	    control_zone_measures_name(z->measures), "from", time_json(z->from_at), "lifted_at",
	    time_json(z->lifted_at), "reason", z->reason, "prev",
	    z->prev_id ? json_integer(z->prev_id) : json_null());
	if (c) {
		json_t *st = json_object();
		for (int k = 0; k < CONTROL_NKEYS; k++)
			json_object_set_new(st, control_key_name(k), json_integer(c->status[k]));
		json_object_set_new(o, "people", json_integer(c->people));
		json_object_set_new(o, "households", json_integer(c->households));
		json_object_set_new(o, "statuses", st);
		json_object_set_new(o, "colours",
				    json_pack("{s:I, s:I, s:I}", "green", (json_int_t)c->colour[0],
					      "yellow", (json_int_t)c->colour[1], "red",
					      (json_int_t)c->colour[2]));
		json_t *p = json_pack("{s:s, s:b, s:o}", "action",
				      c->action == CONTROL_ZONE_LIFT ? "lift" : "downgrade",
				      "ready", c->ready, "conditions", conditions_json(c));
		if (c->action == CONTROL_ZONE_DOWNGRADE)
			json_object_set_new(p, "to",
					    json_string(control_zone_level_name(c->to_level)));
		json_object_set_new(o, "proposal", p);
	}
	*out = o;
	return 0;
}

/* ---- writes ------------------------------------------------------------------------------ */

enum { OP_CREATE, OP_LIFT, OP_DOWNGRADE };

struct zone_job {
	struct http_req *r;
	int op;
	struct control_zone z; /* create: the zone; downgrade: the new one */
	int64_t id, at, now, n;
	int level, measures;
	struct mu_why why;
};

static int zone_fn(struct db *d, void *arg)
{
	struct zone_job *j = arg;
	int rc;
	switch (j->op) {
	case OP_CREATE:
		rc = control_zone_create(d, &j->z, j->now, &j->n, &j->why);
		break;
	case OP_LIFT:
		rc = control_zone_lift(d, j->id, j->at, &j->n, &j->why);
		break;
	default:
		rc = control_zone_downgrade(d, j->id, j->level, j->measures, j->at, j->z.user_id,
					    &j->z, &j->why);
		break;
	}
	if (rc == 0)
		j->r->record = mu_arena_sprintf(&j->r->arena, "zone:%lld",
						(long long)(j->op == OP_LIFT ? j->id : j->z.id));
	return rc;
}

/* Runs the job on the writer; the zone memory of the scan path is stale after it,
 * whatever came of it (a batch that failed to commit took the zone back with it). */
static int zone_submit(struct http_req *r, struct zone_job *j)
{
	int rc = auth_submit(r, zone_fn, j);
	control__zones_changed();
	return rc;
}

static int64_t user_of(const struct http_req *r)
{
	const struct auth_principal *p = auth_who(r);
	return p && p->kind == AUTH_KIND_USER ? p->id : 0;
}

int control__api_post_zone(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"place", "level", "measures", "from", "reason", NULL};
	json_t *body, *zj;
	const char *level, *measures, *reason;
	struct places_node node;
	struct zone_job j = {.r = r, .op = OP_CREATE, .now = mu_now_unix()};
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)) ||
	    (rc = places_api_resolve(r, "place", http_json_str(body, "place"), &node)) ||
	    (rc = http_json_need_str(r, body, "level", &level)) ||
	    (rc = time_member(r, body, "from", j.now, &j.z.from_at)) ||
	    (rc = http_json_text(r, body, "reason", sizeof j.z.reason - 1, &reason)))
		return rc;
	if (control_zone_level_parse(level, &j.z.level))
		return http_fail(r, MU_EINVAL, "level", "level is high, medium or low");
	measures = http_json_str(body, "measures");
	if (json_object_get(body, "measures") &&
	    control_zone_measures_parse(measures, &j.z.measures))
		return http_fail(r, MU_EINVAL, "measures",
				 "measures are sealed, controlled or precaution");
	if (!json_object_get(body, "measures"))
		j.z.measures = j.z.level == CONTROL_ZONE_HIGH	  ? CONTROL_MEASURES_SEALED
			       : j.z.level == CONTROL_ZONE_MEDIUM ? CONTROL_MEASURES_CONTROLLED
								  : CONTROL_MEASURES_PRECAUTION;
	j.z.place_id = node.id;
	j.z.user_id = user_of(r);
	snprintf(j.z.reason, sizeof j.z.reason, "%s", reason);
	if ((rc = zone_submit(r, &j)))
		return fail_why(r, rc, &j.why);
	if ((rc = zone_json(auth_req_db(r), &j.z, NULL, &zj)))
		return rc;
	resp->status = 201;
	resp->json = json_pack("{s:I, s:o, s:I}", "id", (json_int_t)j.z.id, "zone", zj, "sealed",
			       (json_int_t)j.n);
	return 0;
}

int control__api_post_lift(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"at", NULL};
	json_t *body, *zj;
	struct zone_job j = {.r = r, .op = OP_LIFT};
	int rc = zone_param(r, &j.z);
	if (rc || (rc = http_body_json(r, &body)) || (rc = http_json_only(r, body, allowed)) ||
	    (rc = time_member(r, body, "at", mu_now_unix(), &j.at)))
		return rc;
	j.id = j.z.id;
	if ((rc = zone_submit(r, &j)))
		return fail_why(r, rc, &j.why);
	if ((rc = control_zone_get(auth_req_db(r), j.id, &j.z)) ||
	    (rc = zone_json(auth_req_db(r), &j.z, NULL, &zj)))
		return rc;
	resp->json = json_pack("{s:o, s:I}", "zone", zj, "ended", (json_int_t)j.n);
	return 0;
}

int control__api_post_downgrade(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"level", "measures", "at", NULL};
	json_t *body, *zj;
	const char *level;
	struct zone_job j = {.r = r, .op = OP_DOWNGRADE, .measures = -1};
	int rc = zone_param(r, &j.z);
	if (rc || (rc = http_body_json(r, &body)) || (rc = http_json_only(r, body, allowed)) ||
	    (rc = http_json_need_str(r, body, "level", &level)) ||
	    (rc = time_member(r, body, "at", mu_now_unix(), &j.at)))
		return rc;
	if (control_zone_level_parse(level, &j.level))
		return http_fail(r, MU_EINVAL, "level", "level is high, medium or low");
	if (json_object_get(body, "measures") &&
	    control_zone_measures_parse(http_json_str(body, "measures"), &j.measures))
		return http_fail(r, MU_EINVAL, "measures",
				 "measures are sealed, controlled or precaution");
	j.id = j.z.id;
	j.z.user_id = user_of(r);
	if ((rc = zone_submit(r, &j)))
		return fail_why(r, rc, &j.why);
	if ((rc = zone_json(auth_req_db(r), &j.z, NULL, &zj)))
		return rc;
	resp->status = 201;
	resp->json = json_pack("{s:I, s:o}", "id", (json_int_t)j.z.id, "zone", zj);
	return 0;
}

/* ---- reads ------------------------------------------------------------------------------- */

struct listing {
	struct db *d;
	struct control_zone_facts *facts;
	int64_t now;
	json_t *arr;
};

static int list_one(const struct control_zone *z, void *ctx)
{
	struct listing *l = ctx;
	struct control_zone_census c;
	json_t *o;
	int rc = 0;
	if (!z->lifted_at && (rc = control_zone_census(l->d, l->facts, z, l->now, &c)))
		return rc;
	if ((rc = zone_json(l->d, z, z->lifted_at ? NULL : &c, &o)))
		return rc;
	json_array_append_new(l->arr, o);
	return 0;
}

int control__api_get_zones(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	const char *all = http_query(r, "all");
	int rc = places_api_query(r, &node);
	if (rc)
		return rc;
	if (all && strcmp(all, "0") && strcmp(all, "1"))
		return http_fail(r, MU_EINVAL, "all", "all is 0 or 1");
	struct listing l = {.d = auth_req_db(r), .now = mu_now_unix(), .arr = json_array()};
	if ((rc = control_zone_facts_new(l.d, &l.facts)) == 0)
		rc = control_zone_list(l.d, node.id, all && !strcmp(all, "1"), list_one, &l);
	control_zone_facts_free(l.facts);
	return http_resp_list(resp, "zones", l.arr, rc);
}
