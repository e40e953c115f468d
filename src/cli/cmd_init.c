/* cmd_init.c: `muster init` — creates a database with the current schema and the key
 * file that seals its personal data (mode 0600, beside the database). */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"

static const char help[] =
	"usage: muster init [--db PATH]\n"
	"\n"
	"Creates an empty Muster database at PATH (default $MUSTER_DB, else ./muster.db) and\n"
	"its key file PATH.key (mode 0600). Keep the key file out of version control and\n"
	"back it up apart from the database: without it no sealed field can be read.\n";

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	const char *dbp = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dbp = optarg; break;
		case 'h': fputs(help, stdout); return CLI_OK;
		default: return cli_usage_error("init", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
	const char *path = mu_config_db_path(dbp);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "muster init: %s already exists; nothing changed\n", path);
		return CLI_REJECTED;
	}
	char kp[4096];
	people_keyfile_path(path, kp, sizeof kp);
	if (access(kp, F_OK) == 0) {
		fprintf(stderr, "muster init: a key file %s already exists without its database; "
				"move it away first\n", kp);
		return CLI_REJECTED;
	}
	struct db *d;
	if (cli_open(dbp, true, &d, NULL))
		return CLI_REJECTED;
	db_close(d);
	printf("created %s (schema %d) and its key file %s (mode 0600)\n", path,
	       db_schema_version(), kp);
	return CLI_OK;
}
