/* libFuzzer target: DER certificates through lib/x509 as ct-parse uses
 * them. The first byte picks the render flags; a certificate that parses
 * must render one valid JSON object, and the domain list valid JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctx509 cx = CTX509_INIT;
static struct ctbuf out = CTBUF_INIT;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & 7;
	/* An exact-size copy, so reads past the end are caught. */
	uint8_t *der = malloc(size - 1 ? size - 1 : 1);
	memcpy(der, data + 1, size - 1);
	char err[128];
	if (ctx509_parse(&cx, der, size - 1, err, sizeof err) == 0) {
		struct ctjson_val v;
		ctbuf_reset(&out);
		ctx509_render(&cx, &out, flags);
		if (ctjson_parse(out.p, out.len, &v) < 0 ||
		    v.type != CTJSON_OBJECT)
			abort();
		ctbuf_reset(&out);
		ctx509_domains(&cx, &out);
		if (ctjson_parse(out.p, out.len, &v) < 0 ||
		    v.type != CTJSON_ARRAY)
			abort();
	} else if (!err[0]) {
		abort(); /* every failure says why */
	}
	free(der);
	return 0;
}
