/* test_request.c: http's request-parsing helpers (request.c) on hand-made requests — the
 * page limit and the cursor of the query, and the members of a JSON body — with the
 * field and message each mistake is answered with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"

/* A request whose query holds at most one limit and one cursor. The lookups below stand
 * in for the server's (weak: the server's own win when it is linked). */
struct freq {
	struct http_req r;
	const char *limit, *cursor;
};

__attribute__((weak)) const char *http_query(const struct http_req *r, const char *name)
{
	const struct freq *f = (const struct freq *)r;
	if (!strcmp(name, "limit"))
		return f->limit;
	return !strcmp(name, "cursor") ? f->cursor : NULL;
}

static struct freq *req(const char *limit, const char *cursor)
{
	static struct freq f;
	if (!f.r.arena.block_size)
		mu_arena_init(&f.r.arena, 1024);
	f.r.err_field = f.r.err_message = NULL;
	f.limit = limit;
	f.cursor = cursor;
	return &f;
}

static void test_limit(void **state)
{
	(void)state;
	int n = -1;
	assert_int_equal(http_query_limit(&req(NULL, NULL)->r, 50, 500, &n), 0);
	assert_int_equal(n, 50);
	assert_int_equal(http_query_limit(&req("500", NULL)->r, 50, 500, &n), 0);
	assert_int_equal(n, 500);
	assert_int_equal(http_query_limit(&req("1", NULL)->r, 50, HTTP_LIMIT_MAX, &n), 0);
	assert_int_equal(n, 1);
	static const char *const bad[] = {
	    "0", "501", "-1", "", "ten", "5x", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct freq *f = req(bad[i], NULL);
		assert_int_equal(http_query_limit(&f->r, 50, 500, &n), MU_EINVAL);
		assert_string_equal(f->r.err_field, "limit");
		assert_string_equal(f->r.err_message, "limit must be an integer from 1 to 500");
	}
}

static void test_cursor(void **state)
{
	(void)state;
	int64_t id = -1;
	assert_int_equal(http_query_cursor_id(&req(NULL, NULL)->r, &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(http_query_cursor_id(&req(NULL, "")->r, &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(http_query_cursor_id(&req(NULL, "12345")->r, &id), 0);
	assert_int_equal(id, 12345);
	static const char *const bad[] = {"0", "-3", "1.2", "x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct freq *f = req(NULL, bad[i]);
		assert_int_equal(http_query_cursor_id(&f->r, &id), MU_EINVAL);
		assert_int_equal(id, 0);
		assert_string_equal(f->r.err_field, "cursor");
	}
	struct freq *f = req(NULL, NULL);
	assert_int_equal(http_fail_cursor(&f->r), MU_EINVAL);
	assert_string_equal(f->r.err_message, "the cursor is not one this server gave");
}

static void test_members(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:s, s:i, s:s, s:n, s:s}", "name", "甲区", "n", 7, "empty", "",
			      "nothing", "long", "abcdef");
	static const char *const all[] = {"name", "n", "empty", "nothing", "long", NULL};
	static const char *const some[] = {"name", "n", NULL};
	struct freq *f = req(NULL, NULL);
	const char *s;
	int64_t v;

	assert_null(http_json_unknown(o, all));
	assert_int_equal(http_json_only(&f->r, o, all), 0);
	assert_non_null(http_json_unknown(o, some));
	assert_int_equal(http_json_only(&f->r, o, some), MU_EINVAL);
	assert_string_equal(f->r.err_message, "unknown member");
	assert_string_equal(f->r.err_field, http_json_unknown(o, some));

	assert_string_equal(http_json_str(o, "name"), "甲区");
	assert_null(http_json_str(o, "n"));
	assert_null(http_json_str(o, "absent"));
	assert_int_equal(http_json_need_str(&f->r, o, "name", &s), 0);
	assert_int_equal(http_json_need_str(&f->r, o, "absent", &s), MU_EINVAL);
	assert_string_equal(f->r.err_message, "required, a string");
	assert_int_equal(http_json_need_str(&f->r, o, "n", &s), MU_EINVAL);
	assert_string_equal(f->r.err_field, "n");
	assert_string_equal(f->r.err_message, "must be a string");

	assert_int_equal(http_json_text(&f->r, o, "long", 6, &s), 0);
	assert_string_equal(s, "abcdef");
	assert_int_equal(http_json_text(&f->r, o, "long", 5, &s), MU_EINVAL);
	assert_null(s);
	assert_string_equal(f->r.err_message, "must have 1 to 5 bytes");
	assert_int_equal(http_json_text(&f->r, o, "empty", 5, &s), MU_EINVAL);
	assert_string_equal(f->r.err_field, "empty");

	assert_int_equal(http_json_int(&f->r, o, "n", 1, 10, -1, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(http_json_int(&f->r, o, "absent", 1, 10, 3, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(http_json_int(&f->r, o, "nothing", 1, 10, 4, &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(http_json_int(&f->r, o, "absent", 1, 10, -1, &v), MU_EINVAL);
	assert_string_equal(f->r.err_message, "required, an integer");
	assert_int_equal(http_json_int(&f->r, o, "n", 8, 10, -1, &v), MU_EINVAL);
	assert_string_equal(f->r.err_message, "must be an integer from 8 to 10");
	assert_int_equal(http_json_int(&f->r, o, "name", 1, 10, -1, &v), MU_EINVAL);
	assert_string_equal(f->r.err_field, "name");
	json_decref(o);
}

static void test_resp_list(void **state)
{
	(void)state;
	struct http_resp resp = {0};
	json_t *arr = json_pack("[i]", 1);
	assert_int_equal(http_resp_list(&resp, "things", arr, 0), 0);
	assert_int_equal(
	    json_integer_value(json_array_get(json_object_get(resp.json, "things"), 0)), 1);
	json_decref(resp.json);
	resp.json = NULL;
	/* An error answers nothing and frees the list (the ASan run sees a leak otherwise). */
	assert_int_equal(http_resp_list(&resp, "things", json_array(), MU_EIO), MU_EIO);
	assert_null(resp.json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_cursor),
	    cmocka_unit_test(test_members),
	    cmocka_unit_test(test_resp_list),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mu_arena_fini(&req(NULL, NULL)->r.arena);
	return rc;
}
