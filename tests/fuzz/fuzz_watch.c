/* libFuzzer target: watchlist items and certificate names. The input is
 * split at newlines: the first half are items, the rest names; a match
 * must name an item that exists. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctwatch *w = ctwatch_new();
	char err[160];
	const char *p = (const char *)data, *end = p + size;
	int names = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *copy = malloc(n ? n : 1);
		memcpy(copy, p, n);
		if (n == 0)
			names = 1;
		else if (!names)
			ctwatch_add(w, copy, n, err, sizeof err);
		else {
			long m = ctwatch_match(w, copy, n);
			if (m >= 0 && !ctwatch_item(w, m))
				abort();
		}
		free(copy);
		p += n + 1;
	}
	ctwatch_free(w);
	return 0;
}
