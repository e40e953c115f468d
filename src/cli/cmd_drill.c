/* cmd_drill.c: `muster drill screening` — a load and chain drill: people of a round
 * arrive at a sampling site in random order and are scanned into pooled tubes through
 * the HTTP API (several keep-alive connections, a small HTTP/1.1 client of its own),
 * then, with a lab token, the tubes are received and resulted. Prints what it sent and
 * what the server acknowledged. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"

static const char help[] =
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
    "Exit status: 0 every batch sent and answered 200 (items may still be refused),\n"
    "1 some batch unanswered, refused as a whole or not sent (--duration), or the lab\n"
    "refused items, or the setup failed,\n"
    "2 usage error.\n";

#define DRILL_RESP_MAX (64u << 20) /* bytes of one HTTP response */
#define DRILL_ERRCODES 32	   /* distinct error codes counted */

/* ---- a small HTTP/1.1 client ------------------------------------------------------------ */

struct url {
	char host[256];
	char port[8];
	char hosthdr[280]; /* Host: header value */
};

/* Parses http://HOST[:PORT][/]; HOST may be [v6]. Returns 0 or MU_EINVAL. */
static int url_parse(const char *s, struct url *u)
{
	const char *p, *end;
	size_t n;
	memset(u, 0, sizeof *u);
	if (strncmp(s, "http://", 7))
		return MU_EINVAL;
	p = s + 7;
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end || end == p + 1 || (size_t)(end - p - 1) >= sizeof u->host)
			return MU_EINVAL;
		memcpy(u->host, p + 1, (size_t)(end - p - 1));
		p = end + 1;
	} else {
		n = strcspn(p, ":/");
		if (n == 0 || n >= sizeof u->host)
			return MU_EINVAL;
		memcpy(u->host, p, n);
		p += n;
	}
	snprintf(u->port, sizeof u->port, "80");
	if (*p == ':') {
		n = strspn(p + 1, "0123456789");
		if (n == 0 || n > 5 || atoi(p + 1) > 65535 || atoi(p + 1) < 1)
			return MU_EINVAL;
		memcpy(u->port, p + 1, n);
		u->port[n] = 0;
		p += 1 + n;
	}
	if (*p && strcmp(p, "/"))
		return MU_EINVAL; /* the API lives at the root */
	if (strchr(u->host, ':'))
		snprintf(u->hosthdr, sizeof u->hosthdr, "[%s]:%s", u->host, u->port);
	else
		snprintf(u->hosthdr, sizeof u->hosthdr, "%s:%s", u->host, u->port);
	return 0;
}

struct conn {
	const struct url *u;
	const char *token;
	int fd;		   /* -1 when not connected */
	struct mu_buf req; /* the request being sent */
	char *in;	   /* bytes received, in[0..in_n) */
	size_t in_n, in_cap;
};

static void conn_init(struct conn *c, const struct url *u, const char *token)
{
	memset(c, 0, sizeof *c);
	c->u = u;
	c->token = token;
	c->fd = -1;
	mu_buf_init(&c->req, DRILL_RESP_MAX);
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_n = 0;
}

static void conn_fini(struct conn *c)
{
	conn_close(c);
	mu_buf_fini(&c->req);
	free(c->in);
}

static int conn_open(struct conn *c)
{
	struct addrinfo hints, *res = NULL, *ai;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(c->u->host, c->u->port, &hints, &res))
		return MU_EIO;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			c->fd = fd;
			break;
		}
		close(fd);
	}
	freeaddrinfo(res);
	c->in_n = 0;
	return c->fd >= 0 ? 0 : MU_EIO;
}

