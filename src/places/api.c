/* api.c: the places read API — GET /api/v1/places/{code} (the node, its path from the
 * root and its first children, with the counts of what lies below each) and
 * GET /api/v1/places/{code}/children (the children, a page at a time). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "core/core.h"
#include "db/db.h"
#include "http/http.h"
#include "places.h"

#define CHILDREN_DEFAULT 200
#define CHILDREN_MAX	 1000

/* Every role that works with places reads them; labs see tubes only. */
#define READ                                                                                       \
	(AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF) |                        \
	 AUTH_R(AUTH_GRID_WORKER) | AUTH_R(AUTH_OPERATOR) | AUTH_R(AUTH_AUDITOR) |                 \
	 AUTH_R(AUTH_SAMPLER))

/* The same columns places.c reads, for the page of children below. */
static const char sql_children_page[] =
    "SELECT id, parent_id, level, code, name, n_districts, n_streets, n_communities,"
    " n_grids, n_compounds, n_buildings, n_households, n_people"
    " FROM places WHERE parent_id = ?1 AND code > ?2 ORDER BY code LIMIT ?3";

static void read_node(struct db_stmt *s, struct places_node *n)
{
	memset(n, 0, sizeof *n);
	n->id = db_col_i64(s, 0);
	n->parent_id = db_col_i64(s, 1);
	n->level = (int)db_col_i64(s, 2);
	snprintf(n->code, sizeof n->code, "%s", db_col_text(s, 3));
	snprintf(n->name, sizeof n->name, "%s", db_col_text(s, 4));
	for (int l = PLACES_DISTRICT; l <= PLACES_HOUSEHOLD; l++)
		n->below[l] = db_col_i64(s, 4 + l);
	n->people = db_col_i64(s, 12);
}

/* {"districts":…, …, "households":…, "people":…} of a node. */
static json_t *counts_json(const struct places_node *n)
{
	static const char *const keys[PLACES_NLEVELS] = {NULL,		"districts", "streets",
							 "communities", "grids",     "compounds",
							 "buildings",	"households"};
	json_t *o = json_object();
	for (int l = PLACES_DISTRICT; l <= PLACES_HOUSEHOLD; l++)
		json_object_set_new(o, keys[l], json_integer(n->below[l]));
	json_object_set_new(o, "people", json_integer(n->people));
	return o;
}

static json_t *child_json(const struct places_node *n)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:o}", "code", n->code, "name", n->name, "level",
			 places_level_name(n->level), "people", (json_int_t)n->people, "counts",
			 counts_json(n));
}

/* Checks the {code} of the path: 400 on field "code" when it cannot be a code. */
static int code_param(struct http_req *r, const char **code)
{
	*code = "";
	if (r->nparams < 1 || places_code_check(r->params[0], NULL))
		return http_fail(r, MU_EINVAL, "code",
				 "a place code is 1 to 32 letters, digits or '-'");
	*code = r->params[0];
	return 0;
}

/* The place resolver of both routes: the path of ids of the place named in the URL. */
static int place_of_code(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	const char *code;
	struct places_node node;
	int rc = code_param(r, &code);
	if (rc)
		return rc;
	if ((rc = places_find(auth_db(), code, &node)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "code", "no place has this code") : rc;
	return places_path(auth_db(), node.id, ids, n);
}

/* Appends up to limit children of parent after code `after` ("" for the first) to arr;
 * *next is the last code returned when more follow, else NULL (arena string). */
static int children_page(struct http_req *r, int64_t parent, const char *after, int limit,
			 json_t *arr, const char **next)
{
	struct db_stmt *s;
	struct places_node n;
	int rc = db_prepare(auth_db(), sql_children_page, &s), got = 0;
	*next = NULL;
	if (rc)
		return rc;
	db_bind_i64(s, 1, parent);
	db_bind_text(s, 2, after, -1);
	db_bind_i64(s, 3, (int64_t)limit + 1); /* one more tells whether a next page exists */
	while ((rc = db_step(s)) == DB_ROW) {
		read_node(s, &n);
		if (got == limit) {
			const char *last = json_string_value(
			    json_object_get(json_array_get(arr, json_array_size(arr) - 1), "code"));
			*next = mu_arena_strndup(&r->arena, last, strlen(last));
			break;
		}
		json_array_append_new(arr, child_json(&n));
		got++;
	}
	db_stmt_done(s);
	return rc < 0 ? rc : 0;
}

/* GET /api/v1/places/{code} */
static int get_place(struct http_req *r, struct http_resp *resp)
{
	const char *code, *next;
	struct places_node node, anc;
	int64_t ids[PLACES_NLEVELS];
	int n, rc;
	if ((rc = code_param(r, &code)))
		return rc;
	struct db *d = auth_db();
	if ((rc = places_find(d, code, &node)) || (rc = places_path(d, node.id, ids, &n)))
		return rc;
	json_t *path = json_array();
	for (int i = 0; i + 1 < n; i++) {
		if ((rc = places_get(d, ids[i], &anc))) {
			json_decref(path);
			return rc;
		}
		json_array_append_new(path,
				      json_pack("{s:s, s:s, s:s}", "code", anc.code, "name",
						anc.name, "level", places_level_name(anc.level)));
	}
	json_t *children = json_array();
	if ((rc = children_page(r, node.id, "", CHILDREN_DEFAULT, children, &next))) {
		json_decref(path);
		json_decref(children);
		return rc;
	}
	json_t *place = json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)node.id, "code",
				  node.code, "name", node.name, "level",
				  places_level_name(node.level), "counts", counts_json(&node));
	resp->json = json_pack("{s:o, s:o, s:o, s:o}", "place", place, "path", path, "children",
			       children, "children_cursor", next ? json_string(next) : json_null());
	return 0;
}

/* Reads ?limit= (1..max, default def) into *out; 400 on field "limit" otherwise. */
static int limit_param(struct http_req *r, int def, int max, int *out)
{
	const char *v = http_query(r, "limit");
	int64_t n;
	*out = def;
	if (!v)
		return 0;
	if (mu_parse_i64(v, &n) || n < 1 || n > max)
		return http_fail(r, MU_EINVAL, "limit", "limit must be an integer from 1 to 1000");
	*out = (int)n;
	return 0;
}

/* GET /api/v1/places/{code}/children?cursor=CODE&limit=N */
static int get_children(struct http_req *r, struct http_resp *resp)
{
	const char *code, *next, *cursor = http_query(r, "cursor");
	struct places_node node;
	int limit, rc;
	if ((rc = code_param(r, &code)) ||
	    (rc = limit_param(r, CHILDREN_DEFAULT, CHILDREN_MAX, &limit)))
		return rc;
	if (cursor && places_code_check(cursor, NULL))
		return http_fail(r, MU_EINVAL, "cursor",
				 "the cursor is a place code from a previous page");
	if ((rc = places_find(auth_db(), code, &node)))
		return rc;
	json_t *children = json_array();
	if ((rc = children_page(r, node.id, cursor ? cursor : "", limit, children, &next))) {
		json_decref(children);
		return rc;
	}
	resp->json = json_pack("{s:o, s:o}", "children", children, "cursor",
			       next ? json_string(next) : json_null());
	return 0;
}

const struct http_route places_api_routes[] = {
    {HTTP_GET, "/api/v1/places/{code}", get_place, READ, 0, place_of_code,
     "a place with its counts, its path from the city and its first children"},
    {HTTP_GET, "/api/v1/places/{code}/children", get_children, READ, 0, place_of_code,
     "the children of a place with their counts, a page at a time"},
    {0, NULL, NULL, 0, 0, NULL, NULL},
};
