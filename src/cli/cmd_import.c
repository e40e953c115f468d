/* cmd_import.c: `muster import places|people FILE.csv` — checks every row, imports the
 * file in one transaction, all or nothing unless --skip-invalid sends bad rows aside. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cli.h"
#include "core/core.h"
#include "db/db.h"
#include "people/people.h"
#include "places/places.h"

static const char help[] =
    "usage: muster import places|people FILE.csv [--skip-invalid REJECTS.csv] [--db PATH]\n"
    "\n"
    "Imports places (code,parent_code,level,name) or people\n"
    "(id_type,id_number,name,sex,birth_date,phone,household_code) from a UTF-8 CSV file\n"
    "with that header row; see docs/csv.md. All or nothing: when any row is bad nothing\n"
    "is imported, every bad row is printed as FILE:LINE: reason, and the status is 1.\n"
    "  --skip-invalid R.csv  import the good rows; write the bad ones with a reason\n"
    "                        column to R.csv\n"
    "  --db PATH             the database (default $MUSTER_DB, else ./muster.db)\n"
    "Exit status: 0 imported, 1 data rejected, 2 usage error.\n";

/* A record longer than this is a bad row: the longest valid people row is far shorter. */
#define RECORD_MAX 4096
#define WHY_MAX	   512

/* ---- a hash map from a fixed-size key to an int64 (the line a key was seen on) ----- */

struct keymap {
	unsigned char *slots; /* cap entries of [used byte][key][int64 value] */
	size_t cap, n, key_len, entry;
};

static void keymap_init(struct keymap *m, size_t key_len)
{
	m->key_len = key_len;
	m->entry = 1 + key_len + sizeof(int64_t);
	m->cap = 1024;
	m->n = 0;
	m->slots = mu_xcalloc(m->cap, m->entry);
}

static void keymap_fini(struct keymap *m)
{
	free(m->slots);
}

static uint64_t key_hash(const unsigned char *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* The slot holding key, or the free slot where it would go. */
static unsigned char *keymap_slot(const struct keymap *m, const unsigned char *key)
{
	size_t i = (size_t)key_hash(key, m->key_len) & (m->cap - 1);
	for (;;) {
		unsigned char *e = m->slots + i * m->entry;
		if (!e[0] || !memcmp(e + 1, key, m->key_len))
			return e;
		i = (i + 1) & (m->cap - 1);
	}
}

/* True with *val set when key is present. */
static bool keymap_get(const struct keymap *m, const unsigned char *key, int64_t *val)
{
	const unsigned char *e = keymap_slot(m, key);
	if (!e[0])
		return false;
	memcpy(val, e + 1 + m->key_len, sizeof *val);
	return true;
}

static void keymap_put(struct keymap *m, const unsigned char *key, int64_t val)
{
	if (2 * (m->n + 1) > m->cap) {
		struct keymap old = *m;
		m->cap *= 2;
		m->n = 0;
		m->slots = mu_xcalloc(m->cap, m->entry);
		for (size_t i = 0; i < old.cap; i++) {
			unsigned char *e = old.slots + i * old.entry;
			if (e[0]) {
				int64_t v;
				memcpy(&v, e + 1 + old.key_len, sizeof v);
				keymap_put(m, e + 1, v);
			}
		}
		free(old.slots);
	}
	unsigned char *e = keymap_slot(m, key);
	if (!e[0]) {
		e[0] = 1;
		memcpy(e + 1, key, m->key_len);
		m->n++;
	}
	memcpy(e + 1 + m->key_len, &val, sizeof val);
}

/* ---- the import ------------------------------------------------------------------------ */

struct column {
	const char *name;
	bool required;
	size_t max;	 /* longest allowed value */
	bool codepoints; /* max counts characters of UTF-8 (else bytes) */
};

static const struct column place_cols[] = {
    {"code", true, PLACES_CODE_MAX, false},
    {"parent_code", false, PLACES_CODE_MAX, false},
    {"level", true, 32, false},
    {"name", true, PLACES_NAME_MAX, true},
};
static const struct column people_cols[] = {
    {"id_type", true, 32, false},
    {"id_number", true, PEOPLE_ID_MAX, false},
    {"name", true, PEOPLE_NAME_MAX, true},
    {"sex", true, 32, false},
    {"birth_date", true, 32, false},
    {"phone", false, PEOPLE_PHONE_MAX, false},
    {"household_code", true, PLACES_CODE_MAX, false},
};
#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct import {
	const char *file; /* as given on the command line */
	bool people;
	const struct column *cols;
	int ncols;
	struct db *db;
	struct people_keys keys;
	FILE *rejects;
	const char *rejects_path;
	int64_t imported, rejected;
	int fatal; /* a database error: the import stops and rolls back */
	char why[WHY_MAX];

	/* places: code (zero-padded) → line, negative for a rejected row. */
	struct keymap codes;
	struct places_node parent; /* the last parent looked up, for grouped files */
	bool parent_valid;

	/* people: id hash → line; the last household code → id (0: not a household). */
	struct keymap ids;
	struct people_loader *loader;
	char hh_code[PLACES_CODE_MAX + 1];
	int64_t hh_id;
	char hh_why[WHY_MAX];
};

