/* csv.c: people as CSV (docs/csv.md) — the import of
 * id_type,id_number,name,sex,birth_date,phone,household_code[,party] rows, checked, hashed and
 * sealed on a producer thread and inserted in file order, and the export. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/core.h"
#include "db/db.h"
#include "people.h"
#include "places/places.h"

const struct places_csv_column people_csv_columns[PEOPLE_CSV_NCOLS] = {
    {"id_type", true, 32, false},
    {"id_number", true, PEOPLE_ID_MAX, false},
    {"name", true, PEOPLE_NAME_MAX, true},
    {"sex", true, 32, false},
    {"birth_date", true, 32, false},
    {"phone", false, PEOPLE_PHONE_MAX, false},
    {"household_code", true, PLACES_CODE_MAX, false},
    {"party", false, 8, false},
};

/* The import's state on the database's thread. */
struct load {
	struct db *d;
	int ncols; /* the file's columns */
	const struct people_keys *keys;
	const struct places_csv_sink *sink;
	struct places_csv_result *res;
	int fatal; /* a database error: the import stops */
	char why[PLACES_CSV_WHY_MAX];
	/* id hash → line; the last household code → id (0: not a household). */
	struct places_csv_seen ids;
	struct people_loader *loader;
	char hh_code[PLACES_CODE_MAX + 1];
	int64_t hh_id;
	char hh_why[PLACES_CSV_WHY_MAX];
};

/* ---- a producer thread reads, checks and seals; this thread inserts ---------------------
 * Sealing and hashing cost about as much as SQLite's inserts, so a producer thread does
 * the CPU work (parsing, field checks, the ID hash, the sealing and the first pass of the
 * within-file duplicate check) and hands rows in batches to the database's thread, which
 * owns the connection and reports every row in file order. */

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
	struct load *im;    /* the producer reads nothing of it */
	int ncols;	    /* the file's columns (party or not) */
	struct mu_csv *csv; /* the producer's after the header */
	struct people_sealer *sealer;
	struct places_csv_seen
	    ids; /* the producer's: id hash → first line that passed its checks */
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
static bool person_fields(const struct mu_csv_record *r, int ncols, struct people_person *p,
			  char *why)
{
	char *const *f = r->fields;
	struct mu_why vwhy;

	memset(p, 0, sizeof *p);
	if (people_id_type_parse(f[0], &p->id_type) != 0) {
		places_csv_why(why, "id_type: unknown ID type %s (resident_id, passport or other)",
			       f[0]);
		return false;
	}
	if (!strcmp(f[3], "M")) {
		p->sex = PEOPLE_SEX_M;
	} else if (!strcmp(f[3], "F")) {
		p->sex = PEOPLE_SEX_F;
	} else {
		places_csv_why(why, "sex: must be M or F, not %s", f[3]);
		return false;
	}
	if (ncols > 7 && r->lens[7] && strcmp(f[7], "0") && strcmp(f[7], "1")) {
		places_csv_why(why, "party: must be 0, 1 or empty, not %s", f[7]);
		return false;
	}
	p->party = ncols > 7 && !strcmp(f[7], "1");
	if (mu_date_parse(f[4], &p->birth) != 0) {
		places_csv_why(why, "birth_date: %s is not a date of the form YYYY-MM-DD", f[4]);
		return false;
	}
	/* The lengths were checked against the columns, which match these fields. */
	memcpy(p->id_number, f[1], r->lens[1] + 1);
	memcpy(p->name, f[2], r->lens[2] + 1);
	memcpy(p->phone, f[5], r->lens[5] + 1);
	if (people_validate(p, &vwhy) != 0) {
		places_csv_why(why, "%s: %s", vwhy.field ? vwhy.field : "row", vwhy.text);
		return false;
	}
	return true;
}

