/* ct-serve: serve certificate records from stdin to many clients over
 * WebSocket, SSE and raw TCP, in the certstream format.
 *
 * One event loop (lib/evloop). Each input line (a full certificate record) is turned
 * into the lite and domains-only forms once, and each form is framed
 * once per protocol into a reference-counted buffer that every client of
 * that kind queues; nothing is derived for a stream nobody listens to.
 * A client's queue is bounded: past the limit it skips messages
 * (counted), and a client that makes no write progress for the write
 * timeout is disconnected, so a client that never reads costs at most
 * its queue limit and slows nobody. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "afile.h"
#include "b64.h"
#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "conf.h"
#include "diag.h"
#include "evloop.h"
#include "httpd.h"
#include "json.h"
#include "mem.h"
#include "net.h"
#include "polite.h"
#include "positions.h"
#include "sig.h"
#include "watch.h"
#include "ws.h"

enum stream { S_LITE, S_FULL, S_DOM, NSTREAM };
enum proto { P_WS, P_SSE, P_TCP, NPROTO };
enum cstate { C_HTTP, C_WS, C_SSE, C_TCP };
enum reason { R_CLIENT, R_SLOW, R_PROTOCOL, R_TIMEOUT, R_SHUTDOWN, NREASON };

static const char *const stream_name[NSTREAM] = { "lite", "full", "domains" };
static const char *const proto_name[NPROTO] = { "websocket", "sse", "tcp" };
static const char *const reason_name[NREASON] = {
	"client", "slow", "protocol", "timeout", "shutdown",
};

#define MAXTOKENS 256
#define MAXPROXIES 64
#define MAXTCP 3
#define QCAP 4096 /* messages a client may have queued */
#define CIN 8192  /* bytes of a request head or a client frame */
#define RESERVE 65536 /* past --queue, for messages that cannot be skipped */
#define POS_MAX CTPOS_FILE_MAX /* logs --positions keeps */

struct opts {
	const char *listen, *tcp[NSTREAM];
	const char *tokens[MAXTOKENS];
	size_t ntokens;
	const char *auth_header;
	uint64_t heartbeat_ms, queue_bytes, write_timeout_ms, max_clients;
	uint64_t max_per_ip, accept_rate;
	const char *proxies[MAXPROXIES];
	size_t nproxies;
	int exit_on_eof, wait_client;
	uint64_t backpressure, recent, recent_bytes, deflate;
	const char *fetch_stats;
	const char *positions;
	const char *tls_cert, *tls_key;
};

/* Strings a configuration owns (values read from its file). */
struct strs {
	char **v;
	size_t n;
};

/* An option given on the command line, replayed over the config file
 * at every load: flags win over the file. */
struct flag {
	int idx;
	const char *arg;
};

/* A ?domain= filter, shared by every client that asked for the same
 * list and evaluated once per message. */
struct filter {
	char *spec;
	struct ctwatch *w;
	unsigned refs;
	int hit;
	struct filter *next;
};

struct msg {
	unsigned refs;
	size_t len;
	char data[];
};

/* A connection. The small fields are bytes: an idle client costs its
 * struct, its socket and nothing else (no input buffer, no queue ring). */
struct client {
	struct ctev_io io; /* first: the loop's callback gets &c->io; its
			    * mask says whether we wait to write */
	struct client *prev, *next; /* in its (stream, proto) list, or in
				     * the list of clients still in HTTP; for
				     * a dead one, the next dead one */
	/* input not yet handled: a request head being read, or a partial
	 * client frame (CIN bytes when allocated; NULL when nothing is
	 * pending, which is the usual state of a streaming client) */
	char *in;
	size_t inlen;
	struct msg **q; /* ring of qcap (grows to QCAP, shrinks when empty) */
	size_t qcap, qhead, qn, qbytes, off;
	uint64_t drops, sent;
	int64_t since_ms, progress_ms;
	SSL *ssl;    /* on the TLS listener */
	struct filter *filter;
	char ip[INET6_ADDRSTRLEN];
	uint8_t st;	   /* enum cstate */
	uint8_t stream;	   /* enum stream */
	uint8_t proto;	   /* enum proto */
	uint8_t close_why; /* enum reason */
	uint8_t close_after;
	uint8_t frag;	 /* inside a fragmented client message */
	uint8_t deflate; /* permessage-deflate negotiated */
	uint8_t dead;	 /* dropped: freed after this round of events */
};

/* A recent certificate for /api/cert: its digests and full record. */
struct recent {
	uint8_t sha256[32], sha1[20];
	char *rec;
	size_t len, cap;
};

struct server {
	struct opts o;
	struct recent *recent;   /* a ring of o.recent; rec NULL: empty */
	size_t recent_next;      /* the oldest, replaced next */
	size_t recent_held;      /* bytes the ring's records take */
	struct ctev *ev;
	int sigpipe[2];
	struct ctev_io lio, tio[NSTREAM], sigio, inotio, stdinio;
	struct client *lists[NSTREAM][NPROTO], *http;
	struct client *dead; /* dropped this round, not yet freed */
	size_t nclients[NSTREAM][NPROTO], total, pending;
	struct ctbuf line, work, latest;
	int stdin_open;
	int reading;             /* input allowed (--wait-for-client) */
	int stdin_on;            /* watched, or read by stdin_timer */
	int stdin_file;          /* a regular file: read as we go */
	uint64_t stdin_timer;
	int unflushed;           /* queued since the last flush_all */
	int64_t last_msg_ms, eof_ms;
	uint64_t hb_timer, conf_timer, pos_timer;
	uint64_t msgs_in, msgs_skipped, msgs_out[NSTREAM], bytes_out, drops;
	uint64_t disconnects[NREASON], auth_rejected, rejected_full;
	uint64_t rejected_ip, rejected_rate, filtered;
	struct filter *filters;
	struct ctbucket accepts;  /* --accept-rate */
	int64_t started_ms;
	const char *config;      /* --config FILE, or NULL */
	struct strs conf_strs;   /* owned by the running configuration */
	struct strs fixed;       /* listen, tcp addresses and positions */
	struct flag *flags;
	size_t nflags;
	int inotify;
	uint64_t conf_seen;      /* hash of the file as last read */
	uint64_t reloads_ok, reloads_bad;
	z_stream z;              /* compresses each message alone */
	int z_ready;
	uint64_t deflated_in, deflated_out;
	struct ctpos *pos;       /* --positions: per log, the highest index */
	struct ctbuf pos_key;    /* scratch: a source.url unescaped */
	int pos_dirty, pos_failing;
	int64_t pos_saved_ms;
	uint64_t pos_saved, pos_errors, pos_untracked;
	SSL_CTX *tls;            /* new connections get this one */
	uint64_t tls_errors;
	char scratch[CIN];       /* where streaming clients' input is read */
};

/* ---- options ---------------------------------------------------------- */

enum opt_id {
	O_LISTEN,
	O_TCP,
	O_TCP_FULL,
	O_TCP_DOMAINS,
	O_TOKEN,
	O_AUTH_HEADER,
	O_HEARTBEAT,
	O_QUEUE,
	O_WRITE_TIMEOUT,
	O_MAX_CLIENTS,
	O_EXIT_ON_EOF,
	O_MAX_PER_IP,
	O_ACCEPT_RATE,
	O_TRUSTED_PROXY,
	O_FETCH_STATS,
	O_POSITIONS,
	O_WAIT_FOR_CLIENT,
	O_BACKPRESSURE,
	O_RECENT,
	O_RECENT_BYTES,
	O_CONFIG,
	O_DEFLATE,
	O_TLS_CERT,
	O_TLS_KEY,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_LISTEN] = { "listen", 'l', "ADDR", "HTTP/WebSocket/SSE address", "127.0.0.1:8080" },
	[O_TCP] = { "tcp", 0, "ADDR", "raw TCP address for the lite stream", NULL },
	[O_TCP_FULL] = { "tcp-full", 0, "ADDR", "raw TCP address for the full stream", NULL },
	[O_TCP_DOMAINS] = { "tcp-domains", 0, "ADDR", "raw TCP address for the domains stream", NULL },
	[O_TOKEN] = { "token", 't', "TOKEN", "accept this bearer token (repeatable); none: open", NULL },
	[O_AUTH_HEADER] = { "auth-header", 0, "NAME", "header carrying the token", "Authorization" },
	[O_HEARTBEAT] = { "heartbeat", 0, "DURATION", "heartbeat and ping interval when idle", "15s" },
	[O_QUEUE] = { "queue", 0, "BYTES", "per-client queue limit before skipping", "4194304" },
	[O_WRITE_TIMEOUT] = { "write-timeout", 0, "DURATION", "disconnect a client stuck this long", "30s" },
	[O_MAX_CLIENTS] = { "max-clients", 0, "N", "most clients at once", "10000" },
	[O_EXIT_ON_EOF] = { "exit-on-eof", 0, NULL, "exit when standard input ends (else keep serving)", NULL },
	[O_MAX_PER_IP] = { "max-per-ip", 0, "N", "most clients from one address (0: no limit)", "100" },
	[O_ACCEPT_RATE] = { "accept-rate", 0, "N", "new connections per second, bursts of N (0: no limit)", "0" },
	[O_TRUSTED_PROXY] = { "trusted-proxy", 0, "IP", "take the client address from X-Forwarded-For (repeatable)", NULL },
	[O_FETCH_STATS] = { "fetch-stats", 0, "FILE", "serve the per-log status file of ct-fetch at /api/logs", NULL },
	[O_POSITIONS] = { "positions", 0, "FILE", "keep each log's highest cert_index handed on in FILE", NULL },
	[O_WAIT_FOR_CLIENT] = { "wait-for-client", 0, NULL, "read no input until a first client subscribes", NULL },
	[O_BACKPRESSURE] = { "backpressure", 0, "BYTES", "stop reading while a client has more queued (0: drop instead)", "0" },
	[O_RECENT] = { "recent", 0, "N", "certificates kept for /api/cert/<sha256|sha1> (0: none)", "1000" },
	[O_RECENT_BYTES] = { "recent-bytes", 0, "BYTES", "most bytes those certificates may take", "16777216" },
	[O_CONFIG] = { "config", 'c', "FILE", "settings as key = value lines; reread on SIGHUP and on change", NULL },
	[O_DEFLATE] = { "deflate", 0, "LEVEL", "permessage-deflate level 1-9 for clients that offer it (0: off)", "1" },
	[O_TLS_CERT] = { "tls-cert", 0, "FILE", "serve HTTPS and WSS with this PEM certificate chain", NULL },
	[O_TLS_KEY] = { "tls-key", 0, "FILE", "its PEM private key (none: in the certificate file)", NULL },
};

