/* fuzz_json.c: libFuzzer target for the JSON bodies of the write routes, as far as they
 * go without a server: the body parsed as http_body_json parses it, then every object in
 * it (the body, and the items of its arrays, as the batch routes read them) through the
 * http_json_* member helpers, and the members a scan or a result carries through their
 * text checks (screening_time_parse). Each helper must keep its contract: an answer in
 * range, or a refusal that names the member. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core.h"
#include "http/http.h"
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
    "scan_id", "round",	   "site",     "tube",	  "person", "at",    "result", "ct_orf1ab", "ct_n",
    "name",    "username", "password", "role",	  "place",  "scope", "pool",   "starts",    "ends",
    "code",    "reason",   "scans",    "results", "id",	    "text",  NULL};

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
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
