/* ct-loglist: read CT log lists (Google v3, Apple's, custom) from files
 * or URLs, verify Google's detached signature, filter, and print one
 * log record per log (ct-formats(5)). */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fnmatch.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "b64.h"
#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "io.h"
#include "json.h"
#include "mem.h"
#include "polite.h"

#define MAXLISTS 16
#define FETCH_TRIES 3

/* Google's CT log list signing key (RSA-4096), as Google publishes it
 * next to the lists (log_list_pubkey.pem). */
static const char google_key[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAsu0BHGnQ++W2CTdyZyxv\n"
	"HHRALOZPlnu/VMVgo2m+JZ8MNbAOH2cgXb8mvOj8flsX/qPMuKIaauO+PwROMjiq\n"
	"fUpcFm80Kl7i97ZQyBDYKm3MkEYYpGN+skAR2OebX9G2DfDqFY8+jUpOOWtBNr3L\n"
	"rmVcwx+FcFdMjGDlrZ5JRmoJ/SeGKiORkbbu9eY1Wd0uVhz/xI5bQb0OgII7hEj+\n"
	"i/IPbJqOHgB8xQ5zWAJJ0DmG+FM6o7gk403v6W3S8qRYiR84c50KppGwe4YqSMkF\n"
	"bLDleGQWLoaDSpEWtESisb4JiLaY4H+Kk0EyAhPSb+49JfUozYl+lf7iFN3qRq/S\n"
	"IXXTh6z0S7Qa8EYDhKGCrpI03/+qprwy+my6fpWHi6aUIk4holUCmWvFxZDfixox\n"
	"K0RlqbFDl2JXMBquwlQpm8u5wrsic1ksIv9z8x9zh4PJqNpCah0ciemI3YGRQqSe\n"
	"/mRRXBiSn9YQBUPcaeqCYan+snGADFwHuXCd9xIAdFBolw9R9HTedHGUfVXPJDiF\n"
	"4VusfX6BRR/qaadB+bqEArF/TzuDUr6FvOR4o8lUUxgLuZ/7HO+bHnaPFKYHHSm+\n"
	"+z1lVDhhYuSZ8ax3T0C3FZpb7HMjZtpEorSV5ElKJEJwrhrBCMOD8L01EoSPrGlS\n"
	"1w22i9uGHMn/uGQKo28u7AsCAwEAAQ==\n"
	"-----END PUBLIC KEY-----\n";

static const char default_list[] =
	"https://www.gstatic.com/ct/log_list/v3/log_list.json";

struct opts {
	const char *states, *operator_glob, *type, *name_glob, *keyfile;
	const char *custom[MAXLISTS];
	size_t ncustom;
	unsigned shard_i, shard_n;
	int tsv, no_verify, require_sig;
};

enum opt_id {
	O_STATE,
	O_OPERATOR,
	O_TYPE,
	O_NAME,
	O_CUSTOM,
	O_SHARD,
	O_FORMAT,
	O_KEY,
	O_NO_VERIFY,
	O_REQUIRE_SIGNATURE,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_STATE] = { "state", 's', "LIST", "states to keep (all: every state)", "usable,qualified,readonly" },
	[O_OPERATOR] = { "operator", 'o', "GLOB", "keep logs whose operator matches (case-insensitive)", NULL },
	[O_TYPE] = { "type", 0, "TYPE", "rfc6962 or static", NULL },
	[O_NAME] = { "name", 'n', "GLOB", "keep logs whose name matches (case-insensitive)", NULL },
	[O_CUSTOM] = { "custom", 'c', "FILE", "add logs from a file of log records (repeatable)", NULL },
	[O_SHARD] = { "shard", 0, "I/N", "keep shard I of N (0-based, by log_id)", NULL },
	[O_FORMAT] = { "format", 'f', "FORMAT", "json or tsv", "json" },
	[O_KEY] = { "key", 0, "FILE", "verify signatures with this PEM key instead of Google's", NULL },
	[O_NO_VERIFY] = { "no-verify", 0, NULL, "use a list whose signature fails or, from Google, is missing (warns)", NULL },
	[O_REQUIRE_SIGNATURE] = { "require-signature", 0, NULL, "refuse any list that comes without a signature", NULL },
};

