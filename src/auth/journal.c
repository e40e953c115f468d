/* journal.c: the audit journal — the entries of person reads, appended to a file beside the
 * database (`<db>-audit.journal`, 0600) before the read is answered, so that a kill -9
 * loses none of them; moved into audit by the writer, and replayed into audit at start.
 * Two files take turns: the writer seals the one being written when it takes the queued
 * entries and empties it once they are committed, while reads go on into the other. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "auth_int.h"
#include "core/core.h"
#include "db/db.h"

/* A record: "MAJ1", the body's length (4 bytes), the body, and SipHash-2-4 of the body
 * under a zero key (8 bytes; a checksum against torn writes, not a MAC: the audit chain
 * is made when the entry is moved into audit). The body: seq, at_ms, actor kind, actor
 * id, status (8 bytes each), then actor, action, record and addr, each as a 2-byte
 * length, its bytes and a NUL. Integers are big-endian. */
static const unsigned char magic[4] = {'M', 'A', 'J', '1'};
#define HEAD  8
#define TAIL  8
#define FIXED 40
#define TEXT  512 /* bytes kept of each text, as audit keeps */

static void put_u(struct mu_buf *b, uint64_t v, int bytes)
{
	unsigned char x[8];
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		x[i] = (unsigned char)(v & 0xff);
	mu_buf_append(b, x, (size_t)bytes);
}

