/* http: requests and the endpoints (see http.h). */
#include "http.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "afile.h"
#include "b64.h"
#include "client.h"
#include "clock.h"
#include "filters.h"
#include "mem.h"
#include "metrics.h"
#include "stream.h"
#include "ws.h"

/* A request being answered. */
struct request {
	const struct cthttp_req *r;
	const char *path; /* the target without its query */
	size_t plen;
	const struct route *route;
};

/* Queue a whole response and close the connection once it is read. */
static void respond(struct server *s, struct client *c, const char *status,
		    const char *ctype, const char *body, size_t blen,
		    const char *extra)
{
	struct ctbuf b = CTBUF_INIT;
	ctbuf_printf(&b, "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n"
			 "Cache-Control: no-cache\r\n"
			 "Access-Control-Allow-Origin: *\r\n%s\r\n",
		     status, ctype, blen, extra ? extra : "");
	ctbuf_add(&b, body, blen);
	struct msg *m = msg_new(b.p, b.len);
	ctbuf_free(&b);
	c->close_after = 1;
	if (client_enqueue(s, c, m, 1) == 0)
		client_flush(s, c);
}

static void text(struct server *s, struct client *c, const char *status,
		 const char *body)
{
	respond(s, c, status, "text/plain; charset=utf-8", body, strlen(body),
		NULL);
}

/* Queue the first bytes of a stream (the 101 or the SSE header) and put
 * c on its list. */
static void start_stream(struct server *s, struct client *c,
			 enum cstate st, enum stream stream, enum proto p,
			 const char *head, size_t n)
{
	client_join(s, c, st, stream, p);
	if (client_enqueue(s, c, msg_new(head, n), 1) == 0)
		client_flush(s, c);
}

/* ---- the endpoints ------------------------------------------------------ */

/* /, /full-stream, /domains-only: the WebSocket handshake (RFC 6455
 * section 4.2), with permessage-deflate if offered and --deflate. */
static void ws_stream(struct server *s, struct client *c,
		      const struct request *q)
{
	const struct cthttp_req *r = q->r;
	size_t vl, kl, xl;
	const char *up = cthttp_header(r, "Upgrade", &vl);
	if (!up || !cthttp_has_token(up, vl, "websocket")) {
		text(s, c, "426 Upgrade Required",
		     "this is a certstream WebSocket endpoint; see /sse for "
		     "SSE\n");
		return;
	}
	const char *key = cthttp_header(r, "Sec-WebSocket-Key", &kl);
	const char *ver = cthttp_header(r, "Sec-WebSocket-Version", &vl);
	if (!key || kl != 24 || !ver || vl != 2 || memcmp(ver, "13", 2)) {
		respond(s, c, "400 Bad Request", "text/plain",
			"bad WebSocket handshake\n", 24,
			"Sec-WebSocket-Version: 13\r\n");
		return;
	}
	char acc[29], hdr[384];
	ctws_accept(key, kl, acc);
	const char *x = cthttp_header(r, "Sec-WebSocket-Extensions", &xl);
	c->deflate = s->o.deflate && x && ctws_deflate_offer(x, xl);
	int n = snprintf(hdr, sizeof hdr,
			 "HTTP/1.1 101 Switching Protocols\r\n"
			 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Accept: %s\r\n%s\r\n", acc,
			 c->deflate ? CTWS_DEFLATE_RESPONSE : "");
	start_stream(s, c, C_WS, (enum stream)q->route->stream, P_WS, hdr,
		     (size_t)n);
}

/* /sse?stream=lite|full|domains */
static void sse_stream(struct server *s, struct client *c,
		       const struct request *q)
{
	size_t vl;
	const char *sv = cthttp_query(q->r->target, q->r->tlen, "stream", &vl);
	enum stream st = S_LITE;
	if (sv && vl == 4 && !memcmp(sv, "full", 4))
		st = S_FULL;
	else if (sv && ((vl == 7 && !memcmp(sv, "domains", 7)) ||
			(vl == 12 && !memcmp(sv, "domains-only", 12))))
		st = S_DOM;
	else if (sv && !(vl == 4 && !memcmp(sv, "lite", 4))) {
		text(s, c, "400 Bad Request",
		     "stream is lite, full or domains\n");
		return;
	}
	static const char hdr[] =
		"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
		"Cache-Control: no-cache\r\nConnection: keep-alive\r\n"
		"Access-Control-Allow-Origin: *\r\n"
		"X-Accel-Buffering: no\r\n\r\n: ct-serve\n\n";
	start_stream(s, c, C_SSE, st, P_SSE, hdr, sizeof hdr - 1);
}