static const struct ct_cli cli = {
	"[options] [file-or-url ...]",
	"Read CT log lists (Google v3 log_list.json / all_logs_list.json,\n"
	"Apple's current list) and print one log record per log. Without\n"
	"arguments, the lists named in the environment variable CT_LOG_LIST\n"
	"are read, else Google's log_list.json is fetched.",
	opt_table, sizeof opt_table / sizeof opt_table[0]
};

static int on_opt(void *ctx, int idx, const char *arg)
{
	struct opts *o = ctx;
	char *e;
	switch (idx) {
	case O_STATE: o->states = arg; break;
	case O_OPERATOR: o->operator_glob = arg; break;
	case O_TYPE:
		if (strcmp(arg, "rfc6962") && strcmp(arg, "static"))
			ct_usage_error("--type: '%s' is not rfc6962 or static", arg);
		o->type = arg;
		break;
	case O_NAME: o->name_glob = arg; break;
	case O_CUSTOM:
		if (o->ncustom == MAXLISTS)
			ct_usage_error("too many --custom files");
		o->custom[o->ncustom++] = arg;
		break;
	case O_SHARD: {
		unsigned long i = strtoul(arg, &e, 10), n;
		if (e == arg || *e != '/')
			ct_usage_error("--shard: '%s' is not I/N", arg);
		const char *ns = e + 1;
		n = strtoul(ns, &e, 10);
		if (e == ns || *e || n == 0 || i >= n || n > 65536)
			ct_usage_error("--shard: '%s' is not I/N with 0 <= I < N",
				       arg);
		o->shard_i = (unsigned)i;
		o->shard_n = (unsigned)n;
		break;
	}
	case O_FORMAT:
		o->tsv = !strcmp(arg, "tsv");
		if (!o->tsv && strcmp(arg, "json"))
			ct_usage_error("--format: '%s' is not json or tsv", arg);
		break;
	case O_KEY: o->keyfile = arg; break;
	case O_NO_VERIFY: o->no_verify = 1; break;
	case O_REQUIRE_SIGNATURE: o->require_sig = 1; break;
	}
	return 0;
}

/* ---- fetching ----------------------------------------------------------- */

static int is_url(const char *s)
{
	return !strncmp(s, "https://", 8) || !strncmp(s, "http://", 7);
}

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
	struct ctbuf *b = ud;
	if (b->len + sz * n > ((size_t)64 << 20))
		return 0; /* a list is never this large */
	ctbuf_add(b, p, sz * n);
	return sz * n;
}

/* Google publishes its lists under https://www.gstatic.com/ct/log_list/
 * and signs every one of them. The URL is taken apart by libcurl, as
 * it will be fetched: host (any case, a trailing dot) and path (dot
 * segments removed), so "www.gstatic.com@elsewhere" is not Google's. */
static int is_google(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *path = NULL;
	int g = 0;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
		size_t hl = strlen(host);
		if (hl && host[hl - 1] == '.')
			host[hl - 1] = '\0';
		g = !strcasecmp(host, "www.gstatic.com") &&
		    !strncmp(path, "/ct/log_list/", 13);
	}
	curl_free(host);
	curl_free(path);
	curl_url_cleanup(u);
	return g;
}

/* Fetch url into b: 0, 1 when the server says 404, -1 on failure with
 * the reason in why. If google is not NULL, *google is set when the
 * URL the fetch ended at (after redirects) is one of Google's lists. */
/* One try of url into b: 0, 1 when the server says 404, -1 on failure
 * (why), and *retry_after (seconds, 0 if none) with a 429 or 503. */
