/* sub: each message as one line on standard output. With JetStream the
 * messages come from a durable pull consumer, --batch at a time, and
 * each is acknowledged only once write(2) took its line: a message
 * written nowhere is redelivered (after the consumer's ack wait, or at
 * once after a -NAK), never lost. Lines are written when the messages
 * read so far are done, before waiting (with -u: one by one). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "ctnats.h"
#include "diag.h"
#include "io.h"
#include "js.h"
#include "json.h"
#include "sig.h"

#define EXPIRES_MS 30000
#define HEARTBEAT_MS 5000

struct sub {
	const struct opts *o;
	struct link link;
	struct ctout out;
	struct ctbuf acks; /* ack subjects of the lines in out, NUL after each */
	size_t nacks;
	unsigned long long written, redelivered;
	uint64_t sid; /* core NATS */
	struct ctbuf next_subj, body;
	/* the pull request out, if any */
	int pulling;
	unsigned want, got;
	uint64_t pull_id;
	char reply[96];
	size_t reply_len;
	int64_t heard_at;
	int drained, done, failed;
};

/* Acknowledge (or -NAK) every message whose line is written: kept while
 * disconnected, an acknowledgement is good on any connection. */
static void send_acks(struct sub *s, const char *body)
{
	char err[300];
	if (!s->nacks || !ctnatscl_connected(s->link.cl))
		return;
	for (size_t at = 0; at < s->acks.len;) {
		const char *a = s->acks.p + at;
		size_t n = strlen(a);
		if (ctnatscl_pub(s->link.cl, a, n, NULL, 0, NULL, 0, body, 4,
				 err, sizeof err) < 0) {
			link_lost(&s->link, err);
			return;
		}
		at += n + 1;
	}
	ctbuf_reset(&s->acks);
	s->nacks = 0;
}

/* Write the lines out, then acknowledge them; a write error ends it. */
static void deliver(struct sub *s)
{
	if (!s->out.buf.len)
		return;
	if (ctout_flush(&s->out) < 0) {
		errno = s->out.err;
		ct_warn("write error");
		send_acks(s, CTJS_NAK); /* for someone else, at once */
		s->failed = s->done = 1;
		return;
	}
	s->written += s->nacks;
	send_acks(s, CTJS_ACK);
	if (s->o->count && s->written >= s->o->count)
		s->done = 1;
}

/* A message this process will not write: for someone else, at once. */
static void give_back(struct sub *s, const struct ctnats_msg *m)
{
	char err[300];
	if (m->reply.len &&
	    ctnatscl_pub(s->link.cl, m->reply.p, m->reply.len, NULL, 0, NULL, 0,
			 CTJS_NAK, 4, err, sizeof err) < 0)
		link_lost(&s->link, err);
}

static void on_data(struct sub *s, const struct ctnats_msg *m)
{
	if (s->failed ||
	    (s->o->count && s->written + s->nacks >= s->o->count)) {
		give_back(s, m);
		return;
	}
	ctbuf_add(&s->out.buf, m->data.p, m->data.len);
	ctbuf_addc(&s->out.buf, '\n');
	if (s->o->stream) {
		ctbuf_add(&s->acks, m->reply.p, m->reply.len);
		ctbuf_addc(&s->acks, 0);
		struct ctjs_ackinfo a;
		if (ctjs_ack_parse(m->reply.p, m->reply.len, &a) == 0 &&
		    a.delivered > 1)
			s->redelivered++;
	}
	s->nacks++;
	if (s->o->unbuffered || s->out.buf.len >= 65536)
		deliver(s);
}

