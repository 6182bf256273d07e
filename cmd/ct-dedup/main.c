/* ct-dedup: pass NDJSON lines through unless their key was seen within
 * the window. Keys are found without parsing whole lines (lib/ndkey) and
 * held as 16-byte digests in a set of fixed capacity (lib/dedup). */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "cli.h"
#include "dedup.h"
#include "diag.h"
#include "filter.h"
#include "io.h"
#include "ndkey.h"
#include "sig.h"

struct opts {
	const char *key, *state;
	uint64_t ttl, capacity, forget;
	int stats, unbuffered;
};

enum opt_id {
	O_KEY,
	O_TTL,
	O_CAPACITY,
	O_STATE,
	O_STATS,
	O_UNBUFFERED,
	O_FORGET_NEWEST,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_KEY] = { "key", 'k', "KEY", "sha256, tbs, or a dotted JSON path", "sha256" },
	[O_TTL] = { "ttl", 't', "DURATION", "window, e.g. 300s, 10m", "300s" },
	[O_CAPACITY] = { "capacity", 'c', "N", "most keys held", "500000" },
	[O_STATE] = { "state", 's', "FILE", "load the window at start, save it at exit", NULL },
	[O_STATS] = { "stats", 0, NULL, "print the counters on stderr at exit", NULL },
	[O_UNBUFFERED] = { "unbuffered", 'u', NULL, "flush after every line", NULL },
	[O_FORGET_NEWEST] = { "forget-newest", 0, "N", "load the state without its newest N keys (after an unclean stop)", NULL },
};

static const struct ct_cli cli = {
	"[options] [file ...]",
	"Pass NDJSON lines through, dropping those whose key was seen within\n"
	"the window. Lines without the key pass untouched.",
	opt_table, sizeof opt_table / sizeof opt_table[0]
};

static int on_opt(void *ctx, int idx, const char *arg)
{
	struct opts *o = ctx;
	switch (idx) {
	case O_KEY: o->key = arg; break;
	case O_TTL: {
		uint64_t ms = ct_cli_duration_ms("ttl", arg);
		if (ms < 1000 || ms > 3650ULL * 86400 * 1000)
			ct_usage_error("--ttl: '%s' is out of range (1s to "
				       "3650d)", arg);
		o->ttl = ms / 1000;
		break;
	}
	case O_CAPACITY:
		o->capacity = ct_cli_u64("capacity", arg, 1, 1u << 30);
		break;
	case O_STATE: o->state = arg; break;
	case O_STATS: o->stats = 1; break;
	case O_UNBUFFERED: o->unbuffered = 1; break;
	case O_FORGET_NEWEST: o->forget = ct_cli_u64("forget-newest", arg, 0, 1ULL << 32); break;
	}
	return 0;
}

struct run {
	struct opts o;
	struct ctndkey_path path;
	struct ctdedup *set;
	struct ctout out;
	EVP_MD_CTX *md;
	uint64_t unkeyed;
	int failed;
};

static void print_stats(const struct run *r)
{
	struct ctdedup_stats s;
	ctdedup_stats(r->set, &s);
	ct_warnx("seen %llu passed %llu dropped %llu evicted %llu expired "
		 "%llu held %zu unkeyed %llu",
		 (unsigned long long)s.seen, (unsigned long long)s.passed,
		 (unsigned long long)s.dropped, (unsigned long long)s.evicted,
		 (unsigned long long)s.expired, s.held,
		 (unsigned long long)r->unkeyed);
}

static uint32_t now_s(void)
{
	return (uint32_t)time(NULL);
}

static void emit(struct run *r, const char *line, size_t len)
{
	ctbuf_add(&r->out.buf, line, len);
	ctbuf_addc(&r->out.buf, '\n');
	if (ctout_record_end(&r->out) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
}

static void one_line(struct run *r, const char *line, size_t len)
{
	struct ct_bytes v;
	int k = ctndkey_find(line, len, &r->path, &v);
	if (k <= 0) {
		r->unkeyed++;
		emit(r, line, len);
		return;
	}
	uint8_t h[32];
	unsigned hl;
	EVP_DigestInit_ex2(r->md, NULL, NULL);
	EVP_DigestUpdate(r->md, v.p, v.len);
	EVP_DigestFinal_ex(r->md, h, &hl);
	if (ctdedup_offer(r->set, h, now_s()))
		emit(r, line, len);
}

static void on_line(void *ctx, const char *p, size_t n)
{
	one_line(ctx, p, n);
}

static int on_poll(void *ctx)
{
	struct run *r = ctx;
	if (ct_sig_usr1) {
		ct_sig_usr1 = 0;
		print_stats(r);
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

static void load_state(struct run *r)
{
	struct ctbuf b = CTBUF_INIT;
	const char *why;
	if (ctafile_read(r->o.state, (size_t)1 << 34, &b) < 0) {
		if (errno != ENOENT)
			ct_die(CT_EXIT_RUNTIME, "%s", r->o.state);
		ctbuf_free(&b);
		return;
	}
	if (ctdedup_load_forget(r->set, (const uint8_t *)b.p, b.len, now_s(),
				(size_t)r->o.forget, &why) < 0)
		ct_warnx("%s: %s; starting with an empty window", r->o.state,
			 why);
	ctbuf_free(&b);
}

static void save_state(struct run *r)
{
	struct ctbuf b = CTBUF_INIT;
	ctdedup_save(r->set, &b);
	if (ctafile_write(r->o.state, b.p, b.len) < 0) {
		ct_warn("%s: cannot save the window", r->o.state);
		r->failed = 1;
	}
	ctbuf_free(&b);
}

int main(int argc, char **argv)
{
	struct run r = { 0 };
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, on_opt, &r.o);
	const char *path = !strcmp(r.o.key, "sha256") ? "data.leaf_cert.sha256"
			   : !strcmp(r.o.key, "tbs") ? "data.leaf_cert.tbs_sha256"
						     : r.o.key;
	if (ctndkey_compile(&r.path, path) < 0)
		ct_usage_error("--key: '%s' is not a dotted path", r.o.key);
	r.set = ctdedup_new(r.o.capacity, (uint32_t)r.o.ttl);
	r.md = EVP_MD_CTX_new();
	if (!r.set || !r.md || !EVP_DigestInit_ex2(r.md, EVP_sha256(), NULL))
		ct_diex(CT_EXIT_RUNTIME, "out of memory for %llu keys",
			(unsigned long long)r.o.capacity);
	if (r.o.state)
		load_state(&r);
	ct_sig_setup(0, -1);
	ctout_init(&r.out, 1);
	r.out.unbuffered = r.o.unbuffered;
	struct ctfilter f = { (size_t)64 << 20, &r.out, &r, on_line, on_poll,
			      on_problem };
	ctfilter_run(&f, argv + i, argc - i);
	if (ctout_flush(&r.out) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	if (r.o.state)
		save_state(&r);
	if (r.o.stats)
		print_stats(&r);
	if (close(1) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	ctout_free(&r.out);
	ctdedup_free(r.set);
	EVP_MD_CTX_free(r.md);
	return r.failed ? CT_EXIT_RUNTIME : CT_EXIT_OK;
}
