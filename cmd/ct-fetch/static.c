/* ct-fetch for static-ct-api logs: the checkpoint, data tiles (partial
 * ones, with the full tile as fallback), issuers through a bounded cache
 * shared by all logs, and the compact range of a mid-log start read off
 * the hash tiles. Tile leaves leave as the same entry records as RFC
 * 6962 entries: leaf_input = 00 00 || TimestampedEntry, extra_data = the
 * chain, issuers in place of their fingerprints. */
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "b64.h"
#include "diag.h"
#include "fetch.h"
#include "issuers.h"
#include "leaf.h"
#include "mem.h"
#include "tile.h"

#define TILE_MAX ((size_t)64 << 20)

static struct issuers *ic;

void issuers_init(size_t max)
{
	ic = issuers_new(max, ISSUERS_MAX_BYTES);
}

void issuers_done(void)
{
	issuers_free(ic);
	ic = NULL;
}

/* ---- requests ------------------------------------------------------------ */

/* The i-th subtree (largest first) of the compact range of [0, s). */
static void boot_item(uint64_t s, unsigned i, int *k, uint64_t *idx)
{
	uint64_t start = 0;
	*idx = 0;
	for (int b = 63; b >= 0; b--) {
		if (!(s >> b & 1))
			continue;
		if (i-- == 0) {
			*k = b;
			*idx = start >> b;
			return;
		}
		start += (uint64_t)1 << b;
	}
	*k = -1;
}

/* The i-th subtree of the aligned split of [a, b), largest that fits
 * at each step; *k = -1 past the end. */
static void tail_item(uint64_t a, uint64_t b, unsigned i, int *k, uint64_t *idx)
{
	uint64_t p = a;
	*k = -1;
	*idx = 0;
	while (p < b) {
		int lv = p ? __builtin_ctzll(p) : 63;
		while (lv > 0 && (((uint64_t)1 << lv) > b - p))
			lv--;
		if (i-- == 0) {
			*k = lv;
			*idx = p >> lv;
			return;
		}
		p += (uint64_t)1 << lv;
	}
}

void static_tail(struct log *l)
{
	l->tail = l->range;
	l->boot_i = 0;
	l->full_fallback = 0;
	l->step = S_TAILTILE;
}

/* Width of tile n at level (CTTILE_DATA for data) in a tree of size. */
static unsigned tile_width(uint64_t size, int level, uint64_t n)
{
	int h = level == CTTILE_DATA ? 0 : 8 * level;
	uint64_t have = h >= 64 ? 0 : size >> h;
	uint64_t first = n * CTTILE_WIDTH;
	if (have <= first)
		return 0;
	return have - first >= CTTILE_WIDTH ? CTTILE_WIDTH : (unsigned)(have - first);
}

void static_url(struct log *l, struct ctbuf *url)
{
	ctbuf_printf(url, "%s/", l->url);
	if (l->phase == P_STH) {
		CTBUF_LIT(url, "checkpoint");
		return;
	}
	if (l->step == S_DATA && !l->range_ok && !l->unverifiable && l->next > 0) {
		l->step = S_HASHTILE; /* mid-log: the range first */
		l->boot_i = 0;
		l->range.n = 0;
		l->full_fallback = 0;
	}
	if (l->step == S_ISSUER) {
		l->body_max = ISSUERS_MAX_ONE;
		CTBUF_LIT(url, "issuer/");
		cthex_lower(url, l->want_fp, CTM_HASH);
		return;
	}
	l->body_max = TILE_MAX;
	if (l->step == S_HASHTILE || l->step == S_TAILTILE) {
		int k;
		uint64_t idx;
		if (l->step == S_HASHTILE)
			boot_item(l->next, l->boot_i, &k, &idx);
		else
			tail_item(l->next, l->sth.size, l->boot_i, &k, &idx);
		int level = k / 8;
		uint64_t j0 = idx << (k % 8);
		l->tile_n = j0 / CTTILE_WIDTH;
		l->tile_w = tile_width(l->sth.size, level, l->tile_n);
		cttile_path(url, level, l->tile_n, l->full_fallback ? 0 : l->tile_w);
		return;
	}
	l->tile_n = l->next / CTTILE_WIDTH;
	l->tile_w = tile_width(l->sth.size, CTTILE_DATA, l->tile_n);
	cttile_path(url, CTTILE_DATA, l->tile_n, l->full_fallback ? 0 : l->tile_w);
}

/* A body that is still gzip (no Content-Encoding header): inflate it,
 * within the tile cap. 0 ok, -1 with *err. */
