/* json: writer with escaping and UTF-8 repair; strict in-place reader
 * (RFC 8259 grammar, depth-limited, no allocation). */
#include "json.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "utf8.h"

/* 1 for bytes that can be copied as they are inside a JSON string. */
static const uint8_t plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
	R16(0), R16(0),                          /* 0x00-0x1f */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2f: '"' */
	R16(1), R16(1),                          /* 0x30-0x4f */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50-0x5f: '\' */
	R16(1), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* DEL */
	R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
#undef R16
};

void ctjson_str_body(struct ctbuf *b, const void *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = src;
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		while (run < n && plain[p[run]])
			run++;
		if (run > i)
			ctbuf_add(b, p + i, run - i);
		i = run;
		if (i >= n)
			break;
		uint8_t c = p[i];
		if (c >= 0x80) {
			size_t l = ctutf8_len(p + i, n - i);
			if (l) {
				ctbuf_add(b, p + i, l);
				i += l;
			} else {
				CTBUF_LIT(b, "\xef\xbf\xbd");
				i++;
			}
			continue;
		}
		i++;
		switch (c) {
		case '"': CTBUF_LIT(b, "\\\""); break;
		case '\\': CTBUF_LIT(b, "\\\\"); break;
		case '\n': CTBUF_LIT(b, "\\n"); break;
		case '\r': CTBUF_LIT(b, "\\r"); break;
		case '\t': CTBUF_LIT(b, "\\t"); break;
		case '\b': CTBUF_LIT(b, "\\b"); break;
		case '\f': CTBUF_LIT(b, "\\f"); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4],
				      hex[c & 15] };
			ctbuf_add(b, u, 6);
		}
		}
	}
}

void ctjson_str(struct ctbuf *b, const void *s, size_t n)
{
	ctbuf_addc(b, '"');
	ctjson_str_body(b, s, n);
	ctbuf_addc(b, '"');
}

void ctjson_millis(struct ctbuf *b, uint64_t ms)
{
	ctbuf_addu64(b, ms / 1000);
	char frac[4] = { '.', (char)('0' + ms % 1000 / 100),
			 (char)('0' + ms % 100 / 10), (char)('0' + ms % 10) };
	ctbuf_add(b, frac, 4);
}

void ctjson_seconds(struct ctbuf *b, int64_t sec, long nsec)
{
	if (sec < 0)
		sec = 0;
	uint64_t ms = (uint64_t)sec * 1000 + (uint64_t)(nsec / 1000000);
	ctjson_millis(b, ms);
}

/* ---- reader ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
			   *p == '\r'))
		p++;
	return p;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Non-zero when any of the 8 bytes in x needs a closer look: '"', '\\',
 * a control character or a non-ASCII byte (false alarms are harmless). */
static inline uint64_t special8(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), bs = x ^ (ONES * '\\');
	return ((q - ONES) & ~q) | ((bs - ONES) & ~bs) |
	       ((x - ONES * 0x20) & ~x) | x;
}

/* p points after the opening quote; returns the closing quote or NULL.
 * Plain ASCII (base64, most names) goes 8 bytes a step. */
#ifdef __SSE2__
/* Skip bytes that need no look: stop at '"', '\\', a control character
 * or a non-ASCII byte (a signed compare catches both), or near the end. */
static const char *plain_run_sse2(const char *p, const char *end)
{
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);
	while (end - p >= 16) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, quote),
						      _mm_cmpeq_epi8(a, bslash)),
					 _mm_cmplt_epi8(a, space));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);
		if (bits)
			return p + __builtin_ctz(bits);
		p += 16;
	}
	return p;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
