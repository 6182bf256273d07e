/* leaf: TLS-encoded RFC 6962 structures (section 3.4, 4.6). */
#include "leaf.h"

#include <openssl/sha.h>
#include <string.h>

struct rd {
	const uint8_t *p, *end;
};

static int need(const struct rd *r, size_t n)
{
	return (size_t)(r->end - r->p) >= n;
}

static uint64_t get_be(struct rd *r, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | *r->p++;
	return v;
}

/* opaque<lo..hi> with an n-byte length prefix. */
static int get_vec(struct rd *r, int n, size_t lo, struct ct_bytes *out,
		   const char **err)
{
	if (!need(r, (size_t)n)) {
		*err = "truncated length";
		return -1;
	}
	size_t len = (size_t)get_be(r, n);
	if (!need(r, len)) {
		*err = "length past the end";
		return -1;
	}
	if (len < lo) {
		*err = "empty certificate";
		return -1;
	}
	out->p = r->p;
	out->len = len;
	r->p += len;
	return 0;
}

int ctleaf_parse(const uint8_t *p, size_t len, struct ctleaf *out,
		 const char **err)
{
	struct rd r = { p, p + len };
	if (!need(&r, 12)) {
		*err = "truncated leaf";
		return -1;
	}
	if (r.p[0] != 0) {
		*err = "unknown leaf version";
		return -1;
	}
	if (r.p[1] != 0) {
		*err = "unknown leaf type";
		return -1;
	}
	r.p += 2;
	out->timestamp = get_be(&r, 8);
	out->entry_type = (int)get_be(&r, 2);
	out->issuer_key_hash = NULL;
	if (out->entry_type == CTLEAF_PRECERT) {
		if (!need(&r, 32)) {
			*err = "truncated issuer key hash";
			return -1;
		}
		out->issuer_key_hash = r.p;
		r.p += 32;
	} else if (out->entry_type != CTLEAF_X509) {
		*err = "unknown entry type";
		return -1;
	}
	if (get_vec(&r, 3, 1, &out->cert, err) < 0)
		return -1;
	if (get_vec(&r, 2, 0, &out->extensions, err) < 0)
		return -1;
	if (r.p != r.end) {
		*err = "trailing bytes after leaf";
		return -1;
	}
	return 0;
}

int ctleaf_parse_extra(const uint8_t *p, size_t len, int entry_type,
		       struct ctchain *out, const char **err)
{
	struct rd r = { p, p + len };
	out->pre_cert.p = NULL;
	out->pre_cert.len = 0;
	out->n = 0;
	if (entry_type == CTLEAF_PRECERT &&
	    get_vec(&r, 3, 1, &out->pre_cert, err) < 0)
		return -1;
	struct ct_bytes list;
	if (get_vec(&r, 3, 0, &list, err) < 0)
		return -1;
	if (r.p != r.end) {
		*err = "trailing bytes after chain";
		return -1;
	}
	struct rd l = { list.p, list.p + list.len };
	while (l.p < l.end) {
		if (out->n == CTLEAF_MAX_CHAIN) {
			*err = "chain too long";
			return -1;
		}
		if (get_vec(&l, 3, 1, &out->certs[out->n], err) < 0)
			return -1;
		out->n++;
	}
	return 0;
}

static void put_be(struct ctbuf *b, uint64_t v, int n)
{
	uint8_t *o = (uint8_t *)ctbuf_room(b, (size_t)n);
	for (int i = n - 1; i >= 0; i--) {
		o[i] = (uint8_t)v;
		v >>= 8;
	}
	ctbuf_commit(b, (size_t)n);
}

int ctleaf_encode(struct ctbuf *b, const struct ctleaf *l, const char **err)
{
	if (l->cert.len > CTLEAF_MAX_CERT || l->extensions.len > 0xffff) {
		*err = "a certificate or extensions too long for a MerkleTreeLeaf";
		return -1;
	}
	put_be(b, 0, 2); /* v1, timestamped_entry */
	put_be(b, l->timestamp, 8);
	put_be(b, (uint64_t)l->entry_type, 2);
	if (l->entry_type == CTLEAF_PRECERT)
		ctbuf_add(b, l->issuer_key_hash, 32);
	put_be(b, l->cert.len, 3);
	ctbuf_add(b, l->cert.p, l->cert.len);
	put_be(b, l->extensions.len, 2);
	ctbuf_add(b, l->extensions.p, l->extensions.len);
	return 0;
}

