/* libFuzzer target: the in-place JSON reader (every record a program
 * reads goes through it) and the writer's escaping: whatever the input,
 * no crash, no read past the end, and what the writer makes parses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	memcpy(s, data, size);
	struct ctjson_val v, m;
	static const char *const names[] = { "log", "index", "entries" };
	struct ctjson_val f[3];
	int whole = ctjson_parse(s, size, &v);
	int fields = ctjson_fields(s, size, names, 3, f);
	if (fields == 0 && whole != 0)
		abort(); /* an object ctjson_fields accepts is valid JSON */
	if (whole == 0) {
		struct ctbuf b = CTBUF_INIT;
		ctjson_path(&v, "data.leaf_cert.sha256", &m);
		ctjson_path(&v, "entries.0.leaf_input", &m);
		struct ctjson_iter it;
		struct ctjson_val k, x;
		ctjson_iter_init(&it, &v);
		while (ctjson_next(&it, &k, &x) > 0) {
			uint64_t u;
			ctjson_u64(&x, &u);
			if (x.type == CTJSON_STRING)
				ctjson_unescape(&x, &b);
		}
		ctbuf_free(&b);
	}
	/* The writer must turn any bytes into a valid JSON string. */
	struct ctbuf w = CTBUF_INIT;
	ctjson_str(&w, data, size);
	if (ctjson_parse(w.p, w.len, &v) != 0 || v.type != CTJSON_STRING)
		abort();
	ctbuf_free(&w);
	free(s);
	return 0;
}
