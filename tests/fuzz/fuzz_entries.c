/* libFuzzer target: what ct-fetch reads from logs and from disk: a
 * get-entries page and a state file. No crash, no read past the end;
 * a page's views lie inside it; a state that parses writes out and
 * parses back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entries.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	memcpy(s, data, size);
	struct ctentry_view v[64];
	uint8_t h[64][CTM_HASH];
	const char *err;
	long bad;
	long n = ctentries_parse(s, size, 64, v, h, &err, &bad);
	for (long i = 0; i < n; i++)
		if (v[i].li < s || v[i].li + v[i].lil > s + size ||
		    v[i].ed < s || v[i].ed + v[i].edl > s + size)
			abort();
	struct ctfstate st, back;
	if (ctfstate_parse(s, size, &st, &err) == 0) {
		struct ctbuf b = CTBUF_INIT;
		ctfstate_format(&b, &st, "fuzz", 1);
		if (ctfstate_parse(b.p, b.len, &back, &err) != 0 ||
		    back.next != st.next || strcmp(back.url, st.url) ||
		    back.has_range != st.has_range || back.has_verified != st.has_verified)
			abort();
		ctbuf_free(&b);
	}
	free(s);
	return 0;
}
