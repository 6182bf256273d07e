/* stream: records from standard input to the clients' queues (see
 * stream.h). */
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "b64.h"
#include "client.h"
#include "clock.h"
#include "diag.h"
#include "filters.h"
#include "frame.h"
#include "json.h"
#include "mem.h"
#include "positions.h"

#define POS_MAX CTPOS_FILE_MAX /* logs --positions keeps */

/* Frame a payload once per protocol and queue it for every client of
 * stream st (filtered: not for one whose filter missed this record).
 * Queues are written before the loop sleeps: one writev per client for
 * many messages. */
static void broadcast(struct server *s, enum stream st, const char *pay,
		      size_t n, int filtered)
{
	for (int p = 0; p < NPROTO; p++) {
		if (!s->lists[st][p])
			continue;
		/* framed once per kind, and only for a kind someone gets */
		struct msg *m = NULL, *mz = NULL;
		struct client *next;
		for (struct client *c = s->lists[st][p]; c; c = next) {
			next = c->next; /* c may be dropped */
			if (filtered && c->filter && !c->filter->hit) {
				s->filtered++;
				continue;
			}
			struct msg **slot = c->deflate ? &mz : &m;
			if (!*slot) {
				*slot = c->deflate
					    ? frame_deflate(&s->z,
							    (int)s->o.deflate,
							    pay, n)
					    : frame((enum proto)p, pay, n);
				(*slot)->refs = 1; /* ours while we queue it */
			}
			client_enqueue(s, c, *slot, 0);
		}
		if (m)
			msg_unref(m);
		if (mz)
			msg_unref(mz);
	}
	s->msgs_out[st]++;
	s->unflushed = 1;
}

/* Keep the record in the ring of recent certificates, within
 * --recent records and --recent-bytes bytes: the oldest leave first. A
 * record without both digests, or larger than the byte budget, is not
 * kept and leaves the ring as it was. */
static void remember(struct server *s, const struct rec *rc)
{
	struct ctjson_val h256, h1;
	uint8_t d256[32], d1[20];
	size_t len = rc->len, budget = (size_t)s->o.recent_bytes;
	if (!s->o.recent || len > budget ||
	    ctjson_member(&rc->leaf, "sha256", &h256) != 1 ||
	    ctjson_member(&rc->leaf, "sha1", &h1) != 1 ||
	    h256.type != CTJSON_STRING || h1.type != CTJSON_STRING ||
	    cthex_decode_sep(h256.p, h256.len, ':', d256, 32) < 0 ||
	    cthex_decode_sep(h1.p, h1.len, ':', d1, 20) < 0)
		return;
	struct recent *r = &s->recent[s->recent_next];
	s->recent_held -= r->cap;
	if (len > r->cap) { /* the slot's buffer is reused when it fits */
		free(r->rec);
		r->cap = len + len / 4 <= budget ? len + len / 4 : len;
		r->rec = ct_xmalloc(r->cap);
	}
	memcpy(r->rec, rc->line, len);
	r->len = len;
	memcpy(r->sha256, d256, sizeof d256);
	memcpy(r->sha1, d1, sizeof d1);
	s->recent_held += r->cap;
	s->recent_next = (s->recent_next + 1) % s->o.recent;
	for (size_t k = 0; s->recent_held > budget; k++) {
		size_t at = (s->recent_next + k) % s->o.recent;
		struct recent *old = &s->recent[at];
		if (old == r)
			break;
		s->recent_held -= old->cap;
		free(old->rec);
		old->rec = NULL;
		old->cap = old->len = 0;
	}
}

const struct recent *stream_recent(const struct server *s,
				   const uint8_t *want, size_t len)
{
	for (size_t k = 1; k <= s->o.recent; k++) { /* newest first */
		const struct recent *r =
			&s->recent[(s->recent_next + s->o.recent - k) %
				   s->o.recent];
		if (r->rec &&
		    !memcmp(len == 32 ? r->sha256 : r->sha1, want, len))
			return r;
	}
	return NULL;
}

size_t stream_recent_kept(const struct server *s)
{
	size_t kept = 0;
	for (size_t k = 0; k < s->o.recent; k++)
		kept += s->recent[k].rec != NULL;
	return kept;
}

