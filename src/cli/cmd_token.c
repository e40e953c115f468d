/* cmd_token.c: `muster token issue|revoke|list` — bearer tokens for the devices of
 * sampling sites and labs. A token is printed once; only its keyed hash is stored. */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "places/places.h"
#include "screening/screening.h"

static const char help[] =
    "usage: muster token issue --site CODE [--place PLACE] [--db PATH]\n"
    "       muster token issue --lab CODE [--db PATH]\n"
    "       muster token revoke ID [--db PATH]\n"
    "       muster token list [--db PATH]\n"
    "\n"
    "issue   makes a device token and prints it alone on one line of standard output,\n"
    "        this once (details go to standard error). Devices send it as\n"
    "        'Authorization: Bearer TOKEN'. A site token acts as a sampler at the\n"
    "        sampling site CODE (`muster site add`) and within the site's place (its\n"
    "        jurisdiction); --place, when given, must name that place. A lab token\n"
    "        acts for the lab CODE (`muster lab add`) and is within no place: it sees\n"
    "        tubes, never names.\n"
    "revoke  ends the token with that ID (a running server stops accepting it within 1 s).\n"
    "list    prints id, kind, code, place, created and revoked of every token.\n"
    "Codes: 1-32 of letters, digits, '.', '_', '-'.\n"
    "\nOptions:\n";

static const char epilog[] =
    "Exit status: 0 done, 1 refused (unknown site, lab, place or token, bad code),\n"
    "2 usage error.\n";

static int list_one(const struct auth_device *dev, void *ctx)
{
	struct db *d = ctx;
	struct places_node n;
	char created[11], revoked[11] = "-";
	const char *place = "-";
	mu_date_format(dev->created / 86400, created);
	if (dev->revoked_at)
		mu_date_format(dev->revoked_at / 86400, revoked);
	if (dev->place_id && places_get(d, dev->place_id, &n) == 0)
		place = n.code;
	printf("%-5lld %-4s %-20s %-20s %s %s\n", (long long)dev->id,
	       dev->kind == AUTH_KIND_SITE ? "site" : "lab", dev->code, place, created,
	       dev->revoked_at ? revoked : "active");
	return 0;
}

/* A token issued or revoked, with cli_audited: "device:ID". */
struct change {
	int kind;
	const char *code;
	int64_t place_id;
	char *token; /* AUTH_TOKEN_LEN + 1 bytes */
	int64_t id;
};

static int do_issue(struct db *d, void *arg, char *record, size_t n)
{
	struct change *c = arg;
	int rc = auth_token_issue(d, c->kind, c->code, c->place_id, c->token, &c->id);
	snprintf(record, n, "device:%lld", (long long)c->id);
	return rc;
}

static int do_revoke(struct db *d, void *arg, char *record, size_t n)
{
	struct change *c = arg;
	snprintf(record, n, "device:%lld", (long long)c->id);
	return auth_token_revoke(d, c->id);
}

int cmd_token(int argc, char **argv)
{
	const char *dbp = NULL, *site = NULL, *lab = NULL, *place_s = NULL, *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("site", &site, "CODE", "issue: a token of this sampling site"),
	    CLI_STR("lab", &lab, "CODE", "issue: a token of this lab"),
	    CLI_STR("place", &place_s, "PLACE", "issue: the site's place, checked"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"token", help, opts, epilog};
	char token[AUTH_TOKEN_LEN + 1] = "";
	struct db *d = NULL;
	int ret = CLI_OK, rc, npos;
	int64_t id = 0;
	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos < 1)
		return cli_usage_error("token", "missing subcommand issue|revoke|list");
	const char *sub = pos[0];
	bool is_issue = !strcmp(sub, "issue"), is_revoke = !strcmp(sub, "revoke");
	bool is_list = !strcmp(sub, "list");
	if (!is_issue && !is_revoke && !is_list)
		return cli_usage_error("token", "unknown subcommand '%s'", sub);
	if (!is_issue && (site || lab || place_s))
		return cli_usage_error("token", "--site, --lab and --place are for issue only");
	if (is_issue) {
		if (npos != 1)
			return cli_usage_error("token", "unexpected argument '%s'", pos[1]);
		if (!site == !lab)
			return cli_usage_error("token",
					       "issue needs exactly one of --site or --lab");
		if (lab && place_s)
			return cli_usage_error("token", "a lab token has no place");
	} else if (is_revoke) {
		if (npos != 2 || mu_parse_i64(pos[1], &id) != 0 || id <= 0)
			return cli_usage_error("token", "revoke takes one token ID");
	} else if (npos != 1) {
		return cli_usage_error("token", "list takes no argument");
	}

	if (cli_open(dbp, is_list ? CLI_OPEN_READ : 0, &d, NULL)) {
		ret = CLI_REJECTED;
		goto out;
	}
	if (is_list) {
		if ((rc = auth_token_list(d, list_one, d)) != 0) {
			fprintf(stderr, "muster token: %s\n", mu_err_msg(rc));
			ret = CLI_REJECTED;
		}
		goto out;
	}
	int64_t place_id = 0;
	if (place_s) {
		struct places_node n;
		if (places_find(d, place_s, &n) != 0) {
			fprintf(stderr, "muster token: no place with code '%s'\n", place_s);
			ret = CLI_REJECTED;
			goto out;
		}
		place_id = n.id;
	}
	/* A device acts for a registered site or lab; a site token's jurisdiction is the
	 * site's place. */
	if (is_issue && site) {
		struct screening_site st;
		if (screening_site_find(d, site, &st) != 0) {
			fprintf(stderr,
				"muster token: no sampling site with code '%s' (muster site add)\n",
				site);
			ret = CLI_REJECTED;
			goto out;
		}
		if (place_s && place_id != st.place_id) {
			fprintf(stderr, "muster token: site %s is not at place %s\n", site,
				place_s);
			ret = CLI_REJECTED;
			goto out;
		}
		place_id = st.place_id;
	} else if (is_issue) {
		struct screening_lab lab_row;
		if (screening_lab_find(d, lab, &lab_row) != 0) {
			fprintf(stderr, "muster token: no lab with code '%s' (muster lab add)\n",
				lab);
			ret = CLI_REJECTED;
			goto out;
		}
	}
	struct change c = {.kind = site ? AUTH_KIND_SITE : AUTH_KIND_LAB,
			   .code = site ? site : lab,
			   .place_id = place_id,
			   .token = token,
			   .id = id};
	rc = cli_audited(d, is_issue ? "cli token issue" : "cli token revoke",
			 is_issue ? do_issue : do_revoke, &c);
	id = c.id;
	if (rc != 0) {
		fprintf(stderr, "muster token %s: %s\n", sub,
			rc == MU_EINVAL	     ? "a code has 1-32 of letters, digits, '.', '_', '-'"
			: rc == MU_ENOTFOUND ? "no such token"
					     : mu_err_msg(rc));
		ret = CLI_REJECTED;
		goto out;
	}
	if (is_issue) {
		printf("%s\n", token);
		fflush(stdout);
		fprintf(stderr,
			"muster token: issued token %lld for %s:%s%s%s (shown only this once)\n",
			(long long)id, site ? "site" : "lab", site ? site : lab,
			place_s ? " at " : "", place_s ? place_s : "");
	} else {
		fprintf(stderr, "muster token: revoked token %lld\n", (long long)id);
	}
out:
	memset(token, 0, sizeof token);
	db_close(d);
	return ret;
}