static int fetch_once(const char *url, struct ctbuf *b,
		      char why[CURL_ERROR_SIZE], int *google, long *retry_after)
{
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(why, CURL_ERROR_SIZE, "cannot start libcurl");
		return -1;
	}
	why[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ct-loglist/" CT_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	char *eff = NULL;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
	curl_off_t ra = 0;
	if (code == 429 || code == 503)
		curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra);
	*retry_after = (long)ra;
	if (google && eff && is_google(eff))
		*google = 1;
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		if (!why[0])
			snprintf(why, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
		return -1;
	}
	if (code == 404)
		return 1;
	if (code != 200) {
		snprintf(why, CURL_ERROR_SIZE, "HTTP %ld", code);
		return code == 429 || code >= 500 ? -1 : -2;
	}
	return 0;
}

/* Fetch url into b: 0, 1 when the server says 404, -1 on failure (why).
 * A transfer error, 429 or 5xx is tried again, up to FETCH_TRIES times,
 * after a backoff with jitter or the server's Retry-After (at most
 * 30 s): a list server having a bad moment must not empty the list. */
static int fetch(const char *url, struct ctbuf *b, char why[CURL_ERROR_SIZE],
		 int *google)
{
	static const struct ctretry retry = { .first_ms = 1000, .max_ms = 8000,
					      .breaker = 1000, .rest_ms = 0 };
	for (unsigned tries = 1;; tries++) {
		long ra = 0;
		ctbuf_reset(b);
		int r = fetch_once(url, b, why, google, &ra);
		if (r >= 0 || r == -2 || tries == FETCH_TRIES)
			return r < 0 ? -1 : r;
		int64_t d = ctretry_delay(&retry, tries, ra > 30 ? 30000 : ra * 1000);
		ct_warnx("warning: %s: %s; trying again in %.1f s", url, why,
			 (double)d / 1000);
		struct timespec ts = { d / 1000, (d % 1000) * 1000000 };
		nanosleep(&ts, NULL);
	}
}

/* Where the detached signature of a list lives: X.json -> X.sig. */
static char *sig_name(const char *src)
{
	size_t l = strlen(src);
	char *s = ct_xmalloc(l + 5);
	memcpy(s, src, l + 1);
	if (l > 5 && !strcmp(s + l - 5, ".json"))
		memcpy(s + l - 5, ".sig", 5);
	else
		memcpy(s + l, ".sig", 5);
	return s;
}

/* ---- signature ---------------------------------------------------------- */

