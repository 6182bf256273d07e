/* libFuzzer target: WebSocket frames from clients. A parsed head never
 * claims more than it read; lengths are minimal; UTF-8 checking and
 * unmasking stay inside the buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b = malloc(size ? size : 1);
	memcpy(b, data, size);
	size_t at = 0;
	while (at < size) {
		struct ctws_frame f;
		int h = ctws_parse(b + at, size - at, &f);
		if (h < 0)
			break;
		if ((size_t)h > size - at)
			abort();
		at += (size_t)h;
		size_t n = f.len < size - at ? (size_t)f.len : size - at;
		if (f.masked)
			ctws_unmask(b + at, n, f.mask, 0);
		ctws_utf8(b + at, n);
		uint8_t out[10];
		size_t hl = ctws_head(out, f.opcode, f.len);
		if (hl != 2 && hl != 4 && hl != 10)
			abort();
		at += n;
	}
	char acc[29];
	ctws_accept((const char *)b, size < 64 ? size : 64, acc);
	free(b);
	return 0;
}
