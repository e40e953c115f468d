/* cmd_lab.c: `muster lab add` — a testing lab with its capacity in tubes a day. Lab
 * device tokens are bound to it with `muster token issue --lab CODE`. */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "screening/screening.h"

static const char help[] =
    "usage: muster lab add --code CODE --name TEXT --capacity TUBES_PER_DAY [--db PATH]\n"
    "\n"
    "Adds a lab: CODE (1-32 letters, digits or '-') and its capacity in tubes a day\n"
    "(1-100000000). A lab's device token (`muster token issue --lab CODE`) receives\n"
    "tubes and uploads results for that lab only, and never sees a name.\n"
    "\nOptions:\n";

static const char epilog[] =
    "Exit status: 0 added, 1 refused (code taken, bad code or name), 2 usage error.\n";

struct add {
	struct screening_lab *lab;
	struct mu_why why;
};

/* Adds the lab; its audit record is "lab:CODE". */
static int add(struct db *d, void *arg, char *record, size_t n)
{
	struct add *a = arg;
	snprintf(record, n, "lab:%s", a->lab->code);
	return screening_lab_add(d, a->lab, &a->why);
}

int cmd_lab(int argc, char **argv)
{
	const char *dbp = NULL, *code = NULL, *name = NULL;
	int64_t cap = 0;
	struct screening_lab lab;
	struct db *d = NULL;
	int rc, ret = CLI_REJECTED;
	const char *pos[CLI_POS_MAX];
	int prc, npos;
	const struct cli_opt opts[] = {
	    CLI_STR_REQ("code", &code, "CODE", "the lab's code"),
	    CLI_STR_REQ("name", &name, "NAME", "its name"),
	    CLI_INT("capacity", &cap, "N", "tubes it can test a day", true, 1, 100000000),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"lab", help, opts, epilog};
	if ((prc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return prc;
	if (npos < 1 || strcmp(pos[0], "add") != 0)
		return cli_usage_error("lab", "missing subcommand add");
	if (npos != 1)
		return cli_usage_error("lab", "unexpected argument '%s'", pos[1]);
	if (!code || !name || !cap)
		return cli_usage_error("lab", "add needs --code, --name and --capacity");
	memset(&lab, 0, sizeof lab);
	if (strlen(code) >= sizeof lab.code || strlen(name) >= sizeof lab.name) {
		fprintf(stderr, "muster lab: the code or the name is too long\n");
		return CLI_REJECTED;
	}
	if (cli_open(dbp, false, &d, NULL))
		return CLI_REJECTED;
	snprintf(lab.code, sizeof lab.code, "%s", code);
	snprintf(lab.name, sizeof lab.name, "%s", name);
	lab.capacity = cap;
	struct add a = {&lab, {0}};
	rc = cli_audited(d, "cli lab add", add, &a);
	if (rc) {
		fprintf(stderr, "muster lab: %s\n", a.why.text[0] ? a.why.text : mu_err_msg(rc));
		goto out;
	}
	fprintf(stderr, "muster lab: added lab %s (%lld tubes a day)\n", lab.code,
		(long long)lab.capacity);
	ret = CLI_OK;
out:
	db_close(d);
	return ret;
}
