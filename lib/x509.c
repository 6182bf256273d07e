/* x509: certstream fields from DER (see x509.h).
 *
 * Parsing validates everything rendering will read, so rendering
 * cannot fail: it walks the same views again without checks. */
#include "x509.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "der.h"
#include "json.h"
#include "mem.h"

#define OID(...) ((const uint8_t[]){ __VA_ARGS__ }), \
	sizeof((const uint8_t[]){ __VA_ARGS__ })

static const uint8_t oid_attr[CTX509_NATTR][9] = {
	{ 0x55, 0x04, 0x06 }, { 0x55, 0x04, 0x03 }, { 0x55, 0x04, 0x07 },
	{ 0x55, 0x04, 0x0a }, { 0x55, 0x04, 0x0b }, { 0x55, 0x04, 0x08 },
	{ 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 },
};
static const uint8_t oid_attr_len[CTX509_NATTR] = { 3, 3, 3, 3, 3, 3, 9 };
static const char *const attr_key[CTX509_NATTR] = {
	"C", "CN", "L", "O", "OU", "ST", "emailAddress",
};

static const struct {
	uint8_t oid[10], len;
	const char *name;
} exts[CTX509_NEXT] = {
	[CTX509_X_AIA] = { { 0x2b, 6, 1, 5, 5, 7, 1, 1 }, 8,
			   "authorityInfoAccess" },
	[CTX509_X_AKI] = { { 0x55, 0x1d, 0x23 }, 3, "authorityKeyIdentifier" },
	[CTX509_X_BC] = { { 0x55, 0x1d, 0x13 }, 3, "basicConstraints" },
	[CTX509_X_CP] = { { 0x55, 0x1d, 0x20 }, 3, "certificatePolicies" },
	[CTX509_X_EKU] = { { 0x55, 0x1d, 0x25 }, 3, "extendedKeyUsage" },
	[CTX509_X_KU] = { { 0x55, 0x1d, 0x0f }, 3, "keyUsage" },
	[CTX509_X_SAN] = { { 0x55, 0x1d, 0x11 }, 3, "subjectAltName" },
	[CTX509_X_SKI] = { { 0x55, 0x1d, 0x0e }, 3, "subjectKeyIdentifier" },
	[CTX509_X_POISON] = { { 0x2b, 6, 1, 4, 1, 0xd6, 0x79, 2, 4, 3 }, 10,
			      "ctlPoisonByte" },
	[CTX509_X_SCT] = { { 0x2b, 6, 1, 4, 1, 0xd6, 0x79, 2, 4, 2 }, 10,
			   "ctlSignedCertificateTimestamp" },
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- validation ------------------------------------------------------ */

static int is_string_tag(unsigned tag)
{
	switch (tag) {
	case CTDER_UTF8STRING:
	case CTDER_NUMERICSTRING:
	case CTDER_PRINTABLESTRING:
	case CTDER_T61STRING:
	case CTDER_IA5STRING:
	case CTDER_VISIBLESTRING:
	case CTDER_UNIVERSALSTRING:
	case CTDER_BMPSTRING:
		return 1;
	}
	return 0;
}

/* Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF
 * AttributeTypeAndValue). Keeps the last value of each known type: the
 * certstream peers do (Go's pkix.Name overwrites CommonName, EasySSL and
 * the Rust server overwrite every key), and all_domains starts with the
 * CN, so the choice is visible in the stream. */
static int parse_name(struct ct_bytes v, struct ctx509_name *n)
{
	memset(n, 0, sizeof *n);
	while (v.len) {
		struct ctder_elem rdn, atv, oid, val;
		/* An empty SET breaks X.501 but every parser takes it. */
		if (ctder_expect(&v, CTDER_SET, &rdn) < 0)
			return -1;
		struct ct_bytes set = rdn.v;
		while (set.len) {
			if (ctder_expect(&set, CTDER_SEQUENCE, &atv) < 0)
				return -1;
			struct ct_bytes a = atv.v;
			if (ctder_expect(&a, CTDER_OID, &oid) < 0 ||
			    ctder_oid_check(oid.v) < 0 ||
			    ctder_next(&a, &val) < 0 || a.len)
				return -1;
			for (int i = 0; i < CTX509_NATTR; i++) {
				if (!ctder_oid_eq(oid.v, oid_attr[i],
						  oid_attr_len[i]))
					continue;
				if (!is_string_tag(val.tag))
					return -1;
				if (val.tag == CTDER_BMPSTRING &&
				    val.v.len % 2)
					return -1;
				if (val.tag == CTDER_UNIVERSALSTRING &&
				    val.v.len % 4)
					return -1;
				n->attr[i] = val.v;
				n->tag[i] = (uint8_t)val.tag;
			}
		}
	}
	return 0;
}

/* GeneralName: the choices and their form. */
static int check_general_name(const struct ctder_elem *g)
{
	switch (g->tag) {
	case 0xa0: /* otherName */
	case 0xa3: /* x400Address */
	case 0xa5: /* ediPartyName */
		return 0;
	case 0xa4: { /* directoryName: an explicit Name */
		struct ct_bytes v = g->v;
		struct ctder_elem name;
		struct ctx509_name n;
		if (ctder_expect(&v, CTDER_SEQUENCE, &name) < 0 || v.len)
			return -1;
		return parse_name(name.v, &n);
	}
	case 0x81: /* rfc822Name */
	case 0x82: /* dNSName */
	case 0x86: /* uniformResourceIdentifier */
		return 0;
	case 0x87: /* iPAddress: a bad length prints as <invalid> */
		return 0;
	case 0x88: /* registeredID */
		return ctder_oid_check(g->v);
	}
	return -1;
}

static int check_general_names(struct ct_bytes v)
{
	struct ctder_elem seq, g;
	if (ctder_expect(&v, CTDER_SEQUENCE, &seq) < 0 || v.len)
		return -1;
	while (seq.v.len)
		if (ctder_next(&seq.v, &g) < 0 || check_general_name(&g) < 0)
			return -1;
	return 0;
}

/* SEQUENCE OF SEQUENCE { OID, ... }: AIA and certificatePolicies. */
static int check_seq_of_oid_seq(struct ct_bytes v, int aia)
{
	struct ctder_elem seq, item, oid, g;
	if (ctder_expect(&v, CTDER_SEQUENCE, &seq) < 0 || v.len)
		return -1;
	while (seq.v.len) {
		if (ctder_expect(&seq.v, CTDER_SEQUENCE, &item) < 0)
			return -1;
		struct ct_bytes in = item.v;
		if (ctder_expect(&in, CTDER_OID, &oid) < 0 ||
		    ctder_oid_check(oid.v) < 0)
			return -1;
		if (aia && (ctder_next(&in, &g) < 0 ||
			    check_general_name(&g) < 0 || in.len))
			return -1;
		if (!aia && in.len) {
			struct ctder_elem q;
			if (ctder_expect(&in, CTDER_SEQUENCE, &q) < 0 ||
			    in.len)
				return -1;
		}
	}
	return 0;
}

static int check_ext(int which, struct ct_bytes v, int *is_ca)
{
	struct ctder_elem e, f;
	switch (which) {
	case CTX509_X_AIA:
		return check_seq_of_oid_seq(v, 1);
	case CTX509_X_CP:
		return check_seq_of_oid_seq(v, 0);
	case CTX509_X_SAN:
		return check_general_names(v);
	case CTX509_X_AKI: {
		if (ctder_expect(&v, CTDER_SEQUENCE, &e) < 0 || v.len)
			return -1;
		int r = ctder_optional(&e.v, 0x80, &f);
		if (r >= 0)
			r = ctder_optional(&e.v, 0xa1, &f);
		if (r >= 0)
			r = ctder_optional(&e.v, 0x82, &f);
		return r < 0 || e.v.len ? -1 : 0;
	}
	case CTX509_X_SKI:
	case CTX509_X_SCT:
		return ctder_expect(&v, CTDER_OCTETSTRING, &e) < 0 || v.len
			       ? -1 : 0;
	case CTX509_X_POISON:
		return ctder_expect(&v, CTDER_NULL, &e) < 0 || v.len ||
			       e.v.len ? -1 : 0;
	case CTX509_X_KU: {
		struct ct_bytes bits;
		unsigned unused;
		if (ctder_expect(&v, CTDER_BITSTRING, &e) < 0 || v.len)
			return -1;
		return ctder_bitstring(e.v, &bits, &unused);
	}
	case CTX509_X_EKU:
		if (ctder_expect(&v, CTDER_SEQUENCE, &e) < 0 || v.len)
			return -1;
		while (e.v.len)
			if (ctder_expect(&e.v, CTDER_OID, &f) < 0 ||
			    ctder_oid_check(f.v) < 0)
				return -1;
		return 0;
	case CTX509_X_BC: {
		if (ctder_expect(&v, CTDER_SEQUENCE, &e) < 0 || v.len)
			return -1;
		/* BER booleans (any non-zero byte is true) occur in real
		 * certificates; the length must still be one. */
		int r = ctder_optional(&e.v, CTDER_BOOLEAN, &f), ca = 0;
		if (r < 0 || (r == 1 && f.v.len != 1))
			return -1;
		if (r == 1)
			ca = f.v.p[0] != 0;
		*is_ca = ca;
		r = ctder_optional(&e.v, CTDER_INTEGER, &f);
		uint64_t pl;
		if (r < 0 || (r == 1 && ctder_int_u64(f.v, &pl) < 0))
			return -1;
		return e.v.len ? -1 : 0;
	}
	}
	return 0;
}

static int parse_exts(struct ctx509 *c, struct ct_bytes v, char *err,
		      size_t errlen)
{
	struct ctder_elem seq, ext, oid, crit, val;
	if (ctder_expect(&v, CTDER_SEQUENCE, &seq) < 0 || v.len)
		return fail(err, errlen, "malformed extensions");
	while (seq.v.len) {
		if (ctder_expect(&seq.v, CTDER_SEQUENCE, &ext) < 0)
			return fail(err, errlen, "malformed extension");
		struct ct_bytes in = ext.v;
		int r;
		if (ctder_expect(&in, CTDER_OID, &oid) < 0 ||
		    ctder_oid_check(oid.v) < 0)
			return fail(err, errlen, "malformed extension OID");
		r = ctder_optional(&in, CTDER_BOOLEAN, &crit);
		if (r < 0 || (r == 1 && crit.v.len != 1) ||
		    ctder_expect(&in, CTDER_OCTETSTRING, &val) < 0 || in.len)
			return fail(err, errlen, "malformed extension");
		for (int i = 0; i < CTX509_NEXT; i++) {
			if (!ctder_oid_eq(oid.v, exts[i].oid, exts[i].len))
				continue;
			if (c->ext[i].p)
				break; /* a duplicate: the first one counts */
			if (check_ext(i, val.v, &c->is_ca) < 0)
				return fail(err, errlen, "malformed %s "
					    "extension", exts[i].name);
			c->ext[i] = val.v;
			break;
		}
	}
	return 0;
}

static const uint8_t oid_ecpub[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 2, 1 };

static int parse_spki(struct ct_bytes v)
{
	struct ctder_elem alg, oid, par, key;
	if (ctder_expect(&v, CTDER_SEQUENCE, &alg) < 0 ||
	    ctder_expect(&v, CTDER_BITSTRING, &key) < 0 || v.len)
		return -1;
	if (ctder_expect(&alg.v, CTDER_OID, &oid) < 0 ||
	    ctder_oid_check(oid.v) < 0)
		return -1;
	if (ctder_oid_eq(oid.v, oid_ecpub, sizeof oid_ecpub)) {
		if (ctder_next(&alg.v, &par) < 0 || alg.v.len)
			return -1;
		if (par.tag != CTDER_OID)
			return -2;
	}
	return 0;
}

static int parse_tbs(struct ctx509 *c, struct ct_bytes v,
		     struct ct_bytes outer_alg, char *err, size_t errlen)
{
	struct ctder_elem e, ser, alg, iss, val, nb, na, sub, spki;
	int r = ctder_optional(&v, 0xa0, &e), neg;
	if (r < 0)
		return fail(err, errlen, "malformed version");
	if (r == 1) {
		uint64_t ver;
		struct ct_bytes in = e.v;
		struct ctder_elem i;
		if (ctder_expect(&in, CTDER_INTEGER, &i) < 0 || in.len ||
		    ctder_int_u64(i.v, &ver) < 0 || ver > 2)
			return fail(err, errlen, "bad version");
	}
	if (ctder_expect(&v, CTDER_INTEGER, &ser) < 0 ||
	    ctder_int_check(ser.v, &neg) < 0)
		return fail(err, errlen, "malformed serial number");
	/* A negative serial breaks RFC 5280 but is in the logs: keep the
	 * certificate and show the bytes as encoded, as x509-parser (the
	 * Rust server's) does; only a positive one loses its sign byte. */
	c->serial_negative = neg;
	c->serial = ser.v;
	if (c->serial.len > 1 && c->serial.p[0] == 0) {
		c->serial.p++;
		c->serial.len--;
	}
	if (ctder_expect(&v, CTDER_SEQUENCE, &alg) < 0)
		return fail(err, errlen, "malformed signature algorithm");
	/* A TBS algorithm that differs from the outer one makes the
	 * signature invalid, not the certificate unreadable: we show the
	 * outer one, as OpenSSL does. */
	(void)outer_alg;
	if (ctder_expect(&v, CTDER_SEQUENCE, &iss) < 0 ||
	    parse_name(iss.v, &c->issuer) < 0)
		return fail(err, errlen, "malformed issuer name");
	if (ctder_expect(&v, CTDER_SEQUENCE, &val) < 0 ||
	    ctder_next(&val.v, &nb) < 0 || ctder_time(&nb, &c->not_before) < 0 ||
	    ctder_next(&val.v, &na) < 0 || ctder_time(&na, &c->not_after) < 0 ||
	    val.v.len)
		return fail(err, errlen, "malformed validity");
	if (ctder_expect(&v, CTDER_SEQUENCE, &sub) < 0 ||
	    parse_name(sub.v, &c->subject) < 0)
		return fail(err, errlen, "malformed subject name");
	if (ctder_expect(&v, CTDER_SEQUENCE, &spki) < 0)
		return fail(err, errlen, "malformed public key");
	r = parse_spki(spki.v);
	if (r == -2)
		return fail(err, errlen, "explicit EC curve parameters");
	if (r < 0)
		return fail(err, errlen, "malformed public key");
	if (ctder_optional(&v, 0x81, &e) < 0 ||
	    ctder_optional(&v, 0x82, &e) < 0)
		return fail(err, errlen, "malformed unique identifier");
	r = ctder_optional(&v, 0xa3, &e);
	if (r < 0)
		return fail(err, errlen, "malformed extensions");
	if (r == 1) {
		c->exts_tlv = e.tlv;
		if (parse_exts(c, e.v, err, errlen) < 0)
			return -1;
	}
	if (v.len)
		return fail(err, errlen, "trailing data in TBSCertificate");
	return 0;
}

int ctx509_parse(struct ctx509 *c, const uint8_t *der, size_t len,
		 char *err, size_t errlen)
{
	struct ct_bytes in = { der, len };
	struct ctder_elem cert, tbs, alg, sig;
	c->der = in;
	c->exts_tlv.p = NULL;
	c->exts_tlv.len = 0;
	memset(c->ext, 0, sizeof c->ext);
	c->is_ca = 0;
	c->serial_negative = 0;
	if (ctder_expect(&in, CTDER_SEQUENCE, &cert) < 0)
		return fail(err, errlen, "not a DER certificate");
	if (in.len)
		return fail(err, errlen, "trailing bytes after certificate");
	struct ct_bytes v = cert.v;
	if (ctder_expect(&v, CTDER_SEQUENCE, &tbs) < 0)
		return fail(err, errlen, "malformed TBSCertificate");
	if (ctder_expect(&v, CTDER_SEQUENCE, &alg) < 0)
		return fail(err, errlen, "malformed signature algorithm");
	struct ct_bytes a = alg.v;
	struct ctder_elem oid;
	if (ctder_expect(&a, CTDER_OID, &oid) < 0 ||
	    ctder_oid_check(oid.v) < 0)
		return fail(err, errlen, "malformed signature algorithm");
	if (ctder_expect(&v, CTDER_BITSTRING, &sig) < 0 || v.len)
		return fail(err, errlen, "malformed signature");
	c->tbs = tbs.tlv;
	c->sigalg = alg.v;
	return parse_tbs(c, tbs.v, alg.v, err, errlen);
}

/* One-shot SHA1()/SHA256() look the algorithm up (under a lock) on
 * every call; fetching once saves a fifth of the hashing time. */
static void digest(struct ctx509 *c, int sha256, const void *p, size_t n,
		   uint8_t *out)
{
	if (!c->md_ctx) {
		c->md_ctx = EVP_MD_CTX_new();
		c->md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
		c->md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
		if (!c->md_ctx || !c->md_sha1 || !c->md_sha256)
			abort(); /* OpenSSL without SHA: nothing to salvage */
	}
	unsigned len;
	EVP_DigestInit_ex2(c->md_ctx, sha256 ? c->md_sha256 : c->md_sha1, NULL);
	EVP_DigestUpdate(c->md_ctx, p, n);
	EVP_DigestFinal_ex(c->md_ctx, out, &len);
}

void ctx509_free(struct ctx509 *c)
{
	EVP_MD_CTX_free(c->md_ctx);
	EVP_MD_free(c->md_sha1);
	EVP_MD_free(c->md_sha256);
	c->md_ctx = c->md_sha1 = c->md_sha256 = NULL;
	ctbuf_free(&c->tmp);
	ctbuf_free(&c->cn);
	free(c->names);
	c->names = NULL;
	c->capnames = c->nnames = 0;
}

/* ---- rendering ------------------------------------------------------- */

/* Append a UTF-8 rendering of an ASN.1 string to b (raw, unescaped).
 * UTF8/Printable/IA5/... go through as they are (the JSON writer
 * repairs bad UTF-8); T61 is read as Latin-1; BMP and Universal are
 * decoded from UTF-16BE/UCS-4BE. */
static void put_utf8(struct ctbuf *b, uint32_t cp)
{
	char *o = ctbuf_room(b, 4);
	if (cp < 0x80) {
		o[0] = (char)cp;
		ctbuf_commit(b, 1);
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		ctbuf_commit(b, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		ctbuf_commit(b, 3);
	} else {
		o[0] = (char)(0xf0 | cp >> 18);
		o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		ctbuf_commit(b, 4);
	}
}

static void to_utf8(struct ctbuf *b, unsigned tag, struct ct_bytes s)
{
	const uint8_t *p = s.p;
	size_t n = s.len;
	switch (tag) {
	case CTDER_T61STRING:
		for (size_t i = 0; i < n; i++)
			put_utf8(b, p[i]);
		return;
	case CTDER_BMPSTRING:
		for (size_t i = 0; i + 1 < n; i += 2) {
			uint32_t u = (uint32_t)p[i] << 8 | p[i + 1];
			if (u >= 0xd800 && u < 0xdc00 && i + 3 < n) {
				uint32_t l = (uint32_t)p[i + 2] << 8 | p[i + 3];
				if (l >= 0xdc00 && l < 0xe000) {
					u = 0x10000 + ((u - 0xd800) << 10) +
					    (l - 0xdc00);
					i += 2;
				}
			}
			put_utf8(b, u >= 0xd800 && u < 0xe000 ? 0xfffd : u);
		}
		return;
	case CTDER_UNIVERSALSTRING:
		for (size_t i = 0; i + 3 < n; i += 4) {
			uint32_t u = (uint32_t)p[i] << 24 |
				     (uint32_t)p[i + 1] << 16 |
				     (uint32_t)p[i + 2] << 8 | p[i + 3];
			if (u > 0x10ffff || (u >= 0xd800 && u < 0xe000))
				u = 0xfffd;
			put_utf8(b, u);
		}
		return;
	}
	ctbuf_add(b, p, n);
}

static int needs_conversion(unsigned tag)
{
	return tag == CTDER_T61STRING || tag == CTDER_BMPSTRING ||
	       tag == CTDER_UNIVERSALSTRING;
}

/* The escaped JSON body of one attribute value. */
static void put_attr_body(struct ctx509 *c, struct ctbuf *b, unsigned tag,
			  struct ct_bytes s)
{
	if (!needs_conversion(tag)) {
		ctjson_str_body(b, s.p, s.len);
		return;
	}
	ctbuf_reset(&c->tmp);
	to_utf8(&c->tmp, tag, s);
	ctjson_str_body(b, c->tmp.p, c->tmp.len);
}

static void render_name(struct ctx509 *c, struct ctbuf *b,
			const struct ctx509_name *n)
{
	static const struct {
		const char *s;
		size_t n;
	} key[CTX509_NATTR] = {
#define K(x) { x, sizeof(x) - 1 }
		K("\"C\":"), K("\"CN\":"), K("\"L\":"), K("\"O\":"),
		K("\"OU\":"), K("\"ST\":"), K("\"emailAddress\":"),
	}, agg[CTX509_EMAIL] = {
		K("/C="), K("/CN="), K("/L="), K("/O="), K("/OU="), K("/ST="),
#undef K
	};
	_Static_assert(CTX509_EMAIL == CTX509_NATTR - 1, "emailAddress last");
	size_t at = 0; /* where the value of the last, emailAddress, starts */
	ctbuf_addc(b, '{');
	for (int i = 0; i < CTX509_NATTR; i++) {
		ctbuf_add(b, key[i].s, key[i].n);
		at = b->len;
		if (!n->tag[i]) {
			CTBUF_LIT(b, "null,");
			continue;
		}
		ctbuf_addc(b, '"');
		put_attr_body(c, b, n->tag[i], n->attr[i]);
		CTBUF_LIT(b, "\",");
	}
	/* The e-mail address again under certstream-server-go's key:
	 * clients of either server read their spelling. */
	size_t len = b->len - at;
	CTBUF_LIT(b, "\"email_address\":");
	ctbuf_room(b, len);
	memcpy(b->p + b->len, b->p + at, len);
	ctbuf_commit(b, len);
	CTBUF_LIT(b, "\"aggregated\":\"");
	for (int i = 0; i < CTX509_EMAIL; i++) {
		if (!n->tag[i])
			continue;
		ctbuf_add(b, agg[i].s, agg[i].n);
		put_attr_body(c, b, n->tag[i], n->attr[i]);
	}
	CTBUF_LIT(b, "\"}");
}

static void hex_colon_lower(struct ctbuf *b, struct ct_bytes v)
{
	static const char hx[] = "0123456789abcdef";
	char *o = ctbuf_room(b, v.len * 3);
	for (size_t i = 0; i < v.len; i++) {
		if (i)
			*o++ = ':';
		*o++ = hx[v.p[i] >> 4];
		*o++ = hx[v.p[i] & 15];
	}
	ctbuf_commit(b, v.len ? v.len * 3 - 1 : 0);
}

static const char *sig_name(struct ct_bytes alg, struct ctbuf *b)
{
	struct ctder_elem oid;
	struct ct_bytes a = alg;
	if (ctder_expect(&a, CTDER_OID, &oid) < 0)
		return "unknown";
	static const struct {
		uint8_t oid[9], len;
		const char *name;
	} tab[] = {
		{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 4 }, 9, "md5, rsa" },
		{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 5 }, 9, "sha1, rsa" },
		{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11 }, 9,
		  "sha256, rsa" },
		{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 12 }, 9,
		  "sha384, rsa" },
		{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 13 }, 9,
		  "sha512, rsa" },
		{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 14 }, 9,
		  "sha224, rsa" },
		{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 1 }, 7, "ecdsa, sha1" },
		{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 1 }, 8, "ecdsa, sha224" },
		{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 2 }, 8, "ecdsa, sha256" },
		{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 3 }, 8, "ecdsa, sha384" },
		{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 4 }, 8, "ecdsa, sha512" },
		{ { 0x2b, 0x65, 0x70 }, 3, "ed25519" },
		{ { 0x2b, 0x65, 0x71 }, 3, "ed448" },
		{ { 0x2a, 0x86, 0x48, 0xce, 0x38, 4, 3 }, 7, "dsa, sha1" },
		{ { 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 3, 2 }, 9, "dsa, sha256" },
	};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (ctder_oid_eq(oid.v, tab[i].oid, tab[i].len))
			return tab[i].name;
	static const uint8_t pss[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
				       1, 1, 10 };
	if (ctder_oid_eq(oid.v, pss, sizeof pss)) {
		/* RSASSA-PSS-params: [0] hashAlgorithm, default SHA-1 */
		static const struct {
			uint8_t oid[9], len;
			const char *name;
		} h[] = {
			{ { 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, 1 }, 9,
			  "sha256, rsa-pss" },
			{ { 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, 2 }, 9,
			  "sha384, rsa-pss" },
			{ { 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, 3 }, 9,
			  "sha512, rsa-pss" },
			{ { 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, 4 }, 9,
			  "sha224, rsa-pss" },
		};
		struct ctder_elem params, h0, halg, hoid;
		if (ctder_expect(&a, CTDER_SEQUENCE, &params) < 0 ||
		    ctder_expect(&params.v, 0xa0, &h0) < 0 ||
		    ctder_expect(&h0.v, CTDER_SEQUENCE, &halg) < 0 ||
		    ctder_expect(&halg.v, CTDER_OID, &hoid) < 0)
			return "sha1, rsa-pss";
		for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
			if (ctder_oid_eq(hoid.v, h[i].oid, h[i].len))
				return h[i].name;
		return "rsa-pss";
	}
	ctbuf_reset(b);
	ctder_oid_text(b, oid.v);
	return ctbuf_cstr(b);
}

