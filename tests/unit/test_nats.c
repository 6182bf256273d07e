/* lib/nats: server messages, valid and not, each against a guard page
 * and at every length short of complete; header blocks and status
 * lines; server URLs; subjects; the writers. */
#include <stdint.h>
#include <string.h>

#include "../../lib/nats.h"
#include "guard.h"
#include "tap.h"

/* Parse a copy against a guard page; the copy (which m's views point
 * into) lives until the next call. */
static int parse(const char *s, size_t n, struct ctnats_msg *m)
{
	static char *g;
	static size_t gn;
	if (g)
		ct_guard_free(g, gn);
	g = ct_guard_copy(s, n);
	gn = n;
	return ctnats_parse(g, n, m);
}

struct want {
	size_t total;
	int bad;
};

static int prefix_needs_more(void *p, size_t k, void *ctx)
{
	struct want *w = ctx;
	struct ctnats_msg m;
	int got = ctnats_parse(p, k, &m);
	int expect = k < w->total ? -2 : (int)w->total;
	if (got != expect) {
		w->bad = (int)k;
		return 1;
	}
	return 0;
}

/* s is one whole message followed by extra bytes: every prefix of it
 * needs more, then it takes exactly its length. */
static void prefixes(const char *name, const char *s, size_t total)
{
	struct want w = { total, -1 };
	guard_prefixes(s, total, prefix_needs_more, &w);
	ok(w.bad < 0, "%s: prefixes need more, then %zu (bad at %d)", name,
	   total, w.bad);
}

static int str_is(struct ctnats_str s, const char *want)
{
	return s.len == strlen(want) && !memcmp(s.p, want, s.len);
}

static void valid(void)
{
	struct ctnats_msg m;
	const char *info = "INFO {\"server_id\":\"x\",\"max_payload\":1048576} "
			   "\r\n";
	ok(parse(info, strlen(info), &m) == (int)strlen(info) &&
		   m.op == CTNATS_INFO &&
		   str_is(m.text, "{\"server_id\":\"x\",\"max_payload\":1048576}"),
	   "INFO: the JSON object, blanks trimmed");
	prefixes("INFO", info, strlen(info));

	const char *msg = "MSG a.b 17 5\r\nhello\r\n";
	ok(parse(msg, strlen(msg), &m) == 21 && m.op == CTNATS_MSG &&
		   str_is(m.subject, "a.b") && m.sid == 17 && !m.reply.len &&
		   !m.hdr.len && str_is(m.data, "hello"),
	   "MSG without reply");
	prefixes("MSG", msg, strlen(msg));

	/* what nats-server 2.9 sends for a PubAck: two blanks, no reply */
	const char *ack = "MSG _INBOX.x.2 1  23\r\n{\"stream\":\"T\", \"seq\":1}"
			  "\r\n";
	ok(parse(ack, strlen(ack), &m) == (int)strlen(ack) &&
		   str_is(m.data, "{\"stream\":\"T\", \"seq\":1}"),
	   "MSG with a run of blanks");
	prefixes("MSG (PubAck)", ack, strlen(ack));

	const char *rep = "msg\ta 1\t_INBOX.r  0\r\n\r\n";
	ok(parse(rep, strlen(rep), &m) == (int)strlen(rep) &&
		   str_is(m.reply, "_INBOX.r") && m.data.len == 0,
	   "msg (lower case, tabs) with reply and empty payload");

	const char *h = "HMSG t.a 1 $JS.ACK.T.d1.1.2.2.17.0 30 35\r\n"
			"NATS/1.0\r\nNats-Msg-Id: abd\r\n\r\nhello\r\n";
	ok(parse(h, strlen(h), &m) == (int)strlen(h) && m.op == CTNATS_MSG &&
		   str_is(m.reply, "$JS.ACK.T.d1.1.2.2.17.0") &&
		   m.hdr.len == 30 && str_is(m.data, "hello"),
	   "HMSG: header block and payload apart");
	prefixes("HMSG", h, strlen(h));
	struct ctnats_str v, d;
	ok(ctnats_header(m.hdr.p, m.hdr.len, "nats-msg-id", &v) == 1 &&
		   str_is(v, "abd"),
	   "header field by name, any case");
	ok(ctnats_header(m.hdr.p, m.hdr.len, "Nats-Msg", &v) == 0,
	   "a prefix of a field name is not that field");
	ok(ctnats_status(m.hdr.p, m.hdr.len, &d) == 0, "no status");

	const char *st = "HMSG _INBOX.x.9 1  81 81\r\nNATS/1.0 408 Request "
			 "Timeout\r\nNats-Pending-Messages: 9\r\n"
			 "Nats-Pending-Bytes: 0\r\n\r\n\r\n";
	ok(parse(st, strlen(st), &m) == (int)strlen(st) && !m.data.len &&
		   ctnats_status(m.hdr.p, m.hdr.len, &d) == 408 &&
		   str_is(d, "Request Timeout") &&
		   ctnats_header(m.hdr.p, m.hdr.len, "Nats-Pending-Messages",
				 &v) == 1 &&
		   str_is(v, "9"),
	   "HMSG status 408 with fields");
	ok(ctnats_status("NATS/1.0 503\r\n\r\n", 16, &d) == 503 && !d.len,
	   "status without a description");

	const char *ops[] = { "PING\r\n", "PONG\r\n", "+OK\r\n", "ping \r\n" };
	const char *names[] = { "PING", "PONG", "+OK", "ping with a blank" };
	enum ctnats_op ids[] = { CTNATS_PING, CTNATS_PONG, CTNATS_OK,
				 CTNATS_PING };
	for (int i = 0; i < 4; i++) {
		ok(parse(ops[i], strlen(ops[i]), &m) == (int)strlen(ops[i]) &&
			   m.op == ids[i],
		   "%s", names[i]);
		prefixes(names[i], ops[i], strlen(ops[i]));
	}
	const char *err = "-ERR 'Authorization Violation'\r\n";
	ok(parse(err, strlen(err), &m) == (int)strlen(err) &&
		   m.op == CTNATS_ERR && str_is(m.text, "Authorization Violation"),
	   "-ERR without its quotes");

	/* two messages back to back: the first only */
	const char *two = "PING\r\nMSG a 1 1\r\nx\r\n";
	ok(parse(two, strlen(two), &m) == 6 && m.op == CTNATS_PING,
	   "one message at a time");
}

