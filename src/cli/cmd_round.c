/* cmd_round.c: `muster round create|close|report|plan` — screening rounds from the
 * command line: create one over a place's subtree, close it, print its coverage (the
 * figures of GET /api/v1/rounds/{id}/coverage) and plan one with the Dorfman arithmetic. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"
#include "screening/screening.h"

static const char help[] =
    "usage: muster round create --scope CODE --name TEXT --pool K [--pool-high K]\n"
    "                           [--pool-medium K] [--starts ISO] [--ends ISO] [--db PATH]\n"
    "       muster round close ID [--db PATH]\n"
    "       muster round report ID [--place CODE] [--json] [--db PATH]\n"
    "       muster round plan --scope CODE --pool K --prevalence P [--desks N]\n"
    "                         [--swabs-per-desk-day N] [--lab-capacity TUBES] [--json]\n"
    "\n"
    "create  a screening round over the subtree of place CODE with pool size K (1, 5, 10\n"
    "        or 20; --pool-high for high-risk places, default 1; --pool-medium, default\n"
    "        K) and an optional window (ISO 8601). Prints the new round's id alone.\n"
    "close   no scan is taken after; lab results still are.\n"
    "report  coverage of the round for a place (default: its scope) and each child:\n"
    "        expected, sampled, resulted, negative, pool_positive, positive, coverage;\n"
    "        then the whole round's progress: samples per hour, tubes per stage, results,\n"
    "        lab backlog, turnaround median and p90, projected completion (--json: the\n"
    "        key \"progress\", as GET /api/v1/rounds/{id}/progress).\n"
    "plan    people of the scope, tubes, expected pool-positive tubes and recalls, tests\n"
    "        per person (Dorfman: E = 1/K + 1 - (1-P)^K), desks (default: enough for a\n"
    "        24-hour round at N swabs per desk a day, default 405) and hours needed\n"
    "        (with --lab-capacity, the lab's hours too). --json: one object with\n"
    "        people, pool, prevalence, tubes, tube_positive, positive_tubes, recalls,\n"
    "        tests_per_person, desks, swabs_per_desk_day, sampling_hours, lab_hours, hours.\n"
    "\nOptions:\n";

static const char epilog[] =
    "Exit status: 0 done, 1 refused (unknown place or round, closed round, bad name),\n"
    "2 usage error.\n";

struct opts {
	const char *db, *scope, *name, *starts, *ends, *place, *pool, *high, *medium, *prev;
	const char *desks, *swabs, *lab;
	bool json;
};

/* An integer option within [lo, hi]; usage error otherwise. */
static int int_opt(const char *flag, const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (mu_parse_i64(v, out) || *out < lo || *out > hi)
		return cli_usage_error("round", "%s wants an integer from %lld to %lld", flag,
				       (long long)lo, (long long)hi);
	return 0;
}

/* The round created or closed, with cli_audited: "round:ID". */
struct change {
	struct screening_round *r; /* create */
	int64_t id;		   /* close */
	struct mu_why why;
};

static int do_create(struct db *d, void *arg, char *record, size_t n)
{
	struct change *c = arg;
	int rc = screening_round_create(d, c->r, &c->why);
	snprintf(record, n, "round:%lld", (long long)c->r->id);
	return rc;
}

static int do_close(struct db *d, void *arg, char *record, size_t n)
{
	struct change *c = arg;
	snprintf(record, n, "round:%lld", (long long)c->id);
	return screening_round_close(d, c->id, mu_now_unix());
}

static int create(struct db *d, const struct opts *o)
{
	struct screening_round r;
	struct places_node scope;
	int64_t pool, high = 1, medium = 0;
	int rc;
	memset(&r, 0, sizeof r);
	if (!o->scope || !o->name || !o->pool)
		return cli_usage_error("round", "create needs --scope, --name and --pool");
	if (int_opt("--pool", o->pool, 1, 20, &pool) ||
	    (o->high && int_opt("--pool-high", o->high, 1, 20, &high)) ||
	    (o->medium && int_opt("--pool-medium", o->medium, 1, 20, &medium)))
		return CLI_USAGE;
	if (!screening_pool_valid((int)pool) || !screening_pool_valid((int)high) ||
	    (medium && !screening_pool_valid((int)medium)))
		return cli_usage_error("round", "pool sizes are 1, 5, 10 or 20");
	if ((o->starts && screening_time_parse(o->starts, &r.starts)) ||
	    (o->ends && screening_time_parse(o->ends, &r.ends)))
		return cli_usage_error("round", "--starts and --ends want ISO 8601 times");
	if (strlen(o->name) >= sizeof r.name) {
		fprintf(stderr, "muster round: the name is too long\n");
		return CLI_REJECTED;
	}
	if (places_find(d, o->scope, &scope)) {
		fprintf(stderr, "muster round: no place with code '%s'\n", o->scope);
		return CLI_REJECTED;
	}
	snprintf(r.name, sizeof r.name, "%s", o->name);
	r.scope_place_id = scope.id;
	r.pool_k = (int)pool;
	r.pool_high = (int)high;
	r.pool_medium = (int)medium;
	struct change c = {.r = &r};
	rc = cli_audited(d, "cli round create", do_create, &c);
	if (rc)
		goto fail;
	printf("%lld\n", (long long)r.id);
	fprintf(stderr, "muster round: created round %lld \"%s\" over %s at %d-in-1\n",
		(long long)r.id, r.name, scope.code, r.pool_k);
	return CLI_OK;
fail:
	fprintf(stderr, "muster round: %s\n", c.why.text[0] ? c.why.text : mu_err_msg(rc));
	return CLI_REJECTED;
}

