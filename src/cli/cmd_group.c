/* cmd_group.c: `muster group add|list` — the three-person groups (a medic, a community
 * cadre, a police officer) that hold grids and do their day's tasks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "cli.h"
#include "control/control.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"

static const char help[] =
    "usage: muster group add --grid CODE[,CODE...] --medic USER --cadre USER --police USER\n"
    "                        [--name TEXT] [--db PATH]\n"
    "       muster group list [--place CODE] [--json] [--db PATH]\n"
    "\n"
    "add   a group holding one or more grids (a grid has at most one group), with its\n"
    "      three members: users that exist, are active and whose jurisdiction holds every\n"
    "      grid. --name defaults to the first grid's name. Prints the new group's id.\n"
    "list  the groups holding a grid inside --place (default: every group): id, name,\n"
    "      grids, and the medic, cadre and police members (--json: one array).\n"
    "\nOptions:\n";

static const char epilog[] =
    "Exit status: 0 done, 1 refused (unknown grid or user, a grid already held, a user\n"
    "disabled or outside the grid), 2 usage error.\n";

struct opts {
	const char *db, *grid, *medic, *cadre, *police, *name, *place;
	bool json;
};

#define GRIDS_MAX CONTROL_GROUP_GRIDS_MAX

struct add {
	const char *name;
	const char *grids[GRIDS_MAX];
	size_t n;
	const char *members[CONTROL_NDUTIES];
	int64_t id;
	struct mu_why why;
};

static int do_add(struct db *d, void *arg, char *record, size_t n)
{
	struct add *a = arg;
	int rc = control_group_add(d, a->name, a->grids, a->n, a->members, mu_now_unix(), &a->id,
				   &a->why);
	snprintf(record, n, "group:%lld", (long long)a->id);
	return rc;
}

static int add(struct db *d, const struct opts *o)
{
	struct add a = {.name = o->name, .members = {o->medic, o->cadre, o->police}};
	char *list;
	int rc;
	if (!o->grid || !o->medic || !o->cadre || !o->police)
		return cli_usage_error("group", "add needs --grid, --medic, --cadre and --police");
	list = mu_xstrdup(o->grid);
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (a.n == GRIDS_MAX) {
			free(list);
			return cli_usage_error("group", "a group holds at most %d grids",
					       GRIDS_MAX);
		}
		a.grids[a.n++] = t;
	}
	if (!a.n) {
		free(list);
		return cli_usage_error("group", "--grid names no grid");
	}
	rc = cli_audited(d, "cli group add", do_add, &a);
	free(list);
	if (rc) {
		fprintf(stderr, "muster group: %s%s%s\n", a.why.field ? a.why.field : "",
			a.why.field ? ": " : "", a.why.text[0] ? a.why.text : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	printf("%lld\n", (long long)a.id);
	fprintf(stderr, "muster group: added group %lld\n", (long long)a.id);
	return CLI_OK;
}

struct list {
	struct db *d;
	bool json;
	json_t *arr;
	struct auth_user *users;
	size_t nusers, cap;
};

static int user_one(const struct auth_user *u, void *ctx)
{
	struct list *l = ctx;
	if (l->nusers == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->users = mu_xrealloc(l->users, l->cap * sizeof *l->users);
	}
	l->users[l->nusers++] = *u;
	return 0;
}

static const char *username(const struct list *l, int64_t id)
{
	for (size_t i = 0; i < l->nusers; i++)
		if (l->users[i].id == id)
			return l->users[i].username;
	return "-";
}

static int list_one(const struct control_group *g, void *ctx)
{
	struct list *l = ctx;
	json_t *grids = json_array();
	char code[PLACES_CODE_MAX + 1];
	for (size_t i = 0; i < g->ngrids; i++) {
		int rc = places_code_get(l->d, g->grid[i], code, sizeof code);
		if (rc) {
			json_decref(grids);
			return rc;
		}
		json_array_append_new(grids, json_string(code));
	}
	if (l->json) {
		json_array_append_new(l->arr, json_pack("{s:I, s:s, s:o, s:s, s:s, s:s}", "id",
							(json_int_t)g->id, "name", g->name, "grids",
							grids, "medic", username(l, g->member[0]),
							"cadre", username(l, g->member[1]),
							"police", username(l, g->member[2])));
		return 0;
	}
	printf("%-6lld %s  grids=", (long long)g->id, g->name);
	for (size_t i = 0; i < json_array_size(grids); i++)
		printf("%s%s", i ? "," : "", json_string_value(json_array_get(grids, i)));
	printf("  medic=%s cadre=%s police=%s\n", username(l, g->member[0]),
	       username(l, g->member[1]), username(l, g->member[2]));
	json_decref(grids);
	return 0;
}

static int list(struct db *d, const struct opts *o)
{
	struct places_node place = {0};
	struct list l = {.d = d, .json = o->json};
	int rc;
	if (o->place && places_find(d, o->place, &place)) {
		fprintf(stderr, "muster group: no place with code '%s'\n", o->place);
		return CLI_REJECTED;
	}
	if ((rc = auth_user_list(d, user_one, &l)))
		goto out;
	l.arr = json_array();
	if ((rc = control_group_list(d, place.id, list_one, &l)))
		goto out;
	if (o->json) {
		char *s = json_dumps(l.arr, JSON_INDENT(2));
		printf("%s\n", s);
		free(s);
	}
out:
	json_decref(l.arr);
	free(l.users);
	if (rc) {
		fprintf(stderr, "muster group: %s\n", mu_err_msg(rc));
		return CLI_REJECTED;
	}
	return CLI_OK;
}

int cmd_group(int argc, char **argv)
{
	struct opts o = {0};
	const char *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("grid", &o.grid, "CODE[,CODE...]", "add: the grids the group holds"),
	    CLI_STR("medic", &o.medic, "USER", "add: the medic's username"),
	    CLI_STR("cadre", &o.cadre, "USER", "add: the community cadre's username"),
	    CLI_STR("police", &o.police, "USER", "add: the police officer's username"),
	    CLI_STR("name", &o.name, "TEXT", "add: the group's name (default: the first grid's)"),
	    CLI_STR("place", &o.place, "CODE", "list: only groups holding a grid inside it"),
	    CLI_FLAG("json", &o.json, "list: JSON"),
	    CLI_STR("db", &o.db, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"group", help, opts, epilog};
	struct db *d = NULL;
	int ret, npos;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	if (npos < 1)
		return cli_usage_error("group", "missing subcommand add|list");
	if (npos > 1)
		return cli_usage_error("group", "unexpected argument '%s'", pos[1]);
	bool is_add = !strcmp(pos[0], "add"), is_list = !strcmp(pos[0], "list");
	if (!is_add && !is_list)
		return cli_usage_error("group", "unknown subcommand '%s'", pos[0]);
	if ((is_add && (o.place || o.json)) ||
	    (is_list && (o.grid || o.medic || o.cadre || o.police || o.name)))
		return cli_usage_error("group", "an option that %s does not take", pos[0]);
	if (cli_open(o.db, is_list ? CLI_OPEN_READ : 0, &d, NULL))
		return CLI_REJECTED;
	ret = is_add ? add(d, &o) : list(d, &o);
	db_close(d);
	return ret;
}
