/* cmd_site.c: `muster site add` — a sampling site (采样点) at a place, with its desks.
 * Device tokens are then bound to it with `muster token issue --site CODE`. */
#include <getopt.h>
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
    "Exit status: 0 added, 1 refused (unknown place, code taken, bad code or name),\n"
    "2 usage error.\n";

int cmd_site(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
					     {"code", required_argument, NULL, 'c'},
					     {"place", required_argument, NULL, 'p'},
					     {"name", required_argument, NULL, 'n'},
					     {"desks", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	const char *dbp = NULL, *code = NULL, *place = NULL, *name = NULL;
	struct mu_why why = {0};
	int64_t desks = 0;
	struct screening_site st;
	struct places_node node;
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
		case 'p':
			place = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'k':
			if (mu_parse_i64(optarg, &desks) || desks < 1 || desks > 10000)
				return cli_usage_error("site", "--desks wants 1..10000");
			break;
		case 'h':
			fputs(help, stdout);
			return CLI_OK;
		default:
			return cli_usage_error("site", "unknown option or missing value");
		}
	}
	if (optind >= argc || strcmp(argv[optind], "add") != 0)
		return cli_usage_error("site", "missing subcommand add");
	if (optind + 1 != argc)
		return cli_usage_error("site", "unexpected argument '%s'", argv[optind + 1]);
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
	cli_actor(&who);
	if ((rc = db_tx_begin(d)) == 0) {
		char record[48];
		snprintf(record, sizeof record, "site:%s", st.code);
		if ((rc = screening_site_add(d, &st, &why)) == 0)
			rc = auth_audit_append(d, &who, "cli site add", record, "", 0);
		if (rc == 0)
			rc = db_tx_commit(d);
		else
			db_tx_rollback(d);
	}
	if (rc) {
		fprintf(stderr, "muster site: %s\n", why.text[0] ? why.text : mu_err_msg(rc));
		goto out;
	}
	fprintf(stderr, "muster site: added site %s at %s with %d desks\n", st.code, node.code,
		st.desks);
	ret = CLI_OK;
out:
	db_close(d);
	return ret;
}
