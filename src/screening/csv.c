/* csv.c: a lab's results as CSV (docs/csv.md) — tube,result,ct_orf1ab,ct_n,at rows
 * recorded one by one through the same store as the API, each refused row reported
 * with its reason. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "places/places.h"
#include "screening.h"

/* Lengths are the store's to judge: the row checks here are the reader's own. */
const struct places_csv_column screening_results_csv_columns[SCREENING_RESULTS_CSV_NCOLS] = {
    {"tube", false, PLACES_CSV_RECORD_MAX, false},
    {"result", false, PLACES_CSV_RECORD_MAX, false},
    {"ct_orf1ab", false, PLACES_CSV_RECORD_MAX, false},
    {"ct_n", false, PLACES_CSV_RECORD_MAX, false},
    {"at", false, PLACES_CSV_RECORD_MAX, false},
};

/* An empty field is NAN; false when the field is not a number. */
static bool ct_field(const char *s, double *out)
{
	*out = NAN;
	return !*s || mu_parse_double(s, out) == 0;
}

int screening_results_csv_import(struct db *d, const char *lab_code, struct mu_csv *csv,
				 int64_t now, const struct places_csv_sink *sink,
				 struct places_csv_result *res)
{
	struct mu_csv_record r;
	int rc;
	memset(res, 0, sizeof *res);
	while ((rc = mu_csv_next(csv, &r)) == 1) {
		char why[160];
		const char *bad = NULL;
		struct screening_result_in in;
		struct screening_item_result out;
		memset(&in, 0, sizeof in);
		if (r.err != MU_CSV_OK) {
			bad = mu_csv_err_msg(r.err);
		} else if (r.nfields != SCREENING_RESULTS_CSV_NCOLS) {
			snprintf(why, sizeof why, "wrong column count (%d, expected %d)", r.nfields,
				 SCREENING_RESULTS_CSV_NCOLS);
			bad = why;
		} else if (r.bad_utf8 >= 0) {
			bad = "not UTF-8";
		} else if (!ct_field(r.fields[2], &in.ct_orf1ab)) {
			bad = "ct_orf1ab is not a number";
		} else if (!ct_field(r.fields[3], &in.ct_n)) {
			bad = "ct_n is not a number";
		} else {
			in.tube = r.fields[0];
			in.result = r.fields[1];
			in.at = *r.fields[4] ? r.fields[4] : NULL;
			if ((rc = screening_result_record(d, lab_code, &in, 1, now, &out, NULL)))
				return rc;
			if (out.err)
				bad = out.why.text[0] ? out.why.text : mu_err_msg(out.err);
		}
		if (bad) {
			res->rejected++;
			/* An unreadable record has no fields to give back. */
			sink->reject(sink->ctx, r.line, r.fields,
				     r.err == MU_CSV_OK ? r.nfields : 0, bad);
			continue;
		}
		res->imported++;
	}
	return rc < 0 ? rc : 0;
}
