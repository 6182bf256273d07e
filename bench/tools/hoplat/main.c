/* hoplat: latency added by each hop of a relay chain, for the benches.
 * One WebSocket client on each server of the chain (the core first, then
 * each edge in order) records when every certificate message arrives,
 * by its cert_index (unique in the bench's records); a hop's latency is
 * the arrival at its server's client minus the arrival at the previous
 * one's, per message, on one monotonic clock.
 *
 * usage: hoplat SECS EXPECT HOST:PORT/PATH|- ...
 *   -       NDJSON lines on standard input instead of a server (what
 *           ct-tail writes: the latency it adds alone)
 *   SECS    stop this long after all are connected
 *   EXPECT  cert_index runs 0..EXPECT-1; stop early once every client
 *           has them all
 * "ready" goes to stderr when every client is upgraded; at the end one
 * JSON line to stdout: messages per client and, per hop, how many
 * messages both ends got and the p50/p99/max of the added latency in
 * ms. SIGTERM or SIGINT end it early, with the same report. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "httpc.h"
#include "ws.h"
#include "wsclient.h"

#define MAXC 16

struct cl {
	int fd, lines; /* lines: NDJSON on fd, not WebSocket */
	struct ctbuf in;
	size_t off;
	uint64_t msgs;
};

static volatile sig_atomic_t stop;
static void on_sig(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Connect and upgrade; the bytes after the head stay in c->in. */
static int open_ws(struct cl *c, const char *spec)
{
	char host[64], hostport[80], path[256] = "/";
	const char *colon = strchr(spec, ':'), *slash = strchr(spec, '/');
	if (!colon || colon - spec >= (long)sizeof host)
		return -1;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	size_t hl = slash ? (size_t)(slash - spec) : strlen(spec);
	snprintf(hostport, sizeof hostport, "%.*s", (int)hl, spec);
	if (slash)
		snprintf(path, sizeof path, "%s", slash);
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10)) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	char key[25];
	ctwsc_key((const uint8_t *)"hoplat-bench-key", key);
	struct ctbuf req = CTBUF_INIT;
	ctwsc_request(&req, hostport, path, key, NULL);
	ssize_t w = write(c->fd, req.p, req.len);
	ctbuf_free(&req);
	if (w < 0)
		return -1;
	for (;;) {
		struct cthttpc_resp r;
		char err[160];
		int n = c->in.len ? cthttpc_parse(c->in.p, c->in.len, &r) : -2;
		if (n > 0) {
			c->off = (size_t)n;
			return ctwsc_check(&r, key, err, sizeof err);
		}
		if (n != -2)
			return -1;
		ssize_t got = read(c->fd, ctbuf_room(&c->in, 4096), 4096);
		if (got <= 0)
			return -1;
		ctbuf_commit(&c->in, (size_t)got);
	}
}

static void seen(struct cl *c, const char *p, size_t n, double *at,
		 uint64_t expect, double t)
{
	const char *k = memmem(p, n, "\"cert_index\":", 13);
	if (!k)
		return; /* a heartbeat */
	uint64_t i = strtoull(k + 13, NULL, 10);
	if (i < expect && !at[i]) {
		at[i] = t;
		c->msgs++;
	}
}

/* Take the whole lines in c->in. */
static void lines(struct cl *c, double *at, uint64_t expect, double t)
{
	for (;;) {
		char *p = c->in.p + c->off;
		char *nl = memchr(p, '\n', c->in.len - c->off);
		if (!nl)
			break;
		seen(c, p, (size_t)(nl - p), at, expect, t);
		c->off += (size_t)(nl - p) + 1;
	}
}

