/* users.c: user accounts — name rules, argon2id password hashes (libsodium), adding,
 * changing passwords, disabling (which ends every session), reading and listing. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "auth_int.h"
#include "core/core.h"
#include "db/db.h"

int auth__username_check(const char *name, struct mu_why *why)
{
	size_t n = strlen(name);
	if (n == 0 || n > AUTH_NAME_MAX)
		return mu_why_set(why, MU_EINVAL, "username", "a username has 1 to 64 characters");
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return mu_why_set(
			    why, MU_EINVAL, "username",
			    "a username may hold only letters, digits, '.', '_' and '-'");
	}
	return 0;
}

/* Passwords seen first in breach lists, lowercase, of the lengths a policy of 10 or 12
 * characters lets through (shorter ones fail the length already). */
static const char *const common_pw[] = {
    "1234567890",	"0987654321",	 "12345678910",	 "123456789a",
    "a123456789",	"a1234567890",	 "aa123456789",	 "123456789q",
    "1234567890q",	"qwertyuiop",	 "qwertyuiop1",	 "qwertyuiop123",
    "qwerty1234",	"qwerty12345",	 "qwerty123456", "1q2w3e4r5t",
    "1q2w3e4r5t6y",	"q1w2e3r4t5",	 "q1w2e3r4t5y6", "1qaz2wsx3edc",
    "1qaz2wsx3edc4rfv", "qazwsxedc",	 "qazwsxedcrfv", "zaq12wsxcde3",
    "1qazxsw23edc",	"!qaz2wsx3edc",	 "1qaz@wsx3edc", "asdfghjkl1",
    "asdfghjkl123",	"zxcvbnm123",	 "zxcvbnm1234",	 "asdfasdfasdf",
    "qweasdzxc1",	"qweasdzxc123",	 "123qweasdzxc", "1234qwerasdf",
    "qwer1234asdf",	"abc1234567",	 "abcd123456",	 "abcd1234567",
    "abc123456789",	"abcdefg123",	 "woaini1314",	 "woaini520520",
    "5201314520",	"1314520520",	 "aini1314520",	 "iloveyou1314",
    "iloveyou12",	"iloveyou123",	 "lovelove123",	 "passw0rd12",
    "p@ssw0rd12",	"p@ssw0rd123",	 "p@ssword123",	 "p@55w0rd123",
    "passw0rd123",	"pa55word123",	 "admin@1234",	 "admin@12345",
    "admin#1234",	"admin12345",	 "admin123456",	 "administrator",
    "administrator1",	"root123456",	 "root@123456",	 "changeme123",
    "welcome123",	"welcome1234",	 "letmein123",	 "letmein1234",
    "trustno1234",	"football123",	 "baseball123",	 "princess123",
    "sunshine123",	"superman123",	 "starwars123",	 "whatever123",
    "computer123",	"internet123",	 "michael123",	 "jennifer123",
    "charlie123",	"shadow12345",	 "master12345",	 "killer12345",
    "dragon12345",	"monkey12345",	 "hello12345",	 "hello123456",
    "helloworld",	"helloworld1",	 "freedom123",	 "test123456",
    "testtest123",	"secret12345",	 "default123",	 "guest12345",
    "user123456",	"china123456",	 "beijing2008",	 "zhongguo123",
    "guangzhou123",	"guangzhou2021", "shenzhen123",	 "coronavirus",
    "covid19covid",	"muster12345",	 "muster123456", "mustermuster",
    "1111111111",	"1212121212",	 "1231231231",	 "1234512345",
    "1234554321",	"1122334455",	 "1357924680",	 "147258369a",
    "1472583690",	"159357456a",	 "9876543210",	 "a1b2c3d4e5",
    "a1b2c3d4e5f6",	"aaaaaa1111",	 "qqqqqq1111",	 "zxcvbnmasdf",
    "football12",	"password01",	 "iloveyou!!",	 "passwordpassword",
    "qwertyqwerty",	"asdfasdf12",	 "abcabc1234",	 NULL};

/* Words that are no password with digits or signs around them ("Password2026!"). */
static const char *const common_words[] = {
    "password", "passw0rd", "p@ssw0rd",	     "p@ssword", "pa55word", "qwerty",	 "qwertz",
    "azerty",	"admin",    "administrator", "root",	 "welcome",  "letmein",	 "iloveyou",
    "woaini",	"monkey",   "dragon",	     "master",	 "shadow",   "sunshine", "princess",
    "football", "baseball", "superman",	     "changeme", "secret",   "default",	 "guest",
    "test",	"muster",   "hello",	     "abc",	 "abcd",     "qwer",	 "asdf",
    "zxcv",	"qaz",	    "wsx",	     NULL};