/* Reads more bytes into c->in. Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t conn_fill(struct conn *c)
{
	if (c->in_cap - c->in_n < 65536) {
		if (c->in_cap >= DRILL_RESP_MAX)
			return -1;
		c->in_cap = c->in_cap ? c->in_cap * 2 : 131072;
		c->in = mu_xrealloc(c->in, c->in_cap);
	}
	ssize_t k;
	do
		k = recv(c->fd, c->in + c->in_n, c->in_cap - c->in_n, 0);
	while (k < 0 && errno == EINTR);
	if (k > 0)
		c->in_n += (size_t)k;
	return k;
}

/* Finds a header's value in the header block hdr (lines after the status line). */
static const char *header_find(const char *hdr, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	for (const char *p = strstr(hdr, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;
		if (!strncasecmp(line, name, nl) && line[nl] == ':') {
			const char *v = line + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			*len = strcspn(v, "\r");
			return v;
		}
	}
	return NULL;
}

/* Sends one request and reads its response: *status, the body in *body (pointing into
 * the connection's buffer, valid until the next call, NUL-terminated) of *blen bytes.
 * Reconnects when needed, and retries once when a reused connection failed before any
 * byte of the answer came (the server closed an idle connection). Returns 0 or MU_EIO. */
static int conn_do(struct conn *c, const char *method, const char *path, const char *json,
		   size_t jlen, int *status, char **body, size_t *blen)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		bool reused = c->fd >= 0;
		if (!reused && conn_open(c))
			return MU_EIO;
		mu_buf_reset(&c->req);
		mu_buf_printf(&c->req,
			      "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
			      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
			      method, path, c->u->hosthdr, c->token, jlen);
		if (mu_buf_append(&c->req, json, jlen))
			return MU_EIO;
		const char *p = mu_buf_str(&c->req);
		size_t left = c->req.len, got_any = 0;
		bool failed = false;
		while (left) {
			ssize_t k = send(c->fd, p, left, MSG_NOSIGNAL);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				failed = true;
				break;
			}
			p += k;
			left -= (size_t)k;
		}
		c->in_n = 0;
		size_t hend = 0;
		while (!failed) {
			char *e;
			if (c->in && c->in_n && (e = memmem(c->in, c->in_n, "\r\n\r\n", 4))) {
				hend = (size_t)(e - c->in) + 4;
				break;
			}
			ssize_t k = conn_fill(c);
			if (k <= 0)
				failed = true;
			else
				got_any += (size_t)k;
		}
		if (failed) {
			conn_close(c);
			if (reused && !got_any)
				continue;
			return MU_EIO;
		}
		char saved = c->in[hend - 2];
		c->in[hend - 2] = 0; /* the header block ends at the blank line */
		int st = 0;
		if (sscanf(c->in, "HTTP/1.%*d %d", &st) != 1) {
			conn_close(c);
			return MU_EIO;
		}
		size_t vl = 0, clen = 0;
		const char *v = header_find(c->in, "Content-Length", &vl);
		bool chunked = false, close_after = false;
		const char *te = header_find(c->in, "Transfer-Encoding", &vl);
		if (te && !strncasecmp(te, "chunked", 7))
			chunked = true;
		const char *cn = header_find(c->in, "Connection", &vl);
		if (cn && !strncasecmp(cn, "close", 5))
			close_after = true;
		if (v)
			clen = strtoul(v, NULL, 10);
		c->in[hend - 2] = saved;
		if (chunked) {
			/* Decode in place: chunks are appended after the headers one by one. */
			size_t rd = hend, wr = hend;
			for (;;) {
				char *crlf;
				while (!(crlf = memmem(c->in + rd, c->in_n - rd, "\r\n", 2)))
					if (conn_fill(c) <= 0)
						goto broken;
				size_t sz = strtoul(c->in + rd, NULL, 16);
				size_t start = (size_t)(crlf - c->in) + 2;
				while (c->in_n < start + sz + 2)
					if (conn_fill(c) <= 0)
						goto broken;
				memmove(c->in + wr, c->in + start, sz);
				wr += sz;
				rd = start + sz + 2;
				if (sz == 0)
					break;
			}
			clen = wr - hend;
		} else if (!v) {
			while (conn_fill(c) > 0) /* read to EOF */
				;
			clen = c->in_n - hend;
			close_after = true;
		} else {
			if (hend + clen + 1 > DRILL_RESP_MAX)
				goto broken;
			while (c->in_n < hend + clen)
				if (conn_fill(c) <= 0)
					goto broken;
		}
		if (c->in_cap < hend + clen + 1)
			c->in = mu_xrealloc(c->in, c->in_cap = hend + clen + 1);
		c->in[hend + clen] = 0;
		*status = st;
		*body = c->in + hend;
		*blen = clen;
		if (close_after) {
			close(c->fd); /* the body stays in c->in */
			c->fd = -1;
		}
		return 0;
	broken:
		conn_close(c);
		return MU_EIO;
	}
	return MU_EIO;
}

/* ---- the drill's state -------------------------------------------------------------------- */

struct person {
	int64_t id;
	char code[PEOPLE_CODE_LEN + 1];
	bool positive;
};

struct tube {
	atomic_int ok; /* scans acknowledged ok */
	atomic_bool sealed;
};

struct errcount {
	char code[32];
	int64_t n;
};

struct drill {
	/* set up before the threads start, read-only after */
	struct url url;
	const char *token;
	int64_t round_id;
	char site[SCREENING_CODE_MAX + 1];
	int k;
	uint64_t seed;
	struct person *people;
	size_t npeople;
	struct tube *tubes;
	size_t ntubes;
	int batch;
	double rate, t0, deadline;
	int ack_fd;    /* -1 without --ack-log */
	char **resend; /* scan ids to send again (--resend), else NULL */
	size_t nresend;
	size_t nbatches;

	/* shared, under mu */
	pthread_mutex_t mu;
	size_t next; /* next batch to send */
	int64_t sent, answered, ok, dup, err, unanswered_batches, sent_batches, refused_batches;
	struct errcount errs[DRILL_ERRCODES];
	int nerrs;
	double *lat; /* per batch, ms; < 0 unanswered */
	double t_last;
};

static void count_error(struct drill *dr, const char *code, int64_t n)
{
	for (int i = 0; i < dr->nerrs; i++)
		if (!strcmp(dr->errs[i].code, code)) {
			dr->errs[i].n += n;
			return;
		}
	if (dr->nerrs < DRILL_ERRCODES) {
		snprintf(dr->errs[dr->nerrs].code, sizeof dr->errs[0].code, "%s", code);
		dr->errs[dr->nerrs++].n = n;
	}
}

