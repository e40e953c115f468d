/* cmd_forces.c: `muster forces form|squad|ledger` — forming a compound as 芳村花园 did,
 * raising a squad from hospitals and sending it to several places in one call, and the
 * person-time ledger; and `muster org add`, an organisation at a place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "forces/forces.h"
#include "people/people.h"
#include "places/places.h"

static const char help[] =
    "usage: muster forces form --compound CODE [--json] [--db PATH]\n"
    "       muster forces squad --name TEXT --hospitals NAME,NAME,... --size N\n"
    "                           --at CODE,CODE,... --from TIME --to TIME [--duty DUTY]\n"
    "                           [--place CODE] [--json] [--db PATH]\n"
    "       muster forces ledger [--place CODE] [--org ID] [--from DATE] [--to DATE]\n"
    "                           [--json] [--db PATH]\n"
    "\n"
    "form    forms a compound: one temporary party branch, one temporary group per\n"
    "        building of the party members living in it, and a volunteer team of 66 per\n"
    "        8,000 residents (adults 18 to 60 who are not party members, spread evenly\n"
    "        over the buildings); prints the counts. A compound is formed once.\n"
    "squad   raises a sampling squad of N people from the named hospitals (each found\n"
    "        by name, or added at the squad's place), split evenly over them, and sends\n"
    "        it, split evenly again, to each place of --at for one shift (RFC 3339\n"
    "        times). --place: where the squad is placed (default: the places' nearest\n"
    "        common ancestor). Prints the squad's id and each shift.\n"
    "ledger  person-times (one per person per shift, by the Guangzhou date of the\n"
    "        shift's start) per day, organisation and place under --place (default the\n"
    "        city), from --from to --to (dates, default the last 30 days).\n"
    "\nOptions:\n";

static const char epilog[] = "Exit status: 0 done, 1 refused, 2 usage error.\n";

struct opts {
	const char *db, *compound, *name, *hospitals, *at, *from, *to, *duty, *place, *org;
	int64_t size;
	bool json;
};

static void print_json(json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2));
	printf("%s\n", text);
	free(text);
	json_decref(j);
}

/* ---- form -------------------------------------------------------------------------------------
 */

struct form_change {
	const struct people_keys *k;
	int64_t place;
	struct forces_form_report rp;
	struct mu_why why;
};

static int do_form(struct db *d, void *arg, char *record, size_t n)
{
	struct form_change *c = arg;
	int rc = forces_form(d, c->k, c->place, mu_now_unix(), &c->rp, &c->why);
	snprintf(record, n, "org:%lld", (long long)c->rp.branch);
	return rc;
}

