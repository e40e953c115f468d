/* api.c: the places read API — GET /api/v1/places/{code} (the node, its path from the
 * root and its first children, with the counts of what lies below each) and
 * GET /api/v1/places/{code}/children (the children, a page at a time). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "auth/api.h"
#include "core/core.h"
#include "db/db.h"

#define CHILDREN_DEFAULT 200

/* Every role that works with places reads them; labs see tubes only. */
#define READ                                                                                       \
	(AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF) |                        \
	 AUTH_R(AUTH_GRID_WORKER) | AUTH_R(AUTH_OPERATOR) | AUTH_R(AUTH_AUDITOR) |                 \
	 AUTH_R(AUTH_SAMPLER))

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

/* ---- place resolution for every api.c ----------------------------------------------- */

int places_api_init(const char *db_path)
{
	struct db *d = NULL;
	int rc = db_open(db_path, DB_OPEN_READONLY, &d);
	if (rc == 0)
		rc = places_pathindex_open(d);
	if (rc == 0)
		rc = places_codeindex_open(d);
	db_close(d);
	return rc;
}

void places_api_fini(void)
{
	places_codeindex_close();
	places_pathindex_close();
}

void places_api_metrics(struct mu_buf *out)
{
	int64_t n = 0;
	bool ready = places_codeindex_ready(&n);
	mu_buf_printf(out,
		      "# HELP muster_place_codes_ready 1 once every place's code is answered "
		      "from memory.\n# TYPE muster_place_codes_ready gauge\n"
		      "muster_place_codes_ready %d\n"
		      "# HELP muster_place_codes Places whose code is answered from memory.\n"
		      "# TYPE muster_place_codes gauge\nmuster_place_codes %lld\n",
		      ready, (long long)n);
}

/* The last place a request resolved, by field and code (in its arena); whole when the
 * node was read, else only its id is known (places_api_resolve_id). */
struct resolved {
	const char *field, *code;
	struct places_node node;
	bool whole;
};

static int check_code(struct http_req *r, const char *field, const char *code)
{
	if (!code || !*code)
		return http_fail(r, MU_EINVAL, field, "required: a place code");
	if (places_code_check(code, NULL))
		return http_fail(r, MU_EINVAL, field,
				 "a place code is 1 to 32 letters, digits or '-'");
	return 0;
}

static void remember(struct http_req *r, const char *field, const char *code,
		     const struct places_node *node, bool whole)
{
	struct resolved *last = mu_arena_alloc(&r->arena, sizeof *last);
	last->field = mu_arena_sprintf(&r->arena, "%s", field);
	last->code = mu_arena_sprintf(&r->arena, "%s", code);
	last->node = *node;
	last->whole = whole;
	r->resolved = last;
}

static bool same(const struct resolved *last, const char *field, const char *code)
{
	return last && code && !strcmp(last->field, field) && !strcmp(last->code, code);
}

int places_api_resolve(struct http_req *r, const char *field, const char *code,
		       struct places_node *node)
{
	const struct resolved *last = r->resolved;
	int rc;
	if (same(last, field, code) && last->whole) {
		*node = last->node;
		return 0;
	}
	memset(node, 0, sizeof *node);
	if ((rc = check_code(r, field, code)))
		return rc;
	if ((rc = places_find(auth_req_db(r), code, node)) == MU_ENOTFOUND)
		return http_fail(r, rc, field, "no place has this code");
	if (rc == 0)
		remember(r, field, code, node, true);
	return rc;
}

int places_api_resolve_id(struct http_req *r, const char *field, const char *code, int64_t *id)
{
	const struct resolved *last = r->resolved;
	struct places_node node = {0};
	int rc;
	if (same(last, field, code)) {
		*id = last->node.id;
		return 0;
	}
	*id = 0;
	if ((rc = check_code(r, field, code)))
		return rc;
	if ((rc = places_id_of_code(auth_req_db(r), code, &node.id)) == MU_ENOTFOUND)
		return http_fail(r, rc, field, "no place has this code");
	if (rc == 0) {
		remember(r, field, code, &node, false);
		*id = node.id;
	}
	return rc;
}

int places_api_query(struct http_req *r, struct places_node *node)
{
	return places_api_resolve(r, "place", http_query(r, "place"), node);
}

int places_api_of_query(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct places_node node;
	int rc = places_api_query(r, &node);
	return rc ? rc : places_path(auth_req_db(r), node.id, ids, n);
}

/* The place of the path's {code}. */
static int code_param(struct http_req *r, struct places_node *node)
{
	return places_api_resolve(r, "code", r->nparams ? r->params[0] : NULL, node);
}

/* The place resolver of both routes: the path of ids of the place named in the URL. */
static int place_of_code(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	struct places_node node;
	int rc = code_param(r, &node);
	return rc ? rc : places_path(auth_req_db(r), node.id, ids, n);
}

/* Appends up to limit children of parent after code `after` ("" for the first) to arr;
 * *next is the last code returned when more follow, else NULL (arena string). */
struct page {
	json_t *arr;
	int limit, got;
	bool more;			/* a child beyond the page exists */
	char last[PLACES_CODE_MAX + 1]; /* the code of the last child listed */
};

static int page_child(const struct places_node *n, void *ctx)
{
	struct page *pg = ctx;
	if (pg->got == pg->limit) {
		pg->more = true;
		return 1;
	}
	json_array_append_new(pg->arr, child_json(n));
	snprintf(pg->last, sizeof pg->last, "%s", n->code);
	pg->got++;
	return 0;
}

static int children_page(struct http_req *r, int64_t parent, const char *after, int limit,
			 json_t *arr, const char **next)
{
	struct page pg = {.arr = arr, .limit = limit};
	int rc = places_children_after(auth_req_db(r), parent, after, page_child, &pg);
	*next = NULL;
	if (rc < 0)
		return rc;
	if (pg.more)
		*next = mu_arena_strndup(&r->arena, pg.last, strlen(pg.last));
	return 0;
}

/* GET /api/v1/places/{code} */
static int get_place(struct http_req *r, struct http_resp *resp)
{
	const char *next;
	struct places_node node, anc;
	int64_t ids[PLACES_NLEVELS];
	int n, rc;
	struct db *d = auth_req_db(r);
	if ((rc = code_param(r, &node)) || (rc = places_path(d, node.id, ids, &n)))
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

/* GET /api/v1/places/{code}/children?cursor=CODE&limit=N */
static int get_children(struct http_req *r, struct http_resp *resp)
{
	const char *next, *cursor = http_query(r, "cursor");
	struct places_node node;
	int limit, rc;
	if ((rc = code_param(r, &node)) ||
	    (rc = http_query_limit(r, CHILDREN_DEFAULT, HTTP_LIMIT_MAX, &limit)))
		return rc;
	if (cursor && places_code_check(cursor, NULL))
		return http_fail_cursor(r);
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
