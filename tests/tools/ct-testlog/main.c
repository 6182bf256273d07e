/* ct-testlog: a CT log for tests, on 127.0.0.1 only. One Merkle tree,
 * served both as RFC 6962 (get-sth, get-entries, get-sth-consistency,
 * get-proof-by-hash, get-roots) and as the static-ct-api (checkpoint,
 * tile/<L>/<N>, tile/data/<N>, partial tiles, optional gzip, issuer/),
 * signed with an ECDSA P-256 key, growing at a set rate, with faults
 * injected on request (per endpoint, every Nth request).
 *
 * Entries are made from templates (get-entries files or entry records,
 * e.g. real CT data or certificates made with openssl): entry i is
 * template i mod T with its timestamp set to base + i ms, so all entries
 * differ and the tree needs only 32 bytes per entry (plus ~32 for the
 * levels above). Without templates entries are small synthetic x509
 * entries. Single-threaded, on lib/evloop; a stalled or delayed response
 * does not hold up other connections.
 *
 * Prints the port it bound on standard output (port 0 = any). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "afile.h"
#include "b64.h"
#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "diag.h"
#include "evloop.h"
#include "httpd.h"
#include "json.h"
#include "leaf.h"
#include "mem.h"
#include "merkle.h"
#include "net.h"
#include "sig.h"
#include "sth.h"
#include "tile.h"

/* ---- options ----------------------------------------------------------- */

enum opt_id {
	O_LISTEN,
	O_SIZE,
	O_GROW,
	O_MAX_SIZE,
	O_ENTRIES,
	O_MAX_PAGE,
	O_KEY,
	O_ORIGIN,
	O_PREFIX,
	O_GZIP,
	O_FAULT,
	O_LOGS_OUT,
	O_NAME,
	O_TS_BASE,
	O_NO_LOG,
	O_ALIGN,
	O_TS_NOW,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_LISTEN] = { "listen", 'l', "ADDR:PORT", "where to listen (port 0: any free one)", "127.0.0.1:0" },
	[O_SIZE] = { "size", 'n', "N", "entries at start", "1000" },
	[O_GROW] = { "grow", 'g', "PER_S", "entries added per second", "0" },
	[O_MAX_SIZE] = { "max-size", 0, "N", "stop growing at N entries", NULL },
	[O_ENTRIES] = { "entries", 'e', "FILE", "entry templates: get-entries JSON or entry records (repeatable)", NULL },
	[O_MAX_PAGE] = { "max-page", 'p', "N", "most entries per get-entries", "256" },
	[O_KEY] = { "key", 'k', "PEM", "private key (none: a new P-256 key)", NULL },
	[O_ORIGIN] = { "origin", 0, "ORIGIN", "checkpoint origin (none: 127.0.0.1:PORT)", NULL },
	[O_PREFIX] = { "prefix", 0, "PATH", "serve the log under PATH, e.g. /logs/test", NULL },
	[O_GZIP] = { "gzip", 'z', NULL, "gzip data tiles (Content-Encoding: gzip)", NULL },
	[O_FAULT] = { "fault", 'f', "SPEC", "ENDPOINT:KIND[:EVERY[:ARG]] (repeatable; see --help)", NULL },
	[O_LOGS_OUT] = { "logs-out", 'o', "FILE", "write its log records (rfc6962 and static) to FILE", NULL },
	[O_NAME] = { "name", 0, "NAME", "log name in the records", "testlog" },
	[O_TS_BASE] = { "ts-base", 0, "MS", "timestamp of entry 0", "1767225600000" },
	[O_NO_LOG] = { "no-log", 'q', NULL, "do not log requests to stderr", NULL },
	[O_TS_NOW] = { "ts-now", 0, NULL, "stamp each entry the log adds with the wall-clock time it was added (--grow)", NULL },
	[O_ALIGN] = { "align", 0, NULL, "end each page on a multiple of --max-page, as CTFE/Trillian logs do", NULL },
};

static const struct ct_cli cli = {
	"[options]",
	"A Certificate Transparency log for tests: one tree over RFC 6962 and\n"
	"the static-ct-api, on 127.0.0.1, with faults on request. Prints its port.\n"
	"Endpoints for faults: get-sth get-entries get-sth-consistency\n"
	"get-proof-by-hash get-roots checkpoint tile data issuer any. Kinds:\n"
	"latency(ARG ms) 429(ARG s Retry-After) 400 404 500 503 reset truncate\n"
	"garbage short(ARG entries) shrink(ARG entries) badsig othertree\n"
	"badentry nopartial stall(ARG ms) gzipbad oversize wrongcount.\n"
	"EVERY: N fires on every Nth request (default 1), NxK at most K times.\n"
	"Control: GET /ctl/fault?spec=SPEC, /ctl/clear, /ctl/grow?n=N, /ctl/stats.",
	opt_table, sizeof opt_table / sizeof opt_table[0]
};

enum ep { EP_STH, EP_ENTRIES, EP_CONS, EP_PROOF, EP_ROOTS, EP_CHECKPOINT,
	  EP_TILE, EP_DATA, EP_ISSUER, EP_CTL, EP_OTHER, EP_ANY, EP_N };
static const char *const ep_names[EP_N] = { "get-sth", "get-entries",
	"get-sth-consistency", "get-proof-by-hash", "get-roots", "checkpoint",
	"tile", "data", "issuer", "ctl", "other", "any" };

enum kind { K_LATENCY, K_429, K_400, K_404, K_500, K_503, K_RESET,
	    K_TRUNCATE, K_GARBAGE, K_SHORT, K_SHRINK, K_BADSIG, K_OTHERTREE,
	    K_BADENTRY, K_NOPARTIAL, K_STALL, K_GZIPBAD, K_OVERSIZE,
	    K_WRONGCOUNT, K_N };
static const char *const kind_names[K_N] = { "latency", "429", "400", "404",
	"500", "503", "reset", "truncate", "garbage", "short", "shrink",
	"badsig", "othertree", "badentry", "nopartial", "stall", "gzipbad",
	"oversize", "wrongcount" };

