/* mem.c: allocation that aborts on failure, arenas for short-lived objects, and
 * growable buffers with a hard maximum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

_Noreturn void mu_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "muster: fatal: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *mu_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		mu_panic(__FILE__, __LINE__, "out of memory (%zu bytes)", n);
	return p;
}

void *mu_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		mu_panic(__FILE__, __LINE__, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *mu_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		mu_panic(__FILE__, __LINE__, "out of memory (%zu bytes)", n);
	return q;
}

char *mu_xstrdup(const char *s)
{
	return mu_xstrndup(s, strlen(s));
}

char *mu_xstrndup(const char *s, size_t n)
{
	char *d = mu_xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---- arena ---------------------------------------------------------------------- */

struct mu_arena_block {
	struct mu_arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char mem[];
};

void mu_arena_init(struct mu_arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 8192;
}

void mu_arena_fini(struct mu_arena *a)
{
	struct mu_arena_block *b = a->head;
	while (b) {
		struct mu_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

void mu_arena_reset(struct mu_arena *a)
{
	if (!a->head)
		return;
	/* Keep the oldest block (the last in the list): it has the base size. */
	struct mu_arena_block *b = a->head;
	while (b->next) {
		struct mu_arena_block *next = b->next;
		free(b);
		b = next;
	}
	b->used = 0;
	a->head = b;
}

void *mu_arena_alloc(struct mu_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct mu_arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > a->block_size ? n : a->block_size;
		b = mu_xmalloc(sizeof *b + size);
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->mem + b->used;
	b->used += n;
	return p;
}

char *mu_arena_strndup(struct mu_arena *a, const char *s, size_t n)
{
	char *d = mu_arena_alloc(a, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *mu_arena_sprintf(struct mu_arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	MU_ASSERT_INT(n, >=, 0);
	char *d = mu_arena_alloc(a, (size_t)n + 1);
	vsnprintf(d, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return d;
}

/* ---- buffer --------------------------------------------------------------------- */

void mu_buf_init(struct mu_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void mu_buf_fini(struct mu_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void mu_buf_reset(struct mu_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int mu_buf_append(struct mu_buf *b, const void *p, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return MU_ETOOBIG;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = mu_xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int mu_buf_puts(struct mu_buf *b, const char *s)
{
	return mu_buf_append(b, s, strlen(s));
}

int mu_buf_putc(struct mu_buf *b, char c)
{
	return mu_buf_append(b, &c, 1);
}

int mu_buf_printf(struct mu_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	MU_ASSERT_INT(n, >=, 0);
	if ((size_t)n < sizeof small)
		return mu_buf_append(b, small, (size_t)n);
	char *big = mu_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int rc = mu_buf_append(b, big, (size_t)n);
	free(big);
	return rc;
}

const char *mu_buf_str(const struct mu_buf *b)
{
	return b->data ? b->data : "";
}
