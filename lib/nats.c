/* nats: the protocol reader and writers (see nats.h). The reader never
 * reads past len and never allocates; a message is complete only with
 * its payload and the CRLF after it. */
#include "nats.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json.h"

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int blank(int c)
{
	return c == ' ' || c == '\t';
}

static int ieq(const char *a, size_t n, const char *b)
{
	if (strlen(b) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static const char *const ops[] = { "INFO", "MSG",  "HMSG", "PING",
				   "PONG", "+OK",  "-ERR" };
static const enum ctnats_op op_ids[] = { CTNATS_INFO, CTNATS_MSG,
					 CTNATS_MSG,  CTNATS_PING,
					 CTNATS_PONG, CTNATS_OK,
					 CTNATS_ERR };
#define NOPS (sizeof ops / sizeof ops[0])

/* Is w[0..n) the start of an operation name? */
static int op_prefix(const char *w, size_t n)
{
	for (size_t i = 0; i < NOPS; i++) {
		size_t k = strlen(ops[i]);
		if (n > k)
			continue;
		size_t j = 0;
		while (j < n && lower((unsigned char)w[j]) ==
					lower((unsigned char)ops[i][j]))
			j++;
		if (j == n)
			return 1;
	}
	return 0;
}

static int bad(struct ctnats_msg *m, const char *why)
{
	m->error = why;
	return -1;
}

/* A decimal number (digits only) of at most max. */
static int number(struct ctnats_str t, uint64_t max, uint64_t *out)
{
	if (!t.len || t.len > 20)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < t.len; i++) {
		unsigned d = (unsigned)(t.p[i] - '0');
		if (d > 9 || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Split s[0..n) at runs of blanks into at most max tokens; returns how
 * many, or max + 1 if there are more. */
static size_t tokens(const char *s, size_t n, struct ctnats_str *t,
		     size_t max)
{
	size_t k = 0, i = 0;
	for (;;) {
		while (i < n && blank(s[i]))
			i++;
		if (i == n)
			return k;
		if (k == max)
			return max + 1;
		size_t b = i;
		while (i < n && !blank(s[i]))
			i++;
		t[k].p = s + b;
		t[k].len = i - b;
		k++;
	}
}

static struct ctnats_str trim(const char *s, size_t n)
{
	while (n && blank(*s)) {
		s++;
		n--;
	}
	while (n && blank(s[n - 1]))
		n--;
	return (struct ctnats_str){ s, n };
}

/* MSG subject sid [reply] size, HMSG subject sid [reply] hsize tsize;
 * the payload starts at buf + at. */
static int msg_args(const char *buf, size_t len, size_t at, int hmsg,
		    const char *args, size_t alen, struct ctnats_msg *m)
{
	struct ctnats_str t[5];
	size_t nt = tokens(args, alen, t, 5);
	size_t fixed = hmsg ? 4 : 3;
	if (nt != fixed && nt != fixed + 1)
		return bad(m, "wrong number of arguments");
	uint64_t sid, hsize = 0, tsize;
	if (number(t[1], UINT64_MAX, &sid) < 0)
		return bad(m, "bad subscription id");
	if (number(t[nt - 1], CTNATS_MAX_SIZE, &tsize) < 0)
		return bad(m, "bad size");
	if (hmsg && (number(t[nt - 2], CTNATS_MAX_SIZE, &hsize) < 0 ||
		     hsize > tsize || hsize < 10))
		return bad(m, "bad header size");
	m->op = CTNATS_MSG;
	m->subject = t[0];
	m->sid = sid;
	if (nt == fixed + 1)
		m->reply = t[2];
	size_t total = at + (size_t)tsize + 2;
	if (len < total) {
		m->need = total;
		return -2;
	}
	if (buf[at + tsize] != '\r' || buf[at + tsize + 1] != '\n')
		return bad(m, "payload not followed by CRLF");
	if (hmsg && memcmp(buf + at, "NATS/1.0", 8) != 0)
		return bad(m, "header block not NATS/1.0");
	m->hdr = (struct ctnats_str){ buf + at, (size_t)hsize };
	m->data = (struct ctnats_str){ buf + at + hsize,
				       (size_t)(tsize - hsize) };
	return (int)total;
}

int ctnats_parse(const char *buf, size_t len, struct ctnats_msg *m)
{
	memset(m, 0, sizeof *m);
	if (!len)
		return -2; /* and buf may be NULL: no memchr of it */
	size_t w = 0;
	while (w < len && !blank(buf[w]) && buf[w] != '\r' && buf[w] != '\n')
		w++;
	if ((!w && len) || !op_prefix(buf, w))
		return bad(m, "unknown operation");
	const char *nl = memchr(buf, '\n', len);
	if (!nl)
		return -2;
	size_t eol = (size_t)(nl - buf);
	if (!eol || buf[eol - 1] != '\r')
		return bad(m, "line not ended by CRLF");
	size_t cl = eol - 1; /* control line without CRLF */
	if (cl > CTNATS_MAX_CONTROL)
		return bad(m, "control line too long");
	for (size_t i = 0; i < cl; i++) {
		unsigned char c = (unsigned char)buf[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return bad(m, "control character in a control line");
	}
	size_t k = 0;
	while (k < NOPS && !ieq(buf, w, ops[k]))
		k++;
	if (k == NOPS || (w < cl && !blank(buf[w])))
		return bad(m, "unknown operation");
	m->op = op_ids[k];
	const char *args = buf + w;
	size_t alen = cl - w;
	struct ctnats_str rest = trim(args, alen);
	switch (m->op) {
	case CTNATS_MSG:
		return msg_args(buf, len, eol + 1, k == 2, args, alen, m);
	case CTNATS_INFO:
		if (!rest.len || rest.p[0] != '{')
			return bad(m, "INFO without a JSON object");
		m->text = rest;
		break;
	case CTNATS_ERR:
		if (rest.len >= 2 && rest.p[0] == '\'' &&
		    rest.p[rest.len - 1] == '\'')
			rest = (struct ctnats_str){ rest.p + 1, rest.len - 2 };
		m->text = rest;
		break;
	default:
		if (rest.len)
			return bad(m, "arguments after PING, PONG or +OK");
	}
	return (int)(eol + 1);
}

/* The first line of a header block and where the fields start. */
static int hdr_first(const char *hdr, size_t n, struct ctnats_str *line,
		     size_t *next)
{
	if (n < 8 || memcmp(hdr, "NATS/1.0", 8) != 0)
		return -1;
	const char *nl = memchr(hdr, '\n', n);
	size_t e = nl ? (size_t)(nl - hdr) : n;
	*next = nl ? e + 1 : n;
	if (e && hdr[e - 1] == '\r')
		e--;
	*line = (struct ctnats_str){ hdr + 8, e - 8 };
	return 0;
}

int ctnats_status(const char *hdr, size_t n, struct ctnats_str *desc)
{
	struct ctnats_str l;
	size_t next;
	if (hdr_first(hdr, n, &l, &next) < 0)
		return -1;
	*desc = (struct ctnats_str){ l.p + l.len, 0 };
	if (!l.len)
		return 0;
	if (!blank(l.p[0]))
		return -1;
	l = trim(l.p, l.len);
	if (l.len < 3)
		return -1;
	int code = 0;
	for (int i = 0; i < 3; i++) {
		if (l.p[i] < '0' || l.p[i] > '9')
			return -1;
		code = code * 10 + (l.p[i] - '0');
	}
	if (code < 100 || (l.len > 3 && !blank(l.p[3])))
		return -1;
	*desc = trim(l.p + 3, l.len - 3);
	return code;
}

int ctnats_header(const char *hdr, size_t n, const char *name,
		  struct ctnats_str *value)
{
	struct ctnats_str l;
	size_t at;
	if (hdr_first(hdr, n, &l, &at) < 0)
		return -1;
	size_t nl = strlen(name);
	while (at < n) {
		const char *s = hdr + at;
		const char *e = memchr(s, '\n', n - at);
		size_t len = e ? (size_t)(e - s) : n - at;
		at += len + 1;
		if (len && s[len - 1] == '\r')
			len--;
		if (!len)
			break; /* the blank line that ends the block */
		const char *colon = memchr(s, ':', len);
		if (!colon)
			continue;
		struct ctnats_str k = trim(s, (size_t)(colon - s));
		if (k.len == nl && ieq(k.p, k.len, name)) {
			*value = trim(colon + 1, len - (size_t)(colon - s) - 1);
			return 1;
		}
	}
	return 0;
}

static int url_bad(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	return -1;
}

/* Copy s[0..n) into a field of size cap, NUL-terminated. */
static int field(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

static int url_userinfo(struct ctnats_url *u, const char *s, size_t n,
			char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', n);
	size_t ul = colon ? (size_t)(colon - s) : n;
	if (!ul || field(u->user, sizeof u->user, s, ul) < 0)
		return url_bad(err, errlen, "bad user or token");
	u->has_user = 1;
	if (colon) {
		if (field(u->pass, sizeof u->pass, colon + 1, n - ul - 1) < 0)
			return url_bad(err, errlen, "password too long");
		u->has_pass = 1;
	}
	return 0;
}

int ctnats_url_parse(const char *s, size_t n, struct ctnats_url *u,
		     char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	u->port = 4222;
	const char *sep = n >= 3 ? memchr(s, ':', n) : NULL;
	if (sep && (size_t)(sep - s) + 3 <= n && sep[1] == '/' &&
	    sep[2] == '/') {
		size_t sl = (size_t)(sep - s);
		if (ieq(s, sl, "tls"))
			u->tls = 1;
		else if (!ieq(s, sl, "nats"))
			return url_bad(err, errlen,
				       "scheme not nats:// or tls://");
		n -= sl + 3;
		s = sep + 3;
	}
	while (n && s[n - 1] == '/')
		n--;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == 0x7f)
			return url_bad(err, errlen,
				       "blank, control character or path");
	const char *at = NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '@')
			at = s + i; /* the last: a password may hold '@' */
	if (at) {
		if (url_userinfo(u, s, (size_t)(at - s), err, errlen) < 0)
			return -1;
		n -= (size_t)(at - s) + 1;
		s = at + 1;
	}
	const char *port = NULL;
	size_t hl = n;
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb)
			return url_bad(err, errlen, "no ] after an IPv6 address");
		if ((size_t)(rb - s) + 1 < n && rb[1] != ':')
			return url_bad(err, errlen, "junk after ]");
		if (field(u->host, sizeof u->host, s + 1,
			  (size_t)(rb - s) - 1) < 0)
			return url_bad(err, errlen, "host too long");
		if ((size_t)(rb - s) + 1 < n)
			port = rb + 2;
	} else {
		const char *c = memchr(s, ':', n);
		if (c) {
			hl = (size_t)(c - s);
			port = c + 1;
		}
		if (field(u->host, sizeof u->host, s, hl) < 0)
			return url_bad(err, errlen, "host too long");
	}
	if (!u->host[0])
		return url_bad(err, errlen, "no host");
	if (port) {
		uint64_t p;
		struct ctnats_str t = { port, (size_t)(s + n - port) };
		if (number(t, 65535, &p) < 0 || !p)
			return url_bad(err, errlen, "bad port");
		u->port = (unsigned)p;
	}
	return 0;
}

int ctnats_subject_ok(const char *s, size_t n, int wild)
{
	if (!n)
		return 0;
	size_t b = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			unsigned char c = (unsigned char)s[i];
			if (c <= ' ' || c == 0x7f)
				return 0;
			continue;
		}
		size_t tl = i - b;
		if (!tl)
			return 0;
		for (size_t j = b; j < i; j++)
			if ((s[j] == '*' || s[j] == '>') &&
			    (!wild || tl != 1 || (s[j] == '>' && i != n)))
				return 0;
		b = i + 1;
	}
	return 1;
}

