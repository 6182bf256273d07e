/* evloop: a small event loop in the manner of redis's ae: descriptors
 * watched for reading and writing, timers in milliseconds of the
 * monotonic clock, and a hook run before each wait. One round: the hook,
 * a wait (until an event or the nearest timer), the events fetched, then
 * the timers that are due. The backend is epoll, level-triggered.
 *
 * The loop owns nothing it watches. A descriptor is watched through a
 * struct ctev_io that the caller keeps in place (usually inside its own
 * connection struct) from ctev_add to ctev_del; once ctev_del returns
 * the caller may free it, even from another descriptor's callback in
 * the same round: an event already fetched for it is not delivered.
 * Nothing here prints or exits. */
#ifndef CT_EVLOOP_H
#define CT_EVLOOP_H

#include <stdint.h>

struct ctev;

enum { CTEV_READ = 1, CTEV_WRITE = 2 };

/* A watched descriptor. fd, mask and fn are set by ctev_add and
 * ctev_set, and only read by the caller. fn is called with what the
 * descriptor is ready for; an error or a hang-up reports both
 * CTEV_READ and CTEV_WRITE, whatever is watched (even nothing). */
struct ctev_io {
	int fd;
	int mask;
	void (*fn)(struct ctev *ev, struct ctev_io *io, int ready);
};

/* A timer's callback returns the milliseconds until it runs again, or
 * CTEV_NOMORE to end (its id is then no longer valid). */
#define CTEV_NOMORE (-1)

/* A new loop, or NULL with errno set. ctev_free accepts NULL; it closes
 * none of the watched descriptors. */
struct ctev *ctev_new(void);
void ctev_free(struct ctev *ev);

/* Watch fd for mask (CTEV_READ, CTEV_WRITE, both, or 0: only errors and
 * hang-ups) through io, calling fn. 0, or -1 with errno (EPERM: fd is a
 * regular file, which is always ready). */
int ctev_add(struct ctev *ev, struct ctev_io *io, int fd, int mask,
	     void (*fn)(struct ctev *ev, struct ctev_io *io, int ready));
/* Watch io's descriptor for mask instead. 0, or -1 with errno. */
int ctev_set(struct ctev *ev, struct ctev_io *io, int mask);
/* Stop watching io (before its descriptor is closed). */
void ctev_del(struct ctev *ev, struct ctev_io *io);

/* Call fn(ev, ctx) in ms milliseconds (0: in the next round without
 * waiting). Returns the timer's id (never 0). */
uint64_t ctev_timer_add(struct ctev *ev, int64_t ms,
			int64_t (*fn)(struct ctev *ev, void *ctx), void *ctx);
/* Cancel a timer: 0, or -1 if there is no such timer (it ended). */
int ctev_timer_del(struct ctev *ev, uint64_t id);

/* Call fn(ev, ctx) at the start of every round, before the wait (the
 * place to write what the round queued, and to free what it dropped).
 * NULL removes it. */
void ctev_before_sleep(struct ctev *ev, void (*fn)(struct ctev *ev, void *ctx),
		       void *ctx);

/* Run rounds until ctev_stop: 0 then, or -1 with errno if the wait
 * failed (EINTR is not a failure: the round ends early). */
int ctev_run(struct ctev *ev);
/* End ctev_run after the current round (from a callback or the hook). */
void ctev_stop(struct ctev *ev);

#endif