struct fault {
	int ep, kind;
	uint64_t every, max, fired;
	long arg;
};

struct tmpl {
	uint8_t *leaf, *extra, *tail; /* tail: TileLeaf after the entry */
	size_t llen, elen, tlen;
	struct ctbuf eb64;	      /* base64 of extra_data */
};

struct issuer {
	uint8_t fp[32];
	uint8_t *der;
	size_t len;
	int root;
};

static struct {
	const char *listen, *key, *origin_opt, *logs_out, *name;
	char prefix[200], origin[CTSTH_MAXORIGIN];
	uint64_t size0, max_size, max_page, ts_base;
	double grow;
	int gzip, quiet, align, ts_now;
	uint64_t wall_t0;	/* --ts-now: the wall clock at t0, in ms */
	struct fault faults[64];
	size_t nfaults;
	struct tmpl *t;
	size_t nt;
	struct issuer *iss;
	size_t niss;
	uint64_t count[EP_N];
	int64_t t0;
} g = { .max_size = UINT64_MAX }; /* the other defaults: opt_table */

static int64_t now_ms(void)
{
	return ct_now_ms();
}

static int add_fault(const char *spec)
{
	char s[200], *f[4] = { 0 };
	snprintf(s, sizeof s, "%s", spec);
	int n = 0;
	for (char *p = s; n < 4 && p; n++) {
		f[n] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	struct fault ft = { .ep = -1, .kind = -1, .every = 1 };
	for (int i = 0; i < EP_N; i++)
		if (f[0] && !strcmp(f[0], ep_names[i]))
			ft.ep = i;
	for (int i = 0; i < K_N; i++)
		if (f[1] && !strcmp(f[1], kind_names[i]))
			ft.kind = i;
	if (ft.ep < 0 || ft.kind < 0 || g.nfaults == 64)
		return -1;
	if (f[2]) {
		char *e;
		ft.every = strtoull(f[2], &e, 10);
		if (*e == 'x')
			ft.max = strtoull(e + 1, &e, 10);
		if (*e || !ft.every)
			return -1;
	}
	if (f[3]) {
		char *e;
		ft.arg = strtol(f[3], &e, 10);
		if (*e)
			return -1;
	}
	g.faults[g.nfaults++] = ft;
	return 0;
}

static int on_opt(void *ctx, int idx, const char *arg)
{
	(void)ctx;
	switch (idx) {
	case O_LISTEN: g.listen = arg; break;
	case O_SIZE: g.size0 = ct_cli_u64("size", arg, 0, 1ULL << 40); break;
	case O_GROW: g.grow = (double)ct_cli_u64("grow", arg, 0, 10000000); break;
	case O_MAX_SIZE: g.max_size = ct_cli_u64("max-size", arg, 0, 1ULL << 40); break;
	case O_ENTRIES: break; /* collected in order by main */
	case O_MAX_PAGE: g.max_page = ct_cli_u64("max-page", arg, 1, 100000); break;
	case O_KEY: g.key = arg; break;
	case O_ORIGIN: g.origin_opt = arg; break;
	case O_PREFIX: snprintf(g.prefix, sizeof g.prefix, "%s", arg); break;
	case O_GZIP: g.gzip = 1; break;
	case O_FAULT:
		if (add_fault(arg) < 0)
			ct_usage_error("--fault %s: want ENDPOINT:KIND[:EVERY[:ARG]]", arg);
		break;
	case O_LOGS_OUT: g.logs_out = arg; break;
	case O_NAME: g.name = arg; break;
	case O_TS_BASE: g.ts_base = ct_cli_u64("ts-base", arg, 0, 1ULL << 50); break;
	case O_NO_LOG: g.quiet = 1; break;
	case O_ALIGN: g.align = 1; break;
	case O_TS_NOW: g.ts_now = 1; break;
	}
	return 0;
}

/* ---- templates --------------------------------------------------------- */

static void add_issuer(const uint8_t *der, size_t len, int root)
{
	uint8_t fp[32];
	SHA256(der, len, fp);
	for (size_t i = 0; i < g.niss; i++)
		if (!memcmp(g.iss[i].fp, fp, 32)) {
			g.iss[i].root |= root;
			return;
		}
	g.iss = ct_xrealloc(g.iss, (g.niss + 1) * sizeof *g.iss);
	struct issuer *s = &g.iss[g.niss++];
	memcpy(s->fp, fp, 32);
	s->der = ct_xmalloc(len);
	memcpy(s->der, der, len);
	s->len = len;
	s->root = root;
}

static void add_template(const uint8_t *leaf, size_t llen, const uint8_t *extra,
			 size_t elen, const char *where)
{
	struct ctleaf l;
	struct ctchain c;
	const char *err;
	if (ctleaf_parse(leaf, llen, &l, &err) < 0 ||
	    ctleaf_parse_extra(extra, elen, l.entry_type, &c, &err) < 0)
		ct_diex(1, "%s: not a usable entry: %s", where, err);
	struct ctbuf tile = CTBUF_INIT;
	if (ctleaf_tile_encode(&tile, leaf, llen, extra, elen, &err) < 0)
		ct_diex(1, "%s: %s", where, err);
	for (size_t i = 0; i < c.n; i++)
		add_issuer(c.certs[i].p, c.certs[i].len, i + 1 == c.n);
	g.t = ct_xrealloc(g.t, (g.nt + 1) * sizeof *g.t);
	struct tmpl *t = &g.t[g.nt++];
	memset(t, 0, sizeof *t);
	t->leaf = ct_xmalloc(llen);
	memcpy(t->leaf, leaf, llen);
	t->llen = llen;
	t->extra = ct_xmalloc(elen + 1);
	memcpy(t->extra, extra, elen);
	t->elen = elen;
	t->tlen = tile.len - (llen - 2);
	t->tail = ct_xmalloc(t->tlen + 1);
	memcpy(t->tail, tile.p + (llen - 2), t->tlen);
	ctb64_encode(&t->eb64, extra, elen);
	ctbuf_free(&tile);
}

static void add_b64_entry(const struct ctjson_val *li, const struct ctjson_val *ed,
			  const char *where)
{
	if (li->type != CTJSON_STRING || ed->type != CTJSON_STRING)
		ct_diex(1, "%s: an entry without leaf_input and extra_data", where);
	uint8_t *a = ct_xmalloc(CTB64_DECODED_MAX(li->len) + 1);
	uint8_t *b = ct_xmalloc(CTB64_DECODED_MAX(ed->len) + 1);
	long al = ctb64_decode(li->p, li->len, a), bl = ctb64_decode(ed->p, ed->len, b);
	if (al < 0 || bl < 0)
		ct_diex(1, "%s: an entry that is not base64", where);
	add_template(a, (size_t)al, b, (size_t)bl, where);
	free(a);
	free(b);
}

static void load_templates(const char *path)
{
	struct ctbuf b = CTBUF_INIT;
	if (ctafile_read(path, (size_t)1 << 30, &b) < 0)
		ct_die(1, "%s", path);
	struct ctjson_val root, arr, k, e, li, ed;
	if (ctjson_parse(b.p, b.len, &root) == 0 &&
	    ctjson_member(&root, "entries", &arr) == 1) {
		struct ctjson_iter it;
		ctjson_iter_init(&it, &arr);
		while (ctjson_next(&it, &k, &e) > 0) {
			if (ctjson_member(&e, "leaf_input", &li) != 1 ||
			    ctjson_member(&e, "extra_data", &ed) != 1)
				ct_diex(1, "%s: an entry without leaf_input", path);
			add_b64_entry(&li, &ed, path);
		}
	} else { /* entry records, one per line */
		const char *p = b.p, *end = b.p + b.len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (len) {
				if (ctjson_parse(p, len, &e) < 0 ||
				    ctjson_member(&e, "leaf_input", &li) != 1 ||
				    ctjson_member(&e, "extra_data", &ed) != 1)
					ct_diex(1, "%s: neither get-entries JSON nor entry records",
						path);
				add_b64_entry(&li, &ed, path);
			}
			p += len + 1;
		}
	}
	ctbuf_free(&b);
}