static void put_key(struct ctbuf *b, int *first, const char *k)
{
	if (!*first)
		ctbuf_addc(b, ',');
	*first = 0;
	ctbuf_addc(b, '"');
	ctbuf_adds(b, k);
	CTBUF_LIT(b, "\":");
}

static void ipaddr(struct ctbuf *b, struct ct_bytes v)
{
	if (v.len != 4 && v.len != 16) {
		CTBUF_LIT(b, "<invalid>");
		return;
	}
	if (v.len == 4) {
		ctbuf_printf(b, "%u.%u.%u.%u", v.p[0], v.p[1], v.p[2], v.p[3]);
		return;
	}
	for (size_t i = 0; i < 16; i += 2)
		ctbuf_printf(b, i ? ":%X" : "%X",
			     (unsigned)(v.p[i] << 8 | v.p[i + 1]));
}

static void dirname(struct ctx509 *c, struct ctbuf *b, struct ct_bytes v)
{
	struct ctder_elem name, rdn, atv, oid, val;
	ctder_next(&v, &name);
	while (name.v.len) {
		ctder_next(&name.v, &rdn);
		while (rdn.v.len) {
			ctder_next(&rdn.v, &atv);
			ctder_next(&atv.v, &oid);
			ctder_next(&atv.v, &val);
			ctbuf_addc(b, '/');
			int k = -1;
			for (int i = 0; i < CTX509_NATTR && k < 0; i++)
				if (ctder_oid_eq(oid.v, oid_attr[i],
						 oid_attr_len[i]))
					k = i;
			if (k >= 0)
				ctbuf_adds(b, attr_key[k]);
			else
				ctder_oid_text(b, oid.v);
			ctbuf_addc(b, '=');
			put_attr_body(c, b, val.tag, val.v);
		}
	}
}

