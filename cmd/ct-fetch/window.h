/* window: a log's window of pages or tiles (window.c). */
#ifndef CT_FETCH_WINDOW_H
#define CT_FETCH_WINDOW_H

#include "fetch.h"

/* Answer buffers a log keeps for reuse beyond its window: a window's
 * worth comes back as each page is written, and is asked for again at
 * once; fresh buffers would cost a copy as they grow and a page fault
 * per 4 KiB. */
#define WINDOW_SPARES 2

/* How many buffers l keeps aside now: its window and WINDOW_SPARES. */
size_t window_spares(const struct log *l);
/* Put b's buffer aside for the next answer of l (keeping at most max;
 * the rest is freed); b is left empty. */
void window_spare_put(struct log *l, struct ctbuf *b, size_t max);
/* A buffer put aside, into b (empty if there is none). */
void window_spare_get(struct log *l, struct ctbuf *b);
/* Free the buffers put aside (a log at its head needs none: they would
 * count against every log's memory budget while it idles). */
void window_spare_trim(struct log *l);
void window_chunk_free(struct log *l, struct chunk *c, size_t spares);

/* Requests in flight that keep the log busy now (at most cwnd). */
unsigned window_now(struct log *l);
/* New chunks after the last, while the window has room for them. */
void window_plan(struct log *l);
/* The first chunk has waited far longer than answers take while later
 * ones came back: 1 to ask again (once); else *wait is when it would. */
int window_stalled(const struct log *l, int64_t now, int64_t *wait);

/* Read an answer into its chunk (views into r's body): 0, or -1 after
 * saying why (health_fail). A short page leaves a hole asked for next. */
int window_take_page(struct log *l, struct fetcher *f, struct chunk *c,
		     struct req *r);
int window_take_tile(struct log *l, struct fetcher *f, struct chunk *c,
		     struct req *r);
/* A chunk came in: the congestion window grows (doubling up to
 * ssthresh, then one per window), the usual answer size is updated. */
void window_answered(struct log *l, const struct chunk *c);
/* A chunk is out: fold the time it took to read and write out (since
 * t0_us, plus its reading) into the processing time. */
void window_proc_time(struct log *l, const struct chunk *c, int64_t t0_us);
/* A data request came back in t_us: the answer time averages. */
void window_latency(struct log *l, double t_us, int64_t now);

/* Bytes of answers l holds: in, coming in (as large as they usually
 * are), and buffers kept for the next ones. */
size_t window_held(const struct log *l);

#endif
