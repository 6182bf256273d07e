/* libFuzzer target: a text/event-stream from a server, line by line:
 * each line is taken whole and moves forward, its views stay inside
 * it, and a line parses the same with more bytes after it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *b, size_t n, const char *p, size_t l)
{
	if (l && (p < b || p + l > b + n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *b = malloc(size ? size : 1);
	memcpy(b, data, size);
	size_t at = 0;
	while (at < size) {
		struct ctsse_line l, l2;
		long n = ctsse_parse(b + at, size - at, &l);
		if (n == -2)
			break;
		if (n <= 0 || (size_t)n > size - at)
			abort();
		inside(b + at, (size_t)n, l.name, l.nlen);
		inside(b + at, (size_t)n, l.value, l.vlen);
		/* the same line alone, when its end is not a CR that waits */
		if (b[at + n - 1] == '\n' &&
		    (ctsse_parse(b + at, (size_t)n, &l2) != n ||
		     l2.kind != l.kind || l2.vlen != l.vlen))
			abort();
		at += (size_t)n;
	}
	free(b);
	return 0;
}
