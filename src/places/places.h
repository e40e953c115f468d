/* places: the administrative tree — city › district › street/town › community/village
 * › grid › compound › building › household — with official codes, names, and the
 * counts of everything below each node, kept so that any subtree figure is one read. */
#ifndef MU_PLACES_H
#define MU_PLACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct mu_why;

enum places_level {
	PLACES_CITY = 0,
	PLACES_DISTRICT,
	PLACES_STREET,	  /* street (街道) or town (镇) */
	PLACES_COMMUNITY, /* community (社区) or village (村) */
	PLACES_GRID,
	PLACES_COMPOUND,
	PLACES_BUILDING,
	PLACES_HOUSEHOLD,
	PLACES_NLEVELS
};

#define PLACES_CODE_MAX 32 /* bytes, ASCII letters, digits and '-' */
#define PLACES_NAME_MAX 64 /* code points of UTF-8 */

struct places_node {
	int64_t id, parent_id; /* parent_id 0 for the root */
	int level;
	char code[PLACES_CODE_MAX + 1];
	char name[PLACES_NAME_MAX * 4 + 1];
	int64_t below[PLACES_NLEVELS]; /* below[L]: descendants at level L (0 for L ≤ level) */
	int64_t people;		       /* people living anywhere in the subtree */
};

/* "city", "district", ... "household"; NULL outside 0..7. Static strings. */
const char *places_level_name(int level);
/* Parses a level name (also "town" = street, "village" = community); MU_EINVAL else. */
int places_level_parse(const char *s, int *level);

/* Checks a code and a name as stored: code 1..32 of [0-9A-Za-z-], name 1..64 code
 * points of valid UTF-8 with no control characters. On failure returns MU_EINVAL with
 * why (may be NULL) set: field "code" or "name" and the reason. */
int places_code_check(const char *code, struct mu_why *why);
int places_name_check(const char *name, struct mu_why *why);

/* Adds a node under parent (0 only for the city, of which there is at most one)
 * and counts it in every ancestor. The level must be the parent's level + 1.
 * Returns 0 with *id set; MU_EEXIST for a code already used; MU_ENOTFOUND for a
 * missing parent; MU_EINVAL for a bad level, code or name; why (may be NULL) says which
 * ("level", "parent", "code", "name") and why. Runs in the caller's transaction if
 * there is one. */
int places_add(struct db *d, int64_t parent_id, int level, const char *code, const char *name,
	       int64_t *id, struct mu_why *why);

/* Bulk load: inserts n exactly as given (its id, counts and all), without touching
 * other rows. For generators that computed the counts themselves; no checks. */
int places_insert_raw(struct db *d, const struct places_node *n);

/* ---- CSV files (csv.c): `muster import|export places`; people's import shares the row
 * checks, the map of keys seen and the sink. Formats: docs/csv.md. */
#include <stdio.h>

struct mu_csv;
struct mu_csv_record;

#define PLACES_CSV_RECORD_MAX 4096 /* bytes: a longer record is a bad row */
#define PLACES_CSV_WHY_MAX    512  /* bytes of a reason, NUL included */

/* Writes a row's reason into why (PLACES_CSV_WHY_MAX bytes, truncated): for places' and
 * people's row checks alike. */
void places_csv_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A column of a CSV format: its header name, whether it may be empty, and its longest
 * value in characters of UTF-8 (codepoints) or in bytes. */
struct places_csv_column {
	const char *name;
	bool required;
	size_t max;
	bool codepoints;
};
#define PLACES_CSV_NCOLS 4 /* code,parent_code,level,name */
extern const struct places_csv_column places_csv_columns[PLACES_CSV_NCOLS];

/* What an import reports as it goes; called on the importing thread, in file order. */
struct places_csv_sink {
	/* A refused row: its line, its fields as read (nfields 0 when unreadable), why. */
	void (*reject)(void *ctx, uint64_t line, char *const *fields, int nfields, const char *why);
	/* Bytes of the file read so far, for a progress bar; may be NULL. */
	void (*progress)(void *ctx, uint64_t bytes);
	void *ctx;
};

/* How an import went: rows imported and refused; on an error that stopped it, the
 * line it stopped at (0 when not at a row) and the reason. */
struct places_csv_result {
	int64_t imported, rejected;
	uint64_t line;
	char why[PLACES_CSV_WHY_MAX];
};

/* True when the next record of csv is exactly the header cols[0..n) (names in order);
 * *line is that record's line. */
bool places_csv_header_ok(struct mu_csv *csv, const struct places_csv_column *cols, int n,
			  uint64_t *line);
/* As places_csv_header_ok for a format whose last columns are optional: the header is
 * cols[0..k) for some k from min to n, and *got is k. */
bool places_csv_header_cols(struct mu_csv *csv, const struct places_csv_column *cols, int min,
			    int n, uint64_t *line, int *got);

