/* ct-match: keep the certificate records whose domains match a
 * watchlist (lib/watch); the list is reloaded on SIGHUP. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "cli.h"
#include "diag.h"
#include "filter.h"
#include "io.h"
#include "json.h"
#include "ndkey.h"
#include "sig.h"
#include "watch.h"

#define MAXLISTS 64

struct opts {
	const char *files[MAXLISTS], *items[MAXLISTS];
	size_t nfiles, nitems;
	const char *field;
	int invert, count, annotate, unbuffered;
};

enum opt_id {
	O_FILE,
	O_WATCH,
	O_FIELD,
	O_INVERT,
	O_COUNT,
	O_ANNOTATE,
	O_UNBUFFERED,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_FILE] = { "file", 'f', "FILE", "watchlist file, one item per line (repeatable)", NULL },
	[O_WATCH] = { "watch", 'e', "ITEM", "one watch item (repeatable)", NULL },
	[O_FIELD] = { "field", 0, "PATH", "array of names to match (domains-only records too by default)",
		      "data.leaf_cert.all_domains" },
	[O_INVERT] = { "invert", 'v', NULL, "keep the records that do not match", NULL },
	[O_COUNT] = { "count", 'c', NULL, "print only the number of records kept", NULL },
	[O_ANNOTATE] = { "annotate", 'a', NULL, "add the matching item and name to each record", NULL },
	[O_UNBUFFERED] = { "unbuffered", 'u', NULL, "flush after every record", NULL },
};

static const struct ct_cli cli = {
	"[options] -f FILE | -e ITEM ... [file ...]",
	"Keep the certificate records whose domains match a watchlist:\n"
	"example.com (that name), .example.com (it and every name under it).",
	opt_table, sizeof opt_table / sizeof opt_table[0]
};

static int on_opt(void *ctx, int idx, const char *arg)
{
	struct opts *o = ctx;
	switch (idx) {
	case O_FILE:
		if (o->nfiles == MAXLISTS)
			ct_usage_error("too many --file options");
		o->files[o->nfiles++] = arg;
		break;
	case O_WATCH:
		if (o->nitems == MAXLISTS)
			ct_usage_error("too many --watch options (use --file)");
		o->items[o->nitems++] = arg;
		break;
	case O_FIELD: o->field = arg; break;
	case O_INVERT: o->invert = 1; break;
	case O_COUNT: o->count = 1; break;
	case O_ANNOTATE: o->annotate = 1; break;
	case O_UNBUFFERED: o->unbuffered = 1; break;
	}
	return 0;
}

/* Build a watchlist from the options; NULL (after saying why) if any
 * item or file is bad. */
static struct ctwatch *load_list(const struct opts *o)
{
	struct ctwatch *w = ctwatch_new();
	char err[160];
	int bad = 0;
	for (size_t i = 0; i < o->nitems; i++)
		if (ctwatch_add(w, o->items[i], strlen(o->items[i]), err,
				sizeof err) < 0) {
			ct_warnx("--watch '%s': %s", o->items[i], err);
			bad = 1;
		}
	for (size_t f = 0; f < o->nfiles; f++) {
		struct ctbuf b = CTBUF_INIT;
		if (ctafile_read(o->files[f], (size_t)1 << 32, &b) < 0) {
			ct_warn("%s", o->files[f]);
			bad = 1;
			continue;
		}
		unsigned long lineno = 0;
		for (size_t at = 0; at < b.len;) {
			const char *s = b.p + at;
			const char *nl = memchr(s, '\n', b.len - at);
			size_t n = nl ? (size_t)(nl - s) : b.len - at;
			at += n + 1;
			lineno++;
			const char *hash = memchr(s, '#', n);
			if (hash)
				n = (size_t)(hash - s); /* comment */
			size_t k = 0;
			while (k < n && (s[k] == ' ' || s[k] == '\t' ||
					 s[k] == '\r'))
				k++;
			if (k == n)
				continue;
			if (ctwatch_add(w, s, n, err, sizeof err) < 0) {
				ct_warnx("%s:%lu: %s", o->files[f], lineno,
					 err);
				bad = 1;
			}
		}
		ctbuf_free(&b);
	}
	if (bad) {
		ctwatch_free(w);
		return NULL;
	}
	return w;
}

struct run {
	struct opts o;
	struct ctwatch *w;
	struct ctndkey_path path, alt;
	struct ctout out;
	struct ctbuf name;
	unsigned long long kept;
	int failed;
};

