/* forces: the people a city mobilises (issue 14) — organisations and their members
 * (party branches, temporary branches and groups, shock teams, volunteer teams, sampling
 * squads…), the formation of a compound's temporary branch as 芳村花园 did, deployments
 * and the person-time ledger (人次), service posts with their supplies, and the forces'
 * side of the wartime switch (posts' duties, standing shock teams). Forces read calls
 * (wartime, calls closed by a delivery), control, screening, people and places. */
#ifndef MU_FORCES_H
#define MU_FORCES_H

#include <stdbool.h>
#include <stdint.h>

struct db;
struct mu_why;

/* ---- organisations, formation, deployments, ledger (helper forces) ---- */

/* ---- posts, supplies, wartime (helper posts) ---- */

#endif
