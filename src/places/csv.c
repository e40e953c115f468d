/* csv.c: places as CSV (docs/csv.md) — the import of code,parent_code,level,name rows
 * with every row checked, the export that imports again, and what people's import
 * shares with it: the row checks, the map of keys seen, the sink of refused rows. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "places.h"

const struct places_csv_column places_csv_columns[PLACES_CSV_NCOLS] = {
    {"code", true, PLACES_CODE_MAX, false},
    {"parent_code", false, PLACES_CODE_MAX, false},
    {"level", true, 32, false},
    {"name", true, PLACES_NAME_MAX, true},
};

void places_csv_why(char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, PLACES_CSV_WHY_MAX, fmt, ap);
	va_end(ap);
}

/* ---- a hash map from a fixed-size key to an int64 ------------------------------------ */

void places_csv_seen_init(struct places_csv_seen *m, size_t key_len)
{
	m->key_len = key_len;
	m->entry = 1 + key_len + sizeof(int64_t);
	m->cap = 1024;
	m->n = 0;
	m->slots = mu_xcalloc(m->cap, m->entry);
}

void places_csv_seen_fini(struct places_csv_seen *m)
{
	free(m->slots);
	m->slots = NULL;
}

static uint64_t key_hash(const unsigned char *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* The slot holding key, or the free slot where it would go. */
static unsigned char *seen_slot(const struct places_csv_seen *m, const unsigned char *key)
{
	size_t i = (size_t)key_hash(key, m->key_len) & (m->cap - 1);
	for (;;) {
		unsigned char *e = m->slots + i * m->entry;
		if (!e[0] || !memcmp(e + 1, key, m->key_len))
			return e;
		i = (i + 1) & (m->cap - 1);
	}
}

bool places_csv_seen_get(const struct places_csv_seen *m, const unsigned char *key, int64_t *val)
{
	const unsigned char *e = seen_slot(m, key);
	if (!e[0])
		return false;
	memcpy(val, e + 1 + m->key_len, sizeof *val);
	return true;
}

void places_csv_seen_put(struct places_csv_seen *m, const unsigned char *key, int64_t val)
{
	if (2 * (m->n + 1) > m->cap) {
		struct places_csv_seen old = *m;
		m->cap *= 2;
		m->n = 0;
		m->slots = mu_xcalloc(m->cap, m->entry);
		for (size_t i = 0; i < old.cap; i++) {
			unsigned char *e = old.slots + i * old.entry;
			if (e[0]) {
				int64_t v;
				memcpy(&v, e + 1 + old.key_len, sizeof v);
				places_csv_seen_put(m, e + 1, v);
			}
		}
		free(old.slots);
	}
	unsigned char *e = seen_slot(m, key);
	if (!e[0]) {
		e[0] = 1;
		memcpy(e + 1, key, m->key_len);
		m->n++;
	}
	memcpy(e + 1 + m->key_len, &val, sizeof val);
}

/* ---- rows ---------------------------------------------------------------------------- */

bool places_csv_row_ok(const struct places_csv_column *cols, int ncols,
		       const struct mu_csv_record *r, char why[PLACES_CSV_WHY_MAX])
{
	switch (r->err) {
	case MU_CSV_OK:
		break;
	case MU_CSV_ETOOLONG:
		places_csv_why(why, "record longer than %d bytes", PLACES_CSV_RECORD_MAX);
		return false;
	case MU_CSV_ETOOMANY:
		places_csv_why(why, "wrong column count (more than %d, expected %d)",
			       MU_CSV_FIELDS_MAX, ncols);
		return false;
	case MU_CSV_EQUOTE:
		places_csv_why(why,
			       "malformed quoting (a quoted field must end at a comma or line end, "
			       "and a quote inside it is written twice)");
		return false;
	default:
		places_csv_why(why, "%s", mu_csv_err_msg(r->err));
		return false;
	}
	if (r->bad_utf8 >= 0) {
		if (r->bad_utf8 < ncols)
			places_csv_why(
			    why, "invalid UTF-8 in field %s (is the file GBK? save it as UTF-8)",
			    cols[r->bad_utf8].name);
		else
			places_csv_why(
			    why, "invalid UTF-8 in column %d (is the file GBK? save it as UTF-8)",
			    r->bad_utf8 + 1);
		return false;
	}
	if (r->nfields != ncols) {
		places_csv_why(why, "wrong column count (%d, expected %d)", r->nfields, ncols);
		return false;
	}
	for (int i = 0; i < ncols; i++) {
		const struct places_csv_column *c = &cols[i];
		if (c->required && r->lens[i] == 0) {
			places_csv_why(why, "empty required field %s", c->name);
			return false;
		}
		size_t n = c->codepoints ? mu_utf8_len(r->fields[i], r->lens[i]) : r->lens[i];
		if (n > c->max) {
			bool ascii =
			    c->codepoints || mu_utf8_len(r->fields[i], r->lens[i]) == r->lens[i];
			places_csv_why(why, "over-long field %s (%zu %s, at most %zu)", c->name, n,
				       ascii ? "characters" : "bytes", c->max);
			return false;
		}
	}
	return true;
}

bool places_csv_header_cols(struct mu_csv *csv, const struct places_csv_column *cols, int min,
			    int ncols, uint64_t *line, int *got)
{
	struct mu_csv_record r;
	int rc = mu_csv_next(csv, &r);
	*line = rc == 1 ? r.line : 1;
	if (rc != 1 || r.err || r.nfields < min || r.nfields > ncols)
		return false;
	for (int i = 0; i < r.nfields; i++)
		if (strcmp(r.fields[i], cols[i].name) != 0)
			return false;
	*got = r.nfields;
	return true;
}

bool places_csv_header_ok(struct mu_csv *csv, const struct places_csv_column *cols, int ncols,
			  uint64_t *line)
{
	int got;
	return places_csv_header_cols(csv, cols, ncols, ncols, line, &got);
}

/* ---- places -------------------------------------------------------------------------- */

struct load {
	struct db *d;
	int fatal; /* a database error: the import stops */
	char why[PLACES_CSV_WHY_MAX];
	/* code (zero-padded) → line, negative for a refused row. */
	struct places_csv_seen codes;
	struct places_node parent; /* the last parent looked up, for grouped files */
	bool parent_valid;
};

static void code_key(const char *code, unsigned char key[PLACES_CODE_MAX + 1])
{
	memset(key, 0, PLACES_CODE_MAX + 1);
	memcpy(key, code, strnlen(code, PLACES_CODE_MAX));
}

/* Checks one places row and adds it. Returns false with im->why set when it is bad. */
static bool place_row(struct load *im, const struct mu_csv_record *r)
{
	const char *code = r->fields[0], *pcode = r->fields[1], *lvname = r->fields[2],
		   *name = r->fields[3];
	struct mu_why why = {0};
	int level, rc;
	unsigned char key[PLACES_CODE_MAX + 1];
	int64_t line, id = 0;

	if (places_level_parse(lvname, &level) != 0) {
		places_csv_why(im->why, "unknown level %s", lvname);
		return false;
	}
	if (places_code_check(code, &why) != 0) {
		places_csv_why(im->why, "code: %s", why.text);
		return false;
	}
	if (places_name_check(name, &why) != 0) {
		places_csv_why(im->why, "name: %s", why.text);
		return false;
	}
	code_key(code, key);
	if (places_csv_seen_get(&im->codes, key, &line)) {
		places_csv_why(im->why, "duplicate code %s (also on line %lld)", code,
			       (long long)llabs(line));
		return false;
	}

	if (level == PLACES_CITY) {
		if (*pcode) {
			places_csv_why(
			    im->why, "level city cannot have a parent (parent_code must be empty)");
			return false;
		}
	} else {
		if (!*pcode) {
			places_csv_why(im->why, "empty required field parent_code");
			return false;
		}
		if (!im->parent_valid || strcmp(im->parent.code, pcode) != 0) {
			im->parent_valid = false;
			rc = places_find(im->d, pcode, &im->parent);
			if (rc == MU_ENOTFOUND) {
				/* A parent refused earlier in this file says so. */
				code_key(pcode, key);
				if (places_csv_seen_get(&im->codes, key, &line) && line < 0)
					places_csv_why(im->why,
						       "parent code %s was rejected (line %lld)",
						       pcode, (long long)-line);
				else
					places_csv_why(im->why, "unknown parent code %s", pcode);
				return false;
			}
			if (rc != 0) {
				im->fatal = rc;
				places_csv_why(im->why, "database error: %s", db_errmsg(im->d));
				return false;
			}
			im->parent_valid = true;
		}
		const struct places_node *p = &im->parent;
		if (p->level == PLACES_HOUSEHOLD) {
			places_csv_why(
			    im->why,
			    "level %s cannot be under household %s (a household has nothing "
			    "below it)",
			    places_level_name(level), p->code);
			return false;
		}
		if (level != p->level + 1) {
			places_csv_why(im->why, "level %s cannot be under %s %s (expected %s)",
				       places_level_name(level), places_level_name(p->level),
				       p->code, places_level_name(p->level + 1));
			return false;
		}
	}

	rc = places_add(im->d, level == PLACES_CITY ? 0 : im->parent.id, level, code, name, &id,
			&why);
	if (rc == MU_EEXIST) {
		struct places_node old;
		if (places_find(im->d, code, &old) == 0)
			places_csv_why(im->why, "code %s already in the database", code);
		else
			places_csv_why(im->why, "%s",
				       why.text[0] ? why.text : "already in the database");
		return false;
	}
	if (rc == MU_EINVAL || rc == MU_ENOTFOUND) {
		places_csv_why(im->why, "%s", why.text[0] ? why.text : mu_err_msg(rc));
		return false;
	}
	if (rc != 0) {
		im->fatal = rc;
		places_csv_why(im->why, "database error: %s", db_errmsg(im->d));
		return false;
	}
	return true;
}

int places_csv_import(struct db *d, struct mu_csv *csv, const struct places_csv_sink *sink,
		      struct places_csv_result *res)
{
	struct load im;
	struct mu_csv_record r;
	uint64_t rows = 0;
	int rc;

	memset(&im, 0, sizeof im);
	memset(res, 0, sizeof *res);
	im.d = d;
	places_csv_seen_init(&im.codes, PLACES_CODE_MAX + 1);
	while ((rc = mu_csv_next(csv, &r)) == 1) {
		bool ok = places_csv_row_ok(places_csv_columns, PLACES_CSV_NCOLS, &r, im.why) &&
			  place_row(&im, &r);
		if (im.fatal) {
			res->line = r.line;
			memcpy(res->why, im.why, sizeof res->why);
			break;
		}
		if (ok) {
			res->imported++;
		} else {
			res->rejected++;
			sink->reject(sink->ctx, r.line, r.fields, r.nfields, im.why);
			if (r.nfields == PLACES_CSV_NCOLS && r.lens[0] <= PLACES_CODE_MAX) {
				/* Remember the refused code so its children say why they fail. */
				unsigned char key[PLACES_CODE_MAX + 1];
				int64_t seen;
				code_key(r.fields[0], key);
				if (!places_csv_seen_get(&im.codes, key, &seen))
					places_csv_seen_put(&im.codes, key, -(int64_t)r.line);
			}
		}
		if (ok) {
			unsigned char key[PLACES_CODE_MAX + 1];
			code_key(r.fields[0], key);
			places_csv_seen_put(&im.codes, key, (int64_t)r.line);
		}
		if ((++rows & 1023) == 0 && sink->progress)
			sink->progress(sink->ctx, mu_csv_bytes(csv));
	}
	places_csv_seen_fini(&im.codes);
	if (im.fatal)
		return im.fatal;
	return rc < 0 ? rc : 0;
}

/* ---- export -------------------------------------------------------------------------- */

struct export
{
	struct db *d;
	FILE *out;
	int64_t n;
	/* the id → code of the last parent seen (parents come before children, siblings
	 * together) */
	int64_t cached_id;
	char cached_code[PLACES_CODE_MAX + 1];
};

static int place_out(const struct places_node *n, void *ctx)
{
	struct export *ex = ctx;
	const char *pcode = "";
	if (n->parent_id && n->parent_id != ex->cached_id) {
		struct places_node p;
		int rc = places_get(ex->d, n->parent_id, &p);
		if (rc != 0)
			return rc;
		ex->cached_id = n->parent_id;
		memcpy(ex->cached_code, p.code, sizeof ex->cached_code);
	}
	if (n->parent_id)
		pcode = ex->cached_code;
	const char *row[4] = {n->code, pcode, places_level_name(n->level), n->name};
	ex->n++;
	return mu_csv_write_record(ex->out, row, 4);
}

int places_csv_export(struct db *d, int64_t root, FILE *out, int64_t *n)
{
	struct export ex = {.d = d, .out = out};
	int rc = root ? places_walk(d, root, place_out, &ex) : 0;
	*n = ex.n;
	return rc;
}

/* ---- lookups for commands and for people's import -------------------------------------- */

/* The city is the one node at level 0. */
static const char sql_root[] = "SELECT id FROM places WHERE level = 0 LIMIT 1";

int places_scope_find(struct db *d, const char *code, struct places_node *out)
{
	int64_t root = 0;
	int rc;
	memset(out, 0, sizeof *out);
	if (code)
		return places_find(d, code, out);
	if ((rc = db_query_i64(d, sql_root, &root)) != 0 || !root)
		return rc;
	return places_get(d, root, out);
}

static const char sql_place_level[] = "SELECT id, level FROM places WHERE code = ?";

int places_level_of(struct db *d, const char *code, int64_t *id, int *level)
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
