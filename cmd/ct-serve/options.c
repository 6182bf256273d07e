/* options: the option table and the one switch that sets each option
 * (see options.h). */
#include "options.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const struct ct_opt opt_table[O_NOPTS] = {
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

static int bad(char *err, size_t n, const char *fmt, const char *arg)
{
	snprintf(err, n, fmt, arg);
	return -1;
}

int opts_set(struct opts *o, int idx, const char *arg, char *err,
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
		*(idx == O_HEARTBEAT ? &o->heartbeat_ms
				     : &o->write_timeout_ms) = v;
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
		int *f =
		    idx == O_EXIT_ON_EOF ? &o->exit_on_eof : &o->wait_client;
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
			return bad(err, n, "more than %s trusted proxies",
				   "64");
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

int opts_id(const char *name)
{
	for (int i = 0; i < O_NOPTS; i++)
		if (i != O_CONFIG && !strcmp(opt_table[i].name, name))
			return i;
	return -1;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Put *run into *o: whether they differed. */
static int keep_str(const char **o, const char *run)
{
	int changed = !same_str(*o, run);
	*o = run;
	return changed;
}

static int keep_u64(uint64_t *o, uint64_t run)
{
	int changed = *o != run;
	*o = run;
	return changed;
}

int opts_keep(struct opts *o, const struct opts *run, int id)
{
	int changed = 0;
	switch ((enum opt_id)id) {
	case O_LISTEN: return keep_str(&o->listen, run->listen);
	case O_TCP: return keep_str(&o->tcp[S_LITE], run->tcp[S_LITE]);
	case O_TCP_FULL: return keep_str(&o->tcp[S_FULL], run->tcp[S_FULL]);
	case O_TCP_DOMAINS: return keep_str(&o->tcp[S_DOM], run->tcp[S_DOM]);
	case O_POSITIONS: return keep_str(&o->positions, run->positions);
	case O_RECENT: return keep_u64(&o->recent, run->recent);
	case O_WAIT_FOR_CLIENT:
		changed = o->wait_client != run->wait_client;
		o->wait_client = run->wait_client;
		return changed;
	default:
		return 0;
	}
}
