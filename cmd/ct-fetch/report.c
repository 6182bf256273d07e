/* report: --stats, SIGUSR1 lines, the progress line. */
#include "report.h"

#include <stdio.h>
#include <time.h>

#include "afile.h"
#include "diag.h"
#include "json.h"
#include "health.h"
#include "log.h"

void report_rates(struct log *logs, size_t n, int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct log *l = &logs[i];
		double dt = (double)(now - l->rep_ms) / 1000;
		if (dt < 0.5)
			continue;
		/* a moving average over the last few seconds */
		double e = (double)(l->fetched - l->rep_fetched) / dt;
		double b = (double)(l->bytes - l->rep_bytes) / dt;
		l->rate_entries += (e - l->rate_entries) / 3;
		l->rate_bytes += (b - l->rate_bytes) / 3;
		l->rep_fetched = l->fetched;
		l->rep_bytes = l->bytes;
		l->rep_ms = now;
	}
}

static uint64_t next_of(const struct log *l)
{
	return l->next == UINT64_MAX ? 0 : l->next;
}

static const char *verified_word(const struct log *l)
{
	return l->mismatches || l->bad_sigs ? "MISMATCH"
		: l->unverifiable ? "unverifiable"
		: l->has_verified ? (l->key ? "signed" : "tree-only")
		: "pending";
}

static void one_log(struct ctbuf *b, const struct opts *o, const struct log *l,
		    int64_t now)
{
	uint64_t next = next_of(l);
	CTBUF_LIT(b, "{\"name\":");
	ctjson_strz(b, l->name);
	CTBUF_LIT(b, ",\"url\":");
	ctjson_strz(b, l->url);
	ctbuf_printf(b, ",\"type\":\"%s\",\"health\":\"%s\"",
		     l->is_static ? "static" : "rfc6962",
		     log_health_name(log_health(l, o)));
	char root[65] = "";
	if (l->has_verified)
		ctm_hex(l->verified_root, root);
	ctbuf_printf(b, ",\"verified\":\"%s\",\"verified_size\":%llu,"
			"\"verified_root\":\"%s\",\"mismatches\":%llu,"
			"\"bad_signatures\":%llu",
		     verified_word(l),
		     (unsigned long long)(l->has_verified ? l->verified_size : 0),
		     root, (unsigned long long)l->mismatches,
		     (unsigned long long)l->bad_sigs);
	ctbuf_printf(b, ",\"state\":\"%s\",\"next\":%llu,\"tree_size\":%llu,"
			"\"behind\":%llu,\"fetched\":%llu,\"errors\":%llu,"
			"\"failing_tries\":%u,\"last_ok_s_ago\":%lld",
		     log_state_name(l, now), (unsigned long long)next,
		     (unsigned long long)l->tree_size,
		     (unsigned long long)(l->tree_size > next ? l->tree_size - next : 0),
		     (unsigned long long)l->fetched, (unsigned long long)l->errors,
		     l->fails,
		     (long long)(l->last_ok_ms ? (now - l->last_ok_ms) / 1000 : -1));
	/* absolute times (Unix seconds) for monitoring: when the log last
	 * answered, when it was last caught up (lag_s: since then) */
	struct timespec wt;
	clock_gettime(CLOCK_REALTIME, &wt);
	double wall = (double)wt.tv_sec + (double)wt.tv_nsec / 1e9;
	ctbuf_printf(b, ",\"last_ok_at\":%.3f,\"caught_up_at\":%.3f,\"lag_s\":%.3f",
		     l->last_ok_ms ? wall - (double)(now - l->last_ok_ms) / 1000 : 0,
		     l->caught_up_ms ? wall - (double)(now - l->caught_up_ms) / 1000 : 0,
		     l->tree_size > next ? (double)(now - (l->caught_up_ms
			     ? l->caught_up_ms : l->started_ms)) / 1000 : 0);
	ctbuf_printf(b, ",\"window\":%u,\"window_used\":%u,\"window_max\":%llu,"
			"\"latency_ms\":%.1f,\"page_cap\":%llu,"
			"\"batch\":%llu,\"in_flight\":%u,\"entries_per_s\":%.0f,"
			"\"bytes_per_s\":%.0f,\"requests\":%llu,\"bytes\":%llu,"
			"\"stalls\":%llu,\"window_shrinks\":%llu,"
			"\"poll_s\":%.1f,\"last_error\":",
		     (unsigned)l->cwnd, l->need, (unsigned long long)o->window,
		     l->lat_us / 1000,
		     (unsigned long long)(l->is_static ? 256 : l->cap),
		     (unsigned long long)(l->is_static ? 256 : l->cap),
		     l->inflight + l->ctl_inflight + l->iss_inflight,
		     l->rate_entries, l->rate_bytes,
		     (unsigned long long)l->requests, (unsigned long long)l->bytes,
		     (unsigned long long)l->stalls,
		     (unsigned long long)l->shrinks, (double)l->poll_ms / 1000);
	ctjson_strz(b, l->last_error);
	ctbuf_addc(b, '}');
}

