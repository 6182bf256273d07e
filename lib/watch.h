/* watch: a domain watchlist of up to millions of names, matched in
 * O(labels) hash lookups per certificate name.
 *
 * Items: "example.com" matches that name exactly; ".example.com" matches
 * example.com and every name under it (as certspotter's watch lists).
 * Items and names compare in A-label form, case-insensitively:
 * internationalized items are converted with libidn2 (IDNA2008), and an
 * item that cannot be converted is refused.
 *
 * Certificate names may be wildcards: "*.example.com" covers exactly one
 * label under example.com, so it matches the exact item a.example.com
 * (not a.b.example.com, not example.com) and the items .example.com,
 * .com and .a.example.com (each covers some name the wildcard covers). */
#ifndef CT_WATCH_H
#define CT_WATCH_H

#include <stddef.h>

struct ctwatch;

struct ctwatch *ctwatch_new(void);
void ctwatch_free(struct ctwatch *w);

/* Add one item (surrounding white space ignored). Returns 0 (a duplicate
 * is accepted and ignored), or -1 with the reason in err. */
int ctwatch_add(struct ctwatch *w, const char *item, size_t len, char *err,
		size_t errlen);

/* The index of an item matching the certificate name, or -1. An exact
 * item wins over a covering one, and the nearest covering one wins. */
long ctwatch_match(const struct ctwatch *w, const char *name, size_t len);

/* Item idx in normalized form (A-label, lower case, "." prefix kept). */
const char *ctwatch_item(const struct ctwatch *w, long idx);
size_t ctwatch_count(const struct ctwatch *w);

/* Bytes held (for benchmarks and --stats). */
size_t ctwatch_footprint(const struct ctwatch *w);

#endif
