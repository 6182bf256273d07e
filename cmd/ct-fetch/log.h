/* log: one CT log's fetching, what both APIs share. A log polls its
 * head (get-sth or the checkpoint), then keeps a window of requests in
 * flight for the pages (RFC 6962) or data tiles (static) up to it; the
 * answers come back in any order and leave in index order from a
 * reorder buffer bounded by the window (at most window pages or tiles
 * are held). Each entry's leaf hash is folded into the compact range as
 * it leaves, and the root is compared with the signed one. Politeness:
 * the log's and its operator's request rates bound every request; a
 * failure backs the log off (and 429/503 halve the window, which grows
 * back by one per window of successes, as TCP's does); a request that
 * stalls while later ones come back is asked again; the head is polled
 * soon after it moved and ever more slowly while it does not. */
#ifndef CT_FETCH_LOG_H
#define CT_FETCH_LOG_H

#include "fetch.h"

/* Ready l for its run (its position and state already set). */
void log_start(struct log *l, const struct opts *o, int64_t now);
/* Start whatever l may start now. Returns the ms until it may want to
 * start something more, if nothing comes back meanwhile. */
int64_t log_pump(struct log *l, struct fetcher *f, int64_t now);
/* r, one of l's requests, came back: take its answer. Frees r. */
void log_done(struct log *l, struct fetcher *f, struct req *r, int64_t now);
/* Still something to do (not done, not given up)? */
int log_active(const struct log *l);
/* Stop: cancel what is in flight, drop what is not written. */
void log_stop(struct log *l, struct fetcher *f);

#endif
