/* http: a client's HTTP request, from its head to its answer: the
 * limits on new connections, the request head read and parsed, then
 * routed by a table of paths: bearer-token authentication, the client's
 * real address behind a trusted proxy, the per-address limit, the three
 * WebSocket streams and SSE (each with an optional ?domain= filter), and
 * the API endpoints. Every answer but an upgrade closes the connection
 * (pipelined requests are not served). */
#ifndef CTSERVE_HTTP_H
#define CTSERVE_HTTP_H

#include <stddef.h>

#include "httpd.h"
#include "server.h"

/* Should a new connection on fd from ip be turned away (--accept-rate,
 * --max-clients, --max-per-ip)? Then it is answered (plain HTTP only),
 * closed and counted, and 1 returned. tcp_stream: the stream of a raw
 * TCP listener, or -1. */
int http_refuse(struct server *s, int fd, int tcp_stream, const char *ip);

/* Read client c's request head and answer it (c may be dropped, or join
 * a stream). */
void http_readable(struct server *s, struct client *c);

/* A path and what answers it. */
enum {
	ROUTE_OPEN = 1,	  /* no token needed */
	ROUTE_PREFIX = 2, /* any longer path under it */
	ROUTE_STREAM = 4, /* a stream: ?domain= may filter it */
};
struct request;
struct route {
	const char *path; /* exactly, or with a '/' after it ("" is "/") */
	unsigned flags;
	int stream; /* the stream a WebSocket path gives, or -1 */
	void (*fn)(struct server *s, struct client *c,
		   const struct request *q);
};

/* The route of path[0..plen) (without the query), or NULL (404). */
const struct route *http_route(const char *path, size_t plen);

#endif
