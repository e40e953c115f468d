/* api.c: the people read API — search under a place (everyone, an ID number, a phone
 * number or a name fragment, a page at a time, with the total found), one person's full
 * record, and what a checkpoint sees of a personal code (masked name and status). Every
 * answer that names a person sets r->record so that the guard audits the read. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <qrencode.h>
#include <sodium.h>

#include "api.h"
#include "auth/api.h"
#include "core/core.h"
#include "db/db.h"
#include "places/api.h"

#define PERSON_READ                                                                                \
	(AUTH_R(AUTH_ADMIN) | AUTH_R(AUTH_COMMANDER) | AUTH_R(AUTH_STAFF) |                        \
	 AUTH_R(AUTH_GRID_WORKER) | AUTH_R(AUTH_OPERATOR))
/* Checkpoints: every user role and site tokens (role sampler); never labs. */
#define CODE_READ (AUTH_ANY & ~AUTH_R(AUTH_LAB))

#define LIST_DEFAULT 100
#define SCAN_MAX     20000 /* people decrypted by one name search request */
#define Q_MAX	     64	   /* code points of a search text */

/* The server's keys, loaded by people_api_init before the first request and read-only
 * afterwards; the codebook that answers code lookups without reading rows. */
static struct people_keys keys;
static bool keys_ready;
static struct people_codebook *codebook;

int people_api_init(const char *db_path)
{
	int rc = people_keys_load(db_path, &keys);
	keys_ready = rc == 0;
	/* People recorded before the phone index (an older database) are indexed once,
	 * before the first request, on a connection of its own: nothing writes yet. */
	if (rc == 0) {
		struct db *d = NULL;
		int64_t n = 0;
		int frc = db_open(db_path, 0, &d);
		if (frc == 0)
			frc = people_phone_index_fill(d, &keys, &n);
		db_close(d);
		if (frc)
			mu_warn("people: the phone index could not be filled (%s); phone search "
				"misses people recorded before it",
				mu_err_msg(frc));
		else if (n)
			mu_info("people: indexed the phones of %lld people recorded before the "
				"phone index",
				(long long)n);
	}
	/* Without a codebook every lookup reads its row: slower, still right. */
	if (rc == 0 && people_codebook_start(db_path, &keys, &codebook) != 0)
		mu_warn("people: no codebook; code lookups will read the people table");
	return rc;
}

/* ---- health-code reasons of people the codebook does not hold ------------------------------
 * Ids past the codebook (people added after start) or every id without a codebook: a small
 * open-addressed table under a lock (few people have a colour, fewer of them here). */
static pthread_mutex_t extra_lock = PTHREAD_MUTEX_INITIALIZER;
static struct extra {
	int64_t id; /* 0: empty */
	unsigned char reasons;
} * extra;
static size_t extra_cap, extra_n;

static struct extra *extra_slot(struct extra *t, size_t cap, int64_t id)
{
	size_t i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
	while (t[i].id && t[i].id != id)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

void people_api_reasons_set(int64_t id, unsigned reasons)
{
	if (people_codebook_reasons_set(codebook, id, reasons))
		return;
	pthread_mutex_lock(&extra_lock);
	if ((extra_n + 1) * 2 > extra_cap) {
		size_t cap = extra_cap ? extra_cap * 2 : 1024;
		struct extra *t = mu_xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < extra_cap; i++)
			if (extra[i].id)
				*extra_slot(t, cap, extra[i].id) = extra[i];
		free(extra);
		extra = t;
		extra_cap = cap;
	}
	struct extra *e = extra_slot(extra, extra_cap, id);
	extra_n += e->id == 0;
	e->id = id;
	e->reasons = (unsigned char)reasons;
	pthread_mutex_unlock(&extra_lock);
}

unsigned people_api_reasons(int64_t id)
{
	unsigned reasons = 0;
	if (people_codebook_reasons(codebook, id, &reasons))
		return reasons;
	pthread_mutex_lock(&extra_lock);
	if (extra_cap)
		reasons = extra_slot(extra, extra_cap, id)->reasons;
	pthread_mutex_unlock(&extra_lock);
	return reasons;
}

