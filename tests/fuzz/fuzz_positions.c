/* libFuzzer target: ct-serve --positions files. Loading never crashes;
 * a file that loads saves into one that loads back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "positions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct ctpos *p = ctpos_new(64);
	const char *why = NULL;
	if (ctpos_load(p, copy, size, &why) == 0) {
		struct ctbuf a = CTBUF_INIT, b = CTBUF_INIT;
		ctpos_save(p, &a);
		struct ctpos *q = ctpos_new(64);
		if (ctpos_load(q, a.p, a.len, &why) < 0)
			abort();
		ctpos_save(q, &b);
		if (a.len != b.len || memcmp(a.p, b.p, a.len) ||
		    ctpos_count(p) != ctpos_count(q))
			abort();
		ctpos_free(q);
		ctbuf_free(&a);
		ctbuf_free(&b);
	} else if (!why) {
		abort();
	}
	ctpos_free(p);
	free(copy);
	return 0;
}