/* The checks every row of a format gets: the reader's verdict, UTF-8, the column count,
 * empty required fields and lengths. False with why set when the row is bad. Reads
 * nothing but its arguments: safe on any thread. */
bool places_csv_row_ok(const struct places_csv_column *cols, int n, const struct mu_csv_record *r,
		       char why[PLACES_CSV_WHY_MAX]);

/* A map from fixed-size keys (key_len bytes) to an int64 (e.g. the line a key was first
 * seen on), growing without bound. _init/_fini: storage the caller provides. */
struct places_csv_seen {
	unsigned char *slots;
	size_t cap, n, key_len, entry;
};
void places_csv_seen_init(struct places_csv_seen *m, size_t key_len);
void places_csv_seen_fini(struct places_csv_seen *m);
/* True with *val set when key is present. */
bool places_csv_seen_get(const struct places_csv_seen *m, const unsigned char *key, int64_t *val);
/* Sets key's value (adding the key when new). */
void places_csv_seen_put(struct places_csv_seen *m, const unsigned char *key, int64_t val);

/* Imports the places rows of csv (its header already read) into d, one row at a time,
 * inside the caller's transaction: each row is checked (shape, level, code, name, no
 * duplicate in the file or the database, a parent known and one level up) and added
 * with places_add; each refused row goes to sink->reject with its reason. Returns 0
 * when the file was read to its end (res->rejected rows refused), MU_EIO with errno set
 * on a read error, or the database error that stopped it (res->line, res->why). The
 * caller commits, or rolls back on an error or, all or nothing, on refused rows. */
int places_csv_import(struct db *d, struct mu_csv *csv, const struct places_csv_sink *sink,
		      struct places_csv_result *res);

/* Writes the places of the subtree of root as CSV records (no header): code,
 * parent_code, level, name, parents before children; *n counts them. root 0 writes
 * none. 0, MU_EIO (errno set) on a write error, or a database error. */
int places_csv_export(struct db *d, int64_t root, FILE *out, int64_t *n);

/* The place a command works under: the one with code, or the city when code is NULL
 * (a zeroed node, id 0, when the database has no city yet). MU_ENOTFOUND when code
 * names no place. */
int places_scope_find(struct db *d, const char *code, struct places_node *out);

/* The id and level of the place with code: all a people row needs of its household,
 * lighter than places_find's whole node. 0, MU_ENOTFOUND or a database error. */
int places_level_of(struct db *d, const char *code, int64_t *id, int *level);

/* Reads one node by id or by code. MU_ENOTFOUND when absent. */
int places_get(struct db *d, int64_t id, struct places_node *out);
int places_find(struct db *d, const char *code, struct places_node *out);
/* The id of the place whose code is `code`; MU_ENOTFOUND when none. From memory for the
 * served database once its code map is built (places_codeindex_open), else from SQL. */
int places_id_of_code(struct db *d, const char *code, int64_t *id);
/* The code of place id into out (size bytes, truncated to fit). MU_ENOTFOUND when absent.
 * Matches auth_config.place_code, which `muster serve` sets to it. */
int places_code_get(struct db *d, int64_t id, char *out, size_t size);

/* The ids from the root down to id (inclusive) in ids[0..*n); at most PLACES_NLEVELS. */
int places_path(struct db *d, int64_t id, int64_t ids[PLACES_NLEVELS], int *n);

/* Keeps the parents of d's places in memory for places_path, for as long as the process
 * serves d's database (a place's parent never changes once it exists): `muster serve`
 * opens it at start and closes it at stop. Other databases read paths from SQL. */
int places_pathindex_open(struct db *d);
void places_pathindex_close(void);

/* Keeps every place's code in memory for places_id_of_code, for as long as the process
 * serves d's database (a code never changes and a place is never deleted): a thread of
 * its own reads them at open; until it is done, and for places added since, lookups
 * read SQL. `muster serve` opens it at start and closes it at stop. ready: the map is
 * built (*places: how many it holds; may be NULL). */
int places_codeindex_open(struct db *d);
void places_codeindex_close(void);
bool places_codeindex_ready(int64_t *places);

/* True when id is node ancestor or id itself, from the path. */
int places_is_within(struct db *d, int64_t id, int64_t ancestor, bool *within);

/* Calls fn for each child of id in code order; stops early when fn returns non-zero
 * and returns that value. The node passed is borrowed for the call. */
int places_children(struct db *d, int64_t id, int (*fn)(const struct places_node *n, void *ctx),
		    void *ctx);
/* As places_children, from the first child whose code sorts after after (NULL or "":
 * from the first): a page resumes where the last one stopped, and fn's non-zero return
 * ends it (say, after a page's worth of children with people). */
