/* calls/api.c: the calls HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "core/core.h"
#include "http/http.h"

static const char *db_path_kept;
static struct db_writer *writer_kept;

const char *calls__api_db_path(void)
{
	return db_path_kept;
}

struct db_writer *calls__api_writer(void)
{
	return writer_kept;
}

const struct http_route calls_api_routes[] = {
    /* ---- calls (helper calls) ---- */

    /* ---- orders (helper orders) ---- */

    {0, NULL, NULL, 0, 0, NULL, NULL},
};

int calls_api_init(const char *db_path, struct db_writer *writer)
{
	int rc = 0;
	db_path_kept = db_path;
	writer_kept = writer;
	/* ---- calls (helper calls) ---- */

	/* ---- orders (helper orders) ---- */

	return rc;
}

void calls_api_fini(void)
{
	/* ---- calls (helper calls) ---- */

	/* ---- orders (helper orders) ---- */

	db_path_kept = NULL;
	writer_kept = NULL;
}
