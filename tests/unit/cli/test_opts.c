/* test_opts.c: the command line's one option parser (cli/common.c) — values of every
 * kind, both spellings, positional arguments in order, and each usage error refused
 * with status 2 before a command does anything. */
#include "testutil.h"

#include "auth/auth.h"
#include "cli/cli.h"
#include "places/places.h"

struct vals {
	bool flag;
	const char *str, *req;
	int64_t n;
	double x;
};

static int parse(struct vals *v, int argc, char **argv, const char **pos, int *npos)
{
	const struct cli_opt opts[] = {CLI_FLAG("flag", &v->flag, "a flag"),
				       CLI_STR("str", &v->str, "S", "a string"),
				       CLI_STR_REQ("req", &v->req, "R", "a required string"),
				       CLI_INT("n", &v->n, "N", "an integer 1..10", false, 1, 10),
				       CLI_NUM("x", &v->x, "X", "a number 0..1", false, 0, 1),
				       CLI_END};
	const struct cli_spec spec = {"test", "usage: muster test\n", opts, NULL};
	memset(v, 0, sizeof *v);
	return cli_parse(&spec, argc, argv, pos, npos);
}

static void test_values_and_positionals(void **state)
{
	(void)state;
	struct vals v;
	const char *pos[CLI_POS_MAX];
	int npos;
	char *argv[] = {"test", "sub", "--flag",   "--str",    "a b", "--req=r",
			"--n",	"7",   "--x=0.25", "file.csv", "--",  "--not-an-option"};
	assert_int_equal(parse(&v, 12, argv, pos, &npos), CLI_GO);
	assert_true(v.flag);
	assert_string_equal(v.str, "a b");
	assert_string_equal(v.req, "r");
	assert_int_equal(v.n, 7);
	assert_true(v.x == 0.25);
	assert_int_equal(npos, 3);
	assert_string_equal(pos[0], "sub");
	assert_string_equal(pos[1], "file.csv");
	assert_string_equal(pos[2], "--not-an-option");
}

static void test_usage_errors(void **state)
{
	(void)state;
	struct vals v;
	const char *pos[CLI_POS_MAX];
	int npos;
	char *unknown[] = {"test", "--req", "r", "--nope"};
	char *missing_value[] = {"test", "--req"};
	char *missing_required[] = {"test", "--flag"};
	char *flag_value[] = {"test", "--req", "r", "--flag=1"};
	char *not_int[] = {"test", "--req", "r", "--n", "7x"};
	char *out_of_range[] = {"test", "--req", "r", "--n", "11"};
	char *nan_x[] = {"test", "--req", "r", "--x", "nan"};
	char *x_high[] = {"test", "--req", "r", "--x", "1.5"};
	char *short_unknown[] = {"test", "--req", "r", "-q"};
	char *too_many[] = {"test", "--req", "r", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
	assert_int_equal(parse(&v, 4, unknown, pos, &npos), CLI_USAGE);
	assert_int_equal(parse(&v, 2, missing_value, pos, &npos), CLI_USAGE);
	assert_int_equal(parse(&v, 2, missing_required, pos, &npos), CLI_USAGE);
	assert_int_equal(parse(&v, 4, flag_value, pos, &npos), CLI_USAGE);
	assert_int_equal(parse(&v, 5, not_int, pos, &npos), CLI_USAGE);
	assert_int_equal(parse(&v, 5, out_of_range, pos, &npos), CLI_USAGE);
	assert_int_equal(parse(&v, 5, nan_x, pos, &npos), CLI_USAGE);
	assert_int_equal(parse(&v, 5, x_high, pos, &npos), CLI_USAGE);
	assert_int_equal(parse(&v, 4, short_unknown, pos, &npos), CLI_USAGE);
	assert_int_equal(parse(&v, 12, too_many, pos, &npos), CLI_USAGE);
	/* A value that looks like an option is still the value. */
	char *dash_value[] = {"test", "--req", "--flag"};
	assert_int_equal(parse(&v, 3, dash_value, pos, &npos), CLI_GO);
	assert_string_equal(v.req, "--flag");
	assert_false(v.flag);
}

static void test_help(void **state)
{
	(void)state;
	struct vals v;
	const char *pos[CLI_POS_MAX];
	int npos;
	/* --help wins over a missing required option and exits 0. */
	char *help[] = {"test", "--help"};
	char *h[] = {"test", "x", "-h"};
	assert_int_equal(parse(&v, 2, help, pos, &npos), CLI_OK);
	assert_int_equal(parse(&v, 3, h, pos, &npos), CLI_OK);

	/* The option lines come from the table: every option with help, its value's name. */
	const struct cli_opt opts[] = {CLI_STR("db", &v.str, "PATH", "the database"),
				       CLI_FLAG("hidden", &v.flag, NULL), CLI_END};
	const struct cli_spec spec = {"t", "usage: t\n", opts, "bye\n"};
	char buf[512] = "";
	FILE *f = fmemopen(buf, sizeof buf - 1, "w");
	assert_non_null(f);
	cli_help(&spec, f);
	fclose(f);
	assert_non_null(strstr(buf, "usage: t\n"));
	assert_non_null(strstr(buf, "--db PATH"));
	assert_non_null(strstr(buf, "the database"));
	assert_null(strstr(buf, "hidden"));
	assert_non_null(strstr(buf, "bye\n"));
}

/* The registry: every capability once, each with routes, and the route list of any
 * length with the extra tables where asked. */
static void test_registry(void **state)
{
	(void)state;
	size_t n = 0;
	for (const struct cli_capability *c = cli_capabilities; c->name; c++, n++)
		assert_non_null(c->routes);
	assert_true(n >= 4);
	static const struct http_route extra[] = {{0, NULL, NULL, 0, 0, NULL, NULL}};
	const char **names;
	const struct http_route **t = cli_route_tables_new(extra, extra, &names);
	size_t k = 0;
	while (t[k])
		k++;
	assert_int_equal(k, n + 2);
	assert_ptr_equal(t[0], extra);
	assert_ptr_equal(t[n + 1], extra);
	assert_string_equal(names[1], cli_capabilities[0].name);
	assert_string_equal(names[0], "");
	free(t);
	free(names);
}

/* cli_audited: the change and its audit entry together, or neither. */
static int add_city(struct db *d, void *arg, char *record, size_t n)
{
	int64_t id = 0;
	int rc = places_add(d, 0, PLACES_CITY, arg, "某市", &id, NULL);
	snprintf(record, n, "place:%lld", (long long)id);
	return rc;
}

static void test_audited(void **state)
{
	(void)state;
	struct tdb t;
	struct places_node n;
	int64_t bad = -1, checked = -1;
	tdb_open(&t);
	assert_int_equal(cli_audited(t.db, "cli test", add_city, "GZ"), 0);
	assert_int_equal(places_find(t.db, "GZ", &n), 0);
	assert_int_equal(auth_audit_verify(t.db, t.path, &bad, &checked), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(checked, 1);
	/* A second city is refused: no place, no audit entry. */
	assert_int_not_equal(cli_audited(t.db, "cli test", add_city, "SZ"), 0);
	assert_int_equal(places_find(t.db, "SZ", &n), MU_ENOTFOUND);
	assert_int_equal(auth_audit_verify(t.db, t.path, &bad, &checked), 0);
	assert_int_equal(checked, 1);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values_and_positionals),
	    cmocka_unit_test(test_usage_errors),
	    cmocka_unit_test(test_help),
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_audited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
