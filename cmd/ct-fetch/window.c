/* window: a log's window of pages or tiles: where each one begins and
 * ends, how many may be in flight (the congestion window, and what keeps
 * the log busy), the page size a log gives (learned from its answers),
 * answers read into the reorder buffer, a stalled first request, and the
 * buffers kept for reuse. */
#include "window.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "diag.h"
#include "health.h"
#include "mem.h"
#include "static.h"

/* A head-of-line request is stalled when it has taken this long, and
 * eight times the usual answer time, while later ones came back. */
#define STALL_MIN_MS 2000

/* Answer buffers come back to the log for the next answers: a buffer
 * that grew to a page's size keeps it. At most a window's worth. */
size_t window_spares(const struct log *l)
{
	return (size_t)l->cwnd + WINDOW_SPARES;
}

void window_spare_put(struct log *l, struct ctbuf *b, size_t max)
{
	if (l->nspare < max && b->cap) {
		if (l->nspare == l->spare_room) {
			l->spare_room = l->spare_room ? 2 * l->spare_room : 4;
			l->spare = ct_xrealloc(l->spare, l->spare_room *
						       sizeof *l->spare);
		}
		ctbuf_reset(b);
		l->spare[l->nspare++] = *b;
		*b = (struct ctbuf)CTBUF_INIT;
	} else {
		ctbuf_free(b);
	}
}

void window_spare_trim(struct log *l)
{
	while (l->nspare)
		ctbuf_free(&l->spare[--l->nspare]);
}

void window_spare_get(struct log *l, struct ctbuf *b)
{
	if (l->nspare)
		*b = l->spare[--l->nspare];
}

void window_chunk_free(struct log *l, struct chunk *c, size_t spares)
{
	window_spare_put(l, &c->body, spares);
	free(c->views);
	free(c->hashes);
	free(c->tl);
	free(c);
}

/* A chunk is out: fold the time it took to read and write out (since
 * t0, plus its reading) into proc_us. */
void window_proc_time(struct log *l, const struct chunk *c, int64_t t0_us)
{
	double t = (double)(ct_now_us() - t0_us + c->read_us);
	l->proc_us = l->proc_us > 0 ? l->proc_us + (t - l->proc_us) / 8 : t;
}

/* Requests in flight that keep the log busy: enough to cover an answer's
 * time with the time each answer takes to read and write out, never
 * more than the congestion window allows. With no latency a window of
 * a few does (more only heaps up answers in memory); far away, all. */
unsigned window_now(struct log *l)
{
	unsigned cw = (unsigned)l->cwnd;
	if (l->proc_us > 0 && l->base_us > 0) {
		double need = l->base_us / l->proc_us + 2;
		l->need = need < (double)cw ? (unsigned)need : cw;
	} else {
		l->need = cw;
	}
	return l->need;
}

/* Where the chunk that starts at a ends: at the next page boundary (a
 * multiple of the page size, as CTFE logs align their pages; for static
 * logs the tile's end), within the target. While the page size is not
 * known yet, a whole --batch from a. */
static uint64_t chunk_end(const struct log *l, uint64_t a)
{
	uint64_t w = l->is_static ? CTTILE_WIDTH : l->cap;
	uint64_t e = l->probing ? a + w : (a / w + 1) * w;
	return e < l->target ? e : l->target;
}

/* New chunks after the last, while the window has room for them (one
 * while the page size is being learned). */
void window_plan(struct log *l)
{
	struct chunk **tail = &l->chunks;
	size_t room = l->probing ? 1 : window_now(l);
	while (*tail)
		tail = &(*tail)->next;
	while (l->nchunks < room && l->plan_end < l->target) {
		struct chunk *c = ct_xcalloc(1, sizeof *c);
		c->start = l->plan_end;
		c->end = chunk_end(l, c->start);
		*tail = c;
		tail = &c->next;
		l->plan_end = c->end;
		l->nchunks++;
	}
}

/* The first chunk has waited far longer than answers take while later
 * ones came back: 1 to ask again (once); else *wait is when it would. */
int window_stalled(const struct log *l, int64_t now, int64_t *wait)
{
	const struct chunk *c = l->chunks;
	if (!c || c->st != C_FLIGHT || c->nreq != 1)
		return 0;
	const struct chunk *d = c->next;
	while (d && d->st != C_DONE)
		d = d->next;
	if (!d)
		return 0;
	int64_t lim = (int64_t)(8 * l->lat_us / 1000);
	if (lim < STALL_MIN_MS)
		lim = STALL_MIN_MS;
	if (now - c->sent_ms >= lim)
		return 1;
	if (c->sent_ms + lim - now < *wait)
		*wait = c->sent_ms + lim - now;
	return 0;
}

/* The page size learned: the first page given in full, or the second
 * short one (its start is where the log's own pages begin, so CTFE
 * logs, which end a page on a multiple of their size, give it whole). */
static void probed(struct log *l, int full)
{
	l->probing = 0;
	if (full || l->cap_seen >= l->cap)
		return;
	l->cap_said = l->cap_seen;
	ct_warnx("%s: short page at %llu: asked %llu, got %llu; asking %llu "
		 "from now", l->name, (unsigned long long)l->probe_at,
		 (unsigned long long)l->probe_asked,
		 (unsigned long long)l->probe_got,
		 (unsigned long long)l->cap_seen);
	l->cap = l->cap_seen;
}

/* A short page: the log gives fewer entries than asked. The rest is
 * asked again first, and later pages ask for what it gives. */
