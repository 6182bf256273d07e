/* ct-parse: entry records (or raw get-entries responses) in, certstream
 * certificate_update messages out, one per line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "b64.h"
#include "chaincache.h"
#include "cli.h"
#include "diag.h"
#include "io.h"
#include "json.h"
#include "leaf.h"
#include "mem.h"
#include "x509.h"

enum format { FMT_FULL, FMT_LITE, FMT_DOMAINS };

struct opts {
	enum format format;
	int errors_json;
	int unbuffered;
	const char *log, *log_name, *log_type;
	uint64_t start;
};

enum opt_id {
	O_FORMAT,
	O_ERRORS,
	O_UNBUFFERED,
	O_LOG,
	O_LOG_NAME,
	O_LOG_TYPE,
	O_START,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_FORMAT] = { "format", 'f', "FORMAT", "full, lite or domains", "full" },
	[O_ERRORS] = { "errors", 0, "MODE", "text (stderr only) or json (also an error record)", "text" },
	[O_UNBUFFERED] = { "unbuffered", 'u', NULL, "flush after every record", NULL },
	[O_LOG] = { "log", 0, "URL", "log URL for raw get-entries input", NULL },
	[O_LOG_NAME] = { "log-name", 0, "NAME", "log name for raw get-entries input", NULL },
	[O_LOG_TYPE] = { "log-type", 0, "TYPE", "rfc6962 or static, raw input", "rfc6962" },
	[O_START] = { "start", 0, "N", "index of the first raw get-entries entry", "0" },
};

static const struct ct_cli cli = {
	"[options] [file ...]",
	"Read CT entry records (or RFC 6962 get-entries responses) and write\n"
	"certstream certificate_update messages as NDJSON.",
	opt_table, sizeof opt_table / sizeof opt_table[0]
};

static int on_opt(void *ctx, int idx, const char *arg)
{
	struct opts *o = ctx;
	switch (idx) {
	case O_FORMAT:
		if (!strcmp(arg, "full"))
			o->format = FMT_FULL;
		else if (!strcmp(arg, "lite"))
			o->format = FMT_LITE;
		else if (!strcmp(arg, "domains") ||
			 !strcmp(arg, "domains_only"))
			o->format = FMT_DOMAINS;
		else
			ct_usage_error("--format: '%s' is not full, lite or "
				       "domains", arg);
		break;
	case O_ERRORS:
		if (strcmp(arg, "text") && strcmp(arg, "json"))
			ct_usage_error("--errors: '%s' is not text or json",
				       arg);
		o->errors_json = !strcmp(arg, "json");
		break;
	case O_UNBUFFERED: o->unbuffered = 1; break;
	case O_LOG: o->log = arg; break;
	case O_LOG_NAME: o->log_name = arg; break;
	case O_LOG_TYPE:
		if (strcmp(arg, "rfc6962") && strcmp(arg, "static"))
			ct_usage_error("--log-type: '%s' is not rfc6962 or "
				       "static", arg);
		o->log_type = arg;
		break;
	case O_START: o->start = ct_cli_u64("start", arg, 0, UINT64_MAX); break;
	}
	return 0;
}

/* One entry as read from the input; strings are JSON string values. */
struct entry {
	struct ctjson_val log, log_name, leaf, extra, log_type, cert_link;
	uint64_t index;
	int has_index;
};

struct parser {
	struct opts o;
	struct ctout out;
	struct chaincache *chain;
	struct ctbuf leafbuf, extrabuf, scratch, chainjson, rawnames;
	struct ctx509 cert;
	const char *where; /* current input name */
	unsigned long lineno;
	uint64_t raw_index; /* next index for raw get-entries input */
	uint64_t ok, failed;
};

