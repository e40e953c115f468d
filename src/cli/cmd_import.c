/* cmd_import.c: `muster import places|people FILE.csv` — parses the command line, runs
 * places' or people's CSV import in one transaction, and prints every bad row (or
 * writes it to the rejects file) and the outcome: all or nothing unless --skip-invalid. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"

static const char help[] =
    "usage: muster import places|people FILE.csv [--skip-invalid REJECTS.csv] [--db PATH]\n"
    "\n"
    "Imports places (code,parent_code,level,name) or people\n"
    "(id_type,id_number,name,sex,birth_date,phone,household_code) from a UTF-8 CSV file\n"
    "with that header row; see docs/csv.md. All or nothing: when any row is bad nothing\n"
    "is imported, every bad row is printed as FILE:LINE: reason, and the status is 1.\n"
    "\n"
    "Options:\n";

static const char epilog[] = "Exit status: 0 imported, 1 data rejected, 2 usage error.\n";

struct import {
	const char *file; /* as given on the command line */
	bool people;
	const struct places_csv_column *cols;
	int ncols;
	struct db *db;
	struct people_keys keys;
	FILE *rejects;
	const char *rejects_path;
	struct mu_progress pg;
};

/* A bad row: on stderr as FILE:LINE: reason, or with --skip-invalid as a row of the
 * rejects file (the fields as read, then the reason). */
static void reject(void *ctx, uint64_t line, char *const *fields, int nfields, const char *why)
{
	struct import *im = ctx;
	if (!im->rejects) {
		fprintf(stderr, "%s:%llu: %s\n", im->file, (unsigned long long)line, why);
		return;
	}
	for (int i = 0; i < (nfields > 0 ? nfields : im->ncols); i++) {
		if (nfields > 0)
			mu_csv_write_field(im->rejects, fields[i]);
		putc(',', im->rejects);
	}
	mu_csv_write_field(im->rejects, why);
	putc('\n', im->rejects);
}

static void progress(void *ctx, uint64_t bytes)
{
	struct import *im = ctx;
	mu_progress_set(&im->pg, bytes);
}

/* Runs the import of an open file into an open database. Returns the exit status. */
static int run(struct import *im, FILE *in)
{
	struct mu_csv *csv = mu_csv_new(in, PLACES_CSV_RECORD_MAX, 0);
	const struct places_csv_sink sink = {reject, progress, im};
	struct places_csv_result res;
	struct stat st;
	const char *hdr[PEOPLE_CSV_NCOLS + 1];
	char header[128] = "";
	uint64_t line;
	int status = CLI_REJECTED, rc;
	bool in_tx = false;

	for (int i = 0, o = 0; i < im->ncols; i++)
		o += snprintf(header + o, sizeof header - (size_t)o, "%s%s", i ? "," : "",
			      im->cols[i].name);
	int min = im->people ? PEOPLE_CSV_NCOLS_MIN : im->ncols;
	if (!places_csv_header_cols(csv, im->cols, min, im->ncols, &line, &im->ncols)) {
		fprintf(stderr, "%s:%llu: header must be %s%s\n", im->file,
			(unsigned long long)line, header, im->people ? " (party optional)" : "");
		goto out;
	}
	if (im->rejects) {
		for (int i = 0; i < im->ncols; i++)
			hdr[i] = im->cols[i].name;
		hdr[im->ncols] = "reason";
		mu_csv_write_record(im->rejects, hdr, im->ncols + 1);
	}
	if ((rc = db_tx_begin(im->db)) != 0) {
		fprintf(stderr, "muster import: cannot start a transaction: %s\n",
			db_errmsg(im->db));
		goto out;
	}
	in_tx = true;
	mu_progress_init(&im->pg, "import", fstat(fileno(in), &st) == 0 ? (uint64_t)st.st_size : 0);
	rc = im->people
		 ? people_csv_import(im->db, &im->keys, csv, im->ncols, !im->rejects, &sink, &res)
		 : places_csv_import(im->db, csv, &sink, &res);
	int err = errno;
	mu_progress_set(&im->pg, mu_csv_bytes(csv));
	mu_progress_fini(&im->pg);
	if (rc == MU_EIO && !res.why[0]) {
		fprintf(stderr, "muster import: %s: read error: %s\n", im->file, strerror(err));
		goto out;
	}
	if (rc && res.line) {
		fprintf(stderr, "%s:%llu: %s\n", im->file, (unsigned long long)res.line, res.why);
		goto out;
	}
	if (rc) {
		fprintf(stderr, "muster import: %s\n", res.why[0] ? res.why : mu_err_msg(rc));
		goto out;
	}
	if (res.rejected && !im->rejects) {
		fprintf(stderr, "muster import: %s: %lld bad row%s; nothing imported\n", im->file,
			(long long)res.rejected, res.rejected == 1 ? "" : "s");
		goto out;
	}
	if (im->rejects && fflush(im->rejects) != 0) {
		fprintf(stderr, "muster import: cannot write %s: %s\n", im->rejects_path,
			strerror(errno));
		goto out;
	}
	in_tx = false;
	if ((rc = db_tx_commit(im->db)) != 0) {
		fprintf(stderr, "muster import: commit failed: %s\n", db_errmsg(im->db));
		db_tx_rollback(im->db);
		goto out;
	}
	if (im->rejects)
		printf("imported %lld %s, rejected %lld (see %s)\n", (long long)res.imported,
		       im->people ? "people" : "places", (long long)res.rejected, im->rejects_path);
	else
		printf("imported %lld %s\n", (long long)res.imported,
		       im->people ? "people" : "places");
	status = CLI_OK;
out:
	if (in_tx)
		db_tx_rollback(im->db);
	mu_csv_free(csv);
	return status;
}

