/* gaps: what a reconnection missed, per log. The last cert_index of
 * each log is kept (for at most GAPS_MAX logs); the first message of a
 * log on a new connection that jumps past the next index tells how many
 * entries went by while ct-tail was away. Jumps within one connection
 * are not counted: servers skip entries on their own (duplicates, slow
 * clients). */
#ifndef CT_TAIL_GAPS_H
#define CT_TAIL_GAPS_H

#include <stddef.h>
#include <stdint.h>

#define GAPS_MAX 4096

struct gaps;
struct gaps *gaps_new(void);
void gaps_free(struct gaps *g); /* accepts NULL */

/* A new connection begins. */
void gaps_reconnect(struct gaps *g);

/* A message of log (its URL as it stands in the message) with index.
 * Returns how many entries were missed since the log's last message on
 * an earlier connection (0 if none, or the log is new), with *first the
 * first index missed. */
uint64_t gaps_seen(struct gaps *g, const char *log, size_t n,
		   uint64_t index, uint64_t *first);

#endif
