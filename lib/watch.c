/* watch: the watchlist (see watch.h).
 *
 * One open-addressing table holds four kinds of key, each pointing at an
 * item: the item's name (EXACT or COVER, the latter for ".name" items)
 * and the item's parent domain (PEXACT, PCOVER), which wildcard names
 * need. Keys are not stored: a slot keeps the 64-bit hash, the kind and
 * the item, and the key text is found again from the item. */
#include "watch.h"

#include <idn2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

enum { EXACT = 1, COVER, PEXACT, PCOVER };

struct slot {
	uint64_t h;
	uint32_t item; /* UINT32_MAX: empty */
	uint32_t kind;
};

struct ctwatch {
	char *arena; /* NUL-terminated normalized items */
	size_t alen, acap;
	uint32_t *off; /* item -> arena offset */
	size_t n, ncap;
	struct slot *t;
	size_t nslots, used;
	/* A bit per hash of the last two labels of every item with two or
	 * more: a name whose last two labels are not in it can only match
	 * a one-label covering item (".com"), so most names cost one
	 * probe of this small bitmap instead of a lookup per label. */
	uint64_t *bits;
	size_t one_label_covers;
};

#define BLOOM_BITS ((size_t)1 << 23)

/* The last two labels of s (all of s if it has fewer). */
static const char *last2(const char *s, size_t n, size_t *len)
{
	int dots = 0;
	for (size_t i = n; i-- > 0;)
		if (s[i] == '.' && ++dots == 2) {
			*len = n - i - 1;
			return s + i + 1;
		}
	*len = n;
	return s;
}

static int two_labels(const char *s, size_t n)
{
	return memchr(s, '.', n) != NULL;
}

static uint64_t hash(const char *s, size_t n, unsigned kind);

static size_t bit_of(const char *s, size_t n)
{
	size_t l;
	const char *t = last2(s, n, &l);
	return (size_t)(hash(t, l, 99) & (BLOOM_BITS - 1));
}

static uint64_t hash(const char *s, size_t n, unsigned kind)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (kind * 0xff51afd7ed558ccdULL) ^ n;
	while (n >= 8) {
		uint64_t x;
		memcpy(&x, s, 8);
		h = (h ^ x) * 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t x = 0;
	memcpy(&x, s, n);
	h = (h ^ x) * 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 31;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 32);
}

struct ctwatch *ctwatch_new(void)
{
	struct ctwatch *w = ct_xcalloc(1, sizeof *w);
	w->nslots = 64;
	w->t = ct_xmalloc(w->nslots * sizeof *w->t);
	for (size_t i = 0; i < w->nslots; i++)
		w->t[i].item = UINT32_MAX;
	return w;
}

void ctwatch_free(struct ctwatch *w)
{
	if (!w)
		return;
	free(w->arena);
	free(w->off);
	free(w->t);
	free(w->bits);
	free(w);
}

/* The key text a slot stands for. */
static const char *key_of(const struct ctwatch *w, uint32_t item,
			  unsigned kind, size_t *len)
{
	const char *s = w->arena + w->off[item];
	if (*s == '.')
		s++;
	if (kind == PEXACT || kind == PCOVER) {
		s = strchr(s, '.');
		s = s ? s + 1 : "";
	}
	*len = strlen(s);
	return s;
}

static size_t pos(const struct ctwatch *w, uint64_t h)
{
	return (size_t)(((unsigned __int128)h * w->nslots) >> 64);
}

static long lookup(const struct ctwatch *w, unsigned kind, const char *s,
		   size_t n)
{
	uint64_t h = hash(s, n, kind);
	for (size_t i = pos(w, h);; i = i + 1 == w->nslots ? 0 : i + 1) {
		const struct slot *e = &w->t[i];
		if (e->item == UINT32_MAX)
			return -1;
		if (e->h != h || e->kind != kind)
			continue;
		size_t kl;
		const char *k = key_of(w, e->item, kind, &kl);
		if (kl == n && !memcmp(k, s, n))
			return e->item;
	}
}

static void place(struct slot *t, size_t nslots, struct slot e)
{
	size_t i = (size_t)(((unsigned __int128)e.h * nslots) >> 64);
	while (t[i].item != UINT32_MAX)
		i = i + 1 == nslots ? 0 : i + 1;
	t[i] = e;
}

static void insert(struct ctwatch *w, unsigned kind, const char *s,
		   size_t n, uint32_t item)
{
	if (lookup(w, kind, s, n) >= 0)
		return;
	if ((w->used + 1) * 3 > w->nslots * 2) { /* keep load <= 2/3 */
		size_t ns = w->nslots * 2;
		struct slot *t = ct_xmalloc(ns * sizeof *t);
		for (size_t i = 0; i < ns; i++)
			t[i].item = UINT32_MAX;
		for (size_t i = 0; i < w->nslots; i++)
			if (w->t[i].item != UINT32_MAX)
				place(t, ns, w->t[i]);
		free(w->t);
		w->t = t;
		w->nslots = ns;
	}
	place(w->t, w->nslots, (struct slot){ hash(s, n, kind), item, kind });
	w->used++;
}

static int fail(char *err, size_t errlen, const char *what)
{
	if (errlen)
		snprintf(err, errlen, "%s", what);
	return -1;
}

/* Lower-case ASCII copy of a name into out (NUL-terminated), converting
 * non-ASCII names to A-labels. Returns the length, or -1. */
