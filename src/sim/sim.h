/* sim: synthetic cities for drills and benchmarks — the guangzhou-2021 preset builds
 * the real districts and streets/towns of Guangzhou with generated communities,
 * grids, compounds, buildings, households and residents. */
#ifndef MU_SIM_H
#define MU_SIM_H

#include <stdbool.h>
#include <stdint.h>

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
 * keys are borrowed; stats may be NULL. Returns 0, MU_EINVAL for a bad preset or scale,
 * MU_EEXIST for a database that already has places or people, or the error of the
 * store (nothing is kept). Single-threaded; nothing else may use d meanwhile. */
int sim_city_generate(struct db *d, const struct people_keys *keys, const struct sim_city_opts *o,
		      struct sim_city_stats *stats);

#endif
