/* health: failures, successes and the words for them (health.c). */
#ifndef CT_FETCH_HEALTH_H
#define CT_FETCH_HEALTH_H

#include "fetch.h"

/* A request of l failed: say so (one line), back the log off
 * (exponential with jitter, or retry_after_s as the log said), halve the
 * window when congested (429/503); give up after --max-tries failures
 * in a row (l->phase = P_FAILED). */
void health_fail(struct log *l, struct fetcher *f, long retry_after_s,
		 int congested, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* A request of l succeeded: the failures in a row are over. */
void health_ok(struct log *l, const struct opts *o, int64_t now);

enum health log_health(const struct log *l, const struct opts *o);
/* The health as a word: healthy, degraded, unhealthy. */
const char *log_health_name(enum health h);
/* What the log is doing: sth, entries, backoff, done, failed. */
const char *log_state_name(const struct log *l, int64_t now);

#endif