int ctleaf_encode_extra(struct ctbuf *b, int entry_type,
			const struct ctchain *c, const char **err)
{
	size_t total = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->certs[i].len > CTLEAF_MAX_CERT) {
			*err = "a chain certificate over 16 MiB";
			return -1;
		}
		total += 3 + c->certs[i].len;
	}
	if (total > CTLEAF_MAX_CERT ||
	    (entry_type == CTLEAF_PRECERT && c->pre_cert.len > CTLEAF_MAX_CERT)) {
		*err = "a chain or precertificate over 16 MiB";
		return -1;
	}
	if (entry_type == CTLEAF_PRECERT) {
		put_be(b, c->pre_cert.len, 3);
		ctbuf_add(b, c->pre_cert.p, c->pre_cert.len);
	}
	put_be(b, total, 3);
	for (size_t i = 0; i < c->n; i++) {
		put_be(b, c->certs[i].len, 3);
		ctbuf_add(b, c->certs[i].p, c->certs[i].len);
	}
	return 0;
}

long ctleaf_tile_next(const uint8_t *p, size_t len, struct cttileleaf *out,
		      const char **err)
{
	struct rd r = { p, p + len };
	struct ctleaf *l = &out->leaf;
	if (!need(&r, 10)) {
		*err = "truncated tile leaf";
		return -1;
	}
	out->entry.p = p;
	l->timestamp = get_be(&r, 8);
	l->entry_type = (int)get_be(&r, 2);
	l->issuer_key_hash = NULL;
	if (l->entry_type == CTLEAF_PRECERT) {
		if (!need(&r, 32)) {
			*err = "truncated issuer key hash";
			return -1;
		}
		l->issuer_key_hash = r.p;
		r.p += 32;
	} else if (l->entry_type != CTLEAF_X509) {
		*err = "unknown entry type";
		return -1;
	}
	if (get_vec(&r, 3, 1, &l->cert, err) < 0 ||
	    get_vec(&r, 2, 0, &l->extensions, err) < 0)
		return -1;
	out->entry.len = (size_t)(r.p - p);
	out->pre_cert.p = NULL;
	out->pre_cert.len = 0;
	if (l->entry_type == CTLEAF_PRECERT &&
	    get_vec(&r, 3, 1, &out->pre_cert, err) < 0)
		return -1;
	struct ct_bytes fps;
	if (get_vec(&r, 2, 0, &fps, err) < 0)
		return -1;
	if (fps.len % 32) {
		*err = "fingerprints are not 32 bytes each";
		return -1;
	}
	if (fps.len / 32 > CTLEAF_MAX_CHAIN) {
		*err = "chain too long";
		return -1;
	}
	out->nfp = fps.len / 32;
	out->fp = fps.p;
	return (long)(r.p - p);
}

void ctleaf_tile_leaf_input(struct ctbuf *b, const struct cttileleaf *t)
{
	ctbuf_addc(b, 0);
	ctbuf_addc(b, 0);
	ctbuf_add(b, t->entry.p, t->entry.len);
}

int ctleaf_tile_encode(struct ctbuf *b, const uint8_t *leaf_input,
		       size_t llen, const uint8_t *extra, size_t elen,
		       const char **err)
{
	struct ctleaf l;
	struct ctchain c;
	if (ctleaf_parse(leaf_input, llen, &l, err) < 0 ||
	    ctleaf_parse_extra(extra, elen, l.entry_type, &c, err) < 0)
		return -1;
	ctbuf_add(b, leaf_input + 2, llen - 2);
	if (l.entry_type == CTLEAF_PRECERT) {
		put_be(b, c.pre_cert.len, 3);
		ctbuf_add(b, c.pre_cert.p, c.pre_cert.len);
	}
	put_be(b, c.n * 32, 2);
	for (size_t i = 0; i < c.n; i++) {
		uint8_t *h = (uint8_t *)ctbuf_room(b, 32);
		SHA256(c.certs[i].p, c.certs[i].len, h);
		ctbuf_commit(b, 32);
	}
	return 0;
}
