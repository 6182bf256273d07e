/* ws: RFC 6455 WebSocket frames. A frame-head parser in the
 * picohttpparser style (pure, views, no allocation), a frame-head
 * encoder, unmasking, and the handshake's accept value. */
#ifndef CT_WS_H
#define CT_WS_H

#include <stddef.h>
#include <stdint.h>

enum {
	CTWS_CONT = 0x0,
	CTWS_TEXT = 0x1,
	CTWS_BINARY = 0x2,
	CTWS_CLOSE = 0x8,
	CTWS_PING = 0x9,
	CTWS_PONG = 0xa,
};

struct ctws_frame {
	int fin, opcode, masked;
	int rsv1;	  /* compressed (permessage-deflate) */
	uint8_t mask[4];
	uint64_t len;	  /* payload length */
	size_t head;	  /* bytes of the head */
};

/* Parse a frame head from buf: returns the head's length, -2 if more
 * bytes are needed, -1 if invalid (reserved bits, unknown opcode,
 * fragmented or oversized control frame, non-minimal length). */
int ctws_parse(const uint8_t *buf, size_t len, struct ctws_frame *f);

/* The same where permessage-deflate (RFC 7692) was negotiated (deflate
 * non-zero): RSV1 is allowed on the first frame of a text or binary
 * message and reported in f->rsv1. */
int ctws_parse_ext(const uint8_t *buf, size_t len, struct ctws_frame *f,
		   int deflate);

/* Negotiate permessage-deflate from a Sec-WebSocket-Extensions value:
 * 1 if one of its offers can be accepted with the server compressing
 * each message alone (server_no_context_takeover, a 32 KiB window) and
 * the client likewise (client_no_context_takeover); 0 if none can (an
 * offer with server_max_window_bits below 15, or with an unknown,
 * repeated or invalid parameter, is declined, as RFC 7692 says). */
int ctws_deflate_offer(const char *v, size_t n);

/* A compressed text message from a client (one frame, no context taken
 * over): 0 if it inflates to valid UTF-8, 1 if it does not (bad deflate
 * data or bad UTF-8), 2 if it inflates to CTWS_INFLATE_MAX bytes or more
 * (more than a client message may hold). */
#define CTWS_INFLATE_MAX 8192
int ctws_inflate_utf8(const uint8_t *p, size_t n);

/* The response header line that accepts it (with CRLF). */
#define CTWS_DEFLATE_RESPONSE                                              \
	"Sec-WebSocket-Extensions: permessage-deflate; "                   \
	"server_no_context_takeover; client_no_context_takeover\r\n"

/* Write a server frame head (FIN set, unmasked) for a payload of len
 * bytes into out (at most 10 bytes); returns its length. */
size_t ctws_head(uint8_t out[10], int opcode, uint64_t len);

/* XOR payload bytes p[0..n) with the mask, starting at offset off. */
void ctws_unmask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t off);

/* Sec-WebSocket-Accept for a key: 28 characters and a NUL into out. */
void ctws_accept(const char *key, size_t klen, char out[29]);

/* Is p[0..n) valid UTF-8 (as text frames must be)? lib/utf8 says. */
int ctws_utf8(const uint8_t *p, size_t n);

/* The status code to answer a client's close frame with (its unmasked
 * payload p[0..n)), as RFC 6455 sections 5.5.1 and 7.4 want: 1000 for
 * an empty payload or a code that may be sent (1000-1003, 1007-1014 as
 * registered with IANA, 3000-4999) with a UTF-8 reason; 1002 for a
 * 1-byte payload or a code that may not appear in a close frame (below
 * 1000, 1004-1006, 1015, unassigned 1016-2999, 5000 and above); 1007
 * when the reason is not valid UTF-8. */
unsigned ctws_close_reply(const uint8_t *p, size_t n);

#endif
