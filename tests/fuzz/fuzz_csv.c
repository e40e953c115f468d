/* fuzz_csv.c: libFuzzer target for the CSV reader. Arbitrary bytes must never crash it,
 * line numbers must grow, every field must respect the caps, the UTF-8 flag must agree
 * with mu_utf8_valid, and a good record written back out must read back the same (the
 * writer's defusing quote taken off again). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_csv: %s failed at line %d\n", #c, __LINE__);         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Writes r's fields as one record and reads them back with the same caps. */
static void round_trip(const struct mu_csv_record *r, size_t cap, int fields_cap)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&mem, &len);
	CHECK(w);
	CHECK(mu_csv_write_record(w, (const char *const *)r->fields, r->nfields) == 0);
	fclose(w);
	FILE *f = fmemopen(mem, len, "r");
	CHECK(f);
	/* A formula-leading field is written with a quote before it: one byte more each. */
	struct mu_csv *c = mu_csv_new(f, cap + (size_t)r->nfields, fields_cap);
	struct mu_csv_record back;
	CHECK(mu_csv_next(c, &back) == 1);
	CHECK(back.err == MU_CSV_OK);
	CHECK(back.nfields == r->nfields);
	for (int i = 0; i < r->nfields; i++) {
		CHECK(back.lens[i] == r->lens[i]);
		CHECK(!memcmp(back.fields[i], r->fields[i], r->lens[i]));
	}
	CHECK(mu_csv_next(c, &back) == 0);
	mu_csv_free(c);
	fclose(f);
	free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	/* The first two bytes choose the caps, so that both run over often. */
	size_t cap = 1 + (size_t)data[0] * 4;
	int fields_cap = 1 + data[1] % 16;
	data += 2;
	size -= 2;
	/* fmemopen refuses a zero-length buffer on some C libraries. */
	static const uint8_t none[1];
	FILE *f = fmemopen((void *)(size ? data : none), size, "r");
	if (!f)
		return 0;
	struct mu_csv *c = mu_csv_new(f, cap, fields_cap);
	struct mu_csv_record r;
	uint64_t last = 0, records = 0;
	int rc;
	while ((rc = mu_csv_next(c, &r)) == 1) {
		CHECK(r.line > last);
		last = r.line;
		CHECK(r.err >= MU_CSV_OK && r.err <= MU_CSV_ENUL);
		CHECK(r.nfields >= 0 && r.nfields <= fields_cap);
		CHECK(r.bad_utf8 >= -1 && r.bad_utf8 < (r.nfields ? r.nfields : 1));
		size_t total = 0;
		for (int i = 0; i < r.nfields; i++) {
			total += r.lens[i];
			if (r.err == MU_CSV_OK)
				CHECK(strlen(r.fields[i]) == r.lens[i]);
			bool valid = mu_utf8_valid(r.fields[i], r.lens[i]);
			if (r.bad_utf8 == i)
				CHECK(!valid);
			if (r.bad_utf8 < 0 || i < r.bad_utf8)
				CHECK(valid);
		}
		CHECK(total <= cap);
		if (r.err == MU_CSV_OK) {
			CHECK(r.nfields >= 1);
			/* An empty line is skipped, so a lone empty field came from ""; and a
			 * BOM opening the written copy would be taken for the file's. */
			bool lone_empty = r.nfields == 1 && r.lens[0] == 0;
			bool bom = r.lens[0] >= 3 && !memcmp(r.fields[0], "\xEF\xBB\xBF", 3);
			if (!lone_empty && !bom)
				round_trip(&r, cap, fields_cap);
		}
		records++;
		/* A physical line holds at most one record start. */
		CHECK(records <= size + 1);
	}
	CHECK(rc == 0);
	CHECK(mu_csv_bytes(c) == size);
	mu_csv_free(c);
	fclose(f);
	return 0;
}
