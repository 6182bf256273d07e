/* log: one log's requests, window, reorder buffer and output. */
#include "log.h"

#include <openssl/sha.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "diag.h"
#include "health.h"
#include "http.h"
#include "issuers.h"
#include "json.h"
#include "mem.h"
#include "rfc6962.h"
#include "static.h"
#include "verify.h"
#include "window.h"

#define NEVER ((int64_t)1 << 40)

/* ---- requests ---------------------------------------------------------- */

static struct req *req_new(struct log *l, enum rkind kind)
{
	struct req *r = ct_xcalloc(1, sizeof *r);
	r->log = l;
	r->kind = kind;
	r->body_max = (size_t)256 << 20;
	window_spare_get(l, &r->body);
	return r;
}

static void req_free(struct log *l, struct req *r, size_t spares)
{
	window_spare_put(l, &r->body, spares);
	free(r);
}

static unsigned *counter(struct log *l, enum rkind k)
{
	return k == R_DATA ? &l->inflight : k == R_ISSUER ? &l->iss_inflight
							  : &l->ctl_inflight;
}

/* Send r for url (freed), counting it in flight. */
static void send_req(struct log *l, struct fetcher *f, struct req *r,
		 struct ctbuf *url, int64_t now)
{
	r->sent_ms = now;
	r->sent_us = ct_now_us();
	r->next = l->reqs;
	l->reqs = r;
	l->requests++;
	(*counter(l, r->kind))++;
	http_start(f->http, r, ctbuf_cstr(url));
	ctbuf_free(url);
}