int cmd_import(int argc, char **argv)
{
	struct import im;
	const char *dbp = NULL, *pos[CLI_POS_MAX];
	FILE *in = NULL;
	int rc, npos, status = CLI_REJECTED;

	memset(&im, 0, sizeof im);
	const struct cli_opt opts[] = {
	    CLI_STR("skip-invalid", &im.rejects_path, "R.csv",
		    "import the good rows; write the bad ones with a reason column to R.csv"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"import", help, opts, epilog};
	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos < 1)
		return cli_usage_error("import", "say what to import: places or people");
	if (!strcmp(pos[0], "places")) {
		im.cols = places_csv_columns;
		im.ncols = PLACES_CSV_NCOLS;
	} else if (!strcmp(pos[0], "people")) {
		im.people = true;
		im.cols = people_csv_columns;
		im.ncols = PEOPLE_CSV_NCOLS;
	} else {
		return cli_usage_error("import", "unknown kind '%s' (places or people)", pos[0]);
	}
	if (npos < 2)
		return cli_usage_error("import", "missing the CSV file to import");
	if (npos > 2)
		return cli_usage_error("import", "unexpected argument '%s'", pos[2]);
	im.file = pos[1];
	if (im.rejects_path && !*im.rejects_path)
		return cli_usage_error("import", "--skip-invalid needs a file name");

	if (!(in = fopen(im.file, "rb"))) {
		fprintf(stderr, "muster import: cannot read %s: %s\n", im.file, strerror(errno));
		return CLI_REJECTED;
	}
	if (cli_open(dbp, false, &im.db, im.people ? &im.keys : NULL) != 0)
		goto out;
	if (im.rejects_path && !(im.rejects = fopen(im.rejects_path, "w"))) {
		fprintf(stderr, "muster import: cannot write %s: %s\n", im.rejects_path,
			strerror(errno));
		goto out;
	}
	status = run(&im, in);
out:
	if (im.rejects && fclose(im.rejects) != 0 && status == CLI_OK) {
		fprintf(stderr, "muster import: cannot write %s: %s\n", im.rejects_path,
			strerror(errno));
		status = CLI_REJECTED;
	}
	fclose(in);
	db_close(im.db);
	memset(&im.keys, 0, sizeof im.keys);
	return status;
}
