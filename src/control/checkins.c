/* checkins.c: a key person's daily check-ins (temperature and symptoms). A fever — a
 * temperature of 37.3 °C or more, or any listed symptom — is the medic's task, derived
 * by tasks.c from checkins.fever. */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"

const char *const control_symptoms[] = {"cough",
					"sore_throat",
					"runny_nose",
					"fatigue",
					"muscle_ache",
					"headache",
					"loss_of_smell",
					"loss_of_taste",
					"diarrhoea",
					"shortness_of_breath",
					"conjunctivitis",
					"chills",
					NULL};

static const char sql_add[] = "INSERT INTO checkins (person_id, at, temperature, symptoms, "
			      "fever, user_id) VALUES (?, ?, ?, ?, ?, ?)";

static bool symptom_known(const char *s)
{
	for (size_t i = 0; control_symptoms[i]; i++)
		if (strcmp(s, control_symptoms[i]) == 0)
			return true;
	return false;
}

int control_checkin_add(struct db *d, int64_t person, int64_t at, double temperature,
			const char *const *symptoms, size_t nsymptoms, int64_t user, int64_t *id,
			bool *fever, struct mu_why *why)
{
	struct db_stmt *st;
	int64_t hh;
	int rc;
	*id = 0;
	*fever = false;
	if (!isnan(temperature) && !(temperature >= 34.0 && temperature <= 43.0))
		return mu_why_set(why, MU_EINVAL, "temperature",
				  "a temperature is in °C, 34.0 to 43.0");
	if (nsymptoms > CONTROL_SYMPTOMS_MAX)
		return mu_why_set(why, MU_EINVAL, "symptoms", "at most 16 symptoms");
	json_t *arr = json_array();
	for (size_t i = 0; i < nsymptoms; i++) {
		bool repeat = false;
		for (size_t j = 0; j < i; j++)
			repeat |= strcmp(symptoms[i], symptoms[j]) == 0;
		if (!symptom_known(symptoms[i]) || repeat) {
			json_decref(arr);
			return mu_why_set(why, MU_EINVAL, "symptoms",
					  "a symptom is listed once, one of the codes in "
					  "docs/control.md");
		}
		json_array_append_new(arr, json_string(symptoms[i]));
	}
	*fever = nsymptoms > 0 || (!isnan(temperature) && temperature >= CONTROL_FEVER_C);
	char *text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if ((rc = people_household_of(d, person, &hh))) {
		if (rc == MU_ENOTFOUND)
			mu_why_set(why, rc, "id", "no person has this id");
		goto out;
	}
	if ((rc = db_prepare(d, sql_add, &st)))
		goto out;
	db_bind_i64(st, 1, person);
	db_bind_i64(st, 2, at);
	if (isnan(temperature))
		db_bind_null(st, 3);
	else
		db_bind_double(st, 3, temperature);
	db_bind_text(st, 4, text, -1);
	db_bind_i64(st, 5, *fever);
	if (user)
		db_bind_i64(st, 6, user);
	else
		db_bind_null(st, 6);
	rc = db_step(st);
	db_stmt_done(st);
	if (rc >= 0) {
		*id = db_last_insert_id(d);
		rc = 0;
	}
out:
	free(text);
	return rc;
}
