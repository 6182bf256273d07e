/* lib/entries: get-entries pages and ct-fetch state files. */
#include "../../lib/b64.h"
#include "../../lib/entries.h"
#include "../../lib/state.h"
#include "../../lib/leaf.h"
#include "tap.h"

static void entry(struct ctbuf *page, int i, int bad_extra)
{
	char cert[16];
	int n = snprintf(cert, sizeof cert, "cert-%d", i);
	struct ctleaf l = { .timestamp = 1000 + (uint64_t)i, .entry_type = CTLEAF_X509 };
	l.cert.p = (const uint8_t *)cert;
	l.cert.len = (size_t)n;
	struct ctchain c = { .n = 1, .certs = { { (const uint8_t *)"issuer", 6 } } };
	struct ctbuf a = CTBUF_INIT, b = CTBUF_INIT;
	const char *err;
	if (ctleaf_encode(&a, &l, &err) < 0 ||
	    ctleaf_encode_extra(&b, CTLEAF_X509, &c, &err) < 0)
		abort();
	if (bad_extra)
		b.len--;
	ctbuf_adds(page, "{\"leaf_input\":\"");
	ctb64_encode(page, a.p, a.len);
	ctbuf_adds(page, "\",\"extra_data\":\"");
	ctb64_encode(page, b.p, b.len);
	ctbuf_adds(page, "\"}");
	ctbuf_free(&a);
	ctbuf_free(&b);
}

int main(void)
{
	struct ctbuf p = CTBUF_INIT;
	ctbuf_adds(&p, "{\"entries\":[");
	for (int i = 0; i < 5; i++) {
		if (i)
			ctbuf_addc(&p, ',');
		entry(&p, i, 0);
	}
	ctbuf_adds(&p, "]}");
	struct ctentry_view v[8];
	uint8_t h[8][32];
	const char *err = "";
	long bad;
	long n = ctentries_parse(p.p, p.len, 8, v, h, &err, &bad);
	ok(n == 5, "a page of 5 reads as 5 (%ld)", n);
	n = ctentries_parse(p.p, p.len, 3, v, h, &err, &bad);
	ok(n == 3, "more than asked: the first 3 are taken");
	p.len -= 2;
	ctbuf_adds(&p, ",");
	entry(&p, 5, 1);
	ctbuf_adds(&p, "]}");
	n = ctentries_parse(p.p, p.len, 8, v, h, &err, &bad);
	ok(n == -1 && bad == 5, "a bad chain in entry 5 is found: %s", err);
	n = ctentries_parse("{\"entries\":[]}", 14, 8, v, h, &err, &bad);
	ok(n == 0, "an empty page is 0 entries");
	n = ctentries_parse("<html>", 6, 8, v, h, &err, &bad);
	ok(n == -1 && bad == -1, "garbage is not a page: %s", err);

	struct ctfstate s = { .next = 13, .tree_size = 20, .has_verified = 1,
			      .verified_size = 13 }, r;
	snprintf(s.url, sizeof s.url, "http://x/\"log\"");
	ctm_range_init(&s.range);
	for (int i = 0; i < 13; i++)
		ctm_range_append(&s.range, h[i % 5]);
	s.has_range = 1;
	memset(s.verified_root, 7, 32);
	struct ctbuf b = CTBUF_INIT;
	ctfstate_format(&b, &s, "x", 1);
	ok(!ctfstate_parse(b.p, b.len, &r, &err) && r.next == 13 && r.has_range &&
	   r.range.n == 3 && !memcmp(r.range.h, s.range.h, 96) && r.has_verified &&
	   !memcmp(r.verified_root, s.verified_root, 32) && !strcmp(r.url, s.url),
	   "a state survives its file");
	static const char *old = "{\"url\":\"http://a/log\",\"name\":\"a\",\"next\":5,"
				 "\"tree_size\":9,\"saved\":1}";
	ok(!ctfstate_parse(old, strlen(old), &r, &err) && r.next == 5 && !r.has_range,
	   "a state file of the first version still reads");
	static const char *bads[] = { "", "{}", "{\"next\":1}", "{\"next\":-1,\"url\":\"u\"}",
		"{\"next\":1,\"url\":\"u\",\"range\":\"2:\"}",
		"{\"next\":1,\"url\":\"u\",\"verified_size\":1}",
		"{\"next\":1.5,\"url\":\"u\"}", "{\"next\":1,\"url\":\"\"}", NULL };
	int acc = 0;
	for (int i = 0; bads[i]; i++)
		acc += ctfstate_parse(bads[i], strlen(bads[i]), &r, &err) == 0;
	ok(!acc, "bad state files are refused (%d accepted)", acc);

	ctbuf_free(&b);
	ctbuf_free(&p);
	return tap_done();
}