/* r is back or cancelled: no longer in flight. */
static void settle(struct log *l, struct req *r)
{
	for (struct req **p = &l->reqs; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	(*counter(l, r->kind))--;
	if (r->kind == R_DATA)
		r->chunk->nreq--;
}

/* 0 if a request may go now within the log's and its operator's rates
 * (a token of each taken), else the ms to wait. */
static int64_t budget(struct log *l, int64_t now)
{
	int64_t w = ctbucket_take(&l->own, now);
	if (!w && l->op) {
		w = ctbucket_take(l->op, now);
		if (w)
			ctbucket_give(&l->own);
	}
	return w;
}

/* ---- heads --------------------------------------------------------------- */

/* Wait for the next poll, or finish. */
static void idle(struct log *l, const struct opts *o, int64_t now)
{
	if (o->follow && !(l->end && l->next >= l->end)) {
		l->phase = P_IDLE;
		l->poll_at = now + l->poll_ms;
	} else {
		l->phase = P_DONE;
	}
}

/* The entries up to the target are out. If the range is there and the
 * target is the signed size, the recomputed root must be the signed
 * root; a range ending before it (--end) is checked against the head
 * with a consistency proof or the hash tiles (P_TAIL). */
static void reached_target(struct log *l, const struct opts *o, int64_t now)
{
	int range_here = l->range_ok && l->range.size == l->next;
	if (range_here && l->next == l->sth.size && l->sth.size > 0 &&
	    !(l->has_verified && l->verified_size == l->sth.size)) {
		verify_root(l);
	} else if (range_here && l->next > 0 && l->next < l->sth.size &&
		   l->end && l->next >= l->end && l->phase != P_TAIL) {
		l->phase = P_TAIL;
		l->boot_i = 0;
		l->ctl_full = 0;
		l->tail = l->range;
		return;
	}
	idle(l, o, now);
}

static void new_head(struct log *l, struct fetcher *f, const struct ctsth *s,
		     int64_t now)
{
	const struct opts *o = f->o;
	if (verify_signature(l, o, s) < 0)
		return;
	if (s->size < l->tree_size) {
		health_fail(l, f, 0, 0, "%s: the tree shrank from %llu to %llu",
		     l->is_static ? "checkpoint" : "get-sth",
		     (unsigned long long)l->tree_size,
		     (unsigned long long)s->size);
		return;
	}
	health_ok(l, o, now);
	verify_fork(l, s);
	/* poll soon after the head moved, ever more slowly while not */
	int moved = !l->has_sth || s->size > l->sth.size;
	l->poll_ms = moved ? (int64_t)o->poll_min_ms : 2 * l->poll_ms;
	if (l->poll_ms > (int64_t)o->poll_ms)
		l->poll_ms = (int64_t)o->poll_ms;
	l->sth = *s;
	l->has_sth = 1;
	l->tree_size = s->size;
	l->target = l->end && l->end < s->size ? l->end : s->size;
	if (l->next == UINT64_MAX) { /* a new log: start at the head */
		l->next = s->size;
		l->dirty = 1;
	}
	if (l->next == 0 && !l->range_ok) {
		ctm_range_init(&l->range);
		l->range_ok = 1;
	}
	l->plan_end = l->next;
	l->phase = P_DATA;
	if (l->next >= l->tree_size)
		l->caught_up_ms = now;
	if (l->next >= l->target)
		reached_target(l, o, now);
}

static void got_head(struct log *l, struct fetcher *f, struct req *r,
		     int64_t now)
{
	struct ctsth s;
	const char *err;
	if (l->is_static) {
		if (ctsth_parse_checkpoint(r->body.p, r->body.len, l->origin,
					   l->log_id, &s, &err) < 0) {
			health_fail(l, f, 0, 0, "checkpoint: %s", err);
			return;
		}
	} else if (ctsth_parse_json(r->body.p, r->body.len, &s, &err) < 0) {
		health_fail(l, f, 0, 0, "get-sth: not an STH: %s", err);
		return;
	}
	new_head(l, f, &s, now);
}

static void start_head(struct log *l, struct fetcher *f, int64_t now)
{
	struct req *r = req_new(l, R_HEAD);
	struct ctbuf u = CTBUF_INIT;
	r->body_max = 1 << 20;
	if (l->is_static)
		static_url_checkpoint(&u, l->url);
	else
		rfc6962_url_sth(&u, l->url);
	send_req(l, f, r, &u, now);
}

/* ---- output -------------------------------------------------------------- */

/* Write entry record l->next (leaf_input and extra_data in base64) and
 * fold its leaf hash into the range. */
static void emit(struct log *l, struct ctout *out, const char *li, size_t lil,
		 const char *ed, size_t edl, const uint8_t leaf_hash[CTM_HASH])
{
	struct ctbuf *b = &out->buf;
	CTBUF_LIT(b, "{\"log\":");
	ctjson_strz(b, l->url);
	CTBUF_LIT(b, ",\"log_name\":");
	ctjson_strz(b, l->name);
	/* ct-parse names the source type and links the entry by it */
	if (l->is_static)
		CTBUF_LIT(b, ",\"log_type\":\"static\"");
	CTBUF_LIT(b, ",\"index\":");
	ctbuf_addu64(b, l->next);
	CTBUF_LIT(b, ",\"leaf_input\":\"");
	ctbuf_add(b, li, lil);
	CTBUF_LIT(b, "\",\"extra_data\":\"");
	ctbuf_add(b, ed, edl);
	CTBUF_LIT(b, "\"}\n");
	if (ctout_record_end(out) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	if (l->range_ok && l->range.size == l->next)
		ctm_range_append(&l->range, leaf_hash);
	l->next++;
	l->fetched++;
	l->dirty = 1;
}

/* The entries of a tile; -1 (nothing written) while an issuer they name
 * is missing. */
static int emit_tile(struct log *l, struct fetcher *f, struct chunk *c)
{
	static struct ctbuf tmp[2], lb, eb;
	uint64_t base = c->start / CTTILE_WIDTH * CTTILE_WIDTH;
	size_t a = (size_t)(c->start - base), b = (size_t)(c->end - base);
	if (static_missing_issuer(f->issuers, c->tl, a, b)) {
		l->issuers_dirty = 1;
		return -1;
	}
	for (size_t i = a; i < b; i++) {
		uint8_t h[CTM_HASH];
		const char *err;
		ctbuf_reset(&lb);
		ctbuf_reset(&eb);
		if (static_leaf_record(f->issuers, &c->tl[i], tmp, &lb, &eb, h,
				       &err) < 0)
			ct_diex(CT_EXIT_RUNTIME, "%s: entry %llu: %s", l->name,
				(unsigned long long)l->next, err);
		emit(l, f->out, lb.p, lb.len, eb.p, eb.len, h);
	}
	return 0;
}

/* Write the chunks that are in, in index order, once the range is known
 * (a mid-log start proves it first) and, for tiles, their issuers are at
 * hand. */
static void try_emit(struct log *l, struct fetcher *f, int64_t now)
{
	while (l->chunks && l->chunks->st == C_DONE) {
		struct chunk *c = l->chunks;
		if (!l->range_ok && !l->unverifiable)
			return;
		int64_t t0 = ct_now_us();
		if (l->is_static) {
			if (emit_tile(l, f, c) < 0)
				return;
		} else {
			for (size_t i = 0; i < c->n; i++)
				emit(l, f->out, c->views[i].li, c->views[i].lil,
				     c->views[i].ed, c->views[i].edl,
				     c->hashes[i]);
		}
		window_proc_time(l, c, t0);
		l->chunks = c->next;
		l->nchunks--;
		l->tile_issuers = 0;
		window_chunk_free(l, c, WINDOW_SPARES);
	}
	if (l->next != UINT64_MAX && l->next >= l->tree_size)
		l->caught_up_ms = now;
	if (!l->chunks && l->phase == P_DATA && l->next >= l->target)
		reached_target(l, f->o, now);
}

/* ---- the window ---------------------------------------------------------- */

static void start_data(struct log *l, struct fetcher *f, struct chunk *c,
		       int64_t now)
{
	struct req *r = req_new(l, R_DATA);
	struct ctbuf u = CTBUF_INIT;
	r->chunk = c;
	if (l->is_static) {
		uint64_t n = c->start / CTTILE_WIDTH;
		unsigned w = c->full_fallback ? 0
			: static_tile_width(l->sth.size, CTTILE_DATA, n);
		static_url_tile(&u, l->url, CTTILE_DATA, n, w);
		r->body_max = STATIC_TILE_MAX;
	} else {
		rfc6962_url_entries(&u, l->url, c->start, c->end - 1);
	}
	if (!c->nreq)
		c->sent_ms = now;
	c->nreq++;
	c->st = C_FLIGHT;
	send_req(l, f, r, &u, now);
}

static int issuer_asked(const struct log *l, const uint8_t fp[CTM_HASH])
{
	for (const struct req *r = l->reqs; r; r = r->next)
		if (r->kind == R_ISSUER && !memcmp(r->fp, fp, CTM_HASH))
			return 1;
	return 0;
}

/* Ask for the issuers that the tiles in hand name and the cache lacks,
 * as many at once as the window allows. */
static int64_t pump_issuers(struct log *l, struct fetcher *f, int64_t now)
{
	struct ct_bytes der;
	l->issuers_dirty = 0;
	for (struct chunk *c = l->chunks; c && c->st == C_DONE; c = c->next) {
		uint64_t base = c->start / CTTILE_WIDTH * CTTILE_WIDTH;
		for (uint64_t i = c->start - base; i < c->end - base; i++)
			for (size_t k = 0; k < c->tl[i].nfp; k++) {
				const uint8_t *fp = c->tl[i].fp + 32 * k;
				if (issuers_get(f->issuers, fp, &der) ||
				    issuer_asked(l, fp))
					continue;
				l->issuers_dirty = 1;
				if (l->iss_inflight >= (unsigned)l->cwnd)
					return NEVER;
				int64_t w = budget(l, now);
				if (w)
					return w;
				struct req *r = req_new(l, R_ISSUER);
				struct ctbuf u = CTBUF_INIT;
				memcpy(r->fp, fp, CTM_HASH);
				r->body_max = ISSUERS_MAX_ONE;
				static_url_issuer(&u, l->url, fp);
				send_req(l, f, r, &u, now);
			}
	}
	return NEVER;
}

/* The next hash tile: the range of a mid-log start (P_DATA) or the rest
 * of the tree after a range that ends before the head (P_TAIL). */
static void hash_item(const struct log *l, int *k, uint64_t *idx)
{
	if (l->phase == P_TAIL)
		static_tail_item(l->next, l->sth.size, l->boot_i, k, idx);
	else
		static_boot_item(l->next, l->boot_i, k, idx);
}

static void start_ctl(struct log *l, struct fetcher *f, int64_t now)
{
	struct ctbuf u = CTBUF_INIT;
	struct req *r;
	if (l->is_static) {
		int k, level;
		uint64_t idx, n;
		unsigned w;
		hash_item(l, &k, &idx);
		static_hash_tile(k, idx, l->sth.size, &level, &n, &w);
		r = req_new(l, R_HASHTILE);
		r->body_max = STATIC_TILE_MAX;
		static_url_tile(&u, l->url, level, n, l->ctl_full ? 0 : w);
	} else if (l->phase == P_TAIL) {
		r = req_new(l, R_CONS);
		rfc6962_url_cons(&u, l->url, l->next, l->sth.size);
	} else { /* the proof of the first entry: the range before it */
		r = req_new(l, R_PROOF);
		memcpy(r->fp, l->chunks->hashes[0], CTM_HASH);
		rfc6962_url_proof(&u, l->url, r->fp, l->sth.size);
	}
	send_req(l, f, r, &u, now);
}

/* What the window may start now: the range's proof or hash tiles, the
 * issuers, the pages or tiles, and a second request for a stalled one. */
static int64_t pump_data(struct log *l, struct fetcher *f, int64_t now)
{
	int64_t wait = NEVER, w;
	window_plan(l);
	int need_range = !l->range_ok && !l->unverifiable;
	if (need_range && !l->ctl_inflight &&
	    (l->is_static || (l->chunks && l->chunks->st == C_DONE))) {
		w = budget(l, now);
		if (w)
			return w;
		if (l->is_static && l->boot_i == 0)
			l->range.n = 0;
		start_ctl(l, f, now);
	}
	if (l->is_static && l->issuers_dirty) {
		w = pump_issuers(l, f, now);
		if (w < wait)
			wait = w;
	}
	unsigned win = window_now(l);
	for (struct chunk *c = l->chunks; c && l->inflight < win; c = c->next) {
		if (c->st != C_QUEUED)
			continue;
		if (c != l->chunks && f->held > HELD_MAX)
			break; /* the output is behind: no more than it waits for */
		w = budget(l, now);
		if (w)
			return w < wait ? w : wait;
		start_data(l, f, c, now);
		f->held += (size_t)l->answer_bytes; /* as log_held counts it */
	}
	if (window_stalled(l, now, &wait) && !budget(l, now)) {
		struct chunk *c = l->chunks;
		l->stalls++;
		ct_warnx("%s: %s at %llu: no answer in %.1f s while later ones "
			 "came: asked again", l->name,
			 l->is_static ? "data tile" : "get-entries",
			 (unsigned long long)c->start,
			 (double)(now - c->sent_ms) / 1000);
		start_data(l, f, c, now);
	}
	return wait;
}

int64_t log_pump(struct log *l, struct fetcher *f, int64_t now)
{
	if (l->phase == P_DONE || l->phase == P_FAILED)
		return NEVER;
	if (l->phase == P_IDLE) {
		if (now < l->poll_at)
			return l->poll_at - now;
		l->phase = P_HEAD;
	}
	if (now < l->wait_until)
		return l->wait_until - now;
	/* what waited for an issuer another log fetched can go now */
	if (l->phase == P_DATA && l->chunks && l->chunks->st == C_DONE)
		try_emit(l, f, now);
	if (l->phase == P_DATA)
		return pump_data(l, f, now);
	if (l->phase != P_HEAD && l->phase != P_TAIL)
		return log_pump(l, f, now);
	if (l->ctl_inflight)
		return NEVER;
	int64_t w = budget(l, now);
	if (w)
		return w;
	if (l->phase == P_HEAD)
		start_head(l, f, now);
	else
		start_ctl(l, f, now); /* P_TAIL */
	return NEVER;
}

/* ---- answers ---------------------------------------------------------------- */

/* A page or tile came back: in the buffer it goes, and out what can. */
static void got_data(struct log *l, struct fetcher *f, struct req *r,
		     int64_t now)
{
	struct chunk *c = r->chunk;
	if (c->st == C_DONE)
		return; /* the other of a hedged pair came first */
	int64_t t0 = ct_now_us();
	if ((l->is_static ? window_take_tile(l, f, c, r) : window_take_page(l, f, c, r)) < 0) {
		if (!c->nreq)
			c->st = C_QUEUED;
		return;
	}
	/* the views point into the body: the chunk keeps it */
	struct ctbuf t = c->body;
	c->body = r->body;
	r->body = t;
	c->st = C_DONE;
	for (struct req *q = l->reqs; q; q = q->next)
		if (q->kind == R_DATA && q->chunk == c) {
			settle(l, q); /* the other of a hedged pair */
			http_cancel(f->http, q);
			req_free(l, q, WINDOW_SPARES);
			break;
		}
	health_ok(l, f->o, now);
	window_answered(l, f->o, c);
	c->read_us = ct_now_us() - t0;
	try_emit(l, f, now);
}

static void got_proof(struct log *l, struct fetcher *f, struct req *r,
		      int64_t now)
{
	uint8_t path[RFC6962_MAX_PATH][CTM_HASH];
	uint64_t idx;
	size_t n;
	if (rfc6962_proof(r->body.p, r->body.len, &idx, path, &n) < 0) {
		health_fail(l, f, 0, 0, "get-proof-by-hash: not a proof");
		return;
	}
	health_ok(l, f->o, now);
	verify_inclusion(l, r->fp, idx, (const uint8_t (*)[CTM_HASH])path, n);
	try_emit(l, f, now);
}

static void got_cons(struct log *l, struct fetcher *f, struct req *r,
		     int64_t now)
{
	uint8_t path[2 * RFC6962_MAX_PATH][CTM_HASH];
	size_t n;
	if (rfc6962_cons(r->body.p, r->body.len, path, &n) < 0) {
		health_fail(l, f, 0, 0, "get-sth-consistency: not a proof");
		return;
	}
	health_ok(l, f->o, now);
	verify_consistency(l, (const uint8_t (*)[CTM_HASH])path, n);
	idle(l, f->o, now);
}

static void got_hash_tile(struct log *l, struct fetcher *f, struct req *r,
			  int64_t now)
{
	int k, level;
	uint64_t idx, n;
	unsigned w;
	uint8_t h[CTM_HASH];
	hash_item(l, &k, &idx);
	static_hash_tile(k, idx, l->sth.size, &level, &n, &w);
	unsigned want = l->ctl_full ? CTTILE_WIDTH : w;
	if (static_subtree(&r->body, want, k, idx, h) < 0) {
		health_fail(l, f, 0, 0, "hash tile %d/%llu: %zu bytes, not %u hashes",
		     level, (unsigned long long)n, r->body.len, want);
		return;
	}
	health_ok(l, f->o, now);
	l->boot_i++;
	l->ctl_full = 0;
	if (l->phase == P_TAIL) {
		if (verify_tail_node(l, h, k))
			reached_target(l, f->o, now);
		return;
	}
	memcpy(l->range.h[l->boot_i - 1], h, CTM_HASH);
	if (l->boot_i == (unsigned)__builtin_popcountll(l->next)) {
		l->range.size = l->next;
		l->range.n = l->boot_i;
		l->range_ok = 1;
		try_emit(l, f, now);
	}
}

static void got_issuer(struct log *l, struct fetcher *f, struct req *r,
		       int64_t now)
{
	uint8_t h[CTM_HASH];
	char x[65];
	ctm_hex(r->fp, x);
	l->issuers_dirty = 1;
	SHA256((const uint8_t *)r->body.p, r->body.len, h);
	if (memcmp(h, r->fp, CTM_HASH)) {
		health_fail(l, f, 0, 0, "issuer %s: the body does not hash to it", x);
		return;
	}
	if (++l->tile_issuers > issuers_count(f->issuers) + 1) {
		/* fetched more for the first tile than the cache holds:
		 * it would evict what the tile needs, forever */
		health_fail(l, f, 0, 0, "data tile %llu names more issuers than the "
		     "cache holds (%zu; --issuer-cache)",
		     (unsigned long long)(l->next / CTTILE_WIDTH),
		     issuers_count(f->issuers));
		l->tile_issuers = 0;
		return;
	}
	if (issuers_put(f->issuers, r->fp, r->body.p, r->body.len) < 0) {
		health_fail(l, f, 0, 0, "issuer %s: %zu bytes, over the %zu KiB an "
		     "issuer may have", x, r->body.len, ISSUERS_MAX_ONE >> 10);
		return;
	}
	health_ok(l, f->o, now);
	try_emit(l, f, now);
}

/* What r was for, for messages. */
static const char *what(const struct log *l, const struct req *r, char *buf,
			size_t n)
{
	char x[65];
	switch (r->kind) {
	case R_HEAD: return l->is_static ? "checkpoint" : "get-sth";
	case R_PROOF: return "get-proof-by-hash";
	case R_CONS: return "get-sth-consistency";
	case R_HASHTILE:
		snprintf(buf, n, "hash tile (range at %llu)",
			 (unsigned long long)l->next);
		return buf;
	case R_ISSUER:
		ctm_hex(r->fp, x);
		snprintf(buf, n, "issuer %s", x);
		return buf;
	default:
		if (l->is_static)
			snprintf(buf, n, "data tile %llu",
				 (unsigned long long)(r->chunk->start / CTTILE_WIDTH));
		else
			snprintf(buf, n, "get-entries at %llu",
				 (unsigned long long)r->chunk->start);
		return buf;
	}
}

/* A 404 for a partial tile: it is gone once the log has grown past it,
 * and the full tile is there instead. 1 if so (ask for that). */
static int partial_gone(struct log *l, struct req *r)
{
	if (!l->is_static || r->code != 404)
		return 0;
	if (r->kind == R_DATA && !r->chunk->full_fallback &&
	    static_tile_width(l->sth.size, CTTILE_DATA,
			      r->chunk->start / CTTILE_WIDTH) < CTTILE_WIDTH) {
		r->chunk->full_fallback = 1;
		if (!r->chunk->nreq)
			r->chunk->st = C_QUEUED;
		return 1;
	}
	if (r->kind == R_HASHTILE && !l->ctl_full) {
		int k, level;
		uint64_t idx, n;
		unsigned w;
		hash_item(l, &k, &idx);
		static_hash_tile(k, idx, l->sth.size, &level, &n, &w);
		if (w < CTTILE_WIDTH) {
			l->ctl_full = 1;
			return 1;
		}
	}
	return 0;
}

/* The transfer or the log failed r: back off; its chunk is asked again
 * (unless its other request is still out). */
static void failed_req(struct log *l, struct fetcher *f, struct req *r)
{
	char wb[120];
	const char *w = what(l, r, wb, sizeof wb);
	if (r->kind == R_DATA && !r->chunk->nreq)
		r->chunk->st = C_QUEUED;
	if (r->kind == R_ISSUER)
		l->issuers_dirty = 1;
	if (r->rc != CURLE_OK && r->too_big && r->body_max < (size_t)1 << 20)
		health_fail(l, f, 0, 0, "%s: a response over %zu KiB", w, r->body_max >> 10);
	else if (r->rc != CURLE_OK && r->too_big)
		health_fail(l, f, 0, 0, "%s: a response over %zu MiB", w, r->body_max >> 20);
	else if (r->rc != CURLE_OK)
		health_fail(l, f, 0, 0, "%s: %s", w, curl_easy_strerror(r->rc));
	else if (r->code == 429 || r->code == 503)
		health_fail(l, f, r->retry_after_s, 1, "%s: HTTP %ld%s", w, r->code,
		     r->retry_after_s ? " with Retry-After" : "");
	else
		health_fail(l, f, 0, 0, "%s: HTTP %ld", w, r->code);
}

void log_done(struct log *l, struct fetcher *f, struct req *r, int64_t now)
{
	settle(l, r);
	l->bytes += r->body.len;
	int good = r->rc == CURLE_OK && r->code == 200;
	if (good && r->kind == R_DATA)
		window_latency(l, (double)(ct_now_us() - r->sent_us), now);
	if (l->phase == P_FAILED || l->phase == P_DONE) {
		req_free(l, r, WINDOW_SPARES);
		return;
	}
	if (!good && !partial_gone(l, r)) {
		failed_req(l, f, r);
	} else if (good) {
		switch (r->kind) {
		case R_HEAD: got_head(l, f, r, now); break;
		case R_DATA: got_data(l, f, r, now); break;
		case R_PROOF: got_proof(l, f, r, now); break;
		case R_CONS: got_cons(l, f, r, now); break;
		case R_HASHTILE: got_hash_tile(l, f, r, now); break;
		case R_ISSUER: got_issuer(l, f, r, now); break;
		}
	}
	req_free(l, r, WINDOW_SPARES);
}

/* ---- the log as a whole ------------------------------------------------------ */

void log_start(struct log *l, const struct opts *o, int64_t now)
{
	l->phase = P_HEAD;
	l->ssthresh = (double)o->window;
	l->cwnd = o->window < 2 ? (double)o->window : 2;
	l->cap = o->batch;
	l->cap_said = o->batch;
	l->probing = !l->is_static;
	l->poll_ms = (int64_t)o->poll_min_ms;
	l->rep_ms = now;
	l->started_ms = now;
}

int log_active(const struct log *l)
{
	return l->phase != P_DONE && l->phase != P_FAILED;
}

void log_stop(struct log *l, struct fetcher *f)
{
	while (l->reqs) {
		struct req *r = l->reqs;
		settle(l, r);
		http_cancel(f->http, r);
		req_free(l, r, 0);
	}
	while (l->chunks) {
		struct chunk *c = l->chunks;
		l->chunks = c->next;
		window_chunk_free(l, c, 0);
	}
	l->nchunks = 0;
	l->plan_end = l->next;
	while (l->nspare)
		ctbuf_free(&l->spare[--l->nspare]);
	free(l->spare);
	l->spare = NULL;
}
