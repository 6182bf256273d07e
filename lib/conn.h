/* conn: one client connection, TCP or TLS over TCP, with deadlines
 * (ct-tail's streams, ct-nats's servers). Waits are poll(2)s that a
 * signal interrupts (ct_sig_stop is then set and the call fails with
 * "interrupted"). TLS verifies the server's certificate chain against
 * the trust store of the context and its name (or IP address) against
 * the host asked for, and sends SNI. Deadlines are ct_now_ms() values,
 * -1 for none. */
#ifndef CT_CONN_H
#define CT_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

/* A client TLS context: the certificates of cafile (PEM) as the trust
 * store, or the system's when cafile is NULL. NULL with err on failure. */
SSL_CTX *ctconn_tls_context(const char *cafile, char *err, size_t errlen);

struct ctconn;

enum { CTCONN_RETRY = -1, CTCONN_FATAL = -2 };

/* Connect to host:port (each address of host in turn) and, when tls is
 * not NULL, do the TLS handshake, all before deadline. Returns 0 with
 * *out (free with ctconn_close), or CTCONN_RETRY with err (try again
 * later), or CTCONN_FATAL with err (the server's certificate was refused:
 * retrying will not help). */
int ctconn_open(const char *host, unsigned port, SSL_CTX *tls,
		int64_t deadline, struct ctconn **out, char *err,
		size_t errlen);

/* Start TLS on a plain connection (a protocol that upgrades after a
 * first plain-text exchange): as ctconn_open's handshake, verifying the
 * certificate against host. 0, CTCONN_RETRY or CTCONN_FATAL with err. */
int ctconn_starttls(struct ctconn *c, SSL_CTX *tls, const char *host,
		    int64_t deadline, char *err, size_t errlen);

/* Read at most cap bytes without waiting: returns how many (> 0), 0 at
 * the end of the stream, -1 on an error (err says which), -2 when
 * nothing is there now (wait with ctconn_wait). */
long ctconn_read(struct ctconn *c, void *buf, size_t cap, char *err,
		 size_t errlen);

/* Wait until ctconn_read may have something or deadline passes: 1
 * readable, 0 deadline, -1 interrupted by a signal. Bytes TLS already
 * holds count as readable. */
int ctconn_wait(struct ctconn *c, int64_t deadline);

/* For a poll(2) over several descriptors: the fd and the events to wait
 * for (POLLIN, or POLLOUT while TLS must write before it reads on).
 * Returns 1 when bytes are already buffered (do not wait), else 0. */
int ctconn_pollfd(struct ctconn *c, int *fd, short *events);

/* Write all n bytes before deadline: 0, or -1 with err. */
int ctconn_write(struct ctconn *c, const void *p, size_t n,
		 int64_t deadline, char *err, size_t errlen);

/* Close (with a TLS close_notify if it can go at once) and free; NULL
 * is accepted. */
void ctconn_close(struct ctconn *c);

#endif
