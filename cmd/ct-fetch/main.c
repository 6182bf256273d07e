/* ct-fetch: fetch entries from RFC 6962 and static-ct-api logs, all logs
 * concurrently in one process (libcurl multi), and write entry records
 * (ct-formats(5)).
 *
 * Each log is a small state machine with one request in flight, so its
 * entries leave in index order: get-sth (or the checkpoint) for the
 * target size, then get-entries pages (or data tiles, static.c) from the
 * next index. Heads are verified with the log's key and the Merkle root
 * is recomputed from the entries (a compact range kept in the state)
 * and compared with the signed one. A short page advances by what
 * came back; an error, a truncated or unparsable page is retried with
 * backoff and reported, never skipped. Per-log state files hold the next
 * index and are written (atomically) only after the entries before it
 * have been written to standard output. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "b64.h"
#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "entries.h"
#include "fetch.h"
#include "io.h"
#include "json.h"
#include "leaf.h"
#include "mem.h"
#include "positions.h"
#include "sig.h"

int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

enum opt_id {
	O_LOGS,
	O_FOLLOW,
	O_POLL,
	O_START,
	O_END,
	O_STATE_DIR,
	O_FROM_START,
	O_BATCH,
	O_MAX_TRIES,
	O_STATS,
	O_UNBUFFERED,
	O_BACKOFF,
	O_TIMEOUT,
	O_RATE,
	O_OPERATOR_RATE,
	O_BREAKER,
	O_BREAKER_WAIT,
	O_QUIET,
	O_BAD_SIGNATURE,
	O_ISSUER_CACHE,
	O_REWIND,
	O_REWIND_TO,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_LOGS] = { "logs", 'l', "FILE", "log records to fetch (none: standard input)", NULL },
	[O_FOLLOW] = { "follow", 'F', NULL, "keep polling for new entries", NULL },
	[O_POLL] = { "poll", 0, "DURATION", "pause between get-sth polls in --follow", "10s" },
	[O_START] = { "start", 0, "N", "first index to fetch (a backfill)", NULL },
	[O_END] = { "end", 0, "N", "last index to fetch, inclusive", NULL },
	[O_STATE_DIR] = { "state-dir", 's', "DIR", "resume from and save one state file per log", NULL },
	[O_FROM_START] = { "from-start", 0, NULL, "a log without state starts at index 0, not the head", NULL },
	[O_BATCH] = { "batch", 'b', "N", "entries asked for per get-entries", "256" },
	[O_MAX_TRIES] = { "max-tries", 0, "N", "give up a log after N failed tries in a row (0: never)", "0" },
	[O_STATS] = { "stats", 0, "FILE", "write per-log health as JSON to FILE (atomically, every 5 s)", NULL },
	[O_UNBUFFERED] = { "unbuffered", 'u', NULL, "flush after every record", NULL },
	[O_BACKOFF] = { "backoff", 0, "DURATION", "first retry delay, doubling to 5 min", "1s" },
	[O_TIMEOUT] = { "timeout", 0, "DURATION", "give up a request after this long", "60s" },
	[O_RATE] = { "rate", 0, "N", "at most N requests per second to each log (0: no limit)", "20" },
	[O_OPERATOR_RATE] = { "operator-rate", 0, "N", "at most N requests per second to each operator's logs (0: no limit)", "0" },
	[O_BREAKER] = { "breaker", 0, "N", "after N failures in a row a log is unhealthy and rests", "5" },
	[O_BREAKER_WAIT] = { "breaker-wait", 0, "DURATION", "how long an unhealthy log rests between probes", "1m" },
	[O_QUIET] = { "quiet", 'q', NULL, "no progress line on a terminal", NULL },
	[O_BAD_SIGNATURE] = { "bad-signature", 0, "ACTION", "stop or warn on a head with a bad signature", "stop" },
	[O_ISSUER_CACHE] = { "issuer-cache", 0, "N", "issuers kept for static-ct-api logs", "10000" },
	[O_REWIND] = { "rewind", 0, "N", "start N entries before a state file's index (after an unclean stop)", "0" },
	[O_REWIND_TO] = { "rewind-to", 0, "FILE", "start after the last index handed on, as FILE of ct-serve says (else rewind)", NULL },
};

static const struct ct_cli cli = {
	"[options] [--logs FILE]",
	"Fetch entries from RFC 6962 and static-ct-api CT logs, all logs at\n"
	"once, verified against their signed heads, and write entry records.\n"
	"Log records come from ct-loglist on standard input.",
	opt_table, sizeof opt_table / sizeof opt_table[0]
};

static int on_opt(void *ctx, int idx, const char *arg)
{
	struct opts *o = ctx;
	switch (idx) {
	case O_LOGS: o->logs = arg; break;
	case O_FOLLOW: o->follow = 1; break;
	case O_POLL: o->poll_ms = ct_cli_duration_ms("poll", arg); break;
	case O_START: o->start = ct_cli_u64("start", arg, 0, UINT64_MAX >> 2); o->has_start = 1; break;
	case O_END: o->end = ct_cli_u64("end", arg, 0, UINT64_MAX >> 2); o->has_end = 1; break;
	case O_STATE_DIR: o->state_dir = arg; break;
	case O_FROM_START: o->from_start = 1; break;
	case O_BATCH: o->batch = ct_cli_u64("batch", arg, 1, 100000); break;
	case O_MAX_TRIES: o->max_tries = ct_cli_u64("max-tries", arg, 0, 1000000); break;
	case O_STATS: o->stats = arg; break;
	case O_UNBUFFERED: o->unbuffered = 1; break;
	case O_BACKOFF: o->backoff_ms = ct_cli_duration_ms("backoff", arg); break;
	case O_TIMEOUT: o->timeout_ms = ct_cli_duration_ms("timeout", arg);
		if (!o->timeout_ms)
			ct_usage_error("--timeout must be more than 0");
		break;
	case O_RATE: o->rate = (double)ct_cli_u64("rate", arg, 0, 1000000); break;
	case O_OPERATOR_RATE: o->op_rate = (double)ct_cli_u64("operator-rate", arg, 0, 1000000); break;
	case O_BREAKER: o->breaker = ct_cli_u64("breaker", arg, 1, 1000000); break;
	case O_BREAKER_WAIT: o->breaker_ms = ct_cli_duration_ms("breaker-wait", arg); break;
	case O_QUIET: o->quiet = 1; break;
	case O_BAD_SIGNATURE:
		o->sig_warn = !strcmp(arg, "warn");
		if (!o->sig_warn && strcmp(arg, "stop"))
			ct_usage_error("--bad-signature: stop or warn, not '%s'", arg);
		break;
	case O_ISSUER_CACHE: o->issuer_cache = ct_cli_u64("issuer-cache", arg, 16, 10000000); break;
	case O_REWIND: o->rewind = ct_cli_u64("rewind", arg, 0, 1ULL << 40); break;
	case O_REWIND_TO: o->rewind_to = arg; break;
	}
	return 0;
}

/* ---- logs and state ------------------------------------------------------ */

