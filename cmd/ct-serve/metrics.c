/* metrics: the /metrics text (see metrics.h). */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "afile.h"
#include "client.h"
#include "diag.h"
#include "fetchstats.h"
#include "filters.h"
#include "positions.h"
#include "prom.h"
#include "stream.h"

/* The largest --fetch-stats file read (as /api/logs reads it). */
#define FSTATS_MAX (16 << 20)

static const char *const stream_name[NSTREAM] = {"lite", "full", "domains"};
static const char *const proto_name[NPROTO] = {"websocket", "sse", "tcp"};
static const char *const reason_name[NREASON] = {
    "client", "slow", "protocol", "timeout", "shutdown",
};

#define ull unsigned long long

static void connections(const struct server *s, struct ctbuf *b)
{
	ctprom_family(b, "ctserve_connections", "gauge",
		      "Clients connected now, per stream and protocol.");
	for (int st = 0; st < NSTREAM; st++)
		for (int p = 0; p < NPROTO; p++)
			ctbuf_printf(b,
				     "ctserve_connections{stream=\"%s\","
				     "protocol=\"%s\"} %zu\n",
				     stream_name[st], proto_name[p],
				     s->nclients[st][p]);
}

static void messages(const struct server *s, struct ctbuf *b)
{
	ctprom_metric(b, "ctserve_messages_in_total", "counter",
		      "Certificate records read.", (double)s->msgs_in);
	ctprom_metric(b, "ctserve_messages_skipped_total", "counter",
		      "Input lines that were not certificate records.",
		      (double)s->msgs_skipped);
	ctprom_family(b, "ctserve_messages_out_total", "counter",
		      "Messages sent to clients, per stream.");
	for (int st = 0; st < NSTREAM; st++)
		ctbuf_printf(b,
			     "ctserve_messages_out_total{stream=\"%s\"} "
			     "%llu\n",
			     stream_name[st], (ull)s->msgs_out[st]);
}

static void limits(const struct server *s, struct ctbuf *b)
{
	ctprom_metric(b, "ctserve_bytes_out_total", "counter",
		      "Bytes written to clients.", (double)s->bytes_out);
	ctprom_metric(b, "ctserve_dropped_messages_total", "counter",
		      "Messages slow clients skipped.", (double)s->drops);
	ctprom_metric(b, "ctserve_auth_rejections_total", "counter",
		      "Requests refused for a missing or wrong token.",
		      (double)s->auth_rejected);
	ctprom_family(b, "ctserve_limit_rejections_total", "counter",
		      "Connections refused, per limit.");
	ctbuf_printf(b,
		     "ctserve_limit_rejections_total{limit=\"per_ip\"} "
		     "%llu\n"
		     "ctserve_limit_rejections_total{limit=\"accept_rate\"}"
		     " %llu\n"
		     "ctserve_limit_rejections_total{limit=\"max_clients\"}"
		     " %llu\n",
		     (ull)s->rejected_ip, (ull)s->rejected_rate,
		     (ull)s->rejected_full);
	ctprom_metric(b, "ctserve_filtered_total", "counter",
		      "Messages held back from clients by domain filters.",
		      (double)s->filtered);
	ctprom_metric(b, "ctserve_filters", "gauge",
		      "Distinct domain filters now.",
		      (double)filters_count(s->filters));
	ctprom_family(b, "ctserve_disconnects_total", "counter",
		      "Clients disconnected, per reason.");
	for (int r = 0; r < NREASON; r++)
		ctbuf_printf(b,
			     "ctserve_disconnects_total{reason=\"%s\"} %llu\n",
			     reason_name[r], (ull)s->disconnects[r]);
}

static void deflate_tls(const struct server *s, struct ctbuf *b)
{
	size_t dc = 0;
	for (const struct client *c = clients_first(s); c;
	     c = clients_next(s, c))
		dc += c->proto == P_WS && c->deflate;
	ctprom_metric(b, "ctserve_deflate_connections", "gauge",
		      "WebSocket clients with permessage-deflate now.",
		      (double)dc);
	ctprom_metric(b, "ctserve_deflate_bytes_in_total", "counter",
		      "Message bytes compressed for permessage-deflate.",
		      (double)s->z.in);
	ctprom_metric(b, "ctserve_deflate_bytes_out_total", "counter",
		      "Bytes the compressed messages became.",
		      (double)s->z.out);
	ctprom_metric(b, "ctserve_tls_errors_total", "counter",
		      "TLS connections that failed.", (double)s->tls_errors);
}

