/* natscl: a NATS client connection to one server of a list at a time.
 * It does the handshake (INFO, TLS when asked for, CONNECT with a token
 * or a user and password, PING/PONG), answers the server's PINGs, pings
 * it in turn and calls a connection stale after two unanswered PINGs,
 * subscribes an inbox of its own (_INBOX.<random>.>) and every
 * subscription again after a reconnect, and moves to the next server of
 * the list (and those the cluster announces in INFO) on each connect.
 * It never waits for a reconnect itself: the command decides when, and
 * says so. Reads never block (poll the descriptor of ctnatscl_pollfd);
 * writes are buffered and flushed with a deadline. The handle owns its
 * buffers; message views live until the next ctnatscl_next call. */
#ifndef CT_NATSCL_H
#define CT_NATSCL_H

#include <stddef.h>
#include <stdint.h>

#include "nats.h"

struct ctnatscl_opts {
	const char *servers;   /* URLs separated by commas (nats.h) */
	const char *name;      /* the client name sent in CONNECT */
	const char *token;     /* credentials for servers whose URL has */
	const char *user;      /* none; NULL for none */
	const char *pass;
	const char *cafile;    /* trust for TLS (NULL: the system's) */
	int64_t timeout_ms;    /* a connection attempt; each flush */
	int64_t ping_ms;       /* PING after this long */
	size_t max_msg;        /* refuse (and drop the connection on) a
				* message bigger than this */
};

struct ctnatscl;

/* A client for the servers of o (nothing connected yet). NULL with err
 * if a URL is bad. Strings of o are copied. */
struct ctnatscl *ctnatscl_new(const struct ctnatscl_opts *o, char *err,
			      size_t errlen);
void ctnatscl_free(struct ctnatscl *c); /* accepts NULL */

/* One attempt at the next server of the list: 0 connected, or -1 with
 * err ("URL: what"). Called while connected, it drops that connection
 * first. When the attempt starts from the first server again,
 * *wrapped (if not NULL) is set to 1: a whole round failed. */
int ctnatscl_connect(struct ctnatscl *c, int *wrapped, char *err,
		     size_t errlen);
int ctnatscl_connected(const struct ctnatscl *c);
/* Drop the connection (anything unsent is lost). */
void ctnatscl_disconnect(struct ctnatscl *c);
/* The URL of the server of the last connect (for messages). */
const char *ctnatscl_url(const struct ctnatscl *c);
/* The server's max_payload (0 before the first connect). */
size_t ctnatscl_max_payload(const struct ctnatscl *c);
/* The inbox prefix, "_INBOX.<random>", subscribed with sid 1 as
 * "<prefix>.>"; replies to <prefix>.anything come to it. */
const char *ctnatscl_inbox(const struct ctnatscl *c);

/* Subscribe (now if connected, and again after every connect); returns
 * the subscription id (2, 3, ...). */
uint64_t ctnatscl_sub(struct ctnatscl *c, const char *subject,
		      const char *queue);

/* Queue a PUB (HPUB with hdr) for the next flush; nothing is queued while
 * disconnected (the caller publishes again after a reconnect). When the
 * queue passes 256 KiB it is flushed at once: 0, or -1 with err when
 * that flush failed (the connection is dropped). */
int ctnatscl_pub(struct ctnatscl *c, const char *subject, size_t subject_len,
		 const char *reply, size_t reply_len, const char *hdr,
		 size_t hdr_len, const void *data, size_t data_len,
		 char *err, size_t errlen);
/* Queue bytes already in the protocol's form (a PUB built once with
 * ctnats_add_pub and sent again); as ctnatscl_pub otherwise. */
int ctnatscl_raw(struct ctnatscl *c, const void *p, size_t n, char *err,
		 size_t errlen);
/* Write what is queued, waiting at most the timeout: 0, or -1 with err
 * (the connection is dropped). */
int ctnatscl_flush(struct ctnatscl *c, char *err, size_t errlen);
size_t ctnatscl_queued(const struct ctnatscl *c);

/* The descriptor and events for poll(2); returns 1 when a message may be
 * ready without waiting (call ctnatscl_next before polling), 0 else, -1
 * when not connected. */
int ctnatscl_pollfd(struct ctnatscl *c, int *fd, short *events);

/* The next message for the caller, MSG (HMSG too) or -ERR, reading what
 * the socket has without waiting; PING, PONG, INFO and +OK are handled
 * here. Returns 1 with *m, 0 when nothing more is there now, -1 when the
 * connection failed or broke the protocol (err says how; it is dropped).
 * A -ERR is returned as is: the server closes the connection after the
 * fatal ones, which the next call then reports. */
int ctnatscl_next(struct ctnatscl *c, struct ctnats_msg *m, char *err,
		  size_t errlen);

/* Keep-alive, at least every ping interval: PINGs the server when it is
 * due. Returns 0, or -1 with err when two PINGs went unanswered (the
 * connection is dropped). now and the result of ctnatscl_due are
 * ct_now_ms() values. */
int ctnatscl_tick(struct ctnatscl *c, int64_t now, char *err,
		  size_t errlen);
int64_t ctnatscl_due(const struct ctnatscl *c);

/* PING and wait for the PONG (everything sent before it has reached the
 * server): 0, or -1 with err. Messages meanwhile are dropped. */
int ctnatscl_roundtrip(struct ctnatscl *c, int64_t timeout_ms, char *err,
		       size_t errlen);

/* Send a request and wait for its reply on the inbox (or the timeout):
 * 0 with the reply's payload appended to reply_out, or -1 with err (no
 * connection, timed out, no responders). Messages other than the reply
 * that arrive meanwhile are dropped: use it before other traffic starts
 * (setting up streams and consumers). */
int ctnatscl_request(struct ctnatscl *c, const char *subject,
		     const char *payload, size_t n, int64_t timeout_ms,
		     struct ctbuf *reply_out, char *err, size_t errlen);

#endif
