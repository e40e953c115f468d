/* drill.c: the screening drill — people of a round arrive at a sampling site in random
 * order and are scanned into pooled tubes through the HTTP API (libcurl's multi
 * interface: one thread, several keep-alive connections), then the lab and the recall.
 * Counts what it sent and what the server acknowledged. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/screening.h"
#include "sim.h"

#define DRILL_RESP_MAX (64u << 20) /* bytes of one HTTP response */
#define DRILL_URL_MAX  300

/* ---- an HTTP client over libcurl ------------------------------------------------------ */

/* Checks http://HOST[:PORT][/] (HOST may be [v6]) and writes the base URL without the
 * slash into base. Returns 0 or MU_EINVAL. */
static int url_parse(const char *s, char base[DRILL_URL_MAX])
{
	const char *p, *end;
	size_t n;
	if (strncmp(s, "http://", 7))
		return MU_EINVAL;
	p = s + 7;
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end || end == p + 1 || (size_t)(end - p - 1) >= 256)
			return MU_EINVAL;
		p = end + 1;
	} else {
		n = strcspn(p, ":/");
		if (n == 0 || n >= 256)
			return MU_EINVAL;
		p += n;
	}
	if (*p == ':') {
		n = strspn(p + 1, "0123456789");
		if (n == 0 || n > 5 || atoi(p + 1) > 65535 || atoi(p + 1) < 1)
			return MU_EINVAL;
		p += 1 + n;
	}
	if (*p && strcmp(p, "/"))
		return MU_EINVAL; /* the API lives at the root */
	snprintf(base, DRILL_URL_MAX, "%.*s", (int)(p - s), s);
	return 0;
}

/* One connection's worth of state: an easy handle (libcurl keeps its connection alive
 * between requests), its headers and the answer being received. */
struct client {
	CURL *h;
	struct curl_slist *hdrs;
	const char *base;
	char *in; /* the answer's body, in[0..in_n), NUL-terminated */
	size_t in_n, in_cap;
	char *req; /* the request body, owned until the answer came */
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct client *c = ctx;
	size_t k = size * n;
	if (c->in_n + k + 1 > DRILL_RESP_MAX)
		return 0; /* libcurl ends the transfer with an error */
	if (c->in_n + k + 1 > c->in_cap) {
		c->in_cap = c->in_cap ? c->in_cap * 2 : 131072;
		while (c->in_cap < c->in_n + k + 1)
			c->in_cap *= 2;
		c->in = mu_xrealloc(c->in, c->in_cap);
	}
	memcpy(c->in + c->in_n, p, k);
	c->in_n += k;
	c->in[c->in_n] = 0;
	return k;
}

static void client_init(struct client *c, const char *base, const char *token)
{
	char auth[512];
	memset(c, 0, sizeof *c);
	c->base = base;
	c->h = curl_easy_init();
	if (!c->h)
		abort(); /* out of memory, as mu_xmalloc */
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	c->hdrs = curl_slist_append(c->hdrs, auth);
	c->hdrs = curl_slist_append(c->hdrs, "Content-Type: application/json");
	/* libcurl would ask "Expect: 100-continue" before a large body: a round trip more. */
	c->hdrs = curl_slist_append(c->hdrs, "Expect:");
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->h, CURLOPT_PRIVATE, c);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_NOPROXY, "*"); /* the server is reached directly */
	curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
}

static void client_fini(struct client *c)
{
	if (c->h)
		curl_easy_cleanup(c->h);
	curl_slist_free_all(c->hdrs);
	free(c->in);
	free(c->req);
	memset(c, 0, sizeof *c);
}

/* Sets up a POST of body (taken: freed with the answer) to path. */
static void client_prepare(struct client *c, const char *path, char *body)
{
	char url[DRILL_URL_MAX + 128];
	snprintf(url, sizeof url, "%s%s", c->base, path);
	free(c->req);
	c->req = body;
	c->in_n = 0;
	if (c->in)
		c->in[0] = 0;
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
}

/* The HTTP status of the transfer that ended with res: 0 when unanswered. */
static int client_status(struct client *c, CURLcode res)
{
	long st = 0;
	if (res != CURLE_OK)
		return 0;
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &st);
	return (int)st;
}

/* POSTs body to path and waits: the parsed answer (caller decrefs) or NULL, with the
 * HTTP status in *status (0 when unanswered). */
