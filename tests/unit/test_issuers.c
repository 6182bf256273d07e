/* Unit tests of ct-fetch's issuer cache (cmd/ct-fetch/issuers.c, built
 * into this test): bounds by count and bytes, least recently used out
 * first, the per-issuer cap, and many evictions keeping every lookup
 * right (the table's backward-shift deletion). */
#include "tap.h"

#include "../../cmd/ct-fetch/issuers.c"

static void fp_of(unsigned i, uint8_t fp[32])
{
	memset(fp, 0, 32);
	/* the same low bytes for many keys: long probe runs */
	fp[0] = (uint8_t)(i & 3);
	memcpy(fp + 8, &i, sizeof i);
}

int main(void)
{
	uint8_t fp[32], der[4096];
	struct ct_bytes v;
	memset(der, 7, sizeof der);

	struct issuers *c = issuers_new(4, ISSUERS_MAX_BYTES);
	for (unsigned i = 0; i < 4; i++) {
		fp_of(i, fp);
		issuers_put(c, fp, der, 100 + i);
	}
	fp_of(0, fp);
	ok(issuers_get(c, fp, &v) && v.len == 100, "held, right length");
	fp_of(4, fp);
	issuers_put(c, fp, der, 10);
	fp_of(1, fp);
	ok(!issuers_get(c, fp, &v), "the least recently used went first");
	fp_of(0, fp);
	ok(issuers_get(c, fp, &v), "the one just used stayed");
	ok(issuers_count(c) == 4, "count bound kept: %zu", issuers_count(c));
	issuers_free(c);

	c = issuers_new(1000, ISSUERS_MAX_ONE * 2);
	static uint8_t big[ISSUERS_MAX_ONE + 1];
	fp_of(1, fp);
	ok(issuers_put(c, fp, big, sizeof big) == -1 && !issuers_count(c),
	   "an issuer over %zu bytes refused", ISSUERS_MAX_ONE);
	for (unsigned i = 0; i < 3; i++) {
		fp_of(i, fp);
		ok(issuers_put(c, fp, big, ISSUERS_MAX_ONE) == 0, "put %u", i);
	}
	ok(issuers_bytes(c) <= ISSUERS_MAX_ONE * 2 && issuers_count(c) == 2,
	   "byte bound kept: %zu bytes, %zu held", issuers_bytes(c),
	   issuers_count(c));
	issuers_free(c);

	/* many keys through a small cache: every held key is found with
	 * its own bytes, every evicted one is gone */
	c = issuers_new(64, ISSUERS_MAX_BYTES);
	int right = 1;
	for (unsigned i = 0; i < 5000; i++) {
		fp_of(i, fp);
		der[0] = (uint8_t)i;
		issuers_put(c, fp, der, 1 + i % 50);
		for (unsigned j = i > 100 ? i - 100 : 0; j <= i; j++) {
			fp_of(j, fp);
			int held = issuers_get(c, fp, &v);
			if (held != (i - j < 64) ||
			    (held && (v.len != 1 + j % 50 || v.p[0] != (uint8_t)j)))
				right = 0;
		}
		/* re-touch in age order, newest last, to keep LRU = FIFO */
		for (unsigned j = i >= 63 ? i - 63 : 0; j <= i; j++) {
			fp_of(j, fp);
			issuers_get(c, fp, &v);
		}
	}
	ok(right, "5,000 keys through 64 slots: lookups right throughout");
	issuers_free(c);
	return tap_done();
}
