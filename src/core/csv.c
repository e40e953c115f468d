/* csv.c: the streaming RFC 4180 reader (capped records, physical line numbers, per-record
 * UTF-8 flags) and the quoting writer that import and export share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CHUNK (64 * 1024)

/* S_SKIP drops the rest of a physical line (after malformed quoting); S_DROP drops the
 * rest of a record still read as CSV (after a cap was passed), in one of the D_ states, so
 * that a line break inside quotes never ends it: a quoted field too long to keep is
 * refused through to its closing quote, never resynchronised inside (issue 11 #18). */
enum state { S_START, S_UNQUOTED, S_QUOTED, S_QQ, S_QCR, S_SKIP, S_DROP };
enum drop { D_START, D_UNQUOTED, D_QUOTED, D_QQ };

struct mu_csv {
	FILE *f;
	unsigned char *in;
	size_t in_pos, in_len;
	bool eof, ioerr, started;
	uint64_t consumed; /* bytes taken from f, BOM included */
	uint64_t line;	   /* physical line of the next byte */

	/* The record: field contents each followed by a NUL, starts[i] its offset. */
	char *rec;
	size_t rec_len, content, rec_max;
	int fields_max;
	size_t *starts, *lens;
	char **fields;
};

/* Bytes that end a run of plain field text, outside and inside quotes. A CR is plain
 * text here: a CR right before the LF that ends an unquoted field is dropped later. */
static const unsigned char stop_unquoted[256] = {[0] = 1, [','] = 1, ['\n'] = 1, ['"'] = 1};
static const unsigned char stop_quoted[256] = {[0] = 1, ['\n'] = 1, ['"'] = 1};

struct mu_csv *mu_csv_new(FILE *f, size_t record_max, int fields_max)
{
	struct mu_csv *c = mu_xcalloc(1, sizeof *c);
	c->f = f;
	c->rec_max = record_max ? record_max : MU_CSV_RECORD_MAX;
	c->fields_max = fields_max > 0 ? fields_max : MU_CSV_FIELDS_MAX;
	c->in = mu_xmalloc(CHUNK);
	/* Room for every content byte plus one NUL per field. */
	c->rec = mu_xmalloc(c->rec_max + (size_t)c->fields_max + 1);
	c->starts = mu_xcalloc((size_t)c->fields_max, sizeof *c->starts);
	c->lens = mu_xcalloc((size_t)c->fields_max, sizeof *c->lens);
	c->fields = mu_xcalloc((size_t)c->fields_max, sizeof *c->fields);
	c->line = 1;
	return c;
}

void mu_csv_free(struct mu_csv *c)
{
	if (!c)
		return;
	free(c->in);
	free(c->rec);
	free(c->starts);
	free(c->lens);
	free(c->fields);
	free(c);
}

uint64_t mu_csv_bytes(const struct mu_csv *c)
{
	return c->consumed;
}

const char *mu_csv_err_msg(int err)
{
	switch (err) {
	case MU_CSV_OK:
		return "ok";
	case MU_CSV_ETOOLONG:
		return "record too long";
	case MU_CSV_ETOOMANY:
		return "too many fields";
	case MU_CSV_EQUOTE:
		return "malformed quoting";
	case MU_CSV_ENUL:
		return "NUL byte in a field";
	}
	return "unknown CSV error";
}

/* Refills the input buffer when it is used up. False at the end of input (or on a
 * read error, remembered in ioerr). */
static bool fill(struct mu_csv *c)
{
	if (c->in_pos < c->in_len)
		return true;
	if (c->eof)
		return false;
	c->in_pos = 0;
	c->in_len = fread(c->in, 1, CHUNK, c->f);
	if (c->in_len == 0) {
		c->eof = true;
		c->ioerr = ferror(c->f) != 0;
		return false;
	}
	if (!c->started) {
		c->started = true;
		/* fread fills the whole chunk unless the input is shorter, so a BOM at the
		 * very start is always in this first chunk. */
		if (c->in_len >= 3 && !memcmp(c->in, "\xEF\xBB\xBF", 3)) {
			c->in_pos = 3;
			c->consumed += 3;
			return c->in_pos < c->in_len || fill(c);
		}
	}
	return true;
}

