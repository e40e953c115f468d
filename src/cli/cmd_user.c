/* cmd_user.c: `muster user add|list|disable|passwd` — accounts with a role and a
 * jurisdiction, written straight to the database with an audit entry each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

static const char help[] =
    "usage: muster user add NAME --role ROLE --place CODE [--password-stdin] [--db PATH]\n"
    "       muster user list [--json] [--db PATH]\n"
    "       muster user disable NAME [--db PATH]\n"
    "       muster user passwd NAME [--password-stdin] [--db PATH]\n"
    "\n"
    "add      creates a user. ROLE is one of admin, commander, staff, grid_worker,\n"
    "         sampler, lab, operator, auditor; CODE is the place code of the user's\n"
    "         jurisdiction (they see and change only its subtree). Only an admin may\n"
    "         go without --place: that admin's jurisdiction is the whole system.\n"
    "list     prints every user (id, name, role, place, state); --json as an array.\n"
    "disable  stops a user from signing in and ends their sessions.\n"
    "passwd   sets a new password and ends the user's sessions.\n"
    "A password given with --password-stdin has 10 characters or more (12 for an admin or\n"
    "a commander) and is not a common one, a run, one piece repeated or the username.\n"
    "\n"
    "Names: 1-64 of letters, digits, '.', '_', '-' (compared without case).\n"
    "Passwords: 10-1024 bytes. With --password-stdin the password is the first line of\n"
    "standard input; otherwise a random one is generated and printed once on stdout as\n"
    "'password: ...'.\n"
    "\nOptions:\n";

static const char epilog[] =
    "Exit status: 0 done, 1 refused (taken name, unknown user or place, bad password),\n"
    "2 usage error.\n";

/* Reads the first line of standard input (without its line end) into out. */
static int read_password(char *out, size_t n)
{
	if (!fgets(out, (int)n, stdin)) {
		fprintf(stderr, "muster user: no password on standard input\n");
		return CLI_REJECTED;
	}
	size_t len = strlen(out);
	bool whole = len > 0 && out[len - 1] == '\n';
	if (!whole && !feof(stdin)) {
		fprintf(stderr, "muster user: the password is longer than 1024 bytes\n");
		return CLI_REJECTED;
	}
	if (whole)
		out[--len] = '\0';
	if (len > 0 && out[len - 1] == '\r')
		out[--len] = '\0';
	return 0;
}

/* Runs one change and its audit entry in one transaction. */
struct change {
	const char *action;
	int (*fn)(struct db *d, struct change *c);
	const char *name, *password;
	struct mu_why why;
	int role;
	int64_t place_id, id;
};

static int do_add(struct db *d, struct change *c)
{
	return auth_user_add(d, c->name, c->role, c->place_id, c->password, &c->id, &c->why);
}

static int do_disable(struct db *d, struct change *c)
{
	struct auth_user u;
	int rc = auth_user_get(d, c->name, &u);
	if (rc == 0)
		rc = auth_user_disable(d, c->name);
	c->id = u.id;
	if (rc == MU_ENOTFOUND)
		mu_why_set(&c->why, rc, "username", "no such user");
	return rc;
}

static int do_passwd(struct db *d, struct change *c)
{
	struct auth_user u;
	int rc = auth_user_get(d, c->name, &u);
	if (rc == MU_ENOTFOUND)
		mu_why_set(&c->why, rc, "username", "no such user");
	if (rc == 0)
		rc = auth_user_passwd(d, c->name, c->password, &c->why);
	c->id = u.id;
	return rc;
}

static int apply(struct db *d, void *arg, char *record, size_t n)
{
	struct change *c = arg;
	int rc = c->fn(d, c);
	snprintf(record, n, "user:%lld", (long long)c->id);
	return rc;
}

struct list_ctx {
	struct db *d;
	json_t *arr;
};

static int list_one(const struct auth_user *u, void *ctx)
{
	struct list_ctx *l = ctx;
	struct places_node n;
	const char *place = NULL;
	if (u->place_id > 0 && places_get(l->d, u->place_id, &n) == 0)
		place = n.code;
	if (l->arr) {
		json_array_append_new(l->arr,
				      json_pack("{s:I,s:s,s:s,s:s?,s:b,s:I}", "id",
						(json_int_t)u->id, "username", u->username, "role",
						auth_role_name(u->role), "place", place, "disabled",
						u->disabled, "created", (json_int_t)u->created));
	} else {
		printf("%-5lld %-24s %-12s %-20s %s\n", (long long)u->id, u->username,
		       auth_role_name(u->role), place ? place : "*",
		       u->disabled ? "disabled" : "active");
	}
	return 0;
}

