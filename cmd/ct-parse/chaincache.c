/* chaincache: open addressing over a cheap hash of the DER; the full DER
 * is compared on every hit, so a hash collision can never return the
 * wrong certificate. */
#include "chaincache.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct slot {
	uint64_t hash;
	uint8_t *der; /* NULL: empty */
	size_t derlen;
	char *json;
	size_t len;
};

struct chaincache {
	struct slot *slots;
	size_t mask, used;
	uint64_t lookups, hits;
};

/* The signature at the end of a certificate makes its last bytes unique
 * in practice; mixing length, head and tail is enough to spread keys. */
static uint64_t der_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
	size_t take = n < 48 ? n : 48;
	const uint8_t *tail = p + n - take;
	for (size_t i = 0; i < take; i++)
		h = (h ^ tail[i]) * 0x100000001b3ULL;
	for (size_t i = 0; i < take && i < 16; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

struct chaincache *chaincache_new(size_t slots)
{
	struct chaincache *c = ct_xcalloc(1, sizeof *c);
	size_t n = 16;
	while (n < slots)
		n *= 2;
	c->slots = ct_xcalloc(n, sizeof *c->slots);
	c->mask = n - 1;
	return c;
}

static void clear(struct chaincache *c)
{
	for (size_t i = 0; i <= c->mask; i++) {
		free(c->slots[i].der);
		free(c->slots[i].json);
		memset(&c->slots[i], 0, sizeof c->slots[i]);
	}
	c->used = 0;
}

void chaincache_free(struct chaincache *c)
{
	if (!c)
		return;
	clear(c);
	free(c->slots);
	free(c);
}

const char *chaincache_get(struct chaincache *c, const uint8_t *der,
			   size_t derlen, size_t *len)
{
	uint64_t h = der_hash(der, derlen);
	c->lookups++;
	for (size_t i = h & c->mask;; i = (i + 1) & c->mask) {
		struct slot *s = &c->slots[i];
		if (!s->der)
			return NULL;
		if (s->hash == h && s->derlen == derlen &&
		    memcmp(s->der, der, derlen) == 0) {
			c->hits++;
			*len = s->len;
			return s->json;
		}
	}
}

void chaincache_put(struct chaincache *c, const uint8_t *der, size_t derlen,
		    const char *json, size_t len)
{
	if (c->used + 1 > (c->mask + 1) / 2)
		clear(c);
	uint64_t h = der_hash(der, derlen);
	size_t i = h & c->mask;
	while (c->slots[i].der)
		i = (i + 1) & c->mask;
	struct slot *s = &c->slots[i];
	s->hash = h;
	s->der = ct_xmalloc(derlen);
	memcpy(s->der, der, derlen);
	s->derlen = derlen;
	s->json = ct_xmalloc(len ? len : 1);
	memcpy(s->json, json, len);
	s->len = len;
	c->used++;
}

void chaincache_counts(const struct chaincache *c, uint64_t *lookups,
		       uint64_t *hits)
{
	*lookups = c->lookups;
	*hits = c->hits;
}
