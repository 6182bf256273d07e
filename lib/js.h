/* js: NATS JetStream's JSON API as ct-nats uses it ("JetStream wire
 * API", docs.nats.io): the request bodies (a stream's configuration, a
 * durable pull consumer's, a pull request), and readers of the answers
 * (an API error, a PubAck, a consumer's info, the reply subject of a
 * delivered message). Pure functions: the requests go over natscl. The
 * readers take the server's text as (buf, len) and fill the caller's
 * structs; strings they return are views into buf. */
#ifndef CT_JS_H
#define CT_JS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The bodies of an acknowledgement, published to a message's reply
 * subject: done, redeliver now, still working on it (restarts the
 * server's ack wait). */
#define CTJS_ACK "+ACK"
#define CTJS_NAK "-NAK"
#define CTJS_WPI "+WPI"

/* Is s a stream or consumer name the API takes (1..255 printable
 * characters, none of . * > / \ or blanks)? */
int ctjs_name_ok(const char *s);

struct ctjs_stream_cfg {
	const char *name;
	const char *subject; /* the one subject (wildcards allowed) */
	unsigned replicas;    /* 1..5 */
	uint64_t max_age_ms;  /* 0: no limit */
	uint64_t max_bytes;   /* 0: no limit */
	uint64_t dup_window_ms;
};
/* The body of $JS.API.STREAM.CREATE.<name>: file storage, limits
 * retention, discard old. */
void ctjs_stream_config(struct ctbuf *b, const struct ctjs_stream_cfg *s);

struct ctjs_consumer_cfg {
	const char *stream, *durable;
	const char *filter;      /* NULL: the whole stream */
	uint64_t ack_wait_ms;
	unsigned max_ack_pending;
	int deliver_new;          /* start at new messages, not the first */
	uint64_t start_seq;       /* > 0: start at this stream sequence */
};
/* The body of $JS.API.CONSUMER.DURABLE.CREATE.<stream>.<durable>: a pull
 * consumer, explicit acks, redelivered without limit. */
void ctjs_consumer_config(struct ctbuf *b, const struct ctjs_consumer_cfg *c);

/* The body of $JS.API.CONSUMER.MSG.NEXT.<stream>.<durable>. */
void ctjs_pull(struct ctbuf *b, unsigned batch, uint64_t expires_ms,
	       uint64_t heartbeat_ms, int no_wait);

/* An API answer's error: 1 with *code (HTTP-like), *err_code (JetStream's
 * own) and *desc, 0 when it has none, -1 when it is not a JSON object. */
int ctjs_api_error(const char *json, size_t n, unsigned *code,
		   unsigned *err_code, struct ct_bytes *desc);

/* A PubAck {"stream":S,"seq":N[,"duplicate":true]}: 0 with *seq and
 * *duplicate, 1 when it is an error (see ctjs_api_error, which fills the
 * same out parameters), -1 when it is neither. */
struct ctjs_puback {
	uint64_t seq;
	int duplicate;
	unsigned code, err_code;
	struct ct_bytes desc;
};
int ctjs_puback_parse(const char *json, size_t n, struct ctjs_puback *a);

/* What ct-nats needs of a consumer's info (or create) answer. */
struct ctjs_consumer_info {
	uint64_t ack_floor_stream_seq;
	uint64_t delivered_stream_seq;
	uint64_t num_pending, num_ack_pending;
	struct ct_bytes filter; /* filter_subject, escaped as it stands */
	int has_filter;
};
/* 0 with *ci, 1 an API error (nothing filled), -1 not a JSON object. */
int ctjs_consumer_info_parse(const char *json, size_t n,
			     struct ctjs_consumer_info *ci);

/* The reply subject of a delivered message:
 * $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>,
 * or the form with a domain and an account hash in front (12 tokens or
 * more). 0 with *a, -1 when it is not an ack subject. */
struct ctjs_ackinfo {
	struct ct_bytes stream, consumer;
	uint64_t delivered, stream_seq, consumer_seq, pending;
};
int ctjs_ack_parse(const char *subject, size_t n, struct ctjs_ackinfo *a);

#endif
