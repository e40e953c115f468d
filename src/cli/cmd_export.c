/* cmd_export.c: `muster export places|people` — writes the CSV formats that import reads
 * (docs/csv.md), so that an export imports again into an empty database. A people
 * export is personal data in bulk: every person in it gets an audit entry, committed
 * before the file is final (issue 12). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
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
    "with their sealed fields opened: treat the output as personal data. Each person\n"
    "exported gets an audit entry (actor cli:<login>, action 'cli export people',\n"
    "record person:ID, as the server's reads record them), committed before the file\n"
    "is complete; so a people export writes to the database and is refused while\n"
    "`muster serve` runs on it. The output appears only once it is whole.\n"
    "\nOptions:\n";

static const char epilog[] = "Exit status: 0 written, 1 failed, 2 usage error.\n";

#define ACTION "cli export people"

/* The audit of a people export: one entry per person, in the export's transaction,
 * appended AUDIT_BATCH at a time (the chain's head and the key file read once a batch,
 * not once a person). */
#define AUDIT_BATCH 4096
struct audit_walk {
	struct db *d;
	const struct auth_principal *who;
	int64_t n;
	size_t k;
	char rec[AUDIT_BATCH][32]; /* "person:" and an int64 */
	const char *recs[AUDIT_BATCH];
};

static int audit_flush(struct audit_walk *w)
{
	int rc = auth_audit_append_records(w->d, w->who, ACTION, w->recs, w->k, "", 0);
	w->k = 0;
	return rc;
}

static int audit_one(const struct people_person *p, void *ctx)
{
	struct audit_walk *w = ctx;
	snprintf(w->rec[w->k], sizeof w->rec[w->k], "person:%lld", (long long)p->id);
	w->recs[w->k] = w->rec[w->k];
	w->k++;
	w->n++;
	return w->k == AUDIT_BATCH ? audit_flush(w) : 0;
}

/* Writes every person under root to out and audits each of them, in one transaction:
 * the entries are committed (durably: synchronous=FULL) before the caller makes the file
 * final, and a failed export leaves none. A count that differs between the two walks of
 * the same snapshot would be a person exported unaudited: refused (MU_EDB). */
static int people_audited(struct db *d, const struct people_keys *keys,
			  const struct places_node *root, FILE *out, int64_t *n)
{
	struct auth_principal who;
	struct audit_walk *w = mu_xcalloc(1, sizeof *w);
	char summary[96];
	int rc = db_tx_begin(d);
	if (rc != 0)
		goto out_free;
	cli_actor(&who);
	w->d = d;
	w->who = &who;
	if (root->id && (rc = people_walk(d, keys, root->id, audit_one, w)) != 0)
		goto out;
	if ((rc = audit_flush(w)) != 0 || (rc = people_csv_export(d, keys, root->id, out, n)) != 0)
		goto out;
	if (*n != w->n) {
		fprintf(stderr, "muster export: %lld people audited but %lld exported\n",
			(long long)w->n, (long long)*n);
		rc = MU_EDB;
		goto out;
	}
	snprintf(summary, sizeof summary, "place:%s people:%lld", root->id ? root->code : "",
		 (long long)*n);
	if ((rc = auth_audit_append(d, &who, ACTION, summary, "", 0)) == 0)
		rc = db_tx_commit(d);
out:
	if (rc != 0)
		db_tx_rollback(d);
out_free:
	free(w);
	return rc;
}

/* Copies the staged export to stdout. 0 or MU_EIO. */
static int copy_out(FILE *in)
{
	char buf[65536];
	size_t k;
	rewind(in);
	while ((k = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, k, stdout) != k)
			return MU_EIO;
	return ferror(in) || fflush(stdout) != 0 ? MU_EIO : 0;
}

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
	char *staged = NULL;
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

	/* People: the audit entries are a write (the lock: not beside a server). */
	memset(&keys, 0, sizeof keys);
	if (cli_open(dbp, people ? 0 : CLI_OPEN_READ, &d, people ? &keys : NULL) != 0)
		return CLI_REJECTED;
	if ((rc = places_scope_find(d, place, &root)) != 0) {
		fprintf(stderr, "muster export: %s\n",
			rc == MU_ENOTFOUND ? "no place with that code" : db_errmsg(d));
		goto out;
	}
	/* The export is staged — beside FILE (mode 0600, renamed over it when whole), or in
	 * an unlinked temporary file copied to stdout — so that no reader sees a file whose
	 * audit entries are not committed, nor half a file after a failure. */
	if (output) {
		size_t len = strlen(output) + 8;
		staged = mu_xmalloc(len);
		snprintf(staged, len, "%s.XXXXXX", output);
		int fd = mkstemp(staged);
		if (fd < 0 || !(out = fdopen(fd, "w"))) {
			fprintf(stderr, "muster export: cannot write %s: %s\n", output,
				strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(staged);
			}
			free(staged);
			staged = NULL;
			goto out;
		}
	} else if (!(out = tmpfile())) {
		fprintf(stderr, "muster export: cannot stage the export: %s\n", strerror(errno));
		goto out;
	}
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
	/* A people export's audit entries are committed here; the file becomes final only
	 * after that. An empty database has no city (root.id 0): the header alone is its
	 * export. */
	rc = people ? people_audited(d, &keys, &root, out, &n)
		    : places_csv_export(d, root.id, out, &n);
	if (rc != 0) {
		fprintf(stderr, "muster export: %s\n",
			rc == MU_ECRYPTO ? "a sealed record does not open with this key file"
			: rc == MU_EIO	 ? strerror(errno)
					 : db_errmsg(d));
		goto out;
	}
	if (fflush(out) != 0 || ferror(out) || (output && fsync(fileno(out)) != 0)) {
		fprintf(stderr, "muster export: write error: %s\n", strerror(errno));
		goto out;
	}
	if (output) {
		int bad = fclose(out);
		out = NULL;
		if (bad || rename(staged, output) != 0) {
			fprintf(stderr, "muster export: cannot write %s: %s\n", output,
				strerror(errno));
			goto out;
		}
		free(staged);
		staged = NULL;
		fprintf(stderr, "exported %lld %s to %s\n", (long long)n,
			people ? "people" : "places", output);
	} else if (copy_out(out) != 0) {
		fprintf(stderr, "muster export: write error: %s\n", strerror(errno));
		goto out;
	}
	status = CLI_OK;
out:
	if (out)
		fclose(out);
	if (staged) {
		unlink(staged);
		free(staged);
	}
	db_close(d);
	memset(&keys, 0, sizeof keys);
	return status;
}