/* A status message for the pull request out. */
static void on_status(struct sub *s, int code, const struct ctnats_str *d)
{
	s->heard_at = ct_now_ms();
	if (code == 100)
		return; /* idle heartbeat */
	s->pulling = 0;
	if (code == 404)
		s->drained = s->o->drain;
	if (code == 409 && d->len >= 16 &&
	    !memcmp(d->p, "Consumer Deleted", 16)) {
		ct_warnx("consumer %s of stream %s: deleted", s->o->durable,
			 s->o->stream);
		s->failed = s->done = 1;
	} else if (code != 404 && code != 408) {
		ct_warnx("pull from %s: %d %.*s; asking again", s->o->durable,
			 code, (int)(d->len > 100 ? 100 : d->len), d->p);
	}
}

static void on_msg(struct sub *s, const struct ctnats_msg *m)
{
	if (m->op == CTNATS_ERR) {
		ct_warnx("%s: %.*s", ctnatscl_url(s->link.cl),
			 (int)(m->text.len > 200 ? 200 : m->text.len),
			 m->text.p);
		return;
	}
	if (!s->o->stream) {
		if (m->sid == s->sid)
			on_data(s, m);
		return;
	}
	struct ctnats_str d;
	int st = m->hdr.len ? ctnats_status(m->hdr.p, m->hdr.len, &d) : 0;
	if (st > 0) {
		if (m->subject.len == s->reply_len &&
		    !memcmp(m->subject.p, s->reply, s->reply_len))
			on_status(s, st, &d);
		return;
	}
	if (m->reply.len < 8 || memcmp(m->reply.p, "$JS.ACK.", 8))
		return; /* not from the consumer */
	s->heard_at = ct_now_ms();
	if (s->pulling && ++s->got >= s->want)
		s->pulling = 0;
	on_data(s, m);
}

/* Ask for the next batch once the last one is in. */
static void pull(struct sub *s)
{
	const struct opts *o = s->o;
	if (!o->stream || s->pulling || s->done || s->drained ||
	    !ctnatscl_connected(s->link.cl))
		return;
	s->want = o->batch;
	if (o->count) {
		uint64_t left = o->count - s->written - s->nacks;
		if (!left)
			return;
		if (left < s->want)
			s->want = (unsigned)left;
	}
	s->got = 0;
	s->reply_len = (size_t)snprintf(s->reply, sizeof s->reply, "%s.p%llu",
					ctnatscl_inbox(s->link.cl),
					(unsigned long long)++s->pull_id);
	ctbuf_reset(&s->body);
	if (o->drain)
		ctjs_pull(&s->body, s->want, 0, 0, 1);
	else
		ctjs_pull(&s->body, s->want, EXPIRES_MS, HEARTBEAT_MS, 0);
	char err[300];
	if (ctnatscl_pub(s->link.cl, s->next_subj.p, s->next_subj.len,
			 s->reply, s->reply_len, NULL, 0, s->body.p,
			 s->body.len, err, sizeof err) < 0) {
		link_lost(&s->link, err);
		return;
	}
	s->pulling = 1;
	s->heard_at = ct_now_ms();
}

static void read_msgs(struct sub *s)
{
	char err[300];
	struct ctnats_msg m;
	for (int k = 0; k < 10000 && (!s->done || s->failed); k++) {
		int r = ctnatscl_next(s->link.cl, &m, err, sizeof err);
		if (r < 0)
			link_lost(&s->link, err);
		if (r <= 0)
			break;
		on_msg(s, &m);
	}
}

static void wait_io(struct sub *s)
{
	char err[300];
	if (ctnatscl_flush(s->link.cl, err, sizeof err) < 0) {
		link_lost(&s->link, err);
		return;
	}
	int fd;
	short ev;
	int ready = ctnatscl_pollfd(s->link.cl, &fd, &ev);
	int64_t now = ct_now_ms(), until = ctnatscl_due(s->link.cl);
	int64_t stale = s->heard_at + 3 * HEARTBEAT_MS;
	if (s->pulling && stale < until)
		until = stale;
	int64_t ms = ready ? 0 : until - now;
	struct pollfd p = { fd, ev, 0 };
	poll(&p, 1, ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms);
}

/* ---- the consumer ---- */

