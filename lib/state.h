/* state: what ct-fetch keeps on disk between runs: one state file per
 * log: the next index, the compact range of the leaves before it, the
 * last verified head. The reader is a pure function over (buf, len). */
#ifndef CT_STATE_H
#define CT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "merkle.h"

/* A ct-fetch state file: JSON with the next index to fetch, and what
 * was verified. */
struct ctfstate {
	uint64_t next, tree_size;
	char url[1024];
	int has_range;			/* range: the leaves before next */
	struct ctm_range range;
	int has_verified;		/* a signed head checked up to here */
	uint64_t verified_size;
	uint8_t verified_root[CTM_HASH];
};

/* 0, or -1 with *err. */
int ctfstate_parse(const char *p, size_t n, struct ctfstate *s,
		   const char **err);
void ctfstate_format(struct ctbuf *b, const struct ctfstate *s,
		     const char *name, int64_t saved);

#endif
