/* request.c: the request-parsing helpers every capability's api.c shares — the page
 * limit and cursor of a list, and the members of a JSON body — so that one mistake
 * gets one answer whichever route it is made on. */
#include <string.h>

#include "http.h"

int http_query_limit(struct http_req *r, int def, int max, int *out)
{
	const char *v = http_query(r, "limit");
	int64_t n;
	MU_ASSERT(max >= 1 && max <= HTTP_LIMIT_MAX && def >= 1 && def <= max);
	*out = def;
	if (!v)
		return 0;
	if (mu_parse_i64(v, &n) || n < 1 || n > max)
		return http_fail(
		    r, MU_EINVAL, "limit",
		    mu_arena_sprintf(&r->arena, "limit must be an integer from 1 to %d", max));
	*out = (int)n;
	return 0;
}

int http_resp_list(struct http_resp *resp, const char *key, json_t *arr, int rc)
{
	if (rc == 0)
		resp->json = json_pack("{s:o}", key, arr);
	else
		json_decref(arr);
	return rc;
}

int http_fail_cursor(struct http_req *r)
{
	return http_fail(r, MU_EINVAL, "cursor", "the cursor is not one this server gave");
}

int http_query_cursor_id(struct http_req *r, int64_t *out)
{
	const char *v = http_query(r, "cursor");
	*out = 0;
	if (!v || !*v)
		return 0;
	if (mu_parse_i64(v, out) || *out <= 0) {
		*out = 0;
		return http_fail_cursor(r);
	}
	return 0;
}

const char *http_json_str(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *http_json_unknown(const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	/* jansson's iteration macro takes a non-const object; it does not change it. */
	json_object_foreach((json_t *)o, k, v)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, k);
		if (!ok)
			return k;
	}
	return NULL;
}

int http_json_only(struct http_req *r, const json_t *o, const char *const *allowed)
{
	const char *k = http_json_unknown(o, allowed);
	if (!k)
		return 0;
	return http_fail(r, MU_EINVAL, mu_arena_strndup(&r->arena, k, strlen(k)),
			 HTTP_MSG_UNKNOWN_MEMBER);
}

int http_json_need_str(struct http_req *r, const json_t *o, const char *k, const char **out)
{
	*out = http_json_str(o, k);
	if (*out)
		return 0;
	return http_fail(r, MU_EINVAL, k,
			 json_object_get(o, k) ? "must be a string" : "required, a string");
}

int http_json_text(struct http_req *r, const json_t *o, const char *k, size_t max, const char **out)
{
	int rc = http_json_need_str(r, o, k, out);
	if (rc)
		return rc;
	size_t n = json_string_length(json_object_get(o, k));
	if (n == 0 || n > max || strlen(*out) != n) {
		*out = NULL;
		return http_fail(r, MU_EINVAL, k,
				 mu_arena_sprintf(&r->arena, "must have 1 to %zu bytes", max));
	}
	return 0;
}

int http_json_int(struct http_req *r, const json_t *o, const char *k, int64_t lo, int64_t hi,
		  int64_t def, int64_t *out)
{
	const json_t *v = json_object_get(o, k);
	*out = def;
	if (!v || json_is_null(v))
		return def < 0 ? http_fail(r, MU_EINVAL, k, "required, an integer") : 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return http_fail(r, MU_EINVAL, k,
				 mu_arena_sprintf(&r->arena, "must be an integer from %lld to %lld",
						  (long long)lo, (long long)hi));
	*out = json_integer_value(v);
	return 0;
}
