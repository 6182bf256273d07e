/* sse: event-stream lines (see sse.h). */
#include "sse.h"

#include <string.h>

long ctsse_parse(const char *buf, size_t len, struct ctsse_line *l)
{
	size_t e = 0;
	while (e < len && buf[e] != '\n' && buf[e] != '\r')
		e++;
	if (e == len)
		return -2;
	size_t next = e + 1;
	if (buf[e] == '\r') {
		if (next == len)
			return -2; /* CR, or the first half of a CRLF? */
		if (buf[next] == '\n')
			next++;
	}
	l->name = l->value = buf;
	l->nlen = l->vlen = 0;
	if (e == 0) {
		l->kind = CTSSE_DISPATCH;
		return (long)next;
	}
	if (buf[0] == ':') {
		l->kind = CTSSE_COMMENT;
		l->value = buf + 1;
		l->vlen = e - 1;
		return (long)next;
	}
	l->kind = CTSSE_FIELD;
	const char *colon = memchr(buf, ':', e);
	if (!colon) {
		l->nlen = e;
		l->value = buf + e;
		return (long)next;
	}
	size_t c = (size_t)(colon - buf), v = c + 1;
	if (v < e && buf[v] == ' ')
		v++;
	l->nlen = c;
	l->value = buf + v;
	l->vlen = e - v;
	return (long)next;
}