__attribute__((target("avx2"))) static const char *
plain_run_avx2(const char *p, const char *end)
{
	const __m256i quote = _mm256_set1_epi8('"');
	const __m256i bslash = _mm256_set1_epi8('\\');
	const __m256i space = _mm256_set1_epi8(0x20);
	while (end - p >= 32) {
		__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
		__m256i m = _mm256_or_si256(
			_mm256_or_si256(_mm256_cmpeq_epi8(a, quote),
					_mm256_cmpeq_epi8(a, bslash)),
			_mm256_cmpgt_epi8(space, a));
		unsigned bits = (unsigned)_mm256_movemask_epi8(m);
		if (bits)
			return p + __builtin_ctz(bits);
		p += 32;
	}
	return plain_run_sse2(p, end);
}
#endif

static const char *plain_run(const char *p, const char *end)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	static int avx2 = -1;
	if (avx2 < 0)
		avx2 = __builtin_cpu_supports("avx2");
	if (avx2)
		return plain_run_avx2(p, end);
#endif
	return plain_run_sse2(p, end);
}
#endif

static const char *scan_string(const char *p, const char *end, int *esc)
{
	*esc = 0;
	while (p < end) {
#ifdef __SSE2__
		p = plain_run(p, end);
#endif
		while (end - p >= 8) {
			uint64_t x;
			memcpy(&x, p, 8);
			if (special8(x) & HIGHS)
				break;
			p += 8;
		}
		if (p >= end)
			break;
		uint8_t c = (uint8_t)*p;
		if (c == '"')
			return p;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			*esc = 1;
			if (++p >= end)
				return NULL;
			switch (*p) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				p++;
				break;
			case 'u':
				if (end - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) ||
				    !is_hex(p[3]) || !is_hex(p[4]))
					return NULL;
				p += 5;
				break;
			default:
				return NULL;
			}
			continue;
		}
		if (c >= 0x80) {
			size_t l = ctutf8_len((const uint8_t *)p,
					    (size_t)(end - p));
			if (!l)
				return NULL;
			p += l;
			continue;
		}
		p++;
	}
	return NULL;
}

static const char *scan_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p >= end)
		return NULL;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return NULL;
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

static const char *scan_value(const char *p, const char *end, int depth,
			      struct ctjson_val *v);

/* Scan an object or array body; p is after the opening bracket. */
static const char *scan_container(const char *p, const char *end, int depth,
				  char close)
{
	struct ctjson_val tmp;
	p = skip_ws(p, end);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		p = skip_ws(p, end);
		if (close == '}') {
			int esc;
			if (p >= end || *p != '"')
				return NULL;
			p = scan_string(p + 1, end, &esc);
			if (!p)
				return NULL;
			p = skip_ws(p + 1, end);
			if (p >= end || *p != ':')
				return NULL;
			p++;
		}
		p = scan_value(p, end, depth + 1, &tmp);
		if (!p)
			return NULL;
		p = skip_ws(p, end);
		if (p >= end)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
}

static const char *lit(const char *p, const char *end, const char *word,
		       size_t n)
{
	if ((size_t)(end - p) < n || memcmp(p, word, n) != 0)
		return NULL;
	return p + n;
}

static const char *scan_value(const char *p, const char *end, int depth,
			      struct ctjson_val *v)
{
	if (depth > CTJSON_MAX_DEPTH)
		return NULL;
	p = skip_ws(p, end);
	if (p >= end)
		return NULL;
	const char *start = p, *q;
	v->escaped = 0;
	switch (*p) {
	case '"':
		q = scan_string(p + 1, end, &v->escaped);
		if (!q)
			return NULL;
		v->type = CTJSON_STRING;
		v->p = p + 1;
		v->len = (size_t)(q - p - 1);
		return q + 1;
	case '{':
	case '[':
		q = scan_container(p + 1, end, depth, *p == '{' ? '}' : ']');
		if (!q)
			return NULL;
		v->type = *p == '{' ? CTJSON_OBJECT : CTJSON_ARRAY;
		break;
	case 't':
		q = lit(p, end, "true", 4);
		v->type = CTJSON_TRUE;
		break;
	case 'f':
		q = lit(p, end, "false", 5);
		v->type = CTJSON_FALSE;
		break;
	case 'n':
		q = lit(p, end, "null", 4);
		v->type = CTJSON_NULL;
		break;
	default:
		q = scan_number(p, end);
		v->type = CTJSON_NUMBER;
		break;
	}
	if (!q)
		return NULL;
	v->p = start;
	v->len = (size_t)(q - start);
	return q;
}

