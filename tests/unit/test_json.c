/* Unit tests of lib/json (lib/b64: test_b64.c). */
#include "tap.h"

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
	return tap_done();
}
