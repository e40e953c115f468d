/* fuzz_json.c: libFuzzer target for the JSON bodies of the write routes. Two parts:
 * - the helpers: the body parsed as http_body_json parses it, then every object in it
 *   (the body, and the items of its arrays, as the batch routes read them) through the
 *   http_json_* member helpers, and the members a scan or a result carries through their
 *   text checks (screening_time_parse). Each helper must keep its contract: an answer in
 *   range, or a refusal that names the member.
 * - the routes: the same bytes as the body of a write route of the server's tables
 *   (sign-in, sign-out, rounds, round close, sites, labs, scans, seal, receipts, results,
 *   exemptions: every route that is not a GET), through its place resolver (as the guard
 *   calls it) and its handler, on a small city in a temporary database, as an admin, a
 *   site token or a lab token; the input's length picks the route and the caller. There is no
 * writer, so a body that passes its parser ends at the store (MU_ESTOPPED) and the city never
 * changes between runs. Sign-ins end at the address throttle (held shut for the fuzz client) before
 * argon2id runs. Each answer must be 0 with a body, or a known MU_E* code; a body that is not a
 * JSON object must be refused as MU_EINVAL by every route that reads it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "auth/api.h"
#include "auth/auth.h"
#include "auth/auth_int.h"
#include "core/core.h"
#include "db/db.h"
#include "http/http.h"
#include "people/people.h"
#include "places/places.h"
#include "screening/api.h"
#include "screening/screening.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_json: %s failed at line %d\n", #c, __LINE__);        \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The members of the write routes' bodies (scans, results, rounds, users, places,
 * exemptions, roll-call notes). */
static const char *const members[] = {
    "scan_id",	"round",     "site",	    "tube",	"person", "at",	     "result", "ct_orf1ab",
    "ct_n",	"name",	     "username",    "password", "role",	  "place",   "scope",  "pool",
    "starts",	"ends",	     "code",	    "reason",	"scans",  "results", "tubes",  "desks",
    "capacity", "pool_high", "pool_medium", "id",	"text",	  NULL};

/* A refusal: the code is MU_EINVAL, and the request names the member and says why. */
static void refused(struct http_req *r, int rc, const char *k)
{
	CHECK(rc == MU_EINVAL);
	CHECK(r->err_field && !strcmp(r->err_field, k));
	CHECK(r->err_message && *r->err_message);
	r->err_field = r->err_message = NULL;
}

static void object(struct http_req *r, const json_t *o)
{
	const char *unknown = http_json_unknown(o, members);
	int rc = http_json_only(r, o, members);
	if (unknown) {
		CHECK(json_object_get(o, unknown));
		refused(r, rc, unknown);
	} else {
		CHECK(rc == 0);
	}
	for (const char *const *k = members; *k; k++) {
		const json_t *v = json_object_get(o, *k);
		const char *s = http_json_str(o, *k);
		CHECK(!s == !json_is_string(v));
		const char *out = NULL;
		rc = http_json_need_str(r, o, *k, &out);
		if (rc)
			refused(r, rc, *k);
		else
			CHECK(out == s);
		rc = http_json_text(r, o, *k, 64, &out);
		if (rc) {
			refused(r, rc, *k);
			CHECK(!out);
		} else {
			CHECK(out && strlen(out) >= 1 && strlen(out) <= 64);
			CHECK(strlen(out) == json_string_length(v));
		}
		int64_t n = 7;
		rc = http_json_int(r, o, *k, -5, 1000, -1, &n);
		if (rc)
			refused(r, rc, *k);
		else
			CHECK(n >= -5 && n <= 1000 && json_is_integer(v));
		rc = http_json_int(r, o, *k, 0, INT64_MAX, 42, &n);
		if (rc)
			refused(r, rc, *k);
		else
			CHECK(n >= 0 && (n == 42 || json_is_integer(v)));
		/* A time as a scan or a result carries it: what parses formats and parses back
		 * to the same second. */
		int64_t t;
		if (s && screening_time_parse(s, &t) == 0) {
			char buf[32];
			screening_time_format(t, buf);
			int64_t back;
			CHECK(screening_time_parse(buf, &back) == 0);
			CHECK(back == t);
		}
	}
}

/* ---- the routes -------------------------------------------------------------------------- */

/* The request as the handlers see it, with the server's lookups (server.c is not linked:
 * these stand in for it, with the same contract). */
struct freq {
	struct http_req r;
	json_t *parsed;
	bool read_body;
};

