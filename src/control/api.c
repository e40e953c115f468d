/* control/api.c: the control HTTP API's route table and its start and stop; each area's
 * handlers are in its own api_<area>.c. */
#include <stddef.h>

#include "api.h"
#include "core/core.h"
#include "http/http.h"

static const char *db_path_kept;
static struct db_writer *writer_kept;

const char *control__api_db_path(void)
{
	return db_path_kept;
}

struct db_writer *control__api_writer(void)
{
	return writer_kept;
}

const struct http_route control_api_routes[] = {
    /* ---- cases (helper cases) ---- */

    /* ---- plans (helper plans) ---- */

    /* ---- tasks (helper tasks) ---- */

    /* ---- zones (helper zones) ---- */

    {0, NULL, NULL, 0, 0, NULL, NULL},
};

int control_api_init(const char *db_path, struct db_writer *writer)
{
	int rc = 0;
	db_path_kept = db_path;
	writer_kept = writer;
	/* ---- cases (helper cases) ---- */

	/* ---- plans (helper plans) ---- */

	/* ---- tasks (helper tasks) ---- */

	/* ---- zones (helper zones) ---- */

	return rc;
}

void control_api_fini(void)
{
	/* ---- cases (helper cases) ---- */

	/* ---- plans (helper plans) ---- */

	/* ---- tasks (helper tasks) ---- */

	/* ---- zones (helper zones) ---- */

	db_path_kept = NULL;
	writer_kept = NULL;
}
