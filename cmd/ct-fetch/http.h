/* http: ct-fetch's transfers: GET requests on a libcurl multi handle,
 * HTTP/2 multiplexed on one connection where the server offers it, else
 * a bounded number of connections per host, all reused. Easy handles
 * are pooled. */
#ifndef CT_FETCH_HTTP_H
#define CT_FETCH_HTTP_H

#include "fetch.h"

/* At most conns connections to one host; each transfer gives up after
 * timeout_ms; cacert: a PEM file of the CAs to trust instead of the
 * system's, or NULL. Never NULL. */
struct http *http_new(long conns, long timeout_ms, const char *cacert);
void http_free(struct http *h);

/* Start GET url for r: r->body is emptied and receives the answer, up to
 * r->body_max bytes. r must stay put until it comes back from http_next
 * or is cancelled. */
void http_start(struct http *h, struct req *r, const char *url);
/* Abort r (in flight): nothing of it comes back. */
void http_cancel(struct http *h, struct req *r);
/* Wait up to ms for any transfer to make progress, and move them on. */
void http_wait(struct http *h, int ms);
/* A finished request, with rc, code and retry_after_s set; NULL when
 * none is left. */
struct req *http_next(struct http *h);

#endif