static const struct ct_cli cli = {
	"[options] < certificate-records",
	"Serve certificate records from standard input over WebSocket (/,\n"
	"/full-stream, /domains-only), SSE (/sse?stream=) and raw TCP.",
	opt_table, O_NOPTS
};

/* The table's defaults, set through set_opt like any value; the base
 * under a config file's values and the flags at each (re)load. */
static struct opts defaults;

static int bad(char *err, size_t n, const char *fmt, const char *arg)
{
	snprintf(err, n, fmt, arg);
	return -1;
}

/* Set option idx (into opt_table) from arg, which must outlive o; arg
 * is NULL for a flag given on the command line. 0, or -1 with err. */
static int set_opt(struct opts *o, int idx, const char *arg, char *err,
		   size_t n)
{
	unsigned long long v = 0;
	switch ((enum opt_id)idx) {
	case O_LISTEN: o->listen = arg; break;
	case O_TCP: o->tcp[S_LITE] = arg; break;
	case O_TCP_FULL: o->tcp[S_FULL] = arg; break;
	case O_TCP_DOMAINS: o->tcp[S_DOM] = arg; break;
	case O_TOKEN:
		if (o->ntokens == MAXTOKENS)
			return bad(err, n, "more than %s tokens", "256");
		if (!*arg)
			return bad(err, n, "an empty token%s", "");
		o->tokens[o->ntokens++] = arg;
		break;
	case O_AUTH_HEADER:
		if (!*arg || strpbrk(arg, ": \t"))
			return bad(err, n, "'%s' is not a header name", arg);
		o->auth_header = arg;
		break;
	case O_HEARTBEAT: case O_WRITE_TIMEOUT: {
		if (ct_parse_duration_ms(arg, &v, err, n) < 0)
			return -1;
		if (v < 100)
			return bad(err, n, "'%s' is shorter than 100ms", arg);
		*(idx == O_HEARTBEAT ? &o->heartbeat_ms : &o->write_timeout_ms) = v;
		break;
	}
	case O_QUEUE:
		if (ct_parse_u64(arg, 65536, 1ULL << 34, &v, err, n) < 0)
			return -1;
		o->queue_bytes = v;
		break;
	case O_MAX_CLIENTS:
		if (ct_parse_u64(arg, 1, 1000000, &v, err, n) < 0)
			return -1;
		o->max_clients = v;
		break;
	case O_EXIT_ON_EOF: case O_WAIT_FOR_CLIENT: {
		int *f = idx == O_EXIT_ON_EOF ? &o->exit_on_eof : &o->wait_client;
		if (!arg || !strcmp(arg, "true") || !strcmp(arg, "yes") ||
		    !strcmp(arg, "on") || !strcmp(arg, "1"))
			*f = 1;
		else if (!strcmp(arg, "false") || !strcmp(arg, "no") ||
			 !strcmp(arg, "off") || !strcmp(arg, "0"))
			*f = 0;
		else
			return bad(err, n, "'%s' is not true or false", arg);
		break;
	}
	case O_MAX_PER_IP:
		if (ct_parse_u64(arg, 0, 1000000, &v, err, n) < 0)
			return -1;
		o->max_per_ip = v;
		break;
	case O_ACCEPT_RATE:
		if (ct_parse_u64(arg, 0, 1000000, &v, err, n) < 0)
			return -1;
		o->accept_rate = v;
		break;
	case O_TRUSTED_PROXY: {
		struct in6_addr a;
		if (o->nproxies == MAXPROXIES)
			return bad(err, n, "more than %s trusted proxies", "64");
		if (inet_pton(AF_INET, arg, &a) != 1 &&
		    inet_pton(AF_INET6, arg, &a) != 1)
			return bad(err, n, "'%s' is not an IP address", arg);
		o->proxies[o->nproxies++] = arg;
		break;
	}
	case O_FETCH_STATS: o->fetch_stats = arg; break;
	case O_POSITIONS:
		if (!*arg)
			return bad(err, n, "an empty file name%s", "");
		o->positions = arg;
		break;
	case O_BACKPRESSURE:
		if (ct_parse_u64(arg, 0, 1ULL << 34, &v, err, n) < 0)
			return -1;
		o->backpressure = v;
		break;
	case O_RECENT:
		if (ct_parse_u64(arg, 0, 1000000, &v, err, n) < 0)
			return -1;
		o->recent = v;
		break;
	case O_RECENT_BYTES:
		if (ct_parse_u64(arg, 65536, 1ULL << 34, &v, err, n) < 0)
			return -1;
		o->recent_bytes = v;
		break;
	case O_DEFLATE:
		if (ct_parse_u64(arg, 0, 9, &v, err, n) < 0)
			return -1;
		o->deflate = v;
		break;
	case O_TLS_CERT: o->tls_cert = arg; break;
	case O_TLS_KEY: o->tls_key = arg; break;
	case O_CONFIG: case O_NOPTS:
		return bad(err, n, "not a setting for a config file%s", "");
	}
	return 0;
}

static int on_opt(void *ctx, int idx, const char *arg)
{
	struct server *s = ctx;
	if (idx == O_CONFIG) {
		s->config = arg;
		return 0;
	}
	char err[256];
	if (arg && arg == opt_table[idx].def) { /* a default, not a flag */
		if (set_opt(&defaults, idx, arg, err, sizeof err) < 0)
			ct_diex(CT_EXIT_RUNTIME, "default --%s: %s",
				opt_table[idx].name, err);
		s->o = defaults;
		return 0;
	}
	if (set_opt(&s->o, idx, arg, err, sizeof err) < 0)
		ct_usage_error("--%s: %s", opt_table[idx].name, err);
	s->flags = ct_xrealloc(s->flags, (s->nflags + 1) * sizeof *s->flags);
	s->flags[s->nflags++] = (struct flag){ idx, arg };
	return 0;
}

static void strs_free(struct strs *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	*v = (struct strs){ 0 };
}

struct conf_ctx {
	struct opts *o;
	struct strs *owned;
};

static int conf_set(void *ctx, const char *key, const char *val,
		    unsigned line, char *err, size_t n)
{
	struct conf_ctx *cc = ctx;
	(void)line;
	for (size_t i = 0; i < O_NOPTS; i++) {
		if (strcmp(opt_table[i].name, key) || (int)i == O_CONFIG)
			continue;
		char *copy = ct_xstrdup(val);
		cc->owned->v = ct_xrealloc(cc->owned->v, (cc->owned->n + 1) *
							       sizeof(char *));
		cc->owned->v[cc->owned->n++] = copy;
		return set_opt(cc->o, (int)i, copy, err, n);
	}
	return bad(err, n, "no such setting (the settings are the long "
			   "options of ct-serve%s)", "");
}

/* The options from config text and the command line flags of s, over
 * the defaults: 0, or -1 with err. Strings from the text go to owned
 * (the caller frees them, also on error). */
static int conf_opts(const struct server *s, const char *text, size_t len,
		     struct opts *o, struct strs *owned, char *err, size_t n)
{
	*o = defaults;
	struct conf_ctx cc = { o, owned };
	if (text && ct_conf_parse(text, len, conf_set, &cc, err, n) < 0)
		return -1;
	/* flags win: a flag replaces the file's value (and for the
	 * repeatable ones, the file's list) */
	int cleared_tokens = 0, cleared_proxies = 0;
	for (size_t i = 0; i < s->nflags; i++) {
		const struct flag *f = &s->flags[i];
		if (f->idx == O_TOKEN && !cleared_tokens++)
			o->ntokens = 0;
		if (f->idx == O_TRUSTED_PROXY && !cleared_proxies++)
			o->nproxies = 0;
		char why[200];
		if (set_opt(o, f->idx, f->arg, why, sizeof why) < 0) {
			snprintf(err, n, "--%s: %s", opt_table[f->idx].name, why);
			return -1;
		}
	}
	return 0;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* A TLS context from the certificate and key files of o (read afresh:
 * a renewed certificate is picked up by a reload), or NULL with err. */
static SSL_CTX *tls_context(const struct opts *o, char *err, size_t n)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	const char *key = o->tls_key ? o->tls_key : o->tls_cert;
	const char *what = "TLS";
	if (!ctx)
		goto fail;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* idle connections give their buffers back; writes may be partial
	 * and resume from the queue's (stable) buffer */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS |
				      SSL_MODE_ENABLE_PARTIAL_WRITE |
				      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	what = o->tls_cert;
	if (SSL_CTX_use_certificate_chain_file(ctx, o->tls_cert) != 1)
		goto fail;
	what = key;
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		goto fail;
	return ctx;
fail:;
	unsigned long e = ERR_get_error();
	char why[256];
	ERR_error_string_n(e, why, sizeof why);
	ERR_clear_error();
	snprintf(err, n, "cannot load %s: %s", what, e ? why : "out of memory");
	SSL_CTX_free(ctx);
	return NULL;
}

/* Load (or reload) the configuration: the file under --config, then the
 * flags. At startup an error exits 2; later it is reported and the
 * running configuration stays. force: report a reload even when the file
 * has not changed (SIGHUP). Connections are never dropped: new limits
 * and tokens apply to what comes next. */