int http_body_json(struct http_req *r, json_t **out)
{
	struct freq *q = (struct freq *)r;
	*out = NULL;
	q->read_body = true;
	if (q->parsed) {
		*out = q->parsed;
		return 0;
	}
	json_error_t e;
	json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		return http_fail(r, MU_EINVAL, NULL, "malformed JSON");
	if (!json_is_object(j)) {
		json_decref(j);
		return http_fail(r, MU_EINVAL, NULL, "the body must be a JSON object");
	}
	*out = q->parsed = j;
	return 0;
}

const char *http_header(const struct http_req *r, const char *name)
{
	(void)r;
	return !strcasecmp(name, "Content-Type") ? "application/json" : NULL;
}

const char *http_query(const struct http_req *r, const char *name)
{
	(void)r, (void)name;
	return NULL;
}

const char *http_cookie(const struct http_req *r, const char *name)
{
	(void)r, (void)name;
	return NULL;
}

void http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
	CHECK(resp->nheaders < 8);
	resp->headers[resp->nheaders][0] = name;
	resp->headers[resp->nheaders][1] = value;
	resp->nheaders++;
}

#define CLIENT "198.51.100.7"

static struct db *city;
static struct auth_principal who[3]; /* an admin, site token SITE1, lab token LAB1 */

static int64_t place(int64_t parent, int level, const char *code)
{
	int64_t id;
	CHECK(places_add(city, parent, level, code, code, &id, NULL) == 0);
	return id;
}

static char dir[] = "/tmp/fuzz_json.XXXXXX";

/* At exit: the database closed, its directory removed (a crash leaves it for a look). */
static void city_close(void)
{
	static const char *const files[] = {"f.db", "f.db-wal", "f.db-shm", "f.db.key", NULL};
	char path[64];
	db_close(city);
	city = NULL;
	for (const char *const *f = files; *f; f++) {
		snprintf(path, sizeof path, "%s/%s", dir, *f);
		unlink(path);
	}
	rmdir(dir);
}

/* A city of one household with one person, a site, a lab, an open round and an open
 * tube holding the person. */
static void city_open(void)
{
	static char path[64];
	struct people_keys keys;
	CHECK(mkdtemp(dir));
	atexit(city_close);
	snprintf(path, sizeof path, "%s/f.db", dir);
	CHECK(people_keys_create(path) == 0 && people_keys_load(path, &keys) == 0);
	CHECK(db_open(path, DB_OPEN_CREATE, &city) == 0);
	int64_t c = place(0, PLACES_CITY, "C"), d = place(c, PLACES_DISTRICT, "D");
	int64_t st = place(d, PLACES_STREET, "S"), m = place(st, PLACES_COMMUNITY, "M");
	int64_t g = place(m, PLACES_GRID, "G"), p = place(g, PLACES_COMPOUND, "P");
	int64_t b = place(p, PLACES_BUILDING, "B"), h = place(b, PLACES_HOUSEHOLD, "H");
	struct people_person pp;
	memset(&pp, 0, sizeof pp);
	snprintf(pp.id_number, sizeof pp.id_number, "44010619800101001");
	pp.id_number[17] = people_idcard_check_digit(pp.id_number);
	pp.id_type = PEOPLE_ID_RESIDENT;
	snprintf(pp.name, sizeof pp.name, "居民");
	pp.household_id = h;
	CHECK(people_idcard_check(pp.id_number, NULL, &pp.birth, &pp.sex) == 0);
	CHECK(people_add(city, &keys, &pp, NULL) == 0);
	struct screening_site s = {.place_id = m, .code = "SITE1", .name = "站一", .desks = 4};
	struct screening_lab l = {.code = "LAB1", .name = "金域", .capacity = 1000};
	struct screening_round rd = {.scope_place_id = st, .name = "R1", .pool_k = 5};
	CHECK(screening_site_add(city, &s, NULL) == 0 && screening_lab_add(city, &l, NULL) == 0);
	CHECK(screening_round_create(city, &rd, NULL) == 0);
	/* An open tube T-1 with the person in it: seal, receipts and results find a tube. */
	char now[32];
	screening_time_format(mu_now_unix(), now);
	struct screening_scan in = {.scan_id = "seed-1",
				    .at = now,
				    .round_id = rd.id,
				    .site = "SITE1",
				    .tube = "T-1",
				    .person = pp.id_number};
	struct screening_scan_result res;
	struct screening_delta *dl = screening_delta_new();
	CHECK(screening_scan_batch(city, &keys, &in, 1, &res, dl) == 0);
	CHECK(res.status == SCREENING_SCAN_OK);
	screening_delta_free(dl);
	who[0] = (struct auth_principal){.kind = AUTH_KIND_USER, .id = 1, .role = AUTH_ADMIN};
	who[1] = (struct auth_principal){
	    .kind = AUTH_KIND_SITE, .id = 1, .role = AUTH_SAMPLER, .place_id = m};
	snprintf(who[1].device_code, sizeof who[1].device_code, "SITE1");
	who[2] = (struct auth_principal){.kind = AUTH_KIND_LAB, .id = 2, .role = AUTH_LAB};
	snprintf(who[2].device_code, sizeof who[2].device_code, "LAB1");
	/* Sign-ins from the fuzz client wait at its address throttle, before argon2id. */
	for (int i = 0; i < 30; i++)
		CHECK(auth__throttle_fail("a:" CLIENT, 1, 100000000, mu_now_mono()) == 0);
}

