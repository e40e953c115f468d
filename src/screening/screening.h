/* screening: mass nucleic-acid screening — rounds, sampling sites, labs, pooled tubes
 * (k-in-1) and the samples scanned into them, lab receipt and results, pool-positive
 * recall, coverage per place (a hot in-memory aggregate), the roll-call of who is
 * missing, and the Dorfman planner. */
#ifndef MU_SCREENING_H
#define MU_SCREENING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct db;
struct people_keys;
struct places_node;

#define SCREENING_NAME_MAX    64   /* code points of a round, site or lab name */
#define SCREENING_CODE_MAX    32   /* bytes of a site or lab code: [0-9A-Za-z-] */
#define SCREENING_BARCODE_MAX 32   /* bytes of a tube barcode: [0-9A-Za-z-] */
#define SCREENING_SCAN_ID_MAX 64   /* bytes of a client scan id: printable ASCII, no space */
#define SCREENING_BATCH_MAX   1000 /* scans (or receipts, results) per call from the API */

/* Pool sizes a round may use: 1 (single tube), 5, 10, 20. */
bool screening_pool_valid(int k);

/* ISO 8601 times as mu_time_parse reads them (a bare date is midnight UTC, no offset
 * means UTC), in the unix seconds screening stores: a fraction is dropped. MU_EINVAL for
 * anything else. format writes "YYYY-MM-DDTHH:MM:SSZ". */
int screening_time_parse(const char *s, int64_t *unix_s);
void screening_time_format(int64_t unix_s, char out[21]);

/* ---- rounds, sites, labs (round.c) --------------------------------------------------- */

struct screening_round {
	int64_t id;
	int64_t scope_place_id; /* the root of the subtree to be tested */
	char name[SCREENING_NAME_MAX * 4 + 1];
	int pool_k;		       /* default pool size */
	int pool_high, pool_medium;    /* overrides for high/medium-risk places (see tube.c) */
	int64_t starts, ends;	       /* unix seconds; 0 when not set */
	int64_t created_at, closed_at; /* closed_at 0 while open */
};

/* Creates r (id ignored; pool_high 0 means 1, pool_medium 0 means pool_k) and sets
 * r->id. Returns 0; MU_EINVAL for a bad name, pool size or window; MU_ENOTFOUND when
 * the scope place does not exist; why (may be NULL) says which field and why. Runs in the caller's
 * transaction if there is one. */
int screening_round_create(struct db *d, struct screening_round *r, struct mu_why *why);
/* Reads a round. MU_ENOTFOUND when absent. */
int screening_round_get(struct db *d, int64_t id, struct screening_round *out);
/* Closes a round at now: no scan is accepted after (results still are). MU_ENOTFOUND,
 * or MU_EEXIST when it is already closed. */
int screening_round_close(struct db *d, int64_t id, int64_t now);
/* Samples per hour of each round, kept in memory (hours.c): a round is counted from its
 * index the first time it is asked for, then only samples added since are read (by row
 * id; samples are never deleted). Safe from any thread. free accepts NULL. */
struct screening_hours;
struct screening_hours *screening_hours_new(void);
void screening_hours_free(struct screening_hours *h);
/* Calls fn with the start (unix seconds) and count of every hour of round_id's samples
 * with from <= start < to, in order, after catching up with d's snapshot (the caller's,
 * if it holds one). fn NULL: only count (to have a round counted before it is asked
 * for). Returns 0 or a database error. */
int screening_hours_sum(struct screening_hours *h, struct db *d, int64_t round_id, int64_t from,
			int64_t to, void (*fn)(int64_t hour_start, int64_t n, void *ctx),
			void *ctx);

/* The city's day for the overview: samples per hour over the SCREENING_DAY_HOURS whole
 * hours ending with now's hour (hourly[0] starts at hour0), samples since local midnight
 * (tz_offset_s east of UTC), the round's recalls by SCREENING_RECALL_* state and those
 * confirmed positive since midnight. Cost: the samples added since hours last looked
 * (all of the round's index entries the first time), and one pass over the round's
 * recalls. */
#define SCREENING_DAY_HOURS 24
struct screening_day {
	int64_t round_id, day_start, hour0;
	int64_t hourly[SCREENING_DAY_HOURS];
	int64_t samples_today, positives_today;
	int64_t recalls[4];
};
int screening_day_get(struct db *d, struct screening_hours *hours, int64_t round_id, int64_t now,
		      int tz_offset_s, struct screening_day *out);

/* Calls fn for every round, newest first; stops when fn returns non-zero (returned). */
int screening_round_list(struct db *d, int (*fn)(const struct screening_round *r, void *ctx),
			 void *ctx);