static void load_config(struct server *s, int startup, int force)
{
	struct ctbuf text = CTBUF_INIT;
	char err[400];
	struct opts o;
	struct strs owned = { 0 };
	const char *src = s->config ? s->config : "SIGHUP";
	if (s->config && ctafile_read(s->config, 1 << 20, &text) < 0) {
		if (startup)
			ct_usage_error("--config: cannot read %s: %s", s->config,
				       strerror(errno));
		ct_warn("cannot read %s; keeping the running configuration",
			s->config);
		s->reloads_bad++;
		ctbuf_free(&text);
		return;
	}
	uint64_t h = 1469598103934665603ULL; /* FNV-1a of what was read */
	for (size_t k = 0; k < text.len; k++)
		h = (h ^ (uint8_t)text.p[k]) * 1099511628211ULL;
	if (!startup && !force && h == s->conf_seen) {
		ctbuf_free(&text);
		return; /* seen (and reported) already: a sibling changed */
	}
	s->conf_seen = h;
	if (conf_opts(s, s->config ? text.p ? text.p : "" : NULL, text.len, &o,
		      &owned, err, sizeof err) < 0) {
bad:
		if (startup && s->config)
			ct_usage_error("%s: %s", s->config, err);
		if (startup)
			ct_usage_error("%s", err);
		ct_warnx("%s: %s; keeping the running configuration", src,
			 err);
		s->reloads_bad++;
		strs_free(&owned);
		ctbuf_free(&text);
		return;
	}
	SSL_CTX *tls = NULL;
	if (o.tls_key && !o.tls_cert) {
		snprintf(err, sizeof err, "tls-key without tls-cert");
		goto bad;
	}
	if (!startup && !o.tls_cert != !s->o.tls_cert) {
		ct_warnx("%s: TLS turned %s; it takes effect on restart",
			 src, o.tls_cert ? "on" : "off");
		o.tls_cert = s->o.tls_cert ? ct_xstrdup(s->o.tls_cert) : NULL;
		o.tls_key = s->o.tls_key ? ct_xstrdup(s->o.tls_key) : NULL;
		if (o.tls_cert) {
			owned.v = ct_xrealloc(owned.v, (owned.n + 2) * sizeof(char *));
			owned.v[owned.n++] = (char *)o.tls_cert;
			owned.v[owned.n++] = (char *)o.tls_key;
		}
	}
	if (o.tls_cert && !(tls = tls_context(&o, err, sizeof err)))
		goto bad;
	if (!startup) {
		/* what needs new sockets or memory waits for a restart */
		static const char *const later[] = { "listen", "tcp",
			"tcp-full", "tcp-domains", "recent", "wait-for-client",
			"positions" };
		int changed[7] = {
			!same_str(o.listen, s->o.listen),
			!same_str(o.tcp[0], s->o.tcp[0]),
			!same_str(o.tcp[1], s->o.tcp[1]),
			!same_str(o.tcp[2], s->o.tcp[2]),
			o.recent != s->o.recent,
			o.wait_client != s->o.wait_client,
			!same_str(o.positions, s->o.positions),
		};
		for (int k = 0; k < 7; k++)
			if (changed[k])
				ct_warnx("%s: %s changed; it takes effect on "
					 "restart", src, later[k]);
		o.listen = s->o.listen; /* copies made at startup */
		for (int st = 0; st < NSTREAM; st++)
			o.tcp[st] = s->o.tcp[st];
		o.recent = s->o.recent;
		o.wait_client = s->o.wait_client;
		o.positions = s->o.positions;
		/* the accept bucket must not exceed a lowered rate */
		s->accepts.rate = (double)o.accept_rate;
		if (s->accepts.tokens > s->accepts.rate)
			s->accepts.tokens = s->accepts.rate;
		s->reloads_ok++;
		ct_warnx("%s: reloaded (%zu token%s)", src, o.ntokens,
			 o.ntokens == 1 ? "" : "s");
	} else {
		/* the addresses outlive the file's strings: compared on
		 * every reload */
		struct strs *f = &s->fixed;
		f->v = ct_xcalloc(NSTREAM + 2, sizeof(char *));
		f->n = NSTREAM + 2;
		o.listen = f->v[0] = ct_xstrdup(o.listen);
		for (int st = 0; st < NSTREAM; st++)
			if (o.tcp[st])
				o.tcp[st] = f->v[1 + st] = ct_xstrdup(o.tcp[st]);
		if (o.positions)
			o.positions = f->v[NSTREAM + 1] =
				ct_xstrdup(o.positions);
	}
	if (s->tls)
		SSL_CTX_free(s->tls); /* its connections hold a reference */
	s->tls = tls;
	s->o = o;
	strs_free(&s->conf_strs);
	s->conf_strs = owned;
	ctbuf_free(&text);
}

/* Watch the directory of the config file: editors and tools replace it
 * by rename, and a symlink swap changes a sibling. */
static void watch_config(struct server *s)
{
	s->inotify = -1;
	if (!s->config)
		return;
	char dir[4096];
	const char *slash = strrchr(s->config, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == s->config)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - s->config),
			 s->config);
	s->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inotify < 0 ||
	    inotify_add_watch(s->inotify, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		ct_warn("cannot watch %s for changes (SIGHUP still reloads)",
			dir);
		if (s->inotify >= 0)
			close(s->inotify);
		s->inotify = -1;
	}
}

/* ---- sockets ------------------------------------------------------------ */

static int listen_on(const char *spec)
{
	struct ctnet_addr a;
	char err[600];
	if (ctnet_parse(spec, &a, err, sizeof err) < 0)
		ct_usage_error("%s", err);
	int fd = ctnet_listen(&a, 1024);
	if (fd < 0)
		ct_die(CT_EXIT_RUNTIME, "cannot listen on %s", spec);
	ct_warnx("listening on %s:%u", a.host, ctnet_port(fd));
	return fd;
}

/* ---- messages and queues ------------------------------------------------ */

static struct msg *msg_new(const void *p, size_t n)
{
	struct msg *m = ct_xmalloc(sizeof *m + n);
	m->refs = 0;
	m->len = n;
	memcpy(m->data, p, n);
	return m;
}

static void msg_unref(struct msg *m)
{
	if (--m->refs == 0)
		free(m);
}

static void set_out(struct server *s, struct client *c, int want)
{
	ctev_set(s->ev, &c->io, CTEV_READ | (want ? CTEV_WRITE : 0));
}

static int waits_out(const struct client *c)
{
	return c->io.mask & CTEV_WRITE;
}

static void list_del(struct server *s, struct client *c)
{
	struct client **head = c->st == C_HTTP ? &s->http
					       : &s->lists[c->stream][c->proto];
	if (c->prev)
		c->prev->next = c->next;
	else
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->st == C_HTTP)
		s->pending--;
	else
		s->nclients[c->stream][c->proto]--;
}

static void drop_client(struct server *s, struct client *c, enum reason why)
{
	list_del(s, c);
	ctev_del(s->ev, &c->io);
	if (c->ssl) {
		if (SSL_is_init_finished(c->ssl))
			SSL_shutdown(c->ssl); /* close_notify, if it fits */
		SSL_free(c->ssl);
		ERR_clear_error();
	}
	close(c->io.fd);
	for (size_t i = 0; i < c->qn; i++)
		msg_unref(c->q[(c->qhead + i) % c->qcap]);
	free(c->q);
	if (c->in != s->scratch)
		free(c->in);
	if (c->filter && --c->filter->refs == 0) {
		struct filter **pp = &s->filters;
		while (*pp != c->filter)
			pp = &(*pp)->next;
		*pp = c->filter->next;
		ctwatch_free(c->filter->w);
		free(c->filter->spec);
		free(c->filter);
	}
	s->disconnects[why]++;
	s->total--;
	/* the caller (and its callers) may still look at it: it is freed
	 * when the round is over (bury) */
	c->dead = 1;
	c->next = s->dead;
	s->dead = c;
}

/* Write queued bytes of a TLS client: one SSL_write per message (a
 * partial write resumes from the same buffer). */
static ssize_t tls_write(struct server *s, struct client *c)
{
	struct msg *m = c->q[c->qhead];
	int n = (int)(m->len - c->off);
	ERR_clear_error();
	int w = SSL_write(c->ssl, m->data + c->off, n);
	if (w > 0)
		return w;
	int e = SSL_get_error(c->ssl, w);
	if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
		errno = EAGAIN;
		return -1;
	}
	s->tls_errors += e == SSL_ERROR_SSL;
	ERR_clear_error();
	errno = EPIPE;
	return -1;
}

static void bury(struct server *s)
{
	while (s->dead) {
		struct client *c = s->dead;
		s->dead = c->next;
		free(c);
	}
}

/* Write what the queue holds; returns -1 if the client was dropped. */
static int flush_client(struct server *s, struct client *c)
{
	while (c->qn) {
		struct iovec iov[64];
		int n = 0;
		for (size_t i = 0; i < c->qn && n < 64; i++) {
			struct msg *m = c->q[(c->qhead + i) % c->qcap];
			size_t skip = i ? 0 : c->off;
			iov[n].iov_base = m->data + skip;
			iov[n++].iov_len = m->len - skip;
		}
		ssize_t w = c->ssl ? tls_write(s, c) : writev(c->io.fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			set_out(s, c, 1);
			return 0;
		}
		if (w <= 0) {
			drop_client(s, c, R_CLIENT);
			return -1;
		}
		c->progress_ms = ct_now_ms();
		s->bytes_out += (uint64_t)w;
		size_t left = (size_t)w;
		while (left) {
			struct msg *m = c->q[c->qhead];
			size_t rest = m->len - c->off;
			if (left < rest) {
				c->off += left;
				break;
			}
			left -= rest;
			c->off = 0;
			c->qbytes -= m->len;
			c->qhead = (c->qhead + 1) % c->qcap;
			c->qn--;
			msg_unref(m);
		}
	}
	if (c->qcap > 8) { /* a burst is over: give its ring back */
		free(c->q);
		c->q = NULL;
		c->qcap = c->qhead = 0;
	}
	set_out(s, c, 0);
	if (c->close_after) {
		/* bytes a client sent after its request (pipelined requests,
		 * not served) would turn the close into a reset that may
		 * cost it the response: read what is there first */
		for (int k = 0; k < 8 && c->st == C_HTTP && !c->ssl; k++)
			if (read(c->io.fd, s->scratch, CIN) <= 0)
				break;
		drop_client(s, c, c->close_why);
		return -1;
	}
	return 0;
}

/* Queue m for c. A data message (or a heartbeat, ping or keepalive)
 * that would take the queue past its limit (--queue bytes or QCAP
 * messages) is skipped and counted. A forced one (a pong, a close frame,
 * an HTTP response, the 101 or SSE header) must not be skipped: it goes
 * in when the queue is empty, or when it stays under QCAP messages and
 * RESERVE bytes past the limit; otherwise the client, which cannot be
 * answered any more, is dropped and -1 returned. A message that is not
 * queued and that nobody else holds (refs 0) is freed. */
