/* lib/wsclient: the client side of WebSocket: the handshake (RFC 6455's
 * own example), server frames whole and in every prefix against guard
 * pages, fragments in order, close payloads, masked client frames. */
#include "../../lib/httpc.h"
#include "../../lib/ws.h"
#include "../../lib/wsclient.h"
#include "tap.h"

/* Parse a frame placed flush against a guard page; every shorter prefix
 * must ask for more. */
static long parse_guarded(const uint8_t *b, size_t n, uint64_t max,
			  struct ctwsc_frame *f, int *prefixes_ok)
{
	*prefixes_ok = 1;
	for (size_t k = 0; k < n; k++) {
		uint8_t *g = ct_guard_copy(b, k);
		struct ctwsc_frame t;
		if (ctwsc_parse(g, k, max, &t) != -2)
			*prefixes_ok = 0;
		ct_guard_free(g, k);
	}
	uint8_t *g = ct_guard_copy(b, n);
	long r = ctwsc_parse(g, n, max, f);
	/* views are checked while the copy lives, then made to point into b */
	if (r > 0)
		f->payload = b + (f->payload - g);
	ct_guard_free(g, n);
	return r;
}

static void handshake(void)
{
	/* RFC 6455 section 1.3: the nonce "the sample nonce" */
	char key[25];
	ctwsc_key((const uint8_t *)"the sample nonce", key);
	ok(!strcmp(key, "dGhlIHNhbXBsZSBub25jZQ=="), "key of the RFC's nonce");
	struct ctbuf b = CTBUF_INIT;
	ctwsc_request(&b, "example.net:8080", "/full-stream", key,
		      "Authorization: Bearer x\r\n");
	ctbuf_cstr(&b);
	ok(!strncmp(b.p, "GET /full-stream HTTP/1.1\r\nHost: example.net:8080\r\n",
		    51) &&
		   strstr(b.p, "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n") &&
		   strstr(b.p, "\r\nSec-WebSocket-Version: 13\r\n") &&
		   strstr(b.p, "\r\nUpgrade: websocket\r\n") &&
		   strstr(b.p, "\r\nAuthorization: Bearer x\r\n\r\n") &&
		   b.len >= 4 && !memcmp(b.p + b.len - 4, "\r\n\r\n", 4),
	   "request head");
	ctbuf_free(&b);

	static const struct {
		const char *head;
		int ok;
		const char *why;
	} cases[] = {
		{ "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		  "Connection: Upgrade\r\n"
		  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
		  1, "the RFC's answer" },
		{ "HTTP/1.1 101 OK\nupgrade: WebSocket\nconnection: keep-alive, "
		  "upgrade\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\n",
		  1, "any case, LF only, a token list" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0,
		  "HTTP 200 OK, not a WebSocket upgrade" },
		{ "HTTP/1.1 101 S\r\nConnection: Upgrade\r\n"
		  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
		  0, "101 without Upgrade: websocket" },
		{ "HTTP/1.1 101 S\r\nUpgrade: websocket\r\n"
		  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
		  0, "101 without Connection: upgrade" },
		{ "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo\r\n\r\n",
		  0, "wrong Sec-WebSocket-Accept" },
		{ "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
		  "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
		  0, "the server uses an extension that was not offered" },
		{ "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
		  "Sec-WebSocket-Protocol: chat\r\n\r\n",
		  0, "the server names a subprotocol that was not offered" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cthttpc_resp r;
		size_t n = strlen(cases[i].head);
		char *g = ct_guard_copy(cases[i].head, n);
		char err[160] = "";
		int p = cthttpc_parse(g, n, &r);
		int c = p == (int)n ? ctwsc_check(&r, key, err, sizeof err) : -9;
		ok(cases[i].ok ? c == 0 : c == -1 && !strcmp(err, cases[i].why),
		   "check: %s (%d: %s)", cases[i].why, c, err);
		ct_guard_free(g, n);
	}
}

static void frames(void)
{
	struct ctwsc_frame f;
	int pre;
	static const uint8_t hello[] = { 0x81, 5, 'h', 'e', 'l', 'l', 'o' };
	long r = parse_guarded(hello, sizeof hello, 100, &f, &pre);
	ok(r == 7 && f.fin && f.opcode == CTWS_TEXT && f.len == 5 &&
		   !memcmp(f.payload, "hello", 5) && pre,
	   "a text frame, and every prefix asks for more");

	static uint8_t mid[4 + 300], big[10 + 70000];
	mid[0] = 0x02; /* binary, not final */
	mid[1] = 126;
	mid[2] = 300 >> 8;
	mid[3] = 300 & 0xff;
	memset(mid + 4, 'm', 300);
	r = parse_guarded(mid, sizeof mid, 1000, &f, &pre);
	ok(r == 304 && !f.fin && f.opcode == CTWS_BINARY && f.len == 300 &&
		   f.payload == mid + 4 && pre,
	   "a 16-bit length");
	big[0] = 0x80; /* a final continuation */
	big[1] = 127;
	memset(big + 2, 0, 8);
	big[7] = 70000 >> 16;
	big[8] = (70000 >> 8) & 0xff;
	big[9] = 70000 & 0xff;
	r = ctwsc_parse(big, sizeof big, 70000, &f);
	ok(r == (long)sizeof big && f.opcode == CTWS_CONT && f.len == 70000,
	   "a 64-bit length");
	r = ctwsc_parse(big, 10, 69999, &f);
	ok(r == -3 && f.len == 70000, "over max, known from the head alone");
	static const uint8_t huge[10] = { 0x81, 127, 0, 0, 1, 0, 0, 0, 0, 0 };
	r = parse_guarded(huge, sizeof huge, 16 << 20, &f, &pre);
	ok(r == -3 && f.len == (uint64_t)1 << 40 && pre, "a 1 TiB claim");

	static const struct {
		uint8_t b[8];
		size_t n;
		const char *what;
	} bad[] = {
		{ { 0x81, 0x85, 1, 2, 3, 4, 'x' }, 7, "masked" },
		{ { 0xc1, 1, 'x' }, 3, "RSV1 without an extension" },
		{ { 0x83, 1, 'x' }, 3, "opcode 3" },
		{ { 0x09, 0 }, 2, "a fragmented ping" },
		{ { 0x89, 126, 0, 126 }, 4, "a ping of 126 bytes" },
		{ { 0x81, 126, 0, 5 }, 4, "a non-minimal length" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t *g = ct_guard_copy(bad[i].b, bad[i].n);
		ok(ctwsc_parse(g, bad[i].n, 1000, &f) == -1, "invalid: %s",
		   bad[i].what);
		ct_guard_free(g, bad[i].n);
	}
}

static void order(void)
{
	int st = 0, op = 0;
	ok(ctwsc_order(&st, CTWS_TEXT, 1, &op) == CTWSC_LAST &&
		   op == CTWS_TEXT && st == 0,
	   "one frame, one message");
	ok(ctwsc_order(&st, CTWS_TEXT, 0, &op) == CTWSC_PART &&
		   ctwsc_order(&st, CTWS_PING, 1, &op) == CTWSC_CONTROL &&
		   ctwsc_order(&st, CTWS_CONT, 0, &op) == CTWSC_PART &&
		   ctwsc_order(&st, CTWS_CONT, 1, &op) == CTWSC_LAST &&
		   op == CTWS_TEXT && st == 0,
	   "fragments with a ping between");
	st = 0;
	ok(ctwsc_order(&st, CTWS_CONT, 1, &op) == CTWSC_BAD,
	   "a continuation first");
	st = 0;
	ok(ctwsc_order(&st, CTWS_BINARY, 0, &op) == CTWSC_PART &&
		   ctwsc_order(&st, CTWS_TEXT, 1, &op) == CTWSC_BAD,
	   "a new message before the last one ended");
}

static void closes(void)
{
	unsigned code = 0;
	const uint8_t *why;
	size_t wl;
	ok(ctwsc_close_parse((const uint8_t *)"", 0, &code, &why, &wl) == 0 &&
		   code == 1005 && wl == 0,
	   "no payload: 1005");
	ok(ctwsc_close_parse((const uint8_t *)"\x03\xe9going", 7, &code, &why,
			     &wl) == 0 &&
		   code == 1001 && wl == 5 && !memcmp(why, "going", 5),
	   "1001 with a reason");
	static const unsigned good[] = { 1000, 1003, 1007, 1011, 1014, 3000, 4999 };
	static const unsigned bad[] = { 0, 999, 1004, 1005, 1006, 1015, 2999, 5000 };
	int all = 1;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		uint8_t p[2] = { (uint8_t)(good[i] >> 8), (uint8_t)good[i] };
		all &= ctwsc_close_parse(p, 2, &code, &why, &wl) == 0 &&
		       code == good[i];
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t p[2] = { (uint8_t)(bad[i] >> 8), (uint8_t)bad[i] };
		all &= ctwsc_close_parse(p, 2, &code, &why, &wl) == -1;
	}
	ok(all, "codes that may and may not be sent");
	ok(ctwsc_close_parse((const uint8_t *)"\x03", 1, &code, &why, &wl) == -1,
	   "one byte");
	ok(ctwsc_close_parse((const uint8_t *)"\x03\xe8\xff", 3, &code, &why,
			     &wl) == -1,
	   "a reason that is not UTF-8");
}

static void encode(void)
{
	static const size_t sizes[] = { 0, 1, 125, 126, 65535, 65536 };
	static const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	int all = 1;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		uint8_t *pay = malloc(n + 1);
		for (size_t k = 0; k < n; k++)
			pay[k] = (uint8_t)(k * 7);
		uint8_t *out = ct_guard_alloc(n + 14);
		size_t l = ctwsc_encode(out, CTWS_TEXT, pay, n, mask);
		struct ctws_frame f;
		int h = ctws_parse(out, l, &f);
		ctws_unmask(out + (h > 0 ? h : 0), n, mask, 0);
		all &= h > 0 && f.masked && f.fin && f.opcode == CTWS_TEXT &&
		       f.len == n && (size_t)h + n == l &&
		       !memcmp(f.mask, mask, 4) && !memcmp(out + h, pay, n);
		ct_guard_free(out, n + 14);
		free(pay);
	}
	ok(all, "client frames: masked, each length form, in n + 14 bytes");
	/* RFC 6455 section 5.7: a masked "Hello" */
	uint8_t out[32];
	size_t l = ctwsc_encode(out, CTWS_TEXT, (const uint8_t *)"Hello", 5, mask);
	static const uint8_t want[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	ok(l == sizeof want && !memcmp(out, want, l), "the RFC's masked Hello");
}

int main(void)
{
	handshake();
	frames();
	order();
	closes();
	encode();
	return tap_done();
}