struct screening_site {
	int64_t id, place_id;
	char code[SCREENING_CODE_MAX + 1];
	char name[SCREENING_NAME_MAX * 4 + 1];
	int desks;
};
/* Adds a site (id ignored, set on success). MU_EINVAL for a bad code, name or desks;
 * MU_ENOTFOUND for a missing place; MU_EEXIST for a code already used; why (may be
 * NULL) says which field ("code", "name", "desks", "place") and why. */
int screening_site_add(struct db *d, struct screening_site *s, struct mu_why *why);
int screening_site_find(struct db *d, const char *code, struct screening_site *out);

struct screening_lab {
	int64_t id;
	char code[SCREENING_CODE_MAX + 1];
	char name[SCREENING_NAME_MAX * 4 + 1];
	int64_t capacity; /* tubes per day */
};
/* Adds a lab (id set on success). MU_EINVAL, MU_EEXIST and why as for sites
 * ("capacity" in place of "desks"). */
int screening_lab_add(struct db *d, struct screening_lab *l, struct mu_why *why);
int screening_lab_find(struct db *d, const char *code, struct screening_lab *out);

/* Every site (in code order) or every lab; fn's non-zero return stops and is returned. */
int screening_site_list(struct db *d, int (*fn)(const struct screening_site *s, void *ctx),
			void *ctx);
int screening_lab_list(struct db *d, int (*fn)(const struct screening_lab *l, void *ctx),
		       void *ctx);

/* A tube waiting at a lab: received, not yet resulted. */
struct screening_backlog_tube {
	char barcode[SCREENING_BARCODE_MAX + 1];
	int64_t round_id, received_at;
	int n;
	bool single;
};
/* A lab's backlog: *total tubes waiting, *oldest the earliest receipt (0: none), and the
 * first up to limit of them, oldest first, into out (*n written). Index-only counts. */
int screening_lab_backlog(struct db *d, int64_t lab_id, size_t limit,
			  struct screening_backlog_tube *out, size_t *n, int64_t *total,
			  int64_t *oldest);

/* ---- changes for the coverage aggregate (coverage.c) ---------------------------------
 * Every write function below takes a delta (may be NULL): it appends what the write
 * changed for coverage. The caller applies it with screening_cov_apply only after the
 * transaction committed, and drops it (screening_delta_reset) when it rolled back. The
 * changes only ever set facts about a person (sampled, in a negative tube, recalled,
 * recall resolved, exempt), so applying deltas in any order, or twice, gives the same
 * aggregate: the writer's group commit may release callers in any order. Bulk loads
 * pass NULL and rebuild the aggregate afterwards. */
struct screening_delta;
struct screening_delta *screening_delta_new(void);
void screening_delta_free(struct screening_delta *dl); /* accepts NULL */
void screening_delta_reset(struct screening_delta *dl);
size_t screening_delta_count(const struct screening_delta *dl);

/* ---- the scan path (tube.c) ---------------------------------------------------------- */

/* One scan as the client sent it; strings borrowed, NULL when absent. person is a
 * 26-character personal code or an ID number (resident ID, else passport, else other). */
struct screening_scan {
	const char *scan_id;
	int64_t round_id;
	const char *site; /* site code */
	const char *tube; /* barcode */
	const char *person;
	const char *at; /* ISO 8601 */
};

enum { SCREENING_SCAN_OK = 0, SCREENING_SCAN_DUPLICATE = 1, SCREENING_SCAN_ERROR = 2 };

struct screening_scan_result {
	int status;	   /* SCREENING_SCAN_* */
	int err;	   /* for ERROR: a MU_E* code (MU_EINVAL malformed, MU_ENOTFOUND
			      unknown round/site/person, or a person outside the site's place,
			      MU_EFORBIDDEN a site outside the round's scope, MU_EEXIST a
			      conflict: round closed, tube sealed/full/of another round or site) */
	struct mu_why why; /* for ERROR: the scan's field at fault and the reason */
	/* for OK: */
	int64_t sample_id, tube_id, person_id;
	bool repeat; /* the person already had a sample in this round */
	bool opened; /* this scan opened the tube */
	bool sealed; /* the tube is now full and sealed itself */
	bool recall; /* a recall's re-swab: the tube is the recall's single tube */
};

/* Processes n scans (n ≤ SCREENING_BATCH_MAX) in the caller's transaction (a writer job),
 * answering each in out[i]. A refused item writes nothing: every check runs before any
 * write, and a write that still fails is a database error that fails the whole batch
 * (no savepoint per item — each one copied the pages it touched into a journal again).
 * A scan's time must lie between the round's opening (its starts, else its creation; five
 * minutes earlier for a device's clock skew) and a day after the server's clock (field
 * "at" otherwise).
 * The person is found without opening their sealed fields. The first scan of a barcode opens the
 * tube at the scan's site with the round's pool size; a person with a pending recall in the round
 * is re-swabbed instead: the barcode must be new and becomes the recall's single tube (capacity 1).
 * A tube seals itself when full. The same scan_id again answers DUPLICATE and changes nothing. keys
 * are those of the database (personal codes and ID hashes). Returns 0 when every item was answered,
 * or a database error (MU_EDB, MU_EBUSY): the caller must then roll the whole batch back. */
