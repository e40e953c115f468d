/* cli: the muster command line — main.c dispatches to one cmd_<verb>.c per command. */
#ifndef MU_CLI_H
#define MU_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "http/http.h"

struct db;
struct people_keys;

/* Exit statuses of every command (DESIGN.md). */
enum { CLI_OK = 0, CLI_REJECTED = 1, CLI_USAGE = 2 };

/* Each command: parses its options with cli_parse (argv[0] is the command name),
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
int cmd_routes(int argc, char **argv);	/* muster routes [--json|--markdown] */
int cmd_call(int argc, char **argv);	/* muster call deadlines|deadline set|log|sweep */
int cmd_case(int argc, char **argv);	/* muster case open|contacts */
int cmd_round(int argc, char **argv);	/* muster round create|close|report|plan */
int cmd_site(int argc, char **argv);	/* muster site add */
int cmd_lab(int argc, char **argv);	/* muster lab add */
int cmd_results(int argc, char **argv); /* muster results import FILE.csv --lab CODE */
int cmd_group(int argc, char **argv);	/* muster group add|list: three-person groups */
int cmd_zone(int argc, char **argv);	/* muster zone add|lift|list */
int cmd_drill(int argc, char **argv);	/* muster drill screening: scans and results over HTTP */
int cmd_order(int argc, char **argv);	/* muster order issue|forward|ack|done|… */
int cmd_forces(int argc, char **argv);	/* muster forces form|squad|ledger */
int cmd_org(int argc, char **argv);	/* muster org add */
int cmd_post(int argc, char **argv);	/* muster post list|sync */
int cmd_supply(int argc, char **argv);	/* muster supply add|move|handout */
int cmd_wartime(int argc, char **argv); /* muster wartime on|off */
int cmd_plan(int argc, char **argv);	/* muster plan templates|template add|use */

/* Refuses a key file that is not d's database's (auth_key_check), with the reason on
 * stderr; records the check value of a database that had none, saying so in the log.
 * Returns 0 or the check's error. */
int cli_key_check(struct db *d);

enum {
	CLI_OPEN_CREATE = 1, /* make the database (and its key file) when missing */
	CLI_OPEN_READ = 2,   /* the command only reads: it may run beside a server */
};
/* Opens the database at --db/$MUSTER_DB/./muster.db for a command, with its keys when
 * keys is not NULL; flags CLI_OPEN_*. A command that writes (no CLI_OPEN_READ) takes
 * the database's lock shared (cli_lock) and is refused while `muster serve` holds it.
 * Prints the reason and returns non-zero on failure. */
int cli_open(const char *db_flag, int flags, struct db **d, struct people_keys *keys);

/* The lock of a database, "<db>.lock" (flock, held until the process exits): `muster
 * serve` takes it exclusive, commands that write take it shared, so that neither runs
 * beside the other (a write beside a server would leave its live figures stale).
 * Returns 0, or MU_EBUSY with the reason printed; MU_EIO when it cannot be opened. */
int cli_lock(const char *db_path, bool exclusive);

struct auth_principal;
/* The audit actor of a change made on the command line: "cli:<login name>". */
void cli_actor(struct auth_principal *p);

/* A change made on the command line: runs fn(d, arg, record, n), which writes the
 * audited record's name ("user:12") into record (n bytes), and appends the audit entry
 * of action for it by cli_actor, in one transaction: both are kept or neither. Returns
 * 0, fn's error, or the database's. */
int cli_audited(struct db *d, const char *action,
		int (*fn)(struct db *d, void *arg, char *record, size_t n), void *arg);

/* ---- the capabilities (registry.c) ------------------------------------------------------
 * What a capability's start needs from `muster serve`. */
struct db_writer;
struct cli_env {
	const char *db_path;
	struct db_writer *writer;
	int session_hours;
	int anon_rate;		   /* requests without an identity per address per second (auth) */
	bool secure_cookies;	   /* the session cookie is Secure (auth) */
	const char *trusted_proxy; /* its X-Forwarded-For names the client (auth) */
};

/* One row per capability: its name, its route table (NULL-pattern terminated, or NULL),
 * its start (before the first request; 0 or a negative MU_E*), its stop (safe to call
 * when start failed or never ran), its /metrics lines (NULL where it has none), and
 * whether it stops after the writer (auth: the writer moves its audit journal to the
 * end) rather than before it (the rest: their sweeps submit to the writer). */
struct cli_capability {
	const char *name;
	const struct http_route *routes;
	int (*init)(const struct cli_env *env);
	void (*fini)(void);
	void (*metrics)(struct mu_buf *out);
	bool after_writer;
};

