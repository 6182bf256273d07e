/* ct-serve's forms and frames: a record parsed once; lite cuts as_der
 * and chain wherever they stand and leaves valid JSON; domains-only;
 * each protocol's framing (SSE splits a payload at CR and LF); a
 * deflated frame inflates back to the payload. */
#include <string.h>
#include <zlib.h>

#include "../../cmd/ct-serve/frame.h"
#include "tap.h"

static const char rec1[] =
	"{\"message_type\":\"certificate_update\",\"data\":{\"update_type\":"
	"\"X509LogEntry\",\"leaf_cert\":{\"as_der\":\"AAA=\",\"all_domains\":"
	"[\"a.example\",\"b.example\"],\"sha1\":\"01\"},\"chain\":[{\"as_der\":"
	"\"BB==\"}],\"cert_index\":7}}";
static const char lite1[] =
	"{\"message_type\":\"certificate_update\",\"data\":{\"update_type\":"
	"\"X509LogEntry\",\"leaf_cert\":{\"all_domains\":"
	"[\"a.example\",\"b.example\"],\"sha1\":\"01\"},\"cert_index\":7}}";
/* as_der last, chain first */
static const char rec2[] =
	"{\"data\":{\"chain\":[],\"leaf_cert\":{\"all_domains\":[],"
	"\"as_der\":\"AA==\"}}}";
static const char lite2[] = "{\"data\":{\"leaf_cert\":{\"all_domains\":[]}}}";

static int same(const struct ctbuf *b, const char *want)
{
	return b->len == strlen(want) && !memcmp(b->p, want, b->len);
}

static void forms(void)
{
	struct rec r;
	struct ctbuf out = CTBUF_INIT;
	ok(rec_parse(&r, rec1, sizeof rec1 - 1) == 0, "a record");
	ok(derive(&r, S_LITE, &out) == 0 && same(&out, lite1),
	   "lite: %.*s", (int)out.len, out.p);
	ok(derive(&r, S_DOM, &out) == 0 &&
		   same(&out, "{\"message_type\":\"dns_entries\",\"data\":"
			      "[\"a.example\",\"b.example\"]}"),
	   "domains-only: %.*s", (int)out.len, out.p);
	ok(rec_parse(&r, rec2, sizeof rec2 - 1) == 0 &&
		   derive(&r, S_LITE, &out) == 0 && same(&out, lite2),
	   "lite, the other way round: %.*s", (int)out.len, out.p);
	static const char *const bad[] = {
		"[]", "{\"data\":{}}", "{\"data\":{\"leaf_cert\":[]}}",
		"{\"data\":{\"leaf_cert\":{}}", "not json",
	};
	int refused = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused += rec_parse(&r, bad[i], strlen(bad[i])) < 0;
	ok(refused == 5, "not records: refused (%d of 5)", refused);
	ok(rec_parse(&r, "{\"data\":{\"leaf_cert\":{}}}", 25) == 0 &&
		   derive(&r, S_DOM, &out) < 0,
	   "no all_domains: no domains-only form");
	ctbuf_free(&out);
}

static int msg_is(struct msg *m, const char *want, size_t n)
{
	int r = m->refs == 0 && m->len == n && !memcmp(m->data, want, n);
	free(m);
	return r;
}

static void frames(void)
{
	ok(msg_is(frame(P_WS, "{}", 2), "\x81\x02{}", 4), "WebSocket text");
	ok(msg_is(frame(P_TCP, "{}", 2), "{}\n", 3), "a TCP line");
	ok(msg_is(frame(P_SSE, "{}", 2), "data: {}\n\n", 10), "an SSE event");
	ok(msg_is(frame(P_SSE, "{\r}\n", 4),
		  "data: {\ndata: }\ndata: \n\n", 24),
	   "SSE: a CR or LF starts a data: line");
	char big[300];
	memset(big, 'x', sizeof big);
	struct msg *m = frame(P_WS, big, sizeof big);
	ok(m->len == 304 && (uint8_t)m->data[1] == 126 &&
		   (uint8_t)m->data[2] == 1 && (uint8_t)m->data[3] == 44,
	   "WebSocket, 16-bit length");
	free(m);
}

static void deflated(void)
{
	struct deflater d;
	memset(&d, 0, sizeof d);
	char pay[2000];
	for (size_t i = 0; i < sizeof pay; i++)
		pay[i] = "certstream"[i % 10];
	int good = 1;
	for (int level = 1; level <= 9; level += 8) {
		struct msg *m = frame_deflate(&d, level, pay, sizeof pay);
		uint8_t *p = (uint8_t *)m->data;
		size_t h = (p[1] & 127) == 126 ? 4 : 2;
		uint8_t in[4096], out[4096];
		memcpy(in, p + h, m->len - h);
		memcpy(in + m->len - h, "\0\0\xff\xff", 4);
		z_stream z;
		memset(&z, 0, sizeof z);
		inflateInit2(&z, -15);
		z.next_in = in;
		z.avail_in = (uInt)(m->len - h + 4);
		z.next_out = out;
		z.avail_out = sizeof out;
		inflate(&z, Z_SYNC_FLUSH);
		good &= p[0] == 0xc1 && z.total_out == sizeof pay &&
			!memcmp(out, pay, sizeof pay) && m->len < 200;
		inflateEnd(&z);
		free(m);
	}
	ok(good, "deflated alone, RSV1 set, inflates back (levels 1, 9)");
	ok(d.in == 2 * sizeof pay && d.out > 0 && d.out < d.in,
	   "bytes in and out counted");
	deflater_end(&d);
}

int main(void)
{
	forms();
	frames();
	deflated();
	return tap_done();
}