/* Take the whole frames in c->in; pings are answered. */
static void ws_frames(struct cl *c, double *at, uint64_t expect, double t)
{
	for (;;) {
		struct ctwsc_frame f;
		long n = ctwsc_parse((const uint8_t *)c->in.p + c->off,
				     c->in.len - c->off, 1 << 26, &f);
		if (n < 0)
			break;
		c->off += (size_t)n;
		if (f.opcode == CTWS_PING) {
			uint8_t out[140], mask[4] = { 0 };
			size_t l = ctwsc_encode(out, CTWS_PONG, f.payload,
						(size_t)f.len, mask);
			ssize_t w = write(c->fd, out, l);
			(void)w;
			continue;
		}
		if (f.opcode == CTWS_TEXT)
			seen(c, (const char *)f.payload, (size_t)f.len, at,
			     expect, t);
	}
}

/* Take what is whole in c->in; arrival times into at[index]. */
static void frames(struct cl *c, double *at, uint64_t expect, double t)
{
	if (!c->in.len)
		return;
	if (c->lines)
		lines(c, at, expect, t);
	else
		ws_frames(c, at, expect, t);
	memmove(c->in.p, c->in.p + c->off, c->in.len - c->off);
	c->in.len -= c->off;
	c->off = 0;
}

static void report(struct cl *cs, int nc, double **at, uint64_t expect)
{
	double *d = malloc((expect ? expect : 1) * sizeof *d);
	printf("{\"got\":[");
	for (int i = 0; i < nc; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)cs[i].msgs);
	printf("],\"hops\":[");
	for (int h = 1; h < nc; h++) {
		size_t n = 0;
		for (uint64_t i = 0; i < expect; i++)
			if (at[h][i] && at[h - 1][i])
				d[n++] = at[h][i] - at[h - 1][i];
		qsort(d, n, sizeof *d, cmpd);
		printf("%s{\"n\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
		       "\"max_ms\":%.3f}",
		       h > 1 ? "," : "", n, n ? d[n / 2] : 0,
		       n ? d[n * 99 / 100] : 0, n ? d[n - 1] : 0);
	}
	printf("]}\n");
	free(d);
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc - 3 > MAXC) {
		fprintf(stderr, "usage: hoplat SECS EXPECT HOST:PORT/PATH|- ...\n");
		return 2;
	}
	double secs = strtod(argv[1], NULL);
	uint64_t expect = strtoull(argv[2], NULL, 10);
	int nc = argc - 3;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	static struct cl cs[MAXC];
	double *at[MAXC];
	struct pollfd pf[MAXC];
	for (int i = 0; i < nc; i++) {
		cs[i].lines = !strcmp(argv[3 + i], "-");
		if (!cs[i].lines && open_ws(&cs[i], argv[3 + i]) < 0) {
			fprintf(stderr, "hoplat: %s: cannot upgrade\n", argv[3 + i]);
			return 1;
		}
		at[i] = calloc(expect ? expect : 1, sizeof **at);
		pf[i] = (struct pollfd){ cs[i].fd, POLLIN, 0 };
	}
	fprintf(stderr, "ready\n");
	double end = now_ms() + secs * 1e3;
	for (int i = 0; i < nc; i++)
		frames(&cs[i], at[i], expect, now_ms());
	while (!stop && now_ms() < end) {
		int all = 1;
		for (int i = 0; i < nc; i++)
			all &= cs[i].msgs == expect;
		if (all)
			break;
		if (poll(pf, (nfds_t)nc, 100) <= 0)
			continue;
		double t = now_ms();
		for (int i = 0; i < nc; i++) {
			if (!pf[i].revents)
				continue;
			ssize_t r = read(cs[i].fd, ctbuf_room(&cs[i].in, 1 << 18),
					 1 << 18);
			if (r <= 0) {
				pf[i].fd = -1;
				continue;
			}
			ctbuf_commit(&cs[i].in, (size_t)r);
			frames(&cs[i], at[i], expect, t);
		}
	}
	report(cs, nc, at, expect);
	for (int i = 0; i < nc; i++) {
		free(at[i]);
		ctbuf_free(&cs[i].in);
		close(cs[i].fd);
	}
	return 0;
}
