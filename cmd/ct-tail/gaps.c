/* gaps: per-log cert_index across reconnections (see gaps.h): an open
 * addressing table of log URLs, never more than half full. */
#include "gaps.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define SLOTS (GAPS_MAX * 2)

struct slot {
	char *log; /* NULL: free */
	size_t n;
	uint64_t last;     /* last index seen */
	unsigned epoch;    /* the connection it was seen on */
};

struct gaps {
	struct slot s[SLOTS];
	size_t used;
	unsigned epoch;
};

struct gaps *gaps_new(void)
{
	return ct_xcalloc(1, sizeof(struct gaps));
}

void gaps_free(struct gaps *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < SLOTS; i++)
		free(g->s[i].log);
	free(g);
}

void gaps_reconnect(struct gaps *g)
{
	g->epoch++;
}

static size_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return (size_t)(h % SLOTS);
}

uint64_t gaps_seen(struct gaps *g, const char *log, size_t n,
		   uint64_t index, uint64_t *first)
{
	size_t i = hash(log, n);
	while (g->s[i].log &&
	       (g->s[i].n != n || memcmp(g->s[i].log, log, n)))
		i = (i + 1) % SLOTS;
	struct slot *s = &g->s[i];
	uint64_t missed = 0;
	if (!s->log) {
		if (g->used == GAPS_MAX)
			return 0; /* a bound on what a server can make us keep */
		s->log = ct_xstrndup(log, n);
		s->n = n;
		g->used++;
	} else if (s->epoch != g->epoch && index > s->last + 1) {
		missed = index - s->last - 1;
		*first = s->last + 1;
	}
	s->last = index;
	s->epoch = g->epoch;
	return missed;
}