static int enqueue(struct server *s, struct client *c, struct msg *m,
		   int force)
{
	size_t limit = s->o.queue_bytes + (force ? RESERVE : 0);
	int room = c->qn == 0 ? force || m->len <= s->o.queue_bytes
			      : c->qn < QCAP && c->qbytes + m->len <= limit;
	if (!room) {
		if (m->refs == 0)
			free(m);
		if (force) {
			drop_client(s, c, R_SLOW);
			return -1;
		}
		c->drops++;
		s->drops++;
		return 0;
	}
	if (c->qn == 0)
		c->progress_ms = ct_now_ms();
	if (c->qn == c->qcap) {
		size_t cap = c->qcap ? c->qcap * 2 : 8;
		struct msg **q = ct_xmalloc(cap * sizeof *q);
		for (size_t i = 0; i < c->qn; i++)
			q[i] = c->q[(c->qhead + i) % c->qcap];
		free(c->q);
		c->q = q;
		c->qcap = cap;
		c->qhead = 0;
	}
	m->refs++;
	c->q[(c->qhead + c->qn++) % c->qcap] = m;
	c->qbytes += m->len;
	c->sent++;
	return 0;
}

/* ---- the three forms of a message --------------------------------------- */

/* The member name of object obj as a span [*a, *b) including one
 * adjacent comma, so cutting it leaves valid JSON. */
static int member_span(const struct ctjson_val *obj, const char *name,
		       const char **a, const char **b)
{
	struct ctjson_iter it;
	struct ctjson_val k, v;
	ctjson_iter_init(&it, obj);
	int first = 1;
	while (ctjson_next(&it, &k, &v) > 0) {
		if (!ctjson_eq(&k, name)) {
			first = 0;
			continue;
		}
		const char *ks = k.p - 1;
		const char *ve = v.p + v.len + (v.type == CTJSON_STRING);
		if (!first) {
			const char *p = ks;
			while (*--p != ',')
				;
			*a = p;
			*b = ve;
		} else {
			const char *p = ve;
			while (p < obj->p + obj->len && *p != ',' && *p != '}')
				p++;
			*a = ks;
			*b = *p == ',' ? p + 1 : ve;
		}
		return 1;
	}
	return 0;
}

/* A record parsed once: its root and the objects the forms are cut from. */
struct rec {
	const char *line;
	size_t len;
	struct ctjson_val root, data, leaf;
};

static int rec_parse(struct rec *r, const char *line, size_t len)
{
	r->line = line;
	r->len = len;
	return ctjson_parse(line, len, &r->root) < 0 ||
			       r->root.type != CTJSON_OBJECT ||
			       ctjson_member(&r->root, "data", &r->data) != 1 ||
			       r->data.type != CTJSON_OBJECT ||
			       ctjson_member(&r->data, "leaf_cert", &r->leaf) != 1 ||
			       r->leaf.type != CTJSON_OBJECT
		       ? -1
		       : 0;
}

/* The lite or domains-only payload of a record into out (the full form
 * is the line itself); -1 if the record lacks what it needs. */
static int derive(const struct rec *r, enum stream st, struct ctbuf *out)
{
	const char *line = r->line;
	size_t len = r->len;
	struct ctjson_val doms;
	const struct ctjson_val *data = &r->data, *leaf = &r->leaf;
	ctbuf_reset(out);
	if (st == S_DOM) {
		if (ctjson_member(leaf, "all_domains", &doms) != 1 ||
		    doms.type != CTJSON_ARRAY)
			return -1;
		CTBUF_LIT(out, "{\"message_type\":\"dns_entries\",\"data\":");
		ctbuf_add(out, doms.p, doms.len);
		ctbuf_addc(out, '}');
		return 0;
	}
	const char *cut[2][2];
	int n = 0;
	if (member_span(leaf, "as_der", &cut[n][0], &cut[n][1]))
		n++;
	if (member_span(data, "chain", &cut[n][0], &cut[n][1]))
		n++;
	if (n == 2 && cut[1][0] < cut[0][0]) {
		const char *t0 = cut[0][0], *t1 = cut[0][1];
		cut[0][0] = cut[1][0];
		cut[0][1] = cut[1][1];
		cut[1][0] = t0;
		cut[1][1] = t1;
	}
	const char *p = line;
	for (int i = 0; i < n; i++) {
		ctbuf_add(out, p, (size_t)(cut[i][0] - p));
		p = cut[i][1];
	}
	ctbuf_add(out, p, (size_t)(line + len - p));
	return 0;
}

/* How many bytes c there are in p[0..n). */
static size_t count_byte(const char *p, size_t n, char c)
{
	size_t k = 0;
	const char *q = memchr(p, c, n);
	while (q) {
		k++;
		q = memchr(q + 1, c, (size_t)(p + n - q - 1));
	}
	return k;
}

/* SSE: one data: line per line of the payload. A record is one input
 * line, but a CR may stand between its JSON tokens (white space; the
 * reader refuses one inside a string), and SSE ends a line at a CR: each
 * such break starts a new data: line instead, which the client joins
 * with LF, a JSON text equal to the record. A payload without breaks,
 * every normal record, goes as the same bytes as on WebSocket and TCP. */
static size_t sse_data(char *out, const char *pay, size_t n)
{
	size_t h = 0;
	memcpy(out, "data: ", 6);
	h = 6;
	for (size_t i = 0; i < n; i++) {
		if (pay[i] == '\r' || pay[i] == '\n') {
			memcpy(out + h, "\ndata: ", 7);
			h += 7;
		} else {
			out[h++] = pay[i];
		}
	}
	memcpy(out + h, "\n\n", 2);
	return h + 2;
}

static struct msg *frame(enum proto p, const char *pay, size_t n)
{
	size_t nb = p == P_SSE ? count_byte(pay, n, '\r') +
					 count_byte(pay, n, '\n')
			       : 0;
	struct msg *m = ct_xmalloc(sizeof *m + n + 16 + nb * 6);
	m->refs = 0;
	size_t h = 0;
	if (p == P_SSE && nb) {
		m->len = sse_data(m->data, pay, n);
		return m;
	}
	if (p == P_WS) {
		h = ctws_head((uint8_t *)m->data, CTWS_TEXT, n);
	} else if (p == P_SSE) {
		memcpy(m->data, "data: ", 6);
		h = 6;
	}
	memcpy(m->data + h, pay, n);
	h += n;
	if (p == P_SSE) {
		memcpy(m->data + h, "\n\n", 2);
		h += 2;
	} else if (p == P_TCP) {
		m->data[h++] = '\n';
	}
	m->len = h;
	return m;
}

/* A compressed WebSocket text frame (RFC 7692): the message deflated
 * alone (no context taken over, so one frame serves every client that
 * negotiated it), the final empty block's 00 00 ff ff removed, RSV1 set. */