/* One GeneralName as OpenSSL prints it (escaped JSON body). */
static void general_name(struct ctx509 *c, struct ctbuf *b,
			 const struct ctder_elem *g)
{
	switch (g->tag) {
	case 0x82:
		CTBUF_LIT(b, "DNS:");
		ctjson_str_body(b, g->v.p, g->v.len);
		break;
	case 0x81:
		CTBUF_LIT(b, "email:");
		ctjson_str_body(b, g->v.p, g->v.len);
		break;
	case 0x86:
		CTBUF_LIT(b, "URI:");
		ctjson_str_body(b, g->v.p, g->v.len);
		break;
	case 0x87:
		CTBUF_LIT(b, "IP Address:");
		ipaddr(b, g->v);
		break;
	case 0x88:
		CTBUF_LIT(b, "Registered ID:");
		ctder_oid_text(b, g->v);
		break;
	case 0xa4:
		CTBUF_LIT(b, "DirName:");
		dirname(c, b, g->v);
		break;
	case 0xa0:
		CTBUF_LIT(b, "othername:<unsupported>");
		break;
	case 0xa3:
		CTBUF_LIT(b, "X400Name:<unsupported>");
		break;
	default:
		CTBUF_LIT(b, "EdiPartyName:<unsupported>");
		break;
	}
}