static void now_iso(char out[21])
{
	screening_time_format(mu_now_unix(), out);
}

/* A fresh scan id laid out as a UUIDv7 (RFC 9562), in 32 hex digits: 48 bits of Unix
 * milliseconds, then 74 random bits. Ids made at about the same time sort together, so
 * the server's unique index of scan ids grows at its right edge instead of taking a
 * random page per scan — as the web app's sampler page does too. */
static void scan_id_new(char out[33])
{
	unsigned char raw[16];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	randombytes_buf(raw, sizeof raw);
	for (int i = 0; i < 6; i++)
		raw[i] = (unsigned char)(ms >> (40 - 8 * i));
	raw[6] = (unsigned char)(0x70 | (raw[6] & 0x0f));
	raw[8] = (unsigned char)(0x80 | (raw[8] & 0x3f));
	sodium_bin2hex(out, 33, raw, sizeof raw);
}

/* Builds batch b's body: the scans of people b*batch.. in arrival order (or the resent
 * ids), with their scan ids in ids[]. Returns the item count. */
static size_t batch_build(struct drill *dr, size_t b, char (*ids)[SCREENING_SCAN_ID_MAX + 1],
			  json_t **body)
{
	size_t lo = b * (size_t)dr->batch, total = dr->resend ? dr->nresend : dr->npeople;
	size_t hi = lo + (size_t)dr->batch < total ? lo + (size_t)dr->batch : total;
	char at[21], bar[64];
	json_t *arr = json_array();
	now_iso(at);
	for (size_t j = lo; j < hi; j++) {
		const struct person *p = &dr->people[j % dr->npeople];
		if (dr->resend) {
			snprintf(ids[j - lo], SCREENING_SCAN_ID_MAX + 1, "%s", dr->resend[j]);
			snprintf(bar, sizeof bar, "D%llu-R", (unsigned long long)dr->seed);
		} else {
			char hex[33];
			scan_id_new(hex);
			snprintf(ids[j - lo], SCREENING_SCAN_ID_MAX + 1, "%s", hex);
			snprintf(bar, sizeof bar, "D%llu-%zu", (unsigned long long)dr->seed,
				 j / (size_t)dr->k);
		}
		json_array_append_new(arr, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "scan_id",
						     ids[j - lo], "round", (json_int_t)dr->round_id,
						     "site", dr->site, "tube", bar, "person",
						     p->code, "at", at));
	}
	*body = json_pack("{s:o}", "scans", arr);
	return hi - lo;
}

/* Reads one batch's answer: counts, tube fill, and the ack log. */
static void batch_answer(struct drill *dr, size_t b, size_t n,
			 char (*ids)[SCREENING_SCAN_ID_MAX + 1], int status, const char *body,
			 size_t blen)
{
	json_error_t je;
	json_t *root = json_loadb(body, blen, 0, &je);
	json_t *results = json_object_get(root, "results");
	int64_t ok = 0, dup = 0, err = 0;
	struct mu_buf acks;
	mu_buf_init(&acks, (size_t)SCREENING_BATCH_MAX * (SCREENING_SCAN_ID_MAX + 2));
	pthread_mutex_lock(&dr->mu);
	if (status != 200 || !json_is_array(results) || json_array_size(results) != n) {
		const char *code =
		    json_string_value(json_object_get(json_object_get(root, "error"), "code"));
		char what[32];
		snprintf(what, sizeof what, "http-%d%s%s", status, code ? ":" : "",
			 code ? code : "");
		count_error(dr, what, (int64_t)n);
		err = (int64_t)n;
		dr->refused_batches++;
	} else {
		for (size_t i = 0; i < n; i++) {
			json_t *it = json_array_get(results, i);
			const char *st = json_string_value(json_object_get(it, "status"));
			if (st && (!strcmp(st, "ok") || !strcmp(st, "duplicate"))) {
				mu_buf_puts(&acks, ids[i]);
				mu_buf_putc(&acks, '\n');
			}
			if (st && !strcmp(st, "ok")) {
				ok++;
				if (!dr->resend) {
					size_t t = (b * (size_t)dr->batch + i) / (size_t)dr->k;
					atomic_fetch_add(&dr->tubes[t].ok, 1);
					if (json_is_true(json_object_get(it, "sealed")))
						atomic_store(&dr->tubes[t].sealed, true);
				}
			} else if (st && !strcmp(st, "duplicate")) {
				dup++;
			} else {
				const char *code = json_string_value(
				    json_object_get(json_object_get(it, "error"), "code"));
				count_error(dr, code ? code : "?", 1);
				err++;
			}
		}
	}
	dr->answered += (int64_t)n;
	dr->ok += ok;
	dr->dup += dup;
	dr->err += err;
	pthread_mutex_unlock(&dr->mu);
	if (dr->ack_fd >= 0 && acks.len) {
		/* One write per batch on an O_APPEND descriptor: lines never interleave. */
		const char *p = mu_buf_str(&acks);
		size_t left = acks.len;
		while (left) {
			ssize_t k = write(dr->ack_fd, p, left);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			p += k;
			left -= (size_t)k;
		}
	}
	mu_buf_fini(&acks);
	json_decref(root);
}