void people_api_fini(void)
{
	pthread_mutex_lock(&extra_lock);
	free(extra);
	extra = NULL;
	extra_cap = extra_n = 0;
	pthread_mutex_unlock(&extra_lock);
	people_codebook_free(codebook);
	codebook = NULL;
	sodium_memzero(&keys, sizeof keys);
	keys_ready = false;
}

void people_api_metrics(struct mu_buf *out)
{
	int64_t n = 0;
	bool ready = people_codebook_ready(codebook, &n);
	mu_buf_printf(out,
		      "# HELP muster_codebook_ready 1 once every person's code is answered from "
		      "memory.\n# TYPE muster_codebook_ready gauge\nmuster_codebook_ready %d\n"
		      "# HELP muster_codebook_people People in the codebook.\n"
		      "# TYPE muster_codebook_people gauge\nmuster_codebook_people %lld\n",
		      ready ? 1 : 0, (long long)n);
}

/* ---- shared pieces ---------------------------------------------------------------------- */

static const char sql_household_people[] =
    "SELECT id FROM people WHERE household_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";

/* The ID number as a list shows it. A resident ID (6 digits of region, 8 of birth date,
 * 3 of sequence, a check digit) keeps its region only, "440103************": showing
 * the last four as well left the birth date alone hidden, which the birth date beside
 * it gave away (and the check digit follows from the rest). Other numbers carry no
 * date: a third of the number (at most 6) in front, a quarter (at most 4) at the end,
 * stars between. Lists carry no birth date either. Into the request arena. */
static const char *id_masked(struct http_req *r, int id_type, const char *id)
{
	size_t n = strlen(id), head = n / 3, tail = n / 4;
	if (head > 6)
		head = 6;
	if (tail > 4)
		tail = 4;
	if (id_type == PEOPLE_ID_RESIDENT)
		tail = 0;
	char *out = mu_arena_alloc(&r->arena, n + 1);
	for (size_t i = 0; i < n; i++)
		out[i] = i < head || i >= n - tail ? id[i] : '*';
	out[n] = '\0';
	return out;
}

/* The address a list shows of a household: its building's name and its own ("1栋 101"),
 * as people on the ground name them, beside the household's code. The last household
 * asked about is remembered: a walk lists a household's people one after another. */
struct address {
	int64_t hh;
	char text[2 * PLACES_NAME_MAX * 4 + 2];
};

static int address_of(struct db *d, int64_t hh, struct address *a)
{
	struct places_node h, b;
	int rc;
	if (a->hh == hh && hh)
		return 0;
	if ((rc = places_get(d, hh, &h)))
		return rc;
	if (h.parent_id && places_get(d, h.parent_id, &b) == 0)
		snprintf(a->text, sizeof a->text, "%s %s", b.name, h.name);
	else
		snprintf(a->text, sizeof a->text, "%s", h.name);
	a->hh = hh;
	return 0;
}

static json_t *person_brief(struct http_req *r, const struct people_person *p, const char *hh_code,
			    const char *address)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)p->id, "name",
			 p->name, "sex", p->sex == PEOPLE_SEX_M ? "M" : "F", "id_type",
			 people_id_type_name(p->id_type), "id_number_masked",
			 id_masked(r, p->id_type, p->id_number), "household", hh_code, "address",
			 address);
}

/* True when ids[0..n) passes through place. */
static bool path_has(const int64_t *ids, int n, int64_t place)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == place)
			return true;
	return false;
}

/* Parses the {id} of the path: a positive integer. */
static int id_param(struct http_req *r, int64_t *id)
{
	*id = 0;
	if (r->nparams < 1 || mu_parse_i64(r->params[0], id) || *id <= 0)
		return http_fail(r, MU_EINVAL, "id", "a person id is a positive integer");
	return 0;
}

/* Resolver of GET /api/v1/people/{id}: the path to the person's household. */
static int place_of_person(struct http_req *r, int64_t ids[HTTP_PATH_MAX], int *n)
{
	int64_t id, hh;
	int rc = id_param(r, &id);
	if (rc || (rc = people_household_of(auth_req_db(r), id, &hh)))
		return rc == MU_ENOTFOUND ? http_fail(r, rc, "id", "no person has this id") : rc;
	return places_path(auth_req_db(r), hh, ids, n);
}

