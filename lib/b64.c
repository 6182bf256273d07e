/* b64: base64 and hex with lookup tables; no allocation. */
#include "b64.h"

static const char enc[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 valid, 64 padding, 255 invalid. */
static uint8_t dec[256];
static int dec_ready;

static void dec_init(void)
{
	for (int i = 0; i < 256; i++)
		dec[i] = 255;
	for (int i = 0; i < 64; i++)
		dec[(uint8_t)enc[i]] = (uint8_t)i;
	dec['='] = 64;
	dec_ready = 1;
}

void ctb64_encode(struct ctbuf *b, const void *src, size_t n)
{
	const uint8_t *p = src;
	char *o = ctbuf_room(b, CTB64_ENCODED_LEN(n));
	char *start = o;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
			     p[i + 2];
		o[0] = enc[v >> 18];
		o[1] = enc[(v >> 12) & 63];
		o[2] = enc[(v >> 6) & 63];
		o[3] = enc[v & 63];
		o += 4;
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		o[0] = enc[v >> 18];
		o[1] = enc[(v >> 12) & 63];
		o[2] = o[3] = '=';
		o += 4;
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		o[0] = enc[v >> 18];
		o[1] = enc[(v >> 12) & 63];
		o[2] = enc[(v >> 6) & 63];
		o[3] = '=';
		o += 4;
	}
	ctbuf_commit(b, (size_t)(o - start));
}

long ctb64_decode(const char *src, size_t n, uint8_t *out)
{
	if (!dec_ready)
		dec_init();
	if (n % 4)
		return -1;
	const uint8_t *s = (const uint8_t *)src;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		uint8_t a = dec[s[i]], b = dec[s[i + 1]];
		uint8_t c = dec[s[i + 2]], d = dec[s[i + 3]];
		if ((a | b | c | d) < 64) {
			uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 |
				     (uint32_t)c << 6 | d;
			out[o++] = (uint8_t)(v >> 16);
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
			continue;
		}
		/* Padding is only allowed in the last quantum. */
		if (i + 4 != n || a >= 64 || b >= 64)
			return -1;
		if (c == 64 && d == 64) {
			if (b & 15)
				return -1; /* non-canonical trailing bits */
			out[o++] = (uint8_t)(a << 2 | b >> 4);
		} else if (c < 64 && d == 64) {
			if (c & 3)
				return -1;
			out[o++] = (uint8_t)(a << 2 | b >> 4);
			out[o++] = (uint8_t)(b << 4 | c >> 2);
		} else {
			return -1;
		}
	}
	return (long)o;
}

static const char hexu[] = "0123456789ABCDEF";
static const char hexl[] = "0123456789abcdef";

void cthex_upper(struct ctbuf *b, const void *src, size_t n, char sep)
{
	const uint8_t *p = src;
	if (!n)
		return;
	char *o = ctbuf_room(b, n * 3);
	char *start = o;
	for (size_t i = 0; i < n; i++) {
		if (sep && i)
			*o++ = sep;
		*o++ = hexu[p[i] >> 4];
		*o++ = hexu[p[i] & 15];
	}
	ctbuf_commit(b, (size_t)(o - start));
}

void cthex_lower(struct ctbuf *b, const void *src, size_t n)
{
	const uint8_t *p = src;
	char *o = ctbuf_room(b, n * 2);
	for (size_t i = 0; i < n; i++) {
		o[2 * i] = hexl[p[i] >> 4];
		o[2 * i + 1] = hexl[p[i] & 15];
	}
	ctbuf_commit(b, n * 2);
}

static int nib(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cthex_decode(const char *src, size_t srclen, uint8_t *out)
{
	if (srclen % 2)
		return -1;
	for (size_t i = 0; i < srclen; i += 2) {
		int h = nib(src[i]), l = nib(src[i + 1]);
		if (h < 0 || l < 0)
			return -1;
		out[i / 2] = (uint8_t)(h << 4 | l);
	}
	return 0;
}