static void synthetic_templates(void)
{
	/* three small x509 entries with two issuers: enough for every API */
	static const char *const iss[] = { "synthetic-intermediate", "synthetic-root" };
	for (int i = 0; i < 3; i++) {
		char cert[32];
		int cl = snprintf(cert, sizeof cert, "cert-%d", i);
		struct ctleaf l = { .timestamp = 0, .entry_type = CTLEAF_X509 };
		l.cert.p = (const uint8_t *)cert;
		l.cert.len = (size_t)cl;
		struct ctchain c = { .n = 2 };
		for (int k = 0; k < 2; k++) {
			c.certs[k].p = (const uint8_t *)iss[k];
			c.certs[k].len = strlen(iss[k]);
		}
		struct ctbuf a = CTBUF_INIT, b = CTBUF_INIT;
		const char *err;
		if (ctleaf_encode(&a, &l, &err) < 0 ||
		    ctleaf_encode_extra(&b, CTLEAF_X509, &c, &err) < 0)
			ct_diex(1, "synthetic entry: %s", err);
		add_template((const uint8_t *)a.p, a.len, (const uint8_t *)b.p, b.len,
			     "synthetic");
		ctbuf_free(&a);
		ctbuf_free(&b);
	}
}

/* The MerkleTreeLeaf of entry i: its template with timestamp base + i. */
static const struct tmpl *entry_leaf(uint64_t i, uint8_t *buf, size_t cap,
				     size_t *len)
{
	const struct tmpl *t = &g.t[i % g.nt];
	uint64_t ts = g.ts_base + i;
	if (g.ts_now) /* when published() let it in: latency benches */
		ts = i < g.size0 || g.grow <= 0 ? g.wall_t0
			: g.wall_t0 + (uint64_t)((double)(i - g.size0 + 1) *
						 1000.0 / g.grow);
	if (t->llen > cap)
		abort();
	memcpy(buf, t->leaf, t->llen);
	for (int k = 0; k < 8; k++)
		buf[2 + k] = (uint8_t)(ts >> (56 - 8 * k));
	*len = t->llen;
	return t;
}

/* ---- the tree ------------------------------------------------------------ */

static struct {
	uint64_t n;
	uint8_t *lv[48];
	uint64_t cap[48];
	uint8_t *scratch;
	size_t scap;
} tr;

static uint8_t *node(int level, uint64_t i)
{
	return tr.lv[level] + i * CTM_HASH;
}

static void tree_append(const uint8_t h[CTM_HASH])
{
	uint64_t n = tr.n + 1;
	for (int k = 0;; k++) {
		uint64_t cnt = n >> k;
		if (cnt > tr.cap[k]) {
			tr.cap[k] = tr.cap[k] ? tr.cap[k] * 2 : 1024;
			tr.lv[k] = ct_xrealloc(tr.lv[k], tr.cap[k] * CTM_HASH);
		}
		if (k == 0)
			memcpy(node(0, cnt - 1), h, CTM_HASH);
		else
			ctm_node_hash(node(k - 1, 2 * (cnt - 1)), node(k - 1, 2 * cnt - 1),
				      node(k, cnt - 1));
		if (n & ((uint64_t)1 << k))
			break;
	}
	tr.n = n;
}

static uint64_t published(void)
{
	double add = g.grow * (double)(now_ms() - g.t0) / 1000.0;
	uint64_t s = g.size0 + (uint64_t)add;
	return s < g.max_size ? s : g.max_size;
}

