/* pub: each line of standard input as one message. With JetStream a
 * line is sent when its PubAck is back: until then it stays in a slot
 * (at most --max-pending of them, so input is read only as fast as the
 * broker takes it), published again after --ack-timeout, after an
 * error answer (with backoff) and after a reconnect, never skipped. The
 * reply subject <inbox>.<slot>.<generation> ties an answer to its slot;
 * an answer for a line already done is ignored. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "ctnats.h"
#include "diag.h"
#include "js.h"
#include "mem.h"
#include "sig.h"

struct slot {
	struct ctbuf frame; /* the HPUB as sent, reply subject included */
	uint32_t gen;
	int busy;
	unsigned tries;
	uint64_t seq; /* order of the lines, for sending again in order */
	int64_t due;  /* publish again then */
	unsigned long lineno;
};

/* A line reader that never blocks: fill after poll said readable. */
struct lines {
	char *buf;
	size_t cap, start, end, max;
	unsigned long lineno;
	int eof, skip;
};

struct pub {
	const struct opts *o;
	struct link link;
	struct slot *slots;
	size_t *freel, nfree, busy;
	uint64_t seq;
	struct lines in;
	struct ctbuf hdr, subj, scratch;
	unsigned long long lines, acked, dups, skipped, resent;
	int64_t progress_at, scan_at, warned_at, stop_at;
	int stopping, failed;
};

/* ---- input ---- */

static int lines_fill(struct lines *l, int fd)
{
	if (l->start == l->end)
		l->start = l->end = 0;
	if (l->start && l->cap - l->end < 65536) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	if (l->cap - l->end < 65536) {
		l->cap = l->cap ? l->cap * 2 : 262144;
		l->buf = ct_xrealloc(l->buf, l->cap);
	}
	for (;;) {
		ssize_t r = read(fd, l->buf + l->end, l->cap - l->end);
		if (r > 0)
			l->end += (size_t)r;
		if (r >= 0 || errno != EINTR || ct_sig_stop) {
			if (r == 0)
				l->eof = 1;
			return r > 0 ? 1 : (int)r;
		}
	}
}

/* 1 a line, 0 none complete now, -2 a line over the limit (skipped). */
static int lines_next(struct lines *l, const char **p, size_t *n)
{
	for (;;) {
		if (l->start == l->end)
			return 0; /* and buf may be NULL yet */
		char *base = l->buf + l->start;
		size_t avail = l->end - l->start;
		char *nl = memchr(base, '\n', avail);
		size_t len = nl ? (size_t)(nl - base) : avail;
		if (l->skip || len > l->max) {
			int first = !l->skip;
			l->start += nl ? len + 1 : avail;
			l->skip = !nl;
			if (first) {
				l->lineno++;
				*n = len;
				return -2;
			}
			if (nl)
				continue;
			return 0;
		}
		if (!nl && !(l->eof && avail))
			return 0;
		*p = base;
		*n = len;
		l->start += nl ? len + 1 : avail;
		l->lineno++;
		return 1;
	}
}

/* ---- slots ---- */

static void init_slots(struct pub *p)
{
	size_t n = p->o->stream ? p->o->max_pending : 0;
	p->slots = ct_xcalloc(n ? n : 1, sizeof *p->slots);
	p->freel = ct_xcalloc(n ? n : 1, sizeof *p->freel);
	for (size_t i = 0; i < n; i++)
		p->freel[p->nfree++] = n - 1 - i;
}

static void free_slots(struct pub *p)
{
	size_t n = p->o->stream ? p->o->max_pending : 0;
	for (size_t i = 0; i < n; i++)
		ctbuf_free(&p->slots[i].frame);
	free(p->slots);
	free(p->freel);
}

static void lost(struct pub *p, const char *err)
{
	link_lost(&p->link, err);
}

static void send_slot(struct pub *p, struct slot *s)
{
	char err[300];
	if (ctnatscl_raw(p->link.cl, s->frame.p, s->frame.len, err,
			 sizeof err) < 0)
		lost(p, err);
}

static void done_slot(struct pub *p, struct slot *s)
{
	s->busy = 0;
	p->busy--;
	p->freel[p->nfree++] = (size_t)(s - p->slots);
	p->progress_at = ct_now_ms();
}

