/* dedup: a set of keys seen within a time window, with a hard capacity.
 *
 * Keys are 16-byte digests. They live in a ring in arrival order (20
 * bytes each: digest and arrival second), indexed by an open-addressing
 * table of 4-byte ring positions at most half full: 28 bytes per key at
 * capacity, allocated once, whatever arrives. The oldest keys leave
 * first, when their time is up (TTL) or when the ring is full. */
#ifndef CT_DEDUP_H
#define CT_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct ctdedup;

struct ctdedup_stats {
	uint64_t seen, passed, dropped, evicted, expired;
	size_t held, capacity;
};

/* capacity >= 1 keys, ttl in seconds (>= 1). NULL if memory fails. */
struct ctdedup *ctdedup_new(size_t capacity, uint32_t ttl);
void ctdedup_free(struct ctdedup *d);

/* Bytes the set holds for its capacity (what RSS should show). */
size_t ctdedup_footprint(const struct ctdedup *d);

/* Offer a key at time now (Unix seconds). Returns 1 if it is new (and
 * now held), 0 if it was seen within the window. */
int ctdedup_offer(struct ctdedup *d, const uint8_t key[16], uint32_t now);

/* Drop keys older than the window as of now. */
void ctdedup_expire(struct ctdedup *d, uint32_t now);

void ctdedup_stats(const struct ctdedup *d, struct ctdedup_stats *s);

/* The window as bytes for a state file: "CTDEDUP1", count, entries
 * (digest, second) oldest first, then SHA-256 of all that. */
void ctdedup_save(const struct ctdedup *d, struct ctbuf *out);

/* Load a saved window into an empty set; entries older than the window
 * at now are dropped, and the newest ones kept if it holds more than
 * the capacity. Returns 0, or -1 with a reason if the bytes are not a
 * valid state (the set is then left empty). */
int ctdedup_load(struct ctdedup *d, const uint8_t *p, size_t n,
		 uint32_t now, const char **why);
/* The same, leaving out the newest forget keys of the file (after an
 * unclean stop they may never have reached the consumer). */
int ctdedup_load_forget(struct ctdedup *d, const uint8_t *p, size_t n,
			uint32_t now, size_t forget, const char **why);

#endif