static uint64_t get_u(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_text(struct mu_buf *b, const char *s)
{
	size_t n = s ? strnlen(s, TEXT) : 0;
	put_u(b, n, 2);
	mu_buf_append(b, s ? s : "", n);
	mu_buf_append(b, "", 1);
}

static void checksum(const unsigned char *body, size_t n, unsigned char out[TAIL])
{
	static const unsigned char zero[crypto_shorthash_KEYBYTES];
	crypto_shorthash(out, body, n, zero);
}

void auth__journal_encode(struct mu_buf *out, int64_t seq, int64_t at_ms,
			  const struct auth__entry *e)
{
	size_t start = out->len;
	mu_buf_append(out, magic, sizeof magic);
	put_u(out, 0, 4); /* the length, set below */
	size_t body = out->len;
	put_u(out, (uint64_t)seq, 8);
	put_u(out, (uint64_t)at_ms, 8);
	put_u(out, (uint64_t)(e->who ? e->who->kind : 0), 8);
	put_u(out, (uint64_t)(e->who ? e->who->id : 0), 8);
	put_u(out, (uint64_t)(int64_t)e->status, 8);
	put_text(out, e->who ? e->who->name : "");
	put_text(out, e->action);
	put_text(out, e->record);
	put_text(out, e->addr);
	size_t n = out->len - body;
	unsigned char *len = (unsigned char *)out->data + start + 4;
	for (int i = 3; i >= 0; i--)
		len[3 - i] = (unsigned char)(n >> (8 * i));
	unsigned char sum[TAIL];
	checksum((const unsigned char *)out->data + body, n, sum);
	mu_buf_append(out, sum, sizeof sum);
}

/* Reads one text of the body at *at (below end): false when it does not fit. */
static bool get_text(const unsigned char *p, size_t end, size_t *at, const char **s)
{
	if (*at + 2 > end)
		return false;
	size_t n = (size_t)get_u(p + *at, 2);
	if (n > TEXT || *at + 2 + n + 1 > end || p[*at + 2 + n] != '\0')
		return false;
	*s = (const char *)p + *at + 2;
	*at += 2 + n + 1;
	return true;
}

/* The record at p[0..n): its size, or 0 when there is no whole, intact record there. */
static size_t record_at(const unsigned char *p, size_t n, struct auth__jrec *r)
{
	if (n < HEAD + FIXED + TAIL || memcmp(p, magic, sizeof magic) != 0)
		return 0;
	size_t len = (size_t)get_u(p + 4, 4);
	if (len < FIXED || len > AUTH__JREC_MAX || HEAD + len + TAIL > n)
		return 0;
	unsigned char sum[TAIL];
	checksum(p + HEAD, len, sum);
	if (sodium_memcmp(sum, p + HEAD + len, TAIL) != 0)
		return 0;
	const unsigned char *b = p + HEAD;
	memset(r, 0, sizeof *r);
	r->seq = (int64_t)get_u(b, 8);
	r->at_ms = (int64_t)get_u(b + 8, 8);
	r->who.kind = (int)(int64_t)get_u(b + 16, 8);
	r->who.id = (int64_t)get_u(b + 24, 8);
	r->status = (int)(int64_t)get_u(b + 32, 8);
	size_t at = FIXED;
	const char *actor;
	if (!get_text(b, len, &at, &actor) || !get_text(b, len, &at, &r->action) ||
	    !get_text(b, len, &at, &r->record) || !get_text(b, len, &at, &r->addr) || at != len)
		return 0;
	snprintf(r->who.name, sizeof r->who.name, "%s", actor);
	return HEAD + len + TAIL;
}

int auth__journal_decode(const unsigned char *buf, size_t n,
			 int (*fn)(const struct auth__jrec *rec, void *ctx), void *ctx,
			 uint64_t *bad)
{
	size_t off = 0;
	bool in_bad = false;
	*bad = 0;
	while (off < n) {
		struct auth__jrec r;
		size_t size = record_at(buf + off, n - off, &r);
		if (!size) {
			/* A torn tail or a damaged record: one loss, then look for the next
			 * record that is whole. */
			if (!in_bad)
				(*bad)++;
			in_bad = true;
			off++;
			continue;
		}
		in_bad = false;
		int rc = fn(&r, ctx);
		if (rc != 0)
			return rc;
		off += size;
	}
	return 0;
}

/* ---- the files ---------------------------------------------------------------------------- */

static struct {
	bool open;
	char path[2][4096];
	int fd[2];
	off_t size[2];
	int64_t max_seq[2]; /* the highest seq in each file; 0 when it holds none */
	int active;
	bool sealed; /* file !active holds entries that audit may not hold yet */
	int64_t next_seq;
} J = {.fd = {-1, -1}};

/* The last journal write's failure (0: it worked), for /healthz, read without the lock. */
static atomic_int last_failure;

static void paths(const char *db_path, char out[2][4096])
{
	const char *env = getenv("MUSTER_AUDIT_JOURNAL");
	char base[4090];
	if (env && *env)
		snprintf(base, sizeof base, "%s", env);
	else
		snprintf(base, sizeof base, "%s-audit.journal", db_path);
	snprintf(out[0], sizeof out[0], "%s", base);
	snprintf(out[1], sizeof out[1], "%s.1", base);
}

static int open_file(const char *path, int *fd)
{
	*fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0) {
		mu_error("audit journal: cannot open %s: %s", path, strerror(errno));
		return MU_EIO;
	}
	struct stat st;
	/* Made by an older umask or by hand: what it holds is as personal as the log. */
	if (fstat(*fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) != 0600)
		(void)fchmod(*fd, 0600);
	return 0;
}

/* Empties a journal file (only a regular one: /dev/full, say, stays as it is). */
static void empty(const char *path, int fd)
{
	struct stat st;
	int rc = fd >= 0 ? fstat(fd, &st) : stat(path, &st);
	if (rc != 0 || !S_ISREG(st.st_mode))
		return;
	if ((fd >= 0 ? ftruncate(fd, 0) : truncate(path, 0)) != 0)
		mu_warn("audit journal: cannot empty %s: %s", path, strerror(errno));
}

static const char sql_mark_get[] = "SELECT seq FROM audit_journal WHERE id = 1";
static const char sql_mark_set[] = "INSERT INTO audit_journal(id, seq) VALUES (1, ?) "
				   "ON CONFLICT(id) DO UPDATE SET seq = max(seq, excluded.seq)";

int auth__journal_mark(struct db *d, int64_t *seq)
{
	return db_query_i64(d, sql_mark_get, seq);
}

