/* lib/sse: event-stream lines: each kind, each line end, every prefix
 * against guard pages. */
#include "../../lib/sse.h"
#include "tap.h"

/* Parse the first line of s over a guard-page copy; every prefix shorter
 * than the line (and its end) must ask for more. */
static long line_guarded(const char *s, size_t n, struct ctsse_line *l,
			 char *keep, int *prefixes_ok)
{
	char *g = ct_guard_copy(s, n);
	long v = ctsse_parse(g, n, l);
	memcpy(keep, g, n);
	if (v >= 0) {
		l->name = keep + (l->name - g);
		l->value = keep + (l->value - g);
	}
	ct_guard_free(g, n);
	*prefixes_ok = 1;
	for (size_t k = 0; v > 0 && k < (size_t)v; k++) {
		char *gk = ct_guard_copy(s, k);
		struct ctsse_line t;
		if (ctsse_parse(gk, k, &t) != -2)
			*prefixes_ok = 0;
		ct_guard_free(gk, k);
	}
	return v;
}

static int is(const char *p, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(p, want, n);
}

int main(void)
{
	static const struct {
		const char *in;
		long took;
		int kind;
		const char *name, *value;
	} cases[] = {
		{ "data: {\"a\":1}\n\n", 14, CTSSE_FIELD, "data", "{\"a\":1}" },
		{ "data:x\r\nmore", 8, CTSSE_FIELD, "data", "x" },
		{ "data:  two\rX", 11, CTSSE_FIELD, "data", " two" },
		{ "data\n", 5, CTSSE_FIELD, "data", "" },
		{ ": keepalive\n", 12, CTSSE_COMMENT, "", " keepalive" },
		{ "\r\ndata: x\n", 2, CTSSE_DISPATCH, "", "" },
		{ "\ndata", 1, CTSSE_DISPATCH, "", "" },
		{ "event: a:b\n", 11, CTSSE_FIELD, "event", "a:b" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ctsse_line l;
		char keep[64];
		int pre;
		size_t n = strlen(cases[i].in);
		long v = line_guarded(cases[i].in, n, &l, keep, &pre);
		ok(v == cases[i].took && l.kind == cases[i].kind &&
			   is(l.name, l.nlen, cases[i].name) &&
			   is(l.value, l.vlen, cases[i].value) && pre,
		   "line %zu: took %ld, kind %d, '%.*s' = '%.*s'", i, v,
		   l.kind, (int)l.nlen, l.name, (int)l.vlen, l.value);
	}
	struct ctsse_line l;
	ok(ctsse_parse("data: x\r", 8, &l) == -2,
	   "a CR at the end waits for the byte after it");
	ok(ctsse_parse("data: no end", 12, &l) == -2, "no line end yet");
	ok(ctsse_parse("", 0, &l) == -2, "nothing");
	return tap_done();
}