/* Writes a reason into why (WHY_MAX bytes). */
static void set_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, WHY_MAX, fmt, ap);
	va_end(ap);
}

/* Reports the row at line (its fields as read) as bad for the reason in im->why: on
 * stderr as FILE:LINE: reason, or with --skip-invalid as a row of the rejects file
 * (original fields plus reason). */
static void reject_fields(struct import *im, uint64_t line, char *const *fields, int nfields)
{
	im->rejected++;
	if (!im->rejects) {
		fprintf(stderr, "%s:%llu: %s\n", im->file, (unsigned long long)line, im->why);
		return;
	}
	if (nfields > 0) {
		for (int i = 0; i < nfields; i++) {
			mu_csv_write_field(im->rejects, fields[i]);
			putc(',', im->rejects);
		}
	} else {
		for (int i = 0; i < im->ncols; i++)
			putc(',', im->rejects);
	}
	mu_csv_write_field(im->rejects, im->why);
	putc('\n', im->rejects);
}

static void reject(struct import *im, const struct mu_csv_record *r)
{
	reject_fields(im, r->line, r->fields, r->nfields);
}

/* The checks every kind shares: the reader's verdict, UTF-8, the column count, empty
 * required fields and lengths. False with why (WHY_MAX bytes) set when the row is bad.
 * Reads only the column table of im: the people producer thread calls it too. */
static bool row_shape_ok(const struct import *im, const struct mu_csv_record *r, char *why)
{
	switch (r->err) {
	case MU_CSV_OK:
		break;
	case MU_CSV_ETOOLONG:
		set_why(why, "record longer than %d bytes", RECORD_MAX);
		return false;
	case MU_CSV_ETOOMANY:
		set_why(why, "wrong column count (more than %d, expected %d)", MU_CSV_FIELDS_MAX,
			im->ncols);
		return false;
	case MU_CSV_EQUOTE:
		set_why(why, "malformed quoting (a quoted field must end at a comma or line end, "
			     "and a quote inside it is written twice)");
		return false;
	default:
		set_why(why, "%s", mu_csv_err_msg(r->err));
		return false;
	}
	if (r->bad_utf8 >= 0) {
		if (r->bad_utf8 < im->ncols)
			set_why(why,
				"invalid UTF-8 in field %s (is the file GBK? save it as UTF-8)",
				im->cols[r->bad_utf8].name);
		else
			set_why(why,
				"invalid UTF-8 in column %d (is the file GBK? save it as UTF-8)",
				r->bad_utf8 + 1);
		return false;
	}
	if (r->nfields != im->ncols) {
		set_why(why, "wrong column count (%d, expected %d)", r->nfields, im->ncols);
		return false;
	}
	for (int i = 0; i < im->ncols; i++) {
		const struct column *c = &im->cols[i];
		if (c->required && r->lens[i] == 0) {
			set_why(why, "empty required field %s", c->name);
			return false;
		}
		size_t n = c->codepoints ? mu_utf8_len(r->fields[i], r->lens[i]) : r->lens[i];
		if (n > c->max) {
			bool ascii =
			    c->codepoints || mu_utf8_len(r->fields[i], r->lens[i]) == r->lens[i];
			set_why(why, "over-long field %s (%zu %s, at most %zu)", c->name, n,
				ascii ? "characters" : "bytes", c->max);
			return false;
		}
	}
	return true;
}