static void tree_grow(void)
{
	uint64_t want = published();
	static uint8_t buf[1 << 16];
	uint8_t *big = NULL;
	while (tr.n < want) {
		const struct tmpl *t = &g.t[tr.n % g.nt];
		uint8_t *b = t->llen <= sizeof buf ? buf : (big = ct_xrealloc(big, t->llen));
		size_t len;
		entry_leaf(tr.n, b, t->llen, &len);
		uint8_t h[CTM_HASH];
		ctm_leaf_hash(b, len, h);
		tree_append(h);
	}
	free(big);
}

static uint64_t split(uint64_t n)
{
	uint64_t k = 1;
	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* MTH(D[lo:hi]); lo is always aligned to the subtrees asked for. */
static void mth(uint64_t lo, uint64_t hi, uint8_t out[CTM_HASH])
{
	uint64_t n = hi - lo;
	if (n == 0) {
		SHA256((const uint8_t *)"", 0, out);
		return;
	}
	if (!(n & (n - 1))) {
		int k = __builtin_ctzll(n);
		memcpy(out, node(k, lo >> k), CTM_HASH);
		return;
	}
	uint64_t k = split(n);
	uint8_t l[CTM_HASH], r[CTM_HASH];
	mth(lo, lo + k, l);
	mth(lo + k, hi, r);
	ctm_node_hash(l, r, out);
}

/* Append h to a JSON list of base64 hashes being built in b. */
static void json_hash(struct ctbuf *b, const uint8_t h[CTM_HASH])
{
	if (b->len)
		ctbuf_addc(b, ',');
	ctbuf_addc(b, '"');
	ctb64_encode(b, h, CTM_HASH);
	ctbuf_addc(b, '"');
}

static void path(uint64_t m, uint64_t lo, uint64_t hi, struct ctbuf *b)
{
	if (hi - lo <= 1)
		return;
	uint64_t k = split(hi - lo);
	uint8_t h[CTM_HASH];
	if (m < k) {
		path(m, lo, lo + k, b);
		mth(lo + k, hi, h);
	} else {
		path(m - k, lo + k, hi, b);
		mth(lo, lo + k, h);
	}
	json_hash(b, h);
}

static void subproof(uint64_t m, uint64_t lo, uint64_t hi, int whole,
		     struct ctbuf *b)
{
	uint8_t h[CTM_HASH];
	if (m == hi - lo) {
		if (whole)
			return;
		mth(lo, hi, h);
	} else {
		uint64_t k = split(hi - lo);
		if (m <= k) {
			subproof(m, lo, lo + k, whole, b);
			mth(lo + k, hi, h);
		} else {
			subproof(m - k, lo + k, hi, 0, b);
			mth(lo, lo + k, h);
		}
	}
	json_hash(b, h);
}

/* ---- keys and heads ------------------------------------------------------- */

static EVP_PKEY *pkey;
static uint8_t log_id[32];
static struct ctbuf spki_b64;

static void setup_key(void)
{
	if (g.key) {
		FILE *f = fopen(g.key, "r");
		if (!f)
			ct_die(1, "%s", g.key);
		pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (!pkey)
			ct_diex(1, "%s: not a PEM private key", g.key);
	} else {
		pkey = EVP_EC_gen("P-256");
		if (!pkey)
			ct_diex(1, "cannot make a P-256 key");
	}
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pkey, &der);
	if (n <= 0)
		ct_diex(1, "cannot encode the public key");
	SHA256(der, (size_t)n, log_id);
	ctb64_encode(&spki_b64, der, (size_t)n);
	OPENSSL_free(der);
}

/* The signed head at size, as the faults want it. */
static void head(uint64_t size, int badsig, int othertree, struct ctsth *s)
{
	memset(s, 0, sizeof *s);
	s->size = size;
	s->timestamp = (uint64_t)time(NULL) * 1000;
	mth(0, size, s->root);
	if (othertree)
		s->root[31] ^= 0x5a;
	snprintf(s->origin, sizeof s->origin, "%s", g.origin);
	if (ctsth_sign(s, pkey) < 0)
		ct_diex(1, "signing failed");
	if (badsig)
		s->sig[s->siglen - 3] ^= 0x10;
}

/* ---- connections ---------------------------------------------------------- */

struct conn {
	struct ctev_io io; /* first: the loop's callback gets &c->io */
	uint64_t timer;	   /* a delayed response's, or 0 */
	char in[16384];
	size_t inlen;
	struct ctbuf out;
	size_t off;
	int64_t ready_ms;
	int close_after, reset;
};

static struct conn *conns[1024];
static size_t nconns;

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static void respond(struct conn *c, int code, const char *ctype, const void *body,
		    size_t len, const char *extra)
{
	ctbuf_printf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
			      "Content-Length: %zu\r\n%s\r\n",
		     code, reason(code), ctype, len, extra ? extra : "");
	ctbuf_add(&c->out, body, len);
}

static void error_reply(struct conn *c, int code, const char *msg)
{
	respond(c, code, "text/plain", msg, strlen(msg), NULL);
}

static int query_u64(const struct cthttp_req *r, const char *k, uint64_t *v)
{
	size_t n;
	const char *p = cthttp_query(r->target, r->tlen, k, &n);
	if (!p || !n || n > 19)
		return -1;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return 0;
}

static void gzip_into(struct ctbuf *out, const void *p, size_t n)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	size_t cap = deflateBound(&z, (uLong)n) + 32;
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)ctbuf_room(out, cap);
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	ctbuf_commit(out, cap - z.avail_out);
	deflateEnd(&z);
}

static struct fault *fires(int ep)
{
	g.count[ep]++;
	for (size_t i = 0; i < g.nfaults; i++) {
		struct fault *f = &g.faults[i];
		if ((f->ep != ep && f->ep != EP_ANY) || (f->max && f->fired >= f->max))
			continue;
		uint64_t n = f->ep == EP_ANY ? g.count[ep] : g.count[ep];
		if (n % f->every)
			continue;
		f->fired++;
		return f;
	}
	return NULL;
}

