/* server.c: the listener and its acceptor, which gives each connection to the least busy
 * request thread (a libmicrohttpd daemon each) — request lifecycle with a per-request
 * arena and a capped body, dispatch through the guard to the route's handler, JSON and
 * error bodies, /healthz and /metrics, static files, and the access log. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "http.h"
#include "http_int.h"

/* The request as the server holds it; http_req comes first so handlers' pointers can
 * be turned back into it. */
struct req_ctx {
	struct http_req r;
	struct mu_buf body;
	bool too_big;
	bool answered;
	json_t *parsed; /* the parsed body, freed with the request */
};

/* A connection whose first request head has not arrived yet. The watchdog shuts its
 * socket down at the deadline (libmicrohttpd's own timeout is reset by every byte, so
 * a head trickled in a byte at a time would never end). Listed under watch_mu from
 * the connection's start until its head arrives or it closes: libmicrohttpd notifies
 * the close before it closes the socket, so a listed fd is always this connection's. */
struct conn_watch {
	struct conn_watch *prev, *next;
	int fd;
	double deadline;
	bool listed;
};

/* One request thread: a libmicrohttpd daemon of its own, with the connections the
 * acceptor gave it. A handler that waits (for the writer's group commit) holds its lane,
 * and with it every other connection of that lane. */
struct lane {
	struct http_server *s;
	struct MHD_Daemon *mhd;
	unsigned open; /* connections given and not yet closed; under lanes_mu */
};

/* Connections open from one address, for the per-address limit. */
struct peer {
	struct peer *next;
	unsigned char key[17]; /* the family, then the address (4 or 16 bytes) */
	unsigned open;
};

#define PEER_BUCKETS 1024

struct http_server {
	struct lane *lanes;
	int nlanes;
	int listen_fd;
	pthread_t acceptor;
	bool acceptor_on;
	atomic_bool closing;	  /* the acceptor stops */
	pthread_mutex_t lanes_mu; /* lanes' and peers' counts, open */
	unsigned open;		  /* connections in all */
	unsigned next_lane;	  /* where the search for the least busy lane starts */
	struct peer *peers[PEER_BUCKETS];
	pthread_mutex_t watch_mu;
	struct conn_watch *watch_head;
	unsigned heading; /* listed connections */
	pthread_t watchdog;
	bool watchdog_on;
	atomic_bool stopping;
	atomic_uint_fast64_t head_timeouts;
	atomic_int inflight; /* requests begun and not yet completed */
	struct http_opts o;
	const struct http_route *const *tables;
	struct http__metrics *metrics;
	int port;
};

static struct req_ctx *ctx_of(const struct http_req *r)
{
	return (struct req_ctx *)r;
}

const char *http_header(const struct http_req *r, const char *name)
{
	return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *http_query(const struct http_req *r, const char *name)
{
	return r->conn ? MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name) : NULL;
}

const char *http_cookie(const struct http_req *r, const char *name)
{
	return r->conn ? MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name) : NULL;
}

int http_body_json(struct http_req *r, json_t **out)
{
	struct req_ctx *c = ctx_of(r);
	*out = NULL;
	if (c->parsed) {
		*out = c->parsed;
		return 0;
	}
	json_error_t e;
	json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		return http_fail(r, MU_EINVAL, NULL,
				 mu_arena_sprintf(&r->arena, "malformed JSON: %s", e.text));
	if (!json_is_object(j)) {
		json_decref(j);
		return http_fail(r, MU_EINVAL, NULL, "the body must be a JSON object");
	}
	c->parsed = j;
	*out = j;
	return 0;
}

void http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
	MU_ASSERT(resp->nheaders < 8);
	resp->headers[resp->nheaders][0] = name;
	resp->headers[resp->nheaders][1] = value;
	resp->nheaders++;
}

/* ---- responses ------------------------------------------------------------------------ */

/* The headers every answer carries, API and static files alike. The web app runs only
 * its own scripts: no inline script, no eval, no third-party origin; inline styles are
 * allowed for the charts. Never framed. */
