/* positions: highest index per key (see positions.h). */
#include "positions.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"

struct entry {
	char *key;
	size_t klen;
	uint64_t index;
};

struct ctpos {
	struct entry *e; /* in the order keys first came */
	size_t n, cap, max;
	uint32_t *slot;  /* open addressing: entry number + 1, 0 free */
	size_t nslots;   /* a power of two, at least twice n */
};

static uint64_t hash(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)k[i]) * 1099511628211ULL;
	return h;
}

struct ctpos *ctpos_new(size_t max)
{
	struct ctpos *p = ct_xcalloc(1, sizeof *p);
	p->max = max ? max : 1;
	p->nslots = 16;
	p->slot = ct_xcalloc(p->nslots, sizeof *p->slot);
	return p;
}

void ctpos_free(struct ctpos *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->e[i].key);
	free(p->e);
	free(p->slot);
	free(p);
}

/* The slot of key: where it is, or the free one where it would go. */
static size_t find(const struct ctpos *p, const char *key, size_t klen)
{
	size_t mask = p->nslots - 1, i = (size_t)hash(key, klen) & mask;
	for (;; i = (i + 1) & mask) {
		uint32_t s = p->slot[i];
		if (!s)
			return i;
		const struct entry *e = &p->e[s - 1];
		if (e->klen == klen && !memcmp(e->key, key, klen))
			return i;
	}
}

static void grow(struct ctpos *p)
{
	free(p->slot);
	p->nslots *= 2;
	p->slot = ct_xcalloc(p->nslots, sizeof *p->slot);
	for (size_t k = 0; k < p->n; k++)
		p->slot[find(p, p->e[k].key, p->e[k].klen)] = (uint32_t)k + 1;
}

int ctpos_note(struct ctpos *p, const char *key, size_t klen,
	       uint64_t index)
{
	size_t i = find(p, key, klen);
	if (p->slot[i]) {
		struct entry *e = &p->e[p->slot[i] - 1];
		if (index <= e->index)
			return 0;
		e->index = index;
		return 1;
	}
	if (p->n == p->max || klen > CTPOS_MAXKEY)
		return -1;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->e = ct_xrealloc(p->e, p->cap * sizeof *p->e);
	}
	struct entry *e = &p->e[p->n];
	e->key = ct_xmalloc(klen + 1);
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->klen = klen;
	e->index = index;
	p->slot[i] = (uint32_t)++p->n;
	if (p->n * 2 > p->nslots)
		grow(p);
	return 1;
}

int ctpos_get(const struct ctpos *p, const char *key, size_t klen,
	      uint64_t *out)
{
	size_t i = find(p, key, klen);
	if (!p->slot[i])
		return -1;
	*out = p->e[p->slot[i] - 1].index;
	return 0;
}

size_t ctpos_count(const struct ctpos *p)
{
	return p->n;
}

void ctpos_save(const struct ctpos *p, struct ctbuf *out)
{
	CTBUF_LIT(out, "{\"positions\":{");
	for (size_t i = 0; i < p->n; i++) {
		if (i)
			ctbuf_addc(out, ',');
		ctjson_str(out, p->e[i].key, p->e[i].klen);
		ctbuf_addc(out, ':');
		ctbuf_addu64(out, p->e[i].index);
	}
	CTBUF_LIT(out, "}}\n");
}

int ctpos_load(struct ctpos *p, const char *text, size_t n,
	       const char **why)
{
	struct ctjson_val root, pos, k, v;
	*why = "not a JSON object";
	if (ctjson_parse(text, n, &root) < 0 || root.type != CTJSON_OBJECT)
		return -1;
	*why = "no \"positions\" object";
	if (ctjson_member(&root, "positions", &pos) != 1 ||
	    pos.type != CTJSON_OBJECT)
		return -1;
	struct ctjson_iter it;
	struct ctbuf key = CTBUF_INIT;
	int r;
	ctjson_iter_init(&it, &pos);
	*why = "a position is not an unsigned integer";
	for (;;) {
		r = ctjson_next(&it, &k, &v);
		if (r <= 0)
			break;
		uint64_t x;
		if (ctjson_u64(&v, &x) < 0)
			break;
		ctbuf_reset(&key);
		if (ctjson_unescape(&k, &key) < 0) {
			*why = "a key with a bad escape";
			r = -1;
			break;
		}
		ctpos_note(p, key.p ? key.p : "", key.len, x);
	}
	ctbuf_free(&key);
	return r == 0 ? 0 : -1;
}
