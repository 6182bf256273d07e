/* libFuzzer target: static-ct-api data tiles (a run of TileLeaf
 * structures, as ct-fetch walks them) and tile paths: no crash, no read
 * past the end; a leaf that decodes re-encodes to what it came from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leaf.h"
#include "tile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	size_t off = 0;
	while (off < size) {
		struct cttileleaf t;
		const char *err;
		long n = ctleaf_tile_next(p + off, size - off, &t, &err);
		if (n <= 0)
			break;
		struct ctbuf li = CTBUF_INIT;
		ctleaf_tile_leaf_input(&li, &t);
		struct ctleaf l;
		if (ctleaf_parse((const uint8_t *)li.p, li.len, &l, &err) != 0)
			abort(); /* the entry of a tile leaf is a valid leaf */
		ctbuf_free(&li);
		off += (size_t)n;
	}
	int level;
	uint64_t n;
	unsigned w;
	if (cttile_parse_path((const char *)p, size, &level, &n, &w) == 0) {
		struct ctbuf b = CTBUF_INIT;
		cttile_path(&b, level, n, w);
		if (b.len != size || memcmp(b.p, p, size))
			abort(); /* one spelling per tile */
		ctbuf_free(&b);
	}
	free(p);
	return 0;
}
