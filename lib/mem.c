/* mem: fatal-on-failure allocation and a chunked bump arena. */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static _Noreturn void oom(void)
{
	ct_diex(CT_EXIT_RUNTIME, "out of memory");
}

void *ct_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *ct_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *ct_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *ct_xstrdup(const char *s)
{
	return ct_xstrndup(s, strlen(s));
}

char *ct_xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = ct_xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *ct_xstrdup_rtrim(const char *s, char c)
{
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == c)
		n--;
	return ct_xstrndup(s, n);
}

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct ctarena {
	struct chunk *head;
	size_t chunk;
};

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = ct_xmalloc(sizeof *c + size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct ctarena *ctarena_new(size_t chunk)
{
	struct ctarena *a = ct_xmalloc(sizeof *a);
	a->chunk = chunk ? chunk : 65536;
	a->head = chunk_new(a->chunk);
	return a;
}

void ctarena_free(struct ctarena *a)
{
	if (!a)
		return;
	struct chunk *c = a->head;
	while (c) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
	free(a);
}

void *ctarena_alloc(struct ctarena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct chunk *c = a->head;
	if (c->size - c->used < n) {
		size_t size = n > a->chunk ? n : a->chunk;
		c = chunk_new(size);
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

void ctarena_reset(struct ctarena *a)
{
	/* Keep the oldest chunk (the one of the configured size). */
	struct chunk *c = a->head;
	while (c->next) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
	c->used = 0;
	a->head = c;
}
