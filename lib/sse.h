/* sse: the lines of a text/event-stream (the HTML Living Standard's
 * "server-sent events"), one at a time, in the picohttpparser style: a
 * pure function over (buf, len) that returns the bytes of one line and
 * views of its field, nothing allocated. The caller gathers "data"
 * fields into an event and limits how much it buffers. */
#ifndef CT_SSE_H
#define CT_SSE_H

#include <stddef.h>

enum {
	CTSSE_DISPATCH, /* an empty line: the event gathered so far is done */
	CTSSE_COMMENT,  /* a line starting with ':' (a keepalive) */
	CTSSE_FIELD     /* "name: value", "name:value" or "name" alone */
};

struct ctsse_line {
	int kind;
	const char *name, *value; /* views; value has its one leading
				     space removed, and is empty for a
				     name alone */
	size_t nlen, vlen;
};

/* Parse one line from buf[0..len). Lines end in CRLF, LF or CR alone;
 * returns the bytes of the line with its end, or -2 if its end has not
 * come yet (a CR at the end of buf also waits for the next byte, which
 * may be the LF of a CRLF). Never -1: every line means something. */
long ctsse_parse(const char *buf, size_t len, struct ctsse_line *l);

#endif