static void add_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(
	    resp, "Content-Security-Policy",
	    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
	    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
	    "worker-src 'self'; object-src 'none'; base-uri 'self'; "
	    "frame-ancestors 'none'; form-action 'self'");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
}

static enum MHD_Result send_buffer(struct MHD_Connection *conn, int status, const char *type,
				   char *data, size_t len, enum MHD_ResponseMemoryMode mode,
				   const struct http_resp *extra)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, mode);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	add_security_headers(resp);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (extra)
		for (int i = 0; i < extra->nheaders; i++)
			MHD_add_response_header(resp, extra->headers[i][0], extra->headers[i][1]);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *j,
				 const struct http_resp *extra)
{
	char *s = json_dumps(j, JSON_COMPACT);
	MU_ASSERT(s);
	size_t n = strlen(s);
	/* json_dumps allocates with malloc: libmicrohttpd frees it with free(). */
	return send_buffer(conn, status, "application/json; charset=utf-8", s, n,
			   MHD_RESPMEM_MUST_FREE, extra);
}

/* {"error":{"code","message","field"}} with the status from the error table. */
static int send_error_with(struct req_ctx *c, int err, const struct http_resp *extra)
{
	json_t *e = json_object();
	json_object_set_new(e, "code", json_string(mu_err_code(err)));
	json_object_set_new(e, "message",
			    json_string(c->r.err_message ? c->r.err_message : mu_err_msg(err)));
	json_object_set_new(e, "field", c->r.err_field ? json_string(c->r.err_field) : json_null());
	json_t *body = json_pack("{s:o}", "error", e);
	int status = mu_err_http(err);
	send_json(c->r.conn, status, body, extra);
	json_decref(body);
	return status;
}

static int send_error(struct req_ctx *c, int err)
{
	return send_error_with(c, err, NULL);
}