static void ext_san(struct ctx509 *c, struct ctbuf *b, struct ct_bytes v)
{
	struct ctder_elem seq, g;
	ctder_next(&v, &seq);
	ctbuf_addc(b, '"');
	for (int first = 1; seq.v.len; first = 0) {
		ctder_next(&seq.v, &g);
		if (!first)
			CTBUF_LIT(b, ", ");
		general_name(c, b, &g);
	}
	ctbuf_addc(b, '"');
}

static void ext_aia(struct ctx509 *c, struct ctbuf *b, struct ct_bytes v)
{
	struct ctder_elem seq, ad, oid, g;
	ctder_next(&v, &seq);
	ctbuf_addc(b, '"');
	for (int first = 1; seq.v.len; first = 0) {
		ctder_next(&seq.v, &ad);
		ctder_next(&ad.v, &oid);
		ctder_next(&ad.v, &g);
		if (!first)
			CTBUF_LIT(b, ", ");
		general_name(c, b, &g);
	}
	ctbuf_addc(b, '"');
}

static void ext_cp(struct ctbuf *b, struct ct_bytes v)
{
	struct ctder_elem seq, pi, oid;
	ctder_next(&v, &seq);
	ctbuf_addc(b, '"');
	while (seq.v.len) {
		ctder_next(&seq.v, &pi);
		ctder_next(&pi.v, &oid);
		CTBUF_LIT(b, "Policy: ");
		ctder_oid_text(b, oid.v);
		CTBUF_LIT(b, "\\n");
	}
	ctbuf_addc(b, '"');
}