static void sleep_until(double t)
{
	double d = t - mu_now_mono();
	if (d <= 0)
		return;
	struct timespec ts = {(time_t)d, (long)((d - floor(d)) * 1e9)};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A sender: takes the next batch, waits for its turn at the rate, sends it, records
 * the answer; until every batch went or the deadline passed. */
static void *sender(void *arg)
{
	struct drill *dr = arg;
	struct conn c;
	char(*ids)[SCREENING_SCAN_ID_MAX + 1] = mu_xcalloc((size_t)dr->batch, sizeof *ids);
	conn_init(&c, &dr->url, dr->token);
	for (;;) {
		pthread_mutex_lock(&dr->mu);
		size_t b = dr->next < dr->nbatches ? dr->next++ : SIZE_MAX;
		pthread_mutex_unlock(&dr->mu);
		if (b == SIZE_MAX)
			break;
		double due = dr->rate > 0 ? dr->t0 + (double)b * dr->batch / dr->rate : 0;
		if (due > dr->deadline || mu_now_mono() >= dr->deadline)
			break;
		sleep_until(due);
		json_t *body;
		size_t n = batch_build(dr, b, ids, &body);
		char *json = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		int status;
		char *resp;
		size_t rlen;
		double t = mu_now_mono();
		int rc =
		    conn_do(&c, "POST", "/api/v1/scans", json, strlen(json), &status, &resp, &rlen);
		double ms = (mu_now_mono() - t) * 1e3;
		free(json);
		pthread_mutex_lock(&dr->mu);
		dr->sent += (int64_t)n;
		dr->sent_batches++;
		dr->lat[b] = rc ? -1 : ms;
		if (rc)
			dr->unanswered_batches++;
		pthread_mutex_unlock(&dr->mu);
		if (rc) {
			/* The server is gone or restarting: do not spin on refused connects. */
			sleep_until(mu_now_mono() + 0.05);
			continue;
		}
		batch_answer(dr, b, n, ids, status, resp, rlen);
		pthread_mutex_lock(&dr->mu);
		double now = mu_now_mono();
		if (now > dr->t_last)
			dr->t_last = now;
		pthread_mutex_unlock(&dr->mu);
	}
	conn_fini(&c);
	free(ids);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* ---- setting up: people, site ------------------------------------------------------------ */

struct collect {
	struct person *v;
	size_t n, cap;
};

static int collect_fn(const struct people_person *p, void *ctx)
{
	struct collect *cl = ctx;
	if (cl->n == cl->cap) {
		cl->cap = cl->cap ? cl->cap * 2 : 4096;
		cl->v = mu_xrealloc(cl->v, cl->cap * sizeof *cl->v);
	}
	struct person *q = &cl->v[cl->n++];
	q->id = p->id;
	q->positive = false;
	people_code_format(p->code, q->code);
	return 0;
}

/* splitmix64: the drill's reproducible randomness (arrival order, positives). */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The place whose people come to the site: the site's community when the site is at
 * community level or below, else the site's place; narrowed to the round's scope when
 * the scope lies inside it. MU_EINVAL when the site and the scope do not nest. */
static int arrival_place(struct db *d, int64_t site_place, int64_t scope, int64_t *out)
{
	int64_t ids[PLACES_NLEVELS];
	int n, rc;
	bool in;
	struct places_node node;
	if ((rc = places_path(d, site_place, ids, &n)))
		return rc;
	*out = site_place;
	for (int i = 0; i < n; i++) {
		if ((rc = places_get(d, ids[i], &node)))
			return rc;
		if (node.level == PLACES_COMMUNITY) {
			*out = node.id;
			break;
		}
	}
	if ((rc = places_is_within(d, *out, scope, &in)))
		return rc;
	if (in)
		return 0;
	if ((rc = places_is_within(d, scope, *out, &in)))
		return rc;
	if (!in)
		return MU_EINVAL;
	*out = scope;
	return 0;
}

static const char sql_sites[] = "SELECT code, place_id FROM sites ORDER BY id";

/* The site: --site, else the first site inside the round's scope. */
static int pick_site(struct db *d, const char *flag, int64_t scope, struct screening_site *out)
{
	struct db_stmt *s = NULL;
	int rc;
	if (flag)
		return screening_site_find(d, flag, out);
	if ((rc = db_prepare(d, sql_sites, &s)))
		return rc;
	rc = MU_ENOTFOUND;
	while (db_step(s) == 1) {
		bool in = false;
		if (places_is_within(d, db_col_i64(s, 1), scope, &in) == 0 && in) {
			rc = screening_site_find(d, db_col_text(s, 0), out);
			break;
		}
	}
	db_stmt_done(s);
	return rc;
}

static char **read_lines(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[256], **v = NULL;
	size_t cap = 0;
	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!*line)
			continue;
		if (*n == cap)
			v = mu_xrealloc(v, (cap = cap ? cap * 2 : 1024) * sizeof *v);
		v[(*n)++] = mu_xstrdup(line);
	}
	fclose(f);
	if (!v)
		v = mu_xcalloc(1, sizeof *v);
	return v;
}

