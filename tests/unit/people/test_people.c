/* test_people.c: validation of person fields, adding through the loader with the
 * places counts, sealing at rest (round trip, tampering, wrong key, no plaintext in
 * the file), lookups by code and ID number, sealing apart from inserting (sealer and
 * add_sealed), walking a subtree, and what a checkpoint sees: name masks and the
 * codebook. */
#include "places/places.h"
#include "testutil.h"

/* city 1 › district 2 › street 3 › community 4 › grid 5 › compound 6 › building 7 with
 * households 8 (code H-B) and 9 (code H-A); building 10 with household 11. */
static const char tree_sql[] =
    "INSERT INTO places(id, parent_id, level, code, name) VALUES"
    " (1, NULL, 0, 'C', 'city'), (2, 1, 1, 'D', 'district'), (3, 2, 2, 'S', 'street'),"
    " (4, 3, 3, 'M', 'community'), (5, 4, 4, 'G', 'grid'), (6, 5, 5, 'P', 'compound'),"
    " (7, 6, 6, 'B1', 'building 1'), (8, 7, 7, 'H-B', '101'), (9, 7, 7, 'H-A', '102'),"
    " (10, 6, 6, 'B2', 'building 2'), (11, 10, 7, 'H-C', '201');";

static int setup(void **state)
{
	struct tdb *t = calloc(1, sizeof *t);
	tdb_open(t);
	if (db_exec(t->db, tree_sql) != 0)
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tdb *t = *state;
	tdb_close(t);
	free(t);
	return 0;
}

/* A valid person with a resident ID: sex and birth taken from the number. */
static struct people_person person(const char *id, const char *name, int64_t household)
{
	struct people_person p;
	struct mu_why why;
	memset(&p, 0, sizeof p);
	p.id_type = PEOPLE_ID_RESIDENT;
	snprintf(p.id_number, sizeof p.id_number, "%s", id);
	snprintf(p.name, sizeof p.name, "%s", name);
	snprintf(p.phone, sizeof p.phone, "+86 138-0000-0000");
	p.household_id = household;
	if (people_idcard_check(id, &why, &p.birth, &p.sex) != 0)
		fail_msg("test ID %s is not valid: %s", id, why.text);
	return p;
}

/* A valid resident ID for serial n (three digits) born 1980-01-01. */
static void make_id(char out[19], int n)
{
	snprintf(out, 19, "44010619800101%03d", n % 1000);
	out[17] = people_idcard_check_digit(out);
	out[18] = '\0';
}

static int64_t q(struct db *d, const char *sql)
{
	int64_t v = -1;
	assert_int_equal(db_query_i64(d, sql, &v), 0);
	return v;
}

static int64_t n_people(struct db *d, int64_t place)
{
	static const char sql[] = "SELECT n_people FROM places WHERE id = ?";
	struct db_stmt *st;
	assert_int_equal(db_prepare(d, sql, &st), 0);
	db_bind_i64(st, 1, place);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t v = db_col_i64(st, 0);
	db_stmt_done(st);
	return v;
}

/* ---- validation ------------------------------------------------------------------- */

static void expect_invalid(const struct people_person *p, const char *field, const char *why_part)
{
	struct mu_why why = {0};
	assert_int_equal(people_validate(p, &why), MU_EINVAL);
	assert_non_null(why.field);
	assert_string_equal(why.field, field);
	if (!strstr(why.text, why_part))
		fail_msg("reason \"%s\" does not contain \"%s\"", why.text, why_part);
}

static void test_validate_ok(void **state)
{
	(void)state;
	struct mu_why why;
	struct people_person p = person("11010519491231002X", "张三", 8);
	assert_int_equal(people_validate(&p, &why), 0);
	p = person("11010519491231002x", "𠈌𠈌", 8); /* 4-byte characters */
	assert_int_equal(people_validate(&p, &why), 0);
	p.phone[0] = '\0';
	assert_int_equal(people_validate(&p, &why), 0);
	/* 64 three-byte characters is the most a name holds. */
	p.name[0] = '\0';
	for (int i = 0; i < PEOPLE_NAME_MAX; i++)
		strcat(p.name, "名");
	assert_int_equal(people_validate(&p, &why), 0);
	struct people_person pp = p;
	pp.id_type = PEOPLE_ID_PASSPORT;
	strcpy(pp.id_number, "E 1234-5678");
	pp.birth = mu_date_to_days(1900, 1, 1);
	pp.sex = PEOPLE_SEX_M;
	assert_int_equal(people_validate(&pp, &why), 0);
}