static struct msg *frame_deflate(struct server *s, const char *pay, size_t n)
{
	if (!s->z_ready) {
		if (deflateInit2(&s->z, (int)s->o.deflate, Z_DEFLATED, -15, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			ct_diex(CT_EXIT_RUNTIME, "zlib: out of memory");
		s->z_ready = (int)s->o.deflate;
	} else if (s->z_ready != (int)s->o.deflate) {
		deflateParams(&s->z, (int)s->o.deflate, Z_DEFAULT_STRATEGY);
		s->z_ready = (int)s->o.deflate;
	}
	deflateReset(&s->z);
	size_t cap = deflateBound(&s->z, (uLong)n) + 16;
	struct msg *m = ct_xmalloc(sizeof *m + cap + 10);
	m->refs = 0;
	uint8_t *out = (uint8_t *)m->data + 10; /* room for the head */
	s->z.next_in = (Bytef *)(uintptr_t)pay;
	s->z.avail_in = (uInt)n;
	s->z.next_out = out;
	s->z.avail_out = (uInt)cap;
	int r = deflate(&s->z, Z_SYNC_FLUSH);
	size_t zl = cap - s->z.avail_out;
	if (r != Z_OK || s->z.avail_in || zl < 4 ||
	    memcmp(out + zl - 4, "\0\0\xff\xff", 4))
		ct_diex(CT_EXIT_RUNTIME, "zlib: deflate failed");
	zl -= 4;
	uint8_t hd[10];
	size_t h = ctws_head(hd, CTWS_TEXT, zl);
	hd[0] |= 0x40; /* RSV1: compressed */
	memcpy(out - h, hd, h);
	memmove(m->data, out - h, h + zl);
	m->len = h + zl;
	s->deflated_in += n;
	s->deflated_out += zl;
	return m;
}

/* Frame a payload once per protocol and queue it for every client.
 * Queues are written by flush_all before the loop sleeps: one writev
 * per client for many messages. */
static void broadcast(struct server *s, enum stream st, const char *pay,
		      size_t n, int force, int filtered)
{
	for (int p = 0; p < NPROTO; p++) {
		if (!s->lists[st][p])
			continue;
		/* framed once per kind, and only for a kind someone gets */
		struct msg *m = NULL, *mz = NULL;
		struct client *next;
		for (struct client *c = s->lists[st][p]; c; c = next) {
			next = c->next; /* c may be dropped */
			if (filtered && c->filter && !c->filter->hit) {
				s->filtered++;
				continue;
			}
			struct msg **slot = c->deflate ? &mz : &m;
			if (!*slot) {
				*slot = c->deflate ? frame_deflate(s, pay, n)
						   : frame((enum proto)p, pay, n);
				(*slot)->refs = 1; /* ours while we queue it */
			}
			enqueue(s, c, *slot, force);
		}
		if (m)
			msg_unref(m);
		if (mz)
			msg_unref(mz);
	}
	s->msgs_out[st]++;
	s->unflushed = 1;
}

/* Evaluate every filter once for this record. */
static void run_filters(struct server *s, const struct rec *r)
{
	if (!s->filters)
		return;
	struct ctjson_val doms, key, el;
	int have = ctjson_member(&r->leaf, "all_domains", &doms) == 1 &&
		   doms.type == CTJSON_ARRAY;
	struct ctbuf tmp = CTBUF_INIT;
	for (struct filter *f = s->filters; f; f = f->next) {
		f->hit = 0;
		if (!have)
			continue;
		struct ctjson_iter it;
		ctjson_iter_init(&it, &doms);
		while (!f->hit && ctjson_next(&it, &key, &el) > 0) {
			if (el.type != CTJSON_STRING)
				continue;
			ctbuf_reset(&tmp);
			ctjson_unescape(&el, &tmp);
			f->hit = ctwatch_match(f->w, tmp.p ? tmp.p : "", tmp.len) >= 0;
		}
	}
	ctbuf_free(&tmp);
}

static void flush_all(struct server *s)
{
	for (int st = 0; st < NSTREAM; st++)
		for (int p = 0; p < NPROTO; p++) {
			struct client *c = s->lists[st][p], *next;
			for (; c; c = next) {
				next = c->next;
				if (c->qn && !waits_out(c))
					flush_client(s, c);
			}
		}
}

/* Keep the record in the ring of recent certificates, within
 * --recent records and --recent-bytes bytes: the oldest leave first. A
 * record without both digests, or larger than the byte budget, is not
 * kept and leaves the ring as it was. */
static void remember(struct server *s, const struct rec *rc)
{
	struct ctjson_val h256, h1;
	uint8_t d256[32], d1[20];
	size_t len = rc->len, budget = (size_t)s->o.recent_bytes;
	if (!s->o.recent || len > budget ||
	    ctjson_member(&rc->leaf, "sha256", &h256) != 1 ||
	    ctjson_member(&rc->leaf, "sha1", &h1) != 1 ||
	    h256.type != CTJSON_STRING || h1.type != CTJSON_STRING ||
	    cthex_decode_sep(h256.p, h256.len, ':', d256, 32) < 0 ||
	    cthex_decode_sep(h1.p, h1.len, ':', d1, 20) < 0)
		return;
	struct recent *r = &s->recent[s->recent_next];
	s->recent_held -= r->cap;
	if (len > r->cap) { /* the slot's buffer is reused when it fits */
		free(r->rec);
		r->cap = len + len / 4 <= budget ? len + len / 4 : len;
		r->rec = ct_xmalloc(r->cap);
	}
	memcpy(r->rec, rc->line, len);
	r->len = len;
	memcpy(r->sha256, d256, sizeof d256);
	memcpy(r->sha1, d1, sizeof d1);
	s->recent_held += r->cap;
	s->recent_next = (s->recent_next + 1) % s->o.recent;
	for (size_t k = 0; s->recent_held > budget; k++) {
		size_t at = (s->recent_next + k) % s->o.recent;
		struct recent *old = &s->recent[at];
		if (old == r)
			break;
		s->recent_held -= old->cap;
		free(old->rec);
		old->rec = NULL;
		old->cap = old->len = 0;
	}
}

/* ---- positions (--positions) -------------------------------------------- */

/* Start from the file a previous run left, so positions only grow. A
 * file that is not one is reported and replaced by the next save. */
static void positions_open(struct server *s)
{
	s->pos = ctpos_new(POS_MAX);
	struct ctbuf b = CTBUF_INIT;
	const char *why;
	if (ctafile_read(s->o.positions, 64 << 20, &b) < 0) {
		if (errno != ENOENT)
			ct_warn("%s: cannot read it; starting empty",
				s->o.positions);
	} else if (ctpos_load(s->pos, b.p ? b.p : "", b.len, &why) < 0) {
		ct_warnx("%s: %s; starting empty", s->o.positions, why);
		ctpos_free(s->pos);
		s->pos = ctpos_new(POS_MAX);
	}
	ctbuf_free(&b);
}

static int positions_save(struct server *s);

/* Save the positions a second after the last save at the most; again in
 * a second while saving fails. */
static int64_t on_positions(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	(void)ev;
	if (s->pos_dirty && positions_save(s) < 0)
		return 1000;
	s->pos_timer = 0;
	return CTEV_NOMORE;
}

/* The record's data.cert_index for its data.source.url. */
static void positions_note(struct server *s, const struct rec *r)
{
	static const char *const names[] = { "cert_index", "source" };
	struct ctjson_val v[2], url;
	uint64_t index;
	if (ctjson_fields(r->data.p, r->data.len, names, 2, v) < 0 ||
	    ctjson_u64(&v[0], &index) < 0 || v[1].type != CTJSON_OBJECT ||
	    ctjson_member(&v[1], "url", &url) != 1 ||
	    url.type != CTJSON_STRING)
		return;
	const char *key = url.p;
	size_t klen = url.len;
	if (url.escaped) {
		ctbuf_reset(&s->pos_key);
		if (ctjson_unescape(&url, &s->pos_key) < 0)
			return;
		key = s->pos_key.p;
		klen = s->pos_key.len;
	}
	int got = ctpos_note(s->pos, key ? key : "", klen, index);
	if (got < 0 && s->pos_untracked++ == 0)
		ct_warnx("%s: more than %d logs (or a URL over %d bytes): "
			 "the others are not kept", s->o.positions, POS_MAX,
			 CTPOS_MAXKEY);
	s->pos_dirty |= got > 0;
	if (s->pos_dirty && !s->pos_timer) {
		/* at most one write a second */
		int64_t wait = s->pos_saved_ms + 1000 - ct_now_ms();
		s->pos_timer = ctev_timer_add(s->ev, wait, on_positions, s);
	}
}

/* Write the file now (atomically); -1 if it could not be. */
static int positions_save(struct server *s)
{
	struct ctbuf b = CTBUF_INIT;
	ctpos_save(s->pos, &b);
	int r = ctafile_write(s->o.positions, b.p, b.len);
	ctbuf_free(&b);
	s->pos_saved_ms = ct_now_ms();
	if (r < 0) {
		s->pos_errors++;
		if (!s->pos_failing++) /* once, until it works again */
			ct_warn("%s: cannot write the positions",
				s->o.positions);
		return -1;
	}
	s->pos_saved++;
	s->pos_failing = 0;
	s->pos_dirty = 0;
	return 0;
}

static void one_record(struct server *s, const char *line, size_t len)
{
	s->msgs_in++;
	struct rec r;
	if (rec_parse(&r, line, len) < 0) {
		s->msgs_skipped++;
		return;
	}
	/* example.json shows the latest certificate record, listened or not */
	ctbuf_reset(&s->latest);
	ctbuf_add(&s->latest, line, len);
	remember(s, &r);
	s->last_msg_ms = ct_now_ms();
	run_filters(s, &r);
	for (int st = 0; st < NSTREAM; st++) {
		size_t listeners = 0;
		for (int p = 0; p < NPROTO; p++)
			listeners += s->nclients[st][p];
		if (!listeners)
			continue; /* nobody listens: no work */
		if (st == S_FULL)
			broadcast(s, S_FULL, line, len, 0, 1);
		else if (derive(&r, (enum stream)st, &s->work) == 0)
			broadcast(s, (enum stream)st, s->work.p, s->work.len, 0, 1);
	}
	if (s->pos)
		positions_note(s, &r);
}

static void heartbeat(struct server *s)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	struct ctbuf b = CTBUF_INIT;
	CTBUF_LIT(&b, "{\"message_type\":\"heartbeat\",\"timestamp\":");
	ctjson_seconds(&b, t.tv_sec, t.tv_nsec);
	ctbuf_addc(&b, '}');
	/* none of them is needed by a client whose queue is full: skipped
	 * like data then, not forced */
	for (int st = 0; st < NSTREAM; st++)
		broadcast(s, (enum stream)st, b.p, b.len, 0, 0);
	ctbuf_free(&b);
	/* SSE keepalive comment and WebSocket ping */
	static const char ping[2] = { (char)0x89, 0 };
	static const char keep[] = ": keepalive\n\n";
	for (int st = 0; st < NSTREAM; st++) {
		struct msg *pm = msg_new(ping, 2), *km = msg_new(keep, sizeof keep - 1);
		pm->refs = km->refs = 1;
		struct client *c, *next;
		for (c = s->lists[st][P_WS]; c; c = next) {
			next = c->next;
			enqueue(s, c, pm, 0);
		}
		for (c = s->lists[st][P_SSE]; c; c = next) {
			next = c->next;
			enqueue(s, c, km, 0);
		}
		msg_unref(pm);
		msg_unref(km);
	}
	s->unflushed = 1;
}

/* ---- HTTP ------------------------------------------------------------- */

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
	if (enqueue(s, c, m, 1) == 0)
		flush_client(s, c);
}

static void text(struct server *s, struct client *c, const char *status,
		 const char *body)
{
	respond(s, c, status, "text/plain; charset=utf-8", body, strlen(body),
		NULL);
}

static size_t nfilters(const struct server *s)
{
	size_t n = 0;
	for (const struct filter *f = s->filters; f; f = f->next)
		n++;
	return n;
}

