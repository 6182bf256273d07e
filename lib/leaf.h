/* leaf: RFC 6962 MerkleTreeLeaf / TimestampedEntry and the extra_data of
 * get-entries (X509 chain, PrecertChainEntry): decode into views and
 * encode. Decoders are pure functions over (buf, len): no allocation,
 * the views point into buf and live as long as it does. */
#ifndef CT_LEAF_H
#define CT_LEAF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum { CTLEAF_X509 = 0, CTLEAF_PRECERT = 1 };

/* Chains longer than this are refused (real chains have 1-4). */
#define CTLEAF_MAX_CHAIN 16
/* RFC 6962 opaque<1..2^24-1> */
#define CTLEAF_MAX_CERT 0xffffff

struct ctleaf {
	uint64_t timestamp;   /* ms since the epoch */
	int entry_type;       /* CTLEAF_X509 or CTLEAF_PRECERT */
	struct ct_bytes cert; /* x509: the certificate; precert: the TBS */
	const uint8_t *issuer_key_hash; /* precert: 32 bytes, else NULL */
	struct ct_bytes extensions;     /* CtExtensions */
};

struct ctchain {
	struct ct_bytes pre_cert; /* precert entries: the precertificate */
	size_t n;                 /* chain certificates, leaf-most first */
	struct ct_bytes certs[CTLEAF_MAX_CHAIN];
};

/* Decode a whole MerkleTreeLeaf (version 0, timestamped_entry). Returns 0,
 * or -1 with *err set to a static reason ("truncated", "trailing bytes",
 * "unknown entry type 7", ...). */
int ctleaf_parse(const uint8_t *p, size_t len, struct ctleaf *out,
		 const char **err);

/* Decode extra_data for an entry of the given type. 0, or -1 with *err. */
int ctleaf_parse_extra(const uint8_t *p, size_t len, int entry_type,
		       struct ctchain *out, const char **err);

/* Append a MerkleTreeLeaf for l to b. 0, or -1 with *err and nothing
 * appended when a length does not fit its encoding (a certificate over
 * CTLEAF_MAX_CERT bytes, extensions over 65,535). */
int ctleaf_encode(struct ctbuf *b, const struct ctleaf *l, const char **err);
/* Append extra_data: for precerts pre_cert then the chain, for x509
 * entries just the chain (pre_cert ignored). 0, or -1 with *err and
 * nothing appended when a certificate or the chain as a whole is over
 * CTLEAF_MAX_CERT bytes (its 24-bit length). */
int ctleaf_encode_extra(struct ctbuf *b, int entry_type,
			const struct ctchain *c, const char **err);

/* ---- static-ct-api data tiles ---- */

/* One TileLeaf: a TimestampedEntry, the precertificate for precert
 * entries, and the SHA-256 fingerprints of the chain's issuers. */
struct cttileleaf {
	struct ctleaf leaf;		/* as decoded from the entry */
	struct ct_bytes entry;		/* the TimestampedEntry bytes */
	struct ct_bytes pre_cert;	/* precert entries, else empty */
	size_t nfp;			/* fingerprints, 32 bytes each */
	const uint8_t *fp;
};

/* Decode the TileLeaf at p[0..len): the bytes it took, or -1 with *err
 * ("truncated", "unknown entry type", more than CTLEAF_MAX_CHAIN
 * fingerprints...). */
long ctleaf_tile_next(const uint8_t *p, size_t len, struct cttileleaf *out,
		      const char **err);

/* The MerkleTreeLeaf of a tile leaf (00 00 || TimestampedEntry), which
 * hashes to the level-0 tile hash. */
void ctleaf_tile_leaf_input(struct ctbuf *b, const struct cttileleaf *t);

/* Append the TileLeaf of an entry given as leaf_input and extra_data;
 * the issuers' fingerprints are computed. 0, or -1 with *err. */
int ctleaf_tile_encode(struct ctbuf *b, const uint8_t *leaf_input,
		       size_t llen, const uint8_t *extra, size_t elen,
		       const char **err);

#endif