/* ---- places ------------------------------------------------------------------------------ */

static void code_key(const char *code, unsigned char key[PLACES_CODE_MAX + 1])
{
	memset(key, 0, PLACES_CODE_MAX + 1);
	memcpy(key, code, strnlen(code, PLACES_CODE_MAX));
}

/* Checks one places row and adds it. Returns false with im->why set when it is bad. */
static bool place_row(struct import *im, const struct mu_csv_record *r)
{
	const char *code = r->fields[0], *pcode = r->fields[1], *lvname = r->fields[2],
		   *name = r->fields[3];
	struct mu_why why = {0};
	int level, rc;
	unsigned char key[PLACES_CODE_MAX + 1];
	int64_t line, id = 0;

	if (places_level_parse(lvname, &level) != 0) {
		set_why(im->why, "unknown level %s", lvname);
		return false;
	}
	if (places_code_check(code, &why) != 0) {
		set_why(im->why, "code: %s", why.text);
		return false;
	}
	if (places_name_check(name, &why) != 0) {
		set_why(im->why, "name: %s", why.text);
		return false;
	}
	code_key(code, key);
	if (keymap_get(&im->codes, key, &line)) {
		set_why(im->why, "duplicate code %s (also on line %lld)", code,
			(long long)llabs(line));
		return false;
	}

	if (level == PLACES_CITY) {
		if (*pcode) {
			set_why(im->why,
				"level city cannot have a parent (parent_code must be empty)");
			return false;
		}
	} else {
		if (!*pcode) {
			set_why(im->why, "empty required field parent_code");
			return false;
		}
		if (!im->parent_valid || strcmp(im->parent.code, pcode) != 0) {
			im->parent_valid = false;
			rc = places_find(im->db, pcode, &im->parent);
			if (rc == MU_ENOTFOUND) {
				/* A parent refused earlier in this file says so. */
				code_key(pcode, key);
				if (keymap_get(&im->codes, key, &line) && line < 0)
					set_why(im->why, "parent code %s was rejected (line %lld)",
						pcode, (long long)-line);
				else
					set_why(im->why, "unknown parent code %s", pcode);
				return false;
			}
			if (rc != 0) {
				im->fatal = rc;
				set_why(im->why, "database error: %s", db_errmsg(im->db));
				return false;
			}
			im->parent_valid = true;
		}
		const struct places_node *p = &im->parent;
		if (p->level == PLACES_HOUSEHOLD) {
			set_why(im->why,
				"level %s cannot be under household %s (a household has nothing "
				"below it)",
				places_level_name(level), p->code);
			return false;
		}
		if (level != p->level + 1) {
			set_why(im->why, "level %s cannot be under %s %s (expected %s)",
				places_level_name(level), places_level_name(p->level), p->code,
				places_level_name(p->level + 1));
			return false;
		}
	}

	rc = places_add(im->db, level == PLACES_CITY ? 0 : im->parent.id, level, code, name, &id,
			&why);
	if (rc == MU_EEXIST) {
		struct places_node old;
		if (places_find(im->db, code, &old) == 0)
			set_why(im->why, "code %s already in the database", code);
		else
			set_why(im->why, "%s", why.text[0] ? why.text : "already in the database");
		return false;
	}
	if (rc == MU_EINVAL || rc == MU_ENOTFOUND) {
		set_why(im->why, "%s", why.text[0] ? why.text : mu_err_msg(rc));
		return false;
	}
	if (rc != 0) {
		im->fatal = rc;
		set_why(im->why, "database error: %s", db_errmsg(im->db));
		return false;
	}
	return true;
}

/* Imports the places records of csv (past the header) in the open transaction, one row
 * at a time. Returns 0 at the end of the file (rows may have been refused, or im->fatal
 * set), or MU_EIO with errno set on a read error. */
