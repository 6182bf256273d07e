/* wsconn: what a WebSocket client sends (see wsconn.h). */
#include "wsconn.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "mem.h"
#include "utf8.h"
#include "ws.h"

/* Queue a close frame with code; c is dropped once it is written. */
static void ws_close(struct server *s, struct client *c, unsigned code,
		     enum reason why)
{
	uint8_t f[4] = { 0x88, 2, (uint8_t)(code >> 8), (uint8_t)code };
	struct msg *m = msg_new(f, sizeof f);
	c->close_after = 1;
	c->close_why = (uint8_t)why;
	if (client_enqueue(s, c, m, 1) == 0)
		client_flush(s, c);
}

/* Answer one complete frame (its payload unmasked): 0, or -1 when the
 * client is closing or gone. */
static int ws_frame(struct server *s, struct client *c,
		    const struct ctws_frame *f, const uint8_t *pay)
{
	switch (f->opcode) {
	case CTWS_PING: {
		uint8_t hd[10];
		size_t hl = ctws_head(hd, CTWS_PONG, f->len);
		char tmp[140];
		memcpy(tmp, hd, hl);
		memcpy(tmp + hl, pay, (size_t)f->len);
		struct msg *pong = msg_new(tmp, hl + (size_t)f->len);
		/* -1: it reads too slowly, dropped */
		return client_enqueue(s, c, pong, 1);
	}
	case CTWS_CLOSE: {
		/* 1000, or 1002/1007 for a code or reason that may not be in
		 * a close frame */
		unsigned code = ctws_close_reply(pay, (size_t)f->len);
		ws_close(s, c, code, code == 1000 ? R_CLIENT : R_PROTOCOL);
		return -1;
	}
	case CTWS_TEXT:
	case CTWS_BINARY:
		if (c->frag) {
			ws_close(s, c, 1002, R_PROTOCOL);
			return -1;
		}
		if (f->opcode == CTWS_TEXT && f->fin) {
			int bad = f->rsv1
				      ? ctws_inflate_utf8(pay, (size_t)f->len)
				      : !ctutf8_valid(pay, (size_t)f->len);
			if (bad) {
				ws_close(s, c, bad == 2 ? 1009 : 1007,
					 R_PROTOCOL);
				return -1;
			}
		}
		c->frag = !f->fin;
		return 0;
	case CTWS_CONT:
		if (!c->frag) {
			ws_close(s, c, 1002, R_PROTOCOL);
			return -1;
		}
		c->frag = !f->fin;
		return 0;
	default: /* a pong */
		return 0;
	}
}

/* Handle the complete frames in c->in, keep a partial one; -1 if the
 * client is gone or closing. */
static int ws_input(struct server *s, struct client *c)
{
	size_t at = 0;
	while (at < c->inlen && !c->close_after) {
		struct ctws_frame f;
		int h = ctws_parse_ext((uint8_t *)c->in + at, c->inlen - at, &f,
				       c->deflate);
		if (h == -2)
			break;
		if (h < 0 || !f.masked) {
			ws_close(s, c, 1002, R_PROTOCOL);
			return -1;
		}
		if (f.len > CIN - 14) {
			ws_close(s, c, 1009, R_PROTOCOL);
			return -1;
		}
		if (c->inlen - at - (size_t)h < f.len)
			break;
		uint8_t *pay = (uint8_t *)c->in + at + h;
		ctws_unmask(pay, (size_t)f.len, f.mask, 0);
		at += (size_t)h + (size_t)f.len;
		if (ws_frame(s, c, &f, pay) < 0)
			return -1;
	}
	memmove(c->in, c->in + at, c->inlen - at);
	c->inlen -= at;
	if (c->qn && !client_waits_out(c))
		return client_flush(s, c);
	return 0;
}

void ws_readable(struct server *s, struct client *c)
{
	for (;;) {
		/* into the server's scratch buffer, unless a partial frame
		 * waits in the client's own */
		char *buf = c->inlen ? c->in + c->inlen : s->scratch;
		size_t cap = c->inlen ? CIN - c->inlen : CIN;
		ssize_t r = client_read(s, c, buf, cap);
		if (r <= 0)
			return;
		if (buf == s->scratch)
			c->in = s->scratch; /* lent for this call */
		c->inlen += (size_t)r;
		if (ws_input(s, c) < 0)
			return; /* gone */
		if (c->in == s->scratch) {
			/* keep a partial frame in a buffer of its own */
			c->in = c->inlen ? memcpy(ct_xmalloc(CIN), s->scratch,
						  c->inlen)
					 : NULL;
		} else if (!c->inlen) {
			free(c->in);
			c->in = NULL;
		}
	}
}
