/* server: the types every file of ct-serve shares. One struct server
 * holds the whole state; each group of its fields says which file keeps
 * it (the others only read it). Files call only downwards:
 *
 *   main -> config, options, http, wsconn, stream, client
 *   config -> options, stream      http -> metrics, stream, client, filters
 *   metrics -> stream, client, filters     wsconn -> client
 *   stream -> frame, client, filters       client -> filters
 *   options, frame, filters: nothing of ct-serve
 */
#ifndef CTSERVE_SERVER_H
#define CTSERVE_SERVER_H

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "buf.h"
#include "evloop.h"
#include "polite.h"

enum stream { S_LITE, S_FULL, S_DOM, NSTREAM };
enum proto { P_WS, P_SSE, P_TCP, NPROTO };
enum cstate { C_HTTP, C_WS, C_SSE, C_TCP };
enum reason { R_CLIENT, R_SLOW, R_PROTOCOL, R_TIMEOUT, R_SHUTDOWN, NREASON };

#define MAXTOKENS 256
#define MAXPROXIES 64
#define QCAP 4096     /* messages a client may have queued */
#define CIN 8192      /* bytes of a request head or a client frame */
#define RESERVE 65536 /* past --queue, for messages that cannot be skipped */

/* The settings: the option table's defaults, a config file's values,
 * then the flags (options.c sets them; config.c loads them). Strings
 * point into argv, the running configuration's copies, or the table. */
struct opts {
	const char *listen, *tcp[NSTREAM];
	const char *tokens[MAXTOKENS];
	size_t ntokens;
	const char *auth_header;
	uint64_t heartbeat_ms, queue_bytes, write_timeout_ms, max_clients;
	uint64_t max_per_ip, accept_rate;
	const char *proxies[MAXPROXIES];
	size_t nproxies;
	int exit_on_eof, wait_client;
	uint64_t backpressure, recent, recent_bytes, deflate;
	const char *fetch_stats;
	const char *positions;
	const char *tls_cert, *tls_key;
};

/* Strings a configuration owns (values read from its file). */
struct strs {
	char **v;
	size_t n;
};

/* An option given on the command line, replayed over the config file
 * at every load: flags win over the file. */
struct flag {
	int idx;
	const char *arg;
};

/* A ?domain= filter, shared by every client that asked for the same
 * list and evaluated once per message (filters.c). */
struct filter {
	char *spec;
	struct ctwatch *w;
	unsigned refs;
	int hit;
	struct filter *next;
};

/* A message framed once, queued by every client it goes to: freed when
 * the last one has written it (refs 0). */
struct msg {
	unsigned refs;
	size_t len;
	char data[];
};

/* A connection (client.c). The small fields are bytes: an idle client
 * costs its struct and its socket, nothing else (no input buffer, no
 * queue ring). */
struct client {
	struct ctev_io io; /* first: the loop's callback gets &c->io; its
			    * mask says whether we wait to write */
	struct client *prev, *next; /* in its (stream, proto) list, or in
				     * the list of clients still in HTTP; for
				     * a dead one, the next dead one */
	/* input not yet handled: a request head being read, or a partial
	 * client frame (CIN bytes when allocated; NULL when nothing is
	 * pending, which is the usual state of a streaming client) */
	char *in;
	size_t inlen;
	struct msg **q; /* ring of qcap (grows to QCAP, shrinks when empty) */
	size_t qcap, qhead, qn, qbytes, off;
	uint64_t drops, sent;
	int64_t since_ms, progress_ms;
	SSL *ssl; /* on the TLS listener */
	struct filter *filter;
	char ip[INET6_ADDRSTRLEN];
	uint8_t st;	   /* enum cstate */
	uint8_t stream;	   /* enum stream */
	uint8_t proto;	   /* enum proto */
	uint8_t close_why; /* enum reason */
	uint8_t close_after;
	uint8_t frag;	 /* inside a fragmented client message */
	uint8_t deflate; /* permessage-deflate negotiated */
	uint8_t dead;	 /* dropped: freed after this round of events */
};

/* A recent certificate for /api/cert: its digests and full record. */
struct recent {
	uint8_t sha256[32], sha1[20];
	char *rec;
	size_t len, cap;
};

/* permessage-deflate's compressor: each message alone (frame.c). */
struct deflater {
	z_stream z;
	int ready, level;
	uint64_t in, out;
};

struct server {
	struct ctev *ev;
	/* config.c */
	struct opts o;		 /* the running settings */
	struct opts defaults;	 /* the table's: under a file and the flags */
	const char *config;	 /* --config FILE, or NULL */
	struct strs conf_strs;	 /* owned by the running configuration */
	struct strs fixed;	 /* listen, tcp addresses and positions */
	struct flag *flags;
	size_t nflags;
	int inotify;
	uint64_t conf_timer;	 /* a change settling */
	uint64_t conf_seen;	 /* hash of the file as last read */
	uint64_t reloads_ok, reloads_bad;
	SSL_CTX *tls;		 /* new connections get this one */
	/* main.c */
	int sigpipe[2];
	struct ctev_io lio, tio[NSTREAM], sigio, inotio, stdinio;
	int reading;		 /* input allowed (--wait-for-client) */
	int stdin_on;		 /* watched, or read by stdin_timer */
	int stdin_file;		 /* a regular file: read as we go */
	uint64_t stdin_timer;
	int64_t started_ms;
	/* client.c */
	struct client *lists[NSTREAM][NPROTO], *http;
	struct client *dead;	 /* dropped this round, not yet freed */
	size_t nclients[NSTREAM][NPROTO], total, pending;
	int unflushed;		 /* queued since the last clients_flush */
	uint64_t bytes_out, drops, disconnects[NREASON], tls_errors;
	char scratch[CIN];	 /* where streaming clients' input is read */
	struct filter *filters;	 /* filters.c, from http.c's requests */
	/* http.c */
	struct ctbucket accepts; /* --accept-rate */
	uint64_t auth_rejected, rejected_full, rejected_ip, rejected_rate;
	/* stream.c */
	struct ctbuf line, work, latest;
	int stdin_open;
	int64_t last_msg_ms, eof_ms;
	uint64_t hb_timer;
	uint64_t msgs_in, msgs_skipped, msgs_out[NSTREAM], filtered;
	struct deflater z;
	struct recent *recent;	 /* a ring of o.recent; rec NULL: empty */
	size_t recent_next;	 /* the oldest, replaced next */
	size_t recent_held;	 /* bytes the ring's records take */
	struct ctpos *pos;	 /* --positions: per log, the highest index */
	struct ctbuf pos_key;	 /* scratch: a source.url unescaped */
	int pos_dirty, pos_failing;
	int64_t pos_saved_ms;
	uint64_t pos_timer;
	uint64_t pos_saved, pos_errors, pos_untracked;
};

#endif