static void error_record(struct parser *p, const struct entry *e,
			 const char *what)
{
	struct ctbuf *b = &p->out.buf;
	CTBUF_LIT(b, "{\"message_type\":\"parse_error\",\"data\":{\"log\":");
	if (e && e->log.type == CTJSON_STRING) {
		ctbuf_addc(b, '"');
		ctbuf_add(b, e->log.p, e->log.len);
		ctbuf_addc(b, '"');
	} else {
		CTBUF_LIT(b, "null");
	}
	CTBUF_LIT(b, ",\"index\":");
	if (e && e->has_index)
		ctbuf_addu64(b, e->index);
	else
		CTBUF_LIT(b, "null");
	CTBUF_LIT(b, ",\"input\":");
	ctjson_strz(b, p->where);
	CTBUF_LIT(b, ",\"line\":");
	ctbuf_addu64(b, p->lineno);
	CTBUF_LIT(b, ",\"error\":");
	ctjson_strz(b, what);
	CTBUF_LIT(b, "}}\n");
}

/* One stderr line naming the log and index (or the input line). */
static void say(struct parser *p, const struct entry *e, const char *what)
{
	if (e && e->has_index && e->log.type == CTJSON_STRING) {
		struct ctbuf url = CTBUF_INIT;
		ctjson_unescape(&e->log, &url);
		ct_warnx("%.*s index %llu: %s", (int)url.len,
			 url.p ? url.p : "", (unsigned long long)e->index,
			 what);
		ctbuf_free(&url);
	} else {
		ct_warnx("%s:%lu: %s", p->where, p->lineno, what);
	}
}

/* Report a bad record: one stderr line (say), and with --errors json an
 * error record on stdout instead. */
static void bad(struct parser *p, const struct entry *e, const char *fmt,
		const char *detail)
{
	char what[512];
	snprintf(what, sizeof what, fmt, detail ? detail : "");
	p->failed++;
	if (p->o.errors_json) {
		error_record(p, e, what);
		return;
	}
	say(p, e, what);
}

/* A certificate that breaks a rule but is converted all the same: one
 * warning line; the exit status is not affected. */
static void quirk(struct parser *p, const struct entry *e, const char *kind,
		  const char *what)
{
	char line[256];
	snprintf(line, sizeof line, "warning: %s %s", kind, what);
	say(p, e, line);
}

/* Decode a base64 JSON string value into b (replacing its contents). */
static int unb64(const struct ctjson_val *v, struct ctbuf *b, size_t limit)
{
	ctbuf_reset(b);
	if (v->type != CTJSON_STRING || v->escaped)
		return -1;
	size_t n = v->len < limit ? v->len : limit;
	uint8_t *dst = (uint8_t *)ctbuf_room(b, CTB64_DECODED_MAX(n));
	long r = ctb64_decode(v->p, n, dst);
	if (r < 0)
		return -1;
	ctbuf_commit(b, (size_t)r);
	return 0;
}

/* Append a JSON string value as it stood (already valid JSON), or its
 * unescaped text re-escaped. Trailing slashes dropped when trim. */
static void put_str(struct parser *p, const struct ctjson_val *v, int trim)
{
	struct ctbuf *b = &p->out.buf;
	if (v->type != CTJSON_STRING) {
		CTBUF_LIT(b, "null");
		return;
	}
	const char *s = v->p;
	size_t n = v->len;
	if (v->escaped) {
		ctbuf_reset(&p->scratch);
		ctjson_unescape(v, &p->scratch);
		s = p->scratch.p;
		n = p->scratch.len;
	}
	while (trim && n > 0 && s[n - 1] == '/')
		n--;
	if (v->escaped) {
		ctjson_str(b, s, n);
		return;
	}
	ctbuf_addc(b, '"');
	ctbuf_add(b, s, n);
	ctbuf_addc(b, '"');
}

/* Static-ct-api tile path of index N's data tile: tile/data/x001/234 */
static void tile_path(struct ctbuf *b, uint64_t tile)
{
	char groups[8][4];
	int n = 0;
	do {
		uint64_t g = tile % 1000;
		groups[n][0] = (char)('0' + g / 100);
		groups[n][1] = (char)('0' + g / 10 % 10);
		groups[n][2] = (char)('0' + g % 10);
		n++;
		tile /= 1000;
	} while (tile && n < 8);
	for (int i = n - 1; i >= 0; i--) {
		if (i > 0)
			ctbuf_addc(b, 'x');
		ctbuf_add(b, groups[i], 3);
		if (i > 0)
			ctbuf_addc(b, '/');
	}
}

