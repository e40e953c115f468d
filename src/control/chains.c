/* chains.c: transmission chains — the people linked to a case through contacts rows
 * (a case to its contacts, a secondary contact to the close contact they met), found
 * breadth first, with each person's role and generation. Reads cases and contacts. */
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control_int.h"
#include "core/core.h"
#include "db/db.h"

/* ---- an int64 → index map (open addressing, ids > 0) ---------------------------------- */

struct idmap {
	int64_t *keys;
	size_t *vals;
	size_t cap, n;
};

static size_t slot_of(const struct idmap *m, int64_t k)
{
	uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15u;
	size_t i = (size_t)(h >> 20) & (m->cap - 1);
	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void idmap_grow(struct idmap *m)
{
	struct idmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->keys = mu_xcalloc(m->cap, sizeof *m->keys);
	m->vals = mu_xcalloc(m->cap, sizeof *m->vals);
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i]) {
			size_t j = slot_of(m, old.keys[i]);
			m->keys[j] = old.keys[i];
			m->vals[j] = old.vals[i];
			m->n++;
		}
	free(old.keys);
	free(old.vals);
}

/* The value of k, or SIZE_MAX when absent. */
static size_t idmap_get(const struct idmap *m, int64_t k)
{
	if (!m->cap)
		return SIZE_MAX;
	size_t i = slot_of(m, k);
	return m->keys[i] ? m->vals[i] : SIZE_MAX;
}

/* Sets k to v when absent; true when it was added. */
static bool idmap_add(struct idmap *m, int64_t k, size_t v)
{
	if ((m->n + 1) * 2 > m->cap)
		idmap_grow(m);
	size_t i = slot_of(m, k);
	if (m->keys[i])
		return false;
	m->keys[i] = k;
	m->vals[i] = v;
	m->n++;
	return true;
}

static void idmap_fini(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
}

/* ---- the walk --------------------------------------------------------------------------- */

const char *control_role_name(int role)
{
	static const char *const names[] = {"case", "close", "secondary"};
	return role >= 0 && role < 3 ? names[role] : NULL;
}

static const char sql_cases_of[] =
    "SELECT id, onset, confirmed_at FROM cases WHERE person_id = ? ORDER BY confirmed_at";
static const char sql_rows_of_case[] =
    "SELECT id, person_id, kind, setting, last_exposure, via_person_id FROM contacts"
    " WHERE case_id = ?";
static const char sql_cases_listing[] =
    "SELECT cs.person_id FROM contacts c JOIN cases cs ON cs.id = c.case_id"
    " WHERE c.person_id = ? OR c.via_person_id = ?";

struct walk {
	struct db *d;
	struct control_chain *c;
	size_t cap_nodes, cap_edges;
	struct idmap people, cases;
	int64_t *first_confirmed; /* per node: its earliest case's confirmation, 0 none */
	size_t next;		  /* the queue: nodes[next..] are still to visit */
};

/* The node of person, added (role secondary until a row or case says more) when new. */
static int node_of(struct walk *w, int64_t person, size_t *at)
{
	size_t i = idmap_get(&w->people, person);
	if (i != SIZE_MAX) {
		*at = i;
		return 0;
	}
	if (w->c->nnodes == CONTROL_CHAIN_MAX)
		return MU_ETOOBIG;
	if (w->c->nnodes == w->cap_nodes) {
		w->cap_nodes *= 2;
		w->c->nodes = mu_xrealloc(w->c->nodes, w->cap_nodes * sizeof *w->c->nodes);
		w->first_confirmed =
		    mu_xrealloc(w->first_confirmed, w->cap_nodes * sizeof *w->first_confirmed);
	}
	i = w->c->nnodes++;
	w->c->nodes[i] = (struct control_chain_node){.person_id = person,
						     .role = CONTROL_ROLE_SECONDARY,
						     .generation = -1,
						     .onset = CONTROL_NO_DATE};
	w->first_confirmed[i] = 0;
	idmap_add(&w->people, person, i);
	*at = i;
	return 0;
}

static void raise_role(struct control_chain_node *n, int role)
{
	if (role < n->role)
		n->role = role;
}

