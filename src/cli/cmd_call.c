/* cmd_call.c: `muster call deadlines|deadline set|log|sweep` — calls for help from the
 * command line: the deadline table (call_deadlines) read and edited, a call logged (the
 * demo's calls, backdated with --at), and one escalation sweep. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "calls/calls.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

static const char help[] =
    "usage: muster call deadlines [--db PATH]\n"
    "       muster call deadline set --category C --priority P [--wartime] --minutes N\n"
    "       muster call log --place CODE --category C --priority P --text TEXT\n"
    "                       [--phone PHONE] [--at ISO] [--db PATH]\n"
    "       muster call sweep [--at ISO] [--db PATH]\n"
    "\n"
    "deadlines     the time a call's holder has to acknowledge it, per category (* for\n"
    "              every category without a row of its own), priority and mode; each rung\n"
    "              a call climbs (grid, community, street, district) gets it again.\n"
    "deadline set  adds or replaces a row: C is medicine, food, medical, dialysis,\n"
    "              pregnancy, transport, mental, other or *; P urgent or normal; N minutes\n"
    "              (a fraction is taken: 0.05 is 3 seconds).\n"
    "log           logs a call at a household or building, at --at (default now), routed\n"
    "              and given its deadline as POST /api/v1/calls does; prints its id.\n"
    "sweep         climbs every call not acknowledged in time (the server does this every\n"
    "              few seconds); prints the rungs climbed.\n"
    "\nOptions:\n";

static const char epilog[] = "Exit status: 0 done, 1 refused (bad value, unknown place), 2 usage "
			     "error.\n";

struct opts {
	const char *db, *category, *priority, *place, *text, *phone, *at;
	double minutes;
	bool wartime;
};

static int list_one(const struct calls_deadline *dl, void *ctx)
{
	(void)ctx;
	printf("%-10s %-7s %-8s %10lld s  (%g min)\n", dl->category, dl->priority,
	       dl->wartime ? "wartime" : "normal", (long long)dl->seconds,
	       (double)dl->seconds / 60.0);
	return 0;
}

struct set {
	const struct opts *o;
	int64_t seconds;
	struct mu_why why;
};

static int do_set(struct db *d, void *arg, char *record, size_t n)
{
	struct set *s = arg;
	snprintf(record, n, "call_deadline:%s/%s/%s", s->o->category, s->o->priority,
		 s->o->wartime ? "wartime" : "normal");
	return calls_deadline_set(d, s->o->category, s->o->priority, s->o->wartime, s->seconds,
				  &s->why);
}

static int set_deadline(struct db *d, const struct opts *o)
{
	struct set s = {.o = o, .seconds = (int64_t)llround(o->minutes * 60.0)};
	if (!o->category || !o->priority || o->minutes <= 0)
		return cli_usage_error("call", "deadline set needs --category, --priority and "
					       "--minutes");
	int rc = cli_audited(d, "cli call deadline set", do_set, &s);
	if (rc) {
		fprintf(stderr, "muster call: %s\n", s.why.text[0] ? s.why.text : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	fprintf(stderr, "muster call: %s %s %s calls: %lld s to acknowledge\n", o->category,
		o->priority, o->wartime ? "wartime" : "normal", (long long)s.seconds);
	return CLI_OK;
}

struct logged {
	const struct people_keys *k;
	struct calls_new in;
	int64_t at, id, climbed;
	struct mu_why why;
};

static int do_log(struct db *d, void *arg, char *record, size_t n)
{
	struct logged *l = arg;
	struct calls_call *c = mu_xmalloc(sizeof *c);
	int rc = calls_call_log(d, l->k, &l->in, l->at, c, &l->why);
	l->id = rc == 0 ? c->id : 0;
	free(c);
	snprintf(record, n, "call:%lld", (long long)l->id);
	return rc;
}

static int time_opt(const char *v, int64_t *out)
{
	*out = mu_now_unix();
	if (v && screening_time_parse(v, out))
		return cli_usage_error("call", "--at wants an ISO 8601 time");
	return 0;
}

static int log_call(struct db *d, const struct people_keys *k, const struct opts *o)
{
	struct places_node node;
	struct logged l = {.k = k};
	if (!o->place || !o->category || !o->priority || !o->text)
		return cli_usage_error("call",
				       "log needs --place, --category, --priority and --text");
	if (time_opt(o->at, &l.at))
		return CLI_USAGE;
	if (places_find(d, o->place, &node)) {
		fprintf(stderr, "muster call: no place with code '%s'\n", o->place);
		return CLI_REJECTED;
	}
	l.in = (struct calls_new){.place_id = node.id,
				  .category = o->category,
				  .priority = o->priority,
				  .text = o->text,
				  .phone = o->phone ? o->phone : ""};
	int rc = cli_audited(d, "cli call log", do_log, &l);
	if (rc) {
		fprintf(stderr, "muster call: %s\n", l.why.text[0] ? l.why.text : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	printf("%lld\n", (long long)l.id);
	return CLI_OK;
}

static int do_sweep(struct db *d, void *arg, char *record, size_t n)
{
	struct logged *l = arg;
	snprintf(record, n, "calls:sweep");
	return calls_sweep(d, l->at, 0, &l->climbed, NULL);
}

static int sweep(struct db *d, const struct opts *o)
{
	struct logged l = {0};
	if (time_opt(o->at, &l.at))
		return CLI_USAGE;
	int rc = cli_audited(d, "cli call sweep", do_sweep, &l);
	if (rc) {
		fprintf(stderr, "muster call: %s\n", mu_err_msg(rc));
		return CLI_REJECTED;
	}
	printf("%lld\n", (long long)l.climbed);
	return CLI_OK;
}

int cmd_call(int argc, char **argv)
{
	struct opts o = {0};
	const char *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("category", &o.category, "C", "deadline set, log: the category (* for any)"),
	    CLI_STR("priority", &o.priority, "P", "deadline set, log: urgent or normal"),
	    CLI_FLAG("wartime", &o.wartime, "deadline set: the wartime row"),
	    CLI_NUM("minutes", &o.minutes, "N", "deadline set: minutes to acknowledge", false, 0,
		    527040),
	    CLI_STR("place", &o.place, "CODE", "log: the household or building"),
	    CLI_STR("text", &o.text, "TEXT", "log: what the caller needs"),
	    CLI_STR("phone", &o.phone, "PHONE", "log: the caller's phone (sealed)"),
	    CLI_STR("at", &o.at, "ISO", "log, sweep: the time (default now)"),
	    CLI_STR("db", &o.db, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"call", help, opts, epilog};
	struct db *d = NULL;
	struct people_keys keys;
	int ret, npos;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	bool list = npos == 1 && !strcmp(pos[0], "deadlines");
	bool set = npos == 2 && !strcmp(pos[0], "deadline") && !strcmp(pos[1], "set");
	bool log = npos == 1 && !strcmp(pos[0], "log");
	bool sw = npos == 1 && !strcmp(pos[0], "sweep");
	if (!list && !set && !log && !sw)
		return cli_usage_error("call",
				       "a subcommand: deadlines, deadline set, log or sweep");
	if ((o.wartime || o.minutes > 0) && !set)
		return cli_usage_error("call", "--wartime and --minutes are deadline set's");
	if ((o.place || o.text || o.phone) && !log)
		return cli_usage_error("call", "--place, --text and --phone are log's");
	if ((o.category || o.priority) && !set && !log)
		return cli_usage_error("call", "--category and --priority are for deadline set "
					       "and log");
	if (o.at && !log && !sw)
		return cli_usage_error("call", "--at is for log and sweep");
	if (cli_open(o.db, list ? CLI_OPEN_READ : 0, &d, log ? &keys : NULL))
		return CLI_REJECTED;
	if (list)
		ret = calls_deadline_list(d, list_one, NULL) ? CLI_REJECTED : CLI_OK;
	else if (set)
		ret = set_deadline(d, &o);
	else if (log)
		ret = log_call(d, &keys, &o);
	else
		ret = sweep(d, &o);
	db_close(d);
	if (log)
		sodium_memzero(&keys, sizeof keys);
	return ret;
}
