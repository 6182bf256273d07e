/* guard.h: every prefix of an input, each placed flush against an
 * unreadable page (tap.h's ct_guard_copy), so a parser that reads one
 * byte past what it was given crashes, and the "need more" (-2) answer
 * can be checked for every length short of a complete input. */
#ifndef CT_GUARD_H
#define CT_GUARD_H

#include <stddef.h>
#include <string.h>

#include "tap.h"

/* Call fn(p, k, ctx) for k = 0 .. n with p the first k bytes of src,
 * ending at the guard page (p may be written to: each call gets a fresh
 * copy). Returns the first k for which fn returned non-zero, or n + 1. */
static inline size_t guard_prefixes(const void *src, size_t n,
				    int (*fn)(void *p, size_t k, void *ctx),
				    void *ctx)
{
	unsigned char *whole = ct_guard_copy(src, n);
	unsigned char *end = whole + n;
	size_t k;
	for (k = 0; k <= n; k++) {
		if (k)
			memcpy(end - k, src, k);
		if (fn(end - k, k, ctx))
			break;
	}
	ct_guard_free(whole, n);
	return k;
}

#endif