static void metrics(struct server *s, struct client *c)
{
	struct ctbuf b = CTBUF_INIT;
	CTBUF_LIT(&b, "# TYPE ctserve_connections gauge\n");
	for (int st = 0; st < NSTREAM; st++)
		for (int p = 0; p < NPROTO; p++)
			ctbuf_printf(&b, "ctserve_connections{stream=\"%s\","
					 "protocol=\"%s\"} %zu\n",
				     stream_name[st], proto_name[p],
				     s->nclients[st][p]);
	ctbuf_printf(&b, "# TYPE ctserve_messages_in_total counter\n"
			 "ctserve_messages_in_total %llu\n"
			 "# TYPE ctserve_messages_skipped_total counter\n"
			 "ctserve_messages_skipped_total %llu\n"
			 "# TYPE ctserve_messages_out_total counter\n",
		     (unsigned long long)s->msgs_in,
		     (unsigned long long)s->msgs_skipped);
	for (int st = 0; st < NSTREAM; st++)
		ctbuf_printf(&b, "ctserve_messages_out_total{stream=\"%s\"} %llu\n",
			     stream_name[st], (unsigned long long)s->msgs_out[st]);
	ctbuf_printf(&b, "# TYPE ctserve_bytes_out_total counter\n"
			 "ctserve_bytes_out_total %llu\n"
			 "# TYPE ctserve_dropped_messages_total counter\n"
			 "ctserve_dropped_messages_total %llu\n"
			 "# TYPE ctserve_auth_rejections_total counter\n"
			 "ctserve_auth_rejections_total %llu\n"
			 "# TYPE ctserve_limit_rejections_total counter\n"
			 "ctserve_limit_rejections_total{limit=\"per_ip\"} %llu\n"
			 "ctserve_limit_rejections_total{limit=\"accept_rate\"} %llu\n"
			 "ctserve_limit_rejections_total{limit=\"max_clients\"} %llu\n"
			 "# TYPE ctserve_filtered_total counter\n"
			 "ctserve_filtered_total %llu\n"
			 "# TYPE ctserve_filters gauge\n"
			 "ctserve_filters %zu\n"
			 "# TYPE ctserve_disconnects_total counter\n",
		     (unsigned long long)s->bytes_out,
		     (unsigned long long)s->drops,
		     (unsigned long long)s->auth_rejected,
		     (unsigned long long)s->rejected_ip,
		     (unsigned long long)s->rejected_rate,
		     (unsigned long long)s->rejected_full,
		     (unsigned long long)s->filtered, nfilters(s));
	for (int r = 0; r < NREASON; r++)
		ctbuf_printf(&b, "ctserve_disconnects_total{reason=\"%s\"} %llu\n",
			     reason_name[r], (unsigned long long)s->disconnects[r]);
	size_t dc = 0;
	for (int st = 0; st < NSTREAM; st++)
		for (struct client *k = s->lists[st][P_WS]; k; k = k->next)
			dc += k->deflate != 0;
	ctbuf_printf(&b, "# TYPE ctserve_deflate_connections gauge\n"
			 "ctserve_deflate_connections %zu\n"
			 "# TYPE ctserve_deflate_bytes_in_total counter\n"
			 "ctserve_deflate_bytes_in_total %llu\n"
			 "# TYPE ctserve_deflate_bytes_out_total counter\n"
			 "ctserve_deflate_bytes_out_total %llu\n",
		     dc, (unsigned long long)s->deflated_in,
		     (unsigned long long)s->deflated_out);
	ctbuf_printf(&b, "# TYPE ctserve_tls_errors_total counter\n"
			 "ctserve_tls_errors_total %llu\n",
		     (unsigned long long)s->tls_errors);
	size_t kept = 0;
	for (size_t k = 0; k < s->o.recent; k++)
		kept += s->recent[k].rec != NULL;
	ctbuf_printf(&b, "# TYPE ctserve_recent_certificates gauge\n"
			 "ctserve_recent_certificates %zu\n"
			 "# TYPE ctserve_recent_bytes gauge\n"
			 "ctserve_recent_bytes %zu\n",
		     kept, s->recent_held);
	if (s->pos)
		ctbuf_printf(&b, "# TYPE ctserve_positions_logs gauge\n"
				 "ctserve_positions_logs %zu\n"
				 "# TYPE ctserve_positions_untracked_total counter\n"
				 "ctserve_positions_untracked_total %llu\n"
				 "# TYPE ctserve_positions_writes_total counter\n"
				 "ctserve_positions_writes_total{result=\"ok\"} %llu\n"
				 "ctserve_positions_writes_total{result=\"error\"} %llu\n",
			     ctpos_count(s->pos),
			     (unsigned long long)s->pos_untracked,
			     (unsigned long long)s->pos_saved,
			     (unsigned long long)s->pos_errors);
	ctbuf_printf(&b, "# TYPE ctserve_config_reloads_total counter\n"
			 "ctserve_config_reloads_total{result=\"ok\"} %llu\n"
			 "ctserve_config_reloads_total{result=\"error\"} %llu\n",
		     (unsigned long long)s->reloads_ok,
		     (unsigned long long)s->reloads_bad);
	respond(s, c, "200 OK", "text/plain; version=0.0.4", b.p, b.len, NULL);
	ctbuf_free(&b);
}

static void stats(struct server *s, struct client *c, int health)
{
	struct ctbuf b = CTBUF_INIT;
	size_t ws = 0, sse = 0, tcp = 0;
	for (int st = 0; st < NSTREAM; st++) {
		ws += s->nclients[st][P_WS];
		sse += s->nclients[st][P_SSE];
		tcp += s->nclients[st][P_TCP];
	}
	if (health)
		ctbuf_printf(&b, "{\"status\":\"ok\",\"input_open\":%s,"
				 "\"clients\":%zu}",
			     s->stdin_open ? "true" : "false", ws + sse + tcp);
	else
		ctbuf_printf(&b, "{\"uptime_s\":%lld,\"clients\":{\"websocket\":%zu,"
				 "\"sse\":%zu,\"tcp\":%zu},\"messages_in\":%llu,"
				 "\"messages_skipped\":%llu,\"dropped\":%llu,"
				 "\"bytes_out\":%llu}",
			     (long long)((ct_now_ms() - s->started_ms) / 1000), ws,
			     sse, tcp, (unsigned long long)s->msgs_in,
			     (unsigned long long)s->msgs_skipped,
			     (unsigned long long)s->drops,
			     (unsigned long long)s->bytes_out);
	respond(s, c, "200 OK", "application/json", b.p, b.len, NULL);
	ctbuf_free(&b);
}

static int authorized(struct server *s, const struct cthttp_req *r)
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

static void join(struct server *s, struct client *c, enum cstate st,
		 enum stream stream, enum proto proto)
{
	list_del(s, c); /* from the HTTP list */
	c->st = st;
	c->stream = stream;
	c->proto = proto;
	c->prev = NULL;
	c->next = s->lists[stream][proto];
	if (c->next)
		c->next->prev = c;
	s->lists[stream][proto] = c;
	s->nclients[stream][proto]++;
}