/* ---- walking a subtree's people in order, resumable ------------------------------------
 * Depth-first over the places tree in code order, skipping subtrees without people, and
 * within a household by person id: for the generated and official codes (each code
 * extends its parent's) that is household-code order. A cursor names the last person
 * seen and their household; resuming walks that household after the person, then the
 * later siblings of each node on the household's path, from the bottom up — so a page
 * costs what it returns plus the depth of the tree, never a scan of what came before. */

struct walk {
	struct http_req *r;
	struct db *d;
	int budget;   /* people still to visit */
	bool stopped; /* the visitor asked to stop */
	int64_t last_hh, last_id;
	/* Called for each person id (its household's code); sets stopped to end the walk. */
	int (*visit)(struct walk *w, int64_t id, int64_t hh, const char *hh_code);
	void *ctx;
};

#define CHUNK 64 /* rows read per statement before visiting them */

/* The people of household hh after person id `after`, in id order, read CHUNK at a time
 * so that no statement stays open while the visitor runs. */
static int walk_household(struct walk *w, int64_t hh, const char *hh_code, int64_t after)
{
	int64_t ids[CHUNK];
	int n, rc;
	do {
		struct db_stmt *s;
		int want = w->budget < CHUNK ? w->budget : CHUNK;
		if (want <= 0 || w->stopped)
			return 0;
		if ((rc = db_prepare(w->d, sql_household_people, &s)))
			return rc;
		db_bind_i64(s, 1, hh);
		db_bind_i64(s, 2, after);
		db_bind_i64(s, 3, want);
		n = 0;
		while (n < want && (rc = db_step(s)) == DB_ROW)
			ids[n++] = db_col_i64(s, 0);
		db_stmt_done(s);
		if (rc < 0)
			return rc;
		for (int i = 0; i < n && !w->stopped && w->budget > 0; i++) {
			w->budget--;
			w->last_hh = hh;
			w->last_id = after = ids[i];
			if ((rc = w->visit(w, ids[i], hh, hh_code)))
				return rc;
		}
		if (n < want)
			return 0;
	} while (1);
}

static int walk_children(struct walk *w, int64_t parent, const char *after);

static int walk_subtree(struct walk *w, int64_t id, int level, const char *code)
{
	return level == PLACES_HOUSEHOLD ? walk_household(w, id, code, 0)
					 : walk_children(w, id, "");
}

/* A chunk of the children of a place that hold people, for walk_children. */
struct kids {
	struct {
		int64_t id;
		int level;
		char code[PLACES_CODE_MAX + 1];
	} kid[CHUNK];
	int n, want;
};

static int kid_collect(const struct places_node *n, void *ctx)
{
	struct kids *k = ctx;
	if (n->people == 0)
		return 0;
	k->kid[k->n].id = n->id;
	k->kid[k->n].level = n->level;
	snprintf(k->kid[k->n].code, sizeof k->kid[k->n].code, "%s", n->code);
	return ++k->n == k->want;
}

/* The children of parent after code `after`, each subtree in turn, read CHUNK at a
 * time. Each child listed holds a person, so no more children than people still wanted
 * are listed; the statement is closed before any is visited. */
static int walk_children(struct walk *w, int64_t parent, const char *after)
{
	struct kids k;
	char last[PLACES_CODE_MAX + 1];
	int rc = 0;
	snprintf(last, sizeof last, "%s", after);
	do {
		k.n = 0;
		k.want = w->budget < CHUNK ? w->budget : CHUNK;
		if (k.want <= 0 || w->stopped ||
		    (rc = places_children_after(w->d, parent, last, kid_collect, &k)) < 0)
			break;
		rc = 0; /* kid_collect's 1: the chunk is full */
		for (int i = 0; i < k.n && !w->stopped && w->budget > 0 && !rc; i++) {
			rc = walk_subtree(w, k.kid[i].id, k.kid[i].level, k.kid[i].code);
			snprintf(last, sizeof last, "%s", k.kid[i].code);
		}
	} while (!rc && k.n == k.want);
	return rc;
}

/* Walks root's subtree from the start, or after (hh, after_id) when hh is not 0. The
 * cursor's household must lie in the subtree (MU_EINVAL otherwise). */