int ctjson_parse(const char *s, size_t n, struct ctjson_val *out)
{
	const char *end = s + n;
	const char *p = scan_value(s, end, 0, out);
	if (!p || skip_ws(p, end) != end) {
		out->type = CTJSON_INVALID;
		return -1;
	}
	return 0;
}

void ctjson_iter_init(struct ctjson_iter *it, const struct ctjson_val *v)
{
	it->first = 1;
	it->is_array = v->type == CTJSON_ARRAY;
	if (v->type == CTJSON_OBJECT || v->type == CTJSON_ARRAY) {
		it->p = v->p + 1;
		it->end = v->p + v->len - 1;
	} else {
		it->p = it->end = NULL;
	}
}

/* The container was validated when it was scanned, so iteration can
 * trust the grammar; it still checks bounds and returns -1 on surprises. */
int ctjson_next(struct ctjson_iter *it, struct ctjson_val *key,
		struct ctjson_val *val)
{
	if (!it->p)
		return 0;
	const char *p = skip_ws(it->p, it->end);
	if (p >= it->end)
		return 0;
	if (!it->first) {
		if (*p != ',')
			return -1;
		p = skip_ws(p + 1, it->end);
	}
	it->first = 0;
	key->type = CTJSON_INVALID;
	key->escaped = 0;
	if (!it->is_array) {
		if (p >= it->end || *p != '"')
			return -1;
		const char *q = scan_string(p + 1, it->end, &key->escaped);
		if (!q)
			return -1;
		key->type = CTJSON_STRING;
		key->p = p + 1;
		key->len = (size_t)(q - p - 1);
		p = skip_ws(q + 1, it->end);
		if (p >= it->end || *p != ':')
			return -1;
		p++;
	}
	p = scan_value(p, it->end, 1, val);
	if (!p)
		return -1;
	it->p = p;
	return 1;
}

static int hexval(char c)
{
	if (c <= '9')
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

static void put_utf8(struct ctbuf *b, uint32_t cp)
{
	char u[4];
	if (cp < 0x80) {
		ctbuf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 63));
		ctbuf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 63));
		u[2] = (char)(0x80 | (cp & 63));
		ctbuf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 63));
		u[2] = (char)(0x80 | ((cp >> 6) & 63));
		u[3] = (char)(0x80 | (cp & 63));
		ctbuf_add(b, u, 4);
	}
}

static uint32_t hex4(const char *p)
{
	return (uint32_t)(hexval(p[0]) << 12 | hexval(p[1]) << 8 |
			  hexval(p[2]) << 4 | hexval(p[3]));
}

int ctjson_unescape(const struct ctjson_val *v, struct ctbuf *b)
{
	if (v->type != CTJSON_STRING)
		return -1;
	if (!v->escaped) {
		ctbuf_add(b, v->p, v->len);
		return 0;
	}
	const char *p = v->p, *end = v->p + v->len;
	while (p < end) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		if (!bs) {
			ctbuf_add(b, p, (size_t)(end - p));
			break;
		}
		ctbuf_add(b, p, (size_t)(bs - p));
		p = bs + 1;
		if (p >= end)
			return -1;
		char c = *p++;
		switch (c) {
		case 'b': ctbuf_addc(b, '\b'); break;
		case 'f': ctbuf_addc(b, '\f'); break;
		case 'n': ctbuf_addc(b, '\n'); break;
		case 'r': ctbuf_addc(b, '\r'); break;
		case 't': ctbuf_addc(b, '\t'); break;
		case 'u': {
			if (end - p < 4)
				return -1;
			uint32_t cp = hex4(p);
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u') {
				uint32_t lo = hex4(p + 2);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
					p += 6;
				}
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			put_utf8(b, cp);
			break;
		}
		default: ctbuf_addc(b, c); break;
		}
	}
	return 0;
}

