/* natscl: a NATS client connection (see natscl.h). The read buffer holds
 * at most one message beyond what was parsed, so its size is bounded by
 * max_msg; the write queue by what the caller queues between flushes. */
#include "natscl.h"

#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conn.h"
#include "json.h"
#include "mem.h"
#include "sig.h"

#define MAX_SERVERS 32
#define READ_ROOM 65536
#define QUEUE_FLUSH (256 * 1024)
#define INBOX_SID 1

struct sub {
	char *subject, *queue;
	uint64_t sid;
};

struct ctnatscl {
	struct ctnats_url srv[MAX_SERVERS];
	size_t nsrv, next, since_ok;
	char *name, *token, *user, *pass, *cafile;
	int64_t timeout_ms, ping_ms;
	size_t max_msg, in_limit;
	SSL_CTX *tls;
	struct ctconn *conn;
	char url[300];
	char inbox[40];
	char *in;
	size_t in_cap, in_start, in_end;
	struct ctbuf out;
	struct sub *subs;
	size_t nsubs;
	uint64_t next_sid, next_req;
	size_t max_payload;
	int64_t last_ping;
	int pings_out;
	uint64_t pongs;
};

static char *dup_or_null(const char *s)
{
	return s ? ct_xstrdup(s) : NULL;
}

static int same_server(const struct ctnats_url *a, const struct ctnats_url *b)
{
	return a->port == b->port && !strcmp(a->host, b->host);
}

static void add_server(struct ctnatscl *c, const struct ctnats_url *u)
{
	for (size_t i = 0; i < c->nsrv; i++)
		if (same_server(&c->srv[i], u))
			return;
	if (c->nsrv < MAX_SERVERS)
		c->srv[c->nsrv++] = *u;
}

struct ctnatscl *ctnatscl_new(const struct ctnatscl_opts *o, char *err,
			      size_t errlen)
{
	struct ctnatscl *c = ct_xcalloc(1, sizeof *c);
	const char *s = o->servers;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		struct ctnats_url u;
		char why[120];
		if (ctnats_url_parse(s, n, &u, why, sizeof why) < 0) {
			snprintf(err, errlen, "'%.*s': %s", (int)(n > 200 ? 200 : n),
				 s, why);
			ctnatscl_free(c);
			return NULL;
		}
		add_server(c, &u);
		s += n + (e != NULL);
	}
	if (!c->nsrv) {
		snprintf(err, errlen, "no server");
		ctnatscl_free(c);
		return NULL;
	}
	c->name = ct_xstrdup(o->name ? o->name : "ctstream");
	c->token = dup_or_null(o->token);
	c->user = dup_or_null(o->user);
	c->pass = dup_or_null(o->pass);
	c->cafile = dup_or_null(o->cafile);
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
	c->ping_ms = o->ping_ms > 0 ? o->ping_ms : 30000;
	c->max_msg = o->max_msg ? o->max_msg : (size_t)64 << 20;
	c->in_limit = c->max_msg + CTNATS_MAX_CONTROL + 2;
	c->next_sid = INBOX_SID + 1;
	unsigned char r[12];
	if (RAND_bytes(r, sizeof r) != 1)
		for (size_t i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)(ct_now_us() >> (i % 8 * 8)) ^
			       (unsigned char)i;
	memcpy(c->inbox, "_INBOX.", 7);
	for (size_t i = 0; i < sizeof r; i++) {
		c->inbox[7 + 2 * i] = "0123456789abcdef"[r[i] >> 4];
		c->inbox[8 + 2 * i] = "0123456789abcdef"[r[i] & 15];
	}
	c->inbox[7 + 2 * sizeof r] = 0;
	return c;
}

void ctnatscl_disconnect(struct ctnatscl *c)
{
	ctconn_close(c->conn);
	c->conn = NULL;
	c->in_start = c->in_end = 0;
	ctbuf_reset(&c->out);
	c->pings_out = 0;
}

void ctnatscl_free(struct ctnatscl *c)
{
	if (!c)
		return;
	ctnatscl_disconnect(c);
	if (c->tls)
		SSL_CTX_free(c->tls);
	for (size_t i = 0; i < c->nsubs; i++) {
		free(c->subs[i].subject);
		free(c->subs[i].queue);
	}
	free(c->subs);
	free(c->in);
	ctbuf_free(&c->out);
	free(c->name);
	free(c->token);
	free(c->user);
	free(c->pass);
	free(c->cafile);
	free(c);
}

