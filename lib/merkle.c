/* merkle: RFC 6962 / RFC 9162 Merkle tree hashing and proof checking. */
#include "merkle.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void ctm_leaf_hash(const void *leaf, size_t n, uint8_t out[CTM_HASH])
{
	/* SHA256_Init and friends are deprecated in OpenSSL 3 and EVP costs
	 * a context per call: prefix the leaf in a buffer instead. */
	uint8_t small[4096];
	uint8_t *b = n < sizeof small ? small : malloc(n + 1);
	if (!b)
		abort();
	b[0] = 0;
	if (n)
		memcpy(b + 1, leaf, n);
	SHA256(b, n + 1, out);
	if (b != small)
		free(b);
}

void ctm_node_hash(const uint8_t l[CTM_HASH], const uint8_t r[CTM_HASH],
		   uint8_t out[CTM_HASH])
{
	uint8_t b[1 + 2 * CTM_HASH];
	b[0] = 1;
	memcpy(b + 1, l, CTM_HASH);
	memcpy(b + 1 + CTM_HASH, r, CTM_HASH);
	SHA256(b, sizeof b, out);
}

void ctm_range_init(struct ctm_range *r)
{
	r->size = 0;
	r->n = 0;
}

void ctm_range_append(struct ctm_range *r, const uint8_t leaf_hash[CTM_HASH])
{
	uint8_t h[CTM_HASH];
	memcpy(h, leaf_hash, CTM_HASH);
	/* Each trailing one bit of size is a subtree the new leaf completes. */
	for (uint64_t s = r->size; s & 1; s >>= 1) {
		r->n--;
		ctm_node_hash(r->h[r->n], h, h);
	}
	memcpy(r->h[r->n++], h, CTM_HASH);
	r->size++;
}

int ctm_range_append_node(struct ctm_range *r, const uint8_t h[CTM_HASH],
			  unsigned level)
{
	if (level > 63 || (r->size & (((uint64_t)1 << level) - 1)) ||
	    r->size > UINT64_MAX - ((uint64_t)1 << level))
		return -1;
	uint8_t x[CTM_HASH];
	memcpy(x, h, CTM_HASH);
	for (uint64_t s = r->size >> level; s & 1; s >>= 1) {
		r->n--;
		ctm_node_hash(r->h[r->n], x, x);
	}
	memcpy(r->h[r->n++], x, CTM_HASH);
	r->size += (uint64_t)1 << level;
	return 0;
}

void ctm_range_root(const struct ctm_range *r, uint8_t out[CTM_HASH])
{
	if (!r->n) {
		SHA256((const uint8_t *)"", 0, out);
		return;
	}
	uint8_t h[CTM_HASH];
	memcpy(h, r->h[r->n - 1], CTM_HASH);
	for (unsigned i = r->n - 1; i-- > 0;)
		ctm_node_hash(r->h[i], h, h);
	memcpy(out, h, CTM_HASH);
}

int ctm_range_set(struct ctm_range *r, uint64_t size,
		  const uint8_t (*h)[CTM_HASH], size_t n)
{
	if (n != (size_t)__builtin_popcountll(size))
		return -1;
	r->size = size;
	r->n = (unsigned)n;
	if (n)
		memcpy(r->h, h, n * CTM_HASH);
	return 0;
}

void ctm_hex(const uint8_t h[CTM_HASH], char out[2 * CTM_HASH + 1])
{
	static const char x[] = "0123456789abcdef";
	for (int i = 0; i < CTM_HASH; i++) {
		out[2 * i] = x[h[i] >> 4];
		out[2 * i + 1] = x[h[i] & 15];
	}
	out[2 * CTM_HASH] = '\0';
}

char *ctm_range_format(const struct ctm_range *r)
{
	struct ctbuf b = CTBUF_INIT;
	char hex[2 * CTM_HASH + 1];
	ctbuf_addu64(&b, r->size);
	ctbuf_addc(&b, ':');
	for (unsigned i = 0; i < r->n; i++) {
		if (i)
			ctbuf_addc(&b, ',');
		ctm_hex(r->h[i], hex);
		ctbuf_adds(&b, hex);
	}
	return ctbuf_cstr(&b);
}

