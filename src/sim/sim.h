/* sim: synthetic cities for drills and benchmarks — the guangzhou-2021 preset builds
 * the real districts and streets/towns of Guangzhou with generated communities,
 * grids, compounds, buildings, households and residents. */
#ifndef MU_SIM_H
#define MU_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "places/places.h"

struct db;
struct people_keys;

#define SIM_PRESET_GUANGZHOU_2021 "guangzhou-2021"

struct sim_city_opts {
	const char *preset; /* SIM_PRESET_GUANGZHOU_2021; NULL means it */
	double scale;	    /* people per real resident, 0 < scale <= 4; 1.0 is the real city */
	uint64_t seed;	    /* any value; the CLI's default is 1 */
	bool progress;	    /* draw a progress bar by people generated (on a terminal only) */
};

struct sim_city_stats {
	int64_t places[PLACES_NLEVELS]; /* nodes made per level */
	int64_t people, party;		/* residents, of them party members */
	int64_t posts;			/* service posts: one per street and community */
	int64_t id_fallbacks;		/* resident IDs issued under a neighbouring region code */
	double seconds;			/* wall time of the whole generation, commit included */
	double commit_seconds;		/* of which rebuilding the indexes and committing */
};

/* Generates the preset's city into d, which must hold no places and no people yet
 * (MU_EEXIST otherwise, nothing written). Loads everything in one bulk transaction
 * (db_bulk_begin/db_bulk_end on places and people): all or nothing.
 *
 * Determinism: the same preset, seed and scale give the same places (ids, codes,
 * names, counts) and the same people in the same order (id, household, name, sex,
 * birth date, resident ID number, phone, party). Personal codes and the AEAD nonces of
 * the sealed fields are NOT reproducible: they come from the system CSPRNG inside the
 * people loader because they are secrets — a personal code that a seed could recreate
 * would let anyone who knows the seed forge every resident's QR code.
 *
 * The guangzhou-2021 preset always makes 1 city, the 11 districts (real codes and 2020
 * census populations × scale), the 176 real streets/towns and exactly 2,759
 * communities/villages, whatever the scale; scale changes people and what holds them
 * (grids, compounds, buildings, households). Resident ID numbers carry the district's
 * region code; should a (district, birth date, sex) run out of the 499 sequence numbers
 * of its parity (not seen up to scale 1.0), the next ones use another region code of
 * the same city (an abolished district's code, then 440101), counted in id_fallbacks.
 *
 * After the load commits, every street and community gets its service post
 * (forces_post_sync: 176 centres and 2,759 stations) in a transaction of its own.
 *
 * keys are borrowed; stats may be NULL. Returns 0, MU_EINVAL for a bad preset or scale,
 * MU_EEXIST for a database that already has places or people, or the error of the
 * store (nothing is kept). Single-threaded; nothing else may use d meanwhile. */
int sim_city_generate(struct db *d, const struct people_keys *keys, const struct sim_city_opts *o,
		      struct sim_city_stats *stats);

/* ---- drills (drill.c) ---------------------------------------------------------------
 * `muster drill screening`: the people of a round arrive at a sampling site in random
 * order and are scanned into pooled tubes through the HTTP API (libcurl, several
 * keep-alive connections at once), the tubes left partly filled are sealed, and with a
 * lab token the lab receives and results every tube and the members of positive pools
 * are recalled into single tubes. It drives a real `muster serve`. */

#define SIM_DRILL_BATCH_MAX 1000 /* scans per batch: the API's batch limit */
#define SIM_DRILL_ERRCODES  32	 /* distinct error codes counted */

struct sim_drill_opts {
	int64_t round_id;
	const char *url;       /* http://HOST[:PORT] of the server */
	const char *token;     /* a site device token (of the site below) */
	double rate;	       /* scans/s in total; 0: as fast as the server answers */
	double prevalence;     /* chance that a person is positive, 0..1 */
	uint64_t seed;	       /* arrival order, positives and barcodes D<seed>-<n> */
	double duration;       /* seconds of scanning at most; 0: until everyone was sent */
	int batch;	       /* scans per request, 1..SIM_DRILL_BATCH_MAX */
	int connections;       /* parallel keep-alive connections, 1..256 */
	const char *site;      /* NULL: the first site (by id) inside the round's scope */
	const char *ack_log;   /* appends the scan ids answered ok or duplicate; or NULL */
	const char *resend;    /* sends only these scan ids (one per line) again; or NULL */
	const char *lab_token; /* with lab: the lab receives and results every tube */
	const char *lab;       /* a lab code, or NULL */
};

struct sim_drill_report {
	/* the scans */
	int64_t sent, sent_batches, answered, ok, dup, err, unanswered_batches;
	int64_t refused_batches; /* answered, but not 200 with one result per scan */
	int64_t total;		 /* scans to send (people, or resent ids) */
	struct {
		char code[32]; /* the API's error code, or http-STATUS[:code] */
		int64_t n;
	} errs[SIM_DRILL_ERRCODES]; /* refusals by error code, in first-seen order */
	int nerrs;
	double seconds;	       /* from the start to the last answer */
	double p50_ms, p99_ms; /* batch latency of the answered batches */
	/* the tubes (not with resend) */
	int64_t tubes_filled, tubes_full, tubes_by_hand, tubes_unsealed;
	/* the lab and the recall (with lab) */
	int64_t lab_tubes, lab_recv_refused, lab_negative, lab_positive, lab_result_refused;
	int64_t recalled, confirmed, recall_refused;
};

struct sim_drill;

/* Checks o without using the network or a database: MU_EINVAL with *why (a static
 * string) for a url other than http://HOST[:PORT][/], a batch or connection count out
 * of range, or a lab token without a lab or the other way round. */
int sim_drill_check(const struct sim_drill_opts *o, const char **why);

/* Prepares the drill of o (borrowed until sim_drill_free; checked by sim_drill_check)
 * from the database d (read only; keys open the personal codes and are not kept): the
 * round, the site, the people who come to it in arrival order and the files. d is not
 * used afterwards. Writes "round ..., N people loaded" to log when not NULL. Returns 0
 * with *out (sim_drill_free), or MU_ENOTFOUND (no round, no such site, nobody to come),
 * MU_EINVAL (the site is not inside the round's scope), MU_EIO (a file), or the
 * store's error; with a reason in why (why_len bytes). */
int sim_drill_new(struct db *d, const struct people_keys *keys, const struct sim_drill_opts *o,
		  FILE *log, struct sim_drill **out, char *why, size_t why_len);

/* Runs the drill: the scans from o->connections connections at o->rate until everyone
 * was sent or o->duration ran out, then the sealing by hand, then the lab and the
 * recall when o->lab is set. Fills *r. Returns 0 when every batch was sent and
 * answered 200 and the lab refused nothing, else MU_EIO (some batch unanswered,
 * refused as a whole or not sent) or MU_EINVAL (the lab refused items). */
int sim_drill_run(struct sim_drill *dr, struct sim_drill_report *r);

/* Frees a drill (NULL is fine). */
void sim_drill_free(struct sim_drill *dr);

#endif