static void put_tail(struct parser *p, const struct entry *e, int is_static,
		     uint64_t ts_ms)
{
	struct ctbuf *b = &p->out.buf;
	CTBUF_LIT(b, ",\"cert_index\":");
	ctbuf_addu64(b, e->index);
	CTBUF_LIT(b, ",\"cert_link\":");
	if (e->cert_link.type == CTJSON_STRING) {
		put_str(p, &e->cert_link, 0);
	} else if (e->log.type == CTJSON_STRING) {
		put_str(p, &e->log, 1);
		b->len--; /* reopen the string */
		if (is_static) {
			CTBUF_LIT(b, "/tile/data/");
			tile_path(b, e->index / 256);
		} else {
			CTBUF_LIT(b, "/ct/v1/get-entries?start=");
			ctbuf_addu64(b, e->index);
			CTBUF_LIT(b, "&end=");
			ctbuf_addu64(b, e->index);
		}
		ctbuf_addc(b, '"');
	} else {
		CTBUF_LIT(b, "null");
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	CTBUF_LIT(b, ",\"seen\":");
	ctjson_seconds(b, now.tv_sec, now.tv_nsec);
	CTBUF_LIT(b, ",\"submission_timestamp\":");
	ctjson_millis(b, ts_ms);
	CTBUF_LIT(b, ",\"source\":{\"name\":");
	put_str(p, &e->log_name, 0);
	CTBUF_LIT(b, ",\"url\":");
	put_str(p, &e->log, 1);
	/* submission_timestamp again, where certstream-server-go has it */
	CTBUF_LIT(b, ",\"timestamp\":");
	ctjson_millis(b, ts_ms);
	if (is_static)
		CTBUF_LIT(b, ",\"type\":\"static\"}}}\n");
	else
		CTBUF_LIT(b, ",\"type\":\"rfc6962\"}}}\n");
}

#define NEG_SERIAL "has a negative serial number (converted as encoded)"

/* Render one chain certificate (cached), or fail. */
static int put_chain_cert(struct parser *p, const struct entry *e,
			  struct ct_bytes der, char *err, size_t errlen)
{
	size_t len;
	const char *js = chaincache_get(p->chain, der.p, der.len, &len);
	if (!js) {
		if (ctx509_parse(&p->cert, der.p, der.len, err, errlen) < 0)
			return -1;
		/* Once per distinct issuer, while it stays cached. */
		if (p->cert.serial_negative)
			quirk(p, e, "chain certificate", NEG_SERIAL);
		ctbuf_reset(&p->chainjson);
		/* all_domains too: certstream-server-go's clients read it
		 * in each chain certificate (CAs: the SAN dNSNames). */
		ctx509_render(&p->cert, &p->chainjson,
			      CTX509_AS_DER | CTX509_DOMAINS);
		chaincache_put(p->chain, der.p, der.len, p->chainjson.p,
			       p->chainjson.len);
		js = p->chainjson.p;
		len = p->chainjson.len;
	}
	ctbuf_add(&p->out.buf, js, len);
	return 0;
}

/* For lite/domains precerts: decode just enough of extra_data to reach
 * the end of pre_certificate (it comes first). */
static int precert_only(struct parser *p, const struct ctjson_val *extra,
			struct ct_bytes *pre)
{
	if (extra->type != CTJSON_STRING || extra->len < 4)
		return -1;
	if (unb64(extra, &p->extrabuf, 4) < 0 || p->extrabuf.len < 3)
		return -1;
	const uint8_t *h = (const uint8_t *)p->extrabuf.p;
	size_t need = 3 + ((size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2]);
	size_t chars = (need + 2) / 3 * 4;
	if (chars >= extra->len)
		chars = extra->len; /* everything (padding is at the end) */
	if (unb64(extra, &p->extrabuf, chars) < 0 || p->extrabuf.len < need)
		return -1;
	pre->p = (const uint8_t *)p->extrabuf.p + 3;
	pre->len = need - 3;
	return need > 3 ? 0 : -1;
}

static void converted(struct parser *p, const struct entry *e, int pre,
		      int neg_serial)
{
	p->ok++;
	if (neg_serial)
		quirk(p, e, pre ? "precertificate" : "certificate",
		      NEG_SERIAL);
}

static void process(struct parser *p, const struct entry *e)
{
	const char *err = NULL;
	char xerr[256];
	struct ctleaf leaf;
	struct ctchain chain;
	struct ctbuf *b = &p->out.buf;
	size_t mark = b->len;

	if (e->leaf.type != CTJSON_STRING)
		{ bad(p, e, "no leaf_input%s", NULL); return; }
	if (unb64(&e->leaf, &p->leafbuf, e->leaf.len) < 0)
		{ bad(p, e, "leaf_input is not base64%s", NULL); return; }
	if (ctleaf_parse((uint8_t *)p->leafbuf.p, p->leafbuf.len, &leaf,
			 &err) < 0)
		{ bad(p, e, "leaf_input: %s", err); return; }
	int pre = leaf.entry_type == CTLEAF_PRECERT;
	int need_chain = p->o.format == FMT_FULL;
	struct ct_bytes cert = leaf.cert;
	if (need_chain) {
		if (unb64(&e->extra, &p->extrabuf, e->extra.len) < 0)
			{ bad(p, e, "extra_data is missing or not "
					 "base64%s", NULL); return; }
		if (ctleaf_parse_extra((uint8_t *)p->extrabuf.p,
				       p->extrabuf.len, leaf.entry_type,
				       &chain, &err) < 0)
			{ bad(p, e, "extra_data: %s", err); return; }
		if (pre)
			cert = chain.pre_cert;
	} else if (pre && precert_only(p, &e->extra, &cert) < 0) {
		{ bad(p, e, "extra_data: no valid pre_certificate%s",
			   NULL); return; }
	}
	if (ctx509_parse(&p->cert, cert.p, cert.len, xerr, sizeof xerr) < 0)
		{ bad(p, e, pre ? "precertificate: %s" : "certificate: %s",
			   xerr); return; }
	/* Warned once converted (p->cert is reused for the chain). */
	int neg = p->cert.serial_negative;

	int is_static = e->log_type.type == CTJSON_STRING &&
			ctjson_eq(&e->log_type, "static");
	if (p->o.format == FMT_DOMAINS) {
		CTBUF_LIT(b, "{\"message_type\":\"dns_entries\",\"data\":");
		ctx509_domains(&p->cert, b);
		CTBUF_LIT(b, "}\n");
		converted(p, e, pre, neg);
		return;
	}
	CTBUF_LIT(b, "{\"message_type\":\"certificate_update\",\"data\":"
		     "{\"update_type\":");
	if (pre)
		CTBUF_LIT(b, "\"PrecertLogEntry\",\"leaf_cert\":");
	else
		CTBUF_LIT(b, "\"X509LogEntry\",\"leaf_cert\":");
	ctx509_render(&p->cert, b, CTX509_TBS | CTX509_DOMAINS |
				      (need_chain ? CTX509_AS_DER : 0));
	if (need_chain) {
		CTBUF_LIT(b, ",\"chain\":[");
		for (size_t i = 0; i < chain.n; i++) {
			if (i)
				ctbuf_addc(b, ',');
			if (put_chain_cert(p, e, chain.certs[i], xerr,
					   sizeof xerr) < 0) {
				b->len = mark;
				{ bad(p, e, "chain certificate: %s",
					   xerr); return; }
			}
		}
		ctbuf_addc(b, ']');
	}
	put_tail(p, e, is_static, leaf.timestamp);
	converted(p, e, pre, neg);
}

static void after_record(struct parser *p)
{
	if (ctout_record_end(&p->out) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
}

static void raw_entries(struct parser *p, const struct ctjson_val *arr)
{
	static const char *const names[] = { "leaf_input", "extra_data" };
	struct ctjson_iter it;
	struct ctjson_val k, v, f[2];
	struct ctjson_val log = { CTJSON_INVALID, NULL, 0, 0 };
	struct ctjson_val name = log, type = log;
	struct ctbuf *s = &p->rawnames;
	ctbuf_reset(s);
	/* --log etc. become JSON string values so one renderer serves both. */
	size_t lo = s->len;
	if (p->o.log)
		ctjson_str_body(s, p->o.log, strlen(p->o.log));
	size_t no = s->len;
	if (p->o.log_name)
		ctjson_str_body(s, p->o.log_name, strlen(p->o.log_name));
	size_t end = s->len;
	if (p->o.log)
		log = (struct ctjson_val){ CTJSON_STRING, s->p + lo, no - lo,
					   0 };
	if (p->o.log_name)
		name = (struct ctjson_val){ CTJSON_STRING, s->p + no,
					    end - no, 0 };
	if (p->o.log_type)
		type = (struct ctjson_val){ CTJSON_STRING, p->o.log_type,
					    strlen(p->o.log_type), 0 };
	ctjson_iter_init(&it, arr);
	while (ctjson_next(&it, &k, &v) > 0) {
		struct entry e = { .log = log, .log_name = name,
				   .log_type = type,
				   .index = p->raw_index++, .has_index = 1 };
		e.cert_link.type = CTJSON_INVALID;
		if (v.type != CTJSON_OBJECT ||
		    ctjson_fields(v.p, v.len, names, 2, f) < 0) {
			bad(p, &e, "get-entries element is not an object%s",
			    NULL);
		} else {
			e.leaf = f[0];
			e.extra = f[1];
			process(p, &e);
		}
		after_record(p);
	}
}

static void record(struct parser *p, const char *line, size_t len)
{
	static const char *const names[] = { "log", "log_name", "index",
					     "leaf_input", "extra_data",
					     "log_type", "cert_link",
					     "entries" };
	struct ctjson_val f[8];
	struct entry e = { 0 };
	if (ctjson_fields(line, len, names, 8, f) < 0) {
		bad(p, NULL, "not a JSON object%s", NULL);
		after_record(p);
		return;
	}
	if (f[7].type == CTJSON_ARRAY) {
		raw_entries(p, &f[7]);
		return;
	}
	e.log = f[0];
	e.log_name = f[1];
	e.leaf = f[3];
	e.extra = f[4];
	e.log_type = f[5];
	e.cert_link = f[6];
	if (ctjson_u64(&f[2], &e.index) == 0)
		e.has_index = 1;
	if (!e.has_index)
		bad(p, &e, "no valid index%s", NULL);
	else if (e.log.type != CTJSON_STRING)
		bad(p, &e, "no log URL%s", NULL);
	else
		process(p, &e);
	after_record(p);
}

/* A record, one line or gathered from several, is at most this long:
 * get-entries responses are a few MiB; more is not a CT record. */
#define MAX_RECORD ((size_t)64 << 20)

/* Lines of an indented (pretty-printed) JSON document are gathered until
 * the brackets balance; NDJSON records are single lines. A document that
 * grows past MAX_RECORD is reported once and its remaining lines are
 * only scanned for the end (the buffer is released), so unbalanced input
 * cannot take memory without limit. */
struct gather {
	struct ctbuf buf;
	long depth; /* lines can nest 64 Mi deep each, without limit in all */
	int active, skipping;
	unsigned long start; /* the document's first line */
};

static long line_depth(const char *s, size_t n, long depth, int *in_str)
{
	int esc = 0;
	*in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (*in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				*in_str = 0;
		} else if (c == '"') {
			*in_str = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return depth;
}

/* Report a gathered document at its first line, not the current one. */
static void bad_document(struct parser *p, const struct gather *g,
			 const char *what)
{
	unsigned long now = p->lineno;
	p->lineno = g->start;
	bad(p, NULL, "%s", what);
	after_record(p);
	p->lineno = now;
}

static void skip_document(struct parser *p, struct gather *g)
{
	bad_document(p, g, "JSON record longer than 64 MiB, skipped");
	g->skipping = 1;
	ctbuf_free(&g->buf);
}

static void feed(struct parser *p, struct gather *g, const char *line,
		 size_t len)
{
	int in_str;
	if (!g->active) {
		size_t i = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t' ||
				   line[i] == '\r'))
			i++;
		if (i == len)
			return; /* blank line */
		/* The common case, one record per line: no depth scan. */
		size_t e = len;
		while (e > i && (line[e - 1] == ' ' || line[e - 1] == '\t' ||
				 line[e - 1] == '\r'))
			e--;
		if (line[e - 1] == '}') {
			record(p, line, len);
			return;
		}
		long d = line_depth(line, len, 0, &in_str);
		if (d > 0 && !in_str && ctjson_fields(line, len, NULL, 0, NULL) < 0) {
			g->active = 1;
			g->skipping = 0;
			g->depth = d;
			g->start = p->lineno;
			ctbuf_reset(&g->buf);
			ctbuf_add(&g->buf, line, len);
			ctbuf_addc(&g->buf, '\n');
			return;
		}
		record(p, line, len);
		return;
	}
	/* A new top-level record at column 0 ends an unbalanced one. */
	if (len && line[0] == '{' &&
	    ctjson_fields(line, len, NULL, 0, NULL) == 0) {
		g->active = 0;
		if (!g->skipping)
			bad_document(p, g, "incomplete JSON record");
		record(p, line, len);
		return;
	}
	if (!g->skipping && g->buf.len + len + 1 > MAX_RECORD)
		skip_document(p, g);
	if (!g->skipping) {
		ctbuf_add(&g->buf, line, len);
		ctbuf_addc(&g->buf, '\n');
	}
	g->depth = line_depth(line, len, g->depth, &in_str);
	if (g->depth <= 0 || in_str) {
		g->active = 0;
		if (!g->skipping)
			record(p, g->buf.p, g->buf.len);
	}
}

static void read_input(struct parser *p, int fd, const char *name)
{
	struct ctlines *l = ctlines_new(fd, MAX_RECORD, &p->out);
	struct gather g = { .buf = CTBUF_INIT };
	const char *line;
	size_t len;
	int r;
	p->where = name;
	p->raw_index = p->o.start;
	for (;;) {
		r = ctlines_next(l, &line, &len);
		if (r == 0)
			break;
		p->lineno = ctlines_lineno(l);
		if (r == -3)
			continue; /* a signal: nothing to do here */
		if (r == -1) {
			ct_warn("%s: read error", name);
			p->failed++;
			break;
		}
		if (r == -2 && g.active) {
			if (!g.skipping)
				skip_document(p, &g);
			continue;
		}
		if (r == -2) {
			bad(p, NULL, "record longer than 64 MiB, skipped%s",
			    NULL);
			after_record(p);
			continue;
		}
		feed(p, &g, line, len);
	}
	if (g.active && !g.skipping)
		bad_document(p, &g, "incomplete JSON record at end of input");
	ctbuf_free(&g.buf);
	ctlines_free(l);
}

int main(int argc, char **argv)
{
	struct parser p = { 0 };
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, on_opt, &p.o);
	ctout_init(&p.out, 1);
	p.out.unbuffered = p.o.unbuffered;
	p.chain = chaincache_new(1024);
	if (i == argc) {
		if (isatty(0))
			ct_usage_error("no input: pipe entry records in or "
				       "name files");
		read_input(&p, 0, "stdin");
	}
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			read_input(&p, 0, "stdin");
			continue;
		}
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ct_warn("%s", argv[i]);
			p.failed++;
			continue;
		}
		read_input(&p, fd, argv[i]);
		close(fd);
	}
	if (ctout_flush(&p.out) < 0 || close(1) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	ctout_free(&p.out);
	chaincache_free(p.chain);
	ctx509_free(&p.cert);
	ctbuf_free(&p.leafbuf);
	ctbuf_free(&p.extrabuf);
	ctbuf_free(&p.scratch);
	ctbuf_free(&p.rawnames);
	ctbuf_free(&p.chainjson);
	return p.failed ? CT_EXIT_RUNTIME : CT_EXIT_OK;
}
