/* entries: the reader of a get-entries response page. A pure function
 * over (buf, len); views point into buf. */
#ifndef CT_ENTRIES_H
#define CT_ENTRIES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "merkle.h"

struct ctentry_view {
	const char *li, *ed;	/* base64 leaf_input and extra_data */
	size_t lil, edl;
};

/* Read a get-entries response: at most max entries into v (more are
 * ignored: logs may return more than asked). Every leaf_input must be
 * base64 of a MerkleTreeLeaf and every extra_data base64 of the matching
 * chain; with hashes non-NULL each entry's Merkle leaf hash is stored.
 * Returns the count (0 when the page is empty), or -1 with *err and
 * *bad set to the page position of the first bad entry (or -1 when the
 * page as a whole is bad). */
long ctentries_parse(const char *body, size_t len, size_t max,
		     struct ctentry_view *v, uint8_t (*hashes)[CTM_HASH],
		     const char **err, long *bad);

#endif