void report_stats(const struct opts *o, const struct log *logs, size_t n,
		  int64_t now)
{
	if (!o->stats)
		return;
	struct ctbuf b = CTBUF_INIT;
	ctbuf_addc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			ctbuf_addc(&b, ',');
		one_log(&b, o, &logs[i], now);
	}
	CTBUF_LIT(&b, "]\n");
	if (ctafile_write(o->stats, b.p, b.len) < 0)
		ct_warn("%s", o->stats);
	ctbuf_free(&b);
}

void report_lines(const struct opts *o, const struct log *logs, size_t n,
		  int64_t now)
{
	(void)now;
	for (size_t i = 0; i < n; i++) {
		const struct log *l = &logs[i];
		uint64_t next = next_of(l);
		ct_warnx("%s: %s, next %llu of %llu (behind %llu), fetched %llu, "
			 "%.0f/s, %.0f KiB/s, window %u, page %llu, in flight %u, "
			 "errors %llu, verified to %llu, mismatches %llu%s%s",
			 l->name, log_health_name(log_health(l, o)),
			 (unsigned long long)next, (unsigned long long)l->tree_size,
			 (unsigned long long)(l->tree_size > next ? l->tree_size - next : 0),
			 (unsigned long long)l->fetched, l->rate_entries,
			 l->rate_bytes / 1024, (unsigned)l->cwnd,
			 (unsigned long long)(l->is_static ? 256 : l->cap),
			 l->inflight + l->ctl_inflight + l->iss_inflight,
			 (unsigned long long)l->errors,
			 (unsigned long long)(l->has_verified ? l->verified_size : 0),
			 (unsigned long long)l->mismatches,
			 l->fails ? ", last error: " : "", l->fails ? l->last_error : "");
	}
}

void report_progress(const struct log *logs, size_t n, int64_t t0,
		     int64_t now, int final)
{
	uint64_t done = 0, left = 0;
	size_t active = 0;
	unsigned inflight = 0;
	double bps = 0;
	for (size_t i = 0; i < n; i++) {
		const struct log *l = &logs[i];
		done += l->fetched;
		bps += l->rate_bytes;
		inflight += l->inflight + l->ctl_inflight + l->iss_inflight;
		if (!log_active(l) || l->next == UINT64_MAX)
			continue;
		active++;
		uint64_t goal = l->end && l->end < l->tree_size ? l->end : l->tree_size;
		left += goal > l->next ? goal - l->next : 0;
	}
	double secs = (double)(now - t0) / 1000.0;
	double rate = secs > 0 ? (double)done / secs : 0;
	char eta[32] = "-";
	if (rate > 0 && left) {
		double e = (double)left / rate;
		snprintf(eta, sizeof eta, "%dh%02dm%02ds", (int)(e / 3600),
			 (int)(e / 60) % 60, (int)e % 60);
	}
	char one[64] = "";
	if (n == 1)
		snprintf(one, sizeof one, ", window %u, page %llu",
			 (unsigned)logs[0].cwnd, (unsigned long long)
			 (logs[0].is_static ? 256 : logs[0].cap));
	fprintf(stderr, "\rct-fetch: %zu of %zu logs busy, %llu entries, %.0f/s, "
			"%.1f MiB/s, %u in flight%s, %llu to go, ETA %s\033[K%s",
		active, n, (unsigned long long)done, rate, bps / (1 << 20),
		inflight, one, (unsigned long long)left, eta, final ? "\n" : "");
}