int screening_scan_batch(struct db *d, const struct people_keys *k, const struct screening_scan *in,
			 size_t n, struct screening_scan_result *out, struct screening_delta *dl);

/* ---- tubes (tube.c) ------------------------------------------------------------------ */

enum screening_tube_state {
	SCREENING_TUBE_OPEN = 0,
	SCREENING_TUBE_SEALED,
	SCREENING_TUBE_RECEIVED,
	SCREENING_TUBE_RESULTED,
};
enum screening_result {
	SCREENING_RESULT_NONE = -1,
	SCREENING_RESULT_NEGATIVE = 0,
	SCREENING_RESULT_POSITIVE = 1,
	SCREENING_RESULT_INVALID = 2,
};
/* "open", "sealed", "received", "resulted"; "negative", "positive", "invalid".
 * Static strings; NULL out of range. parse: MU_EINVAL for anything else. */
const char *screening_tube_state_name(int s);
const char *screening_result_name(int r);
int screening_result_parse(const char *s, int *r);

struct screening_tube {
	int64_t id, round_id, site_id, lab_id; /* lab_id 0 until received */
	char barcode[SCREENING_BARCODE_MAX + 1];
	int capacity, n, state;
	bool single;		/* a recall's single tube */
	int result;		/* SCREENING_RESULT_*; NONE until resulted */
	double ct_orf1ab, ct_n; /* NAN when not reported */
	int64_t opened_at, sealed_at, received_at, resulted_at; /* 0 when not yet */
};
/* Reads a tube by barcode. MU_EINVAL for a malformed barcode, MU_ENOTFOUND. */
int screening_tube_get(struct db *d, const char *barcode, struct screening_tube *out);

/* Seals an open tube by hand at now (open → sealed). MU_EINVAL for a malformed barcode,
 * MU_ENOTFOUND for an unknown tube, MU_EEXIST when it is not open; why (may be NULL)
 * says which, with the tube's state. */
int screening_tube_seal(struct db *d, const char *barcode, int64_t now, struct mu_why *why);

/* ---- lab receipt and results (result.c) --------------------------------------------- */

/* Per-item answer of receipts and results: err 0 or a MU_E* code, with why. */
struct screening_item_result {
	int err;
	struct mu_why why;
};

/* Lab lab_code receives n tubes at now (sealed → received), each answered in out[i]:
 * MU_ENOTFOUND unknown tube, MU_EEXIST not sealed (still open, or already received or
 * resulted). Refused items write nothing. Returns 0, MU_ENOTFOUND for an unknown lab,
 * or a database error (roll back). */
int screening_tube_receive(struct db *d, const char *lab_code, const char *const *barcodes,
			   size_t n, int64_t now, struct screening_item_result *out);

/* One lab result as the client sent it; strings borrowed. ct values are NAN when
 * absent; present ones must lie in 0..60. */
struct screening_result_in {
	const char *tube;   /* barcode */
	const char *result; /* "negative", "positive", "invalid" */
	double ct_orf1ab, ct_n;
	const char *at; /* ISO 8601; NULL means now */
};

/* Records n results (received → resulted) in the caller's transaction, each answered
 * in out[i]: MU_ENOTFOUND unknown tube; MU_EEXIST not received yet (open or only
 * sealed) or already resulted; MU_EFORBIDDEN when lab_code (NULL: any) is not the lab
 * that received it; MU_EINVAL malformed. Effects: a negative tube clears its members;
 * a positive or invalid pooled tube makes each member pool-positive with one recall
 * per person and round, assigned to the grid of their household; a recall's single
 * tube resolves the recall (negative clears, positive confirms, invalid returns it to
 * pending for another re-swab); a positive single tube of a k = 1 round records a
 * confirmed positive directly (a recall already in state positive). For one tube or
 * 1.87 M in one transaction. Returns 0 or a database error (roll back). */
int screening_result_record(struct db *d, const char *lab_code,
			    const struct screening_result_in *in, size_t n, int64_t now,
			    struct screening_item_result *out, struct screening_delta *dl);

/* ---- a lab's results as CSV (csv.c): `muster results import`; docs/csv.md -------------
 * tube,result,ct_orf1ab,ct_n,at — the sink and the result are places' (csv.c there). */
#include "places/places.h"

#define SCREENING_RESULTS_CSV_NCOLS 5
extern const struct places_csv_column screening_results_csv_columns[SCREENING_RESULTS_CSV_NCOLS];

