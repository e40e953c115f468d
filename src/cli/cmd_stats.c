/* cmd_stats.c: `muster stats` — counts per level and people under a place, read from
 * the counts each node keeps (one row, whatever the size of the subtree). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

static const char help[] =
	"usage: muster stats [--place CODE] [--json] [--db PATH]\n"
	"\n"
	"Prints how many districts, streets/towns, communities/villages, grids, compounds,\n"
	"buildings, households and people lie under a place (default: the whole city).\n"
	"  --place CODE  the place to count under\n"
	"  --json        one JSON object with the keys districts, streets, communities,\n"
	"                grids, compounds, buildings, households, people\n"
	"  --db PATH     the database (default $MUSTER_DB, else ./muster.db)\n";

static const char *const keys[PLACES_NLEVELS] = {
	NULL, "districts", "streets", "communities", "grids", "compounds", "buildings", "households"};

static const char sql_root[] = "SELECT id FROM places WHERE level = 0 LIMIT 1";

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {{"place", required_argument, NULL, 'p'},
					     {"json", no_argument, NULL, 'j'},
					     {"db", required_argument, NULL, 'd'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	const char *place = NULL, *dbp = NULL;
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': place = optarg; break;
		case 'j': json = true; break;
		case 'd': dbp = optarg; break;
		case 'h': fputs(help, stdout); return CLI_OK;
		default: return cli_usage_error("stats", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("stats", "unexpected argument '%s'", argv[optind]);

	struct db *d;
	if (cli_open(dbp, false, &d, NULL))
		return CLI_REJECTED;
	int status = CLI_OK;
	struct places_node n;
	memset(&n, 0, sizeof n);
	int rc;
	if (place) {
		rc = places_find(d, place, &n);
		if (rc == MU_ENOTFOUND) {
			fprintf(stderr, "muster stats: no place with code %s\n", place);
			status = CLI_REJECTED;
			goto out;
		}
	} else {
		int64_t root;
		rc = db_query_i64(d, sql_root, &root);
		if (rc == 0 && root)
			rc = places_get(d, root, &n);
		else if (rc == 0)
			snprintf(n.name, sizeof n.name, "(empty database)");
	}
	if (rc) {
		fprintf(stderr, "muster stats: %s\n", mu_err_msg(rc));
		status = CLI_REJECTED;
		goto out;
	}
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "place", json_string(n.code));
		json_object_set_new(o, "name", json_string(n.name));
		json_object_set_new(o, "level", json_string(n.id ? places_level_name(n.level) : ""));
		for (int l = PLACES_DISTRICT; l <= PLACES_HOUSEHOLD; l++)
			json_object_set_new(o, keys[l], json_integer(n.below[l]));
		json_object_set_new(o, "people", json_integer(n.people));
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("%s %s (%s)\n", n.code, n.name, n.id ? places_level_name(n.level) : "-");
		for (int l = n.level + 1; l <= PLACES_HOUSEHOLD; l++)
			printf("  %-12s %12lld\n", keys[l], (long long)n.below[l]);
		printf("  %-12s %12lld\n", "people", (long long)n.people);
	}
out:
	db_close(d);
	return status;
}
