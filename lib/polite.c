/* polite: token buckets and retry delays. */
#include "polite.h"

#include <stdlib.h>

void ctbucket_init(struct ctbucket *b, double rate, int64_t now_ms)
{
	b->rate = rate;
	b->tokens = rate;
	b->at_ms = now_ms;
}

int64_t ctbucket_take(struct ctbucket *b, int64_t now_ms)
{
	if (b->rate <= 0)
		return 0;
	if (now_ms > b->at_ms)
		b->tokens += b->rate * (double)(now_ms - b->at_ms) / 1000.0;
	if (b->tokens > b->rate)
		b->tokens = b->rate;
	b->at_ms = now_ms;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return 0;
	}
	return (int64_t)((1 - b->tokens) * 1000.0 / b->rate) + 1;
}

void ctbucket_give(struct ctbucket *b)
{
	if (b->rate > 0)
		b->tokens += 1;
}

int64_t ctretry_delay(const struct ctretry *p, unsigned fails,
		      int64_t retry_after_ms)
{
	int64_t d = p->first_ms > 0 ? p->first_ms : 1;
	for (unsigned i = 1; i < fails && d < p->max_ms; i++)
		d *= 2;
	if (d > p->max_ms)
		d = p->max_ms;
	d = d / 2 + rand() % (d / 2 + 1);
	if (retry_after_ms > 0)
		d = retry_after_ms;
	if (fails >= p->breaker && d < p->rest_ms)
		d = p->rest_ms;
	return d;
}