static int verify(const struct opts *o, const struct ctbuf *list,
		  const struct ctbuf *sig)
{
	BIO *bio = NULL;
	struct ctbuf pem = CTBUF_INIT;
	if (o->keyfile) {
		if (ctafile_read(o->keyfile, 1 << 20, &pem) < 0)
			ct_die(CT_EXIT_RUNTIME, "%s", o->keyfile);
		bio = BIO_new_mem_buf(pem.p, (int)pem.len);
	} else {
		bio = BIO_new_mem_buf(google_key, (int)sizeof google_key - 1);
	}
	EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ctbuf_free(&pem);
	if (!k)
		ct_diex(CT_EXIT_RUNTIME, "%s: not a PEM public key",
			o->keyfile ? o->keyfile : "built-in key");
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
		 EVP_DigestVerify(ctx, (const unsigned char *)sig->p, sig->len,
				  (const unsigned char *)list->p, list->len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	return ok;
}

/* A list with a signature: 0 to use it, -1 refused (reported). */
static int signed_list(const struct opts *o, const char *src,
		       const struct ctbuf *list, const struct ctbuf *sig)
{
	if (verify(o, list, sig))
		return 0;
	if (o->no_verify) {
		ct_warnx("%s: warning: signature does NOT verify (used anyway:"
			 " --no-verify)", src);
		return 0;
	}
	ct_warnx("%s: signature does not verify with %s; the whole list is "
		 "refused (--no-verify to use it anyway)", src,
		 o->keyfile ? o->keyfile : "Google's key");
	return -1;
}

/* A list without a signature: r is 1 when there is none (no file
 * beside it, HTTP 404), -1 when it could not be read (why). Google's
 * lists are always signed, so from Google's URLs that is an error, as
 * it is with --require-signature; other lists are used with a
 * warning. 0 to use the list, -1 refused (reported). */
static int unsigned_list(const struct opts *o, const char *src,
			 const char *sname, int google, int r, const char *why)
{
	struct ctbuf what = CTBUF_INIT;
	if (r > 0)
		ctbuf_printf(&what, "no signature (%s)", sname);
	else
		ctbuf_printf(&what, "cannot read the signature %s: %s", sname,
			     why);
	const char *w = ctbuf_cstr(&what);
	int status = -1;
	if (o->require_sig) {
		ct_warnx("%s: %s and --require-signature; the whole list is "
			 "refused", src, w);
	} else if (!google && r > 0) {
		ct_warnx("%s: warning: %s; the list is used unverified", src, w);
		status = 0;
	} else if (o->no_verify) {
		ct_warnx("%s: warning: %s; used unverified (--no-verify)", src,
			 w);
		status = 0;
	} else {
		ct_warnx("%s: %s%s; the whole list is refused (--no-verify to "
			 "use it anyway)", src, w,
			 google ? ", and Google signs all its lists" : "");
	}
	ctbuf_free(&what);
	return status;
}

/* Read a list and its signature (X.sig beside X.json); 0 to use the
 * list, -1 if it is refused (reported). */
static int load(const struct opts *o, const char *src, struct ctbuf *list)
{
	struct ctbuf sig = CTBUF_INIT;
	char *sname = sig_name(src);
	char why[CURL_ERROR_SIZE];
	int google = 0, r, status = -1;
	if (is_url(src)) {
		google = is_google(src);
		r = fetch(src, list, why, &google);
		if (r != 0) {
			ct_warnx("%s: cannot fetch the list: %s; the whole list "
				 "is refused", src, r > 0 ? "HTTP 404" : why);
			goto out;
		}
		r = fetch(sname, &sig, why, NULL);
	} else {
		if (ctafile_read(src, (size_t)64 << 20, list) < 0) {
			ct_warnx("%s: %s; the whole list is refused", src,
				 strerror(errno));
			goto out;
		}
		r = ctafile_read(sname, 1 << 16, &sig);
		if (r < 0 && errno == ENOENT)
			r = 1;
		else if (r < 0)
			snprintf(why, sizeof why, "%s", strerror(errno));
	}
	if (r == 0)
		status = signed_list(o, src, list, &sig);
	else
		status = unsigned_list(o, src, sname, google, r, why);
out:
	free(sname);
	ctbuf_free(&sig);
	return status;
}

/* ---- records ------------------------------------------------------------ */

/* The largest DER public key a log may have (an RSA-4096 key is about
 * 550 bytes), and so the longest base64 "key" read. */
#define KEY_MAX 2048
#define KEY_B64_MAX CTB64_ENCODED_LEN(KEY_MAX)
#define ID_B64_LEN CTB64_ENCODED_LEN(32)

struct log {
	char *name, *operator, *type, *url, *submission_url, *log_id, *key;
	char *state, *interval; /* interval: JSON text or NULL */
	double mmd;
	int has_mmd;
	/* the decoded log_id; room for what ctb64_decode may write */
	uint8_t id[CTB64_DECODED_MAX(ID_B64_LEN)];
};

struct set {
	struct log *v;
	size_t n, cap;
};

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void free_log(struct log *l)
{
	free(l->name);
	free(l->operator);
	free(l->type);
	free(l->url);
	free(l->submission_url);
	free(l->log_id);
	free(l->key);
	free(l->state);
	cJSON_free(l->interval);
}

static void add_log(struct set *s, struct log *l)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].log_id, l->log_id)) {
			free_log(l); /* the first list that names a log wins */
			return;
		}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = ct_xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = *l;
}

/* One log object of a list (or a custom log record). Returns -1 with
 * a reason if a required field is missing or bad. Lengths are checked
 * before anything is decoded into the fixed buffers here. */