/* Keyboard and alphabet walks: a password inside one of them is no password. */
static const char *const walks[] = {"abcdefghijklmnopqrstuvwxyz",
				    "zyxwvutsrqponmlkjihgfedcba",
				    "01234567890",
				    "09876543210",
				    "qwertyuiopasdfghjklzxcvbnm",
				    "mnbvcxzlkjhgfdsapoiuytrewq",
				    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
				    "qazwsxedcrfvtgbyhnujmikolp",
				    NULL};

static bool pw_sign(char c)
{
	return (c >= '0' && c <= '9') || (c && strchr("!@#$%^&*()_+-=.,?~ ", c));
}

int auth__password_check(const char *pw, int role, const char *username, struct mu_why *why)
{
	size_t n = strnlen(pw, AUTH__PW_MAX + 1);
	size_t min =
	    role == AUTH_ADMIN || role == AUTH_COMMANDER ? AUTH__PW_MIN_HIGH : AUTH__PW_MIN;
	char low[64];
	if (n < min)
		return mu_why_set(why, MU_EINVAL, "password",
				  min == AUTH__PW_MIN
				      ? "a password has at least 10 characters"
				      : "an admin's or a commander's password has at "
					"least 12 characters");
	if (n > AUTH__PW_MAX)
		return mu_why_set(why, MU_EINVAL, "password", "a password has at most 1024 bytes");
	/* Repetitions: one character, or a block of up to 4 repeated ("abcabcabcabc"). */
	for (size_t p = 1; p <= 4; p++) {
		size_t i = p;
		while (i < n && pw[i] == pw[i - p])
			i++;
		if (i == n)
			return mu_why_set(why, MU_EINVAL, "password",
					  "a password is not one short piece repeated");
	}
	if (n >= sizeof low)
		goto name; /* long enough that no list below holds it */
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)pw[i]);
	for (int i = 0; walks[i]; i++)
		if (strstr(walks[i], low))
			return mu_why_set(
			    why, MU_EINVAL, "password",
			    "a password is not a run along the keyboard or the alphabet");
	for (int i = 0; common_pw[i]; i++)
		if (!strcmp(common_pw[i], low))
			return mu_why_set(why, MU_EINVAL, "password",
					  "that password is among the most common ones");
	/* The core of the password without the digits and signs around it. */
	size_t b = 0, e = n;
	while (b < e && pw_sign(low[b]))
		b++;
	while (e > b && pw_sign(low[e - 1]))
		e--;
	if (b == e)
		return mu_why_set(why, MU_EINVAL, "password",
				  "a password needs more than digits and signs");
	for (int i = 0; common_words[i]; i++)
		if (strlen(common_words[i]) == e - b && !strncmp(common_words[i], low + b, e - b))
			return mu_why_set(why, MU_EINVAL, "password",
					  "that password is a common word with digits added");
name:
	if (username && strlen(username) >= 3 && strcasestr(pw, username))
		return mu_why_set(why, MU_EINVAL, "password",
				  "a password does not hold the username");
	return 0;
}

/* A hash of a password nobody knows, so that an unknown user costs the same argon2id
 * run as a known one and the answer's timing does not tell them apart. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
	char pw[21];
	auth_password_generate(pw);
	if (crypto_pwhash_str_alg(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		mu_panic(__FILE__, __LINE__, "auth: argon2id failed (out of memory?)");
}

bool auth__password_verify(const char *hash, const char *password)
{
	mu_sodium_init();
	size_t n = strnlen(password, AUTH__PW_MAX + 1);
	if (!hash) {
		pthread_once(&dummy_once, dummy_make);
		/* The result is meaningless (nobody has this password); only the work counts. */
		volatile int sink = crypto_pwhash_str_verify(dummy_hash, password, n);
		(void)sink;
		return false;
	}
	return crypto_pwhash_str_verify(hash, password, n) == 0;
}

/* ---- the hashing pool --------------------------------------------------------------
 * argon2id takes 64 MiB and most of a core: sign-ins hash at most HASH_SLOTS at a time
 * (one per two cores, at least one, at most two), so that a flood of bogus sign-ins
 * cannot take every request thread and core from the other routes. */
