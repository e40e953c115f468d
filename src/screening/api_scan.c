/* api_scan.c: the screening API's device path — scans from samplers and site tokens,
 * sealing, lab receipts and results, and what a lab sees of itself (barcodes only,
 * never names). Every write goes through auth_submit; per-item refusals found before
 * the store are plain records, turned into JSON only when the answer is built. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "api.h"
#include "auth/api.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"

/* ---- shared pieces --------------------------------------------------------------------- */

static json_t *item_error(int err, const char *field, const char *msg)
{
	return json_pack("{s:s, s:s, s:o}", "code", mu_err_code(err), "message",
			 msg && *msg ? msg : mu_err_msg(err), "field",
			 field ? json_string(field) : json_null());
}

/* Records a per-item refusal found before the store; msg is copied, field borrowed. */
static void refuse_item(struct screening_item_result *x, int err, const char *field,
			const char *msg)
{
	x->err = mu_why_set(&x->why, err, field, "%s", msg);
}

/* The first member of item it not in allowed: refused (the name into the arena). */
static bool unknown_member(struct http_req *r, const json_t *it, const char *const *allowed,
			   struct screening_item_result *x)
{
	const char *k = http_json_unknown(it, allowed);
	if (k)
		refuse_item(x, MU_EINVAL, mu_arena_strndup(&r->arena, k, strlen(k)),
			    HTTP_MSG_UNKNOWN_MEMBER);
	return k != NULL;
}

/* The body as an object, and its array member k of 1..SCREENING_BATCH_MAX items (413
 * beyond). */
static int batch_body(struct http_req *r, const char *k, json_t **arr)
{
	const char *const allowed[] = {k, NULL};
	json_t *body;
	int rc = http_body_json(r, &body);
	if (rc || (rc = http_json_only(r, body, allowed)))
		return rc;
	*arr = json_object_get(body, k);
	if (!json_is_array(*arr) || json_array_size(*arr) == 0)
		return http_fail(r, MU_EINVAL, k, "required, a non-empty array");
	if (json_array_size(*arr) > SCREENING_BATCH_MAX)
		return http_fail(r, MU_ETOOBIG, k, "at most 1000 items per request");
	return 0;
}

static json_t *item_json(const char *tube, const struct screening_item_result *x)
{
	json_t *o = json_pack("{s:o, s:s}", "tube", tube ? json_string(tube) : json_null(),
			      "status", x->err ? "error" : "ok");
	if (x->err)
		json_object_set_new(o, "error", item_error(x->err, x->why.field, x->why.text));
	return o;
}

/* The lab a lab call acts for: a lab token only for its own lab (403 otherwise); a
 * lab user for any. code NULL: the token's lab, or any lab for a user (*out NULL). */
static int lab_of_caller(struct http_req *r, const char *code, const char **out)
{
	const struct auth_principal *p = auth_who(r);
	*out = code;
	if (p->kind != AUTH_KIND_LAB)
		return 0;
	if (code && strcmp(code, p->device_code) != 0)
		return auth_refuse(r);
	*out = p->device_code;
	return 0;
}

/* ---- scans ------------------------------------------------------------------------------- */

struct scan_job {
	const struct screening_scan *in;
	size_t n;
	struct screening_scan_result *out;
	struct screening_delta *dl;
	const struct auth_principal *who; /* NULL: none to name */
	const char *action, *client;
};

/* The batch, and an audit entry "person:ID" per accepted scan in the same transaction:
 * its answer names the person (masked), a read of each found by person, durable before
 * the answer (issue 11 #3, #5). */
static int scan_fn(struct db *d, void *arg)
{
	struct scan_job *j = arg;
	char rec[32];
	screening_delta_reset(j->dl);
	int rc = screening_scan_batch(d, screening__api_keys(), j->in, j->n, j->out, j->dl);
	for (size_t i = 0; rc == 0 && i < j->n; i++) {
		if (j->out[i].status != SCREENING_SCAN_OK)
			continue;
		snprintf(rec, sizeof rec, "person:%lld", (long long)j->out[i].person_id);
		rc = auth_audit_append(d, j->who, j->action, rec, j->client, 200);
	}
	return rc;
}