int ctnatscl_connected(const struct ctnatscl *c)
{
	return c->conn != NULL;
}

const char *ctnatscl_url(const struct ctnatscl *c)
{
	return c->url;
}

size_t ctnatscl_max_payload(const struct ctnatscl *c)
{
	return c->max_payload;
}

const char *ctnatscl_inbox(const struct ctnatscl *c)
{
	return c->inbox;
}

size_t ctnatscl_queued(const struct ctnatscl *c)
{
	return c->out.len;
}

/* Drop the connection after a failure; err already says why. */
static int fail(struct ctnatscl *c)
{
	ctnatscl_disconnect(c);
	return -1;
}

/* Read once without waiting: > 0 bytes read, 0 nothing there, -1 the
 * connection ended or failed (err). */
static long fill(struct ctnatscl *c, char *err, size_t errlen)
{
	if (c->in_start == c->in_end)
		c->in_start = c->in_end = 0;
	if (c->in_cap - c->in_end < READ_ROOM && c->in_start) {
		memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
		c->in_end -= c->in_start;
		c->in_start = 0;
	}
	if (c->in_cap - c->in_end < READ_ROOM && c->in_cap < c->in_limit) {
		size_t n = c->in_cap ? c->in_cap * 2 : 2 * READ_ROOM;
		if (n > c->in_limit)
			n = c->in_limit;
		c->in = ct_xrealloc(c->in, n);
		c->in_cap = n;
	}
	char e[160];
	long r = ctconn_read(c->conn, c->in + c->in_end, c->in_cap - c->in_end,
			     e, sizeof e);
	if (r > 0)
		c->in_end += (size_t)r;
	else if (r == 0)
		snprintf(err, errlen, "%s: connection closed by the server",
			 c->url);
	else if (r == -1)
		snprintf(err, errlen, "%s: %s", c->url, e);
	return r == -2 ? 0 : r > 0 ? r : -1;
}

/* Parse one message from the buffer: 1 with *m, 0 need more, -1 not
 * the protocol or over a limit (err). */
static int take(struct ctnatscl *c, struct ctnats_msg *m, char *err,
		size_t errlen)
{
	size_t avail = c->in_end - c->in_start;
	int r = ctnats_parse(c->in + c->in_start, avail, m);
	if (r > 0) {
		c->in_start += (size_t)r;
		return 1;
	}
	if (r == -1) {
		snprintf(err, errlen, "%s: protocol error: %s", c->url,
			 m->error);
		return -1;
	}
	if (m->need > c->in_limit) {
		snprintf(err, errlen, "%s: a message of %zu bytes, more than "
				      "the %zu allowed",
			 c->url, m->need, c->max_msg);
		return -1;
	}
	if (!m->need && avail > CTNATS_MAX_CONTROL + 2) {
		snprintf(err, errlen, "%s: protocol error: control line "
				      "longer than %d bytes",
			 c->url, CTNATS_MAX_CONTROL);
		return -1;
	}
	return 0;
}

/* The next message whatever it is, waiting until deadline (handshake). */
static int wait_msg(struct ctnatscl *c, int64_t deadline,
		    struct ctnats_msg *m, const char *what, char *err,
		    size_t errlen)
{
	for (;;) {
		int r = take(c, m, err, errlen);
		if (r)
			return r;
		int w = ctconn_wait(c->conn, deadline);
		if (w <= 0) {
			snprintf(err, errlen, "%s: %s waiting for %s", c->url,
				 w < 0 ? "interrupted" : "timed out", what);
			return -1;
		}
		if (fill(c, err, errlen) < 0)
			return -1;
	}
}