/* A case's contacts rows: an edge each, their people (and vias) into the chain. */
static int case_rows(struct walk *w, int64_t case_id, int64_t case_person)
{
	struct db_stmt *s;
	int rc = db_prepare(w->d, sql_rows_of_case, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, case_id);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t person = db_col_i64(s, 1), via = db_col_i64(s, 5);
		int kind = CONTROL_CONTACT_CLOSE, setting = CONTROL_SETTING_OTHER;
		size_t to, from;
		control_contact_kind_parse(db_col_text(s, 2), &kind);
		control_setting_parse(db_col_text(s, 3), &setting);
		if ((rc = node_of(w, person, &to)) ||
		    (rc = node_of(w, via ? via : case_person, &from)))
			break;
		raise_role(&w->c->nodes[to], kind == CONTROL_CONTACT_CLOSE
						 ? CONTROL_ROLE_CLOSE
						 : CONTROL_ROLE_SECONDARY);
		if (via)
			raise_role(&w->c->nodes[from], CONTROL_ROLE_CLOSE);
		if (w->c->nedges == w->cap_edges) {
			w->cap_edges *= 2;
			w->c->edges = mu_xrealloc(w->c->edges, w->cap_edges * sizeof *w->c->edges);
		}
		w->c->edges[w->c->nedges++] =
		    (struct control_chain_edge){.from = w->c->nodes[from].person_id,
						.to = person,
						.setting = setting,
						.at = db_col_i64(s, 4)};
	}
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* Visits one person: their cases (with the cases' rows) and the cases that list them. */
static int visit(struct walk *w, size_t i)
{
	struct db_stmt *s;
	int64_t person = w->c->nodes[i].person_id;
	int64_t ids[16];
	int n = 0, rc = db_prepare(w->d, sql_cases_of, &s);
	if (rc)
		return rc;
	db_bind_i64(s, 1, person);
	while ((rc = db_step(s)) == DB_ROW) {
		struct control_chain_node *nd = &w->c->nodes[i];
		nd->role = CONTROL_ROLE_CASE;
		if (!w->first_confirmed[i]) {
			w->first_confirmed[i] = db_col_i64(s, 2);
			if (!db_col_null(s, 1) && mu_date_parse(db_col_text(s, 1), &nd->onset))
				nd->onset = CONTROL_NO_DATE;
		}
		if (n < 16 && idmap_add(&w->cases, db_col_i64(s, 0), 0))
			ids[n++] = db_col_i64(s, 0);
	}
	db_stmt_done(s);
	if (rc != DB_DONE)
		return rc;
	for (int k = 0; k < n; k++)
		if ((rc = case_rows(w, ids[k], person)))
			return rc;
	if ((rc = db_prepare(w->d, sql_cases_listing, &s)))
		return rc;
	db_bind_i64(s, 1, person);
	db_bind_i64(s, 2, person);
	size_t at;
	while ((rc = db_step(s)) == DB_ROW)
		if ((rc = node_of(w, db_col_i64(s, 0), &at)))
			break;
	db_stmt_done(s);
	return rc == DB_DONE ? 0 : rc;
}

/* Generations: the index cases are 0 and each link adds one — relaxed along the links'
 * direction first, then also against it for what that leaves (a chain whose index was
 * listed from a person found later). Chains are small: a pass over the edges per step. */
static void generations(struct walk *w)
{
	struct control_chain *c = w->c;
	bool *has_in = mu_xcalloc(c->nnodes, sizeof *has_in);
	size_t earliest = SIZE_MAX, roots = 0;
	for (size_t e = 0; e < c->nedges; e++)
		has_in[idmap_get(&w->people, c->edges[e].to)] = true;
	for (size_t i = 0; i < c->nnodes; i++) {
		if (c->nodes[i].role != CONTROL_ROLE_CASE)
			continue;
		if (!has_in[i]) {
			c->nodes[i].generation = 0;
			roots++;
		}
		if (earliest == SIZE_MAX || w->first_confirmed[i] < w->first_confirmed[earliest])
			earliest = i;
	}
	if (!roots)
		c->nodes[earliest == SIZE_MAX ? 0 : earliest].generation = 0;
	for (int both = 0; both < 2; both++) {
		bool changed = true;
		while (changed) {
			changed = false;
			for (size_t e = 0; e < c->nedges; e++) {
				struct control_chain_node *f =
				    &c->nodes[idmap_get(&w->people, c->edges[e].from)];
				struct control_chain_node *t =
				    &c->nodes[idmap_get(&w->people, c->edges[e].to)];
				if (f->generation >= 0 &&
				    (t->generation < 0 || t->generation > f->generation + 1)) {
					t->generation = f->generation + 1;
					changed = true;
				} else if (both && t->generation >= 0 && f->generation < 0) {
					f->generation = t->generation + 1;
					changed = true;
				}
			}
		}
	}
	free(has_in);
}

static int by_generation(const void *a, const void *b)
{
	const struct control_chain_node *x = a, *y = b;
	if (x->generation != y->generation)
		return x->generation - y->generation;
	return (x->person_id > y->person_id) - (x->person_id < y->person_id);
}

int control_chain_get(struct db *d, int64_t case_id, struct control_chain *out)
{
	struct control_case cs;
	struct walk w = {.d = d, .c = out, .cap_nodes = 32, .cap_edges = 32};
	size_t at;
	memset(out, 0, sizeof *out);
	out->nodes = mu_xcalloc(w.cap_nodes, sizeof *out->nodes);
	out->edges = mu_xcalloc(w.cap_edges, sizeof *out->edges);
	w.first_confirmed = mu_xcalloc(w.cap_nodes, sizeof *w.first_confirmed);
	int rc = control_case_get(d, case_id, &cs);
	if (rc == 0)
		rc = node_of(&w, cs.person_id, &at);
	while (rc == 0 && w.next < out->nnodes)
		rc = visit(&w, w.next++);
	if (rc == 0) {
		generations(&w);
		qsort(out->nodes, out->nnodes, sizeof *out->nodes, by_generation);
	}
	idmap_fini(&w.people);
	idmap_fini(&w.cases);
	free(w.first_confirmed);
	if (rc)
		control_chain_fini(out);
	return rc;
}

void control_chain_fini(struct control_chain *c)
{
	free(c->nodes);
	free(c->edges);
	memset(c, 0, sizeof *c);
}
