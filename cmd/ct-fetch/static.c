/* static: static-ct-api URLs, tile geometry, data tiles and their
 * leaves. Tile leaves leave as the same entry records as RFC 6962
 * entries: leaf_input = 00 00 || TimestampedEntry, extra_data = the
 * chain, issuers in place of their fingerprints. */
#include "static.h"

#include <string.h>
#include <zlib.h>

#include "b64.h"
#include "issuers.h"

void static_url_checkpoint(struct ctbuf *u, const char *base)
{
	ctbuf_printf(u, "%s/checkpoint", base);
}

void static_url_tile(struct ctbuf *u, const char *base, int level, uint64_t n,
		     unsigned w)
{
	ctbuf_printf(u, "%s/", base);
	cttile_path(u, level, n, w);
}

void static_url_issuer(struct ctbuf *u, const char *base,
		       const uint8_t fp[CTM_HASH])
{
	ctbuf_printf(u, "%s/issuer/", base);
	cthex_lower(u, fp, CTM_HASH);
}

unsigned static_tile_width(uint64_t size, int level, uint64_t n)
{
	int h = level == CTTILE_DATA ? 0 : 8 * level;
	uint64_t have = h >= 64 ? 0 : size >> h;
	uint64_t first = n * CTTILE_WIDTH;
	if (have <= first)
		return 0;
	return have - first >= CTTILE_WIDTH ? CTTILE_WIDTH
					    : (unsigned)(have - first);
}

void static_boot_item(uint64_t s, unsigned i, int *k, uint64_t *idx)
{
	uint64_t start = 0;
	*idx = 0;
	for (int b = 63; b >= 0; b--) {
		if (!(s >> b & 1))
			continue;
		if (i-- == 0) {
			*k = b;
			*idx = start >> b;
			return;
		}
		start += (uint64_t)1 << b;
	}
	*k = -1;
}

void static_tail_item(uint64_t a, uint64_t b, unsigned i, int *k,
		      uint64_t *idx)
{
	uint64_t p = a;
	*k = -1;
	*idx = 0;
	while (p < b) {
		int lv = p ? __builtin_ctzll(p) : 63;
		while (lv > 0 && (((uint64_t)1 << lv) > b - p))
			lv--;
		if (i-- == 0) {
			*k = lv;
			*idx = p >> lv;
			return;
		}
		p += (uint64_t)1 << lv;
	}
}

void static_hash_tile(int k, uint64_t idx, uint64_t size, int *level,
		      uint64_t *n, unsigned *w)
{
	*level = k / 8;
	uint64_t j0 = idx << (k % 8);
	*n = j0 / CTTILE_WIDTH;
	*w = static_tile_width(size, *level, *n);
}

int static_subtree(const struct ctbuf *body, unsigned want, int k,
		   uint64_t idx, uint8_t out[CTM_HASH])
{
	if (body->len != (size_t)want * CTM_HASH)
		return -1;
	unsigned r = (unsigned)(k % 8), off = (unsigned)((idx << r) % CTTILE_WIDTH);
	if (off + (1u << r) > want)
		return -1;
	uint8_t h[128][CTM_HASH];
	memcpy(h, body->p + (size_t)off * CTM_HASH, ((size_t)1 << r) * CTM_HASH);
	for (unsigned w = 1u << r; w > 1; w /= 2)
		for (unsigned i = 0; i < w / 2; i++)
			ctm_node_hash(h[2 * i], h[2 * i + 1], h[i]);
	memcpy(out, h[0], CTM_HASH);
	return 0;
}

int static_gunzip(struct ctbuf *b, struct ctbuf *scratch, const char **err)
{
	if (b->len < 2 || (uint8_t)b->p[0] != 0x1f || (uint8_t)b->p[1] != 0x8b)
		return 0;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 31) != Z_OK) {
		*err = "cannot inflate";
		return -1;
	}
	struct ctbuf out = *scratch;
	ctbuf_reset(&out);
	z.next_in = (Bytef *)b->p;
	z.avail_in = (uInt)b->len;
	int r;
	do {
		size_t room = 1 << 20;
		if (out.len + room > STATIC_TILE_MAX) {
			r = Z_BUF_ERROR;
			*err = "gzip body over 64 MiB";
			break;
		}
		z.next_out = (Bytef *)ctbuf_room(&out, room);
		z.avail_out = (uInt)room;
		r = inflate(&z, Z_NO_FLUSH);
		ctbuf_commit(&out, room - z.avail_out);
		*err = "corrupt gzip body";
	} while (r == Z_OK);
	inflateEnd(&z);
	*scratch = out;
	if (r != Z_STREAM_END || z.avail_in)
		return -1;
	*scratch = *b;
	*b = out;
	return 0;
}

long static_tile_leaves(const uint8_t *p, size_t len, struct cttileleaf *tl,
			const char **err)
{
	size_t off = 0, n = 0;
	while (off < len) {
		if (n == CTTILE_WIDTH) {
			*err = "more than 256 leaves";
			return -1;
		}
		long used = ctleaf_tile_next(p + off, len - off, &tl[n], err);
		if (used < 0)
			return -1;
		off += (size_t)used;
		n++;
	}
	return (long)n;
}

const uint8_t *static_missing_issuer(struct issuers *c,
				     const struct cttileleaf *tl, size_t a,
				     size_t b)
{
	struct ct_bytes der;
	for (size_t i = a; i < b; i++)
		for (size_t f = 0; f < tl[i].nfp; f++)
			if (!issuers_get(c, tl[i].fp + 32 * f, &der))
				return tl[i].fp + 32 * f;
	return NULL;
}

int static_leaf_record(struct issuers *c, const struct cttileleaf *t,
		       struct ctbuf tmp[2], struct ctbuf *lb, struct ctbuf *eb,
		       uint8_t hash[CTM_HASH], const char **err)
{
	struct ctbuf *li = &tmp[0], *ex = &tmp[1];
	ctbuf_reset(li);
	ctbuf_reset(ex);
	struct ctchain ch = { .pre_cert = t->pre_cert, .n = t->nfp };
	int r = 0;
	for (size_t f = 0; f < t->nfp && !r; f++)
		if (!issuers_get(c, t->fp + 32 * f, &ch.certs[f])) {
			*err = "an issuer is missing";
			r = -1;
		}
	/* cannot fail with issuers under ISSUERS_MAX_ONE: 16 of them fit
	 * the 24-bit length; never written malformed */
	if (!r)
		r = ctleaf_encode_extra(ex, t->leaf.entry_type, &ch, err);
	if (!r) {
		ctleaf_tile_leaf_input(li, t);
		ctm_leaf_hash(li->p, li->len, hash);
		ctb64_encode(lb, li->p, li->len);
		ctb64_encode(eb, ex->p, ex->len);
	}
	return r;
}