static int take_log(const cJSON *j, const char *op, int tiled, struct log *l,
		    const char **why)
{
	memset(l, 0, sizeof *l);
	const char *name = str(j, "description");
	if (!name)
		name = str(j, "name");
	const char *id = str(j, "log_id"), *key = str(j, "key");
	const char *url = tiled ? str(j, "monitoring_url") : str(j, "url");
	const char *sub = tiled ? str(j, "submission_url") : NULL;
	if (!name || !id || !key || !url) {
		*why = "a log without description, log_id, key or URL";
		return -1;
	}
	size_t kn = strlen(key), in = strlen(id);
	uint8_t der[CTB64_DECODED_MAX(KEY_B64_MAX)];
	uint8_t h[32];
	if (kn > KEY_B64_MAX) {
		*why = "key longer than 2048 bytes";
		return -1;
	}
	long kl = ctb64_decode(key, kn, der);
	if (kl <= 0) {
		*why = "key is not base64";
		return -1;
	}
	if (in != ID_B64_LEN || ctb64_decode(id, in, l->id) != 32) {
		*why = "log_id is not 32 bytes of base64";
		return -1;
	}
	SHA256(der, (size_t)kl, h);
	if (memcmp(h, l->id, 32)) {
		*why = "log_id is not the SHA-256 of the key";
		return -1;
	}
	l->name = ct_xstrdup(name);
	l->operator = ct_xstrdup(op ? op : "");
	l->type = ct_xstrdup(tiled ? "static" : "rfc6962");
	l->url = ct_xstrdup_rtrim(url, '/');
	l->submission_url = sub ? ct_xstrdup_rtrim(sub, '/') : NULL;
	l->log_id = ct_xstrdup(id);
	l->key = ct_xstrdup(key);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "state");
	if (cJSON_IsObject(st) && st->child && st->child->string)
		l->state = ct_xstrdup(st->child->string);
	else if (cJSON_IsString(st))
		l->state = ct_xstrdup(st->valuestring);
	else
		l->state = ct_xstrdup("unknown");
	const cJSON *mmd = cJSON_GetObjectItemCaseSensitive(j, "mmd");
	if (cJSON_IsNumber(mmd)) {
		l->mmd = mmd->valuedouble;
		l->has_mmd = 1;
	}
	const cJSON *ti = cJSON_GetObjectItemCaseSensitive(j, "temporal_interval");
	if (cJSON_IsObject(ti))
		l->interval = cJSON_PrintUnformatted(ti);
	return 0;
}

/* Text from a list for a message: JSON-quoted, so no control character
 * reaches the terminal, and cut after 64 bytes. */
static const char *quoted(struct ctbuf *b, const char *s)
{
	if (!s)
		return "(none)";
	size_t n = strlen(s);
	ctjson_str(b, s, n > 64 ? 64 : n);
	if (n > 64)
		CTBUF_LIT(b, "...");
	return ctbuf_cstr(b);
}

/* One line for a log that is skipped: where it is, its operator, its
 * name and log_id (as the list has them), and why. */
static void bad_log(const char *where, const char *op, const cJSON *j,
		    const char *why)
{
	struct ctbuf a = CTBUF_INIT, b = CTBUF_INIT, c = CTBUF_INIT;
	const char *name = str(j, "description");
	if (!name)
		name = str(j, "name");
	ct_warnx("%s: operator %s: log %s (log_id %s): %s; log skipped", where,
		 quoted(&a, op), quoted(&b, name), quoted(&c, str(j, "log_id")),
		 why);
	ctbuf_free(&a);
	ctbuf_free(&b);
	ctbuf_free(&c);
}

/* Add the logs of one list to s. Returns -1 if the whole list is
 * refused (not a v3 list), else how many logs were skipped (each
 * reported). */
