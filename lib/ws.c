/* ws: WebSocket frames (see ws.h). */
#include "ws.h"

#include <openssl/sha.h>
#include <string.h>

#include "b64.h"

int ctws_parse(const uint8_t *buf, size_t len, struct ctws_frame *f)
{
	if (len < 2)
		return -2;
	uint8_t b0 = buf[0], b1 = buf[1];
	if (b0 & 0x70)
		return -1; /* RSV bits: no extension negotiated */
	f->fin = b0 >> 7;
	f->opcode = b0 & 0x0f;
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
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t l;
		uint32_t min;
		if (c >= 0xc2 && c <= 0xdf) {
			l = 2;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			l = 3;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			l = 4;
			min = 0x10000;
		} else {
			return 0;
		}
		if (n - i < l)
			return 0;
		uint32_t cp = c & (0x7f >> l);
		for (size_t k = 1; k < l; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
			return 0;
		i += l;
	}
	return 1;
}