/* ---- static files ----------------------------------------------------------------------- */

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".woff2", "font/woff2"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".webmanifest", "application/manifest+json"},
	};
	const char *dot = strrchr(path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (!strcmp(dot, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

/* Serves web_dir/path (index.html for unknown paths, so the web app's own routes work
 * on reload). Hashed assets under /assets/ are cached for a year; the rest revalidates.
 * A precompressed .gz sibling is sent when the client accepts gzip. */
static int send_static(struct http_server *s, struct req_ctx *c)
{
	const char *path = c->r.path;
	if (strstr(path, "..") || strchr(path, '\\'))
		return send_error(c, MU_ENOTFOUND);
	char file[4096];
	struct stat st;
	snprintf(file, sizeof file, "%s%s", s->o.web_dir, path);
	if (stat(file, &st) != 0 || S_ISDIR(st.st_mode)) {
		snprintf(file, sizeof file, "%s/index.html", s->o.web_dir);
		if (stat(file, &st) != 0)
			return send_error(c, MU_ENOTFOUND);
	}
	const char *type = content_type(file);
	bool gz = false;
	const char *ae = http_header(&c->r, "Accept-Encoding");
	if (ae && strstr(ae, "gzip")) {
		char gzfile[4200];
		struct stat gst;
		snprintf(gzfile, sizeof gzfile, "%s.gz", file);
		if (stat(gzfile, &gst) == 0) {
			memcpy(file, gzfile, strlen(gzfile) + 1);
			st = gst;
			gz = true;
		}
	}
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return send_error(c, MU_ENOTFOUND);
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return send_error(c, MU_EIO);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	add_security_headers(resp);
	MHD_add_response_header(
	    resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    strncmp(path, "/assets/", 8) == 0 ? "public, max-age=31536000, immutable" : "no-cache");
	MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	if (gz)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	MHD_queue_response(c->r.conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return 200;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static int method_of(const char *m)
{
	static const struct {
		const char *name;
		int m;
	} ms[] = {{"GET", HTTP_GET}, {"HEAD", HTTP_GET},    {"POST", HTTP_POST},
		  {"PUT", HTTP_PUT}, {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE}};
	for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
		if (!strcmp(m, ms[i].name))
			return ms[i].m;
	return 0;
}

static int send_metrics(struct http_server *s, struct req_ctx *c)
{
	struct mu_buf b;
	mu_buf_init(&b, 16u << 20);
	http__metrics_write(s->metrics, &b);
	mu_buf_printf(&b,
		      "# HELP muster_http_head_timeouts_total Connections closed because their "
		      "request head did not arrive in time.\n"
		      "# TYPE muster_http_head_timeouts_total counter\n"
		      "muster_http_head_timeouts_total %llu\n",
		      (unsigned long long)atomic_load(&s->head_timeouts));
	if (s->o.metrics)
		s->o.metrics(s->o.metrics_ctx, &b);
	size_t n = b.len;
	char *data = b.data ? b.data : mu_xstrdup("");
	send_buffer(c->r.conn, 200, "text/plain; version=0.0.4; charset=utf-8", data, n,
		    MHD_RESPMEM_MUST_FREE, NULL);
	return 200;
}

/* Runs one complete request and queues its response; returns the status sent. */
static int dispatch(struct http_server *s, struct req_ctx *c, const char *method)
{
	struct http_req *r = &c->r;
	if (c->too_big) {
		r->err_message = "the request body is too large";
		return send_error(c, MU_ETOOBIG);
	}
	r->method = method_of(method);
	if (!r->method)
		return send_error(c, MU_EMETHOD);
	r->body = c->body.len ? c->body.data : "";
	r->body_len = c->body.len;
	if (r->method == HTTP_GET && !strcmp(r->path, "/healthz")) {
		int bad = s->o.health ? s->o.health(s->o.health_ctx) : 0;
		if (bad)
			return send_error(c, bad);
		json_t *j = json_pack("{s:s}", "status", "ok");
		send_json(r->conn, 200, j, NULL);
		json_decref(j);
		return 200;
	}
	if (r->method == HTTP_GET && !strcmp(r->path, "/metrics"))
		return send_metrics(s, c);

	bool known;
	const struct http_route *rt = http_route_match(s->tables, r->method, r->path, &r->arena,
						       r->params, &r->nparams, &known);
	if (!rt) {
		if (s->o.web_dir && r->method == HTTP_GET && strncmp(r->path, "/api/", 5) != 0)
			return send_static(s, c);
		return send_error(c, known ? MU_EMETHOD : MU_ENOTFOUND);
	}
	r->route = rt;
	int rc = s->o.guard.check(s->o.guard.ctx, r);
	int status;
	if (rc != 0) {
		status = send_error(c, rc);
	} else {
		struct http_resp resp;
		memset(&resp, 0, sizeof resp);
		rc = rt->fn(r, &resp);
		if (rc == 0 && s->o.guard.before_send)
			rc = s->o.guard.before_send(s->o.guard.ctx, r,
						    resp.status ? resp.status : 200);
		if (rc != 0) {
			json_decref(resp.json);
			/* A handler's headers go with its refusal too (Retry-After). */
			status = send_error_with(c, rc, &resp);
		} else {
			status = resp.status ? resp.status : 200;
			if (resp.json) {
				send_json(r->conn, status, resp.json, &resp);
				json_decref(resp.json);
			} else {
				send_buffer(r->conn, status, resp.type ? resp.type : "text/plain",
					    (char *)(resp.raw ? resp.raw : ""), resp.raw_len,
					    MHD_RESPMEM_MUST_COPY, &resp);
			}
		}
	}
	if (s->o.guard.done)
		s->o.guard.done(s->o.guard.ctx, r, status);
	return status;
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, n, "?");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)n);
}

/* ---- slow clients -------------------------------------------------------------------------- */

/* Under watch_mu. */
static void watch_unlist(struct http_server *s, struct conn_watch *w)
{
	if (!w->listed)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		s->watch_head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
	w->listed = false;
	s->heading--;
}

static void lane_release(struct lane *l, const struct sockaddr *sa);

/* A lane runs at a lower priority than the writer (nice LANE_NICE, set by the lane's
 * own thread on its first connection; a thread may always lower its own priority):
 * every write waits for the writer, which is one thread, so when requests and the
 * writer want the same cores the writer going first is what lets more requests end. */
#define LANE_NICE 5
static void lane_yield_to_writer(void)
{
	static _Thread_local bool done;
	if (done)
		return;
	done = true;
	id_t tid = (id_t)syscall(SYS_gettid);
	errno = 0;
	int now = getpriority(PRIO_PROCESS, tid);
	if (errno != 0 || setpriority(PRIO_PROCESS, tid, now + LANE_NICE) != 0)
		mu_warn("http: a request thread kept its priority: %s", strerror(errno));
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct lane *l = cls;
	struct http_server *s = l->s;
	struct conn_watch *w = *socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		lane_release(l, ci ? ci->client_addr : NULL);
	}
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		lane_yield_to_writer();
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci)
			return;
		w = mu_xcalloc(1, sizeof *w);
		w->fd = ci->connect_fd;
		pthread_mutex_lock(&s->watch_mu);
		/* Past the reserve, a head gets one second: slow clients cannot keep the
		 * last connections, fast ones are through long before. */
		bool tight = s->heading + s->o.reserve >= s->o.max_conns;
		w->deadline = mu_now_mono() + (tight ? 1.0 : (double)s->o.head_timeout_s);
		w->next = s->watch_head;
		if (w->next)
			w->next->prev = w;
		s->watch_head = w;
		w->listed = true;
		s->heading++;
		pthread_mutex_unlock(&s->watch_mu);
		*socket_context = w;
	} else if (w) {
		pthread_mutex_lock(&s->watch_mu);
		watch_unlist(s, w);
		pthread_mutex_unlock(&s->watch_mu);
		free(w);
		*socket_context = NULL;
	}
}

