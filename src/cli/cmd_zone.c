/* cmd_zone.c: `muster zone add|lift|list` — risk zones from the command line (the demo's
 * zones, a district office without the web): draw one, lift one, list those in force. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "control/control.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"
#include "screening/screening.h"

static const char help[] =
    "usage: muster zone add --place CODE --level high|medium|low [--measures M]\n"
    "                       [--from ISO] --reason TEXT [--db PATH]\n"
    "       muster zone lift ID [--at ISO] [--db PATH]\n"
    "       muster zone list [--place CODE] [--all] [--db PATH]\n"
    "\n"
    "add   a risk zone on a street, community, compound or building from --from (default\n"
    "      now); measures sealed, controlled or precaution (default: high sealed, medium\n"
    "      controlled, low precaution). A sealed zone gives each resident a 'sealed'\n"
    "      status. Prints the new zone's id alone.\n"
    "lift  ends the zone at --at (default now), and the statuses it started.\n"
    "list  the zones in force (--all: lifted ones too) under a place (default: all):\n"
    "      id, place, level, measures, from, lifted.\n"
    "\nOptions:\n";

static const char epilog[] =
    "Exit status: 0 done, 1 refused (unknown place or zone, a place that is no zone, a\n"
    "zone already in force there or already lifted), 2 usage error.\n";

struct opts {
	const char *db, *place, *level, *measures, *from, *at, *reason;
	bool all;
};

struct change {
	struct control_zone z;
	int64_t id, at, n;
	struct mu_why why;
};

static int do_add(struct db *d, void *arg, char *record, size_t n)
{
	struct change *c = arg;
	int rc = control_zone_create(d, &c->z, mu_now_unix(), &c->n, &c->why);
	snprintf(record, n, "zone:%lld", (long long)c->z.id);
	return rc;
}

static int do_lift(struct db *d, void *arg, char *record, size_t n)
{
	struct change *c = arg;
	snprintf(record, n, "zone:%lld", (long long)c->id);
	return control_zone_lift(d, c->id, c->at, &c->n, &c->why);
}

static int add(struct db *d, const struct opts *o)
{
	struct change c;
	struct places_node node;
	memset(&c, 0, sizeof c);
	if (!o->place || !o->level || !o->reason)
		return cli_usage_error("zone", "add needs --place, --level and --reason");
	if (control_zone_level_parse(o->level, &c.z.level))
		return cli_usage_error("zone", "--level is high, medium or low");
	c.z.measures = c.z.level == CONTROL_ZONE_HIGH	  ? CONTROL_MEASURES_SEALED
		       : c.z.level == CONTROL_ZONE_MEDIUM ? CONTROL_MEASURES_CONTROLLED
							  : CONTROL_MEASURES_PRECAUTION;
	if (o->measures && control_zone_measures_parse(o->measures, &c.z.measures))
		return cli_usage_error("zone", "--measures is sealed, controlled or precaution");
	c.z.from_at = mu_now_unix();
	if (o->from && screening_time_parse(o->from, &c.z.from_at))
		return cli_usage_error("zone", "--from wants an ISO 8601 time");
	if (strlen(o->reason) >= sizeof c.z.reason)
		return cli_usage_error("zone", "--reason is too long");
	snprintf(c.z.reason, sizeof c.z.reason, "%s", o->reason);
	if (places_find(d, o->place, &node)) {
		fprintf(stderr, "muster zone: no place with code '%s'\n", o->place);
		return CLI_REJECTED;
	}
	c.z.place_id = node.id;
	int rc = cli_audited(d, "cli zone add", do_add, &c);
	if (rc) {
		fprintf(stderr, "muster zone: %s\n", c.why.text[0] ? c.why.text : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	printf("%lld\n", (long long)c.z.id);
	fprintf(stderr, "muster zone: zone %lld, %s (%s), on %s %s; %lld residents sealed\n",
		(long long)c.z.id, control_zone_level_name(c.z.level),
		control_zone_measures_name(c.z.measures), node.code, node.name, (long long)c.n);
	return CLI_OK;
}

static int lift(struct db *d, const char *id_s, const struct opts *o)
{
	struct change c;
	memset(&c, 0, sizeof c);
	if (mu_parse_i64(id_s, &c.id) || c.id <= 0)
		return cli_usage_error("zone", "a zone ID is a positive integer");
	c.at = mu_now_unix();
	if (o->at && screening_time_parse(o->at, &c.at))
		return cli_usage_error("zone", "--at wants an ISO 8601 time");
	int rc = cli_audited(d, "cli zone lift", do_lift, &c);
	if (rc) {
		fprintf(stderr, "muster zone: %s\n", c.why.text[0] ? c.why.text : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	fprintf(stderr, "muster zone: zone %lld lifted; %lld statuses ended\n", (long long)c.id,
		(long long)c.n);
	return CLI_OK;
}

static int print_zone(const struct control_zone *z, void *ctx)
{
	struct db *d = ctx;
	char code[PLACES_CODE_MAX + 1], from[21], lifted[21] = "-";
	int rc = places_code_get(d, z->place_id, code, sizeof code);
	if (rc)
		return rc;
	screening_time_format(z->from_at, from);
	if (z->lifted_at)
		screening_time_format(z->lifted_at, lifted);
	printf("%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)z->id, code,
	       control_zone_level_name(z->level), control_zone_measures_name(z->measures), from,
	       lifted);
	return 0;
}

static int list(struct db *d, const struct opts *o)
{
	struct places_node node = {0};
	if (o->place && places_find(d, o->place, &node)) {
		fprintf(stderr, "muster zone: no place with code '%s'\n", o->place);
		return CLI_REJECTED;
	}
	int rc = control_zone_list(d, node.id, o->all, print_zone, d);
	if (rc) {
		fprintf(stderr, "muster zone: %s\n", mu_err_msg(rc));
		return CLI_REJECTED;
	}
	return CLI_OK;
}

int cmd_zone(int argc, char **argv)
{
	struct opts o = {0};
	const char *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("place", &o.place, "CODE", "add: the zone's place; list: under it"),
	    CLI_STR("level", &o.level, "LEVEL", "add: high, medium or low"),
	    CLI_STR("measures", &o.measures, "M", "add: sealed, controlled or precaution"),
	    CLI_STR("from", &o.from, "ISO", "add: the zone's start (default now)"),
	    CLI_STR("reason", &o.reason, "TEXT", "add: why (one line)"),
	    CLI_STR("at", &o.at, "ISO", "lift: when (default now)"),
	    CLI_FLAG("all", &o.all, "list: lifted zones too"),
	    CLI_STR("db", &o.db, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"zone", help, opts, epilog};
	struct db *d = NULL;
	int ret, npos;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	if (npos < 1)
		return cli_usage_error("zone", "missing subcommand add|lift|list");
	const char *sub = pos[0];
	bool is_add = !strcmp(sub, "add"), is_lift = !strcmp(sub, "lift");
	bool is_list = !strcmp(sub, "list");
	if (!is_add && !is_lift && !is_list)
		return cli_usage_error("zone", "unknown subcommand '%s'", sub);
	if (is_lift && npos != 2)
		return cli_usage_error("zone", "lift takes one zone ID");
	if (!is_lift && npos != 1)
		return cli_usage_error("zone", "unexpected argument '%s'", pos[1]);
	if (((o.level || o.measures || o.from || o.reason) && !is_add) || (o.at && !is_lift) ||
	    (o.all && !is_list) || (o.place && is_lift))
		return cli_usage_error("zone", "an option that %s does not take", sub);
	if (cli_open(o.db, is_list ? CLI_OPEN_READ : 0, &d, NULL))
		return CLI_REJECTED;
	if (is_add)
		ret = add(d, &o);
	else if (is_lift)
		ret = lift(d, pos[1], &o);
	else
		ret = list(d, &o);
	db_close(d);
	return ret;
}
