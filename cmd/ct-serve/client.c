/* client: connections, their queues, writing and reading them (TLS or
 * not), dropping them (see client.h). */
#include "client.h"

#include <errno.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "filters.h"
#include "mem.h"

struct msg *msg_new(const void *p, size_t n)
{
	struct msg *m = ct_xmalloc(sizeof *m + n);
	m->refs = 0;
	m->len = n;
	memcpy(m->data, p, n);
	return m;
}

void msg_unref(struct msg *m)
{
	if (--m->refs == 0)
		free(m);
}

static void set_out(struct server *s, struct client *c, int want)
{
	ctev_set(s->ev, &c->io, CTEV_READ | (want ? CTEV_WRITE : 0));
}

int client_waits_out(const struct client *c)
{
	return c->io.mask & CTEV_WRITE;
}

struct client *client_new(struct server *s, int fd, const char *ip,
			  SSL_CTX *tls,
			  void (*fn)(struct ctev *ev, struct ctev_io *io,
				     int ready))
{
	struct client *c = ct_xcalloc(1, sizeof *c);
	c->st = C_HTTP;
	c->since_ms = c->progress_ms = ct_now_ms();
	snprintf(c->ip, sizeof c->ip, "%s", ip);
	s->total++;
	s->pending++;
	c->next = s->http;
	if (c->next)
		c->next->prev = c;
	s->http = c;
	if (ctev_add(s->ev, &c->io, fd, CTEV_READ, fn) < 0)
		ct_die(CT_EXIT_RUNTIME, "epoll_ctl");
	if (tls) {
		c->ssl = SSL_new(tls);
		if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
			client_drop(s, c, R_CLIENT);
			return NULL;
		}
		SSL_set_accept_state(c->ssl);
	}
	return c;
}

static void list_del(struct server *s, struct client *c)
{
	struct client **head = c->st == C_HTTP ? &s->http
					       : &s->lists[c->stream][c->proto];
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->st == C_HTTP)
		s->pending--;
	else
		s->nclients[c->stream][c->proto]--;
}

void client_join(struct server *s, struct client *c, enum cstate st,
		 enum stream stream, enum proto proto)
{
	list_del(s, c); /* from the HTTP list */
	c->st = (uint8_t)st;
	c->stream = (uint8_t)stream;
	c->proto = (uint8_t)proto;
	c->prev = NULL;
	c->next = s->lists[stream][proto];
	if (c->next)
		c->next->prev = c;
	s->lists[stream][proto] = c;
	s->nclients[stream][proto]++;
}

void client_drop(struct server *s, struct client *c, enum reason why)
{
	list_del(s, c);
	ctev_del(s->ev, &c->io);
	if (c->ssl) {
		if (SSL_is_init_finished(c->ssl))
			SSL_shutdown(c->ssl); /* close_notify, if it fits */
		SSL_free(c->ssl);
		ERR_clear_error();
	}
	close(c->io.fd);
	for (size_t i = 0; i < c->qn; i++)
		msg_unref(c->q[(c->qhead + i) % c->qcap]);
	free(c->q);
	if (c->in != s->scratch)
		free(c->in);
	filter_put(&s->filters, c->filter);
	s->disconnects[why]++;
	s->total--;
	/* the caller (and its callers) may still look at it: it is freed
	 * when the round is over (clients_bury) */
	c->dead = 1;
	c->next = s->dead;
	s->dead = c;
}

void clients_bury(struct server *s)
{
	while (s->dead) {
		struct client *c = s->dead;
		s->dead = c->next;
		free(c);
	}
}

int client_enqueue(struct server *s, struct client *c, struct msg *m,
		   int force)
{
	size_t limit = s->o.queue_bytes + (force ? RESERVE : 0);
	int room = c->qn == 0 ? force || m->len <= s->o.queue_bytes
			      : c->qn < QCAP && c->qbytes + m->len <= limit;
	if (!room) {
		if (m->refs == 0)
			free(m);
		if (force) {
			client_drop(s, c, R_SLOW);
			return -1;
		}
		c->drops++;
		s->drops++;
		return 0;
	}
	if (c->qn == 0)
		c->progress_ms = ct_now_ms();
	if (c->qn == c->qcap) {
		size_t cap = c->qcap ? c->qcap * 2 : 8;
		struct msg **q = ct_xmalloc(cap * sizeof *q);
		for (size_t i = 0; i < c->qn; i++)
			q[i] = c->q[(c->qhead + i) % c->qcap];
		free(c->q);
		c->q = q;
		c->qcap = cap;
		c->qhead = 0;
	}
	m->refs++;
	c->q[(c->qhead + c->qn++) % c->qcap] = m;
	c->qbytes += m->len;
	c->sent++;
	return 0;
}

/* Write queued bytes of a TLS client: one SSL_write per message (a
 * partial write resumes from the same buffer). */
static ssize_t tls_write(struct server *s, struct client *c)
{
	struct msg *m = c->q[c->qhead];
	int n = (int)(m->len - c->off);
	ERR_clear_error();
	int w = SSL_write(c->ssl, m->data + c->off, n);
	if (w > 0)
		return w;
	int e = SSL_get_error(c->ssl, w);
	if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
		errno = EAGAIN;
		return -1;
	}
	s->tls_errors += e == SSL_ERROR_SSL;
	ERR_clear_error();
	errno = EPIPE;
	return -1;
}

/* Write as much of c's queue as the socket takes now: the bytes
 * written, or -1 with errno. */
static ssize_t write_queue(struct server *s, struct client *c)
{
	if (c->ssl)
		return tls_write(s, c);
	struct iovec iov[64];
	int n = 0;
	for (size_t i = 0; i < c->qn && n < 64; i++) {
		struct msg *m = c->q[(c->qhead + i) % c->qcap];
		size_t skip = i ? 0 : c->off;
		iov[n].iov_base = m->data + skip;
		iov[n++].iov_len = m->len - skip;
	}
	return writev(c->io.fd, iov, n);
}

