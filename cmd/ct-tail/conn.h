/* conn: one client connection of ct-tail, TCP or TLS over TCP, with
 * deadlines. Waits are poll(2)s that a signal interrupts (ct_sig_stop
 * is then set and the call fails with "interrupted"). TLS verifies the
 * server's certificate chain against the trust store of the context and
 * its name (or IP address) against the URL's host, and sends SNI. */
#ifndef CT_TAIL_CONN_H
#define CT_TAIL_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "url.h"

int64_t now_ms(void); /* CLOCK_MONOTONIC */

/* A client TLS context: the certificates of cafile (PEM) as the trust
 * store, or the system's when cafile is NULL. NULL with err on failure. */
SSL_CTX *conn_tls_context(const char *cafile, char *err, size_t errlen);

struct conn;

enum { CONN_RETRY = -1, CONN_FATAL = -2 };

/* Connect to u (each address of its host in turn), and for wss/https
 * do the TLS handshake with tls, all before deadline. Returns 0 with
 * *out, or CONN_RETRY with err (try again later), or CONN_FATAL with err
 * (the server's certificate was refused: retrying will not help). */
int conn_open(const struct cturl *u, SSL_CTX *tls, int64_t deadline,
	      struct conn **out, char *err, size_t errlen);

/* Read at most cap bytes without waiting: returns how many (> 0), 0 at
 * the end of the stream, -1 on an error (err says which), -2 when
 * nothing is there now (wait with conn_wait). */
long conn_read(struct conn *c, void *buf, size_t cap, char *err,
	       size_t errlen);

/* Wait until conn_read may have something or deadline (monotonic ms;
 * -1: none) passes: 1 readable, 0 deadline, -1 interrupted by a signal.
 * Bytes TLS already holds count as readable. */
int conn_wait(struct conn *c, int64_t deadline);

/* Write all n bytes before deadline: 0, or -1 with err. */
int conn_write(struct conn *c, const void *p, size_t n, int64_t deadline,
	       char *err, size_t errlen);

/* Close (with a TLS close_notify if it can go at once) and free; NULL
 * is accepted. */
void conn_close(struct conn *c);

#endif