static int maybe_gunzip(struct ctbuf *b, const char **err)
{
	if (b->len < 2 || (uint8_t)b->p[0] != 0x1f || (uint8_t)b->p[1] != 0x8b)
		return 0;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 31) != Z_OK) {
		*err = "cannot inflate";
		return -1;
	}
	struct ctbuf out = CTBUF_INIT;
	z.next_in = (Bytef *)b->p;
	z.avail_in = (uInt)b->len;
	int r;
	do {
		size_t room = 1 << 20;
		if (out.len + room > TILE_MAX) {
			r = Z_BUF_ERROR;
			*err = "gzip body over 64 MiB";
			break;
		}
		z.next_out = (Bytef *)ctbuf_room(&out, room);
		z.avail_out = (uInt)room;
		r = inflate(&z, Z_NO_FLUSH);
		ctbuf_commit(&out, room - z.avail_out);
		*err = "corrupt gzip body";
	} while (r == Z_OK);
	inflateEnd(&z);
	if (r != Z_STREAM_END || z.avail_in) {
		ctbuf_free(&out);
		return -1;
	}
	ctbuf_free(b);
	*b = out;
	return 0;
}

/* ---- responses ------------------------------------------------------------ */

static void got_checkpoint(struct log *l, const struct opts *o)
{
	struct ctsth s;
	const char *err;
	if (ctsth_parse_checkpoint(l->body.p, l->body.len, l->origin, l->log_id,
				   &s, &err) < 0) {
		failed(l, o, 0, "checkpoint: %s", err);
		return;
	}
	new_head(l, o, &s);
}

static void got_hash_tile(struct log *l, const struct opts *o)
{
	int k;
	uint64_t idx;
	int tail = l->step == S_TAILTILE;
	if (tail)
		tail_item(l->next, l->sth.size, l->boot_i, &k, &idx);
	else
		boot_item(l->next, l->boot_i, &k, &idx);
	unsigned want = l->full_fallback ? CTTILE_WIDTH : l->tile_w;
	if (l->body.len != (size_t)want * CTM_HASH) {
		failed(l, o, 0, "hash tile %d/%llu: %zu bytes, not %u hashes", k / 8,
		       (unsigned long long)l->tile_n, l->body.len, want);
		return;
	}
	succeeded(l, o);
	unsigned r = (unsigned)(k % 8), off = (unsigned)((idx << r) % CTTILE_WIDTH);
	uint8_t h[128][CTM_HASH];
	memcpy(h, l->body.p + (size_t)off * CTM_HASH, ((size_t)1 << r) * CTM_HASH);
	for (unsigned w = 1u << r; w > 1; w /= 2)
		for (unsigned i = 0; i < w / 2; i++)
			ctm_node_hash(h[2 * i], h[2 * i + 1], h[i]);
	l->boot_i++;
	l->full_fallback = 0;
	if (tail) {
		ctm_range_append_node(&l->tail, h[0], (unsigned)k);
		if (l->tail.size < l->sth.size)
			return;
		uint8_t root[CTM_HASH];
		ctm_range_root(&l->tail, root);
		if (memcmp(root, l->sth.root, CTM_HASH)) {
			char a[65];
			ctm_hex(root, a);
			l->mismatches++;
			ct_warnx("%s: MERKLE MISMATCH: the entries up to %llu and the log's "
				 "hash tiles give root %s at size %llu, not the signed one "
				 "(entries written, not trusted)", l->name,
				 (unsigned long long)l->next, a, (unsigned long long)l->sth.size);
		} else {
			ctm_range_root(&l->range, root);
			l->has_verified = 1;
			l->verified_size = l->next;
			memcpy(l->verified_root, root, CTM_HASH);
		}
		reached_target(l, o);
		return;
	}
	memcpy(l->range.h[l->boot_i - 1], h[0], CTM_HASH);
	if (l->boot_i == (unsigned)__builtin_popcountll(l->next)) {
		l->range.size = l->next;
		l->range.n = l->boot_i;
		l->range_ok = 1;
		l->step = S_DATA;
	}
}

/* Decode the held data tile; emit its entries from next once every
 * issuer they name is at hand (else fetch the first missing one). */