static int parse_list(const char *src, const struct ctbuf *b, struct set *s)
{
	cJSON *root = cJSON_ParseWithLength(b->p, b->len);
	if (!root || !cJSON_IsObject(root)) {
		ct_warnx("%s: not a JSON log list; the whole list is refused",
			 src);
		cJSON_Delete(root);
		return -1;
	}
	const cJSON *ops = cJSON_GetObjectItemCaseSensitive(root, "operators");
	if (!cJSON_IsArray(ops)) {
		ct_warnx("%s: no \"operators\" array (not a v3 log list); the "
			 "whole list is refused", src);
		cJSON_Delete(root);
		return -1;
	}
	int bad = 0;
	const cJSON *op;
	cJSON_ArrayForEach(op, ops) {
		const char *opname = str(op, "name");
		for (int tiled = 0; tiled < 2; tiled++) {
			const cJSON *logs = cJSON_GetObjectItemCaseSensitive(
				op, tiled ? "tiled_logs" : "logs");
			const cJSON *j;
			cJSON_ArrayForEach(j, logs) {
				struct log l;
				const char *why;
				if (take_log(j, opname, tiled, &l, &why) < 0) {
					bad_log(src, opname, j, why);
					bad++;
					continue;
				}
				add_log(s, &l);
			}
		}
	}
	cJSON_Delete(root);
	return bad;
}

/* Custom logs: one log record per line, as ct-loglist writes them.
 * Returns -1 if the file cannot be read, else how many lines were
 * skipped (each reported). */
static int parse_custom(const char *file, struct set *s)
{
	struct ctbuf b = CTBUF_INIT, where = CTBUF_INIT;
	if (ctafile_read(file, (size_t)16 << 20, &b) < 0) {
		ct_warn("%s", file);
		return -1;
	}
	int bad = 0;
	unsigned long lineno = 0;
	for (size_t at = 0; at < b.len;) {
		const char *p = b.p + at, *nl = memchr(p, '\n', b.len - at);
		size_t n = nl ? (size_t)(nl - p) : b.len - at;
		at += n + 1;
		lineno++;
		size_t k = 0;
		while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r'))
			k++;
		if (k == n || p[k] == '#')
			continue;
		cJSON *j = cJSON_ParseWithLength(p, n);
		if (!j || !cJSON_IsObject(j)) {
			ct_warnx("%s:%lu: not a JSON object; line skipped", file,
				 lineno);
			bad++;
			cJSON_Delete(j);
			continue;
		}
		const char *type = str(j, "type");
		int tiled = type && !strcmp(type, "static");
		/* a record has url (+ submission_url for static) */
		if (tiled && !str(j, "monitoring_url"))
			cJSON_AddStringToObject(j, "monitoring_url",
						str(j, "url") ? str(j, "url") : "");
		struct log l;
		const char *why;
		if (take_log(j, str(j, "operator"), tiled, &l, &why) == 0) {
			add_log(s, &l);
		} else {
			ctbuf_reset(&where);
			ctbuf_printf(&where, "%s:%lu", file, lineno);
			bad_log(ctbuf_cstr(&where), str(j, "operator"), j, why);
			bad++;
		}
		cJSON_Delete(j);
	}
	ctbuf_free(&where);
	ctbuf_free(&b);
	return bad;
}

static int want_state(const struct opts *o, const char *st)
{
	if (!strcmp(o->states, "all"))
		return 1;
	size_t l = strlen(st);
	for (const char *p = o->states; *p;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		if (n == l && !strncmp(p, st, n))
			return 1;
		p += n + (c ? 1 : 0);
	}
	return 0;
}

static int keep(const struct opts *o, const struct log *l)
{
	if (!want_state(o, l->state))
		return 0;
	if (o->type && strcmp(o->type, l->type))
		return 0;
	if (o->operator_glob && fnmatch(o->operator_glob, l->operator, FNM_CASEFOLD))
		return 0;
	if (o->name_glob && fnmatch(o->name_glob, l->name, FNM_CASEFOLD))
		return 0;
	if (o->shard_n) {
		uint32_t h = (uint32_t)l->id[0] << 24 | (uint32_t)l->id[1] << 16 |
			     (uint32_t)l->id[2] << 8 | l->id[3];
		if (h % o->shard_n != o->shard_i)
			return 0;
	}
	return 1;
}

