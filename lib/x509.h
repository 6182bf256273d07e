/* x509: the certstream fields of one certificate, read straight from
 * its DER with lib/der (no OpenSSL parsing; OpenSSL only hashes).
 *
 * ctx509_parse checks the structure strictly and keeps views into the
 * caller's DER, which must stay alive until the certificate has been
 * rendered. A struct ctx509 is reused from certificate to certificate:
 * its scratch memory grows to the largest certificate seen and is
 * released by ctx509_free, so steady-state parsing allocates nothing. */
#ifndef CT_X509_H
#define CT_X509_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Name attributes that certstream shows, in its order. */
enum { CTX509_C, CTX509_CN, CTX509_L, CTX509_O, CTX509_OU, CTX509_ST,
       CTX509_EMAIL, CTX509_NATTR };

struct ctx509_name {
	struct ct_bytes attr[CTX509_NATTR]; /* last value of each */
	uint8_t tag[CTX509_NATTR];	    /* its ASN.1 string type */
};

/* Extensions certstream renders, plus the two CT ones. */
enum { CTX509_X_AIA, CTX509_X_AKI, CTX509_X_BC, CTX509_X_CP,
       CTX509_X_EKU, CTX509_X_KU, CTX509_X_SAN, CTX509_X_SKI,
       CTX509_X_POISON, CTX509_X_SCT, CTX509_NEXT };

struct ctx509 {
	struct ct_bytes der;	 /* the whole certificate */
	struct ct_bytes tbs;	 /* TBSCertificate, tag and length too */
	struct ct_bytes serial;	 /* INTEGER contents, a 00 sign byte dropped */
	struct ct_bytes sigalg;	 /* AlgorithmIdentifier contents */
	struct ct_bytes exts_tlv; /* the [3] element, or empty */
	int64_t not_before, not_after;
	struct ctx509_name subject, issuer;
	struct ct_bytes ext[CTX509_NEXT]; /* extnValue contents */
	int is_ca;
	int serial_negative; /* RFC 5280 forbids it; older CAs did it */
	/* scratch, owned */
	struct ctbuf tmp, cn;
	void *md_ctx, *md_sha1, *md_sha256; /* OpenSSL, fetched once */
	struct ct_bytes *names;
	size_t nnames, capnames;
};

#define CTX509_INIT { 0 }

/* What ctx509_render adds beyond the common fields. */
enum {
	CTX509_AS_DER = 1,  /* "as_der": base64 of the DER */
	CTX509_TBS = 2,	    /* "tbs_sha256" */
	CTX509_DOMAINS = 4, /* "all_domains" */
};

/* Parse a certificate. Returns 0, or -1 with a short reason in err
 * ("malformed serial number", "malformed subjectAltName", ...).
 * Quirks that real logs hold are accepted, as the certstream peers
 * accept them: a negative serial number (serial_negative is set; the
 * serial renders as its two's-complement bytes) and a name attribute
 * given twice (the last one counts, as in EasySSL and the Rust
 * server for every attribute, and in Go's pkix for the CN). */
int ctx509_parse(struct ctx509 *c, const uint8_t *der, size_t len,
		 char *err, size_t errlen);

/* Append the leaf_cert JSON object of certstream-format.md. */
void ctx509_render(struct ctx509 *c, struct ctbuf *b, unsigned flags);

/* Append the all_domains JSON array. */
void ctx509_domains(struct ctx509 *c, struct ctbuf *b);

/* SHA-256 of the TBSCertificate without the CT poison and SCT list
 * extensions: a precertificate and its certificate share it. */
void ctx509_tbs_sha256(struct ctx509 *c, uint8_t out[32]);

/* Release the scratch memory. */
void ctx509_free(struct ctx509 *c);

#endif
