/* baseline_people.c: the baseline of `city-generate` — raw prepared-statement inserts
 * of N people rows of the real shape (16-byte hash, 11-byte code secret, an 88-byte sealed
 * blob), no crypto and no generation, loaded the way the generator loads (bulk mode,
 * indexes rebuilt at the end). Prints "<rows_per_s> rows/s".
 * Usage: build/bench/baseline_people DB N */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"
#include "db/db.h"

static const char sql_place[] =
    "INSERT INTO places (id, parent_id, level, code, name) VALUES (1, NULL, 7, 'H1', 'h')";
static const char sql_person[] =
    "INSERT INTO people (household_id, id_type, id_hash, code_secret, sex, birth, party, sealed)"
    " VALUES (1, 0, ?, ?, ?, ?, 0, ?)";

static uint64_t s = 88172645463325252ull;
static uint64_t rnd(void)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

static void fill(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rnd();
		for (size_t k = 0; k < 8 && i + k < n; k++)
			p[i + k] = (unsigned char)(v >> (8 * k));
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s DB N\n", argv[0]);
		return 2;
	}
	long n = atol(argv[2]);
	unlink(argv[1]);
	struct db *d;
	if (db_open(argv[1], DB_OPEN_CREATE, &d) || db_exec(d, sql_place))
		return 1;
	double t0 = mu_now_mono();
	static const char *const tables[] = {"people", NULL};
	if (db_bulk_begin(d, tables))
		return 1;
	unsigned char hash[16], code[11], sealed[88];
	for (long i = 0; i < n; i++) {
		fill(hash, sizeof hash);
		fill(code, sizeof code);
		fill(sealed, sizeof sealed);
		struct db_stmt *st;
		if (db_prepare(d, sql_person, &st))
			return 1;
		db_bind_blob(st, 1, hash, sizeof hash);
		db_bind_blob(st, 2, code, sizeof code);
		db_bind_i64(st, 3, 1 + (i & 1));
		db_bind_i64(st, 4, (int64_t)(rnd() % 30000));
		db_bind_blob(st, 5, sealed, sizeof sealed);
		int rc = db_step(st);
		db_stmt_done(st);
		if (rc != DB_DONE)
			return 1;
	}
	if (db_bulk_end(d, true))
		return 1;
	double el = mu_now_mono() - t0;
	db_close(d);
	printf("%.0f rows/s\n", (double)n / el);
	return 0;
}
