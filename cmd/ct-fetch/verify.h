/* verify: what ct-fetch checks of a log and says loudly when it fails:
 * head signatures, one root per size (a split view), the root of the
 * entries against the signed one, inclusion and consistency proofs and
 * the rest of the tree from hash tiles. Each mismatch is counted in
 * l->mismatches (bad signatures in l->bad_sigs) and reported on one
 * line; nothing here fetches or writes entries. */
#ifndef CT_FETCH_VERIFY_H
#define CT_FETCH_VERIFY_H

#include "fetch.h"

/* The signature of a new head: 0 if it verifies (or the log has no
 * key), 1 if not but --bad-signature warn goes on, -1 if not (the log
 * is then P_FAILED). */
int verify_signature(struct log *l, const struct opts *o,
		     const struct ctsth *s);
/* A signed head of a size seen before (this run, or verified in the
 * state file) with another root: a split view. */
void verify_fork(struct log *l, const struct ctsth *s);
/* The entries reached the signed size: their root must be the signed
 * root (then it is the verified head). */
void verify_root(struct log *l);
/* An inclusion proof of the entry at l->next (leaf hash h) in the signed
 * tree: sets l->range_ok (the range of the leaves before it) or, if it
 * does not lead to the root, l->unverifiable. */
void verify_inclusion(struct log *l, const uint8_t h[CTM_HASH],
		      uint64_t index, const uint8_t (*path)[CTM_HASH],
		      size_t n);
/* A consistency proof from the range's end (l->next) to the head. */
void verify_consistency(struct log *l, const uint8_t (*path)[CTM_HASH],
			size_t n);
/* One more subtree (of height k) after the range, read off the hash
 * tiles (static logs): 1 once they reach the head (the root is then
 * checked), else 0. */
int verify_tail_node(struct log *l, const uint8_t h[CTM_HASH], int k);

#endif
