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

static const char help[] =
    "usage: muster serve [--listen ADDR:PORT] [--db PATH] [--web DIR] [--threads N]\n"
    "                    [--max-body BYTES] [--session-hours H] [--anon-rate N]\n"
    "                    [--per-address N] [--head-timeout S] [--secure-cookies]\n"
    "                    [--trusted-proxy ADDR] [--quiet]\n"
    "\n"
    "Serves the Muster API (and the web app from DIR) until SIGINT or SIGTERM.\n"
    "\n"
    "Options:\n";

static const char epilog[] =
    "On start it prints `listening on http://ADDR:PORT` on standard output.\n"
    "Behind TLS, put a reverse proxy in front (README: nginx) and pass --trusted-proxy.\n";

/* True when listen (ADDR:PORT) is a loopback address: 127.x, localhost, [::1]. */
static bool loopback(const char *listen)
{
	return !strncmp(listen, "127.", 4) || !strncmp(listen, "localhost:", 10) ||
	       !strncmp(listen, "[::1]:", 6);
}

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
	    "muster_writer_commit_seconds_total %.6f\n"
	    "# HELP muster_writer_nice The writer thread's nice value (it asks for -10).\n"
	    "# TYPE muster_writer_nice gauge\nmuster_writer_nice %d\n",
	    (unsigned long long)st.queue_depth, (unsigned long long)st.batches,
	    (unsigned long long)st.writes, (unsigned long long)st.failed_writes,
	    (unsigned long long)st.max_batch_seen, st.commit_seconds, st.nice);
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
	cli_capabilities_metrics(out);
}

/* /healthz: 503 storage_full while the writer's last write failed for want of space,
 * or while the audit journal cannot be written (reads of people are refused then). */
static int health(void *ctx)
{
	struct serve *s = ctx;
	struct db_writer_stats st;
	db_writer_stats(s->writer, &st);
	return st.storage_full ? MU_EFULL : auth_audit_journal_health();
}

int cmd_serve(int argc, char **argv)
{
	const char *listen = "127.0.0.1:8080", *dbp = NULL, *web = NULL, *pos[CLI_POS_MAX];
	int64_t threads = 0, max_body = 1 << 20, hours = 12, anon_rate = 50, per_address = 64,
		head_s = 10;
	bool quiet = false, bench = false, secure = false;
	const char *proxy = NULL;
	const struct cli_opt opts[] = {
	    CLI_STR("listen", &listen, "ADDR:PORT",
		    "default 127.0.0.1:8080; port 0 picks a free port"),
	    CLI_STR("db", &dbp, "PATH", "the database (default $MUSTER_DB, else ./muster.db)"),
	    CLI_STR("web", &web, "DIR", "serve the built web app from DIR (e.g. web/dist)"),
	    CLI_INT("threads", &threads, "N", "request threads (default: one per core)", false, 1,
		    256),
	    CLI_INT("max-body", &max_body, "BYTES", "largest request body (default 1 MiB)", false,
		    1024, 1 << 30),
	    CLI_INT("session-hours", &hours, "H", "session lifetime (default 12)", false, 1,
		    24 * 30),
	    CLI_INT("anon-rate", &anon_rate, "N",
		    "requests without sign-in per address per second before they are answered "
		    "429 (default 50)",
		    false, 1, 1000000),
	    CLI_INT("per-address", &per_address, "N",
		    "connections one address may hold (default 64)", false, 1, 4096),
	    CLI_INT("head-timeout", &head_s, "S",
		    "seconds a new connection has to send its request head, however slowly it "
		    "trickles in (default 10)",
		    false, 1, 600),
	    CLI_FLAG("secure-cookies", &secure,
		     "mark the session cookie Secure (always when --listen is not loopback)"),
	    CLI_STR("trusted-proxy", &proxy, "ADDR",
		    "the reverse proxy's address: from it, X-Forwarded-For names the client the "
		    "sign-in throttles count"),
	    CLI_FLAG("quiet", &quiet, "no access log lines"),
	    CLI_FLAG("bench-hello", &bench, NULL),
	    CLI_END};
	const struct cli_spec spec = {"serve", help, opts, epilog};
	int rc, npos;
	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_GO)
		return rc;
	if (npos)
		return cli_usage_error("serve", "unexpected argument '%s'", pos[0]);
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

	/* One server per database, and no command writing beside it (cli_lock). */
	if (cli_lock(s.db_path, true) != 0)
		return CLI_REJECTED;
	/* A key file of another database is refused before anything is written under it. */
	struct db *check = NULL;
	if (db_open(s.db_path, 0, &check) != 0) {
		fprintf(stderr, "muster serve: cannot open %s\n", s.db_path);
		return CLI_REJECTED;
	}
	rc = cli_key_check(check);
	db_close(check);
	if (rc != 0)
		return CLI_REJECTED;

	int status = CLI_REJECTED;
	struct http_server *srv = NULL;
	const struct http_route **tables = NULL;
	if (db_writer_start(s.db_path, NULL, &s.writer)) {
		fprintf(stderr, "muster serve: cannot open %s for writing\n", s.db_path);
		return CLI_REJECTED;
	}
	struct cli_env env = {.db_path = s.db_path,
			      .writer = s.writer,
			      .session_hours = (int)hours,
			      .anon_rate = (int)anon_rate,
			      .secure_cookies = secure || !loopback(listen),
			      .trusted_proxy = proxy};
	const char *failed;
	if (cli_capabilities_start(&env, &failed)) {
		fprintf(stderr, "muster serve: cannot load the key file of %s\n", s.db_path);
		goto out;
	}
	tables = cli_route_tables_new(NULL, bench ? hello_routes : NULL, NULL);
	struct http_opts ho = {.listen = listen,
			       .threads = (int)threads,
			       .max_body = (size_t)max_body,
			       .per_address = (unsigned)per_address,
			       .head_timeout_s = (unsigned)head_s,
			       .web_dir = web,
			       .guard = auth_guard(),
			       .metrics = metrics,
			       .metrics_ctx = &s,
			       .health = health,
			       .health_ctx = &s,
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
	mu_info("serve: %s received; finishing requests in flight",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	status = CLI_OK;
out:
	http_server_stop(srv);
	auth_guard_flush(); /* the last minute's summaries of anonymous refusals */
	/* The capabilities' sweeps submit to the writer: they stop first, then the writer,
	 * then auth, whose audit journal the writer empties to the end. */
	cli_capabilities_stop(false);
	db_writer_stop(s.writer);
	cli_capabilities_stop(true);
	free(tables);
	mu_info("serve: stopped cleanly");
	return status;
}
