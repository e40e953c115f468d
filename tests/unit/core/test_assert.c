/* test_assert.c: MU_ASSERT, MU_ASSERT_INT and MU_ASSERT_UINT from core.h — death tests
 * (a failing assert runs in a forked child whose stderr is read back) and the passing
 * case. NDEBUG is defined on purpose: the asserts must stay on in release builds. */
#define NDEBUG 1

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"

/* Runs fn in a child with stderr on a pipe; returns the child's wait status and puts
 * what it wrote to stderr (NUL-terminated, cut to n - 1 bytes) in err. */
static int in_child(void (*fn)(void), char *err, size_t n)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		signal(SIGABRT, SIG_DFL);
		fn();
		_exit(0); /* the assert did not fire */
	}
	close(fds[1]);
	size_t len = 0;
	ssize_t r;
	while (len < n - 1 && (r = read(fds[0], err + len, n - 1 - len)) > 0)
		len += (size_t)r;
	err[len] = '\0';
	close(fds[0]);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* Asserts the child died of SIGABRT having printed each of the given texts. */
static void expect_abort(void (*fn)(void), const char *want1, const char *want2)
{
	char err[4096];
	int status = in_child(fn, err, sizeof err);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		fail_msg("the child did not abort (status %d); stderr: %s", status, err);
	if (!strstr(err, want1))
		fail_msg("stderr lacks \"%s\": %s", want1, err);
	if (want2 && !strstr(err, want2))
		fail_msg("stderr lacks \"%s\": %s", want2, err);
}

static int volatile seven = 7; /* volatile: no compiler folds the comparisons away */

static void int_eq_fails(void)
{
	int depth = seven - 5;
	MU_ASSERT_INT(depth, ==, 1);
}

static void test_int_prints_both_values(void **state)
{
	(void)state;
	expect_abort(int_eq_fails, "assertion failed: depth == 1 (2 == 1)", "test_assert.c:");
}

static void int_negative_fails(void)
{
	long n = -(long)seven;
	MU_ASSERT_INT(n, >=, 0);
}

static void test_int_negative(void **state)
{
	(void)state;
	expect_abort(int_negative_fails, "assertion failed: n >= 0 (-7 >= 0)", NULL);
}

static void uint_fails(void)
{
	uint64_t big = UINT64_MAX - (uint64_t)seven + 7;
	size_t cap = (size_t)seven;
	MU_ASSERT_UINT(big, <, cap);
}

static void test_uint_prints_full_range(void **state)
{
	(void)state;
	expect_abort(uint_fails, "assertion failed: big < cap (18446744073709551615 < 7)", NULL);
}

static void plain_fails(void)
{
	MU_ASSERT(seven == 8 || seven < 0);
}

static void test_plain_prints_condition(void **state)
{
	(void)state;
	expect_abort(plain_fails, "assertion failed: seven == 8 || seven < 0", "muster: fatal:");
}

/* A child that does not abort is reported: the harness itself can fail. */
static void nothing(void) {}

static void test_harness_sees_no_abort(void **state)
{
	(void)state;
	char err[64];
	int status = in_child(nothing, err, sizeof err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(err, "");
}

static void test_passing_asserts_evaluate_once(void **state)
{
	(void)state;
	int i = 0;
	unsigned u = 0;
	MU_ASSERT_INT(i++, ==, 0);
	MU_ASSERT_INT(0, <, ++i);
	MU_ASSERT_UINT(u++, <=, 0u);
	MU_ASSERT_UINT(UINT64_MAX, >, u++);
	MU_ASSERT(i == 2);
	assert_int_equal(i, 2);
	assert_int_equal(u, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_int_prints_both_values),
	    cmocka_unit_test(test_int_negative),
	    cmocka_unit_test(test_uint_prints_full_range),
	    cmocka_unit_test(test_plain_prints_condition),
	    cmocka_unit_test(test_harness_sees_no_abort),
	    cmocka_unit_test(test_passing_asserts_evaluate_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
