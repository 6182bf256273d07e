/* js: JetStream request bodies and answer readers (see js.h). Durations
 * go to the server in nanoseconds. */
#include "js.h"

#include <string.h>

#include "json.h"

#define NS_PER_MS 1000000ULL

int ctjs_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || strchr(".*>/\\", c))
			return 0;
	}
	return 1;
}

static void add_ns(struct ctbuf *b, const char *key, uint64_t ms)
{
	ctbuf_addc(b, ',');
	ctjson_strz(b, key);
	ctbuf_addc(b, ':');
	ctbuf_addu64(b, ms > UINT64_MAX / 2 / NS_PER_MS ? UINT64_MAX / 2
							: ms * NS_PER_MS);
}

void ctjs_stream_config(struct ctbuf *b, const struct ctjs_stream_cfg *s)
{
	CTBUF_LIT(b, "{\"name\":");
	ctjson_strz(b, s->name);
	CTBUF_LIT(b, ",\"subjects\":[");
	ctjson_strz(b, s->subject);
	CTBUF_LIT(b, "],\"retention\":\"limits\",\"storage\":\"file\","
		     "\"discard\":\"old\",\"num_replicas\":");
	ctbuf_addu64(b, s->replicas ? s->replicas : 1);
	add_ns(b, "max_age", s->max_age_ms);
	CTBUF_LIT(b, ",\"max_bytes\":");
	if (s->max_bytes)
		ctbuf_addu64(b, s->max_bytes);
	else
		CTBUF_LIT(b, "-1");
	add_ns(b, "duplicate_window", s->dup_window_ms);
	ctbuf_addc(b, '}');
}

void ctjs_consumer_config(struct ctbuf *b, const struct ctjs_consumer_cfg *c)
{
	CTBUF_LIT(b, "{\"stream_name\":");
	ctjson_strz(b, c->stream);
	CTBUF_LIT(b, ",\"config\":{\"durable_name\":");
	ctjson_strz(b, c->durable);
	CTBUF_LIT(b, ",\"ack_policy\":\"explicit\",\"max_deliver\":-1,"
		     "\"deliver_policy\":");
	if (c->start_seq) {
		CTBUF_LIT(b, "\"by_start_sequence\",\"opt_start_seq\":");
		ctbuf_addu64(b, c->start_seq);
	} else {
		ctbuf_adds(b, c->deliver_new ? "\"new\"" : "\"all\"");
	}
	add_ns(b, "ack_wait", c->ack_wait_ms);
	CTBUF_LIT(b, ",\"max_ack_pending\":");
	ctbuf_addu64(b, c->max_ack_pending);
	if (c->filter) {
		CTBUF_LIT(b, ",\"filter_subject\":");
		ctjson_strz(b, c->filter);
	}
	CTBUF_LIT(b, "}}");
}

void ctjs_pull(struct ctbuf *b, unsigned batch, uint64_t expires_ms,
	       uint64_t heartbeat_ms, int no_wait)
{
	CTBUF_LIT(b, "{\"batch\":");
	ctbuf_addu64(b, batch ? batch : 1);
	if (no_wait)
		CTBUF_LIT(b, ",\"no_wait\":true");
	if (expires_ms)
		add_ns(b, "expires", expires_ms);
	if (heartbeat_ms)
		add_ns(b, "idle_heartbeat", heartbeat_ms);
	ctbuf_addc(b, '}');
}

static unsigned small(const struct ctjson_val *v)
{
	uint64_t u;
	return ctjson_u64(v, &u) == 0 && u < 1000000 ? (unsigned)u : 0;
}

int ctjs_api_error(const char *json, size_t n, unsigned *code,
		   unsigned *err_code, struct ct_bytes *desc)
{
	static const char *const top[] = { "error" };
	struct ctjson_val e;
	if (ctjson_fields(json, n, top, 1, &e) < 0)
		return -1;
	if (e.type != CTJSON_OBJECT)
		return 0;
	static const char *const names[] = { "code", "err_code",
					     "description" };
	struct ctjson_val v[3];
	if (ctjson_fields(e.p, e.len, names, 3, v) < 0)
		return -1;
	*code = small(&v[0]);
	*err_code = small(&v[1]);
	*desc = v[2].type == CTJSON_STRING
			? (struct ct_bytes){ (const uint8_t *)v[2].p, v[2].len }
			: (struct ct_bytes){ (const uint8_t *)"", 0 };
	return 1;
}

