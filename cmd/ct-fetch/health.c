/* health: a log's failures and successes: the backoff, the breaker, the
 * window halved on 429/503, giving up after --max-tries, and the words
 * for its health and state in reports. */
#include "health.h"

#include <stdarg.h>
#include <stdio.h>

#include "clock.h"
#include "diag.h"

static const char *const health_names[] = { "healthy", "degraded",
					     "unhealthy" };

/* A request failed: say so, back the log off (exponential, with jitter,
 * or as the log said), halve the window when it said too much; give up
 * after --max-tries failures in a row. */

void health_fail(struct log *l, struct fetcher *f, long retry_after_s,
		 int congested, const char *fmt, ...)
{
	const struct opts *o = f->o;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->last_error, sizeof l->last_error, fmt, ap);
	va_end(ap);
	l->errors++;
	l->fails++;
	if (congested) {
		l->ssthresh = l->cwnd / 2 < 1 ? 1 : l->cwnd / 2;
		l->cwnd = l->ssthresh;
		l->shrinks++;
	}
	int64_t delay = ctretry_delay(&o->retry, l->fails,
				      (int64_t)retry_after_s * 1000);
	if (l->fails == o->retry.breaker)
		ct_warnx("%s: unhealthy after %u failures in a row: resting, "
			 "one probe every %.0f s", l->name, l->fails,
			 (double)o->retry.rest_ms / 1000);
	ct_warnx("%s: %s (try %u; again in %.1f s)", l->name, l->last_error,
		 l->fails, (double)delay / 1000);
	if (o->max_tries && l->fails >= o->max_tries) {
		ct_warnx("%s: giving up after %u failed tries at index %llu",
			 l->name, l->fails, (unsigned long long)l->next);
		l->phase = P_FAILED;
		return;
	}
	int64_t until = ct_now_ms() + delay;
	if (until > l->wait_until)
		l->wait_until = until;
}

void health_ok(struct log *l, const struct opts *o, int64_t now)
{
	if (l->fails >= o->retry.breaker)
		ct_warnx("%s: healthy again", l->name);
	l->fails = 0;
	l->last_ok_ms = now;
}

enum health log_health(const struct log *l, const struct opts *o)
{
	return !l->fails ? H_HEALTHY : l->fails < o->retry.breaker
		? H_DEGRADED : H_UNHEALTHY;
}

const char *log_health_name(enum health h)
{
	return health_names[h];
}

const char *log_state_name(const struct log *l, int64_t now)
{
	switch (l->phase) {
	case P_DONE: return "done";
	case P_FAILED: return "failed";
	case P_IDLE: return "sth";
	default: return l->fails && now < l->wait_until ? "backoff"
			: l->phase == P_HEAD ? "sth" : "entries";
	}
}
