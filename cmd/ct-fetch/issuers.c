/* The issuer cache: entries in an array linked in use order (LRU), found
 * through an open-addressing table of entry numbers (linear probing,
 * backward-shift deletion), so eviction moves no entry. */
#include <stdlib.h>
#include <string.h>

#include "issuers.h"
#include "mem.h"

#define NONE ((size_t)-1)

struct entry {
	uint8_t fp[32];
	uint8_t *der;		/* NULL: a free entry */
	size_t len;
	size_t prev, next;	/* use order: prev is more recent */
};

struct issuers {
	struct entry *e;
	size_t max, held, bytes, max_bytes;
	size_t newest, oldest;
	size_t *table, mask;	/* entry number + 1; 0 is empty */
};

struct issuers *issuers_new(size_t max_count, size_t max_bytes)
{
	struct issuers *c = ct_xcalloc(1, sizeof *c);
	c->max = max_count ? max_count : 1;
	c->max_bytes = max_bytes;
	c->e = ct_xcalloc(c->max, sizeof *c->e);
	size_t n = 2;
	while (n < 2 * c->max)
		n <<= 1;
	c->table = ct_xcalloc(n, sizeof *c->table);
	c->mask = n - 1;
	c->newest = c->oldest = NONE;
	return c;
}

void issuers_free(struct issuers *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->max; i++)
		free(c->e[i].der);
	free(c->e);
	free(c->table);
	free(c);
}

static size_t home(const struct issuers *c, const uint8_t fp[32])
{
	uint64_t h;
	memcpy(&h, fp, sizeof h);
	return (size_t)h & c->mask;
}

/* The table slot holding fp, or the empty slot where it would go. */
static size_t slot_of(const struct issuers *c, const uint8_t fp[32])
{
	size_t i = home(c, fp);
	while (c->table[i] && memcmp(c->e[c->table[i] - 1].fp, fp, 32))
		i = (i + 1) & c->mask;
	return i;
}

static void unlink_entry(struct issuers *c, size_t k)
{
	struct entry *e = &c->e[k];
	if (e->prev != NONE)
		c->e[e->prev].next = e->next;
	else
		c->newest = e->next;
	if (e->next != NONE)
		c->e[e->next].prev = e->prev;
	else
		c->oldest = e->prev;
}

static void push_newest(struct issuers *c, size_t k)
{
	c->e[k].prev = NONE;
	c->e[k].next = c->newest;
	if (c->newest != NONE)
		c->e[c->newest].prev = k;
	c->newest = k;
	if (c->oldest == NONE)
		c->oldest = k;
}

/* Empty table slot i and shift back the run after it. */
static void table_delete(struct issuers *c, size_t i)
{
	c->table[i] = 0;
	for (size_t j = (i + 1) & c->mask; c->table[j]; j = (j + 1) & c->mask) {
		size_t h = home(c, c->e[c->table[j] - 1].fp);
		/* move j back to i unless its home lies in (i, j] */
		if (((j - h) & c->mask) >= ((j - i) & c->mask)) {
			c->table[i] = c->table[j];
			c->table[j] = 0;
			i = j;
		}
	}
}

static void evict_oldest(struct issuers *c)
{
	size_t k = c->oldest;
	struct entry *e = &c->e[k];
	table_delete(c, slot_of(c, e->fp));
	unlink_entry(c, k);
	c->bytes -= e->len;
	c->held--;
	free(e->der);
	e->der = NULL;
}

int issuers_get(struct issuers *c, const uint8_t fp[32], struct ct_bytes *der)
{
	size_t i = slot_of(c, fp);
	if (!c->table[i])
		return 0;
	size_t k = c->table[i] - 1;
	unlink_entry(c, k);
	push_newest(c, k);
	der->p = c->e[k].der;
	der->len = c->e[k].len;
	return 1;
}

int issuers_put(struct issuers *c, const uint8_t fp[32], const void *der,
		size_t len)
{
	struct ct_bytes had;
	if (len > ISSUERS_MAX_ONE || len > c->max_bytes)
		return -1;
	if (issuers_get(c, fp, &had))
		return 0;
	while (c->held == c->max || c->bytes + len > c->max_bytes)
		evict_oldest(c);
	size_t k = 0;
	while (c->e[k].der)
		k++;	/* a free entry: there is one, held < max */
	struct entry *e = &c->e[k];
	memcpy(e->fp, fp, 32);
	e->der = ct_xmalloc(len ? len : 1);
	memcpy(e->der, der, len);
	e->len = len;
	c->table[slot_of(c, fp)] = k + 1;
	push_newest(c, k);
	c->held++;
	c->bytes += len;
	return 0;
}

size_t issuers_count(const struct issuers *c)
{
	return c->held;
}

size_t issuers_bytes(const struct issuers *c)
{
	return c->bytes;
}