/* Records the results rows of csv (its header already read) for lab_code through
 * screening_result_record, one row at a time, in the caller's transaction; each
 * refused row (malformed, not UTF-8, a ct that is not a number, or refused by the
 * store: unknown tube, another lab's, not received, already resulted) goes to
 * sink->reject with its reason. res->imported counts the rows recorded. Returns 0 when
 * the file was read to its end, MU_EIO with errno set on a read error, or a database
 * error (roll back). The caller commits, or rolls back on refused rows when it wants
 * all or nothing. */
int screening_results_csv_import(struct db *d, const char *lab_code, struct mu_csv *csv,
				 int64_t now, const struct places_csv_sink *sink,
				 struct places_csv_result *res);

/* ---- recalls (result.c) -------------------------------------------------------------- */

enum screening_recall_state {
	SCREENING_RECALL_PENDING = 0, /* waiting for the re-swab */
	SCREENING_RECALL_SAMPLED,     /* re-swabbed, single tube not resulted */
	SCREENING_RECALL_NEGATIVE,    /* cleared */
	SCREENING_RECALL_POSITIVE,    /* confirmed positive: the hook for control/ (cases) */
};
const char *screening_recall_state_name(int s); /* "pending", ...; NULL out of range */
int screening_recall_state_parse(const char *s, int *state);

struct screening_recall {
	int64_t id, round_id, person_id, grid_id, source_tube_id, single_tube_id;
	int state;
	int64_t created_at, resolved_at; /* resolved_at 0 until negative/positive */
};
/* Calls fn for each recall of round in the subtree of place (any level), grid by grid
 * in code order, then by id; state < 0 means any state. Paging: after_id > 0 resumes
 * after that recall (its grid is looked up). Stops when fn returns non-zero and
 * returns that value. */
int screening_recall_list(struct db *d, int64_t round_id, int64_t place_id, int state,
			  int64_t after_id, int (*fn)(const struct screening_recall *r, void *ctx),
			  void *ctx);
int screening_recall_get(struct db *d, int64_t round_id, int64_t person_id,
			 struct screening_recall *out);

/* ---- exemptions (coverage.c) ---------------------------------------------------------- */

enum screening_exempt_reason {
	SCREENING_EXEMPT_AWAY = 0,
	SCREENING_EXEMPT_HOSPITALISED,
	SCREENING_EXEMPT_DECEASED,
	SCREENING_EXEMPT_MOVED,
};
const char *screening_exempt_reason_name(int r); /* "away", ...; NULL out of range */
int screening_exempt_reason_parse(const char *s, int *r);

/* Records that person need not be tested in round_id (0: standing, every round).
 * by_user 0 for the command line. MU_ENOTFOUND for an unknown person or round,
 * MU_EEXIST when the same exemption (round or standing) is already recorded,
 * MU_EINVAL for a bad reason. An exempt person who is sampled anyway counts as
 * expected and sampled. */
int screening_exemption_add(struct db *d, int64_t round_id, int64_t person_id, int reason,
			    int64_t by_user, int64_t now, struct screening_delta *dl);

/* ---- coverage: the hot aggregate (coverage.c) ----------------------------------------
 * Per round, a byte of facts per person (indexed by person id) and six int32 counters
 * per place down to the building (indexed through a place-id → slot map); households
 * are computed from their few people on demand. Thread safety: one pthread rwlock —
 * readers (request threads) take it shared, screening_cov_apply and the loading of a
 * round take it exclusive. Memory at full scale: ≈ 19 MB per round (person bytes) plus
 * ≈ 67 MB for the tree, shared by every round. */
struct screening_cov;

/* Person-level counts of a place in a round. States are disjoint: resulted =
 * negative + pool_positive + positive; pool_positive is "recalled, not resolved".
 * expected = residents − exempt people not sampled. Only people inside the round's
 * scope count: a place above the scope has the scope's counts; a place beside it has
 * in_scope false and every count 0. */
struct screening_counts {
	int64_t place_id;
	bool in_scope;	  /* the place lies inside the round's scope or holds it */
	int64_t people;	  /* residents inside the round's scope (places.n_people) */
	int64_t expected; /* people − exempt and not sampled */
	int64_t sampled;  /* distinct people with a sample */
	int64_t resulted, negative, pool_positive, positive;
	double coverage; /* sampled / expected; 0 when expected is 0 */
};

/* Builds the aggregate of every round in d: the tree, then per round one pass over its
 * samples, recalls and exemptions. *out is the caller's to free. */
int screening_cov_new(struct db *d, struct screening_cov **out);
void screening_cov_free(struct screening_cov *c); /* accepts NULL */

/* Applies a committed delta. d (any connection, a reader is fine) resolves places and
 * rounds the aggregate has not seen yet. The delta is left as it was. */
int screening_cov_apply(struct screening_cov *c, struct db *d, const struct screening_delta *dl);

/* Rebuilds one round from the database (after a bulk load, or to repair); the new
 * counters replace the old at once. */