int ctjson_eq(const struct ctjson_val *v, const char *s)
{
	size_t n = strlen(s);
	if (v->type != CTJSON_STRING)
		return 0;
	if (!v->escaped)
		return v->len == n && memcmp(v->p, s, n) == 0;
	struct ctbuf tmp = CTBUF_INIT;
	int eq = ctjson_unescape(v, &tmp) == 0 && tmp.len == n &&
		 memcmp(tmp.p, s, n) == 0;
	ctbuf_free(&tmp);
	return eq;
}

int ctjson_member(const struct ctjson_val *obj, const char *name,
		  struct ctjson_val *out)
{
	if (obj->type != CTJSON_OBJECT)
		return 0;
	struct ctjson_iter it;
	struct ctjson_val k;
	int r;
	ctjson_iter_init(&it, obj);
	for (;;) {
		r = ctjson_next(&it, &k, out);
		if (r <= 0)
			return r;
		if (ctjson_eq(&k, name))
			return 1;
	}
}

int ctjson_path(const struct ctjson_val *v, const char *path,
		struct ctjson_val *out)
{
	struct ctjson_val cur = *v;
	char seg[256];
	while (*path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof seg)
			return 0;
		memcpy(seg, path, n);
		seg[n] = '\0';
		path += n + (dot ? 1 : 0);
		struct ctjson_val next;
		int r;
		if (cur.type == CTJSON_ARRAY) {
			char *e;
			unsigned long idx = strtoul(seg, &e, 10);
			if (!n || *e)
				return 0;
			struct ctjson_iter it;
			struct ctjson_val k;
			ctjson_iter_init(&it, &cur);
			for (;;) {
				r = ctjson_next(&it, &k, &next);
				if (r <= 0 || !idx)
					break;
				idx--;
			}
			if (r <= 0)
				return r;
		} else {
			r = ctjson_member(&cur, seg, &next);
			if (r <= 0)
				return r;
		}
		cur = next;
	}
	*out = cur;
	return 1;
}

int ctjson_u64(const struct ctjson_val *v, uint64_t *out)
{
	if (v->type != CTJSON_NUMBER || v->len == 0 || v->len > 20)
		return -1;
	uint64_t x = 0;
	for (size_t i = 0; i < v->len; i++) {
		char c = v->p[i];
		if (c < '0' || c > '9')
			return -1;
		uint64_t d = (uint64_t)(c - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

int ctjson_fields(const char *s, size_t n, const char *const *names,
		  size_t count, struct ctjson_val *vals)
{
	const char *p = s, *end = s + n;
	for (size_t i = 0; i < count; i++)
		vals[i].type = CTJSON_INVALID;
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return skip_ws(p + 1, end) == end ? 0 : -1;
	for (;;) {
		struct ctjson_val key, val;
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return -1;
		const char *q = scan_string(p + 1, end, &key.escaped);
		if (!q)
			return -1;
		key.type = CTJSON_STRING;
		key.p = p + 1;
		key.len = (size_t)(q - p - 1);
		p = skip_ws(q + 1, end);
		if (p >= end || *p != ':')
			return -1;
		p = scan_value(p + 1, end, 1, &val);
		if (!p)
			return -1;
		for (size_t i = 0; i < count; i++) {
			if (vals[i].type == CTJSON_INVALID &&
			    ctjson_eq(&key, names[i])) {
				vals[i] = val;
				break;
			}
		}
		p = skip_ws(p, end);
		if (p >= end)
			return -1;
		if (*p == '}')
			return skip_ws(p + 1, end) == end ? 0 : -1;
		if (*p != ',')
			return -1;
		p++;
	}
}