int auth__journal_mark_set(struct db *d, int64_t seq)
{
	struct db_stmt *s = NULL;
	int rc = db_prepare(d, sql_mark_set, &s);
	if (rc != 0)
		return rc;
	db_bind_i64(s, 1, seq);
	rc = db_step(s) == DB_DONE ? 0 : MU_EDB;
	db_stmt_done(s);
	return rc;
}

/* ---- replay ------------------------------------------------------------------------------- */

struct replay {
	struct auth__jrec *recs;
	size_t n, cap;
	unsigned char *bufs[2];
	uint64_t bad;
};

static int collect(const struct auth__jrec *rec, void *ctx)
{
	struct replay *rp = ctx;
	if (rp->n == rp->cap) {
		rp->cap = rp->cap ? rp->cap * 2 : 64;
		rp->recs = mu_xrealloc(rp->recs, rp->cap * sizeof *rp->recs);
	}
	rp->recs[rp->n++] = *rec;
	return 0;
}

static int by_seq(const void *a, const void *b)
{
	const struct auth__jrec *x = a, *y = b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Reads a regular file whole into *out (NULL and 0 when it is missing, empty or not a
 * regular file). */
static int slurp(const char *path, unsigned char **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : MU_EIO;
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) != 0) {
		rc = MU_EIO;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		goto out;
	*out = mu_xmalloc((size_t)st.st_size);
	while (*n < (size_t)st.st_size) {
		ssize_t got = read(fd, *out + *n, (size_t)st.st_size - *n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		*n += (size_t)got;
	}
out:
	close(fd);
	return rc;
}

static void replay_free(struct replay *rp)
{
	free(rp->recs);
	free(rp->bufs[0]);
	free(rp->bufs[1]);
	memset(rp, 0, sizeof *rp);
}

/* Appends the entries of both journal files that audit does not hold yet (seq above the
 * mark), oldest first, and moves the mark; on d, inside the caller's transaction. */
static int replay_into(struct db *d, char p[2][4096], struct auth__journal_replay *out)
{
	struct replay rp = {0};
	int64_t mark = 0;
	int rc;
	memset(out, 0, sizeof *out);
	for (int i = 0; i < 2; i++) {
		size_t n;
		if ((rc = slurp(p[i], &rp.bufs[i], &n)) != 0) {
			mu_error("audit journal: cannot read %s", p[i]);
			goto out;
		}
		uint64_t bad = 0;
		if (rp.bufs[i])
			auth__journal_decode(rp.bufs[i], n, collect, &rp, &bad);
		out->bad += bad;
	}
	if ((rc = auth__journal_mark(d, &mark)) != 0)
		goto out;
	out->mark = mark;
	if (rp.n == 0)
		goto out;
	qsort(rp.recs, rp.n, sizeof *rp.recs, by_seq);
	struct auth__entry *es = mu_xcalloc(rp.n, sizeof *es);
	size_t k = 0;
	int64_t top = mark;
	for (size_t i = 0; i < rp.n; i++) {
		const struct auth__jrec *r = &rp.recs[i];
		/* At or below the mark: moved before the crash, only not yet emptied out. */
		if (r->seq <= top)
			continue;
		top = r->seq;
		es[k++] = (struct auth__entry){r->who.kind ? &r->who : NULL,
					       r->action,
					       r->record,
					       r->addr,
					       r->status,
					       r->at_ms};
	}
	rc = k ? auth__audit_append_many(d, es, k) : 0;
	if (rc == 0 && top > mark)
		rc = auth__journal_mark_set(d, top);
	free(es);
	if (rc == 0) {
		out->moved = k;
		out->mark = top;
	}
out:
	replay_free(&rp);
	return rc;
}

int auth_audit_journal_replay(struct db *d, uint64_t *moved, uint64_t *bad)
{
	char p[2][4096];
	struct auth__journal_replay r = {0};
	struct stat st;
	*moved = *bad = 0;
	paths(db_path(d), p);
	if (stat(p[0], &st) != 0 && stat(p[1], &st) != 0)
		return 0;
	int rc = db_tx_begin(d);
	if (rc != 0)
		return rc;
	if ((rc = replay_into(d, p, &r)) == 0)
		rc = db_tx_commit(d);
	else
		db_tx_rollback(d);
	if (rc != 0)
		return rc;
	/* Committed: what the files held is in audit now (or was lost in them, counted). */
	empty(p[0], -1);
	empty(p[1], -1);
	*moved = r.moved;
	*bad = r.bad;
	return 0;
}

struct replay_job {
	char (*p)[4096];
	struct auth__journal_replay r;
};

static int replay_job(struct db *d, void *arg)
{
	struct replay_job *j = arg;
	return replay_into(d, j->p, &j->r);
}

int auth__journal_open(const char *db_path, struct db_writer *w, struct auth__journal_replay *r)
{
	auth__journal_close();
	paths(db_path, J.path);
	struct replay_job job = {.p = J.path};
	int rc = db_writer_submit(w, replay_job, &job);
	*r = job.r;
	if (rc != 0) {
		mu_error("audit journal: cannot replay %s into audit: %s", J.path[0],
			 mu_err_msg(rc));
		return rc;
	}
	empty(J.path[0], -1);
	empty(J.path[1], -1);
	J.next_seq = job.r.mark + 1;
	J.active = 0;
	J.open = true;
	/* A journal that cannot be opened leaves the server up, writes and all, but every
	 * read of people is refused (auth__journal_write). The second file is opened at
	 * the first turn. */
	atomic_store(&last_failure, open_file(J.path[0], &J.fd[0]));
	return 0;
}

int auth_audit_journal_health(void)
{
	return atomic_load(&last_failure);
}

void auth__journal_close(void)
{
	for (int i = 0; i < 2; i++) {
		if (J.fd[i] >= 0)
			close(J.fd[i]);
		J.fd[i] = -1;
		J.size[i] = 0;
		J.max_seq[i] = 0;
	}
	J.open = false;
	J.sealed = false;
}

bool auth__journal_on(void)
{
	return J.open;
}

int64_t auth__journal_next(void)
{
	return J.next_seq;
}

int auth__journal_write(const void *buf, size_t n, size_t nseq)
{
	int fd = J.fd[J.active];
	if (!J.open)
		return MU_ESTOPPED;
	if (fd < 0) {
		atomic_store(&last_failure, MU_EIO);
		return MU_EIO;
	}
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, (const char *)buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int err = w < 0 ? errno : ENOSPC;
			/* Take back a part written: the next record must not follow a torn one
			 * (the replay would skip to it, but counts a loss). */
			if (done && ftruncate(fd, J.size[J.active]) != 0)
				mu_warn("audit journal: cannot cut a torn record: %s",
					strerror(errno));
			int rc = err == ENOSPC || err == EDQUOT || err == EFBIG ? MU_EFULL : MU_EIO;
			atomic_store(&last_failure, rc);
			return rc;
		}
		done += (size_t)w;
	}
	atomic_store(&last_failure, 0);
	J.size[J.active] += (off_t)n;
	J.next_seq += (int64_t)nseq;
	J.max_seq[J.active] = J.next_seq - 1;
	return 0;
}

void auth__journal_seal(void)
{
	if (!J.open || J.sealed || J.max_seq[J.active] == 0)
		return;
	int other = !J.active;
	if (J.fd[other] < 0 && open_file(J.path[other], &J.fd[other]) != 0)
		return; /* both stay in one file until the other can be opened */
	J.sealed = true;
	J.active = other;
}

void auth__journal_release(int64_t committed)
{
	int sealed = !J.active;
	if (!J.open || !J.sealed || committed < J.max_seq[sealed])
		return;
	empty(J.path[sealed], J.fd[sealed]);
	J.size[sealed] = 0;
	J.max_seq[sealed] = 0;
	J.sealed = false;
}

void auth__journal_sync(void)
{
	int fd = J.fd[J.active];
	if (J.open && fd >= 0 && fdatasync(fd) != 0 && errno != EINVAL)
		mu_warn("audit journal: fdatasync: %s", strerror(errno));
}
