/* screening_int.h: names shared inside screening/ only — the facts a delta carries to
 * the coverage aggregate, and small helpers of the write paths. */
#ifndef MU_SCREENING_INT_H
#define MU_SCREENING_INT_H

#include <stdint.h>

#include "screening.h"

/* Facts about one person in one round, one bit each; a person's coverage state is a
 * function of the bits set (coverage.c), and bits are only ever set. */
enum {
	SCREENING__F_SAMPLED = 1,     /* has a sample */
	SCREENING__F_NEG = 2,	      /* a tube holding them resulted negative */
	SCREENING__F_RECALL = 4,      /* has a recall (pool-positive) */
	SCREENING__F_RECALL_NEG = 8,  /* the recall resolved negative */
	SCREENING__F_RECALL_POS = 16, /* the recall resolved positive: confirmed */
	SCREENING__F_EXEMPT = 32,     /* exempt (for the round, or standing) */
};

/* household_id 0: unknown to the writer; coverage looks it up. round_id 0 (exemptions
 * only): every round. */
struct screening__event {
	int64_t round_id, person_id, household_id;
	uint8_t flag;
};

struct screening_delta {
	struct screening__event *ev;
	size_t n, cap;
};

/* Appends an event; does nothing when dl is NULL. */
void screening__delta_add(struct screening_delta *dl, int64_t round_id, int64_t person_id,
			  int64_t household_id, uint8_t flag);

/* From the aggregate c: missing[i] = whether persons[i] has neither a sample in round_id
 * nor an exemption, for n people; or covered[p] = 1 for every person p up to *n who has
 * one (a new array the caller frees). MU_ENOTFOUND when c does not hold the round. */
int screening__cov_missing(struct screening_cov *c, int64_t round_id, const int64_t *persons,
			   size_t n, bool *missing);
int screening__cov_covered(struct screening_cov *c, int64_t round_id, uint8_t **covered, size_t *n);

/* A barcode or code as stored: 1..max bytes of [0-9A-Za-z-]. */
bool screening__code_ok(const char *s, size_t max);

/* The grid (level 4 ancestor) holding household; MU_ENOTFOUND when it has none. */
int screening__grid_of(struct db *d, int64_t household_id, int64_t *grid_id);

/* The hooks control set (hooks.c); members NULL when none. */
const struct screening_hooks *screening__hooks(void);

#endif
