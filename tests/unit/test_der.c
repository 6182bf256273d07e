/* lib/der: lengths, integers, OIDs, booleans, bit strings, times. */
#include <stdint.h>
#include <string.h>

#include "../../lib/der.h"
#include "tap.h"

static int next_of(const uint8_t *p, size_t n, struct ctder_elem *e)
{
	uint8_t *g = ct_guard_copy(p, n);
	struct ct_bytes in = { g, n };
	int r = ctder_next(&in, e);
	if (r == 0 && (in.len != n - e->tlv.len || e->tlv.p != g))
		r = -9;
	ct_guard_free(g, n);
	return r;
}

static void lengths(void)
{
	struct ctder_elem e;
	static const uint8_t shortf[] = { 0x04, 0x02, 'a', 'b' };
	ok(next_of(shortf, 4, &e) == 0 && e.v.len == 2 && e.tag == 4,
	   "short form length");
	uint8_t longf[3 + 200] = { 0x04, 0x81, 200 };
	ok(next_of(longf, sizeof longf, &e) == 0 && e.v.len == 200,
	   "long form length");
	static const uint8_t nonmin[] = { 0x04, 0x81, 0x02, 'a', 'b' };
	ok(next_of(nonmin, 5, &e) < 0, "long form for a short length fails");
	static const uint8_t lead0[] = { 0x04, 0x82, 0x00, 0x90 };
	ok(next_of(lead0, 4, &e) < 0, "leading zero length byte fails");
	static const uint8_t indef[] = { 0x30, 0x80, 0x00, 0x00 };
	ok(next_of(indef, 4, &e) < 0, "indefinite length fails");
	static const uint8_t past[] = { 0x04, 0x05, 'a' };
	ok(next_of(past, 3, &e) < 0, "length past the end fails");
	static const uint8_t huge[] = { 0x04, 0x85, 1, 0, 0, 0, 0 };
	ok(next_of(huge, 7, &e) < 0, "5-byte length fails");
	static const uint8_t hightag[] = { 0x1f, 0x81, 0x00, 0x00 };
	ok(next_of(hightag, 4, &e) < 0, "high tag number form fails");
	static const uint8_t one[] = { 0x04 };
	ok(next_of(one, 1, &e) < 0, "a lone tag byte fails");
	ok(next_of(one, 0, &e) < 0, "empty input fails");
	static const uint8_t lenonly[] = { 0x04, 0x82, 0x01 };
	ok(next_of(lenonly, 3, &e) < 0, "truncated length bytes fail");
}

