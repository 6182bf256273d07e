/* Unit tests of lib/b64: base64 and hex. Every input is decoded at every
 * prefix, placed flush against an unreadable page and decoded into an
 * output of exactly CTB64_DECODED_MAX bytes that also ends at one, so a
 * read or write one byte too far crashes; the result is compared with a
 * plain reference decoder written here from RFC 4648. */
#include "tap.h"

#include "b64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int val(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

/* RFC 4648 section 4, strict: padding only at the end, no white space,
 * the unused bits of the last quantum zero. */
static long ref_decode(const char *s, size_t n, uint8_t *out)
{
	if (n % 4)
		return -1;
	long o = 0;
	for (size_t i = 0; i < n; i += 4) {
		int a = val(s[i]), b = val(s[i + 1]);
		int c = val(s[i + 2]), d = val(s[i + 3]);
		int last = i + 4 == n;
		if (a < 0 || b < 0)
			return -1;
		if (c < 0 && d < 0 && last && s[i + 2] == '=' &&
		    s[i + 3] == '=' && !(b & 15)) {
			out[o++] = (uint8_t)(a << 2 | b >> 4);
			continue;
		}
		if (c >= 0 && d < 0 && last && s[i + 3] == '=' && !(c & 3)) {
			out[o++] = (uint8_t)(a << 2 | b >> 4);
			out[o++] = (uint8_t)(b << 4 | c >> 2);
			continue;
		}
		if (c < 0 || d < 0)
			return -1;
		out[o++] = (uint8_t)(a << 2 | b >> 4);
		out[o++] = (uint8_t)(b << 4 | c >> 2);
		out[o++] = (uint8_t)(c << 6 | d);
	}
	return o;
}

/* Decode every prefix of s[0..n) at least from long, with both inputs
 * and outputs against guard pages; 1 if each agrees with the reference. */
static int prefixes_from(const char *s, size_t from, size_t n,
			 const char *what)
{
	static uint8_t want[4096];
	for (size_t k = from; k <= n; k++) {
		size_t cap = CTB64_DECODED_MAX(k);
		char *in = ct_guard_copy(s, k);
		uint8_t *out = ct_guard_alloc(cap);
		long got = ctb64_decode(in, k, out);
		long ref = ref_decode(s, k, want);
		int same = got == ref && (got <= 0 || !memcmp(out, want, (size_t)got));
		ct_guard_free(in, k);
		ct_guard_free(out, cap);
		if (!same) {
			printf("# %s: prefix %zu of %zu: got %ld, want %ld\n", what,
			       k, n, got, ref);
			return 0;
		}
	}
	return 1;
}

static int every_prefix(const char *s, size_t n, const char *what)
{
	return prefixes_from(s, 0, n, what);
}

static void test_vectors(void)
{
	struct ctbuf b = CTBUF_INIT;
	const char *cases[] = { "", "f", "fo", "foo", "foob", "fooba",
				"foobar" };
	const char *want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
			       "Zm9vYmE=", "Zm9vYmFy" };
	int enc = 1, dec = 1;
	for (int i = 0; i < 7; i++) {
		ctbuf_reset(&b);
		ctb64_encode(&b, cases[i], strlen(cases[i]));
		if (b.len != strlen(want[i]) || (b.len && memcmp(b.p, want[i], b.len)))
			enc = 0;
		uint8_t out[16];
		long n = ctb64_decode(want[i], strlen(want[i]), out);
		if (n != (long)strlen(cases[i]) || (n > 0 && memcmp(out, cases[i], (size_t)n)))
			dec = 0;
		if (!every_prefix(want[i], strlen(want[i]), want[i]))
			dec = 0;
	}
	ok(enc, "RFC 4648 test vectors encode");
	ok(dec, "RFC 4648 test vectors decode, at every prefix");
	ctbuf_free(&b);
}

static void test_bad(void)
{
	static const char *const bad[] = {
		"Zg=", "Zh==", "Z===", "====", "Zg==Zg==", "Zm9v\n", " Zm9v",
		"Zm9v Zm9v", "Zm-v", "Zm_v", "Zm9v\x80\x80\x80\x80", "Zm\0v",
		"Zm9=Zm9v", "Zm8=Zm8=",
	};
	static const size_t len[] = { 3, 4, 4, 4, 8, 5, 5, 9, 4, 4, 8, 4, 8, 8 };
	int all = 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t out[16];
		if (ctb64_decode(bad[i], len[i], out) != -1)
			all = 0;
		if (!every_prefix(bad[i], len[i], "bad input"))
			all = 0;
	}
	ok(all, "bad length, padding, bits, white space and characters refused");
}

