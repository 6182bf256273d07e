/* io: allwrite, the buffered stdout writer, and the line reader. */
#include "io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"

int ct_allwrite(int fd, const void *src, size_t n)
{
	const char *p = src;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void ctout_init(struct ctout *o, int fd)
{
	o->fd = fd;
	o->err = 0;
	o->unbuffered = 0;
	o->limit = 1 << 16;
	o->buf = (struct ctbuf)CTBUF_INIT;
}

int ctout_flush(struct ctout *o)
{
	if (o->err) {
		errno = o->err;
		return -1;
	}
	if (!o->buf.len)
		return 0;
	if (ct_allwrite(o->fd, o->buf.p, o->buf.len) < 0) {
		o->err = errno;
		return -1;
	}
	o->buf.len = 0;
	return 0;
}

int ctout_record_end(struct ctout *o)
{
	if (o->unbuffered || o->buf.len >= o->limit)
		return ctout_flush(o);
	return o->err ? -1 : 0;
}

void ctout_free(struct ctout *o)
{
	ctbuf_free(&o->buf);
}

struct ctlines {
	int fd;
	size_t max;
	struct ctout *flush;
	char *buf;
	size_t cap, start, end; /* unread bytes are buf[start..end) */
	int eof;
	unsigned long lineno;
};

struct ctlines *ctlines_new(int fd, size_t max, struct ctout *flush)
{
	struct ctlines *l = ct_xcalloc(1, sizeof *l);
	l->fd = fd;
	l->max = max ? max : (size_t)64 << 20;
	l->flush = flush;
	l->cap = 1 << 17;
	l->buf = ct_xmalloc(l->cap);
	return l;
}

void ctlines_free(struct ctlines *l)
{
	if (!l)
		return;
	free(l->buf);
	free(l);
}

/* Read more bytes into buf; 1 got some, 0 EOF, -1 error, -3 a signal
 * interrupted the read (the caller looks at its flags and calls again). */
static int fill(struct ctlines *l)
{
	if (l->start > 0 && l->start == l->end) {
		l->start = l->end = 0;
	} else if (l->start > l->cap / 2) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	if (l->end == l->cap) {
		if (l->start > 0) {
			memmove(l->buf, l->buf + l->start, l->end - l->start);
			l->end -= l->start;
			l->start = 0;
		} else {
			l->cap *= 2;
			l->buf = ct_xrealloc(l->buf, l->cap);
		}
	}
	if (l->flush)
		ctout_flush(l->flush); /* errors surface at record end */
	for (;;) {
		ssize_t r = read(l->fd, l->buf + l->end, l->cap - l->end);
		if (r < 0 && errno == EINTR)
			return -3;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		l->end += (size_t)r;
		return 1;
	}
}

/* Skip the rest of an overlong line; returns -2 or -1. */
static int skip_long(struct ctlines *l, size_t *len)
{
	size_t seen = l->end - l->start;
	l->start = l->end = 0;
	for (;;) {
		int r = fill(l);
		if (r == -3)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			l->eof = 1;
			break;
		}
		char *nl = memchr(l->buf, '\n', l->end);
		if (nl) {
			seen += (size_t)(nl - l->buf);
			l->start = (size_t)(nl - l->buf) + 1;
			break;
		}
		seen += l->end;
		l->end = 0;
	}
	*len = seen;
	return -2;
}

int ctlines_next(struct ctlines *l, const char **line, size_t *len)
{
	size_t scanned = 0;
	for (;;) {
		char *base = l->buf + l->start;
		size_t avail = l->end - l->start;
		char *nl = memchr(base + scanned, '\n', avail - scanned);
		if (nl) {
			*line = base;
			*len = (size_t)(nl - base);
			l->start += *len + 1;
			l->lineno++;
			if (*len > l->max)
				return -2;
			return 1;
		}
		scanned = avail;
		if (avail > l->max) {
			l->lineno++;
			return skip_long(l, len);
		}
		if (l->eof) {
			if (!avail)
				return 0;
			*line = base;
			*len = avail;
			l->start = l->end;
			l->lineno++;
			return 1;
		}
		int r = fill(l);
		if (r < 0)
			return r;
		if (r == 0)
			l->eof = 1;
	}
}

unsigned long ctlines_lineno(const struct ctlines *l)
{
	return l->lineno;
}
