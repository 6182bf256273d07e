/* config: loading and reloading the configuration (see config.h). */
#include "config.h"

#include <errno.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "afile.h"
#include "conf.h"
#include "diag.h"
#include "mem.h"
#include "options.h"
#include "stream.h"

int config_option(void *ctx, int idx, const char *arg)
{
	struct server *s = ctx;
	if (idx == O_CONFIG) {
		s->config = arg;
		return 0;
	}
	char err[256];
	if (arg && arg == opt_table[idx].def) { /* a default, not a flag */
		if (opts_set(&s->defaults, idx, arg, err, sizeof err) < 0)
			ct_diex(CT_EXIT_RUNTIME, "default --%s: %s",
				opt_table[idx].name, err);
		s->o = s->defaults;
		return 0;
	}
	if (opts_set(&s->o, idx, arg, err, sizeof err) < 0)
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

static void strs_add(struct strs *v, char *str)
{
	v->v = ct_xrealloc(v->v, (v->n + 1) * sizeof(char *));
	v->v[v->n++] = str;
}

struct conf_ctx {
	struct opts *o;
	struct strs *owned;
};

static int conf_set(void *ctx, const char *key, const char *val,
		    unsigned line, char *err, size_t n)
{
	struct conf_ctx *cc = ctx;
	int id = opts_id(key);
	(void)line;
	if (id < 0) {
		snprintf(err, n, "no such setting (the settings are the long "
				 "options of ct-serve)");
		return -1;
	}
	char *copy = ct_xstrdup(val);
	strs_add(cc->owned, copy);
	return opts_set(cc->o, id, copy, err, n);
}

/* The options from config text and the command line flags of s, over
 * the defaults: 0, or -1 with err. Strings from the text go to owned
 * (the caller frees them, also on error). */
static int conf_opts(const struct server *s, const char *text, size_t len,
		     struct opts *o, struct strs *owned, char *err, size_t n)
{
	*o = s->defaults;
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
		if (opts_set(o, f->idx, f->arg, why, sizeof why) < 0) {
			snprintf(err, n, "--%s: %s", opt_table[f->idx].name,
				 why);
			return -1;
		}
	}
	return 0;
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

/* The TLS context o asks for into *tls (NULL: none): 0, or -1 with err.
 * A reload cannot turn TLS on or off (the listener would change): the
 * running files stay, and it is reported. */
static int tls_settings(struct server *s, int startup, const char *src,
			struct opts *o, struct strs *owned, SSL_CTX **tls,
			char *err, size_t n)
{
	*tls = NULL;
	if (o->tls_key && !o->tls_cert) {
		snprintf(err, n, "tls-key without tls-cert");
		return -1;
	}
	if (!startup && !o->tls_cert != !s->o.tls_cert) {
		ct_warnx("%s: TLS turned %s; it takes effect on restart",
			 src, o->tls_cert ? "on" : "off");
		o->tls_cert = s->o.tls_cert ? ct_xstrdup(s->o.tls_cert) : NULL;
		o->tls_key = s->o.tls_key ? ct_xstrdup(s->o.tls_key) : NULL;
		if (o->tls_cert) {
			strs_add(owned, (char *)o->tls_cert);
			strs_add(owned, (char *)o->tls_key);
		}
	}
	if (o->tls_cert)
		*tls = tls_context(o, err, n);
	return o->tls_cert && !*tls ? -1 : 0;
}

/* At startup: the addresses and the positions file outlive the file's
 * strings (they are compared at every reload). */
static void keep_fixed(struct server *s, struct opts *o)
{
	struct strs *f = &s->fixed;
	f->v = ct_xcalloc(NSTREAM + 2, sizeof(char *));
	f->n = NSTREAM + 2;
	o->listen = f->v[0] = ct_xstrdup(o->listen);
	for (int st = 0; st < NSTREAM; st++)
		if (o->tcp[st])
			o->tcp[st] = f->v[1 + st] = ct_xstrdup(o->tcp[st]);
	if (o->positions)
		o->positions = f->v[NSTREAM + 1] = ct_xstrdup(o->positions);
}

/* On a reload: what needs new sockets or memory keeps its running value
 * (reported when the file changed it); the accept bucket follows the
 * rate. */
static void reloaded(struct server *s, struct opts *o, const char *src)
{
	static const int later[] = { O_LISTEN, O_TCP, O_TCP_FULL,
		O_TCP_DOMAINS, O_RECENT, O_WAIT_FOR_CLIENT, O_POSITIONS };
	for (size_t k = 0; k < sizeof later / sizeof later[0]; k++)
		if (opts_keep(o, &s->o, later[k]))
			ct_warnx("%s: %s changed; it takes effect on restart",
				 src, opt_table[later[k]].name);
	/* the accept bucket must not exceed a lowered rate */
	s->accepts.rate = (double)o->accept_rate;
	if (s->accepts.tokens > s->accepts.rate)
		s->accepts.tokens = s->accepts.rate;
	s->reloads_ok++;
	ct_warnx("%s: reloaded (%zu token%s)", src, o->ntokens,
		 o->ntokens == 1 ? "" : "s");
}

/* The config file into text: 1, or 0 when a reload finds it as it was
 * last read (a sibling in its directory changed), or -1 when it cannot
 * be read (reported and counted; at startup a usage error). */
static int read_file(struct server *s, int startup, int force,
		     struct ctbuf *text)
{
	if (s->config && ctafile_read(s->config, 1 << 20, text) < 0) {
		if (startup)
			ct_usage_error("--config: cannot read %s: %s",
				       s->config, strerror(errno));
		ct_warn("cannot read %s; keeping the running configuration",
			s->config);
		s->reloads_bad++;
		return -1;
	}
	uint64_t h = 1469598103934665603ULL; /* FNV-1a of what was read */
	for (size_t k = 0; k < text->len; k++)
		h = (h ^ (uint8_t)text->p[k]) * 1099511628211ULL;
	if (!startup && !force && h == s->conf_seen)
		return 0; /* seen (and reported) already */
	s->conf_seen = h;
	return 1;
}

void config_load(struct server *s, int startup, int force)
{
	struct ctbuf text = CTBUF_INIT;
	char err[400];
	struct opts o;
	struct strs owned = { 0 };
	SSL_CTX *tls;
	const char *src = s->config ? s->config : "SIGHUP";
	if (read_file(s, startup, force, &text) <= 0) {
		ctbuf_free(&text);
		return;
	}
	if (conf_opts(s, s->config ? text.p ? text.p : "" : NULL, text.len, &o,
		      &owned, err, sizeof err) < 0 ||
	    tls_settings(s, startup, src, &o, &owned, &tls, err,
			 sizeof err) < 0) {
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
	if (startup)
		keep_fixed(s, &o);
	else
		reloaded(s, &o, src);
	if (s->tls)
		SSL_CTX_free(s->tls); /* its connections hold a reference */
	s->tls = tls;
	s->o = o;
	strs_free(&s->conf_strs);
	s->conf_strs = owned;
	ctbuf_free(&text);
	if (!startup)
		stream_heartbeat_arm(s); /* it may have changed */
}

void config_watch(struct server *s)
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
	/* the directory: editors and tools replace the file by rename, and
	 * a symlink swap changes a sibling */
	s->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inotify < 0 ||
	    inotify_add_watch(s->inotify, dir, IN_CLOSE_WRITE | IN_MOVED_TO) <
		0) {
		ct_warn("cannot watch %s for changes (SIGHUP still reloads)",
			dir);
		if (s->inotify >= 0)
			close(s->inotify);
		s->inotify = -1;
	}
}

static int64_t on_settled(struct ctev *ev, void *ctx)
{
	struct server *s = ctx;
	(void)ev;
	s->conf_timer = 0;
	config_load(s, 0, 0);
	return CTEV_NOMORE;
}

void config_changed(struct server *s)
{
	/* let a burst of changes settle */
	if (s->conf_timer)
		ctev_timer_del(s->ev, s->conf_timer);
	s->conf_timer = ctev_timer_add(s->ev, 100, on_settled, s);
}

void config_hup(struct server *s)
{
	if (s->config || s->o.tls_cert)
		config_load(s, 0, 1);
	else
		ct_warnx("SIGHUP: no configuration file to reload");
}

void config_free(struct server *s)
{
	strs_free(&s->conf_strs);
	strs_free(&s->fixed);
	free(s->flags);
	SSL_CTX_free(s->tls);
	if (s->inotify >= 0)
		close(s->inotify);
}
