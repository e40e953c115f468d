/* api_person.c: GET /api/v1/people/{id}/screening — "has this person been tested?": the
 * person's samples, results, recall and exemption in the newest rounds covering their
 * household. A screening route under the person's path (screening reads people, never
 * the reverse); audited as a read of the person. */
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "auth/api.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"

#define ROUNDS_DEFAULT 5
#define ROUNDS_MAX     20

/* Parses the {id} of the path: a positive integer. */
static int person_param(struct http_req *r, int64_t *id)
{
	*id = 0;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], id) || *id <= 0)
		return http_fail(r, MU_EINVAL, "id", "a person id is a positive integer");
	return 0;
}

int screening__api_place_of_person(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	int64_t id, hh;
	int rc = person_param(r, &id);
	if (rc || (rc = people_household_of(auth_req_db(r), id, &hh)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no person has this id") : rc;
	return places_path(auth_req_db(r), hh, ids, n);
}

static json_t *sample_json(const struct screening_person_sample *s)
{
	const char *result = screening_result_name(s->result);
	return json_pack("{s:o, s:s, s:s, s:i, s:b, s:b, s:s, s:o, s:o}", "sampled_at",
			 screening__api_time_json(s->sampled_at), "site", s->site, "tube",
			 s->barcode, "pool", s->capacity, "single", (int)s->single, "repeat",
			 (int)s->repeat, "tube_state", screening_tube_state_name(s->tube_state),
			 "result", result ? json_string(result) : json_null(), "resulted_at",
			 screening__api_time_json(s->resulted_at));
}

static int round_one(const struct screening_person_round *pr, void *ctx)
{
	json_t *rounds = ctx, *samples = json_array(), *recall = json_null(), *exempt;
	for (int i = 0; i < pr->nsamples; i++)
		json_array_append_new(samples, sample_json(&pr->samples[i]));
	if (pr->has_recall)
		recall = json_pack("{s:s, s:o, s:o}", "state",
				   screening_recall_state_name(pr->recall.state), "created_at",
				   screening__api_time_json(pr->recall.created_at), "resolved_at",
				   screening__api_time_json(pr->recall.resolved_at));
	exempt = pr->exempt_reason >= 0
		     ? json_string(screening_exempt_reason_name(pr->exempt_reason))
		     : json_null();
	json_array_append_new(rounds,
			      json_pack("{s:I, s:s, s:b, s:o, s:o, s:s, s:o, s:b, s:o, s:o}", "id",
					(json_int_t)pr->round.id, "name", pr->round.name, "open",
					pr->round.closed_at == 0, "created_at",
					screening__api_time_json(pr->round.created_at), "closed_at",
					screening__api_time_json(pr->round.closed_at), "status",
					screening_person_status_name(pr->status), "samples",
					samples, "more_samples", (int)pr->more_samples, "recall",
					recall, "exempt", exempt));
	return 0;
}

int screening__api_get_person(struct http_req *r, struct http_resp *resp)
{
	int64_t id;
	int limit, rc = person_param(r, &id);
	if (rc || (rc = http_query_limit(r, ROUNDS_DEFAULT, ROUNDS_MAX, &limit)))
		return rc;
	json_t *rounds = json_array();
	auth_record_person(r, id);
	if ((rc = screening_person_history(auth_req_db(r), id, limit, round_one, rounds))) {
		json_decref(rounds);
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no person has this id") : rc;
	}
	resp->json = json_pack("{s:I, s:o}", "person", (json_int_t)id, "rounds", rounds);
	return 0;
}
