/* session: WebSocket, SSE and TCP over one connection (see session.h). */
#include "session.h"

#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "httpc.h"
#include "httpd.h"
#include "mem.h"
#include "sse.h"
#include "ws.h"
#include "wsclient.h"

#define READ_CHUNK 65536
#define HEAD_MAX 16384

/* Bytes read and not yet taken: p[off..len). */
struct rbuf {
	struct ctbuf b;
	size_t off;
};

struct session {
	const struct session_cfg *cfg;
	struct ctconn *c;
	struct rbuf in;    /* from the connection */
	struct rbuf body;  /* SSE: the body, once dechunked */
	int chunked;
	struct cthttpc_chunked ch;
	struct ctbuf msg;  /* a message being gathered: fragments, data lines */
	int have_data;     /* SSE: a data field since the last dispatch */
	int order;         /* WebSocket: ctwsc_order's state */
	int fresh;         /* bytes after the head not yet looked at */
	char key[25];
};

static void rb_compact(struct rbuf *r)
{
	if (!r->off)
		return;
	memmove(r->b.p, r->b.p + r->off, r->b.len - r->off);
	r->b.len -= r->off;
	r->off = 0;
}

static size_t rb_left(const struct rbuf *r)
{
	return r->b.len - r->off;
}

static int say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return CTCONN_RETRY;
}

struct session *session_new(const struct session_cfg *cfg, struct ctconn *c)
{
	struct session *s = ct_xcalloc(1, sizeof *s);
	s->cfg = cfg;
	s->c = c;
	return s;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	ctbuf_free(&s->in.b);
	ctbuf_free(&s->body.b);
	ctbuf_free(&s->msg);
	free(s);
}

/* Read once: 1 got bytes, 0 nothing there now, CTCONN_RETRY at the end of
 * the stream or on an error. */
static int fill(struct session *s, char *err, size_t errlen)
{
	rb_compact(&s->in);
	char *room = ctbuf_room(&s->in.b, READ_CHUNK);
	long r = ctconn_read(s->c, room, READ_CHUNK, err, errlen);
	if (r == -2)
		return 0;
	if (r == 0)
		return say(err, errlen, "connection closed by the server");
	if (r < 0)
		return CTCONN_RETRY;
	ctbuf_commit(&s->in.b, (size_t)r);
	return 1;
}

static int is_ws(const struct session *s)
{
	return s->cfg->url->scheme == CTURL_WS ||
	       s->cfg->url->scheme == CTURL_WSS;
}

/* ---- WebSocket ---------------------------------------------------------- */

/* Send a masked client frame; the connection may already be gone. */
static int ws_send(struct session *s, int opcode, const uint8_t *p, size_t n,
		   char *err, size_t errlen)
{
	uint8_t out[125 + 14], mask[4];
	if (n > 125)
		n = 125; /* control frames only */
	RAND_bytes(mask, sizeof mask);
	size_t l = ctwsc_encode(out, opcode, p, n, mask);
	return ctconn_write(s->c, out, l, ct_now_ms() + 2000, err, errlen);
}

/* Fail the connection (RFC 6455 section 7.1.7): a close frame with
 * code, then err. */