static json_t *client_post(struct client *c, const char *path, json_t *body, int *status)
{
	client_prepare(c, path, json_dumps(body, JSON_COMPACT));
	*status = client_status(c, curl_easy_perform(c->h));
	return *status ? json_loadb(c->in ? c->in : "", c->in_n, 0, NULL) : NULL;
}

/* ---- the drill's state -------------------------------------------------------------------- */

struct person {
	int64_t id;
	char code[PEOPLE_CODE_LEN + 1];
	bool positive;
};

struct tube {
	int ok; /* scans acknowledged ok */
	bool sealed;
};

struct sim_drill {
	const struct sim_drill_opts *o;
	char base[DRILL_URL_MAX];
	char site[SCREENING_CODE_MAX + 1];
	int k;
	struct person *people;
	size_t npeople;
	struct tube *tubes;
	size_t ntubes;
	int ack_fd;    /* -1 without an ack log */
	char **resend; /* scan ids to send again, else NULL */
	size_t nresend;
	size_t nbatches;
	double *lat; /* per batch, ms; < 0 unanswered */
	double t0, t_last;
};

static void count_error(struct sim_drill_report *r, const char *code, int64_t n)
{
	for (int i = 0; i < r->nerrs; i++)
		if (!strcmp(r->errs[i].code, code)) {
			r->errs[i].n += n;
			return;
		}
	if (r->nerrs < SIM_DRILL_ERRCODES) {
		snprintf(r->errs[r->nerrs].code, sizeof r->errs[0].code, "%s", code);
		r->errs[r->nerrs++].n = n;
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
static size_t batch_build(struct sim_drill *dr, size_t b, char (*ids)[SCREENING_SCAN_ID_MAX + 1],
			  char **body)
{
	size_t batch = (size_t)dr->o->batch;
	size_t lo = b * batch, total = dr->resend ? dr->nresend : dr->npeople;
	size_t hi = lo + batch < total ? lo + batch : total;
	unsigned long long seed = (unsigned long long)dr->o->seed;
	char at[21], bar[64];
	json_t *arr = json_array();
	now_iso(at);
	for (size_t j = lo; j < hi; j++) {
		const struct person *p = &dr->people[j % dr->npeople];
		if (dr->resend) {
			snprintf(ids[j - lo], SCREENING_SCAN_ID_MAX + 1, "%s", dr->resend[j]);
			snprintf(bar, sizeof bar, "D%llu-R", seed);
		} else {
			char hex[33];
			scan_id_new(hex);
			snprintf(ids[j - lo], SCREENING_SCAN_ID_MAX + 1, "%s", hex);
			snprintf(bar, sizeof bar, "D%llu-%zu", seed, j / (size_t)dr->k);
		}
		json_array_append_new(arr, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "scan_id",
						     ids[j - lo], "round",
						     (json_int_t)dr->o->round_id, "site", dr->site,
						     "tube", bar, "person", p->code, "at", at));
	}
	json_t *o = json_pack("{s:o}", "scans", arr);
	*body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return hi - lo;
}

/* Appends the acknowledged ids to the ack log in one write on an O_APPEND descriptor. */
static void ack_write(int fd, struct mu_buf *acks)
{
	const char *p = mu_buf_str(acks);
	size_t left = acks->len;
	while (left) {
		ssize_t k = write(fd, p, left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		p += k;
		left -= (size_t)k;
	}
}

/* Reads one batch's answer: counts, tube fill, and the ack log. */
static void batch_answer(struct sim_drill *dr, struct sim_drill_report *r, size_t b, size_t n,
			 char (*ids)[SCREENING_SCAN_ID_MAX + 1], int status, const char *body,
			 size_t blen)
{
	json_t *root = json_loadb(body, blen, 0, NULL);
	json_t *results = json_object_get(root, "results");
	int64_t ok = 0, dup = 0, err = 0;
	struct mu_buf acks;
	mu_buf_init(&acks, (size_t)SCREENING_BATCH_MAX * (SCREENING_SCAN_ID_MAX + 2));
	if (status != 200 || !json_is_array(results) || json_array_size(results) != n) {
		const char *code =
		    json_string_value(json_object_get(json_object_get(root, "error"), "code"));
		char what[32];
		snprintf(what, sizeof what, "http-%d%s%s", status, code ? ":" : "",
			 code ? code : "");
		count_error(r, what, (int64_t)n);
		err = (int64_t)n;
		r->refused_batches++;
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
					size_t t = (b * (size_t)dr->o->batch + i) / (size_t)dr->k;
					dr->tubes[t].ok++;
					if (json_is_true(json_object_get(it, "sealed")))
						dr->tubes[t].sealed = true;
				}
			} else if (st && !strcmp(st, "duplicate")) {
				dup++;
			} else {
				const char *code = json_string_value(
				    json_object_get(json_object_get(it, "error"), "code"));
				count_error(r, code ? code : "?", 1);
				err++;
			}
		}
	}
	r->answered += (int64_t)n;
	r->ok += ok;
	r->dup += dup;
	r->err += err;
	if (dr->ack_fd >= 0 && acks.len)
		ack_write(dr->ack_fd, &acks);
	mu_buf_fini(&acks);
	json_decref(root);
}