static void test_validate_refusals(void **state)
{
	(void)state;
	struct people_person base = person("11010519491231002X", "张三", 8), p;

	p = base, p.id_type = 3;
	expect_invalid(&p, "id_type", "ID type");
	p = base, p.id_number[0] = '\0';
	expect_invalid(&p, "id_number", "required");
	p = base, p.id_type = PEOPLE_ID_OTHER;
	memset(p.id_number, 'A', sizeof p.id_number); /* 33 bytes, no room for NUL */
	expect_invalid(&p, "id_number", "at most 32");
	p = base, p.id_type = PEOPLE_ID_PASSPORT, strcpy(p.id_number, "E12\t34");
	expect_invalid(&p, "id_number", "printable");
	p = base, strcpy(p.id_number, "E1234"), p.id_number[2] = (char)0xE4;
	p.id_type = PEOPLE_ID_OTHER;
	expect_invalid(&p, "id_number", "printable");
	p = base, strcpy(p.id_number, "110105194912310025");
	expect_invalid(&p, "id_number", "resident ID check digit is 5, expected X");
	p = base, strcpy(p.id_number, "1101051949123100");
	expect_invalid(&p, "id_number", "must be 18 characters (got 16)");

	p = base, p.name[0] = '\0';
	expect_invalid(&p, "name", "1 to 64");
	p = base, p.name[0] = '\0';
	for (int i = 0; i < PEOPLE_NAME_MAX + 1; i++)
		strcat(p.name, "a");
	expect_invalid(&p, "name", "(got 65)");
	p = base, strcpy(p.name, "张\n三");
	expect_invalid(&p, "name", "control");
	p = base, strcpy(p.name, "张\xc2\x85三"); /* U+0085, a C1 control */
	expect_invalid(&p, "name", "control");
	/* Bidi controls and zero-width characters (issue 11 #20). */
	p = base, strcpy(p.name, "\u202E\u4E09\u5F20");
	expect_invalid(&p, "name", "invisible character U+202E");
	p = base, strcpy(p.name, "\u5F20\u200B\u4E09");
	expect_invalid(&p, "name", "invisible character U+200B");
	p = base, strcpy(p.name, "\u5F20\uFEFF");
	expect_invalid(&p, "name", "invisible character U+FEFF");
	p = base, strcpy(p.name, "\u2067\u5F20");
	expect_invalid(&p, "name", "invisible character U+2067");
	p = base, strcpy(p.name, "\xe5\xbc\xa0\xe4"); /* truncated UTF-8 */
	expect_invalid(&p, "name", "UTF-8");
	p = base, strcpy(p.name, "\xc0\xaf"); /* overlong */
	expect_invalid(&p, "name", "UTF-8");

	p = base, p.sex = 0;
	expect_invalid(&p, "sex", "M or F");
	p = base, p.sex = PEOPLE_SEX_M; /* the ID says female */
	expect_invalid(&p, "sex", "sex M does not match resident ID (female)");
	struct people_person man = person("310115198506151236", "李四", 8);
	man.sex = PEOPLE_SEX_F;
	expect_invalid(&man, "sex", "sex F does not match resident ID (male)");

	p = base, p.birth += 1;
	expect_invalid(&p, "birth_date",
		       "birth date 1950-01-01 does not match resident ID "
		       "(1949-12-31)");
	p = base, p.id_type = PEOPLE_ID_PASSPORT, p.birth = mu_now_unix() / 86400 + 2;
	expect_invalid(&p, "birth_date", "future");
	p = base, p.id_type = PEOPLE_ID_PASSPORT, p.birth = mu_date_to_days(1899, 12, 31);
	expect_invalid(&p, "birth_date", "before 1900");

	p = base, strcpy(p.phone, "138x0000");
	expect_invalid(&p, "phone", "digits");
	p = base, memset(p.phone, '1', sizeof p.phone); /* 21 digits */
	expect_invalid(&p, "phone", "at most 20");
}

/* ---- add, get, seal -------------------------------------------------------------- */

/* The phone blind index: filled on insert (one loader path for the API, imports and
 * generated cities), shared by a household, searchable in any spelling, never clear. */