/* ---- after the storm: sealing, the lab ------------------------------------------------ */

/* POSTs body to path on c; returns the parsed answer (caller decrefs) or NULL, with
 * the HTTP status in *status (0 when unanswered). */
static json_t *post_json(struct conn *c, const char *path, json_t *body, int *status)
{
	char *json = json_dumps(body, JSON_COMPACT);
	char *resp;
	size_t rlen;
	json_t *out = NULL;
	*status = 0;
	if (conn_do(c, "POST", path, json, strlen(json), status, &resp, &rlen) == 0)
		out = json_loadb(resp, rlen, 0, NULL);
	free(json);
	return out;
}

/* Seals the tubes left partly filled; returns how many were sealed here. */
static int64_t seal_rest(struct drill *dr, int64_t *failed)
{
	struct conn c;
	int64_t n = 0;
	conn_init(&c, &dr->url, dr->token);
	*failed = 0;
	for (size_t t = 0; t < dr->ntubes; t++) {
		if (!atomic_load(&dr->tubes[t].ok) || atomic_load(&dr->tubes[t].sealed))
			continue;
		char path[96];
		int st;
		snprintf(path, sizeof path, "/api/v1/tubes/D%llu-%zu/seal",
			 (unsigned long long)dr->seed, t);
		json_t *body = json_object();
		json_decref(post_json(&c, path, body, &st));
		json_decref(body);
		if (st == 200) {
			atomic_store(&dr->tubes[t].sealed, true);
			n++;
		} else {
			(*failed)++;
		}
	}
	conn_fini(&c);
	return n;
}

/* Counts the items of a per-item answer that carry an error. */
static int64_t item_errors(json_t *resp, const char *key, size_t n)
{
	json_t *a = json_object_get(resp, key);
	int64_t e = 0;
	if (!json_is_array(a) || json_array_size(a) != n)
		return (int64_t)n;
	for (size_t i = 0; i < n; i++)
		if (json_object_get(json_array_get(a, i), "error"))
			e++;
	return e;
}

/* The lab receives every sealed tube and posts their results; prints the counts. */
/* The recall: every member of a positive pooled tube is re-swabbed at the site into a
 * single tube of their own (barcode D<seed>-S<arrival>, opened and sealed by the scan
 * path because they are recalled), the lab receives those tubes and posts each result:
 * positive for the drill's positive people, negative for the rest. members[0..n) are
 * arrival positions. Adds refusals to *err; returns the confirmed positives. */
static int64_t recall_run(struct drill *dr, struct conn *lab, const char *lab_code,
			  const size_t *members, size_t n, int64_t *err)
{
	struct conn site;
	char bar[64], at[21], path[96], id[33];
	int64_t confirmed = 0;
	conn_init(&site, &dr->url, dr->token);
	snprintf(path, sizeof path, "/api/v1/labs/%s/receipts", lab_code);
	for (size_t lo = 0; lo < n; lo += SCREENING_BATCH_MAX) {
		size_t hi = lo + SCREENING_BATCH_MAX < n ? lo + SCREENING_BATCH_MAX : n;
		json_t *scans = json_array(), *bars = json_array(), *results = json_array();
		now_iso(at);
		for (size_t i = lo; i < hi; i++) {
			const struct person *p = &dr->people[members[i]];
			snprintf(bar, sizeof bar, "D%llu-S%zu", (unsigned long long)dr->seed,
				 members[i]);
			scan_id_new(id);
			json_array_append_new(scans, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}",
							       "scan_id", id, "round",
							       (json_int_t)dr->round_id, "site",
							       dr->site, "tube", bar, "person",
							       p->code, "at", at));
			json_array_append_new(bars, json_string(bar));
			json_array_append_new(
			    results, json_pack("{s:s, s:s, s:f, s:f, s:s}", "tube", bar, "result",
					       p->positive ? "positive" : "negative", "ct_orf1ab",
					       p->positive ? 22.0 : 40.0, "ct_n",
					       p->positive ? 23.5 : 40.0, "at", at));
			confirmed += p->positive;
		}
		struct {
			struct conn *c;
			const char *path, *key;
			json_t *body;
		} steps[] = {
		    {&site, "/api/v1/scans", "results", json_pack("{s:o}", "scans", scans)},
		    {lab, path, "results", json_pack("{s:o}", "tubes", bars)},
		    {lab, "/api/v1/results", "results", json_pack("{s:o}", "results", results)},
		};
		for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
			int st;
			json_t *resp = post_json(steps[k].c, steps[k].path, steps[k].body, &st);
			*err += st == 200 ? item_errors(resp, steps[k].key, hi - lo) : (int64_t)(hi - lo);
			json_decref(resp);
			json_decref(steps[k].body);
		}
	}
	conn_fini(&site);
	return confirmed;
}

