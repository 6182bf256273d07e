/* libFuzzer target: ct-dedup state files. Loading never crashes; a file
 * that loads saves back into one that loads again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dedup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctdedup *d = ctdedup_new(64, 300);
	const char *why;
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (ctdedup_load(d, copy, size, 1000, &why) == 0) {
		struct ctbuf b = CTBUF_INIT;
		ctdedup_save(d, &b);
		struct ctdedup *e = ctdedup_new(64, 300);
		if (ctdedup_load(e, (const uint8_t *)b.p, b.len, 1000, &why) < 0)
			abort();
		ctdedup_free(e);
		ctbuf_free(&b);
	} else if (!why) {
		abort();
	}
	free(copy);
	ctdedup_free(d);
	return 0;
}
