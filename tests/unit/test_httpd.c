/* lib/httpd: request heads, valid and not, each against a guard page
 * and at every length short of complete; headers, query values, list
 * headers over several lines. */
#include <stdio.h>
#include <string.h>

#include "../../lib/httpd.h"
#include "guard.h"
#include "tap.h"

/* Parse buf[0..n) placed against a guard page. */
static int parse(const char *buf, size_t n, struct cthttp_req *r)
{
	char *g = ct_guard_copy(buf, n);
	int ret = cthttp_parse(g, n, r);
	ct_guard_free(g, n);
	return ret;
}

/* Every prefix shorter than the head needs more (-2); the whole head and
 * the head with bytes after it give its length. */
struct want {
	size_t head;
	int bad; /* the prefix that broke the rule, or -1 */
};

static int prefix_needs_more(void *p, size_t k, void *ctx)
{
	struct want *w = ctx;
	struct cthttp_req r;
	int got = cthttp_parse(p, k, &r);
	int expect = k < w->head ? -2 : (int)w->head;
	if (got != expect) {
		w->bad = (int)k;
		return 1;
	}
	return 0;
}

static void valid(const char *name, const char *head, const char *after)
{
	char buf[4096];
	size_t hl = strlen(head), al = strlen(after);
	memcpy(buf, head, hl);
	memcpy(buf + hl, after, al);
	struct want w = { hl, -1 };
	guard_prefixes(buf, hl + al, prefix_needs_more, &w);
	ok(w.bad < 0, "%s: every prefix needs more, then %zu (bad at %d)",
	   name, hl, w.bad);
}

static void heads(void)
{
	valid("GET with headers",
	      "GET /full-stream?domain=a.example HTTP/1.1\r\nHost: x\r\n"
	      "Upgrade: websocket\r\nSec-WebSocket-Key: abc\r\n\r\n", "");
	valid("LF line ends", "GET / HTTP/1.0\nHost: x\n\n", "");
	valid("no headers", "GET / HTTP/1.1\r\n\r\n", "");
	valid("bytes after the head (a frame, a request)",
	      "GET / HTTP/1.1\r\nA: b\r\n\r\n", "\x81\x85GET / HTTP/1.1\r\n");
	valid("tabs and blanks around values",
	      "GET / HTTP/1.1\r\nA:\t v v \t\r\nB:\r\n\r\n", "");

	struct cthttp_req r;
	const char *h = "GET /sse?stream=full HTTP/1.1\r\nHost:  example \r\n"
			"X-Empty:\r\nx-forwarded-for: 1.2.3.4\r\n\r\n";
	char *g = ct_guard_copy(h, strlen(h)); /* r's views point into it */
	int n = cthttp_parse(g, strlen(h), &r);
	ok(n == (int)strlen(h), "a head parses to its length");
	ok(r.mlen == 3 && !memcmp(r.method, "GET", 3), "method");
	ok(r.tlen == 16 && !memcmp(r.target, "/sse?stream=full", 16),
	   "target");
	ok(r.minor == 1 && r.nheaders == 3, "version and header count");
	ok(r.h[0].nlen == 4 && r.h[0].vlen == 7 &&
		   !memcmp(r.h[0].value, "example", 7),
	   "a value without the blanks around it");
	ok(r.h[1].vlen == 0, "an empty value");
	size_t vl = 0;
	const char *v = cthttp_header(&r, "X-Forwarded-For", &vl);
	ok(v && vl == 7 && !memcmp(v, "1.2.3.4", 7),
	   "cthttp_header ignores case");
	ok(!cthttp_header(&r, "Host2", &vl), "an absent header is NULL");
	ct_guard_free(g, strlen(h));
}

static void invalid(void)
{
	static const char *const bad[] = {
		"GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.2\r\n\r\n",
		"GET / HTTP/1.1 \r\n\r\n",
		"GET /\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nA : b\r\n\r\n",
		"GET / HTTP/1.1\r\n: b\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n",
		"GET /\x01 HTTP/1.1\r\n\r\n",
		"\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cthttp_req r;
		ok(parse(bad[i], strlen(bad[i]), &r) == -1, "invalid: %zu", i);
	}
	/* a prefix of an invalid head is never a head */
	int fine = 1;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		for (size_t k = 0; k < strlen(bad[i]); k++) {
			struct cthttp_req r;
			int got = parse(bad[i], k, &r);
			fine &= got == -1 || got == -2;
		}
	ok(fine, "the prefixes of invalid heads are -1 or -2");

	char many[4096];
	size_t l = (size_t)snprintf(many, sizeof many, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < CTHTTP_MAXHEADERS; i++)
		l += (size_t)snprintf(many + l, sizeof many - l, "H%d: v\r\n", i);
	memcpy(many + l, "\r\n", 3);
	struct cthttp_req r;
	ok(parse(many, l + 2, &r) == (int)(l + 2) &&
		   r.nheaders == CTHTTP_MAXHEADERS,
	   "%d headers are fine", CTHTTP_MAXHEADERS);
	memcpy(many + l, "X: y\r\n\r\n", 9);
	ok(parse(many, l + 8, &r) == -3, "one more is -3 (431)");
	ok(parse("", 0, &r) == -2, "nothing needs more");
}