int places_children_after(struct db *d, int64_t id, const char *after,
			  int (*fn)(const struct places_node *n, void *ctx), void *ctx);

/* The city: the id of the level-0 node, MU_ENOTFOUND before one is added. */
int places_root(struct db *d, int64_t *id);

/* The parent of id (0 for the root). MU_ENOTFOUND when id is no place. One index read:
 * for walks up the tree that stop early (the scan path's scope check). */
int places_parent(struct db *d, int64_t id, int64_t *parent_id);

/* Calls fn with the id, parent (0 for the root) and level of every place, parents
 * before children; stops when fn returns non-zero and returns that. For in-memory
 * copies of the tree's shape (screening's coverage aggregate). */
int places_tree(struct db *d, int (*fn)(int64_t id, int64_t parent_id, int level, void *ctx),
		void *ctx);

/* A place as a walk over one level gives it: its code and its parent's. */
struct places_ref {
	int64_t id, parent_id; /* parent_id 0 for the root */
	char code[PLACES_CODE_MAX + 1], parent_code[PLACES_CODE_MAX + 1];
};

/* Calls fn for every place at level in the subtree of root (root itself when it is at
 * that level; none when it is below it), depth-first in code order (each place's
 * subtree before its next sibling), in one query that descends no further than level.
 * The ref is borrowed for the call; fn may run other statements on d. Stops when fn
 * returns non-zero and returns that. E.g. the households of a grid with the code of
 * the building above each, or the grids of a district. */
int places_level_walk(struct db *d, int64_t root, int level,
		      int (*fn)(const struct places_ref *r, void *ctx), void *ctx);

/* Adds delta people to id and every ancestor of it. */
int places_people_add(struct db *d, int64_t id, int64_t delta);

/* Adds deltas[i] people to ids[i] and its ancestors, for n places at once: the deltas
 * are summed up the tree in memory first, so each touched place is updated once (a
 * bulk load touching 400 k households updates ~450 k rows, not 3.6 M). */
int places_people_add_many(struct db *d, const int64_t *ids, const int64_t *deltas, size_t n);

/* Recomputes every count of every node from the tree's rows, in one transaction:
 * households[i] holds people[i] people (n pairs; households not listed hold none) —
 * who lives where is people/'s to say (people_counts_rebuild gives these). For repair
 * after a bulk load and as the oracle in tests; slow at full scale (a full scan per
 * level and one update per listed household). */
int places_counts_rebuild(struct db *d, const int64_t *households, const int64_t *people, size_t n);

/* Calls fn for every node of the subtree of root (root included), parents before
 * children, in code order among siblings. */
int places_walk(struct db *d, int64_t root, int (*fn)(const struct places_node *n, void *ctx),
		void *ctx);

/* ---- the escalation ladder (ladder.c) ------------------------------------------------
 * Work that is not done in time climbs the tree (calls/ for calls for help, control/ for
 * a group's tasks): its first holder (a grid, a community…) has it until first_due; then
 * the holder's parent has it, for allow[parent's level] seconds from then; and so on up
 * to the level `top` (PLACES_DISTRICT, PLACES_STREET…), where it stays. A level whose
 * allowance is ≤ 0 holds it for good (it climbs no further). Each capability keeps its
 * own allowances and its own record of the climbs; the arithmetic is this one. */

struct places_rung {
	int64_t place_id; /* the holder on this rung */
	int level;	  /* its level (PLACES_*) */
	int64_t from;	  /* when it reached this rung (start for the first) */
	int64_t due;	  /* when this rung's time runs out; INT64_MAX when it never does */
};

/* The rungs an item has held by now, over path (ids root first; path[i] at level i, as
 * places_path gives them; the first holder is path[npath - 1]): rungs[0] is the first
 * holder from start to first_due, rungs[*n - 1] the holder at now. An item is climbing
 * when now ≥ that last rung's due (it is overdue there); it reached rung k at
 * rungs[k].from. Pure: no database, so that sweeps holding paths in memory and unit
 * tests use it as is. MU_EINVAL for npath outside 1..PLACES_NLEVELS, top outside
 * 0..npath - 1 or first_due < start. */
int places_ladder_walk(const int64_t *path, int npath, int64_t start, int64_t first_due,
		       const int64_t allow[PLACES_NLEVELS], int top, int64_t now,
		       struct places_rung rungs[PLACES_NLEVELS], int *n);

/* places_ladder_walk over the path of holder, read from the database (one index read a
 * level). MU_ENOTFOUND when holder is no place; MU_EINVAL as above, also for a top below
 * the holder's level — then rungs[0] alone, the holder, is no answer either. */
int places_ladder(struct db *d, int64_t holder, int64_t start, int64_t first_due,
		  const int64_t allow[PLACES_NLEVELS], int top, int64_t now,
		  struct places_rung rungs[PLACES_NLEVELS], int *n);

#endif
