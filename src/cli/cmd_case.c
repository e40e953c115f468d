/* cmd_case.c: `muster case open|contacts` — a case and its contacts from the command line
 * (the demo's case, an import by hand): the same logic as POST /api/v1/cases and
 * /api/v1/cases/{id}/contacts, each write audited with the command as its action. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "control/control.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

static const char help[] =
    "usage: muster case open --person PERSON --kind confirmed|asymptomatic\n"
    "                        [--confirmed-at ISO] [--onset YYYY-MM-DD] [--hospital NAME] [--db "
    "PATH]\n"
    "       muster case contacts ID (--household | --building CODE) --last-exposure ISO\n"
    "                        [--db PATH]\n"
    "\n"
    "open      a case for PERSON (an id, an ID number or a personal code), confirmed now\n"
    "          unless --confirmed-at says when; starts the person's case status. Prints\n"
    "          the new case's id alone.\n"
    "contacts  lists as close contacts of case ID everyone living in its household\n"
    "          (--household) or in a building, compound or household (--building CODE),\n"
    "          exposed last at --last-exposure; prints how many were added, moved (a later\n"
    "          exposure), duplicate and refused.\n"
    "\nOptions:\n";

static const char epilog[] = "Exit status: 0 done, 1 refused (unknown person, case or place; an\n"
			     "open case already), 2 usage error.\n";

struct opts {
	const char *db, *person, *kind, *confirmed, *onset, *hospital, *building, *exposure;
	bool household;
};

struct open_job {
	struct control_case c;
	struct mu_why why;
};

static int do_open(struct db *d, void *arg, char *record, size_t n)
{
	struct open_job *j = arg;
	int rc = control_case_open(d, &j->c, mu_now_unix(), &j->why);
	snprintf(record, n, "person:%lld", (long long)j->c.person_id);
	return rc;
}

static int open_case(struct db *d, const struct people_keys *k, const struct opts *o)
{
	struct open_job j = {.c = {.onset = CONTROL_NO_DATE}};
	int64_t hh;
	int rc;
	if (!o->person || !o->kind)
		return cli_usage_error("case", "open needs --person and --kind");
	if (control_case_kind_parse(o->kind, &j.c.kind))
		return cli_usage_error("case", "--kind is confirmed or asymptomatic");
	if (o->onset && mu_date_parse(o->onset, &j.c.onset))
		return cli_usage_error("case", "--onset wants a date YYYY-MM-DD");
	j.c.confirmed_at = mu_now_unix();
	if (o->confirmed && screening_time_parse(o->confirmed, &j.c.confirmed_at))
		return cli_usage_error("case", "--confirmed-at wants an ISO 8601 time");
	if (o->hospital) {
		if (strlen(o->hospital) >= sizeof j.c.hospital)
			return cli_usage_error("case", "--hospital is too long");
		snprintf(j.c.hospital, sizeof j.c.hospital, "%s", o->hospital);
		j.c.hospitalised_at = j.c.confirmed_at;
	}
	if (people_resolve(d, k, o->person, &j.c.person_id, &hh) &&
	    (mu_parse_i64(o->person, &j.c.person_id) ||
	     people_household_of(d, j.c.person_id, &hh))) {
		fprintf(stderr, "muster case: no person '%s'\n", o->person);
		return CLI_REJECTED;
	}
	rc = cli_audited(d, "cli case open", do_open, &j);
	if (rc == MU_EEXIST) {
		fprintf(stderr, "muster case: the person already has an open case (%lld)\n",
			(long long)j.c.id);
		return CLI_REJECTED;
	}
	if (rc) {
		fprintf(stderr, "muster case: %s\n", j.why.text[0] ? j.why.text : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	printf("%lld\n", (long long)j.c.id);
	fprintf(stderr, "muster case: opened case %lld (%s) for person %lld\n", (long long)j.c.id,
		o->kind, (long long)j.c.person_id);
	return CLI_OK;
}

struct contacts_job {
	int64_t case_id, place, exposure;
	int setting;
	struct control_contact_result *out;
	size_t n;
};

static int do_contacts(struct db *d, void *arg, char *record, size_t rn)
{
	struct contacts_job *j = arg;
	struct control_case c;
	int64_t *ids = NULL;
	int rc = control_case_get(d, j->case_id, &c);
	snprintf(record, rn, "case:%lld:contacts", (long long)j->case_id);
	if (rc ||
	    (rc = control_contacts_residents(d, j->place ? j->place : c.household_id, &ids, &j->n)))
		return rc;
	struct control_contact_in *in = mu_xcalloc(j->n ? j->n : 1, sizeof *in);
	size_t m = 0;
	for (size_t i = 0; i < j->n; i++)
		if (ids[i] != c.person_id)
			in[m++] = (struct control_contact_in){.person_id = ids[i],
							      .kind = CONTROL_CONTACT_CLOSE,
							      .setting = j->setting,
							      .last_exposure = j->exposure};
	j->n = m;
	j->out = mu_xcalloc(m ? m : 1, sizeof *j->out);
	rc = control_contacts_add(d, j->case_id, in, m, mu_now_unix(), 0, j->out);
	free(in);
	free(ids);
	return rc;
}

static int contacts(struct db *d, int64_t case_id, const struct opts *o)
{
	struct contacts_job j = {.case_id = case_id, .setting = CONTROL_SETTING_HOUSEHOLD};
	struct places_node node;
	if (!o->exposure || (!o->household == !o->building))
		return cli_usage_error(
		    "case", "contacts needs --last-exposure and one of --household, --building");
	if (screening_time_parse(o->exposure, &j.exposure))
		return cli_usage_error("case", "--last-exposure wants an ISO 8601 time");
	if (o->building) {
		if (places_find(d, o->building, &node) || node.level < PLACES_COMPOUND) {
			fprintf(stderr, "muster case: no building, compound or household '%s'\n",
				o->building);
			return CLI_REJECTED;
		}
		j.place = node.id;
		j.setting = CONTROL_SETTING_BUILDING;
	}
	int rc = cli_audited(d, "cli case contacts", do_contacts, &j);
	if (rc) {
		free(j.out);
		fprintf(stderr, "muster case: %s\n",
			rc == MU_ENOTFOUND ? "no such case" : mu_err_msg(rc));
		return CLI_REJECTED;
	}
	size_t count[4] = {0};
	for (size_t i = 0; i < j.n; i++)
		count[j.out[i].status]++;
	free(j.out);
	printf("added %zu moved %zu duplicate %zu refused %zu\n", count[CONTROL_CONTACT_ADDED],
	       count[CONTROL_CONTACT_MOVED], count[CONTROL_CONTACT_DUPLICATE],
	       count[CONTROL_CONTACT_REFUSED]);
	return CLI_OK;
}

int cmd_case(int argc, char **argv)
{
	struct opts o = {0};
	const char *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("person", &o.person, "PERSON", "open: an id, an ID number or a personal code"),
	    CLI_STR("kind", &o.kind, "KIND", "open: confirmed or asymptomatic"),
	    CLI_STR("confirmed-at", &o.confirmed, "ISO", "open: when it was confirmed (now)"),
	    CLI_STR("onset", &o.onset, "DATE", "open: the date of onset"),
	    CLI_STR("hospital", &o.hospital, "NAME", "open: the hospital admitting the case"),
	    CLI_FLAG("household", &o.household, "contacts: the case's household"),
	    CLI_STR("building", &o.building, "CODE", "contacts: a building's residents"),
	    CLI_STR("last-exposure", &o.exposure, "ISO", "contacts: the last exposure"),
	    CLI_STR("db", &o.db, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"case", help, opts, epilog};
	struct people_keys keys;
	struct db *d = NULL;
	int ret, npos;
	int64_t id = 0;
	if ((ret = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return ret;
	if (npos < 1)
		return cli_usage_error("case", "missing subcommand open|contacts");
	bool is_open = !strcmp(pos[0], "open"), is_contacts = !strcmp(pos[0], "contacts");
	if (!is_open && !is_contacts)
		return cli_usage_error("case", "unknown subcommand '%s'", pos[0]);
	if (is_contacts && (npos != 2 || mu_parse_i64(pos[1], &id) || id <= 0))
		return cli_usage_error("case", "contacts takes one case ID");
	if (is_open && npos != 1)
		return cli_usage_error("case", "unexpected argument '%s'", pos[1]);
	if ((is_open && (o.household || o.building || o.exposure)) ||
	    (is_contacts && (o.person || o.kind || o.confirmed || o.onset || o.hospital)))
		return cli_usage_error("case", "an option that %s does not take", pos[0]);
	if (cli_open(o.db, 0, &d, &keys))
		return CLI_REJECTED;
	ret = is_open ? open_case(d, &keys, &o) : contacts(d, id, &o);
	sodium_memzero(&keys, sizeof keys);
	db_close(d);
	return ret;
}
