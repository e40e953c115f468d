/* api_plans.c: the HTTP face of files and plans — a key person's file, the key persons
 * under a place with their plan progress, check-ins — and the plans' server state: the
 * keys that open names, the sweep that marks tests missed (on the writer, at start and
 * every minute) and the colours applied to the codebook after their commit. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "api.h"
#include "auth/api.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/api.h"
#include "people/people.h"
#include "places/api.h"
#include "places/places.h"

#define SWEEP_EVERY_S 60
#define KEYP_PAGE     50

static struct people_keys keys;
static bool keys_ready;
static pthread_t timer;
static bool timer_started;
static atomic_bool timer_stop;
static struct control_sweep sweep; /* the writer's only (sweep_fn) */

/* ---- the sweep and the codebook's colours ------------------------------------------------- */

static int sweep_fn(struct db *d, void *arg)
{
	int64_t changed;
	bool *more = arg, was_pending = sweep.pending || sweep.day == 0;
	int rc = control_plans_sweep(d, mu_now_unix(), &sweep, &changed);
	*more = rc == 0 && sweep.more;
	/* A day's recompute of everyone in a plan (the first at start) is said once done. */
	if (rc == 0 && was_pending && !sweep.pending)
		mu_info("control: plans swept: the colours of the day are recomputed");
	return rc;
}

static void apply_one(int64_t person, void *ctx)
{
	int colour;
	unsigned reasons;
	int64_t since;
	if (control_colour_get(ctx, person, &colour, &reasons, &since) == 0)
		people_api_reasons_set(person, reasons);
}

static int load_one(int64_t person, unsigned reasons, void *ctx)
{
	(void)ctx;
	people_api_reasons_set(person, reasons);
	return 0;
}

/* The timer: every second, the colours changed by writes (control's own and screening's
 * hooks) are read back from the database — what committed — into the codebook; every
 * minute the sweep runs on the writer, and chunk after chunk while it left work. */
static void *timer_main(void *arg)
{
	struct db *d = NULL;
	double last_sweep = 0;
	bool more = false;
	(void)arg;
	while (!atomic_load(&timer_stop)) {
		/* Every minute, or every second while a sweep left work. */
		if (more || mu_now_mono() - last_sweep >= SWEEP_EVERY_S) {
			int rc = db_writer_submit(control__api_writer(), sweep_fn, &more);
			if (rc && rc != MU_ESTOPPED)
				mu_warn("control: the plans' sweep failed: %s", mu_err_msg(rc));
			last_sweep = mu_now_mono();
		}
		if (d || db_reader(control__api_db_path(), &d) == 0)
			control__colour_drain((int64_t)(mu_now_mono() * 1000), apply_one, d);
		/* While a sweep left work, the next chunk follows at once: other writes queue
		 * between the chunks, each a short writer job. */
		struct timespec ts = {0, (more ? 10 : 250) * 1000 * 1000};
		for (int i = 0; i < (more ? 1 : 4) && !atomic_load(&timer_stop); i++)
			nanosleep(&ts, NULL);
	}
	db_reader_close();
	return NULL;
}

int control__plans_init(const char *db_path)
{
	struct db *d = NULL;
	int rc = people_keys_load(db_path, &keys);
	if (rc)
		return rc;
	keys_ready = true;
	/* Every colour that is not green into the codebook, before the first request. */
	if ((rc = db_open(db_path, DB_OPEN_READONLY, &d)) == 0)
		rc = control_colour_each(d, load_one, NULL);
	db_close(d);
	if (rc)
		return rc;
	atomic_store(&timer_stop, false);
	if (control__api_writer()) {
		if (pthread_create(&timer, NULL, timer_main, NULL) != 0)
			return MU_EIO;
		timer_started = true;
	}
	return 0;
}

void control__plans_fini(void)
{
	atomic_store(&timer_stop, true);
	if (timer_started)
		pthread_join(timer, NULL);
	timer_started = false;
	sodium_memzero(&keys, sizeof keys);
	keys_ready = false;
}

/* ---- the person of the path --------------------------------------------------------------- */

static int person_param(struct http_req *r, int64_t *id)
{
	*id = 0;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], id) || *id <= 0)
		return http_fail(r, MU_EINVAL, "id", "a person id is a positive integer");
	return 0;
}

