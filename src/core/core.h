/* core: the ground every other folder stands on — allocation, arenas, capped buffers,
 * the error table, logging, time and small string helpers. No SQL, no HTTP here. */
#ifndef MU_CORE_H
#define MU_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- errors ---------------------------------------------------------------------
 * Every fallible function returns 0 or a negative MU_E* code. One table maps each code
 * to the HTTP status the server will use, a stable string code for JSON and the CLI,
 * and a default message. Only the HTTP layer turns codes into responses; only the CLI
 * exits. */
#define MU_ERRORS(X)                                                                               \
	X(MU_EINVAL, -1, 400, "invalid", "invalid input")                                          \
	X(MU_ENOTFOUND, -2, 404, "not_found", "not found")                                         \
	X(MU_EEXIST, -3, 409, "conflict", "already exists")                                        \
	X(MU_EDB, -4, 500, "db_error", "database error")                                           \
	X(MU_EIO, -5, 500, "io_error", "input/output error")                                       \
	X(MU_ETOOBIG, -6, 413, "too_large", "too large")                                           \
	X(MU_EBUSY, -7, 503, "busy", "busy, try again")                                            \
	X(MU_ECRYPTO, -8, 500, "crypto_error", "sealed data could not be opened")                  \
	X(MU_EFORBIDDEN, -9, 403, "forbidden", "not allowed")                                      \
	X(MU_EUNAUTH, -10, 401, "unauthenticated", "sign-in required")                             \
	X(MU_ESTOPPED, -11, 503, "stopped", "the writer has stopped")                              \
	X(MU_ESCHEMA, -12, 500, "schema", "database schema is newer than this program")            \
	X(MU_ETOOMANY, -13, 429, "too_many_requests", "too many attempts, try again later")        \
	X(MU_EMETHOD, -14, 405, "method_not_allowed", "method not allowed")                        \
	X(MU_EFULL, -15, 503, "storage_full", "the disk is full: nothing was stored")

enum {
#define MU__ERR_ENUM(name, val, http, code, msg) name = (val),
	MU_ERRORS(MU__ERR_ENUM)
#undef MU__ERR_ENUM
};

/* The stable string code ("invalid"), the HTTP status (400) and the default message
 * of an error code; unknown codes map to a generic 500 entry. Static strings. */
const char *mu_err_code(int err);
int mu_err_http(int err);
const char *mu_err_msg(int err);

/* Why a check refused its input — the one form every check reports a reason in. The
 * function still returns 0 or a negative MU_E* code; when it refuses, it fills the
 * caller's struct mu_why (the pointer may be NULL: the caller wants the code only)
 * with the input field at fault (borrowed: a static name, or NULL) and a sentence a
 * person can act on, with the values at fault in it ("resident ID check digit is 5,
 * expected X"). The caller owns the storage; text is "" until a reason is set. */
#define MU_WHY_MAX 128
struct mu_why {
	const char *field;
	char text[MU_WHY_MAX];
};
/* Sets w's field and text (truncated to MU_WHY_MAX - 1 bytes) when w is not NULL, and
 * returns err: `return mu_why_set(why, MU_EINVAL, "name", "name is empty");`. */
int mu_why_set(struct mu_why *w, int err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Empties w (field NULL, text ""); accepts NULL. */
void mu_why_clear(struct mu_why *w);

/* ---- allocation: failure aborts, as STYLE.md says. ------------------------------- */
void *mu_xmalloc(size_t n);
void *mu_xcalloc(size_t n, size_t size);
void *mu_xrealloc(void *p, size_t n);
char *mu_xstrdup(const char *s);
char *mu_xstrndup(const char *s, size_t n);

/* Cheap invariants that stay on in release builds (NDEBUG changes nothing): on failure
 * they print file:line and the expression to stderr, then abort. MU_ASSERT prints the
 * condition's text only; MU_ASSERT_INT and MU_ASSERT_UINT compare two values with an
 * operator and print both (libuv's ASSERT_EQ), e.g.
 *   MU_ASSERT_INT(d->depth, ==, 1)  ->  assertion failed: d->depth == 1 (2 == 1)
 * Each side is evaluated once, as long long (_INT) or unsigned long long (_UINT): pick
 * the one that holds both operands' values. */
#define MU_ASSERT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			mu_panic(__FILE__, __LINE__, "assertion failed: %s", #cond);               \
	} while (0)
