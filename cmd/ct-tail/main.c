/* ct-tail: a certstream client. Connects to a certstream server over
 * WebSocket, SSE or TCP, writes each message unchanged as one NDJSON
 * line, and reconnects (with backoff and jitter) when the connection
 * ends or goes silent, reporting what each reconnection missed. */
#include <errno.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "conn.h"
#include "diag.h"
#include "gaps.h"
#include "io.h"
#include "json.h"
#include "session.h"
#include "sig.h"
#include "url.h"

#define BACKOFF_CAP_MS 30000

struct opts {
	const char *stream, *token, *cacert;
	unsigned long long count, max;
	unsigned long long timeout_ms, heartbeat_ms, backoff_ms, connect_ms;
	int heartbeats, quiet, unbuffered;
};

enum opt_id {
	O_STREAM,
	O_COUNT,
	O_TIMEOUT,
	O_HEARTBEATS,
	O_HEARTBEAT,
	O_BACKOFF,
	O_CONNECT_TIMEOUT,
	O_MAX_MESSAGE,
	O_TOKEN,
	O_CACERT,
	O_QUIET,
	O_UNBUFFERED,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_STREAM] = { "stream", 's', "STREAM", "full, lite or domains: the path of that stream (none: the URL's path)", NULL },
	[O_COUNT] = { "count", 'n', "N", "exit after writing N messages", NULL },
	[O_TIMEOUT] = { "timeout", 0, "DURATION", "exit after this long (with --count: 1 if they have not all come)", NULL },
	[O_HEARTBEATS] = { "heartbeats", 0, NULL, "write the server's heartbeat messages too", NULL },
	[O_HEARTBEAT] = { "heartbeat", 0, "DURATION", "the server's heartbeat interval: ping after it in silence, reconnect after 3 times it", "15s" },
	[O_BACKOFF] = { "backoff", 0, "DURATION", "first reconnection delay, doubling to 30s, with jitter", "250ms" },
	[O_CONNECT_TIMEOUT] = { "connect-timeout", 0, "DURATION", "give up a connection attempt after this long", "10s" },
	[O_MAX_MESSAGE] = { "max-message", 0, "BYTES", "refuse larger messages (and reconnect)", "16777216" },
	[O_TOKEN] = { "token", 't', "TOKEN", "send this bearer token (Authorization header)", NULL },
	[O_CACERT] = { "cacert", 0, "FILE", "trust the CA certificates in FILE (PEM) instead of the system's", NULL },
	[O_QUIET] = { "quiet", 'q', NULL, "no line on standard error for each connection", NULL },
	[O_UNBUFFERED] = { "unbuffered", 'u', NULL, "flush after every message", NULL },
};

static const struct ct_cli cli = {
	"[options] URL",
	"Connect to a certstream server (ws:// or wss:// for WebSocket, http://\n"
	"or https:// for server-sent events, tcp://host:port for NDJSON lines)\n"
	"and write each message, unchanged, as one line of standard output;\n"
	"reconnect when the connection ends or goes silent.",
	opt_table, sizeof opt_table / sizeof opt_table[0]
};

/* A duration that must not be 0. */
static unsigned long long positive_ms(const char *name, const char *arg)
{
	unsigned long long v = ct_cli_duration_ms(name, arg);
	if (!v)
		ct_usage_error("--%s: must be more than 0", name);
	return v;
}

static int on_opt(void *ctx, int idx, const char *arg)
{
	struct opts *o = ctx;
	const char *name = opt_table[idx].name;
	switch (idx) {
	case O_STREAM:
		if (strcmp(arg, "full") && strcmp(arg, "lite") &&
		    strcmp(arg, "domains")) {
			ct_warnx("--stream: '%s' is not full, lite or domains",
				 arg);
			return -1;
		}
		o->stream = arg;
		break;
	case O_COUNT: o->count = ct_cli_u64(name, arg, 1, UINT64_MAX); break;
	case O_TIMEOUT: o->timeout_ms = positive_ms(name, arg); break;
	case O_HEARTBEATS: o->heartbeats = 1; break;
	case O_HEARTBEAT: o->heartbeat_ms = positive_ms(name, arg); break;
	case O_BACKOFF: o->backoff_ms = positive_ms(name, arg); break;
	case O_CONNECT_TIMEOUT: o->connect_ms = positive_ms(name, arg); break;
	case O_MAX_MESSAGE: o->max = ct_cli_u64(name, arg, 64, 1 << 30); break;
	case O_TOKEN:
		for (const char *p = arg; *p; p++)
			if ((unsigned char)*p < 0x21 || *p == 0x7f) {
				ct_warnx("--token: a space or control "
					 "character");
				return -1;
			}
		if (strlen(arg) > 900) {
			ct_warnx("--token: longer than 900 characters");
			return -1;
		}
		o->token = arg;
		break;
	case O_CACERT: o->cacert = arg; break;
	case O_QUIET: o->quiet = 1; break;
	case O_UNBUFFERED: o->unbuffered = 1; break;
	}
	return 0;
}

