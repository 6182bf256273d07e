/* Unit tests of lib/json and lib/b64. */
#include "tap.h"

#include "b64.h"
#include "json.h"

static int parses(const char *s)
{
	size_t n = strlen(s);
	char *g = ct_guard_copy(s, n);
	struct ctjson_val v;
	int r = ctjson_parse(g, n, &v);
	ct_guard_free(g, n);
	return r == 0;
}

static void test_writer(void)
{
	struct ctbuf b = CTBUF_INIT;
	ctjson_str(&b, "a\"b\\c\n\x01", 7);
	ok(b.len == 17 && !memcmp(b.p, "\"a\\\"b\\\\c\\n\\u0001\"", 17),
	   "escapes quotes, backslash, controls");
	ctbuf_reset(&b);
	ctjson_str(&b, "\xff\xc3\xa9\xed\xa0\x80", 6);
	ok(b.len == 2 + 3 + 2 + 9 &&
		   !memcmp(b.p, "\"\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd", 9),
	   "invalid UTF-8 and surrogates replaced, valid kept");
	ctbuf_reset(&b);
	ctjson_millis(&b, 1767225660123ULL);
	ok(b.len == 14 && !memcmp(b.p, "1767225660.123", 14), "millis");
	ctbuf_reset(&b);
	ctjson_millis(&b, 5);
	ok(b.len == 5 && !memcmp(b.p, "0.005", 5), "millis small");
	ctbuf_free(&b);
}

static void test_reader(void)
{
	ok(parses("{\"a\":1,\"b\":[true,false,null,\"x\\u00e9\"],\"c\":{}}"),
	   "valid object");
	ok(parses(" [] "), "white space around");
	ok(!parses("{\"a\":1,}"), "trailing comma");
	ok(!parses("{\"a\" 1}"), "missing colon");
	ok(!parses("{\"a\":01}"), "leading zero");
	ok(!parses("{\"a\":\"\\x\"}"), "bad escape");
	ok(!parses("{\"a\":\"\x01\"}"), "raw control character");
	ok(!parses("{\"a\":\"\xff\"}"), "invalid UTF-8 in string");
	ok(!parses("{\"a\":1} x"), "trailing garbage");
	ok(!parses("{\"a\":tru}"), "truncated literal");
	ok(!parses(""), "empty");
	char deep[201];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	deep[200] = '\0';
	ok(!parses(deep), "nesting deeper than the limit refused");
	struct ctjson_val v, m;
	const char *s = "{\"data\":{\"leaf_cert\":{\"sha256\":\"AB\"},"
			"\"arr\":[1,{\"k\":\"v\\n\"}]},\"n\":18446744073709551615}";
	ok(ctjson_parse(s, strlen(s), &v) == 0, "parse nested");
	ok(ctjson_path(&v, "data.leaf_cert.sha256", &m) == 1 &&
		   m.len == 2 && !memcmp(m.p, "AB", 2),
	   "dotted path");
	ok(ctjson_path(&v, "data.arr.1.k", &m) == 1 && m.escaped,
	   "path through array index");
	struct ctbuf b = CTBUF_INIT;
	ok(ctjson_unescape(&m, &b) == 0 && b.len == 2 && b.p[1] == '\n',
	   "unescape");
	ok(ctjson_path(&v, "data.nope", &m) == 0, "absent path");
	uint64_t u;
	ok(ctjson_path(&v, "n", &m) == 1 && ctjson_u64(&m, &u) == 0 &&
		   u == UINT64_MAX,
	   "u64 max");
	struct ctjson_val big = { CTJSON_NUMBER, "18446744073709551616", 20,
				  0 };
	ok(ctjson_u64(&big, &u) == -1, "u64 overflow");
	ctbuf_reset(&b);
	struct ctjson_val sur = { CTJSON_STRING, "\\ud83d\\ude00\\ud800", 18,
				  1 };
	ok(ctjson_unescape(&sur, &b) == 0 && b.len == 7 &&
		   !memcmp(b.p, "\xf0\x9f\x98\x80\xef\xbf\xbd", 7),
	   "surrogate pair and lone surrogate");
	ctbuf_free(&b);
}

