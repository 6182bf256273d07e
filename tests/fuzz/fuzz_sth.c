/* libFuzzer target: tree heads from logs, as get-sth JSON and as
 * checkpoints (signed notes with any lines and signatures): whatever the
 * bytes, no crash, no read past the end; a head that parses writes out
 * and parses back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	memcpy(s, data, size);
	struct ctsth h, back;
	const char *err;
	static const uint8_t id[32] = { 1, 2, 3 };
	if (ctsth_parse_json(s, size, &h, &err) == 0) {
		struct ctbuf b = CTBUF_INIT;
		ctsth_json(&b, &h);
		if (ctsth_parse_json(b.p, b.len, &back, &err) != 0 ||
		    back.size != h.size || memcmp(back.root, h.root, 32) ||
		    back.siglen != h.siglen)
			abort();
		ctbuf_free(&b);
	}
	ctsth_parse_checkpoint(s, size, NULL, id, &h, &err);
	ctsth_parse_checkpoint(s, size, "example.org/log", id, &h, &err);
	free(s);
	return 0;
}
