/* Unit tests of lib/leaf: round trips, every prefix refused without
 * reading past the end, and the bad cases ct-parse must report. */
#include "tap.h"

#include "leaf.h"

static void test_roundtrip(void)
{
	static const uint8_t cert[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	static const uint8_t ikh[32] = { 1, 2, 3 };
	struct ctleaf in = { 1767225655456ULL, CTLEAF_PRECERT,
			     { cert, sizeof cert }, ikh, { NULL, 0 } };
	struct ctbuf b = CTBUF_INIT;
	const char *err0 = NULL;
	ok(ctleaf_encode(&b, &in, &err0) == 0, "precert leaf encoded");
	ok(b.len == 2 + 8 + 2 + 32 + 3 + 5 + 2, "precert leaf length");
	struct ctleaf out;
	const char *err = NULL;
	uint8_t *g = ct_guard_copy(b.p, b.len);
	ok(ctleaf_parse(g, b.len, &out, &err) == 0 &&
		   out.timestamp == in.timestamp &&
		   out.entry_type == CTLEAF_PRECERT && out.cert.len == 5 &&
		   !memcmp(out.issuer_key_hash, ikh, 32),
	   "precert leaf round trip");
	int prefixes = 1;
	for (size_t i = 0; i < b.len; i++) {
		uint8_t *h = ct_guard_copy(b.p, i);
		if (ctleaf_parse(h, i, &out, &err) != -1)
			prefixes = 0;
		ct_guard_free(h, i);
	}
	ok(prefixes, "every proper prefix refused");
	ct_guard_free(g, b.len);

	ctbuf_addc(&b, 0);
	ok(ctleaf_parse((uint8_t *)b.p, b.len, &out, &err) == -1 &&
		   strstr(err, "trailing"),
	   "trailing byte refused: %s", err);
	b.p[11] = 7;
	b.len--;
	ok(ctleaf_parse((uint8_t *)b.p, b.len, &out, &err) == -1 &&
		   strstr(err, "entry type"),
	   "unknown entry type refused: %s", err);
	b.p[0] = 1;
	ok(ctleaf_parse((uint8_t *)b.p, b.len, &out, &err) == -1,
	   "version 1 refused");

	struct ctchain c = { { cert, sizeof cert }, 2,
			     { { cert, sizeof cert }, { cert, 3 } } };
	ctbuf_reset(&b);
	ok(ctleaf_encode_extra(&b, CTLEAF_PRECERT, &c, &err0) == 0,
	   "PrecertChainEntry encoded");
	struct ctchain d;
	g = ct_guard_copy(b.p, b.len);
	ok(ctleaf_parse_extra(g, b.len, CTLEAF_PRECERT, &d, &err) == 0 &&
		   d.n == 2 && d.pre_cert.len == 5 && d.certs[1].len == 3,
	   "PrecertChainEntry round trip");
	prefixes = 1;
	for (size_t i = 0; i < b.len; i++) {
		uint8_t *h = ct_guard_copy(b.p, i);
		if (ctleaf_parse_extra(h, i, CTLEAF_PRECERT, &d, &err) != -1)
			prefixes = 0;
		ct_guard_free(h, i);
	}
	ok(prefixes, "every proper prefix of extra_data refused");
	ct_guard_free(g, b.len);
	ctbuf_reset(&b);
	ok(ctleaf_encode_extra(&b, CTLEAF_X509, &c, &err0) == 0,
	   "X509 chain encoded");
	ok(ctleaf_parse_extra((uint8_t *)b.p, b.len, CTLEAF_X509, &d, &err) ==
			   0 && d.n == 2 && d.pre_cert.p == NULL,
	   "X509 chain round trip");
	/* lengths that do not fit 24 bits are refused, nothing written */
	size_t had = b.len;
	struct ctchain big = c;
	big.certs[0].len = CTLEAF_MAX_CERT + 1;
	ok(ctleaf_encode_extra(&b, CTLEAF_X509, &big, &err0) == -1 &&
		   b.len == had,
	   "a chain certificate over 2^24-1 bytes refused: %s", err0);
	big.certs[0].len = CTLEAF_MAX_CERT - 10;
	big.certs[1].len = 100;
	ok(ctleaf_encode_extra(&b, CTLEAF_X509, &big, &err0) == -1 &&
		   b.len == had,
	   "a chain over 2^24-1 bytes in all refused: %s", err0);
	struct ctleaf huge = in;
	huge.cert.len = CTLEAF_MAX_CERT + 1;
	ok(ctleaf_encode(&b, &huge, &err0) == -1 && b.len == had,
	   "a leaf certificate over 2^24-1 bytes refused: %s", err0);
	static const uint8_t empty[] = { 0, 0, 0 };
	ok(ctleaf_parse_extra(empty, 3, CTLEAF_X509, &d, &err) == 0 &&
		   d.n == 0,
	   "empty chain is fine");
	static const uint8_t zero_cert[] = { 0, 0, 3, 0, 0, 0 };
	ok(ctleaf_parse_extra(zero_cert, 6, CTLEAF_X509, &d, &err) == -1,
	   "zero-length certificate in chain refused");
	ctbuf_free(&b);
}

int main(void)
{
	test_roundtrip();
	return tap_done();
}
