/* issuers: the issuer certificates that static-ct-api data tiles name by
 * SHA-256 fingerprint, shared by every log of a ct-fetch run. Bounded by
 * count and by bytes; the least recently used go first. */
#ifndef CT_FETCH_ISSUERS_H
#define CT_FETCH_ISSUERS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The largest issuer certificate taken (CA certificates are a few KiB;
 * also far below the 2^24-1 bytes a chain entry can encode). */
#define ISSUERS_MAX_ONE ((size_t)128 << 10)
/* The bytes all cached issuers may hold together. */
#define ISSUERS_MAX_BYTES ((size_t)64 << 20)

struct issuers;

/* A cache of at most max_count issuers and max_bytes of DER (max_count
 * >= 1, max_bytes >= ISSUERS_MAX_ONE). Never NULL (out of memory is
 * fatal). */
struct issuers *issuers_new(size_t max_count, size_t max_bytes);
void issuers_free(struct issuers *c);

/* 1 and *der (a view valid until the next issuers_put) if fp is held,
 * marking it used; 0 if not. */
int issuers_get(struct issuers *c, const uint8_t fp[32], struct ct_bytes *der);

/* Keep a copy of der under fp, evicting the least recently used issuers
 * until it fits. 0, or -1 if der is over ISSUERS_MAX_ONE or the byte
 * bound (nothing kept). */
int issuers_put(struct issuers *c, const uint8_t fp[32], const void *der,
		size_t len);

/* What is held: issuers and bytes of DER. */
size_t issuers_count(const struct issuers *c);
size_t issuers_bytes(const struct issuers *c);

#endif