static const struct http_route *const tables[] = {auth_routes, screening_api_routes, NULL};

/* The codes a handler or resolver may answer with. */
static bool known(int rc)
{
	static const int codes[] = {MU_EINVAL,	MU_ENOTFOUND, MU_EEXIST, MU_EFORBIDDEN, MU_EUNAUTH,
				    MU_ETOOBIG, MU_ETOOMANY,  MU_EBUSY,	 MU_ESTOPPED};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (rc == codes[i])
			return true;
	return false;
}

static void route(const struct http_route *rt, const struct auth_principal *p, const uint8_t *data,
		  size_t size, bool object)
{
	struct freq q;
	struct http_resp resp;
	int64_t ids[HTTP_PATH_MAX];
	int n = 0, rc = 0;
	memset(&q, 0, sizeof q);
	memset(&resp, 0, sizeof resp);
	mu_arena_init(&q.r.arena, 4096);
	char *body = mu_arena_alloc(&q.r.arena, size + 1);
	memcpy(body, data, size);
	body[size] = '\0';
	q.r.method = rt->method;
	q.r.path = rt->pattern;
	q.r.route = rt;
	q.r.body = body;
	q.r.body_len = size;
	snprintf(q.r.client, sizeof q.r.client, CLIENT);
	q.r.principal = (rt->flags & HTTP_ROUTE_PUBLIC) ? NULL : p;
	q.r.guard_ctx = city;
	/* {id} is the round, {barcode} a tube, {code} the lab. */
	for (const char *s = rt->pattern; (s = strchr(s, '{')) && q.r.nparams < HTTP_MAX_PARAMS;
	     s++)
		q.r.params[q.r.nparams++] = !strncmp(s, "{id}", 4)	  ? "1"
					    : !strncmp(s, "{barcode}", 9) ? "T-1"
									  : "LAB1";
	if (rt->place)
		rc = rt->place(&q.r, ids, &n);
	if (rc == 0) {
		CHECK(n >= 0 && n <= HTTP_PATH_MAX);
		rc = rt->fn(&q.r, &resp);
	}
	CHECK(rc <= 0);
	if (rc == 0)
		CHECK(resp.json || resp.status == 204);
	else
		CHECK(known(rc) && !resp.json);
	if (q.read_body && !object)
		CHECK(rc == MU_EINVAL && q.r.err_message && *q.r.err_message);
	json_decref(resp.json);
	json_decref(q.parsed);
	mu_arena_fini(&q.r.arena);
}

/* The write routes of the tables, once. */
static const struct http_route *writes[64];
static size_t nwrites;

/* One write route and one caller per input, both chosen by its length (a mutation that
 * keeps the length keeps the route, so coverage guides each route's parser in turn). */
static void routes(const uint8_t *data, size_t size, bool object)
{
	if (!city) {
		city_open();
		for (const struct http_route *const *t = tables; *t; t++)
			for (const struct http_route *rt = *t; rt->pattern; rt++)
				if (rt->method != HTTP_GET) {
					CHECK(nwrites < sizeof writes / sizeof writes[0]);
					writes[nwrites++] = rt;
				}
		CHECK(nwrites >= 10);
	}
	route(writes[size % nwrites], &who[(size / nwrites) % 3], data, size, object);
}

/* ---- the input ---------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
	routes(data, size, json_is_object(j));
	if (!j)
		return 0;
	struct http_req r;
	memset(&r, 0, sizeof r);
	mu_arena_init(&r.arena, 4096);
	if (json_is_object(j)) {
		object(&r, j);
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v)
		{
			if (!json_is_array(v))
				continue;
			size_t i;
			json_t *it;
			json_array_foreach(v, i, it) if (json_is_object(it)) object(&r, it);
		}
	}
	mu_arena_fini(&r.arena);
	json_decref(j);
	return 0;
}
