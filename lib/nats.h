/* nats: the NATS client protocol as text (docs.nats.io, "Client
 * Protocol"): a reader of what a server sends (INFO, MSG, HMSG, PING,
 * PONG, +OK, -ERR) in the picohttpparser style, pure functions over
 * (buf, len) whose outputs are views into buf; the header block of HMSG
 * (status line, fields); server URLs; and writers of what a client sends
 * (CONNECT, PUB, HPUB, SUB, UNSUB) into a ctbuf. No I/O here: natscl
 * holds the connection. */
#ifndef CT_NATS_H
#define CT_NATS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The longest control line (the part before a payload) a reader
 * accepts; a server's own limit for what clients send is the same. */
#define CTNATS_MAX_CONTROL 4096
/* Payload sizes above this are invalid whatever the caller allows. */
#define CTNATS_MAX_SIZE ((size_t)1 << 30)

/* A borrowed piece of text. */
struct ctnats_str {
	const char *p;
	size_t len;
};

enum ctnats_op {
	CTNATS_INFO = 1, /* text: the JSON object */
	CTNATS_MSG,      /* subject, sid, reply, hdr (HMSG only), data */
	CTNATS_PING,
	CTNATS_PONG,
	CTNATS_OK,
	CTNATS_ERR /* text: the message without its quotes */
};

struct ctnats_msg {
	enum ctnats_op op;
	struct ctnats_str subject, reply; /* reply.len 0: none */
	uint64_t sid;
	struct ctnats_str hdr;  /* header block of HMSG, "NATS/1.0..." */
	struct ctnats_str data; /* payload */
	struct ctnats_str text; /* INFO's JSON, -ERR's message */
	/* On -2 (need more): the whole message's size in bytes once its
	 * control line is complete (so the caller can refuse a message
	 * bigger than it allows before it arrives), else 0. */
	size_t need;
	/* On -1: what is wrong, a static string. */
	const char *error;
};

/* Read one server message from buf[0..len). Returns the bytes it takes
 * (> 0) with *m filled (views into buf), -2 if buf holds only a prefix of
 * one (m->need as above), -1 if it is not the protocol (m->error says
 * why). Operation names are case-insensitive; arguments are separated by
 * any run of spaces and tabs; lines end in CRLF. A control line longer
 * than CTNATS_MAX_CONTROL is the caller's to refuse (-2 with need 0 and
 * len past the limit). */
int ctnats_parse(const char *buf, size_t len, struct ctnats_msg *m);

/* The status of a header block ("NATS/1.0 408 Request Timeout"): returns
 * the code (100..999) with *desc the text after it (may be empty), 0 when
 * the block has no status, -1 when it is not a header block. */
int ctnats_status(const char *hdr, size_t n, struct ctnats_str *desc);

/* The value of the first field called name (case-insensitive) in a
 * header block, without surrounding blanks: 1 found, 0 absent, -1 not a
 * header block. */
int ctnats_header(const char *hdr, size_t n, const char *name,
		  struct ctnats_str *value);

/* A server address: [nats://|tls://][user[:password]@]host[:port][/]
 * (a user without a password is a token). Port 4222 by default. */
struct ctnats_url {
	int tls; /* tls:// (TLS even if the server does not ask for it) */
	unsigned port;
	char host[256]; /* without the brackets of an IPv6 address */
	char user[256], pass[256];
	int has_user, has_pass;
};
/* Parse s[0..n). Returns 0, or -1 with the reason in err. */
int ctnats_url_parse(const char *s, size_t n, struct ctnats_url *u,
		     char *err, size_t errlen);

/* Is s[0..n) a subject a client may publish to or subscribe (wildcards
 * allowed when wild): tokens of printable non-blank characters separated
 * by dots, none empty; "*" a whole token, ">" only the last. */
int ctnats_subject_ok(const char *s, size_t n, int wild);

/* ---- writers: each appends one protocol line (and payload) to b ---- */

/* CONNECT with our options (no echo, headers, no_responders) and the
 * credentials given (NULL: none; token wins over user/pass). */
void ctnats_add_connect(struct ctbuf *b, const char *name, int tls,
			const char *token, const char *user,
			const char *pass);
/* PUB, or HPUB when hdr_len > 0; reply may be NULL. */
void ctnats_add_pub(struct ctbuf *b, const char *subject, size_t subject_len,
		    const char *reply, size_t reply_len, const char *hdr,
		    size_t hdr_len, const char *data, size_t data_len);
void ctnats_add_sub(struct ctbuf *b, const char *subject, const char *queue,
		    uint64_t sid);
void ctnats_add_unsub(struct ctbuf *b, uint64_t sid);

/* A header block: begin, any fields (no CR or LF in them), end. */
void ctnats_hdr_begin(struct ctbuf *b);
void ctnats_hdr_add(struct ctbuf *b, const char *name, const char *value,
		    size_t value_len);
void ctnats_hdr_end(struct ctbuf *b);

#endif