/* ---- positions (--positions) -------------------------------------------- */

/* Start from the file a previous run left, so positions only grow. A
 * file that is not one is reported and replaced by the next save. */
static void positions_open(struct server *s)
{
	s->pos = ctpos_new(POS_MAX);
	struct ctbuf b = CTBUF_INIT;
	const char *why;
	if (ctafile_read(s->o.positions, 64 << 20, &b) < 0) {
		if (errno != ENOENT)
			ct_warn("%s: cannot read it; starting empty",
				s->o.positions);
	} else if (ctpos_load(s->pos, b.p ? b.p : "", b.len, &why) < 0) {
		ct_warnx("%s: %s; starting empty", s->o.positions, why);
		ctpos_free(s->pos);
		s->pos = ctpos_new(POS_MAX);
	}
	ctbuf_free(&b);
}

/* Write the file now (atomically); -1 if it could not be. */
static int positions_save(struct server *s)
{
	struct ctbuf b = CTBUF_INIT;
	ctpos_save(s->pos, &b);
	int r = ctafile_write(s->o.positions, b.p, b.len);
	ctbuf_free(&b);
	s->pos_saved_ms = ct_now_ms();
	if (r < 0) {
		s->pos_errors++;
		if (!s->pos_failing++) /* once, until it works again */
			ct_warn("%s: cannot write the positions",
				s->o.positions);
		return -1;
	}
	s->pos_saved++;
	s->pos_failing = 0;
	s->pos_dirty = 0;
	return 0;
}

int stream_positions_flush(struct server *s)
{
	return s->pos && s->pos_dirty ? positions_save(s) : 0;
}

/* Save the positions a second after the last save at the most; again in
 * a second while saving fails. */
static int64_t on_positions(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	(void)ev;
	if (stream_positions_flush(s) < 0)
		return 1000;
	s->pos_timer = 0;
	return CTEV_NOMORE;
}

/* The record's data.cert_index for its data.source.url. */
static void positions_note(struct server *s, const struct rec *r)
{
	static const char *const names[] = { "cert_index", "source" };
	struct ctjson_val v[2], url;
	uint64_t index;
	if (ctjson_fields(r->data.p, r->data.len, names, 2, v) < 0 ||
	    ctjson_u64(&v[0], &index) < 0 || v[1].type != CTJSON_OBJECT ||
	    ctjson_member(&v[1], "url", &url) != 1 ||
	    url.type != CTJSON_STRING)
		return;
	const char *key = url.p;
	size_t klen = url.len;
	if (url.escaped) {
		ctbuf_reset(&s->pos_key);
		if (ctjson_unescape(&url, &s->pos_key) < 0)
			return;
		key = s->pos_key.p;
		klen = s->pos_key.len;
	}
	int got = ctpos_note(s->pos, key ? key : "", klen, index);
	if (got < 0 && s->pos_untracked++ == 0)
		ct_warnx("%s: more than %d logs (or a URL over %d bytes): "
			 "the others are not kept", s->o.positions, POS_MAX,
			 CTPOS_MAXKEY);
	s->pos_dirty |= got > 0;
	if (s->pos_dirty && !s->pos_timer) {
		/* at most one write a second */
		int64_t wait = s->pos_saved_ms + 1000 - ct_now_ms();
		s->pos_timer = ctev_timer_add(s->ev, wait, on_positions, s);
	}
}

/* ---- records ------------------------------------------------------------ */

static void one_record(struct server *s, const char *line, size_t len)
{
	s->msgs_in++;
	struct rec r;
	if (rec_parse(&r, line, len) < 0) {
		s->msgs_skipped++;
		return;
	}
	/* example.json shows the latest certificate record, listened or not */
	ctbuf_reset(&s->latest);
	ctbuf_add(&s->latest, line, len);
	remember(s, &r);
	s->last_msg_ms = ct_now_ms();
	filters_run(s->filters, &r.leaf);
	for (int st = 0; st < NSTREAM; st++) {
		if (!clients_count(s, st, -1))
			continue; /* nobody listens: no work */
		if (st == S_FULL)
			broadcast(s, S_FULL, line, len, 1);
		else if (derive(&r, (enum stream)st, &s->work) == 0)
			broadcast(s, (enum stream)st, s->work.p, s->work.len,
				  1);
	}
	if (s->pos)
		positions_note(s, &r);
}

