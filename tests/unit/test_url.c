/* lib/url: stream URLs: schemes, ports, IPv6, targets, and refusals. */
#include "../../lib/url.h"
#include "tap.h"

int main(void)
{
	static const struct {
		const char *in;
		int scheme, tls, port, has_path;
		const char *host, *target, *hostport;
	} good[] = {
		{ "ws://example.net", CTURL_WS, 0, 80, 0, "example.net", "/",
		  "example.net" },
		{ "WSS://certstream.example.org/full-stream", CTURL_WSS, 1, 443,
		  1, "certstream.example.org", "/full-stream",
		  "certstream.example.org" },
		{ "http://127.0.0.1:8080/sse?stream=full#frag", CTURL_HTTP, 0,
		  8080, 1, "127.0.0.1", "/sse?stream=full", "127.0.0.1:8080" },
		{ "https://h:443?x=1", CTURL_HTTPS, 1, 443, 0, "h", "/?x=1",
		  "h" },
		{ "tcp://127.0.0.1:8081", CTURL_TCP, 0, 8081, 0, "127.0.0.1",
		  "/", "127.0.0.1:8081" },
		{ "ws://[::1]:9000/", CTURL_WS, 0, 9000, 0, "::1", "/",
		  "[::1]:9000" },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct cturl u;
		char err[128] = "", hp[300];
		int r = cturl_parse(good[i].in, &u, err, sizeof err);
		cturl_hostport(&u, hp, sizeof hp);
		ok(r == 0 && (int)u.scheme == good[i].scheme &&
			   u.tls == good[i].tls && (int)u.port == good[i].port &&
			   u.has_path == good[i].has_path &&
			   !strcmp(u.host, good[i].host) &&
			   !strcmp(u.target, good[i].target) &&
			   !strcmp(hp, good[i].hostport),
		   "%s: %d %s %u %s %s %s", good[i].in, r, err, u.port, u.host,
		   u.target, hp);
	}
	static const char *const bad[] = {
		"example.net", "ftp://example.net/", "ws://", "ws:///x",
		"ws://user@example.net/", "ws://h:0/", "ws://h:65536/",
		"ws://h:80x/", "ws://h:/", "tcp://h", "ws://[::1/",
		"ws://[]/", "ws://h/a b", "ws://h/\x01", "ws://ex ample/",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cturl u;
		char err[128] = "";
		ok(cturl_parse(bad[i], &u, err, sizeof err) == -1 && *err,
		   "refused: '%s' (%s)", bad[i], err);
	}
	char longp[3000] = "ws://h/";
	memset(longp + 7, 'a', sizeof longp - 8);
	longp[sizeof longp - 1] = '\0';
	struct cturl u;
	char err[128];
	ok(cturl_parse(longp, &u, err, sizeof err) == -1, "a path too long");
	return tap_done();
}