/* The masked name (张*明) of an accepted scan's person, into the arena. */
static json_t *masked_name(struct http_req *r, int64_t person)
{
	struct people_person p;
	struct people_mask m;
	char text[PEOPLE_MASK_MAX + 1];
	if (people_get(auth_req_db(r), screening__api_keys(), person, &p))
		return json_null(); /* the scan stands; only its name is not shown */
	people_mask_of(p.name, &m);
	sodium_memzero(&p, sizeof p);
	people_mask_text(&m, text);
	json_t *o = json_string(text);
	sodium_memzero(&m, sizeof m);
	sodium_memzero(text, sizeof text);
	return o;
}

/* May this caller scan at site code? A site token only at its own site; a sampler only
 * at a site inside their jurisdiction. An unknown site is left to the store to refuse. */
static int site_allowed(struct http_req *r, const char *code, bool *ok)
{
	const struct auth_principal *p = auth_who(r);
	struct db *d = auth_req_db(r);
	struct screening_site st;
	int64_t ids[PLACES_NLEVELS];
	int n, rc;
	*ok = true;
	if (!code)
		return 0;
	if (p->kind == AUTH_KIND_SITE) {
		*ok = !strcmp(code, p->device_code);
		return 0;
	}
	rc = screening_site_find(d, code, &st);
	if (rc == MU_ENOTFOUND || rc == MU_EINVAL)
		return 0;
	if (rc || (rc = places_path(d, st.place_id, ids, &n)))
		return rc;
	*ok = auth_within(p, ids, n);
	return 0;
}

/* One scan's answer: its refusal before the store (pre), or the store's result. */
static json_t *scan_json(struct http_req *r, const json_t *it,
			 const struct screening_item_result *pre, const struct screening_scan *in,
			 const struct screening_scan_result *x)
{
	static const char *const status[] = {"ok", "duplicate", "error"};
	const json_t *sid = json_object_get(it, "scan_id");
	json_t *o = json_pack("{s:O}", "scan_id", json_is_string(sid) ? sid : json_null());
	if (pre->err) {
		json_object_set_new(o, "status", json_string("error"));
		json_object_set_new(o, "error",
				    item_error(pre->err, pre->why.field, pre->why.text));
		return o;
	}
	json_object_set_new(o, "status", json_string(status[x->status]));
	if (x->status == SCREENING_SCAN_ERROR) {
		json_object_set_new(o, "error", item_error(x->err, x->why.field, x->why.text));
	} else if (x->status == SCREENING_SCAN_OK) {
		json_object_set_new(o, "tube", json_string(in->tube));
		json_object_set_new(o, "opened", json_boolean(x->opened));
		json_object_set_new(o, "sealed", json_boolean(x->sealed));
		json_object_set_new(o, "repeat", json_boolean(x->repeat));
		json_object_set_new(o, "recall", json_boolean(x->recall));
		json_object_set_new(o, "name_masked", masked_name(r, x->person_id));
	}
	return o;
}

/* POST /api/v1/scans */
int screening__api_post_scans(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"scan_id", "round", "site", "tube",
					      "person",	 "at",	  NULL};
	struct screening_delta *dl = NULL;
	json_t *arr;
	int rc = batch_body(r, "scans", &arr);
	if (rc)
		return rc;
	size_t n = json_array_size(arr), m = 0;
	struct screening_scan *in = mu_arena_alloc(&r->arena, n * sizeof *in);
	struct screening_scan_result *out = mu_arena_alloc(&r->arena, n * sizeof *out);
	struct screening_item_result *pre = mu_arena_alloc(&r->arena, n * sizeof *pre);
	size_t *slot = mu_arena_alloc(&r->arena, n * sizeof *slot); /* item → in[] */
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(arr, i);
		bool ok;
		memset(&pre[i], 0, sizeof pre[i]);
		if (!json_is_object(it)) {
			refuse_item(&pre[i], MU_EINVAL, NULL, "a scan is an object");
			continue;
		}
		if (unknown_member(r, it, allowed, &pre[i]))
			continue;
		const json_t *round = json_object_get(it, "round");
		struct screening_scan s = {
		    .scan_id = http_json_str(it, "scan_id"),
		    .round_id = json_is_integer(round) ? json_integer_value(round) : 0,
		    .site = http_json_str(it, "site"),
		    .tube = http_json_str(it, "tube"),
		    .person = http_json_str(it, "person"),
		    .at = http_json_str(it, "at"),
		};
		if ((rc = site_allowed(r, s.site, &ok)))
			goto out;
		if (!ok) {
			refuse_item(&pre[i], MU_EFORBIDDEN, "site",
				    "not allowed to scan at this site");
			continue;
		}
		slot[i] = m;
		in[m++] = s;
	}
	dl = screening_delta_new();
	const struct auth_principal *who = auth_who(r);
	struct scan_job j = {.in = in,
			     .n = m,
			     .out = out,
			     .dl = dl,
			     .who = who && who->kind != 0 ? who : NULL,
			     .action = mu_arena_sprintf(&r->arena, "POST %s", r->route->pattern),
			     .client = r->client};
	if (m) {
		r->record = mu_arena_sprintf(&r->arena, "scans:%zu", m);
		if ((rc = auth_submit(r, scan_fn, &j)))
			goto out;
		screening__api_cov_apply(r, dl);
	}
	json_t *results = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(results, scan_json(r, json_array_get(arr, i), &pre[i],
							 pre[i].err ? NULL : &in[slot[i]],
							 pre[i].err ? NULL : &out[slot[i]]));
	resp->json = json_pack("{s:o}", "results", results);
