/* test_seal.c: the key file (created 0600, never overwritten, refused when open to
 * others or malformed), the derived keys and the keyed ID hash. */
#include <fcntl.h>
#include <sys/stat.h>

#include "testutil.h"

struct dir {
	char dir[64];
	char db[128];
	char key[160];
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof *d);
	strcpy(d->dir, "/tmp/muster-seal.XXXXXX");
	if (!mkdtemp(d->dir))
		return -1;
	snprintf(d->db, sizeof d->db, "%s/x.db", d->dir);
	people_keyfile_path(d->db, d->key, sizeof d->key);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
	int rc = system(cmd);
	free(d);
	return rc;
}

static void test_keyfile_path(void **state)
{
	(void)state;
	char out[64];
	people_keyfile_path("/var/lib/muster/city.db", out, sizeof out);
	assert_string_equal(out, "/var/lib/muster/city.db.key");
}

static void test_create_mode_and_format(void **state)
{
	struct dir *d = *state;
	struct stat st;
	assert_int_equal(people_keys_create(d->db), 0);
	assert_int_equal(stat(d->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 65);
	FILE *f = fopen(d->key, "r");
	assert_non_null(f);
	char text[80] = {0};
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	assert_int_equal(n, 65);
	assert_int_equal(text[64], '\n');
	for (int i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", text[i]));
}

static void test_create_refuses_overwrite(void **state)
{
	struct dir *d = *state;
	struct people_keys a, b;
	assert_int_equal(people_keys_create(d->db), 0);
	assert_int_equal(people_keys_load(d->db, &a), 0);
	assert_int_equal(people_keys_create(d->db), MU_EEXIST);
	assert_int_equal(people_keys_load(d->db, &b), 0);
	assert_memory_equal(&a, &b, sizeof a);
}

static void test_load_refuses_open_modes(void **state)
{
	struct dir *d = *state;
	struct people_keys k;
	assert_int_equal(people_keys_create(d->db), 0);
	assert_int_equal(chmod(d->key, 0644), 0);
	assert_int_equal(people_keys_load(d->db, &k), MU_EFORBIDDEN);
	assert_int_equal(chmod(d->key, 0640), 0);
	assert_int_equal(people_keys_load(d->db, &k), MU_EFORBIDDEN);
	assert_int_equal(chmod(d->key, 0602), 0);
	assert_int_equal(people_keys_load(d->db, &k), MU_EFORBIDDEN);
	assert_int_equal(chmod(d->key, 0400), 0);
	assert_int_equal(people_keys_load(d->db, &k), 0);
}

static void test_load_missing_and_malformed(void **state)
{
	struct dir *d = *state;
	struct people_keys k;
	assert_int_equal(people_keys_load(d->db, &k), MU_ENOTFOUND);
	static const char *const bad[] = {
	    "",
	    "00112233\n",
	    "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00\n",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		unlink(d->key);
		int fd = open(d->key, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, bad[i], strlen(bad[i])), (ssize_t)strlen(bad[i]));
		close(fd);
		if (people_keys_load(d->db, &k) != MU_EIO)
			fail_msg("malformed key file %zu was accepted", i);
	}
	/* Without the final newline it is still a key. */
	unlink(d->key);
	int fd = open(d->key, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	const char *good = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	assert_int_equal(write(fd, good, 64), 64);
	close(fd);
	assert_int_equal(people_keys_load(d->db, &k), 0);
}

static void test_subkeys_differ(void **state)
{
	struct dir *d = *state;
	struct people_keys k;
	static const unsigned char zero[32];
	assert_int_equal(people_keys_create(d->db), 0);
	assert_int_equal(people_keys_load(d->db, &k), 0);
	assert_memory_not_equal(k.seal, k.hash, 32);
	assert_memory_not_equal(k.seal, zero, 32);
	assert_memory_not_equal(k.hash, zero, 32);
}

static void test_id_hash(void **state)
{
	struct dir *d = *state;
	struct people_keys k, k2;
	unsigned char a[PEOPLE_HASH_BYTES], b[PEOPLE_HASH_BYTES];
	assert_int_equal(people_keys_create(d->db), 0);
	assert_int_equal(people_keys_load(d->db, &k), 0);
	people_id_hash(&k, PEOPLE_ID_RESIDENT, "11010519491231002X", a);
	people_id_hash(&k, PEOPLE_ID_RESIDENT, "11010519491231002x", b);
	assert_memory_equal(a, b, sizeof a);
	/* The type is part of the hash; passports keep their case. */
	people_id_hash(&k, PEOPLE_ID_PASSPORT, "11010519491231002X", b);
	assert_memory_not_equal(a, b, sizeof a);
	people_id_hash(&k, PEOPLE_ID_PASSPORT, "e12345678", a);
	people_id_hash(&k, PEOPLE_ID_PASSPORT, "E12345678", b);
	assert_memory_not_equal(a, b, sizeof a);
	/* Keyed: another key, another hash. */
	k2 = k;
	k2.hash[0] ^= 1;
	people_id_hash(&k2, PEOPLE_ID_PASSPORT, "E12345678", a);
	assert_memory_not_equal(a, b, sizeof a);
}

static void test_phone_normalise(void **state)
{
	char out[PEOPLE_PHONE_MAX + 1];
	(void)state;
	static const char *const same[] = {"13800138000", "+86 138-0013-8000", "0086 13800138000",
					   "86 138 0013 8000", "138-0013-8000"};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		assert_int_equal(people_phone_normalise(same[i], out), 11);
		assert_string_equal(out, "13800138000");
	}
	/* A landline keeps its area code; 86 is dropped only before 11 digits. */
	assert_int_equal(people_phone_normalise("020-8888 6666", out), 11);
	assert_string_equal(out, "02088886666");
	assert_int_equal(people_phone_normalise("8620888866", out), 10);
	assert_string_equal(out, "8620888866");
	/* Too short to index (and nothing of it is left in out). */
	assert_int_equal(people_phone_normalise("1234", out), 0);
	assert_string_equal(out, "");
	assert_int_equal(people_phone_normalise("", out), 0);
	assert_int_equal(people_phone_normalise("+-  -", out), 0);
}

static void test_phone_hash(void **state)
{
	struct dir *d = *state;
	struct people_keys k, k2;
	unsigned char a[PEOPLE_HASH_BYTES], b[PEOPLE_HASH_BYTES];
	assert_int_equal(people_keys_create(d->db), 0);
	assert_int_equal(people_keys_load(d->db, &k), 0);
	assert_memory_not_equal(k.phone, k.hash, 32);
	assert_memory_not_equal(k.phone, k.seal, 32);
	assert_int_equal(people_phone_hash(&k, "13800138000", a), 0);
	assert_int_equal(people_phone_hash(&k, "+86 138-0013-8000", b), 0);
	assert_memory_equal(a, b, sizeof a);
	assert_int_equal(people_phone_hash(&k, "13800138001", b), 0);
	assert_memory_not_equal(a, b, sizeof a);
	/* Not the ID hash of the same text: a subkey of its own. */
	people_id_hash(&k, PEOPLE_ID_OTHER, "13800138000", b);
	assert_memory_not_equal(a, b, sizeof a);
	/* Keyed: another key file, another index. */
	k2 = k;
	k2.phone[0] ^= 1;
	assert_int_equal(people_phone_hash(&k2, "13800138000", b), 0);
	assert_memory_not_equal(a, b, sizeof a);
	assert_int_equal(people_phone_hash(&k, "12", b), MU_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keyfile_path),
	    cmocka_unit_test_setup_teardown(test_create_mode_and_format, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_refuses_overwrite, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_load_refuses_open_modes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_load_missing_and_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_subkeys_differ, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_id_hash, setup, teardown),
	    cmocka_unit_test(test_phone_normalise),
	    cmocka_unit_test_setup_teardown(test_phone_hash, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
