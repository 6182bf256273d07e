/* ct-nats: what its parts share: the options, the connection kept up
 * (link.c), what a record says about itself (record.c), and the two
 * modes (pub.c, sub.c). */
#ifndef CT_NATS_CMD_H
#define CT_NATS_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "natscl.h"

struct opts {
	const char *servers, *stream, *durable, *queue, *cacert;
	const char *subject; /* the operand */
	int per_log, drain, quiet, unbuffered, deliver_new;
	unsigned replicas, batch, max_pending;
	uint64_t max_age_ms, max_bytes, dup_window_ms, ack_timeout_ms;
	uint64_t ack_wait_ms, give_up_ms, connect_ms, rewind, count;
};

/* The connection, kept up: link_up connects to the next server until one
 * answers, waiting between rounds of the list (100 ms doubling to 2 s),
 * and says what failed (a repeated failure once in 30 s). */
struct link {
	struct ctnatscl *cl;
	const struct opts *o;
	int64_t down_since; /* -1 while connected */
	int64_t backoff_ms;
	int64_t said_at;
	char said[256];
	unsigned long connects;
};
/* The client for o's servers and credentials (NATS_TOKEN, NATS_USER,
 * NATS_PASSWORD from the environment); exits 2 on a bad URL. */
void link_init(struct link *l, const struct opts *o);
void link_free(struct link *l);
/* 0 connected, -1 stopped by a signal or --give-up passed (said). */
int link_up(struct link *l);
/* The connection is gone (err says how): say so once. */
void link_lost(struct link *l, const char *err);
/* A JetStream API request, asked again (after a reconnect if need be)
 * while there is no answer or the answer is a 503 (JetStream starting,
 * a cluster electing its leader): 0 with the answer in reply (it may be
 * another API error), -1 stopped or gave up (said). */
int link_api(struct link *l, const char *subject, const struct ctbuf *body,
	     struct ctbuf *reply);
/* Sleep ms (a signal ends it early). */
void link_sleep(int64_t ms);

/* What a record says about itself: its Nats-Msg-Id and its log as a
 * subject token. */
struct recinfo {
	char id[512];
	size_t id_len;
	char log[104];
	size_t log_len;
};
/* Entry records: "<log>#<index>"; certificate records:
 * "<data.leaf_cert.sha256>@<data.source.url>#<data.cert_index>";
 * anything else: "sha256:<hex of the line>". The log token: the log's
 * URL without its scheme, each run of characters other than letters,
 * digits and '-' as one '_' ("none" without a log). */
void record_info(const char *line, size_t n, struct recinfo *ri);

int pub_main(const struct opts *o);
int sub_main(const struct opts *o);

#endif