out:
	screening_delta_free(dl);
	return rc;
}

/* ---- tubes -------------------------------------------------------------------------------- */

static const char sql_tube_site[] =
    "SELECT s.code, s.place_id FROM tubes t JOIN sites s ON s.id = t.site_id"
    " WHERE t.barcode = ?";

/* The tube's site: its code (into the arena) and place. */
static int tube_site(struct http_req *r, const char **code, int64_t *place)
{
	struct db_stmt *s;
	const char *bc = r->nparams ? r->params[0] : "";
	int rc;
	if (strlen(bc) > SCREENING_BARCODE_MAX || !*bc ||
	    strspn(bc, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-") !=
		strlen(bc))
		return http_fail(r, MU_EINVAL, "barcode",
				 "a tube barcode is 1 to 32 letters, digits or '-'");
	if ((rc = db_prepare(auth_req_db(r), sql_tube_site, &s)))
		return rc;
	db_bind_text(s, 1, bc, -1);
	rc = db_step(s);
	if (rc == DB_ROW) {
		*code = mu_arena_strndup(&r->arena, db_col_text(s, 0), strlen(db_col_text(s, 0)));
		*place = db_col_i64(s, 1);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = http_fail(r, MU_ENOTFOUND, "barcode", "no tube has this barcode");
	}
	db_stmt_done(s);
	return rc;
}

int screening__api_place_of_tube(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	const char *code;
	int64_t place;
	int rc = tube_site(r, &code, &place);
	return rc ? rc : places_path(auth_req_db(r), place, ids, n);
}

static json_t *tube_json(const struct screening_tube *t)
{
	json_t *o =
	    json_pack("{s:s, s:I, s:s, s:i, s:i, s:b, s:o, s:o, s:o, s:o}", "barcode", t->barcode,
		      "round", (json_int_t)t->round_id, "state",
		      screening_tube_state_name(t->state), "capacity", t->capacity, "n", t->n,
		      "single", t->single, "opened_at", screening__api_time_json(t->opened_at),
		      "sealed_at", screening__api_time_json(t->sealed_at), "received_at",
		      screening__api_time_json(t->received_at), "resulted_at",
		      screening__api_time_json(t->resulted_at));
	const char *res = screening_result_name(t->result);
	json_object_set_new(o, "result", res ? json_string(res) : json_null());
	return o;
}

struct seal_job {
	const char *barcode;
	struct mu_why why;
};

static int seal_fn(struct db *d, void *arg)
{
	struct seal_job *j = arg;
	return screening_tube_seal(d, j->barcode, mu_now_unix(), &j->why);
}

/* POST /api/v1/tubes/{barcode}/seal */
int screening__api_post_seal(struct http_req *r, struct http_resp *resp)
{
	const struct auth_principal *p = auth_who(r);
	struct screening_tube t;
	const char *site;
	int64_t place;
	int rc = tube_site(r, &site, &place);
	if (rc)
		return rc;
	if (p->kind == AUTH_KIND_SITE && strcmp(site, p->device_code) != 0)
		return auth_refuse(r);
	struct seal_job j = {.barcode = r->params[0]};
	r->record = mu_arena_sprintf(&r->arena, "tube:%s", j.barcode);
	if ((rc = auth_submit(r, seal_fn, &j)))
		return rc == MU_EEXIST || rc == MU_ENOTFOUND
			   ? http_fail(r, rc, "barcode",
				       mu_arena_strndup(&r->arena, j.why.text, strlen(j.why.text)))
			   : rc;
	if ((rc = screening_tube_get(auth_req_db(r), j.barcode, &t)))
		return rc;
	resp->json = json_pack("{s:o}", "tube", tube_json(&t));
	return 0;
}

/* ---- labs: receipts and results (barcodes only) ------------------------------------------- */

struct receipt_job {
	const char *lab;
	const char *const *barcodes;
	size_t n;
	struct screening_item_result *out;
};

static int receipt_fn(struct db *d, void *arg)
{
	struct receipt_job *j = arg;
	return screening_tube_receive(d, j->lab, j->barcodes, j->n, mu_now_unix(), j->out);
}

/* POST /api/v1/labs/{code}/receipts */
int screening__api_post_receipts(struct http_req *r, struct http_resp *resp)
{
	const char *code = r->nparams ? r->params[0] : "", *lab;
	json_t *arr;
	int rc;
	if (!*code || strlen(code) > SCREENING_CODE_MAX)
		return http_fail(r, MU_EINVAL, "code",
				 "a lab code is 1 to 32 letters, digits or '-'");
	if ((rc = lab_of_caller(r, code, &lab)) || (rc = batch_body(r, "tubes", &arr)))
		return rc;
	size_t n = json_array_size(arr);
	const char **bc = mu_arena_alloc(&r->arena, n * sizeof *bc);
	struct screening_item_result *out = mu_arena_alloc(&r->arena, n * sizeof *out);
	for (size_t i = 0; i < n; i++)
		bc[i] = json_string_value(json_array_get(arr, i)); /* NULL: refused by the store */
	struct receipt_job j = {.lab = lab, .barcodes = bc, .n = n, .out = out};
	r->record = mu_arena_sprintf(&r->arena, "lab:%s tubes:%zu", lab, n);
	if ((rc = auth_submit(r, receipt_fn, &j)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "code", "no lab has this code") : rc;
	json_t *results = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(results, item_json(bc[i], &out[i]));
	resp->json = json_pack("{s:o}", "results", results);
	return 0;
}

struct result_job {
	const char *lab;
	const struct screening_result_in *in;
	size_t n;
	struct screening_item_result *out;
	struct screening_delta *dl;
};

static int result_fn(struct db *d, void *arg)
{
	struct result_job *j = arg;
	screening_delta_reset(j->dl);
	return screening_result_record(d, j->lab, j->in, j->n, mu_now_unix(), j->out, j->dl);
}

/* A ct member: NAN when absent or null; false when present but not a number. */
static bool ct_member(const json_t *o, const char *k, double *out)
{
	const json_t *v = json_object_get(o, k);
	*out = NAN;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

/* Reads one result item into x; false (with the refusal in pre) when it is malformed. */
static bool result_item(struct http_req *r, const json_t *it, struct screening_result_in *x,
			struct screening_item_result *pre)
{
	static const char *const allowed[] = {"tube", "result", "ct_orf1ab", "ct_n", "at", NULL};
	const json_t *at = json_object_get(it, "at");
	memset(pre, 0, sizeof *pre);
	if (!json_is_object(it))
		refuse_item(pre, MU_EINVAL, NULL, "a result is an object");
	else if (unknown_member(r, it, allowed, pre))
		;
	else if (!ct_member(it, "ct_orf1ab", &x->ct_orf1ab))
		refuse_item(pre, MU_EINVAL, "ct_orf1ab", "ct_orf1ab must be a number");
	else if (!ct_member(it, "ct_n", &x->ct_n))
		refuse_item(pre, MU_EINVAL, "ct_n", "ct_n must be a number");
	else if (at && !json_is_null(at) && !json_is_string(at))
		refuse_item(pre, MU_EINVAL, "at", "at must be an ISO 8601 time");
	x->tube = http_json_str(it, "tube");
	x->result = http_json_str(it, "result");
	x->at = http_json_str(it, "at");
	return pre->err == 0;
}

/* POST /api/v1/results */
int screening__api_post_results(struct http_req *r, struct http_resp *resp)
{
	const char *lab;
	json_t *arr;
	int rc;
	if ((rc = lab_of_caller(r, NULL, &lab)) || (rc = batch_body(r, "results", &arr)))
		return rc;
	size_t n = json_array_size(arr), m = 0;
	struct screening_result_in *in = mu_arena_alloc(&r->arena, n * sizeof *in);
	struct screening_item_result *out = mu_arena_alloc(&r->arena, n * sizeof *out);
	struct screening_item_result *pre = mu_arena_alloc(&r->arena, n * sizeof *pre);
	size_t *slot = mu_arena_alloc(&r->arena, n * sizeof *slot);
	for (size_t i = 0; i < n; i++) {
		struct screening_result_in x = {0};
		if (!result_item(r, json_array_get(arr, i), &x, &pre[i]))
			continue;
		slot[i] = m;
		in[m++] = x;
	}
	struct screening_delta *dl = screening_delta_new();
	struct result_job j = {.lab = lab, .in = in, .n = m, .out = out, .dl = dl};
	if (m) {
		r->record = mu_arena_sprintf(&r->arena, "results:%zu", m);
		/* MU_ENOTFOUND: a lab token whose lab is not (or no longer) registered. */
		if ((rc = auth_submit(r, result_fn, &j)))
			goto out;
		screening__api_cov_apply(r, dl);
	}
	json_t *results = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(results,
				      item_json(http_json_str(json_array_get(arr, i), "tube"),
						pre[i].err ? &pre[i] : &out[slot[i]]));
	resp->json = json_pack("{s:o}", "results", results);
out:
	screening_delta_free(dl);
	return rc == MU_ENOTFOUND ? auth_refuse(r) : rc;
}

/* ---- what a lab sees of itself -------------------------------------------------------------- */

static json_t *lab_json(const struct screening_lab *lab)
{
	return json_pack("{s:s, s:s, s:I}", "code", lab->code, "name", lab->name, "capacity",
			 (json_int_t)lab->capacity);
}

struct lab_list {
	const char *only; /* a lab token's lab */
	json_t *arr;
};

static int lab_one(const struct screening_lab *lab, void *ctx)
{
	struct lab_list *l = ctx;
	if (!l->only || !strcmp(l->only, lab->code))
		json_array_append_new(l->arr, lab_json(lab));
	return 0;
}

/* GET /api/v1/labs: every lab (a lab token: its own). Labs hold no personal data. */
int screening__api_get_labs(struct http_req *r, struct http_resp *resp)
{
	const struct auth_principal *p = auth_who(r);
	struct lab_list l = {.only = p->kind == AUTH_KIND_LAB ? p->device_code : NULL,
			     .arr = json_array()};
	int rc = screening_lab_list(auth_req_db(r), lab_one, &l);
	return http_resp_list(resp, "labs", l.arr, rc);
}

/* GET /api/v1/labs/{code}/backlog?limit=N: the tubes a lab has received and not yet
 * resulted, oldest first — barcodes only. */
int screening__api_get_lab_backlog(struct http_req *r, struct http_resp *resp)
{
	struct screening_backlog_tube *out = NULL;
	struct screening_lab lab;
	const char *code;
	int limit, rc;
	size_t n = 0;
	int64_t total = 0, oldest = 0;
	if ((rc = lab_of_caller(r, r->params[0], &code)) ||
	    (rc = http_query_limit(r, SCREENING__API_PAGE, HTTP_LIMIT_MAX, &limit)))
		return rc;
	rc = screening_lab_find(auth_req_db(r), code, &lab);
	if (rc == MU_ENOTFOUND || rc == MU_EINVAL)
		return http_fail(r, MU_ENOTFOUND, "code", "no lab has this code");
	if (rc)
		return rc;
	out = mu_xcalloc((size_t)limit, sizeof *out);
	if ((rc = screening_lab_backlog(auth_req_db(r), lab.id, (size_t)limit, out, &n, &total,
					&oldest)))
		goto out;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    arr, json_pack("{s:s, s:I, s:i, s:b, s:o}", "barcode", out[i].barcode, "round",
				   (json_int_t)out[i].round_id, "samples", out[i].n, "single",
				   out[i].single, "received_at",
				   screening__api_time_json(out[i].received_at)));
	resp->json =
	    json_pack("{s:o, s:I, s:o, s:o}", "lab", lab_json(&lab), "waiting", (json_int_t)total,
		      "oldest_received_at", screening__api_time_json(oldest), "tubes", arr);
out:
	free(out);
	return rc;
}
