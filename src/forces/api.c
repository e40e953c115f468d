/* forces/api.c: the forces HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "core/core.h"
#include "http/http.h"

static const char *db_path_kept;
static struct db_writer *writer_kept;

const char *forces__api_db_path(void)
{
	return db_path_kept;
}

struct db_writer *forces__api_writer(void)
{
	return writer_kept;
}

const struct http_route forces_api_routes[] = {
    /* ---- forces (helper forces) ---- */

    /* ---- posts (helper posts) ---- */

    {0, NULL, NULL, 0, 0, NULL, NULL},
};

int forces_api_init(const char *db_path, struct db_writer *writer)
{
	int rc = 0;
	db_path_kept = db_path;
	writer_kept = writer;
	/* ---- forces (helper forces) ---- */

	/* ---- posts (helper posts) ---- */

	return rc;
}

void forces_api_fini(void)
{
	/* ---- forces (helper forces) ---- */

	/* ---- posts (helper posts) ---- */

	db_path_kept = NULL;
	writer_kept = NULL;
}
