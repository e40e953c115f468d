/* cli: the muster command line — main.c dispatches to one cmd_<verb>.c per command. */
#ifndef MU_CLI_H
#define MU_CLI_H

#include <stdbool.h>

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

/* The route tables of every capability, as `muster serve` runs them and `muster routes`
 * documents them: a NULL-terminated array of tables (http.h). */
extern const struct http_route *const cli_route_tables[];

/* Prints "muster <cmd>: <message>" to stderr and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