/* The head of conn's request arrived: no deadline any more (the idle timeout remains). */
static void head_arrived(struct http_server *s, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_watch *w = ci ? ci->socket_context : NULL;
	if (!w)
		return;
	pthread_mutex_lock(&s->watch_mu);
	watch_unlist(s, w);
	pthread_mutex_unlock(&s->watch_mu);
}

/* Every 100 ms: shuts down the sockets of connections past their head's deadline;
 * libmicrohttpd then sees the end of the stream and closes them itself. */
static void *watchdog_main(void *arg)
{
	struct http_server *s = arg;
	while (!atomic_load(&s->stopping)) {
		usleep(100000);
		double now = mu_now_mono();
		pthread_mutex_lock(&s->watch_mu);
		for (struct conn_watch *w = s->watch_head, *next; w; w = next) {
			next = w->next;
			if (w->deadline > now)
				continue;
			shutdown(w->fd, SHUT_RDWR);
			watch_unlist(s, w);
			atomic_fetch_add(&s->head_timeouts, 1);
		}
		pthread_mutex_unlock(&s->watch_mu);
	}
	return NULL;
}

/* ---- lanes: which request thread gets a connection -----------------------------------------
 * The acceptor hands each new connection to the lane with the fewest open. libmicrohttpd's
 * own pool let its threads accept for themselves, up to 11 at a time: 64 connections came
 * to sit on as few as 5 to 30 of 64 threads, and since a write's handler waits on its
 * thread for the group commit, the connections behind it waited too — batches of 3 to 16
 * calls where 64 were asked (calls-load, bench/README.md). The limits libmicrohttpd kept
 * per daemon (connections in all, per address) are kept here for all lanes together. */

/* The key of sa's address into key; its length, 0 for a family other than IPv4/IPv6. */
static size_t peer_key(const struct sockaddr *sa, unsigned char key[17])
{
	memset(key, 0, 17);
	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 5;
	}
	if (sa->sa_family == AF_INET6) {
		key[0] = 6;
		memcpy(key + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 17;
	}
	return 0;
}