/* The filter for a ?domain= list, shared; NULL and a reason if bad. */
static struct filter *get_filter(struct server *s, const char *v, size_t n,
				 char *err, size_t errlen)
{
	char spec[4096];
	if (cthttp_unescape(v, n, spec, sizeof spec) <= 0) {
		snprintf(err, errlen, "domain: an empty, bad or too long list");
		return NULL;
	}
	for (struct filter *f = s->filters; f; f = f->next)
		if (!strcmp(f->spec, spec)) {
			f->refs++;
			return f;
		}
	struct ctwatch *w = ctwatch_new();
	for (char *p = spec; *p;) {
		char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		char why[160];
		if (ctwatch_add(w, p, l, why, sizeof why) < 0) {
			snprintf(err, errlen, "domain '%.*s': %s", (int)l, p, why);
			ctwatch_free(w);
			return NULL;
		}
		p += l + (comma ? 1 : 0);
	}
	struct filter *f = ct_xcalloc(1, sizeof *f);
	f->spec = ct_xstrdup(spec);
	f->w = w;
	f->refs = 1;
	f->next = s->filters;
	s->filters = f;
	return f;
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
static void real_ip(struct server *s, struct client *c,
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

/* Clients from ip, whatever their state (reading a request head,
 * holding a response, streaming), not counting but. */
static size_t clients_from(const struct server *s, const char *ip,
			   const struct client *but)
{
	size_t n = 0;
	for (const struct client *c = s->http; c; c = c->next)
		n += c != but && !strcmp(c->ip, ip);
	for (int st = 0; st < NSTREAM; st++)
		for (int p = 0; p < NPROTO; p++)
			for (const struct client *c = s->lists[st][p]; c; c = c->next)
				n += c != but && !strcmp(c->ip, ip);
	return n;
}

static int path_is(const char *p, size_t n, const char *want)
{
	size_t w = strlen(want);
	return (n == w || (n == w + 1 && p[w] == '/')) && !memcmp(p, want, w);
}

static void route(struct server *s, struct client *c,
		  const struct cthttp_req *r)
{
	const char *q = memchr(r->target, '?', r->tlen);
	size_t plen = q ? (size_t)(q - r->target) : r->tlen;
	const char *path = r->target;
	if (r->mlen != 3 || memcmp(r->method, "GET", 3)) {
		respond(s, c, "405 Method Not Allowed", "text/plain", "GET only\n",
			9, "Allow: GET\r\n");
		return;
	}
	if (!path_is(path, plen, "/health") && !authorized(s, r)) {
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
	int stream = -1;
	if (path_is(path, plen, "") || (plen == 1 && path[0] == '/'))
		stream = S_LITE;
	else if (path_is(path, plen, "/full-stream"))
		stream = S_FULL;
	else if (path_is(path, plen, "/domains-only"))
		stream = S_DOM;
	size_t vl;
	int streaming = stream >= 0 || path_is(path, plen, "/sse");
	struct filter *filt = NULL;
	if (streaming) {
		const char *dv = cthttp_query(r->target, r->tlen, "domain", &vl);
		if (dv) {
			char err[300];
			filt = get_filter(s, dv, vl, err, sizeof err);
			if (!filt) {
				size_t el = strlen(err);
				err[el++] = '\n';
				respond(s, c, "400 Bad Request", "text/plain", err, el,
					NULL);
				return;
			}
		}
	}
	c->filter = filt; /* released with the client */
	const char *up = cthttp_header(r, "Upgrade", &vl);
	if (stream >= 0 && up && cthttp_has_token(up, vl, "websocket")) {
		size_t kl;
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
		size_t xl;
		const char *x = cthttp_header(r, "Sec-WebSocket-Extensions", &xl);
		c->deflate = s->o.deflate && x && ctws_deflate_offer(x, xl);
		int n = snprintf(hdr, sizeof hdr,
				 "HTTP/1.1 101 Switching Protocols\r\n"
				 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
				 "Sec-WebSocket-Accept: %s\r\n%s\r\n", acc,
				 c->deflate ? CTWS_DEFLATE_RESPONSE : "");
		join(s, c, C_WS, (enum stream)stream, P_WS);
		if (enqueue(s, c, msg_new(hdr, (size_t)n), 1) == 0)
			flush_client(s, c);
		return;
	}
	if (path_is(path, plen, "/sse")) {
		const char *sv = cthttp_query(r->target, r->tlen, "stream", &vl);
		int st = S_LITE;
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
		join(s, c, C_SSE, (enum stream)st, P_SSE);
		if (enqueue(s, c, msg_new(hdr, sizeof hdr - 1), 1) == 0)
			flush_client(s, c);
		return;
	}
	if (stream >= 0) {
		text(s, c, "426 Upgrade Required",
		     "this is a certstream WebSocket endpoint; see /sse for SSE\n");
		return;
	}
	if (path_is(path, plen, "/health"))
		stats(s, c, 1);
	else if (path_is(path, plen, "/metrics"))
		metrics(s, c);
	else if (path_is(path, plen, "/api/stats"))
		stats(s, c, 0);
	else if (plen > 10 && !memcmp(path, "/api/cert/", 10)) {
		uint8_t want[32];
		const char *h = path + 10;
		size_t hl = plen - 10, n = 0;
		for (size_t i = 0; i < hl; i++)
			n += h[i] != ':';
		const struct recent *hit = NULL;
		if ((n == 64 && cthex_decode_sep(h, hl, ':', want, 32) == 0) ||
		    (n == 40 && cthex_decode_sep(h, hl, ':', want, 20) == 0)) {
			for (size_t k = 1; k <= s->o.recent && !hit; k++) {
				const struct recent *r =
					&s->recent[(s->recent_next + s->o.recent - k) % s->o.recent];
				if (r->rec && !memcmp(n == 64 ? r->sha256 : r->sha1, want, n / 2))
					hit = r;
			}
			if (hit)
				respond(s, c, "200 OK", "application/json", hit->rec, hit->len, NULL);
			else
				text(s, c, "404 Not Found", "not among the recent certificates\n");
		} else {
			text(s, c, "400 Bad Request", "want /api/cert/<sha256 or sha1 in hex>\n");
		}
	} else if (path_is(path, plen, "/api/logs")) {
		/* ct-fetch rewrites the file atomically: read it whole */
		struct ctbuf b = CTBUF_INIT;
		if (!s->o.fetch_stats)
			text(s, c, "404 Not Found", "no --fetch-stats file given\n");
		else if (ctafile_read(s->o.fetch_stats, 16 << 20, &b) < 0)
			text(s, c, "503 Service Unavailable", "no ct-fetch stats yet\n");
		else
			respond(s, c, "200 OK", "application/json", b.p, b.len, NULL);
		ctbuf_free(&b);
	}
	else if (path_is(path, plen, "/example.json")) {
		if (s->latest.len)
			respond(s, c, "200 OK", "application/json",
				s->latest.p, s->latest.len, NULL);
		else
			text(s, c, "404 Not Found", "no certificate yet\n");
	} else
		text(s, c, "404 Not Found", "not found\n");
}

/* ---- client input ------------------------------------------------------- */

static void ws_close(struct server *s, struct client *c, unsigned code,
		     enum reason why)
{
	uint8_t f[4] = { 0x88, 2, (uint8_t)(code >> 8), (uint8_t)code };
	struct msg *m = msg_new(f, sizeof f);
	c->close_after = 1;
	c->close_why = why;
	if (enqueue(s, c, m, 1) == 0)
		flush_client(s, c);
}

/* Handle complete frames in c->in; -1 if the client is gone. */
static int ws_input(struct server *s, struct client *c)
{
	size_t at = 0;
	while (at < c->inlen && !c->close_after) {
		struct ctws_frame f;
		int h = ctws_parse_ext((uint8_t *)c->in + at, c->inlen - at, &f,
				       c->deflate);
		if (h == -2)
			break;
		if (h < 0 || !f.masked) {
			ws_close(s, c, 1002, R_PROTOCOL);
			return -1;
		}
		if (f.len > CIN - 14) {
			ws_close(s, c, 1009, R_PROTOCOL);
			return -1;
		}
		if (c->inlen - at - (size_t)h < f.len)
			break;
		uint8_t *pay = (uint8_t *)c->in + at + h;
		ctws_unmask(pay, (size_t)f.len, f.mask, 0);
		at += (size_t)h + (size_t)f.len;
		switch (f.opcode) {
		case CTWS_PING: {
			uint8_t hd[10];
			size_t hl = ctws_head(hd, CTWS_PONG, f.len);
			char tmp[140];
			memcpy(tmp, hd, hl);
			memcpy(tmp + hl, pay, (size_t)f.len);
			struct msg *pong = msg_new(tmp, hl + (size_t)f.len);
			if (enqueue(s, c, pong, 1) < 0)
				return -1; /* it reads too slowly: dropped */
			break;
		}
		case CTWS_CLOSE: {
			/* 1000, or 1002/1007 for a code or reason that may
			 * not be in a close frame */
			unsigned code = ctws_close_reply(pay, (size_t)f.len);
			ws_close(s, c, code,
				 code == 1000 ? R_CLIENT : R_PROTOCOL);
			return -1;
		}
		case CTWS_PONG:
			break;
		case CTWS_TEXT:
		case CTWS_BINARY:
			if (c->frag) {
				ws_close(s, c, 1002, R_PROTOCOL);
				return -1;
			}
			if (f.opcode == CTWS_TEXT && f.fin) {
				int bad = f.rsv1 ? ctws_inflate_utf8(pay, (size_t)f.len)
						 : !ctws_utf8(pay, (size_t)f.len);
				if (bad) {
					ws_close(s, c, bad == 2 ? 1009 : 1007,
						 R_PROTOCOL);
					return -1;
				}
			}
			c->frag = !f.fin;
			break;
		case CTWS_CONT:
			if (!c->frag) {
				ws_close(s, c, 1002, R_PROTOCOL);
				return -1;
			}
			c->frag = !f.fin;
			break;
		}
	}
	memmove(c->in, c->in + at, c->inlen - at);
	c->inlen -= at;
	if (c->qn && !waits_out(c))
		return flush_client(s, c);
	return 0;
}

/* Read from a TLS client (the handshake happens inside SSL_read). */
static ssize_t tls_read(struct server *s, struct client *c, char *buf,
			size_t cap)
{
	ERR_clear_error();
	int r = SSL_read(c->ssl, buf, (int)cap);
	if (r > 0)
		return r;
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		if (e == SSL_ERROR_WANT_WRITE)
			set_out(s, c, 1); /* retried when writable */
		errno = EAGAIN;
		return -1;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	if (e == SSL_ERROR_SSL)
		s->tls_errors++; /* not TLS, a bad handshake, a bad record */
	ERR_clear_error();
	errno = ECONNRESET;
	return -1;
}

static void client_input(struct server *s, struct client *c)
{
	for (;;) {
		char *buf;
		size_t cap;
		if (c->st == C_HTTP && !c->close_after) {
			if (!c->in)
				c->in = ct_xmalloc(CIN);
			if (c->inlen == CIN) {
				text(s, c, "431 Request Header Fields Too Large",
				     "request head too large\n");
				return;
			}
			buf = c->in + c->inlen;
			cap = CIN - c->inlen;
		} else if (c->st == C_WS && c->inlen) {
			buf = c->in + c->inlen; /* a partial frame waits */
			cap = CIN - c->inlen;
		} else {
			/* SSE/TCP input, and whatever follows a request that
			 * was answered, is read and ignored */
			buf = s->scratch;
			cap = CIN;
		}
		ssize_t r = c->ssl ? tls_read(s, c, buf, cap)
				   : read(c->io.fd, buf, cap);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			drop_client(s, c, R_CLIENT);
			return;
		}
		if (c->st == C_WS) {
			if (buf == s->scratch)
				c->in = s->scratch; /* lent for this call */
			c->inlen += (size_t)r;
			if (ws_input(s, c) < 0)
				return; /* gone */
			if (c->in == s->scratch) {
				/* keep a partial frame in a buffer of its own */
				c->in = c->inlen ? memcpy(ct_xmalloc(CIN), s->scratch,
							  c->inlen)
						 : NULL;
			} else if (!c->inlen) {
				free(c->in);
				c->in = NULL;
			}
			continue;
		}
		if (c->st != C_HTTP || c->close_after)
			continue;
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

/* Should a new connection from ip be turned away (accept rate, client
 * limit, per-address limit)? Then it is answered (plain HTTP only),
 * closed and counted. */
static int refuse(struct server *s, int fd, int tcp_stream, const char *ip)
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
	const char *say_what = NULL;
	size_t len = 0;
	if (ctbucket_take(&s->accepts, ct_now_ms()) > 0) {
		s->rejected_rate++;
		say_what = slow;
		len = sizeof slow - 1;
		goto refused;
	}
	if (s->total >= s->o.max_clients) {
		s->rejected_full++;
		say_what = busy;
		len = sizeof busy - 1;
		goto refused;
	}
	/* every connection counts against the per-address limit from the
	 * start, whatever it asks for; those of a trusted proxy are told
	 * apart by X-Forwarded-For once their request is read (route) */
	if (s->o.max_per_ip &&
	    (tcp_stream >= 0 || !trusted(s, ip, strlen(ip))) &&
	    clients_from(s, ip, NULL) >= s->o.max_per_ip) {
		s->rejected_ip++;
		say_what = many;
		len = sizeof many - 1;
		goto refused;
	}
	return 0;
refused:
	if (tcp_stream < 0 && !s->tls)
		say(fd, say_what, len);
	close(fd);
	return 1;
}

static struct server *srv; /* the one server, for the clients' callback */

static void client_input(struct server *s, struct client *c);

static void on_client(struct ctev *ev, struct ctev_io *io, int ready)
{
	struct server *s = srv;
	struct client *c = (struct client *)io;
	(void)ev;
	if (ready & CTEV_WRITE && flush_client(s, c) < 0)
		return;
	if ((ready & CTEV_READ) || (c->ssl && (ready & CTEV_WRITE)))
		client_input(s, c);
}

static void on_accept(struct ctev *ev, struct ctev_io *io, int ready)
{
	struct server *s = srv;
	int tcp_stream = io == &s->lio ? -1 : (int)(io - s->tio);
	(void)ev;
	(void)ready;
	for (;;) {
		char ip[INET6_ADDRSTRLEN];
		int fd = ctnet_accept(io->fd, ip, sizeof ip);
		if (fd < 0)
			return;
		if (refuse(s, fd, tcp_stream, ip))
			continue;
		struct client *c = ct_xcalloc(1, sizeof *c);
		c->st = C_HTTP;
		c->since_ms = c->progress_ms = ct_now_ms();
		memcpy(c->ip, ip, sizeof ip);
		s->total++;
		s->pending++;
		c->next = s->http;
		if (c->next)
			c->next->prev = c;
		s->http = c;
		if (ctev_add(s->ev, &c->io, fd, CTEV_READ, on_client) < 0)
			ct_die(CT_EXIT_RUNTIME, "epoll_ctl");
		if (tcp_stream < 0 && s->tls) {
			c->ssl = SSL_new(s->tls);
			if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
				drop_client(s, c, R_CLIENT);
				continue;
			}
			SSL_set_accept_state(c->ssl);
		}
		if (tcp_stream >= 0)
			join(s, c, C_TCP, (enum stream)tcp_stream, P_TCP);
	}
}

/* ---- standard input ----------------------------------------------------- */

static void stdin_input(struct server *s)
{
	/* At most 1 MiB a turn, so clients are written between batches
	 * even when the input never pauses. */
	for (int turn = 0; turn < 16; turn++) {
		char *room = ctbuf_room(&s->line, 65536);
		ssize_t r = read(0, room, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			if (r < 0)
				ct_warn("standard input");
			if (s->line.len)
				one_record(s, s->line.p, s->line.len);
			s->line.len = 0;
			s->stdin_open = 0; /* no longer watched (input_control) */
			s->eof_ms = ct_now_ms();
			if (s->pos && s->pos_dirty)
				positions_save(s); /* the input is over */
			return;
		}
		ctbuf_commit(&s->line, (size_t)r);
		size_t start = 0;
		for (;;) {
			char *nl = memchr(s->line.p + start, '\n', s->line.len - start);
			if (!nl)
				break;
			size_t l = (size_t)(nl - s->line.p) - start;
			one_record(s, s->line.p + start, l);
			start += l + 1;
		}
		memmove(s->line.p, s->line.p + start, s->line.len - start);
		s->line.len -= start;
		if (s->line.len > ((size_t)64 << 20)) {
			ct_warnx("input line longer than 64 MiB, skipped");
			s->line.len = 0;
		}
	}
}

static void on_stdin(struct ctev *ev, struct ctev_io *io, int ready)
{
	(void)ev;
	(void)io;
	(void)ready;
	stdin_input(srv);
}

/* A regular file is always ready (epoll refuses it): read it a turn a
 * round, without sleeping in between. */
static int64_t on_stdin_file(struct ctev *ev, void *ctx)
{
	(void)ev;
	stdin_input(ctx);
	return 0;
}

/* Read standard input only while it may go somewhere: with
 * --wait-for-client from the first subscriber on (nothing is broadcast
 * to nobody after a restart), and with --backpressure not while a client
 * has more than that queued (the input waits in its pipe instead of
 * being lost). */
static void input_control(struct server *s)
{
	if (!s->reading && !s->o.wait_client)
		s->reading = 1;
	for (int st = 0; st < NSTREAM && !s->reading; st++)
		for (int p = 0; p < NPROTO; p++)
			s->reading |= s->nclients[st][p] != 0;
	size_t most = 0;
	if (s->reading && s->stdin_open && s->o.backpressure)
		for (int st = 0; st < NSTREAM; st++)
			for (int p = 0; p < NPROTO; p++)
				for (struct client *c = s->lists[st][p]; c; c = c->next)
					if (c->qbytes > most)
						most = c->qbytes;
	int want = s->reading && s->stdin_open &&
		   !(s->o.backpressure && most > s->o.backpressure);
	if (want == s->stdin_on)
		return;
	s->stdin_on = want;
	if (want && !s->stdin_file &&
	    ctev_add(s->ev, &s->stdinio, 0, CTEV_READ, on_stdin) < 0)
		s->stdin_file = 1; /* a regular file: read as we go */
	if (want && s->stdin_file)
		s->stdin_timer = ctev_timer_add(s->ev, 0, on_stdin_file, s);
	if (!want && s->stdin_file)
		ctev_timer_del(s->ev, s->stdin_timer);
	else if (!want)
		ctev_del(s->ev, &s->stdinio);
}

/* ---- timers and shutdown ------------------------------------------------ */

/* A heartbeat when nothing was sent for --heartbeat. */
static int64_t on_heartbeat(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	(void)ev;
	int64_t t = ct_now_ms(), due = s->last_msg_ms + (int64_t)s->o.heartbeat_ms;
	if (t < due)
		return due - t;
	heartbeat(s);
	s->last_msg_ms = t;
	return (int64_t)s->o.heartbeat_ms;
}

/* (Re)start the heartbeat timer: at startup, and when a reload may have
 * changed the interval. */
static void heartbeat_arm(struct server *s)
{
	if (s->hb_timer)
		ctev_timer_del(s->ev, s->hb_timer);
	s->hb_timer = ctev_timer_add(s->ev, 0, on_heartbeat, s);
}

#define SWEEP_MS 250 /* how often the timeouts are looked at */

/* A request head must arrive within 10 s (slowloris); a response must
 * be read like a stream, within the write timeout; a stream that makes
 * no progress for the write timeout is dropped. */
static int64_t on_sweep(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	int64_t t = ct_now_ms(), wt = (int64_t)s->o.write_timeout_ms;
	(void)ev;
	for (struct client *c = s->http, *next; c; c = next) {
		next = c->next;
		int64_t still = t - c->progress_ms;
		if (c->qn && still >= wt)
			drop_client(s, c, R_SLOW);
		else if (!c->close_after && t - c->since_ms >= 10000)
			drop_client(s, c, R_TIMEOUT);
	}
	for (int st = 0; st < NSTREAM; st++)
		for (int p = 0; p < NPROTO; p++) {
			struct client *c = s->lists[st][p], *next;
			for (; c; c = next) {
				next = c->next;
				if (c->qn && t - c->progress_ms >= wt)
					drop_client(s, c, R_SLOW);
			}
		}
	return SWEEP_MS;
}

/* --config: the file changed; read it when a burst of changes settles */
static int64_t on_conf_settled(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	(void)ev;
	s->conf_timer = 0;
	load_config(s, 0, 0);
	heartbeat_arm(s);
	return CTEV_NOMORE;
}

static void on_inotify(struct ctev *ev, struct ctev_io *io, int ready)
{
	struct server *s = srv;
	char evb[4096];
	(void)ready;
	while (read(io->fd, evb, sizeof evb) > 0)
		;
	if (s->conf_timer)
		ctev_timer_del(ev, s->conf_timer);
	s->conf_timer = ctev_timer_add(ev, 100, on_conf_settled, s);
}

static void on_signal(struct ctev *ev, struct ctev_io *io, int ready)
{
	struct server *s = srv;
	char junk[64];
	(void)ready;
	while (read(io->fd, junk, sizeof junk) > 0)
		;
	if (ct_sig_hup) {
		ct_sig_hup = 0;
		if (s->config || s->o.tls_cert) {
			load_config(s, 0, 1);
			heartbeat_arm(s);
		} else {
			ct_warnx("SIGHUP: no configuration file to reload");
		}
	}
	if (ct_sig_stop)
		ctev_stop(ev);
}

/* Before the loop sleeps: write what the round queued, free the clients
 * it dropped, start or stop reading the input; with --exit-on-eof, leave
 * once the input is over and every queue written (or after 5 s). */
static void before_sleep(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	if (s->unflushed) {
		s->unflushed = 0;
		flush_all(s);
	}
	bury(s);
	input_control(s);
	if (!s->stdin_open && s->o.exit_on_eof) {
		int busy = 0;
		for (int st = 0; st < NSTREAM; st++)
			for (int p = 0; p < NPROTO; p++)
				for (struct client *c = s->lists[st][p]; c; c = c->next)
					busy |= c->qn != 0;
		if (!busy || ct_now_ms() - s->eof_ms > 5000)
			ctev_stop(ev);
	}
}

static void shutdown_all(struct server *s)
{
	while (s->http)
		drop_client(s, s->http, R_SHUTDOWN);
	static const uint8_t bye[4] = { 0x88, 2, 0x03, 0xe9 }; /* 1001 */
	for (int st = 0; st < NSTREAM; st++)
		for (int p = 0; p < NPROTO; p++)
			while (s->lists[st][p]) {
				struct client *c = s->lists[st][p];
				if (p == P_WS && c->ssl)
					SSL_write(c->ssl, bye, sizeof bye);
				else if (p == P_WS &&
					 write(c->io.fd, bye, sizeof bye) < 0)
					s->disconnects[R_CLIENT]++;
				drop_client(s, c, R_SHUTDOWN);
			}
}

static void watch(struct server *s, struct ctev_io *io, int fd,
		  void (*fn)(struct ctev *ev, struct ctev_io *io, int ready))
{
	if (ctev_add(s->ev, io, fd, CTEV_READ, fn) < 0)
		ct_die(CT_EXIT_RUNTIME, "epoll_ctl");
}

int main(int argc, char **argv)
{
	static struct server s;
	srv = &s;
	s.o = defaults;
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, on_opt, &s);
	if (i != argc)
		ct_usage_error("unexpected argument '%s' (records come on "
			       "standard input)", argv[i]);
	load_config(&s, 1, 1);
	if (s.o.recent)
		s.recent = ct_xcalloc(s.o.recent, sizeof *s.recent);
	if (s.o.positions)
		positions_open(&s);
	if (pipe2(s.sigpipe, O_NONBLOCK | O_CLOEXEC) < 0)
		ct_die(CT_EXIT_RUNTIME, "pipe");
	ct_sig_setup(1, s.sigpipe[1]);
	s.ev = ctev_new();
	if (!s.ev)
		ct_die(CT_EXIT_RUNTIME, "epoll_create");
	watch(&s, &s.lio, listen_on(s.o.listen), on_accept);
	for (int st = 0; st < NSTREAM; st++)
		if (s.o.tcp[st])
			watch(&s, &s.tio[st], listen_on(s.o.tcp[st]), on_accept);
	watch(&s, &s.sigio, s.sigpipe[0], on_signal);
	watch_config(&s);
	if (s.inotify >= 0)
		watch(&s, &s.inotio, s.inotify, on_inotify);
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	s.stdin_open = 1;
	s.started_ms = s.last_msg_ms = ct_now_ms();
	ctbucket_init(&s.accepts, (double)s.o.accept_rate, s.started_ms);
	heartbeat_arm(&s);
	ctev_timer_add(s.ev, SWEEP_MS, on_sweep, &s);
	ctev_before_sleep(s.ev, before_sleep, &s);
	if (ctev_run(s.ev) < 0)
		ct_die(CT_EXIT_RUNTIME, "epoll_wait");
	shutdown_all(&s);
	bury(&s);
	int rc = CT_EXIT_OK;
	if (s.pos && s.pos_dirty && positions_save(&s) < 0)
		rc = CT_EXIT_RUNTIME; /* the state could not be kept */
	ctpos_free(s.pos);
	ctbuf_free(&s.pos_key);
	ctbuf_free(&s.line);
	ctbuf_free(&s.work);
	ctbuf_free(&s.latest);
	for (size_t k = 0; k < s.o.recent; k++)
		free(s.recent[k].rec);
	free(s.recent);
	strs_free(&s.conf_strs);
	strs_free(&s.fixed);
	free(s.flags);
	if (s.z_ready)
		deflateEnd(&s.z);
	SSL_CTX_free(s.tls);
	if (s.inotify >= 0)
		close(s.inotify);
	ctev_free(s.ev);
	return rc;
}