int cmd_user(int argc, char **argv)
{
	const char *dbp = NULL, *role_s = NULL, *place_s = NULL, *pos[CLI_POS_MAX];
	bool from_stdin = false, json = false;
	const struct cli_opt opts[] = {
	    CLI_STR("role", &role_s, "ROLE", "add: the user's role"),
	    CLI_STR("place", &place_s, "CODE", "add: the user's jurisdiction"),
	    CLI_FLAG("password-stdin", &from_stdin, "add, passwd: read the password from stdin"),
	    CLI_FLAG("json", &json, "list: JSON"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"user", help, opts, epilog};
	char password[1024 + 8]; /* the longest password, a line end and the NUL */
	struct db *d = NULL;
	struct change c = {0};
	int ret = CLI_OK, rc, npos;
	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos < 1)
		return cli_usage_error("user", "missing subcommand add|list|disable|passwd");
	const char *sub = pos[0];
	bool is_add = !strcmp(sub, "add"), is_list = !strcmp(sub, "list");
	bool is_disable = !strcmp(sub, "disable"), is_passwd = !strcmp(sub, "passwd");
	if (!is_add && !is_list && !is_disable && !is_passwd)
		return cli_usage_error("user", "unknown subcommand '%s'", sub);
	if (is_list ? npos != 1 : npos != 2)
		return cli_usage_error(
		    "user", is_list ? "list takes no argument" : "%s takes exactly one NAME", sub);
	c.name = is_list ? NULL : pos[1];
	if (!is_add && (role_s || place_s))
		return cli_usage_error("user", "--role and --place are for add only");
	if (!is_add && !is_passwd && from_stdin)
		return cli_usage_error("user", "--password-stdin is for add and passwd only");
	if (!is_list && json)
		return cli_usage_error("user", "--json is for list only");
	if (is_add) {
		if (!role_s)
			return cli_usage_error("user", "add needs --role");
		if (auth_role_parse(role_s, &c.role) != 0)
			return cli_usage_error("user", "unknown role '%s'", role_s);
		if (!place_s && c.role != AUTH_ADMIN)
			return cli_usage_error("user",
					       "add needs --place (only an admin may go without)");
	}

	if (cli_open(dbp, is_list ? CLI_OPEN_READ : 0, &d, NULL)) {
		ret = CLI_REJECTED;
		goto out;
	}
	if (is_list) {
		struct list_ctx l = {.d = d, .arr = json ? json_array() : NULL};
		rc = auth_user_list(d, list_one, &l);
		if (rc == 0 && json) {
			char *s = json_dumps(l.arr, JSON_INDENT(2));
			puts(s);
			free(s);
		}
		json_decref(l.arr);
		if (rc != 0) {
			fprintf(stderr, "muster user: %s\n", mu_err_msg(rc));
			ret = CLI_REJECTED;
		}
		goto out;
	}
	if (is_add && place_s) {
		struct places_node n;
		if ((rc = places_find(d, place_s, &n)) != 0) {
			fprintf(stderr, "muster user: no place with code '%s'\n", place_s);
			ret = CLI_REJECTED;
			goto out;
		}
		c.place_id = n.id;
	}
	bool generated = false;
	if (is_add || is_passwd) {
		if (from_stdin) {
			if ((ret = read_password(password, sizeof password)) != 0)
				goto out;
		} else {
			auth_password_generate(password);
			generated = true;
		}
		c.password = password;
	}
	c.action = is_add ? "cli user add" : is_disable ? "cli user disable" : "cli user passwd";
	c.fn = is_add ? do_add : is_disable ? do_disable : do_passwd;
	if ((rc = cli_audited(d, c.action, apply, &c)) != 0) {
		fprintf(stderr, "muster user %s: %s: %s\n", sub, c.name,
			c.why.text[0] ? c.why.text : mu_err_msg(rc));
		ret = CLI_REJECTED;
		goto out;
	}
	if (generated) {
		printf("password: %s\n", password);
		fflush(stdout);
		fprintf(stderr, "muster user: the password above is shown only this once\n");
	}
	fprintf(stderr, "muster user %s: %s done\n", sub, c.name);
out:
	memset(password, 0, sizeof password);
	db_close(d);
	return ret;
}