static char *state_path(const struct opts *o, const struct log *l)
{
	struct ctbuf b = CTBUF_INIT;
	ctbuf_printf(&b, "%s/", o->state_dir);
	for (const char *p = l->id; *p; p++)
		ctbuf_addc(&b, *p == '/' ? '_' : *p == '+' ? '-' : *p == '=' ? '\0' : *p);
	b.len = strlen(ctbuf_cstr(&b));
	ctbuf_adds(&b, ".state");
	return ctbuf_cstr(&b);
}

/* 1 and *st if a state file exists, 0 if not; dies if it is bad. */
static int load_state(const struct opts *o, const struct log *l,
		      struct ctfstate *st)
{
	char *p = state_path(o, l);
	struct ctbuf b = CTBUF_INIT;
	int r = 0;
	const char *err;
	if (ctafile_read(p, 1 << 20, &b) < 0) {
		if (errno != ENOENT)
			ct_die(CT_EXIT_RUNTIME, "%s", p);
	} else {
		if (ctfstate_parse(b.p, b.len, st, &err) < 0)
			ct_diex(CT_EXIT_RUNTIME, "%s: not a ct-fetch state file: %s "
				"(fix or remove it)", p, err);
		if (strcmp(st->url, l->url))
			ct_warnx("%s: state of %s, now %s: same log ID, going on",
				 p, st->url, l->url);
		r = 1;
	}
	ctbuf_free(&b);
	free(p);
	return r;
}

static int save_state(const struct opts *o, struct log *l)
{
	if (!o->state_dir || !l->dirty || o->has_start)
		return 0;
	char *p = state_path(o, l);
	struct ctbuf b = CTBUF_INIT;
	struct ctfstate st = { .next = l->next, .tree_size = l->tree_size };
	snprintf(st.url, sizeof st.url, "%s", l->url);
	if (l->range_ok && l->range.size == l->next) {
		st.has_range = 1;
		st.range = l->range;
	}
	if (l->has_verified) {
		st.has_verified = 1;
		st.verified_size = l->verified_size;
		memcpy(st.verified_root, l->verified_root, CTM_HASH);
	}
	ctfstate_format(&b, &st, l->name, (int64_t)time(NULL));
	int r = ctafile_write(p, b.p, b.len);
	if (r < 0)
		ct_warn("%s", p);
	else
		l->dirty = 0;
	l->saved_ms = now_ms();
	ctbuf_free(&b);
	free(p);
	return r;
}

/* Where a log with a state file at saved starts: after the last index
 * the final stage handed on (--rewind-to), if that is before saved,
 * else --rewind entries before saved. pos: the positions file, NULL if
 * there is none. */
static uint64_t start_of(const struct opts *o, const struct log *l,
			 const struct ctpos *pos, uint64_t saved)
{
	uint64_t at;
	if (pos && ctpos_get(pos, l->url, strlen(l->url), &at) == 0)
		return at < saved ? at + 1 : saved;
	return saved > o->rewind ? saved - o->rewind : 0;
}

/* The positions file of --rewind-to, or NULL (absent: nothing handed on
 * yet; unreadable or bad: said once, --rewind instead). */
static struct ctpos *read_positions(const struct opts *o)
{
	struct ctbuf b = CTBUF_INIT;
	const char *why;
	if (!o->rewind_to)
		return NULL;
	if (ctafile_read(o->rewind_to, (size_t)256 << 20, &b) < 0) {
		if (errno != ENOENT)
			ct_warn("%s: going back --rewind %llu entries instead",
				o->rewind_to, (unsigned long long)o->rewind);
		ctbuf_free(&b);
		return NULL;
	}
	struct ctpos *p = ctpos_new(CTPOS_FILE_MAX);
	if (ctpos_load(p, b.p, b.len, &why) < 0) {
		ct_warnx("%s: not a positions file (%s): going back --rewind "
			 "%llu entries instead", o->rewind_to, why,
			 (unsigned long long)o->rewind);
		ctpos_free(p);
		p = NULL;
	}
	ctbuf_free(&b);
	return p;
}

static char *dup_str(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
	return cJSON_IsString(v) ? ct_xstrdup(v->valuestring) : NULL;
}

