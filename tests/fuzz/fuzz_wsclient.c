/* libFuzzer target: what a WebSocket client reads from a server. The
 * input is a response head (checked as the answer to a fixed key), then
 * frames: each parsed whole frame lies inside the input and its payload
 * inside the frame, a frame over the limit is known from its head, the
 * fragments of messages are ordered and close payloads parsed; a frame
 * that parses parses the same with more bytes after it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpc.h"
#include "ws.h"
#include "wsclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b = malloc(size ? size : 1);
	memcpy(b, data, size);
	size_t at = 0;
	struct cthttpc_resp r;
	int h = cthttpc_parse((const char *)b, size, &r);
	if (h > 0) {
		char err[160];
		ctwsc_check(&r, "dGhlIHNhbXBsZSBub25jZQ==", err, sizeof err);
		at = (size_t)h;
	}
	int state = 0;
	uint64_t max = size / 2 + 1; /* some frames are over it */
	while (at < size) {
		struct ctwsc_frame f;
		long n = ctwsc_parse(b + at, size - at, max, &f);
		if (n == -3 && f.len <= max)
			abort();
		if (n < 0)
			break;
		if ((size_t)n > size - at || f.payload < b + at ||
		    f.payload + f.len != b + at + n)
			abort();
		struct ctwsc_frame g;
		if (ctwsc_parse(b + at, (size_t)n, max, &g) != n)
			abort();
		int op = 0;
		int k = ctwsc_order(&state, f.opcode, f.fin, &op);
		if (k == CTWSC_LAST && op != CTWS_TEXT && op != CTWS_BINARY)
			abort();
		if (k == CTWSC_LAST && op == CTWS_TEXT)
			ctws_utf8(f.payload, (size_t)f.len);
		if (f.opcode == CTWS_CLOSE) {
			unsigned code;
			const uint8_t *why;
			size_t wl;
			if (ctwsc_close_parse(f.payload, (size_t)f.len, &code,
					      &why, &wl) == 0 &&
			    (why < f.payload ||
			     why + wl > f.payload + f.len))
				abort();
		}
		at += (size_t)n;
	}
	free(b);
	return 0;
}
