/* client: connections and their queues. A client is on one list: the
 * clients still in HTTP, or the list of its (stream, protocol). Its queue
 * holds references to shared messages and is written with one writev (or
 * SSL_write per message) as far as the socket takes, then waits for
 * writable. A dropped client is taken off its list and the loop at once,
 * and freed when the round is over (clients_bury), so whoever holds a
 * pointer to it in this round may still read it (c->dead). */
#ifndef CTSERVE_CLIENT_H
#define CTSERVE_CLIENT_H

#include <sys/types.h>

#include "server.h"

/* A message of n bytes copied from p, with no reference yet. */
struct msg *msg_new(const void *p, size_t n);
/* Drop one reference; the last frees it. */
void msg_unref(struct msg *m);

/* A new client on fd (accepted, non-blocking) from ip, in HTTP and
 * watched for reading through fn; with tls, a TLS server connection
 * over it. NULL if TLS could not be set up (the client is dropped). */
struct client *client_new(struct server *s, int fd, const char *ip,
			  SSL_CTX *tls,
			  void (*fn)(struct ctev *ev, struct ctev_io *io,
				     int ready));

/* Move c from the HTTP list to the list of (stream, proto), as st. */
void client_join(struct server *s, struct client *c, enum cstate st,
		 enum stream stream, enum proto proto);

/* Drop c: close it, give back what it holds, count why. */
void client_drop(struct server *s, struct client *c, enum reason why);

/* Free the clients dropped this round (between rounds only). */
void clients_bury(struct server *s);

/* Queue m for c. A data message (or a heartbeat, ping or keepalive)
 * that would take the queue past its limit (--queue bytes or QCAP
 * messages) is skipped and counted. A forced one (a pong, a close frame,
 * an HTTP response, the 101 or SSE header) must not be skipped: it goes
 * in when the queue is empty, or when it stays under QCAP messages and
 * RESERVE bytes past the limit; otherwise the client, which cannot be
 * answered any more, is dropped and -1 returned. A message that is not
 * queued and that nobody else holds (refs 0) is freed. 0 otherwise. */
int client_enqueue(struct server *s, struct client *c, struct msg *m,
		   int force);

/* Write what c's queue holds, as far as the socket takes it; with
 * close_after, drop c once all is written. -1 if c was dropped. */
int client_flush(struct server *s, struct client *c);

/* Is c waiting for its socket to take more? */
int client_waits_out(const struct client *c);

/* Flush every streaming client with something queued that is not
 * already waiting for its socket. */
void clients_flush(struct server *s);

/* Read from c (TLS or not) into buf: the bytes read; 0 when nothing more
 * is there now; -1 when c was dropped (the peer closed, or an error). */
ssize_t client_read(struct server *s, struct client *c, char *buf,
		    size_t cap);

/* Read and ignore what c sends (SSE and TCP clients, and a client whose
 * request was answered). */
void client_drain(struct server *s, struct client *c);

/* The streaming clients (not those in HTTP), list by list, stream by
 * stream and protocol by protocol:
 *   for (c = clients_first(s); c; c = next) { next = clients_next(s, c);
 * lets the body drop c. */
struct client *clients_first(const struct server *s);
struct client *clients_next(const struct server *s, const struct client *c);

/* Streaming clients of stream st and protocol p; -1 for either: all. */
size_t clients_count(const struct server *s, int st, int p);

/* Clients from ip, whatever their state (reading a request head,
 * holding a response, streaming), not counting but. */
size_t clients_from(const struct server *s, const char *ip,
		    const struct client *but);

/* A timer (ctx: the server): drop a client whose request head has not
 * come within 10 s (slowloris), and one whose queue (a response or
 * messages) has not moved for --write-timeout. Runs every CLIENTS_SWEEP_MS. */
#define CLIENTS_SWEEP_MS 250
int64_t clients_sweep(struct ctev *ev, void *ctx);

/* Drop every client (WebSocket ones told 1001, going away). */
void clients_shutdown(struct server *s);

#endif
