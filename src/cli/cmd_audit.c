/* cmd_audit.c: `muster audit verify` — walks the audit log's hash chain and names the
 * first entry that was edited, removed or reordered. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"

static const char help[] =
    "usage: muster audit verify [--db PATH]\n"
    "\n"
    "Recomputes every audit entry's keyed hash (with the database's key file) and its\n"
    "link to the entry before. Prints 'audit chain intact: N entries' and exits 0, or\n"
    "'audit chain broken at entry ID' and exits 1: ID is the first entry edited, the\n"
    "entry after one removed, or the first of entries reordered. Removing the newest\n"
    "entries cannot be seen from the chain alone; compare the count with a copy kept\n"
    "elsewhere.\n"
    "Exit status: 0 intact, 1 broken (or unreadable), 2 usage error.\n";

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {0}};
	const char *dbp = NULL;
	struct db *d = NULL;
	int c, ret = CLI_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbp = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return CLI_OK;
		default:
			return cli_usage_error("audit", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("audit", "missing subcommand verify");
	if (strcmp(argv[optind], "verify") != 0)
		return cli_usage_error("audit", "unknown subcommand '%s'", argv[optind]);
	if (optind + 1 != argc)
		return cli_usage_error("audit", "unexpected argument '%s'", argv[optind + 1]);
	if (cli_open(dbp, false, &d, NULL))
		return CLI_REJECTED;
	int64_t bad = 0, checked = 0;
	int rc = auth_audit_verify(d, db_path(d), &bad, &checked);
	if (rc != 0) {
		fprintf(stderr, "muster audit: cannot verify: %s\n", mu_err_msg(rc));
		ret = CLI_REJECTED;
	} else if (bad != 0) {
		printf("audit chain broken at entry %lld\n", (long long)bad);
		ret = CLI_REJECTED;
	} else {
		printf("audit chain intact: %lld entries\n", (long long)checked);
	}
	db_close(d);
	return ret;
}
