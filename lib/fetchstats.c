/* fetchstats: ct-fetch's --stats read back, as metrics (see
 * fetchstats.h). */
#include "fetchstats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "prom.h"

/* The figures of a log: the member of the stats object, the metric, its
 * type and help, and a factor to base units. */
enum fig {
	F_TREE,
	F_NEXT,
	F_BEHIND,
	F_LAG,
	F_FETCHED,
	F_REQUESTS,
	F_ERRORS,
	F_BYTES,
	F_VSIZE,
	F_MISMATCH,
	F_BADSIG,
	F_FAILS,
	F_LASTOK,
	F_CAUGHT,
	F_WINDOW,
	F_WMAX,
	F_INFLIGHT,
	F_LATENCY,
	F_STALLS,
	F_SHRINKS,
	F_POLL,
	NFIG
};

static const struct figure {
	const char *member, *metric, *type, *help;
	double scale;
	int zero_unknown; /* 0 means "never": leave it out */
} figs[NFIG] = {
    [F_TREE] = {"tree_size", "ctfetch_log_tree_size", "gauge",
		"Entries in the log's latest signed tree head.", 1, 0},
    [F_NEXT] = {"next", "ctfetch_log_next_index", "gauge",
		"Index of the next entry to fetch.", 1, 0},
    [F_BEHIND] = {"behind", "ctfetch_log_lag_entries", "gauge",
		  "Entries of the tree not fetched yet.", 1, 0},
    [F_LAG] = {"lag_s", "ctfetch_log_lag_seconds", "gauge",
	       "Seconds the log has been behind its tree head (0: caught "
	       "up).",
	       1, 0},
    [F_FETCHED] = {"fetched", "ctfetch_log_entries_total", "counter",
		   "Entries fetched since ct-fetch started.", 1, 0},
    [F_REQUESTS] = {"requests", "ctfetch_log_requests_total", "counter",
		    "Requests made to the log since ct-fetch started.", 1, 0},
    [F_ERRORS] = {"errors", "ctfetch_log_errors_total", "counter",
		  "Requests to the log that failed.", 1, 0},
    [F_BYTES] = {"bytes", "ctfetch_log_received_bytes_total", "counter",
		 "Bytes received from the log.", 1, 0},
    [F_VSIZE] = {"verified_size", "ctfetch_log_verified_tree_size", "gauge",
		 "Tree size up to which the entries were verified "
		 "against a signed head.",
		 1, 0},
    [F_MISMATCH] = {"mismatches", "ctfetch_log_verification_mismatches_total",
		    "counter",
		    "Signed heads the fetched entries or another head "
		    "contradict.",
		    1, 0},
    [F_BADSIG] = {"bad_signatures", "ctfetch_log_bad_signatures_total",
		  "counter", "Signed heads whose signature did not verify.", 1,
		  0},
    [F_FAILS] = {"failing_tries", "ctfetch_log_consecutive_failures", "gauge",
		 "Requests that failed in a row (0: healthy).", 1, 0},
    [F_LASTOK] = {"last_ok_at", "ctfetch_log_last_success_timestamp_seconds",
		  "gauge", "When the log last answered, in Unix seconds.", 1,
		  1},
    [F_CAUGHT] = {"caught_up_at", "ctfetch_log_caught_up_timestamp_seconds",
		  "gauge", "When the log was last caught up, in Unix seconds.",
		  1, 1},
    [F_WINDOW] = {"window", "ctfetch_log_window_requests", "gauge",
		  "Requests the window allows in flight now.", 1, 0},
    [F_WMAX] = {"window_max", "ctfetch_log_window_max_requests", "gauge",
		"Requests the window allows in flight at most.", 1, 0},
    [F_INFLIGHT] = {"in_flight", "ctfetch_log_in_flight_requests", "gauge",
		    "Requests to the log in flight now.", 1, 0},
    [F_LATENCY] = {"latency_ms", "ctfetch_log_latency_seconds", "gauge",
		   "Smoothed time the log takes to answer, in seconds.", 0.001,
		   0},
    [F_STALLS] = {"stalls", "ctfetch_log_stalls_total", "counter",
		  "Stalled requests asked again.", 1, 0},
    [F_SHRINKS] = {"window_shrinks", "ctfetch_log_window_shrinks_total",
		   "counter", "Times a 429 or 503 halved the window.", 1, 0},
    [F_POLL] = {"poll_s", "ctfetch_log_poll_interval_seconds", "gauge",
		"Pause before the next poll of the log's head.", 1, 0},
};