/* /health (and /api/stats without health) */
static void stats(struct server *s, struct client *c, int health)
{
	struct ctbuf b = CTBUF_INIT;
	size_t ws = clients_count(s, -1, P_WS),
	       sse = clients_count(s, -1, P_SSE),
	       tcp = clients_count(s, -1, P_TCP);
	if (health)
		ctbuf_printf(&b, "{\"status\":\"ok\",\"input_open\":%s,"
				 "\"clients\":%zu}",
			     s->stdin_open ? "true" : "false", ws + sse + tcp);
	else
		ctbuf_printf(&b,
			     "{\"uptime_s\":%lld,\"clients\":{\"websocket\":"
			     "%zu,\"sse\":%zu,\"tcp\":%zu},\"messages_in\":"
			     "%llu,\"messages_skipped\":%llu,\"dropped\":%llu,"
			     "\"bytes_out\":%llu}",
			     (long long)((ct_now_ms() - s->started_ms) / 1000),
			     ws, sse, tcp, (unsigned long long)s->msgs_in,
			     (unsigned long long)s->msgs_skipped,
			     (unsigned long long)s->drops,
			     (unsigned long long)s->bytes_out);
	respond(s, c, "200 OK", "application/json", b.p, b.len, NULL);
	ctbuf_free(&b);
}

static void health(struct server *s, struct client *c,
		   const struct request *q)
{
	(void)q;
	stats(s, c, 1);
}

static void api_stats(struct server *s, struct client *c,
		      const struct request *q)
{
	(void)q;
	stats(s, c, 0);
}

static void metrics(struct server *s, struct client *c,
		    const struct request *q)
{
	struct ctbuf b = CTBUF_INIT;
	(void)q;
	metrics_text(s, &b);
	respond(s, c, "200 OK", "text/plain; version=0.0.4", b.p, b.len, NULL);
	ctbuf_free(&b);
}

/* /api/cert/<sha256 or sha1>, in hex with or without colons */
static void api_cert(struct server *s, struct client *c,
		     const struct request *q)
{
	uint8_t want[32];
	const char *h = q->path + 10;
	size_t hl = q->plen - 10, n = 0;
	for (size_t i = 0; i < hl; i++)
		n += h[i] != ':';
	if ((n != 64 || cthex_decode_sep(h, hl, ':', want, 32) < 0) &&
	    (n != 40 || cthex_decode_sep(h, hl, ':', want, 20) < 0)) {
		text(s, c, "400 Bad Request",
		     "want /api/cert/<sha256 or sha1 in hex>\n");
		return;
	}
	const struct recent *hit = stream_recent(s, want, n / 2);
	if (hit)
		respond(s, c, "200 OK", "application/json", hit->rec, hit->len,
			NULL);
	else
		text(s, c, "404 Not Found",
		     "not among the recent certificates\n");
}

/* /api/logs: ct-fetch's stats file (rewritten atomically: read whole) */
static void api_logs(struct server *s, struct client *c,
		     const struct request *q)
{
	struct ctbuf b = CTBUF_INIT;
	(void)q;
	if (!s->o.fetch_stats)
		text(s, c, "404 Not Found", "no --fetch-stats file given\n");
	else if (ctafile_read(s->o.fetch_stats, 16 << 20, &b) < 0)
		text(s, c, "503 Service Unavailable",
		     "no ct-fetch stats yet\n");
	else
		respond(s, c, "200 OK", "application/json", b.p, b.len, NULL);
	ctbuf_free(&b);
}

/* /example.json: the latest certificate record, listened to or not */
static void example(struct server *s, struct client *c,
		    const struct request *q)
{
	(void)q;
	if (s->latest.len)
		respond(s, c, "200 OK", "application/json", s->latest.p,
			s->latest.len, NULL);
	else
		text(s, c, "404 Not Found", "no certificate yet\n");
}

static const struct route routes[] = {
	{ "", ROUTE_STREAM, S_LITE, ws_stream },
	{ "/full-stream", ROUTE_STREAM, S_FULL, ws_stream },
	{ "/domains-only", ROUTE_STREAM, S_DOM, ws_stream },
	{ "/sse", ROUTE_STREAM, -1, sse_stream },
	{ "/health", ROUTE_OPEN, -1, health },
	{ "/metrics", 0, -1, metrics },
	{ "/api/stats", 0, -1, api_stats },
	{ "/api/cert/", ROUTE_PREFIX, -1, api_cert },
	{ "/api/logs", 0, -1, api_logs },
	{ "/example.json", 0, -1, example },
};

