/* der: a strict DER reader. Views over (buf, len), no allocation, no
 * copies. Only what X.509 needs: one-byte tags (tag numbers 0..30),
 * definite minimal lengths up to 2^32-1, and helpers for INTEGER, OID,
 * BOOLEAN, BIT STRING and the two time types.
 *
 * A reader is a struct ct_bytes that shrinks as elements are taken
 * from its front. Every function returns 0 on success and -1 on
 * malformed input, and never reads outside the view. */
#ifndef CT_DER_H
#define CT_DER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Universal tags, and the class/constructed bits of the first byte. */
enum {
	CTDER_BOOLEAN = 0x01,
	CTDER_INTEGER = 0x02,
	CTDER_BITSTRING = 0x03,
	CTDER_OCTETSTRING = 0x04,
	CTDER_NULL = 0x05,
	CTDER_OID = 0x06,
	CTDER_UTF8STRING = 0x0c,
	CTDER_NUMERICSTRING = 0x12,
	CTDER_PRINTABLESTRING = 0x13,
	CTDER_T61STRING = 0x14,
	CTDER_IA5STRING = 0x16,
	CTDER_UTCTIME = 0x17,
	CTDER_GENERALIZEDTIME = 0x18,
	CTDER_VISIBLESTRING = 0x1a,
	CTDER_UNIVERSALSTRING = 0x1c,
	CTDER_BMPSTRING = 0x1e,
	CTDER_SEQUENCE = 0x30,
	CTDER_SET = 0x31,
	CTDER_CONSTRUCTED = 0x20,
	CTDER_CONTEXT = 0x80,
};

/* One element: the whole encoding (tlv) and its contents (v). */
struct ctder_elem {
	unsigned tag; /* the identifier byte */
	struct ct_bytes tlv, v;
};

/* Take the next element from the front of *in. Fails on high tag
 * numbers, indefinite or non-minimal lengths, and lengths past the end
 * of the view. */
static inline int ctder_next(struct ct_bytes *in, struct ctder_elem *e);

/* (inline: it is the innermost call of every certificate walk) */
static inline int ctder_next(struct ct_bytes *in, struct ctder_elem *e)
{
	const uint8_t *p = in->p;
	size_t n = in->len;
	if (n < 2)
		goto bad;
	unsigned tag = p[0];
	if ((tag & 0x1f) == 0x1f)
		goto bad; /* high tag number form: never in X.509 */
	size_t len, hdr;
	if (p[1] < 0x80) {
		len = p[1];
		hdr = 2;
	} else {
		size_t nb = p[1] & 0x7f;
		if (nb == 0 || nb > 4 || n < 2 + nb || p[2] == 0)
			goto bad; /* indefinite, huge, or leading zero */
		len = 0;
		for (size_t i = 0; i < nb; i++)
			len = len << 8 | p[2 + i];
		if (len < 0x80)
			goto bad; /* long form where short would do */
		hdr = 2 + nb;
	}
	if (len > n - hdr)
		goto bad;
	e->tag = tag;
	e->tlv.p = p;
	e->tlv.len = hdr + len;
	e->v.p = p + hdr;
	e->v.len = len;
	in->p += hdr + len;
	in->len -= hdr + len;
	return 0;
bad:	/* a failed element is empty, never uninitialized */
	memset(e, 0, sizeof *e);
	return -1;
}

/* Take the next element and require its tag. */
int ctder_expect(struct ct_bytes *in, unsigned tag, struct ctder_elem *e);

/* If the next element has this tag, take it and return 1; return 0 if
 * the view is empty or the tag differs; -1 if it is malformed. */
int ctder_optional(struct ct_bytes *in, unsigned tag, struct ctder_elem *e);

/* INTEGER contents: minimal two's complement. *neg is set when the
 * value is negative. */
int ctder_int_check(struct ct_bytes v, int *neg);

/* A small non-negative INTEGER that fits in 63 bits. */
int ctder_int_u64(struct ct_bytes v, uint64_t *out);

/* OID contents: non-empty, every arc minimal and ending. */
int ctder_oid_check(struct ct_bytes v);

/* Append an OID's dotted-decimal form ("2.5.29.17"). The contents must
 * have passed ctder_oid_check. Arcs over 64 bits print as "?". */
void ctder_oid_text(struct ctbuf *b, struct ct_bytes v);

/* Compare OID contents with a DER-encoded constant (no tag/length). */
static inline int ctder_oid_eq(struct ct_bytes v, const uint8_t *oid,
			       size_t n)
{
	return v.len == n && memcmp(v.p, oid, n) == 0;
}

/* BOOLEAN contents: one byte, 0x00 or 0xff. */
int ctder_bool(struct ct_bytes v, int *out);

/* BIT STRING contents: unused-bit count then bytes; *bits gets the
 * bytes and *unused the count. Unused bits must be zero. */
int ctder_bitstring(struct ct_bytes v, struct ct_bytes *bits,
		    unsigned *unused);

/* UTCTime or GeneralizedTime to Unix seconds. Accepts the DER forms
 * (YYMMDDHHMMSSZ, YYYYMMDDHHMMSSZ) and, as real certificates have it,
 * UTCTime without seconds. */
int ctder_time(const struct ctder_elem *e, int64_t *out);

#endif