static void get_entries(struct conn *c, const struct cthttp_req *r, uint64_t size,
			struct fault *f)
{
	uint64_t start, end;
	if (query_u64(r, "start", &start) < 0 || query_u64(r, "end", &end) < 0 ||
	    end < start || start >= size) {
		error_reply(c, 400, "bad start/end\n");
		return;
	}
	uint64_t last = start + g.max_page - 1;
	if (g.align) /* CTFE: a page ends where an aligned one would */
		last = (start / g.max_page + 1) * g.max_page - 1;
	if (f && f->kind == K_SHORT)
		last = start + (uint64_t)(f->arg > 0 ? f->arg : 1) - 1;
	if (last > end)
		last = end;
	if (last >= size)
		last = size - 1;
	struct ctbuf b = CTBUF_INIT;
	static uint8_t buf[1 << 16];
	CTBUF_LIT(&b, "{\"entries\":[");
	for (uint64_t i = start; i <= last; i++) {
		size_t len;
		const struct tmpl *t = &g.t[i % g.nt];
		uint8_t *lb = t->llen <= sizeof buf ? buf : ct_xmalloc(t->llen);
		entry_leaf(i, lb, t->llen, &len);
		if (f && f->kind == K_BADENTRY && i == last)
			lb[0] = 7; /* an unknown leaf version */
		if (i > start)
			ctbuf_addc(&b, ',');
		CTBUF_LIT(&b, "{\"leaf_input\":\"");
		ctb64_encode(&b, lb, len);
		CTBUF_LIT(&b, "\",\"extra_data\":\"");
		ctbuf_add(&b, t->eb64.p, t->eb64.len);
		CTBUF_LIT(&b, "\"}");
		if (lb != buf)
			free(lb);
	}
	CTBUF_LIT(&b, "]}");
	respond(c, 200, "application/json", b.p, b.len, NULL);
	ctbuf_free(&b);
}

static void tile(struct conn *c, int level, uint64_t n, unsigned w, uint64_t size,
		 struct fault *f)
{
	/* hashes at this level: floor(size / 256^level) for hash tiles,
	 * size for data tiles */
	int h = level == CTTILE_DATA ? 0 : 8 * level;
	uint64_t have = h >= 64 ? 0 : size >> h;
	uint64_t first = n * CTTILE_WIDTH;
	if (first + w > have || (w < CTTILE_WIDTH && f && f->kind == K_NOPARTIAL)) {
		error_reply(c, 404, "no such tile\n");
		return;
	}
	struct ctbuf b = CTBUF_INIT;
	if (level != CTTILE_DATA) {
		for (uint64_t i = first; i < first + w; i++)
			ctbuf_add(&b, node(h, i), CTM_HASH);
		respond(c, 200, "application/octet-stream", b.p, b.len, NULL);
		ctbuf_free(&b);
		return;
	}
	uint64_t count = w;
	if (f && f->kind == K_WRONGCOUNT)
		count--;
	static uint8_t buf[1 << 16];
	for (uint64_t i = first; i < first + count; i++) {
		size_t len;
		const struct tmpl *t = &g.t[i % g.nt];
		uint8_t *lb = t->llen <= sizeof buf ? buf : ct_xmalloc(t->llen);
		entry_leaf(i, lb, t->llen, &len);
		ctbuf_add(&b, lb + 2, len - 2);
		ctbuf_add(&b, t->tail, t->tlen);
		if (lb != buf)
			free(lb);
	}
	if (f && f->kind == K_OVERSIZE) {
		size_t pad = (size_t)64 << 20; /* far more than 256 leaves */
		memset(ctbuf_room(&b, pad), 0, pad);
		ctbuf_commit(&b, pad);
	}
	if (g.gzip || (f && f->kind == K_GZIPBAD)) {
		struct ctbuf z = CTBUF_INIT;
		gzip_into(&z, b.p, b.len);
		if (f && f->kind == K_GZIPBAD && z.len > 20)
			z.p[z.len / 2] ^= 0x55;
		respond(c, 200, "application/octet-stream", z.p, z.len,
			"Content-Encoding: gzip\r\n");
		ctbuf_free(&z);
	} else {
		respond(c, 200, "application/octet-stream", b.p, b.len, NULL);
	}
	ctbuf_free(&b);
}

static void ctl(struct conn *c, const struct cthttp_req *r, const char *p, size_t len)
{
	struct ctbuf b = CTBUF_INIT;
	if (len >= 9 && !memcmp(p, "ctl/fault", 9)) {
		size_t n;
		const char *v = cthttp_query(r->target, r->tlen, "spec", &n);
		char spec[200];
		snprintf(spec, sizeof spec, "%.*s", (int)(v ? n : 0), v ? v : "");
		if (!v || add_fault(spec) < 0) {
			error_reply(c, 400, "bad spec\n");
			return;
		}
		error_reply(c, 200, "ok\n");
	} else if (len >= 9 && !memcmp(p, "ctl/clear", 9)) {
		g.nfaults = 0;
		error_reply(c, 200, "ok\n");
	} else if (len >= 8 && !memcmp(p, "ctl/grow", 8)) {
		uint64_t n;
		if (query_u64(r, "n", &n) < 0) {
			error_reply(c, 400, "bad n\n");
			return;
		}
		g.size0 += n;
		tree_grow();
		error_reply(c, 200, "ok\n");
	} else if (len >= 9 && !memcmp(p, "ctl/stats", 9)) {
		ctbuf_printf(&b, "{\"tree_size\":%llu,\"requests\":{",
			     (unsigned long long)tr.n);
		for (int i = 0; i < EP_ANY; i++)
			ctbuf_printf(&b, "%s\"%s\":%llu", i ? "," : "", ep_names[i],
				     (unsigned long long)g.count[i]);
		CTBUF_LIT(&b, "},\"faults_fired\":");
		uint64_t fired = 0;
		for (size_t i = 0; i < g.nfaults; i++)
			fired += g.faults[i].fired;
		ctbuf_printf(&b, "%llu}\n", (unsigned long long)fired);
		respond(c, 200, "application/json", b.p, b.len, NULL);
	} else {
		error_reply(c, 404, "no such control\n");
	}
	ctbuf_free(&b);
}

