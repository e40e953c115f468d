/* err.c: the one table that maps Muster's error codes to HTTP statuses, stable string
 * codes and default messages. */
#include "core.h"

struct err_row {
	int val, http;
	const char *code, *msg;
};

static const struct err_row rows[] = {
#define ROW(name, val, http, code, msg) {val, http, code, msg},
	MU_ERRORS(ROW)
#undef ROW
};

static const struct err_row unknown = {0, 500, "internal", "internal error"};

static const struct err_row *find(int err)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].val == err)
			return &rows[i];
	return &unknown;
}

const char *mu_err_code(int err) { return find(err)->code; }
int mu_err_http(int err) { return find(err)->http; }
const char *mu_err_msg(int err) { return find(err)->msg; }
