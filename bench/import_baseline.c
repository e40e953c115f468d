/* import_baseline.c: the baseline of `import-people` — the same people rows that
 * `muster import people FILE` stores (household id, type, keyed hash, code, sealed
 * blob), all computed beforehand and untimed, then inserted with one prepared
 * statement in one transaction into the same tables and indexes. Prints
 * "<rows_per_s> rows/s". Usage: build/bench/import_baseline DB PEOPLE.csv */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "people/people_int.h"
#include "places/places.h"

struct row {
	int64_t household, birth;
	int id_type, sex;
	unsigned char hash[PEOPLE_HASH_BYTES], secret[PEOPLE_CODE_SECRET_BYTES];
	unsigned char *sealed;
	size_t sealed_len;
};

static const char sql_insert[] =
    "INSERT INTO people(household_id, id_type, id_hash, code_secret, sex, birth, party, sealed)"
    " VALUES (?, ?, ?, ?, ?, ?, 0, ?)";

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s DB PEOPLE.csv\n", argv[0]);
		return 2;
	}
	struct db *d;
	struct people_keys k;
	if (db_open(argv[1], 0, &d) || people_keys_load(argv[1], &k))
		return 1;
	FILE *f = fopen(argv[2], "r");
	if (!f)
		return 1;
	struct mu_csv *csv = mu_csv_new(f, 0, 0);
	struct mu_csv_record r;
	size_t n = 0, cap = 0;
	struct row *rows = NULL;
	char last_hh[PLACES_CODE_MAX + 1] = "";
	int64_t last_id = 0;
	bool header = true;
	while (mu_csv_next(csv, &r) == 1) {
		if (header || r.err || r.nfields != 7) {
			header = false;
			continue;
		}
		struct people_person p;
		memset(&p, 0, sizeof p);
		if (people_id_type_parse(r.fields[0], &p.id_type) ||
		    mu_date_parse(r.fields[4], &p.birth))
			continue;
		snprintf(p.id_number, sizeof p.id_number, "%s", r.fields[1]);
		snprintf(p.name, sizeof p.name, "%s", r.fields[2]);
		snprintf(p.phone, sizeof p.phone, "%s", r.fields[5]);
		p.sex = r.fields[3][0] == 'M' ? PEOPLE_SEX_M : PEOPLE_SEX_F;
		if (strcmp(last_hh, r.fields[6])) {
			struct places_node hh;
			if (places_find(d, r.fields[6], &hh))
				continue;
			snprintf(last_hh, sizeof last_hh, "%s", r.fields[6]);
			last_id = hh.id;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			rows = mu_xrealloc(rows, cap * sizeof *rows);
		}
		struct row *w = &rows[n++];
		w->household = last_id;
		w->birth = p.birth;
		w->id_type = p.id_type;
		w->sex = p.sex;
		people_id_hash(&k, p.id_type, p.id_number, w->hash);
		randombytes_buf(w->secret, sizeof w->secret);
		unsigned char nonce[PEOPLE__NONCE_BYTES], sealed[PEOPLE__SEALED_MAX];
		randombytes_buf(nonce, sizeof nonce);
		if (people__seal(&k, w->hash, nonce, &p, sealed, &w->sealed_len))
			return 1;
		w->sealed = mu_xmalloc(w->sealed_len);
		memcpy(w->sealed, sealed, w->sealed_len);
	}
	mu_csv_free(csv);
	fclose(f);

	double t0 = mu_now_mono();
	if (db_tx_begin(d))
		return 1;
	for (size_t i = 0; i < n; i++) {
		struct db_stmt *s;
		if (db_prepare(d, sql_insert, &s))
			return 1;
		db_bind_i64(s, 1, rows[i].household);
		db_bind_i64(s, 2, rows[i].id_type);
		db_bind_blob(s, 3, rows[i].hash, PEOPLE_HASH_BYTES);
		db_bind_blob(s, 4, rows[i].secret, PEOPLE_CODE_SECRET_BYTES);
		db_bind_i64(s, 5, rows[i].sex);
		db_bind_i64(s, 6, rows[i].birth);
		db_bind_blob(s, 7, rows[i].sealed, (int)rows[i].sealed_len);
		int rc = db_step(s);
		db_stmt_done(s);
		if (rc != DB_DONE)
			return 1;
	}
	if (db_tx_commit(d))
		return 1;
	double el = mu_now_mono() - t0;
	fprintf(stderr, "import_baseline: %zu rows in %.2f s\n", n, el);
	printf("%.0f rows/s\n", (double)n / el);
	for (size_t i = 0; i < n; i++)
		free(rows[i].sealed);
	free(rows);
	db_close(d);
	return 0;
}
