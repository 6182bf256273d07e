/* evloop: epoll, a batch of events at a time, and an unsorted array of
 * timers (a server has a handful; each round looks at every one). */
#include "evloop.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "mem.h"

#define BATCH 64 /* events fetched per wait */

struct timer {
	uint64_t id; /* 0: cancelled, removed at the end of the round */
	int64_t when;
	int64_t (*fn)(struct ctev *ev, void *ctx);
	void *ctx;
};

struct ctev {
	int ep;
	int stop;
	/* the batch being delivered: ctev_del clears an io's later events */
	struct epoll_event fired[BATCH];
	int nfired, at;
	struct timer *t;
	size_t nt, tcap;
	uint64_t last_id;
	void (*before)(struct ctev *ev, void *ctx);
	void *before_ctx;
};

struct ctev *ctev_new(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return NULL;
	struct ctev *ev = ct_xcalloc(1, sizeof *ev);
	ev->ep = ep;
	return ev;
}

void ctev_free(struct ctev *ev)
{
	if (!ev)
		return;
	close(ev->ep);
	free(ev->t);
	free(ev);
}

static uint32_t epoll_mask(int mask)
{
	return (mask & CTEV_READ ? EPOLLIN : 0) |
	       (mask & CTEV_WRITE ? EPOLLOUT : 0);
}

int ctev_add(struct ctev *ev, struct ctev_io *io, int fd, int mask,
	     void (*fn)(struct ctev *ev, struct ctev_io *io, int ready))
{
	struct epoll_event e = { .events = epoll_mask(mask), .data.ptr = io };
	if (epoll_ctl(ev->ep, EPOLL_CTL_ADD, fd, &e) < 0)
		return -1;
	io->fd = fd;
	io->mask = mask;
	io->fn = fn;
	return 0;
}

int ctev_set(struct ctev *ev, struct ctev_io *io, int mask)
{
	if (io->mask == mask)
		return 0;
	struct epoll_event e = { .events = epoll_mask(mask), .data.ptr = io };
	if (epoll_ctl(ev->ep, EPOLL_CTL_MOD, io->fd, &e) < 0)
		return -1;
	io->mask = mask;
	return 0;
}

void ctev_del(struct ctev *ev, struct ctev_io *io)
{
	epoll_ctl(ev->ep, EPOLL_CTL_DEL, io->fd, NULL);
	for (int k = ev->at + 1; k < ev->nfired; k++)
		if (ev->fired[k].data.ptr == io)
			ev->fired[k].data.ptr = NULL;
	io->mask = 0;
}

uint64_t ctev_timer_add(struct ctev *ev, int64_t ms,
			int64_t (*fn)(struct ctev *ev, void *ctx), void *ctx)
{
	if (ev->nt == ev->tcap) {
		ev->tcap = ev->tcap ? ev->tcap * 2 : 8;
		ev->t = ct_xrealloc(ev->t, ev->tcap * sizeof *ev->t);
	}
	struct timer *t = &ev->t[ev->nt++];
	t->id = ++ev->last_id;
	t->when = ct_now_ms() + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->ctx = ctx;
	return t->id;
}

int ctev_timer_del(struct ctev *ev, uint64_t id)
{
	for (size_t i = 0; id && i < ev->nt; i++)
		if (ev->t[i].id == id) {
			ev->t[i].id = 0; /* removed after the timers' turn */
			return 0;
		}
	return -1;
}

void ctev_before_sleep(struct ctev *ev, void (*fn)(struct ctev *ev, void *ctx),
		       void *ctx)
{
	ev->before = fn;
	ev->before_ctx = ctx;
}

void ctev_stop(struct ctev *ev)
{
	ev->stop = 1;
}

/* Milliseconds to the nearest timer, 0 if one is due, -1 if none. */
static int wait_ms(const struct ctev *ev)
{
	int64_t now = ct_now_ms(), best = -1;
	for (size_t i = 0; i < ev->nt; i++) {
		if (!ev->t[i].id)
			continue;
		int64_t d = ev->t[i].when > now ? ev->t[i].when - now : 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best > INT_MAX ? INT_MAX : (int)best;
}

/* Run the timers that are due, each at most once; those a callback adds
 * wait for the next round. The array may move under a callback (one
 * that adds a timer): it is indexed, never held by pointer. */
static void run_timers(struct ctev *ev)
{
	int64_t now = ct_now_ms();
	uint64_t last = ev->last_id;
	for (size_t i = 0; i < ev->nt; i++) {
		uint64_t id = ev->t[i].id;
		if (!id || id > last || ev->t[i].when > now)
			continue;
		int64_t next = ev->t[i].fn(ev, ev->t[i].ctx);
		if (ev->t[i].id != id)
			continue; /* it cancelled itself */
		if (next < 0)
			ev->t[i].id = 0;
		else
			ev->t[i].when = ct_now_ms() + next;
	}
	size_t keep = 0;
	for (size_t i = 0; i < ev->nt; i++)
		if (ev->t[i].id)
			ev->t[keep++] = ev->t[i];
	ev->nt = keep;
}

static int ready_mask(uint32_t e)
{
	int m = 0;
	if (e & (EPOLLIN | EPOLLERR | EPOLLHUP))
		m |= CTEV_READ;
	if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		m |= CTEV_WRITE;
	return m;
}

int ctev_run(struct ctev *ev)
{
	ev->stop = 0;
	while (!ev->stop) {
		if (ev->before)
			ev->before(ev, ev->before_ctx);
		if (ev->stop)
			break;
		int n = epoll_wait(ev->ep, ev->fired, BATCH, wait_ms(ev));
		if (n < 0 && errno != EINTR)
			return -1;
		ev->nfired = n > 0 ? n : 0;
		for (ev->at = 0; ev->at < ev->nfired; ev->at++) {
			struct ctev_io *io = ev->fired[ev->at].data.ptr;
			if (io)
				io->fn(ev, io,
				       ready_mask(ev->fired[ev->at].events));
		}
		ev->nfired = ev->at = 0;
		run_timers(ev);
	}
	return 0;
}
