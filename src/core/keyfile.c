/* keyfile.c: the master key file beside a database ("<db>.key", 64 hex digits and a
 * newline, mode 0600) and the subkeys every capability derives from it. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"

#define KDF_CONTEXT "muster01"
#define HEX_LEN	    (MU_KEY_BYTES * 2)

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_start(void)
{
	if (sodium_init() < 0)
		mu_panic(__FILE__, __LINE__, "libsodium failed to initialise");
}

void mu_sodium_init(void)
{
	pthread_once(&sodium_once, sodium_start);
}

void mu_keyfile_path(const char *db_path, char *out, size_t n)
{
	snprintf(out, n, "%s.key", db_path);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return MU_EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int mu_keyfile_create(const char *db_path)
{
	mu_sodium_init();
	char path[4096];
	unsigned char master[MU_KEY_BYTES];
	char hex[HEX_LEN + 2];
	int rc = 0;
	mu_keyfile_path(db_path, path, sizeof path);
	/* O_EXCL: a key file is never replaced — losing it loses every sealed record. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = errno == EEXIST ? MU_EEXIST : MU_EIO;
		mu_error("keyfile: cannot create key file %s: %s", path, strerror(errno));
		return rc;
	}
	randombytes_buf(master, sizeof master);
	sodium_bin2hex(hex, sizeof hex, master, sizeof master);
	hex[HEX_LEN] = '\n';
	hex[HEX_LEN + 1] = '\0';
	rc = write_all(fd, hex, HEX_LEN + 1);
	if (rc == 0 && fsync(fd) != 0)
		rc = MU_EIO;
	if (close(fd) != 0 && rc == 0)
		rc = MU_EIO;
	if (rc != 0) {
		mu_error("keyfile: cannot write key file %s", path);
		unlink(path);
	}
	sodium_memzero(master, sizeof master);
	sodium_memzero(hex, sizeof hex);
	return rc;
}

int mu_keyfile_load(const char *db_path, unsigned char master[MU_KEY_BYTES])
{
	mu_sodium_init();
	char path[4096];
	char text[HEX_LEN + 8];
	size_t n = 0, binlen = 0;
	struct stat st;
	int rc = 0;
	mu_keyfile_path(db_path, path, sizeof path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return MU_ENOTFOUND;
		mu_error("keyfile: cannot open key file %s: %s", path, strerror(errno));
		return MU_EIO;
	}
	if (fstat(fd, &st) != 0) {
		rc = MU_EIO;
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		mu_error("keyfile: key file %s is open to group or others (mode %03o); "
			 "chmod 600 it",
			 path, (unsigned)(st.st_mode & 0777));
		rc = MU_EFORBIDDEN;
		goto out;
	}
	while (n < sizeof text) {
		ssize_t r = read(fd, text + n, sizeof text - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = MU_EIO;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n == HEX_LEN + 1 && text[n - 1] == '\n')
		n--;
	if (n != HEX_LEN ||
	    sodium_hex2bin(master, MU_KEY_BYTES, text, n, NULL, &binlen, NULL) != 0 ||
	    binlen != MU_KEY_BYTES) {
		mu_error("keyfile: key file %s is malformed", path);
		sodium_memzero(master, MU_KEY_BYTES);
		rc = MU_EIO;
		goto out;
	}
out:
	close(fd);
	sodium_memzero(text, sizeof text);
	return rc;
}

void mu_keyfile_subkey(const unsigned char master[MU_KEY_BYTES], uint64_t id,
		       unsigned char out[MU_KEY_BYTES])
{
	mu_sodium_init();
	crypto_kdf_derive_from_key(out, MU_KEY_BYTES, id, KDF_CONTEXT, master);
}
