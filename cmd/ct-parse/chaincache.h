/* chaincache: rendered JSON of chain certificates, keyed by their DER.
 * Issuer certificates repeat in almost every entry, so each is parsed,
 * hashed and rendered once. Bounded: when the table fills up it is
 * emptied and refilled (issuers are few; this keeps memory flat). */
#ifndef CT_PARSE_CHAINCACHE_H
#define CT_PARSE_CHAINCACHE_H

#include <stddef.h>
#include <stdint.h>

struct chaincache;

/* slots: table size (power of two); at most slots/2 entries are held. */
struct chaincache *chaincache_new(size_t slots);
void chaincache_free(struct chaincache *c);
/* The cached rendering of der, or NULL. *len receives its length. The
 * pointer is valid until the next chaincache_put. */
const char *chaincache_get(struct chaincache *c, const uint8_t *der,
			   size_t derlen, size_t *len);
/* Remember json[0..len) as the rendering of der (both copied). */
void chaincache_put(struct chaincache *c, const uint8_t *der, size_t derlen,
		    const char *json, size_t len);
/* Lookups and hits so far (for --stats and the benchmark). */
void chaincache_counts(const struct chaincache *c, uint64_t *lookups,
		       uint64_t *hits);

#endif