void ctnats_add_connect(struct ctbuf *b, const char *name, int tls,
			const char *token, const char *user,
			const char *pass)
{
	CTBUF_LIT(b, "CONNECT {\"verbose\":false,\"pedantic\":false,"
		     "\"tls_required\":");
	ctbuf_adds(b, tls ? "true" : "false");
	CTBUF_LIT(b, ",\"name\":");
	ctjson_strz(b, name);
	CTBUF_LIT(b, ",\"lang\":\"C\",\"version\":\"" CT_VERSION "\","
		     "\"protocol\":1,\"headers\":true,"
		     "\"no_responders\":true");
	if (token) {
		CTBUF_LIT(b, ",\"auth_token\":");
		ctjson_strz(b, token);
	} else if (user) {
		CTBUF_LIT(b, ",\"user\":");
		ctjson_strz(b, user);
		CTBUF_LIT(b, ",\"pass\":");
		ctjson_strz(b, pass ? pass : "");
	}
	CTBUF_LIT(b, "}\r\n");
}

void ctnats_add_pub(struct ctbuf *b, const char *subject, size_t subject_len,
		    const char *reply, size_t reply_len, const char *hdr,
		    size_t hdr_len, const char *data, size_t data_len)
{
	ctbuf_adds(b, hdr_len ? "HPUB " : "PUB ");
	ctbuf_add(b, subject, subject_len);
	ctbuf_addc(b, ' ');
	if (reply && reply_len) {
		ctbuf_add(b, reply, reply_len);
		ctbuf_addc(b, ' ');
	}
	if (hdr_len) {
		ctbuf_addu64(b, hdr_len);
		ctbuf_addc(b, ' ');
	}
	ctbuf_addu64(b, hdr_len + data_len);
	CTBUF_LIT(b, "\r\n");
	ctbuf_add(b, hdr, hdr_len);
	ctbuf_add(b, data, data_len);
	CTBUF_LIT(b, "\r\n");
}

void ctnats_add_sub(struct ctbuf *b, const char *subject, const char *queue,
		    uint64_t sid)
{
	CTBUF_LIT(b, "SUB ");
	ctbuf_adds(b, subject);
	ctbuf_addc(b, ' ');
	if (queue && *queue) {
		ctbuf_adds(b, queue);
		ctbuf_addc(b, ' ');
	}
	ctbuf_addu64(b, sid);
	CTBUF_LIT(b, "\r\n");
}

void ctnats_add_unsub(struct ctbuf *b, uint64_t sid)
{
	CTBUF_LIT(b, "UNSUB ");
	ctbuf_addu64(b, sid);
	CTBUF_LIT(b, "\r\n");
}

void ctnats_hdr_begin(struct ctbuf *b)
{
	CTBUF_LIT(b, "NATS/1.0\r\n");
}

void ctnats_hdr_add(struct ctbuf *b, const char *name, const char *value,
		    size_t value_len)
{
	ctbuf_adds(b, name);
	CTBUF_LIT(b, ": ");
	ctbuf_add(b, value, value_len);
	CTBUF_LIT(b, "\r\n");
}

void ctnats_hdr_end(struct ctbuf *b)
{
	CTBUF_LIT(b, "\r\n");
}