static int starts(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s);
	return len >= n && !memcmp(p, s, n);
}

/* Handle one request; the response goes to c->out. */
static void handle(struct conn *c, const struct cthttp_req *r)
{
	const char *p = r->target;
	size_t len = r->tlen;
	const char *q = memchr(p, '?', len);
	size_t plen = q ? (size_t)(q - p) : len;
	size_t pl = strlen(g.prefix);
	int ep = EP_OTHER;
	if (plen >= pl + 1 && !memcmp(p, g.prefix, pl) && p[pl] == '/') {
		p += pl + 1;
		plen -= pl + 1;
		if (starts(p, plen, "ct/v1/")) {
			const char *x = p + 6;
			size_t xl = plen - 6;
			for (int i = 0; i <= EP_ROOTS; i++)
				if (xl == strlen(ep_names[i]) && !memcmp(x, ep_names[i], xl))
					ep = i;
		} else if (plen == 10 && !memcmp(p, "checkpoint", 10)) {
			ep = EP_CHECKPOINT;
		} else if (starts(p, plen, "tile/data/")) {
			ep = EP_DATA;
		} else if (starts(p, plen, "tile/")) {
			ep = EP_TILE;
		} else if (starts(p, plen, "issuer/")) {
			ep = EP_ISSUER;
		} else if (starts(p, plen, "ctl/")) {
			ep = EP_CTL;
		}
	}
	if (!g.quiet)
		fprintf(stderr, "ct-testlog: %.*s\n", (int)len, r->target);
	if (r->mlen != 3 || memcmp(r->method, "GET", 3)) {
		error_reply(c, 400, "GET only\n");
		return;
	}
	if (ep == EP_CTL) {
		ctl(c, r, p, plen);
		return;
	}
	if (ep == EP_OTHER) {
		error_reply(c, 404, "not found\n");
		return;
	}
	tree_grow();
	uint64_t size = tr.n;
	struct fault *f = fires(ep);
	if (f) {
		switch (f->kind) {
		case K_LATENCY:
			c->ready_ms = now_ms() + (f->arg > 0 ? f->arg : 200);
			break;
		case K_STALL:
			c->ready_ms = now_ms() + (f->arg > 0 ? f->arg : 3600000);
			break;
		case K_429: {
			char ra[64];
			snprintf(ra, sizeof ra, "Retry-After: %ld\r\n", f->arg > 0 ? f->arg : 1);
			respond(c, 429, "text/plain", "slow down\n", 10, ra);
			return;
		}
		case K_400: error_reply(c, 400, "bad request\n"); return;
		case K_404: error_reply(c, 404, "not found\n"); return;
		case K_500: error_reply(c, 500, "oops\n"); return;
		case K_503: error_reply(c, 503, "unavailable\n"); return;
		case K_RESET: c->reset = 1; return;
		case K_GARBAGE:
			respond(c, 200, "application/json", "<html>garbage{", 14, NULL);
			return;
		case K_SHRINK:
			size = size > (uint64_t)(f->arg > 0 ? f->arg : 1)
				       ? size - (uint64_t)(f->arg > 0 ? f->arg : 1) : 0;
			break;
		default:
			break;
		}
	}
	int kind = f ? f->kind : -1;
	struct ctbuf b = CTBUF_INIT;
	switch (ep) {
	case EP_STH:
	case EP_CHECKPOINT: {
		struct ctsth s;
		head(size, kind == K_BADSIG, kind == K_OTHERTREE, &s);
		if (ep == EP_STH) {
			ctsth_json(&b, &s);
			respond(c, 200, "application/json", b.p, b.len, NULL);
		} else {
			ctsth_checkpoint(&b, &s, log_id);
			respond(c, 200, "text/plain; charset=utf-8", b.p, b.len, NULL);
		}
		break;
	}
	case EP_ENTRIES:
		get_entries(c, r, size, f);
		break;
	case EP_CONS: {
		uint64_t first, second;
		if (query_u64(r, "first", &first) < 0 || query_u64(r, "second", &second) < 0 ||
		    first > second || second > size || first == 0) {
			error_reply(c, 400, "bad first/second\n");
			break;
		}
		struct ctbuf pr = CTBUF_INIT;
		if (first < second)
			subproof(first, 0, second, 1, &pr);
		ctbuf_printf(&b, "{\"consistency\":[%.*s]}", (int)pr.len, pr.p ? pr.p : "");
		ctbuf_free(&pr);
		respond(c, 200, "application/json", b.p, b.len, NULL);
		break;
	}
	case EP_PROOF: {
		uint64_t ts;
		size_t hl;
		const char *hv = cthttp_query(r->target, r->tlen, "hash", &hl);
		uint8_t want[CTB64_DECODED_MAX(60)];
		struct ctbuf dec = CTBUF_INIT;
		/* the hash comes URL-encoded base64 */
		for (size_t i = 0; hv && i < hl; i++) {
			if (hv[i] == '%' && i + 2 < hl) {
				uint8_t x;
				if (cthex_decode(hv + i + 1, 2, &x) == 0) {
					ctbuf_addc(&dec, (char)x);
					i += 2;
					continue;
				}
			}
			ctbuf_addc(&dec, hv[i] == ' ' ? '+' : hv[i]);
		}
		if (query_u64(r, "tree_size", &ts) < 0 || ts > size || ts == 0 || !hv ||
		    dec.len > 60 || ctb64_decode(dec.p, dec.len, want) != CTM_HASH) {
			ctbuf_free(&dec);
			error_reply(c, 400, "bad hash/tree_size\n");
			break;
		}
		ctbuf_free(&dec);
		uint64_t idx = UINT64_MAX;
		for (uint64_t i = 0; i < ts; i++)
			if (!memcmp(node(0, i), want, CTM_HASH)) {
				idx = i;
				break;
			}
		if (idx == UINT64_MAX) {
			error_reply(c, 404, "no such leaf\n");
			break;
		}
		struct ctbuf pr = CTBUF_INIT;
		path(idx, 0, ts, &pr);
		ctbuf_printf(&b, "{\"leaf_index\":%llu,\"audit_path\":[%.*s]}",
			     (unsigned long long)idx, (int)pr.len, pr.p ? pr.p : "");
		ctbuf_free(&pr);
		respond(c, 200, "application/json", b.p, b.len, NULL);
		break;
	}
	case EP_ROOTS:
		CTBUF_LIT(&b, "{\"certificates\":[");
		for (size_t i = 0, k = 0; i < g.niss; i++) {
			if (!g.iss[i].root)
				continue;
			if (k++)
				ctbuf_addc(&b, ',');
			ctbuf_addc(&b, '"');
			ctb64_encode(&b, g.iss[i].der, g.iss[i].len);
			ctbuf_addc(&b, '"');
		}
		CTBUF_LIT(&b, "]}");
		respond(c, 200, "application/json", b.p, b.len, NULL);
		break;
	case EP_TILE:
	case EP_DATA: {
		int level;
		uint64_t n;
		unsigned w;
		if (cttile_parse_path(p, plen, &level, &n, &w) < 0) {
			error_reply(c, 404, "not a tile path\n");
			break;
		}
		tile(c, level, n, w, size, f);
		break;
	}
	case EP_ISSUER: {
		uint8_t fp[32];
		size_t i = g.niss;
		if (plen == 7 + 64 && cthex_decode(p + 7, 64, fp) == 0)
			for (i = 0; i < g.niss && memcmp(g.iss[i].fp, fp, 32); i++)
				;
		if (i == g.niss) {
			error_reply(c, 404, "no such issuer\n");
			break;
		}
		if (f && f->kind == K_OVERSIZE) { /* an issuer of 1 MiB */
			ctbuf_add(&b, g.iss[i].der, g.iss[i].len);
			memset(ctbuf_room(&b, 1 << 20), 0, 1 << 20);
			ctbuf_commit(&b, 1 << 20);
			respond(c, 200, "application/pkix-cert", b.p, b.len, NULL);
			break;
		}
		respond(c, 200, "application/pkix-cert", g.iss[i].der, g.iss[i].len, NULL);
		break;
	}
	default:
		error_reply(c, 404, "not found\n");
	}
	ctbuf_free(&b);
	if (kind == K_TRUNCATE) {
		/* keep the head and half the body, then hang up */
		const char *e = memmem(c->out.p, c->out.len, "\r\n\r\n", 4);
		size_t head_len = e ? (size_t)(e + 4 - c->out.p) : 0;
		c->out.len = head_len + (c->out.len - head_len) / 2;
		c->close_after = 1;
	}
}

