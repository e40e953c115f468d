/* cmd_stats.c: `muster stats` — counts per level and people under a place, read from
 * the counts each node keeps (one row, whatever the size of the subtree). */
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
    "\nOptions:\n";

static const char *const keys[PLACES_NLEVELS] = {NULL,	  "districts", "streets",   "communities",
						 "grids", "compounds", "buildings", "households"};

int cmd_stats(int argc, char **argv)
{
	const char *place = NULL, *dbp = NULL, *pos[CLI_POS_MAX];
	bool json = false;
	const struct cli_opt opts[] = {
	    CLI_STR("place", &place, "CODE", "the place to count under"),
	    CLI_FLAG("json", &json,
		     "one JSON object with the keys districts, streets, communities, grids,\n"
		     "                         compounds, buildings, households, people"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"stats", help, opts, NULL};
	int rc, npos;
	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos)
		return cli_usage_error("stats", "unexpected argument '%s'", pos[0]);

	struct db *d;
	if (cli_open(dbp, CLI_OPEN_READ, &d, NULL))
		return CLI_REJECTED;
	int status = CLI_OK;
	struct places_node n;
	rc = places_scope_find(d, place, &n);
	if (rc == MU_ENOTFOUND && place) {
		fprintf(stderr, "muster stats: no place with code %s\n", place);
		status = CLI_REJECTED;
		goto out;
	}
	if (rc == 0 && !n.id)
		snprintf(n.name, sizeof n.name, "(empty database)");
	if (rc) {
		fprintf(stderr, "muster stats: %s\n", mu_err_msg(rc));
		status = CLI_REJECTED;
		goto out;
	}
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "place", json_string(n.code));
		json_object_set_new(o, "name", json_string(n.name));
		json_object_set_new(o, "level",
				    json_string(n.id ? places_level_name(n.level) : ""));
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
