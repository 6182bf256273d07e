/* lib/net: ADDR:PORT parsed (IPv4, IPv6 bare and in brackets, empty
 * host) or refused with the reason; a socket on port 0 gets a port, and
 * a connection to it is accepted with the peer's address. */
#include <errno.h>
#include <netinet/in.h>
#include <unistd.h>

#include "../../lib/net.h"
#include "tap.h"

#define NUMERIC ": not a numeric IPv4/IPv6 address"

static void parse(void)
{
	/* err: the reason, after the quoted spec */
	static const struct {
		const char *spec, *host, *err;
		int family;
		unsigned port;
	} t[] = {
		{ "127.0.0.1:8080", "127.0.0.1", NULL, AF_INET, 8080 },
		{ ":80", "0.0.0.0", NULL, AF_INET, 80 },
		{ "[::1]:0", "::1", NULL, AF_INET6, 0 },
		{ "::1:443", "::1", NULL, AF_INET6, 443 },
		{ "localhost:80", NULL, NUMERIC, 0, 0 },
		{ "[::1:80", NULL, NUMERIC, 0, 0 },
		{ "[:80", NULL, NUMERIC, 0, 0 },
		{ "8080", NULL, " is not ADDR:PORT", 0, 0 },
		{ "1.2.3.4:", NULL, ": bad port", 0, 0 },
		{ "1.2.3.4:65536", NULL, ": bad port", 0, 0 },
		{ "1.2.3.4:8x", NULL, ": bad port", 0, 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct ctnet_addr a;
		char err[200] = "";
		int r = ctnet_parse(t[i].spec, &a, err, sizeof err);
		if (t[i].err) {
			char want[200];
			snprintf(want, sizeof want, "'%s'%s", t[i].spec,
				 t[i].err);
			ok(r == -1 && !strcmp(err, want), "%s: %s", t[i].spec,
			   err);
			continue;
		}
		unsigned port =
		    ntohs(a.ss.ss_family == AF_INET
			      ? ((struct sockaddr_in *)&a.ss)->sin_port
			      : ((struct sockaddr_in6 *)&a.ss)->sin6_port);
		ok(r == 0 && !strcmp(a.host, t[i].host) &&
			   a.ss.ss_family == t[i].family && port == t[i].port,
		   "%s: %s port %u", t[i].spec, a.host, port);
	}
}

static void listen_accept(void)
{
	struct ctnet_addr a;
	char err[200], ip[INET6_ADDRSTRLEN] = "";
	ok(ctnet_parse("127.0.0.1:0", &a, err, sizeof err) == 0, "parsed");
	int l = ctnet_listen(&a, 8);
	unsigned port = ctnet_port(l);
	ok(l >= 0 && port > 0, "listening on port %u", port);
	ok(ctnet_accept(l, ip, sizeof ip) < 0 && errno == EAGAIN,
	   "nobody waiting: EAGAIN");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok(connect(c, (struct sockaddr *)&to, sizeof to) == 0, "connected");
	int s = ctnet_accept(l, ip, sizeof ip);
	ok(s >= 0 && !strcmp(ip, "127.0.0.1"), "accepted from %s", ip);
	int l2 = ctnet_listen(&a, 8);
	ok(l2 >= 0, "port 0 again: another port");
	struct ctnet_addr same = a;
	((struct sockaddr_in *)&same.ss)->sin_port = htons((uint16_t)port);
	errno = 0;
	ok(ctnet_listen(&same, 8) < 0 && errno == EADDRINUSE,
	   "a port in use: EADDRINUSE");
	close(s);
	close(c);
	close(l);
	close(l2);
}

int main(void)
{
	parse();
	listen_accept();
	return tap_done();
}