static int by_seq(const void *a, const void *b)
{
	const struct slot *x = *(struct slot *const *)a;
	const struct slot *y = *(struct slot *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* After a reconnect: everything in flight again, in the input's order. */
static void resend_all(struct pub *p)
{
	if (!p->busy)
		return;
	struct slot **v = ct_xcalloc(p->busy, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < p->o->max_pending; i++)
		if (p->slots[i].busy)
			v[k++] = &p->slots[i];
	qsort(v, k, sizeof *v, by_seq);
	int64_t due = ct_now_ms() + (int64_t)p->o->ack_timeout_ms;
	for (size_t i = 0; i < k && ctnatscl_connected(p->link.cl); i++) {
		v[i]->due = due;
		p->resent++;
		send_slot(p, v[i]);
	}
	free(v);
}

/* Publish again what is due (looked at ten times a second at most). */
static void resend_due(struct pub *p, int64_t now)
{
	if (now < p->scan_at || !p->busy)
		return;
	p->scan_at = now + 100;
	for (size_t i = 0; i < p->o->max_pending; i++) {
		struct slot *s = &p->slots[i];
		if (!s->busy || s->due > now || !ctnatscl_connected(p->link.cl))
			continue;
		s->due = now + (int64_t)p->o->ack_timeout_ms;
		s->tries++;
		p->resent++;
		send_slot(p, s);
	}
}

/* ---- lines to messages ---- */

static void publish(struct pub *p, const char *line, size_t n)
{
	const struct opts *o = p->o;
	struct recinfo ri;
	record_info(line, n, &ri);
	ctbuf_reset(&p->subj);
	ctbuf_adds(&p->subj, o->subject);
	if (o->per_log) {
		ctbuf_addc(&p->subj, '.');
		ctbuf_add(&p->subj, ri.log, ri.log_len);
	}
	ctbuf_reset(&p->hdr);
	if (o->stream) {
		ctnats_hdr_begin(&p->hdr);
		ctnats_hdr_add(&p->hdr, "Nats-Msg-Id", ri.id, ri.id_len);
		ctnats_hdr_add(&p->hdr, "Nats-Expected-Stream", o->stream,
			       strlen(o->stream));
		ctnats_hdr_end(&p->hdr);
	}
	size_t mp = ctnatscl_max_payload(p->link.cl);
	if (mp && p->hdr.len + n > mp) {
		ct_warnx("line %lu: %zu bytes, more than the server's "
			 "max_payload (%zu): not published",
			 p->in.lineno, n, mp);
		p->skipped++;
		return;
	}
	char err[300];
	if (!o->stream) {
		if (ctnatscl_pub(p->link.cl, p->subj.p, p->subj.len, NULL, 0,
				 NULL, 0, line, n, err, sizeof err) < 0) {
			p->failed = 1;
			lost(p, err);
		}
		return;
	}
	if (!p->busy)
		p->progress_at = ct_now_ms();
	size_t i = p->freel[--p->nfree];
	struct slot *s = &p->slots[i];
	s->busy = 1;
	s->gen++;
	s->tries = 0;
	s->seq = p->seq++;
	s->lineno = p->in.lineno;
	s->due = ct_now_ms() + (int64_t)o->ack_timeout_ms;
	p->busy++;
	char reply[80];
	int rl = snprintf(reply, sizeof reply, "%s.%zu.%u",
			  ctnatscl_inbox(p->link.cl), i, s->gen);
	ctbuf_reset(&s->frame);
	ctnats_add_pub(&s->frame, p->subj.p, p->subj.len, reply, (size_t)rl,
		       p->hdr.p, p->hdr.len, line, n);
	send_slot(p, s);
}

/* Publish the lines read while there is room for them. */
static void take_lines(struct pub *p)
{
	const char *line;
	size_t n;
	while (!p->stopping && ctnatscl_connected(p->link.cl) &&
	       (!p->o->stream || p->nfree)) {
		int r = lines_next(&p->in, &line, &n);
		if (r == 0)
			return;
		if (r == -2) {
			ct_warnx("line %lu: longer than %zu bytes: not "
				 "published",
				 p->in.lineno, p->in.max);
			p->skipped++;
			continue;
		}
		if (!n)
			continue;
		p->lines++;
		publish(p, line, n);
	}
}

/* ---- answers ---- */

/* One warning in 10 s for errors that repeat while retrying. */
static void warn_retry(struct pub *p, const char *fmt, const char *what,
		       size_t n)
{
	int64_t now = ct_now_ms();
	if (now - p->warned_at < 10000)
		return;
	p->warned_at = now;
	ct_warnx(fmt, (int)(n > 200 ? 200 : n), what);
}

static struct slot *slot_of(struct pub *p, const struct ctnats_str *subj)
{
	const char *inbox = ctnatscl_inbox(p->link.cl);
	size_t il = strlen(inbox);
	if (subj->len <= il + 1 || memcmp(subj->p, inbox, il) ||
	    subj->p[il] != '.')
		return NULL;
	unsigned long long i = 0, g = 0;
	size_t k = il + 1;
	while (k < subj->len && subj->p[k] >= '0' && subj->p[k] <= '9' &&
	       i < 1u << 20)
		i = i * 10 + (unsigned)(subj->p[k++] - '0');
	if (k >= subj->len || subj->p[k++] != '.' || i >= p->o->max_pending)
		return NULL;
	while (k < subj->len && subj->p[k] >= '0' && subj->p[k] <= '9' &&
	       g < 1ULL << 33)
		g = g * 10 + (unsigned)(subj->p[k++] - '0');
	struct slot *s = &p->slots[i];
	return k == subj->len && s->busy && s->gen == g ? s : NULL;
}

static void on_answer(struct pub *p, const struct ctnats_msg *m)
{
	struct slot *s = slot_of(p, &m->subject);
	if (!s)
		return; /* for a line done already */
	int64_t back = 250LL << (s->tries < 5 ? s->tries : 5);
	struct ctnats_str d;
	if (m->hdr.len && ctnats_status(m->hdr.p, m->hdr.len, &d) == 503) {
		warn_retry(p, "no stream takes %.*s (no responders); "
			      "publishing again",
			   p->o->subject, strlen(p->o->subject));
		s->due = ct_now_ms() + back;
		return;
	}
	struct ctjs_puback a;
	int r = ctjs_puback_parse(m->data.p, m->data.len, &a);
	if (r == 0) {
		p->acked++;
		p->dups += a.duplicate != 0;
		done_slot(p, s);
		return;
	}
	if (r == 1)
		warn_retry(p, "publish refused: %.*s; publishing again",
			   (const char *)a.desc.p, a.desc.len);
	else
		warn_retry(p, "not a PubAck: %.*s; publishing again",
			   m->data.p, m->data.len);
	s->due = ct_now_ms() + back;
}

static void read_answers(struct pub *p)
{
	struct ctnats_msg m;
	char err[300];
	int r;
	for (;;) {
		r = ctnatscl_next(p->link.cl, &m, err, sizeof err);
		if (r <= 0)
			break;
		if (m.op == CTNATS_ERR)
			ct_warnx("%s: %.*s", ctnatscl_url(p->link.cl),
				 (int)(m.text.len > 200 ? 200 : m.text.len),
				 m.text.p);
		else if (p->o->stream)
			on_answer(p, &m);
	}
	if (r < 0)
		lost(p, err);
}

/* ---- the loop ---- */

/* Wait for input (when there is room for it), answers, or the next
 * timer; read the input that came. */
static void wait_io(struct pub *p)
{
	struct pollfd fds[2];
	int nf = 0, in = -1;
	char err[300];
	if (ctnatscl_flush(p->link.cl, err, sizeof err) < 0) {
		lost(p, err);
		return;
	}
	if (!p->in.eof && !p->stopping && (!p->o->stream || p->nfree)) {
		in = nf;
		fds[nf++] = (struct pollfd){ 0, POLLIN, 0 };
	}
	int fd;
	short ev;
	int ready = ctnatscl_pollfd(p->link.cl, &fd, &ev);
	fds[nf++] = (struct pollfd){ fd, ev, 0 };
	int64_t now = ct_now_ms(), until = ctnatscl_due(p->link.cl);
	if (p->busy && p->scan_at < until)
		until = p->scan_at > now ? p->scan_at : now + 100;
	if (p->stopping && p->stop_at < until)
		until = p->stop_at;
	int64_t ms = ready ? 0 : until - now;
	int r = poll(fds, (nfds_t)nf, ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms);
	if (r > 0 && in >= 0 && fds[in].revents) {
		if (lines_fill(&p->in, 0) < 0 && errno != EINTR) {
			ct_warn("standard input");
			p->failed = 1;
			p->in.eof = 1;
		}
	}
}

/* Set up the stream: it exists or is created (-1: stopped). */
static int ensure_stream(struct pub *p)
{
	const struct opts *o = p->o;
	struct ctbuf subj = CTBUF_INIT, body = CTBUF_INIT, reply = CTBUF_INIT;
	ctbuf_printf(&subj, "$JS.API.STREAM.INFO.%s", o->stream);
	int r = link_api(&p->link, ctbuf_cstr(&subj), NULL, &reply);
	unsigned code = 0, ec = 0;
	struct ct_bytes d;
	if (r == 0 &&
	    ctjs_api_error(reply.p, reply.len, &code, &ec, &d) == 1 &&
	    code == 404) {
		char wild[512];
		snprintf(wild, sizeof wild, "%s%s", o->subject,
			 o->per_log ? ".*" : "");
		struct ctjs_stream_cfg c = { o->stream, wild, o->replicas,
					     o->max_age_ms, o->max_bytes,
					     o->dup_window_ms };
		ctjs_stream_config(&body, &c);
		ctbuf_reset(&subj);
		ctbuf_printf(&subj, "$JS.API.STREAM.CREATE.%s", o->stream);
		r = link_api(&p->link, ctbuf_cstr(&subj), &body, &reply);
		code = 0;
		/* 10058: another publisher created it meanwhile */
		if (r == 0 &&
		    ctjs_api_error(reply.p, reply.len, &code, &ec, &d) == 1 &&
		    ec != 10058)
			ct_diex(CT_EXIT_RUNTIME, "stream %s: cannot create it: "
						 "%.*s",
				o->stream, (int)(d.len > 200 ? 200 : d.len),
				d.p);
		if (r == 0 && !code && !o->quiet)
			ct_warnx("stream %s created for %s", o->stream, wild);
	} else if (r == 0 && code) {
		ct_diex(CT_EXIT_RUNTIME, "stream %s: %.*s", o->stream,
			(int)(d.len > 200 ? 200 : d.len), d.p);
	}
	ctbuf_free(&subj);
	ctbuf_free(&body);
	ctbuf_free(&reply);
	return r;
}

/* Keep connected: -1 when that ended the run. */
static int keep_up(struct pub *p, int *ensured)
{
	if (ctnatscl_connected(p->link.cl))
		return 0;
	if (link_up(&p->link) < 0)
		return -1;
	size_t mp = ctnatscl_max_payload(p->link.cl);
	p->in.max = mp > ((size_t)1 << 20) ? mp : (size_t)1 << 20;
	if (p->o->stream && !*ensured) {
		if (ensure_stream(p) < 0)
			return -1;
		*ensured = 1;
	}
	resend_all(p);
	return 0;
}

static int run(struct pub *p)
{
	int ensured = 0;
	for (;;) {
		int64_t now = ct_now_ms();
		if (ct_sig_stop && !p->stopping) {
			p->stopping = 1;
			int64_t grace = (int64_t)p->o->ack_timeout_ms;
			p->stop_at = now + (grace > 5000 ? grace : 5000);
		}
		if ((p->in.eof || p->stopping) && !p->busy &&
		    p->in.start == p->in.end)
			break;
		if (p->stopping && (now >= p->stop_at || !p->busy))
			break;
		if (keep_up(p, &ensured) < 0)
			break;
		take_lines(p);
		if (!ctnatscl_connected(p->link.cl))
			continue;
		wait_io(p);
		take_lines(p);
		if (ctnatscl_connected(p->link.cl))
			read_answers(p);
		now = ct_now_ms();
		resend_due(p, now);
		char err[300];
		if (ctnatscl_tick(p->link.cl, now, err, sizeof err) < 0)
			lost(p, err);
		if (p->o->give_up_ms && p->busy &&
		    now - p->progress_at >= (int64_t)p->o->give_up_ms) {
			ct_warnx("no acknowledgement for %.1fs: giving up",
				 (double)(now - p->progress_at) / 1000);
			break;
		}
	}
	return 0;
}

/* Core NATS: what was published reached the server? */
static void core_confirm(struct pub *p)
{
	char err[300];
	if (!ctnatscl_connected(p->link.cl) ||
	    ctnatscl_roundtrip(p->link.cl, (int64_t)p->o->connect_ms, err,
			       sizeof err) < 0) {
		if (ctnatscl_connected(p->link.cl))
			ct_warnx("%s", err);
		p->failed = 1;
	}
}

int pub_main(const struct opts *o)
{
	struct pub p = { 0 };
	p.o = o;
	p.in.max = (size_t)1 << 20;
	init_slots(&p);
	link_init(&p.link, o);
	run(&p);
	int rest = p.in.start != p.in.end || !p.in.eof;
	if (!o->stream && !rest)
		core_confirm(&p);
	if (p.busy)
		ct_warnx("%zu line(s) not acknowledged", p.busy);
	if (!o->quiet && o->stream)
		ct_warnx("%llu line(s): %llu acknowledged (%llu duplicate), "
			 "%llu skipped, %llu published again",
			 p.lines, p.acked, p.dups, p.skipped, p.resent);
	int status = p.busy || p.skipped || p.failed ||
		     (rest && !ct_sig_stop);
	free_slots(&p);
	free(p.in.buf);
	ctbuf_free(&p.hdr);
	ctbuf_free(&p.subj);
	ctbuf_free(&p.scratch);
	link_free(&p.link);
	return status ? CT_EXIT_RUNTIME : CT_EXIT_OK;
}
