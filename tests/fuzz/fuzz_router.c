/* fuzz_router.c: libFuzzer target for the router's pattern matching, over the server's
 * own route tables. The first byte chooses the method, the rest is the path. A match must
 * be of that method, and putting its {params} back into its pattern must give the path
 * again (each param one whole, non-empty segment); no match with path_known must mean
 * some route of another method has that shape; and the answer must not depend on the
 * arena (a second match gives the same route). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/api.h"
#include "core/core.h"
#include "http/http.h"
#include "people/api.h"
#include "places/api.h"
#include "screening/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_router: %s failed at line %d\n", #c, __LINE__);      \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const struct http_route *const tables[] = {auth_routes, places_api_routes, people_api_routes,
						  screening_api_routes, NULL};

/* The pattern with its {name} segments replaced by params, into out. */
static bool rebuild(const char *pattern, const char *const *params, int n, char *out, size_t cap)
{
	size_t o = 0;
	int used = 0;
	for (const char *p = pattern; *p;) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			CHECK(end && used < n);
			size_t l = strlen(params[used]);
			CHECK(l > 0 && !strchr(params[used], '/'));
			if (o + l >= cap)
				return false;
			memcpy(out + o, params[used++], l);
			o += l;
			p = end + 1;
		} else {
			if (o + 1 >= cap)
				return false;
			out[o++] = *p++;
		}
	}
	CHECK(used == n);
	out[o] = '\0';
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	static const int methods[] = {HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE};
	int method = methods[data[0] % (sizeof methods / sizeof methods[0])];
	char *path = malloc(size);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0'; /* the path ends at its first NUL, as a C string does */
	struct mu_arena a;
	mu_arena_init(&a, 1024);
	const char *params[HTTP_MAX_PARAMS];
	int n = -1;
	bool known = true;
	const struct http_route *r = http_route_match(tables, method, path, &a, params, &n, &known);
	if (r) {
		CHECK(known);
		CHECK(r->method == method);
		CHECK(n >= 0 && n <= HTTP_MAX_PARAMS);
		char back[4200];
		if (rebuild(r->pattern, params, n, back, sizeof back))
			CHECK(!strcmp(back, path));
	} else {
		CHECK(n == 0);
		if (known) {
			/* Another method's route has this shape. */
			bool other = false;
			for (int i = 0; i < 5 && !other; i++) {
				if (methods[i] == method)
					continue;
				const char *p2[HTTP_MAX_PARAMS];
				int n2;
				bool k2;
				other = http_route_match(tables, methods[i], path, NULL, p2, &n2,
							 &k2) != NULL;
			}
			CHECK(other);
		}
	}
	/* Matching again, without an arena, finds the same route. */
	const char *p3[HTTP_MAX_PARAMS];
	int n3;
	bool k3;
	CHECK(http_route_match(tables, method, path, NULL, p3, &n3, &k3) == r && k3 == known);
	mu_arena_fini(&a);
	free(path);
	return 0;
}
