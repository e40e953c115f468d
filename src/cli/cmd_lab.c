/* cmd_lab.c: `muster lab add` — a testing lab with its capacity in tubes a day. Lab
 * device tokens are bound to it with `muster token issue --lab CODE`. */
#include <getopt.h>
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
    "Exit status: 0 added, 1 refused (code taken, bad code or name), 2 usage error.\n";

int cmd_lab(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},   {"code", required_argument, NULL, 'c'},
	    {"name", required_argument, NULL, 'n'}, {"capacity", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},	    {0}};
	const char *dbp = NULL, *code = NULL, *name = NULL;
	struct mu_why why = {0};
	int64_t cap = 0;
	struct screening_lab lab;
	struct auth_principal who;
	struct db *d = NULL;
	int c, rc, ret = CLI_REJECTED;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbp = optarg;
			break;
		case 'c':
			code = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'k':
			if (mu_parse_i64(optarg, &cap) || cap < 1 || cap > 100000000)
				return cli_usage_error("lab", "--capacity wants 1..100000000");
			break;
		case 'h':
			fputs(help, stdout);
			return CLI_OK;
		default:
			return cli_usage_error("lab", "unknown option or missing value");
		}
	}
	if (optind >= argc || strcmp(argv[optind], "add") != 0)
		return cli_usage_error("lab", "missing subcommand add");
	if (optind + 1 != argc)
		return cli_usage_error("lab", "unexpected argument '%s'", argv[optind + 1]);
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
	cli_actor(&who);
	if ((rc = db_tx_begin(d)) == 0) {
		char record[48];
		snprintf(record, sizeof record, "lab:%s", lab.code);
		if ((rc = screening_lab_add(d, &lab, &why)) == 0)
			rc = auth_audit_append(d, &who, "cli lab add", record, "", 0);
		if (rc == 0)
			rc = db_tx_commit(d);
		else
			db_tx_rollback(d);
	}
	if (rc) {
		fprintf(stderr, "muster lab: %s\n", why.text[0] ? why.text : mu_err_msg(rc));
		goto out;
	}
	fprintf(stderr, "muster lab: added lab %s (%lld tubes a day)\n", lab.code,
		(long long)lab.capacity);
	ret = CLI_OK;
out:
	db_close(d);
	return ret;
}
