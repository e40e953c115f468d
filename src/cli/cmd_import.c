/* cmd_import.c: `muster import places|people FILE.csv` — checks every row, imports the
 * file in one transaction, all or nothing unless --skip-invalid sends bad rows aside. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static void set_why(struct import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(struct import *im, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(im->why, sizeof im->why, fmt, ap);
	va_end(ap);
}

/* Reports the row of r as bad for the reason in im->why: on stderr as FILE:LINE: reason,
 * or with --skip-invalid as a row of the rejects file (original fields plus reason). */
static void reject(struct import *im, const struct mu_csv_record *r)
{
	im->rejected++;
	if (!im->rejects) {
		fprintf(stderr, "%s:%llu: %s\n", im->file, (unsigned long long)r->line, im->why);
		return;
	}
	if (r->nfields > 0) {
		for (int i = 0; i < r->nfields; i++) {
			mu_csv_write_field(im->rejects, r->fields[i]);
			putc(',', im->rejects);
		}
	} else {
		for (int i = 0; i < im->ncols; i++)
			putc(',', im->rejects);
	}
	mu_csv_write_field(im->rejects, im->why);
	putc('\n', im->rejects);
}

/* The checks every kind shares: the reader's verdict, UTF-8, the column count, empty
 * required fields and lengths. False with im->why set when the row is bad. */