static void ext_eku(struct ctbuf *b, struct ct_bytes v)
{
	static const char *const names[] = {
		NULL, "serverAuth", "clientAuth", "codeSigning",
		"emailProtection", "ipsecEndSystem", "ipsecTunnel",
		"ipsecUser", "timeStamping", "OCSPSigning",
	};
	static const uint8_t kp[] = { 0x2b, 6, 1, 5, 5, 7, 3 };
	static const uint8_t any[] = { 0x55, 0x1d, 0x25, 0x00 };
	/* Known purposes in a fixed order (as the Rust/Go servers print
	 * them), then anyExtendedKeyUsage, then other OIDs as they come. */
	struct ctder_elem seq, oid;
	ctder_next(&v, &seq);
	ctbuf_addc(b, '"');
	int first = 1;
	for (int pass = 1; pass <= 11; pass++) {
		struct ct_bytes s = seq.v;
		while (s.len) {
			ctder_next(&s, &oid);
			int known = oid.v.len == 8 && !memcmp(oid.v.p, kp, 7) &&
				    oid.v.p[7] >= 1 && oid.v.p[7] <= 9;
			int isany = ctder_oid_eq(oid.v, any, sizeof any);
			if (pass <= 9 ? !(known && oid.v.p[7] == pass)
			    : pass == 10 ? !isany : known || isany)
				continue;
			if (!first)
				CTBUF_LIT(b, ", ");
			first = 0;
			if (known)
				ctbuf_adds(b, names[oid.v.p[7]]);
			else if (isany)
				CTBUF_LIT(b, "anyExtendedKeyUsage");
			else
				ctder_oid_text(b, oid.v);
		}
	}
	ctbuf_addc(b, '"');
}