static void short_page(struct log *l, struct chunk *c, size_t got)
{
	uint64_t asked = c->end - c->start;
	struct chunk *hole = ct_xcalloc(1, sizeof *hole);
	hole->start = c->start + got;
	hole->end = c->end;
	hole->next = c->next;
	c->next = hole;
	c->end = hole->start;
	l->nchunks++;
	if (got > l->cap_seen)
		l->cap_seen = got;
	if (l->probing) {
		if (!l->probe_shorts++) {
			l->probe_at = c->start;
			l->probe_asked = asked;
			l->probe_got = got;
		} else {
			probed(l, 0);
		}
	} else if (l->cap_seen < l->cap) {
		/* said once per size (not after each try of larger pages) */
		if (l->cap_seen < l->cap_said)
			ct_warnx("%s: short page at %llu: asked %llu, got %zu; "
				 "asking %llu from now", l->name,
				 (unsigned long long)c->start,
				 (unsigned long long)asked, got,
				 (unsigned long long)l->cap_seen);
		l->cap_said = l->cap_seen;
		l->cap = l->cap_seen;
	}
	l->full_pages = 0;
}

/* A page of the log in full: after 32, try pages twice as large again
 * (up to --batch), in case the log's limit went up. */
static void full_page(struct log *l, const struct opts *o, uint64_t asked)
{
	if (l->probing)
		probed(l, 1);
	if (asked > l->cap_seen)
		l->cap_seen = asked;
	if (asked == l->cap && l->cap < o->batch && ++l->full_pages >= 32) {
		l->cap = 2 * l->cap < o->batch ? 2 * l->cap : o->batch;
		l->cap_seen = 0;
		l->full_pages = 0;
	}
}

/* The entries of a get-entries answer, checked whole before any is
 * kept: a bad entry is asked again, never skipped. */
int window_take_page(struct log *l, struct fetcher *f, struct chunk *c,
		     struct req *r)
{
	uint64_t asked = c->end - c->start;
	const char *err;
	long bad;
	c->views = ct_xmalloc(asked * sizeof *c->views);
	c->hashes = ct_xmalloc(asked * sizeof *c->hashes);
	long got = ctentries_parse(r->body.p, r->body.len, (size_t)asked,
				   c->views, c->hashes, &err, &bad);
	if (got < 0 && bad < 0)
		health_fail(l, f, 0, 0, "get-entries at %llu: %s (%zu bytes)",
		     (unsigned long long)c->start, err, r->body.len);
	else if (got < 0)
		health_fail(l, f, 0, 0, "get-entries: entry %llu: %s",
		     (unsigned long long)(c->start + (uint64_t)bad), err);
	else if (got == 0)
		health_fail(l, f, 0, 0, "get-entries at %llu: no entries",
		     (unsigned long long)c->start);
	if (got <= 0) {
		free(c->views);
		free(c->hashes);
		c->views = NULL;
		c->hashes = NULL;
		return -1;
	}
	if ((uint64_t)got < asked)
		short_page(l, c, (size_t)got);
	else
		full_page(l, f->o, asked);
	c->n = (size_t)got;
	return 0;
}

/* The leaves of a data tile, all of them as wide as it is at the head. */
int window_take_tile(struct log *l, struct fetcher *f, struct chunk *c,
		     struct req *r)
{
	const char *err;
	uint64_t n = c->start / CTTILE_WIDTH;
	unsigned want = c->full_fallback ? CTTILE_WIDTH
		: static_tile_width(l->sth.size, CTTILE_DATA, n);
	struct ctbuf scratch = CTBUF_INIT;
	window_spare_get(l, &scratch);
	int gz = static_gunzip(&r->body, &scratch, &err);
	window_spare_put(l, &scratch, window_spares(l));
	if (gz < 0) {
		health_fail(l, f, 0, 0, "data tile %llu: %s", (unsigned long long)n, err);
		return -1;
	}
	c->tl = ct_xmalloc(CTTILE_WIDTH * sizeof *c->tl);
	long got = static_tile_leaves((const uint8_t *)r->body.p, r->body.len,
				      c->tl, &err);
	if (got < 0)
		health_fail(l, f, 0, 0, "data tile %llu: %s", (unsigned long long)n, err);
	else if ((unsigned long)got != want)
		health_fail(l, f, 0, 0, "data tile %llu: %ld leaves, not %u",
		     (unsigned long long)n, got, want);
	if (got != (long)want) {
		free(c->tl);
		c->tl = NULL;
		return -1;
	}
	l->issuers_dirty = 1;
	return 0;
}

size_t window_held(const struct log *l)
{
	size_t n = 0;
	for (const struct chunk *c = l->chunks; c; c = c->next)
		n += c->body.len;
	for (const struct req *r = l->reqs; r; r = r->next)
		n += r->kind == R_DATA && (double)r->body.len < l->answer_bytes
			? (size_t)l->answer_bytes : r->body.len;
	for (size_t i = 0; i < l->nspare; i++)
		n += l->spare[i].cap;
	return n;
}

void window_answered(struct log *l, const struct chunk *c)
{
	l->cwnd += l->cwnd < l->ssthresh ? 1 : 1 / l->cwnd;
	if (l->cwnd > (double)l->window)
		l->cwnd = (double)l->window;
	l->answer_bytes += ((double)c->body.len - l->answer_bytes) / 4;
}

void window_latency(struct log *l, double t_us, int64_t now)
{
	l->lat_us += (t_us - l->lat_us) / 8;
	/* the least of the last 10 s: the path's own time, without the
	 * queueing that the window itself adds at the log */
	if (t_us < l->base_us || !l->base_us || now - l->base_at > 10000) {
		l->base_us = t_us;
		l->base_at = now;
	}
}
