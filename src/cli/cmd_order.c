/* cmd_order.c: `muster order issue|forward|ack|done|blocked|show` — an order down the tree
 * from the command line (as POST and GET /api/v1/orders do): issue one from a unit to the
 * places at a level under a place, or to places named; a target's forward and steps; and
 * show one as its tree and roll-up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "calls/calls.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"
#include "screening/screening.h"

static const char help[] =
    "usage: muster order issue --title TEXT --text TEXT (--level LEVEL --under CODE |\n"
    "                          --targets CODE,CODE...) [--by CODE] [--due ISO] [--db PATH]\n"
    "       muster order forward ID --target CODE --level LEVEL [--db PATH]\n"
    "       muster order ack|done|blocked ID --target CODE [--note TEXT] [--db PATH]\n"
    "       muster order show ID [--json] [--db PATH]\n"
    "\n"
    "issue  an order from the unit --by (default: --under) to the places at LEVEL (street,\n"
    "       community or grid) under --under, or to the places --targets names; each must\n"
    "       lie strictly below the issuing unit. --due defaults to 24 h after now, 6 h when\n"
    "       the issuing unit is in wartime. Prints the new order's id alone.\n"
    "forward  the target at --target forwards the order to every place at LEVEL under it.\n"
    "ack, done, blocked  what the target at --target reports (a done with forwarded\n"
    "       targets not all done is kept as reported until they are).\n"
    "show   the order's targets as a tree (state, overdue, forwarded targets indented) and\n"
    "       the roll-up per level: acknowledged, done, blocked, overdue of the total.\n"
    "       --json: as GET /api/v1/orders/{id} answers an admin.\n"
    "\nOptions:\n";

static const char epilog[] =
    "Exit status: 0 done, 1 refused (unknown place or order, a target not below the\n"
    "issuing unit, bad text), 2 usage error.\n";

struct opts {
	const char *db, *title, *text, *level, *under, *targets, *by, *due, *target, *note;
	bool json;
};

struct issue {
	struct calls_order_new in;
	int64_t id, due;
	struct mu_why why;
};

static int do_issue(struct db *d, void *arg, char *record, size_t n)
{
	struct issue *is = arg;
	int rc = calls_order_issue(d, &is->in, &is->id, &is->due, &is->why);
	snprintf(record, n, "order:%lld", (long long)is->id);
	return rc;
}

/* The places of --targets (comma-separated codes) into *ids (caller frees). */
static int parse_targets(struct db *d, const char *list, int64_t **ids, size_t *n)
{
	char *copy = mu_xstrdup(list), *save = NULL;
	size_t cap = 0;
	int rc = 0;
	*ids = NULL;
	*n = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct places_node node;
		if (places_find(d, tok, &node)) {
			fprintf(stderr, "muster order: no place with code '%s'\n", tok);
			rc = MU_ENOTFOUND;
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = mu_xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = node.id;
	}
	free(copy);
	return rc;
}

