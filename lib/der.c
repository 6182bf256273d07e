/* der: the strict DER reader (see der.h). */
#include "der.h"

#include <string.h>

int ctder_expect(struct ct_bytes *in, unsigned tag, struct ctder_elem *e)
{
	if (in->len == 0 || in->p[0] != tag)
		return -1;
	return ctder_next(in, e);
}

int ctder_optional(struct ct_bytes *in, unsigned tag, struct ctder_elem *e)
{
	if (in->len == 0 || in->p[0] != tag)
		return 0;
	return ctder_next(in, e) < 0 ? -1 : 1;
}

int ctder_int_check(struct ct_bytes v, int *neg)
{
	if (v.len == 0)
		return -1;
	if (v.len > 1 && ((v.p[0] == 0x00 && !(v.p[1] & 0x80)) ||
			  (v.p[0] == 0xff && (v.p[1] & 0x80))))
		return -1; /* not minimal */
	*neg = v.p[0] >> 7;
	return 0;
}

int ctder_int_u64(struct ct_bytes v, uint64_t *out)
{
	int neg;
	if (ctder_int_check(v, &neg) < 0 || neg || v.len > 8)
		return -1;
	uint64_t x = 0;
	for (size_t i = 0; i < v.len; i++)
		x = x << 8 | v.p[i];
	*out = x;
	return 0;
}

int ctder_oid_check(struct ct_bytes v)
{
	if (v.len == 0 || (v.p[v.len - 1] & 0x80))
		return -1;
	int start = 1;
	for (size_t i = 0; i < v.len; i++) {
		if (start && v.p[i] == 0x80)
			return -1; /* arc with a leading zero group */
		start = !(v.p[i] & 0x80);
	}
	return 0;
}

void ctder_oid_text(struct ctbuf *b, struct ct_bytes v)
{
	uint64_t arc = 0;
	int first = 1, over = 0;
	for (size_t i = 0; i < v.len; i++) {
		if (arc >> 57)
			over = 1;
		arc = arc << 7 | (v.p[i] & 0x7f);
		if (v.p[i] & 0x80)
			continue;
		if (first) {
			uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
			ctbuf_addu64(b, top);
			ctbuf_addc(b, '.');
			if (over)
				ctbuf_addc(b, '?');
			else
				ctbuf_addu64(b, arc - top * 40);
			first = 0;
		} else {
			ctbuf_addc(b, '.');
			if (over)
				ctbuf_addc(b, '?');
			else
				ctbuf_addu64(b, arc);
		}
		arc = 0;
		over = 0;
	}
}

int ctder_bool(struct ct_bytes v, int *out)
{
	if (v.len != 1 || (v.p[0] != 0x00 && v.p[0] != 0xff))
		return -1;
	*out = v.p[0] != 0;
	return 0;
}

int ctder_bitstring(struct ct_bytes v, struct ct_bytes *bits,
		    unsigned *unused)
{
	if (v.len == 0 || v.p[0] > 7 || (v.len == 1 && v.p[0] != 0))
		return -1;
	unsigned u = v.p[0];
	if (u && (v.p[v.len - 1] & ((1u << u) - 1)))
		return -1;
	bits->p = v.p + 1;
	bits->len = v.len - 1;
	*unused = u;
	return 0;
}

static int digits(const uint8_t *p, size_t n, int *out)
{
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		x = x * 10 + (p[i] - '0');
	}
	*out = x;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int ctder_time(const struct ctder_elem *e, int64_t *out)
{
	const uint8_t *p = e->v.p;
	size_t n = e->v.len;
	int y, mo, d, h, mi, s = 0, off = 0, zoned = 0;
	if (e->tag == CTDER_UTCTIME) {
		/* Old certificates carry a zone offset instead of Z. */
		if (n == 17 && (p[12] == '+' || p[12] == '-')) {
			int oh, om;
			if (digits(p + 13, 2, &oh) < 0 ||
			    digits(p + 15, 2, &om) < 0 || oh > 23 || om > 59)
				return -1;
			off = (oh * 60 + om) * 60 * (p[12] == '-' ? -1 : 1);
			n = 13;
			zoned = 1;
		} else if (n != 13 && n != 11) {
			return -1;
		}
		if (digits(p, 2, &y) < 0)
			return -1;
		y += y < 50 ? 2000 : 1900;
		p += 2;
		n -= 2;
	} else if (e->tag == CTDER_GENERALIZEDTIME) {
		if (n != 15 || digits(p, 4, &y) < 0)
			return -1;
		p += 4;
		n -= 4;
	} else {
		return -1;
	}
	if ((p[n - 1] != 'Z' && !zoned) || digits(p, 2, &mo) < 0 ||
	    digits(p + 2, 2, &d) < 0 || digits(p + 4, 2, &h) < 0 ||
	    digits(p + 6, 2, &mi) < 0 || (n == 11 && digits(p + 8, 2, &s) < 0))
		return -1;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || s > 60)
		return -1;
	if (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
	       off;
	return 0;
}