int screening_cov_round_rebuild(struct screening_cov *c, struct db *d, int64_t round_id);

/* Coverage of place in round: O(1) from memory plus the place's row (residents). A
 * round not seen yet is loaded first. MU_ENOTFOUND for an unknown round or place. */
int screening_cov_get(struct screening_cov *c, struct db *d, int64_t round_id, int64_t place_id,
		      struct screening_counts *out);
/* Calls fn with the counts of each child of place in code order. */
int screening_cov_children(struct screening_cov *c, struct db *d, int64_t round_id,
			   int64_t place_id, int (*fn)(const struct screening_counts *k, void *ctx),
			   void *ctx);
/* The most places one coverage answer lists below its place (≈ 230 bytes of JSON each). */
#define SCREENING_COV_BELOW_MAX 2000
/* Calls fn with the counts of each place below place_id down to depth levels (1: its
 * children; 2: also each child's children, households having none), depth first in code
 * order: a child, then its children, then the next child. fn gets the place (borrowed
 * for the call) and its depth below place_id (1 or 2); a non-zero return stops the walk
 * and is returned. Every place is listed before fn is first called: MU_ETOOBIG, with fn
 * never called, when more than max lie within depth. MU_EINVAL for a depth not 1 or 2. */
int screening_cov_below(struct screening_cov *c, struct db *d, int64_t round_id, int64_t place_id,
			int depth, size_t max,
			int (*fn)(const struct places_node *n, const struct screening_counts *k,
				  int depth, void *ctx),
			void *ctx);

/* ---- roll-call: who is missing (rollcall.c) -------------------------------------------- */

/* missing[i] = whether persons[i] has neither a sample in round_id nor an exemption from
 * it (standing or of the round), for n people at once: read from cov (the server's
 * aggregate, shared-locked once) when it is given and holds the round, else from d (two
 * indexed reads a person). Whether a person lives in the round's scope is the caller's
 * to know. */
int screening_missing_of(struct db *d, struct screening_cov *cov, int64_t round_id,
			 const int64_t *persons, size_t n, bool *missing);

/* Every person of the city missing from round_id (as screening_missing_of), with their
 * household, in household then person order: the roll-call of a whole city at once, for
 * work that covers every grid (a day's tasks). The covered people are read from cov when
 * it is given and holds the round (a copy of its facts), else from d (the round's
 * samples and the exemptions); the households of the others from people/. Whether they
 * live in the round's scope is the caller's to check. */
struct screening_absent {
	int64_t household_id, person_id;
};
struct screening_absent_set {
	struct screening_absent *v;
	size_t n;
};
int screening_missing_all(struct db *d, struct screening_cov *cov, int64_t round_id,
			  struct screening_absent_set *out);
void screening_absent_set_fini(struct screening_absent_set *s);

struct screening_missing {
	int64_t person_id, household_id, building_id, compound_id;
	char household[33], building[33], compound[33]; /* place codes */
	/* place names: "101", "1栋", the compound's */
	char household_name[64 * 4 + 1], building_name[64 * 4 + 1], compound_name[64 * 4 + 1];
	char name[64 * 4 + 1]; /* filled when keys were given, else "" */
	char phone[21];	       /* the full number, filled when keys were given, else "" */
	/* the latest note on the person of this round or of none, when keys were given */
	char note[500 * 4 + 1];
	int64_t note_at; /* unix seconds; 0 without a note */
};
#define SCREENING_CURSOR_MAX 48
/* Lists up to limit people of place's subtree with no sample in the round and no
 * exemption (standing or of the round), in the order one walks the place door to door:
 * compound (code order), building by name, household by name, then person id — names
 * in natural order (screening_name_cmp: "2栋" before "10栋", 101 < 102 < 201 < 1001),
 * ties by id. cursor ("" or NULL for the first page) resumes after a previous page;
 * next (≥ SCREENING_CURSOR_MAX bytes) gets the cursor of the following page, "" when
 * there is none. keys (may be NULL) open names, phones and notes. *n gets the count
 * written to out. MU_EINVAL for a malformed cursor or one of a household outside place,
 * MU_ENOTFOUND place. The caller wipes out (names, phones, notes) when done. */
int screening_missing_list(struct db *d, const struct people_keys *k, int64_t round_id,
			   int64_t place_id, const char *cursor, struct screening_missing *out,
			   size_t limit, size_t *n, char *next);

/* Natural order of place names: runs of ASCII digits compare by value ("9" < "10",
 * leading zeros ignored), everything else bytewise; names equal so ("01", "1") are
 * ordered bytewise. <0, 0, >0 like strcmp; 0 only for equal strings. */
int screening_name_cmp(const char *a, const char *b);

/* ---- roll-call notes (rollcall.c) ------------------------------------------------------- */