const struct route *http_route(const char *path, size_t plen)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct route *rt = &routes[i];
		size_t w = strlen(rt->path);
		int exact = plen == w || (plen == w + 1 && path[w] == '/');
		int fits = rt->flags & ROUTE_PREFIX ? plen > w : exact;
		if (fits && !memcmp(path, rt->path, w))
			return rt;
	}
	return NULL;
}

/* ---- who may ask -------------------------------------------------------- */

static int authorized(const struct server *s, const struct cthttp_req *r)
{
	if (!s->o.ntokens)
		return 1;
	size_t vl = 0;
	const char *v = cthttp_header(r, s->o.auth_header, &vl);
	if (v && vl > 7 && !strncasecmp(v, "Bearer ", 7)) {
		v += 7;
		vl -= 7;
	}
	if (!v)
		v = cthttp_query(r->target, r->tlen, "token", &vl);
	if (!v)
		return 0;
	int ok = 0;
	for (size_t i = 0; i < s->o.ntokens; i++) {
		size_t tl = strlen(s->o.tokens[i]);
		/* constant time for tokens of the same length */
		ok |= tl == vl && CRYPTO_memcmp(v, s->o.tokens[i], tl) == 0;
	}
	return ok;
}

/* An address as bytes (AF_INET or AF_INET6 and 4 or 16 bytes); -1 if
 * ip[0..n) is not one. */
static int ip_bytes(const char *ip, size_t n, int *af, uint8_t out[16])
{
	char z[INET6_ADDRSTRLEN];
	if (n >= sizeof z)
		return -1;
	memcpy(z, ip, n);
	z[n] = '\0';
	*af = strchr(z, ':') ? AF_INET6 : AF_INET;
	return inet_pton(*af, z, out) == 1 ? 0 : -1;
}

/* Is ip[0..n) a --trusted-proxy (compared as addresses, so ::1 and
 * 0:0::1 are one)? */
static int trusted(const struct server *s, const char *ip, size_t n)
{
	int af, paf;
	uint8_t a[16], p[16];
	if (ip_bytes(ip, n, &af, a) < 0)
		return 0;
	for (size_t i = 0; i < s->o.nproxies; i++)
		if (ip_bytes(s->o.proxies[i], strlen(s->o.proxies[i]), &paf,
			     p) == 0 &&
		    paf == af && !memcmp(a, p, af == AF_INET ? 4 : 16))
			return 1;
	return 0;
}

/* Behind a trusted proxy the client is the rightmost X-Forwarded-For
 * entry that is not itself a trusted proxy, over every line of the
 * header (a proxy may add a line instead of appending to the last). */
static void real_ip(const struct server *s, struct client *c,
		    const struct cthttp_req *r)
{
	if (!trusted(s, c->ip, strlen(c->ip)))
		return;
	struct cthttp_list it;
	size_t n;
	const char *v;
	cthttp_list_init(&it, r);
	for (;;) {
		v = cthttp_list_prev(r, "X-Forwarded-For", &it, &n);
		if (!v)
			return; /* none, or only proxies: the peer it is */
		if (!trusted(s, v, n))
			break;
	}
	int af;
	uint8_t a[16];
	if (ip_bytes(v, n, &af, a) == 0)
		inet_ntop(af, a, c->ip, sizeof c->ip); /* one spelling */
	else if (n < sizeof c->ip) {
		memcpy(c->ip, v, n); /* not an address: a name all the same */
		c->ip[n] = '\0';
	}
}

/* A stream's ?domain= filter for c: 0, or -1 when the list is bad (then
 * answered 400 with the reason). */
static int take_filter(struct server *s, struct client *c,
		       const struct cthttp_req *r)
{
	size_t vl;
	const char *dv = cthttp_query(r->target, r->tlen, "domain", &vl);
	if (!dv)
		return 0;
	char err[300];
	c->filter = filter_get(&s->filters, dv, vl, err, sizeof err);
	if (c->filter)
		return 0; /* given back when c is dropped */
	size_t el = strlen(err);
	err[el++] = '\n';
	respond(s, c, "400 Bad Request", "text/plain", err, el, NULL);
	return -1;
}

