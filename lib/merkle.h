/* merkle: RFC 6962 / RFC 9162 Merkle tree hashing and proof checking.
 *
 * Leaf hash SHA-256(0x00 || leaf), node hash SHA-256(0x01 || l || r).
 * A compact range holds the roots of the complete subtrees that make up
 * the first size leaves (one per set bit of size, largest first): enough
 * to append leaves and compute the tree head at any size, in 2 KiB. */
#ifndef CT_MERKLE_H
#define CT_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define CTM_HASH 32

void ctm_leaf_hash(const void *leaf, size_t n, uint8_t out[CTM_HASH]);
void ctm_node_hash(const uint8_t l[CTM_HASH], const uint8_t r[CTM_HASH],
		   uint8_t out[CTM_HASH]);

struct ctm_range {
	uint64_t size;
	unsigned n;			/* hashes held: popcount(size) */
	uint8_t h[64][CTM_HASH];	/* largest subtree first */
};

void ctm_range_init(struct ctm_range *r);
void ctm_range_append(struct ctm_range *r, const uint8_t leaf_hash[CTM_HASH]);
/* Append a whole subtree of 2^level leaves by its hash; the range's
 * size must be a multiple of 2^level (-1 if not). */
int ctm_range_append_node(struct ctm_range *r, const uint8_t h[CTM_HASH],
			  unsigned level);
/* The tree head of the size leaves (SHA-256 of nothing when empty). */
void ctm_range_root(const struct ctm_range *r, uint8_t out[CTM_HASH]);
/* Set r from hashes given largest first; -1 if n != popcount(size). */
int ctm_range_set(struct ctm_range *r, uint64_t size,
		  const uint8_t (*h)[CTM_HASH], size_t n);
/* The range as text "size:hex,hex,..." for state files, and back (-1 on
 * anything malformed). */
char *ctm_range_format(const struct ctm_range *r);
int ctm_range_parse(struct ctm_range *r, const char *s, size_t len);

/* RFC 9162 2.1.3.2: does proof lead from leaf_hash at index to root of
 * a tree of size? 0 yes, -1 no. */
int ctm_verify_inclusion(uint64_t index, uint64_t size,
			 const uint8_t leaf_hash[CTM_HASH],
			 const uint8_t (*proof)[CTM_HASH], size_t n,
			 const uint8_t root[CTM_HASH]);

/* RFC 9162 2.1.4.2: is the tree of size2 an extension of size1?
 * size1 == 0 is refused (nothing to check); size1 == size2 needs an
 * empty proof and equal roots. 0 yes, -1 no. */
int ctm_verify_consistency(uint64_t size1, uint64_t size2,
			   const uint8_t root1[CTM_HASH],
			   const uint8_t root2[CTM_HASH],
			   const uint8_t (*proof)[CTM_HASH], size_t n);

/* The compact range of the first index leaves, read off an inclusion
 * proof for leaf index (the left siblings on its path are exactly
 * those subtrees). Verify the proof first. -1 if the proof is too
 * short for that. */
int ctm_range_from_inclusion(struct ctm_range *r, uint64_t index,
			     uint64_t size, const uint8_t (*proof)[CTM_HASH],
			     size_t n);

/* Hex of a hash into out[65]. */
void ctm_hex(const uint8_t h[CTM_HASH], char out[2 * CTM_HASH + 1]);

#endif
