/* url: the URLs a stream client connects to, split into what a
 * connection needs: scheme, host, port and request target. A pure
 * function; the parts are copied into the caller's struct. */
#ifndef CT_URL_H
#define CT_URL_H

#include <stddef.h>

enum cturl_scheme {
	CTURL_WS,    /* ws://    WebSocket */
	CTURL_WSS,   /* wss://   WebSocket over TLS */
	CTURL_HTTP,  /* http://  server-sent events */
	CTURL_HTTPS, /* https:// server-sent events over TLS */
	CTURL_TCP    /* tcp://   one JSON text per line */
};

#define CTURL_HOST_MAX 255
#define CTURL_TARGET_MAX 2048

struct cturl {
	enum cturl_scheme scheme;
	int tls;                         /* wss or https */
	int ipv6;                        /* host was [bracketed] */
	int has_path;                    /* a path other than "" or "/" */
	unsigned port;                   /* given, or the scheme's */
	int default_port;                /* port is the scheme's default */
	char host[CTURL_HOST_MAX + 1];   /* without brackets */
	char target[CTURL_TARGET_MAX + 1]; /* path and query; "/" if none */
};

/* Parse s ("scheme://host[:port][/path][?query][#fragment]"; the scheme
 * case-insensitive, no user information; tcp:// needs a port). Returns
 * 0, or -1 with the reason in err (one line). The fragment is dropped. */
int cturl_parse(const char *s, struct cturl *u, char *err, size_t errlen);

/* The Host header's value for u: host (bracketed if IPv6), with ":port"
 * unless it is the default. out has room for CTURL_HOST_MAX + 9. */
void cturl_hostport(const struct cturl *u, char *out, size_t outlen);

#endif
