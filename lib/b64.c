/* b64: base64 and hex with lookup tables; no allocation. */
#include "b64.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CT_B64_SIMD 1
#endif

static const char enc[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 valid, 64 padding, 255 invalid. */
static uint8_t dec[256];
/* The same, pre-shifted into place for each of the four positions of a
 * quantum; an invalid or padding character sets bit 31. */
static uint32_t dq[4][256];
static int dec_ready;

static void dec_init(void)
{
	for (int i = 0; i < 256; i++) {
		dec[i] = 255;
		for (int k = 0; k < 4; k++)
			dq[k][i] = 0x80000000u;
	}
	for (int i = 0; i < 64; i++) {
		uint8_t c = (uint8_t)enc[i];
		dec[c] = (uint8_t)i;
		dq[0][c] = (uint32_t)i << 18;
		dq[1][c] = (uint32_t)i << 12;
		dq[2][c] = (uint32_t)i << 6;
		dq[3][c] = (uint32_t)i;
	}
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

#ifdef CT_B64_SIMD
/* 16 characters to 12 bytes a step while all are in the alphabet.
 * Validation and translation by range compares (bytes >= 0x80 are
 * negative, so they fall in no range); packing by multiply-add and a
 * byte shuffle. Returns how many characters it consumed. */
__attribute__((target("ssse3"))) static size_t
decode_ssse3(const uint8_t *s, size_t n, uint8_t *out, size_t *o)
{
	size_t i = 0, w = *o;
	const __m128i shuf = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13,
					   12, -1, -1, -1, -1);
	for (; i + 24 <= n; i += 16) {
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i az = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(0x60)),
					   _mm_cmplt_epi8(c, _mm_set1_epi8(0x7b)));
		__m128i AZ = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(0x40)),
					   _mm_cmplt_epi8(c, _mm_set1_epi8(0x5b)));
		__m128i dg = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(0x2f)),
					   _mm_cmplt_epi8(c, _mm_set1_epi8(0x3a)));
		__m128i pl = _mm_cmpeq_epi8(c, _mm_set1_epi8('+'));
		__m128i sl = _mm_cmpeq_epi8(c, _mm_set1_epi8('/'));
		__m128i ok = _mm_or_si128(_mm_or_si128(az, AZ),
					  _mm_or_si128(dg, _mm_or_si128(pl, sl)));
		if (_mm_movemask_epi8(ok) != 0xffff)
			break;
		__m128i off = _mm_or_si128(
			_mm_or_si128(_mm_and_si128(az, _mm_set1_epi8(-71)),
				     _mm_and_si128(AZ, _mm_set1_epi8(-65))),
			_mm_or_si128(_mm_and_si128(dg, _mm_set1_epi8(4)),
				     _mm_or_si128(_mm_and_si128(pl, _mm_set1_epi8(19)),
						  _mm_and_si128(sl, _mm_set1_epi8(16)))));
		__m128i v = _mm_add_epi8(c, off);
		/* (a<<6|b) per 16 bits, then (ab<<12|cd) per 32 bits. */
		v = _mm_maddubs_epi16(v, _mm_set1_epi32(0x01400140));
		v = _mm_madd_epi16(v, _mm_set1_epi32(0x00011000));
		v = _mm_shuffle_epi8(v, shuf);
		_mm_storeu_si128((__m128i *)(void *)(out + w), v);
		w += 12;
	}
	*o = w;
	return i;
}

/* The same 32 characters a step with AVX2; the byte shuffle works per
 * 128-bit lane, so each lane's 12 bytes are stored separately. */
