/* control: grid control (issue 13) — what a city does with the positives screening finds:
 * cases, close and secondary contacts and their chains, one file and one plan per key
 * person (一人一档、一人一方案), three-person groups and their day's tasks, risk zones and
 * the health code. Control reads screening (and people, places); calls/ and forces/
 * read control; nothing below includes it. Its say in screening's writes goes through
 * screening's hooks (screening.h), set by control's api init. */
#ifndef MU_CONTROL_H
#define MU_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

struct db;
struct mu_why;

/* ---- key persons' statuses (status.c) -------------------------------------------------
 * A key person is a person with a status in force: a case, a close or secondary
 * contact, a resident of a sealed zone, a pool-positive awaiting the re-swab. */
enum control_key {
	CONTROL_KEY_CASE = 0,
	CONTROL_KEY_CLOSE,
	CONTROL_KEY_SECONDARY,
	CONTROL_KEY_SEALED,
	CONTROL_KEY_POOL_POSITIVE,
	CONTROL_NKEYS
};
/* "case", "close", "secondary", "sealed", "pool_positive"; NULL out of range. */
const char *control_key_name(int kind);
/* MU_EINVAL for an unknown name. */
int control_key_parse(const char *s, int *kind);

/* ---- three-person groups (groups.c) --------------------------------------------------- */

/* The three-person group (a medic, a cadre, a police officer) holding grid_id in
 * *group_id. MU_ENOTFOUND when no group holds it (calls/ then routes to the community). */
int control_group_of_grid(struct db *d, int64_t grid_id, int64_t *group_id);

/* ---- cases (helper cases) ---- */

/* ---- plans, files, check-ins, health code (helper plans) ---- */

/* ---- groups and tasks (helper tasks) ---- */

/* ---- zones (helper zones) ---- */

#endif