/* ---- the storm: one thread, one easy handle per connection, libcurl's multi loop ------- */

struct slot {
	struct client c;
	bool busy;
	double ready; /* mu_now_mono() from which it may send again */
	size_t b, n;  /* the batch in flight and its scans */
	double t;     /* when it was sent */
	char (*ids)[SCREENING_SCAN_ID_MAX + 1];
};

/* Sends every batch in turn from the free slots, each when it is due at the rate, and
 * records the answers; until every batch went or the deadline passed. */
static void storm(struct sim_drill *dr, struct sim_drill_report *r)
{
	const struct sim_drill_opts *o = dr->o;
	int nslots = o->connections;
	struct slot *slots = mu_xcalloc((size_t)nslots, sizeof *slots);
	CURLM *m = curl_multi_init();
	size_t next = 0;
	int busy = 0;
	bool stop = false;
	double deadline = o->duration > 0 ? dr->t0 + o->duration : INFINITY;

	if (!m)
		abort(); /* out of memory, as mu_xmalloc */
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)nslots);
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)nslots);
	for (int i = 0; i < nslots; i++) {
		client_init(&slots[i].c, dr->base, o->token);
		slots[i].ids = mu_xcalloc((size_t)o->batch, sizeof *slots[i].ids);
	}
	for (;;) {
		double now = mu_now_mono(), wake = now + 0.1;
		for (int i = 0; i < nslots && !stop; i++) {
			struct slot *s = &slots[i];
			if (s->busy)
				continue;
			if (s->ready > now) {
				wake = fmin(wake, s->ready);
				continue;
			}
			if (next >= dr->nbatches) {
				stop = true;
				break;
			}
			double due = o->rate > 0 ? dr->t0 + (double)next * o->batch / o->rate : 0;
			if (due > deadline || now >= deadline) {
				stop = true;
				break;
			}
			if (due > now) {
				wake = fmin(wake, due);
				break;
			}
			char *body;
			s->b = next++;
			s->n = batch_build(dr, s->b, s->ids, &body);
			client_prepare(&s->c, "/api/v1/scans", body);
			s->t = mu_now_mono();
			s->busy = true;
			busy++;
			r->sent += (int64_t)s->n;
			r->sent_batches++;
			curl_multi_add_handle(m, s->c.h);
		}
		if (!busy && (stop || next >= dr->nbatches))
			break;
		int running;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left, done = 0;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			done++;
			struct client *c;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
			struct slot *s = (struct slot *)c; /* c is the slot's first member */
			int status = client_status(c, msg->data.result);
			double t = mu_now_mono();
			curl_multi_remove_handle(m, c->h);
			s->busy = false;
			busy--;
			dr->lat[s->b] = status ? (t - s->t) * 1e3 : -1;
			if (!status) {
				/* The server is gone or restarting: do not spin on refused
				 * connects. */
				r->unanswered_batches++;
				s->ready = t + 0.05;
				continue;
			}
			batch_answer(dr, r, s->b, s->n, s->ids, status, c->in ? c->in : "",
				     c->in_n);
			if (t > dr->t_last)
				dr->t_last = t;
		}
		/* A slot just freed sends its next batch at once, not after the next event on
		 * the others' connections. */
		if (!done && (busy || wake > mu_now_mono())) {
			double ms = (wake - mu_now_mono()) * 1e3;
			curl_multi_poll(m, NULL, 0,
					ms < 0	   ? 0
					: ms > 100 ? 100
						   : (int)ceil(ms),
					NULL);
		}
	}
	for (int i = 0; i < nslots; i++) {
		client_fini(&slots[i].c);
		free(slots[i].ids);
	}
	curl_multi_cleanup(m);
	free(slots);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void latency(const struct sim_drill *dr, struct sim_drill_report *r)
{
	double *l = mu_xcalloc(dr->nbatches + 1, sizeof *l);
	size_t m = 0;
	for (size_t b = 0; b < dr->nbatches; b++)
		if (dr->lat[b] >= 0)
			l[m++] = dr->lat[b];
	qsort(l, m, sizeof *l, cmp_double);
	r->p50_ms = m ? l[(m - 1) / 2] : 0;
	r->p99_ms = m ? l[(size_t)ceil(0.99 * (double)m) - 1] : 0;
	free(l);
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

/* The place whose people come to the site: the site's place (a site samples only the
 * people living there, issue 11 #9), narrowed to the round's scope when the scope lies
 * inside it. MU_EINVAL when the site and the scope do not nest. */
static int arrival_place(struct db *d, int64_t site_place, int64_t scope, int64_t *out)
{
	int rc;
	bool in;
	*out = site_place;
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

struct first_site {
	struct db *d;
	int64_t scope;
	struct screening_site site; /* id 0 until one is found */
};

static int first_site_fn(const struct screening_site *s, void *ctx)
{
	struct first_site *f = ctx;
	bool in = false;
	if ((!f->site.id || s->id < f->site.id) &&
	    places_is_within(f->d, s->place_id, f->scope, &in) == 0 && in)
		f->site = *s;
	return 0;
}

/* The site: o->site, else the first site (by id) inside the round's scope. */
static int pick_site(struct db *d, const char *code, int64_t scope, struct screening_site *out)
{
	struct first_site f = {.d = d, .scope = scope};
	int rc;
	if (code)
		return screening_site_find(d, code, out);
	if ((rc = screening_site_list(d, first_site_fn, &f)))
		return rc;
	if (!f.site.id)
		return MU_ENOTFOUND;
	*out = f.site;
	return 0;
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

int sim_drill_check(const struct sim_drill_opts *o, const char **why)
{
	char base[DRILL_URL_MAX];
	*why = NULL;
	if (!o->url || url_parse(o->url, base))
		*why = "--url wants http://HOST[:PORT]";
	else if (o->batch < 1 || o->batch > SIM_DRILL_BATCH_MAX)
		*why = "--batch wants 1..1000";
	else if (o->connections < 1 || o->connections > 256)
		*why = "--connections wants 1..256";
	else if (!o->lab_token != !o->lab)
		*why = "--lab-token and --lab go together";
	return *why ? MU_EINVAL : 0;
}

int sim_drill_new(struct db *d, const struct people_keys *keys, const struct sim_drill_opts *o,
		  FILE *log, struct sim_drill **out, char *why, size_t why_len)
{
	struct sim_drill *dr = mu_xcalloc(1, sizeof *dr);
	struct screening_round rd;
	struct screening_site st;
	struct collect cl = {0};
	const char *bad;
	int64_t place;
	int rc;

	*out = NULL;
	dr->o = o;
	dr->ack_fd = -1;
	if ((rc = sim_drill_check(o, &bad)) || (rc = url_parse(o->url, dr->base))) {
		snprintf(why, why_len, "%s", bad ? bad : "bad url");
		goto out;
	}
	if ((rc = screening_round_get(d, o->round_id, &rd))) {
		snprintf(why, why_len, "no round %lld", (long long)o->round_id);
		goto out;
	}
	if ((rc = pick_site(d, o->site, rd.scope_place_id, &st))) {
		snprintf(why, why_len, "%s",
			 o->site ? "no such site"
				 : "no site inside the round's scope (muster site add)");
		goto out;
	}
	snprintf(dr->site, sizeof dr->site, "%s", st.code);
	dr->k = rd.pool_k;
	if ((rc = arrival_place(d, st.place_id, rd.scope_place_id, &place))) {
		snprintf(why, why_len, "site %s is not inside the round's scope", st.code);
		goto out;
	}
	double tl = mu_now_mono();
	if ((rc = people_walk(d, keys, place, collect_fn, &cl))) {
		snprintf(why, why_len, "reading the people: %s", mu_err_msg(rc));
		goto out;
	}
	dr->people = cl.v;
	dr->npeople = cl.n;
	cl.v = NULL;
	if (!dr->npeople) {
		snprintf(why, why_len, "nobody lives where site %s takes people", st.code);
		rc = MU_ENOTFOUND;
		goto out;
	}
	uint64_t rs = o->seed;
	for (size_t i = dr->npeople - 1; i > 0; i--) { /* arrival order: Fisher-Yates */
		size_t j = (size_t)(rnd(&rs) % (i + 1));
		struct person tmp = dr->people[i];
		dr->people[i] = dr->people[j];
		dr->people[j] = tmp;
	}
	for (size_t i = 0; i < dr->npeople; i++)
		dr->people[i].positive = (double)(rnd(&rs) >> 11) * 0x1.0p-53 < o->prevalence;
	if (log)
		fprintf(log,
			"muster drill: round %lld (pool %d), site %s, %zu people loaded in %.2f "
			"s; seed %llu\n",
			(long long)o->round_id, dr->k, dr->site, dr->npeople, mu_now_mono() - tl,
			(unsigned long long)o->seed);
	if (o->resend && !(dr->resend = read_lines(o->resend, &dr->nresend))) {
		snprintf(why, why_len, "cannot read %s", o->resend);
		rc = MU_EIO;
		goto out;
	}
	if (o->ack_log &&
	    (dr->ack_fd = open(o->ack_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
		snprintf(why, why_len, "cannot open %s: %s", o->ack_log, strerror(errno));
		rc = MU_EIO;
		goto out;
	}
	size_t total = dr->resend ? dr->nresend : dr->npeople;
	dr->ntubes = dr->npeople / (size_t)dr->k + 1;
	dr->tubes = mu_xcalloc(dr->ntubes, sizeof *dr->tubes);
	dr->nbatches = (total + (size_t)o->batch - 1) / (size_t)o->batch;
	dr->lat = mu_xcalloc(dr->nbatches + 1, sizeof *dr->lat);
	for (size_t b = 0; b < dr->nbatches; b++)
		dr->lat[b] = -1;
	*out = dr;
	dr = NULL;
	rc = 0;
out:
	free(cl.v);
	sim_drill_free(dr);
	return rc;
}

void sim_drill_free(struct sim_drill *dr)
{
	if (!dr)
		return;
	if (dr->ack_fd >= 0)
		close(dr->ack_fd);
	for (size_t i = 0; dr->resend && i < dr->nresend; i++)
		free(dr->resend[i]);
	free(dr->resend);
	if (dr->people)
		sodium_memzero(dr->people, dr->npeople * sizeof *dr->people);
	free(dr->people);
	free(dr->tubes);
	free(dr->lat);
	free(dr);
}

/* ---- after the storm: sealing, the lab ------------------------------------------------ */

/* Seals the tubes left partly filled; counts them in r. */
static void seal_rest(struct sim_drill *dr, struct sim_drill_report *r)
{
	struct client c;
	client_init(&c, dr->base, dr->o->token);
	for (size_t t = 0; t < dr->ntubes; t++) {
		if (!dr->tubes[t].ok || dr->tubes[t].sealed)
			continue;
		char path[96];
		int st;
		snprintf(path, sizeof path, "/api/v1/tubes/D%llu-%zu/seal",
			 (unsigned long long)dr->o->seed, t);
		json_t *body = json_object();
		json_decref(client_post(&c, path, body, &st));
		json_decref(body);
		if (st == 200) {
			dr->tubes[t].sealed = true;
			r->tubes_by_hand++;
		} else {
			r->tubes_unsealed++;
		}
	}
	client_fini(&c);
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

/* The recall: every member of a positive pooled tube is re-swabbed at the site into a
 * single tube of their own (barcode D<seed>-S<arrival>, opened and sealed by the scan
 * path because they are recalled), the lab receives those tubes and posts each result:
 * positive for the drill's positive people, negative for the rest. members[0..n) are
 * arrival positions. Counts in r. */
static void recall_run(struct sim_drill *dr, struct client *lab, const size_t *members, size_t n,
		       struct sim_drill_report *r)
{
	struct client site;
	char bar[64], at[21], path[96], id[33];
	client_init(&site, dr->base, dr->o->token);
	snprintf(path, sizeof path, "/api/v1/labs/%s/receipts", dr->o->lab);
	for (size_t lo = 0; lo < n; lo += SCREENING_BATCH_MAX) {
		size_t hi = lo + SCREENING_BATCH_MAX < n ? lo + SCREENING_BATCH_MAX : n;
		json_t *scans = json_array(), *bars = json_array(), *results = json_array();
		now_iso(at);
		for (size_t i = lo; i < hi; i++) {
			const struct person *p = &dr->people[members[i]];
			snprintf(bar, sizeof bar, "D%llu-S%zu", (unsigned long long)dr->o->seed,
				 members[i]);
			scan_id_new(id);
			json_array_append_new(
			    scans, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "scan_id", id,
					     "round", (json_int_t)dr->o->round_id, "site", dr->site,
					     "tube", bar, "person", p->code, "at", at));
			json_array_append_new(bars, json_string(bar));
			json_array_append_new(
			    results, json_pack("{s:s, s:s, s:f, s:f, s:s}", "tube", bar, "result",
					       p->positive ? "positive" : "negative", "ct_orf1ab",
					       p->positive ? 22.0 : 40.0, "ct_n",
					       p->positive ? 23.5 : 40.0, "at", at));
			r->confirmed += p->positive;
		}
		struct {
			struct client *c;
			const char *path, *key;
			json_t *body;
		} steps[] = {
		    {&site, "/api/v1/scans", "results", json_pack("{s:o}", "scans", scans)},
		    {lab, path, "results", json_pack("{s:o}", "tubes", bars)},
		    {lab, "/api/v1/results", "results", json_pack("{s:o}", "results", results)},
		};
		for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
			int st;
			json_t *resp = client_post(steps[k].c, steps[k].path, steps[k].body, &st);
			r->recall_refused += st == 200 ? item_errors(resp, steps[k].key, hi - lo)
						       : (int64_t)(hi - lo);
			json_decref(resp);
			json_decref(steps[k].body);
		}
	}
	client_fini(&site);
}

/* The lab receives every sealed tube and posts their results, then the recall. */
static void lab_run(struct sim_drill *dr, struct sim_drill_report *r)
{
	struct client c;
	size_t *tubes = mu_xcalloc(dr->ntubes + 1, sizeof *tubes), nt = 0;
	size_t *members = mu_xcalloc(dr->npeople + 1, sizeof *members), nm = 0;
	char path[96], bar[64];
	unsigned long long seed = (unsigned long long)dr->o->seed;
	for (size_t t = 0; t < dr->ntubes; t++)
		if (dr->tubes[t].ok && dr->tubes[t].sealed)
			tubes[nt++] = t;
	client_init(&c, dr->base, dr->o->lab_token);
	snprintf(path, sizeof path, "/api/v1/labs/%s/receipts", dr->o->lab);
	for (int phase = 0; phase < 2; phase++) {
		for (size_t lo = 0; lo < nt; lo += SCREENING_BATCH_MAX) {
			size_t hi = lo + SCREENING_BATCH_MAX < nt ? lo + SCREENING_BATCH_MAX : nt;
			json_t *arr = json_array();
			char at[21];
			now_iso(at);
			for (size_t i = lo; i < hi; i++) {
				size_t t = tubes[i];
				snprintf(bar, sizeof bar, "D%llu-%zu", seed, t);
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
					r->lab_positive++;
					for (size_t j = t * (size_t)dr->k;
					     j < (t + 1) * (size_t)dr->k && j < dr->npeople; j++)
						members[nm++] = j;
				} else {
					r->lab_negative++;
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
			    client_post(&c, phase == 0 ? path : "/api/v1/results", body, &st);
			json_decref(body);
			int64_t e =
			    st == 200 ? item_errors(resp, "results", hi - lo) : (int64_t)(hi - lo);
			*(phase == 0 ? &r->lab_recv_refused : &r->lab_result_refused) += e;
			json_decref(resp);
		}
	}
	r->lab_tubes = (int64_t)nt;
	r->recalled = (int64_t)nm;
	recall_run(dr, &c, members, nm, r);
	client_fini(&c);
	free(tubes);
	free(members);
}

int sim_drill_run(struct sim_drill *dr, struct sim_drill_report *r)
{
	int rc = 0;
	memset(r, 0, sizeof *r);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r->total = (int64_t)(dr->resend ? dr->nresend : dr->npeople);
	dr->t0 = dr->t_last = mu_now_mono();
	storm(dr, r);
	r->seconds = dr->t_last - dr->t0;
	latency(dr, r);
	if (r->unanswered_batches || r->refused_batches || r->sent < r->total)
		rc = MU_EIO;
	if (!dr->resend) {
		for (size_t t = 0; t < dr->ntubes; t++) {
			r->tubes_filled += dr->tubes[t].ok > 0;
			r->tubes_full += dr->tubes[t].ok > 0 && dr->tubes[t].sealed;
		}
		seal_rest(dr, r);
		if (dr->o->lab) {
			lab_run(dr, r);
			if (r->lab_recv_refused || r->lab_result_refused || r->recall_refused)
				rc = rc ? rc : MU_EINVAL;
		}
	}
	curl_global_cleanup();
	return rc;
}
