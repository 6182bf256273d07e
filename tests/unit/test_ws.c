/* lib/ws: frame heads, valid and not, each against a guard page and at
 * every length short of complete; encoding, unmasking, the handshake's
 * accept value, UTF-8, close codes, permessage-deflate. */
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "../../lib/ws.h"
#include "guard.h"
#include "tap.h"

static int parse(const uint8_t *b, size_t n, struct ctws_frame *f,
		 int deflate)
{
	uint8_t *g = ct_guard_copy(b, n);
	int r = ctws_parse_ext(g, n, f, deflate);
	ct_guard_free(g, n);
	return r;
}

struct want {
	size_t head;
	int deflate;
	int bad;
};

static int prefix_needs_more(void *p, size_t k, void *ctx)
{
	struct want *w = ctx;
	struct ctws_frame f;
	int got = ctws_parse_ext(p, k, &f, w->deflate);
	int expect = k < w->head ? -2 : (int)w->head;
	if (got != expect) {
		w->bad = (int)k;
		return 1;
	}
	return 0;
}

/* A head of hl bytes (and payload bytes after it): every prefix of the
 * whole needs more until the head is complete, then gives hl. */
static void valid(const char *name, const uint8_t *b, size_t n, size_t hl,
		  int deflate)
{
	struct want w = { hl, deflate, -1 };
	guard_prefixes(b, n, prefix_needs_more, &w);
	ok(w.bad < 0, "%s: prefixes need more, then %zu (bad at %d)", name, hl,
	   w.bad);
}

static void heads(void)
{
	static const uint8_t text[] = { 0x81, 0x85, 1, 2, 3, 4, 'h', 'e', 'l',
					'l', 'o' };
	valid("masked text", text, sizeof text, 6, 0);
	static const uint8_t mid[] = { 0x82, 0xfe, 0x01, 0x00, 9, 9, 9, 9 };
	valid("16-bit length", mid, sizeof mid, 8, 0);
	static const uint8_t big[] = { 0x02, 0xff, 0, 0, 0, 0, 0, 1, 0, 0,
				       5, 6, 7, 8 };
	valid("64-bit length, not final", big, sizeof big, 14, 0);
	static const uint8_t srv[] = { 0x89, 0x02, 'h', 'i' };
	valid("unmasked ping", srv, sizeof srv, 2, 0);
	static const uint8_t z[] = { 0xc1, 0x81, 0, 0, 0, 0, 0 };
	valid("RSV1 text with deflate", z, sizeof z, 6, 1);
	static const uint8_t close0[] = { 0x88, 0x80, 1, 2, 3, 4 };
	valid("empty close", close0, sizeof close0, 6, 0);

	struct ctws_frame f;
	ok(parse(big, sizeof big, &f, 0) == 14 && f.len == 65536 && !f.fin &&
		   f.opcode == CTWS_BINARY && f.masked &&
		   !memcmp(f.mask, "\x05\x06\x07\x08", 4),
	   "the fields of a 64-bit head");
	ok(parse(text, sizeof text, &f, 0) == 6 && f.fin &&
		   f.opcode == CTWS_TEXT && f.len == 5 && !f.rsv1,
	   "the fields of a small head");
	ok(parse(z, sizeof z, &f, 1) == 6 && f.rsv1, "RSV1 reported");
}

