/* frame: a certificate record in its three forms (full, lite without
 * the DER, domains-only) and each payload framed for a protocol
 * (WebSocket, compressed or not; SSE; raw TCP lines). Pure, but for
 * the deflater's state: nothing is kept between calls, nothing printed. */
#ifndef CTSERVE_FRAME_H
#define CTSERVE_FRAME_H

#include <stddef.h>

#include "buf.h"
#include "json.h"
#include "server.h"

/* A record parsed once: its root and the objects the forms are cut from
 * (views into line, which must outlive it). */
struct rec {
	const char *line;
	size_t len;
	struct ctjson_val root, data, leaf;
};

/* Parse a certificate record (an object with data.leaf_cert): 0, or -1
 * if line[0..len) is not one. */
int rec_parse(struct rec *r, const char *line, size_t len);

/* The lite or domains-only payload of a record into out (the full form
 * is the line itself); -1 if the record lacks what it needs. */
int derive(const struct rec *r, enum stream st, struct ctbuf *out);

/* pay[0..n) framed for protocol p: a WebSocket text frame, SSE data
 * lines (a CR or LF inside a payload starts a new data: line), or a TCP
 * line. A new message with no reference yet (the caller frees it). */
struct msg *frame(enum proto p, const char *pay, size_t n);

/* A compressed WebSocket text frame (RFC 7692) at level: the message
 * deflated alone (no context taken over, so one frame serves every
 * client that negotiated it), the final empty block's 00 00 ff ff
 * removed, RSV1 set. Counts bytes in and out in d. Out of memory in
 * zlib is fatal. */
struct msg *frame_deflate(struct deflater *d, int level, const char *pay,
			  size_t n);
void deflater_end(struct deflater *d);

#endif