static int load_places(struct import *im, struct mu_csv *csv, struct mu_progress *pg)
{
	struct mu_csv_record r;
	uint64_t rows = 0;
	int rc;

	while ((rc = mu_csv_next(csv, &r)) == 1) {
		bool ok = row_shape_ok(im, &r, im->why) && place_row(im, &r);
		if (im->fatal) {
			fprintf(stderr, "%s:%llu: %s\n", im->file, (unsigned long long)r.line,
				im->why);
			break;
		}
		if (ok) {
			im->imported++;
		} else {
			reject(im, &r);
			if (r.nfields == im->ncols && r.lens[0] <= PLACES_CODE_MAX) {
				/* Remember the rejected code so its children say why they fail. */
				unsigned char key[PLACES_CODE_MAX + 1];
				int64_t seen;
				code_key(r.fields[0], key);
				if (!keymap_get(&im->codes, key, &seen))
					keymap_put(&im->codes, key, -(int64_t)r.line);
			}
		}
		if (ok) {
			unsigned char key[PLACES_CODE_MAX + 1];
			code_key(r.fields[0], key);
			keymap_put(&im->codes, key, (int64_t)r.line);
		}
		if ((++rows & 1023) == 0)
			mu_progress_set(pg, mu_csv_bytes(csv));
	}
	return rc < 0 ? rc : 0;
}

/* ---- people: a producer thread reads, checks and seals; the main thread inserts ------
 * Sealing and hashing cost about as much as SQLite's inserts, so a producer thread does
 * the CPU work (parsing, field checks, the ID hash, the sealing and the first pass of the
 * within-file duplicate check) and hands rows in batches to the main thread, which owns
 * the database connection and reports every row in file order. */

#define BATCH_ROWS 1024
#define BATCHES	   4 /* in flight: the producer runs at most this far ahead */
#define NO_WHY	   SIZE_MAX

/* A row as the producer left it: refused with a reason, or sealed and ready to insert. */
struct prow {
	uint64_t line;
	int nfields;	 /* fields kept in the batch text, for the rejects file */
	size_t text, hh; /* offsets in the batch text of field 0 and of household_code */
	size_t why;	 /* offset of the producer's reason, NO_WHY when the row passed */
	int seal_rc;	 /* people_sealer_seal's verdict, reported after the database checks */
	int64_t dup_of;	 /* the first earlier line with the same ID hash, or 0 */
	struct people_sealed s;
};

struct batch {
	struct prow rows[BATCH_ROWS];
	int n;
	uint64_t bytes; /* of the file read after its last row, for the progress bar */
	char *text;	/* the rows' fields and reasons, NUL-terminated one after another */
	size_t len, cap;
};

struct pipeline {
	struct import *im;  /* the producer reads only its column table */
	struct mu_csv *csv; /* the producer's after the header */
	struct people_sealer *sealer;
	struct keymap ids; /* the producer's: id hash → first line that passed its checks */
	struct batch *batches[BATCHES];

	pthread_mutex_t mu; /* guards the fields below */
	pthread_cond_t filled, drained;
	uint64_t produced, consumed; /* batches; batch i is batches[i % BATCHES] */
	bool done;		     /* the producer has handed over its last batch */
	bool stop;		     /* the consumer has given up: produce no more */
	int read_rc, read_errno;     /* how the reading ended: 0, or MU_EIO and errno */
};

static size_t text_add(struct batch *b, const char *s, size_t n)
{
	size_t at = b->len;
	if (b->len + n + 1 > b->cap) {
		/* At most BATCH_ROWS records of RECORD_MAX bytes, their NULs and reasons. */
		b->cap = (b->len + n + 1) * 2;
		b->text = mu_xrealloc(b->text, b->cap);
	}
	memcpy(b->text + at, s, n);
	b->text[at + n] = '\0';
	b->len += n + 1;
	return at;
}

/* The field checks of a people row (its shape is fine) into p. False with why set. */
static bool person_fields(const struct mu_csv_record *r, struct people_person *p, char *why)
{
	char *const *f = r->fields;
	struct mu_why vwhy;

	memset(p, 0, sizeof *p);
	if (people_id_type_parse(f[0], &p->id_type) != 0) {
		set_why(why, "id_type: unknown ID type %s (resident_id, passport or other)", f[0]);
		return false;
	}
	if (!strcmp(f[3], "M")) {
		p->sex = PEOPLE_SEX_M;
	} else if (!strcmp(f[3], "F")) {
		p->sex = PEOPLE_SEX_F;
	} else {
		set_why(why, "sex: must be M or F, not %s", f[3]);
		return false;
	}
	if (mu_date_parse(f[4], &p->birth) != 0) {
		set_why(why, "birth_date: %s is not a date of the form YYYY-MM-DD", f[4]);
		return false;
	}
	/* The lengths were checked against the columns, which match these fields. */
	memcpy(p->id_number, f[1], r->lens[1] + 1);
	memcpy(p->name, f[2], r->lens[2] + 1);
	memcpy(p->phone, f[5], r->lens[5] + 1);
	if (people_validate(p, &vwhy) != 0) {
		set_why(why, "%s: %s", vwhy.field ? vwhy.field : "row", vwhy.text);
		return false;
	}
	return true;
}

