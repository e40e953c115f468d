/* common.c: what every command shares — opening the database with its keys, and
 * usage errors. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"

void cli_actor(struct auth_principal *p)
{
	const struct passwd *pw = getpwuid(geteuid());
	memset(p, 0, sizeof *p);
	p->kind = 0;
	snprintf(p->name, sizeof p->name, "cli:%.50s", pw && pw->pw_name ? pw->pw_name : "?");
}

int cli_audited(struct db *d, const char *action,
		int (*fn)(struct db *d, void *arg, char *record, size_t n), void *arg)
{
	struct auth_principal who;
	char record[96] = "";
	int rc = db_tx_begin(d);
	if (rc != 0)
		return rc;
	cli_actor(&who);
	if ((rc = fn(d, arg, record, sizeof record)) == 0)
		rc = auth_audit_append(d, &who, action, record, "", 0);
	if (rc == 0)
		rc = db_tx_commit(d);
	else
		db_tx_rollback(d);
	return rc;
}

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

int cli_key_check(struct db *d)
{
	bool recorded = false;
	char kp[4096];
	mu_keyfile_path(db_path(d), kp, sizeof kp);
	int rc = auth_key_check(d, &recorded);
	if (rc == MU_ECRYPTO)
		fprintf(stderr,
			"muster: the key file %s does not belong to %s (its key check value "
			"differs); refusing to go on: put back the key file made with this "
			"database\n",
			kp, db_path(d));
	else if (rc != 0)
		fprintf(stderr, "muster: cannot check the key file %s: %s\n", kp,
			rc == MU_EFORBIDDEN ? "its mode must be 0600" : mu_err_msg(rc));
	else if (recorded)
		mu_info("key check: %s had no key check value; recorded the one of %s", db_path(d),
			kp);
	return rc;
}

int cli_lock(const char *db_path, bool exclusive)
{
	char lp[4096];
	snprintf(lp, sizeof lp, "%s.lock", db_path);
	int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "muster: cannot open the lock %s: %s\n", lp, strerror(errno));
		return MU_EIO;
	}
	/* Kept open (and the lock held) until the process exits. */
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
		return 0;
	int err = errno;
	close(fd);
	if (err != EWOULDBLOCK) {
		fprintf(stderr, "muster: cannot lock %s: %s\n", lp, strerror(err));
		return MU_EIO;
	}
	if (exclusive)
		fprintf(stderr,
			"muster serve: %s is in use by another `muster serve` or a command "
			"writing to it (%s is locked)\n",
			db_path, lp);
	else
		fprintf(stderr,
			"muster: a `muster serve` is running on %s (%s is locked): stop it "
			"before changing the database from the command line, or make the change "
			"through its API\n",
			db_path, lp);
	return MU_EBUSY;
}