static void ext_ku(struct ctbuf *b, struct ct_bytes v)
{
	static const char *const names[] = {
		"Digital Signature", "Content Commitment", "Key Encipherment",
		"Data Encipherment", "Key Agreement", "Certificate Signing",
		"CRL Signing", "Encipher Only", "Decipher Only",
	};
	struct ctder_elem bs;
	struct ct_bytes bits;
	unsigned unused;
	ctder_next(&v, &bs);
	ctder_bitstring(bs.v, &bits, &unused);
	ctbuf_addc(b, '"');
	int first = 1;
	for (unsigned i = 0; i < 9 && i / 8 < bits.len; i++) {
		if (!(bits.p[i / 8] & (0x80 >> (i % 8))))
			continue;
		if (!first)
			CTBUF_LIT(b, ", ");
		first = 0;
		ctbuf_adds(b, names[i]);
	}
	ctbuf_addc(b, '"');
}

static void ext_keyid(struct ctbuf *b, struct ct_bytes v, int aki)
{
	struct ctder_elem e, id;
	ctder_next(&v, &e);
	ctbuf_addc(b, '"');
	if (!aki) {
		CTBUF_LIT(b, "keyid:");
		hex_colon_lower(b, e.v);
	} else if (ctder_optional(&e.v, 0x80, &id) == 1) {
		CTBUF_LIT(b, "keyid:");
		hex_colon_lower(b, id.v);
	}
	ctbuf_addc(b, '"');
}

