/* wsload: a WebSocket load generator for the benches. One epoll loop
 * opens N clients to one server (at most 256 handshakes at a time),
 * counts the messages each gets, answers pings, and on a sample of the
 * clients measures latency from the record's "seen" timestamp.
 *
 * usage: wsload HOST:PORT PATH N [SECS [EXPECT [LAT_EVERY [LAT_KEY]]]]
 *   SECS    stop this long after all are connected (default 10)
 *   EXPECT  stop early once every client has this many messages
 *   LAT_EVERY  latency on 1 client in this many (default 16; 0: none)
 *   LAT_KEY    the member holding the time latency is measured from, in
 *              seconds (default seen; timestamp: the log's entry time)
 * "ready" goes to stderr when all N are upgraded; at the end one JSON
 * line to stdout: clients, connected, closed, messages (text frames
 * over 100 bytes: certificate messages, not heartbeats), bytes, and
 * latency p50/p99/max in ms. SIGTERM or SIGINT end it early, with the
 * same report. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CONNECTING, HANDSHAKE, OPEN, DONE };

struct cl {
	int fd, st;
	uint8_t hdr[14];
	size_t hn, need;    /* header bytes held and wanted */
	uint64_t left;      /* payload bytes still to come */
	int op, sample;
	char *pay;          /* sampled clients keep the payload */
	size_t paylen;
	char resp[512];
	size_t rlen;
	uint64_t msgs;
};

static volatile sig_atomic_t stop;
static void on_sig(int sig) { (void)sig; stop = 1; }

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double *lat;
static size_t nlat, caplat;
static char lat_key[64] = "\"seen\":";

static void latency(const char *p, size_t n)
{
	size_t kl = strlen(lat_key);
	const char *k = memmem(p, n, lat_key, kl);
	if (!k)
		return;
	double seen = strtod(k + kl, NULL);
	if (seen <= 0)
		return;
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 4096;
		lat = realloc(lat, caplat * sizeof *lat);
		if (!lat)
			abort();
	}
	lat[nlat++] = (now_s() - seen) * 1000.0;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static uint64_t total_msgs, total_bytes;

