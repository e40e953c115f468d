/* cmd_serve.c: `muster serve` — the HTTP API over one database: the writer thread,
 * auth's guard around every route, each capability's route table, and a clean stop
 * on SIGINT/SIGTERM (stop accepting, finish requests in flight, drain the writer). */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/api.h"
#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "http/http.h"
#include "people/api.h"
#include "places/api.h"
#include "screening/api.h"

static const char help[] =
	"usage: muster serve [--listen ADDR:PORT] [--db PATH] [--web DIR] [--threads N]\n"
	"                    [--max-body BYTES] [--session-hours H] [--anon-rate N]\n"
	"                    [--per-address N] [--head-timeout S] [--quiet]\n"
	"\n"
	"Serves the Muster API (and the web app from DIR) until SIGINT or SIGTERM.\n"
	"  --listen ADDR:PORT   default 127.0.0.1:8080; port 0 picks a free port\n"
	"  --db PATH            the database (default $MUSTER_DB, else ./muster.db)\n"
	"  --web DIR            serve the built web app from DIR (e.g. web/dist)\n"
	"  --threads N          request threads (default: one per core)\n"
	"  --max-body BYTES     largest request body (default 1 MiB)\n"
	"  --session-hours H    session lifetime (default 12)\n"
	"  --anon-rate N        requests without sign-in per address per second before\n"
	"                       they are answered 429 (default 50)\n"
	"  --per-address N      connections one address may hold (default 64)\n"
	"  --head-timeout S     seconds a new connection has to send its request head,\n"
	"                       however slowly it trickles in (default 10)\n"
	"  --quiet              no access log lines\n"
	"On start it prints `listening on http://ADDR:PORT` on standard output.\n";

struct serve {
	const char *db_path;
	struct db_writer *writer;
};

/* A handler compiled into the server only for bench/: the ceiling of the stack. */
static int hello(struct http_req *r, struct http_resp *resp)
{
	(void)r;
	resp->json = json_pack("{s:s}", "hello", "world");
	return 0;
}

static const struct http_route hello_routes[] = {
	{HTTP_GET, "/bench/hello", hello, 0, HTTP_ROUTE_PUBLIC, NULL, "bench baseline"},
	{0, NULL, NULL, 0, 0, NULL, NULL},
};

