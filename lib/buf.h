/* buf: a growable byte buffer for building output records. The caller
 * owns the struct (usually on the stack or static) and frees it with
 * ctbuf_free; ctbuf_reset keeps the memory for the next record. */
#ifndef CT_BUF_H
#define CT_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ctbuf {
	char *p;
	size_t len, cap;
};

/* A borrowed view of bytes owned by someone else. */
struct ct_bytes {
	const uint8_t *p;
	size_t len;
};

#define CTBUF_INIT { NULL, 0, 0 }

void ctbuf_grow(struct ctbuf *b, size_t extra);
void ctbuf_free(struct ctbuf *b);

static inline void ctbuf_reset(struct ctbuf *b)
{
	b->len = 0;
}

/* Make room for n more bytes and return where they go; the caller
 * writes them and then calls ctbuf_commit(b, n) (or fewer). */
static inline char *ctbuf_room(struct ctbuf *b, size_t n)
{
	if (b->cap - b->len < n)
		ctbuf_grow(b, n);
	return b->p + b->len;
}

static inline void ctbuf_commit(struct ctbuf *b, size_t n)
{
	b->len += n;
}

static inline void ctbuf_add(struct ctbuf *b, const void *p, size_t n)
{
	if (b->cap - b->len < n)
		ctbuf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static inline void ctbuf_addc(struct ctbuf *b, char c)
{
	if (b->cap == b->len)
		ctbuf_grow(b, 1);
	b->p[b->len++] = c;
}

/* Append a string literal without strlen at run time. */
#define CTBUF_LIT(b, s) ctbuf_add((b), (s), sizeof(s) - 1)

static inline void ctbuf_adds(struct ctbuf *b, const char *s)
{
	ctbuf_add(b, s, strlen(s));
}

/* Decimal integers. */
void ctbuf_addu64(struct ctbuf *b, uint64_t v);
void ctbuf_addi64(struct ctbuf *b, int64_t v);
/* printf into the buffer. */
void ctbuf_printf(struct ctbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* NUL-terminate without counting the NUL in len; returns b->p. */
char *ctbuf_cstr(struct ctbuf *b);

#endif
