/* ct-fetch: fetch entries from RFC 6962 and static-ct-api logs, all logs
 * concurrently in one process (libcurl multi), and write entry records
 * (ct-formats(5)), each log's in index order, each index once.
 *
 * Each log keeps a window of requests in flight (log.c); heads are
 * verified with the log's key and the Merkle root is recomputed from the
 * entries and compared with the signed one (verify.c). An error, a
 * truncated or unparsable answer is retried with backoff and reported,
 * never skipped. Per-log state files hold the next index and are written
 * (atomically) only after the entries before it have been written to
 * standard output (logs.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "diag.h"
#include "fetch.h"
#include "http.h"
#include "issuers.h"
#include "log.h"
#include "logrec.h"
#include "logs.h"
#include "report.h"
#include "sig.h"
#include "window.h"

enum opt_id {
	O_LOGS,
	O_FOLLOW,
	O_POLL,
	O_POLL_MIN,
	O_WINDOW,
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
	O_CACERT,
	O_NOPTS
};

static const struct ct_opt opt_table[O_NOPTS] = {
	[O_LOGS] = { "logs", 'l', "FILE", "log records to fetch (none: standard input)", NULL },
	[O_FOLLOW] = { "follow", 'F', NULL, "keep polling for new entries", NULL },
	[O_POLL] = { "poll", 0, "DURATION", "longest pause between polls of a head that does not move (--follow)", "10s" },
	[O_POLL_MIN] = { "poll-min", 0, "DURATION", "pause after a head that moved (at most --poll)", "1s" },
	[O_WINDOW] = { "window", 'w', "N", "requests in flight per log (pages or tiles)", "16" },
	[O_START] = { "start", 0, "N", "first index to fetch (a backfill)", NULL },
	[O_END] = { "end", 0, "N", "last index to fetch, inclusive", NULL },
	[O_STATE_DIR] = { "state-dir", 's', "DIR", "resume from and save one state file per log", NULL },
	[O_FROM_START] = { "from-start", 0, NULL, "a log without state starts at index 0, not the head", NULL },
	[O_BATCH] = { "batch", 'b', "N", "most entries asked for per get-entries", "256" },
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
	[O_CACERT] = { "cacert", 0, "FILE", "trust the CA certificates in FILE (PEM) instead of the system's", NULL },
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
	case O_POLL_MIN: o->poll_min_ms = ct_cli_duration_ms("poll-min", arg); break;
	case O_WINDOW: o->window = ct_cli_u64("window", arg, 1, CTLOG_WINDOW_MAX); break;
	case O_START: o->start = ct_cli_u64("start", arg, 0, UINT64_MAX >> 2); o->has_start = 1; break;
	case O_END: o->end = ct_cli_u64("end", arg, 0, UINT64_MAX >> 2); o->has_end = 1; break;
	case O_STATE_DIR: o->state_dir = arg; break;
	case O_FROM_START: o->from_start = 1; break;
	case O_BATCH: o->batch = ct_cli_u64("batch", arg, 1, 100000); break;
	case O_MAX_TRIES: o->max_tries = ct_cli_u64("max-tries", arg, 0, 1000000); break;
	case O_STATS: o->stats = arg; break;
	case O_UNBUFFERED: o->unbuffered = 1; break;
	case O_BACKOFF: o->retry.first_ms = (int64_t)ct_cli_duration_ms("backoff", arg); break;
	case O_TIMEOUT: o->timeout_ms = ct_cli_duration_ms("timeout", arg);
		if (!o->timeout_ms)
			ct_usage_error("--timeout must be more than 0");
		break;
	case O_RATE: o->rate = (double)ct_cli_u64("rate", arg, 0, 1000000); break;
	case O_OPERATOR_RATE: o->op_rate = (double)ct_cli_u64("operator-rate", arg, 0, 1000000); break;
	case O_BREAKER: o->retry.breaker = (unsigned)ct_cli_u64("breaker", arg, 1, 1000000); break;
	case O_BREAKER_WAIT: o->retry.rest_ms = (int64_t)ct_cli_duration_ms("breaker-wait", arg); break;
	case O_QUIET: o->quiet = 1; break;
	case O_BAD_SIGNATURE:
		o->sig_warn = !strcmp(arg, "warn");
		if (!o->sig_warn && strcmp(arg, "stop"))
			ct_usage_error("--bad-signature: stop or warn, not '%s'", arg);
		break;
	case O_ISSUER_CACHE: o->issuer_cache = ct_cli_u64("issuer-cache", arg, 16, 10000000); break;
	case O_REWIND: o->rewind = ct_cli_u64("rewind", arg, 0, 1ULL << 40); break;
	case O_REWIND_TO: o->rewind_to = arg; break;
	case O_CACERT:
		if (access(arg, R_OK) < 0)
			ct_usage_error("--cacert %s: %s", arg, strerror(errno));
		o->cacert = arg;
		break;
	}
	return 0;
}

/* The loop: start what each log may, wait for answers, hand them to
 * their logs; state files (after a flush) every second, --stats every 5.
 * show: draw the progress line. */