static void test_b64(void)
{
	struct ctbuf b = CTBUF_INIT;
	const char *cases[] = { "", "f", "fo", "foo", "foob", "fooba",
				"foobar" };
	const char *want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
			       "Zm9vYmE=", "Zm9vYmFy" };
	int good = 1;
	for (int i = 0; i < 7; i++) {
		ctbuf_reset(&b);
		ctb64_encode(&b, cases[i], strlen(cases[i]));
		uint8_t out[16];
		long n = ctb64_decode(want[i], strlen(want[i]), out);
		if (b.len != strlen(want[i]) || (b.len && memcmp(b.p, want[i], b.len)) ||
		    n != (long)strlen(cases[i]) || (n > 0 && memcmp(out, cases[i], (size_t)n)))
			good = 0;
	}
	ok(good, "RFC 4648 test vectors both ways");
	uint8_t out[16];
	ok(ctb64_decode("Zg=", 3, out) == -1, "bad length");
	ok(ctb64_decode("Zh==", 4, out) == -1, "non-canonical bits");
	ok(ctb64_decode("Z===", 4, out) == -1, "too much padding");
	ok(ctb64_decode("Zg==Zg==", 8, out) == -1, "padding in the middle");
	ok(ctb64_decode("Zm9v\n", 5, out) == -1, "white space");
	/* Long inputs take the SIMD path: round trips of every length up to
	 * 300 bytes, output into a buffer that ends at a guard page, and a
	 * bad character at every position of a 96-character input. */
	int rt = 1, bad = 1;
	uint8_t raw[300];
	for (size_t i = 0; i < sizeof raw; i++)
		raw[i] = (uint8_t)(i * 131 + 7);
	for (size_t len = 0; len <= sizeof raw; len++) {
		ctbuf_reset(&b);
		ctb64_encode(&b, raw, len);
		size_t cap = CTB64_DECODED_MAX(b.len);
		uint8_t *o = ct_guard_copy(raw, cap); /* cap bytes, any */
		long n = ctb64_decode(b.p, b.len, o);
		if (n != (long)len || memcmp(o, raw, len))
			rt = 0;
		ct_guard_free(o, cap);
	}
	ok(rt, "round trips of 0..300 bytes, output against a guard page");
	ctbuf_reset(&b);
	ctb64_encode(&b, raw, 72);
	for (size_t at = 0; at < b.len; at++) {
		static const char junk[] = "=\n -_.\x80\xff";
		for (const char *j = junk; *j; j++) {
			char tmp[96];
			memcpy(tmp, b.p, 96);
			tmp[at] = *j;
			uint8_t o2[72];
			if (ctb64_decode(tmp, 96, o2) != -1)
				bad = 0;
		}
	}
	ok(bad, "a bad character anywhere in a long input is refused");
	ctbuf_reset(&b);
	cthex_upper(&b, "\x01\xab", 2, ':');
	ok(b.len == 5 && !memcmp(b.p, "01:AB", 5), "hex upper with colons");
	ctbuf_free(&b);
}

static void test_fields(void)
{
	const char *names[] = { "log", "index", "leaf_input", "missing" };
	struct ctjson_val v[4];
	const char *s = "{\"log\":\"https://x\",\"other\":{\"log\":1},"
			"\"index\":42,\"leaf_input\":\"QUJD\"}";
	size_t n = strlen(s);
	char *g = ct_guard_copy(s, n);
	ok(ctjson_fields(g, n, names, 4, v) == 0, "fields: valid object");
	ok(v[0].type == CTJSON_STRING && v[0].len == 9, "fields: top-level log");
	uint64_t u;
	ok(ctjson_u64(&v[1], &u) == 0 && u == 42, "fields: index");
	ok(v[3].type == CTJSON_INVALID, "fields: absent member");
	int prefix_ok = 1;
	for (size_t i = 0; i < n; i++) {
		char *h = ct_guard_copy(s, i);
		if (ctjson_fields(h, i, names, 4, v) != -1)
			prefix_ok = 0;
		ct_guard_free(h, i);
	}
	ok(prefix_ok, "fields: every proper prefix is invalid, no overread");
	ct_guard_free(g, n);
	const char *bad = "{\"a\":\"0123456789abcdef\x01\"}";
	ok(ctjson_fields(bad, strlen(bad), names, 4, v) == -1,
	   "fields: control byte after 16 plain bytes caught by SWAR path");
	const char *q = "{\"a\":\"0123456789abcde\\\"\"}";
	ok(ctjson_fields(q, strlen(q), names, 4, v) == 0,
	   "fields: escaped quote after plain run");
}

int main(void)
{
	test_fields();
	test_writer();
	test_reader();
	test_b64();
	return tap_done();
}