static void use_tile(struct log *l, const struct opts *o, struct ctout *out)
{
	static struct cttileleaf tl[CTTILE_WIDTH];
	const uint8_t *p = (const uint8_t *)l->held.p;
	size_t len = l->held.len, off = 0, n = 0;
	unsigned want = l->full_fallback ? CTTILE_WIDTH : l->tile_w;
	const char *err = NULL;
	while (off < len) {
		if (n == CTTILE_WIDTH) {
			err = "more than 256 leaves";
			break;
		}
		long used = ctleaf_tile_next(p + off, len - off, &tl[n], &err);
		if (used < 0)
			break;
		off += (size_t)used;
		n++;
		err = NULL;
	}
	if (!err && n != want) {
		failed(l, o, 0, "data tile %llu: %zu leaves, not %u",
		       (unsigned long long)l->tile_n, n, want);
		ctbuf_reset(&l->held);
		l->step = S_DATA;
		return;
	}
	if (err) {
		failed(l, o, 0, "data tile %llu: leaf %zu: %s",
		       (unsigned long long)l->tile_n, n, err);
		ctbuf_reset(&l->held);
		l->step = S_DATA;
		return;
	}
	uint64_t base = l->tile_n * CTTILE_WIDTH;
	size_t first = (size_t)(l->next - base);
	size_t last = l->target - base < n ? (size_t)(l->target - base) : n;
	struct ct_bytes der;
	for (size_t i = first; i < last; i++)
		for (size_t f = 0; f < tl[i].nfp; f++)
			if (!issuers_get(ic, tl[i].fp + 32 * f, &der)) {
				memcpy(l->want_fp, tl[i].fp + 32 * f, CTM_HASH);
				l->step = S_ISSUER;
				return;
			}
	/* Every issuer is at hand (each lookup above made it recent, so
	 * none is evicted before it is used below). */
	l->tile_issuers = 0;
	struct ctbuf li = CTBUF_INIT, ex = CTBUF_INIT, lb = CTBUF_INIT, eb = CTBUF_INIT;
	for (size_t i = first; i < last; i++) {
		ctbuf_reset(&li);
		ctbuf_reset(&ex);
		ctbuf_reset(&lb);
		ctbuf_reset(&eb);
		ctleaf_tile_leaf_input(&li, &tl[i]);
		struct ctchain c = { .pre_cert = tl[i].pre_cert, .n = tl[i].nfp };
		for (size_t f = 0; f < tl[i].nfp; f++)
			issuers_get(ic, tl[i].fp + 32 * f, &c.certs[f]);
		if (ctleaf_encode_extra(&ex, tl[i].leaf.entry_type, &c, &err) < 0) {
			/* cannot happen with issuers under ISSUERS_MAX_ONE:
			 * 16 of them fit 24 bits; never written malformed */
			ct_diex(CT_EXIT_RUNTIME, "%s: entry %llu: %s", l->name,
				(unsigned long long)l->next, err);
		}
		uint8_t h[CTM_HASH];
		ctm_leaf_hash(li.p, li.len, h);
		ctb64_encode(&lb, li.p, li.len);
		ctb64_encode(&eb, ex.p, ex.len);
		emit(l, out, lb.p, lb.len, eb.p, eb.len, h);
	}
	ctbuf_free(&li);
	ctbuf_free(&ex);
	ctbuf_free(&lb);
	ctbuf_free(&eb);
	ctbuf_reset(&l->held);
	l->full_fallback = 0;
	l->step = S_DATA;
	if (l->next >= l->target)
		reached_target(l, o);
}

static void got_issuer(struct log *l, const struct opts *o, struct ctout *out)
{
	uint8_t h[CTM_HASH];
	char x[65];
	ctm_hex(l->want_fp, x);
	SHA256((const uint8_t *)l->body.p, l->body.len, h);
	if (memcmp(h, l->want_fp, CTM_HASH)) {
		failed(l, o, 0, "issuer %s: the body does not hash to it", x);
		return;
	}
	if (++l->tile_issuers > issuers_count(ic) + 1) {
		/* fetched more for this tile than the cache holds: it
		 * would evict what the tile needs, forever */
		failed(l, o, 0, "data tile %llu names more issuers than the "
		       "cache holds (%zu; --issuer-cache)",
		       (unsigned long long)l->tile_n, issuers_count(ic));
		l->tile_issuers = 0;
		return;
	}
	if (issuers_put(ic, l->want_fp, l->body.p, l->body.len) < 0) {
		failed(l, o, 0, "issuer %s: %zu bytes, over the %zu KiB an "
		       "issuer may have", x, l->body.len, ISSUERS_MAX_ONE >> 10);
		return;
	}
	succeeded(l, o);
	use_tile(l, o, out);
}

void static_done(struct log *l, const struct opts *o, struct ctout *out,
		 long code)
{
	int partial = l->tile_w < CTTILE_WIDTH && !l->full_fallback;
	if (code == 404 && partial &&
	    (l->step == S_DATA || l->step == S_HASHTILE || l->step == S_TAILTILE) &&
	    l->phase == P_ENTRIES) {
		/* the partial tile is gone: the full one must be there */
		l->full_fallback = 1;
		return;
	}
	if (code != 200) {
		if (l->phase == P_STH)
			failed(l, o, 0, "checkpoint: HTTP %ld", code);
		else if (l->step == S_ISSUER) {
			char x[65];
			ctm_hex(l->want_fp, x);
			failed(l, o, 0, "issuer %s: HTTP %ld", x, code);
		} else {
			failed(l, o, 0, "%s tile %llu: HTTP %ld",
			       l->step == S_DATA ? "data" : "hash",
			       (unsigned long long)l->tile_n, code);
		}
		return;
	}
	if (l->phase == P_STH) {
		got_checkpoint(l, o);
		return;
	}
	const char *err;
	switch (l->step) {
	case S_HASHTILE:
	case S_TAILTILE:
		got_hash_tile(l, o);
		break;
	case S_ISSUER:
		got_issuer(l, o, out);
		break;
	default:
		if (maybe_gunzip(&l->body, &err) < 0) {
			failed(l, o, 0, "data tile %llu: %s", (unsigned long long)l->tile_n, err);
			return;
		}
		succeeded(l, o);
		l->tile_issuers = 0;
		struct ctbuf t = l->held;
		l->held = l->body;
		l->body = t;
		use_tile(l, o, out);
	}
}