/* Producer: checks, hashes and seals one record into the next row of b. */
static void produce_row(struct pipeline *pl, const struct mu_csv_record *r, struct batch *b)
{
	struct prow *w = &b->rows[b->n++];
	char why[WHY_MAX];
	int64_t line;

	w->line = r->line;
	w->nfields = r->nfields;
	w->text = b->len;
	w->hh = 0;
	for (int i = 0; i < r->nfields; i++) {
		size_t at = text_add(b, r->fields[i], r->lens[i]);
		if (i == 6)
			w->hh = at;
	}
	w->why = NO_WHY;
	w->seal_rc = 0;
	w->dup_of = 0;
	if (!row_shape_ok(pl->im, r, why) || !person_fields(r, &w->s.p, why)) {
		w->why = text_add(b, why, strlen(why));
		sodium_memzero(&w->s.p, sizeof w->s.p);
		return;
	}
	w->seal_rc = people_sealer_seal(pl->sealer, &w->s.p, &w->s);
	/* Rows refused later for their household do not count as seen: the main thread
	 * corrects for them (see person_row). */
	if (keymap_get(&pl->ids, w->s.id_hash, &line))
		w->dup_of = line;
	else
		keymap_put(&pl->ids, w->s.id_hash, (int64_t)r->line);
}

