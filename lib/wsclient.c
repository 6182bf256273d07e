/* wsclient: the client side of WebSocket (see wsclient.h). */
#include "wsclient.h"

#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "httpd.h"
#include "ws.h"

void ctwsc_key(const uint8_t rnd[16], char out[25])
{
	struct ctbuf b = CTBUF_INIT;
	ctb64_encode(&b, rnd, 16);
	memcpy(out, b.p, 24);
	out[24] = '\0';
	ctbuf_free(&b);
}

void ctwsc_request(struct ctbuf *out, const char *host, const char *target,
		   const char *key, const char *extra)
{
	ctbuf_printf(out,
		     "GET %s HTTP/1.1\r\nHost: %s\r\n"
		     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
		     "%s\r\n",
		     target, host, key, extra ? extra : "");
}

int ctwsc_check(const struct cthttpc_resp *r, const char *key, char *err,
		size_t errlen)
{
	size_t n;
	const char *v;
	if (r->status != 101) {
		snprintf(err, errlen, "HTTP %d %.*s, not a WebSocket upgrade",
			 r->status, (int)(r->rlen > 80 ? 80 : r->rlen),
			 r->reason);
		return -1;
	}
	v = cthttpc_header(r, "Upgrade", &n);
	if (!v || !cthttp_has_token(v, n, "websocket")) {
		snprintf(err, errlen, "101 without Upgrade: websocket");
		return -1;
	}
	v = cthttpc_header(r, "Connection", &n);
	if (!v || !cthttp_has_token(v, n, "upgrade")) {
		snprintf(err, errlen, "101 without Connection: upgrade");
		return -1;
	}
	char want[29];
	ctws_accept(key, strlen(key), want);
	v = cthttpc_header(r, "Sec-WebSocket-Accept", &n);
	if (!v || n != 28 || memcmp(v, want, 28)) {
		snprintf(err, errlen, "wrong Sec-WebSocket-Accept");
		return -1;
	}
	/* RFC 6455 section 4.1: neither was asked for, so neither may be
	 * in use */
	if (cthttpc_header(r, "Sec-WebSocket-Extensions", &n)) {
		snprintf(err, errlen, "the server uses an extension that was "
				      "not offered");
		return -1;
	}
	if (cthttpc_header(r, "Sec-WebSocket-Protocol", &n)) {
		snprintf(err, errlen, "the server names a subprotocol that "
				      "was not offered");
		return -1;
	}
	return 0;
}

long ctwsc_parse(const uint8_t *buf, size_t len, uint64_t max,
		 struct ctwsc_frame *f)
{
	struct ctws_frame h;
	int r = ctws_parse(buf, len, &h);
	if (r < 0)
		return r;
	if (h.masked)
		return -1; /* section 5.1: a client closes on a masked frame */
	f->fin = h.fin;
	f->opcode = h.opcode;
	f->len = h.len;
	f->payload = buf + h.head;
	if (h.len > max)
		return -3;
	if (len - h.head < h.len)
		return -2;
	return (long)(h.head + h.len);
}

int ctwsc_order(int *state, int opcode, int fin, int *msg_opcode)
{
	if (opcode & 8)
		return CTWSC_CONTROL;
	if (opcode == CTWS_CONT) {
		if (!*state)
			return CTWSC_BAD;
	} else {
		if (*state)
			return CTWSC_BAD;
		*state = opcode;
	}
	if (!fin)
		return CTWSC_PART;
	*msg_opcode = *state;
	*state = 0;
	return CTWSC_LAST;
}

int ctwsc_close_parse(const uint8_t *p, size_t n, unsigned *code,
		      const uint8_t **reason, size_t *rlen)
{
	*reason = p;
	*rlen = 0;
	if (n == 0) {
		*code = 1005;
		return 0;
	}
	if (n == 1)
		return -1;
	unsigned c = (unsigned)p[0] << 8 | p[1];
	/* section 7.4: 1000-1003 and 1007-1011 defined, 1012-1014 added by
	 * IANA, 3000-4999 for libraries and applications; 1004-1006, 1015
	 * and the rest are never sent */
	if (!((c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) ||
	      (c >= 3000 && c <= 4999)))
		return -1;
	if (!ctws_utf8(p + 2, n - 2))
		return -1;
	*code = c;
	*reason = p + 2;
	*rlen = n - 2;
	return 0;
}

size_t ctwsc_encode(uint8_t *out, int opcode, const uint8_t *payload,
		    size_t n, const uint8_t mask[4])
{
	size_t h = ctws_head(out, opcode, n);
	out[1] |= 0x80;
	memcpy(out + h, mask, 4);
	h += 4;
	if (n)
		memcpy(out + h, payload, n);
	ctws_unmask(out + h, n, mask, 0);
	return h + n;
}