/* INFO: the limits, and the servers of the cluster it announces. */
static void on_info(struct ctnatscl *c, const struct ctnats_str *t,
		    int *tls_required, int *headers)
{
	static const char *const names[] = { "max_payload", "tls_required",
					     "headers", "connect_urls" };
	struct ctjson_val v[4];
	if (ctjson_fields(t->p, t->len, names, 4, v) < 0)
		return;
	uint64_t mp;
	if (ctjson_u64(&v[0], &mp) == 0 && mp)
		c->max_payload = (size_t)mp;
	if (tls_required)
		*tls_required = v[1].type == CTJSON_TRUE;
	if (headers)
		*headers = v[2].type == CTJSON_TRUE;
	if (v[3].type != CTJSON_ARRAY)
		return;
	const struct ctnats_url *from = &c->srv[(c->next + c->nsrv - 1) %
						c->nsrv];
	struct ctjson_iter it;
	struct ctjson_val k, s;
	ctjson_iter_init(&it, &v[3]);
	while (ctjson_next(&it, &k, &s) > 0) {
		struct ctnats_url u;
		char why[80];
		if (s.type != CTJSON_STRING || s.escaped ||
		    ctnats_url_parse(s.p, s.len, &u, why, sizeof why) < 0)
			continue;
		u.tls = from->tls;
		memcpy(u.user, from->user, sizeof u.user);
		memcpy(u.pass, from->pass, sizeof u.pass);
		u.has_user = from->has_user;
		u.has_pass = from->has_pass;
		add_server(c, &u);
	}
}

static void send_subs(struct ctnatscl *c)
{
	char inbox[sizeof c->inbox + 2];
	snprintf(inbox, sizeof inbox, "%s.>", c->inbox);
	ctnats_add_sub(&c->out, inbox, NULL, INBOX_SID);
	for (size_t i = 0; i < c->nsubs; i++)
		ctnats_add_sub(&c->out, c->subs[i].subject, c->subs[i].queue,
			       c->subs[i].sid);
}

/* After TCP: INFO, TLS, CONNECT, PING until PONG, subscriptions. */
static int handshake(struct ctnatscl *c, const struct ctnats_url *u,
		     int64_t deadline, char *err, size_t errlen)
{
	struct ctnats_msg m;
	if (wait_msg(c, deadline, &m, "INFO", err, errlen) < 0)
		return -1;
	if (m.op != CTNATS_INFO) {
		snprintf(err, errlen, "%s: not a NATS server (no INFO)", c->url);
		return -1;
	}
	int tls_required = 0, headers = 0;
	on_info(c, &m.text, &tls_required, &headers);
	if (!headers) {
		snprintf(err, errlen, "%s: the server does not support "
				      "headers (NATS 2.2 or later needed)",
			 c->url);
		return -1;
	}
	if (u->tls || tls_required) {
		char e[200];
		if (!c->tls)
			c->tls = ctconn_tls_context(c->cafile, e, sizeof e);
		if (!c->tls || ctconn_starttls(c->conn, c->tls, u->host,
					       deadline, e, sizeof e) < 0) {
			snprintf(err, errlen, "%s: %s", c->url, e);
			return -1;
		}
	}
	/* a URL's own credentials first: user:password, or a token alone */
	const char *tok = c->token, *user = c->user, *pass = c->pass;
	if (u->has_user) {
		tok = u->has_pass ? NULL : u->user;
		user = u->has_pass ? u->user : NULL;
		pass = u->has_pass ? u->pass : NULL;
	}
	ctnats_add_connect(&c->out, c->name, u->tls || tls_required, tok,
			   user, pass);
	CTBUF_LIT(&c->out, "PING\r\n");
	if (ctnatscl_flush(c, err, errlen) < 0)
		return -1;
	for (;;) {
		if (wait_msg(c, deadline, &m, "PONG", err, errlen) < 0)
			return -1;
		if (m.op == CTNATS_PONG)
			break;
		if (m.op == CTNATS_ERR) {
			snprintf(err, errlen, "%s: %.*s", c->url,
				 (int)(m.text.len > 200 ? 200 : m.text.len),
				 m.text.p);
			return -1;
		}
		if (m.op == CTNATS_INFO)
			on_info(c, &m.text, NULL, NULL);
		if (m.op == CTNATS_PING)
			CTBUF_LIT(&c->out, "PONG\r\n");
	}
	send_subs(c);
	return ctnatscl_flush(c, err, errlen);
}

static void url_text(struct ctnatscl *c, const struct ctnats_url *u)
{
	int v6 = strchr(u->host, ':') != NULL;
	snprintf(c->url, sizeof c->url, "%s://%s%s%s:%u",
		 u->tls ? "tls" : "nats", v6 ? "[" : "", u->host, v6 ? "]" : "",
		 u->port);
}