static int walk_run(struct walk *w, const struct places_node *root, int64_t hh, int64_t after_id)
{
	if (!hh)
		return walk_subtree(w, root->id, root->level, root->code);
	int64_t ids[PLACES_NLEVELS];
	int n, k = -1, rc = places_path(w->d, hh, ids, &n);
	if (rc == MU_ENOTFOUND)
		return MU_EINVAL;
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		if (ids[i] == root->id)
			k = i;
	if (k < 0 || n != PLACES_HOUSEHOLD + 1)
		return MU_EINVAL;
	struct places_node path[PLACES_NLEVELS];
	for (int i = k; i < n; i++)
		if ((rc = places_get(w->d, ids[i], &path[i])))
			return rc;
	if ((rc = walk_household(w, hh, path[n - 1].code, after_id)))
		return rc;
	for (int i = n - 2; i >= k && !w->stopped && w->budget > 0; i--)
		if ((rc = walk_children(w, ids[i], path[i + 1].code)))
			return rc;
	return 0;
}

/* ---- GET /api/v1/people ---------------------------------------------------------------- */

struct search {
	json_t *people;
	int limit, found;
	const char *q; /* NULL: everyone */
	struct auth_people_record record;
	/* A first page of a name search goes on counting after the page is full (matches
	 * named nowhere, audited nowhere): total and where the page ended, for the cursor. */
	bool count;
	int64_t total, page_hh, page_id;
	int visited, page_visited; /* people read; how many when the page filled */
	struct address addr;
};

static int visit_person(struct walk *w, int64_t id, int64_t hh, const char *hh_code)
{
	struct search *s = w->ctx;
	struct people_person p;
	int rc = people_get(w->d, &keys, id, &p);
	if (rc)
		return rc;
	s->visited++;
	if (!s->q || strcasestr(p.name, s->q)) {
		s->total++;
		if (s->found < s->limit) {
			if ((rc = address_of(w->d, hh, &s->addr))) {
				sodium_memzero(&p, sizeof p);
				return rc;
			}
			json_array_append_new(s->people,
					      person_brief(w->r, &p, hh_code, s->addr.text));
			auth_people_record_add(&s->record, p.id);
			if (++s->found == s->limit) {
				s->page_hh = hh;
				s->page_id = id;
				s->page_visited = s->visited;
				if (!s->count)
					w->stopped = true;
			}
		}
	}
	sodium_memzero(&p, sizeof p);
	return 0;
}

/* An ID number rather than a name: at least 6 letters and digits, with a digit. */
static bool looks_like_id(const char *q)
{
	size_t n = 0;
	bool digit = false;
	for (; q[n]; n++) {
		char c = q[n];
		if (c >= '0' && c <= '9')
			digit = true;
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return false;
	}
	return n >= 6 && n <= PEOPLE_ID_MAX && digit;
}

/* Exact lookup of an ID number under every ID type, kept when inside root's subtree. */
static int search_id(struct http_req *r, const struct places_node *root, struct search *s)
{
	struct db *d = auth_req_db(r);
	for (int t = PEOPLE_ID_RESIDENT; t <= PEOPLE_ID_OTHER && s->found < s->limit; t++) {
		struct people_person p;
		int64_t ids[PLACES_NLEVELS];
		int n;
		int rc = people_find_id(d, &keys, t, s->q, &p);
		if (rc == MU_ENOTFOUND)
			continue;
		if (rc == 0)
			rc = places_path(d, p.household_id, ids, &n);
		if (rc == 0 && path_has(ids, n, root->id)) {
			struct places_node hh;
			if ((rc = places_get(d, p.household_id, &hh)) == 0 &&
			    (rc = address_of(d, p.household_id, &s->addr)) == 0) {
				json_array_append_new(s->people,
						      person_brief(r, &p, hh.code, s->addr.text));
				auth_people_record_add(&s->record, p.id);
				s->found++;
			}
		}
		sodium_memzero(&p, sizeof p);
		if (rc)
			return rc;
	}
	return 0;
}

/* A phone number rather than a name or an ID number: digits with '+', '-' or spaces,
 * and at least 5 digits. */
static bool looks_like_phone(const char *q)
{
	size_t digits = 0;
	for (const char *c = q; *c; c++) {
		if (*c >= '0' && *c <= '9')
			digits++;
		else if (*c != '+' && *c != '-' && *c != ' ')
			return false;
	}
	return digits >= 5 && strlen(q) <= PEOPLE_PHONE_MAX;
}

