/* conn: TCP and TLS client connections with deadlines (see conn.h). */
#include "conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "mem.h"
#include "sig.h"

struct ctconn {
	int fd;
	SSL *ssl;
	int want_write; /* TLS must write before it can read on */
};

int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* poll one fd until ev, the deadline (-1: none) or a stop signal:
 * 1 ready, 0 deadline passed (and not ready), -1 stopped. */
static int wait_fd(int fd, short ev, int64_t deadline)
{
	for (;;) {
		if (ct_sig_stop)
			return -1;
		int ms = -1;
		if (deadline >= 0) {
			int64_t left = deadline - ct_now_ms();
			ms = left <= 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
		}
		struct pollfd p = { fd, ev, 0 };
		int r = poll(&p, 1, ms);
		if (r > 0 || (r < 0 && errno != EINTR))
			return 1; /* an error: the next call reports it */
		if (r == 0 && ms == 0)
			return 0;
	}
}

static const char *tls_error(void)
{
	unsigned long e = ERR_get_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	ERR_clear_error();
	return r ? r : "connection closed";
}

SSL_CTX *ctconn_tls_context(const char *cafile, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(err, errlen, "TLS: %s", tls_error());
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* the stream's own framing shows a cut; an EOF without close_notify
	 * is the end of the stream like any other */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
					 SSL_OP_NO_RENEGOTIATION);
	int ok = cafile ? SSL_CTX_load_verify_locations(ctx, cafile, NULL)
			: SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		snprintf(err, errlen, "%s: cannot load CA certificates: %s",
			 cafile ? cafile : "system store", tls_error());
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* A non-blocking TCP connection to one address, before deadline. */
static int tcp_connect(const struct addrinfo *ai, int64_t deadline,
		       char *err, size_t errlen)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
						 SOCK_CLOEXEC,
			ai->ai_protocol);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int e = 0;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		e = errno;
		if (e == EINPROGRESS) {
			int w = wait_fd(fd, POLLOUT, deadline);
			socklen_t l = sizeof e;
			if (w <= 0)
				e = w < 0 ? EINTR : ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
				e = errno;
		}
	}
	if (e) {
		snprintf(err, errlen, "%s", e == EINTR ? "interrupted"
							: strerror(e));
		close(fd);
		return -1;
	}
	int one = 1; /* pongs and close frames go at once */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

int ctconn_starttls(struct ctconn *c, SSL_CTX *tls, const char *host,
		    int64_t deadline, char *err, size_t errlen)
{
	c->ssl = SSL_new(tls);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
		snprintf(err, errlen, "TLS: %s", tls_error());
		return CTCONN_RETRY;
	}
	c->want_write = 0;
	unsigned char ip[16];
	if (inet_pton(AF_INET, host, ip) == 1 ||
	    inet_pton(AF_INET6, host, ip) == 1) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), host);
	} else {
		SSL_set_tlsext_host_name(c->ssl, host);
		SSL_set1_host(c->ssl, host);
	}
	SSL_set_connect_state(c->ssl);
	for (;;) {
		int r = SSL_connect(c->ssl);
		if (r == 1)
			return 0;
		int e = SSL_get_error(c->ssl, r);
		short ev = e == SSL_ERROR_WANT_READ    ? POLLIN
			   : e == SSL_ERROR_WANT_WRITE ? POLLOUT
						       : 0;
		if (!ev) {
			long v = SSL_get_verify_result(c->ssl);
			if (v != X509_V_OK) {
				ERR_clear_error();
				snprintf(err, errlen,
					 "TLS: server certificate refused: %s",
					 X509_verify_cert_error_string(v));
				return CTCONN_FATAL;
			}
			snprintf(err, errlen, "TLS handshake: %s",
				 e == SSL_ERROR_SYSCALL && errno
					 ? strerror(errno)
					 : tls_error());
			return CTCONN_RETRY;
		}
		int w = wait_fd(c->fd, ev, deadline);
		if (w <= 0) {
			snprintf(err, errlen, "TLS handshake: %s",
				 w < 0 ? "interrupted" : "timed out");
			return CTCONN_RETRY;
		}
	}
}