#define SCREENING_NOTE_MAX    500 /* code points of a note */
#define SCREENING_NOTE_ID_MAX 64  /* bytes of a client's note id: printable ASCII, no space */

/* Records a note on person_id (from the roll-call of round_id; 0: of no round) by by_user
 * (0: the command line) at now, sealed under k; *id gets its row id. client_id, the
 * device's id of the note, makes a resend harmless: MU_EEXIST when a note with it is
 * recorded (nothing is written). MU_EINVAL (why, may be NULL, says which field) for a
 * client id not of 1..64 printable ASCII without spaces, or a text empty, over
 * SCREENING_NOTE_MAX code points, not UTF-8, or holding control characters (newlines
 * aside), bidi controls or zero-width characters; MU_ENOTFOUND for an unknown person or
 * round. */
int screening_note_add(struct db *d, const struct people_keys *k, const char *client_id,
		       int64_t round_id, int64_t person_id, const char *text, int64_t by_user,
		       int64_t now, int64_t *id, struct mu_why *why);
/* The latest note on person_id of round_id or of no round, opened with k, into text
 * (SCREENING_NOTE_MAX * 4 + 1 bytes) with *at its time: 0, MU_ENOTFOUND without one
 * (text "", *at 0), MU_ECRYPTO for a note that does not open with k, or a database
 * error. */
int screening_note_last(struct db *d, const struct people_keys *k, int64_t round_id,
			int64_t person_id, char *text, int64_t *at);

/* ---- progress (progress.c) ------------------------------------------------------------ */

#define SCREENING_PROGRESS_SAMPLE 2000 /* resulted tubes read for the turnaround at most */

/* A round's progress at now. Tube counts are cumulative (a received tube was also
 * sealed and opened); the backlog is what waits at each stage. Rates are samples (every
 * scan, re-swabs included) per hour: over the last hour — or, in the round's first hour,
 * over the time since its first sample (rate_window_s), so that a partial hour is not
 * taken for a whole one — and overall over the span from the first to the last sample
 * (at least one hour). Turnaround is resulted_at −
 * opened_at (the tube's first sample) in seconds, nearest-rank median and p90: exact
 * over every resulted tube up to SCREENING_PROGRESS_SAMPLE, else over about that many
 * tubes spread evenly over the ids of each (outcome, n) group in proportion to its
 * size (turnaround_exact false). */
struct screening_progress {
	int64_t round_id, now;
	int64_t samples, samples_last_hour;
	int64_t first_sample_at, last_sample_at;    /* 0 without samples */
	double rate_last_hour, rate_overall;	    /* samples per hour */
	int64_t opened, sealed, received, resulted; /* tubes that reached each stage */
	int64_t by_result[3];			    /* resulted tubes by SCREENING_RESULT_* */
	int64_t backlog_sealed;			    /* sealed, not received by a lab */
	int64_t backlog_received;		    /* received, not resulted */
	int64_t turnaround_n;			    /* tubes the percentiles were taken over */
	bool turnaround_exact;
	double turnaround_p50, turnaround_p90; /* seconds; −1 without a resulted tube */
	int64_t remaining;		       /* expected − sampled people; −1 without scope */
	int64_t projected_at;	     /* unix seconds: now + remaining ÷ last-hour rate; the last
					sample's time when none remain; 0 when unknown (no scope,
					no sample in the last hour, or estimating) */
	int64_t rate_window_s;	     /* seconds rate_last_hour was measured over (≤ 3600) */
	bool estimating;	     /* sampling began less than SCREENING_PROGRESS_WARMUP_S
					ago: too soon for a rate to project from */
	bool complete;		     /* nobody in scope remains (projected_at: the last sample) */
	int64_t pool_positive_tubes; /* pooled tubes (k > 1, not a re-swab) resulted positive */
};
#define SCREENING_PROGRESS_WARMUP_S 600
/* Computes the progress of round_id at now. scope (may be NULL: no projection) is the
 * round's coverage at its scope place (screening_cov_get), giving the people remaining.
 * Reads in one snapshot (the caller's, if it holds one). MU_ENOTFOUND for an unknown
 * round. Cost: one pass over the round's tube index entries (no row read), a range of
 * the last hour's sample index entries, and about SCREENING_PROGRESS_SAMPLE index seeks
 * (plus two per (outcome, n) group of resulted tubes). */
int screening_progress_get(struct db *d, int64_t round_id, int64_t now,
			   const struct screening_counts *scope, struct screening_progress *out);
/* Progress kept for a moment: a whole-city round's count takes ~0.2 s, and every
 * commander's overview asks for it every 5 s. A count that took slow_s or more is
 * answered again for reuse_s (its `now` says when it was counted); quicker counts are
 * made afresh every time, so small rounds always answer what was just written. One
 * count runs at a time; viewers arriving meanwhile wait and take its answer. mono is
 * the caller's monotonic clock (mu_now_mono). Safe from any thread; free accepts NULL. */
