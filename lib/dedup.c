/* dedup: the windowed key set (see dedup.h). */
#include "dedup.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY UINT32_MAX

struct entry {
	uint8_t key[16];
	uint32_t t;
};

struct ctdedup {
	struct entry *ring; /* capacity entries */
	uint32_t *slot;	    /* mask + 1 slots: ring positions or EMPTY */
	size_t cap, mask, head, count;
	uint32_t ttl, last;
	struct ctdedup_stats st;
};

static size_t home(const struct ctdedup *d, const uint8_t key[16])
{
	uint64_t h;
	memcpy(&h, key, 8);
	return (size_t)h & d->mask;
}

struct ctdedup *ctdedup_new(size_t capacity, uint32_t ttl)
{
	if (capacity < 1 || capacity > (size_t)1 << 30 || ttl < 1)
		return NULL;
	struct ctdedup *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	size_t slots = 16;
	while (slots < capacity * 2)
		slots <<= 1;
	d->cap = capacity;
	d->mask = slots - 1;
	d->ttl = ttl;
	d->ring = malloc(capacity * sizeof *d->ring);
	d->slot = malloc(slots * sizeof *d->slot);
	if (!d->ring || !d->slot) {
		ctdedup_free(d);
		return NULL;
	}
	memset(d->slot, 0xff, slots * sizeof *d->slot);
	d->st.capacity = capacity;
	return d;
}

void ctdedup_free(struct ctdedup *d)
{
	if (!d)
		return;
	free(d->ring);
	free(d->slot);
	free(d);
}

size_t ctdedup_footprint(const struct ctdedup *d)
{
	return d->cap * sizeof *d->ring + (d->mask + 1) * sizeof *d->slot;
}

/* Slot of the key, or of the empty slot where it would go. */
static size_t find(const struct ctdedup *d, const uint8_t key[16])
{
	size_t i = home(d, key);
	for (;;) {
		uint32_t r = d->slot[i];
		if (r == EMPTY || !memcmp(d->ring[r].key, key, 16))
			return i;
		i = (i + 1) & d->mask;
	}
}

/* Remove the oldest entry; backward-shift deletion keeps probe chains
 * whole without tombstones (ring positions never move). */
static void pop_oldest(struct ctdedup *d)
{
	size_t i = find(d, d->ring[d->head].key);
	d->slot[i] = EMPTY;
	size_t j = i;
	for (;;) {
		j = (j + 1) & d->mask;
		uint32_t r = d->slot[j];
		if (r == EMPTY)
			break;
		size_t h = home(d, d->ring[r].key);
		/* Move r back to i if its home is not in (i, j]. */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			d->slot[i] = r;
			d->slot[j] = EMPTY;
			i = j;
		}
	}
	d->head = (d->head + 1) % d->cap;
	d->count--;
}

void ctdedup_expire(struct ctdedup *d, uint32_t now)
{
	while (d->count && now - d->ring[d->head].t >= d->ttl &&
	       now >= d->ring[d->head].t) {
		pop_oldest(d);
		d->st.expired++;
	}
}

static void push(struct ctdedup *d, size_t slot, const uint8_t key[16],
		 uint32_t t)
{
	size_t pos = (d->head + d->count) % d->cap;
	memcpy(d->ring[pos].key, key, 16);
	d->ring[pos].t = t;
	d->slot[slot] = (uint32_t)pos;
	d->count++;
}

int ctdedup_offer(struct ctdedup *d, const uint8_t key[16], uint32_t now)
{
	/* Arrival times never go backwards, so the ring stays in order
	 * even when the wall clock does. */
	if (now < d->last)
		now = d->last;
	d->last = now;
	d->st.seen++;
	ctdedup_expire(d, now);
	size_t i = find(d, key);
	if (d->slot[i] != EMPTY) {
		d->st.dropped++;
		return 0;
	}
	if (d->count == d->cap) {
		pop_oldest(d);
		d->st.evicted++;
		i = find(d, key);
	}
	push(d, i, key, now);
	d->st.passed++;
	return 1;
}

void ctdedup_stats(const struct ctdedup *d, struct ctdedup_stats *s)
{
	*s = d->st;
	s->held = d->count;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void ctdedup_save(const struct ctdedup *d, struct ctbuf *out)
{
	size_t start = out->len;
	uint8_t hdr[12];
	memcpy(hdr, "CTDEDUP1", 8);
	put32(hdr + 8, (uint32_t)d->count);
	ctbuf_add(out, hdr, sizeof hdr);
	for (size_t k = 0; k < d->count; k++) {
		const struct entry *e = &d->ring[(d->head + k) % d->cap];
		uint8_t rec[20];
		memcpy(rec, e->key, 16);
		put32(rec + 16, e->t);
		ctbuf_add(out, rec, sizeof rec);
	}
	uint8_t sum[32];
	SHA256((const uint8_t *)out->p + start, out->len - start, sum);
	ctbuf_add(out, sum, sizeof sum);
}

int ctdedup_load(struct ctdedup *d, const uint8_t *p, size_t n,
		 uint32_t now, const char **why)
{
	return ctdedup_load_forget(d, p, n, now, 0, why);
}

int ctdedup_load_forget(struct ctdedup *d, const uint8_t *p, size_t n,
			uint32_t now, size_t forget, const char **why)
{
	if (n < 44 || memcmp(p, "CTDEDUP1", 8) != 0) {
		*why = "not a ct-dedup state file";
		return -1;
	}
	uint32_t count = get32(p + 8);
	if ((n - 44) % 20 || (n - 44) / 20 != count) {
		*why = "truncated state file";
		return -1;
	}
	uint8_t sum[32];
	SHA256(p, n - 32, sum);
	if (memcmp(sum, p + n - 32, 32) != 0) {
		*why = "state file checksum mismatch";
		return -1;
	}
	const uint8_t *e = p + 12;
	uint32_t prev = 0;
	for (uint32_t k = 0; k < count; k++) {
		uint32_t t = get32(e + 20 * k + 16);
		if (t < prev) {
			*why = "state file entries out of order";
			return -1;
		}
		prev = t;
	}
	count = forget < count ? count - (uint32_t)forget : 0;
	/* Newest count - cap entries win when it held more than we do. */
	size_t first = count > d->cap ? count - d->cap : 0;
	for (size_t k = first; k < count; k++) {
		const uint8_t *r = e + 20 * k;
		uint32_t t = get32(r + 16);
		if (now >= t && now - t >= d->ttl)
			continue;
		size_t i = find(d, r);
		if (d->slot[i] == EMPTY)
			push(d, i, r, t);
		if (t > d->last)
			d->last = t;
	}
	return 0;
}
