/* lib/evloop: timers in the order they are due, repeating, cancelled
 * (also from another timer's callback), added from a callback; the
 * before-sleep hook; descriptors ready for reading and writing; an io
 * deleted by another io's callback in the same round is not called. */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "../../lib/clock.h"
#include "../../lib/evloop.h"
#include "tap.h"

static char order[32];
static size_t norder;

struct tmr {
	char name;
	int runs, every, stop_after;
	uint64_t cancel; /* a timer this one cancels when it runs */
};

static int64_t on_timer(struct ctev *ev, void *ctx)
{
	struct tmr *t = ctx;
	if (norder < sizeof order - 1)
		order[norder++] = t->name;
	t->runs++;
	if (t->cancel) {
		ctev_timer_del(ev, t->cancel);
		t->cancel = 0;
	}
	if (t->stop_after && t->runs == t->stop_after)
		ctev_stop(ev);
	return t->every ? t->every : CTEV_NOMORE;
}

static void timers(void)
{
	struct ctev *ev = ctev_new();
	ok(ev != NULL, "a loop");
	/* far apart, so that a slow machine keeps the order */
	struct tmr a = { 'a', 0, 0, 0, 0 }, b = { 'b', 0, 0, 0, 0 },
		  c = { 'c', 0, 0, 1, 0 }, x = { 'x', 0, 0, 0, 0 };
	norder = 0;
	ctev_timer_add(ev, 110, on_timer, &a);
	uint64_t xid = ctev_timer_add(ev, 150, on_timer, &x);
	ctev_timer_add(ev, 10, on_timer, &b);
	ctev_timer_add(ev, 210, on_timer, &c); /* stops the loop */
	a.cancel = xid;
	ok(ctev_run(ev) == 0, "run ends with ctev_stop");
	order[norder] = '\0';
	ok(!strcmp(order, "bac"), "in the order due, x cancelled by a: %s",
	   order);
	ok(ctev_timer_del(ev, xid) == -1, "a cancelled timer is gone");
	/* repeating: every 10 ms, the 4th run stops */
	struct tmr r = { 'r', 0, 10, 4, 0 };
	uint64_t rid = ctev_timer_add(ev, 10, on_timer, &r);
	int64_t t0 = ct_now_ms();
	ctev_run(ev);
	int64_t took = ct_now_ms() - t0;
	ok(r.runs == 4 && took >= 40 && took < 5000, "4 runs in %lld ms",
	   (long long)took);
	ok(ctev_timer_del(ev, rid) == 0, "a repeating timer stays until "
	   "cancelled");
	ok(ctev_timer_del(ev, 0) == -1, "0 is no timer");
	ctev_free(ev);
}

/* A timer added from a callback waits for the next round, even at 0. */
static struct tmr late = { 'l', 0, 0, 1, 0 };
static int rounds;
static int64_t adder(struct ctev *ev, void *ctx)
{
	(void)ctx;
	ctev_timer_add(ev, 0, on_timer, &late);
	return CTEV_NOMORE;
}

static void count_rounds(struct ctev *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
	rounds++;
}

static void added_from_callback(void)
{
	struct ctev *ev = ctev_new();
	norder = 0;
	rounds = 0;
	ctev_before_sleep(ev, count_rounds, NULL);
	ctev_timer_add(ev, 0, adder, NULL);
	ctev_run(ev);
	ok(late.runs == 1 && rounds == 2, "added at 0 runs in the next round "
	   "(%d rounds)", rounds);
	ctev_free(ev);
}

/* Two pipes ready at once: whichever callback runs first deletes the
 * other's io, which must then not be called. */
struct pio {
	struct ctev_io io;
	struct pio *other;
	int calls;
};

static void on_ready(struct ctev *ev, struct ctev_io *io, int ready)
{
	struct pio *p = (struct pio *)io;
	p->calls++;
	if (ready & CTEV_READ) {
		char b[8];
		ssize_t n = read(io->fd, b, sizeof b);
		(void)n;
	}
	if (p->other) {
		ctev_del(ev, &p->other->io);
		p->other->other = NULL;
	}
	ctev_del(ev, io);
	ctev_stop(ev);
}

static void deleted_in_round(void)
{
	struct ctev *ev = ctev_new();
	int a[2], b[2];
	if (pipe(a) < 0 || pipe(b) < 0)
		abort();
	struct pio pa = { { 0, 0, NULL }, NULL, 0 }, pb = pa;
	pa.other = &pb;
	pb.other = &pa;
	ok(ctev_add(ev, &pa.io, a[0], CTEV_READ, on_ready) == 0 &&
		   ctev_add(ev, &pb.io, b[0], CTEV_READ, on_ready) == 0,
	   "two pipes watched");
	ok(write(a[1], "x", 1) == 1 && write(b[1], "y", 1) == 1, "both ready");
	ctev_run(ev);
	ok(pa.calls + pb.calls == 1, "only the first called (%d, %d)",
	   pa.calls, pb.calls);
	/* a write end is writable at once; 0 watches nothing */
	struct pio w = { { 0, 0, NULL }, NULL, 0 };
	ok(ctev_add(ev, &w.io, a[1], 0, on_ready) == 0, "watch nothing");
	ok(ctev_set(ev, &w.io, CTEV_WRITE) == 0 && w.io.mask == CTEV_WRITE,
	   "then writing");
	ctev_run(ev);
	ok(w.calls == 1, "called when writable");
	int fd = open("/dev/null", 0);
	ok(ctev_add(ev, &w.io, fd, CTEV_READ, on_ready) < 0,
	   "a file cannot be watched (EPERM)");
	close(fd);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	ctev_free(ev);
}

int main(void)
{
	timers();
	added_from_callback();
	deleted_in_round();
	return tap_done();
}
