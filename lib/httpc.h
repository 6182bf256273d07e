/* httpc: the client side of HTTP/1.1 as far as a streaming client needs
 * it: a response-head parser and a chunked-body decoder, both in the
 * picohttpparser style (pure functions over (buf, len) that return the
 * bytes they took, -2 when more bytes are needed, -1 when the input is
 * invalid; outputs are views into buf, nothing is allocated). Limits on
 * how much to buffer are the caller's. */
#ifndef CT_HTTPC_H
#define CT_HTTPC_H

#include <stddef.h>
#include <stdint.h>

#include "httpd.h" /* struct cthttp_header */

#define CTHTTPC_MAXHEADERS 32

struct cthttpc_resp {
	int minor;          /* HTTP/1.<minor> */
	int status;         /* 100 to 999 */
	const char *reason; /* the reason phrase (may be empty) */
	size_t rlen;
	size_t nheaders;
	struct cthttp_header h[CTHTTPC_MAXHEADERS];
};

/* Parse a response head (status line and headers through the empty
 * line; lines may end in CRLF or LF). Returns the head's length, -2 if
 * more bytes are needed, -1 if it is malformed (not HTTP/1.x, a status
 * that is not three digits, a control character, a header without a
 * name or colon, an obs-fold), -3 if it has more than CTHTTPC_MAXHEADERS
 * headers. */
int cthttpc_parse(const char *buf, size_t len, struct cthttpc_resp *r);

/* The value of the first header called name (case-insensitive) and its
 * length in *vlen, or NULL. */
const char *cthttpc_header(const struct cthttpc_resp *r, const char *name,
			   size_t *vlen);

/* A chunked body (RFC 9112 section 7.1), decoded a piece at a time.
 * The caller keeps the state, zeroed before the body's first byte. */
struct cthttpc_chunked {
	uint64_t left; /* data bytes still to come in this chunk */
	int st;        /* where we are: size line, data, CRLF, trailers */
};

/* Decode from buf[0..len): returns the bytes taken, -2 if more are
 * needed before anything can be taken, -1 if the body is malformed (a
 * bad chunk-size line, a size over 2^62, missing CRLF after the data, a
 * control character in an extension or trailer). *data and *dlen are
 * set to the body bytes those taken bytes carry (a view into buf, maybe
 * empty); *done is set to 1 once the last chunk and its trailers have
 * been taken (the body is complete; any further bytes are not part of
 * it). Call again with the bytes after those taken. */
long cthttpc_dechunk(struct cthttpc_chunked *c, const char *buf, size_t len,
		     const char **data, size_t *dlen, int *done);

#endif
