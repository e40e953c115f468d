/* cmd_export.c: `muster export places|people` — writes the CSV formats that import reads
 * (docs/csv.md), so that an export imports again into an empty database. */
#include <errno.h>
#include <getopt.h>
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
    "  --place CODE   only this place's subtree (default: the whole city)\n"
    "  --output FILE  write to FILE instead of standard output\n"
    "  --db PATH      the database (default $MUSTER_DB, else ./muster.db)\n"
    "Exit status: 0 written, 1 failed, 2 usage error.\n";

/* The city is the one node without a parent. */
static const char sql_root[] = "SELECT id FROM places WHERE level = 0 LIMIT 1";

struct export
{
	struct db *db;
	FILE *out;
	int64_t n;
	/* places: the id → code of the last parent seen (parents come before children,
	 * siblings together); people: the last household. */
	int64_t cached_id;
	char cached_code[PLACES_CODE_MAX + 1];
};

/* The code of place id, from the one-entry cache or the database. */
static int code_of(struct export *ex, int64_t id, const char **code)
{
	if (id != ex->cached_id) {
		struct places_node n;
		int rc = places_get(ex->db, id, &n);
		if (rc != 0)
			return rc;
		ex->cached_id = id;
		memcpy(ex->cached_code, n.code, sizeof ex->cached_code);
	}
	*code = ex->cached_code;
	return 0;
}

static int place_out(const struct places_node *n, void *ctx)
{
	struct export *ex = ctx;
	const char *pcode = "";
	int rc;
	if (n->parent_id && (rc = code_of(ex, n->parent_id, &pcode)) != 0)
		return rc;
	const char *row[4] = {n->code, pcode, places_level_name(n->level), n->name};
	ex->n++;
	return mu_csv_write_record(ex->out, row, 4);
}

static int person_out(const struct people_person *p, void *ctx)
{
	struct export *ex = ctx;
	const char *hcode;
	char birth[11];
	int rc = code_of(ex, p->household_id, &hcode);
	if (rc != 0)
		return rc;
	mu_date_format(p->birth, birth);
	const char *row[7] = {people_id_type_name(p->id_type),
			      p->id_number,
			      p->name,
			      p->sex == PEOPLE_SEX_M ? "M" : "F",
			      birth,
			      p->phone,
			      hcode};
	ex->n++;
	return mu_csv_write_record(ex->out, row, 7);
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {{"place", required_argument, NULL, 'p'},
					     {"output", required_argument, NULL, 'o'},
					     {"db", required_argument, NULL, 'd'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	static const char *const place_hdr[] = {"code", "parent_code", "level", "name"};
	static const char *const people_hdr[] = {"id_type",    "id_number", "name",	     "sex",
						 "birth_date", "phone",	    "household_code"};
	const char *place = NULL, *output = NULL, *dbp = NULL;
	struct export ex;
	struct people_keys keys;
	bool people;
	int c, rc, status = CLI_REJECTED;

	memset(&ex, 0, sizeof ex);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			place = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'd':
			dbp = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("export", "option %s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("export", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("export", "say what to export: places or people");
	if (!strcmp(argv[optind], "places"))
		people = false;
	else if (!strcmp(argv[optind], "people"))
		people = true;
	else
		return cli_usage_error("export", "unknown kind '%s' (places or people)",
				       argv[optind]);
	if (optind + 1 < argc)
		return cli_usage_error("export", "unexpected argument '%s'", argv[optind + 1]);

	if (cli_open(dbp, false, &ex.db, people ? &keys : NULL) != 0)
		return CLI_REJECTED;

	int64_t root = 0;
	if (place) {
		struct places_node n;
		if ((rc = places_find(ex.db, place, &n)) != 0) {
			fprintf(stderr, "muster export: %s\n",
				rc == MU_ENOTFOUND ? "no place with that code" : db_errmsg(ex.db));
			goto out;
		}
		root = n.id;
	} else if ((rc = db_query_i64(ex.db, sql_root, &root)) != 0) {
		fprintf(stderr, "muster export: %s\n", db_errmsg(ex.db));
		goto out;
	}

	if (output && !(ex.out = fopen(output, "w"))) {
		fprintf(stderr, "muster export: cannot write %s: %s\n", output, strerror(errno));
		goto out;
	}
	if (!ex.out)
		ex.out = stdout;
	if (people)
		mu_csv_write_record(ex.out, people_hdr, 7);
	else
		mu_csv_write_record(ex.out, place_hdr, 4);
	/* An empty database has no city: the header alone is its export. */
	rc = 0;
	if (root)
		rc = people ? people_walk(ex.db, &keys, root, person_out, &ex)
			    : places_walk(ex.db, root, place_out, &ex);
	if (rc != 0) {
		fprintf(stderr, "muster export: %s\n",
			rc == MU_ECRYPTO ? "a sealed record does not open with this key file"
			: rc == MU_EIO	 ? strerror(errno)
					 : db_errmsg(ex.db));
		goto out;
	}
	if (fflush(ex.out) != 0 || ferror(ex.out)) {
		fprintf(stderr, "muster export: write error: %s\n", strerror(errno));
		goto out;
	}
	if (output)
		fprintf(stderr, "exported %lld %s to %s\n", (long long)ex.n,
			people ? "people" : "places", output);
	status = CLI_OK;
out:
	if (ex.out && ex.out != stdout && fclose(ex.out) != 0 && status == CLI_OK) {
		fprintf(stderr, "muster export: write error: %s\n", strerror(errno));
		status = CLI_REJECTED;
	}
	if (output && status != CLI_OK && ex.out)
		unlink(output);
	db_close(ex.db);
	memset(&keys, 0, sizeof keys);
	return status;
}