int ctjs_puback_parse(const char *json, size_t n, struct ctjs_puback *a)
{
	memset(a, 0, sizeof *a);
	int e = ctjs_api_error(json, n, &a->code, &a->err_code, &a->desc);
	if (e)
		return e;
	static const char *const names[] = { "stream", "seq", "duplicate" };
	struct ctjson_val v[3];
	if (ctjson_fields(json, n, names, 3, v) < 0 ||
	    v[0].type != CTJSON_STRING || ctjson_u64(&v[1], &a->seq) < 0)
		return -1;
	a->duplicate = v[2].type == CTJSON_TRUE;
	return 0;
}

/* A member of an object value that is an object itself, as a number. */
static uint64_t inner_u64(const struct ctjson_val *obj, const char *name)
{
	struct ctjson_val v;
	uint64_t u;
	if (obj->type != CTJSON_OBJECT || ctjson_member(obj, name, &v) != 1 ||
	    ctjson_u64(&v, &u) < 0)
		return 0;
	return u;
}

int ctjs_consumer_info_parse(const char *json, size_t n,
			     struct ctjs_consumer_info *ci)
{
	memset(ci, 0, sizeof *ci);
	unsigned code, err_code;
	struct ct_bytes desc;
	int e = ctjs_api_error(json, n, &code, &err_code, &desc);
	if (e)
		return e;
	static const char *const names[] = { "config", "delivered",
					     "ack_floor", "num_pending",
					     "num_ack_pending" };
	struct ctjson_val v[5], f;
	if (ctjson_fields(json, n, names, 5, v) < 0 ||
	    v[0].type != CTJSON_OBJECT)
		return -1;
	ci->delivered_stream_seq = inner_u64(&v[1], "stream_seq");
	ci->ack_floor_stream_seq = inner_u64(&v[2], "stream_seq");
	ctjson_u64(&v[3], &ci->num_pending);
	ctjson_u64(&v[4], &ci->num_ack_pending);
	if (ctjson_member(&v[0], "filter_subject", &f) == 1 &&
	    f.type == CTJSON_STRING && f.len) {
		ci->filter = (struct ct_bytes){ (const uint8_t *)f.p, f.len };
		ci->has_filter = 1;
	}
	return 0;
}

static int dec(const char *s, size_t n, uint64_t *out)
{
	if (!n || n > 20)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int ctjs_ack_parse(const char *subject, size_t n, struct ctjs_ackinfo *a)
{
	struct ct_bytes t[16];
	size_t k = 0, b = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && subject[i] != '.')
			continue;
		if (k == 16 || i == b)
			return -1;
		t[k++] = (struct ct_bytes){ (const uint8_t *)subject + b, i - b };
		b = i + 1;
	}
	if (k < 9 || t[0].len != 3 || memcmp(t[0].p, "$JS", 3) ||
	    t[1].len != 3 || memcmp(t[1].p, "ACK", 3))
		return -1;
	/* 9 tokens: v1; 12 or more: domain and account hash first */
	size_t s = k == 9 ? 2 : k >= 12 ? 4 : 0;
	if (!s)
		return -1;
	a->stream = t[s];
	a->consumer = t[s + 1];
	uint64_t ts;
	if (dec((const char *)t[s + 2].p, t[s + 2].len, &a->delivered) < 0 ||
	    dec((const char *)t[s + 3].p, t[s + 3].len, &a->stream_seq) < 0 ||
	    dec((const char *)t[s + 4].p, t[s + 4].len, &a->consumer_seq) < 0 ||
	    dec((const char *)t[s + 5].p, t[s + 5].len, &ts) < 0 ||
	    dec((const char *)t[s + 6].p, t[s + 6].len, &a->pending) < 0)
		return -1;
	return 0;
}