#define MU_ASSERT_INT(a, op, b)                                                                    \
	do {                                                                                       \
		long long mu__assert_a = (long long)(a), mu__assert_b = (long long)(b);            \
		if (!(mu__assert_a op mu__assert_b))                                               \
			mu_panic(__FILE__, __LINE__, "assertion failed: %s %s %s (%lld %s %lld)",  \
				 #a, #op, #b, mu__assert_a, #op, mu__assert_b);                    \
	} while (0)
#define MU_ASSERT_UINT(a, op, b)                                                                   \
	do {                                                                                       \
		unsigned long long mu__assert_a = (unsigned long long)(a),                         \
				   mu__assert_b = (unsigned long long)(b);                         \
		if (!(mu__assert_a op mu__assert_b))                                               \
			mu_panic(__FILE__, __LINE__, "assertion failed: %s %s %s (%llu %s %llu)",  \
				 #a, #op, #b, mu__assert_a, #op, mu__assert_b);                    \
	} while (0)
_Noreturn void mu_panic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* ---- arena: many small allocations freed in one go (per request, per import). ---- */
struct mu_arena {
	struct mu_arena_block *head;
	size_t block_size;
};
/* Storage provided by the caller; mu_arena_fini frees every block. */
void mu_arena_init(struct mu_arena *a, size_t block_size);
void mu_arena_fini(struct mu_arena *a);
/* Frees all but the first block and rewinds it, for reuse between requests/rows. */
void mu_arena_reset(struct mu_arena *a);
/* 16-byte aligned memory that lives until the arena is reset or finished. */
void *mu_arena_alloc(struct mu_arena *a, size_t n);
char *mu_arena_strndup(struct mu_arena *a, const char *s, size_t n);
char *mu_arena_sprintf(struct mu_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- buffer: a growable byte string with a hard maximum (curl's rule). ----------- */
struct mu_buf {
	char *data; /* always NUL-terminated when len > 0 or after any append */
	size_t len;
	size_t cap;
	size_t max; /* appends that would pass max fail with MU_ETOOBIG */
};
void mu_buf_init(struct mu_buf *b, size_t max);
void mu_buf_fini(struct mu_buf *b);
void mu_buf_reset(struct mu_buf *b);
int mu_buf_append(struct mu_buf *b, const void *p, size_t n);
int mu_buf_puts(struct mu_buf *b, const char *s);
int mu_buf_putc(struct mu_buf *b, char c);
int mu_buf_printf(struct mu_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents as a C string ("" when empty); borrowed from b. */
const char *mu_buf_str(const struct mu_buf *b);

/* ---- text -------------------------------------------------------------------------- */
/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF). */
bool mu_utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8 s[0..n). */
size_t mu_utf8_len(const char *s, size_t n);
/* The first code point of valid UTF-8 s[0..n) that changes how text reads without being
 * seen — a bidi control (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) or a
 * zero-width character (U+200B–U+200D, U+2060, U+FEFF) — or 0 when there is none. Names
 * refuse them: "\u202Egnp.exe" shows as "exe.png". */
uint32_t mu_utf8_invisible(const char *s, size_t n);
/* Parses a decimal int64 filling the whole string; MU_EINVAL otherwise. */
int mu_parse_i64(const char *s, int64_t *out);
int mu_parse_double(const char *s, double *out);

/* ---- dates: days since 1970-01-01 for civil dates (proleptic Gregorian). --------- */
bool mu_date_valid(int y, int m, int d);
int64_t mu_date_to_days(int y, int m, int d);
void mu_days_to_date(int64_t days, int *y, int *m, int *d);
/* Parses "YYYY-MM-DD" into days; MU_EINVAL on any other shape or an impossible date. */
int mu_date_parse(const char *s, int64_t *days);
/* Writes "YYYY-MM-DD" into out (≥ 11 bytes). */
void mu_date_format(int64_t days, char out[11]);
/* Parses an ISO 8601 / RFC 3339 time into unix milliseconds: "YYYY-MM-DD" (midnight
 * UTC) or the date, 'T' or ' ', "HH:MM" with optional ":SS" (00..60) and a fraction
 * after '.' or ',' (digits beyond milliseconds dropped), then an optional "Z" or
 * "±HH:MM" (none means UTC). MU_EINVAL for anything else or an impossible date. The
 * one parser of times that come from outside (API bodies and queries, CLI options). */
int mu_time_parse(const char *s, int64_t *ms);

/* Monotonic and wall clocks. */
double mu_now_mono(void);
int64_t mu_now_unix(void);

/* ---- logging: one line per event to stderr, with level and time. ----------------- */
enum mu_log_level { MU_LOG_DEBUG, MU_LOG_INFO, MU_LOG_WARN, MU_LOG_ERROR };
void mu_log_set_level(enum mu_log_level lv);
void mu_log(enum mu_log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define mu_info(...)  mu_log(MU_LOG_INFO, __VA_ARGS__)
#define mu_warn(...)  mu_log(MU_LOG_WARN, __VA_ARGS__)
#define mu_error(...) mu_log(MU_LOG_ERROR, __VA_ARGS__)

/* ---- progress bar: drawn on stderr only when it is a terminal. ------------------- */
struct mu_progress {
	const char *label;
	uint64_t total;
	uint64_t done;
	double started, last_draw;
	bool tty;
};
void mu_progress_init(struct mu_progress *p, const char *label, uint64_t total);
/* Records progress; redraws at most ten times a second. */
void mu_progress_set(struct mu_progress *p, uint64_t done);
/* Draws the final state and ends the line. */
void mu_progress_fini(struct mu_progress *p);

/* ---- config: the database path from --db, else $MUSTER_DB, else ./muster.db. ---- */
const char *mu_config_db_path(const char *flag_value);

/* ---- CSV (RFC 4180): a streaming reader with a capped record, and quoting writers. -
 * The reader takes quoted fields ("" inside quotes is one quote, quoted fields may span
 * lines), LF or CRLF line ends, a UTF-8 BOM at the very start (stripped), and a last
 * line without its newline. Empty lines are skipped. A record longer than its cap is
 * reported as an error of that record and the reader resyncs at the next line break.
 * A bad record never stops the file: the caller decides what to do with it. */
#include <stdio.h>

#define MU_CSV_RECORD_MAX 8192 /* default cap: bytes of one record's fields */
#define MU_CSV_FIELDS_MAX 64   /* default cap: fields of one record */

/* What can be wrong with one record; 0 when it parsed. */
enum mu_csv_err {
	MU_CSV_OK = 0,
	MU_CSV_ETOOLONG, /* longer than the record cap; fields not available */
	MU_CSV_ETOOMANY, /* more fields than the field cap; fields not available */
	MU_CSV_EQUOTE,	 /* text after a closing quote, or a quote never closed */
	MU_CSV_ENUL,	 /* a NUL byte in a field */
};

struct mu_csv_record {
	uint64_t line; /* physical line (1-based) where the record starts */
	int err;       /* enum mu_csv_err; fields are usable only when MU_CSV_OK */
	int bad_utf8;  /* -1, or the index of the first field that is not valid UTF-8 */
	int nfields;
	char **fields; /* NUL-terminated; borrowed until the next mu_csv_next */
	size_t *lens;  /* byte length of each field */
};

struct mu_csv;
/* Reads from f (borrowed; the caller closes it). record_max and fields_max are the
 * caps (0: the defaults above). The caller frees the reader with mu_csv_free. */
struct mu_csv *mu_csv_new(FILE *f, size_t record_max, int fields_max);
void mu_csv_free(struct mu_csv *c);
/* Reads the next non-empty record into *r. Returns 1 with a record (check r->err),
 * 0 at the end of the input, MU_EIO on a read error. */
int mu_csv_next(struct mu_csv *c, struct mu_csv_record *r);
/* Bytes consumed from f so far (for a progress bar). */
uint64_t mu_csv_bytes(const struct mu_csv *c);
/* A short static description of an enum mu_csv_err ("malformed quoting"). */
const char *mu_csv_err_msg(int err);

/* True when a spreadsheet would run s[0..n) as a formula: it starts with =, +, -, @, a
 * tab or a CR (the rule of the web export, web/src/lib/export.js). The writer puts a
 * single quote before such a cell, and the reader takes that quote off again, so that
 * an export imports back unchanged (a value that itself starts with ' and a formula
 * character loses its quote). */
bool mu_csv_formula_leading(const char *s, size_t n);
/* True when s[0..n) must be quoted in CSV: it holds a comma, a quote, a CR or a LF. */
bool mu_csv_needs_quotes(const char *s, size_t n);
/* Writes one field, quoted only when needed and defused when formula-leading; a record of n fields
 * with a LF at the end. Return 0 or MU_EIO. */
int mu_csv_write_field(FILE *f, const char *s);
int mu_csv_write_record(FILE *f, const char *const *fields, int n);

/* ---- key file: the master key of a database, "<db path>.key" (src/core/keyfile.c). -
 * 64 lowercase hex digits and a newline, mode 0600. Capabilities derive their own keys
 * from it with mu_keyfile_subkey: people uses ids 1 (seal), 2 (ID hash), 3 (codes);
 * auth uses 16 (audit chain), 17 (session and device token hashes) and 18 (the key
 * check value). */
#define MU_KEY_BYTES 32
/* libsodium's one-time initialisation; safe from any thread, any number of times. */
void mu_sodium_init(void);
/* Writes "<db_path>.key" into out (n bytes, truncated when too small). */
void mu_keyfile_path(const char *db_path, char *out, size_t n);
/* Creates a fresh random master key, mode 0600; never replaces an existing file.
 * Returns 0, MU_EEXIST when the file exists, MU_EIO otherwise. */
int mu_keyfile_create(const char *db_path);
/* Reads the master key. MU_ENOTFOUND without a key file, MU_EFORBIDDEN when it is
 * open to group or others, MU_EIO when unreadable or malformed. */
int mu_keyfile_load(const char *db_path, unsigned char master[MU_KEY_BYTES]);
/* Derives subkey id from master (crypto_kdf_derive_from_key, context "muster01"). */
void mu_keyfile_subkey(const unsigned char master[MU_KEY_BYTES], uint64_t id,
		       unsigned char out[MU_KEY_BYTES]);

#endif