static void run(struct fetcher *f, struct logset *s, int show)
{
	const struct opts *o = f->o;
	int64_t t0 = ct_now_ms(), stats_ms = 0, tick_ms = t0;
	while (!ct_sig_stop) {
		int64_t now = ct_now_ms(), wait = 200;
		size_t active = 0;
		f->held = 0;
		for (size_t k = 0; k < s->n; k++)
			f->held += window_held(&s->v[k]);
		for (size_t k = 0; k < s->n; k++) {
			int64_t w = log_pump(&s->v[k], f, now);
			if (w < wait)
				wait = w;
			active += log_active(&s->v[k]);
		}
		if (ct_sig_usr1) {
			ct_sig_usr1 = 0;
			report_lines(o, s->v, s->n, now);
		}
		if (now - tick_ms >= 1000) {
			report_rates(s->v, s->n, now);
			if (show)
				report_progress(s->v, s->n, t0, now, 0);
			tick_ms = now;
		}
		if (!active)
			break;
		/* what is written goes out before the wait: a live stream
		 * wants it now */
		if (ctout_flush(f->out) < 0)
			ct_die(CT_EXIT_RUNTIME, "write error");
		http_wait(f->http, (int)(wait < 0 ? 0 : wait));
		now = ct_now_ms();
		for (;;) {
			struct req *r = http_next(f->http);
			if (!r)
				break;
			log_done(r->log, f, r, now);
		}
		/* state only after what it covers is out of our buffer */
		if (ctout_flush(f->out) < 0)
			ct_die(CT_EXIT_RUNTIME, "write error");
		for (size_t k = 0; k < s->n; k++)
			if (s->v[k].dirty && now - s->v[k].saved_ms >= 1000)
				logs_save(o, &s->v[k], now);
		if (o->stats && now - stats_ms >= 5000) {
			report_stats(o, s->v, s->n, now);
			stats_ms = now;
		}
	}
	if (show)
		report_progress(s->v, s->n, t0, ct_now_ms(), 1);
}

int main(int argc, char **argv)
{
	struct opts o = { .retry.max_ms = 300000 };
	ct_cli_checkfds();
	int i = ct_cli_parse(&cli, argc, argv, on_opt, &o);
	if (i != argc)
		ct_usage_error("unexpected argument '%s' (give logs on standard "
			       "input or with --logs)", argv[i]);
	if (o.has_start && o.has_end && o.end < o.start)
		ct_usage_error("--end is before --start");
	if (o.poll_min_ms > o.poll_ms)
		o.poll_min_ms = o.poll_ms; /* --poll 200ms: that fast, always */
	if (o.state_dir && mkdir(o.state_dir, 0755) < 0 && errno != EEXIST)
		ct_die(CT_EXIT_RUNTIME, "%s", o.state_dir);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct logset s;
	logs_read(&o, &s, ct_now_ms());
	if (!s.n)
		ct_diex(CT_EXIT_RUNTIME, "no logs to fetch");
	for (size_t k = 0; k < s.n; k++)
		log_start(&s.v[k], &o, ct_now_ms());
	ct_sig_setup(1, -1);
	struct ctout out;
	ctout_init(&out, 1);
	out.unbuffered = o.unbuffered;
	struct fetcher f = { .o = &o, .http = http_new(64, (long)o.timeout_ms,
						     o.cacert),
			     .out = &out,
			     .issuers = issuers_new(o.issuer_cache,
						    ISSUERS_MAX_BYTES) };
	run(&f, &s, !o.quiet && isatty(2) && (o.has_end || !o.follow));
	int failed = s.bad;
	for (size_t k = 0; k < s.n; k++) {
		struct log *l = &s.v[k];
		log_stop(l, &f);
		failed |= l->phase == P_FAILED || l->mismatches || l->bad_sigs;
	}
	if (ctout_flush(&out) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	for (size_t k = 0; k < s.n; k++)
		logs_save(&o, &s.v[k], ct_now_ms());
	report_stats(&o, s.v, s.n, ct_now_ms());
	if (close(1) < 0)
		ct_die(CT_EXIT_RUNTIME, "write error");
	http_free(f.http);
	issuers_free(f.issuers);
	logs_free(&s);
	curl_global_cleanup();
	ctout_free(&out);
	return failed ? CT_EXIT_RUNTIME : CT_EXIT_OK;
}