/* The bucket of key (FNV-1a). */
static unsigned peer_bucket(const unsigned char key[17])
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 17; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % PEER_BUCKETS;
}

/* The entry of key, made (with open 0) when make and absent; NULL when absent and not
 * made. Under lanes_mu. */
static struct peer *peer_find(struct http_server *s, const unsigned char key[17], bool make)
{
	struct peer **at = &s->peers[peer_bucket(key)];
	for (struct peer *p = *at; p; p = p->next)
		if (!memcmp(p->key, key, 17))
			return p;
	if (!make)
		return NULL;
	struct peer *p = mu_xcalloc(1, sizeof *p);
	memcpy(p->key, key, 17);
	p->next = *at;
	*at = p;
	return p;
}

/* Drops one connection of key; the entry goes with its last. Under lanes_mu. */
static void peer_drop(struct http_server *s, const unsigned char key[17])
{
	for (struct peer **at = &s->peers[peer_bucket(key)], *p; (p = *at); at = &p->next) {
		if (memcmp(p->key, key, 17))
			continue;
		if (p->open > 0)
			p->open--;
		if (p->open == 0) {
			*at = p->next;
			free(p);
		}
		return;
	}
}

/* A connection of lane l from sa closed (or was never taken): its counts go. Called by
 * libmicrohttpd's close notification on the lane's thread, and by the acceptor. */
static void lane_release(struct lane *l, const struct sockaddr *sa)
{
	struct http_server *s = l->s;
	unsigned char key[17];
	bool keyed = peer_key(sa, key) > 0;
	pthread_mutex_lock(&s->lanes_mu);
	if (l->open > 0)
		l->open--;
	if (s->open > 0)
		s->open--;
	if (keyed)
		peer_drop(s, key);
	pthread_mutex_unlock(&s->lanes_mu);
}

/* Gives the accepted connection fd from sa to the least busy lane, or closes it when the
 * server or its address is at its limit (as libmicrohttpd did at its own limits). */
static void lane_give(struct http_server *s, int fd, const struct sockaddr *sa, socklen_t len)
{
	unsigned char key[17];
	bool keyed = peer_key(sa, key) > 0;
	struct lane *best = NULL;
	pthread_mutex_lock(&s->lanes_mu);
	struct peer *p = keyed ? peer_find(s, key, true) : NULL;
	if (s->open < s->o.max_conns && (!p || p->open < s->o.per_address)) {
		/* Ties go round the lanes, so that a burst of connects spreads over all. */
		for (int i = 0; i < s->nlanes; i++) {
			struct lane *l =
			    &s->lanes[(s->next_lane + (unsigned)i) % (unsigned)s->nlanes];
			if (!best || l->open < best->open)
				best = l;
		}
		MU_ASSERT(best); /* the server starts with a lane or not at all */
		s->next_lane = (unsigned)(best - s->lanes + 1) % (unsigned)s->nlanes;
		best->open++;
		s->open++;
		if (p)
			p->open++;
	} else if (p && p->open == 0) {
		peer_drop(s, key);
	}
	pthread_mutex_unlock(&s->lanes_mu);
	if (!best) {
		close(fd);
		return;
	}
	/* On failure libmicrohttpd has closed fd, and no close notification follows. */
	if (MHD_add_connection(best->mhd, fd, sa, len) != MHD_YES)
		lane_release(best, sa);
}

/* Accepts until the server closes: every 100 ms it looks whether it should. */
static void *acceptor_main(void *arg)
{
	struct http_server *s = arg;
	while (!atomic_load(&s->closing)) {
		struct pollfd pf = {.fd = s->listen_fd, .events = POLLIN};
		if (poll(&pf, 1, 100) <= 0)
			continue;
		for (int burst = 0; burst < 64 && !atomic_load(&s->closing); burst++) {
			struct sockaddr_storage addr;
			memset(&addr, 0, sizeof addr);
			socklen_t len = sizeof addr;
			int fd = accept4(s->listen_fd, (struct sockaddr *)&addr, &len,
					 SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd >= 0) {
				lane_give(s, fd, (struct sockaddr *)&addr, len);
				continue;
			}
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* Out of descriptors: let some connections close first. */
				mu_warn("http: accept: %s", strerror(errno));
				usleep(10000);
			}
			break;
		}
	}
	return NULL;
}