/* Producer: checks, hashes and seals one record into the next row of b. */
static void produce_row(struct pipeline *pl, const struct mu_csv_record *r, struct batch *b)
{
	struct prow *w = &b->rows[b->n++];
	char why[PLACES_CSV_WHY_MAX];
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
	if (!places_csv_row_ok(people_csv_columns, pl->ncols, r, why) ||
	    !person_fields(r, pl->ncols, &w->s.p, why)) {
		w->why = text_add(b, why, strlen(why));
		sodium_memzero(&w->s.p, sizeof w->s.p);
		return;
	}
	w->seal_rc = people_sealer_seal(pl->sealer, &w->s.p, &w->s);
	/* Rows refused later for their household do not count as seen: the main thread
	 * corrects for them (see person_row). */
	if (places_csv_seen_get(&pl->ids, w->s.id_hash, &line))
		w->dup_of = line;
	else
		places_csv_seen_put(&pl->ids, w->s.id_hash, (int64_t)r->line);
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

/* Finds the household of code, remembering the last one: files list a household's people
 * together. 0 with *id, or -1 with the reason in im->why. */
static int household_of(struct load *im, const char *code, int64_t *id)
{
	if (strcmp(im->hh_code, code) != 0) {
		int64_t pid = 0;
		int level = -1;
		int rc = places_level_of(im->d, code, &pid, &level);
		snprintf(im->hh_code, sizeof im->hh_code, "%s", code);
		im->hh_id = 0;
		if (rc == MU_ENOTFOUND) {
			snprintf(im->hh_why, sizeof im->hh_why, "unknown household code %s", code);
		} else if (rc != 0) {
			im->hh_code[0] = '\0';
			im->fatal = rc;
			places_csv_why(im->why, "database error: %s", db_errmsg(im->d));
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
		places_csv_why(im->why, "%s", im->hh_why);
		return -1;
	}
	*id = im->hh_id;
	return 0;
}

/* Main thread: the database half of a people row the producer passed. False with
 * im->why set (and im->fatal on a database error) when it is refused. */
static bool person_row(struct load *im, struct prow *w, const char *text)
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
			places_csv_seen_put(&im->ids, w->s.id_hash, 0);
		return false;
	}
	if (first && im->ids.n && places_csv_seen_get(&im->ids, w->s.id_hash, &seen)) {
		if (seen == 0)
			places_csv_seen_put(&im->ids, w->s.id_hash, (int64_t)w->line);
		first = seen;
	}
	if (first) {
		places_csv_why(im->why, "duplicate id_number (also on line %lld)",
			       (long long)first);
		return false;
	}
	if (w->seal_rc != 0) {
		places_csv_why(im->why, "a field is too long to store");
		return false;
	}

	rc = people_loader_add_sealed(im->loader, &w->s, &why);
	if (rc == MU_EEXIST) {
		places_csv_why(im->why, "id_number already in the database");
		return false;
	}
	if (rc == MU_ENOTFOUND) {
		places_csv_why(im->why, "unknown household code %s", hh);
		return false;
	}
	if (rc == MU_EINVAL) {
		places_csv_why(im->why, "%s", why.text);
		return false;
	}
	if (rc != 0) {
		im->fatal = rc;
		places_csv_why(im->why, "database error: %s", db_errmsg(im->d));
		return false;
	}
	return true;
}

/* Main thread: reports or inserts the rows of b in order. False on a fatal error. */
static bool consume_batch(struct load *im, struct batch *b)
{
	for (int i = 0; i < b->n; i++) {
		struct prow *w = &b->rows[i];
		bool ok;
		if (w->why != NO_WHY) {
			places_csv_why(im->why, "%s", b->text + w->why);
			ok = false;
		} else {
			ok = person_row(im, w, b->text);
			sodium_memzero(&w->s.p, sizeof w->s.p);
			sodium_memzero(w->s.secret, sizeof w->s.secret);
		}
		if (im->fatal) {
			im->res->line = w->line;
			memcpy(im->res->why, im->why, sizeof im->res->why);
			return false;
		}
		if (ok) {
			im->res->imported++;
		} else {
			char *f[MU_CSV_FIELDS_MAX];
			size_t at = w->text;
			for (int j = 0; j < w->nfields && j < MU_CSV_FIELDS_MAX; j++) {
				f[j] = b->text + at;
				at += strlen(f[j]) + 1;
			}
			im->res->rejected++;
			im->sink->reject(im->sink->ctx, w->line, f, w->nfields, im->why);
		}
	}
	sodium_memzero(b->text, b->len);
	return true;
}

