/* cmd_drill.c: `muster drill screening` — parses the options and runs sim's screening
 * drill against a server (sim/drill.c), then prints what it sent and what the server
 * acknowledged. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "sim/sim.h"

static const char usage[] =
    "usage: muster drill screening --round ID --url URL --token TOKEN --rate N\n"
    "              [--site CODE] [--prevalence P] [--seed N] [--duration S] [--batch N]\n"
    "              [--connections N] [--ack-log FILE] [--resend FILE]\n"
    "              [--lab-token T --lab CODE] [--db PATH]\n"
    "\n"
    "Sends realistic scans of round ID to the server at URL (http://HOST:PORT) with the\n"
    "site device token TOKEN: the people living in the site's community (or under the\n"
    "site's place when it lies above community level; always within the round's scope)\n"
    "arrive in random order and are scanned into tubes of the round's pool size K\n"
    "(barcodes D<seed>-<n>), in batches of --batch (default 100, at most 1000) at N\n"
    "scans/s in total over --connections parallel keep-alive connections (default 4).\n"
    "--rate 0 sends as fast as the server answers. Every scan has a fresh scan id in the\n"
    "UUIDv7 layout (milliseconds, then 74 random bits: ids sort by time). The drill\n"
    "stops when everyone was sent once or after --duration seconds, seals the tubes\n"
    "left partly filled, and prints what was sent and\n"
    "acknowledged: ok, duplicate and error counts (by error code), acknowledged scans/s\n"
    "and the batch latency p50/p99.\n"
    "With --lab-token and --lab, the lab CODE then receives every sealed tube and posts a\n"
    "result for each: a person is positive with probability --prevalence (default\n"
    "0.0005), a pooled tube is positive when any member is. Then the recall: every member\n"
    "of a positive tube is re-swabbed at the site into a single tube of their own\n"
    "(D<seed>-S<n>), which the lab receives and results: positive for the positive\n"
    "people, negative (cleared) for the others.\n"
    "--ack-log FILE appends the scan_id of every scan answered ok or duplicate, as soon\n"
    "as its batch is answered. --resend FILE only sends the scan ids listed in FILE\n"
    "again (one per line) and counts the answers: all should be duplicates.\n"
    "\n"
    "The drill reads the people from the database (read-only; it needs the key file\n"
    "beside it: run it on the server's machine, --db as for `muster serve`).\n"
    "Setting up a site and its tokens (the site's place inside the round's scope):\n"
    "  muster round create --scope 440103 --name drill --pool 10       # prints ID\n"
    "  muster site add --code S1 --place 440103 --name 一号点 --desks 10\n"
    "  muster token issue --site S1                                    # TOKEN\n"
    "  muster lab add --code L1 --name 实验室 --capacity 350000\n"
    "  muster token issue --lab L1                                     # lab TOKEN\n"
    "--site defaults to the first site inside the round's scope; it must be the site\n"
    "of TOKEN. Use a different --seed for each run on one database: barcodes are\n"
    "unique per seed (the default seed is random).\n"
    "\n"
    "Options:\n";

static const char epilog[] =
    "Exit status: 0 every batch sent and answered 200 (items may still be refused),\n"
    "1 some batch unanswered, refused as a whole or not sent (--duration), or the lab\n"
    "refused items, or the setup failed,\n"
    "2 usage error.\n";

static void print_report(const struct sim_drill_report *r, const struct sim_drill_opts *o)
{
	if (o->resend)
		printf("resend: %lld scan ids from %s\n", (long long)r->total, o->resend);
	printf("scans: sent %lld in %lld batches, answered %lld: ok %lld, duplicate %lld, "
	       "error %lld; unanswered batches %lld\n",
	       (long long)r->sent, (long long)r->sent_batches, (long long)r->answered,
	       (long long)r->ok, (long long)r->dup, (long long)r->err,
	       (long long)r->unanswered_batches);
	if (r->nerrs) {
		printf("errors:");
		for (int i = 0; i < r->nerrs; i++)
			printf(" %s %lld", r->errs[i].code, (long long)r->errs[i].n);
		printf("\n");
	}
	double acked = (double)(r->ok + r->dup);
	printf("rate: %.0f acknowledged scans/s over %.2f s; batch latency p50 %.2f ms p99 "
	       "%.2f ms\n",
	       r->seconds > 0 ? acked / r->seconds : 0, r->seconds, r->p50_ms, r->p99_ms);
	if (o->resend)
		return;
	printf("tubes: %lld filled, %lld sealed full, %lld sealed by hand, %lld could not be "
	       "sealed\n",
	       (long long)r->tubes_filled, (long long)r->tubes_full, (long long)r->tubes_by_hand,
	       (long long)r->tubes_unsealed);
	if (!o->lab)
		return;
	printf("lab %s: %lld tubes sent for receipt, %lld refused; results sent: %lld "
	       "negative, %lld positive, %lld refused\n",
	       o->lab, (long long)r->lab_tubes, (long long)r->lab_recv_refused,
	       (long long)r->lab_negative, (long long)r->lab_positive,
	       (long long)r->lab_result_refused);
	printf("recall: %lld people of positive tubes re-swabbed into single tubes; %lld "
	       "confirmed positive, %lld cleared; %lld refused\n",
	       (long long)r->recalled, (long long)r->confirmed,
	       (long long)(r->recalled - r->confirmed), (long long)r->recall_refused);
}

int cmd_drill(int argc, char **argv)
{
	struct sim_drill_opts o = {.prevalence = 0.0005};
	int64_t round = 0, seed = -1, batch = 100, conns = 4;
	const char *dbp = NULL, *pos[CLI_POS_MAX], *why;
	const struct cli_opt opts[] = {
	    CLI_INT("round", &round, "ID", "the round", true, 1, 9e15),
	    CLI_STR_REQ("url", &o.url, "URL", "the server: http://HOST[:PORT]"),
	    CLI_STR_REQ("token", &o.token, "TOKEN", "a device token of the site"),
	    CLI_NUM("rate", &o.rate, "N", "scans/s in total; 0: unbounded", true, 0, 1e7),
	    CLI_STR("site", &o.site, "CODE", "the site of TOKEN"),
	    CLI_NUM("prevalence", &o.prevalence, "P", "default 0.0005", false, 0, 1),
	    CLI_INT("seed", &seed, "N", "default random", false, 0, 4294967295.0),
	    CLI_NUM("duration", &o.duration, "S", "seconds of scanning at most", false, 0.001, 1e7),
	    CLI_INT("batch", &batch, "N", "scans per request (default 100)", false, 1,
		    SIM_DRILL_BATCH_MAX),
	    CLI_INT("connections", &conns, "N", "parallel connections (default 4)", false, 1, 256),
	    CLI_STR("ack-log", &o.ack_log, "FILE", "append acknowledged scan ids"),
	    CLI_STR("resend", &o.resend, "FILE", "send these scan ids again"),
	    CLI_STR("lab-token", &o.lab_token, "T", "a device token of the lab"),
	    CLI_STR("lab", &o.lab, "CODE", "the lab that results the tubes"),
	    CLI_STR("db", &dbp, "PATH", "the database (read only)"),
	    CLI_END};
	const struct cli_spec spec = {"drill", usage, opts, epilog};
	struct people_keys keys;
	struct sim_drill *dr = NULL;
	struct sim_drill_report r;
	struct db *d = NULL;
	char reason[512];
	int npos, rc;

	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos < 1 || strcmp(pos[0], "screening"))
		return cli_usage_error("drill", "missing drill name: screening");
	if (npos > 1)
		return cli_usage_error("drill", "unexpected argument '%s'", pos[1]);
	o.round_id = round;
	o.batch = (int)batch;
	o.connections = (int)conns;
	mu_sodium_init();
	o.seed = seed < 0 ? randombytes_random() : (uint64_t)seed;
	if (sim_drill_check(&o, &why))
		return cli_usage_error("drill", "%s", why);
	if (cli_open(dbp, CLI_OPEN_READ, &d, &keys))
		return CLI_REJECTED;
	rc = sim_drill_new(d, &keys, &o, stderr, &dr, reason, sizeof reason);
	sodium_memzero(&keys, sizeof keys);
	db_close(d);
	if (rc) {
		fprintf(stderr, "muster drill: %s\n", reason);
		return CLI_REJECTED;
	}
	rc = sim_drill_run(dr, &r);
	print_report(&r, &o);
	sim_drill_free(dr);
	return rc ? CLI_REJECTED : CLI_OK;
}
