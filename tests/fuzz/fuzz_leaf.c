/* libFuzzer target: MerkleTreeLeaf and extra_data decoding as ct-parse
 * does it. The first input byte picks the entry type for extra_data;
 * decoded views must stay inside the input, and re-encoding a decoded
 * leaf gives the input back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leaf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *data, size_t size, struct ct_bytes b)
{
	if (b.len && (b.p < data || b.p + b.len > data + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int type = data[0] & 1;
	uint8_t *copy = malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	struct ctleaf l;
	struct ctchain c;
	const char *err;
	if (ctleaf_parse(copy, size - 1, &l, &err) == 0) {
		inside(copy, size - 1, l.cert);
		struct ctbuf b = CTBUF_INIT;
		if (ctleaf_encode(&b, &l, &err) < 0 || b.len != size - 1 || memcmp(b.p, copy, b.len))
			abort();
		ctbuf_free(&b);
	}
	if (ctleaf_parse_extra(copy, size - 1, type, &c, &err) == 0) {
		inside(copy, size - 1, c.pre_cert);
		for (size_t i = 0; i < c.n; i++)
			inside(copy, size - 1, c.certs[i]);
		struct ctbuf b = CTBUF_INIT;
		if (ctleaf_encode_extra(&b, type, &c, &err) < 0 || b.len != size - 1 || memcmp(b.p, copy, b.len))
			abort();
		ctbuf_free(&b);
	}
	free(copy);
	return 0;
}
