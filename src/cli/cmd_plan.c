/* cmd_plan.c: `muster plan templates|template add|use` — the plan templates key persons'
 * plans are made from (data, docs/control.md "Plan templates"): list them, add one from
 * a JSON file (checked first: nothing is stored from a bad file), and set which template
 * a status kind's new plans use. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "control/control.h"
#include "core/core.h"
#include "db/db.h"

static const char help[] =
    "usage: muster plan templates [--db PATH]\n"
    "       muster plan template add FILE [--name NAME] [--db PATH]\n"
    "       muster plan use --kind close|secondary|sealed --template NAME [--db PATH]\n"
    "\n"
    "templates     every template: its name, the kinds whose new plans use it, its body.\n"
    "template add  a template from FILE, a JSON object {phases, tests, every}, named\n"
    "              --name, else the file's base name without .json (a-z, 0-9, '-'). A bad\n"
    "              file is refused with the member at fault and nothing is stored.\n"
    "use           which template new plans of a status kind are made from (a case and a\n"
    "              pool-positive get none). Plans already made keep theirs.\n"
    "\nOptions:\n";

static const char epilog[] = "Exit status: 0 done, 1 refused (bad file, unknown template or\n"
			     "kind, a name already used), 2 usage error.\n";

static int list_one(const char *name, const char *body, const char *used_by, void *ctx)
{
	(void)ctx;
	printf("%-16s %-24s %s\n", name, used_by[0] ? used_by : "-", body);
	return 0;
}

struct change {
	const char *name, *body, *kind, *template_name;
	struct mu_why why;
};

static int do_add(struct db *d, void *arg, char *record, size_t n)
{
	struct change *c = arg;
	snprintf(record, n, "plan_template:%s", c->name);
	return control_template_add(d, c->name, c->body, &c->why);
}

static int do_use(struct db *d, void *arg, char *record, size_t n)
{
	struct change *c = arg;
	snprintf(record, n, "plan_use:%s", c->kind);
	return control_plan_use_set(d, c->kind, c->template_name, &c->why);
}

#define BODY_MAX (64 * 1024)

/* Reads FILE whole (at most BODY_MAX bytes); NULL with the reason printed. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "muster plan: cannot open %s\n", path);
		return NULL;
	}
	char *buf = mu_xmalloc(BODY_MAX + 1);
	size_t n = fread(buf, 1, BODY_MAX + 1, f);
	bool err = ferror(f);
	fclose(f);
	if (err || n > BODY_MAX) {
		fprintf(stderr, "muster plan: %s: %s\n", path,
			err ? "read error" : "larger than 64 KiB");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* The template's name from the file's base name without ".json". */
static void name_of(const char *path, char *out, size_t n)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".json") == 0)
		len -= 5;
	snprintf(out, n, "%.*s", (int)len, base);
}

int cmd_plan(int argc, char **argv)
{
	const char *db = NULL, *name = NULL, *kind = NULL, *template_name = NULL;
	const char *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("name", &name, "NAME", "template add: the template's name"),
	    CLI_STR("kind", &kind, "KIND", "use: close, secondary or sealed"),
	    CLI_STR("template", &template_name, "NAME", "use: the template's name"),
	    CLI_STR("db", &db, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"plan", help, opts, epilog};
	struct db *d = NULL;
	int ret, npos, rc;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	if (npos < 1)
		return cli_usage_error("plan", "missing subcommand templates|template add|use");
	bool is_list = !strcmp(pos[0], "templates"), is_use = !strcmp(pos[0], "use");
	bool is_add = !strcmp(pos[0], "template") && npos >= 2 && !strcmp(pos[1], "add");
	if (!is_list && !is_use && !is_add)
		return cli_usage_error("plan", "unknown subcommand '%s'", pos[0]);
	if ((is_list || is_use) && npos != 1)
		return cli_usage_error("plan", "unexpected argument '%s'", pos[1]);
	if (is_add && npos != 3)
		return cli_usage_error("plan", "template add takes one FILE");
	if ((name && !is_add) || ((kind || template_name) && !is_use))
		return cli_usage_error("plan", "an option that %s does not take", pos[0]);
	if (is_use && (!kind || !template_name))
		return cli_usage_error("plan", "use needs --kind and --template");
	if (cli_open(db, is_list ? CLI_OPEN_READ : 0, &d, NULL))
		return CLI_REJECTED;
	struct change c = {.kind = kind, .template_name = template_name};
	char fname[CONTROL_TEMPLATE_NAME_MAX * 2];
	char *body = NULL;
	ret = CLI_OK;
	if (is_list) {
		if ((rc = control_template_list(d, list_one, NULL))) {
			fprintf(stderr, "muster plan: %s\n", mu_err_msg(rc));
			ret = CLI_REJECTED;
		}
	} else if (is_add) {
		if (!(body = read_file(pos[2]))) {
			ret = CLI_REJECTED;
			goto out;
		}
		name_of(pos[2], fname, sizeof fname);
		c.name = name ? name : fname;
		c.body = body;
		if ((rc = cli_audited(d, "cli plan template add", do_add, &c))) {
			fprintf(stderr, "muster plan: %s%s%s\n", c.why.field ? c.why.field : "",
				c.why.field ? ": " : "",
				c.why.text[0] ? c.why.text : mu_err_msg(rc));
			ret = CLI_REJECTED;
		} else
			fprintf(stderr, "muster plan: added template %s\n", c.name);
	} else if ((rc = cli_audited(d, "cli plan use", do_use, &c))) {
		fprintf(stderr, "muster plan: %s\n", c.why.text[0] ? c.why.text : mu_err_msg(rc));
		ret = CLI_REJECTED;
	} else
		fprintf(stderr, "muster plan: new %s plans use %s\n", kind, template_name);
out:
	free(body);
	db_close(d);
	return ret;
}
