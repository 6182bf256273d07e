/* fanout: the bare epoll fan-out that ct-serve is measured against. It
 * answers any request with a fixed 101 response, then writes every line
 * of standard input, framed once as a WebSocket text frame, to every
 * client: no parsing, no queues of shared buffers, no limits (a client
 * that cannot take a frame gets the rest later from a private copy).
 * The frames of all the lines one read brings go out in one write per
 * client, the cheapest a fan-out can be.
 * usage: fanout HOST:PORT < lines   (prints "listening" when ready) */
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
#include <unistd.h>

struct cl {
	int fd, open;
	char *pend; /* bytes a full socket could not take */
	size_t plen, pcap;
	size_t got;  /* request bytes seen, until its blank line */
	char tail[4];
	struct cl *next;
};

static struct cl *all;
static int ep;

static void pend(struct cl *c, const char *p, size_t n)
{
	if (c->plen + n > c->pcap) {
		c->pcap = (c->plen + n) * 2;
		c->pend = realloc(c->pend, c->pcap);
		if (!c->pend)
			abort();
	}
	memcpy(c->pend + c->plen, p, n);
	c->plen += n;
	struct epoll_event e = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
}

static void send_to(struct cl *c, const char *p, size_t n)
{
	if (c->plen) {
		pend(c, p, n);
		return;
	}
	ssize_t w = write(c->fd, p, n);
	if (w < 0)
		w = 0;
	if ((size_t)w < n)
		pend(c, p + w, n - (size_t)w);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	char host[64];
	const char *colon = strrchr(argv[1], ':');
	if (!colon || colon - argv[1] >= (long)sizeof host)
		return 2;
	memcpy(host, argv[1], (size_t)(colon - argv[1]));
	host[colon - argv[1]] = '\0';
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10)) };
	inet_pton(AF_INET, host, &sa.sin_addr);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 1024) < 0) {
		perror("fanout");
		return 1;
	}
	ep = epoll_create1(0);
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e);
	static int stdin_tag;
	fcntl(0, F_SETFL, O_NONBLOCK);
	e.data.ptr = &stdin_tag;
	epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e);
	fprintf(stderr, "listening\n");
	static const char ok[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
				 "Connection: Upgrade\r\n"
				 "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
	static char in[1 << 20], frame[(1 << 20) + (1 << 16)];
	size_t inlen = 0;
	int eof = 0;
	for (;;) {
		struct epoll_event ev[256];
		int k = epoll_wait(ep, ev, 256, eof ? 100 : -1);
		if (k == 0 && eof)
			break;
		for (int i = 0; i < k; i++) {
			void *p = ev[i].data.ptr;
			if (!p) {
				for (;;) {
					int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
					if (fd < 0)
						break;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					struct cl *c = calloc(1, sizeof *c);
					c->fd = fd;
					c->next = all;
					all = c;
					struct epoll_event ce = { .events = EPOLLIN, .data.ptr = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
				}
			} else if (p == &stdin_tag) {
				ssize_t r = read(0, in + inlen, sizeof in - inlen);
				if (r <= 0) {
					if (r == 0) {
						eof = 1;
						epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
					}
					continue;
				}
				inlen += (size_t)r;
				char *s = in;
				size_t fl = 0;
				for (;;) {
					char *nl = memchr(s, '\n', (size_t)(in + inlen - s));
					if (!nl)
						break;
					size_t n = (size_t)(nl - s);
					char *f = frame + fl;
					size_t h = 2;
					f[0] = (char)0x81;
					if (n < 126) {
						f[1] = (char)n;
					} else if (n < 65536) {
						f[1] = 126;
						f[2] = (char)(n >> 8);
						f[3] = (char)n;
						h = 4;
					} else {
						f[1] = 127;
						for (int b = 0; b < 8; b++)
							f[2 + b] = (char)((uint64_t)n >> (56 - 8 * b));
						h = 10;
					}
					memcpy(f + h, s, n);
					fl += h + n;
					s = nl + 1;
				}
				if (fl)
					for (struct cl *c = all; c; c = c->next)
						if (c->open)
							send_to(c, frame, fl);
				inlen = (size_t)(in + inlen - s);
				memmove(in, s, inlen);
			} else {
				struct cl *c = p;
				if (ev[i].events & EPOLLOUT && c->plen) {
					ssize_t w = write(c->fd, c->pend, c->plen);
					if (w > 0) {
						memmove(c->pend, c->pend + w, c->plen - (size_t)w);
						c->plen -= (size_t)w;
					}
					if (!c->plen) {
						struct epoll_event ce = { .events = EPOLLIN, .data.ptr = c };
						epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ce);
					}
				}
				if (ev[i].events & EPOLLIN) {
					char b[4096];
					ssize_t r = read(c->fd, b, sizeof b);
					if (r <= 0) {
						if (r < 0 && errno == EAGAIN)
							continue;
						epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
						close(c->fd);
						c->fd = -1;
						c->open = 0;
						continue;
					}
					/* the request ends at its first blank line */
					for (ssize_t j = 0; j < r && !c->open; j++) {
						memmove(c->tail, c->tail + 1, 3);
						c->tail[3] = b[j];
						if (!memcmp(c->tail, "\r\n\r\n", 4)) {
							c->open = 1;
							send_to(c, ok, sizeof ok - 1);
						}
					}
				}
			}
		}
	}
	return 0;
}
