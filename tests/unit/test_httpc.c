/* lib/httpc: response heads and chunked bodies, every prefix against
 * guard pages; chunked bodies fed a byte at a time. */
#include "../../lib/buf.h"
#include "../../lib/httpc.h"
#include "tap.h"

static int parse_guarded(const char *s, size_t n, struct cthttpc_resp *r,
			 int *prefixes_ok)
{
	char *g = ct_guard_copy(s, n);
	int v = cthttpc_parse(g, n, r);
	/* every prefix of the head asks for more */
	*prefixes_ok = 1;
	for (size_t k = 0; v > 0 && k < (size_t)v; k++) {
		char *gk = ct_guard_copy(s, k);
		struct cthttpc_resp t;
		if (cthttpc_parse(gk, k, &t) != -2)
			*prefixes_ok = 0;
		ct_guard_free(gk, k);
	}
	/* fields are compared while the copy lives */
	static char keep[4096];
	memcpy(keep, g, n);
	if (v > 0) {
		r->reason = keep + (r->reason - g);
		for (size_t i = 0; i < r->nheaders; i++) {
			r->h[i].name = keep + (r->h[i].name - g);
			r->h[i].value = keep + (r->h[i].value - g);
		}
	}
	ct_guard_free(g, n);
	return v;
}

static void heads(void)
{
	static const char h1[] =
		"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
		"Transfer-Encoding:  chunked \r\nX-Empty:\r\n\r\nbody";
	struct cthttpc_resp r;
	int pre;
	int n = parse_guarded(h1, sizeof h1 - 1, &r, &pre);
	size_t vl = 0;
	const char *v = cthttpc_header(&r, "transfer-encoding", &vl);
	ok(n == (int)sizeof h1 - 1 - 4 && r.status == 200 && r.minor == 1 &&
		   r.rlen == 2 && !memcmp(r.reason, "OK", 2) &&
		   r.nheaders == 3 && v && vl == 7 && !memcmp(v, "chunked", 7),
	   "a head: status, reason, headers trimmed, the body left");
	ok(pre, "every prefix of it asks for more");
	v = cthttpc_header(&r, "X-Empty", &vl);
	ok(v && vl == 0 && !cthttpc_header(&r, "Content-Length", &vl),
	   "an empty value; an absent header");

	static const char h2[] = "HTTP/1.0 503\n\n";
	n = parse_guarded(h2, sizeof h2 - 1, &r, &pre);
	ok(n == (int)sizeof h2 - 1 && r.status == 503 && r.minor == 0 &&
		   r.rlen == 0 && pre,
	   "no reason, LF line ends");

	static const char *const bad[] = {
		"HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 20x OK\r\n\r\n",
		"HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
		"HTTP/1.1 200 OK\r\nName : v\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n",
		"HTTP/1.1 200 O\rK\r\n\r\n", "SSH-2.0-OpenSSH_9.2\r\n\r\n",
	};
	int all = 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t l = strlen(bad[i]);
		char *g = ct_guard_copy(bad[i], l);
		int k = cthttpc_parse(g, l, &r);
		if (k != -1) {
			printf("# %zu: %d\n", i, k);
			all = 0;
		}
		ct_guard_free(g, l);
	}
	ok(all, "malformed heads are -1");

	struct ctbuf b = CTBUF_INIT;
	CTBUF_LIT(&b, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < CTHTTPC_MAXHEADERS + 1; i++)
		ctbuf_printf(&b, "H%d: v\r\n", i);
	CTBUF_LIT(&b, "\r\n");
	ok(cthttpc_parse(b.p, b.len, &r) == -3, "too many headers: -3");
	ctbuf_free(&b);
}

/* Feed s[0..n) to the decoder as a reader would: one more byte at a
 * time, each time over a guard-page copy of the bytes not yet taken.
 * Returns 1 done, 0 not done, -1 invalid; the body goes into out. */
static int dechunk_bytewise(const char *s, size_t n, struct ctbuf *out)
{
	struct cthttpc_chunked c = { 0, 0 };
	size_t off = 0;
	for (size_t end = 1; end <= n; end++) {
		for (;;) {
			size_t l = end - off;
			char *g = ct_guard_copy(s + off, l);
			const char *d;
			size_t dl;
			int done;
			long r = cthttpc_dechunk(&c, g, l, &d, &dl, &done);
			if (r >= 0)
				ctbuf_add(out, d, dl);
			ct_guard_free(g, l);
			if (done)
				return 1;
			if (r == -1)
				return -1;
			if (r == -2 || (r == 0 && l == 0))
				break;
			off += (size_t)r;
		}
	}
	return 0;
}

static void chunked(void)
{
	static const char body[] = "5\r\nhello\r\n6;name=\"v\"\r\n world\r\n"
				   "A \r\n, chunked!\n0\r\nTrailer: x\r\n\r\nNEXT";
	struct ctbuf out = CTBUF_INIT;
	int r = dechunk_bytewise(body, sizeof body - 1, &out);
	ok(r == 1 && out.len == 21 && !memcmp(out.p, "hello world, chunked!", 21),
	   "a chunked body a byte at a time: %d '%.*s'", r, (int)out.len,
	   out.p ? out.p : "");
	ctbuf_reset(&out);

	/* all at once: each call takes one piece */
	struct cthttpc_chunked c = { 0, 0 };
	const char *p = body, *d;
	size_t left = sizeof body - 1, dl;
	int done = 0, calls = 0;
	while (!done && calls++ < 100) {
		long k = cthttpc_dechunk(&c, p, left, &d, &dl, &done);
		if (k < 0)
			break;
		ctbuf_add(&out, d, dl);
		p += k;
		left -= (size_t)k;
	}
	ok(done && left == 4 && !memcmp(p, "NEXT", 4) && out.len == 21,
	   "at once: ends after the trailers, before what follows");
	ctbuf_free(&out);

	static const char *const bad[] = {
		"g\r\n",                  /* not hex */
		"\r\n",                   /* no size */
		"5\r\nhelloXX",           /* no CRLF after the data */
		"5\r\nhello\rX",          /* CR without LF */
		"10000000000000000\r\n",  /* 2^64: no wrap-around */
		"4000000000000000\r\n",   /* 2^62 */
		"5 x\r\n",                /* junk after the size */
		"5;a=\x01\r\n",           /* a control character */
		"0\r\nT: \x02\r\n\r\n",   /* in a trailer */
	};
	int all = 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ctbuf o = CTBUF_INIT;
		int v = dechunk_bytewise(bad[i], strlen(bad[i]), &o);
		if (v != -1) {
			printf("# %zu: %d\n", i, v);
			all = 0;
		}
		ctbuf_free(&o);
	}
	ok(all, "malformed chunked bodies are -1");

	char longline[2000];
	memset(longline, ';', sizeof longline);
	longline[0] = '5';
	struct cthttpc_chunked c2 = { 0, 0 };
	ok(cthttpc_dechunk(&c2, longline, sizeof longline, &d, &dl, &done) == -1,
	   "a size line of 2000 bytes without its end is refused");
}

int main(void)
{
	heads();
	chunked();
	return tap_done();
}
