/* cmd_post.c: `muster post list|sync` and `muster supply add|move|handout` — the
 * service posts of a place with their stock and duty mode, posts made for a database
 * generated before posts existed, and stock received, moved and handed out (each change
 * audited and kept in the ledger, as through the API). */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "forces/forces.h"
#include "places/places.h"

static const char post_help[] =
    "usage: muster post list [--place CODE] [--db PATH]\n"
    "       muster post sync [--place CODE] [--db PATH]\n"
    "\n"
    "list  the service posts of a place (default the city; below a community, the posts\n"
    "      serving it): code, kind (centre of a street, station of a community), duty\n"
    "      (normal or wartime), hours now, then qty/low mark per item, '!' when low.\n"
    "sync  makes the post of every street and community under the place that has none\n"
    "      (`muster city generate` makes them all; this is for older databases).\n"
    "      Idempotent: prints how many were made.\n"
    "\nOptions:\n";

static const char supply_help[] =
    "usage: muster supply add --post CODE[,CODE...] --item ITEM --qty N [--low-mark N]\n"
    "                         [--db PATH]\n"
    "       muster supply move --from CODE --to CODE --item ITEM --qty N [--db PATH]\n"
    "       muster supply handout --post CODE --item ITEM --qty N [--db PATH]\n"
    "\n"
    "Stock at the posts (a post is named by the code of its street or community). ITEM is\n"
    "masks, test_kits, food_packs, medicine or ppe. add receives N from outside at each\n"
    "post listed (one change each, all or none; --low-mark sets the item's low mark); move takes N "
    "from one post to\n"
    "another; handout gives N out. Stock never goes below zero: a move or hand-out larger\n"
    "than the stock is refused with the quantity there is.\n"
    "\nOptions:\n";

static const char epilog[] = "Exit status: 0 done, 1 refused (unknown place or post, not enough "
			     "stock, bad item), 2 usage error.\n";

static int print_post(const struct forces_post *p, void *ctx)
{
	struct db *d = ctx;
	struct places_node n;
	bool war = false;
	int rc = places_get(d, p->place_id, &n);
	if (rc || (rc = forces_post_wartime(d, p, mu_now_unix(), &war)))
		return rc;
	printf("%-14s %-7s %-7s %-11s", n.code, p->level == PLACES_STREET ? "centre" : "station",
	       war ? "wartime" : "normal", war ? FORCES_HOURS_WARTIME : p->hours);
	for (int i = 0; i < FORCES_NITEMS; i++)
		printf(" %s=%lld/%lld%s", forces_item_name(i), (long long)p->qty[i],
		       (long long)p->low_mark[i], p->qty[i] < p->low_mark[i] ? "!" : "");
	printf(" %s\n", n.name);
	return 0;
}

struct sync_job {
	int64_t root, made;
};

static int do_sync(struct db *d, void *arg, char *record, size_t n)
{
	struct sync_job *j = arg;
	snprintf(record, n, "posts:%lld", (long long)j->root);
	return forces_post_sync(d, j->root, mu_now_unix(), &j->made);
}

int cmd_post(int argc, char **argv)
{
	const char *dbp = NULL, *place = NULL, *pos[CLI_POS_MAX];
	const struct cli_opt opts[] = {
	    CLI_STR("place", &place, "CODE", "the place (default: the city)"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"post", post_help, opts, epilog};
	struct places_node node;
	struct db *d = NULL;
	int npos, rc, ret = CLI_REJECTED;
	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos != 1 || (strcmp(pos[0], "list") && strcmp(pos[0], "sync")))
		return cli_usage_error("post", "expected `post list` or `post sync`");
	bool list = strcmp(pos[0], "list") == 0;
	if (cli_open(dbp, list ? CLI_OPEN_READ : 0, &d, NULL))
		return CLI_REJECTED;
	if ((rc = places_scope_find(d, place, &node)) || !node.id) {
		fprintf(stderr, "muster post: no place with code '%s'\n", place ? place : "(city)");
		goto out;
	}
	if (list) {
		rc = forces_post_list(d, node.id, print_post, d);
	} else {
		struct sync_job j = {.root = node.id};
		if ((rc = cli_audited(d, "cli post sync", do_sync, &j)) == 0)
			printf("%lld posts made under %s\n", (long long)j.made, node.code);
	}
	if (rc) {
		fprintf(stderr, "muster post: %s\n", mu_err_msg(rc));
		goto out;
	}
	ret = CLI_OK;
out:
	db_close(d);
	return ret;
}

/* ---- supply ------------------------------------------------------------------------- */

struct supply_job {
	int kind;
	int64_t post, to, qty, low_mark, available, move_id;
	int item;
	struct mu_why why;
};

static int do_supply(struct db *d, void *arg, char *record, size_t n)
{
	struct supply_job *j = arg;
	struct forces_supply_op op = {.at = mu_now_unix()};
	int rc;
	if (j->kind == FORCES_MOVE_RECEIVE)
		rc = forces_supply_receive(d, j->post, j->item, j->qty, j->low_mark, &op,
					   &j->move_id, &j->why);
	else if (j->kind == FORCES_MOVE_MOVE)
		rc = forces_supply_move(d, j->post, j->to, j->item, j->qty, &op, &j->available,
					&j->move_id, &j->why);
	else
		rc = forces_supply_handout(d, j->post, j->item, j->qty, 0, &op, &j->available,
					   &j->move_id, &j->why);
	snprintf(record, n, "supply_move:%lld", (long long)j->move_id);
	return rc;
}