__attribute__((target("avx2"))) static size_t
decode_avx2(const uint8_t *s, size_t n, uint8_t *out, size_t *o)
{
	size_t i = 0, w = *o;
	const __m256i shuf = _mm256_setr_epi8(
		2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
		2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
	for (; i + 40 <= n; i += 32) {
		__m256i c = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
		__m256i az = _mm256_and_si256(
			_mm256_cmpgt_epi8(c, _mm256_set1_epi8(0x60)),
			_mm256_cmpgt_epi8(_mm256_set1_epi8(0x7b), c));
		__m256i AZ = _mm256_and_si256(
			_mm256_cmpgt_epi8(c, _mm256_set1_epi8(0x40)),
			_mm256_cmpgt_epi8(_mm256_set1_epi8(0x5b), c));
		__m256i dg = _mm256_and_si256(
			_mm256_cmpgt_epi8(c, _mm256_set1_epi8(0x2f)),
			_mm256_cmpgt_epi8(_mm256_set1_epi8(0x3a), c));
		__m256i pl = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('+'));
		__m256i sl = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('/'));
		__m256i ok = _mm256_or_si256(_mm256_or_si256(az, AZ),
					     _mm256_or_si256(dg, _mm256_or_si256(pl, sl)));
		if ((unsigned)_mm256_movemask_epi8(ok) != 0xffffffffu)
			break;
		__m256i off = _mm256_or_si256(
			_mm256_or_si256(_mm256_and_si256(az, _mm256_set1_epi8(-71)),
					_mm256_and_si256(AZ, _mm256_set1_epi8(-65))),
			_mm256_or_si256(_mm256_and_si256(dg, _mm256_set1_epi8(4)),
					_mm256_or_si256(
						_mm256_and_si256(pl, _mm256_set1_epi8(19)),
						_mm256_and_si256(sl, _mm256_set1_epi8(16)))));
		__m256i v = _mm256_add_epi8(c, off);
		v = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
		v = _mm256_madd_epi16(v, _mm256_set1_epi32(0x00011000));
		v = _mm256_shuffle_epi8(v, shuf);
		_mm_storeu_si128((__m128i *)(void *)(out + w),
				 _mm256_castsi256_si128(v));
		_mm_storeu_si128((__m128i *)(void *)(out + w + 12),
				 _mm256_extracti128_si256(v, 1));
		w += 24;
	}
	*o = w;
	return i;
}
#endif

long ctb64_decode(const char *src, size_t n, uint8_t *out)
{
	if (!dec_ready)
		dec_init();
	if (n % 4)
		return -1;
	const uint8_t *s = (const uint8_t *)src;
	size_t o = 0, i = 0;
#ifdef CT_B64_SIMD
	/* Each step leaves at least two quanta (6 bytes of output room)
	 * after it, so its 16-byte store stays inside the output. */
	static int simd = -1;
	if (simd < 0)
		simd = __builtin_cpu_supports("avx2")	 ? 2
		       : __builtin_cpu_supports("ssse3") ? 1
							 : 0;
	if (simd == 2 && n > 40)
		i = decode_avx2(s, n, out, &o);
	if (simd && n - i > 32)
		i += decode_ssse3(s + i, n - i, out, &o);
#endif
	/* Two quanta a step through the shifted tables; the last quantum
	 * (padding) goes the careful way below. */
	for (; i + 8 < n; i += 8) {
		uint32_t v = dq[0][s[i]] | dq[1][s[i + 1]] | dq[2][s[i + 2]] |
			     dq[3][s[i + 3]];
		uint32_t w = dq[0][s[i + 4]] | dq[1][s[i + 5]] |
			     dq[2][s[i + 6]] | dq[3][s[i + 7]];
		if ((v | w) & 0x80000000u)
			break;
		out[o] = (uint8_t)(v >> 16);
		out[o + 1] = (uint8_t)(v >> 8);
		out[o + 2] = (uint8_t)v;
		out[o + 3] = (uint8_t)(w >> 16);
		out[o + 4] = (uint8_t)(w >> 8);
		out[o + 5] = (uint8_t)w;
		o += 6;
	}
	for (; i < n; i += 4) {
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

int cthex_decode_sep(const char *src, size_t srclen, char sep, uint8_t *out,
		     size_t n)
{
	size_t k = 0;
	int hi = -1;
	for (size_t i = 0; i < srclen; i++) {
		if (src[i] == sep)
			continue;
		int v = nib(src[i]);
		if (v < 0 || (hi >= 0 && k == n))
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		out[k++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return k == n && hi < 0 ? 0 : -1;
}
