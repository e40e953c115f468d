/* test_api_scan.c: POST /api/v1/scans on a hand-made request, for what the API tests
 * cannot reach: a batch whose write fails as a whole (here the writer is stopped) after
 * items were refused before the store. The refusals must not outlive the request — the
 * ASan run (make unit-asan, detect_leaks=1) fails on a leak. */
#include "auth/api.h"
#include "screening/api.h"
#include "testutil.h"

/* The body and the lookups the handler makes, standing in for the server's (weak: the
 * server's own win when it is linked, which it is not here). */
struct freq {
	struct http_req r;
	json_t *body;
};

__attribute__((weak)) int http_body_json(struct http_req *r, json_t **out)
{
	*out = ((struct freq *)r)->body;
	return 0;
}

__attribute__((weak)) const char *http_query(const struct http_req *r, const char *name)
{
	(void)r, (void)name;
	return NULL;
}

__attribute__((weak)) const char *http_header(const struct http_req *r, const char *name)
{
	(void)r, (void)name;
	return NULL;
}

__attribute__((weak)) const char *http_cookie(const struct http_req *r, const char *name)
{
	(void)r, (void)name;
	return NULL;
}


static void test_refused_items_freed_when_the_write_fails(void **state)
{
	(void)state;
	struct tdb t;
	struct freq q;
	struct http_resp resp;
	struct auth_principal site;
	static const struct http_route route = {HTTP_POST, "/api/v1/scans", NULL, 0, 0, NULL, ""};
	tdb_open(&t);
	memset(&q, 0, sizeof q);
	memset(&resp, 0, sizeof resp);
	memset(&site, 0, sizeof site);
	site.kind = AUTH_KIND_SITE;
	site.role = AUTH_SAMPLER;
	strcpy(site.device_code, "S1");
	mu_arena_init(&q.r.arena, 4096);
	q.r.method = HTTP_POST;
	q.r.route = &route;
	q.r.principal = &site;
	q.r.guard_ctx = t.db;
	/* Three refusals before the store (not an object, an unknown member, another
	 * site), then one scan for the store, whose write cannot happen: no writer. */
	q.body = json_pack("{s:[i, {s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:i, s:s, s:s}]}", "scans",
			   42, "scan_id", "a", "colour", "red", "scan_id", "b", "site", "S2",
			   "scan_id", "c", "site", "S1", "round", 1, "tube", "T-1", "person", "x");
	assert_int_equal(screening__api_post_scans(&q.r, &resp), MU_ESTOPPED);
	assert_null(resp.json);
	assert_string_equal(q.r.record, "scans:1");

	/* Only refusals: nothing to write, each answered in order. */
	json_decref(q.body);
	q.body = json_pack("{s:[i, {s:s, s:s}]}", "scans", 42, "scan_id", "b", "site", "S2");
	assert_int_equal(screening__api_post_scans(&q.r, &resp), 0);
	json_t *res = json_object_get(resp.json, "results");
	assert_int_equal(json_array_size(res), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "status")),
			    "error");
	json_t *err = json_object_get(json_array_get(res, 1), "error");
	assert_string_equal(json_string_value(json_object_get(err, "code")), "forbidden");
	assert_string_equal(json_string_value(json_object_get(err, "field")), "site");
	json_decref(resp.json);
	json_decref(q.body);
	mu_arena_fini(&q.r.arena);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refused_items_freed_when_the_write_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