/* Appends n bytes to the current field; false when the record cap would be passed. */
static bool append(struct mu_csv *c, const unsigned char *p, size_t n)
{
	if (n > c->rec_max - c->content)
		return false;
	memcpy(c->rec + c->rec_len, p, n);
	c->rec_len += n;
	c->content += n;
	return true;
}

static void end_field(struct mu_csv *c, int *nf, bool quoted)
{
	size_t start = c->starts[*nf];
	/* The CR of a CRLF line end closes an unquoted last field; it is not data. */
	if (!quoted && c->rec_len > start && c->rec[c->rec_len - 1] == '\r') {
		c->rec_len--;
		c->content--;
	}
	c->lens[*nf] = c->rec_len - start;
	c->rec[c->rec_len++] = '\0';
	(*nf)++;
}

/* Reads one physical record, empty lines included. 1, 0 at the end, or MU_EIO. */
static int read_record(struct mu_csv *c, struct mu_csv_record *r, bool *empty_line)
{
	enum state st = S_START;
	enum drop drop = D_START;
	int nf = 0, err = MU_CSV_OK;
	bool quoted = false, any = false, done = false;
	unsigned char hi = 0;

	c->rec_len = 0;
	c->content = 0;
	r->line = c->line;

	while (!done) {
		if (!fill(c))
			break;
		const unsigned char *in = c->in;
		size_t pos = c->in_pos, len = c->in_len;
		unsigned char ch = in[pos];
		switch (st) {
		case S_SKIP: {
			const unsigned char *nl = memchr(in + pos, '\n', len - pos);
			size_t end = nl ? (size_t)(nl - in) + 1 : len;
			c->consumed += end - pos;
			c->in_pos = end;
			if (nl) {
				c->line++;
				done = true;
			}
			continue;
		}
		case S_DROP: {
			size_t i = pos;
			for (; i < len && !done; i++) {
				unsigned char b = in[i];
				if (b == '\n')
					c->line++;
				switch (drop) {
				case D_START:
				case D_UNQUOTED:
					if (b == '\n')
						done = true;
					else if (b == ',')
						drop = D_START;
					else if (b == '"' && drop == D_START)
						drop = D_QUOTED;
					else
						drop = D_UNQUOTED;
					break;
				case D_QUOTED:
					if (b == '"')
						drop = D_QQ;
					break;
				case D_QQ: /* "" is a quote inside; anything else closed it */
					if (b == '"')
						drop = D_QUOTED;
					else if (b == '\n')
						done = true;
					else
						drop = b == ',' ? D_START : D_UNQUOTED;
					break;
				}
			}
			c->consumed += i - pos;
			c->in_pos = i;
			continue;
		}
		case S_START:
			any = true;
			if (nf == c->fields_max) {
				err = MU_CSV_ETOOMANY;
				st = S_DROP;
				drop = D_START;
				continue;
			}
			c->starts[nf] = c->rec_len;
			quoted = ch == '"';
			if (quoted) {
				st = S_QUOTED;
				pos++;
			} else {
				st = S_UNQUOTED;
			}
			break;
		case S_UNQUOTED:
		case S_QUOTED: {
			const unsigned char *stop = st == S_QUOTED ? stop_quoted : stop_unquoted;
			size_t i = pos;
			while (i < len && !stop[in[i]])
				hi |= in[i++];
			if (!append(c, in + pos, i - pos)) {
				err = MU_CSV_ETOOLONG;
				drop = st == S_QUOTED ? D_QUOTED : D_UNQUOTED;
				st = S_DROP;
				c->consumed += i - pos;
				c->in_pos = i;
				continue;
			}
			pos = i;
			if (pos == len)
				break;
			ch = in[pos++];
			if (ch == '\0') {
				err = MU_CSV_ENUL;
			} else if (ch == '"') {
				if (st == S_QUOTED)
					st = S_QQ;
				else if (!append(c, &ch,
						 1)) /* a stray quote in plain text is data */
					err = MU_CSV_ETOOLONG, st = S_DROP, drop = D_UNQUOTED;
			} else if (ch == '\n') {
				c->line++;
				if (st == S_QUOTED) {
					/* Out of room at a line break: still inside the quotes. */
					if (!append(c, &ch, 1))
						err = MU_CSV_ETOOLONG, st = S_DROP, drop = D_QUOTED;
				} else {
					end_field(c, &nf, false);
					done = true;
				}
			} else { /* ',' outside quotes */
				end_field(c, &nf, false);
				st = S_START;
			}
			break;
		}
		case S_QQ:
			pos++;
			if (ch == '"') {
				if (!append(c, &ch, 1))
					err = MU_CSV_ETOOLONG, st = S_DROP, drop = D_QUOTED;
				else
					st = S_QUOTED;
			} else if (ch == ',') {
				end_field(c, &nf, true);
				st = S_START;
			} else if (ch == '\n') {
				c->line++;
				end_field(c, &nf, true);
				done = true;
			} else if (ch == '\r') {
				st = S_QCR;
			} else {
				err = MU_CSV_EQUOTE;
				st = S_SKIP;
				pos--; /* let S_SKIP see it: it may be the LF */
			}
			break;
		case S_QCR:
			if (ch == '\n') {
				pos++;
				c->line++;
				end_field(c, &nf, true);
				done = true;
			} else {
				err = MU_CSV_EQUOTE;
				st = S_SKIP;
			}
			break;
		}
		c->consumed += pos - c->in_pos;
		c->in_pos = pos;
	}

	if (!done) { /* the end of the input */
		if (c->ioerr)
			return MU_EIO;
		if (!any && st == S_START && nf == 0)
			return 0;
		switch (st) {
		case S_START: /* after a comma: an empty last field */
			if (nf == c->fields_max) {
				err = MU_CSV_ETOOMANY;
				break;
			}
			c->starts[nf] = c->rec_len;
			end_field(c, &nf, false);
			break;
		case S_UNQUOTED:
			end_field(c, &nf, false);
			break;
		case S_QQ:
		case S_QCR:
			end_field(c, &nf, true);
			break;
		case S_QUOTED:
			err = MU_CSV_EQUOTE;
			break;
		case S_SKIP:
		case S_DROP:
			break;
		}
	}

	*empty_line = err == MU_CSV_OK && nf == 1 && c->lens[0] == 0 && !quoted;
	r->err = err;
	r->bad_utf8 = -1;
	r->nfields = err == MU_CSV_OK || err == MU_CSV_ENUL ? nf : 0;
	r->fields = c->fields;
	r->lens = c->lens;
	for (int i = 0; i < r->nfields; i++) {
		/* A cell the writer defused ('=…) reads back as it was. */
		if (c->lens[i] >= 2 && c->rec[c->starts[i]] == '\'' &&
		    mu_csv_formula_leading(c->rec + c->starts[i] + 1, c->lens[i] - 1)) {
			c->starts[i]++;
			c->lens[i]--;
		}
		c->fields[i] = c->rec + c->starts[i];
	}
	if (err != MU_CSV_OK && err != MU_CSV_ENUL)
		r->nfields = 0;
	if (hi & 0x80)
		for (int i = 0; i < r->nfields; i++)
			if (!mu_utf8_valid(c->fields[i], c->lens[i])) {
				r->bad_utf8 = i;
				break;
			}
	return 1;
}

int mu_csv_next(struct mu_csv *c, struct mu_csv_record *r)
{
	for (;;) {
		bool empty_line;
		int rc = read_record(c, r, &empty_line);
		if (rc != 1 || !empty_line)
			return rc;
	}
}

bool mu_csv_formula_leading(const char *s, size_t n)
{
	return n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
			 s[0] == '\r');
}

bool mu_csv_needs_quotes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return true;
	return false;
}

int mu_csv_write_field(FILE *f, const char *s)
{
	size_t n = strlen(s);
	bool defuse = mu_csv_formula_leading(s, n);
	if (!mu_csv_needs_quotes(s, n)) {
		if (defuse)
			putc('\'', f);
		return fwrite(s, 1, n, f) == n ? 0 : MU_EIO;
	}
	putc('"', f);
	if (defuse)
		putc('\'', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', f);
		putc(s[i], f);
	}
	return putc('"', f) == EOF ? MU_EIO : 0;
}

int mu_csv_write_record(FILE *f, const char *const *fields, int n)
{
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			putc(',', f);
		rc = mu_csv_write_field(f, fields[i]);
	}
	if (putc('\n', f) == EOF)
		rc = MU_EIO;
	return rc;
}