/* The words of a few members, each a state set: one series per word,
 * 1 for the log's word and 0 for the others. */
enum word { W_HEALTH, W_STATE, W_VERIFIED, NWORD };
#define MAXWORDS 5
static const struct wordset {
	const char *member, *metric, *label, *help;
	const char *words[MAXWORDS + 1];
} wordsets[NWORD] = {
    [W_HEALTH] = {"health",
		  "ctfetch_log_health",
		  "health",
		  "The log's health (1 for the one it is in).",
		  {"healthy", "degraded", "unhealthy", NULL}},
    [W_STATE] = {"state",
		 "ctfetch_log_state",
		 "state",
		 "What ct-fetch is doing with the log (1 for the one).",
		 {"sth", "entries", "backoff", "done", "failed", NULL}},
    [W_VERIFIED] = {"verified",
		    "ctfetch_log_verification",
		    "verification",
		    "How far the log's heads verify (1 for the one it is in).",
		    {"pending", "signed", "tree-only", "unverifiable",
		     "MISMATCH", NULL}},
};

struct flog {
	char *name, *url; /* label values as written: quoted, escaped */
	size_t nlen, ulen;
	double v[NFIG];
	uint32_t have;		 /* bit per figure */
	signed char word[NWORD]; /* index in words, -1 unknown */
};

struct ctfstats {
	struct flog *logs;
	size_t n, omitted, invalid;
	const char *why_invalid;
};

struct ctfstats *ctfstats_new(void)
{
	struct ctfstats *f = ct_xcalloc(1, sizeof *f);
	f->logs = ct_xcalloc(CTFSTATS_MAX_LOGS, sizeof *f->logs);
	return f;
}

static void clear(struct ctfstats *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->logs[i].name);
		free(f->logs[i].url);
	}
	f->n = f->omitted = f->invalid = 0;
	f->why_invalid = NULL;
}

void ctfstats_free(struct ctfstats *f)
{
	if (!f)
		return;
	clear(f);
	free(f->logs);
	free(f);
}

size_t ctfstats_count(const struct ctfstats *f)
{
	return f->n;
}

size_t ctfstats_omitted(const struct ctfstats *f)
{
	return f->omitted;
}

size_t ctfstats_invalid(const struct ctfstats *f, const char **why)
{
	if (why)
		*why = f->why_invalid;
	return f->invalid;
}

/* A string member of 1 to CTFSTATS_MAX_LABEL bytes (unescaped), as the
 * label value it becomes (allocated); NULL if not one. Kept in that form,
 * two names that differ only in bytes the format cannot carry (and so
 * would give the same series) are seen to be the same. */
static char *label(const struct ctjson_val *v, size_t *len)
{
	if (v->type != CTJSON_STRING || !v->len ||
	    v->len > 6 * CTFSTATS_MAX_LABEL)
		return NULL;
	struct ctbuf t = CTBUF_INIT, b = CTBUF_INIT;
	if (ctjson_unescape(v, &t) == 0 && t.len && t.len <= CTFSTATS_MAX_LABEL)
		ctprom_label(&b, t.p, t.len);
	ctbuf_free(&t);
	*len = b.len;
	return b.p;
}

/* A number member as a finite double; 0 ok, -1 not one. */
static int number(const struct ctjson_val *v, double *out)
{
	char tmp[64];
	if (v->type != CTJSON_NUMBER || v->len >= sizeof tmp)
		return -1;
	memcpy(tmp, v->p, v->len);
	tmp[v->len] = 0;
	double d = strtod(tmp, NULL);
	if (!isfinite(d))
		return -1;
	*out = d;
	return 0;
}

static int same_log(const struct flog *a, const struct flog *b)
{
	return a->nlen == b->nlen && a->ulen == b->ulen &&
	       !memcmp(a->name, b->name, a->nlen) &&
	       !memcmp(a->url, b->url, a->ulen);
}

