/* lib/js: the JetStream request bodies are the JSON the server takes;
 * PubAcks, API errors, consumer infos and ack subjects read back (each
 * against a guard page), and bad ones are refused. */
#include <stdint.h>
#include <string.h>

#include "../../lib/js.h"
#include "../../lib/json.h"
#include "tap.h"

static int puback(const char *s, struct ctjs_puback *a)
{
	size_t n = strlen(s);
	char *g = ct_guard_copy(s, n);
	int r = ctjs_puback_parse(g, n, a);
	ct_guard_free(g, n);
	return r;
}

/* The copy (a's views point into it) lives until the next call. */
static int ack(const char *s, struct ctjs_ackinfo *a)
{
	static char *g;
	static size_t gn;
	if (g)
		ct_guard_free(g, gn);
	gn = strlen(s);
	g = ct_guard_copy(s, gn);
	return ctjs_ack_parse(g, gn, a);
}

static int has(const struct ctbuf *b, const char *s)
{
	struct ctbuf c = CTBUF_INIT;
	ctbuf_add(&c, b->p, b->len);
	int r = strstr(ctbuf_cstr(&c), s) != NULL;
	ctbuf_free(&c);
	return r;
}

static void bodies(void)
{
	struct ctbuf b = CTBUF_INIT;
	struct ctjson_val v;
	struct ctjs_stream_cfg s = { "ctstream", "ct.entries.>", 3, 3600000, 0,
				     120000 };
	ctjs_stream_config(&b, &s);
	ok(ctjson_parse(b.p, b.len, &v) == 0 && has(&b, "\"num_replicas\":3") &&
		   has(&b, "\"duplicate_window\":120000000000") &&
		   has(&b, "\"max_age\":3600000000000") &&
		   has(&b, "\"max_bytes\":-1") && has(&b, "\"storage\":\"file\""),
	   "stream config: JSON, nanoseconds, no byte limit");
	ctbuf_reset(&b);
	struct ctjs_consumer_cfg c = { "ctstream", "r1", "ct.entries.>", 30000,
				       256, 0, 0 };
	ctjs_consumer_config(&b, &c);
	ok(ctjson_parse(b.p, b.len, &v) == 0 &&
		   has(&b, "\"deliver_policy\":\"all\"") &&
		   has(&b, "\"ack_policy\":\"explicit\"") &&
		   has(&b, "\"filter_subject\":\"ct.entries.>\""),
	   "consumer config");
	ctbuf_reset(&b);
	c.start_seq = 77;
	c.filter = NULL;
	ctjs_consumer_config(&b, &c);
	ok(ctjson_parse(b.p, b.len, &v) == 0 && has(&b, "\"opt_start_seq\":77") &&
		   !has(&b, "filter_subject"),
	   "consumer config from a sequence, no filter");
	ctbuf_reset(&b);
	ctjs_pull(&b, 128, 30000, 5000, 1);
	ok(ctjson_parse(b.p, b.len, &v) == 0 &&
		   has(&b, "{\"batch\":128,\"no_wait\":true,\"expires\":"
			   "30000000000,\"idle_heartbeat\":5000000000}"),
	   "pull request");
	ctbuf_free(&b);
}

static void answers(void)
{
	struct ctjs_puback a;
	ok(puback("{\"stream\":\"T\", \"seq\":1}", &a) == 0 && a.seq == 1 &&
		   !a.duplicate,
	   "PubAck");
	ok(puback("{\"stream\":\"T\", \"seq\":1,\"duplicate\": true}", &a) == 0 &&
		   a.duplicate,
	   "PubAck of a duplicate");
	ok(puback("{\"error\":{\"code\":503,\"err_code\":10077,\"description\":"
		  "\"maximum messages exceeded\"}}",
		  &a) == 1 &&
		   a.code == 503 && a.err_code == 10077 && a.desc.len == 25,
	   "PubAck error");
	ok(puback("{\"seq\":1}", &a) == -1 && puback("nope", &a) == -1 &&
		   puback("{\"stream\":\"T\",\"seq\":-1}", &a) == -1,
	   "not PubAcks");
	struct ctjs_consumer_info ci;
	const char *info =
		"{\"type\":\"io.nats.jetstream.api.v1.consumer_info_response\","
		"\"config\":{\"durable_name\":\"d1\",\"filter_subject\":"
		"\"t.\\u003e\"},\"delivered\":{\"consumer_seq\":9,\"stream_seq\":"
		"12},\"ack_floor\":{\"consumer_seq\":7,\"stream_seq\":10},"
		"\"num_ack_pending\":2,\"num_pending\":5}";
	ok(ctjs_consumer_info_parse(info, strlen(info), &ci) == 0 &&
		   ci.ack_floor_stream_seq == 10 && ci.delivered_stream_seq == 12 &&
		   ci.num_pending == 5 && ci.num_ack_pending == 2 &&
		   ci.has_filter && ci.filter.len == 8,
	   "consumer info");
	const char *nf = "{\"error\":{\"code\":404,\"err_code\":10014,"
			 "\"description\":\"consumer not found\"}}";
	unsigned code, ec;
	struct ct_bytes d;
	ok(ctjs_consumer_info_parse(nf, strlen(nf), &ci) == 1 &&
		   ctjs_api_error(nf, strlen(nf), &code, &ec, &d) == 1 &&
		   code == 404 && ec == 10014,
	   "consumer not found");
}

static void acks(void)
{
	struct ctjs_ackinfo a;
	ok(ack("$JS.ACK.T.d1.1.2.3.1796444368373925993.4", &a) == 0 &&
		   a.stream.len == 1 && a.consumer.len == 2 && a.delivered == 1 &&
		   a.stream_seq == 2 && a.consumer_seq == 3 && a.pending == 4,
	   "ack subject");
	ok(ack("$JS.ACK.hub.ACCHASH.T.d1.5.6.7.99.8.tok", &a) == 0 &&
		   a.delivered == 5 && a.stream_seq == 6 && a.pending == 8 &&
		   !memcmp(a.stream.p, "T", 1),
	   "ack subject with domain and account hash");
	static const char *const bad[] = {
		"$JS.ACK.T.d1.1.2.3.4", "$JS.NAK.T.d1.1.2.3.4.5",
		"$JS.ACK.T.d1.x.2.3.4.5", "$JS.ACK.T..1.2.3.4.5",
		"$JS.ACK.T.d1.1.2.3.4.5.6.7.8.9.10.11.12.13.14", "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(ack(bad[i], &a) == -1, "not an ack subject: '%s'", bad[i]);
	ok(ctjs_name_ok("ctstream-1_a") && !ctjs_name_ok("a.b") &&
		   !ctjs_name_ok("") && !ctjs_name_ok("a b") &&
		   !ctjs_name_ok("a>"),
	   "names");
}

int main(void)
{
	bodies();
	answers();
	acks();
	return tap_done();
}