struct screening_progress_keep;
struct screening_progress_keep *screening_progress_keep_new(double slow_s, double reuse_s);
void screening_progress_keep_free(struct screening_progress_keep *k);
int screening_progress_get_kept(struct screening_progress_keep *k, struct db *d, int64_t round_id,
				int64_t now, double mono, const struct screening_counts *scope,
				struct screening_progress *out);
/* The figures as the API and `muster round report --json` give them: {"round", "at",
 * "samples", "samples_last_hour", "samples_per_hour": {"last_hour", "overall"},
 * "first_sample_at", "last_sample_at", "tubes": {"opened", "sealed", "received",
 * "resulted"}, "results": {"negative", "positive", "invalid"}, "backlog":
 * {"sealed_not_received", "received_not_resulted"}, "turnaround": {"median_s", "p90_s",
 * "tubes", "exact"}, "remaining", "projected_completion"}; times ISO 8601, unknowns
 * null. A new reference the caller owns. */
struct json_t *screening_progress_json(const struct screening_progress *p);

struct places_node;
/* A place's counts in a round as the API and `muster round report --json` give them:
 * {"place", "name", "level", "people", "expected", "sampled", "resulted", "negative",
 * "pool_positive", "positive", "coverage"} (n is the place of k). A new reference the
 * caller owns. */
struct json_t *screening_counts_json(const struct screening_counts *k, const struct places_node *n);

/* ---- planning (plan.c) ----------------------------------------------------------------- */

#define SCREENING_SWABS_PER_DESK_DAY 405 /* Liwan, 16 June 2021 (docs/facts.md) */

struct screening_plan_in {
	int64_t people;
	int k;			/* pool size ≥ 1 */
	double prevalence;	/* 0 ≤ p < 1 */
	int64_t desks;		/* 0: compute desks for a 24-hour round */
	int swabs_per_desk_day; /* 0: SCREENING_SWABS_PER_DESK_DAY */
	int64_t lab_capacity;	/* tubes per day, all labs; 0: not planned */
};
struct screening_plan_out {
	int64_t tubes;		 /* ceil(people / k) */
	double tube_positive;	 /* 1 − (1 − p)^k */
	double positive_tubes;	 /* tubes × tube_positive */
	double recalls;		 /* positive_tubes × k (k > 1), else 0 */
	double tests_per_person; /* Dorfman E = 1/k + 1 − (1 − p)^k; 1 for k = 1 */
	int64_t desks;		 /* given, or ceil(people / swabs per desk day) */
	double sampling_hours;	 /* people / (desks × swabs per desk day) × 24 */
	double lab_hours;	 /* (tubes + recalls) / capacity × 24; 0 unplanned */
	double hours;		 /* max(sampling, lab) */
};
/* Pure: no database. MU_EINVAL for people < 0, k < 1, p outside [0, 1), desks < 0. */
int screening_plan(const struct screening_plan_in *in, struct screening_plan_out *out);

/* ---- bulk loading (loader.c) ---------------------------------------------------------
 * For generators and the ingest bench: trusted samples appended in tube order (all the
 * samples of a tube one after another), without the scan path's checks. Each tube is
 * written once, when complete, with its final n (sealed when n reaches the round's k,
 * or when the next tube starts). Works inside db_bulk_begin on samples and tubes (no
 * index is read: repeats are tracked in memory, scan_id duplicates surface as
 * MU_EEXIST at db_bulk_end). Coverage is not fed: rebuild the round afterwards. */
struct screening_loader;
struct screening_bulk_sample {
	const char *scan_id; /* borrowed */
	const char *tube;    /* barcode, borrowed */
	int64_t site_id, person_id, household_id, at;
};
int screening_loader_new(struct db *d, int64_t round_id, struct screening_loader **out);
int screening_loader_add(struct screening_loader *l, const struct screening_bulk_sample *s);
/* Writes the last tube. Returns 0 or an error; free the loader either way. */
int screening_loader_finish(struct screening_loader *l);
void screening_loader_free(struct screening_loader *l); /* accepts NULL */

/* ---- one person's screening (person.c) ----------------------------------------------
 * "Has this person been tested?": what each round covering their household holds of
 * them. Read-only; the people and places rows are asked of their owners. */

enum screening_person_status {
	SCREENING_PERSON_NOT_SAMPLED = 0, /* no sample, no exemption */
	SCREENING_PERSON_EXEMPT,	  /* no sample; exempted for the round or standing */
	SCREENING_PERSON_AWAITING,	  /* sampled; the tube has no result yet */
	SCREENING_PERSON_NEGATIVE,	  /* a negative tube, or a recall cleared */
	SCREENING_PERSON_INVALID,	  /* the tube's result was invalid: sample again */
	SCREENING_PERSON_RECALL_PENDING,  /* pool-positive, waiting for the re-swab */
	SCREENING_PERSON_RECALL_SAMPLED,  /* re-swabbed, the single tube not resulted */
	SCREENING_PERSON_POSITIVE,	  /* a positive single tube */
};
/* "not_sampled", "exempt", "awaiting_result", "negative", "invalid", "recall_pending",
 * "recall_sampled", "positive"; NULL out of range. */
