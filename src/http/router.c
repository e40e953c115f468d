/* router.c: matching a method and path against the route tables, with {name}
 * segments captured as parameters. */
#include <string.h>

#include "http.h"

const char *http_method_name(int method)
{
	switch (method) {
	case HTTP_GET:
		return "GET";
	case HTTP_POST:
		return "POST";
	case HTTP_PUT:
		return "PUT";
	case HTTP_PATCH:
		return "PATCH";
	case HTTP_DELETE:
		return "DELETE";
	default:
		return "?";
	}
}

/* Matches path against pattern segment by segment; on success the {name} segments'
 * values are copied into params. */
static bool match(const char *pattern, const char *path, struct mu_arena *a,
		  const char *params[HTTP_MAX_PARAMS], int *nparams)
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		const char *pe = strchr(p, '/'), *se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p),
		       sl = se ? (size_t)(se - s) : strlen(s);
		if (pl >= 2 && p[0] == '{' && p[pl - 1] == '}') {
			if (sl == 0 || n == HTTP_MAX_PARAMS)
				return false;
			if (a)
				params[n] = mu_arena_strndup(a, s, sl);
			n++;
		} else if (pl != sl || memcmp(p, s, pl) != 0) {
			return false;
		}
		p += pl;
		s += sl;
	}
	if (*p || *s)
		return false;
	*nparams = n;
	return true;
}

const struct http_route *http_route_match(const struct http_route *const *tables, int method,
					  const char *path, struct mu_arena *a,
					  const char *params[HTTP_MAX_PARAMS], int *nparams,
					  bool *path_known)
{
	*path_known = false;
	*nparams = 0;
	for (const struct http_route *const *t = tables; *t; t++) {
		for (const struct http_route *r = *t; r->pattern; r++) {
			int n;
			if (!match(r->pattern, path, NULL, params, &n))
				continue;
			*path_known = true;
			if (r->method != method)
				continue;
			match(r->pattern, path, a, params, nparams);
			return r;
		}
	}
	return NULL;
}