#define HASH_WAIT_MS 100

static pthread_mutex_t hash_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hash_cv = PTHREAD_COND_INITIALIZER;
static int hashing, hash_slots;

int auth__hash_enter(void)
{
	struct timespec until;
	int rc = 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += HASH_WAIT_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&hash_mu);
	if (hash_slots == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		hash_slots = cores >= 4 ? 2 : 1;
	}
	while (hashing >= hash_slots && rc == 0)
		if (pthread_cond_timedwait(&hash_cv, &hash_mu, &until) == ETIMEDOUT)
			rc = hashing >= hash_slots ? MU_EBUSY : 0;
	if (rc == 0)
		hashing++;
	pthread_mutex_unlock(&hash_mu);
	return rc;
}

void auth__hash_leave(void)
{
	pthread_mutex_lock(&hash_mu);
	hashing--;
	pthread_cond_signal(&hash_cv);
	pthread_mutex_unlock(&hash_mu);
}

static int pw_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
	mu_sodium_init();
	if (crypto_pwhash_str_alg(
		out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
		crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		mu_error("auth: argon2id failed (out of memory?)");
		return MU_EIO;
	}
	return 0;
}

static const char sql_user_add[] =
    "INSERT INTO users(username, role, place_id, pw_hash, disabled, created) "
    "VALUES (?, ?, ?, ?, 0, ?)";