static int issue(struct db *d, const struct opts *o)
{
	struct issue is = {0};
	struct places_node by, under;
	struct auth_principal actor;
	int64_t *ids = NULL;
	size_t n = 0;
	int level, rc;
	if (!o->title || !o->text || (!o->level == !o->targets) || (!!o->level != !!o->under))
		return cli_usage_error("order",
				       "issue needs --title, --text and either --level with "
				       "--under or --targets");
	if (!o->by && !o->under)
		return cli_usage_error("order", "--targets needs --by, the issuing unit");
	if (o->level &&
	    (places_level_parse(o->level, &level) ||
	     (level != PLACES_STREET && level != PLACES_COMMUNITY && level != PLACES_GRID)))
		return cli_usage_error("order", "--level is street, community or grid");
	if (o->due && screening_time_parse(o->due, &is.in.due))
		return cli_usage_error("order", "--due wants an ISO 8601 time");
	if (places_find(d, o->by ? o->by : o->under, &by)) {
		fprintf(stderr, "muster order: no place with code '%s'\n",
			o->by ? o->by : o->under);
		return CLI_REJECTED;
	}
	if (o->level) {
		if (places_find(d, o->under, &under)) {
			fprintf(stderr, "muster order: no place with code '%s'\n", o->under);
			return CLI_REJECTED;
		}
		rc = calls_order_places_under(d, under.id, level, &ids, &n);
		if (rc == 0 && n == 0)
			fprintf(stderr, "muster order: no %s under %s\n", o->level, o->under);
		if (rc || n == 0) {
			free(ids);
			if (rc)
				fprintf(stderr, "muster order: %s\n", mu_err_msg(rc));
			return CLI_REJECTED;
		}
	} else if (parse_targets(d, o->targets, &ids, &n)) {
		free(ids);
		return CLI_REJECTED;
	}
	cli_actor(&actor);
	is.in.title = o->title;
	is.in.text = o->text;
	is.in.issuer_place = by.id;
	is.in.issuer_name = actor.name;
	is.in.issued_at = mu_now_unix();
	is.in.targets = ids;
	is.in.n = n;
	rc = cli_audited(d, "cli order issue", do_issue, &is);
	free(ids);
	if (rc) {
		fprintf(stderr, "muster order: %s\n",
			is.why.text[0] ? is.why.text : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	char due[21];
	screening_time_format(is.due, due);
	printf("%lld\n", (long long)is.id);
	fprintf(stderr, "muster order: issued order %lld from %s to %zu places, due %s\n",
		(long long)is.id, by.code, n, due);
	return CLI_OK;
}

/* ---- a target's steps ------------------------------------------------------------------------ */

struct step {
	int64_t order, place, *places;
	size_t n;
	int act, state;
	const char *note;
	struct mu_why why;
};

static int do_step(struct db *d, void *arg, char *record, size_t n)
{
	struct step *st = arg;
	snprintf(record, n, "order:%lld", (long long)st->order);
	if (st->places)
		return calls_order_forward(d, st->order, st->place, st->places, st->n, 0, 0,
					   mu_now_unix(), &st->why);
	return calls_order_act(d, st->order, st->place, st->act, st->note, 0, mu_now_unix(),
			       &st->state, &st->why);
}

/* forward (act 0) or ack/done/blocked of the target at --target of order id. */
static int step(struct db *d, int64_t id, int act, const struct opts *o)
{
	struct step st = {.order = id, .act = act, .note = o->note};
	struct places_node node;
	int level = 0, rc;
	if (!o->target)
		return cli_usage_error("order", "a step needs --target CODE");
	if (!act && (!o->level || places_level_parse(o->level, &level) ||
		     (level != PLACES_COMMUNITY && level != PLACES_GRID && level != PLACES_STREET)))
		return cli_usage_error("order", "forward needs --level street, community or grid");
	if (places_find(d, o->target, &node)) {
		fprintf(stderr, "muster order: no place with code '%s'\n", o->target);
		return CLI_REJECTED;
	}
	st.place = node.id;
	if (!act && (rc = calls_order_places_under(d, node.id, level, &st.places, &st.n))) {
		fprintf(stderr, "muster order: %s\n", mu_err_msg(rc));
		return CLI_REJECTED;
	}
	rc = cli_audited(d, act ? "cli order step" : "cli order forward", do_step, &st);
	free(st.places);
	if (rc) {
		fprintf(stderr, "muster order: %s\n",
			st.why.text[0] ? st.why.text : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	if (act)
		fprintf(stderr, "muster order: %s is %s\n", node.code,
			calls_order_state_name(st.state));
	else
		fprintf(stderr, "muster order: %s forwarded it to %zu places\n", node.code, st.n);
	return CLI_OK;
}

/* ---- show ----------------------------------------------------------------------------------- */

static json_t *time_json(int64_t t)
{
	char buf[21];
	if (!t)
		return json_null();
	screening_time_format(t, buf);
	return json_string(buf);
}

static json_t *tree_json(struct db *d, const struct calls_order_view *v, size_t first)
{
	json_t *arr = json_array();
	for (size_t i = first; i != CALLS_NONE; i = v->t[i].next_sibling) {
		const struct calls_order_target *t = &v->t[i];
		struct places_node n;
		bool known = places_get(d, t->place_id, &n) == 0;
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:o, s:o}", "code",
				      known ? n.code : "", "name", known ? n.name : "", "level",
				      places_level_name(t->level), "state",
				      calls_order_state_name(t->state), "overdue", t->overdue,
				      "reported", t->reported_at && t->state != CALLS_ORDER_DONE,
				      "due", time_json(t->due), "acked_at", time_json(t->acked_at),
				      "done_at", time_json(t->done_at), "note",
				      t->note ? json_string(t->note) : json_null());
		json_object_set_new(o, "blocked_below", json_integer(t->blocked_below));
		json_object_set_new(o, "forwarded", tree_json(d, v, t->first_child));
		json_array_append_new(arr, o);
	}
	return arr;
}

static void tree_lines(struct db *d, const struct calls_order_view *v, size_t first, int depth)
{
	for (size_t i = first; i != CALLS_NONE; i = v->t[i].next_sibling) {
		const struct calls_order_target *t = &v->t[i];
		struct places_node n;
		bool known = places_get(d, t->place_id, &n) == 0;
		printf("%*s%-20s %-13s%s%s%s  %s\n", depth * 2, "", known ? n.code : "?",
		       calls_order_state_name(t->state), t->overdue ? " overdue" : "",
		       t->reported_at && t->state != CALLS_ORDER_DONE ? " reported" : "",
		       t->blocked_below ? " blocked-below" : "", known ? n.name : "");
		tree_lines(d, v, t->first_child, depth + 1);
	}
}

static int show(struct db *d, int64_t id, bool json)
{
	struct calls_order_view *v;
	struct calls_order_rollup r[CALLS_LEVELS], all;
	struct places_node issuer;
	int rc = calls_order_view_new(d, id, mu_now_unix(), &v);
	if (rc) {
		fprintf(stderr, "muster order show: %s\n",
			rc == MU_ENOTFOUND ? "no such order" : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	calls_order_rollup(v, NULL, r, &all);
	bool have_issuer = places_get(d, v->o.issuer_place, &issuer) == 0;
	if (json) {
		json_t *levels = json_array();
		for (int l = 0; l < CALLS_LEVELS; l++)
			if (r[l].total)
				json_array_append_new(
				    levels, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "level",
						      places_level_name(l), "acknowledged",
						      (json_int_t)r[l].acknowledged, "done",
						      (json_int_t)r[l].done, "blocked",
						      (json_int_t)r[l].blocked, "overdue",
						      (json_int_t)r[l].overdue, "total",
						      (json_int_t)r[l].total));
		json_t *j = json_pack(
		    "{s:I, s:s, s:s, s:o, s:o, s:b, s:{s:s, s:s, s:s}, s:o, s:{s:o}}", "id",
		    (json_int_t)v->o.id, "title", v->o.title, "text", v->o.text, "due",
		    time_json(v->o.due), "issued_at", time_json(v->o.issued_at), "wartime",
		    v->o.wartime, "issuer", "code", have_issuer ? issuer.code : "", "name",
		    have_issuer ? issuer.name : "", "user", v->o.issuer_name, "targets",
		    tree_json(d, v, v->first_root), "rollup", "levels", levels);
		char *text = json_dumps(j, JSON_INDENT(2));
		printf("%s\n", text);
		free(text);
		json_decref(j);
	} else {
		char due[21];
		screening_time_format(v->o.due, due);
		printf("order %lld \"%s\" from %s %s (%s), due %s%s\n", (long long)v->o.id,
		       v->o.title, have_issuer ? issuer.code : "?", have_issuer ? issuer.name : "",
		       v->o.issuer_name, due, v->o.wartime ? " (wartime)" : "");
		printf("%-10s %12s %8s %8s %8s %8s\n", "level", "acknowledged", "done", "blocked",
		       "overdue", "total");
		for (int l = 0; l < CALLS_LEVELS; l++)
			if (r[l].total)
				printf("%-10s %12lld %8lld %8lld %8lld %8lld\n",
				       places_level_name(l), (long long)r[l].acknowledged,
				       (long long)r[l].done, (long long)r[l].blocked,
				       (long long)r[l].overdue, (long long)r[l].total);
		printf("\n");
		tree_lines(d, v, v->first_root, 0);
	}
	calls_order_view_free(v);
	return CLI_OK;
}

int cmd_order(int argc, char **argv)
{
	struct opts o = {0};
	const char *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("title", &o.title, "TEXT", "issue: the order's title"),
	    CLI_STR("text", &o.text, "TEXT", "issue: what is ordered"),
	    CLI_STR("level", &o.level, "LEVEL", "issue: street, community or grid"),
	    CLI_STR("under", &o.under, "CODE", "issue: the place whose units at LEVEL receive it"),
	    CLI_STR("targets", &o.targets, "CODES", "issue: the places, comma-separated"),
	    CLI_STR("by", &o.by, "CODE", "issue: the issuing unit (default: --under)"),
	    CLI_STR("due", &o.due, "ISO", "issue: when it is due (24 h; 6 h in wartime)"),
	    CLI_STR("target", &o.target, "CODE", "forward, ack, done, blocked: the target's place"),
	    CLI_STR("note", &o.note, "TEXT", "ack, done, blocked: a note"),
	    CLI_FLAG("json", &o.json, "show: JSON"),
	    CLI_STR("db", &o.db, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"order", help, opts, epilog};
	struct db *d = NULL;
	int ret, npos;
	int64_t id = 0;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	if (npos < 1)
		return cli_usage_error("order", "missing subcommand issue|show");
	bool is_issue = !strcmp(pos[0], "issue"), is_show = !strcmp(pos[0], "show");
	int act = -1;
	if (!strcmp(pos[0], "forward"))
		act = 0;
	else if (calls_order_act_parse(pos[0], &act) && !is_issue && !is_show)
		return cli_usage_error("order", "unknown subcommand '%s'", pos[0]);
	if (!is_issue) {
		if (npos != 2 || mu_parse_i64(pos[1], &id) || id <= 0)
			return cli_usage_error("order", "%s takes one order ID", pos[0]);
		if (o.title || o.text || o.under || o.targets || o.by || o.due ||
		    (is_show && (o.level || o.target || o.note)) || (!is_show && o.json) ||
		    (act == 0 && o.note) || (act > 0 && o.level))
			return cli_usage_error("order", "an option that %s does not take", pos[0]);
	} else {
		if (npos != 1)
			return cli_usage_error("order", "unexpected argument '%s'", pos[1]);
		if (o.json || o.target || o.note)
			return cli_usage_error("order", "an option that issue does not take");
	}
	if (cli_open(o.db, is_show ? CLI_OPEN_READ : 0, &d, NULL))
		return CLI_REJECTED;
	ret = is_issue ? issue(d, &o) : is_show ? show(d, id, o.json) : step(d, id, act, &o);
	db_close(d);
	return ret;
}
