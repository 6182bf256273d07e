/* lib/positions: the highest index per key, bounded, and its file. */
#include <stdio.h>
#include <string.h>

#include "../../lib/positions.h"
#include "tap.h"

static void note(void)
{
	struct ctpos *p = ctpos_new(3);
	uint64_t v = 0;
	ok(ctpos_note(p, "a", 1, 5) == 1, "a new key");
	ok(ctpos_note(p, "a", 1, 4) == 0 && ctpos_get(p, "a", 1, &v) == 0 &&
		   v == 5,
	   "a lower index does not lower it");
	ok(ctpos_note(p, "a", 1, 5) == 0, "the same index is no change");
	ok(ctpos_note(p, "a", 1, 9) == 1 && ctpos_get(p, "a", 1, &v) == 0 &&
		   v == 9,
	   "a higher one raises it");
	ok(ctpos_note(p, "b", 1, 0) == 1 && ctpos_note(p, "c", 1, 1) == 1,
	   "up to the limit");
	ok(ctpos_note(p, "d", 1, 1) == -1 && ctpos_count(p) == 3 &&
		   ctpos_get(p, "d", 1, &v) < 0,
	   "a new key past the limit is not kept");
	ok(ctpos_note(p, "c", 1, 7) == 1, "known keys still move when full");
	ctpos_free(p);

	p = ctpos_new(10);
	static char big[CTPOS_MAXKEY + 1];
	memset(big, 'x', sizeof big);
	ok(ctpos_note(p, big, CTPOS_MAXKEY, 1) == 1 &&
		   ctpos_note(p, big, CTPOS_MAXKEY + 1, 1) == -1,
	   "keys up to %d bytes", CTPOS_MAXKEY);
	ok(ctpos_note(p, "a\0b", 3, 1) == 1 && ctpos_note(p, "a", 1, 2) == 1 &&
		   ctpos_get(p, "a\0b", 3, &v) == 0 && v == 1,
	   "keys are bytes, not C strings");
	ctpos_free(p);

	p = ctpos_new(100000);
	char k[32];
	int fine = 1;
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(k, sizeof k, "https://log%d.example/", i);
		fine &= ctpos_note(p, k, (size_t)n, (uint64_t)i) == 1;
	}
	for (int i = 0; i < 100000; i += 999) {
		int n = snprintf(k, sizeof k, "https://log%d.example/", i);
		fine &= ctpos_get(p, k, (size_t)n, &v) == 0 && v == (uint64_t)i;
	}
	ok(fine && ctpos_count(p) == 100000, "100000 keys, each found");
	ctpos_free(p);
}

static void file(void)
{
	struct ctpos *p = ctpos_new(10);
	ctpos_note(p, "https://b/", 10, 7);
	ctpos_note(p, "https://a/\"\n", 12, 18446744073709551615ULL);
	struct ctbuf b = CTBUF_INIT;
	ctpos_save(p, &b);
	const char *want = "{\"positions\":{\"https://b/\":7,"
			   "\"https://a/\\\"\\n\":18446744073709551615}}\n";
	ok(b.len == strlen(want) && !memcmp(b.p, want, b.len),
	   "saved in the order keys came, escaped: %.*s", (int)b.len, b.p);
	ctpos_free(p);
	struct ctpos *q = ctpos_new(10);
	const char *why = NULL;
	uint64_t v = 0;
	ok(ctpos_note(q, "https://b/", 10, 9) == 1 &&
		   ctpos_load(q, b.p, b.len, &why) == 0 &&
		   ctpos_get(q, "https://b/", 10, &v) == 0 && v == 9 &&
		   ctpos_get(q, "https://a/\"\n", 12, &v) == 0 &&
		   v == 18446744073709551615ULL,
	   "loaded back, merged by the highest");
	ctbuf_free(&b);
	const char *u = "{\"positions\":{\"https:\\/\\/x\\u00e9\":3}}";
	ok(ctpos_load(q, u, strlen(u), &why) == 0 &&
		   ctpos_get(q, "https://x\xc3\xa9", 11, &v) == 0 && v == 3,
	   "keys are unescaped");
	static const char *const bad[] = {
		"", "[]", "{}", "{\"positions\":[]}",
		"{\"positions\":{\"a\":-1}}", "{\"positions\":{\"a\":1.5}}",
		"{\"positions\":{\"a\":\"1\"}}",
		"{\"positions\":{\"a\":18446744073709551616}}",
		"{\"positions\":{\"a\":1}", "{\"positions\":{\"a\":1}} x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		int r = ctpos_load(q, bad[i], strlen(bad[i]), &why);
		ok(r < 0 && why, "not a positions file: '%s' (%s)", bad[i],
		   why ? why : "no reason");
	}
	ctpos_free(q);
}

int main(void)
{
	note();
	file();
	return tap_done();
}