static int unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int ctm_range_parse(struct ctm_range *r, const char *s, size_t len)
{
	size_t i = 0;
	uint64_t size = 0;
	if (!len || s[0] < '0' || s[0] > '9')
		return -1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (size > (UINT64_MAX - 9) / 10 || (i && size == 0))
			return -1; /* overflow or a leading zero */
		size = size * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == len || s[i++] != ':')
		return -1;
	unsigned n = 0;
	while (i < len) {
		if (n == 64 || len - i < 2 * CTM_HASH)
			return -1;
		for (int k = 0; k < CTM_HASH; k++) {
			int hi = unhex(s[i + 2 * k]), lo = unhex(s[i + 2 * k + 1]);
			if (hi < 0 || lo < 0)
				return -1;
			r->h[n][k] = (uint8_t)(hi << 4 | lo);
		}
		n++;
		i += 2 * CTM_HASH;
		if (i < len && (s[i++] != ',' || i == len))
			return -1;
	}
	if (n != (unsigned)__builtin_popcountll(size))
		return -1;
	r->size = size;
	r->n = n;
	return 0;
}

int ctm_verify_inclusion(uint64_t index, uint64_t size,
			 const uint8_t leaf_hash[CTM_HASH],
			 const uint8_t (*proof)[CTM_HASH], size_t n,
			 const uint8_t root[CTM_HASH])
{
	if (index >= size)
		return -1;
	uint64_t fn = index, sn = size - 1;
	uint8_t r[CTM_HASH];
	memcpy(r, leaf_hash, CTM_HASH);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			ctm_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ctm_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && !memcmp(r, root, CTM_HASH) ? 0 : -1;
}

int ctm_verify_consistency(uint64_t size1, uint64_t size2,
			   const uint8_t root1[CTM_HASH],
			   const uint8_t root2[CTM_HASH],
			   const uint8_t (*proof)[CTM_HASH], size_t n)
{
	if (size1 == 0 || size1 > size2)
		return -1;
	if (size1 == size2)
		return n == 0 && !memcmp(root1, root2, CTM_HASH) ? 0 : -1;
	if (n == 0)
		return -1;
	const uint8_t *first;
	size_t i = 0;
	if (!(size1 & (size1 - 1))) {
		first = root1; /* a power of two: root1 is the path's start */
	} else {
		first = proof[0];
		i = 1;
	}
	uint64_t fn = size1 - 1, sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	uint8_t fr[CTM_HASH], sr[CTM_HASH];
	memcpy(fr, first, CTM_HASH);
	memcpy(sr, first, CTM_HASH);
	for (; i < n; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			ctm_node_hash(proof[i], fr, fr);
			ctm_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			ctm_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && !memcmp(fr, root1, CTM_HASH) &&
	       !memcmp(sr, root2, CTM_HASH) ? 0 : -1;
}

int ctm_range_from_inclusion(struct ctm_range *r, uint64_t index,
			     uint64_t size, const uint8_t (*proof)[CTM_HASH],
			     size_t n)
{
	if (index >= size)
		return -1;
	uint64_t fn = index, sn = size - 1;
	unsigned k = 0, want = (unsigned)__builtin_popcountll(index);
	const uint8_t *left[64];
	for (size_t i = 0; i < n && sn; i++) {
		if ((fn & 1) || fn == sn) {
			if (k == 64)
				return -1;
			left[k++] = proof[i];
			while (!(fn & 1) && fn) {
				fn >>= 1;
				sn >>= 1;
			}
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (k != want)
		return -1;
	r->size = index;
	r->n = k;
	for (unsigned i = 0; i < k; i++) /* found smallest first */
		memcpy(r->h[i], left[k - 1 - i], CTM_HASH);
	return 0;
}