static void *producer(void *arg)
{
	struct pipeline *pl = arg;
	struct mu_csv_record r;
	int rc = 1, err = 0;

	while (rc == 1) {
		pthread_mutex_lock(&pl->mu);
		while (pl->produced - pl->consumed >= BATCHES && !pl->stop)
			pthread_cond_wait(&pl->drained, &pl->mu);
		bool stop = pl->stop;
		struct batch *b = pl->batches[pl->produced % BATCHES];
		pthread_mutex_unlock(&pl->mu);
		if (stop)
			break;

		b->n = 0;
		b->len = 0;
		while (b->n < BATCH_ROWS && (rc = mu_csv_next(pl->csv, &r)) == 1)
			produce_row(pl, &r, b);
		if (rc < 0)
			err = errno;
		b->bytes = mu_csv_bytes(pl->csv);

		pthread_mutex_lock(&pl->mu);
		pl->produced++;
		if (rc != 1) {
			pl->read_rc = rc < 0 ? rc : 0;
			pl->read_errno = err;
		}
		pthread_cond_signal(&pl->filled);
		pthread_mutex_unlock(&pl->mu);
	}
	pthread_mutex_lock(&pl->mu);
	pl->done = true;
	pthread_cond_signal(&pl->filled);
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

static const char sql_place_level[] = "SELECT id, level FROM places WHERE code = ?";

/* The id and level of the place with code: all a people row needs of its household,
 * lighter than places_find's whole node. 0, MU_ENOTFOUND or a database error. */
static int place_level(struct db *d, const char *code, int64_t *id, int *level)
{
	struct db_stmt *st = NULL;
	int rc = db_prepare(d, sql_place_level, &st);
	if (rc != 0)
		return rc;
	if ((rc = db_bind_text(st, 1, code, -1)) == 0) {
		rc = db_step(st);
		if (rc == DB_ROW) {
			*id = db_col_i64(st, 0);
			*level = (int)db_col_i64(st, 1);
			rc = 0;
		} else if (rc == DB_DONE) {
			rc = MU_ENOTFOUND;
		}
	}
	db_stmt_done(st);
	return rc;
}

/* Finds the household of code, remembering the last one: files list a household's people
 * together. 0 with *id, or -1 with the reason in im->why. */
static int household_of(struct import *im, const char *code, int64_t *id)
{
	if (strcmp(im->hh_code, code) != 0) {
		int64_t pid = 0;
		int level = -1;
		int rc = place_level(im->db, code, &pid, &level);
		snprintf(im->hh_code, sizeof im->hh_code, "%s", code);
		im->hh_id = 0;
		if (rc == MU_ENOTFOUND) {
			snprintf(im->hh_why, sizeof im->hh_why, "unknown household code %s", code);
		} else if (rc != 0) {
			im->hh_code[0] = '\0';
			im->fatal = rc;
			set_why(im->why, "database error: %s", db_errmsg(im->db));
			return -1;
		} else if (level != PLACES_HOUSEHOLD) {
			snprintf(im->hh_why, sizeof im->hh_why,
				 "household_code %s is a %s, not a household", code,
				 places_level_name(level));
		} else {
			im->hh_id = pid;
		}
	}
	if (!im->hh_id) {
		set_why(im->why, "%s", im->hh_why);
		return -1;
	}
	*id = im->hh_id;
	return 0;
}

/* Main thread: the database half of a people row the producer passed. False with
 * im->why set (and im->fatal on a database error) when it is refused. */
static bool person_row(struct import *im, struct prow *w, const char *text)
{
	const char *hh = text + w->hh;
	struct mu_why why;
	int64_t first = w->dup_of, seen;
	int rc;

	/* A person is a duplicate of the first earlier row with the same ID number that got
	 * past the household check. The producer knows the first that passed its own checks;
	 * when that one fails here, im->ids records the hash (line 0) and then the first row
	 * after it that does get past. */
	if (household_of(im, hh, &w->s.p.household_id) != 0) {
		if (!w->dup_of && !im->fatal)
			keymap_put(&im->ids, w->s.id_hash, 0);
		return false;
	}
	if (first && im->ids.n && keymap_get(&im->ids, w->s.id_hash, &seen)) {
		if (seen == 0)
			keymap_put(&im->ids, w->s.id_hash, (int64_t)w->line);
		first = seen;
	}
	if (first) {
		set_why(im->why, "duplicate id_number (also on line %lld)", (long long)first);
		return false;
	}
	if (w->seal_rc != 0) {
		set_why(im->why, "a field is too long to store");
		return false;
	}

	rc = people_loader_add_sealed(im->loader, &w->s, &why);
	if (rc == MU_EEXIST) {
		set_why(im->why, "id_number already in the database");
		return false;
	}
	if (rc == MU_ENOTFOUND) {
		set_why(im->why, "unknown household code %s", hh);
		return false;
	}
	if (rc == MU_EINVAL) {
		set_why(im->why, "%s", why.text);
		return false;
	}
	if (rc != 0) {
		im->fatal = rc;
		set_why(im->why, "database error: %s", db_errmsg(im->db));
		return false;
	}
	return true;
}

/* Main thread: reports or inserts the rows of b in order. False on a fatal error. */
static bool consume_batch(struct import *im, struct batch *b)
{
	for (int i = 0; i < b->n; i++) {
		struct prow *w = &b->rows[i];
		bool ok;
		if (w->why != NO_WHY) {
			set_why(im->why, "%s", b->text + w->why);
			ok = false;
		} else {
			ok = person_row(im, w, b->text);
			sodium_memzero(&w->s.p, sizeof w->s.p);
			sodium_memzero(w->s.secret, sizeof w->s.secret);
		}
		if (im->fatal) {
			fprintf(stderr, "%s:%llu: %s\n", im->file, (unsigned long long)w->line,
				im->why);
			return false;
		}
		if (ok) {
			im->imported++;
		} else {
			char *f[MU_CSV_FIELDS_MAX];
			size_t at = w->text;
			for (int j = 0; j < w->nfields && j < MU_CSV_FIELDS_MAX; j++) {
				f[j] = b->text + at;
				at += strlen(f[j]) + 1;
			}
			reject_fields(im, w->line, f, w->nfields);
		}
	}
	sodium_memzero(b->text, b->len);
	return true;
}

/* Imports the people records of csv (past the header) in the open transaction. Returns
 * 0 when the file was read to its end (rows may have been refused, or im->fatal set),
 * or MU_EIO with errno set on a read error. */
static int load_people(struct import *im, struct mu_csv *csv, struct mu_progress *pg)
{
	struct pipeline pl;
	pthread_t tid;
	int rc;

	memset(&pl, 0, sizeof pl);
	pl.im = im;
	pl.csv = csv;
	pl.sealer = people_sealer_new(&im->keys);
	keymap_init(&pl.ids, PEOPLE_HASH_BYTES);
	for (int i = 0; i < BATCHES; i++)
		pl.batches[i] = mu_xcalloc(1, sizeof *pl.batches[i]);
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.filled, NULL);
	pthread_cond_init(&pl.drained, NULL);

	if ((rc = pthread_create(&tid, NULL, producer, &pl)) != 0) {
		fprintf(stderr, "muster import: cannot start a thread: %s\n", strerror(rc));
		im->fatal = MU_EIO;
		goto out;
	}
	for (;;) {
		pthread_mutex_lock(&pl.mu);
		while (pl.consumed == pl.produced && !pl.done)
			pthread_cond_wait(&pl.filled, &pl.mu);
		bool more = pl.consumed != pl.produced;
		struct batch *b = pl.batches[pl.consumed % BATCHES];
		pthread_mutex_unlock(&pl.mu);
		if (!more)
			break;
		bool ok = consume_batch(im, b);
		mu_progress_set(pg, b->bytes);
		pthread_mutex_lock(&pl.mu);
		pl.consumed++;
		if (!ok)
			pl.stop = true;
		pthread_cond_signal(&pl.drained);
		pthread_mutex_unlock(&pl.mu);
		if (!ok)
			break;
	}
	pthread_join(tid, NULL);
	/* A database error ends the import before any read error the producer met. */
	rc = im->fatal ? 0 : pl.read_rc;
	errno = pl.read_errno;
out:
	pthread_cond_destroy(&pl.drained);
	pthread_cond_destroy(&pl.filled);
	pthread_mutex_destroy(&pl.mu);
	for (int i = 0; i < BATCHES; i++) {
		struct batch *b = pl.batches[i];
		sodium_memzero(b->rows, sizeof b->rows);
		if (b->text)
			sodium_memzero(b->text, b->cap);
		free(b->text);
		free(b);
	}
	keymap_fini(&pl.ids);
	people_sealer_free(pl.sealer);
	return rc;
}

