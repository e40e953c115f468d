/* cmd_results.c: `muster results import FILE.csv --lab CODE` — a lab's results from a
 * CSV file (tube,result,ct_orf1ab,ct_n,at), through the same store as the API, in one
 * transaction: all or nothing unless --skip-invalid sends bad rows aside. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "screening/screening.h"

static const char help[] =
    "usage: muster results import FILE.csv --lab CODE [--skip-invalid REJECTS.csv] [--db PATH]\n"
    "\n"
    "Records the results of tubes received by lab CODE from a UTF-8 CSV file with the\n"
    "header tube,result,ct_orf1ab,ct_n,at: result is negative, positive or invalid; the\n"
    "ct values are numbers from 0 to 60 or empty; at is an ISO 8601 time or empty (now).\n"
    "A positive or invalid pooled tube raises a recall for each of its people; a\n"
    "recall's single tube resolves it. All or nothing: when any row is bad (malformed,\n"
    "unknown tube, not received by this lab, already resulted) nothing is recorded,\n"
    "every bad row is printed as FILE:LINE: reason, and the status is 1.\n"
    "A running `muster serve` shows these results in its coverage after a restart.\n"
    "\nOptions:\n";

static const char epilog[] = "Exit status: 0 recorded, 1 data rejected, 2 usage error.\n";

#define NCOLS SCREENING_RESULTS_CSV_NCOLS

struct rimport {
	const char *file, *lab;
	struct db *d;
	FILE *rejects;
};

/* Reports a bad row: FILE:LINE: reason on stderr, or a row of the rejects file (its
 * fields, as many as the format has, then the reason). */
static void reject(void *ctx, uint64_t line, char *const *fields, int nfields, const char *why)
{
	struct rimport *im = ctx;
	if (!im->rejects) {
		fprintf(stderr, "%s:%llu: %s\n", im->file, (unsigned long long)line, why);
		return;
	}
	for (int i = 0; i < NCOLS; i++) {
		if (i < nfields)
			mu_csv_write_field(im->rejects, fields[i]);
		putc(',', im->rejects);
	}
	mu_csv_write_field(im->rejects, why);
	putc('\n', im->rejects);
}

static int run(struct rimport *im, FILE *in)
{
	struct mu_csv *csv = mu_csv_new(in, 4096, 0);
	const struct places_csv_sink sink = {reject, NULL, im};
	struct places_csv_result res;
	struct screening_lab lab;
	struct auth_principal who;
	uint64_t line;
	int status = CLI_REJECTED, rc;
	bool in_tx = false;
	if ((rc = screening_lab_find(im->d, im->lab, &lab))) {
		fprintf(stderr, "muster results: no lab with code '%s'\n", im->lab);
		goto out;
	}
	if (!places_csv_header_ok(csv, screening_results_csv_columns, NCOLS, &line)) {
		fprintf(stderr, "%s:%llu: header must be tube,result,ct_orf1ab,ct_n,at\n", im->file,
			(unsigned long long)line);
		goto out;
	}
	if (im->rejects) {
		const char *hdr[NCOLS + 1] = {"tube", "result", "ct_orf1ab",
					      "ct_n", "at",	"reason"};
		mu_csv_write_record(im->rejects, hdr, NCOLS + 1);
	}
	if ((rc = db_tx_begin(im->d))) {
		fprintf(stderr, "muster results: cannot start a transaction: %s\n", mu_err_msg(rc));
		goto out;
	}
	in_tx = true;
	if ((rc = screening_results_csv_import(im->d, im->lab, csv, mu_now_unix(), &sink, &res))) {
		fprintf(stderr, "muster results: %s: %s\n", im->file,
			rc == MU_EIO ? strerror(errno) : mu_err_msg(rc));
		goto out;
	}
	if (res.rejected && !im->rejects) {
		fprintf(stderr, "muster results: %s: %lld bad row%s; nothing recorded\n", im->file,
			(long long)res.rejected, res.rejected == 1 ? "" : "s");
		goto out;
	}
	char record[80];
	snprintf(record, sizeof record, "lab:%s results:%lld", im->lab, (long long)res.imported);
	cli_actor(&who);
	if ((rc = auth_audit_append(im->d, &who, "cli results import", record, "", 0)))
		goto out;
	if (im->rejects && fflush(im->rejects) != 0) {
		fprintf(stderr, "muster results: cannot write the rejects file: %s\n",
			strerror(errno));
		goto out;
	}
	in_tx = false;
	if ((rc = db_tx_commit(im->d))) {
		fprintf(stderr, "muster results: commit failed: %s\n", mu_err_msg(rc));
		db_tx_rollback(im->d);
		goto out;
	}
	if (im->rejects)
		printf("recorded %lld results, rejected %lld\n", (long long)res.imported,
		       (long long)res.rejected);
	else
		printf("recorded %lld results\n", (long long)res.imported);
	status = CLI_OK;
out:
	if (in_tx)
		db_tx_rollback(im->d);
	mu_csv_free(csv);
	return status;
}

int cmd_results(int argc, char **argv)
{
	struct rimport im = {0};
	const char *dbp = NULL, *rejects = NULL;
	FILE *in = NULL;
	int status = CLI_REJECTED;
	const char *pos[CLI_POS_MAX];
	int prc, npos;
	const struct cli_opt opts[] = {
	    CLI_STR("lab", &im.lab, "CODE", "the lab that received the tubes"),
	    CLI_STR("skip-invalid", &rejects, "R.csv",
		    "record the good rows; write the bad ones with a reason column to R.csv"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"results", help, opts, epilog};
	if ((prc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return prc;
	if (npos < 1 || strcmp(pos[0], "import") != 0)
		return cli_usage_error("results", "missing subcommand import");
	if (npos != 2)
		return cli_usage_error("results", "import takes one CSV file");
	if (!im.lab || !*im.lab)
		return cli_usage_error("results", "import needs --lab CODE");
	if (rejects && !*rejects)
		return cli_usage_error("results", "--skip-invalid needs a file name");
	im.file = pos[1];
	if (!(in = fopen(im.file, "rb"))) {
		fprintf(stderr, "muster results: cannot read %s: %s\n", im.file, strerror(errno));
		return CLI_REJECTED;
	}
	if (cli_open(dbp, false, &im.d, NULL))
		goto out;
	if (rejects && !(im.rejects = fopen(rejects, "w"))) {
		fprintf(stderr, "muster results: cannot write %s: %s\n", rejects, strerror(errno));
		goto out;
	}
	status = run(&im, in);
out:
	if (im.rejects && fclose(im.rejects) != 0 && status == CLI_OK) {
		fprintf(stderr, "muster results: cannot write %s: %s\n", rejects, strerror(errno));
		status = CLI_REJECTED;
	}
	fclose(in);
	db_close(im.d);
	return status;
}
