/* contacts.c: close and secondary contacts of a case — one row per case and person,
 * each starting (or, on a later exposure, moving) the person's contact status — and
 * the residents a household or building shortcut names. Owns the contacts table's
 * writes. */
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"

static const char *const contact_kinds[] = {"close", "secondary"};
static const char *const settings[] = {"household", "building",	  "workplace",
				       "transport", "same_space", "other"};
#define NSETTINGS (sizeof settings / sizeof settings[0])

const char *control_contact_kind_name(int kind)
{
	return kind >= 0 && kind < 2 ? contact_kinds[kind] : NULL;
}

int control_contact_kind_parse(const char *s, int *kind)
{
	for (int i = 0; s && i < 2; i++)
		if (!strcmp(s, contact_kinds[i])) {
			*kind = i;
			return 0;
		}
	return MU_EINVAL;
}

const char *control_setting_name(int setting)
{
	return setting >= 0 && (size_t)setting < NSETTINGS ? settings[setting] : NULL;
}

int control_setting_parse(const char *s, int *setting)
{
	for (size_t i = 0; s && i < NSETTINGS; i++)
		if (!strcmp(s, settings[i])) {
			*setting = (int)i;
			return 0;
		}
	return MU_EINVAL;
}

static const char sql_find[] =
    "SELECT id, kind, last_exposure FROM contacts WHERE case_id = ? AND person_id = ?";
static const char sql_insert[] =
    "INSERT INTO contacts (case_id, person_id, kind, setting, last_exposure, via_person_id,"
    " listed_at, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_move[] = "UPDATE contacts SET last_exposure = ?, kind = ? WHERE id = ?";
static const char sql_set_status[] = "UPDATE contacts SET status_id = ? WHERE id = ?";

/* Whether person has an open case: then the case is their status. */
static int has_open_case(struct db *d, int64_t person, bool *open)
{
	struct control_case c;
	int rc = control_case_open_of(d, person, &c);
	*open = rc == 0;
	return rc == MU_ENOTFOUND ? 0 : rc;
}

/* Records x's refusal; 0, for add_one to return: a refusal is no error. */
static int refuse(struct control_contact_result *x, int err, const char *field, const char *msg)
{
	x->status = CONTROL_CONTACT_REFUSED;
	x->err = err;
	mu_why_set(&x->why, err, field, "%s", msg);
	return 0;
}