/* The listening socket on addr, non-blocking; -1 with errno on failure. */
static int listen_on(const struct sockaddr_storage *addr, socklen_t alen)
{
	int on = 1;
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* As libmicrohttpd set them with MHD_OPTION_LISTENING_ADDRESS_REUSE 1; IPv6 only
	 * on an IPv6 address, as it did without MHD_USE_DUAL_STACK. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) ||
	    (addr->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on)) ||
	    bind(fd, (const struct sockaddr *)addr, alen) || listen(fd, SOMAXCONN)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* ---- the body's framing ------------------------------------------------------------------
 * A request whose body length two readers could disagree on is the tool of request
 * smuggling through a proxy: Content-Length beside Transfer-Encoding, two different
 * Content-Lengths, a transfer coding other than chunked (libmicrohttpd waited forever for
 * the end of an "xchunked" body). Such a request is answered 400 before its body is read,
 * and its connection closed (RFC 9112 §6.1, §6.3; issue 11 item 21). */
struct framing {
	int n_length, n_coding;
	const char *length; /* the first Content-Length */
	bool bad_length;    /* not 1*DIGIT, or two that differ */
	bool bad_coding;    /* anything but one "chunked" */
};

static bool digits_only(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return true;
}

/* Trims optional whitespace (SP, HTAB) around v into [*b, *e). */
static void trim_ows(const char *v, const char **b, const char **e)
{
	*b = v;
	*e = v + strlen(v);
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static enum MHD_Result framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	(void)kind;
	struct framing *f = cls;
	const char *b, *e;
	trim_ows(value ? value : "", &b, &e);
	size_t n = (size_t)(e - b);
	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
		char v[32];
		if (n == 0 || n >= sizeof v) {
			f->bad_length = true;
		} else {
			memcpy(v, b, n);
			v[n] = '\0';
			if (!digits_only(v) || (f->length && strcmp(f->length, value) != 0))
				f->bad_length = true;
		}
		if (!f->length)
			f->length = value;
		f->n_length++;
	} else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
		if (n != 7 || strncasecmp(b, "chunked", 7) != 0 || f->n_coding > 0)
			f->bad_coding = true;
		f->n_coding++;
	}
	return MHD_YES;
}

/* 0 when the request's framing is unambiguous; otherwise MU_EINVAL with r's field and
 * message set. */