int auth_user_add(struct db *d, const char *username, int role, int64_t place_id,
		  const char *password, int64_t *id, struct mu_why *why)
{
	char hash[crypto_pwhash_STRBYTES];
	struct db_stmt *s = NULL;
	int rc;
	if ((rc = auth__username_check(username, why)) != 0)
		goto out;
	if (!auth_role_name(role)) {
		rc = mu_why_set(why, MU_EINVAL, "role", "unknown role");
		goto out;
	}
	if (place_id <= 0 && role != AUTH_ADMIN) {
		rc = mu_why_set(why, MU_EINVAL, "place", "only an admin may be without a place");
		goto out;
	}
	if ((rc = auth__password_check(password, role, username, why)) != 0)
		goto out;
	if ((rc = pw_hash(password, hash)) != 0) {
		mu_why_set(why, rc, "password", "the password could not be hashed");
		goto out;
	}
	if ((rc = db_prepare(d, sql_user_add, &s)) != 0)
		goto out;
	db_bind_text(s, 1, username, -1);
	db_bind_i64(s, 2, role);
	if (place_id > 0)
		db_bind_i64(s, 3, place_id);
	else
		db_bind_null(s, 3);
	db_bind_text(s, 4, hash, -1);
	db_bind_i64(s, 5, mu_now_unix());
	rc = db_step(s);
	if (rc == MU_EEXIST)
		mu_why_set(why, rc, "username", "that username is taken");
	else if (rc == MU_EINVAL)
		mu_why_set(why, rc, "place", "no such place");
	else if (rc == DB_DONE && id)
		*id = db_last_insert_id(d);
	if (rc == DB_DONE)
		rc = 0;
out:
	db_stmt_done(s);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

static const char sql_user_pw[] = "UPDATE users SET pw_hash = ? WHERE username = ?";
static const char sql_user_disable[] = "UPDATE users SET disabled = 1 WHERE username = ?";
static const char sql_user_id[] = "SELECT id FROM users WHERE username = ?";
static const char sql_sessions_end[] = "DELETE FROM sessions WHERE user_id = ?";

/* Runs sql (one text parameter: the username), then deletes the user's sessions, in
 * one transaction. MU_ENOTFOUND when no row matched. */
static int update_and_logout(struct db *d, const char *sql, const char *text, const char *username)
{
	struct db_stmt *s = NULL;
	int64_t uid = 0;
	int rc = db_tx_begin(d);
	if (rc != 0)
		return rc;
	if ((rc = db_prepare(d, sql_user_id, &s)) != 0)
		goto out;
	db_bind_text(s, 1, username, -1);
	rc = db_step(s);
	if (rc == DB_ROW)
		uid = db_col_i64(s, 0);
	db_stmt_done(s);
	s = NULL;
	if (rc < 0)
		goto out;
	if (uid == 0) {
		rc = MU_ENOTFOUND;
		goto out;
	}
	if ((rc = db_prepare(d, sql, &s)) != 0)
		goto out;
	int i = 1;
	if (text)
		db_bind_text(s, i++, text, -1);
	db_bind_text(s, i, username, -1);
	if ((rc = db_step(s)) != DB_DONE)
		goto out;
	db_stmt_done(s);
	s = NULL;
	if ((rc = db_prepare(d, sql_sessions_end, &s)) != 0)
		goto out;
	db_bind_i64(s, 1, uid);
	rc = db_step(s) == DB_DONE ? 0 : MU_EDB;
	auth__accepted_forget(); /* this process's threads accept none of them from now */
out:
	db_stmt_done(s);
	if (rc == 0)
		rc = db_tx_commit(d);
	else
		db_tx_rollback(d);
	return rc;
}

int auth_user_passwd(struct db *d, const char *username, const char *password, struct mu_why *why)
{
	char hash[crypto_pwhash_STRBYTES];
	struct auth_user u;
	int rc = auth__user_by_name(d, username, &u, NULL);
	if (rc == MU_ENOTFOUND)
		mu_why_set(why, rc, "username", "no such user");
	if (rc != 0)
		goto out;
	if ((rc = auth__password_check(password, u.role, u.username, why)) != 0)
		goto out;
	if ((rc = pw_hash(password, hash)) != 0) {
		mu_why_set(why, rc, "password", "the password could not be hashed");
		goto out;
	}
	/* A new password also ends the sessions signed in with the old one. */
	rc = update_and_logout(d, sql_user_pw, hash, username);
	if (rc == MU_ENOTFOUND)
		mu_why_set(why, rc, "username", "no such user");
out:
	sodium_memzero(hash, sizeof hash);
	return rc;
}

int auth_user_disable(struct db *d, const char *username)
{
	return update_and_logout(d, sql_user_disable, NULL, username);
}

static const char sql_user_by_name[] =
    "SELECT id, username, role, place_id, disabled, created, pw_hash FROM users "
    "WHERE username = ?";
static const char sql_user_by_id[] =
    "SELECT id, username, role, place_id, disabled, created, pw_hash FROM users "
    "WHERE id = ?";
static const char sql_user_list[] =
    "SELECT id, username, role, place_id, disabled, created, pw_hash FROM users ORDER BY id";

static void user_row(struct db_stmt *s, struct auth_user *u, char *pw_hash)
{
	memset(u, 0, sizeof *u);
	u->id = db_col_i64(s, 0);
	snprintf(u->username, sizeof u->username, "%s", db_col_text(s, 1));
	u->role = (int)db_col_i64(s, 2);
	u->place_id = db_col_null(s, 3) ? 0 : db_col_i64(s, 3);
	u->disabled = db_col_i64(s, 4) != 0;
	u->created = db_col_i64(s, 5);
	if (pw_hash)
		snprintf(pw_hash, crypto_pwhash_STRBYTES, "%s", db_col_text(s, 6));
}

int auth__user_by_name(struct db *d, const char *username, struct auth_user *u, char *pw_hash)
{
	struct db_stmt *s = NULL;
	int rc = db_prepare(d, sql_user_by_name, &s);
	if (rc != 0)
		return rc;
	db_bind_text(s, 1, username, -1);
	rc = db_step(s);
	if (rc == DB_ROW) {
		user_row(s, u, pw_hash);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

int auth__user_by_id(struct db *d, int64_t id, struct auth_user *u)
{
	struct db_stmt *s = NULL;
	int rc = db_prepare(d, sql_user_by_id, &s);
	if (rc != 0)
		return rc;
	db_bind_i64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW) {
		user_row(s, u, NULL);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MU_ENOTFOUND;
	}
	db_stmt_done(s);
	return rc;
}

int auth_user_get(struct db *d, const char *username, struct auth_user *out)
{
	return auth__user_by_name(d, username, out, NULL);
}

int auth_user_list(struct db *d, int (*fn)(const struct auth_user *u, void *ctx), void *ctx)
{
	struct db_stmt *s = NULL;
	struct auth_user u;
	int rc = db_prepare(d, sql_user_list, &s);
	if (rc != 0)
		return rc;
	while ((rc = db_step(s)) == DB_ROW) {
		user_row(s, &u, NULL);
		if ((rc = fn(&u, ctx)) != 0)
			break;
	}
	if (rc == DB_DONE)
		rc = 0;
	db_stmt_done(s);
	return rc;
}
