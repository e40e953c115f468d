/* cli: the muster command line — main.c dispatches to one cmd_<verb>.c per command. */
#ifndef MU_CLI_H
#define MU_CLI_H

#include <stdbool.h>
#include <stdlib.h>

#include "http/http.h"

struct db;
struct people_keys;

/* Exit statuses of every command (DESIGN.md). */
enum { CLI_OK = 0, CLI_REJECTED = 1, CLI_USAGE = 2 };

/* Each command: parses its own options (getopt_long; argv[0] is the command name),
 * prints --help to stdout with status 0, a usage error to stderr with status 2. */
int cmd_init(int argc, char **argv);
int cmd_city(int argc, char **argv);   /* muster city generate ... */
int cmd_import(int argc, char **argv); /* muster import places|people FILE */
int cmd_export(int argc, char **argv); /* muster export places|people */
int cmd_stats(int argc, char **argv);
int cmd_user(int argc, char **argv);  /* muster user add|list|disable|passwd */
int cmd_token(int argc, char **argv); /* muster token issue|revoke|list */
int cmd_audit(int argc, char **argv); /* muster audit verify */
int cmd_serve(int argc, char **argv);
int cmd_routes(int argc, char **argv); /* muster routes [--json|--markdown] */
int cmd_round(int argc, char **argv);   /* muster round create|close|report|plan */
int cmd_site(int argc, char **argv);    /* muster site add */
int cmd_lab(int argc, char **argv);     /* muster lab add */
int cmd_results(int argc, char **argv); /* muster results import FILE.csv --lab CODE */
int cmd_drill(int argc, char **argv);   /* muster drill screening: scans and results over HTTP */

/* Opens the database at --db/$MUSTER_DB/./muster.db for a command, with its keys when
 * keys is not NULL. create: make the database (and its key file) when missing.
 * Prints the reason and returns non-zero on failure. */
int cli_open(const char *db_flag, bool create, struct db **d, struct people_keys *keys);

struct auth_principal;
/* The audit actor of a change made on the command line: "cli:<login name>"
 * (cmd_user.c). */
void cli_actor(struct auth_principal *p);

/* ---- the capabilities (registry.c) ------------------------------------------------------
 * What a capability's start needs from `muster serve`. */
struct db_writer;
struct cli_env {
	const char *db_path;
	struct db_writer *writer;
	int session_hours;
};

/* One row per capability: its name, its route table (NULL-pattern terminated, or NULL),
 * its start (before the first request; 0 or a negative MU_E*), its stop (safe to call
 * when start failed or never ran) and its /metrics lines; NULL where it has none. */
struct cli_capability {
	const char *name;
	const struct http_route *routes;
	int (*init)(const struct cli_env *env);
	void (*fini)(void);
	void (*metrics)(struct mu_buf *out);
};

/* Every capability, in start order; ends with a row whose name is NULL. */
extern const struct cli_capability cli_capabilities[];

/* Starts every capability in order and stops at the first failure: returns its code
 * with its name in *failed (else 0, *failed NULL). cli_capabilities_stop then stops
 * them all. */
int cli_capabilities_start(const struct cli_env *env, const char **failed);
void cli_capabilities_stop(void);

/* Appends the /metrics lines of every capability to out. */
void cli_capabilities_metrics(struct mu_buf *out);

/* The route tables of every capability, as `muster serve` runs them and `muster routes`
 * documents them, with first before them and last after them when not NULL: a
 * NULL-terminated array the caller frees, of any length. With names, *names gets a
 * parallel array (caller frees) of each table's capability name ("" for first/last). */
const struct http_route **cli_route_tables_new(const struct http_route *first,
					       const struct http_route *last,
					       const char ***names);

/* Prints "muster <cmd>: <message>" to stderr and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
