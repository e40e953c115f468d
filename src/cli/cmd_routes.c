/* cmd_routes.c: `muster routes` — every route the server answers, from the same route
 * tables `muster serve` runs with: method, pattern, the roles allowed, the flags and a
 * summary, as text, JSON (for tests) or Markdown (docs/roles.md is its output). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/api.h"
#include "cli.h"
#include "core/core.h"
#include "http/http.h"
#include "people/api.h"
#include "places/api.h"

static const char help[] =
    "usage: muster routes [--json | --markdown]\n"
    "\n"
    "Lists every HTTP route of `muster serve`: method, path, the roles allowed, flags\n"
    "(public: no sign-in; device: site/lab tokens too; person: audited person record;\n"
    "nocsrf: a write without the CSRF header; place: jurisdiction checked on the target's\n"
    "place) and a summary.\n"
    "\n"
    "Options:\n";

/* /healthz and /metrics are built into http (no table of their own); listed here so
 * that the documents and tests see every path the server answers. */
static const struct http_route builtin_routes[] = {
    {HTTP_GET, "/healthz", NULL, 0, HTTP_ROUTE_PUBLIC, NULL,
     "liveness: answers 200 while the server runs"},
    {HTTP_GET, "/metrics", NULL, 0, HTTP_ROUTE_PUBLIC, NULL,
     "Prometheus text: requests and latency per route and status, writer, database, sign-ins"},
    {0, NULL, NULL, 0, 0, NULL, NULL},
};

/* The built-in paths, then the tables of `muster serve`, with the capability of each. */
static const struct http_route **tables;
static const char **table_caps;

static void tables_init(void)
{
	tables = cli_route_tables_new(builtin_routes, NULL, &table_caps);
}

static const struct {
	unsigned bit;
	const char *name;
} flag_names[] = {
    {HTTP_ROUTE_PUBLIC, "public"},
    {HTTP_ROUTE_DEVICE, "device"},
    {HTTP_ROUTE_PERSON, "person"},
    {HTTP_ROUTE_NOCSRF, "nocsrf"},
};
#define NFLAGS (sizeof flag_names / sizeof flag_names[0])

/* "admin, commander" — the roles of r joined by sep into b; "any role" for all of
 * them, "" for none. */
static void roles_text(const struct http_route *r, const char *sep, struct mu_buf *b)
{
	int n = 0;
	mu_buf_reset(b);
	if ((r->roles & AUTH_ANY) == AUTH_ANY) {
		mu_buf_puts(b, "any role");
		return;
	}
	for (int i = 0; i < AUTH_NROLES; i++)
		if (r->roles & AUTH_R(i))
			mu_buf_printf(b, "%s%s", n++ ? sep : "", auth_role_name(i));
	mu_buf_puts(b, "");
}

static void flags_text(const struct http_route *r, const char *sep, struct mu_buf *b)
{
	int n = 0;
	mu_buf_reset(b);
	for (size_t i = 0; i < NFLAGS; i++)
		if (r->flags & flag_names[i].bit)
			mu_buf_printf(b, "%s%s", n++ ? sep : "", flag_names[i].name);
	if (r->place)
		mu_buf_printf(b, "%splace", n++ ? sep : "");
	mu_buf_puts(b, "");
}

static int print_json(void)
{
	json_t *arr = json_array();
	for (const struct http_route **t = tables; *t; t++)
		for (const struct http_route *r = *t; r->pattern; r++) {
			json_t *roles = json_array(), *flags = json_array();
			const char *cap = table_caps[t - tables];
			for (int i = 0; i < AUTH_NROLES; i++)
				if (r->roles & AUTH_R(i))
					json_array_append_new(roles,
							      json_string(auth_role_name(i)));
			for (size_t i = 0; i < NFLAGS; i++)
				if (r->flags & flag_names[i].bit)
					json_array_append_new(flags,
							      json_string(flag_names[i].name));
			json_array_append_new(
			    arr, json_pack("{s:s, s:s, s:o, s:o, s:b, s:s, s:s}", "method",
					   http_method_name(r->method), "path", r->pattern, "roles",
					   roles, "flags", flags, "place", r->place != NULL,
					   "summary", r->summary ? r->summary : "", "capability",
					   *cap ? cap : "http"));
		}
	json_t *o = json_pack("{s:o}", "routes", arr);
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return CLI_REJECTED;
	puts(text);
	free(text);
	return CLI_OK;
}