static void tokens_and_queries(void)
{
	const char *v = "keep-alive, Upgrade ,x";
	ok(cthttp_has_token(v, strlen(v), "upgrade"), "a token, any case");
	ok(!cthttp_has_token(v, strlen(v), "keep"), "not a part of one");
	ok(cthttp_has_token(v, strlen(v), "x"), "the last token");
	ok(!cthttp_has_token("", 0, "x"), "an empty list");

	const char *t = "/sse?stream=full&domainx=1&domain=a.example,b&e=";
	size_t vl;
	const char *q = cthttp_query(t, strlen(t), "domain", &vl);
	ok(q && vl == 11 && !memcmp(q, "a.example,b", 11),
	   "a query value, not one whose name only starts the same");
	q = cthttp_query(t, strlen(t), "e", &vl);
	ok(q && vl == 0, "an empty query value");
	ok(!cthttp_query(t, strlen(t), "token", &vl), "an absent key");
	ok(!cthttp_query("/x", 2, "x", &vl), "no query at all");
	/* the target is a view: the query must not read past tlen */
	char *g = ct_guard_copy("/?token=abc", 11);
	q = cthttp_query(g, 11, "token", &vl);
	ok(q && vl == 3, "a value that ends the target, guarded");
	ct_guard_free(g, 11);
}

static void unescape(void)
{
	static const struct {
		const char *in, *out;
		long len;
	} t[] = {
		{ "a.example%2Cb+c", "a.example,b c", 13 },
		{ "%41%62", "Ab", 2 },
		{ "", "", 0 },
		{ "%4", NULL, -1 },	/* cut short */
		{ "%g1", NULL, -1 },	/* not hex */
		{ "%+1", NULL, -1 },	/* not hex either */
		{ "x%00y", NULL, -1 },	/* NUL */
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t n = strlen(t[i].in);
		char out[32];
		char *g = ct_guard_copy(t[i].in, n);
		long r = cthttp_unescape(g, n, out, sizeof out);
		ct_guard_free(g, n);
		ok(r == t[i].len && (r < 0 || !strcmp(out, t[i].out)),
		   "unescape '%s': %ld", t[i].in, r);
	}
	char small[4];
	ok(cthttp_unescape("abc", 3, small, 4) == 3 &&
		   cthttp_unescape("abcd", 4, small, 4) == -1,
	   "the NUL must fit too");
}

/* The elements of name in head, right to left, joined with '|'. */
static void walk(const char *head, const char *name, char *out, size_t cap)
{
	struct cthttp_req r;
	char *g = ct_guard_copy(head, strlen(head));
	out[0] = '\0';
	if (cthttp_parse(g, strlen(head), &r) > 0) {
		struct cthttp_list it;
		cthttp_list_init(&it, &r);
		size_t n, used = 0;
		const char *e;
		for (;;) {
			e = cthttp_list_prev(&r, name, &it, &n);
			if (!e)
				break;
			used += (size_t)snprintf(out + used, cap - used, "%s%.*s",
						 used ? "|" : "", (int)n, e);
		}
	}
	ct_guard_free(g, strlen(head));
}

static void lists(void)
{
	char out[256];
	walk("GET / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2\r\n"
	     "Host: x\r\nx-forwarded-for: 3.3.3.3 ,4.4.4.4\r\n\r\n",
	     "X-Forwarded-For", out, sizeof out);
	ok(!strcmp(out, "4.4.4.4|3.3.3.3|2.2.2.2|1.1.1.1"),
	   "right to left over two lines: %s", out);
	walk("GET / HTTP/1.1\r\nA: ,, x,\t,y ,\r\nA:\r\nA: ,\r\n\r\n", "a",
	     out, sizeof out);
	ok(!strcmp(out, "y|x"), "empty elements and lines skipped: %s", out);
	walk("GET / HTTP/1.1\r\nB: 1\r\n\r\n", "A", out, sizeof out);
	ok(!strcmp(out, ""), "no such header: nothing");
	walk("GET / HTTP/1.1\r\n\r\n", "A", out, sizeof out);
	ok(!strcmp(out, ""), "no headers: nothing");
	walk("GET / HTTP/1.1\r\nA: one\r\n\r\n", "A", out, sizeof out);
	ok(!strcmp(out, "one"), "one element: %s", out);
}

int main(void)
{
	heads();
	invalid();
	tokens_and_queries();
	unescape();
	lists();
	return tap_done();
}