static void test_find_phone(void **state)
{
	struct tdb *t = *state;
	struct mu_why why = {0};
	char id[4][19];
	for (int i = 0; i < 4; i++)
		make_id(id[i], 700 + i);
	struct people_person a = person(id[0], "甲", 8);
	struct people_person b = person(id[1], "乙", 8);
	struct people_person c = person(id[2], "丙", 9);
	int64_t ids[4];
	size_t n = 9;
	snprintf(c.phone, sizeof c.phone, "020-8888-6666");
	assert_int_equal(people_add(t->db, &t->keys, &a, &why), 0);
	assert_int_equal(people_add(t->db, &t->keys, &b, &why), 0);
	assert_int_equal(people_add(t->db, &t->keys, &c, &why), 0);
	assert_int_equal(people_find_phone(t->db, &t->keys, "13800000000", ids, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], a.id);
	assert_int_equal(ids[1], b.id);
	assert_int_equal(people_find_phone(t->db, &t->keys, "0086 13800000000", ids, 1, &n), 0);
	assert_int_equal(n, 1); /* at most max */
	assert_int_equal(people_find_phone(t->db, &t->keys, "02088886666", ids, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], c.id);
	assert_int_equal(people_find_phone(t->db, &t->keys, "13900000000", ids, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(people_find_phone(t->db, &t->keys, "12", ids, 4, &n), MU_EINVAL);
	assert_int_equal(q(t->db, "SELECT count(*) FROM people WHERE length(phone_hash) = 16"), 3);
	/* No phone: an empty entry (indexed, nothing to find). */
	struct people_person d = person(id[3], "丁", 9);
	d.phone[0] = '\0';
	assert_int_equal(people_add(t->db, &t->keys, &d, &why), 0);
	assert_int_equal(q(t->db, "SELECT count(*) FROM people WHERE length(phone_hash) = 0"), 1);
	assert_int_equal(q(t->db, "SELECT count(*) FROM people WHERE phone_hash IS NULL"), 0);

	/* An older database: the index is gone; filling it finds everyone again. */
	int64_t filled = -1;
	assert_int_equal(db_exec(t->db, "UPDATE people SET phone_hash = NULL"), 0);
	assert_int_equal(people_find_phone(t->db, &t->keys, "13800000000", ids, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(people_phone_index_fill(t->db, &t->keys, &filled), 0);
	assert_int_equal(filled, 4);
	assert_int_equal(people_find_phone(t->db, &t->keys, "13800000000", ids, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(people_find_phone(t->db, &t->keys, "020 8888 6666", ids, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(q(t->db, "SELECT count(*) FROM people WHERE length(phone_hash) = 0"), 1);
	/* Once filled, nothing is read again. */
	assert_int_equal(people_phone_index_fill(t->db, &t->keys, &filled), 0);
	assert_int_equal(filled, 0);
}

/* The fill goes chunk by chunk: more people than one chunk are all indexed. */
static void test_phone_index_fill_chunks(void **state)
{
	struct tdb *t = *state;
	struct people_loader *l = people_loader_new(t->db, &t->keys);
	char id[19];
	int64_t filled = 0, ids[1];
	size_t n = 0;
	assert_int_equal(db_tx_begin(t->db), 0);
	for (int i = 0; i < 600; i++) {
		struct people_person p;
		make_id(id, i);
		p = person(id, "某", 8);
		snprintf(p.phone, sizeof p.phone, "139%08d", i);
		assert_int_equal(people_loader_add(l, &p, NULL), 0);
	}
	assert_int_equal(people_loader_finish(l), 0);
	assert_int_equal(db_tx_commit(t->db), 0);
	people_loader_free(l);
	assert_int_equal(db_exec(t->db, "UPDATE people SET phone_hash = NULL"), 0);
	assert_int_equal(people_phone_index_fill(t->db, &t->keys, &filled), 0);
	assert_int_equal(filled, 600);
	assert_int_equal(people_find_phone(t->db, &t->keys, "13900000599", ids, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(q(t->db, "SELECT count(*) FROM people WHERE length(phone_hash) = 16"),
			 600);
}

static void test_add_get_round_trip(void **state)
{
	struct tdb *t = *state;
	struct mu_why why = {0};
	struct people_person p = person("11010519491231002x", "测试姓名", 8), got;
	p.party = true;
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
	assert_true(p.id > 0);
	assert_int_equal(people_get(t->db, &t->keys, p.id, &got), 0);
	assert_int_equal(got.id, p.id);
	assert_int_equal(got.household_id, 8);
	assert_int_equal(got.id_type, PEOPLE_ID_RESIDENT);
	assert_string_equal(got.id_number, "11010519491231002X"); /* stored upper case */
	assert_string_equal(got.name, "测试姓名");
	assert_string_equal(got.phone, "+86 138-0000-0000");
	assert_int_equal(got.sex, PEOPLE_SEX_F);
	assert_int_equal(got.birth, mu_date_to_days(1949, 12, 31));
	assert_true(got.party);
	assert_memory_equal(got.code, p.code, PEOPLE_CODE_BYTES);
	assert_int_equal(people_get(t->db, &t->keys, p.id + 100, &got), MU_ENOTFOUND);
	int64_t hh = -1;
	assert_int_equal(people_household_of(t->db, p.id, &hh), 0);
	assert_int_equal(hh, 8);
	assert_int_equal(people_household_of(t->db, p.id + 100, &hh), MU_ENOTFOUND);
	assert_int_equal(hh, 0);
	/* An empty phone survives the trip too. */
	char id[19];
	make_id(id, 7);
	struct people_person p2 = person(id, "王五", 9);
	p2.phone[0] = '\0';
	assert_int_equal(people_add(t->db, &t->keys, &p2, &why), 0);
	assert_int_equal(people_get(t->db, &t->keys, p2.id, &got), 0);
	assert_string_equal(got.phone, "");
	assert_string_equal(got.name, "王五");
	assert_false(got.party);
	assert_memory_not_equal(p.code, p2.code, PEOPLE_CODE_BYTES);
}

static void test_stored_columns(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	struct people_person p = person("310115198506151236", "李四", 9);
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
	assert_int_equal(q(t->db, "SELECT sex FROM people"), 1);
	assert_int_equal(q(t->db, "SELECT birth FROM people"), mu_date_to_days(1985, 6, 15));
	assert_int_equal(q(t->db, "SELECT length(code_secret) FROM people"),
			 PEOPLE_CODE_SECRET_BYTES);
	assert_int_equal(q(t->db, "SELECT length(id_hash) FROM people"), PEOPLE_HASH_BYTES);
	/* nonce 24 + name 6 + 1 + phone 17 + 1 + id 18 + tag 16 */
	assert_int_equal(q(t->db, "SELECT length(sealed) FROM people"),
			 24 + 6 + 1 + 17 + 1 + 18 + 16);
	assert_int_equal(q(t->db, "SELECT typeof(sealed) = 'blob' FROM people"), 1);
}

static void flip_sealed_byte(struct db *d, int64_t id, int at)
{
	static const char sel[] = "SELECT sealed FROM people WHERE id = ?";
	static const char upd[] = "UPDATE people SET sealed = ? WHERE id = ?";
	unsigned char blob[512];
	struct db_stmt *st;
	assert_int_equal(db_prepare(d, sel, &st), 0);
	db_bind_i64(st, 1, id);
	assert_int_equal(db_step(st), DB_ROW);
	int n = db_col_bytes(st, 0);
	assert_true(n > at && n <= (int)sizeof blob);
	memcpy(blob, db_col_blob(st, 0), (size_t)n);
	db_stmt_done(st);
	blob[at] ^= 0x01;
	assert_int_equal(db_prepare(d, upd, &st), 0);
	db_bind_blob(st, 1, blob, n);
	db_bind_i64(st, 2, id);
	assert_int_equal(db_step(st), DB_DONE);
	db_stmt_done(st);
}

static void test_tampered(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	struct people_person p = person("11010519491231002X", "张三", 8), got;
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
	flip_sealed_byte(t->db, p.id, 30); /* ciphertext */
	assert_int_equal(people_get(t->db, &t->keys, p.id, &got), MU_ECRYPTO);
	flip_sealed_byte(t->db, p.id, 30);
	assert_int_equal(people_get(t->db, &t->keys, p.id, &got), 0);
	flip_sealed_byte(t->db, p.id, 3); /* nonce */
	assert_int_equal(people_get(t->db, &t->keys, p.id, &got), MU_ECRYPTO);
	flip_sealed_byte(t->db, p.id, 3);
	/* Moving a sealed blob to another person's id_hash breaks the additional data. */
	assert_int_equal(db_exec(t->db, "UPDATE people SET id_hash = zeroblob(16)"), 0);
	assert_int_equal(people_get(t->db, &t->keys, p.id, &got), MU_ECRYPTO);
	assert_int_equal(db_exec(t->db, "UPDATE people SET sealed = x'00'"), 0);
	assert_int_equal(people_get(t->db, &t->keys, p.id, &got), MU_ECRYPTO);
}

static void test_wrong_key(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	struct people_person p = person("11010519491231002X", "张三", 8), got;
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
	struct people_keys other = t->keys;
	other.seal[31] ^= 0x80;
	assert_int_equal(people_get(t->db, &other, p.id, &got), MU_ECRYPTO);
	/* With another code key the code opens to a different id or secret: not found. */
	other.code[0] ^= 1;
	assert_int_equal(people_find_code(t->db, &other, p.code, &got), MU_ENOTFOUND);
	/* A whole different key file. */
	char path2[160];
	struct people_keys k2;
	snprintf(path2, sizeof path2, "%s/other.db", t->dir);
	assert_int_equal(people_keys_create(path2), 0);
	assert_int_equal(people_keys_load(path2, &k2), 0);
	assert_int_equal(people_get(t->db, &k2, p.id, &got), MU_ECRYPTO);
	assert_int_equal(people_find_id(t->db, &k2, PEOPLE_ID_RESIDENT, p.id_number, &got),
			 MU_ENOTFOUND);
}

static bool file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	size_t r;
	while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	bool found = memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

static void test_no_plaintext_in_file(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	char wal[200];
	struct people_person p = person("11010519491231002X", "测试姓名", 8);
	snprintf(p.phone, sizeof p.phone, "13912345678");
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
	/* The scan can see plaintext: a place name is stored in the clear. */
	assert_int_equal(db_exec(t->db, "UPDATE places SET name = '明文地名' WHERE id = 11"), 0);
	snprintf(wal, sizeof wal, "%s-wal", t->path);
	bool in_wal_before = file_contains(wal, "明文地名") || file_contains(t->path, "明文地名");
	assert_true(in_wal_before);
	assert_false(file_contains(wal, "测试姓名"));
	assert_false(file_contains(wal, "13912345678"));
	assert_false(file_contains(wal, "11010519491231002X"));
	db_close(t->db);
	t->db = NULL;
	assert_true(file_contains(t->path, "明文地名"));
	assert_false(file_contains(t->path, "测试姓名"));
	assert_false(file_contains(t->path, "13912345678"));
	assert_false(file_contains(t->path, "11010519491231002X"));
	assert_false(file_contains(wal, "测试姓名"));
}

/* ---- refusals leave nothing behind ---------------------------------------------------- */

static void test_duplicate(void **state)
{
	struct tdb *t = *state;
	struct mu_why why = {0};
	struct people_person p = person("11010519491231002X", "张三", 8);
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
	struct people_person dup = person("11010519491231002x", "张三丰", 9);
	dup.id = -5;
	assert_int_equal(people_add(t->db, &t->keys, &dup, &why), MU_EEXIST);
	assert_string_equal(why.text, "ID number already recorded");
	assert_int_equal(dup.id, -5);
	assert_int_equal(q(t->db, "SELECT count(*) FROM people"), 1);
	assert_int_equal(n_people(t->db, 9), 0);
	assert_int_equal(n_people(t->db, 8), 1);
	assert_int_equal(n_people(t->db, 1), 1);
	/* The same number as a passport is another document. */
	dup.id_type = PEOPLE_ID_PASSPORT;
	assert_int_equal(people_add(t->db, &t->keys, &dup, &why), 0);
	assert_int_equal(q(t->db, "SELECT count(*) FROM people"), 2);
}

static void test_household_check(void **state)
{
	struct tdb *t = *state;
	struct mu_why why = {0};
	struct people_person p = person("11010519491231002X", "张三", 7); /* a building */
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), MU_ENOTFOUND);
	assert_non_null(strstr(why.text, "not a household"));
	p.household_id = 999;
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), MU_ENOTFOUND);
	p = person("11010519491231002X", "", 8);
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), MU_EINVAL);
	assert_non_null(strstr(why.text, "name"));
	assert_int_equal(q(t->db, "SELECT count(*) FROM people"), 0);
	assert_int_equal(n_people(t->db, 1), 0);
	assert_int_equal(db_tx_depth(t->db), 0);
}

/* ---- lookups ------------------------------------------------------------------------ */

static void test_find_code_and_id(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	char text[PEOPLE_CODE_LEN + 1];
	unsigned char raw[PEOPLE_CODE_BYTES];
	struct people_person a = person("11010519491231002X", "张三", 8);
	struct people_person b = person("310115198506151236", "李四", 9), got;
	b.id_type = PEOPLE_ID_PASSPORT; /* a passport number that looks like an ID */
	strcpy(b.id_number, "e1234567x");
	assert_int_equal(people_add(t->db, &t->keys, &a, &why), 0);
	assert_int_equal(people_add(t->db, &t->keys, &b, &why), 0);

	people_code_format(a.code, text);
	for (char *c = text; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	assert_int_equal(people_code_parse(text, raw), 0);
	assert_int_equal(people_find_code(t->db, &t->keys, raw, &got), 0);
	assert_int_equal(got.id, a.id);
	assert_string_equal(got.name, "张三");
	assert_int_equal(people_find_code(t->db, &t->keys, b.code, &got), 0);
	assert_int_equal(got.id, b.id);
	raw[0] ^= 1;
	assert_int_equal(people_find_code(t->db, &t->keys, raw, &got), MU_ENOTFOUND);
	/* The secret is what makes a code genuine: the right id with a wrong secret fails. */
	{
		int64_t id;
		unsigned char secret[PEOPLE_CODE_SECRET_BYTES], forged[PEOPLE_CODE_BYTES];
		people_code_open(&t->keys, a.code, &id, secret);
		assert_int_equal(id, a.id);
		secret[5] ^= 0x10;
		people_code_make(&t->keys, id, secret, forged);
		assert_int_equal(people_find_code(t->db, &t->keys, forged, &got), MU_ENOTFOUND);
		/* A code for an id that does not exist. */
		people_code_make(&t->keys, a.id + 1000, secret, forged);
		assert_int_equal(people_find_code(t->db, &t->keys, forged, &got), MU_ENOTFOUND);
	}

	assert_int_equal(
	    people_find_id(t->db, &t->keys, PEOPLE_ID_RESIDENT, "11010519491231002x", &got), 0);
	assert_int_equal(got.id, a.id);
	assert_int_equal(
	    people_find_id(t->db, &t->keys, PEOPLE_ID_RESIDENT, "11010519491231002X", &got), 0);
	assert_int_equal(got.id, a.id);
	assert_int_equal(
	    people_find_id(t->db, &t->keys, PEOPLE_ID_PASSPORT, "11010519491231002X", &got),
	    MU_ENOTFOUND);
	assert_int_equal(people_find_id(t->db, &t->keys, PEOPLE_ID_PASSPORT, "e1234567x", &got), 0);
	assert_int_equal(got.id, b.id);
	assert_string_equal(got.id_number, "e1234567x"); /* passports keep their case */
	assert_int_equal(people_find_id(t->db, &t->keys, PEOPLE_ID_PASSPORT, "E1234567X", &got),
			 MU_ENOTFOUND);
}

/* ---- the loader and the counts --------------------------------------------------------- */

static void test_loader_counts(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	char id[19];
	struct people_loader *l = people_loader_new(t->db, &t->keys);
	assert_int_equal(db_tx_begin(t->db), 0);
	for (int i = 0; i < 5; i++) {
		make_id(id, i);
		struct people_person p = person(id, "甲", i < 3 ? 8 : 9);
		assert_int_equal(people_loader_add(l, &p, &why), 0);
	}
	make_id(id, 50);
	struct people_person tr = person(id, "乙", 9);
	assert_int_equal(people_loader_add_trusted(l, &tr), 0);
	assert_true(tr.id > 0);
	/* A refused person in the middle counts for nothing. */
	make_id(id, 0);
	struct people_person dup = person(id, "丙", 11);
	assert_int_equal(people_loader_add(l, &dup, &why), MU_EEXIST);
	/* Nothing counted before finish. */
	assert_int_equal(n_people(t->db, 1), 0);
	assert_int_equal(people_loader_finish(l), 0);
	assert_int_equal(db_tx_commit(t->db), 0);
	people_loader_free(l);

	assert_int_equal(n_people(t->db, 8), 3);
	assert_int_equal(n_people(t->db, 9), 3);
	assert_int_equal(n_people(t->db, 7), 6);
	for (int64_t anc = 1; anc <= 6; anc++)
		assert_int_equal(n_people(t->db, anc), 6);
	assert_int_equal(n_people(t->db, 10), 0);
	assert_int_equal(n_people(t->db, 11), 0);

	make_id(id, 99);
	struct people_person p = person(id, "丁", 11);
	assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
	assert_int_equal(n_people(t->db, 11), 1);
	assert_int_equal(n_people(t->db, 10), 1);
	assert_int_equal(n_people(t->db, 7), 6);
	assert_int_equal(n_people(t->db, 1), 7);
	assert_int_equal(q(t->db, "SELECT count(*) FROM people"), 7);
	people_loader_free(NULL);
}

static void test_loader_many_households(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	char id[32];
	/* 300 households under building 10: the count map grows several times. */
	static const char ins[] = "INSERT INTO places(id, parent_id, level, code, name) "
				  "VALUES (?, 10, 7, ?, 'h')";
	for (int i = 0; i < 300; i++) {
		struct db_stmt *st;
		char code[16];
		snprintf(code, sizeof code, "X%03d", i);
		assert_int_equal(db_prepare(t->db, ins, &st), 0);
		db_bind_i64(st, 1, 100 + i);
		db_bind_text(st, 2, code, -1);
		assert_int_equal(db_step(st), DB_DONE);
		db_stmt_done(st);
	}
	struct people_loader *l = people_loader_new(t->db, &t->keys);
	assert_int_equal(db_tx_begin(t->db), 0);
	for (int i = 0; i < 900; i++) {
		snprintf(id, sizeof id, "4401061980%02d%02d%03d", 1 + i % 12, 1 + i % 28, i / 9);
		id[17] = people_idcard_check_digit(id);
		id[18] = '\0';
		struct people_person p = person(id, "某", 100 + i % 300);
		if (people_loader_add(l, &p, &why) != 0)
			fail_msg("person %d (%s) refused: %s", i, id, why.text);
	}
	assert_int_equal(people_loader_finish(l), 0);
	/* A second finish adds nothing more. */
	assert_int_equal(people_loader_finish(l), 0);
	assert_int_equal(db_tx_commit(t->db), 0);
	people_loader_free(l);
	assert_int_equal(n_people(t->db, 10), 900);
	assert_int_equal(n_people(t->db, 1), 900);
	assert_int_equal(n_people(t->db, 100), 3);
	assert_int_equal(n_people(t->db, 399), 3);
	assert_int_equal(q(t->db, "SELECT count(DISTINCT code_secret) FROM people"), 900);
}

static void test_sealer_add_sealed(void **state)
{
	struct tdb *t = *state;
	struct mu_why why = {0};
	struct people_sealer *s = people_sealer_new(&t->keys);
	struct people_loader *l = people_loader_new(t->db, &t->keys);
	struct people_sealed a, b;
	struct people_person got;

	struct people_person p = person("11010519491231002x", "封存", 8);
	p.party = true;
	assert_int_equal(people_sealer_seal(s, &p, &a), 0);
	assert_true(a.blob_len > 0 && a.blob_len <= PEOPLE_SEALED_MAX);
	/* The same hash as any lookup computes; a second seal draws a fresh secret. */
	unsigned char hash[PEOPLE_HASH_BYTES];
	people_id_hash(&t->keys, PEOPLE_ID_RESIDENT, "11010519491231002X", hash);
	assert_memory_equal(a.id_hash, hash, PEOPLE_HASH_BYTES);
	assert_int_equal(people_sealer_seal(s, &p, &b), 0);
	assert_memory_equal(b.id_hash, hash, PEOPLE_HASH_BYTES);
	assert_memory_not_equal(a.secret, b.secret, PEOPLE_CODE_SECRET_BYTES);

	assert_int_equal(db_tx_begin(t->db), 0);
	assert_int_equal(people_loader_add_sealed(l, &a, &why), 0);
	assert_true(a.p.id > 0);
	/* The same ID number again, sealed apart, is refused and leaves nothing. */
	b.p.household_id = 9;
	b.p.id = -5;
	assert_int_equal(people_loader_add_sealed(l, &b, &why), MU_EEXIST);
	assert_string_equal(why.text, "ID number already recorded");
	assert_int_equal(b.p.id, -5);
	/* Unknown households and places that are not households. */
	char id[19];
	make_id(id, 3);
	p = person(id, "无户", 999);
	assert_int_equal(people_sealer_seal(s, &p, &b), 0);
	assert_int_equal(people_loader_add_sealed(l, &b, &why), MU_ENOTFOUND);
	assert_non_null(strstr(why.text, "not a household"));
	b.p.household_id = 7; /* a building */
	assert_int_equal(people_loader_add_sealed(l, &b, &why), MU_ENOTFOUND);
	b.p.household_id = 11;
	assert_int_equal(people_loader_add_sealed(l, &b, &why), 0);
	assert_int_equal(people_loader_finish(l), 0);
	assert_int_equal(db_tx_commit(t->db), 0);

	assert_int_equal(q(t->db, "SELECT count(*) FROM people"), 2);
	assert_int_equal(n_people(t->db, 8), 1);
	assert_int_equal(n_people(t->db, 9), 0);
	assert_int_equal(n_people(t->db, 11), 1);
	assert_int_equal(n_people(t->db, 1), 2);
	assert_int_equal(people_get(t->db, &t->keys, a.p.id, &got), 0);
	assert_int_equal(got.household_id, 8);
	assert_string_equal(got.id_number, "11010519491231002X");
	assert_string_equal(got.name, "封存");
	assert_string_equal(got.phone, "+86 138-0000-0000");
	assert_int_equal(got.sex, PEOPLE_SEX_F);
	assert_int_equal(got.birth, mu_date_to_days(1949, 12, 31));
	assert_true(got.party);
	/* The code is made from the row's secret, so it finds the person back. */
	struct people_person byc;
	assert_int_equal(people_find_code(t->db, &t->keys, got.code, &byc), 0);
	assert_int_equal(byc.id, a.p.id);
	assert_int_equal(people_find_id(t->db, &t->keys, PEOPLE_ID_RESIDENT, id, &byc), 0);
	assert_int_equal(byc.id, b.p.id);
	assert_string_equal(byc.name, "无户");

	people_loader_free(l);
	people_sealer_free(s);
	people_sealer_free(NULL);
}

/* ---- walk ----------------------------------------------------------------------------- */

struct seen {
	int n;
	int64_t ids[16], households[16];
	int stop_after;
};

static int collect(const struct people_person *p, void *ctx)
{
	struct seen *s = ctx;
	s->ids[s->n] = p->id;
	s->households[s->n] = p->household_id;
	s->n++;
	if (strcmp(p->name, "") == 0)
		return -99;
	return s->stop_after && s->n == s->stop_after ? 42 : 0;
}

static void test_walk(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	char id[19];
	int64_t hh[] = {8, 9, 8, 11, 9};
	int64_t ids[5];
	for (int i = 0; i < 5; i++) {
		make_id(id, i);
		struct people_person p = person(id, "某人", hh[i]);
		assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
		ids[i] = p.id;
	}
	/* Household order is by code: H-A (9), H-B (8), H-C (11); then person id. */
	struct seen s = {0};
	assert_int_equal(people_walk(t->db, &t->keys, 1, collect, &s), 0);
	assert_int_equal(s.n, 5);
	int64_t want[] = {ids[1], ids[4], ids[0], ids[2], ids[3]};
	for (int i = 0; i < 5; i++)
		assert_int_equal(s.ids[i], want[i]);

	memset(&s, 0, sizeof s);
	assert_int_equal(people_walk(t->db, &t->keys, 10, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ids[0], ids[3]);

	memset(&s, 0, sizeof s);
	assert_int_equal(people_walk(t->db, &t->keys, 8, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.households[0], 8);

	memset(&s, 0, sizeof s);
	s.stop_after = 2;
	assert_int_equal(people_walk(t->db, &t->keys, 1, collect, &s), 42);
	assert_int_equal(s.n, 2);

	memset(&s, 0, sizeof s);
	assert_int_equal(people_walk(t->db, &t->keys, 12345, collect, &s), 0);
	assert_int_equal(s.n, 0);

	/* A tampered record stops the walk with MU_ECRYPTO. */
	flip_sealed_byte(t->db, ids[4], 40);
	memset(&s, 0, sizeof s);
	assert_int_equal(people_walk(t->db, &t->keys, 1, collect, &s), MU_ECRYPTO);
	assert_int_equal(s.n, 1);
	/* The statement was handed back: a second walk works. */
	memset(&s, 0, sizeof s);
	assert_int_equal(people_walk(t->db, &t->keys, 10, collect, &s), 0);
	assert_int_equal(s.n, 1);
}

/* ---- who lives where: the reads other capabilities make ---------------------------- */

static int note_member(int64_t id, void *ctx)
{
	struct seen *s = ctx;
	s->ids[s->n++] = id;
	return s->stop_after && s->n == s->stop_after ? 42 : 0;
}

static void test_where_people_live(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	char id[19], text[PEOPLE_CODE_LEN + 1];
	int64_t hh[] = {8, 9, 8, 11};
	int64_t ids[4], got, got_hh, max = -1;
	assert_int_equal(people_max_id(t->db, &max), 0);
	assert_int_equal(max, 0);
	for (int i = 0; i < 4; i++) {
		make_id(id, i);
		struct people_person p = person(id, "某人", hh[i]);
		assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
		ids[i] = p.id;
	}
	struct people_person pp = person("440106198001011230", "护照人", 11);
	pp.id_type = PEOPLE_ID_PASSPORT;
	strcpy(pp.id_number, "E1234567");
	assert_int_equal(people_add(t->db, &t->keys, &pp, &why), 0);
	assert_int_equal(people_max_id(t->db, &max), 0);
	assert_int_equal(max, pp.id);

	assert_int_equal(people_household_of(t->db, ids[3], &got), 0);
	assert_int_equal(got, 11);
	assert_int_equal(people_household_of(t->db, 999, &got), MU_ENOTFOUND);
	int64_t who[] = {ids[2], 999, ids[1]}, where[3];
	assert_int_equal(people_households_of(t->db, who, 3, where), 0);
	assert_int_equal(where[0], 8);
	assert_int_equal(where[1], 0);
	assert_int_equal(where[2], 9);
	assert_int_equal(people_households_of(t->db, NULL, 0, NULL), 0);

	struct seen s = {0};
	assert_int_equal(people_household_members(t->db, 8, 0, note_member, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ids[0], ids[0]);
	assert_int_equal(s.ids[1], ids[2]);
	memset(&s, 0, sizeof s);
	assert_int_equal(people_household_members(t->db, 8, ids[0], note_member, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ids[0], ids[2]);
	memset(&s, 0, sizeof s);
	s.stop_after = 1;
	assert_int_equal(people_household_members(t->db, 8, 0, note_member, &s), 42);
	memset(&s, 0, sizeof s);
	assert_int_equal(people_household_members(t->db, 7, 0, note_member, &s), 0);
	assert_int_equal(s.n, 0);

	/* By personal code, resident ID, passport; unknown text and a forged code. */
	struct people_person back;
	assert_int_equal(people_get(t->db, &t->keys, ids[1], &back), 0);
	people_code_format(back.code, text);
	assert_int_equal(people_resolve(t->db, &t->keys, text, &got, &got_hh), 0);
	assert_int_equal(got, ids[1]);
	assert_int_equal(got_hh, 9);
	back.code[15] ^= 1;
	people_code_format(back.code, text);
	assert_int_equal(people_resolve(t->db, &t->keys, text, &got, &got_hh), MU_ENOTFOUND);
	make_id(id, 3);
	assert_int_equal(people_resolve(t->db, &t->keys, id, &got, &got_hh), 0);
	assert_int_equal(got, ids[3]);
	assert_int_equal(got_hh, 11);
	assert_int_equal(people_resolve(t->db, &t->keys, "E1234567", &got, &got_hh), 0);
	assert_int_equal(got, pp.id);
	assert_int_equal(people_resolve(t->db, &t->keys, "E7654321", &got, &got_hh), MU_ENOTFOUND);
	assert_int_equal(got, 0);

	/* The recount puts the tree's counts back from the rows. */
	assert_int_equal(db_exec(t->db, "UPDATE places SET n_people = 77"), 0);
	assert_int_equal(people_counts_rebuild(t->db), 0);
	assert_int_equal(n_people(t->db, 1), 5);
	assert_int_equal(n_people(t->db, 8), 2);
	assert_int_equal(n_people(t->db, 10), 2);
	assert_int_equal(n_people(t->db, 9), 1);
}

/* ---- the checkpoint's view: name masks and the codebook ---------------------------- */

static void expect_mask(const char *name, const char *want)
{
	struct people_mask m;
	char out[PEOPLE_MASK_MAX + 1];
	people_mask_of(name, &m);
	assert_int_equal(people_mask_text(&m, out), strlen(want));
	assert_string_equal(out, want);
}

static void test_mask(void **state)
{
	(void)state;
	expect_mask("张三明", "张*明");
	expect_mask("张三", "张*");
	expect_mask("张", "*");
	expect_mask("", "");
	expect_mask("欧阳娜娜", "欧**娜");
	expect_mask("John Smith", "J********h");
	expect_mask("阿卜杜热合曼·买买提", "阿********提");
	/* 64 code points, the most a name may have: first, 62 stars, last. */
	char name[64 * 3 + 1] = "", want[PEOPLE_MASK_MAX + 1] = "甲";
	for (int i = 0; i < 64; i++)
		strcat(name, i == 63 ? "乙" : "甲");
	for (int i = 0; i < 62; i++)
		strcat(want, "*");
	strcat(want, "乙");
	expect_mask(name, want);
	/* A four-byte code point first and last. */
	expect_mask("\U0002000B中\U00020021", "\U0002000B*\U00020021");
}

static void expect_phone(const char *phone, const char *want)
{
	char out[PEOPLE_PHONE_MAX + 1];
	people_phone_mask(phone, out);
	assert_string_equal(out, want);
}

static void test_phone_mask(void **state)
{
	(void)state;
	expect_phone("13812345678", "138****5678");
	expect_phone("+86 138-1234-5678", "+86 1**-****-5678");
	expect_phone("020-83331234", "020-****1234");
	expect_phone("83331234", "******34");
	expect_phone("123", "***");
	expect_phone("", "");
	/* 20 bytes, the most a phone may have: the mask never writes past it. */
	expect_phone("12345678901234567890", "123*************7890");
}

/* Waits (≤ 10 s) for the codebook's build to end. */
static void wait_ready(const struct people_codebook *cb, int64_t *n)
{
	for (int i = 0; i < 1000 && !people_codebook_ready(cb, n); i++)
		usleep(10000);
	assert_true(people_codebook_ready(cb, n));
}

static void test_codebook(void **state)
{
	struct tdb *t = *state;
	static const char *names[] = {"张三明", "李四", "王", "欧阳娜娜", "Maria Lopez"};
	struct people_person ps[5];
	struct mu_why why;
	char id[19];
	for (int i = 0; i < 5; i++) {
		make_id(id, 100 + i);
		ps[i] = person(id, names[i], i % 2 ? 8 : 11);
		assert_int_equal(people_add(t->db, &t->keys, &ps[i], &why), 0);
	}
	/* A row whose sealed fields do not open is left out: its lookup reads the row,
	 * which refuses it as before. */
	flip_sealed_byte(t->db, ps[4].id, 30);

	struct people_codebook *cb = NULL;
	int64_t n = -1;
	assert_int_equal(people_codebook_start(t->path, &t->keys, &cb), 0);
	wait_ready(cb, &n);
	assert_int_equal(n, 4);

	struct people_mask m;
	bool genuine;
	int64_t pid;
	unsigned char secret[PEOPLE_CODE_SECRET_BYTES];
	for (int i = 0; i < 4; i++) {
		char got[PEOPLE_MASK_MAX + 1], want[PEOPLE_MASK_MAX + 1];
		struct people_mask wm;
		people_code_open(&t->keys, ps[i].code, &pid, secret);
		assert_int_equal(pid, ps[i].id);
		assert_true(people_codebook_find(cb, pid, secret, &genuine, &m));
		assert_true(genuine);
		people_mask_text(&m, got);
		people_mask_of(names[i], &wm);
		people_mask_text(&wm, want);
		assert_string_equal(got, want);
		/* Any other secret for the same row is not that person's code. */
		secret[3] ^= 0x40;
		assert_true(people_codebook_find(cb, pid, secret, &genuine, &m));
		assert_false(genuine);
	}
	people_code_open(&t->keys, ps[4].code, &pid, secret);
	assert_false(people_codebook_find(cb, pid, secret, &genuine, &m));
	assert_false(people_codebook_find(cb, 0, secret, &genuine, &m));
	assert_false(people_codebook_find(cb, -7, secret, &genuine, &m));
	assert_false(people_codebook_find(NULL, ps[0].id, secret, &genuine, &m));

	/* Someone added after the build is not in it: their lookup reads the row. */
	make_id(id, 200);
	struct people_person late = person(id, "赵六", 9);
	assert_int_equal(people_add(t->db, &t->keys, &late, &why), 0);
	people_code_open(&t->keys, late.code, &pid, secret);
	assert_false(people_codebook_find(cb, pid, secret, &genuine, &m));
	struct people_person got;
	assert_int_equal(people_find_code(t->db, &t->keys, late.code, &got), 0);
	assert_string_equal(got.name, "赵六");
	people_codebook_free(cb);
	people_codebook_free(NULL);
}

static void test_codebook_stopped(void **state)
{
	struct tdb *t = *state;
	struct mu_why why;
	char id[19];
	for (int i = 0; i < 50; i++) {
		make_id(id, 300 + i);
		struct people_person p = person(id, "某人", 8);
		assert_int_equal(people_add(t->db, &t->keys, &p, &why), 0);
	}
	/* Freed while (perhaps) still building: the thread stops and nothing leaks. */
	struct people_codebook *cb = NULL;
	assert_int_equal(people_codebook_start(t->path, &t->keys, &cb), 0);
	people_codebook_free(cb);
	/* Over an empty people table: ready at once, nobody in it. */
	assert_int_equal(db_exec(t->db, "DELETE FROM people"), 0);
	int64_t n = -1;
	assert_int_equal(people_codebook_start(t->path, &t->keys, &cb), 0);
	wait_ready(cb, &n);
	assert_int_equal(n, 0);
	people_codebook_free(cb);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_validate_ok),
	    cmocka_unit_test(test_validate_refusals),
	    T(test_find_phone),
	    T(test_phone_index_fill_chunks),
	    T(test_add_get_round_trip),
	    T(test_stored_columns),
	    T(test_tampered),
	    T(test_wrong_key),
	    T(test_no_plaintext_in_file),
	    T(test_duplicate),
	    T(test_household_check),
	    T(test_find_code_and_id),
	    T(test_loader_counts),
	    T(test_loader_many_households),
	    T(test_sealer_add_sealed),
	    T(test_walk),
	    T(test_where_people_live),
	    cmocka_unit_test(test_mask),
	    cmocka_unit_test(test_phone_mask),
	    T(test_codebook),
	    T(test_codebook_stopped),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