/* Every capability, in start order; ends with a row whose name is NULL. */
extern const struct cli_capability cli_capabilities[];

/* Starts every capability in order and stops at the first failure: returns its code
 * with its name in *failed (else 0, *failed NULL). cli_capabilities_stop(false) then
 * stops, in reverse start order, those that stop before the writer (a capability stops
 * before those it reads: control's timers before people's codebook), and
 * cli_capabilities_stop(true), once the writer has stopped, the others. */
int cli_capabilities_start(const struct cli_env *env, const char **failed);
void cli_capabilities_stop(bool after_writer);

/* Appends the /metrics lines of every capability to out. */
void cli_capabilities_metrics(struct mu_buf *out);

/* The route tables of every capability, as `muster serve` runs them and `muster routes`
 * documents them, with first before them and last after them when not NULL: a
 * NULL-terminated array the caller frees, of any length. With names, *names gets a
 * parallel array (caller frees) of each table's capability name ("" for first/last). */
const struct http_route **cli_route_tables_new(const struct http_route *first,
					       const struct http_route *last, const char ***names);

/* Prints "muster <cmd>: <message>" to stderr and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- options (common.c) -------------------------------------------------------------
 * Every command describes its options in one table; cli_parse reads argv with it,
 * prints --help from it, and refuses unknown options and missing or bad values. */
enum cli_opt_kind {
	CLI_OPT_FLAG,	/* ptr: bool *, set true */
	CLI_OPT_STRING, /* ptr: const char **, pointing into argv */
	CLI_OPT_INT,	/* ptr: int64_t *, within [min, max] when min < max */
	CLI_OPT_DOUBLE, /* ptr: double *, within [min, max] when min < max */
};

struct cli_opt {
	const char *name; /* the long name without "--"; NULL ends a table */
	char short_name;  /* -x, or 0 */
	enum cli_opt_kind kind;
	void *ptr;
	const char *arg;  /* the value's name in --help ("PATH"); NULL for flags */
	const char *help; /* one line for --help; NULL: not listed */
	bool required;	  /* cli_parse refuses a command line without it */
	double min, max;
};

/* Table rows: a flag; a string (required or not); an integer or a number with its
 * requiredness and range (lo < hi; lo == hi: any value); the end of the table. */
#define CLI_FLAG(name, ptr, help)                                                                  \
	{                                                                                          \
		name, 0, CLI_OPT_FLAG, ptr, NULL, help, false, 0, 0                                \
	}
#define CLI_STR(name, ptr, arg, help)                                                              \
	{                                                                                          \
		name, 0, CLI_OPT_STRING, ptr, arg, help, false, 0, 0                               \
	}
#define CLI_STR_REQ(name, ptr, arg, help)                                                          \
	{                                                                                          \
		name, 0, CLI_OPT_STRING, ptr, arg, help, true, 0, 0                                \
	}
#define CLI_INT(name, ptr, arg, help, req, lo, hi)                                                 \
	{                                                                                          \
		name, 0, CLI_OPT_INT, ptr, arg, help, req, lo, hi                                  \
	}
#define CLI_NUM(name, ptr, arg, help, req, lo, hi)                                                 \
	{                                                                                          \
		name, 0, CLI_OPT_DOUBLE, ptr, arg, help, req, lo, hi                               \
	}
#define CLI_END                                                                                    \
	{                                                                                          \
		NULL, 0, CLI_OPT_FLAG, NULL, NULL, NULL, false, 0, 0                               \
	}

struct cli_spec {
	const char *cmd;	    /* "drill": the name in messages */
	const char *usage;	    /* --help's text before the options */
	const struct cli_opt *opts; /* ends with a NULL name */
	const char *epilog;	    /* --help's text after the options, or NULL */
};

#define CLI_POS_MAX 8	 /* positional arguments a command line may carry */
#define CLI_GO	    (-1) /* cli_parse: go on with the command */

/* Parses argv[1..argc) (argv[0] is the command name) with s's table: options anywhere
 * (--name VALUE, --name=VALUE, -x VALUE; "--" ends them), the other arguments into
 * pos[0..*npos) in order. Returns CLI_GO; CLI_OK after printing --help (-h) to stdout;
 * or CLI_USAGE after a usage error on stderr: an unknown option, a missing or bad value,
 * a flag given a value, a required option missing, more than CLI_POS_MAX arguments. */
int cli_parse(const struct cli_spec *s, int argc, char **argv, const char **pos, int *npos);

/* Prints s's --help to f: usage, a line per option that has help, epilog. */
void cli_help(const struct cli_spec *s, FILE *f);

#endif