#define PHONE_MAX 64 /* people sharing one phone read at most */

/* The people with phone number q (the blind index) inside root's subtree, not already
 * listed by an ID lookup. */
static int search_phone(struct http_req *r, const struct places_node *root, struct search *s)
{
	struct db *d = auth_req_db(r);
	int64_t found[PHONE_MAX];
	size_t n;
	int rc = people_find_phone(d, &keys, s->q, found, PHONE_MAX, &n);
	if (rc == MU_EINVAL)
		return 0;
	for (size_t i = 0; i < n && rc == 0 && s->found < s->limit; i++) {
		struct people_person p;
		struct places_node hh;
		int64_t ids[PLACES_NLEVELS];
		int np;
		bool listed = false;
		for (size_t j = 0; j < json_array_size(s->people); j++)
			if (json_integer_value(
				json_object_get(json_array_get(s->people, j), "id")) == found[i])
				listed = true;
		if (listed)
			continue;
		if ((rc = people_get(d, &keys, found[i], &p)))
			break;
		if ((rc = places_path(d, p.household_id, ids, &np)) == 0 &&
		    path_has(ids, np, root->id) && (rc = places_get(d, p.household_id, &hh)) == 0 &&
		    (rc = address_of(d, p.household_id, &s->addr)) == 0) {
			json_array_append_new(s->people,
					      person_brief(r, &p, hh.code, s->addr.text));
			auth_people_record_add(&s->record, p.id);
			s->found++;
		}
		sodium_memzero(&p, sizeof p);
	}
	return rc;
}

/* Cursors are opaque to clients: "<household id>.<person id>" of the last person seen. */
static int cursor_parse(const char *c, int64_t *hh, int64_t *id)
{
	const char *dot = strchr(c, '.');
	char head[24];
	if (!dot || (size_t)(dot - c) >= sizeof head)
		return MU_EINVAL;
	memcpy(head, c, (size_t)(dot - c));
	head[dot - c] = '\0';
	if (mu_parse_i64(head, hh) || mu_parse_i64(dot + 1, id) || *hh <= 0 || *id <= 0)
		return MU_EINVAL;
	return 0;
}

static int list_people(struct http_req *r, struct http_resp *resp)
{
	struct places_node root;
	const char *q = http_query(r, "q"), *cursor = http_query(r, "cursor");
	int64_t hh = 0, after = 0;
	int limit, rc;
	MU_ASSERT(keys_ready);
	if ((rc = places_api_query(r, &root)) ||
	    (rc = http_query_limit(r, LIST_DEFAULT, HTTP_LIMIT_MAX, &limit)))
		return rc;
	if (q && *q) {
		size_t n = strlen(q);
		if (!mu_utf8_valid(q, n) || mu_utf8_len(q, n) > Q_MAX)
			return http_fail(r, MU_EINVAL, "q",
					 "q must be UTF-8 text of at most 64 characters");
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)q[i] < 0x20 || q[i] == 0x7f)
				return http_fail(r, MU_EINVAL, "q",
						 "q must not hold control characters");
	} else {
		q = NULL;
	}
	if (cursor && *cursor && cursor_parse(cursor, &hh, &after))
		return http_fail_cursor(r);

	bool first = !(cursor && *cursor);
	struct search s = {.people = json_array(), .limit = limit, .q = q, .count = q && first};
	auth_people_record_init(&s.record);
	int scanned = 0;
	bool more = false, capped = false;
	int64_t total = -1; /* -1: not counted (a later page) */
	struct walk w = {.r = r, .d = auth_req_db(r), .visit = visit_person, .ctx = &s};
	bool by_id = q && looks_like_id(q), by_phone = q && looks_like_phone(q);
	if (by_id || by_phone) {
		/* An 11-digit number may be a phone or an ID number of another kind: both. */
		if (by_id)
			rc = search_id(r, &root, &s);
		if (rc == 0 && by_phone)
			rc = search_phone(r, &root, &s);
		scanned = s.found;
		total = s.found;
	} else {
		w.budget = q ? SCAN_MAX : limit;
		rc = walk_run(&w, &root, hh, after);
		if (rc == MU_EINVAL)
			rc = http_fail(r, rc, "cursor", "the cursor does not belong to this place");
		scanned = (q ? SCAN_MAX : limit) - w.budget;
		more = w.stopped || w.budget == 0;
		if (!q && first) {
			total = root.people; /* the tree's count: exact, free */
		} else if (s.count) {
			/* Counted as far as the scan went: the whole subtree unless the budget
			 * ran out first (then a lower bound, said so). The page ends at its last
			 * person, not where the count stopped. */
			total = s.total;
			capped = w.budget == 0;
			more = s.found == s.limit ? s.total > s.found || capped : capped;
			if (s.found == s.limit) {
				/* What the page covers: the next page resumes after it. */
				w.last_hh = s.page_hh;
				w.last_id = s.page_id;
				scanned = s.page_visited;
			}
		}
	}
	if (rc) {
		json_decref(s.people);
		auth_people_record_fini(&s.record, r);
		return rc;
	}
	auth_people_record_fini(&s.record, r);
	const char *next = more ? mu_arena_sprintf(&r->arena, "%lld.%lld", (long long)w.last_hh,
						   (long long)w.last_id)
				: NULL;
	resp->json =
	    json_pack("{s:o, s:o, s:i, s:o, s:b}", "people", s.people, "cursor",
		      next ? json_string(next) : json_null(), "scanned", scanned, "total",
		      total >= 0 ? json_integer(total) : json_null(), "total_capped", (int)capped);
	return 0;
}

