/* common.c: what every command shares — opening the database with its keys, and
 * usage errors. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "auth/auth.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "muster %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see muster %s --help)\n", cmd);
	return CLI_USAGE;
}

int cli_open(const char *db_flag, bool create, struct db **d, struct people_keys *keys)
{
	const char *path = mu_config_db_path(db_flag);
	*d = NULL;
	bool fresh = access(path, F_OK) != 0;
	if (fresh && !create) {
		fprintf(stderr, "muster: no database at %s (run `muster init --db %s` first)\n", path,
			path);
		return MU_ENOTFOUND;
	}
	int rc;
	if (fresh && (rc = people_keys_create(path)) != 0 && rc != MU_EEXIST) {
		fprintf(stderr, "muster: cannot create the key file for %s: %s\n", path, mu_err_msg(rc));
		return rc;
	}
	if ((rc = db_open(path, create ? DB_OPEN_CREATE : 0, d)) != 0) {
		fprintf(stderr, "muster: cannot open %s: %s\n", path, mu_err_msg(rc));
		return rc;
	}
	if (keys && (rc = people_keys_load(path, keys)) != 0) {
		char kp[4096];
		people_keyfile_path(path, kp, sizeof kp);
		fprintf(stderr, "muster: cannot load the key file %s: %s\n", kp,
			rc == MU_EFORBIDDEN ? "its mode must be 0600" : mu_err_msg(rc));
		db_close(*d);
		*d = NULL;
		return rc;
	}
	return 0;
}