static int ws_fail(struct session *s, unsigned code, char *err,
		   size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int ws_fail(struct session *s, unsigned code, char *err,
		   size_t errlen, const char *fmt, ...)
{
	char ignored[160];
	uint8_t c[2] = { (uint8_t)(code >> 8), (uint8_t)code };
	ws_send(s, CTWS_CLOSE, c, 2, ignored, sizeof ignored);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return CTCONN_RETRY;
}

/* The printable ASCII of a close reason, for the message. */
static void printable(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++)
		out[o++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[o] = '\0';
}

static int ws_control(struct session *s, const struct ctwsc_frame *f,
		      char *err, size_t errlen)
{
	size_t n = (size_t)f->len;
	if (f->opcode == CTWS_PING)
		return ws_send(s, CTWS_PONG, f->payload, n, err, errlen) < 0
			       ? CTCONN_RETRY
			       : 0;
	if (f->opcode != CTWS_CLOSE)
		return 0; /* a pong: nothing asked for it, nothing to do */
	unsigned code;
	const uint8_t *why;
	size_t wl;
	if (ctwsc_close_parse(f->payload, n, &code, &why, &wl) < 0)
		return ws_fail(s, 1002, err, errlen, "invalid close frame");
	/* answer with the same code (section 5.5.1), then the server
	 * closes the TCP connection */
	char ignored[160], reason[64];
	ws_send(s, CTWS_CLOSE, f->payload, code == 1005 ? 0 : 2, ignored,
		sizeof ignored);
	printable(why, wl, reason, sizeof reason);
	return say(err, errlen, "closed by the server (%u%s%s)", code,
		   *reason ? " " : "", reason);
}

static int ws_message(struct session *s, const uint8_t *p, size_t n,
		      int opcode, char *err, size_t errlen)
{
	if (opcode == CTWS_TEXT && !ctws_utf8(p, n))
		return ws_fail(s, 1007, err, errlen,
			       "a text message that is not UTF-8");
	s->cfg->on_message(s->cfg->ctx, (const char *)p, n,
			   opcode == CTWS_BINARY);
	return 0;
}

static int ws_input(struct session *s, char *err, size_t errlen)
{
	uint64_t max = s->cfg->max;
	for (;;) {
		struct ctwsc_frame f;
		const uint8_t *p = (const uint8_t *)s->in.b.p + s->in.off;
		long n = ctwsc_parse(p, rb_left(&s->in), max, &f);
		if (n == -2)
			return 0;
		if (n == -1)
			return ws_fail(s, 1002, err, errlen,
				       "invalid frame (0x%02x 0x%02x)", p[0],
				       p[1]);
		if (n == -3)
			return ws_fail(s, 1009, err, errlen,
				       "a frame of %llu bytes, over the limit "
				       "of %llu (--max-message)",
				       (unsigned long long)f.len,
				       (unsigned long long)max);
		s->in.off += (size_t)n;
		int op, r = 0;
		switch (ctwsc_order(&s->order, f.opcode, f.fin, &op)) {
		case CTWSC_BAD:
			return ws_fail(s, 1002, err, errlen,
				       "fragments out of order");
		case CTWSC_CONTROL:
			r = ws_control(s, &f, err, errlen);
			break;
		case CTWSC_PART:
		case CTWSC_LAST:
			if (s->msg.len + f.len > max)
				return ws_fail(s, 1009, err, errlen,
					       "a message of more than %llu "
					       "bytes (--max-message)",
					       (unsigned long long)max);
			if (f.fin && !s->msg.len) { /* whole: no copy */
				r = ws_message(s, f.payload, (size_t)f.len, op,
					       err, errlen);
				break;
			}
			ctbuf_add(&s->msg, f.payload, (size_t)f.len);
			if (!f.fin)
				break;
			r = ws_message(s, (const uint8_t *)s->msg.p,
				       s->msg.len, op, err, errlen);
			ctbuf_reset(&s->msg);
			break;
		}
		if (r < 0)
			return r;
	}
}

/* ---- server-sent events and TCP lines ---------------------------------- */

static int sse_lines(struct session *s, struct rbuf *r, char *err,
		     size_t errlen)
{
	while (rb_left(r)) {
		struct ctsse_line l;
		long n = ctsse_parse(r->b.p + r->off, rb_left(r), &l);
		if (n == -2)
			break;
		r->off += (size_t)n;
		if (l.kind == CTSSE_DISPATCH) {
			if (s->have_data)
				s->cfg->on_message(s->cfg->ctx, s->msg.p,
						   s->msg.len, 0);
			s->have_data = 0;
			ctbuf_reset(&s->msg);
		} else if (l.kind == CTSSE_FIELD && l.nlen == 4 &&
			   !memcmp(l.name, "data", 4)) {
			if (s->have_data)
				ctbuf_addc(&s->msg, '\n');
			ctbuf_add(&s->msg, l.value, l.vlen);
			s->have_data = 1;
			if (s->msg.len > s->cfg->max)
				return say(err, errlen,
					   "an event of more than %llu bytes "
					   "(--max-message)",
					   (unsigned long long)s->cfg->max);
		}
	}
	if (rb_left(r) > s->cfg->max + 16)
		return say(err, errlen, "a line of more than %llu bytes "
					"(--max-message)",
			   (unsigned long long)s->cfg->max);
	return 0;
}

static int sse_input(struct session *s, char *err, size_t errlen)
{
	if (!s->chunked)
		return sse_lines(s, &s->in, err, errlen);
	rb_compact(&s->body);
	for (;;) {
		const char *d;
		size_t dl;
		int done;
		long n = cthttpc_dechunk(&s->ch, s->in.b.p + s->in.off,
					 rb_left(&s->in), &d, &dl, &done);
		if (n == -1)
			return say(err, errlen, "malformed chunked body");
		if (done)
			return say(err, errlen, "the server ended the stream");
		if (n == -2)
			break;
		ctbuf_add(&s->body.b, d, dl);
		s->in.off += (size_t)n;
		/* decode no further ahead than the lines are taken */
		if (rb_left(&s->body) > READ_CHUNK &&
		    sse_lines(s, &s->body, err, errlen) < 0)
			return CTCONN_RETRY;
	}
	return sse_lines(s, &s->body, err, errlen);
}

static int tcp_input(struct session *s, char *err, size_t errlen)
{
	for (;;) {
		const char *p = s->in.b.p + s->in.off;
		const char *nl = memchr(p, '\n', rb_left(&s->in));
		if (!nl)
			break;
		size_t n = (size_t)(nl - p);
		s->in.off += n + 1;
		if (n && p[n - 1] == '\r')
			n--;
		if (n > s->cfg->max)
			return say(err, errlen, "a line of %zu bytes, over the "
						"limit of %llu (--max-message)",
				   n, (unsigned long long)s->cfg->max);
		if (n)
			s->cfg->on_message(s->cfg->ctx, p, n, 0);
	}
	if (rb_left(&s->in) > s->cfg->max + 1)
		return say(err, errlen, "a line of more than %llu bytes "
					"(--max-message)",
			   (unsigned long long)s->cfg->max);
	return 0;
}

static int process(struct session *s, char *err, size_t errlen)
{
	if (is_ws(s))
		return ws_input(s, err, errlen);
	if (s->cfg->url->scheme == CTURL_TCP)
		return tcp_input(s, err, errlen);
	return sse_input(s, err, errlen);
}

int session_ping(struct session *s, char *err, size_t errlen)
{
	if (!is_ws(s))
		return 0;
	static const uint8_t hi[] = "ct-tail";
	return ws_send(s, CTWS_PING, hi, sizeof hi - 1, err, errlen) < 0
		       ? CTCONN_RETRY
		       : 0;
}

/* ---- the opening -------------------------------------------------------- */

/* 3xx and 4xx answers stay what they are, but for a timeout (408), too
 * early (425) and too many requests (429); 5xx may pass. */
static int status_fatal(int st)
{
	return st >= 200 && st < 500 && st != 408 && st != 425 && st != 429;
}

static int check_head(struct session *s, const struct cthttpc_resp *r,
		      char *err, size_t errlen)
{
	if (is_ws(s)) {
		if (ctwsc_check(r, s->key, err, errlen) == 0)
			return 0;
		return r->status == 101 || status_fatal(r->status)
			       ? CTCONN_FATAL
			       : CTCONN_RETRY;
	}
	if (r->status != 200) {
		snprintf(err, errlen, "HTTP %d %.*s", r->status,
			 (int)(r->rlen > 80 ? 80 : r->rlen), r->reason);
		return status_fatal(r->status) ? CTCONN_FATAL : CTCONN_RETRY;
	}
	size_t n;
	const char *v = cthttpc_header(r, "Content-Type", &n);
	if (!v || n < 17 || strncasecmp(v, "text/event-stream", 17)) {
		snprintf(err, errlen, "not an event stream (Content-Type: "
				      "%.*s)",
			 v ? (int)(n > 60 ? 60 : n) : 4, v ? v : "none");
		return CTCONN_FATAL;
	}
	v = cthttpc_header(r, "Transfer-Encoding", &n);
	if (v) {
		if (!cthttp_has_token(v, n, "chunked") ||
		    strcspn(v, ",") < n) {
			snprintf(err, errlen, "Transfer-Encoding %.*s is not "
					      "supported",
				 (int)(n > 60 ? 60 : n), v);
			return CTCONN_FATAL;
		}
		s->chunked = 1;
	}
	return 0;
}

static void request(struct session *s, struct ctbuf *b)
{
	char host[CTURL_HOST_MAX + 16];
	cturl_hostport(s->cfg->url, host, sizeof host);
	if (is_ws(s)) {
		uint8_t rnd[16];
		RAND_bytes(rnd, sizeof rnd);
		ctwsc_key(rnd, s->key);
		ctwsc_request(b, host, s->cfg->target, s->key, s->cfg->extra);
		return;
	}
	ctbuf_printf(b, "GET %s HTTP/1.1\r\nHost: %s\r\n"
			"Accept: text/event-stream\r\n"
			"Cache-Control: no-cache\r\n%s\r\n",
		     s->cfg->target, host, s->cfg->extra);
}

int session_start(struct session *s, int64_t deadline, char *err,
		  size_t errlen)
{
	if (s->cfg->url->scheme == CTURL_TCP)
		return 0;
	struct ctbuf req = CTBUF_INIT;
	request(s, &req);
	int w = ctconn_write(s->c, req.p, req.len, deadline, err, errlen);
	ctbuf_free(&req);
	if (w < 0)
		return CTCONN_RETRY;
	for (;;) {
		struct cthttpc_resp r;
		int n = s->in.b.len ? cthttpc_parse(s->in.b.p, s->in.b.len, &r)
				    : -2;
		if (n == -1 || n == -3)
			return say(err, errlen, "malformed response head");
		if (n > 0) {
			int c = check_head(s, &r, err, errlen);
			if (c < 0)
				return c;
			s->in.off = (size_t)n;
			s->fresh = 1;
			return 0;
		}
		if (s->in.b.len > HEAD_MAX)
			return say(err, errlen, "response head over %d bytes",
				   HEAD_MAX);
		int f = fill(s, err, errlen);
		if (f < 0)
			return f;
		if (f)
			continue;
		int ready = ctconn_wait(s->c, deadline);
		if (ready <= 0)
			return say(err, errlen, "%s",
				   ready < 0 ? "interrupted"
					     : "no answer to the request");
	}
}

int session_input(struct session *s, int *got, char *err, size_t errlen)
{
	*got = 0;
	if (s->fresh) { /* what came with the head */
		s->fresh = 0;
		int r = process(s, err, errlen);
		if (r < 0)
			return r;
	}
	/* One read a call: what it brought is written out before the
	 * next (a relay passes a burst on as it comes, not at its end),
	 * and the caller's timers are looked at. */
	int f = fill(s, err, errlen);
	if (f <= 0)
		return f;
	*got = 1;
	return process(s, err, errlen);
}