/* ---- GET /api/v1/people/{id} ----------------------------------------------------------- */

static int get_person(struct http_req *r, struct http_resp *resp)
{
	struct db *d = auth_req_db(r);
	struct people_person p;
	struct places_node hh, anc;
	int64_t id, ids[PLACES_NLEVELS];
	int n, rc = id_param(r, &id);
	MU_ASSERT(keys_ready);
	if (rc)
		return rc;
	if ((rc = people_get(d, &keys, id, &p)))
		return rc;
	auth_record_person(r, id);
	json_t *path = json_array();
	if ((rc = places_get(d, p.household_id, &hh)) ||
	    (rc = places_path(d, p.household_id, ids, &n)))
		goto out;
	for (int i = 0; i + 1 < n; i++) {
		if ((rc = places_get(d, ids[i], &anc)))
			goto out;
		json_array_append_new(path,
				      json_pack("{s:s, s:s, s:s}", "code", anc.code, "name",
						anc.name, "level", places_level_name(anc.level)));
	}
	char birth[11], code[PEOPLE_CODE_LEN + 1];
	mu_date_format(p.birth, birth);
	people_code_format(p.code, code);
	json_t *person =
	    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:{s:s, s:s}, s:O}", "id",
		      (json_int_t)p.id, "id_type", people_id_type_name(p.id_type), "id_number",
		      p.id_number, "name", p.name, "sex", p.sex == PEOPLE_SEX_M ? "M" : "F",
		      "birth_date", birth, "phone", p.phone, "party", (int)p.party, "code", code,
		      "household", "code", hh.code, "name", hh.name, "path", path);
	resp->json = json_pack("{s:o}", "person", person);
	sodium_memzero(code, sizeof code);
out:
	json_decref(path);
	sodium_memzero(&p, sizeof p);
	return rc;
}

/* ---- GET /api/v1/codes/{code} ---------------------------------------------------------- */