/* w bytes of c's queue were written: let go of the messages done. */
static void written(struct client *c, size_t w)
{
	while (w) {
		struct msg *m = c->q[c->qhead];
		size_t rest = m->len - c->off;
		if (w < rest) {
			c->off += w;
			break;
		}
		w -= rest;
		c->off = 0;
		c->qbytes -= m->len;
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qn--;
		msg_unref(m);
	}
}

int client_flush(struct server *s, struct client *c)
{
	while (c->qn) {
		ssize_t w = write_queue(s, c);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			set_out(s, c, 1);
			return 0;
		}
		if (w <= 0) {
			client_drop(s, c, R_CLIENT);
			return -1;
		}
		c->progress_ms = ct_now_ms();
		s->bytes_out += (uint64_t)w;
		written(c, (size_t)w);
	}
	if (c->qcap > 8) { /* a burst is over: give its ring back */
		free(c->q);
		c->q = NULL;
		c->qcap = c->qhead = 0;
	}
	set_out(s, c, 0);
	if (c->close_after) {
		/* bytes a client sent after its request (pipelined requests,
		 * not served) would turn the close into a reset that may
		 * cost it the response: read what is there first */
		for (int k = 0; k < 8 && c->st == C_HTTP && !c->ssl; k++)
			if (read(c->io.fd, s->scratch, CIN) <= 0)
				break;
		client_drop(s, c, c->close_why);
		return -1;
	}
	return 0;
}

void clients_flush(struct server *s)
{
	struct client *c, *next;
	for (c = clients_first(s); c; c = next) {
		next = clients_next(s, c);
		if (c->qn && !client_waits_out(c))
			client_flush(s, c);
	}
}

/* Read from a TLS client (the handshake happens inside SSL_read). */
static ssize_t tls_read(struct server *s, struct client *c, char *buf,
			size_t cap)
{
	ERR_clear_error();
	int r = SSL_read(c->ssl, buf, (int)cap);
	if (r > 0)
		return r;
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		if (e == SSL_ERROR_WANT_WRITE)
			set_out(s, c, 1); /* retried when writable */
		errno = EAGAIN;
		return -1;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	if (e == SSL_ERROR_SSL)
		s->tls_errors++; /* not TLS, a bad handshake, a bad record */
	ERR_clear_error();
	errno = ECONNRESET;
	return -1;
}

ssize_t client_read(struct server *s, struct client *c, char *buf,
		    size_t cap)
{
	for (;;) {
		ssize_t r = c->ssl ? tls_read(s, c, buf, cap)
				   : read(c->io.fd, buf, cap);
		if (r > 0)
			return r;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		client_drop(s, c, R_CLIENT);
		return -1;
	}
}

void client_drain(struct server *s, struct client *c)
{
	while (client_read(s, c, s->scratch, CIN) > 0)
		;
}

/* The first client of list k (stream k / NPROTO, protocol k % NPROTO)
 * or of a list after it. */
static struct client *from_list(const struct server *s, int k)
{
	for (; k < NSTREAM * NPROTO; k++)
		if (s->lists[k / NPROTO][k % NPROTO])
			return s->lists[k / NPROTO][k % NPROTO];
	return NULL;
}

struct client *clients_first(const struct server *s)
{
	return from_list(s, 0);
}

struct client *clients_next(const struct server *s, const struct client *c)
{
	return c->next ? c->next
		       : from_list(s, c->stream * NPROTO + c->proto + 1);
}

size_t clients_count(const struct server *s, int st, int p)
{
	size_t n = 0;
	for (int i = 0; i < NSTREAM; i++)
		for (int k = 0; k < NPROTO; k++)
			if ((st < 0 || st == i) && (p < 0 || p == k))
				n += s->nclients[i][k];
	return n;
}

size_t clients_from(const struct server *s, const char *ip,
		    const struct client *but)
{
	size_t n = 0;
	for (const struct client *c = s->http; c; c = c->next)
		n += c != but && !strcmp(c->ip, ip);
	for (const struct client *c = clients_first(s); c;
	     c = clients_next(s, c))
		n += c != but && !strcmp(c->ip, ip);
	return n;
}

int64_t clients_sweep(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	int64_t t = ct_now_ms(), wt = (int64_t)s->o.write_timeout_ms;
	struct client *c, *next;
	(void)ev;
	for (c = s->http; c; c = next) {
		next = c->next;
		if (c->qn && t - c->progress_ms >= wt)
			client_drop(s, c, R_SLOW);
		else if (!c->close_after && t - c->since_ms >= 10000)
			client_drop(s, c, R_TIMEOUT);
	}
	for (c = clients_first(s); c; c = next) {
		next = clients_next(s, c);
		if (c->qn && t - c->progress_ms >= wt)
			client_drop(s, c, R_SLOW);
	}
	return CLIENTS_SWEEP_MS;
}

void clients_shutdown(struct server *s)
{
	static const uint8_t bye[4] = { 0x88, 2, 0x03, 0xe9 }; /* 1001 */
	struct client *c, *next;
	while (s->http)
		client_drop(s, s->http, R_SHUTDOWN);
	for (c = clients_first(s); c; c = next) {
		next = clients_next(s, c);
		if (c->proto == P_WS && c->ssl)
			SSL_write(c->ssl, bye, sizeof bye);
		else if (c->proto == P_WS &&
			 write(c->io.fd, bye, sizeof bye) < 0)
			s->disconnects[R_CLIENT]++;
		client_drop(s, c, R_SHUTDOWN);
	}
}