int control__api_place_of_person(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	int64_t id, hh;
	int rc = person_param(r, &id);
	if (rc || (rc = people_household_of(auth_req_db(r), id, &hh)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no person has this id") : rc;
	return places_path(auth_req_db(r), hh, ids, n);
}

/* ---- GET /api/v1/people/{id}/file ----------------------------------------------------------- */

/* The roles that serve key persons see their names; the others (admin) a mask. */
static bool serves_names(const struct auth_principal *p)
{
	return p->role == AUTH_COMMANDER || p->role == AUTH_STAFF || p->role == AUTH_GRID_WORKER;
}

int control__api_get_file(struct http_req *r, struct http_resp *resp)
{
	int64_t id;
	json_t *file;
	int rc = person_param(r, &id);
	MU_ASSERT(keys_ready);
	if (rc)
		return rc;
	rc = control_file_json(auth_req_db(r), &keys, id, serves_names(auth_who(r)), mu_now_unix(),
			       &file);
	if (rc == MU_ENOTFOUND)
		return http_fail(r, rc, "id", "no person has this id");
	if (rc)
		return rc;
	auth_record_person(r, id);
	resp->json = file;
	return 0;
}

/* ---- GET /api/v1/keypersons?place=CODE&kind=&cursor=&limit= --------------------------------- */

struct keyp_list {
	json_t *arr;
	struct auth_people_record rec;
	int64_t last;
};

static int keyp_one(int64_t person, json_t *item, void *ctx)
{
	struct keyp_list *l = ctx;
	json_array_append_new(l->arr, item);
	auth_people_record_add(&l->rec, person);
	l->last = person;
	return 0;
}

int control__api_get_keypersons(struct http_req *r, struct http_resp *resp)
{
	struct places_node node;
	const char *kind = http_query(r, "kind");
	int64_t after;
	int limit, k, rc;
	MU_ASSERT(keys_ready);
	if ((rc = places_api_query(r, &node)) || (rc = http_query_cursor_id(r, &after)) ||
	    (rc = http_query_limit(r, KEYP_PAGE, HTTP_LIMIT_MAX, &limit)))
		return rc;
	if (kind && *kind && control_key_parse(kind, &k))
		return http_fail(r, MU_EINVAL, "kind",
				 "kind is case, close, secondary, sealed or pool_positive");
	struct keyp_list l = {.arr = json_array()};
	auth_people_record_init(&l.rec);
	rc = control_keypersons_list(auth_req_db(r), &keys, node.id, kind && *kind ? kind : NULL,
				     after, limit, keyp_one, &l);
	auth_people_record_fini(&l.rec, r);
	if (rc) {
		json_decref(l.arr);
		return rc;
	}
	bool full = (int)json_array_size(l.arr) == limit;
	char cur[24];
	snprintf(cur, sizeof cur, "%lld", (long long)l.last);
	resp->json = json_pack("{s:o, s:o, s:{s:s, s:s}}", "keypersons", l.arr, "cursor",
			       full ? json_string(cur) : json_null(), "place", "code", node.code,
			       "name", node.name);
	return 0;
}

/* ---- POST /api/v1/people/{id}/checkins ------------------------------------------------------ */

struct checkin_job {
	int64_t person, at, user, id;
	double temperature;
	const char *symptoms[CONTROL_SYMPTOMS_MAX];
	size_t n;
	bool fever;
	struct mu_why why;
};

static int checkin_fn(struct db *d, void *arg)
{
	struct checkin_job *j = arg;
	return control_checkin_add(d, j->person, j->at, j->temperature, j->symptoms, j->n, j->user,
				   &j->id, &j->fever, &j->why);
}

int control__api_post_checkin(struct http_req *r, struct http_resp *resp)
{
	static const char *const allowed[] = {"at", "temperature", "symptoms", NULL};
	const struct auth_principal *p = auth_who(r);
	struct checkin_job j = {.temperature = NAN, .user = p->kind == AUTH_KIND_USER ? p->id : 0};
	json_t *body, *v;
	int64_t ms;
	int rc = person_param(r, &j.person);
	if (rc || (rc = http_body_json(r, &body)) || (rc = http_json_only(r, body, allowed)))
		return rc;
	const char *at = http_json_str(body, "at");
	if (json_object_get(body, "at") && !json_is_null(json_object_get(body, "at"))) {
		if (!at || mu_time_parse(at, &ms))
			return http_fail(r, MU_EINVAL, "at", "at is an RFC 3339 time");
		j.at = ms / 1000;
	} else
		j.at = mu_now_unix();
	if (j.at > mu_now_unix() + 300)
		return http_fail(r, MU_EINVAL, "at", "a check-in cannot be in the future");
	v = json_object_get(body, "temperature");
	if (v && !json_is_null(v)) {
		if (!json_is_number(v))
			return http_fail(r, MU_EINVAL, "temperature",
					 "temperature is a number of °C");
		j.temperature = json_number_value(v);
	}
	v = json_object_get(body, "symptoms");
	if (v && !json_is_null(v)) {
		size_t i;
		json_t *s;
		if (!json_is_array(v) || json_array_size(v) > CONTROL_SYMPTOMS_MAX)
			return http_fail(r, MU_EINVAL, "symptoms",
					 "symptoms is a list of at most 16 symptom codes");
		json_array_foreach(v, i, s)
		{
			if (!json_is_string(s))
				return http_fail(r, MU_EINVAL, "symptoms",
						 "a symptom is a code (docs/control.md)");
			j.symptoms[j.n++] = json_string_value(s);
		}
	}
	auth_record_person(r, j.person);
	rc = auth_submit(r, checkin_fn, &j);
	if (rc == MU_EINVAL || rc == MU_ENOTFOUND)
		return http_fail(r, rc, j.why.field ? j.why.field : "id", j.why.text);
	if (rc)
		return rc;
	resp->status = 201;
	resp->json = json_pack("{s:I, s:I, s:b}", "id", (json_int_t)j.id, "person",
			       (json_int_t)j.person, "fever", j.fever);
	return 0;
}