static void route(struct server *s, struct client *c,
		  const struct cthttp_req *r)
{
	const char *qm = memchr(r->target, '?', r->tlen);
	struct request q = { r, r->target,
			     qm ? (size_t)(qm - r->target) : r->tlen, NULL };
	if (r->mlen != 3 || memcmp(r->method, "GET", 3)) {
		respond(s, c, "405 Method Not Allowed", "text/plain",
			"GET only\n", 9, "Allow: GET\r\n");
		return;
	}
	q.route = http_route(q.path, q.plen);
	const struct route *rt = q.route;
	if (!(rt && rt->flags & ROUTE_OPEN) && !authorized(s, r)) {
		s->auth_rejected++;
		respond(s, c, "401 Unauthorized", "text/plain",
			"a valid bearer token is needed\n", 31,
			"WWW-Authenticate: Bearer\r\n");
		return;
	}
	real_ip(s, c, r);
	/* every connection counts, streaming or not: one address cannot
	 * hold every slot with requests for large responses it never reads
	 * (behind a trusted proxy the address is only known now) */
	if (s->o.max_per_ip && clients_from(s, c->ip, c) >= s->o.max_per_ip) {
		s->rejected_ip++;
		respond(s, c, "429 Too Many Requests", "text/plain",
			"too many connections from your address\n", 39,
			"Retry-After: 10\r\n");
		return;
	}
	if (!rt)
		text(s, c, "404 Not Found", "not found\n");
	else if (!(rt->flags & ROUTE_STREAM) || take_filter(s, c, r) == 0)
		rt->fn(s, c, &q);
}

/* ---- the request -------------------------------------------------------- */

void http_readable(struct server *s, struct client *c)
{
	for (;;) {
		if (!c->in)
			c->in = ct_xmalloc(CIN);
		if (c->inlen == CIN) {
			text(s, c, "431 Request Header Fields Too Large",
			     "request head too large\n");
			return;
		}
		ssize_t r = client_read(s, c, c->in + c->inlen, CIN - c->inlen);
		if (r <= 0)
			return;
		c->inlen += (size_t)r;
		struct cthttp_req req;
		int n = cthttp_parse(c->in, c->inlen, &req);
		if (n == -2)
			continue;
		if (n == -3) {
			text(s, c, "431 Request Header Fields Too Large",
			     "more than 32 header fields\n");
			return;
		}
		if (n < 0) {
			text(s, c, "400 Bad Request", "bad request\n");
			return;
		}
		/* the request (req points into head) is handled with the
		 * client's buffer taken from it; what follows the head (a
		 * client's first frame) stays with the client */
		char *head = c->in;
		size_t rest = c->inlen - (size_t)n;
		c->in = rest ? memcpy(ct_xmalloc(CIN), head + n, rest) : NULL;
		c->inlen = rest;
		route(s, c, &req);
		free(head);
		if (!c->dead && c->st == C_HTTP) {
			/* answered (Connection: close): a pipelined request is
			 * not served, so nothing of one request (its filter,
			 * its address) can reach another */
			free(c->in);
			c->in = NULL;
			c->inlen = 0;
		}
		return;
	}
}

/* A last word to a socket we are about to close; failure is moot. */
static void say(int fd, const char *m, size_t n)
{
	ssize_t r = write(fd, m, n);
	(void)r;
}

int http_refuse(struct server *s, int fd, int tcp_stream, const char *ip)
{
	static const char slow[] = "HTTP/1.1 429 Too Many Requests\r\n"
				   "Retry-After: 1\r\nContent-Length: 0\r\n"
				   "Connection: close\r\n\r\n";
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
				   "Content-Length: 0\r\n"
				   "Connection: close\r\n\r\n";
	static const char many[] = "HTTP/1.1 429 Too Many Requests\r\n"
				   "Retry-After: 10\r\nContent-Length: 0\r\n"
				   "Connection: close\r\n\r\n";
	const char *answer;
	size_t len;
	if (ctbucket_take(&s->accepts, ct_now_ms()) > 0) {
		s->rejected_rate++;
		answer = slow;
		len = sizeof slow - 1;
	} else if (s->total >= s->o.max_clients) {
		s->rejected_full++;
		answer = busy;
		len = sizeof busy - 1;
	} else if (s->o.max_per_ip &&
		   /* every connection counts against the per-address limit
		    * from the start, whatever it asks for; those of a
		    * trusted proxy are told apart by X-Forwarded-For once
		    * their request is read (route) */
		   (tcp_stream >= 0 || !trusted(s, ip, strlen(ip))) &&
		   clients_from(s, ip, NULL) >= s->o.max_per_ip) {
		s->rejected_ip++;
		answer = many;
		len = sizeof many - 1;
	} else {
		return 0;
	}
	if (tcp_stream < 0 && !s->tls)
		say(fd, answer, len);
	close(fd);
	return 1;
}