int ctnatscl_connect(struct ctnatscl *c, int *wrapped, char *err,
		     size_t errlen)
{
	ctnatscl_disconnect(c);
	if (c->next >= c->nsrv)
		c->next = 0;
	if (c->since_ok >= c->nsrv) {
		c->since_ok = 0;
		if (wrapped)
			*wrapped = 1;
	}
	c->since_ok++;
	struct ctnats_url u = c->srv[c->next++];
	url_text(c, &u);
	int64_t deadline = ct_now_ms() + c->timeout_ms;
	char e[200];
	if (ctconn_open(u.host, u.port, NULL, deadline, &c->conn, e,
			sizeof e) < 0) {
		c->conn = NULL;
		snprintf(err, errlen, "%s: %s", c->url, e);
		return -1;
	}
	if (handshake(c, &u, deadline, err, errlen) < 0)
		return fail(c);
	c->since_ok = 0;
	c->last_ping = ct_now_ms();
	c->pings_out = 0;
	return 0;
}

uint64_t ctnatscl_sub(struct ctnatscl *c, const char *subject,
		      const char *queue)
{
	c->subs = ct_xrealloc(c->subs, (c->nsubs + 1) * sizeof *c->subs);
	struct sub *s = &c->subs[c->nsubs++];
	s->subject = ct_xstrdup(subject);
	s->queue = dup_or_null(queue);
	s->sid = c->next_sid++;
	if (c->conn)
		ctnats_add_sub(&c->out, s->subject, s->queue, s->sid);
	return s->sid;
}

int ctnatscl_pub(struct ctnatscl *c, const char *subject, size_t subject_len,
		 const char *reply, size_t reply_len, const char *hdr,
		 size_t hdr_len, const void *data, size_t data_len,
		 char *err, size_t errlen)
{
	if (!c->conn)
		return 0;
	ctnats_add_pub(&c->out, subject, subject_len, reply, reply_len, hdr,
		       hdr_len, data, data_len);
	if (c->out.len >= QUEUE_FLUSH)
		return ctnatscl_flush(c, err, errlen);
	return 0;
}

int ctnatscl_raw(struct ctnatscl *c, const void *p, size_t n, char *err,
		 size_t errlen)
{
	if (!c->conn)
		return 0;
	ctbuf_add(&c->out, p, n);
	if (c->out.len >= QUEUE_FLUSH)
		return ctnatscl_flush(c, err, errlen);
	return 0;
}

int ctnatscl_flush(struct ctnatscl *c, char *err, size_t errlen)
{
	if (!c->conn) {
		snprintf(err, errlen, "%s: not connected", c->url);
		return -1;
	}
	if (!c->out.len)
		return 0;
	char e[160];
	if (ctconn_write(c->conn, c->out.p, c->out.len,
			 ct_now_ms() + c->timeout_ms, e, sizeof e) < 0) {
		snprintf(err, errlen, "%s: %s", c->url, e);
		return fail(c);
	}
	ctbuf_reset(&c->out);
	return 0;
}

int ctnatscl_pollfd(struct ctnatscl *c, int *fd, short *events)
{
	if (!c->conn)
		return -1;
	int ready = ctconn_pollfd(c->conn, fd, events);
	struct ctnats_msg m;
	if (!ready && c->in_start < c->in_end &&
	    ctnats_parse(c->in + c->in_start, c->in_end - c->in_start, &m) !=
		    -2)
		ready = 1;
	return ready;
}

int ctnatscl_next(struct ctnatscl *c, struct ctnats_msg *m, char *err,
		  size_t errlen)
{
	if (!c->conn) {
		snprintf(err, errlen, "%s: not connected", c->url);
		return -1;
	}
	for (;;) {
		int r = take(c, m, err, errlen);
		if (r < 0)
			return fail(c);
		if (r == 0) {
			long f = fill(c, err, errlen);
			if (f < 0)
				return fail(c);
			if (f == 0)
				return 0;
			continue;
		}
		switch (m->op) {
		case CTNATS_MSG:
		case CTNATS_ERR:
			return 1;
		case CTNATS_PING:
			CTBUF_LIT(&c->out, "PONG\r\n");
			if (ctnatscl_flush(c, err, errlen) < 0)
				return -1;
			break;
		case CTNATS_PONG:
			c->pings_out = 0;
			c->pongs++;
			break;
		case CTNATS_INFO:
			on_info(c, &m->text, NULL, NULL);
			break;
		default:
			break;
		}
	}
}