/* ---- the command ------------------------------------------------------------------------ */

/* Reads the header: it must be exactly the documented columns. */
static bool header_ok(struct import *im, struct mu_csv *csv, uint64_t *line)
{
	struct mu_csv_record r;
	int rc = mu_csv_next(csv, &r);
	*line = rc == 1 ? r.line : 1;
	if (rc != 1 || r.err || r.nfields != im->ncols)
		return false;
	for (int i = 0; i < im->ncols; i++)
		if (strcmp(r.fields[i], im->cols[i].name) != 0)
			return false;
	return true;
}

static void header_text(const struct import *im, char *out, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < im->ncols && o < n; i++)
		o += (size_t)snprintf(out + o, n - o, "%s%s", i ? "," : "", im->cols[i].name);
}

/* Runs the import of an open file into an open database. Returns the exit status. */
static int run(struct import *im, FILE *in)
{
	struct mu_csv *csv = mu_csv_new(in, RECORD_MAX, 0);
	struct mu_progress pg;
	struct stat st;
	char header[128];
	uint64_t line;
	int status = CLI_REJECTED, rc;
	bool in_tx = false;

	header_text(im, header, sizeof header);
	if (!header_ok(im, csv, &line)) {
		fprintf(stderr, "%s:%llu: header must be %s\n", im->file, (unsigned long long)line,
			header);
		goto out;
	}
	if (im->rejects) {
		const char *hdr[16];
		for (int i = 0; i < im->ncols; i++)
			hdr[i] = im->cols[i].name;
		hdr[im->ncols] = "reason";
		mu_csv_write_record(im->rejects, hdr, im->ncols + 1);
	}
	if ((rc = db_tx_begin(im->db)) != 0) {
		fprintf(stderr, "muster import: cannot start a transaction: %s\n",
			db_errmsg(im->db));
		goto out;
	}
	in_tx = true;
	if (im->people)
		im->loader = people_loader_new(im->db, &im->keys);

	mu_progress_init(&pg, "import", fstat(fileno(in), &st) == 0 ? (uint64_t)st.st_size : 0);
	rc = im->people ? load_people(im, csv, &pg) : load_places(im, csv, &pg);
	mu_progress_set(&pg, mu_csv_bytes(csv));
	mu_progress_fini(&pg);
	if (rc < 0) {
		fprintf(stderr, "muster import: %s: read error: %s\n", im->file, strerror(errno));
		goto out;
	}
	if (im->fatal)
		goto out;
	if (im->rejected && !im->rejects) {
		fprintf(stderr, "muster import: %s: %lld bad row%s; nothing imported\n", im->file,
			(long long)im->rejected, im->rejected == 1 ? "" : "s");
		goto out;
	}
	if (im->loader && (rc = people_loader_finish(im->loader)) != 0) {
		fprintf(stderr, "muster import: cannot update the people counts: %s\n",
			db_errmsg(im->db));
		goto out;
	}
	if (im->rejects && fflush(im->rejects) != 0) {
		fprintf(stderr, "muster import: cannot write %s: %s\n", im->rejects_path,
			strerror(errno));
		goto out;
	}
	in_tx = false;
	if ((rc = db_tx_commit(im->db)) != 0) {
		fprintf(stderr, "muster import: commit failed: %s\n", db_errmsg(im->db));
		db_tx_rollback(im->db);
		goto out;
	}
	if (im->rejects)
		printf("imported %lld %s, rejected %lld (see %s)\n", (long long)im->imported,
		       im->people ? "people" : "places", (long long)im->rejected, im->rejects_path);
	else
		printf("imported %lld %s\n", (long long)im->imported,
		       im->people ? "people" : "places");
	status = CLI_OK;
out:
	if (in_tx)
		db_tx_rollback(im->db);
	people_loader_free(im->loader);
	im->loader = NULL;
	mu_csv_free(csv);
	return status;
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {{"skip-invalid", required_argument, NULL, 's'},
					     {"db", required_argument, NULL, 'd'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	struct import im;
	const char *dbp = NULL;
	FILE *in = NULL;
	int c, status = CLI_REJECTED;

	memset(&im, 0, sizeof im);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			im.rejects_path = optarg;
			break;
		case 'd':
			dbp = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return CLI_OK;
		case ':':
			return cli_usage_error("import", "option %s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("import", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("import", "say what to import: places or people");
	if (!strcmp(argv[optind], "places")) {
		im.cols = place_cols;
		im.ncols = NCOLS(place_cols);
	} else if (!strcmp(argv[optind], "people")) {
		im.people = true;
		im.cols = people_cols;
		im.ncols = NCOLS(people_cols);
	} else {
		return cli_usage_error("import", "unknown kind '%s' (places or people)",
				       argv[optind]);
	}
	if (optind + 1 >= argc)
		return cli_usage_error("import", "missing the CSV file to import");
	if (optind + 2 < argc)
		return cli_usage_error("import", "unexpected argument '%s'", argv[optind + 2]);
	im.file = argv[optind + 1];
	if (im.rejects_path && !*im.rejects_path)
		return cli_usage_error("import", "--skip-invalid needs a file name");

	if (!(in = fopen(im.file, "rb"))) {
		fprintf(stderr, "muster import: cannot read %s: %s\n", im.file, strerror(errno));
		return CLI_REJECTED;
	}
	if (cli_open(dbp, false, &im.db, im.people ? &im.keys : NULL) != 0)
		goto out;
	if (im.rejects_path && !(im.rejects = fopen(im.rejects_path, "w"))) {
		fprintf(stderr, "muster import: cannot write %s: %s\n", im.rejects_path,
			strerror(errno));
		goto out;
	}
	keymap_init(&im.codes, PLACES_CODE_MAX + 1);
	keymap_init(&im.ids, PEOPLE_HASH_BYTES);
	status = run(&im, in);
	keymap_fini(&im.codes);
	keymap_fini(&im.ids);
out:
	if (im.rejects && fclose(im.rejects) != 0 && status == CLI_OK) {
		fprintf(stderr, "muster import: cannot write %s: %s\n", im.rejects_path,
			strerror(errno));
		status = CLI_REJECTED;
	}
	fclose(in);
	db_close(im.db);
	memset(&im.keys, 0, sizeof im.keys);
	return status;
}