static long normalize(const char *s, size_t n, char *out, size_t cap,
		      const char **why)
{
	int ascii = 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			ascii = 0;
	if (n >= cap) {
		*why = "name too long";
		return -1;
	}
	if (!ascii) {
		char in[1024];
		memcpy(in, s, n);
		in[n] = '\0';
		char *a = NULL;
		int rc = idn2_to_ascii_8z(in, &a, IDN2_NONTRANSITIONAL |
							  IDN2_NFC_INPUT);
		if (rc != IDN2_OK) {
			*why = idn2_strerror(rc);
			return -1;
		}
		size_t al = strlen(a);
		if (al >= cap) {
			idn2_free(a);
			*why = "name too long";
			return -1;
		}
		memcpy(out, a, al + 1);
		idn2_free(a);
		n = al;
		s = out;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		out[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	if (n && out[n - 1] == '.')
		n--; /* the root label */
	out[n] = '\0';
	return (long)n;
}

int ctwatch_add(struct ctwatch *w, const char *item, size_t len, char *err,
		size_t errlen)
{
	while (len && (*item == ' ' || *item == '\t'))
		item++, len--;
	while (len && (item[len - 1] == ' ' || item[len - 1] == '\t' ||
		       item[len - 1] == '\r'))
		len--;
	int cover = len && *item == '.';
	if (cover)
		item++, len--;
	if (len && *item == '*')
		return fail(err, errlen, "a wildcard is not a watch item "
			    "(write .example.com for a name and all under it)");
	char name[256];
	const char *why = "bad name";
	long n = normalize(item, len, name, sizeof name, &why);
	if (n <= 0)
		return fail(err, errlen, n == 0 ? "empty name" : why);
	for (long i = 0; i < n; i++) {
		char c = name[i];
		int okc = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_' || c == '.';
		if (!okc)
			return fail(err, errlen, "a character that no DNS "
				    "name has");
		if (c == '.' && (i == 0 || name[i - 1] == '.'))
			return fail(err, errlen, "an empty label");
	}
	if (lookup(w, cover ? COVER : EXACT, name, (size_t)n) >= 0)
		return 0;
	if (w->n == UINT32_MAX - 1)
		return fail(err, errlen, "too many items");
	if (w->n == w->ncap) {
		w->ncap = w->ncap ? w->ncap * 2 : 1024;
		w->off = ct_xrealloc(w->off, w->ncap * sizeof *w->off);
	}
	size_t need = (size_t)n + 2;
	if (w->alen + need > w->acap) {
		w->acap = (w->alen + need) * 2;
		w->arena = ct_xrealloc(w->arena, w->acap);
	}
	uint32_t idx = (uint32_t)w->n++;
	w->off[idx] = (uint32_t)w->alen;
	if (cover)
		w->arena[w->alen++] = '.';
	memcpy(w->arena + w->alen, name, (size_t)n + 1);
	w->alen += (size_t)n + 1;
	insert(w, cover ? COVER : EXACT, name, (size_t)n, idx);
	if (two_labels(name, (size_t)n)) {
		if (!w->bits)
			w->bits = ct_xcalloc(BLOOM_BITS / 64, sizeof *w->bits);
		size_t b = bit_of(name, (size_t)n);
		w->bits[b / 64] |= (uint64_t)1 << (b % 64);
	} else if (cover) {
		w->one_label_covers++;
	}
	const char *dot = strchr(name, '.');
	if (dot)
		insert(w, cover ? PCOVER : PEXACT, dot + 1,
		       (size_t)(name + n - dot - 1), idx);
	return 0;
}

/* The nearest COVER item at s or above it. */
static long covered(const struct ctwatch *w, const char *s, size_t n)
{
	for (;;) {
		long r = lookup(w, COVER, s, n);
		if (r >= 0)
			return r;
		const char *dot = memchr(s, '.', n);
		if (!dot)
			return -1;
		n -= (size_t)(dot + 1 - s);
		s = dot + 1;
	}
}

/* Can any item match a name under s (s itself for plain names)? */
static int maybe(const struct ctwatch *w, const char *s, size_t n)
{
	if (!two_labels(s, n) || !w->bits)
		return 1;
	size_t b = bit_of(s, n);
	return (w->bits[b / 64] >> (b % 64)) & 1;
}

/* Only a one-label covering item can match: look at the last label. */
static long top_cover(const struct ctwatch *w, const char *s, size_t n)
{
	if (!w->one_label_covers)
		return -1;
	const char *dot = memrchr(s, '.', n);
	if (!dot)
		return lookup(w, COVER, s, n);
	return lookup(w, COVER, dot + 1, (size_t)(s + n - dot - 1));
}

long ctwatch_match(const struct ctwatch *w, const char *name, size_t len)
{
	char buf[256];
	const char *why;
	long n = normalize(name, len, buf, sizeof buf, &why);
	if (n <= 0 || !w->n)
		return -1;
	if (n > 2 && buf[0] == '*' && buf[1] == '.') {
		const char *s = buf + 2;
		size_t sl = (size_t)n - 2;
		if (!maybe(w, s, sl))
			return top_cover(w, s, sl);
		long r = lookup(w, PEXACT, s, sl);
		if (r < 0)
			r = covered(w, s, sl);
		if (r < 0)
			r = lookup(w, PCOVER, s, sl);
		return r;
	}
	if (!maybe(w, buf, (size_t)n))
		return top_cover(w, buf, (size_t)n);
	long r = lookup(w, EXACT, buf, (size_t)n);
	return r >= 0 ? r : covered(w, buf, (size_t)n);
}

const char *ctwatch_item(const struct ctwatch *w, long idx)
{
	if (idx < 0 || (size_t)idx >= w->n)
		return NULL;
	return w->arena + w->off[idx];
}

size_t ctwatch_count(const struct ctwatch *w)
{
	return w->n;
}

size_t ctwatch_footprint(const struct ctwatch *w)
{
	return w->acap + w->ncap * sizeof *w->off + w->nslots * sizeof *w->t +
	       (w->bits ? BLOOM_BITS / 8 : 0);
}