static void integers(void)
{
	int neg;
	uint64_t v;
	struct ct_bytes b;
	b = (struct ct_bytes){ (const uint8_t *)"\x00\x80", 2 };
	ok(ctder_int_check(b, &neg) == 0 && !neg, "00 80 is positive 128");
	b = (struct ct_bytes){ (const uint8_t *)"\x00\x7f", 2 };
	ok(ctder_int_check(b, &neg) < 0, "00 7f is not minimal");
	b = (struct ct_bytes){ (const uint8_t *)"\xff\x80", 2 };
	ok(ctder_int_check(b, &neg) < 0, "ff 80 is not minimal");
	b = (struct ct_bytes){ (const uint8_t *)"\x80", 1 };
	ok(ctder_int_check(b, &neg) == 0 && neg, "80 is negative");
	b = (struct ct_bytes){ (const uint8_t *)"", 0 };
	ok(ctder_int_check(b, &neg) < 0, "empty integer fails");
	b = (struct ct_bytes){ (const uint8_t *)"\x01\x00", 2 };
	ok(ctder_int_u64(b, &v) == 0 && v == 256, "u64 256");
	b = (struct ct_bytes){ (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08\x09",
			       9 };
	ok(ctder_int_u64(b, &v) < 0, "u64 of 9 bytes fails");
}

static void oids(void)
{
	struct ctbuf b = CTBUF_INIT;
	struct ct_bytes o = { (const uint8_t *)"\x55\x1d\x11", 3 };
	ok(ctder_oid_check(o) == 0, "2.5.29.17 valid");
	ctder_oid_text(&b, o);
	ok(b.len == 9 && !memcmp(b.p, "2.5.29.17", 9), "2.5.29.17 text");
	ctbuf_reset(&b);
	o = (struct ct_bytes){ (const uint8_t *)"\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x03",
			       10 };
	ctder_oid_text(&b, o);
	ok(b.len == 23 && !memcmp(b.p, "1.3.6.1.4.1.11129.2.4.3", 23),
	   "CT poison OID text");
	ctbuf_reset(&b);
	o = (struct ct_bytes){ (const uint8_t *)"\x88\x37", 2 };
	ctder_oid_text(&b, o);
	ok(b.len == 5 && !memcmp(b.p, "2.999", 5), "2.999: first arc over 80");
	o = (struct ct_bytes){ (const uint8_t *)"\x55\x80\x01", 3 };
	ok(ctder_oid_check(o) < 0, "leading 0x80 in an arc fails");
	o = (struct ct_bytes){ (const uint8_t *)"\x55\x81", 2 };
	ok(ctder_oid_check(o) < 0, "unterminated arc fails");
	o = (struct ct_bytes){ (const uint8_t *)"", 0 };
	ok(ctder_oid_check(o) < 0, "empty OID fails");
	ctbuf_free(&b);
}

static void bits_and_bools(void)
{
	int t;
	struct ct_bytes bits;
	unsigned u;
	ok(ctder_bool((struct ct_bytes){ (const uint8_t *)"\xff", 1 }, &t) == 0 && t,
	   "DER true");
	ok(ctder_bool((struct ct_bytes){ (const uint8_t *)"\x01", 1 }, &t) < 0,
	   "BER true is not DER");
	ok(ctder_bitstring((struct ct_bytes){ (const uint8_t *)"\x05\xa0", 2 }, &bits,
			   &u) == 0 && u == 5 && bits.len == 1,
	   "bit string with 5 unused bits");
	ok(ctder_bitstring((struct ct_bytes){ (const uint8_t *)"\x05\xa1", 2 }, &bits,
			   &u) < 0,
	   "non-zero unused bits fail");
	ok(ctder_bitstring((struct ct_bytes){ (const uint8_t *)"\x08\x00", 2 }, &bits,
			   &u) < 0,
	   "8 unused bits fail");
}

static int64_t tm(unsigned tag, const char *s)
{
	struct ctder_elem e = { .tag = tag };
	e.v.p = (const uint8_t *)s;
	e.v.len = strlen(s);
	int64_t t;
	return ctder_time(&e, &t) < 0 ? -1 : t;
}

static void times(void)
{
	ok(tm(CTDER_UTCTIME, "700101000000Z") == 0, "UTCTime epoch");
	ok(tm(CTDER_UTCTIME, "491231235959Z") == 2524607999, "UTCTime 2049");
	ok(tm(CTDER_UTCTIME, "500101000000Z") == -631152000, "UTCTime 1950");
	ok(tm(CTDER_GENERALIZEDTIME, "20500101000000Z") == 2524608000,
	   "GeneralizedTime 2050");
	ok(tm(CTDER_GENERALIZEDTIME, "20240229120000Z") == 1709208000,
	   "leap day 2024");
	ok(tm(CTDER_GENERALIZEDTIME, "21000229120000Z") < 0,
	   "2100-02-29 does not exist");
	ok(tm(CTDER_UTCTIME, "2601010000Z") == 1767225600,
	   "UTCTime without seconds");
	ok(tm(CTDER_UTCTIME, "110629153248-1200") == 1309404768,
	   "UTCTime with a zone offset");
	ok(tm(CTDER_UTCTIME, "260101000000") < 0, "no Z fails");
	ok(tm(CTDER_UTCTIME, "261301000000Z") < 0, "month 13 fails");
	ok(tm(CTDER_UTCTIME, "26010100000aZ") < 0, "non-digit fails");
	ok(tm(CTDER_GENERALIZEDTIME, "20260101000000.5Z") < 0,
	   "fractional seconds fail");
	ok(tm(CTDER_OCTETSTRING, "260101000000Z") < 0, "wrong tag fails");
}

int main(void)
{
	lengths();
	integers();
	oids();
	bits_and_bools();
	times();
	return tap_done();
}