static size_t read_logs(const struct opts *o, struct log **out)
{
	int fd = o->logs ? open(o->logs, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		ct_die(CT_EXIT_RUNTIME, "%s", o->logs);
	if (!o->logs && isatty(0))
		ct_usage_error("no logs: pipe ct-loglist in or give --logs FILE");
	struct ctlines *l = ctlines_new(fd, 1 << 20, NULL);
	const char *line;
	size_t len, n = 0, cap = 0;
	for (;;) {
		int r = ctlines_next(l, &line, &len);
		if (r == 0)
			break;
		if (r == -3)
			continue;
		if (r < 0)
			ct_diex(CT_EXIT_RUNTIME, "%s:%lu: unreadable log record",
				o->logs ? o->logs : "stdin", ctlines_lineno(l));
		if (len == 0)
			continue;
		cJSON *j = cJSON_ParseWithLength(line, len);
		struct log lg = { 0 };
		lg.url = dup_str(j, "url");
		lg.id = dup_str(j, "log_id");
		lg.name = dup_str(j, "name");
		lg.type = dup_str(j, "type");
		lg.operator = dup_str(j, "operator");
		if (!lg.url || !lg.id)
			ct_diex(CT_EXIT_RUNTIME, "%s:%lu: not a log record (url "
				"and log_id needed)", o->logs ? o->logs : "stdin",
				ctlines_lineno(l));
		if (!lg.name)
			lg.name = ct_xstrdup(lg.url);
		const char *where = o->logs ? o->logs : "stdin";
		if (lg.type && strcmp(lg.type, "rfc6962") && strcmp(lg.type, "static"))
			ct_diex(CT_EXIT_RUNTIME, "%s:%lu: %s: unknown log type '%s'",
				where, ctlines_lineno(l), lg.name, lg.type);
		lg.is_static = lg.type && !strcmp(lg.type, "static");
		size_t ul = strlen(lg.url);
		while (ul && lg.url[ul - 1] == '/')
			lg.url[--ul] = '\0';
		uint8_t id[CTB64_DECODED_MAX(64)];
		if (strlen(lg.id) > 64 ||
		    ctb64_decode(lg.id, strlen(lg.id), id) != CTM_HASH)
			ct_diex(CT_EXIT_RUNTIME, "%s:%lu: %s: log_id is not 32 bytes of "
				"base64", where, ctlines_lineno(l), lg.name);
		memcpy(lg.log_id, id, CTM_HASH);
		char *key = dup_str(j, "key");
		if (key) {
			const char *err;
			lg.key = ctkey_from_b64(key, strlen(key), &err);
			if (!lg.key)
				ct_diex(CT_EXIT_RUNTIME, "%s:%lu: %s: %s", where,
					ctlines_lineno(l), lg.name, err);
			if (memcmp(ctkey_log_id(lg.key), lg.log_id, CTM_HASH))
				ct_diex(CT_EXIT_RUNTIME, "%s:%lu: %s: log_id is not the "
					"SHA-256 of key", where, ctlines_lineno(l), lg.name);
			free(key);
		} else {
			ct_warnx("%s: no key in its record: heads are not verified, "
				 "only the Merkle tree", lg.name);
		}
		if (lg.is_static) {
			/* origin: the submission URL without scheme or trailing
			 * slashes (static-ct-api) */
			char *su = dup_str(j, "submission_url");
			const char *u = su ? su : lg.url, *p = strstr(u, "://");
			lg.origin = ct_xstrdup(p ? p + 3 : u);
			size_t k = strlen(lg.origin);
			while (k && lg.origin[k - 1] == '/')
				lg.origin[--k] = '\0';
			free(su);
		}
		cJSON_Delete(j);
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = ct_xrealloc(*out, cap * sizeof **out);
		}
		(*out)[n++] = lg;
	}
	ctlines_free(l);
	if (fd)
		close(fd);
	return n;
}

/* ---- HTTP ------------------------------------------------------------------ */

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct log *l = ud;
	if (l->body.len + sz * n > l->body_max) {
		l->too_big = 1;
		return 0;
	}
	ctbuf_add(&l->body, p, sz * n);
	return sz * n;
}

static void b64url(struct ctbuf *b, const uint8_t *p, size_t n)
{
	struct ctbuf t = CTBUF_INIT;
	ctb64_encode(&t, p, n);
	for (size_t i = 0; i < t.len; i++) {
		if (t.p[i] == '+')
			CTBUF_LIT(b, "%2B");
		else if (t.p[i] == '/')
			CTBUF_LIT(b, "%2F");
		else if (t.p[i] == '=')
			CTBUF_LIT(b, "%3D");
		else
			ctbuf_addc(b, t.p[i]);
	}
	ctbuf_free(&t);
}

