/* libFuzzer target: ct-dedup's key finder on any line. The value found
 * must lie inside the line; a string value must not contain an unescaped
 * quote. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ndkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"data.leaf_cert.sha256", "data.leaf_cert.all_domains", "a",
		"a.0", "x.1.k", "data",
	};
	char *line = malloc(size ? size : 1);
	memcpy(line, data, size);
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct ctndkey_path p;
		struct ct_bytes v;
		if (ctndkey_compile(&p, paths[i]) < 0)
			abort();
		int r = ctndkey_find(line, size, &p, &v);
		if (r > 0 && ((const char *)v.p < line ||
			      (const char *)v.p + v.len > line + size))
			abort();
	}
	free(line);
	return 0;
}