int ctnatscl_tick(struct ctnatscl *c, int64_t now, char *err,
		  size_t errlen)
{
	if (!c->conn || now < c->last_ping + c->ping_ms)
		return 0;
	if (c->pings_out >= 2) {
		snprintf(err, errlen, "%s: no PONG to two PINGs in %.0fs "
				      "(stale connection)",
			 c->url, (double)(3 * c->ping_ms) / 1000);
		return fail(c);
	}
	CTBUF_LIT(&c->out, "PING\r\n");
	c->pings_out++;
	c->last_ping = now;
	return ctnatscl_flush(c, err, errlen);
}

int64_t ctnatscl_due(const struct ctnatscl *c)
{
	return c->last_ping + c->ping_ms;
}

/* Wait for the connection to be readable until deadline: 1 readable, 0
 * deadline, -1 interrupted. */
static int wait_readable(struct ctnatscl *c, int64_t deadline)
{
	int fd;
	short ev;
	if (ctnatscl_pollfd(c, &fd, &ev))
		return 1;
	int64_t left = deadline - ct_now_ms();
	if (left <= 0)
		return 0;
	struct pollfd p = { fd, ev, 0 };
	int r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
	if (r < 0 && ct_sig_stop)
		return -1;
	/* ready, a signal that is not a stop, or a slice of a long wait:
	 * look again */
	return r != 0 || ct_now_ms() < deadline ? 1 : 0;
}

int ctnatscl_roundtrip(struct ctnatscl *c, int64_t timeout_ms, char *err,
		       size_t errlen)
{
	if (!c->conn) {
		snprintf(err, errlen, "%s: not connected", c->url);
		return -1;
	}
	uint64_t want = c->pongs + 1;
	/* a keep-alive PING already out is answered first: wait for both */
	want += (uint64_t)c->pings_out;
	CTBUF_LIT(&c->out, "PING\r\n");
	c->pings_out++;
	if (ctnatscl_flush(c, err, errlen) < 0)
		return -1;
	int64_t deadline = ct_now_ms() + timeout_ms;
	while (c->pongs < want) {
		struct ctnats_msg m;
		int r = ctnatscl_next(c, &m, err, errlen);
		if (r < 0)
			return -1;
		if (r > 0 || c->pongs >= want)
			continue;
		int w = wait_readable(c, deadline);
		if (w <= 0) {
			snprintf(err, errlen, "%s: %s waiting for a PONG", c->url,
				 w < 0 ? "interrupted" : "timed out");
			return -1;
		}
	}
	return 0;
}

int ctnatscl_request(struct ctnatscl *c, const char *subject,
		     const char *payload, size_t n, int64_t timeout_ms,
		     struct ctbuf *reply_out, char *err, size_t errlen)
{
	char reply[sizeof c->inbox + 24];
	int rl = snprintf(reply, sizeof reply, "%s.r%llu", c->inbox,
			  (unsigned long long)++c->next_req);
	if (!c->conn) {
		snprintf(err, errlen, "%s: not connected", c->url);
		return -1;
	}
	if (ctnatscl_pub(c, subject, strlen(subject), reply, (size_t)rl, NULL,
			 0, payload, n, err, errlen) < 0 ||
	    ctnatscl_flush(c, err, errlen) < 0)
		return -1;
	int64_t deadline = ct_now_ms() + timeout_ms;
	for (;;) {
		struct ctnats_msg m;
		int r = ctnatscl_next(c, &m, err, errlen);
		if (r < 0)
			return -1;
		if (r > 0 && m.op == CTNATS_MSG && m.subject.len == (size_t)rl &&
		    !memcmp(m.subject.p, reply, (size_t)rl)) {
			struct ctnats_str d;
			if (m.hdr.len && ctnats_status(m.hdr.p, m.hdr.len, &d) ==
						 503) {
				snprintf(err, errlen, "%s: no responders for %s",
					 c->url, subject);
				return -1;
			}
			ctbuf_add(reply_out, m.data.p, m.data.len);
			return 0;
		}
		if (r > 0)
			continue;
		int w = wait_readable(c, deadline);
		if (w <= 0) {
			snprintf(err, errlen, "%s: %s waiting for the reply to %s",
				 c->url, w < 0 ? "interrupted" : "timed out",
				 subject);
			return -1;
		}
	}
}