static int parse_id(const char *s, int64_t *id)
{
	if (!s || mu_parse_i64(s, id) || *id <= 0)
		return cli_usage_error("round", "a round ID is a positive integer");
	return 0;
}

static int close_round(struct db *d, int64_t id)
{
	struct change c = {.id = id};
	int rc = cli_audited(d, "cli round close", do_close, &c);
	if (rc) {
		fprintf(stderr, "muster round close: %s\n",
			rc == MU_ENOTFOUND ? "no such round"
			: rc == MU_EEXIST  ? "the round is already closed"
					   : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	fprintf(stderr, "muster round: closed round %lld\n", (long long)id);
	return CLI_OK;
}

/* ---- report --------------------------------------------------------------------------------- */

struct report {
	struct db *d;
	bool json;
	json_t *kids;
};

static void counts_line(const struct screening_counts *k, const struct places_node *n, bool child)
{
	printf("%s%-20s %10lld %10lld %10lld %10lld %10lld %10lld %8.4f  %s\n", child ? "  " : "",
	       n->code, (long long)k->expected, (long long)k->sampled, (long long)k->resulted,
	       (long long)k->negative, (long long)k->pool_positive, (long long)k->positive,
	       k->coverage, n->name);
}

static int report_child(const struct screening_counts *k, void *ctx)
{
	struct report *rp = ctx;
	struct places_node n;
	int rc = places_get(rp->d, k->place_id, &n);
	if (rc)
		return rc;
	if (rp->json)
		json_array_append_new(rp->kids, screening_counts_json(k, &n));
	else
		counts_line(k, &n, true);
	return 0;
}

/* A duration in seconds as "1h 02m" or "3m 05s"; "-" when negative (unknown). */
static const char *duration(double secs, char buf[32])
{
	if (secs < 0)
		return "-";
	long long t = (long long)(secs + 0.5);
	if (t >= 3600)
		snprintf(buf, 32, "%lldh %02lldm", t / 3600, t / 60 % 60);
	else
		snprintf(buf, 32, "%lldm %02llds", t / 60, t % 60);
	return buf;
}

static void progress_lines(const struct screening_progress *p)
{
	char a[21], b[32], c[32];
	printf("\nprogress (whole round)\n");
	printf("samples:               %lld (last hour %lld; %.1f/h last hour, %.1f/h overall)\n",
	       (long long)p->samples, (long long)p->samples_last_hour, p->rate_last_hour,
	       p->rate_overall);
	printf("tubes:                 opened %lld, sealed %lld, received %lld, resulted %lld\n",
	       (long long)p->opened, (long long)p->sealed, (long long)p->received,
	       (long long)p->resulted);
	printf("results:               negative %lld, positive %lld, invalid %lld\n",
	       (long long)p->by_result[SCREENING_RESULT_NEGATIVE],
	       (long long)p->by_result[SCREENING_RESULT_POSITIVE],
	       (long long)p->by_result[SCREENING_RESULT_INVALID]);
	printf("lab backlog:           %lld sealed not received, %lld received not resulted\n",
	       (long long)p->backlog_sealed, (long long)p->backlog_received);
	printf("turnaround:            median %s, p90 %s (%s %lld tubes)\n",
	       duration(p->turnaround_p50, b), duration(p->turnaround_p90, c),
	       p->turnaround_exact ? "all" : "a sample of", (long long)p->turnaround_n);
	if (p->projected_at)
		screening_time_format(p->projected_at, a);
	printf("projected completion:  %s%s (%lld people remaining)\n",
	       p->complete ? "complete at " : "",
	       p->projected_at ? a
	       : p->estimating ? "estimating (sampling began under ten minutes ago)"
			       : "unknown (no sample in the last hour)",
	       (long long)p->remaining);
}

static int report(struct db *d, int64_t id, const struct opts *o)
{
	struct screening_round r;
	struct places_node node;
	struct screening_counts k;
	struct screening_cov *c = NULL;
	struct report rp = {.d = d, .json = o->json};
	int rc = screening_round_get(d, id, &r);
	if (rc) {
		fprintf(stderr, "muster round report: %s\n",
			rc == MU_ENOTFOUND ? "no such round" : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	if (o->place ? places_find(d, o->place, &node) : places_get(d, r.scope_place_id, &node)) {
		fprintf(stderr, "muster round report: no place with code '%s'\n", o->place);
		return CLI_REJECTED;
	}
	struct screening_counts scope;
	struct screening_progress pg;
	if ((rc = screening_cov_new(d, &c)) || (rc = screening_cov_get(c, d, id, node.id, &k)) ||
	    (rc = screening_cov_get(c, d, id, r.scope_place_id, &scope)) ||
	    (rc = screening_progress_get(d, id, mu_now_unix(), &scope, &pg)))
		goto out;
	if (o->json) {
		rp.kids = json_array();
		if (node.level < PLACES_HOUSEHOLD &&
		    (rc = screening_cov_children(c, d, id, node.id, report_child, &rp))) {
			json_decref(rp.kids);
			goto out;
		}
		json_t *j = screening_counts_json(&k, &node);
		json_object_set_new(j, "round", json_integer(id));
		json_object_set_new(j, "children", rp.kids);
		json_object_set_new(j, "progress", screening_progress_json(&pg));
		char *text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
		printf("%s\n", text);
		free(text);
		json_decref(j);
	} else {
		printf("round %lld \"%s\"%s\n", (long long)r.id, r.name,
		       r.closed_at ? " (closed)" : "");
		printf("%-20s %10s %10s %10s %10s %10s %10s %8s\n", "place", "expected", "sampled",
		       "resulted", "negative", "pool_pos", "positive", "coverage");
		counts_line(&k, &node, false);
		if (node.level < PLACES_HOUSEHOLD)
			rc = screening_cov_children(c, d, id, node.id, report_child, &rp);
		if (rc == 0)
			progress_lines(&pg);
	}
out:
	screening_cov_free(c);
	if (rc) {
		fprintf(stderr, "muster round report: %s\n", mu_err_msg(rc));
		return CLI_REJECTED;
	}
	return CLI_OK;
}

/* ---- plan ----------------------------------------------------------------------------------- */

static int plan(struct db *d, const struct opts *o)
{
	struct screening_plan_in in = {0};
	struct screening_plan_out out;
	struct places_node scope;
	int64_t pool, desks = 0, swabs = 0, lab = 0;
	double p;
	if (!o->scope || !o->pool || !o->prev)
		return cli_usage_error("round", "plan needs --scope, --pool and --prevalence");
	if (int_opt("--pool", o->pool, 1, 100, &pool) ||
	    (o->desks && int_opt("--desks", o->desks, 1, 100000000, &desks)) ||
	    (o->swabs && int_opt("--swabs-per-desk-day", o->swabs, 1, 100000, &swabs)) ||
	    (o->lab && int_opt("--lab-capacity", o->lab, 1, INT64_C(1000000000000), &lab)))
		return CLI_USAGE;
	if (mu_parse_double(o->prev, &p) || !(p >= 0 && p < 1))
		return cli_usage_error("round", "--prevalence wants a number from 0 to below 1");
	if (places_find(d, o->scope, &scope)) {
		fprintf(stderr, "muster round plan: no place with code '%s'\n", o->scope);
		return CLI_REJECTED;
	}
	in.people = scope.people;
	in.k = (int)pool;
	in.prevalence = p;
	in.desks = desks;
	in.swabs_per_desk_day = (int)swabs;
	in.lab_capacity = lab;
	if (screening_plan(&in, &out)) {
		fprintf(stderr, "muster round plan: the figures do not make a plan\n");
		return CLI_REJECTED;
	}
	int64_t per_desk = swabs ? swabs : SCREENING_SWABS_PER_DESK_DAY;
	if (o->json) {
		json_t *j = json_pack(
		    "{s:s, s:I, s:i, s:f, s:I, s:f, s:f, s:f, s:f, s:I, s:I, s:f, s:f, s:f}",
		    "scope", scope.code, "people", (json_int_t)in.people, "pool", in.k,
		    "prevalence", p, "tubes", (json_int_t)out.tubes, "tube_positive",
		    out.tube_positive, "positive_tubes", out.positive_tubes, "recalls", out.recalls,
		    "tests_per_person", out.tests_per_person, "desks", (json_int_t)out.desks,
		    "swabs_per_desk_day", (json_int_t)per_desk, "sampling_hours",
		    out.sampling_hours, "lab_hours", out.lab_hours, "hours", out.hours);
		char *text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		printf("%s\n", text);
		free(text);
		json_decref(j);
		return CLI_OK;
	}
	printf("scope:                 %s (%s)\n", scope.code, scope.name);
	printf("people:                %lld\n", (long long)in.people);
	printf("pool:                  %d-in-1, prevalence %g\n", in.k, p);
	printf("tubes:                 %lld\n", (long long)out.tubes);
	printf("pool-positive tubes:   %.1f expected (%.4f of tubes)\n", out.positive_tubes,
	       out.tube_positive);
	printf("recalls:               %.1f expected\n", out.recalls);
	printf("tests per person:      %.4f\n", out.tests_per_person);
	printf("desks:                 %lld at %lld swabs a day\n", (long long)out.desks,
	       (long long)per_desk);
	printf("sampling hours:        %.1f\n", out.sampling_hours);
	if (lab)
		printf("lab hours:             %.1f at %lld tubes a day\n", out.lab_hours,
		       (long long)lab);
	printf("hours:                 %.1f\n", out.hours);
	return CLI_OK;
}

int cmd_round(int argc, char **argv)
{
	struct opts o = {0};
	const char *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("scope", &o.scope, "CODE", "create, plan: the place whose subtree is screened"),
	    CLI_STR("name", &o.name, "TEXT", "create: the round's name"),
	    CLI_STR("pool", &o.pool, "K", "create, plan: pool size, 1, 5, 10 or 20"),
	    CLI_STR("pool-high", &o.high, "K", "create: pool size in high-risk places (1)"),
	    CLI_STR("pool-medium", &o.medium, "K", "create: pool size in medium-risk places (K)"),
	    CLI_STR("starts", &o.starts, "ISO", "create: the window's start"),
	    CLI_STR("ends", &o.ends, "ISO", "create: the window's end"),
	    CLI_STR("place", &o.place, "CODE", "report: the place (default: the scope)"),
	    CLI_FLAG("json", &o.json, "report, plan: JSON"),
	    CLI_STR("prevalence", &o.prev, "P", "plan: the expected share of positives"),
	    CLI_STR("desks", &o.desks, "N", "plan: sampling desks"),
	    CLI_STR("swabs-per-desk-day", &o.swabs, "N", "plan: swabs a desk takes a day (405)"),
	    CLI_STR("lab-capacity", &o.lab, "TUBES", "plan: tubes the labs test a day"),
	    CLI_STR("db", &o.db, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"round", help, opts, epilog};
	struct db *d = NULL;
	int ret, npos;
	int64_t id = 0;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	if (npos < 1)
		return cli_usage_error("round", "missing subcommand create|close|report|plan");
	const char *sub = pos[0];
	bool is_create = !strcmp(sub, "create"), is_close = !strcmp(sub, "close");
	bool is_report = !strcmp(sub, "report"), is_plan = !strcmp(sub, "plan");
	if (!is_create && !is_close && !is_report && !is_plan)
		return cli_usage_error("round", "unknown subcommand '%s'", sub);
	if (is_close || is_report) {
		if (npos != 2)
			return cli_usage_error("round", "%s takes one round ID", sub);
		if (parse_id(pos[1], &id))
			return CLI_USAGE;
	} else if (npos != 1) {
		return cli_usage_error("round", "unexpected argument '%s'", pos[1]);
	}
	bool create_opts = o.name || o.high || o.medium || o.starts || o.ends;
	bool plan_opts = o.prev || o.desks || o.swabs || o.lab;
	if ((create_opts && !is_create) || (plan_opts && !is_plan) ||
	    (o.scope && !is_create && !is_plan) || (o.pool && !is_create && !is_plan) ||
	    (o.place && !is_report) || (o.json && !is_report && !is_plan))
		return cli_usage_error("round", "an option that %s does not take", sub);
	if (cli_open(o.db, is_report ? CLI_OPEN_READ : 0, &d, NULL))
		return CLI_REJECTED;
	if (is_create)
		ret = create(d, &o);
	else if (is_close)
		ret = close_round(d, id);
	else if (is_report)
		ret = report(d, id, &o);
	else
		ret = plan(d, &o);
	db_close(d);
	return ret;
}