static void render_exts(struct ctx509 *c, struct ctbuf *b)
{
	int first = 1;
	ctbuf_addc(b, '{');
	for (int i = 0; i < CTX509_NEXT; i++) {
		struct ct_bytes v = c->ext[i];
		if (!v.p)
			continue;
		put_key(b, &first, exts[i].name);
		switch (i) {
		case CTX509_X_AIA:
			ext_aia(c, b, v);
			break;
		case CTX509_X_AKI:
			ext_keyid(b, v, 1);
			break;
		case CTX509_X_BC:
			if (c->is_ca)
				CTBUF_LIT(b, "\"CA:TRUE\"");
			else
				CTBUF_LIT(b, "\"CA:FALSE\"");
			break;
		case CTX509_X_CP:
			ext_cp(b, v);
			break;
		case CTX509_X_EKU:
			ext_eku(b, v);
			break;
		case CTX509_X_KU:
			ext_ku(b, v);
			break;
		case CTX509_X_SAN:
			ext_san(c, b, v);
			break;
		case CTX509_X_SKI:
			ext_keyid(b, v, 0);
			break;
		case CTX509_X_POISON:
			CTBUF_LIT(b, "true");
			break;
		case CTX509_X_SCT: {
			struct ctder_elem os;
			ctder_next(&v, &os);
			ctbuf_addc(b, '"');
			ctb64_encode(b, os.v.p, os.v.len);
			ctbuf_addc(b, '"');
			break;
		}
		}
	}
	ctbuf_addc(b, '}');
}

static void add_name(struct ctx509 *c, const void *p, size_t n)
{
	if (n == 0)
		return;
	for (size_t i = 0; i < c->nnames; i++)
		if (c->names[i].len == n && !memcmp(c->names[i].p, p, n))
			return;
	if (c->nnames == c->capnames) {
		c->capnames = c->capnames ? c->capnames * 2 : 64;
		c->names = ct_xrealloc(c->names,
				       c->capnames * sizeof *c->names);
	}
	c->names[c->nnames].p = p;
	c->names[c->nnames++].len = n;
}

/* Collect subject CN (unless a CA) and SAN dNSNames, deduplicated. */
static void collect_domains(struct ctx509 *c)
{
	c->nnames = 0;
	ctbuf_reset(&c->cn);
	if (c->subject.tag[CTX509_CN] && !c->is_ca) {
		to_utf8(&c->cn, c->subject.tag[CTX509_CN],
			c->subject.attr[CTX509_CN]);
		add_name(c, c->cn.p, c->cn.len);
	}
	if (!c->ext[CTX509_X_SAN].p)
		return;
	struct ct_bytes v = c->ext[CTX509_X_SAN];
	struct ctder_elem seq, g;
	ctder_next(&v, &seq);
	while (seq.v.len) {
		ctder_next(&seq.v, &g);
		if (g.tag == 0x82)
			add_name(c, g.v.p, g.v.len);
	}
}

void ctx509_domains(struct ctx509 *c, struct ctbuf *b)
{
	collect_domains(c);
	ctbuf_addc(b, '[');
	for (size_t i = 0; i < c->nnames; i++) {
		if (i)
			ctbuf_addc(b, ',');
		ctjson_str(b, c->names[i].p, c->names[i].len);
	}
	ctbuf_addc(b, ']');
}