static void start_request(CURLM *m, struct log *l, const struct opts *o)
{
	struct ctbuf url = CTBUF_INIT;
	l->body_max = (size_t)256 << 20;
	if (l->is_static) {
		static_url(l, &url);
	} else if (l->phase == P_STH) {
		ctbuf_printf(&url, "%s/ct/v1/get-sth", l->url);
	} else if (l->step == S_PROOF) {
		ctbuf_printf(&url, "%s/ct/v1/get-proof-by-hash?hash=", l->url);
		b64url(&url, l->hashes[0], CTM_HASH);
		ctbuf_printf(&url, "&tree_size=%llu", (unsigned long long)l->sth.size);
	} else if (l->step == S_CONS) {
		ctbuf_printf(&url, "%s/ct/v1/get-sth-consistency?first=%llu&second=%llu",
			     l->url, (unsigned long long)l->next,
			     (unsigned long long)l->sth.size);
	} else {
		uint64_t last = l->next + l->batch - 1;
		if (last >= l->target)
			last = l->target - 1;
		ctbuf_printf(&url, "%s/ct/v1/get-entries?start=%llu&end=%llu", l->url,
			     (unsigned long long)l->next, (unsigned long long)last);
	}
	if (!l->h) {
		l->h = curl_easy_init();
		curl_easy_setopt(l->h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(l->h, CURLOPT_WRITEDATA, l);
		curl_easy_setopt(l->h, CURLOPT_PRIVATE, l);
		curl_easy_setopt(l->h, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(l->h, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
		curl_easy_setopt(l->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
		curl_easy_setopt(l->h, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(l->h, CURLOPT_ACCEPT_ENCODING, "");
		curl_easy_setopt(l->h, CURLOPT_USERAGENT,
				 "ct-fetch/" CT_VERSION " (ctstream)");
		curl_easy_setopt(l->h, CURLOPT_NOSIGNAL, 1L);
	}
	curl_easy_setopt(l->h, CURLOPT_URL, ctbuf_cstr(&url));
	ctbuf_free(&url);
	ctbuf_reset(&l->body);
	l->too_big = 0;
	curl_multi_add_handle(m, l->h);
	l->busy = 1;
}

/* A failed try: back off exponentially with jitter, or as told. */
void failed(struct log *l, const struct opts *o, long retry_after_s,
	    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->last_error, sizeof l->last_error, fmt, ap);
	va_end(ap);
	l->errors++;
	l->fails++;
	int64_t delay = o->backoff_ms > 0 ? (int64_t)o->backoff_ms : 1;
	for (unsigned i = 1; i < l->fails && delay < 300000; i++)
		delay *= 2;
	if (delay > 300000)
		delay = 300000;
	delay = delay / 2 + rand() % (delay / 2 + 1); /* jitter */
	if (retry_after_s > 0)
		delay = retry_after_s * 1000;
	if (l->fails >= o->breaker && delay < (int64_t)o->breaker_ms) {
		if (l->fails == o->breaker)
			ct_warnx("%s: unhealthy after %u failures in a row: resting, "
				 "one probe every %.0f s", l->name, l->fails,
				 (double)o->breaker_ms / 1000);
		delay = (int64_t)o->breaker_ms; /* circuit open: rest, then probe */
	}
	ct_warnx("%s: %s (try %u; again in %.1f s)", l->name, l->last_error,
		 l->fails, (double)delay / 1000);
	if (o->max_tries && l->fails >= o->max_tries) {
		ct_warnx("%s: giving up after %u failed tries at index %llu",
			 l->name, l->fails, (unsigned long long)l->next);
		l->phase = P_FAILED;
		return;
	}
	l->after_wait = l->phase;
	l->phase = P_WAIT;
	l->wake_ms = now_ms() + delay;
}

void succeeded(struct log *l, const struct opts *o)
{
	if (l->fails >= o->breaker)
		ct_warnx("%s: healthy again", l->name);
	l->fails = 0;
	l->last_ok_ms = now_ms();
}

/* Wait for the next poll, or finish. */
static void idle(struct log *l, const struct opts *o)
{
	if (o->follow && !(l->end && l->next >= l->end)) {
		l->after_wait = P_STH;
		l->phase = P_WAIT;
		l->wake_ms = now_ms() + (int64_t)o->poll_ms;
	} else {
		l->phase = P_DONE;
	}
}

/* A signed head of a size already seen (this run, or verified in the
 * state file) with another root: the log shows two trees, a split view.
 * Counted and reported like any mismatch, once per root. */
static void check_fork(struct log *l, const struct ctsth *s)
{
	const uint8_t *seen = NULL;
	if (l->has_sth && l->sth.size == s->size)
		seen = l->sth.root;
	else if (l->has_verified && l->verified_size == s->size)
		seen = l->verified_root;
	if (!seen || !memcmp(seen, s->root, CTM_HASH) ||
	    !memcmp(l->fork_root, s->root, CTM_HASH))
		return;
	char a[65], b[65];
	ctm_hex(s->root, a);
	ctm_hex(seen, b);
	memcpy(l->fork_root, s->root, CTM_HASH);
	l->mismatches++;
	ct_warnx("%s: MERKLE MISMATCH at size %llu: a signed head with root %s, "
		 "but root %s was signed for the same size before (a split view: "
		 "the log shows two trees)", l->name, (unsigned long long)s->size,
		 a, b);
}

int new_head(struct log *l, const struct opts *o, const struct ctsth *s)
{
	const char *err;
	if (l->key && ctsth_verify(s, l->key, &err) < 0) {
		l->bad_sigs++;
		if (!o->sig_warn) {
			ct_warnx("%s: BAD SIGNATURE on the head of size %llu (%s): "
				 "this log is stopped (--bad-signature warn goes on)",
				 l->name, (unsigned long long)s->size, err);
			snprintf(l->last_error, sizeof l->last_error,
				 "bad head signature at size %llu", (unsigned long long)s->size);
			l->phase = P_FAILED;
			return -1;
		}
		ct_warnx("%s: BAD SIGNATURE on the head of size %llu (%s): going on "
			 "(--bad-signature warn)", l->name, (unsigned long long)s->size, err);
	}
	if (s->size < l->tree_size) {
		failed(l, o, 0, "%s: the tree shrank from %llu to %llu",
		       l->is_static ? "checkpoint" : "get-sth",
		       (unsigned long long)l->tree_size, (unsigned long long)s->size);
		return -1;
	}
	succeeded(l, o);
	check_fork(l, s);
	l->sth = *s;
	l->has_sth = 1;
	l->tree_size = s->size;
	l->target = l->end && l->end < s->size ? l->end : s->size;
	if (l->next == UINT64_MAX) { /* a new log: start at the head */
		l->next = s->size;
		l->dirty = 1;
	}
	if (l->next == 0 && !l->range_ok) {
		ctm_range_init(&l->range);
		l->range_ok = 1;
	}
	l->step = S_DATA;
	if (l->next < l->target)
		l->phase = P_ENTRIES;
	else
		reached_target(l, o);
	return 0;
}

/* The entries up to the target are out. If the range is there and the
 * target is the signed size, the recomputed root must be the signed
 * root; a range ending before it (--end) is checked with a consistency
 * proof (RFC 6962). */
void reached_target(struct log *l, const struct opts *o)
{
	if (l->range_ok && l->range.size == l->next && l->next == l->sth.size &&
	    l->sth.size > 0 && !(l->has_verified && l->verified_size == l->sth.size)) {
		uint8_t root[CTM_HASH];
		ctm_range_root(&l->range, root);
		if (memcmp(root, l->sth.root, CTM_HASH)) {
			char a[65], b[65];
			ctm_hex(l->sth.root, a);
			ctm_hex(root, b);
			l->mismatches++;
			ct_warnx("%s: MERKLE MISMATCH at size %llu: the signed root is %s, "
				 "the entries give %s (entries written, not trusted)",
				 l->name, (unsigned long long)l->sth.size, a, b);
		} else {
			l->has_verified = 1;
			l->verified_size = l->sth.size;
			memcpy(l->verified_root, root, CTM_HASH);
			l->dirty = 1;
		}
	} else if (l->range_ok && l->range.size == l->next && l->next > 0 &&
		   l->next < l->sth.size && l->step != S_CONS && l->step != S_TAILTILE &&
		   l->end && l->next >= l->end) {
		/* prove the range's root against the head: a consistency
		 * proof, or the rest of the tree from the hash tiles */
		if (l->is_static)
			static_tail(l);
		else
			l->step = S_CONS;
		l->phase = P_ENTRIES;
		return;
	}
	l->step = S_DATA;
	idle(l, o);
}

void emit(struct log *l, struct ctout *out, const char *li, size_t lil,
	  const char *ed, size_t edl, const uint8_t leaf_hash[CTM_HASH])
{
	struct ctbuf *b = &out->buf;
	CTBUF_LIT(b, "{\"log\":");
	ctjson_strz(b, l->url);
	CTBUF_LIT(b, ",\"log_name\":");
	ctjson_strz(b, l->name);
	/* ct-parse names the source type and links the entry by it */
	if (l->is_static)
		CTBUF_LIT(b, ",\"log_type\":\"static\"");
	CTBUF_LIT(b, ",\"index\":");
	ctbuf_addu64(b, l->next);
	CTBUF_LIT(b, ",\"leaf_input\":\"");
	ctbuf_add(b, li, lil);
	CTBUF_LIT(b, "\",\"extra_data\":\"");
	ctbuf_add(b, ed, edl);
	CTBUF_LIT(b, "\"}\n");
	if (ctout_record_end(out) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	if (l->range_ok && l->range.size == l->next)
		ctm_range_append(&l->range, leaf_hash);
	l->next++;
	l->fetched++;
	l->dirty = 1;
}

static void got_sth(struct log *l, const struct opts *o)
{
	struct ctsth s;
	const char *err;
	if (ctsth_parse_json(l->body.p, l->body.len, &s, &err) < 0) {
		failed(l, o, 0, "get-sth: not an STH: %s", err);
		return;
	}
	new_head(l, o, &s);
}

static void got_entries(struct log *l, const struct opts *o, struct ctout *out)
{
	/* Check the whole page first: a bad entry is retried, not skipped,
	 * and nothing of the page is written before it is whole. */
	uint64_t room = l->target - l->next;
	const char *err;
	long bad;
	long got = ctentries_parse(l->body.p, l->body.len,
				   room < l->batch ? (size_t)room : (size_t)l->batch,
				   l->views, l->hashes, &err, &bad);
	if (got < 0 && bad < 0) {
		failed(l, o, 0, "get-entries at %llu: %s (%zu bytes)",
		       (unsigned long long)l->next, err, l->body.len);
		return;
	}
	if (got < 0) {
		failed(l, o, 0, "get-entries: entry %llu: %s",
		       (unsigned long long)(l->next + (uint64_t)bad), err);
		return;
	}
	size_t count = (size_t)got;
	if (count == 0) {
		failed(l, o, 0, "get-entries at %llu: no entries",
		       (unsigned long long)l->next);
		return;
	}
	succeeded(l, o);
	if (!l->range_ok && !l->unverifiable && l->step == S_DATA) {
		/* Mid-log without a range: an inclusion proof for the first
		 * entry gives the range of the leaves before it. */
		struct ctbuf t = l->held;
		l->held = l->body;
		l->body = t;
		l->step = S_PROOF;
		return;
	}
	/* A short page: the log's page is smaller than asked; ask for what
	 * it gives from now on, and try more again after a while. */
	uint64_t asked = l->target - l->next < l->batch ? l->target - l->next : l->batch;
	if (count < asked) {
		if (count < l->batch) {
			ct_warnx("%s: short page at %llu: asked %llu, got %zu; asking "
				 "%zu from now", l->name, (unsigned long long)l->next,
				 (unsigned long long)asked, count, count);
			l->batch = count;
		}
		l->full_pages = 0;
	} else if (l->batch < o->batch && ++l->full_pages >= 32) {
		l->batch = l->batch * 2 < o->batch ? l->batch * 2 : o->batch;
		l->full_pages = 0;
	}
	for (size_t i = 0; i < count; i++)
		emit(l, out, l->views[i].li, l->views[i].lil, l->views[i].ed,
		     l->views[i].edl, l->hashes[i]);
	if (l->next >= l->target)
		reached_target(l, o);
}

/* Read a JSON array of base64 hashes; -1 if any is not 32 bytes. */
static long hash_list(const struct ctjson_val *arr, uint8_t (*out)[CTM_HASH],
		      size_t max)
{
	struct ctjson_iter it;
	struct ctjson_val k, v;
	size_t n = 0;
	if (arr->type != CTJSON_ARRAY)
		return -1;
	ctjson_iter_init(&it, arr);
	for (;;) {
		int r = ctjson_next(&it, &k, &v);
		if (r == 0)
			break;
		uint8_t t[CTB64_DECODED_MAX(64)];
		if (r < 0 || n == max || v.type != CTJSON_STRING || v.len > 64 ||
		    ctb64_decode(v.p, v.len, t) != CTM_HASH)
			return -1;
		memcpy(out[n++], t, CTM_HASH);
	}
	return (long)n;
}

/* get-proof-by-hash for the first entry of the held page. */
static void got_proof(struct log *l, const struct opts *o, struct ctout *out)
{
	static const char *const names[] = { "leaf_index", "audit_path" };
	struct ctjson_val f[2];
	uint8_t path[64][CTM_HASH];
	uint64_t idx;
	long n = -1;
	if (ctjson_fields(l->body.p, l->body.len, names, 2, f) == 0 &&
	    ctjson_u64(&f[0], &idx) == 0)
		n = hash_list(&f[1], path, 64);
	if (n < 0) {
		failed(l, o, 0, "get-proof-by-hash: not a proof");
		return;
	}
	succeeded(l, o);
	if (idx != l->next ||
	    ctm_verify_inclusion(l->next, l->sth.size, l->hashes[0],
				 (const uint8_t (*)[CTM_HASH])path, (size_t)n,
				 l->sth.root) < 0 ||
	    ctm_range_from_inclusion(&l->range, l->next, l->sth.size,
				     (const uint8_t (*)[CTM_HASH])path, (size_t)n) < 0) {
		l->mismatches++;
		l->unverifiable = 1;
		ct_warnx("%s: MERKLE MISMATCH: entry %llu is not in the signed tree of "
			 "size %llu (proof for index %llu does not lead to its root); "
			 "entries written, not trusted", l->name,
			 (unsigned long long)l->next, (unsigned long long)l->sth.size,
			 (unsigned long long)idx);
	} else {
		l->range_ok = 1;
	}
	/* now the held page, as if it had just come */
	struct ctbuf t = l->body;
	l->body = l->held;
	l->held = t;
	ctbuf_reset(&l->held);
	l->step = S_DATA;
	got_entries(l, o, out);
}

/* get-sth-consistency from the end of a range to the head. */
static void got_cons(struct log *l, const struct opts *o)
{
	static const char *const names[] = { "consistency" };
	struct ctjson_val f[1];
	uint8_t path[128][CTM_HASH];
	long n = -1;
	if (ctjson_fields(l->body.p, l->body.len, names, 1, f) == 0)
		n = hash_list(&f[0], path, 128);
	if (n < 0) {
		failed(l, o, 0, "get-sth-consistency: not a proof");
		return;
	}
	succeeded(l, o);
	uint8_t root[CTM_HASH];
	ctm_range_root(&l->range, root);
	if (ctm_verify_consistency(l->next, l->sth.size, root, l->sth.root,
				   (const uint8_t (*)[CTM_HASH])path, (size_t)n) < 0) {
		char a[65];
		ctm_hex(root, a);
		l->mismatches++;
		ct_warnx("%s: MERKLE MISMATCH: the entries up to %llu give root %s, "
			 "which the log cannot prove part of its signed tree of size "
			 "%llu (entries written, not trusted)", l->name,
			 (unsigned long long)l->next, a, (unsigned long long)l->sth.size);
	} else {
		l->has_verified = 1;
		l->verified_size = l->next;
		memcpy(l->verified_root, root, CTM_HASH);
	}
	l->step = S_DATA;
	idle(l, o);
}

/* What the request in flight was, for messages. */
static const char *what(const struct log *l, char *buf, size_t n)
{
	if (l->phase == P_STH)
		return l->is_static ? "checkpoint" : "get-sth";
	switch (l->step) {
	case S_PROOF: return "get-proof-by-hash";
	case S_CONS: return "get-sth-consistency";
	case S_HASHTILE:
	case S_TAILTILE:
		snprintf(buf, n, "hash tile %llu (range at %llu)",
			 (unsigned long long)l->tile_n, (unsigned long long)l->next);
		return buf;
	case S_ISSUER: {
		char x[65];
		ctm_hex(l->want_fp, x);
		snprintf(buf, n, "issuer %s", x);
		return buf;
	}
	default:
		if (l->is_static)
			snprintf(buf, n, "data tile %llu", (unsigned long long)l->tile_n);
		else
			snprintf(buf, n, "get-entries at %llu", (unsigned long long)l->next);
		return buf;
	}
}

static void finished(CURLMsg *msg, const struct opts *o, struct ctout *out)
{
	struct log *l;
	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&l);
	l->busy = 0;
	long code = 0;
	curl_easy_getinfo(l->h, CURLINFO_RESPONSE_CODE, &code);
	char wb[120];
	const char *w = what(l, wb, sizeof wb);
	if (msg->data.result != CURLE_OK) {
		if (l->too_big && l->body_max < (size_t)1 << 20)
			failed(l, o, 0, "%s: a response over %zu KiB", w, l->body_max >> 10);
		else if (l->too_big)
			failed(l, o, 0, "%s: a response over %zu MiB", w, l->body_max >> 20);
		else
			failed(l, o, 0, "%s: %s", w, curl_easy_strerror(msg->data.result));
		return;
	}
	if (code == 429 || code == 503) {
		curl_off_t ra = 0;
		curl_easy_getinfo(l->h, CURLINFO_RETRY_AFTER, &ra);
		failed(l, o, (long)ra, "%s: HTTP %ld%s", w, code,
		       ra ? " with Retry-After" : "");
		return;
	}
	if (l->is_static) {
		static_done(l, o, out, code);
		return;
	}
	if (code != 200) {
		failed(l, o, 0, "%s: HTTP %ld", w, code);
		return;
	}
	if (l->phase == P_STH)
		got_sth(l, o);
	else if (l->step == S_PROOF)
		got_proof(l, o, out);
	else if (l->step == S_CONS)
		got_cons(l, o);
	else
		got_entries(l, o, out);
}

/* ---- politeness --------------------------------------------------------------- */

/* 0 if a request may go now (one token taken), else ms to wait. */
static int64_t bucket_take(struct bucket *b, int64_t t)
{
	if (b->rate <= 0)
		return 0;
	b->tokens += b->rate * (double)(t - b->at_ms) / 1000.0;
	if (b->tokens > b->rate)
		b->tokens = b->rate;
	b->at_ms = t;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return 0;
	}
	return (int64_t)((1 - b->tokens) * 1000.0 / b->rate) + 1;
}

static enum health health_of(const struct log *l, const struct opts *o)
{
	return !l->fails ? H_HEALTHY : l->fails < o->breaker ? H_DEGRADED : H_UNHEALTHY;
}

static const char *const health_names[] = { "healthy", "degraded", "unhealthy" };

/* ---- stats ------------------------------------------------------------------ */

static void write_stats(const struct opts *o, struct log *logs, size_t n)
{
	if (!o->stats)
		return;
	static const char *const ph[] = { "sth", "entries", "backoff", "done",
					  "failed" };
	struct ctbuf b = CTBUF_INIT;
	int64_t t = now_ms();
	ctbuf_addc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		struct log *l = &logs[i];
		if (i)
			ctbuf_addc(&b, ',');
		CTBUF_LIT(&b, "{\"name\":");
		ctjson_strz(&b, l->name);
		CTBUF_LIT(&b, ",\"url\":");
		ctjson_strz(&b, l->url);
		ctbuf_printf(&b, ",\"type\":\"%s\",\"health\":\"%s\",\"batch\":%llu",
			     l->is_static ? "static" : "rfc6962",
			     health_names[health_of(l, o)], (unsigned long long)l->batch);
		ctbuf_printf(&b, ",\"verified\":\"%s\",\"verified_size\":%llu,"
				 "\"mismatches\":%llu,\"bad_signatures\":%llu",
			     l->mismatches || l->bad_sigs ? "MISMATCH"
			     : l->unverifiable ? "unverifiable"
			     : l->has_verified ? (l->key ? "signed" : "tree-only")
			     : "pending",
			     (unsigned long long)(l->has_verified ? l->verified_size : 0),
			     (unsigned long long)l->mismatches,
			     (unsigned long long)l->bad_sigs);
		ctbuf_printf(&b, ",\"state\":\"%s\",\"next\":%llu,\"tree_size\":%llu,"
				 "\"behind\":%llu,\"fetched\":%llu,\"errors\":%llu,"
				 "\"failing_tries\":%u,\"last_ok_s_ago\":%lld,"
				 "\"last_error\":",
			     ph[l->phase == P_WAIT ? (l->fails ? 2 : 0) : l->phase],
			     (unsigned long long)(l->next == UINT64_MAX ? 0 : l->next),
			     (unsigned long long)l->tree_size,
			     (unsigned long long)(l->next != UINT64_MAX &&
							  l->tree_size > l->next
						  ? l->tree_size - l->next : 0),
			     (unsigned long long)l->fetched,
			     (unsigned long long)l->errors, l->fails,
			     (long long)(l->last_ok_ms ? (t - l->last_ok_ms) / 1000 : -1));
		ctjson_strz(&b, l->last_error);
		ctbuf_addc(&b, '}');
	}
	CTBUF_LIT(&b, "]\n");
	if (ctafile_write(o->stats, b.p, b.len) < 0)
		ct_warn("%s", o->stats);
	ctbuf_free(&b);
}

/* SIGUSR1: one status line per log on standard error. */
static void status_lines(const struct opts *o, struct log *logs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct log *l = &logs[i];
		uint64_t next = l->next == UINT64_MAX ? 0 : l->next;
		ct_warnx("%s: %s, next %llu of %llu (behind %llu), fetched %llu, "
			 "errors %llu, verified to %llu, mismatches %llu%s%s", l->name,
			 health_names[health_of(l, o)],
			 (unsigned long long)next, (unsigned long long)l->tree_size,
			 (unsigned long long)(l->tree_size > next ? l->tree_size - next : 0),
			 (unsigned long long)l->fetched, (unsigned long long)l->errors,
			 (unsigned long long)(l->has_verified ? l->verified_size : 0),
			 (unsigned long long)l->mismatches,
			 l->fails ? ", last error: " : "", l->fails ? l->last_error : "");
	}
}

/* On a terminal: one line, redrawn, with entries, rate and ETA. */
static void progress(const struct opts *o, struct log *logs, size_t n,
		     int64_t t0, int64_t t, int final)
{
	uint64_t done = 0, left = 0;
	size_t active = 0;
	for (size_t i = 0; i < n; i++) {
		struct log *l = &logs[i];
		done += l->fetched;
		if (l->phase == P_DONE || l->phase == P_FAILED || l->next == UINT64_MAX)
			continue;
		active++;
		uint64_t goal = l->end ? (l->end < l->tree_size ? l->end : l->tree_size)
				       : l->tree_size;
		left += goal > l->next ? goal - l->next : 0;
	}
	double secs = (double)(t - t0) / 1000.0, rate = secs > 0 ? (double)done / secs : 0;
	char eta[32] = "-";
	if (rate > 0 && left) {
		double e = (double)left / rate;
		snprintf(eta, sizeof eta, "%dh%02dm%02ds", (int)(e / 3600),
			 (int)(e / 60) % 60, (int)e % 60);
	}
	(void)o;
	fprintf(stderr, "\rct-fetch: %zu of %zu logs busy, %llu entries, %.0f/s, "
			"%llu to go, ETA %s\033[K%s", active, n,
		(unsigned long long)done, rate, (unsigned long long)left, eta,
		final ? "\n" : "");
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, on_opt, &o);
	if (i != argc)
		ct_usage_error("unexpected argument '%s' (give logs on standard "
			       "input or with --logs)", argv[i]);
	if (o.has_start && o.has_end && o.end < o.start)
		ct_usage_error("--end is before --start");
	if (o.state_dir && mkdir(o.state_dir, 0755) < 0 && errno != EEXIST)
		ct_die(CT_EXIT_RUNTIME, "%s", o.state_dir);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct log *logs = NULL;
	size_t n = read_logs(&o, &logs);
	if (!n)
		ct_diex(CT_EXIT_RUNTIME, "no logs to fetch");
	issuers_init(o.issuer_cache);
	struct ctpos *pos = read_positions(&o);
	struct bucket *ops = ct_xcalloc(n, sizeof *ops);
	size_t nops = 0;
	for (size_t k = 0; k < n; k++) {
		struct log *l = &logs[k];
		struct ctfstate saved;
		l->batch = o.batch;
		l->views = ct_xmalloc(o.batch * sizeof *l->views);
		l->hashes = ct_xmalloc((o.batch > 256 ? o.batch : 256) * sizeof *l->hashes);
		l->own.rate = o.rate;
		if (o.op_rate > 0) {
			const char *on = l->operator ? l->operator : l->name;
			size_t j = 0;
			while (j < nops && strcmp(ops[j].name, on))
				j++;
			if (j == nops) {
				ops[nops].name = ct_xstrdup(on);
				ops[nops].rate = o.op_rate;
				ops[nops].tokens = o.op_rate;
				nops++;
			}
			l->op = &ops[j];
		}
		l->phase = P_STH;
		l->end = o.has_end ? o.end + 1 : 0;
		if (o.has_start) {
			/* a range: the state's position is neither used nor
			 * changed, its verified head is still checked against */
			l->next = o.start;
			if (o.state_dir && load_state(&o, l, &saved) &&
			    saved.has_verified) {
				l->has_verified = 1;
				l->verified_size = saved.verified_size;
				memcpy(l->verified_root, saved.verified_root,
				       CTM_HASH);
			}
		} else if (o.state_dir && load_state(&o, l, &saved)) {
			l->next = start_of(&o, l, pos, saved.next);
			if (l->next != saved.next)
				saved.has_range = 0; /* the range is of saved.next */
			l->tree_size = saved.tree_size;
			if (saved.has_range) {
				l->range = saved.range;
				l->range_ok = 1;
			}
			if (saved.has_verified) {
				l->has_verified = 1;
				l->verified_size = saved.verified_size;
				memcpy(l->verified_root, saved.verified_root, CTM_HASH);
			}
		}
		else
			l->next = o.from_start || o.has_end ? 0 : UINT64_MAX;
	}
	ctpos_free(pos);
	ct_sig_setup(1, -1);
	struct ctout out;
	ctout_init(&out, 1);
	out.unbuffered = o.unbuffered;
	CURLM *m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
	int64_t stats_ms = 0, t0 = now_ms(), progress_ms = t0;
	int failed_any = 0;
	int show = !o.quiet && isatty(2) && (o.has_end || !o.follow);
	for (size_t k = 0; k < n; k++) {
		logs[k].own.at_ms = t0;
		logs[k].own.tokens = o.rate;
	}
	for (size_t k = 0; k < nops; k++)
		ops[k].at_ms = t0;
	while (!ct_sig_stop) {
		int64_t t = now_ms();
		size_t active = 0;
		for (size_t k = 0; k < n; k++) {
			struct log *l = &logs[k];
			if (l->phase == P_WAIT && t >= l->wake_ms)
				l->phase = l->after_wait;
			if (!l->busy && (l->phase == P_STH || l->phase == P_ENTRIES)) {
				/* within the log's and its operator's budget */
				int64_t w = bucket_take(&l->own, t);
				if (!w && l->op) {
					w = bucket_take(l->op, t);
					if (w)
						l->own.tokens += 1; /* give it back */
				}
				if (w) {
					l->after_wait = l->phase;
					l->phase = P_WAIT;
					l->wake_ms = t + w;
				} else {
					start_request(m, l, &o);
				}
			}
			active += l->phase != P_DONE && l->phase != P_FAILED;
		}
		if (ct_sig_usr1) {
			ct_sig_usr1 = 0;
			status_lines(&o, logs, n);
		}
		if (show && t - progress_ms >= 1000) {
			progress(&o, logs, n, t0, t, 0);
			progress_ms = t;
		}
		if (!active)
			break;
		int running;
		curl_multi_perform(m, &running);
		int left;
		CURLMsg *msg;
		for (;;) {
			msg = curl_multi_info_read(m, &left);
			if (!msg)
				break;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_multi_remove_handle(m, msg->easy_handle);
			finished(msg, &o, &out);
		}
		/* State only after what it covers is out of our buffer. */
		t = now_ms();
		int flushed = 0;
		for (size_t k = 0; k < n; k++) {
			struct log *l = &logs[k];
			if (l->dirty && o.state_dir && t - l->saved_ms >= 1000) {
				if (!flushed && ctout_flush(&out) < 0)
					ct_die(CT_EXIT_RUNTIME, "write error");
				flushed = 1;
				save_state(&o, l);
			}
		}
		if (o.stats && t - stats_ms >= 5000) {
			write_stats(&o, logs, n);
			stats_ms = t;
		}
		int64_t wait = 200;
		for (size_t k = 0; k < n; k++) {
			struct log *l = &logs[k];
			if (l->phase == P_WAIT && l->wake_ms - t < wait)
				wait = l->wake_ms - t > 0 ? l->wake_ms - t : 0;
			if (!l->busy && (l->phase == P_STH || l->phase == P_ENTRIES))
				wait = 0; /* its next request can go now */
		}
		curl_multi_poll(m, NULL, 0, (int)wait, NULL);
	}
	if (show)
		progress(&o, logs, n, t0, now_ms(), 1);
	if (ctout_flush(&out) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	for (size_t k = 0; k < n; k++) {
		struct log *l = &logs[k];
		if (l->phase == P_FAILED || l->mismatches || l->bad_sigs)
			failed_any = 1;
		save_state(&o, l);
	}
	write_stats(&o, logs, n);
	if (close(1) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	for (size_t k = 0; k < n; k++) {
		struct log *l = &logs[k];
		if (l->h) {
			curl_multi_remove_handle(m, l->h);
			curl_easy_cleanup(l->h);
		}
		ctbuf_free(&l->body);
		free(l->views);
		free(l->name); free(l->url); free(l->id); free(l->type);
		free(l->operator);
		free(l->origin);
		free(l->hashes);
		ctbuf_free(&l->held);
		ctkey_free(l->key);
	}
	issuers_done();
	for (size_t k = 0; k < nops; k++)
		free(ops[k].name);
	free(ops);
	free(logs);
	curl_multi_cleanup(m);
	curl_global_cleanup();
	ctout_free(&out);
	return failed_any ? CT_EXIT_RUNTIME : CT_EXIT_OK;
}