/* Metrics beyond http's own: the writer, the database, auth. */
static void metrics(void *ctx, struct mu_buf *out)
{
	struct serve *s = ctx;
	struct db_writer_stats st;
	db_writer_stats(s->writer, &st);
	/* No mean batch size: it is writes_total / batches_total, which a scraper derives
	 * over any window it likes (Prometheus exports counters, not averages). */
	mu_buf_printf(
	    out,
	    "# HELP muster_writer_queue_depth Writes waiting for the writer now.\n"
	    "# TYPE muster_writer_queue_depth gauge\nmuster_writer_queue_depth %llu\n"
	    "# HELP muster_writer_batches_total Transactions the writer committed or "
	    "tried to.\n"
	    "# TYPE muster_writer_batches_total counter\nmuster_writer_batches_total %llu\n"
	    "# HELP muster_writer_writes_total Writes the writer ran, in all batches.\n"
	    "# TYPE muster_writer_writes_total counter\nmuster_writer_writes_total %llu\n"
	    "# HELP muster_writer_failed_writes_total Writes that returned an error or "
	    "whose batch failed to commit.\n"
	    "# TYPE muster_writer_failed_writes_total counter\n"
	    "muster_writer_failed_writes_total %llu\n"
	    "# HELP muster_writer_batch_size_max The most writes one batch held so far.\n"
	    "# TYPE muster_writer_batch_size_max gauge\nmuster_writer_batch_size_max %llu\n"
	    "# HELP muster_writer_commit_seconds_total Time spent in COMMIT.\n"
	    "# TYPE muster_writer_commit_seconds_total counter\n"
	    "muster_writer_commit_seconds_total %.6f\n",
	    (unsigned long long)st.queue_depth, (unsigned long long)st.batches,
	    (unsigned long long)st.writes, (unsigned long long)st.failed_writes,
	    (unsigned long long)st.max_batch_seen, st.commit_seconds);
	struct stat fs;
	long long size = stat(s->db_path, &fs) == 0 ? (long long)fs.st_size : 0;
	char wal[4200];
	snprintf(wal, sizeof wal, "%s-wal", s->db_path);
	long long wsize = stat(wal, &fs) == 0 ? (long long)fs.st_size : 0;
	mu_buf_printf(out,
		      "# HELP muster_db_size_bytes Size of the database file.\n"
		      "# TYPE muster_db_size_bytes gauge\nmuster_db_size_bytes %lld\n"
		      "# HELP muster_db_wal_size_bytes Size of the database's write-ahead log.\n"
		      "# TYPE muster_db_wal_size_bytes gauge\nmuster_db_wal_size_bytes %lld\n",
		      size, wsize);
	auth_metrics(NULL, out);
	people_api_metrics(out);
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
					     {"db", required_argument, NULL, 'd'},
					     {"web", required_argument, NULL, 'w'},
					     {"threads", required_argument, NULL, 't'},
					     {"max-body", required_argument, NULL, 'b'},
					     {"session-hours", required_argument, NULL, 's'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"anon-rate", required_argument, NULL, 'A'},
					     {"per-address", required_argument, NULL, 'P'},
					     {"head-timeout", required_argument, NULL, 'T'},
					     {"bench-hello", no_argument, NULL, 'H'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	const char *listen = "127.0.0.1:8080", *dbp = NULL, *web = NULL;
	int64_t threads = 0, max_body = 1 << 20, hours = 12, anon_rate = 50,
		per_address = 64, head_s = 10;
	bool quiet = false, bench = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'd': dbp = optarg; break;
		case 'w': web = optarg; break;
		case 't':
			if (mu_parse_i64(optarg, &threads) || threads < 1 || threads > 256)
				return cli_usage_error("serve", "--threads wants 1..256");
			break;
		case 'b':
			if (mu_parse_i64(optarg, &max_body) || max_body < 1024 || max_body > (1 << 30))
				return cli_usage_error("serve", "--max-body wants 1024..1073741824");
			break;
		case 's':
			if (mu_parse_i64(optarg, &hours) || hours < 1 || hours > 24 * 30)
				return cli_usage_error("serve", "--session-hours wants 1..720");
			break;
		case 'A':
			if (mu_parse_i64(optarg, &anon_rate) || anon_rate < 1 || anon_rate > 1000000)
				return cli_usage_error("serve", "--anon-rate wants 1..1000000");
			break;
		case 'P':
			if (mu_parse_i64(optarg, &per_address) || per_address < 1 || per_address > 4096)
				return cli_usage_error("serve", "--per-address wants 1..4096");
			break;
		case 'T':
			if (mu_parse_i64(optarg, &head_s) || head_s < 1 || head_s > 600)
				return cli_usage_error("serve", "--head-timeout wants 1..600");
			break;
		case 'q': quiet = true; break;
		case 'H': bench = true; break;
		case 'h': fputs(help, stdout); return CLI_OK;
		default: return cli_usage_error("serve", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	struct serve s = {.db_path = mu_config_db_path(dbp)};
	if (access(s.db_path, F_OK) != 0) {
		fprintf(stderr, "muster serve: no database at %s (run `muster init` first)\n",
			s.db_path);
		return CLI_REJECTED;
	}
	/* Signals go to this thread alone (sigwait below): block them before any thread
	 * starts so that the writer and the request threads inherit the mask. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	int status = CLI_REJECTED;
	struct http_server *srv = NULL;
	if (db_writer_start(s.db_path, NULL, &s.writer)) {
		fprintf(stderr, "muster serve: cannot open %s for writing\n", s.db_path);
		return CLI_REJECTED;
	}
	struct auth_config ac = {.db_path = s.db_path,
				 .writer = s.writer,
				 .session_hours = (int)hours,
				 .anon_per_s = (int)anon_rate,
				 .place_code = places_code_get,
				 .place_path = places_path};
	if (auth_init(&ac) || people_api_init(s.db_path) || screening_api_init(s.db_path)) {
		fprintf(stderr, "muster serve: cannot load the key file of %s\n", s.db_path);
		goto out;
	}
	const struct http_route *tables[8];
	int nt = 0;
	for (const struct http_route *const *t = cli_route_tables; *t && nt < 6; t++)
		tables[nt++] = *t;
	if (bench)
		tables[nt++] = hello_routes;
	tables[nt] = NULL;
	struct http_opts ho = {.listen = listen,
			       .threads = (int)threads,
			       .max_body = (size_t)max_body,
			       .per_address = (unsigned)per_address,
			       .head_timeout_s = (unsigned)head_s,
			       .web_dir = web,
			       .guard = auth_guard(),
			       .metrics = metrics,
			       .metrics_ctx = &s,
			       .access_log = !quiet};
	if (http_server_start(&ho, tables, &srv))
		goto out;
	char host[128];
	snprintf(host, sizeof host, "%s", listen);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = '\0';
	printf("listening on http://%s:%d\n", host, http_server_port(srv));
	fflush(stdout);
	mu_info("serve: %s on %s:%d", s.db_path, host, http_server_port(srv));
	int sig;
	sigwait(&sigs, &sig);
	mu_info("serve: %s received; finishing requests in flight", sig == SIGINT ? "SIGINT" : "SIGTERM");
	status = CLI_OK;
out:
	http_server_stop(srv);
	auth_guard_flush(); /* the last minute's summaries of anonymous refusals */
	db_writer_stop(s.writer);
	auth_fini();
	people_api_fini();
	screening_api_fini();
	mu_info("serve: stopped cleanly");
	return status;
}
