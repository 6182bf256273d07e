/* libFuzzer target: HTTP response heads and chunked bodies from
 * servers. Views stay inside the input; a head that parses parses the
 * same when more bytes follow; the decoder always moves forward, never
 * past the input, and gives out no more body bytes than it took. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpc.h"

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
	struct cthttpc_resp r;
	int n = cthttpc_parse(b, size, &r);
	size_t at = 0;
	if (n > 0) {
		if ((size_t)n > size)
			abort();
		inside(b, size, r.reason, r.rlen);
		for (size_t i = 0; i < r.nheaders; i++) {
			inside(b, size, r.h[i].name, r.h[i].nlen);
			inside(b, size, r.h[i].value, r.h[i].vlen);
		}
		size_t vl;
		cthttpc_header(&r, "Transfer-Encoding", &vl);
		struct cthttpc_resp r2;
		if (cthttpc_parse(b, (size_t)n, &r2) != n)
			abort();
		at = (size_t)n;
	}
	/* what follows (or everything) as a chunked body */
	struct cthttpc_chunked c = { 0, 0 };
	for (int steps = 0; at <= size && steps < 100000; steps++) {
		const char *d;
		size_t dl;
		int done;
		long k = cthttpc_dechunk(&c, b + at, size - at, &d, &dl,
					 &done);
		if (done || k < 0)
			break;
		if ((size_t)k > size - at || dl > (size_t)k)
			abort();
		inside(b + at, (size_t)k, d, dl);
		if (k == 0)
			abort(); /* no progress without being done */
		at += (size_t)k;
	}
	free(b);
	return 0;
}