int cli_open(const char *db_flag, int flags, struct db **d, struct people_keys *keys)
{
	bool create = flags & CLI_OPEN_CREATE;
	const char *path = mu_config_db_path(db_flag);
	*d = NULL;
	bool fresh = access(path, F_OK) != 0;
	if (fresh && !create) {
		fprintf(stderr, "muster: no database at %s (run `muster init --db %s` first)\n",
			path, path);
		return MU_ENOTFOUND;
	}
	int rc;
	if (!(flags & CLI_OPEN_READ) && (rc = cli_lock(path, false)) != 0)
		return rc;
	if (fresh && (rc = people_keys_create(path)) != 0 && rc != MU_EEXIST) {
		fprintf(stderr, "muster: cannot create the key file for %s: %s\n", path,
			mu_err_msg(rc));
		return rc;
	}
	if ((rc = db_open(path, create ? DB_OPEN_CREATE : 0, d)) != 0) {
		fprintf(stderr, "muster: cannot open %s: %s\n", path, mu_err_msg(rc));
		return rc;
	}
	if ((rc = cli_key_check(*d)) != 0) {
		db_close(*d);
		*d = NULL;
		return rc;
	}
	/* A server killed before moving its journalled audit entries: they go in first. */
	uint64_t moved = 0, bad = 0;
	if (!(flags & CLI_OPEN_READ) && (rc = auth_audit_journal_replay(*d, &moved, &bad)) != 0) {
		fprintf(stderr, "muster: cannot move the audit journal of %s into its log: %s\n",
			path, mu_err_msg(rc));
		db_close(*d);
		*d = NULL;
		return rc;
	}
	if (moved || bad)
		mu_warn("audit journal: %llu entries moved into the audit log, %llu damaged "
			"records lost",
			(unsigned long long)moved, (unsigned long long)bad);
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

/* ---- options ---------------------------------------------------------------------------- */

void cli_help(const struct cli_spec *s, FILE *f)
{
	fputs(s->usage, f);
	for (const struct cli_opt *o = s->opts; o && o->name; o++) {
		char left[64], sh[8] = "";
		if (!o->help)
			continue;
		if (o->short_name)
			snprintf(sh, sizeof sh, "-%c, ", o->short_name);
		snprintf(left, sizeof left, "%s--%s%s%s", sh, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(f, "  %-22s %s%s\n", left, o->help, o->required ? " (required)" : "");
	}
	if (s->epilog)
		fputs(s->epilog, f);
}

static const struct cli_opt *opt_long(const struct cli_spec *s, const char *name, size_t n)
{
	for (const struct cli_opt *o = s->opts; o && o->name; o++)
		if (strlen(o->name) == n && !strncmp(o->name, name, n))
			return o;
	return NULL;
}

static const struct cli_opt *opt_short(const struct cli_spec *s, char c)
{
	for (const struct cli_opt *o = s->opts; o && o->name; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

/* Stores value v of option o. CLI_GO, or CLI_USAGE with the reason printed. */
static int opt_set(const struct cli_spec *s, const struct cli_opt *o, const char *v)
{
	int64_t i;
	double d;
	bool ranged = o->min < o->max;
	switch (o->kind) {
	case CLI_OPT_FLAG:
		*(bool *)o->ptr = true;
		return CLI_GO;
	case CLI_OPT_STRING:
		*(const char **)o->ptr = v;
		return CLI_GO;
	case CLI_OPT_INT:
		if (mu_parse_i64(v, &i) || (ranged && (i < o->min || i > o->max))) {
			if (ranged)
				return cli_usage_error(s->cmd, "--%s wants %.0f..%.0f", o->name,
						       o->min, o->max);
			return cli_usage_error(s->cmd, "--%s wants an integer", o->name);
		}
		*(int64_t *)o->ptr = i;
		return CLI_GO;
	case CLI_OPT_DOUBLE:
		if (mu_parse_double(v, &d) || !isfinite(d) ||
		    (ranged && !(d >= o->min && d <= o->max))) {
			if (ranged)
				return cli_usage_error(s->cmd, "--%s wants a number from %g to %g",
						       o->name, o->min, o->max);
			return cli_usage_error(s->cmd, "--%s wants a number", o->name);
		}
		*(double *)o->ptr = d;
		return CLI_GO;
	}
	return cli_usage_error(s->cmd, "--%s: unknown kind of option", o->name);
}

int cli_parse(const struct cli_spec *s, int argc, char **argv, const char **pos, int *npos)
{
	bool seen[64] = {false}, options = true;
	int rc;
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		const struct cli_opt *o;
		if (!options || a[0] != '-' || !a[1]) {
			if (*npos >= CLI_POS_MAX)
				return cli_usage_error(s->cmd, "unexpected argument '%s'", a);
			pos[(*npos)++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			options = false;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_help(s, stdout);
			return CLI_OK;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (!(o = opt_long(s, a + 2, n)))
				return cli_usage_error(s->cmd, "unknown option %.*s", (int)n + 2,
						       a);
			if (eq) {
				if (o->kind == CLI_OPT_FLAG)
					return cli_usage_error(s->cmd, "option --%s takes no value",
							       o->name);
				v = eq + 1;
			}
		} else {
			if (a[2] || !(o = opt_short(s, a[1])))
				return cli_usage_error(s->cmd, "unknown option %s", a);
		}
		if (o->kind != CLI_OPT_FLAG && !v) {
			if (i + 1 >= argc)
				return cli_usage_error(s->cmd, "option --%s needs a value",
						       o->name);
			v = argv[++i];
		}
		if ((rc = opt_set(s, o, v)) != CLI_GO)
			return rc;
		if (o - s->opts < 64)
			seen[o - s->opts] = true;
	}
	for (const struct cli_opt *o = s->opts; o && o->name; o++)
		if (o->required && o - s->opts < 64 && !seen[o - s->opts])
			return cli_usage_error(s->cmd, "missing --%s", o->name);
	return CLI_GO;
}