static void tsv_field(struct ctbuf *b, const char *s)
{
	for (; *s; s++)
		ctbuf_addc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void print_log(struct ctout *out, const struct opts *o,
		      const struct log *l)
{
	struct ctbuf *b = &out->buf;
	if (o->tsv) {
		const char *f[] = { l->name, l->operator, l->type, l->state,
				    l->url, l->log_id };
		for (size_t i = 0; i < 6; i++) {
			if (i)
				ctbuf_addc(b, '\t');
			tsv_field(b, f[i]);
		}
		ctbuf_addc(b, '\n');
	} else {
		CTBUF_LIT(b, "{\"name\":");
		ctjson_strz(b, l->name);
		CTBUF_LIT(b, ",\"operator\":");
		ctjson_strz(b, l->operator);
		CTBUF_LIT(b, ",\"type\":");
		ctjson_strz(b, l->type);
		CTBUF_LIT(b, ",\"url\":");
		ctjson_strz(b, l->url);
		if (l->submission_url) {
			CTBUF_LIT(b, ",\"submission_url\":");
			ctjson_strz(b, l->submission_url);
		}
		CTBUF_LIT(b, ",\"log_id\":");
		ctjson_strz(b, l->log_id);
		CTBUF_LIT(b, ",\"key\":");
		ctjson_strz(b, l->key);
		if (l->has_mmd)
			ctbuf_printf(b, ",\"mmd\":%.0f", l->mmd);
		CTBUF_LIT(b, ",\"state\":");
		ctjson_strz(b, l->state);
		if (l->interval) {
			CTBUF_LIT(b, ",\"temporal_interval\":");
			ctbuf_adds(b, l->interval);
		}
		CTBUF_LIT(b, "}\n");
	}
	if (ctout_record_end(out) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, on_opt, &o);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct set s = { 0 };
	int failed = 0;
	/* no operands: the lists named in CT_LOG_LIST (a mirror, an
	 * offline copy), else Google's */
	const char *none[MAXLISTS] = { default_list };
	size_t nnone = 1;
	char *env = getenv("CT_LOG_LIST") ? ct_xstrdup(getenv("CT_LOG_LIST"))
					   : NULL;
	if (env && i == argc) {
		nnone = 0;
		for (char *save, *t = strtok_r(env, " \t\n", &save); t;
		     t = strtok_r(NULL, " \t\n", &save)) {
			if (nnone == MAXLISTS)
				ct_usage_error("CT_LOG_LIST: more than %d lists",
					       MAXLISTS);
			none[nnone++] = t;
		}
		if (!nnone)
			none[nnone++] = default_list;
	}
	const char *const *srcs = i < argc ? (const char *const *)argv + i : none;
	size_t nsrc = i < argc ? (size_t)(argc - i) : nnone;
	for (size_t k = 0; k < nsrc; k++) {
		struct ctbuf list = CTBUF_INIT;
		/* a list refused or a log skipped is reported where it is
		 * found; the other logs are printed all the same */
		if (load(&o, srcs[k], &list) < 0 ||
		    parse_list(srcs[k], &list, &s) != 0)
			failed = 1;
		ctbuf_free(&list);
	}
	for (size_t k = 0; k < o.ncustom; k++)
		if (parse_custom(o.custom[k], &s) != 0)
			failed = 1;
	struct ctout out;
	ctout_init(&out, 1);
	for (size_t k = 0; k < s.n; k++)
		if (keep(&o, &s.v[k]))
			print_log(&out, &o, &s.v[k]);
	if (ctout_flush(&out) < 0 || close(1) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	ctout_free(&out);
	for (size_t k = 0; k < s.n; k++)
		free_log(&s.v[k]);
	free(s.v);
	free(env);
	curl_global_cleanup();
	return failed ? CT_EXIT_RUNTIME : CT_EXIT_OK;
}
