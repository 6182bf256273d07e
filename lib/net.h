/* net: TCP listening sockets: an "ADDR:PORT" parsed, a socket bound and
 * listening, connections accepted. Every socket made here is
 * non-blocking and close-on-exec. Nothing here prints or exits. */
#ifndef CT_NET_H
#define CT_NET_H

#include <arpa/inet.h>
#include <stddef.h>
#include <sys/socket.h>

/* An address to listen on, as ctnet_parse read it. */
struct ctnet_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char host[INET6_ADDRSTRLEN]; /* as given, without [ ]; "0.0.0.0"
				      * when empty */
};

/* Parse spec, "HOST:PORT": HOST a numeric IPv4 address, an IPv6 one
 * (bare or in brackets), or empty for 0.0.0.0; PORT 0 to 65535 (0: any
 * free port). 0, or -1 with the reason, which quotes spec, in err. */
int ctnet_parse(const char *spec, struct ctnet_addr *a, char *err,
		size_t errlen);

/* A socket listening on a (SO_REUSEADDR) with room for backlog pending
 * connections: its descriptor, or -1 with errno set. */
int ctnet_listen(const struct ctnet_addr *a, int backlog);

/* The port a socket is bound to (the one chosen for port 0), or 0. */
unsigned ctnet_port(int fd);

/* Accept a connection waiting on a listening socket, with TCP_NODELAY
 * set (a stream of small messages must not wait for acknowledgements);
 * unless ip is NULL, the peer's address as text in ip (iplen bytes, at
 * least INET6_ADDRSTRLEN). Its descriptor, or -1 with errno set (EAGAIN
 * when none is waiting). */
int ctnet_accept(int lfd, char *ip, size_t iplen);

#endif