struct tail {
	struct opts o;
	struct cturl url;
	char where[CTURL_HOST_MAX + CTURL_TARGET_MAX + 32]; /* for messages */
	char extra[1024];
	struct session_cfg cfg;
	SSL_CTX *tls;
	struct ctout out;
	struct gaps *gaps;
	int pipe_default; /* SIGPIPE was SIG_DFL: a closed stdout ends us */
	int64_t end;      /* --timeout's deadline, or -1 */
	int done, timed_out, delivered;
	unsigned long long received, written, skipped, missed, reconnects;
	unsigned long long connections;
};

/* A write to standard output failed. A closed pipe ends a filter as
 * SIGPIPE would have (it is blocked so that sockets do not raise it). */
static _Noreturn void out_failed(struct tail *t)
{
	if (t->out.err == EPIPE && t->pipe_default) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		raise(SIGPIPE);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	errno = t->out.err;
	ct_die(CT_EXIT_RUNTIME, "write error");
}

static void flush_out(struct tail *t)
{
	if (t->out.buf.len && ctout_flush(&t->out) < 0)
		out_failed(t);
}

/* A certificate message: what did the reconnection miss of its log? */
static void track(struct tail *t, const struct ctjson_val *root)
{
	struct ctjson_val data, idx, src, url;
	uint64_t index, first;
	if (ctjson_member(root, "data", &data) != 1 ||
	    data.type != CTJSON_OBJECT ||
	    ctjson_member(&data, "cert_index", &idx) != 1 ||
	    ctjson_u64(&idx, &index) < 0 ||
	    ctjson_member(&data, "source", &src) != 1 ||
	    src.type != CTJSON_OBJECT ||
	    ctjson_member(&src, "url", &url) != 1 ||
	    url.type != CTJSON_STRING)
		return;
	uint64_t n = gaps_seen(t->gaps, url.p, url.len, index, &first);
	if (!n)
		return;
	t->missed += n;
	ct_warnx("%s: log %.*s: %llu entries missed while reconnecting "
		 "(cert_index %llu to %llu)",
		 t->where, (int)(url.len > 200 ? 200 : url.len), url.p,
		 (unsigned long long)n, (unsigned long long)first,
		 (unsigned long long)(index - 1));
}