static int lab_run(struct drill *dr, const char *lab_token, const char *lab)
{
	struct conn c;
	size_t *tubes = mu_xcalloc(dr->ntubes + 1, sizeof *tubes), nt = 0;
	size_t *members = mu_xcalloc(dr->npeople + 1, sizeof *members), nm = 0;
	int64_t recv_err = 0, res_err = 0, neg = 0, pos = 0, rec_err = 0, confirmed;
	char path[96], bar[64];
	for (size_t t = 0; t < dr->ntubes; t++)
		if (atomic_load(&dr->tubes[t].ok) && atomic_load(&dr->tubes[t].sealed))
			tubes[nt++] = t;
	conn_init(&c, &dr->url, lab_token);
	snprintf(path, sizeof path, "/api/v1/labs/%s/receipts", lab);
	for (int phase = 0; phase < 2; phase++) {
		for (size_t lo = 0; lo < nt; lo += SCREENING_BATCH_MAX) {
			size_t hi = lo + SCREENING_BATCH_MAX < nt ? lo + SCREENING_BATCH_MAX : nt;
			json_t *arr = json_array();
			char at[21];
			now_iso(at);
			for (size_t i = lo; i < hi; i++) {
				size_t t = tubes[i];
				snprintf(bar, sizeof bar, "D%llu-%zu", (unsigned long long)dr->seed,
					 t);
				if (phase == 0) {
					json_array_append_new(arr, json_string(bar));
					continue;
				}
				/* The tube's members: arrival positions t*k .. t*k+k-1 (the scans
				 * answered ok; a refused one never entered the tube, and counting
				 * it positive would be the rare, harmless overestimate). */
				bool positive = false;
				for (size_t j = t * (size_t)dr->k;
				     j < (t + 1) * (size_t)dr->k && j < dr->npeople; j++)
					positive |= dr->people[j].positive;
				if (positive) {
					pos++;
					for (size_t j = t * (size_t)dr->k;
					     j < (t + 1) * (size_t)dr->k && j < dr->npeople; j++)
						members[nm++] = j;
				} else {
					neg++;
				}
				json_array_append_new(
				    arr, json_pack("{s:s, s:s, s:f, s:f, s:s}", "tube", bar,
						   "result", positive ? "positive" : "negative",
						   "ct_orf1ab", positive ? 24.5 : 40.0, "ct_n",
						   positive ? 26.0 : 40.0, "at", at));
			}
			json_t *body = phase == 0 ? json_pack("{s:o}", "tubes", arr)
						  : json_pack("{s:o}", "results", arr);
			int st;
			json_t *resp =
			    post_json(&c, phase == 0 ? path : "/api/v1/results", body, &st);
			json_decref(body);
			int64_t e =
			    st == 200 ? item_errors(resp, "results", hi - lo) : (int64_t)(hi - lo);
			*(phase == 0 ? &recv_err : &res_err) += e;
			json_decref(resp);
		}
	}
	confirmed = recall_run(dr, &c, lab, members, nm, &rec_err);
	conn_fini(&c);
	free(tubes);
	free(members);
	printf("lab %s: %zu tubes sent for receipt, %lld refused; results sent: %lld "
	       "negative, %lld positive, %lld refused\n",
	       lab, nt, (long long)recv_err, (long long)neg, (long long)pos, (long long)res_err);
	printf("recall: %zu people of positive tubes re-swabbed into single tubes; %lld "
	       "confirmed positive, %zu cleared; %lld refused\n",
	       nm, (long long)confirmed, nm - (size_t)confirmed, (long long)rec_err);
	return recv_err || res_err || rec_err ? CLI_REJECTED : CLI_OK;
}

/* ---- the command -------------------------------------------------------------------------- */

enum {
	O_DB = 1,
	O_ROUND,
	O_URL,
	O_TOKEN,
	O_RATE,
	O_PREV,
	O_SEED,
	O_DURATION,
	O_BATCH,
	O_CONNS,
	O_SITE,
	O_ACKLOG,
	O_RESEND,
	O_LABTOKEN,
	O_LAB,
	O_HELP
};

static int num_opt(const char *flag, const char *v, double lo, double hi, double *out)
{
	if (mu_parse_double(v, out) || !(*out >= lo && *out <= hi))
		return cli_usage_error("drill", "%s wants a number from %g to %g", flag, lo, hi);
	return 0;
}

static void print_report(struct drill *dr, double secs)
{
	printf("scans: sent %lld in %lld batches, answered %lld: ok %lld, duplicate %lld, "
	       "error %lld; unanswered batches %lld\n",
	       (long long)dr->sent, (long long)dr->sent_batches, (long long)dr->answered,
	       (long long)dr->ok, (long long)dr->dup, (long long)dr->err,
	       (long long)dr->unanswered_batches);
	if (dr->nerrs) {
		printf("errors:");
		for (int i = 0; i < dr->nerrs; i++)
			printf(" %s %lld", dr->errs[i].code, (long long)dr->errs[i].n);
		printf("\n");
	}
	double *l = mu_xcalloc(dr->nbatches + 1, sizeof *l);
	size_t m = 0;
	for (size_t b = 0; b < dr->nbatches; b++)
		if (dr->lat[b] >= 0)
			l[m++] = dr->lat[b];
	qsort(l, m, sizeof *l, cmp_double);
	double p50 = m ? l[(m - 1) / 2] : 0, p99 = m ? l[(size_t)ceil(0.99 * (double)m) - 1] : 0;
	free(l);
	double acked = (double)(dr->ok + dr->dup);
	printf("rate: %.0f acknowledged scans/s over %.2f s; batch latency p50 %.2f ms p99 "
	       "%.2f ms\n",
	       secs > 0 ? acked / secs : 0, secs, p50, p99);
}