static bool row_shape_ok(struct import *im, const struct mu_csv_record *r)
{
	switch (r->err) {
	case MU_CSV_OK:
		break;
	case MU_CSV_ETOOLONG:
		set_why(im, "record longer than %d bytes", RECORD_MAX);
		return false;
	case MU_CSV_ETOOMANY:
		set_why(im, "wrong column count (more than %d, expected %d)", MU_CSV_FIELDS_MAX,
			im->ncols);
		return false;
	case MU_CSV_EQUOTE:
		set_why(im, "malformed quoting (a quoted field must end at a comma or line end, "
			    "and a quote inside it is written twice)");
		return false;
	default:
		set_why(im, "%s", mu_csv_err_msg(r->err));
		return false;
	}
	if (r->bad_utf8 >= 0) {
		if (r->bad_utf8 < im->ncols)
			set_why(im, "invalid UTF-8 in field %s (is the file GBK? save it as UTF-8)",
				im->cols[r->bad_utf8].name);
		else
			set_why(im,
				"invalid UTF-8 in column %d (is the file GBK? save it as UTF-8)",
				r->bad_utf8 + 1);
		return false;
	}
	if (r->nfields != im->ncols) {
		set_why(im, "wrong column count (%d, expected %d)", r->nfields, im->ncols);
		return false;
	}
	for (int i = 0; i < im->ncols; i++) {
		const struct column *c = &im->cols[i];
		if (c->required && r->lens[i] == 0) {
			set_why(im, "empty required field %s", c->name);
			return false;
		}
		size_t n = c->codepoints ? mu_utf8_len(r->fields[i], r->lens[i]) : r->lens[i];
		if (n > c->max) {
			bool ascii =
			    c->codepoints || mu_utf8_len(r->fields[i], r->lens[i]) == r->lens[i];
			set_why(im, "over-long field %s (%zu %s, at most %zu)", c->name, n,
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
	const char *why = NULL;
	int level, rc;
	unsigned char key[PLACES_CODE_MAX + 1];
	int64_t line, id = 0;

	if (places_level_parse(lvname, &level) != 0) {
		set_why(im, "unknown level %s", lvname);
		return false;
	}
	if (places_code_check(code, &why) != 0) {
		set_why(im, "code: %s", why);
		return false;
	}
	if (places_name_check(name, &why) != 0) {
		set_why(im, "name: %s", why);
		return false;
	}
	code_key(code, key);
	if (keymap_get(&im->codes, key, &line)) {
		set_why(im, "duplicate code %s (also on line %lld)", code, (long long)llabs(line));
		return false;
	}

	if (level == PLACES_CITY) {
		if (*pcode) {
			set_why(im, "level city cannot have a parent (parent_code must be empty)");
			return false;
		}
	} else {
		if (!*pcode) {
			set_why(im, "empty required field parent_code");
			return false;
		}
		if (!im->parent_valid || strcmp(im->parent.code, pcode) != 0) {
			im->parent_valid = false;
			rc = places_find(im->db, pcode, &im->parent);
			if (rc == MU_ENOTFOUND) {
				/* A parent refused earlier in this file says so. */
				code_key(pcode, key);
				if (keymap_get(&im->codes, key, &line) && line < 0)
					set_why(im, "parent code %s was rejected (line %lld)",
						pcode, (long long)-line);
				else
					set_why(im, "unknown parent code %s", pcode);
				return false;
			}
			if (rc != 0) {
				im->fatal = rc;
				set_why(im, "database error: %s", db_errmsg(im->db));
				return false;
			}
			im->parent_valid = true;
		}
		const struct places_node *p = &im->parent;
		if (p->level == PLACES_HOUSEHOLD) {
			set_why(im,
				"level %s cannot be under household %s (a household has nothing "
				"below it)",
				places_level_name(level), p->code);
			return false;
		}
		if (level != p->level + 1) {
			set_why(im, "level %s cannot be under %s %s (expected %s)",
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
			set_why(im, "code %s already in the database", code);
		else
			set_why(im, "%s", why ? why : "already in the database");
		return false;
	}
	if (rc == MU_EINVAL || rc == MU_ENOTFOUND) {
		set_why(im, "%s", why ? why : mu_err_msg(rc));
		return false;
	}
	if (rc != 0) {
		im->fatal = rc;
		set_why(im, "database error: %s", db_errmsg(im->db));
		return false;
	}
	return true;
}

/* ---- people --------------------------------------------------------------------------- */

/* Finds the household of code, remembering the last one: files list a household's people
 * together. 0 with *id, or -1 with the reason in im->why. */
static int household_of(struct import *im, const char *code, int64_t *id)
{
	if (strcmp(im->hh_code, code) != 0) {
		struct places_node n;
		int rc = places_find(im->db, code, &n);
		snprintf(im->hh_code, sizeof im->hh_code, "%s", code);
		im->hh_id = 0;
		if (rc == MU_ENOTFOUND) {
			snprintf(im->hh_why, sizeof im->hh_why, "unknown household code %s", code);
		} else if (rc != 0) {
			im->hh_code[0] = '\0';
			im->fatal = rc;
			set_why(im, "database error: %s", db_errmsg(im->db));
			return -1;
		} else if (n.level != PLACES_HOUSEHOLD) {
			snprintf(im->hh_why, sizeof im->hh_why,
				 "household_code %s is a %s, not a household", code,
				 places_level_name(n.level));
		} else {
			im->hh_id = n.id;
		}
	}
	if (!im->hh_id) {
		set_why(im, "%s", im->hh_why);
		return -1;
	}
	*id = im->hh_id;
	return 0;
}

static bool person_row(struct import *im, const struct mu_csv_record *r)
{
	char *const *f = r->fields;
	struct people_person p;
	const char *field = NULL;
	char why[256];
	unsigned char hash[PEOPLE_HASH_BYTES];
	int64_t line;
	int rc;

	memset(&p, 0, sizeof p);
	if (people_id_type_parse(f[0], &p.id_type) != 0) {
		set_why(im, "id_type: unknown ID type %s (resident_id, passport or other)", f[0]);
		return false;
	}
	if (!strcmp(f[3], "M")) {
		p.sex = PEOPLE_SEX_M;
	} else if (!strcmp(f[3], "F")) {
		p.sex = PEOPLE_SEX_F;
	} else {
		set_why(im, "sex: must be M or F, not %s", f[3]);
		return false;
	}
	if (mu_date_parse(f[4], &p.birth) != 0) {
		set_why(im, "birth_date: %s is not a date of the form YYYY-MM-DD", f[4]);
		return false;
	}
	/* The lengths were checked against the columns, which match these fields. */
	memcpy(p.id_number, f[1], r->lens[1] + 1);
	memcpy(p.name, f[2], r->lens[2] + 1);
	memcpy(p.phone, f[5], r->lens[5] + 1);
	if (people_validate(&p, &field, why, sizeof why) != 0) {
		set_why(im, "%s: %s", field ? field : "row", why);
		return false;
	}
	if (household_of(im, f[6], &p.household_id) != 0)
		return false;

	/* Seen in this file before? Kept before the insert so that a clash with the database
	 * is told apart from a clash within the file. */
	people_id_hash(&im->keys, p.id_type, p.id_number, hash);
	if (keymap_get(&im->ids, hash, &line)) {
		set_why(im, "duplicate id_number (also on line %lld)", (long long)line);
		return false;
	}
	keymap_put(&im->ids, hash, (int64_t)r->line);

	rc = people_loader_add(im->loader, &p, why, sizeof why);
	if (rc == MU_EEXIST) {
		set_why(im, "id_number already in the database");
		return false;
	}
	if (rc == MU_ENOTFOUND) {
		set_why(im, "unknown household code %s", f[6]);
		return false;
	}
	if (rc == MU_EINVAL) {
		set_why(im, "%s", why);
		return false;
	}
	if (rc != 0) {
		im->fatal = rc;
		set_why(im, "database error: %s", db_errmsg(im->db));
		return false;
	}
	return true;
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
	struct mu_csv_record r;
	struct stat st;
	char header[128];
	uint64_t line, rows = 0;
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
	while ((rc = mu_csv_next(csv, &r)) == 1) {
		bool ok =
		    row_shape_ok(im, &r) && (im->people ? person_row(im, &r) : place_row(im, &r));
		if (im->fatal) {
			fprintf(stderr, "%s:%llu: %s\n", im->file, (unsigned long long)r.line,
				im->why);
			break;
		}
		if (ok) {
			im->imported++;
		} else {
			reject(im, &r);
			if (!im->people && r.nfields == im->ncols && r.lens[0] <= PLACES_CODE_MAX) {
				/* Remember the rejected code so its children say why they fail. */
				unsigned char key[PLACES_CODE_MAX + 1];
				int64_t seen;
				code_key(r.fields[0], key);
				if (!keymap_get(&im->codes, key, &seen))
					keymap_put(&im->codes, key, -(int64_t)r.line);
			}
		}
		if (ok && !im->people) {
			unsigned char key[PLACES_CODE_MAX + 1];
			code_key(r.fields[0], key);
			keymap_put(&im->codes, key, (int64_t)r.line);
		}
		if ((++rows & 1023) == 0)
			mu_progress_set(&pg, mu_csv_bytes(csv));
	}
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
