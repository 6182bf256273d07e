/* wsclient: the client side of RFC 6455 on top of ws.h's frame-head
 * parser: the opening handshake (request and the check of the server's
 * answer), server frames read whole (picohttpparser style: pure, views
 * into the caller's buffer, nothing allocated), the order of fragments,
 * close payloads, and masked client frames. No extension or subprotocol
 * is offered, so a server that names one is refused. */
#ifndef CT_WSCLIENT_H
#define CT_WSCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "httpc.h"

/* The Sec-WebSocket-Key for 16 random bytes: 24 characters and a NUL. */
void ctwsc_key(const uint8_t rnd[16], char out[25]);

/* Append the opening handshake's request head to out: GET target with
 * Host (host, with ":port" when it is not the scheme's default, as the
 * caller gives it), the upgrade headers, key, version 13, and extra (more
 * header lines, each ending in CRLF, or NULL), then the empty line. */
void ctwsc_request(struct ctbuf *out, const char *host, const char *target,
		   const char *key, const char *extra);

/* Does response head r accept the upgrade asked for with key? 0 if it
 * does: status 101, Upgrade: websocket, Connection: upgrade, the right
 * Sec-WebSocket-Accept and neither an extension nor a subprotocol (none
 * was offered). Otherwise -1 and a reason in err (one line). */
int ctwsc_check(const struct cthttpc_resp *r, const char *key, char *err,
		size_t errlen);

/* A whole frame from a server. */
struct ctwsc_frame {
	int fin, opcode;
	const uint8_t *payload; /* view into the buffer parsed */
	uint64_t len;           /* payload length */
};

/* Parse one server frame from buf[0..len). Returns the frame's whole
 * length (head and payload, all in buf), -2 if more bytes are needed,
 * -1 if the frame is invalid (masked, as a server's frame must not be;
 * or refused by ctws_parse: reserved bits, an unknown opcode, a
 * fragmented or long control frame, a non-minimal length), -3 if its
 * payload is longer than max: this is known from the head alone, so the
 * caller need not buffer it (f->len holds the length claimed). */
long ctwsc_parse(const uint8_t *buf, size_t len, uint64_t max,
		 struct ctwsc_frame *f);

/* Where a frame stands in the stream of messages. */
enum {
	CTWSC_BAD = -1, /* a continuation with no message begun, or a new
			   message before the last one ended */
	CTWSC_CONTROL,  /* close, ping or pong: handle it now */
	CTWSC_PART,     /* a data frame of a message that goes on */
	CTWSC_LAST      /* the last (or only) frame of a message */
};

/* Order data frames into messages. *state is 0 between messages (start
 * with 0) and the message's opcode while one is in progress. Returns one
 * of the above; for CTWSC_LAST, *msg_opcode is the message's opcode
 * (CTWS_TEXT or CTWS_BINARY). */
int ctwsc_order(int *state, int opcode, int fin, int *msg_opcode);

/* A close frame's payload: 0 with *code (1005 when the payload is
 * empty: no code given) and the reason as a view; -1 if invalid (one
 * byte, a code no endpoint may send, a reason that is not UTF-8). */
int ctwsc_close_parse(const uint8_t *p, size_t n, unsigned *code,
		      const uint8_t **reason, size_t *rlen);

/* Encode a client frame (FIN set, masked with mask) of n payload bytes
 * into out, which has room for n + 14 bytes; returns its length. */
size_t ctwsc_encode(uint8_t *out, int opcode, const uint8_t *payload,
		    size_t n, const uint8_t mask[4]);

#endif
