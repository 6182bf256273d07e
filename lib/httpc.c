/* httpc: response heads and chunked bodies (see httpc.h). */
#include "httpc.h"

#include <string.h>
#include <strings.h>

/* The line p..e without its CR. */
static size_t strip_cr(const char *buf, size_t p, size_t e)
{
	return e > p && buf[e - 1] == '\r' ? e - 1 : e;
}

static int status_line(const char *buf, size_t le, struct cthttpc_resp *r)
{
	/* HTTP/1.x SP 3DIGIT [SP reason] */
	if (le < 12 || memcmp(buf, "HTTP/1.", 7) ||
	    (buf[7] != '0' && buf[7] != '1') || buf[8] != ' ')
		return -1;
	r->minor = buf[7] - '0';
	int st = 0;
	for (size_t i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		st = st * 10 + (buf[i] - '0');
	}
	if (st < 100)
		return -1;
	r->status = st;
	if (le > 12 && buf[12] != ' ')
		return -1;
	r->reason = buf + (le > 12 ? 13 : 12);
	r->rlen = le > 12 ? le - 13 : 0;
	return 0;
}

int cthttpc_parse(const char *buf, size_t len, struct cthttpc_resp *r)
{
	r->nheaders = 0;
	long e = cthttp_line_end(buf, len, 0);
	if (e < 0)
		return (int)e;
	if (status_line(buf, strip_cr(buf, 0, (size_t)e), r) < 0)
		return -1;
	long n = cthttp_fields(buf, len, (size_t)e + 1, r->h,
			       CTHTTPC_MAXHEADERS, &r->nheaders);
	return n < 0 ? (int)n : (int)((size_t)e + 1 + (size_t)n);
}

const char *cthttpc_header(const struct cthttpc_resp *r, const char *name,
			   size_t *vlen)
{
	return cthttp_field(r->h, r->nheaders, name, vlen);
}

/* ---- chunked bodies ----------------------------------------------------- */

enum { C_SIZE, C_DATA, C_CRLF, C_TRAILER, C_DONE };

/* A size line longer than this is refused rather than buffered: sizes
 * are at most 16 hex digits, and extensions are not worth more. */
#define SIZE_LINE_MAX 1024

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 32) >= 'a' && (c | 32) <= 'f')
		return (c | 32) - 'a' + 10;
	return -1;
}

/* The chunk-size line: 1*HEXDIG [ext] CRLF. */
static long size_line(struct cthttpc_chunked *c, const char *buf, size_t len)
{
	long e = cthttp_line_end(buf, len < SIZE_LINE_MAX ? len : SIZE_LINE_MAX, 0);
	if (e == -2 && len >= SIZE_LINE_MAX)
		return -1;
	if (e < 0)
		return e;
	size_t le = strip_cr(buf, 0, (size_t)e), i = 0;
	uint64_t v = 0;
	for (; i < le && hexval(buf[i]) >= 0; i++) {
		if (v >> 58)
			return -1; /* 2^62 or more, and no wrap-around */
		v = v << 4 | (uint64_t)hexval(buf[i]);
	}
	if (i == 0)
		return -1;
	/* anything after the digits is an extension: BWS ";" ... */
	size_t k = i;
	while (k < le && (buf[k] == ' ' || buf[k] == '\t'))
		k++;
	if (k < le && buf[k] != ';')
		return -1;
	c->left = v;
	c->st = v ? C_DATA : C_TRAILER;
	return e + 1;
}

long cthttpc_dechunk(struct cthttpc_chunked *c, const char *buf, size_t len,
		     const char **data, size_t *dlen, int *done)
{
	*data = buf;
	*dlen = 0;
	*done = c->st == C_DONE;
	switch (c->st) {
	case C_SIZE:
		return size_line(c, buf, len);
	case C_DATA: {
		if (!len)
			return -2;
		size_t n = c->left < len ? (size_t)c->left : len;
		c->left -= n;
		if (!c->left)
			c->st = C_CRLF;
		*dlen = n;
		return (long)n;
	}
	case C_CRLF:
		if (!len)
			return -2;
		if (buf[0] == '\n') {
			c->st = C_SIZE;
			return 1;
		}
		if (buf[0] != '\r')
			return -1;
		if (len < 2)
			return -2;
		if (buf[1] != '\n')
			return -1;
		c->st = C_SIZE;
		return 2;
	case C_TRAILER: {
		long e = cthttp_line_end(buf, len < SIZE_LINE_MAX ? len : SIZE_LINE_MAX,
				  0);
		if (e == -2 && len >= SIZE_LINE_MAX)
			return -1;
		if (e < 0)
			return e;
		if (strip_cr(buf, 0, (size_t)e) == 0) {
			c->st = C_DONE;
			*done = 1;
		}
		return e + 1;
	}
	default:
		return 0;
	}
}