int ctconn_open(const char *host, unsigned port, SSL_CTX *tls,
		int64_t deadline, struct ctconn **out, char *err,
		size_t errlen)
{
	struct addrinfo hints, *res;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	char service[8];
	snprintf(service, sizeof service, "%u", port);
	int g = getaddrinfo(host, service, &hints, &res);
	if (g) {
		snprintf(err, errlen, "%s: %s", host,
			 g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
		return CTCONN_RETRY;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0 && !ct_sig_stop;
	     ai = ai->ai_next)
		fd = tcp_connect(ai, deadline, err, errlen);
	freeaddrinfo(res);
	if (fd < 0)
		return CTCONN_RETRY;
	struct ctconn *c = ct_xcalloc(1, sizeof *c);
	c->fd = fd;
	if (tls) {
		int r = ctconn_starttls(c, tls, host, deadline, err, errlen);
		if (r < 0) {
			ctconn_close(c);
			return r;
		}
	}
	*out = c;
	return 0;
}

long ctconn_read(struct ctconn *c, void *buf, size_t cap, char *err,
	       size_t errlen)
{
	if (cap > (1 << 30))
		cap = 1 << 30;
	if (!c->ssl) {
		for (;;) {
			ssize_t r = recv(c->fd, buf, cap, 0);
			if (r >= 0)
				return (long)r;
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -2;
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
	}
	c->want_write = 0;
	int r = SSL_read(c->ssl, buf, (int)cap);
	if (r > 0)
		return r;
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		return -2;
	if (e == SSL_ERROR_WANT_WRITE) {
		c->want_write = 1;
		return -2;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	snprintf(err, errlen, "TLS: %s",
		 e == SSL_ERROR_SYSCALL && errno ? strerror(errno)
						 : tls_error());
	return -1;
}

int ctconn_wait(struct ctconn *c, int64_t deadline)
{
	if (c->ssl && SSL_has_pending(c->ssl))
		return 1;
	return wait_fd(c->fd, c->want_write ? POLLOUT : POLLIN, deadline);
}

int ctconn_pollfd(struct ctconn *c, int *fd, short *events)
{
	*fd = c->fd;
	*events = c->want_write ? POLLOUT : POLLIN;
	return c->ssl && SSL_has_pending(c->ssl);
}

int ctconn_write(struct ctconn *c, const void *p, size_t n, int64_t deadline,
	       char *err, size_t errlen)
{
	const char *s = p;
	while (n) {
		short ev = POLLOUT;
		long w;
		if (c->ssl) {
			int r = SSL_write(c->ssl, s, (int)n);
			int e = r > 0 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ)
				ev = POLLIN;
			else if (e != SSL_ERROR_NONE && e != SSL_ERROR_WANT_WRITE) {
				snprintf(err, errlen, "TLS: %s",
					 e == SSL_ERROR_SYSCALL && errno
						 ? strerror(errno)
						 : tls_error());
				return -1;
			}
			w = r > 0 ? r : 0;
		} else {
			w = send(c->fd, s, n, MSG_NOSIGNAL);
			if (w < 0 && errno != EINTR && errno != EAGAIN &&
			    errno != EWOULDBLOCK) {
				snprintf(err, errlen, "%s", strerror(errno));
				return -1;
			}
			if (w < 0)
				w = 0;
		}
		s += w;
		n -= (size_t)w;
		if (n && !w) {
			int r = wait_fd(c->fd, ev, deadline);
			if (r <= 0) {
				snprintf(err, errlen, "write: %s",
					 r < 0 ? "interrupted" : "timed out");
				return -1;
			}
		}
	}
	return 0;
}

void ctconn_close(struct ctconn *c)
{
	if (!c)
		return;
	if (c->ssl) {
		if (SSL_is_init_finished(c->ssl))
			SSL_shutdown(c->ssl); /* close_notify, if it fits */
		SSL_free(c->ssl);
		ERR_clear_error();
	}
	close(c->fd);
	free(c);
}
