/* buf: growable byte buffer. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "mem.h"

void ctbuf_grow(struct ctbuf *b, size_t extra)
{
	size_t need = b->len + extra;
	if (need < b->len)
		ct_xrealloc(NULL, SIZE_MAX); /* overflow: fatal OOM */
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap * 2 > cap ? cap * 2 : need;
	b->p = ct_xrealloc(b->p, cap);
	b->cap = cap;
}

void ctbuf_free(struct ctbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void ctbuf_addu64(struct ctbuf *b, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930"
		"31323334353637383940414243444546474849505152535455565758596061"
		"62636465666768697071727374757677787980818283848586878889909192"
		"93949596979899";
	char tmp[24];
	size_t i = sizeof tmp;
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		tmp[--i] = pairs[d + 1];
		tmp[--i] = pairs[d];
	}
	if (v >= 10) {
		tmp[--i] = pairs[v * 2 + 1];
		tmp[--i] = pairs[v * 2];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	ctbuf_add(b, tmp + i, sizeof tmp - i);
}

void ctbuf_addi64(struct ctbuf *b, int64_t v)
{
	if (v < 0) {
		ctbuf_addc(b, '-');
		ctbuf_addu64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		ctbuf_addu64(b, (uint64_t)v);
	}
}

void ctbuf_printf(struct ctbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *dst = ctbuf_room(b, 128);
	int n = vsnprintf(dst, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		dst = ctbuf_room(b, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(dst, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

char *ctbuf_cstr(struct ctbuf *b)
{
	ctbuf_room(b, 1);
	b->p[b->len] = '\0';
	return b->p;
}
