/* err.c: the one table that maps Muster's error codes to HTTP statuses, stable string
 * codes and default messages, and the reason a check gives with its code (mu_why). */
#include <stdio.h>

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

const char *mu_err_code(int err)
{
	return find(err)->code;
}
int mu_err_http(int err)
{
	return find(err)->http;
}
const char *mu_err_msg(int err)
{
	return find(err)->msg;
}

int mu_why_set(struct mu_why *w, int err, const char *field, const char *fmt, ...)
{
	if (!w)
		return err;
	va_list ap;
	va_start(ap, fmt);
	w->field = field;
	vsnprintf(w->text, sizeof w->text, fmt, ap);
	va_end(ap);
	return err;
}

void mu_why_clear(struct mu_why *w)
{
	if (!w)
		return;
	w->field = NULL;
	w->text[0] = '\0';
}
