/* static: what is particular to static-ct-api logs: the checkpoint,
 * tile and issuer URLs, the geometry of tiles (widths at a tree size,
 * the subtrees that make up a compact range), gzip bodies, data tiles
 * decoded into leaves, and those leaves turned into entry records with
 * their issuers in place of the fingerprints. */
#ifndef CT_FETCH_STATIC_H
#define CT_FETCH_STATIC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "leaf.h"
#include "merkle.h"
#include "tile.h"

struct issuers;

/* The most a tile may take, gzip inflated. */
#define STATIC_TILE_MAX ((size_t)64 << 20)

void static_url_checkpoint(struct ctbuf *u, const char *base);
/* Tile n at level (CTTILE_DATA for data), width w (0: the full one). */
void static_url_tile(struct ctbuf *u, const char *base, int level, uint64_t n,
		     unsigned w);
void static_url_issuer(struct ctbuf *u, const char *base,
		       const uint8_t fp[CTM_HASH]);

/* The width of tile n at level (CTTILE_DATA for data) in a tree of size
 * (0 if the tree does not reach it). */
unsigned static_tile_width(uint64_t size, int level, uint64_t n);

/* The i-th subtree, largest first, of the compact range of [0, s): its
 * height *k and number *idx (its first leaf is idx << k); *k = -1 past
 * the last. */
void static_boot_item(uint64_t s, unsigned i, int *k, uint64_t *idx);
/* The i-th subtree of the aligned split of [a, b), the largest that
 * fits at each step; *k = -1 past the end. */
void static_tail_item(uint64_t a, uint64_t b, unsigned i, int *k,
		      uint64_t *idx);
/* The hash tile that holds subtree (k, idx): its level, number and the
 * width it has in a tree of size. */
void static_hash_tile(int k, uint64_t idx, uint64_t size, int *level,
		      uint64_t *n, unsigned *w);
/* The hash of subtree (k, idx) from the body of its hash tile of width
 * want: 0, or -1 if the body is not want hashes. */
int static_subtree(const struct ctbuf *body, unsigned want, int k,
		   uint64_t idx, uint8_t out[CTM_HASH]);

/* A body still in gzip (no Content-Encoding said so): inflate it into
 * scratch (an empty buffer, maybe with room already) within
 * STATIC_TILE_MAX, and swap the two: b holds the inflated body, scratch
 * the gzip one. 0 (b untouched when it was not gzip), or -1 with *err. */
int static_gunzip(struct ctbuf *b, struct ctbuf *scratch, const char **err);

/* The leaves of a data tile into tl (room for CTTILE_WIDTH): their
 * count, or -1 with *err. Views point into p. */
long static_tile_leaves(const uint8_t *p, size_t len, struct cttileleaf *tl,
			const char **err);

/* The first fingerprint, in leaves tl[a..b), of an issuer c does not
 * hold, or NULL when all are there (each found one is marked used). */
const uint8_t *static_missing_issuer(struct issuers *c,
				     const struct cttileleaf *tl, size_t a,
				     size_t b);

/* The entry record fields of a leaf, appended in base64 to lb (the
 * MerkleTreeLeaf) and eb (extra_data, the issuers from c), and its leaf
 * hash; tmp: two scratch buffers. 0, or -1 with *err (an issuer is
 * missing, or too long). */
int static_leaf_record(struct issuers *c, const struct cttileleaf *t,
		       struct ctbuf tmp[2], struct ctbuf *lb, struct ctbuf *eb,
		       uint8_t hash[CTM_HASH], const char **err);

#endif
