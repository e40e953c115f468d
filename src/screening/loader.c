/* loader.c: the bulk path for samples — trusted rows appended tube by tube, each tube
 * written once with its final count, repeats tracked in memory — for generators, the
 * drill's preload and the ingest bench. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "screening.h"
#include "screening_int.h"

struct pending {
	char scan_id[SCREENING_SCAN_ID_MAX + 1];
	int64_t person_id, household_id, at;
};

struct screening_loader {
	struct db *d;
	int64_t round_id;
	int k;
	uint8_t *seen; /* by person id: already sampled in this round */
	size_t nseen;
	char tube[SCREENING_BARCODE_MAX + 1];
	int64_t site_id;
	struct pending buf[20];
	int nbuf;
};

static const char sql_round_people[] = "SELECT person_id FROM samples WHERE round_id = ?";
static const char sql_tube_insert[] =
    "INSERT INTO tubes (barcode, round_id, site_id, capacity, n, state, opened_at, sealed_at)"
    " VALUES (?, ?, ?, ?, ?, 1, ?, ?)";
static const char sql_sample_insert[] =
    "INSERT INTO samples (scan_id, round_id, tube_id, person_id, household_id, sampled_at,"
    " is_repeat) VALUES (?, ?, ?, ?, ?, ?, ?)";

static bool seen_test_set(struct screening_loader *l, int64_t person)
{
	if ((size_t)person >= l->nseen) {
		size_t n = l->nseen ? l->nseen : 1 << 16;
		while (n <= (size_t)person)
			n *= 2;
		l->seen = mu_xrealloc(l->seen, n);
		memset(l->seen + l->nseen, 0, n - l->nseen);
		l->nseen = n;
	}
	bool was = l->seen[person] != 0;
	l->seen[person] = 1;
	return was;
}

int screening_loader_new(struct db *d, int64_t round_id, struct screening_loader **out)
{
	struct screening_round r;
	*out = NULL;
	int rc = screening_round_get(d, round_id, &r);
	if (rc)
		return rc;
	struct screening_loader *l = mu_xcalloc(1, sizeof *l);
	l->d = d;
	l->round_id = round_id;
	l->k = r.pool_k;
	struct db_stmt *s;
	if ((rc = db_prepare(d, sql_round_people, &s)))
		goto out;
	db_bind_i64(s, 1, round_id);
	while ((rc = db_step(s)) == DB_ROW)
		seen_test_set(l, db_col_i64(s, 0));
	db_stmt_done(s);
	rc = rc == DB_DONE ? 0 : rc;
out:
	if (rc)
		screening_loader_free(l);
	else
		*out = l;
	return rc;
}

static int step_done(struct db_stmt *s)
{
	int rc = db_step(s);
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : MU_EDB;
}

/* Writes the buffered tube and its samples. */
static int flush(struct screening_loader *l)
{
	if (l->nbuf == 0)
		return 0;
	struct db_stmt *s;
	int rc = db_prepare(l->d, sql_tube_insert, &s);
	if (rc)
		return rc;
	db_bind_text(s, 1, l->tube, -1);
	db_bind_i64(s, 2, l->round_id);
	db_bind_i64(s, 3, l->site_id);
	db_bind_i64(s, 4, l->k);
	db_bind_i64(s, 5, l->nbuf);
	db_bind_i64(s, 6, l->buf[0].at);
	db_bind_i64(s, 7, l->buf[l->nbuf - 1].at);
	if ((rc = step_done(s)))
		return rc;
	int64_t tube_id = db_last_insert_id(l->d);
	for (int i = 0; i < l->nbuf; i++) {
		const struct pending *p = &l->buf[i];
		if ((rc = db_prepare(l->d, sql_sample_insert, &s)))
			return rc;
		db_bind_text_static(s, 1, p->scan_id, -1);
		db_bind_i64(s, 2, l->round_id);
		db_bind_i64(s, 3, tube_id);
		db_bind_i64(s, 4, p->person_id);
		db_bind_i64(s, 5, p->household_id);
		db_bind_i64(s, 6, p->at);
		db_bind_i64(s, 7, seen_test_set(l, p->person_id) ? 1 : 0);
		if ((rc = step_done(s)))
			return rc;
	}
	l->nbuf = 0;
	return 0;
}

int screening_loader_add(struct screening_loader *l, const struct screening_bulk_sample *s)
{
	if (!s->scan_id || strlen(s->scan_id) > SCREENING_SCAN_ID_MAX ||
	    !screening__code_ok(s->tube, SCREENING_BARCODE_MAX) || s->person_id <= 0)
		return MU_EINVAL;
	int rc;
	if (l->nbuf && (strcmp(l->tube, s->tube) != 0 || s->site_id != l->site_id)) {
		if ((rc = flush(l)))
			return rc;
	} else if (l->nbuf == l->k) {
		return MU_EINVAL; /* more samples for a tube than the round's pool size */
	}
	if (l->nbuf == 0) {
		snprintf(l->tube, sizeof l->tube, "%s", s->tube);
		l->site_id = s->site_id;
	}
	struct pending *p = &l->buf[l->nbuf++];
	snprintf(p->scan_id, sizeof p->scan_id, "%s", s->scan_id);
	p->person_id = s->person_id;
	p->household_id = s->household_id;
	p->at = s->at;
	return 0;
}

int screening_loader_finish(struct screening_loader *l)
{
	return flush(l);
}

void screening_loader_free(struct screening_loader *l)
{
	if (!l)
		return;
	free(l->seen);
	free(l);
}