static int drill_screening(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, NULL, O_DB},
					     {"round", required_argument, NULL, O_ROUND},
					     {"url", required_argument, NULL, O_URL},
					     {"token", required_argument, NULL, O_TOKEN},
					     {"rate", required_argument, NULL, O_RATE},
					     {"prevalence", required_argument, NULL, O_PREV},
					     {"seed", required_argument, NULL, O_SEED},
					     {"duration", required_argument, NULL, O_DURATION},
					     {"batch", required_argument, NULL, O_BATCH},
					     {"connections", required_argument, NULL, O_CONNS},
					     {"site", required_argument, NULL, O_SITE},
					     {"ack-log", required_argument, NULL, O_ACKLOG},
					     {"resend", required_argument, NULL, O_RESEND},
					     {"lab-token", required_argument, NULL, O_LABTOKEN},
					     {"lab", required_argument, NULL, O_LAB},
					     {"help", no_argument, NULL, O_HELP},
					     {NULL, 0, NULL, 0}};
	const char *dbp = NULL, *url = NULL, *token = NULL, *site = NULL, *acklog = NULL;
	const char *resend = NULL, *lab_token = NULL, *lab = NULL;
	double round = 0, rate = -1, prev = 0.0005, seed = -1, duration = 0, batch = 100, conns = 4;
	struct drill dr;
	struct db *d = NULL;
	struct people_keys keys;
	struct screening_round rd;
	struct screening_site st;
	struct collect cl = {0};
	int c, rc, ret = CLI_REJECTED;
	pthread_t *th = NULL;
	int nth = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			dbp = optarg;
			break;
		case O_URL:
			url = optarg;
			break;
		case O_TOKEN:
			token = optarg;
			break;
		case O_SITE:
			site = optarg;
			break;
		case O_ACKLOG:
			acklog = optarg;
			break;
		case O_RESEND:
			resend = optarg;
			break;
		case O_LABTOKEN:
			lab_token = optarg;
			break;
		case O_LAB:
			lab = optarg;
			break;
		case O_ROUND:
			if (num_opt("--round", optarg, 1, 9e15, &round))
				return CLI_USAGE;
			break;
		case O_RATE:
			if (num_opt("--rate", optarg, 0, 1e7, &rate))
				return CLI_USAGE;
			break;
		case O_PREV:
			if (num_opt("--prevalence", optarg, 0, 1, &prev))
				return CLI_USAGE;
			break;
		case O_SEED:
			if (num_opt("--seed", optarg, 0, 4294967295.0, &seed))
				return CLI_USAGE;
			break;
		case O_DURATION:
			if (num_opt("--duration", optarg, 0.001, 1e7, &duration))
				return CLI_USAGE;
			break;
		case O_BATCH:
			if (num_opt("--batch", optarg, 1, SCREENING_BATCH_MAX, &batch))
				return CLI_USAGE;
			break;
		case O_CONNS:
			if (num_opt("--connections", optarg, 1, 256, &conns))
				return CLI_USAGE;
			break;
		case O_HELP:
			fputs(help, stdout);
			return CLI_OK;
		default:
			return cli_usage_error("drill", "unknown option or missing value");
		}
	}
	if (optind >= argc || strcmp(argv[optind], "screening"))
		return cli_usage_error("drill", "missing drill name: screening");
	if (optind + 1 != argc)
		return cli_usage_error("drill", "unexpected argument '%s'", argv[optind + 1]);
	if (!round || !url || !token || rate < 0)
		return cli_usage_error("drill",
				       "screening needs --round, --url, --token and --rate");
	if (!lab_token != !lab)
		return cli_usage_error("drill", "--lab-token and --lab go together");
	if (round != floor(round) || seed != floor(seed) || batch != floor(batch) ||
	    conns != floor(conns))
		return cli_usage_error("drill", "--round, --seed, --batch and --connections are "
						"integers");
	memset(&dr, 0, sizeof dr);
	dr.ack_fd = -1;
	if (url_parse(url, &dr.url))
		return cli_usage_error("drill", "--url wants http://HOST[:PORT]");
	mu_sodium_init();
	if (cli_open(dbp, false, &d, &keys))
		return CLI_REJECTED;
	dr.token = token;
	dr.round_id = (int64_t)round;
	dr.batch = (int)batch;
	dr.rate = rate;
	if (seed < 0) {
		dr.seed = randombytes_random();
	} else {
		dr.seed = (uint64_t)seed;
	}
	if ((rc = screening_round_get(d, dr.round_id, &rd))) {
		fprintf(stderr, "muster drill: no round %lld\n", (long long)dr.round_id);
		goto out;
	}
	if ((rc = pick_site(d, site, rd.scope_place_id, &st))) {
		fprintf(stderr, "muster drill: %s\n",
			site ? "no such site"
			     : "no site inside the round's scope (muster site add)");
		goto out;
	}
	snprintf(dr.site, sizeof dr.site, "%s", st.code);
	dr.k = rd.pool_k;
	int64_t place;
	if ((rc = arrival_place(d, st.place_id, rd.scope_place_id, &place))) {
		fprintf(stderr, "muster drill: site %s is not inside the round's scope\n", st.code);
		goto out;
	}
	double tl = mu_now_mono();
	rc = people_walk(d, &keys, place, collect_fn, &cl);
	sodium_memzero(&keys, sizeof keys);
	db_close(d);
	d = NULL;
	if (rc) {
		fprintf(stderr, "muster drill: reading the people: %s\n", mu_err_msg(rc));
		goto out;
	}
	if (!cl.n) {
		fprintf(stderr, "muster drill: nobody lives where site %s takes people\n", st.code);
		goto out;
	}
	dr.people = cl.v;
	dr.npeople = cl.n;
	uint64_t rs = dr.seed;
	for (size_t i = dr.npeople - 1; i > 0; i--) { /* arrival order: Fisher-Yates */
		size_t j = (size_t)(rnd(&rs) % (i + 1));
		struct person tmp = dr.people[i];
		dr.people[i] = dr.people[j];
		dr.people[j] = tmp;
	}
	for (size_t i = 0; i < dr.npeople; i++)
		dr.people[i].positive = (double)(rnd(&rs) >> 11) * 0x1.0p-53 < prev;
	fprintf(
	    stderr,
	    "muster drill: round %lld (pool %d), site %s, %zu people loaded in %.2f s; seed %llu\n",
	    (long long)dr.round_id, dr.k, dr.site, dr.npeople, mu_now_mono() - tl,
	    (unsigned long long)dr.seed);
	if (resend) {
		if (!(dr.resend = read_lines(resend, &dr.nresend))) {
			fprintf(stderr, "muster drill: cannot read %s\n", resend);
			goto out;
		}
	}
	if (acklog &&
	    (dr.ack_fd = open(acklog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "muster drill: cannot open %s: %s\n", acklog, strerror(errno));
		goto out;
	}
	size_t total = dr.resend ? dr.nresend : dr.npeople;
	dr.ntubes = dr.npeople / (size_t)dr.k + 1;
	dr.tubes = mu_xcalloc(dr.ntubes, sizeof *dr.tubes);
	dr.nbatches = (total + (size_t)dr.batch - 1) / (size_t)dr.batch;
	dr.lat = mu_xcalloc(dr.nbatches + 1, sizeof *dr.lat);
	for (size_t b = 0; b < dr.nbatches; b++)
		dr.lat[b] = -1;
	pthread_mutex_init(&dr.mu, NULL);
	dr.t0 = dr.t_last = mu_now_mono();
	dr.deadline = duration > 0 ? dr.t0 + duration : INFINITY;
	th = mu_xcalloc((size_t)conns, sizeof *th);
	for (nth = 0; nth < (int)conns; nth++)
		if (pthread_create(&th[nth], NULL, sender, &dr))
			break;
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	double secs = dr.t_last - dr.t0;
	if (dr.resend)
		printf("resend: %zu scan ids from %s\n", dr.nresend, resend);
	print_report(&dr, secs);
	ret = dr.unanswered_batches || dr.refused_batches || dr.sent < (int64_t)total ? CLI_REJECTED
										      : CLI_OK;
	if (!dr.resend) {
		int64_t full = 0, opened = 0, failed;
		for (size_t t = 0; t < dr.ntubes; t++) {
			opened += atomic_load(&dr.tubes[t].ok) > 0;
			full +=
			    atomic_load(&dr.tubes[t].ok) > 0 && atomic_load(&dr.tubes[t].sealed);
		}
		int64_t by_hand = seal_rest(&dr, &failed);
		printf("tubes: %lld filled, %lld sealed full, %lld sealed by hand, %lld could "
		       "not be sealed\n",
		       (long long)opened, (long long)full, (long long)by_hand, (long long)failed);
		if (lab && lab_run(&dr, lab_token, lab) != CLI_OK)
			ret = CLI_REJECTED;
	}
	pthread_mutex_destroy(&dr.mu);
out:
	if (d) {
		sodium_memzero(&keys, sizeof keys);
		db_close(d);
	}
	if (dr.ack_fd >= 0)
		close(dr.ack_fd);
	for (size_t i = 0; dr.resend && i < dr.nresend; i++)
		free(dr.resend[i]);
	free(dr.resend);
	free(th);
	free(dr.lat);
	free(dr.tubes);
	free(cl.v);
	return ret;
}

int cmd_drill(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(help, stdout);
		return CLI_OK;
	}
	return drill_screening(argc, argv);
}