/* The post at the place with code, or a message and non-zero. */
static int post_of(struct db *d, const char *flag, const char *code, struct forces_post *p)
{
	struct places_node n;
	if (places_find(d, code, &n)) {
		fprintf(stderr, "muster supply: %s: no place with code '%s'\n", flag, code);
		return CLI_REJECTED;
	}
	if (forces_post_get(d, n.id, p)) {
		fprintf(stderr, "muster supply: %s: no post at %s (a street or a community)\n",
			flag, code);
		return CLI_REJECTED;
	}
	return 0;
}

/* supply add at every post of a comma-separated list, in one transaction: each receipt
 * audited on its own, all kept or none. Prints each ledger row's id once committed. */
static int receive_all(struct db *d, const char *list, struct supply_job *j)
{
	char code[PLACES_CODE_MAX + 1];
	struct forces_post p;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = db_tx_begin(d);
	if (rc) {
		fprintf(stderr, "muster supply: %s\n", mu_err_msg(rc));
		return CLI_REJECTED;
	}
	for (const char *s = list; *s;) {
		size_t k = strcspn(s, ",");
		if (k == 0 || k > PLACES_CODE_MAX) {
			fprintf(stderr, "muster supply: --post: '%.*s' is not a place code\n",
				(int)k, s);
			goto fail;
		}
		memcpy(code, s, k);
		code[k] = '\0';
		s += k + (s[k] == ',');
		if (post_of(d, "--post", code, &p))
			goto fail;
		j->post = p.id;
		if ((rc = cli_audited(d, "cli supply add", do_supply, j))) {
			fprintf(stderr, "muster supply: %s: %s\n", code,
				j->why.text[0] ? j->why.text : mu_err_msg(rc));
			goto fail;
		}
		ids = mu_xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = j->move_id;
	}
	if ((rc = db_tx_commit(d)) == 0) {
		for (size_t i = 0; i < n; i++)
			printf("%lld\n", (long long)ids[i]);
		free(ids);
		return CLI_OK;
	}
	fprintf(stderr, "muster supply: %s\n", mu_err_msg(rc));
	free(ids);
	return CLI_REJECTED;
fail:
	db_tx_rollback(d);
	free(ids);
	return CLI_REJECTED;
}

int cmd_supply(int argc, char **argv)
{
	const char *dbp = NULL, *post = NULL, *from = NULL, *to = NULL, *item = NULL;
	const char *pos[CLI_POS_MAX];
	int64_t qty = 0, low = -1;
	const struct cli_opt opts[] = {
	    CLI_STR("post", &post, "CODE",
		    "add, handout: the post's street or community (add: a comma list)"),
	    CLI_STR("from", &from, "CODE", "move: the post the stock leaves"),
	    CLI_STR("to", &to, "CODE", "move: the post it goes to"),
	    CLI_STR_REQ("item", &item, "ITEM", "masks, test_kits, food_packs, medicine or ppe"),
	    CLI_INT("qty", &qty, "N", "how many", true, 1, FORCES_QTY_MAX),
	    CLI_INT("low-mark", &low, "N", "add: below N the item is low at the post", false, 0,
		    FORCES_QTY_MAX),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_END};
	const struct cli_spec spec = {"supply", supply_help, opts, epilog};
	struct supply_job j = {.low_mark = -1};
	struct forces_post a, b;
	struct db *d = NULL;
	int npos, rc, ret = CLI_REJECTED;
	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos != 1)
		return cli_usage_error("supply", "expected `supply add|move|handout`");
	if (strcmp(pos[0], "add") == 0)
		j.kind = FORCES_MOVE_RECEIVE;
	else if (strcmp(pos[0], "move") == 0)
		j.kind = FORCES_MOVE_MOVE;
	else if (strcmp(pos[0], "handout") == 0)
		j.kind = FORCES_MOVE_HANDOUT;
	else
		return cli_usage_error("supply", "unknown subcommand '%s'", pos[0]);
	if (j.kind == FORCES_MOVE_MOVE ? !from || !to : !post)
		return cli_usage_error("supply",
				       j.kind == FORCES_MOVE_MOVE ? "move needs --from and --to"
								  : "%s needs --post",
				       pos[0]);
	if (forces_item_parse(item, &j.item))
		return cli_usage_error("supply", "--item is masks, test_kits, food_packs, "
						 "medicine or ppe");
	j.qty = qty;
	j.low_mark = low;
	if (cli_open(dbp, 0, &d, NULL))
		return CLI_REJECTED;
	if (j.kind == FORCES_MOVE_MOVE) {
		if (post_of(d, "--from", from, &a) || post_of(d, "--to", to, &b))
			goto out;
		j.post = a.id;
		j.to = b.id;
	} else if (j.kind == FORCES_MOVE_HANDOUT) {
		if (post_of(d, "--post", post, &a))
			goto out;
		j.post = a.id;
	} else {
		ret = receive_all(d, post, &j);
		goto out;
	}
	static const char *const actions[] = {"cli supply add", "cli supply move",
					      "cli supply handout"};
	if ((rc = cli_audited(d, actions[j.kind], do_supply, &j))) {
		fprintf(stderr, "muster supply: %s\n", j.why.text[0] ? j.why.text : mu_err_msg(rc));
		goto out;
	}
	printf("%lld\n", (long long)j.move_id);
	ret = CLI_OK;
out:
	db_close(d);
	return ret;
}
