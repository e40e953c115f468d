/* calls_int.h: names shared inside calls/ only, one section per area. */
#ifndef MU_CALLS_INT_H
#define MU_CALLS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "places/places.h"

struct db;

/* ---- calls (helper calls): shared by calls.c, deadlines.c, escalate.c ---------------- */
struct db_stmt;
#define CALLS__PHONE_CONTEXT "calls.phone" /* people_text_seal's context of a phone */
/* Steps a statement that returns no row: 0 or its error. */
int calls__exec(struct db_stmt *s);
/* The index of a category in calls_category_name's order; -1 for none. */
int calls__category_index(const char *s);
/* The Guangzhou day (days since 1970-01-01 in UTC+8) of unix time t. */
int64_t calls__day(int64_t t);
/* Tallies (call_tallies) and times (call_times) are kept for the places of a call's path
 * from the city down to its grid: below it, a summary counts the grid's calls
 * (calls_summary_below). Rows for the compound, building and household were three more
 * pages, at random places of the file, dirtied and written by every call logged. */
#define CALLS_KEPT_LEVELS (PLACES_GRID + 1)
/* Adds open and overdue to the tallies of category for each of path[0..n) down to the
 * grid. */
int calls__tally(struct db *d, const int64_t *path, int n, const char *category, int open,
		 int overdue);
/* Records a step of call (place, note and user: 0/NULL for none; note borrowed). */
int calls__step(struct db *d, int64_t call, const char *kind, int64_t at, int64_t place,
		const char *note, int64_t user);

/* calls_wartime_of for the place whose path is path[0..n) (already read by the caller). */
int calls__wartime_of_path(struct db *d, const int64_t *path, int n, int64_t at, bool *on,
			   int64_t *since);

/* ---- orders (helper orders) ---- */

#endif