const char *screening_person_status_name(int s);

#define SCREENING_PERSON_SAMPLES_MAX 16 /* samples of one person in one round kept */

struct screening_person_sample {
	int64_t sampled_at, resulted_at; /* resulted_at 0 until the tube has a result */
	char barcode[SCREENING_BARCODE_MAX + 1];
	char site[SCREENING_NAME_MAX * 4 + 1];
	int capacity, tube_state, result; /* SCREENING_TUBE_*, SCREENING_RESULT_* (NONE) */
	bool single, repeat;
};

struct screening_person_round {
	struct screening_round round;
	struct screening_person_sample samples[SCREENING_PERSON_SAMPLES_MAX]; /* oldest first */
	int nsamples;
	bool more_samples; /* more than SCREENING_PERSON_SAMPLES_MAX: the first are kept */
	bool has_recall;
	struct screening_recall recall;
	int exempt_reason; /* SCREENING_EXEMPT_*, -1 when not exempt */
	int status;	   /* SCREENING_PERSON_* */
};

/* The status of what pr holds: the recall decides when there is one, else the last
 * sample's tube, else the exemption. */
int screening_person_status(const struct screening_person_round *pr);
/* Whether each of persons[0..n) tested negative in [since, until]: a sample of theirs
 * taken in that window, in any round, whose tube was resulted negative by until (a pool
 * or a single tube, a recall's re-swab included). negative[i] gets the answer, *count
 * (may be NULL) how many are true. For control's zone proposals ("everyone inside tested
 * negative in the last 2 days"). Cost: n × the rounds not closed before since, one index
 * seek each, stopping at a person's first negative round. 0 or a database error. */
int screening_negative_within(struct db *d, const int64_t *persons, size_t n, int64_t since,
			      int64_t until, bool *negative, size_t *count);
/* Calls fn for each of the (at most max_rounds) newest rounds whose scope holds the
 * household of person, newest first, with what the round holds of them; pr is valid
 * during the call only. Stops when fn returns non-zero and returns that. MU_ENOTFOUND
 * for no such person, or a database error. */
int screening_person_history(struct db *d, int64_t person, int max_rounds,
			     int (*fn)(const struct screening_person_round *pr, void *ctx),
			     void *ctx);

/* ---- control's say on the writer (hooks.c) ---------------------------------------------
 * Screening does not know control/ (control reads screening, never the reverse), yet a
 * risk zone changes a round's pool size, a key person's plan test must go into a tube of
 * its own, and a result can open a case. Control sets these hooks once at start-up,
 * before the first write; screening calls them on the writer thread, inside the
 * transaction of the scan or result batch, with that batch's connection. A hook's error
 * fails the batch like a database error (nothing of it is kept). */

#define SCREENING_POOL_MEDIUM_MAX 5 /* a medium-risk place pools at most 5 (see tube.c) */

enum screening_risk { SCREENING_RISK_LOW = 0, SCREENING_RISK_MEDIUM, SCREENING_RISK_HIGH };

/* One member of a tube that has just taken its result. */
struct screening_hook_result {
	int64_t person_id, household_id, sample_id, tube_id, round_id;
	int capacity;	    /* the tube's capacity: 1 is a single tube */
	bool reswab;	    /* the tube is a recall's single tube (the re-swab) */
	int result;	    /* SCREENING_RESULT_POSITIVE, _NEGATIVE or _INVALID */
	int64_t sampled_at; /* when this member was sampled */
	int64_t resulted_at;
};

struct screening_hooks {
	/* How a person scanned at `at` (not a recall's re-swab, which is always alone) must
	 * be pooled: *risk (SCREENING_RISK_*) of the household's place, and *alone when the
	 * person must have a tube of their own (a plan test due). Both start low/false. */
	int (*tube_policy)(struct db *d, int64_t person_id, int64_t household_id, int64_t at,
			   int *risk, bool *alone);
	/* Each member of a resulted tube whose members are read: single tubes, positive and
	 * invalid pools, and negative pools outside bulk loads (a bulk load reads no member
	 * of a negative pool: nothing changes for them). */
	int (*on_result)(struct db *d, const struct screening_hook_result *r);
};

/* Sets the hooks (copied; NULL or a NULL member: none). Not thread-safe: call before
 * the writer starts, or with it stopped. */
void screening_hooks_set(const struct screening_hooks *h);

#endif
