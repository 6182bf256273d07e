/* ws: WebSocket frames (see ws.h). */
#include "ws.h"

#include <openssl/sha.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "b64.h"
#include "utf8.h"

int ctws_parse(const uint8_t *buf, size_t len, struct ctws_frame *f)
{
	return ctws_parse_ext(buf, len, f, 0);
}

int ctws_parse_ext(const uint8_t *buf, size_t len, struct ctws_frame *f,
		   int deflate)
{
	if (len < 2)
		return -2;
	uint8_t b0 = buf[0], b1 = buf[1];
	if (b0 & (deflate ? 0x30 : 0x70))
		return -1; /* RSV bits of no negotiated extension */
	f->fin = b0 >> 7;
	f->opcode = b0 & 0x0f;
	f->rsv1 = (b0 >> 6) & 1;
	/* permessage-deflate: RSV1 marks the first frame of a compressed
	 * data message, never a continuation or control frame */
	if (f->rsv1 && f->opcode != CTWS_TEXT && f->opcode != CTWS_BINARY)
		return -1;
	switch (f->opcode) {
	case CTWS_CONT: case CTWS_TEXT: case CTWS_BINARY:
		break;
	case CTWS_CLOSE: case CTWS_PING: case CTWS_PONG:
		if (!f->fin || (b1 & 0x7f) > 125)
			return -1;
		break;
	default:
		return -1;
	}
	f->masked = b1 >> 7;
	uint64_t l = b1 & 0x7f;
	size_t h = 2;
	if (l == 126) {
		if (len < 4)
			return -2;
		l = (uint64_t)buf[2] << 8 | buf[3];
		if (l < 126)
			return -1;
		h = 4;
	} else if (l == 127) {
		if (len < 10)
			return -2;
		l = 0;
		for (int i = 0; i < 8; i++)
			l = l << 8 | buf[2 + i];
		if (l < 65536 || l >> 63)
			return -1;
		h = 10;
	}
	if (f->masked) {
		if (len < h + 4)
			return -2;
		memcpy(f->mask, buf + h, 4);
		h += 4;
	}
	f->len = l;
	f->head = h;
	return (int)h;
}

size_t ctws_head(uint8_t out[10], int opcode, uint64_t len)
{
	out[0] = (uint8_t)(0x80 | opcode);
	if (len < 126) {
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len < 65536) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		return 4;
	}
	out[1] = 127;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 10;
}

void ctws_unmask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= mask[(off + i) & 3];
}

void ctws_accept(const char *key, size_t klen, char out[29])
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	uint8_t in[128 + sizeof guid], md[20];
	if (klen > 128)
		klen = 128;
	memcpy(in, key, klen);
	memcpy(in + klen, guid, sizeof guid - 1);
	SHA1(in, klen + sizeof guid - 1, md);
	struct ctbuf b = CTBUF_INIT;
	ctb64_encode(&b, md, sizeof md);
	memcpy(out, b.p, 28);
	out[28] = '\0';
	ctbuf_free(&b);
}

int ctws_utf8(const uint8_t *p, size_t n)
{
	return ctutf8_valid(p, n);
}

unsigned ctws_close_reply(const uint8_t *p, size_t n)
{
	if (n == 0)
		return 1000;
	if (n == 1)
		return 1002;
	unsigned code = (unsigned)p[0] << 8 | p[1];
	int sendable = (code >= 1000 && code <= 1003) ||
		       (code >= 1007 && code <= 1014) ||
		       (code >= 3000 && code <= 4999);
	if (!sendable)
		return 1002;
	return ctws_utf8(p + 2, n - 2) ? 1000 : 1007;
}

/* ---- permessage-deflate negotiation (RFC 7692 section 7.1) ------------- */

static int tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

static size_t skip_ows(const char *v, size_t i, size_t n)
{
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	return i;
}

/* A token at v[i]: its end (== i if none). */
static size_t token_end(const char *v, size_t i, size_t n)
{
	while (i < n && v[i] && tchar(v[i]))
		i++;
	return i;
}