static void api_die(const char *what, const struct ct_bytes *d)
{
	ct_diex(CT_EXIT_RUNTIME, "%s: %.*s", what,
		(int)(d->len > 200 ? 200 : d->len), d->p);
}

/* Wait until the stream exists (a publisher creates it): -1 stopped. */
static int wait_stream(struct sub *s, struct ctbuf *reply)
{
	char subj[300];
	snprintf(subj, sizeof subj, "$JS.API.STREAM.INFO.%s", s->o->stream);
	for (int said = 0;; said = 1) {
		if (link_api(&s->link, subj, NULL, reply) < 0)
			return -1;
		unsigned code = 0, ec;
		struct ct_bytes d;
		if (ctjs_api_error(reply->p, reply->len, &code, &ec, &d) != 1)
			return 0;
		if (code != 404)
			api_die(s->o->stream, &d);
		if (!said && !s->o->quiet)
			ct_warnx("waiting for stream %s", s->o->stream);
		link_sleep(1000);
		if (ct_sig_stop)
			return -1;
	}
}

/* The filter of an existing durable is the one asked for? */
static void check_filter(const struct sub *s,
			 const struct ctjs_consumer_info *ci)
{
	struct ctbuf f = CTBUF_INIT;
	if (ci->has_filter) {
		struct ctjson_val v = { CTJSON_STRING, (const char *)ci->filter.p,
					ci->filter.len,
					memchr(ci->filter.p, '\\',
					       ci->filter.len) != NULL };
		ctjson_unescape(&v, &f);
	}
	const char *want = s->o->subject ? s->o->subject : "";
	if (strcmp(ctbuf_cstr(&f), want))
		ct_diex(CT_EXIT_RUNTIME, "consumer %s of stream %s takes '%s', "
					 "not '%s': delete it or use another "
					 "--durable",
			s->o->durable, s->o->stream, f.p, want);
	ctbuf_free(&f);
}

static int create_consumer(struct sub *s, uint64_t start, struct ctbuf *reply)
{
	const struct opts *o = s->o;
	struct ctjs_consumer_cfg c = { o->stream, o->durable, o->subject,
				       o->ack_wait_ms, 8 * o->batch,
				       o->deliver_new, start };
	struct ctbuf body = CTBUF_INIT;
	ctjs_consumer_config(&body, &c);
	char subj[600];
	snprintf(subj, sizeof subj, "$JS.API.CONSUMER.DURABLE.CREATE.%s.%s",
		 o->stream, o->durable);
	int r = link_api(&s->link, subj, &body, reply);
	ctbuf_free(&body);
	unsigned code, ec;
	struct ct_bytes d;
	if (r == 0 && ctjs_api_error(reply->p, reply->len, &code, &ec, &d) == 1)
		api_die(o->durable, &d);
	if (r == 0 && !o->quiet)
		ct_warnx("consumer %s of stream %s created%s", o->durable,
			 o->stream, start ? " (rewound)" : "");
	return r;
}

/* The durable consumer exists, takes the subject asked for, and starts
 * --rewind messages back if asked: -1 stopped. */
static int ensure_consumer(struct sub *s)
{
	const struct opts *o = s->o;
	struct ctbuf reply = CTBUF_INIT;
	char subj[600];
	int r = wait_stream(s, &reply);
	snprintf(subj, sizeof subj, "$JS.API.CONSUMER.INFO.%s.%s", o->stream,
		 o->durable);
	if (r == 0)
		r = link_api(&s->link, subj, NULL, &reply);
	struct ctjs_consumer_info ci;
	int info = r == 0 ? ctjs_consumer_info_parse(reply.p, reply.len, &ci)
			  : -2;
	uint64_t start = 0;
	if (info == 0) {
		check_filter(s, &ci);
		if (o->rewind) {
			uint64_t f = ci.ack_floor_stream_seq;
			start = f >= o->rewind ? f - o->rewind + 1 : 1;
			snprintf(subj, sizeof subj,
				 "$JS.API.CONSUMER.DELETE.%s.%s", o->stream,
				 o->durable);
			r = link_api(&s->link, subj, NULL, &reply);
		}
	} else if (info == -1) {
		ct_diex(CT_EXIT_RUNTIME, "consumer %s: not an answer: %.*s",
			o->durable, (int)(reply.len > 200 ? 200 : reply.len),
			reply.p);
	}
	if (r == 0 && (info == 1 || start))
		r = create_consumer(s, start, &reply);
	ctbuf_free(&reply);
	return r;
}

