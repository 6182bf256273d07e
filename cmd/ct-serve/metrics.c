/* metrics: the /metrics text (see metrics.h). */
#include "metrics.h"

#include "client.h"
#include "filters.h"
#include "positions.h"
#include "stream.h"

static const char *const stream_name[NSTREAM] = { "lite", "full", "domains" };
static const char *const proto_name[NPROTO] = { "websocket", "sse", "tcp" };
static const char *const reason_name[NREASON] = {
	"client", "slow", "protocol", "timeout", "shutdown",
};

#define ull unsigned long long

static void connections(const struct server *s, struct ctbuf *b)
{
	CTBUF_LIT(b, "# TYPE ctserve_connections gauge\n");
	for (int st = 0; st < NSTREAM; st++)
		for (int p = 0; p < NPROTO; p++)
			ctbuf_printf(b, "ctserve_connections{stream=\"%s\","
					"protocol=\"%s\"} %zu\n",
				     stream_name[st], proto_name[p],
				     s->nclients[st][p]);
}

static void messages(const struct server *s, struct ctbuf *b)
{
	ctbuf_printf(b, "# TYPE ctserve_messages_in_total counter\n"
			"ctserve_messages_in_total %llu\n"
			"# TYPE ctserve_messages_skipped_total counter\n"
			"ctserve_messages_skipped_total %llu\n"
			"# TYPE ctserve_messages_out_total counter\n",
		     (ull)s->msgs_in, (ull)s->msgs_skipped);
	for (int st = 0; st < NSTREAM; st++)
		ctbuf_printf(b, "ctserve_messages_out_total{stream=\"%s\"} "
				"%llu\n",
			     stream_name[st], (ull)s->msgs_out[st]);
}

static void limits(const struct server *s, struct ctbuf *b)
{
	ctbuf_printf(b,
		     "# TYPE ctserve_bytes_out_total counter\n"
		     "ctserve_bytes_out_total %llu\n"
		     "# TYPE ctserve_dropped_messages_total counter\n"
		     "ctserve_dropped_messages_total %llu\n"
		     "# TYPE ctserve_auth_rejections_total counter\n"
		     "ctserve_auth_rejections_total %llu\n"
		     "# TYPE ctserve_limit_rejections_total counter\n"
		     "ctserve_limit_rejections_total{limit=\"per_ip\"} %llu\n"
		     "ctserve_limit_rejections_total{limit=\"accept_rate\"} "
		     "%llu\n"
		     "ctserve_limit_rejections_total{limit=\"max_clients\"} "
		     "%llu\n"
		     "# TYPE ctserve_filtered_total counter\n"
		     "ctserve_filtered_total %llu\n"
		     "# TYPE ctserve_filters gauge\n"
		     "ctserve_filters %zu\n"
		     "# TYPE ctserve_disconnects_total counter\n",
		     (ull)s->bytes_out, (ull)s->drops, (ull)s->auth_rejected,
		     (ull)s->rejected_ip, (ull)s->rejected_rate,
		     (ull)s->rejected_full, (ull)s->filtered,
		     filters_count(s->filters));
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
	ctbuf_printf(b, "# TYPE ctserve_deflate_connections gauge\n"
			"ctserve_deflate_connections %zu\n"
			"# TYPE ctserve_deflate_bytes_in_total counter\n"
			"ctserve_deflate_bytes_in_total %llu\n"
			"# TYPE ctserve_deflate_bytes_out_total counter\n"
			"ctserve_deflate_bytes_out_total %llu\n",
		     dc, (ull)s->z.in, (ull)s->z.out);
	ctbuf_printf(b, "# TYPE ctserve_tls_errors_total counter\n"
			"ctserve_tls_errors_total %llu\n",
		     (ull)s->tls_errors);
}

static void kept(const struct server *s, struct ctbuf *b)
{
	ctbuf_printf(b, "# TYPE ctserve_recent_certificates gauge\n"
			"ctserve_recent_certificates %zu\n"
			"# TYPE ctserve_recent_bytes gauge\n"
			"ctserve_recent_bytes %zu\n",
		     stream_recent_kept(s), s->recent_held);
	if (s->pos)
		ctbuf_printf(b,
			     "# TYPE ctserve_positions_logs gauge\n"
			     "ctserve_positions_logs %zu\n"
			     "# TYPE ctserve_positions_untracked_total "
			     "counter\n"
			     "ctserve_positions_untracked_total %llu\n"
			     "# TYPE ctserve_positions_writes_total counter\n"
			     "ctserve_positions_writes_total{result=\"ok\"} "
			     "%llu\n"
			     "ctserve_positions_writes_total{result=\"error\"} "
			     "%llu\n",
			     ctpos_count(s->pos), (ull)s->pos_untracked,
			     (ull)s->pos_saved, (ull)s->pos_errors);
	ctbuf_printf(b, "# TYPE ctserve_config_reloads_total counter\n"
			"ctserve_config_reloads_total{result=\"ok\"} %llu\n"
			"ctserve_config_reloads_total{result=\"error\"} %llu\n",
		     (ull)s->reloads_ok, (ull)s->reloads_bad);
}

void metrics_text(const struct server *s, struct ctbuf *b)
{
	connections(s, b);
	messages(s, b);
	limits(s, b);
	deflate_tls(s, b);
	kept(s, b);
}