static int framing_check(struct MHD_Connection *conn, struct http_req *r)
{
	struct framing f = {0};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, framing_header, &f);
	if (f.n_length && f.n_coding) {
		r->err_field = "Transfer-Encoding";
		r->err_message = "Content-Length and Transfer-Encoding together";
	} else if (f.bad_coding) {
		r->err_field = "Transfer-Encoding";
		r->err_message = "the only transfer coding accepted is one chunked";
	} else if (f.bad_length) {
		r->err_field = "Content-Length";
		r->err_message = "Content-Length must be one decimal number";
	} else {
		return 0;
	}
	return MU_EINVAL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct http_server *s = cls;
	struct req_ctx *c = *con_cls;
	if (!c) {
		head_arrived(s, conn);
		c = mu_xcalloc(1, sizeof *c);
		mu_arena_init(&c->r.arena, 4096);
		mu_buf_init(&c->body, s->o.max_body);
		c->r.conn = conn;
		c->r.path = mu_arena_strndup(&c->r.arena, url, strlen(url));
		c->r.started = mu_now_mono();
		atomic_fetch_add(&s->inflight, 1);
		client_addr(conn, c->r.client, sizeof c->r.client);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		int64_t len;
		if (cl && mu_parse_i64(cl, &len) == 0 && (len < 0 || (uint64_t)len > s->o.max_body))
			c->too_big = true;
		*con_cls = c;
		if (framing_check(conn, &c->r)) {
			/* Answered before the body: the connection closes after it. */
			c->answered = true;
			json_t *e = json_pack("{s:s, s:s, s:s}", "code", mu_err_code(MU_EINVAL),
					      "message", c->r.err_message, "field", c->r.err_field);
			json_t *body = json_pack("{s:o}", "error", e);
			struct http_resp close_ = {.nheaders = 1};
			close_.headers[0][0] = MHD_HTTP_HEADER_CONNECTION;
			close_.headers[0][1] = "close";
			send_json(conn, 400, body, &close_);
			json_decref(body);
			http__metrics_record(s->metrics, NULL, 400, mu_now_mono() - c->r.started);
			if (s->o.access_log)
				mu_log(MU_LOG_INFO,
				       "http method=%s path=%s route=- status=400 framing=refused "
				       "client=%s",
				       method, c->r.path, c->r.client);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!c->too_big && mu_buf_append(&c->body, upload, *upload_size) != 0)
			c->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (c->answered)
		return MHD_YES;
	c->answered = true;
	int status = dispatch(s, c, method);
	double ms = (mu_now_mono() - c->r.started) * 1e3;
	http__metrics_record(s->metrics, c->r.route, status, ms / 1e3);
	if (s->o.access_log)
		mu_log(MU_LOG_INFO, "http method=%s path=%s route=%s status=%d ms=%.2f client=%s",
		       method, c->r.path, c->r.route ? c->r.route->pattern : "-", status, ms,
		       c->r.client);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	(void)conn;
	(void)toe;
	struct req_ctx *c = *con_cls;
	if (!c)
		return;
	atomic_fetch_sub(&s->inflight, 1);
	json_decref(c->parsed);
	mu_buf_fini(&c->body);
	mu_arena_fini(&c->r.arena);
	free(c);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	mu_warn("http: %s", line);
}

/* Parses "HOST:PORT" (IPv4) or "[HOST]:PORT" (IPv6) into addr. */
static int parse_listen(const char *s, struct sockaddr_storage *addr, socklen_t *len)
{
	memset(addr, 0, sizeof *addr);
	char host[128];
	const char *colon;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof host)
			return MU_EINVAL;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof host)
			return MU_EINVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	int64_t port;
	if (mu_parse_i64(colon + 1, &port) || port < 0 || port > 65535)
		return MU_EINVAL;
	struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof *v4;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof *v6;
		return 0;
	}
	return MU_EINVAL;
}