static void words(struct flog *l, const struct ctjson_val *vals)
{
	for (int w = 0; w < NWORD; w++) {
		l->word[w] = -1;
		for (int k = 0; wordsets[w].words[k]; k++)
			if (ctjson_eq(&vals[NFIG + 2 + w],
				      wordsets[w].words[k]))
				l->word[w] = (signed char)k;
	}
}

/* One element of the array; 0 kept, -1 invalid (why set). */
static int one(struct ctfstats *f, const struct ctjson_val *e, const char **why)
{
	const char *names[NFIG + 2 + NWORD];
	for (int i = 0; i < NFIG; i++)
		names[i] = figs[i].member;
	names[NFIG] = "name";
	names[NFIG + 1] = "url";
	for (int w = 0; w < NWORD; w++)
		names[NFIG + 2 + w] = wordsets[w].member;
	struct ctjson_val vals[NFIG + 2 + NWORD];
	if (e->type != CTJSON_OBJECT ||
	    ctjson_fields(e->p, e->len, names, NFIG + 2 + NWORD, vals) < 0) {
		*why = "a log that is not an object";
		return -1;
	}
	struct flog *l = &f->logs[f->n];
	memset(l, 0, sizeof *l);
	l->name = label(&vals[NFIG], &l->nlen);
	l->url = label(&vals[NFIG + 1], &l->ulen);
	*why = !l->name || !l->url ? "a log without a name and a url (strings "
				     "of 1 to 1024 bytes)"
				   : NULL;
	for (size_t i = 0; !*why && i < f->n; i++)
		if (same_log(&f->logs[i], l))
			*why = "a log twice (the same name and url)";
	if (*why) {
		free(l->name);
		free(l->url);
		return -1;
	}
	for (int i = 0; i < NFIG; i++)
		if (number(&vals[i], &l->v[i]) == 0 &&
		    !(figs[i].zero_unknown && l->v[i] == 0))
			l->have |= 1u << i;
	words(l, vals);
	f->n++;
	return 0;
}

int ctfstats_parse(struct ctfstats *f, const char *s, size_t n,
		   const char **why)
{
	clear(f);
	struct ctjson_val arr, key, e;
	if (ctjson_parse(s, n, &arr) < 0 || arr.type != CTJSON_ARRAY) {
		*why = "not a JSON array";
		return -1;
	}
	struct ctjson_iter it;
	ctjson_iter_init(&it, &arr);
	int r;
	for (;;) {
		r = ctjson_next(&it, &key, &e);
		if (r <= 0)
			break;
		const char *w;
		if (f->n == CTFSTATS_MAX_LOGS)
			f->omitted++;
		else if (one(f, &e, &w) < 0 && !f->invalid++)
			f->why_invalid = w;
	}
	if (r < 0) { /* cannot be: the whole text was checked */
		clear(f);
		*why = "not a JSON array";
		return -1;
	}
	return 0;
}

/* The labels of a log: {log="...",url="..." and then more or '}'. */
static void labels(struct ctbuf *b, const char *metric, const struct flog *l)
{
	ctbuf_printf(b, "%s{log=", metric);
	ctbuf_add(b, l->name, l->nlen);
	CTBUF_LIT(b, ",url=");
	ctbuf_add(b, l->url, l->ulen);
}

void ctfstats_prom(const struct ctfstats *f, struct ctbuf *b)
{
	if (!f->n)
		return;
	for (int i = 0; i < NFIG; i++) {
		const struct figure *g = &figs[i];
		ctprom_family(b, g->metric, g->type, g->help);
		for (size_t k = 0; k < f->n; k++) {
			const struct flog *l = &f->logs[k];
			if (!(l->have & 1u << i))
				continue;
			labels(b, g->metric, l);
			CTBUF_LIT(b, "} ");
			ctprom_value(b, l->v[i] * g->scale);
			ctbuf_addc(b, '\n');
		}
	}
	for (int w = 0; w < NWORD; w++) {
		const struct wordset *ws = &wordsets[w];
		ctprom_family(b, ws->metric, "gauge", ws->help);
		for (size_t k = 0; k < f->n; k++)
			for (int j = 0; ws->words[j]; j++) {
				labels(b, ws->metric, &f->logs[k]);
				ctbuf_printf(b, ",%s=\"%s\"} %d\n", ws->label,
					     ws->words[j],
					     f->logs[k].word[w] == j);
			}
	}
}
