/* libFuzzer target: WebSocket frames from clients. A parsed head never
 * claims more than it read; lengths are minimal; UTF-8 checking and
 * unmasking stay inside the buffer. With permessage-deflate (odd-sized
 * inputs): RSV1 only on data frames, compressed payloads inflate within
 * their bound. The bytes are also a Sec-WebSocket-Extensions offer. */
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
		int deflate = size & 1;
		int h = ctws_parse_ext(b + at, size - at, &f, deflate);
		if (h < 0)
			break;
		if ((size_t)h > size - at)
			abort();
		at += (size_t)h;
		size_t n = f.len < size - at ? (size_t)f.len : size - at;
		if (f.masked)
			ctws_unmask(b + at, n, f.mask, 0);
		if (f.rsv1 && (!deflate || f.opcode == CTWS_CONT ||
				(f.opcode & 8)))
			abort();
		if (f.rsv1)
			ctws_inflate_utf8(b + at, n);
		else
			ctws_utf8(b + at, n);
		if (f.opcode == CTWS_CLOSE) {
			unsigned c = ctws_close_reply(b + at, n);
			if (c != 1000 && c != 1002 && c != 1007)
				abort();
		}
		uint8_t out[10];
		size_t hl = ctws_head(out, f.opcode, f.len);
		if (hl != 2 && hl != 4 && hl != 10)
			abort();
		at += n;
	}
	ctws_deflate_offer((const char *)data, size);
	char acc[29];
	ctws_accept((const char *)b, size < 64 ? size : 64, acc);
	free(b);
	return 0;
}