static int is(const char *v, size_t a, size_t b, const char *word)
{
	size_t l = strlen(word);
	return b - a == l && !strncasecmp(v + a, word, l);
}

/* One offer v[a..b) ("name; p; p=v"): can we accept it? */
static int offer_ok(const char *v, size_t a, size_t b)
{
	size_t i = skip_ows(v, a, b), e = token_end(v, i, b);
	if (!is(v, i, e, "permessage-deflate"))
		return 0;
	unsigned seen = 0;
	i = skip_ows(v, e, b);
	while (i < b) {
		if (v[i] != ';')
			return 0;
		i = skip_ows(v, i + 1, b);
		size_t ps = i, pe = token_end(v, i, b);
		if (pe == ps)
			return 0;
		i = skip_ows(v, pe, b);
		size_t vs = 0, ve = 0;
		int has = 0;
		if (i < b && v[i] == '=') {
			i = skip_ows(v, i + 1, b);
			int q = i < b && v[i] == '"';
			vs = i + (size_t)q;
			ve = token_end(v, vs, b);
			i = ve;
			if (q) {
				if (i >= b || v[i] != '"')
					return 0;
				i++;
			}
			if (ve == vs)
				return 0;
			has = 1;
			i = skip_ows(v, i, b);
		}
		unsigned bit;
		if (is(v, ps, pe, "server_no_context_takeover") ||
		    is(v, ps, pe, "client_no_context_takeover")) {
			if (has)
				return 0;
			bit = is(v, ps, pe, "server_no_context_takeover") ? 1 : 2;
		} else if (is(v, ps, pe, "server_max_window_bits") ||
			   is(v, ps, pe, "client_max_window_bits")) {
			int server = is(v, ps, pe, "server_max_window_bits");
			bit = server ? 4 : 8;
			if (server && !has)
				return 0; /* a value is required */
			if (has) {
				unsigned w = 0;
				if (ve - vs > 2 || (v[vs] == '0'))
					return 0;
				for (size_t k = vs; k < ve; k++) {
					if (v[k] < '0' || v[k] > '9')
						return 0;
					w = w * 10 + (unsigned)(v[k] - '0');
				}
				if (w < 8 || w > 15)
					return 0;
				/* we compress with a 32 KiB window */
				if (server && w < 15)
					return 0;
			}
		} else {
			return 0; /* unknown: decline */
		}
		if (seen & bit)
			return 0;
		seen |= bit;
	}
	return 1;
}

int ctws_deflate_offer(const char *v, size_t n)
{
	size_t a = 0;
	while (a < n) {
		/* offers are separated by commas outside quotes */
		size_t b = a;
		int q = 0;
		while (b < n && (q || v[b] != ',')) {
			if (v[b] == '"')
				q = !q;
			b++;
		}
		if (offer_ok(v, a, b))
			return 1;
		a = b + 1;
	}
	return 0;
}

int ctws_inflate_utf8(const uint8_t *p, size_t n)
{
	static const uint8_t tail[4] = { 0, 0, 0xff, 0xff };
	uint8_t out[CTWS_INFLATE_MAX];
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, -15) != Z_OK)
		return 1;
	z.next_out = out;
	z.avail_out = sizeof out;
	int r = Z_OK;
	for (int part = 0; part < 2 && r == Z_OK; part++) {
		/* the sender removed the final empty block: put it back */
		z.next_in = (Bytef *)(uintptr_t)(part ? tail : p);
		z.avail_in = (uInt)(part ? sizeof tail : n);
		r = inflate(&z, Z_SYNC_FLUSH);
		if (r == Z_BUF_ERROR && z.avail_out)
			r = Z_OK; /* needs more input: the tail comes next */
	}
	int big = z.avail_out == 0;
	size_t got = sizeof out - z.avail_out;
	int left = z.avail_in != 0;
	inflateEnd(&z);
	if (big)
		return 2;
	if ((r != Z_OK && r != Z_STREAM_END) || left)
		return 1;
	return !ctws_utf8(out, got);
}