int http_server_start(const struct http_opts *o, const struct http_route *const *tables,
		      struct http_server **out)
{
	*out = NULL;
	if (!o->guard.check) {
		mu_error("http: refusing to start without a guard");
		return MU_EINVAL;
	}
	struct sockaddr_storage addr;
	socklen_t alen;
	if (parse_listen(o->listen ? o->listen : "127.0.0.1:8080", &addr, &alen)) {
		mu_error("http: bad listen address '%s' (want HOST:PORT)", o->listen);
		return MU_EINVAL;
	}
	struct http_server *s = mu_xcalloc(1, sizeof *s);
	s->listen_fd = -1;
	s->o = *o;
	if (!s->o.max_body)
		s->o.max_body = 1u << 20;
	if (!s->o.timeout_s)
		s->o.timeout_s = 30;
	if (!s->o.head_timeout_s)
		s->o.head_timeout_s = 10;
	if (!s->o.per_address)
		s->o.per_address = 64;
	if (!s->o.max_conns)
		s->o.max_conns = 4096;
	if (!s->o.reserve || s->o.reserve >= s->o.max_conns)
		s->o.reserve = s->o.max_conns / 8;
	pthread_mutex_init(&s->watch_mu, NULL);
	int threads = s->o.threads > 0 ? s->o.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	s->tables = tables;
	s->metrics = http__metrics_new(tables);
	pthread_mutex_init(&s->lanes_mu, NULL);
	s->listen_fd = listen_on(&addr, alen);
	if (s->listen_fd < 0) {
		mu_error("http: cannot listen on %s: %s", o->listen, strerror(errno));
		goto fail;
	}
	/* Connections come from the acceptor only (lane_give); each lane limits itself to
	 * max_conns, the acceptor keeps the limits of the whole server. */
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC |
			 MHD_USE_TURBO | MHD_USE_NO_LISTEN_SOCKET;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->lanes = mu_xcalloc((size_t)threads, sizeof *s->lanes);
	for (; s->nlanes < threads; s->nlanes++) {
		struct lane *l = &s->lanes[s->nlanes];
		l->s = s;
		/* 16 KB a connection: a request head (cookie, CSRF token) takes a few hundred
		 * bytes, a body arrives in pieces of the read buffer, and libmicrohttpd zeroes
		 * the whole pool between two requests of a connection: with 64 KB that was 3 % of
		 * the server's time logging calls (perf). */
		l->mhd = MHD_start_daemon(
		    flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		    MHD_OPTION_CONNECTION_TIMEOUT, s->o.timeout_s,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16 * 1024,
		    MHD_OPTION_CONNECTION_LIMIT, s->o.max_conns, MHD_OPTION_NOTIFY_COMPLETED,
		    on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
		    MHD_OPTION_END);
		if (!l->mhd) {
			mu_error("http: cannot start request thread %d: %s", s->nlanes + 1,
				 strerror(errno));
			goto fail;
		}
	}
	if (pthread_create(&s->acceptor, NULL, acceptor_main, s) != 0) {
		mu_error("http: cannot start the acceptor");
		goto fail;
	}
	s->acceptor_on = true;
	MU_ASSERT(pthread_create(&s->watchdog, NULL, watchdog_main, s) == 0);
	s->watchdog_on = true;
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
		struct sockaddr_storage all;
	} bound;
	memset(&bound, 0, sizeof bound);
	socklen_t blen = sizeof bound;
	if (getsockname(s->listen_fd, &bound.sa, &blen) == 0)
		s->port =
		    ntohs(bound.sa.sa_family == AF_INET6 ? bound.v6.sin6_port : bound.v4.sin_port);
	*out = s;
	return 0;
fail:
	for (int i = 0; i < s->nlanes; i++)
		MHD_stop_daemon(s->lanes[i].mhd);
	free(s->lanes);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	pthread_mutex_destroy(&s->lanes_mu);
	http__metrics_free(s->metrics);
	pthread_mutex_destroy(&s->watch_mu);
	free(s);
	return MU_EIO;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	/* Stop accepting first (the listening socket stays open, so connects wait in its
	 * backlog until it closes), then let every request in flight finish and its answer go
	 * out (bounded: 10 s) before closing connections: MHD_stop_daemon alone would drop
	 * answers that were computed but not yet sent. */
	atomic_store(&s->closing, true);
	if (s->acceptor_on)
		pthread_join(s->acceptor, NULL);
	for (int i = 0; i < 1000 && atomic_load(&s->inflight) > 0; i++)
		usleep(10000);
	if (atomic_load(&s->inflight) > 0)
		mu_warn("http: stopping with %d requests unfinished", atomic_load(&s->inflight));
	atomic_store(&s->stopping, true);
	if (s->watchdog_on)
		pthread_join(s->watchdog, NULL);
	for (int i = 0; i < s->nlanes; i++)
		MHD_stop_daemon(s->lanes[i].mhd);
	close(s->listen_fd);
	free(s->lanes);
	for (int i = 0; i < PEER_BUCKETS; i++)
		for (struct peer *p = s->peers[i], *next; p; p = next) {
			next = p->next;
			free(p);
		}
	pthread_mutex_destroy(&s->lanes_mu);
	pthread_mutex_destroy(&s->watch_mu);
	http__metrics_free(s->metrics);
	free(s);
}