/* The input is over: the last line even without its newline, then the
 * positions at once. */
static void input_ended(struct server *s, ssize_t r)
{
	if (r < 0)
		ct_warn("standard input");
	if (s->line.len)
		one_record(s, s->line.p, s->line.len);
	s->line.len = 0;
	s->stdin_open = 0;
	s->eof_ms = ct_now_ms();
	stream_positions_flush(s);
}

void stream_input(struct server *s)
{
	for (int turn = 0; turn < 16; turn++) {
		char *room = ctbuf_room(&s->line, 65536);
		ssize_t r = read(0, room, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			input_ended(s, r);
			return;
		}
		ctbuf_commit(&s->line, (size_t)r);
		size_t start = 0;
		for (;;) {
			char *nl = memchr(s->line.p + start, '\n',
					  s->line.len - start);
			if (!nl)
				break;
			size_t l = (size_t)(nl - s->line.p) - start;
			one_record(s, s->line.p + start, l);
			start += l + 1;
		}
		memmove(s->line.p, s->line.p + start, s->line.len - start);
		s->line.len -= start;
		if (s->line.len > ((size_t)64 << 20)) {
			ct_warnx("input line longer than 64 MiB, skipped");
			s->line.len = 0;
		}
	}
}

/* ---- heartbeat ---------------------------------------------------------- */

/* A heartbeat message on every stream, a ping to every WebSocket client
 * and a keepalive comment to every SSE client. */
static void heartbeat(struct server *s)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	struct ctbuf b = CTBUF_INIT;
	CTBUF_LIT(&b, "{\"message_type\":\"heartbeat\",\"timestamp\":");
	ctjson_seconds(&b, t.tv_sec, t.tv_nsec);
	ctbuf_addc(&b, '}');
	/* none of them is needed by a client whose queue is full: skipped
	 * like data then, not forced */
	for (int st = 0; st < NSTREAM; st++)
		broadcast(s, (enum stream)st, b.p, b.len, 0);
	ctbuf_free(&b);
	static const char ping[2] = { (char)0x89, 0 };
	static const char keep[] = ": keepalive\n\n";
	struct msg *pm = msg_new(ping, 2), *km = msg_new(keep, sizeof keep - 1);
	pm->refs = km->refs = 1;
	struct client *c, *next;
	for (c = clients_first(s); c; c = next) {
		next = clients_next(s, c);
		if (c->proto != P_TCP)
			client_enqueue(s, c, c->proto == P_WS ? pm : km, 0);
	}
	msg_unref(pm);
	msg_unref(km);
}

static int64_t on_heartbeat(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	int64_t t = ct_now_ms();
	int64_t due = s->last_msg_ms + (int64_t)s->o.heartbeat_ms;
	(void)ev;
	if (t < due)
		return due - t;
	heartbeat(s);
	s->last_msg_ms = t;
	return (int64_t)s->o.heartbeat_ms;
}

void stream_heartbeat_arm(struct server *s)
{
	if (s->hb_timer)
		ctev_timer_del(s->ev, s->hb_timer);
	s->hb_timer = ctev_timer_add(s->ev, 0, on_heartbeat, s);
}

/* ---- life --------------------------------------------------------------- */

void stream_init(struct server *s)
{
	if (s->o.recent)
		s->recent = ct_xcalloc(s->o.recent, sizeof *s->recent);
	if (s->o.positions)
		positions_open(s);
	s->stdin_open = 1;
	s->last_msg_ms = ct_now_ms();
}

void stream_free(struct server *s)
{
	ctpos_free(s->pos);
	ctbuf_free(&s->pos_key);
	ctbuf_free(&s->line);
	ctbuf_free(&s->work);
	ctbuf_free(&s->latest);
	for (size_t k = 0; k < s->o.recent; k++)
		free(s->recent[k].rec);
	free(s->recent);
	deflater_end(&s->z);
}
