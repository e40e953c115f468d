/* pick_codes.c: writes N personal codes of random people of a database, one per line,
 * for the code-lookup benchmark's load generator; with IDS (a file of person ids, one a
 * line), of those people in turn instead (code-lookup-colours: people in plans).
 * Usage: build/bench/pick_codes DB N OUT [IDS] */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "db/db.h"
#include "people/people.h"

static const char sql_max[] = "SELECT max(id) FROM people";

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s DB N OUT [IDS]\n", argv[0]);
		return 2;
	}
	long n = atol(argv[2]);
	struct db *d;
	struct people_keys k;
	int64_t max;
	if (sodium_init() < 0 || db_open(argv[1], DB_OPEN_READONLY, &d) ||
	    people_keys_load(argv[1], &k) || db_query_i64(d, sql_max, &max) || max < 1)
		return 1;
	FILE *out = fopen(argv[3], "w");
	FILE *ids = argc > 4 ? fopen(argv[4], "r") : NULL;
	if (!out || (argc > 4 && !ids))
		return 1;
	for (long i = 0; i < n;) {
		long long next;
		int64_t id =
		    1 +
		    (int64_t)(randombytes_uniform((uint32_t)(max < UINT32_MAX ? max : UINT32_MAX)));
		if (ids) {
			if (fscanf(ids, "%lld", &next) != 1)
				break;
			id = next;
		}
		struct people_person p;
		if (people_get(d, &k, id, &p) != 0)
			continue;
		char text[PEOPLE_CODE_LEN + 1];
		people_code_format(p.code, text);
		fprintf(out, "%s\n", text);
		i++;
	}
	fclose(out);
	if (ids)
		fclose(ids);
	db_close(d);
	return 0;
}