/* The first matching (item, name) of a record, or -1. */
static long match_line(struct run *r, const char *line, size_t len,
		       struct ctjson_val *name)
{
	struct ct_bytes v;
	int k = ctndkey_find(line, len, &r->path, &v);
	if (k != CTNDKEY_OTHER && r->o.field == opt_table[O_FIELD].def)
		k = ctndkey_find(line, len, &r->alt, &v); /* dns_entries */
	if (k != CTNDKEY_OTHER)
		return -1;
	struct ctjson_val arr, key, el;
	if (ctjson_parse((const char *)v.p, v.len, &arr) < 0 ||
	    arr.type != CTJSON_ARRAY)
		return -1;
	struct ctjson_iter it;
	ctjson_iter_init(&it, &arr);
	while (ctjson_next(&it, &key, &el) > 0) {
		if (el.type != CTJSON_STRING)
			continue;
		const char *s = el.p;
		size_t n = el.len;
		if (el.escaped) {
			ctbuf_reset(&r->name);
			ctjson_unescape(&el, &r->name);
			s = r->name.p;
			n = r->name.len;
		}
		long m = ctwatch_match(r->w, s, n);
		if (m >= 0) {
			*name = el;
			return m;
		}
	}
	return -1;
}

static void one_line(struct run *r, const char *line, size_t len)
{
	struct ctjson_val name = { CTJSON_INVALID, "", 0, 0 };
	long m = match_line(r, line, len, &name);
	if ((m >= 0) == r->o.invert)
		return;
	r->kept++;
	if (r->o.count)
		return;
	struct ctbuf *b = &r->out.buf;
	size_t i = 0;
	while (i < len && line[i] != '{')
		i++;
	if (r->o.annotate && m >= 0 && i < len) {
		CTBUF_LIT(b, "{\"match\":{\"watch\":");
		ctjson_strz(b, ctwatch_item(r->w, m));
		CTBUF_LIT(b, ",\"name\":\"");
		ctbuf_add(b, name.p, name.len); /* valid JSON as it stood */
		CTBUF_LIT(b, "\"},");
		ctbuf_add(b, line + i + 1, len - i - 1);
	} else {
		ctbuf_add(b, line, len);
	}
	ctbuf_addc(b, '\n');
	if (ctout_record_end(&r->out) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
}

static void reload(struct run *r)
{
	struct ctwatch *w = load_list(&r->o);
	if (!w) {
		ct_warnx("reload failed; keeping the previous watchlist");
		return;
	}
	ctwatch_free(r->w);
	r->w = w;
	ct_warnx("watchlist reloaded: %zu items", ctwatch_count(w));
}

static void on_line(void *ctx, const char *p, size_t n)
{
	one_line(ctx, p, n);
}

static int on_poll(void *ctx)
{
	struct run *r = ctx;
	if (ct_sig_hup) {
		ct_sig_hup = 0;
		reload(r);
	}
	return ct_sig_stop;
}

static void on_problem(void *ctx, int what, const char *file,
		       unsigned long lineno)
{
	struct run *r = ctx;
	r->failed = 1;
	ct_warn_filter(what, file, lineno);
}

int main(int argc, char **argv)
{
	struct run r = { 0 };
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, on_opt, &r.o);
	if (!r.o.nfiles && !r.o.nitems)
		ct_usage_error("no watchlist: give --file FILE or --watch ITEM");
	if (ctndkey_compile(&r.path, r.o.field) < 0)
		ct_usage_error("--field: '%s' is not a dotted path", r.o.field);
	ctndkey_compile(&r.alt, "data");
	r.w = load_list(&r.o);
	if (!r.w)
		exit(CT_EXIT_USAGE);
	ct_sig_setup(0, -1);
	ctout_init(&r.out, 1);
	r.out.unbuffered = r.o.unbuffered;
	struct ctfilter f = { (size_t)64 << 20, &r.out, &r, on_line, on_poll,
			      on_problem };
	ctfilter_run(&f, argv + i, argc - i);
	if (r.o.count) {
		ctbuf_addu64(&r.out.buf, r.kept);
		ctbuf_addc(&r.out.buf, '\n');
	}
	if (ctout_flush(&r.out) < 0 || close(1) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	ctout_free(&r.out);
	ctbuf_free(&r.name);
	ctwatch_free(r.w);
	return r.failed ? CT_EXIT_RUNTIME : CT_EXIT_OK;
}