static void invalid(void)
{
	static const char *const bad[] = {
		"HELLO\r\n",
		"GARBAGE",
		" PING\r\n",
		"PINGX\r\n",
		"PING\n",
		"PING x\r\n",
		"INFO\r\n",
		"INFO [1]\r\n",
		"MSG a 1\r\n",
		"MSG a x 1\r\nx\r\n",
		"MSG a 1 -1\r\n",
		"MSG a 1 b c 1\r\nx\r\n",
		"MSG a 1 1\r\nxy\r\n",
		"MSG a 1 1\r\nx\n\n",
		"MSG a\x01 1 1\r\nx\r\n",
		"MSG a 1 99999999999\r\n",
		"MSG a 18446744073709551616 1\r\nx\r\n",
		"HMSG a 1 5\r\n",
		"HMSG a 1 20 10\r\n",
		"HMSG a 1 5 5\r\nNATS/\r\n",
		"HMSG a 1 12 12\r\nHTTP/1.0\r\n\r\n\r\n",
	};
	struct ctnats_msg m;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = parse(bad[i], strlen(bad[i]), &m);
		ok(r == -1 && m.error, "invalid: %zu (%s)", i,
		   r == -1 ? m.error : "accepted");
	}
	/* a huge MSG is announced before it arrives */
	const char *huge = "MSG a 1 1000000000\r\nxyz";
	ok(parse(huge, strlen(huge), &m) == -2 && m.need == 1000000022,
	   "huge MSG: need more, and how much");
	ok(parse("MSG a 1 5", 9, &m) == -2 && m.need == 0,
	   "incomplete control line: need unknown");
	/* an empty input buffer (never allocated yet): nothing read */
	ok(ctnats_parse(NULL, 0, &m) == -2 && m.need == 0,
	   "nothing yet, buffer NULL: need more");
	char longline[CTNATS_MAX_CONTROL + 40];
	memset(longline, 'a', sizeof longline);
	memcpy(longline, "MSG ", 4);
	memcpy(longline + sizeof longline - 8, " 1 0\r\n\r\n", 8);
	ok(parse(longline, sizeof longline, &m) == -1,
	   "control line over the limit");
	struct ctnats_str d;
	ok(ctnats_status("HTTP/1.1 200\r\n", 14, &d) == -1 &&
		   ctnats_status("NATS/1.0 40\r\n", 13, &d) == -1 &&
		   ctnats_status("NATS/1.0 4x8\r\n", 14, &d) == -1 &&
		   ctnats_status("NATS/1.0x\r\n", 11, &d) == -1 &&
		   ctnats_status("NATS/1.0 4089\r\n", 15, &d) == -1,
	   "bad status lines");
}