/* One item: checks, then the row and the status. A refusal is x's, not an error. */
static int add_one(struct db *d, const struct control_case *cs, const struct control_contact_in *in,
		   int64_t now, int64_t user, struct control_contact_result *x)
{
	struct db_stmt *s;
	int64_t hh, id = 0, old_exposure = 0, status_id = 0;
	int old_kind = -1, rc;
	bool found = false, open = false;
	memset(x, 0, sizeof *x);
	if (!control_contact_kind_name(in->kind) || !control_setting_name(in->setting))
		return refuse(x, MU_EINVAL, "kind", "kind is close or secondary");
	if (in->person_id == cs->person_id)
		return refuse(x, MU_EINVAL, "person", "the case's own person is no contact of it");
	if (in->kind == CONTROL_CONTACT_SECONDARY && !in->via_person_id)
		return refuse(x, MU_EINVAL, "via",
			      "a secondary contact names the close contact they met");
	if (in->kind == CONTROL_CONTACT_CLOSE && in->via_person_id)
		return refuse(x, MU_EINVAL, "via", "only a secondary contact has a via");
	if (in->via_person_id == in->person_id)
		return refuse(x, MU_EINVAL, "via", "a person is not their own via");
	if (in->last_exposure <= 0 || in->last_exposure > now + CONTROL__CLOCK_SKEW_S)
		return refuse(x, MU_EINVAL, "last_exposure",
			      "the last exposure is a time not in the future");
	if ((rc = people_household_of(d, in->person_id, &hh)))
		return rc == MU_ENOTFOUND ? refuse(x, rc, "person", "no person has this id") : rc;
	if (in->via_person_id && (rc = people_household_of(d, in->via_person_id, &hh)))
		return rc == MU_ENOTFOUND ? refuse(x, rc, "via", "no person has this id") : rc;
	if ((rc = db_prepare(d, sql_find, &s)))
		return rc;
	db_bind_i64(s, 1, cs->id);
	db_bind_i64(s, 2, in->person_id);
	if ((rc = db_step(s)) == DB_ROW) {
		found = true;
		id = db_col_i64(s, 0);
		control_contact_kind_parse(db_col_text(s, 1), &old_kind);
		old_exposure = db_col_i64(s, 2);
	}
	db_stmt_done(s);
	if (rc < 0)
		return rc;
	/* A close contact stays close; a later exposure moves the status (and plan). */
	int kind = found && old_kind == CONTROL_CONTACT_CLOSE ? CONTROL_CONTACT_CLOSE : in->kind;
	if (found && in->last_exposure <= old_exposure && kind == old_kind) {
		x->status = CONTROL_CONTACT_DUPLICATE;
		x->id = id;
		return 0;
	}
	int64_t exposure =
	    found && old_exposure > in->last_exposure ? old_exposure : in->last_exposure;
	if ((rc = has_open_case(d, in->person_id, &open)))
		return rc;
	if (found) {
		if ((rc = db_prepare(d, sql_move, &s)))
			return rc;
		db_bind_i64(s, 1, exposure);
		db_bind_text_static(s, 2, contact_kinds[kind], -1);
		db_bind_i64(s, 3, id);
		rc = db_step(s);
		db_stmt_done(s);
		x->status = CONTROL_CONTACT_MOVED;
	} else {
		if ((rc = db_prepare(d, sql_insert, &s)))
			return rc;
		db_bind_i64(s, 1, cs->id);
		db_bind_i64(s, 2, in->person_id);
		db_bind_text_static(s, 3, contact_kinds[kind], -1);
		db_bind_text_static(s, 4, settings[in->setting], -1);
		db_bind_i64(s, 5, exposure);
		if (in->via_person_id)
			db_bind_i64(s, 6, in->via_person_id);
		else
			db_bind_null(s, 6);
		db_bind_i64(s, 7, now);
		if (user)
			db_bind_i64(s, 8, user);
		else
			db_bind_null(s, 8);
		rc = db_step(s);
		db_stmt_done(s);
		id = db_last_insert_id(d);
		x->status = CONTROL_CONTACT_ADDED;
	}
	if (rc != DB_DONE)
		return rc < 0 ? rc : MU_EDB;
	x->id = id;
	/* The status names its contacts row (ref); started again on a later exposure, it
	 * moves (the plan with it). A person with an open case keeps the case as status. */
	if (open)
		return 0;
	if ((rc = control__key_start(d, in->person_id,
				     kind == CONTROL_CONTACT_CLOSE ? CONTROL_KEY_CLOSE
								   : CONTROL_KEY_SECONDARY,
				     exposure, "contact", id, now, &status_id)))
		return rc;
	if ((rc = db_prepare(d, sql_set_status, &s)))
		return rc;
	db_bind_i64(s, 1, status_id);
	db_bind_i64(s, 2, id);
	rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

int control_contacts_add(struct db *d, int64_t case_id, const struct control_contact_in *in,
			 size_t n, int64_t now, int64_t user, struct control_contact_result *out)
{
	struct control_case cs;
	int rc = control_case_get(d, case_id, &cs);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_one(d, &cs, &in[i], now, user, &out[i]);
	return rc;
}

struct residents {
	struct db *d;
	int64_t *ids;
	size_t n, cap;
};

static int resident(int64_t person, void *ctx)
{
	struct residents *r = ctx;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->ids = mu_xrealloc(r->ids, r->cap * sizeof *r->ids);
	}
	r->ids[r->n++] = person;
	return 0;
}

static int household(const struct places_ref *h, void *ctx)
{
	struct residents *r = ctx;
	return people_household_members(r->d, h->id, 0, resident, r);
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int control_contacts_residents(struct db *d, int64_t place, int64_t **out, size_t *n)
{
	struct residents r = {.d = d};
	int rc = places_level_walk(d, place, PLACES_HOUSEHOLD, household, &r);
	if (rc) {
		free(r.ids);
		return rc;
	}
	if (r.n > 1)
		qsort(r.ids, r.n, sizeof *r.ids, cmp_id);
	*out = r.ids;
	*n = r.n;
	return 0;
}
