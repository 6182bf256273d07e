/* lib/dedup: window, capacity, eviction order, state round trip. */
#include <string.h>

#include "../../lib/dedup.h"
#include "tap.h"

static void key(uint8_t k[16], unsigned i)
{
	memset(k, 0, 16);
	/* spread over the table like real digests */
	uint64_t h = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
	memcpy(k, &h, 8);
	memcpy(k + 8, &i, sizeof i);
}

int main(void)
{
	uint8_t k[16];
	struct ctdedup *d = ctdedup_new(1000, 300);
	struct ctdedup_stats s;
	key(k, 1);
	ok(ctdedup_offer(d, k, 1000) == 1, "new key passes");
	ok(ctdedup_offer(d, k, 1100) == 0, "same key within the window drops");
	ok(ctdedup_offer(d, k, 1299) == 0, "still within at 299 s");
	ok(ctdedup_offer(d, k, 1300) == 1, "passes again once the window is over");
	ctdedup_free(d);

	d = ctdedup_new(100, 3600);
	for (unsigned i = 0; i < 250; i++) {
		key(k, i);
		ctdedup_offer(d, k, 5000 + i);
	}
	ctdedup_stats(d, &s);
	ok(s.held == 100 && s.evicted == 150, "capacity holds: held %zu evicted %llu",
	   s.held, (unsigned long long)s.evicted);
	key(k, 149);
	ok(ctdedup_offer(d, k, 6000) == 1, "the oldest went first (149 evicted)");
	key(k, 249);
	ok(ctdedup_offer(d, k, 6000) == 0, "the newest stayed (249 held)");
	/* a clock that goes back does not break the order */
	key(k, 100000);
	ok(ctdedup_offer(d, k, 10) == 1, "time going backwards is clamped");

	/* churn: insert/evict many times, every held key still found */
	struct ctdedup *c = ctdedup_new(5000, 1000000);
	int good = 1;
	for (unsigned i = 0; i < 200000; i++) {
		key(k, i);
		if (ctdedup_offer(c, k, 100) != 1)
			good = 0;
	}
	for (unsigned i = 200000 - 5000; i < 200000; i++) {
		key(k, i);
		if (ctdedup_offer(c, k, 100) != 0)
			good = 0;
	}
	ok(good, "after 200000 inserts through 5000 slots, the last 5000 are all found");

	struct ctbuf b = CTBUF_INIT;
	ctdedup_save(c, &b);
	ok(b.len == 12 + 5000 * 20 + 32, "state size %zu", b.len);
	struct ctdedup *e = ctdedup_new(5000, 1000000);
	const char *why = NULL;
	ok(ctdedup_load(e, (const uint8_t *)b.p, b.len, 200, &why) == 0,
	   "state loads");
	key(k, 199999);
	ok(ctdedup_offer(e, k, 200) == 0, "a loaded key drops");
	ctdedup_free(e);
	e = ctdedup_new(10, 1000000);
	ctdedup_load(e, (const uint8_t *)b.p, b.len, 200, &why);
	ctdedup_stats(e, &s);
	key(k, 199999);
	ok(s.held == 10 && ctdedup_offer(e, k, 200) == 0,
	   "a smaller capacity keeps the newest");
	ctdedup_free(e);
	e = ctdedup_new(5000, 50);
	ctdedup_load(e, (const uint8_t *)b.p, b.len, 200, &why);
	ctdedup_stats(e, &s);
	ok(s.held == 0, "expired entries are not loaded");
	ctdedup_free(e);
	b.p[20] ^= 1;
	e = ctdedup_new(5000, 1000000);
	ok(ctdedup_load(e, (const uint8_t *)b.p, b.len, 200, &why) < 0 &&
	   !strcmp(why, "state file checksum mismatch"), "corruption detected: %s", why);
	ok(ctdedup_load(e, (const uint8_t *)b.p, 50, 200, &why) < 0, "truncation detected");
	ok(ctdedup_load(e, (const uint8_t *)"junk", 4, 200, &why) < 0, "junk refused");
	{
		struct ctdedup *f = ctdedup_new(1000, 3600);
		const char *w;
		uint8_t kk[16];
		ctbuf_reset(&b);
		for (unsigned i = 0; i < 10; i++) {
			key(kk, 500 + i);
			ctdedup_offer(f, kk, 100 + i);
		}
		ctdedup_save(f, &b);
		ctdedup_free(f);
		f = ctdedup_new(1000, 3600);
		int r = ctdedup_load_forget(f, (const uint8_t *)b.p, b.len, 200, 3, &w);
		key(kk, 507);
		int newest_forgotten = ctdedup_offer(f, kk, 200) == 1;
		key(kk, 506);
		ok(r == 0 && newest_forgotten && ctdedup_offer(f, kk, 200) == 0,
		   "--forget-newest 3: keys 7-9 pass again, 6 is still held");
		ctdedup_free(f);
	}
	ctdedup_stats(e, &s);
	ok(s.held == 0, "a refused state leaves the set empty");
	ctdedup_free(e);
	ctbuf_free(&b);
	printf("# footprint %zu bytes for 5000 keys\n", ctdedup_footprint(c));
	ctdedup_free(c);
	ctdedup_free(d);
	return tap_done();
}