static struct ctev *loop;

static void drop(struct conn *c)
{
	size_t i = 0;
	while (conns[i] != c)
		i++;
	if (c->reset) {
		struct linger l = { 1, 0 };
		setsockopt(c->io.fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	}
	if (c->timer)
		ctev_timer_del(loop, c->timer);
	ctev_del(loop, &c->io);
	close(c->io.fd);
	ctbuf_free(&c->out);
	free(c);
	conns[i] = conns[--nconns];
}

/* Answer the requests c has read, one at a time; 0 keep, -1 drop. */
static int process(struct conn *c)
{
	while (c->out.len == 0 && !c->reset) {
		struct cthttp_req r;
		int used = cthttp_parse(c->in, c->inlen, &r);
		if (used == -2)
			return c->inlen == sizeof c->in ? -1 : 0;
		if (used < 0)
			return -1;
		handle(c, &r);
		memmove(c->in, c->in + used, c->inlen - (size_t)used);
		c->inlen -= (size_t)used;
	}
	return c->reset ? -1 : 0;
}

static int on_readable(struct conn *c)
{
	ssize_t n = read(c->io.fd, c->in + c->inlen, sizeof c->in - c->inlen);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n > 0)
		c->inlen += (size_t)n;
	return process(c);
}

static int on_writable(struct conn *c)
{
	while (c->off < c->out.len) {
		ssize_t n = write(c->io.fd, c->out.p + c->off, c->out.len - c->off);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->off += (size_t)n;
	}
	ctbuf_reset(&c->out);
	c->off = 0;
	if (c->close_after)
		return -1;
	return process(c);
}

/* A delayed response is due: write it when the socket takes it. */
static int64_t on_due(struct ctev *ev, void *ctx)
{
	struct conn *c = ctx;
	c->timer = 0;
	ctev_set(ev, &c->io, CTEV_WRITE);
	return CTEV_NOMORE;
}

/* Watch c for what it waits for: a request, the socket taking its
 * response, or (a delayed response) nothing until the delay is over. */
static void arm(struct conn *c)
{
	int64_t t = now_ms();
	if (c->out.len == 0) {
		ctev_set(loop, &c->io, CTEV_READ);
	} else if (c->ready_ms <= t) {
		ctev_set(loop, &c->io, CTEV_WRITE);
	} else {
		ctev_set(loop, &c->io, 0);
		if (!c->timer)
			c->timer = ctev_timer_add(loop, c->ready_ms - t, on_due, c);
	}
}

static void on_conn(struct ctev *ev, struct ctev_io *io, int ready)
{
	struct conn *c = (struct conn *)io;
	int r;
	(void)ev;
	(void)ready;
	if (!io->mask)
		r = -1; /* held: only an error or a hang-up wakes it */
	else if (io->mask & CTEV_WRITE)
		r = on_writable(c);
	else
		r = on_readable(c);
	if (r == 0 && c->out.len && c->ready_ms <= now_ms())
		r = on_writable(c);
	if (r < 0)
		drop(c);
	else
		arm(c);
}

static struct ctev_io lio, sigio;