static int get_code(struct http_req *r, struct http_resp *resp)
{
	unsigned char raw[PEOPLE_CODE_BYTES], secret[PEOPLE_CODE_SECRET_BYTES];
	struct people_person p;
	struct people_mask m;
	char text[PEOPLE_CODE_LEN + 1], masked[PEOPLE_MASK_MAX + 1];
	int64_t id;
	bool genuine;
	int rc = 0;
	MU_ASSERT(keys_ready);
	if (r->nparams < 1 || strlen(r->params[0]) > 64 || people_code_parse(r->params[0], raw))
		return http_fail(r, MU_EINVAL, "code", "a personal code is 26 base32 characters");
	people_code_open(&keys, raw, &id, secret);
	if (people_codebook_find(codebook, id, secret, &genuine, &m)) {
		if (!genuine)
			rc = MU_ENOTFOUND;
	} else if ((rc = people_find_code(auth_req_db(r), &keys, raw, &p)) == 0) {
		people_mask_of(p.name, &m);
		sodium_memzero(&p, sizeof p);
	}
	sodium_memzero(secret, sizeof secret);
	if (rc == MU_ENOTFOUND)
		return http_fail(r, rc, "code", "no person has this code");
	if (rc)
		return rc;
	auth_record_person(r, id);
	people_code_format(raw, text);
	people_mask_text(&m, masked);
	/* The health-code colour and its reasons, kept beside the entry by control. */
	unsigned bits = people_api_reasons(id);
	json_t *reasons = json_array();
	for (int b = 0; b < PEOPLE_REASONS_N; b++)
		if (bits & (1u << b))
			json_array_append_new(reasons,
					      json_pack("{s:s, s:s}", "code", people_reason_code(b),
							"text", people_reason_text(b)));
	resp->json = json_pack("{s:s, s:s, s:s, s:o}", "code", text, "name", masked, "status",
			       people_reasons_colour(bits), "reasons", reasons);
	sodium_memzero(&m, sizeof m);
	sodium_memzero(masked, sizeof masked);
	return 0;
}

/* ---- GET /api/v1/people/{id}/qr.svg -------------------------------------------------------- */

/* The person's personal code as a QR code (SVG, one path of unit squares, a 4-module quiet
 * zone) for printing; the code's text is printed beneath it. Audited as a read of the
 * person, like the record it is reached from. */
static int get_person_qr(struct http_req *r, struct http_resp *resp)
{
	struct people_person p;
	int64_t id;
	char code[PEOPLE_CODE_LEN + 1];
	int rc = id_param(r, &id);
	MU_ASSERT(keys_ready);
	if (rc)
		return rc;
	if ((rc = people_get(auth_req_db(r), &keys, id, &p)))
		return rc;
	auth_record_person(r, id);
	people_code_format(p.code, code);
	sodium_memzero(&p, sizeof p);
	QRcode *q = QRcode_encodeString(code, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q) {
		sodium_memzero(code, sizeof code);
		return MU_EIO;
	}
	int w = q->width, side = w + 8;
	struct mu_buf b;
	mu_buf_init(&b, 1u << 20);
	mu_buf_printf(&b,
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		      "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
		      "fill=\"#fff\"/><path fill=\"#000\" d=\"",
		      side, side + 4, side, side + 4);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (q->data[y * w + x] & 1)
				mu_buf_printf(&b, "M%d %dh1v1h-1z", x + 4, y + 4);
	mu_buf_printf(&b,
		      "\"/><text x=\"%d\" y=\"%d\" font-family=\"monospace\" "
		      "font-size=\"%.2f\" text-anchor=\"middle\">%s</text></svg>",
		      side / 2, side + 2, side / 20.0, code);
	QRcode_free(q);
	sodium_memzero(code, sizeof code);
	resp->type = "image/svg+xml";
	resp->raw = mu_arena_strndup(&r->arena, mu_buf_str(&b), b.len);
	resp->raw_len = b.len;
	mu_buf_fini(&b);
	return 0;
}

const struct http_route people_api_routes[] = {
    {HTTP_GET, "/api/v1/people", list_people, PERSON_READ, HTTP_ROUTE_PERSON, places_api_of_query,
     "people under a place: everyone, by ID number, phone or name fragment, a page at a "
     "time, with the total found"},
    {HTTP_GET, "/api/v1/people/{id}", get_person, PERSON_READ, HTTP_ROUTE_PERSON, place_of_person,
     "one person's full record with their household and its path"},
    {HTTP_GET, "/api/v1/people/{id}/qr.svg", get_person_qr, PERSON_READ, HTTP_ROUTE_PERSON,
     place_of_person, "the person's personal code as a printable QR code (SVG)"},
    {HTTP_GET, "/api/v1/codes/{code}", get_code, CODE_READ, HTTP_ROUTE_DEVICE | HTTP_ROUTE_PERSON,
     NULL, "what a checkpoint sees of a personal code: the masked name and the status"},
    {0, NULL, NULL, 0, 0, NULL, NULL},
};
