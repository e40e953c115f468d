/* cmd_wartime.c: `muster wartime on|off` — switches a district or the city to wartime
 * (战时机制) or back, as POST /api/v1/wartime does: the switch is kept and audited, and
 * the standing shock team of every street under the place follows its street's mode. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "forces/forces.h"
#include "places/places.h"

static const char help[] =
    "usage: muster wartime on|off --place CODE --reason TEXT [--at TIME] [--db PATH]\n"
    "\n"
    "Switches the district or city CODE to wartime (on) or back to normal (off) at TIME\n"
    "(RFC 3339; default now; never in the future, nor before the latest switch on CODE\n"
    "or above it). Posts under it then work wartime duties round the clock,\n"
    "calls and orders get wartime deadlines, and each street's standing shock team is\n"
    "active while its street is in wartime (made the first time). Every switch is kept.\n"
    "\nOptions:\n";

static const char epilog[] = "Exit status: 0 switched, 1 refused (unknown place, not a district "
			     "or the city, already so), 2 usage error.\n";

struct job {
	struct forces_wartime_change c;
	struct forces_wartime_teams t;
	struct mu_why why;
};

static int do_switch(struct db *d, void *arg, char *record, size_t n)
{
	struct job *j = arg;
	int rc = forces_wartime_switch(d, &j->c, &j->t, &j->why);
	snprintf(record, n, "wartime_switch:%lld", (long long)j->t.switch_id);
	return rc;
}

int cmd_wartime(int argc, char **argv)
{
	const char *dbp = NULL, *place = NULL, *reason = NULL, *at = NULL, *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR_REQ("place", &place, "CODE", "the district or the city"),
	    CLI_STR_REQ("reason", &reason, "TEXT", "why (kept with the switch)"),
	    CLI_STR("at", &at, "TIME", "when (RFC 3339; default now)"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"wartime", help, opts, epilog};
	struct places_node node;
	struct job j = {.c = {.reason = reason}};
	struct db *d = NULL;
	int64_t ms = 0;
	int npos, rc, ret = CLI_REJECTED;
	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos != 1 || (strcmp(pos[0], "on") && strcmp(pos[0], "off")))
		return cli_usage_error("wartime", "expected `wartime on` or `wartime off`");
	if (at && mu_time_parse(at, &ms))
		return cli_usage_error("wartime", "--at wants an RFC 3339 time");
	j.c.on = strcmp(pos[0], "on") == 0;
	j.c.at = at ? ms / 1000 : mu_now_unix();
	j.c.reason = reason;
	if (cli_open(dbp, 0, &d, NULL))
		return CLI_REJECTED;
	if (places_find(d, place, &node)) {
		fprintf(stderr, "muster wartime: no place with code '%s'\n", place);
		goto out;
	}
	j.c.place_id = node.id;
	if ((rc = cli_audited(d, j.c.on ? "cli wartime on" : "cli wartime off", do_switch, &j))) {
		fprintf(stderr, "muster wartime: %s\n",
			j.why.text[0] ? j.why.text : mu_err_msg(rc));
		goto out;
	}
	printf("%s %s: %s; standing teams: %lld active of %lld streets (%lld new, %lld "
	       "activated, %lld stood down)\n",
	       node.code, node.name, j.c.on ? "wartime" : "normal", (long long)j.t.active,
	       (long long)j.t.streets, (long long)j.t.created, (long long)j.t.activated,
	       (long long)j.t.stood_down);
	ret = CLI_OK;
out:
	db_close(d);
	return ret;
}