static void on_accept(struct ctev *ev, struct ctev_io *io, int ready)
{
	(void)ev;
	(void)ready;
	for (;;) {
		int fd = ctnet_accept(io->fd, NULL, 0);
		if (fd < 0)
			break;
		if (nconns == 1024) {
			close(fd);
			break;
		}
		struct conn *c = ct_xcalloc(1, sizeof *c);
		if (ctev_add(loop, &c->io, fd, CTEV_READ, on_conn) < 0)
			ct_die(1, "epoll_ctl");
		conns[nconns++] = c;
	}
}

static void on_signal(struct ctev *ev, struct ctev_io *io, int ready)
{
	char junk[64];
	(void)ready;
	while (read(io->fd, junk, sizeof junk) > 0)
		;
	if (ct_sig_stop)
		ctev_stop(ev);
}

/* The tree grows between rounds, so every request sees it as of now;
 * this timer wakes the loop for it when nothing else does. */
static int64_t on_grow(struct ctev *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
	return 100;
}

static void before_sleep(struct ctev *ev, void *ctx)
{
	(void)ctx;
	/* at 1024 connections, new ones wait in the backlog */
	ctev_set(ev, &lio, nconns < 1024 ? CTEV_READ : 0);
	if (g.grow > 0)
		tree_grow();
}

static void write_logs(uint16_t port)
{
	struct ctbuf b = CTBUF_INIT;
	for (int st = 0; st < 2; st++) {
		CTBUF_LIT(&b, "{\"name\":");
		ctbuf_printf(&b, "\"%s%s\"", g.name, st ? "-static" : "");
		ctbuf_printf(&b, ",\"operator\":\"ctstream tests\",\"type\":\"%s\",\"url\":"
				 "\"http://127.0.0.1:%u%s%s\"",
			     st ? "static" : "rfc6962", port, g.prefix, st ? "/" : "");
		if (st)
			ctbuf_printf(&b, ",\"submission_url\":\"http://%s/\"", g.origin);
		CTBUF_LIT(&b, ",\"log_id\":\"");
		ctb64_encode(&b, log_id, 32);
		CTBUF_LIT(&b, "\",\"key\":\"");
		ctbuf_add(&b, spki_b64.p, spki_b64.len);
		CTBUF_LIT(&b, "\",\"mmd\":60,\"state\":\"usable\"}\n");
	}
	if (ctafile_write(g.logs_out, b.p, b.len) < 0)
		ct_die(1, "%s", g.logs_out);
	ctbuf_free(&b);
}

int main(int argc, char **argv)
{
	ct_cli_checkfds();
	/* --entries is repeatable: collect them in order */
	const char *tfiles[32];
	size_t ntf = 0;
	for (int i = 1; i < argc && ntf < 32; i++) {
		if ((!strcmp(argv[i], "--entries") || !strcmp(argv[i], "-e")) && i + 1 < argc)
			tfiles[ntf++] = argv[++i];
		else if (!strncmp(argv[i], "--entries=", 10))
			tfiles[ntf++] = argv[i] + 10;
	}
	int i = ct_cli_parse(&cli, argc, argv, on_opt, NULL);
	if (i != argc)
		ct_usage_error("unexpected argument '%s'", argv[i]);
	for (size_t k = 0; k < ntf; k++)
		load_templates(tfiles[k]);
	if (!g.nt)
		synthetic_templates();
	setup_key();

	struct ctnet_addr la;
	char err[300];
	if (ctnet_parse(g.listen, &la, err, sizeof err) < 0)
		ct_usage_error("--listen %s", err);
	const struct sockaddr_in *sa = (const struct sockaddr_in *)&la.ss;
	if (sa->sin_family != AF_INET || (ntohl(sa->sin_addr.s_addr) >> 24) != 127)
		ct_usage_error("--listen %s: a 127.x.x.x address only", g.listen);
	int ls = ctnet_listen(&la, 256);
	if (ls < 0)
		ct_die(1, "%s", g.listen);
	uint16_t port = (uint16_t)ctnet_port(ls);
	if (g.origin_opt)
		snprintf(g.origin, sizeof g.origin, "%s", g.origin_opt);
	else
		snprintf(g.origin, sizeof g.origin, "127.0.0.1:%u%s", port, g.prefix);

	g.t0 = now_ms();
	struct timespec wt;
	clock_gettime(CLOCK_REALTIME, &wt);
	g.wall_t0 = (uint64_t)wt.tv_sec * 1000 + (uint64_t)wt.tv_nsec / 1000000;
	tree_grow();
	if (g.logs_out)
		write_logs(port);
	printf("%u\n", port);
	fflush(stdout);

	int sigpipe[2];
	loop = ctev_new();
	if (!loop || pipe2(sigpipe, O_NONBLOCK | O_CLOEXEC) < 0)
		ct_die(1, "event loop");
	ct_sig_setup(1, sigpipe[1]);
	if (ctev_add(loop, &lio, ls, CTEV_READ, on_accept) < 0 ||
	    ctev_add(loop, &sigio, sigpipe[0], CTEV_READ, on_signal) < 0)
		ct_die(1, "epoll_ctl");
	if (g.grow > 0)
		ctev_timer_add(loop, 100, on_grow, NULL);
	ctev_before_sleep(loop, before_sleep, NULL);
	if (ctev_run(loop) < 0)
		ct_die(1, "epoll_wait");
	while (nconns)
		drop(conns[nconns - 1]);
	ctev_free(loop);
	close(sigpipe[0]);
	close(sigpipe[1]);
	close(ls);
	EVP_PKEY_free(pkey);
	ctbuf_free(&spki_b64);
	for (size_t k = 0; k < g.nt; k++) {
		free(g.t[k].leaf);
		free(g.t[k].extra);
		free(g.t[k].tail);
		ctbuf_free(&g.t[k].eb64);
	}
	free(g.t);
	for (size_t k = 0; k < g.niss; k++)
		free(g.iss[k].der);
	free(g.iss);
	for (int k = 0; k < 48; k++)
		free(tr.lv[k]);
	return 0;
}