/* Markdown table cells may not hold '|' or line breaks. */
static void md_cell(const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else if (*s == '\n')
			putchar(' ');
		else
			putchar(*s);
	}
}

static int print_markdown(void)
{
	struct mu_buf b;
	mu_buf_init(&b, 4096);
	fputs(
	    "# Roles and routes\n\n"
	    "This file is generated: it is the output of `muster routes --markdown`, printed from\n"
	    "the route tables that `muster serve` runs with, and an API test fails when the two\n"
	    "differ. Each route declares the roles allowed to call it; the server's guard\n"
	    "refuses every other role (403), requires a sign-in unless the route is *public*,\n"
	    "lets site and lab tokens through only where the route says *device*, audits the\n"
	    "person records read or written on *person* routes, demands the `X-CSRF-Token`\n"
	    "header on every write of a browser session unless the route says *nocsrf*, and,\n"
	    "where the route says *place*, checks that the target's place lies inside the\n"
	    "caller's jurisdiction (the subtree of their place) before the handler runs.\n\n"
	    "| Method | Path | Roles | Flags | Summary |\n"
	    "| --- | --- | --- | --- | --- |\n",
	    stdout);
	for (const struct http_route **t = tables; *t; t++)
		for (const struct http_route *r = *t; r->pattern; r++) {
			printf("| %s | `%s` | ", http_method_name(r->method), r->pattern);
			roles_text(r, ", ", &b);
			if (b.len)
				md_cell(mu_buf_str(&b));
			else
				fputs(r->flags & HTTP_ROUTE_PUBLIC ? "everyone" : "any signed-in",
				      stdout);
			fputs(" | ", stdout);
			flags_text(r, ", ", &b);
			md_cell(b.len ? mu_buf_str(&b) : "—");
			fputs(" | ", stdout);
			md_cell(r->summary ? r->summary : "");
			fputs(" |\n", stdout);
		}
	mu_buf_fini(&b);
	return CLI_OK;
}

static int print_text(void)
{
	struct mu_buf roles, flags;
	mu_buf_init(&roles, 4096);
	mu_buf_init(&flags, 4096);
	for (const struct http_route **t = tables; *t; t++)
		for (const struct http_route *r = *t; r->pattern; r++) {
			roles_text(r, ",", &roles);
			flags_text(r, ",", &flags);
			printf("%-6s %-32s %-40s %-18s %s\n", http_method_name(r->method),
			       r->pattern, roles.len ? mu_buf_str(&roles) : "-",
			       flags.len ? mu_buf_str(&flags) : "-", r->summary ? r->summary : "");
		}
	mu_buf_fini(&roles);
	mu_buf_fini(&flags);
	return CLI_OK;
}

int cmd_routes(int argc, char **argv)
{
	const char *pos[CLI_POS_MAX];
	bool json = false, markdown = false;
	const struct cli_opt opts[] = {
	    CLI_FLAG("json", &json, "one JSON object {\"routes\":[...]}"),
	    CLI_FLAG("markdown", &markdown, "the text of docs/roles.md"), CLI_END};
	const struct cli_spec spec = {"routes", help, opts, NULL};
	int ret, npos;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	if (npos)
		return cli_usage_error("routes", "unexpected argument '%s'", pos[0]);
	if (json && markdown)
		return cli_usage_error("routes", "--json or --markdown, not both");
	tables_init();
	ret = json ? print_json() : markdown ? print_markdown() : print_text();
	free(tables);
	free(table_caps);
	return ret;
}