/* Imports the people records of csv (past the header) in the open transaction. Returns
 * 0 when the file was read to its end (rows may have been refused, or im->fatal set),
 * or MU_EIO with errno set on a read error. */
static int load_people(struct load *im, struct mu_csv *csv)
{
	struct pipeline pl;
	pthread_t tid;
	int rc;

	memset(&pl, 0, sizeof pl);
	pl.ncols = im->ncols;
	pl.im = im;
	pl.csv = csv;
	pl.sealer = people_sealer_new(im->keys);
	places_csv_seen_init(&pl.ids, PEOPLE_HASH_BYTES);
	for (int i = 0; i < BATCHES; i++)
		pl.batches[i] = mu_xcalloc(1, sizeof *pl.batches[i]);
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.filled, NULL);
	pthread_cond_init(&pl.drained, NULL);

	if ((rc = pthread_create(&tid, NULL, producer, &pl)) != 0) {
		places_csv_why(im->res->why, "cannot start a thread: %s", strerror(rc));
		im->fatal = MU_EIO;
		rc = 0;
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
		if (im->sink->progress)
			im->sink->progress(im->sink->ctx, b->bytes);
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
	places_csv_seen_fini(&pl.ids);
	people_sealer_free(pl.sealer);
	return rc;
}

int people_csv_import(struct db *d, const struct people_keys *keys, struct mu_csv *csv, int ncols,
		      bool all_or_nothing, const struct places_csv_sink *sink,
		      struct places_csv_result *res)
{
	struct load im;
	int rc;

	memset(&im, 0, sizeof im);
	memset(res, 0, sizeof *res);
	im.d = d;
	im.keys = keys;
	im.ncols = ncols;
	im.sink = sink;
	im.res = res;
	places_csv_seen_init(&im.ids, PEOPLE_HASH_BYTES);
	im.loader = people_loader_new(d, keys);
	rc = load_people(&im, csv);
	int err = errno;
	if (rc == 0 && im.fatal)
		rc = im.fatal;
	if (rc == 0 && !(all_or_nothing && res->rejected) &&
	    (rc = people_loader_finish(im.loader)) != 0)
		places_csv_why(res->why, "cannot update the people counts: %s", db_errmsg(d));
	people_loader_free(im.loader);
	places_csv_seen_fini(&im.ids);
	errno = err;
	return rc;
}

/* ---- export -------------------------------------------------------------------------- */

struct export
{
	struct db *d;
	FILE *out;
	int64_t n;
	int64_t hh_id; /* the last household seen, and its code */
	char hh_code[PLACES_CODE_MAX + 1];
};

static int person_out(const struct people_person *p, void *ctx)
{
	struct export *ex = ctx;
	char birth[11];
	if (p->household_id != ex->hh_id) {
		struct places_node n;
		int rc = places_get(ex->d, p->household_id, &n);
		if (rc != 0)
			return rc;
		ex->hh_id = p->household_id;
		memcpy(ex->hh_code, n.code, sizeof ex->hh_code);
	}
	mu_date_format(p->birth, birth);
	const char *row[PEOPLE_CSV_NCOLS] = {people_id_type_name(p->id_type),
					     p->id_number,
					     p->name,
					     p->sex == PEOPLE_SEX_M ? "M" : "F",
					     birth,
					     p->phone,
					     ex->hh_code,
					     p->party ? "1" : "0"};
	ex->n++;
	return mu_csv_write_record(ex->out, row, PEOPLE_CSV_NCOLS);
}

int people_csv_export(struct db *d, const struct people_keys *keys, int64_t root, FILE *out,
		      int64_t *n)
{
	struct export ex = {.d = d, .out = out};
	int rc = root ? people_walk(d, keys, root, person_out, &ex) : 0;
	*n = ex.n;
	return rc;
}