static void invalid(void)
{
	static const struct {
		uint8_t b[10];
		size_t n;
		int deflate;
		const char *why;
	} bad[] = {
		{ { 0xc1, 0x80 }, 2, 0, "RSV1 not negotiated" },
		{ { 0xa1, 0x80 }, 2, 1, "RSV2" },
		{ { 0x91, 0x80 }, 2, 1, "RSV3" },
		{ { 0xc0, 0x80 }, 2, 1, "RSV1 on a continuation" },
		{ { 0xc9, 0x80 }, 2, 1, "RSV1 on a ping" },
		{ { 0x83, 0x80 }, 2, 0, "opcode 3" },
		{ { 0x87, 0x80 }, 2, 0, "opcode 7" },
		{ { 0x8b, 0x80 }, 2, 0, "opcode 0xb" },
		{ { 0x8f, 0x80 }, 2, 0, "opcode 0xf" },
		{ { 0x08, 0x80 }, 2, 0, "a fragmented close" },
		{ { 0x89, 0xfe }, 2, 0, "a ping of 126 bytes or more" },
		{ { 0x8a, 0xff }, 2, 0, "a pong with a 64-bit length" },
		{ { 0x81, 0xfe, 0x00, 0x7d }, 4, 0, "16 bits for 125" },
		{ { 0x81, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 10, 0,
		  "64 bits for 65535" },
		{ { 0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 10, 0,
		  "the top bit of a 64-bit length" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ctws_frame f;
		ok(parse(bad[i].b, bad[i].n, &f, bad[i].deflate) == -1,
		   "invalid: %s", bad[i].why);
	}
	struct ctws_frame f;
	ok(parse((const uint8_t *)"", 0, &f, 0) == -2 &&
		   parse((const uint8_t *)"\x81", 1, &f, 0) == -2,
	   "0 and 1 bytes need more");
}

static void encode(void)
{
	static const uint64_t lens[] = { 0, 1, 125, 126, 65535, 65536,
					 (uint64_t)1 << 40 };
	int fine = 1;
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		uint8_t h[10];
		size_t hl = ctws_head(h, CTWS_TEXT, lens[i]);
		struct ctws_frame f;
		fine &= hl == (lens[i] < 126 ? 2 : lens[i] < 65536 ? 4 : 10);
		fine &= parse(h, hl, &f, 0) == (int)hl && f.len == lens[i] &&
			f.fin && !f.masked && f.opcode == CTWS_TEXT;
	}
	ok(fine, "ctws_head: the shortest head, parsed back the same");

	uint8_t p[6] = { 'a' ^ 2, 'b' ^ 3, 'c' ^ 4, 'd' ^ 1, 'e' ^ 2, 'f' ^ 3 };
	static const uint8_t mask[4] = { 1, 2, 3, 4 };
	ctws_unmask(p, sizeof p, mask, 1);
	ok(!memcmp(p, "abcdef", 6), "ctws_unmask from an offset");

	char acc[29];
	ctws_accept("dGhlIHNhbXBsZSBub25jZQ==", 24, acc);
	ok(!strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
	   "the accept value of RFC 6455 section 1.3: %s", acc);
}

/* Is every prefix of s either valid UTF-8 (cut between characters) or
 * not, without reading past it? */
static int utf8_prefix(void *p, size_t k, void *ctx)
{
	int *valid_prefixes = ctx;
	*valid_prefixes += ctws_utf8(p, k);
	return 0;
}

static void utf8(void)
{
	static const char *const good[] = {
		"", "plain", "h\xc3\xa9llo", "\xe2\x82\xac", "\xef\xbf\xbf",
		"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		uint8_t *g = ct_guard_copy(good[i], strlen(good[i]));
		ok(ctws_utf8(g, strlen(good[i])), "valid UTF-8 %zu", i);
		ct_guard_free(g, strlen(good[i]));
	}
	static const char *const badu[] = {
		"\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
		"\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80",
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3",
		"\xe2\x82", "\xf0\x9f\x98", "a\xc3(",
	};
	for (size_t i = 0; i < sizeof badu / sizeof badu[0]; i++) {
		uint8_t *g = ct_guard_copy(badu[i], strlen(badu[i]));
		ok(!ctws_utf8(g, strlen(badu[i])), "invalid UTF-8 %zu", i);
		ct_guard_free(g, strlen(badu[i]));
	}
	/* "a", "é", "€", "😀": 10 bytes, valid when cut at 0, 1, 3, 6, 10 */
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	int valid_prefixes = 0;
	guard_prefixes(s, strlen(s), utf8_prefix, &valid_prefixes);
	ok(valid_prefixes == 5, "prefixes cut inside a character are "
				"invalid, guarded (%d valid)", valid_prefixes);
}

static unsigned close_of(const char *hex)
{
	uint8_t b[64];
	size_t n = 0;
	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v = 0;
		for (int i = 0; i < 2; i++) {
			char c = hex[i];
			v = v << 4 | (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		b[n++] = (uint8_t)v;
	}
	uint8_t *g = ct_guard_copy(b, n);
	unsigned r = ctws_close_reply(g, n);
	ct_guard_free(g, n);
	return r;
}

static void closes(void)
{
	static const struct {
		const char *hex;
		unsigned want;
	} t[] = {
		{ "", 1000 },	      { "03e8", 1000 },	    { "03e9", 1000 },
		{ "03ea", 1000 },     { "03eb", 1000 },	    { "03ef", 1000 },
		{ "03f3", 1000 },     { "03f4", 1000 },	    { "03f6", 1000 },
		{ "0bb8", 1000 },     { "1387", 1000 },	    { "03e8c3a9", 1000 },
		{ "03", 1002 },	      { "0000", 1002 },	    { "03e7", 1002 },
		{ "03ec", 1002 },     { "03ed", 1002 },	    { "03ee", 1002 },
		{ "03f7", 1002 },     { "03f8", 1002 },	    { "07d0", 1002 },
		{ "0bb7", 1002 },     { "1388", 1002 },	    { "ffff", 1002 },
		{ "03e8ff", 1007 },   { "03e8c3", 1007 },   { "03e8eda080", 1007 },
		{ "03e7ff", 1002 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		unsigned got = close_of(t[i].hex);
		ok(got == t[i].want, "close payload '%s': %u (want %u)",
		   t[i].hex, got, t[i].want);
	}
}

/* Raw deflate of s, with the final 00 00 ff ff taken off (RFC 7692). */
static size_t zip(const void *s, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)s;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_SYNC_FLUSH);
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	return len - 4;
}

static void deflate_ext(void)
{
	const char *o = "permessage-deflate; client_max_window_bits";
	ok(ctws_deflate_offer(o, strlen(o)), "a plain offer is taken");
	o = "permessage-deflate; server_max_window_bits=10";
	ok(!ctws_deflate_offer(o, strlen(o)), "a small server window is not");
	o = "x-webkit-deflate-frame, permessage-deflate";
	ok(ctws_deflate_offer(o, strlen(o)), "the second offer");
	o = "permessage-deflate; bogus";
	ok(!ctws_deflate_offer(o, strlen(o)), "an unknown parameter");

	static uint8_t out[70000], *g;
	size_t n = zip("h\xc3\xa9llo", 6, out, sizeof out);
	g = ct_guard_copy(out, n);
	ok(ctws_inflate_utf8(g, n) == 0, "a compressed UTF-8 message");
	ct_guard_free(g, n);
	n = zip("ok \xff", 4, out, sizeof out);
	g = ct_guard_copy(out, n);
	ok(ctws_inflate_utf8(g, n) == 1, "compressed bad UTF-8");
	ct_guard_free(g, n);
	static char a[65536];
	memset(a, 'a', sizeof a);
	n = zip(a, sizeof a, out, sizeof out);
	g = ct_guard_copy(out, n);
	ok(ctws_inflate_utf8(g, n) == 2, "a compressed message too large");
	ct_guard_free(g, n);
	g = ct_guard_copy("\xff\xff\xff", 3);
	ok(ctws_inflate_utf8(g, 3) == 1, "bytes that are no deflate stream");
	ct_guard_free(g, 3);
}

int main(void)
{
	heads();
	invalid();
	encode();
	utf8();
	closes();
	deflate_ext();
	return tap_done();
}
