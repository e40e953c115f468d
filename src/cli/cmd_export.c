/* cmd_export.c: `muster export places|people` — writes the CSV formats that import reads
 * (docs/csv.md), so that an export imports again into an empty database. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"

static const char help[] =
    "usage: muster export places|people [--place CODE] [--output FILE] [--db PATH]\n"
    "\n"
    "Writes places (code,parent_code,level,name; parents before children) or people\n"
    "(id_type,id_number,name,sex,birth_date,phone,household_code) as UTF-8 CSV with a\n"
    "header row, the format `muster import` reads (docs/csv.md). People are written\n"
    "with their sealed fields opened: treat the output as personal data.\n"
    "\nOptions:\n";

static const char epilog[] = "Exit status: 0 written, 1 failed, 2 usage error.\n";

int cmd_export(int argc, char **argv)
{
	const char *place = NULL, *output = NULL, *dbp = NULL, *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("place", &place, "CODE", "only this place's subtree (default: the whole city)"),
	    CLI_STR("output", &output, "FILE", "write to FILE instead of standard output"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"export", help, opts, epilog};
	struct people_keys keys;
	struct places_node root;
	struct db *d = NULL;
	FILE *out = NULL;
	int64_t n = 0;
	bool people;
	int rc, npos, status = CLI_REJECTED;

	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos < 1)
		return cli_usage_error("export", "say what to export: places or people");
	if (!strcmp(pos[0], "places"))
		people = false;
	else if (!strcmp(pos[0], "people"))
		people = true;
	else
		return cli_usage_error("export", "unknown kind '%s' (places or people)", pos[0]);
	if (npos > 1)
		return cli_usage_error("export", "unexpected argument '%s'", pos[1]);

	if (cli_open(dbp, CLI_OPEN_READ, &d, people ? &keys : NULL) != 0)
		return CLI_REJECTED;
	if ((rc = places_scope_find(d, place, &root)) != 0) {
		fprintf(stderr, "muster export: %s\n",
			rc == MU_ENOTFOUND ? "no place with that code" : db_errmsg(d));
		goto out;
	}
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "muster export: cannot write %s: %s\n", output, strerror(errno));
		goto out;
	}
	if (!out)
		out = stdout;
	if (people) {
		const char *hdr[PEOPLE_CSV_NCOLS];
		for (int i = 0; i < PEOPLE_CSV_NCOLS; i++)
			hdr[i] = people_csv_columns[i].name;
		mu_csv_write_record(out, hdr, PEOPLE_CSV_NCOLS);
	} else {
		const char *hdr[PLACES_CSV_NCOLS];
		for (int i = 0; i < PLACES_CSV_NCOLS; i++)
			hdr[i] = places_csv_columns[i].name;
		mu_csv_write_record(out, hdr, PLACES_CSV_NCOLS);
	}
	/* An empty database has no city (root.id 0): the header alone is its export. */
	rc = people ? people_csv_export(d, &keys, root.id, out, &n)
		    : places_csv_export(d, root.id, out, &n);
	if (rc != 0) {
		fprintf(stderr, "muster export: %s\n",
			rc == MU_ECRYPTO ? "a sealed record does not open with this key file"
			: rc == MU_EIO	 ? strerror(errno)
					 : db_errmsg(d));
		goto out;
	}
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(stderr, "muster export: write error: %s\n", strerror(errno));
		goto out;
	}
	if (output)
		fprintf(stderr, "exported %lld %s to %s\n", (long long)n,
			people ? "people" : "places", output);
	status = CLI_OK;
out:
	if (out && out != stdout && fclose(out) != 0 && status == CLI_OK) {
		fprintf(stderr, "muster export: write error: %s\n", strerror(errno));
		status = CLI_REJECTED;
	}
	if (output && status != CLI_OK && out)
		unlink(output);
	db_close(d);
	memset(&keys, 0, sizeof keys);
	return status;
}