/* Long inputs take the SIMD paths (16 and 32 characters a step): round
 * trips of many lengths, every prefix of each, and a bad character at
 * every position of a long input. */
static void test_long(void)
{
	struct ctbuf b = CTBUF_INIT;
	uint8_t raw[1024];
	for (size_t i = 0; i < sizeof raw; i++)
		raw[i] = (uint8_t)(i * 131 + 7);
	int rt = 1, pre = 1;
	for (size_t len = 0; len <= sizeof raw; len += len < 128 ? 1 : 61) {
		ctbuf_reset(&b);
		ctb64_encode(&b, raw, len);
		size_t cap = CTB64_DECODED_MAX(b.len);
		uint8_t *o = ct_guard_alloc(cap);
		long n = ctb64_decode(b.p, b.len, o);
		if (n != (long)len || memcmp(o, raw, len))
			rt = 0;
		ct_guard_free(o, cap);
		if (!every_prefix(b.p, b.len, "round trip"))
			pre = 0;
	}
	ok(rt, "round trips of 0..1024 bytes");
	ok(pre, "every prefix of each, against guard pages, as the reference");
	ctbuf_reset(&b);
	ctb64_encode(&b, raw, 72);
	int bad = 1;
	for (size_t at = 0; at < b.len; at++) {
		static const char junk[] = "=\n -_.\x80\xff";
		for (const char *j = junk; *j; j++) {
			char tmp[96];
			memcpy(tmp, b.p, 96);
			tmp[at] = *j;
			uint8_t o2[72];
			if (ctb64_decode(tmp, 96, o2) != -1)
				bad = 0;
			/* the shorter prefixes are the round trips' */
			if (strchr("=\n\x80", *j) &&
			    !prefixes_from(tmp, at, 96, "a bad character"))
				bad = 0;
		}
	}
	ok(bad, "a bad character anywhere in a long input is refused");
	ctbuf_free(&b);
}

static void test_hex(void)
{
	struct ctbuf b = CTBUF_INIT;
	cthex_upper(&b, "\x01\xab", 2, ':');
	ok(b.len == 5 && !memcmp(b.p, "01:AB", 5), "hex upper with colons");
	ctbuf_reset(&b);
	cthex_lower(&b, "\x01\xab\xff", 3);
	ok(b.len == 6 && !memcmp(b.p, "01abff", 6), "hex lower");
	ctbuf_free(&b);
	static const char s[] = "00fFa9Bc7e";
	int all = 1;
	for (size_t k = 0; k <= sizeof s - 1; k++) {
		char *in = ct_guard_copy(s, k);
		uint8_t *out = ct_guard_alloc(k / 2);
		int r = cthex_decode(in, k, out);
		if (k % 2 ? r != -1 : r != 0)
			all = 0;
		if (k == 10 && memcmp(out, "\x00\xff\xa9\xbc\x7e", 5))
			all = 0;
		ct_guard_free(in, k);
		ct_guard_free(out, k / 2);
	}
	uint8_t o[2];
	ok(all && cthex_decode("0g", 2, o) == -1 && cthex_decode("g0", 2, o) == -1,
	   "hex decode: every prefix against guard pages, bad digits refused");
	/* separators anywhere, exactly n bytes */
	static const char sep[] = "AB:cd:0:1";
	uint8_t d[3] = { 0 };
	char *gs = ct_guard_copy(sep, sizeof sep - 1);
	ok(cthex_decode_sep(gs, sizeof sep - 1, ':', d, 3) == 0 &&
		   !memcmp(d, "\xab\xcd\x01", 3),
	   "hex with separators, guarded");
	ok(cthex_decode_sep(gs, sizeof sep - 1, ':', d, 2) == -1 &&
		   cthex_decode_sep(gs, sizeof sep - 1, ':', d, 4) == -1,
	   "more or fewer digits than n bytes: refused");
	ct_guard_free(gs, sizeof sep - 1);
	ok(cthex_decode_sep("abc", 3, ':', d, 1) == -1 &&
		   cthex_decode_sep("a:b-", 4, ':', d, 1) == -1 &&
		   cthex_decode_sep("", 0, ':', d, 0) == 0,
	   "an odd digit or another character refused; nothing is 0 bytes");
}

int main(void)
{
	test_vectors();
	test_bad();
	test_long();
	test_hex();
	return tap_done();
}
