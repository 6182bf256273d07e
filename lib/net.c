/* net: listening sockets (see net.h). */
#include "net.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(char *err, size_t n, const char *fmt, const char *spec)
{
	snprintf(err, n, fmt, spec);
	return -1;
}

int ctnet_parse(const char *spec, struct ctnet_addr *a, char *err,
		size_t errlen)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof host)
		return fail(err, errlen, "'%s' is not ADDR:PORT", spec);
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end || port > 65535 || !colon[1])
		return fail(err, errlen, "'%s': bad port", spec);
	const char *h = host[0] ? host : "0.0.0.0";
	size_t l = strlen(h);
	if (h[0] == '[') {
		if (l < 2 || h[l - 1] != ']')
			return fail(err, errlen,
				    "'%s': not a numeric IPv4/IPv6 address",
				    spec);
		memmove(host, h + 1, l - 2);
		host[l - 2] = '\0';
		h = host;
	}
	memset(a, 0, sizeof *a);
	struct sockaddr_in *a4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a->ss;
	if (inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		a->len = sizeof *a4;
	} else if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		a->len = sizeof *a6;
	} else {
		return fail(err, errlen,
			    "'%s': not a numeric IPv4/IPv6 address", spec);
	}
	snprintf(a->host, sizeof a->host, "%s", h); /* it fits: numeric */
	return 0;
}

int ctnet_listen(const struct ctnet_addr *a, int backlog)
{
	int fd = socket(a->ss.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    listen(fd, backlog) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

unsigned ctnet_port(int fd)
{
	struct sockaddr_storage got;
	socklen_t gl = sizeof got;
	memset(&got, 0, sizeof got);
	if (getsockname(fd, (struct sockaddr *)&got, &gl) < 0)
		return 0;
	if (got.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&got)->sin_port);
	if (got.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&got)->sin6_port);
	return 0;
}

int ctnet_accept(int lfd, char *ip, size_t iplen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (!ip)
		return fd;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip,
			  (socklen_t)iplen);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			  ip, (socklen_t)iplen);
	return fd;
}
