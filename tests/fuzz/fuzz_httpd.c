/* libFuzzer target: HTTP request heads from clients. Views stay inside
 * the input; a head that parses parses the same when more bytes follow;
 * a query value and the target decode (percent, hex) within bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "httpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *b, size_t n, const char *p, size_t l)
{
	if (l && (p < b || p + l > b + n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *b = malloc(size ? size : 1);
	memcpy(b, data, size);
	struct cthttp_req r;
	int n = cthttp_parse(b, size, &r);
	if (n > 0) {
		if ((size_t)n > size)
			abort();
		inside(b, size, r.method, r.mlen);
		inside(b, size, r.target, r.tlen);
		for (size_t i = 0; i < r.nheaders; i++) {
			inside(b, size, r.h[i].name, r.h[i].nlen);
			inside(b, size, r.h[i].value, r.h[i].vlen);
		}
		size_t vl;
		cthttp_header(&r, "Upgrade", &vl);
		cthttp_query(r.target, r.tlen, "token", &vl);
		/* list elements are views inside a header value */
		struct cthttp_list it;
		cthttp_list_init(&it, &r);
		const char *e;
		size_t el, count = 0;
		for (;;) {
			e = cthttp_list_prev(&r, "X-Forwarded-For", &it, &el);
			if (!e)
				break;
			inside(b, size, e, el);
			if (!el || e[0] == ' ' || e[0] == ',' || ++count > size)
				abort();
		}
		/* a query value decoded (?domain=): never longer than it,
		 * NUL-terminated, no NUL inside */
		const char *dv = cthttp_query(r.target, r.tlen, "domain", &vl);
		char out[64];
		long dl = dv ? cthttp_unescape(dv, vl, out, sizeof out) : -1;
		if (dl >= 0 && ((size_t)dl > vl || (size_t)dl >= sizeof out ||
				out[dl] || memchr(out, 0, (size_t)dl)))
			abort();
		/* the target as a digest, as /api/cert/ reads it */
		uint8_t d[20];
		cthex_decode_sep(r.target, r.tlen, ':', d, sizeof d);
		/* every prefix of a complete head is incomplete or invalid */
		for (size_t k = 0; k < (size_t)n; k += 1 + (size_t)n / 16) {
			struct cthttp_req r2;
			if (cthttp_parse(b, k, &r2) > 0)
				abort();
		}
	}
	free(b);
	return 0;
}
