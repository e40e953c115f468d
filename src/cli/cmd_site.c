/* cmd_site.c: `muster site add` — a sampling site (采样点) at a place, with its desks.
 * Device tokens are then bound to it with `muster token issue --site CODE`. */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"
#include "screening/screening.h"

static const char help[] =
    "usage: muster site add --code CODE --place PLACE --name TEXT --desks N [--db PATH]\n"
    "\n"
    "Adds a sampling site: CODE (1-32 letters, digits or '-'), at place PLACE, with N\n"
    "sampling desks (1-10000). Scans name the site by its code; a site's device token\n"
    "(`muster token issue --site CODE`) scans at that site only.\n"
    "\nOptions:\n";

static const char epilog[] =
    "Exit status: 0 added, 1 refused (unknown place, code taken, bad code or name),\n"
    "2 usage error.\n";

struct add {
	struct screening_site *st;
	struct mu_why why;
};

/* Adds the site; its audit record is "site:CODE". */
static int add(struct db *d, void *arg, char *record, size_t n)
{
	struct add *a = arg;
	snprintf(record, n, "site:%s", a->st->code);
	return screening_site_add(d, a->st, &a->why);
}

int cmd_site(int argc, char **argv)
{
	const char *dbp = NULL, *code = NULL, *place = NULL, *name = NULL;
	int64_t desks = 0;
	struct screening_site st;
	struct places_node node;
	struct db *d = NULL;
	int rc, ret = CLI_REJECTED;
	const char *pos[CLI_POS_MAX];
	int prc, npos;
	const struct cli_opt opts[] = {
	    CLI_STR_REQ("code", &code, "CODE", "the site's code"),
	    CLI_STR_REQ("place", &place, "PLACE", "the code of the place it is at"),
	    CLI_STR_REQ("name", &name, "TEXT", "its name"),
	    CLI_INT("desks", &desks, "N", "sampling desks", true, 1, 10000),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"site", help, opts, epilog};
	if ((prc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return prc;
	if (npos < 1 || strcmp(pos[0], "add") != 0)
		return cli_usage_error("site", "missing subcommand add");
	if (npos != 1)
		return cli_usage_error("site", "unexpected argument '%s'", pos[1]);
	if (!code || !place || !name || !desks)
		return cli_usage_error("site", "add needs --code, --place, --name and --desks");
	memset(&st, 0, sizeof st);
	if (strlen(code) >= sizeof st.code || strlen(name) >= sizeof st.name) {
		fprintf(stderr, "muster site: the code or the name is too long\n");
		return CLI_REJECTED;
	}
	if (cli_open(dbp, false, &d, NULL))
		return CLI_REJECTED;
	if (places_find(d, place, &node)) {
		fprintf(stderr, "muster site: no place with code '%s'\n", place);
		goto out;
	}
	snprintf(st.code, sizeof st.code, "%s", code);
	snprintf(st.name, sizeof st.name, "%s", name);
	st.place_id = node.id;
	st.desks = (int)desks;
	struct add a = {&st, {0}};
	rc = cli_audited(d, "cli site add", add, &a);
	if (rc) {
		fprintf(stderr, "muster site: %s\n", a.why.text[0] ? a.why.text : mu_err_msg(rc));
		goto out;
	}
	fprintf(stderr, "muster site: added site %s at %s with %d desks\n", st.code, node.code,
		st.desks);
	ret = CLI_OK;
out:
	db_close(d);
	return ret;
}
