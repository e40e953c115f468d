/* main.c: the `muster` entry point — finds the command and hands it its arguments. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "core/core.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"init", cmd_init, "create a database, its key file and the first admin"},
    {"city", cmd_city, "city generate --preset guangzhou-2021: build a synthetic city"},
    {"import", cmd_import, "import places|people FILE.csv (all-or-nothing)"},
    {"export", cmd_export, "export places|people as CSV"},
    {"stats", cmd_stats, "counts per level and people under a place"},
    {"user", cmd_user, "user add|list|disable|passwd: accounts with a role and a place"},
    {"token", cmd_token, "token issue|revoke|list: device tokens of sites and labs"},
    {"call", cmd_call, "call deadlines|deadline set|log|sweep: calls for help"},
    {"case", cmd_case, "case open|contacts: a case and its contacts"},
    {"round", cmd_round, "round create|close|report|plan: screening rounds"},
    {"site", cmd_site, "site add: a sampling site at a place"},
    {"lab", cmd_lab, "lab add: a lab with its capacity"},
    {"results", cmd_results, "results import FILE.csv --lab CODE (all-or-nothing)"},
    {"group", cmd_group, "group add|list: three-person groups and the grids they hold"},
    {"zone", cmd_zone, "zone add|lift|list: risk zones (a sealed zone's residents sealed)"},
    {"drill", cmd_drill, "drill screening: send scans and lab results to a server"},
    {"order", cmd_order, "order issue|forward|ack|done|blocked|show: orders down the tree"},
    {"org", cmd_org, "org add: an organisation (branch, shock team, hospital…) at a place"},
    {"forces", cmd_forces, "forces form|squad|ledger: form a compound, send a squad, person-times"},
    {"post", cmd_post, "post list|sync: service posts with their stock and duty mode"},
    {"supply", cmd_supply, "supply add|move|handout: stock at the service posts"},
    {"wartime", cmd_wartime, "wartime on|off: switch a district or the city to wartime"},
    {"audit", cmd_audit, "audit verify: check the hash chain of the audit log"},
    {"plan", cmd_plan, "plan templates|template add|use: key persons' plan templates"},
    {"serve", cmd_serve, "serve the HTTP API (and the web app)"},
    {"routes", cmd_routes, "list the HTTP routes with their roles (docs/roles.md)"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: muster <command> [options]   (muster <command> --help)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nEvery command takes --db PATH (default $MUSTER_DB, else ./muster.db).\n"
		   "Exit status: 0 ok, 1 data rejected, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	/* Every file Muster makes holds personal data or opens it: the database (and the
	 * WAL and shared memory SQLite makes with its mode), the key file, exports and
	 * reject files. None is for group or others, whatever the caller's umask. */
	umask(S_IRWXG | S_IRWXO);
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "muster: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