void ctx509_tbs_sha256(struct ctx509 *c, uint8_t out[32])
{
	if (!c->ext[CTX509_X_POISON].p && !c->ext[CTX509_X_SCT].p) {
		digest(c, 1, c->tbs.p, c->tbs.len, out);
		return;
	}
	/* Rebuild: TBS header, fields before [3], [3] { SEQUENCE { kept
	 * extensions } } unless none are kept. */
	struct ct_bytes t = c->tbs;
	struct ctder_elem tbs, x3, seq, ext, oid;
	ctder_next(&t, &tbs);
	size_t before = (size_t)(c->exts_tlv.p - tbs.v.p);
	struct ct_bytes x = c->exts_tlv;
	ctder_next(&x, &x3);
	ctder_next(&x3.v, &seq);
	struct ctbuf *k = &c->tmp;
	ctbuf_reset(k);
	struct ct_bytes s = seq.v;
	while (s.len) {
		ctder_next(&s, &ext);
		struct ct_bytes in = ext.v;
		ctder_next(&in, &oid);
		if (ctder_oid_eq(oid.v, exts[CTX509_X_POISON].oid,
				 exts[CTX509_X_POISON].len) ||
		    ctder_oid_eq(oid.v, exts[CTX509_X_SCT].oid,
				 exts[CTX509_X_SCT].len))
			continue;
		ctbuf_add(k, ext.tlv.p, ext.tlv.len);
	}
	size_t kept = k->len;
	uint8_t h1[6], h2[6], h0[6];
	size_t n1 = 0, n2 = 0, n0;
#define HDR(h, n, tag, len)                                        \
	do {                                                       \
		size_t l_ = (len), j_ = 0;                         \
		(h)[j_++] = (tag);                                 \
		if (l_ < 0x80) {                                   \
			(h)[j_++] = (uint8_t)l_;                   \
		} else {                                           \
			int nb_ = l_ > 0xffffff ? 4 : l_ > 0xffff ? 3 \
				  : l_ > 0xff ? 2 : 1;             \
			(h)[j_++] = (uint8_t)(0x80 | nb_);         \
			for (int q_ = nb_ - 1; q_ >= 0; q_--)      \
				(h)[j_++] = (uint8_t)(l_ >> (8 * q_)); \
		}                                                  \
		(n) = j_;                                          \
	} while (0)
	if (kept) {
		HDR(h2, n2, CTDER_SEQUENCE, kept);
		HDR(h1, n1, 0xa3, kept + n2);
	}
	HDR(h0, n0, CTDER_SEQUENCE, before + (kept ? n1 + n2 + kept : 0));
#undef HDR
	/* Assemble after the kept extensions in tmp, then hash. */
	size_t total = n0 + before + (kept ? n1 + n2 + kept : 0);
	ctbuf_room(k, total);
	uint8_t *o = (uint8_t *)k->p + kept;
	memcpy(o, h0, n0);
	memcpy(o + n0, tbs.v.p, before);
	if (kept) {
		memcpy(o + n0 + before, h1, n1);
		memcpy(o + n0 + before + n1, h2, n2);
		memcpy(o + n0 + before + n1 + n2, k->p, kept);
	}
	digest(c, 1, o, total, out);
}

void ctx509_render(struct ctx509 *c, struct ctbuf *b, unsigned flags)
{
	uint8_t sha1[20], sha256[32];
	digest(c, 0, c->der.p, c->der.len, sha1);
	digest(c, 1, c->der.p, c->der.len, sha256);

	CTBUF_LIT(b, "{\"subject\":");
	render_name(c, b, &c->subject);
	CTBUF_LIT(b, ",\"issuer\":");
	render_name(c, b, &c->issuer);
	CTBUF_LIT(b, ",\"serial_number\":\"");
	cthex_upper(b, c->serial.p, c->serial.len, 0);
	CTBUF_LIT(b, "\",\"not_before\":");
	ctbuf_addi64(b, c->not_before);
	CTBUF_LIT(b, ",\"not_after\":");
	ctbuf_addi64(b, c->not_after);
	CTBUF_LIT(b, ",\"fingerprint\":\"");
	size_t at = b->len;
	cthex_upper(b, sha1, sizeof sha1, ':');
	size_t n = b->len - at;
	CTBUF_LIT(b, "\",\"sha1\":\"");
	ctbuf_room(b, n);
	memcpy(b->p + b->len, b->p + at, n);
	ctbuf_commit(b, n);
	CTBUF_LIT(b, "\",\"sha256\":\"");
	cthex_upper(b, sha256, sizeof sha256, ':');
	CTBUF_LIT(b, "\",\"signature_algorithm\":");
	ctjson_strz(b, sig_name(c->sigalg, &c->tmp));
	if (c->is_ca)
		CTBUF_LIT(b, ",\"is_ca\":true");
	else
		CTBUF_LIT(b, ",\"is_ca\":false");
	if (flags & CTX509_DOMAINS) {
		CTBUF_LIT(b, ",\"all_domains\":");
		ctx509_domains(c, b);
	}
	CTBUF_LIT(b, ",\"extensions\":");
	render_exts(c, b);
	if (flags & CTX509_TBS) {
		uint8_t t[32];
		ctx509_tbs_sha256(c, t);
		CTBUF_LIT(b, ",\"tbs_sha256\":\"");
		cthex_upper(b, t, sizeof t, ':');
		ctbuf_addc(b, '"');
	}
	if (flags & CTX509_AS_DER) {
		CTBUF_LIT(b, ",\"as_der\":\"");
		ctb64_encode(b, c->der.p, c->der.len);
		ctbuf_addc(b, '"');
	}
	ctbuf_addc(b, '}');
}