static void on_message(void *ctx, const char *p, size_t n, int binary)
{
	struct tail *t = ctx;
	if (t->done)
		return;
	t->received++;
	t->delivered = 1;
	struct ctjson_val root, type;
	if (binary || ctjson_parse(p, n, &root) < 0 ||
	    root.type != CTJSON_OBJECT) {
		t->skipped++;
		ct_warnx("%s: message %llu: %s, skipped", t->where,
			 t->received,
			 binary ? "a binary message" : "not a JSON object");
		return;
	}
	int typed = ctjson_member(&root, "message_type", &type) == 1;
	if (typed && ctjson_eq(&type, "heartbeat") && !t->o.heartbeats)
		return;
	if (typed && ctjson_eq(&type, "certificate_update"))
		track(t, &root);
	/* One line: the newline a server may end a message with (Go's
	 * json.Encoder does) is the line's own; JSON allows CR and LF
	 * elsewhere only as white space between tokens, where a space
	 * means the same. */
	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	struct ctbuf *b = &t->out.buf;
	size_t at = b->len;
	ctbuf_add(b, p, n);
	for (char *c = b->p + at; c < b->p + b->len; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	ctbuf_addc(b, '\n');
	if (ctout_record_end(&t->out) < 0)
		out_failed(t);
	if (++t->written == t->o.count)
		t->done = 1;
}

/* Wait until deadline: 0, or -1 when a signal or --timeout ends the
 * run first. */
static int pause_until(struct tail *t, int64_t deadline)
{
	flush_out(t);
	for (;;) {
		int64_t now = ct_now_ms();
		if (ct_sig_stop)
			return -1;
		if (t->end >= 0 && now >= t->end) {
			t->timed_out = 1;
			return -1;
		}
		if (now >= deadline)
			return 0;
		int64_t until = t->end >= 0 && t->end < deadline ? t->end
								 : deadline;
		int64_t ms = until - now;
		poll(NULL, 0, ms > 1000000 ? 1000000 : (int)ms);
	}
}

enum { R_END = 1 }; /* the run is over: count, --timeout or a signal */

/* Read one open session until it ends. After a heartbeat interval of
 * silence a WebSocket server is pinged (certstream-server-go sends
 * nothing on an idle stream but a ping every 30 s; it answers ours);
 * after three, the connection is given up. */
static int stream(struct tail *t, struct session *s, struct ctconn *c,
		  char *err, size_t errlen)
{
	int64_t hb = (int64_t)t->o.heartbeat_ms, last = ct_now_ms();
	int pinged = 0;
	for (;;) {
		int got, r = session_input(s, &got, err, errlen);
		if (got) {
			last = ct_now_ms();
			pinged = 0;
		}
		if (r < 0)
			return r;
		if (t->done || ct_sig_stop)
			return R_END;
		if (t->end >= 0 && ct_now_ms() >= t->end) {
			t->timed_out = 1;
			return R_END;
		}
		flush_out(t);
		int64_t wd = last + 3 * hb, until = pinged ? wd : last + hb;
		if (t->end >= 0 && t->end < until)
			until = t->end;
		int w = ctconn_wait(c, until);
		if (w < 0)
			return R_END;
		/* silence, not time spent writing a busy stream out */
		int64_t now = ct_now_ms();
		if (w == 0 && now >= wd) {
			snprintf(err, errlen, "nothing received for %.1fs "
					      "(3 times --heartbeat)",
				 (double)(3 * hb) / 1000);
			return CTCONN_RETRY;
		}
		if (w == 0 && !pinged && now >= last + hb) {
			pinged = 1;
			if (session_ping(s, err, errlen) < 0)
				return CTCONN_RETRY;
		}
	}
}

/* One connection, from connect to its end. */
static int connection(struct tail *t, char *err, size_t errlen)
{
	int64_t deadline = ct_now_ms() + (int64_t)t->o.connect_ms;
	if (t->end >= 0 && t->end < deadline)
		deadline = t->end;
	struct ctconn *c;
	t->delivered = 0;
	int r = ctconn_open(t->url.host, t->url.port,
			    t->url.tls ? t->tls : NULL, deadline, &c, err, errlen);
	if (r < 0)
		return ct_sig_stop ? R_END : r;
	struct session *s = session_new(&t->cfg, c);
	gaps_reconnect(t->gaps);
	r = session_start(s, deadline, err, errlen);
	if (r == 0) {
		if (t->connections++)
			t->reconnects++;
		if (!t->o.quiet)
			ct_warnx("%s: connected", t->where);
		r = stream(t, s, c, err, errlen);
	} else if (ct_sig_stop) {
		r = R_END;
	}
	session_free(s);
	ctconn_close(c);
	return r;
}

static uint64_t jitter(uint64_t d)
{
	uint32_t x = 0;
	RAND_bytes((unsigned char *)&x, sizeof x);
	return d / 2 + (d / 2 ? x % (d / 2 + 1) : 0);
}

/* Connect, read, reconnect; returns the exit status. */
static int run(struct tail *t)
{
	uint64_t backoff = t->o.backoff_ms;
	uint64_t cap = backoff > BACKOFF_CAP_MS ? backoff : BACKOFF_CAP_MS;
	char err[512];
	for (;;) {
		int r = connection(t, err, sizeof err);
		if (t->end >= 0 && ct_now_ms() >= t->end)
			t->timed_out = 1;
		if (r == R_END || t->done || ct_sig_stop || t->timed_out)
			return CT_EXIT_OK;
		if (r == CTCONN_FATAL) {
			ct_warnx("%s: %s", t->where, err);
			return CT_EXIT_RUNTIME;
		}
		if (t->delivered)
			backoff = t->o.backoff_ms; /* it worked for a while */
		uint64_t wait = jitter(backoff);
		ct_warnx("%s: %s; reconnecting in %.*fs", t->where, err,
			 wait < 1000 ? 3 : 1, (double)wait / 1000);
		if (pause_until(t, ct_now_ms() + (int64_t)wait) < 0)
			return CT_EXIT_OK;
		backoff = backoff * 2 > cap ? cap : backoff * 2;
	}
}

static const char *const stream_name[3] = { "lite", "full", "domains" };
static const char *const ws_path[3] = { "/", "/full-stream",
					"/domains-only" };

/* The request target from the URL and --stream. */
static void set_target(struct tail *t)
{
	struct cturl *u = &t->url;
	int ws = u->scheme == CTURL_WS || u->scheme == CTURL_WSS;
	if (t->o.stream) {
		if (u->scheme == CTURL_TCP)
			ct_usage_error("--stream: a TCP port serves one "
				       "stream; choose it by the port");
		if (strcmp(u->target, "/"))
			ct_usage_error("--stream and a path in the URL: "
				       "give one or the other");
		int k = 0;
		while (strcmp(stream_name[k], t->o.stream))
			k++;
		if (ws)
			snprintf(u->target, sizeof u->target, "%s",
				 ws_path[k]);
		else
			snprintf(u->target, sizeof u->target,
				 "/sse?stream=%s", stream_name[k]);
	} else if (!ws && u->scheme != CTURL_TCP && !strcmp(u->target, "/")) {
		snprintf(u->target, sizeof u->target, "/sse");
	}
	static const char *const scheme[] = { "ws", "wss", "http", "https",
					      "tcp" };
	char hp[CTURL_HOST_MAX + 16];
	cturl_hostport(u, hp, sizeof hp);
	snprintf(t->where, sizeof t->where, "%s://%s%s", scheme[u->scheme],
		 hp, u->scheme == CTURL_TCP ? "" : u->target);
}

static void setup(struct tail *t, const char *arg)
{
	char err[256];
	if (cturl_parse(arg, &t->url, err, sizeof err) < 0)
		ct_usage_error("%s: %s", arg, err);
	set_target(t);
	if (t->o.token)
		snprintf(t->extra, sizeof t->extra,
			 "Authorization: Bearer %s\r\n", t->o.token);
	if (t->url.tls) {
		t->tls = ctconn_tls_context(t->o.cacert, err, sizeof err);
		if (!t->tls)
			ct_diex(CT_EXIT_RUNTIME, "%s", err);
	}
	t->cfg = (struct session_cfg){ &t->url, t->url.target, t->extra,
				       t->o.max, on_message, t };
	t->end = t->o.timeout_ms ? ct_now_ms() + (int64_t)t->o.timeout_ms : -1;
	t->gaps = gaps_new();
	ctout_init(&t->out, 1);
	t->out.unbuffered = t->o.unbuffered;
}

/* SIGPIPE stays blocked: a socket closed under a write must not end
 * us, only standard output (see out_failed). */
static void block_sigpipe(struct tail *t)
{
	struct sigaction cur;
	sigaction(SIGPIPE, NULL, &cur);
	t->pipe_default = cur.sa_handler == SIG_DFL;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

int main(int argc, char **argv)
{
	static struct tail t;
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, on_opt, &t.o);
	if (argc - i != 1)
		ct_usage_error(argc - i ? "one URL only" : "no URL");
	setup(&t, argv[i]);
	block_sigpipe(&t);
	ct_sig_setup(0, -1);
	int status = run(&t);
	flush_out(&t);
	if (close(1) < 0) {
		t.out.err = errno;
		out_failed(&t);
	}
	if (t.timed_out && t.o.count && t.written < t.o.count) {
		ct_warnx("%s: timed out with %llu of %llu messages", t.where,
			 t.written, t.o.count);
		status = CT_EXIT_RUNTIME;
	}
	if (t.reconnects && !t.o.quiet)
		ct_warnx("%s: reconnected %llu time%s, %llu entries missed "
			 "across the reconnections", t.where, t.reconnects,
			 t.reconnects == 1 ? "" : "s", t.missed);
	if (t.skipped)
		status = CT_EXIT_RUNTIME;
	ctout_free(&t.out);
	gaps_free(t.gaps);
	SSL_CTX_free(t.tls);
	return status;
}