static int form(struct db *d, const struct people_keys *k, const struct opts *o)
{
	struct places_node c;
	if (!o->compound)
		return cli_usage_error("forces", "form needs --compound");
	if (places_find(d, o->compound, &c)) {
		fprintf(stderr, "muster forces form: no place with code '%s'\n", o->compound);
		return CLI_REJECTED;
	}
	struct form_change ch = {.k = k, .place = c.id};
	int rc = cli_audited(d, "cli forces form", do_form, &ch);
	if (rc) {
		fprintf(stderr, "muster forces form: %s\n",
			ch.why.text[0] ? ch.why.text : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	if (o->json) {
		print_json(json_pack(
		    "{s:s, s:s, s:I, s:i, s:I, s:I, s:I, s:I, s:I}", "compound", c.code, "name",
		    c.name, "branch", (json_int_t)ch.rp.branch, "branches", 1, "groups",
		    (json_int_t)ch.rp.groups, "members", (json_int_t)ch.rp.members, "volunteers",
		    (json_int_t)ch.rp.volunteers, "buildings", (json_int_t)ch.rp.buildings,
		    "residents", (json_int_t)ch.rp.residents));
		return CLI_OK;
	}
	printf("compound:     %s %s (%lld buildings, %lld residents)\n", c.code, c.name,
	       (long long)ch.rp.buildings, (long long)ch.rp.residents);
	printf("branch:       1 (org %lld)\n", (long long)ch.rp.branch);
	printf("groups:       %lld\n", (long long)ch.rp.groups);
	printf("members:      %lld\n", (long long)ch.rp.members);
	printf("volunteers:   %lld\n", (long long)ch.rp.volunteers);
	return CLI_OK;
}

/* ---- squad ------------------------------------------------------------------------------------
 */

/* Splits a comma list into at most max items of buf (modified in place). */
static int split_list(char *buf, const char **items, size_t max, size_t *n)
{
	*n = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		if (!*t)
			continue;
		if (*n == max)
			return MU_ETOOBIG;
		items[(*n)++] = t;
	}
	return *n ? 0 : MU_EINVAL;
}

struct squad_change {
	struct forces_squad *s;
	const char **hospital_names;
	int64_t hospitals[FORCES_SQUAD_MAX];
	int64_t added; /* hospitals added */
	struct mu_why why;
};

static int do_squad(struct db *d, void *arg, char *record, size_t n)
{
	struct squad_change *c = arg;
	int rc;
	for (size_t i = 0; i < c->s->n_hospitals; i++) {
		struct forces_org h;
		if ((rc = forces_org_find(d, FORCES_HOSPITAL, c->hospital_names[i], &h)) == 0) {
			c->hospitals[i] = h.id;
			continue;
		}
		if (rc != MU_ENOTFOUND)
			return rc;
		memset(&h, 0, sizeof h);
		h.kind = FORCES_HOSPITAL;
		h.place_id = c->s->place_id;
		h.created_at = c->s->now;
		snprintf(h.name, sizeof h.name, "%s", c->hospital_names[i]);
		if ((rc = forces_org_add(d, &h, &c->why)))
			return rc;
		c->hospitals[i] = h.id;
		c->added++;
	}
	c->s->hospitals = c->hospitals;
	rc = forces_squad_raise(d, c->s, &c->why);
	snprintf(record, n, "org:%lld", (long long)c->s->org_id);
	return rc;
}

/* The nearest common ancestor of the places (their paths' longest common prefix). */
static int common_ancestor(struct db *d, const int64_t *ids, size_t n, int64_t *out)
{
	int64_t first[PLACES_NLEVELS], path[PLACES_NLEVELS];
	int nf, np, rc;
	if (n == 0)
		return MU_EINVAL;
	if ((rc = places_path(d, ids[0], first, &nf)))
		return rc;
	for (size_t i = 1; i < n; i++) {
		if ((rc = places_path(d, ids[i], path, &np)))
			return rc;
		int k = 0;
		while (k < nf && k < np && first[k] == path[k])
			k++;
		nf = k;
	}
	if (nf == 0)
		return MU_EINVAL;
	*out = first[nf - 1];
	return 0;
}

static int squad(struct db *d, const struct opts *o)
{
	const char *hosp[FORCES_SQUAD_MAX], *at[FORCES_SQUAD_MAX];
	int64_t targets[FORCES_SQUAD_MAX], ms;
	size_t nh, nt;
	struct forces_squad s = {.duty = FORCES_DUTY_SAMPLING, .now = mu_now_unix()};
	struct places_node node;
	int ret = CLI_REJECTED, rc;
	if (!o->name || !o->hospitals || !o->size || !o->at || !o->from || !o->to)
		return cli_usage_error(
		    "forces", "squad needs --name, --hospitals, --size, --at, --from, --to");
	char *hbuf = mu_xstrdup(o->hospitals), *abuf = mu_xstrdup(o->at);
	if (split_list(hbuf, hosp, FORCES_SQUAD_MAX, &nh) ||
	    split_list(abuf, at, FORCES_SQUAD_MAX, &nt)) {
		ret = cli_usage_error("forces", "--hospitals and --at are lists of 1 to %d items",
				      FORCES_SQUAD_MAX);
		goto out;
	}
	int64_t to_ms;
	if (mu_time_parse(o->from, &ms) || mu_time_parse(o->to, &to_ms)) {
		ret = cli_usage_error("forces", "--from and --to are RFC 3339 times");
		goto out;
	}
	s.from_at = ms / 1000;
	s.to_at = to_ms / 1000;
	if (o->duty && forces_duty_parse(o->duty, &s.duty)) {
		ret = cli_usage_error(
		    "forces", "--duty is sampling, patrol, delivery, checkpoint, transfer or "
			      "other");
		goto out;
	}
	for (size_t i = 0; i < nt; i++) {
		if (places_find(d, at[i], &node)) {
			fprintf(stderr, "muster forces squad: no place with code '%s'\n", at[i]);
			goto out;
		}
		targets[i] = node.id;
	}
	if (o->place) {
		if (places_find(d, o->place, &node)) {
			fprintf(stderr, "muster forces squad: no place with code '%s'\n", o->place);
			goto out;
		}
		s.place_id = node.id;
	} else if ((rc = common_ancestor(d, targets, nt, &s.place_id))) {
		fprintf(stderr, "muster forces squad: the places share no ancestor\n");
		goto out;
	}
	s.name = o->name;
	s.size = o->size;
	s.targets = targets;
	s.n_targets = nt;
	s.n_hospitals = nh;
	struct squad_change c = {.s = &s, .hospital_names = hosp};
	if ((rc = cli_audited(d, "cli forces squad", do_squad, &c))) {
		fprintf(stderr, "muster forces squad: %s\n",
			c.why.text[0] ? c.why.text : mu_err_msg(rc));
		goto out;
	}
	if (o->json) {
		json_t *h = json_array(), *sh = json_array();
		for (size_t i = 0; i < nh; i++)
			json_array_append_new(
			    h, json_pack("{s:I, s:s, s:I}", "org", (json_int_t)c.hospitals[i],
					 "name", hosp[i], "people", (json_int_t)s.per_hospital[i]));
		for (size_t i = 0; i < nt; i++)
			json_array_append_new(sh, json_pack("{s:I, s:s, s:I}", "deployment",
							    (json_int_t)s.deployments[i], "place",
							    at[i], "people",
							    (json_int_t)s.per_target[i]));
		print_json(json_pack("{s:I, s:I, s:o, s:o}", "squad", (json_int_t)s.org_id, "size",
				     (json_int_t)s.size, "hospitals", h, "deployments", sh));
	} else {
		printf("squad:        org %lld \"%s\", %lld people\n", (long long)s.org_id, s.name,
		       (long long)s.size);
		for (size_t i = 0; i < nh; i++)
			printf("  from %-30s %lld (org %lld)\n", hosp[i],
			       (long long)s.per_hospital[i], (long long)c.hospitals[i]);
		for (size_t i = 0; i < nt; i++)
			printf("  to   %-30s %lld (deployment %lld)\n", at[i],
			       (long long)s.per_target[i], (long long)s.deployments[i]);
		if (c.added)
			fprintf(stderr, "muster forces squad: added %lld hospitals\n",
				(long long)c.added);
	}
	ret = CLI_OK;
out:
	free(hbuf);
	free(abuf);
	return ret;
}

/* ---- ledger ---------------------------------------------------------------------------------- */

struct ledger_print {
	struct db *d;
	json_t *rows;
};

static int ledger_row(const struct forces_ledger_row *row, void *ctx)
{
	struct ledger_print *p = ctx;
	struct forces_org o = {0};
	struct places_node n;
	char day[11];
	mu_date_format(row->day, day);
	if (row->org_id && forces_org_get(p->d, row->org_id, &o))
		o.name[0] = '\0';
	if (places_get(p->d, row->place_id, &n))
		snprintf(n.code, sizeof n.code, "?");
	if (p->rows)
		json_array_append_new(
		    p->rows,
		    json_pack("{s:s, s:o, s:s, s:I}", "date", day, "org",
			      row->org_id ? json_integer(row->org_id) : json_null(), "place",
			      n.code, "person_times", (json_int_t)row->person_times));
	else
		printf("%s  %-24s %-20s %8lld\n", day, row->org_id ? o.name : "-", n.code,
		       (long long)row->person_times);
	return 0;
}

static int ledger(struct db *d, const struct opts *o)
{
	struct places_node node;
	int64_t org = 0, total, to = forces_day_of(mu_now_unix()), from;
	int64_t root;
	int rc;
	if (o->org && (mu_parse_i64(o->org, &org) || org <= 0))
		return cli_usage_error("forces", "--org is an organisation id");
	if (o->to && mu_date_parse(o->to, &to))
		return cli_usage_error("forces", "--to is a date YYYY-MM-DD");
	from = to - 29;
	if (o->from && mu_date_parse(o->from, &from))
		return cli_usage_error("forces", "--from is a date YYYY-MM-DD");
	if (o->place ? places_find(d, o->place, &node)
		     : (places_root(d, &root) || places_get(d, root, &node))) {
		fprintf(stderr, "muster forces ledger: no such place\n");
		return CLI_REJECTED;
	}
	struct ledger_print p = {.d = d, .rows = o->json ? json_array() : NULL};
	if (!o->json)
		printf("%-10s  %-24s %-20s %8s\n", "date", "org", "place", "人次");
	if ((rc = forces_ledger(d, node.id, org, from, to, ledger_row, &p, &total))) {
		json_decref(p.rows);
		fprintf(stderr, "muster forces ledger: %s\n", mu_err_msg(rc));
		return CLI_REJECTED;
	}
	if (o->json)
		print_json(json_pack("{s:s, s:o, s:I}", "place", node.code, "rows", p.rows,
				     "total_person_times", (json_int_t)total));
	else
		printf("total person-times: %lld\n", (long long)total);
	return CLI_OK;
}

int cmd_forces(int argc, char **argv)
{
	struct opts o = {0};
	const char *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("compound", &o.compound, "CODE", "form: the compound"),
	    CLI_STR("name", &o.name, "TEXT", "squad: its name"),
	    CLI_STR("hospitals", &o.hospitals, "NAMES", "squad: the hospitals, comma-separated"),
	    CLI_INT("size", &o.size, "N", "squad: its people", false, 1, 1000000),
	    CLI_STR("at", &o.at, "CODES", "squad: the places it is sent to, comma-separated"),
	    CLI_STR("from", &o.from, "TIME", "squad: the shift's start; ledger: the first date"),
	    CLI_STR("to", &o.to, "TIME", "squad: the shift's end; ledger: the last date"),
	    CLI_STR("duty", &o.duty, "DUTY", "squad: the shift's duty (sampling)"),
	    CLI_STR("place", &o.place, "CODE", "squad: where it is placed; ledger: the subtree"),
	    CLI_STR("org", &o.org, "ID", "ledger: one organisation"),
	    CLI_FLAG("json", &o.json, "JSON output"),
	    CLI_STR("db", &o.db, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"forces", help, opts, epilog};
	struct people_keys keys;
	struct db *d = NULL;
	int ret, npos;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	if (npos != 1)
		return cli_usage_error("forces", "one subcommand: form, squad or ledger");
	bool is_form = !strcmp(pos[0], "form"), is_squad = !strcmp(pos[0], "squad");
	bool is_ledger = !strcmp(pos[0], "ledger");
	if (!is_form && !is_squad && !is_ledger)
		return cli_usage_error("forces", "unknown subcommand '%s'", pos[0]);
	if ((o.compound && !is_form) ||
	    ((o.name || o.hospitals || o.size || o.at || o.duty) && !is_squad) ||
	    (o.org && !is_ledger) || (is_form && (o.from || o.to || o.place)))
		return cli_usage_error("forces", "an option that %s does not take", pos[0]);
	if (cli_open(o.db, is_ledger ? CLI_OPEN_READ : 0, &d, is_form ? &keys : NULL))
		return CLI_REJECTED;
	if (is_form)
		ret = form(d, &keys, &o);
	else if (is_squad)
		ret = squad(d, &o);
	else
		ret = ledger(d, &o);
	db_close(d);
	return ret;
}

/* ---- muster org add -----------------------------------------------------------------------------
 */

static const char org_help[] =
    "usage: muster org add --kind KIND --name TEXT --place CODE [--parent ID] [--standing]\n"
    "                      [--db PATH]\n"
    "\n"
    "Adds an organisation at a place and prints its id. KIND: party_committee,\n"
    "party_branch, temporary_branch, temporary_group, shock_team, volunteer_team,\n"
    "sampling_squad, hospital, police_station, agency, enterprise or other. --standing:\n"
    "a street's standing shock team, activated when its district goes to wartime.\n"
    "\nOptions:\n";

struct org_change {
	struct forces_org o;
	struct mu_why why;
};

static int do_org(struct db *d, void *arg, char *record, size_t n)
{
	struct org_change *c = arg;
	int rc = forces_org_add(d, &c->o, &c->why);
	snprintf(record, n, "org:%lld", (long long)c->o.id);
	return rc;
}

int cmd_org(int argc, char **argv)
{
	const char *dbp = NULL, *kind = NULL, *name = NULL, *place = NULL, *pos[CLI_POS_MAX];
	int64_t parent = 0;
	bool standing = false;
	const struct cli_opt opts[] = {
	    CLI_STR_REQ("kind", &kind, "KIND", "the kind of organisation"),
	    CLI_STR_REQ("name", &name, "TEXT", "its name"),
	    CLI_STR_REQ("place", &place, "CODE", "the place it is at"),
	    CLI_INT("parent", &parent, "ID", "the organisation above it", false, 1, 1e15),
	    CLI_FLAG("standing", &standing, "a street's standing shock team"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"org", org_help, opts, epilog};
	struct places_node node;
	struct org_change c = {0};
	struct db *d = NULL;
	int ret, npos;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	if (npos != 1 || strcmp(pos[0], "add"))
		return cli_usage_error("org", "missing subcommand add");
	if (forces_kind_parse(kind, &c.o.kind))
		return cli_usage_error("org", "unknown kind '%s'", kind);
	if (strlen(name) >= sizeof c.o.name)
		return cli_usage_error("org", "the name is too long");
	if (cli_open(dbp, 0, &d, NULL))
		return CLI_REJECTED;
	ret = CLI_REJECTED;
	if (places_find(d, place, &node)) {
		fprintf(stderr, "muster org: no place with code '%s'\n", place);
		goto out;
	}
	snprintf(c.o.name, sizeof c.o.name, "%s", name);
	c.o.place_id = node.id;
	c.o.parent_id = parent;
	c.o.standing = standing;
	c.o.created_at = mu_now_unix();
	int rc = cli_audited(d, "cli org add", do_org, &c);
	if (rc) {
		fprintf(stderr, "muster org: %s\n", c.why.text[0] ? c.why.text : mu_err_msg(rc));
		goto out;
	}
	printf("%lld\n", (long long)c.o.id);
	ret = CLI_OK;
out:
	db_close(d);
	return ret;
}