static void urls(void)
{
	struct ctnats_url u;
	char err[80];
	ok(ctnats_url_parse("127.0.0.1", 9, &u, err, sizeof err) == 0 &&
		   !strcmp(u.host, "127.0.0.1") && u.port == 4222 && !u.tls,
	   "host alone: port 4222");
	const char *s = "tls://alice:s3:cr@t@[::1]:4443/";
	ok(ctnats_url_parse(s, strlen(s), &u, err, sizeof err) == 0 &&
		   u.tls && !strcmp(u.host, "::1") && u.port == 4443 &&
		   !strcmp(u.user, "alice") && !strcmp(u.pass, "s3:cr@t") &&
		   u.has_pass,
	   "tls, user, password with : and @, IPv6, port");
	s = "NATS://tok@h:1";
	ok(ctnats_url_parse(s, strlen(s), &u, err, sizeof err) == 0 &&
		   u.has_user && !u.has_pass && !strcmp(u.user, "tok") &&
		   u.port == 1,
	   "token");
	static const char *const bad[] = { "http://h", "h:0", "h:65536",
					   "h:x", "[::1", "[::1]x", ":4222",
					   "h/path", "a b", "@h", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(ctnats_url_parse(bad[i], strlen(bad[i]), &u, err,
				    sizeof err) == -1,
		   "bad URL '%s' (%s)", bad[i], err);
}

static void subjects(void)
{
	static const char *const good[] = { "a", "ct.entries.x_y-z",
					    "$JS.API.STREAM.INFO.S" };
	for (size_t i = 0; i < 3; i++)
		ok(ctnats_subject_ok(good[i], strlen(good[i]), 0),
		   "subject %s", good[i]);
	ok(ctnats_subject_ok("a.*.>", 5, 1) && !ctnats_subject_ok("a.*.>", 5, 0),
	   "wildcards only when allowed");
	static const char *const bad[] = { "", ".", "a.", ".a", "a..b",
					   "a b", "a.>.b", "a.b*", "a\tb" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(!ctnats_subject_ok(bad[i], strlen(bad[i]), 1),
		   "bad subject '%s'", bad[i]);
}

static void writers(void)
{
	struct ctbuf b = CTBUF_INIT;
	ctnats_add_pub(&b, "a.b", 3, NULL, 0, NULL, 0, "hi", 2);
	ok(b.len == 15 && !memcmp(b.p, "PUB a.b 2\r\nhi\r\n", 15), "PUB");
	ctbuf_reset(&b);
	struct ctbuf h = CTBUF_INIT;
	ctnats_hdr_begin(&h);
	ctnats_hdr_add(&h, "Nats-Msg-Id", "x1", 2);
	ctnats_hdr_end(&h);
	ctnats_add_pub(&b, "a", 1, "_INBOX.r.1", 10, h.p, h.len, "hi", 2);
	const char *want = "HPUB a _INBOX.r.1 29 31\r\nNATS/1.0\r\n"
			   "Nats-Msg-Id: x1\r\n\r\nhi\r\n";
	ok(b.len == strlen(want) && !memcmp(b.p, want, b.len), "HPUB");
	/* the same bytes as a server would deliver them parse back */
	struct ctnats_msg m;
	struct ctbuf s = CTBUF_INIT;
	CTBUF_LIT(&s, "HMSG a 9 _INBOX.r.1 29 31\r\n");
	ctbuf_add(&s, h.p, h.len);
	CTBUF_LIT(&s, "hi\r\n");
	struct ctnats_str v;
	ok(parse(s.p, s.len, &m) == (int)s.len &&
		   ctnats_header(m.hdr.p, m.hdr.len, "Nats-Msg-Id", &v) == 1 &&
		   str_is(v, "x1") && str_is(m.data, "hi"),
	   "a header block we write reads back");
	ctbuf_reset(&b);
	ctnats_add_sub(&b, "_INBOX.x.>", NULL, 1);
	ctnats_add_sub(&b, "q", "workers", 2);
	ctnats_add_unsub(&b, 2);
	want = "SUB _INBOX.x.> 1\r\nSUB q workers 2\r\nUNSUB 2\r\n";
	ok(b.len == strlen(want) && !memcmp(b.p, want, b.len), "SUB, UNSUB");
	ctbuf_reset(&b);
	ctnats_add_connect(&b, "ct-nats", 1, NULL, "u\"1", "p");
	ok(b.len > 10 && strstr(ctbuf_cstr(&b), "\"user\":\"u\\\"1\"") &&
		   strstr(b.p, "\"tls_required\":true") &&
		   strstr(b.p, "\"headers\":true") &&
		   !memcmp(b.p + b.len - 3, "}\r\n", 3),
	   "CONNECT with user and password, escaped");
	ctbuf_free(&b);
	ctbuf_free(&h);
	ctbuf_free(&s);
}

int main(void)
{
	valid();
	invalid();
	urls();
	subjects();
	writers();
	return tap_done();
}