/* Feed received bytes through the frame parser of c. */
static void frames(struct cl *c, const uint8_t *p, size_t n)
{
	total_bytes += n;
	while (n) {
		if (c->left == 0 && c->hn < c->need) {
			size_t take = c->need - c->hn < n ? c->need - c->hn : n;
			memcpy(c->hdr + c->hn, p, take);
			c->hn += take;
			p += take;
			n -= take;
			if (c->hn == 2) {
				unsigned l = c->hdr[1] & 127;
				c->need = l == 126 ? 4 : l == 127 ? 10 : 2;
			}
			if (c->hn < c->need)
				continue;
			unsigned l = c->hdr[1] & 127;
			uint64_t len = l;
			if (l == 126)
				len = (uint64_t)c->hdr[2] << 8 | c->hdr[3];
			else if (l == 127)
				for (int i = 0; i < 8; i++)
					len = len << 8 | c->hdr[2 + i];
			c->op = c->hdr[0] & 15;
			c->left = len;
			c->paylen = 0;
			if (c->sample || c->op == 9) {
				free(c->pay);
				c->pay = malloc(len + 1);
				if (!c->pay)
					abort();
			}
			if (len)
				continue;
		}
		size_t take = c->left < n ? (size_t)c->left : n;
		if (c->pay) {
			memcpy(c->pay + c->paylen, p, take);
			c->paylen += take;
		}
		c->left -= take;
		p += take;
		n -= take;
		if (c->left)
			continue;
		/* a whole frame */
		uint64_t len = c->paylen;
		if (!c->pay) {
			unsigned l = c->hdr[1] & 127;
			len = l < 126 ? l : 101; /* only "over 100" matters */
		}
		if ((c->op == 1 || c->op == 0) && (len > 100 || c->hn > 2)) {
			c->msgs++;
			total_msgs++;
			if (c->pay)
				latency(c->pay, c->paylen);
		} else if (c->op == 9) { /* ping: a masked pong (mask 0) */
			uint8_t f[2 + 4 + 125] = { 0x8a, (uint8_t)(0x80 | c->paylen) };
			memcpy(f + 6, c->pay, c->paylen);
			ssize_t w = write(c->fd, f, 6 + c->paylen);
			(void)w;
		} else if (c->op == 8) {
			c->st = DONE;
		}
		free(c->pay);
		c->pay = NULL;
		c->hn = 0;
		c->need = 2;
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: wsload HOST:PORT PATH N [SECS [EXPECT [LAT_EVERY]]]\n");
		return 2;
	}
	char host[64];
	const char *colon = strrchr(argv[1], ':');
	if (!colon || colon - argv[1] >= (long)sizeof host)
		return 2;
	memcpy(host, argv[1], (size_t)(colon - argv[1]));
	host[colon - argv[1]] = '\0';
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10)) };
	inet_pton(AF_INET, host, &sa.sin_addr);
	const char *path = argv[2];
	size_t n = strtoul(argv[3], NULL, 10);
	double secs = argc > 4 ? strtod(argv[4], NULL) : 10;
	uint64_t expect = argc > 5 ? strtoull(argv[5], NULL, 10) : 0;
	unsigned every = argc > 6 ? (unsigned)strtoul(argv[6], NULL, 10) : 16;
	if (argc > 7)
		snprintf(lat_key, sizeof lat_key, "\"%s\":", argv[7]);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	struct cl *cs = calloc(n, sizeof *cs);
	int ep = epoll_create1(0);
	char req[512];
	int rl = snprintf(req, sizeof req,
			  "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
			  "Connection: Upgrade\r\n"
			  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			  "Sec-WebSocket-Version: 13\r\n\r\n", path, argv[1]);
	size_t started = 0, open_n = 0, closed = 0, inflight = 0;
	static uint8_t buf[1 << 18];
	double ready_at = 0, t0 = now_s();
	while (!stop) {
		while (started < n && inflight < 256) {
			struct cl *c = &cs[started];
			c->sample = every && started % every == 0;
			c->need = 2;
			c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			if (c->fd < 0) {
				perror("wsload: socket");
				return 1;
			}
			int one = 1;
			setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			connect(c->fd, (struct sockaddr *)&sa, sizeof sa);
			c->st = CONNECTING;
			struct epoll_event e = { .events = EPOLLOUT | EPOLLIN,
						 .data.ptr = c };
			epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e);
			started++;
			inflight++;
		}
		struct epoll_event ev[256];
		int k = epoll_wait(ep, ev, 256, 100);
		for (int i = 0; i < k; i++) {
			struct cl *c = ev[i].data.ptr;
			if (c->st == CONNECTING && (ev[i].events & EPOLLOUT)) {
				if (write(c->fd, req, (size_t)rl) != rl) {
					c->st = DONE;
					closed++;
					inflight--;
					close(c->fd);
					continue;
				}
				c->st = HANDSHAKE;
				struct epoll_event e = { .events = EPOLLIN, .data.ptr = c };
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
				continue;
			}
			if (!(ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || c->st == DONE)
				continue;
			ssize_t r = read(c->fd, buf, sizeof buf);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				if (c->st == HANDSHAKE)
					inflight--;
				c->st = DONE;
				closed++;
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				continue;
			}
			size_t off = 0;
			if (c->st == HANDSHAKE) {
				size_t take = (size_t)r < sizeof c->resp - 1 - c->rlen
						      ? (size_t)r : sizeof c->resp - 1 - c->rlen;
				memcpy(c->resp + c->rlen, buf, take);
				c->rlen += take;
				c->resp[c->rlen] = '\0';
				char *end = strstr(c->resp, "\r\n\r\n");
				if (!end)
					continue;
				if (!strstr(c->resp, " 101 ")) {
					fprintf(stderr, "wsload: refused: %.60s\n", c->resp);
					c->st = DONE;
					closed++;
					inflight--;
					close(c->fd);
					continue;
				}
				size_t headlen = (size_t)(end + 4 - c->resp);
				off = headlen - (c->rlen - take);
				c->st = OPEN;
				open_n++;
				inflight--;
				if (open_n == n) {
					ready_at = now_s();
					fprintf(stderr, "ready\n");
				}
			}
			if (c->st == OPEN && (size_t)r > off)
				frames(c, buf + off, (size_t)r - off);
		}
		double t = now_s();
		if (ready_at && t - ready_at >= secs)
			break;
		if (!ready_at && started == n && inflight == 0 && open_n + closed == n) {
			ready_at = t; /* some were refused: go on with the rest */
			fprintf(stderr, "ready (%zu refused)\n", closed);
		}
		if (!ready_at && t - t0 > 120)
			break;
		if (expect && ready_at && total_msgs >= expect * open_n) {
			int all = 1;
			for (size_t j = 0; j < n && all; j++)
				all = cs[j].st != OPEN || cs[j].msgs >= expect;
			if (all)
				break;
		}
	}
	if (nlat)
		qsort(lat, nlat, sizeof *lat, cmpd);
	printf("{\"clients\":%zu,\"connected\":%zu,\"closed\":%zu,\"messages\":%llu,"
	       "\"bytes\":%llu,\"lat_samples\":%zu,\"lat_p50_ms\":%.1f,"
	       "\"lat_p90_ms\":%.1f,\"lat_p99_ms\":%.1f,\"lat_max_ms\":%.1f}\n",
	       n, open_n, closed, (unsigned long long)total_msgs,
	       (unsigned long long)total_bytes, nlat,
	       nlat ? lat[nlat / 2] : 0.0, nlat ? lat[nlat * 9 / 10] : 0.0,
	       nlat ? lat[nlat * 99 / 100] : 0.0,
	       nlat ? lat[nlat - 1] : 0.0);
	for (size_t j = 0; j < started; j++) {
		if (cs[j].st != DONE)
			close(cs[j].fd);
		free(cs[j].pay);
	}
	free(cs);
	free(lat);
	close(ep);
	return 0;
}
