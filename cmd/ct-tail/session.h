/* session: the protocol over one connection of ct-tail: the WebSocket
 * handshake and frames (pings answered, close frames returned, frames
 * over the size limit refused with 1009), server-sent events (chunked
 * or not), or NDJSON lines over TCP; each message is handed to the
 * caller as it completes. Errors are one line in err; the caller owns
 * the connection, reconnects and reports. */
#ifndef CT_TAIL_SESSION_H
#define CT_TAIL_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "url.h"

struct session_cfg {
	const struct cturl *url;
	const char *target; /* request target, e.g. "/full-stream" */
	const char *extra;  /* more request header lines (CRLF each), or "" */
	uint64_t max;       /* the largest message accepted */
	/* a whole message: text (or an SSE event, or a TCP line), or a
	 * binary WebSocket message when binary is set */
	void (*on_message)(void *ctx, const char *p, size_t n, int binary);
	void *ctx;
};

struct session;

/* A session over c (borrowed: the caller closes it after
 * session_free). */
struct session *session_new(const struct session_cfg *cfg, struct ctconn *c);
void session_free(struct session *s); /* accepts NULL */

/* Send the request and read the response head before deadline (TCP has
 * neither). Bytes that came with the head wait for session_input. Returns
 * 0, or CTCONN_RETRY / CTCONN_FATAL (an answer that retrying will not
 * change: a 3xx or 4xx status other than 408, 425 and 429, or a server
 * that does not speak the protocol asked for) with err. */
int session_start(struct session *s, int64_t deadline, char *err,
		  size_t errlen);

/* Read once from the connection (first taking what came with the
 * head) and hand over each message that completes. Returns 0 (wait with
 * ctconn_wait and call again), or CTCONN_RETRY with err (the connection is
 * over: closed by the server, a protocol error, a message over the
 * limit). *got is set when any byte arrived. */
int session_input(struct session *s, int *got, char *err, size_t errlen);

/* Ask a WebSocket server for a sign of life: a ping, which it answers
 * with a pong (nothing for SSE and TCP). 0, or CTCONN_RETRY with err. */
int session_ping(struct session *s, char *err, size_t errlen);

#endif