/* ---- the loop ---- */

static int keep_up(struct sub *s, int *ensured)
{
	if (ctnatscl_connected(s->link.cl))
		return 0;
	s->pulling = 0;
	if (link_up(&s->link) < 0)
		return -1;
	if (s->o->stream && !*ensured) {
		if (ensure_consumer(s) < 0)
			return -1;
		*ensured = 1;
	}
	if (!s->o->stream) {
		/* core NATS: what is published from now on is ours once the
		 * server has our SUB; say so when it has (a PING's PONG) */
		char err[300];
		if (ctnatscl_roundtrip(s->link.cl, (int64_t)s->o->connect_ms,
				       err, sizeof err) < 0) {
			link_lost(&s->link, err);
			return 0;
		}
		if (!s->o->quiet)
			ct_warnx("subscribed to %s", s->o->subject);
	}
	send_acks(s, CTJS_ACK); /* written before the connection broke */
	return 0;
}

static void run(struct sub *s)
{
	int ensured = 0;
	while (!s->done && !ct_sig_stop) {
		if (keep_up(s, &ensured) < 0)
			break;
		pull(s);
		wait_io(s);
		read_msgs(s);
		deliver(s);
		if (s->drained && !s->pulling)
			break;
		int64_t now = ct_now_ms();
		char err[300];
		if (ctnatscl_tick(s->link.cl, now, err, sizeof err) < 0)
			link_lost(&s->link, err);
		if (s->pulling && now - s->heard_at >= 3 * HEARTBEAT_MS)
			s->pulling = 0; /* lost with a server or a leader */
	}
	deliver(s);
	/* after a write error, the rest of the batch asked for is given
	 * back too, rather than left to the consumer's ack wait */
	for (int64_t end = ct_now_ms() + 1000;
	     s->failed && s->pulling && ctnatscl_connected(s->link.cl) &&
	     ct_now_ms() < end;) {
		wait_io(s);
		read_msgs(s);
	}
	char err[300];
	if (ctnatscl_connected(s->link.cl) &&
	    ctnatscl_flush(s->link.cl, err, sizeof err) < 0)
		ct_warnx("%s", err);
}

int sub_main(const struct opts *o)
{
	static struct sub s;
	s.o = o;
	ctout_init(&s.out, 1);
	link_init(&s.link, o);
	if (o->stream)
		ctbuf_printf(&s.next_subj, "$JS.API.CONSUMER.MSG.NEXT.%s.%s",
			     o->stream, o->durable);
	else
		s.sid = ctnatscl_sub(s.link.cl, o->subject, o->queue);
	run(&s);
	if (!o->quiet && o->stream)
		ct_warnx("%llu message(s) written (%llu redelivered)",
			 s.written, s.redelivered);
	int status = s.failed || (!ct_sig_stop && !s.done && !s.drained);
	if (s.nacks)
		ct_warnx("%zu message(s) not acknowledged", s.nacks);
	if (close(1) < 0 && !s.failed) {
		ct_warn("write error");
		status = 1;
	}
	ctout_free(&s.out);
	ctbuf_free(&s.acks);
	ctbuf_free(&s.next_subj);
	ctbuf_free(&s.body);
	link_free(&s.link);
	return status ? CT_EXIT_RUNTIME : CT_EXIT_OK;
}
