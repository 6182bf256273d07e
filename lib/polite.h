/* polite: how a client of many servers keeps to their limits, apart
 * from the transfers themselves: token buckets for request rates, and
 * the delay before a retry (exponential backoff with jitter, the
 * server's Retry-After, a circuit breaker that rests after a run of
 * failures). Used by ct-fetch for every log and operator, and by
 * ct-loglist. Plain structs: the caller owns them. */
#ifndef CT_POLITE_H
#define CT_POLITE_H

#include <stdint.h>

/* A token bucket: rate tokens a second, a burst of one second's worth;
 * rate 0 is no limit. */
struct ctbucket {
	double tokens, rate;
	int64_t at_ms;
};

void ctbucket_init(struct ctbucket *b, double rate, int64_t now_ms);
/* 0 if a request may go now (one token taken), else the ms to wait. */
int64_t ctbucket_take(struct ctbucket *b, int64_t now_ms);
/* Give back a token taken for a request that did not go. */
void ctbucket_give(struct ctbucket *b);

struct ctretry {
	int64_t first_ms;	/* first delay, doubling with each failure */
	int64_t max_ms;		/* the doubling stops here */
	unsigned breaker;	/* failures in a row that open the circuit */
	int64_t rest_ms;	/* the least delay while it is open */
};

/* The delay before the next try after fails failures in a row (fails
 * >= 1): backoff with equal jitter (half fixed, half random), replaced
 * by retry_after_ms when the server gave one (> 0); never less than
 * rest_ms once fails >= breaker. */
int64_t ctretry_delay(const struct ctretry *p, unsigned fails,
		      int64_t retry_after_ms);

#endif