static void kept(const struct server *s, struct ctbuf *b)
{
	ctprom_metric(b, "ctserve_recent_certificates", "gauge",
		      "Certificate records kept for /api/cert.",
		      (double)stream_recent_kept(s));
	ctprom_metric(b, "ctserve_recent_bytes", "gauge",
		      "Bytes the records kept for /api/cert take.",
		      (double)s->recent_held);
	if (s->pos) {
		ctprom_metric(b, "ctserve_positions_logs", "gauge",
			      "Logs whose position is kept (--positions).",
			      (double)ctpos_count(s->pos));
		ctprom_metric(b, "ctserve_positions_untracked_total", "counter",
			      "Records of logs past the positions kept.",
			      (double)s->pos_untracked);
		ctprom_family(b, "ctserve_positions_writes_total", "counter",
			      "Writes of the --positions file, per result.");
		ctbuf_printf(b,
			     "ctserve_positions_writes_total{result=\"ok\"}"
			     " %llu\n"
			     "ctserve_positions_writes_total"
			     "{result=\"error\"} %llu\n",
			     (ull)s->pos_saved, (ull)s->pos_errors);
	}
	ctprom_family(b, "ctserve_config_reloads_total", "counter",
		      "Configuration reloads, per result.");
	ctbuf_printf(b,
		     "ctserve_config_reloads_total{result=\"ok\"} %llu\n"
		     "ctserve_config_reloads_total{result=\"error\"} %llu\n",
		     (ull)s->reloads_ok, (ull)s->reloads_bad);
}

/* Say what is wrong with the stats file once, not at every scrape. */
static void complain(struct server *s, const char *what)
{
	char msg[sizeof s->fstats_said];
	snprintf(msg, sizeof msg, "%s", what ? what : "");
	if (!strcmp(msg, s->fstats_said))
		return;
	memcpy(s->fstats_said, msg, sizeof msg);
	if (*msg)
		ct_warnx("%s: %s", s->o.fetch_stats, msg);
}

/* The file's age in seconds (wall clock against its mtime), or -1. */
static double age_of(const char *path)
{
	struct stat st;
	struct timespec now;
	if (stat(path, &st) < 0 || clock_gettime(CLOCK_REALTIME, &now) < 0)
		return -1;
	double a = (double)(now.tv_sec - st.st_mtim.tv_sec) +
		   (double)(now.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
	return a < 0 ? 0 : a;
}

/* --fetch-stats: the file read afresh, then ct-fetch's per-log
 * figures. */
static void fetch_stats(struct server *s, struct ctbuf *b)
{
	struct ctbuf t = CTBUF_INIT;
	struct ctfstats *f = ctfstats_new();
	const char *why = NULL;
	char err[128];
	double age = age_of(s->o.fetch_stats);
	int ok = ctafile_read(s->o.fetch_stats, FSTATS_MAX, &t) == 0;
	if (!ok) {
		snprintf(err, sizeof err, "%s",
			 errno == EFBIG ? "larger than 16 MiB"
					: strerror(errno));
		why = err;
	} else if (ctfstats_parse(f, t.p, t.len, &why) < 0) {
		ok = 0;
	} else {
		const char *w;
		size_t bad = ctfstats_invalid(f, &w);
		if (bad) {
			snprintf(err, sizeof err, "%zu logs left out: %s", bad,
				 w);
			why = err;
		}
	}
	complain(s, why);
	s->fstats_errors += !ok;
	ctprom_metric(b, "ctserve_fetch_stats_up", "gauge",
		      "Whether the --fetch-stats file was read and parsed.",
		      ok);
	ctprom_metric(b, "ctserve_fetch_stats_errors_total", "counter",
		      "Reads of the --fetch-stats file that failed.",
		      (double)s->fstats_errors);
	if (age >= 0)
		ctprom_metric(
		    b, "ctserve_fetch_stats_age_seconds", "gauge",
		    "Seconds since ct-fetch last wrote the --fetch-stats "
		    "file.",
		    age);
	ctprom_metric(b, "ctserve_fetch_stats_logs", "gauge",
		      "Logs of the --fetch-stats file exported.",
		      (double)ctfstats_count(f));
	ctprom_metric(b, "ctserve_fetch_stats_logs_omitted", "gauge",
		      "Logs of the --fetch-stats file past the 1000 exported.",
		      (double)ctfstats_omitted(f));
	ctprom_metric(b, "ctserve_fetch_stats_logs_invalid", "gauge",
		      "Logs of the --fetch-stats file left out as invalid.",
		      (double)ctfstats_invalid(f, NULL));
	ctfstats_prom(f, b);
	ctfstats_free(f);
	ctbuf_free(&t);
}

void metrics_text(struct server *s, struct ctbuf *b)
{
	connections(s, b);
	messages(s, b);
	limits(s, b);
	deflate_tls(s, b);
	kept(s, b);
	if (s->o.fetch_stats)
		fetch_stats(s, b);
	ctprom_process(b);
}
