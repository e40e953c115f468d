/* test_health.c: /healthz asks the server's health hook: 200 while it answers 0, the
 * hook's error (503 storage_full for a full disk) while it does not (issue 11 item 17). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "http/http.h"

static int health_rc;

static int health(void *ctx)
{
	(void)ctx;
	return health_rc;
}

static int allow(void *ctx, struct http_req *r)
{
	(void)ctx, (void)r;
	return 0;
}

/* GET path over a fresh connection; the answer's first bytes into out. */
static void get(int port, const char *path, char *out, size_t n)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	char req[256];
	int len = snprintf(req, sizeof req,
			   "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
	assert_int_equal(write(fd, req, (size_t)len), len);
	size_t got = 0;
	ssize_t k;
	while (got + 1 < n && (k = read(fd, out + got, n - 1 - got)) > 0)
		got += (size_t)k;
	out[got] = '\0';
	close(fd);
}

static void test_healthz(void **state)
{
	(void)state;
	static const struct http_route none[] = {{0, NULL, NULL, 0, 0, NULL, NULL}};
	const struct http_route *tables[] = {none, NULL};
	struct http_opts o = {
	    .listen = "127.0.0.1:0", .threads = 1, .guard = {.check = allow}, .health = health};
	struct http_server *s;
	assert_int_equal(http_server_start(&o, tables, &s), 0);
	char buf[2048];
	health_rc = 0;
	get(http_server_port(s), "/healthz", buf, sizeof buf);
	assert_non_null(strstr(buf, "HTTP/1.1 200"));
	assert_non_null(strstr(buf, "\"status\":\"ok\""));
	health_rc = MU_EFULL;
	get(http_server_port(s), "/healthz", buf, sizeof buf);
	assert_non_null(strstr(buf, "HTTP/1.1 503"));
	assert_non_null(strstr(buf, "\"code\":\"storage_full\""));
	health_rc = 0; /* a write succeeded again */
	get(http_server_port(s), "/healthz", buf, sizeof buf);
	assert_non_null(strstr(buf, "HTTP/1.1 200"));
	http_server_stop(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_healthz)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
