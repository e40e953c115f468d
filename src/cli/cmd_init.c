/* cmd_init.c: `muster init` — creates a database with the current schema, the key
 * file that seals its personal data (mode 0600, beside the database) and the first
 * admin, whose one-time password it prints. */
#include <stdio.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"

static const char help[] =
    "usage: muster init [--db PATH]\n"
    "\n"
    "Creates an empty Muster database at PATH (default $MUSTER_DB, else ./muster.db) and\n"
    "its key file PATH.key (mode 0600). Keep the key file out of version control and\n"
    "back it up apart from the database: without it no sealed field can be read.\n"
    "\n"
    "Also creates the user 'admin' (role admin, jurisdiction: the whole system) and\n"
    "prints its password on a line of its own, 'admin password: ...'. It is shown this\n"
    "once and stored only as an argon2id hash; change it with `muster user passwd admin`.\n"
    "\nOptions:\n";

/* Adds the first admin, without a place (the whole system: there is no city yet);
 * cli_audited records it. */
static int add_admin(struct db *d, void *arg, char *record, size_t n)
{
	struct mu_why why = {0};
	int64_t id = 0;
	int rc = auth_user_add(d, "admin", AUTH_ADMIN, 0, arg, &id, &why);
	if (rc != 0)
		fprintf(stderr, "muster init: cannot create the admin: %s\n",
			why.text[0] ? why.text : mu_err_msg(rc));
	snprintf(record, n, "user:%lld", (long long)id);
	return rc;
}

int cmd_init(int argc, char **argv)
{
	const char *dbp = NULL;
	const char *pos[CLI_POS_MAX];
	int prc, npos;
	const struct cli_opt opts[] = {CLI_STR("db", &dbp, "PATH", "the database to create"),
				       CLI_END};
	const struct cli_spec spec = {"init", help, opts, NULL};
	if ((prc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return prc;
	if (npos)
		return cli_usage_error("init", "unexpected argument '%s'", pos[0]);
	const char *path = mu_config_db_path(dbp);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "muster init: %s already exists; nothing changed\n", path);
		return CLI_REJECTED;
	}
	char kp[4096];
	people_keyfile_path(path, kp, sizeof kp);
	if (access(kp, F_OK) == 0) {
		fprintf(stderr,
			"muster init: a key file %s already exists without its database; "
			"move it away first\n",
			kp);
		return CLI_REJECTED;
	}
	struct db *d;
	if (cli_open(dbp, true, &d, NULL))
		return CLI_REJECTED;
	char password[21];
	auth_password_generate(password);
	int rc = cli_audited(d, "cli user add", add_admin, password);
	db_close(d);
	if (rc != 0) {
		fprintf(stderr, "muster init: %s was created without an admin: %s\n", path,
			mu_err_msg(rc));
		return CLI_REJECTED;
	}
	printf("created %s (schema %d) and its key file %s (mode 0600)\n", path,
	       db_schema_version(), kp);
	printf("admin password: %s\n", password);
	fflush(stdout);
	fprintf(stderr, "muster init: the admin password above is shown only this once\n");
	return CLI_OK;
}
