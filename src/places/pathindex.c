/* pathindex.c: the parents of places in memory, for the one database a serving process
 * owns. Every request that names a place asks for its path (the guard's jurisdiction
 * check, then the capability on the writer), and a request's connection reads that path
 * from pages every commit has dropped from its cache: eight B-tree searches a request,
 * each behind a pread. A parent never changes once a place exists (places are added,
 * never moved or deleted, and no command writes beside `muster serve`), so the parent a
 * path read once is the parent for the life of the process.
 *
 * One entry per place id: parent id + 1, 0 while unknown. An entry is one atomic word, so
 * that two threads filling the same path store the same value without a race, and a
 * reader sees either nothing or the whole entry. Ids at or above the capacity taken at
 * open (places added later, which the server does not do) are always read from SQL. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "db/db.h"
#include "places.h"
#include "places_int.h"

struct pathindex {
	char *path; /* the database it describes */
	size_t cap; /* entries: ids below cap */
	_Atomic uint32_t *ent;
};

static _Atomic(struct pathindex *) index_now;

static const char sql_max_id[] = "SELECT COALESCE(MAX(id), 0) FROM places";

int places_pathindex_open(struct db *d)
{
	struct db_stmt *s;
	int64_t max = 0;
	int rc = db_prepare(d, sql_max_id, &s);
	if (rc)
		return rc;
	rc = db_step(s);
	if (rc == DB_ROW)
		max = db_col_i64(s, 0);
	db_stmt_done(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : MU_EDB;
	MU_ASSERT(max >= 0 && max < UINT32_MAX - 1);
	struct pathindex *ix = mu_xcalloc(1, sizeof *ix);
	ix->path = mu_xstrdup(db_path(d));
	ix->cap = (size_t)max + 1;
	/* calloc: the pages of ids never asked for are never touched (31 MB for 7.7 M). */
	ix->ent = mu_xcalloc(ix->cap, sizeof *ix->ent);
	places_pathindex_close();
	atomic_store_explicit(&index_now, ix, memory_order_release);
	return 0;
}

void places_pathindex_close(void)
{
	struct pathindex *ix = atomic_exchange(&index_now, NULL);
	if (!ix)
		return;
	free((void *)ix->ent);
	free(ix->path);
	free(ix);
}

struct places__pathindex *places__pathindex_of(const struct db *d)
{
	struct pathindex *ix = atomic_load_explicit(&index_now, memory_order_acquire);
	return ix && !strcmp(ix->path, db_path(d)) ? (struct places__pathindex *)ix : NULL;
}

bool places__pathindex_parent(const struct places__pathindex *pi, int64_t id, int64_t *parent)
{
	const struct pathindex *ix = (const struct pathindex *)pi;
	if (!ix || id <= 0 || (size_t)id >= ix->cap)
		return false;
	uint32_t e = atomic_load_explicit(&ix->ent[id], memory_order_relaxed);
	*parent = (int64_t)e - 1;
	return e != 0;
}

void places__pathindex_set(struct places__pathindex *pi, int64_t id, int64_t parent)
{
	struct pathindex *ix = (struct pathindex *)pi;
	if (ix && id > 0 && (size_t)id < ix->cap && parent >= 0 && parent < id)
		atomic_store_explicit(&ix->ent[id], (uint32_t)(parent + 1), memory_order_relaxed);
}
