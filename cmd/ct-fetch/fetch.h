/* fetch.h: the types the files of ct-fetch share.
 *
 * Layering (a file calls only the ones below it; nothing calls main.c):
 *   main.c    options, the loop, teardown
 *   log.c     one log: heads, the window, the reorder buffer, verification
 *   report.c  --stats, SIGUSR1 lines, the progress line (reads logs)
 *   logs.c    log records in, state files in and out
 *   rfc6962.c static.c   what is particular to each API
 *   http.c    the transfers (libcurl multi)   issuers.c   the issuer cache */
#ifndef CT_FETCH_H
#define CT_FETCH_H

#include <curl/curl.h>
#include <stdint.h>

#include "buf.h"
#include "entries.h"
#include "io.h"
#include "leaf.h"
#include "merkle.h"
#include "polite.h"
#include "sth.h"

struct opts {
	const char *logs, *state_dir, *stats, *rewind_to;
	uint64_t start, end, batch, window, poll_ms, poll_min_ms;
	uint64_t max_tries, timeout_ms, issuer_cache, rewind;
	struct ctretry retry;	/* backoff, breaker */
	double rate, op_rate;
	int follow, from_start, has_start, has_end, unbuffered, quiet;
	int sig_warn;		/* a bad head signature warns, not stops */
};

/* ---- requests ---- */

enum rkind { R_HEAD, R_DATA, R_PROOF, R_CONS, R_HASHTILE, R_ISSUER };

struct chunk;

/* One HTTP GET in flight, owned by its log. */
struct req {
	struct log *log;
	enum rkind kind;
	struct chunk *chunk;		/* R_DATA: the entries it is for */
	uint8_t fp[CTM_HASH];		/* R_ISSUER: the fingerprint */
	CURL *h;
	struct ctbuf body;
	size_t body_max;		/* longer answers fail (too_big) */
	int too_big;
	CURLcode rc;			/* the transfer's result */
	long code;			/* the HTTP status */
	long retry_after_s;		/* Retry-After, 0 if none */
	int64_t sent_ms, sent_us;
	struct req *next;		/* the log's requests in flight */
};

/* ---- the reorder buffer ---- */

enum cstate { C_QUEUED, C_FLIGHT, C_DONE };

/* A page (RFC 6962) or a data tile (static) of consecutive entries. */
struct chunk {
	uint64_t start, end;		/* the entries [start, end) */
	enum cstate st;
	unsigned nreq;			/* requests in flight: 2 when hedged */
	int full_fallback;		/* static: the partial tile was gone */
	int64_t sent_ms;		/* its first request in flight */
	int64_t read_us;		/* the time its answer took to read */
	struct ctbuf body;		/* the answer, kept until emitted */
	size_t n;			/* entries in the answer */
	struct ctentry_view *views;	/* RFC 6962: views into body */
	uint8_t (*hashes)[CTM_HASH];	/* RFC 6962: their leaf hashes */
	struct cttileleaf *tl;		/* static: the tile's leaves */
	struct chunk *next;		/* the next chunk, in index order */
};

/* ---- logs ---- */

enum phase { P_HEAD, P_DATA, P_TAIL, P_IDLE, P_DONE, P_FAILED };
enum health { H_HEALTHY, H_DEGRADED, H_UNHEALTHY };

struct log {
	char *name, *url, *id, *type, *operator, *origin;
	int is_static;
	struct ctkey *key;		/* NULL: heads are not verified */
	uint8_t log_id[CTM_HASH];
	struct ctbucket own, *op;	/* request rates: the log's, its operator's */
	enum phase phase;
	uint64_t next, target, tree_size, end;	/* end: exclusive, 0 = none */

	/* heads */
	struct ctsth sth;		/* the head being fetched up to */
	int has_sth;
	uint8_t fork_root[CTM_HASH];	/* the last split view reported */
	int64_t poll_at, poll_ms;	/* the next poll, the pause before it */

	/* Merkle verification: the compact range of [0, next) */
	int range_ok, unverifiable;
	struct ctm_range range, tail;	/* tail: range + the rest, from tiles */
	int has_verified;
	uint64_t verified_size;
	uint8_t verified_root[CTM_HASH];
	uint64_t mismatches, bad_sigs;
	unsigned boot_i;		/* hash tiles read for a range */
	int ctl_full;			/* that hash tile: the full one */

	/* the window */
	struct chunk *chunks;		/* from next on, in index order */
	uint64_t plan_end;		/* the chunks cover [next, plan_end) */
	size_t nchunks;
	double cwnd;			/* data requests allowed in flight */
	double ssthresh;		/* cwnd doubles per window below this */
	double answer_bytes;		/* a moving average of answer sizes */
	unsigned inflight;		/* data requests in flight */
	unsigned ctl_inflight;		/* heads, proofs, hash tiles */
	unsigned iss_inflight;		/* issuers */
	int issuers_dirty;		/* look for missing issuers again */
	struct req *reqs;		/* every request in flight */
	struct ctbuf *spare;		/* answer buffers to reuse (no copy */
	size_t nspare;			/* and page fault to grow new ones) */
	uint64_t cap;			/* RFC 6962: entries asked per page */
	uint64_t cap_seen;		/* the most a page has given */
	uint64_t full_pages;		/* full pages since cap last changed */
	uint64_t cap_said;		/* the page size last reported */
	int probing;			/* cap not known yet: one page at a time */
	unsigned probe_shorts;		/* short pages while probing */
	uint64_t probe_at, probe_asked, probe_got;	/* the first of them */
	uint64_t shrinks;		/* times the window was halved */
	/* the time a page or tile takes to come back (a moving average, and
	 * the least in the last 10 s: the path's own, without the queueing
	 * that a window adds), and to be read and written out; base over
	 * proc is how many requests in flight keep the log busy */
	double lat_us, base_us, proc_us;
	int64_t base_at;
	unsigned need;
	size_t tile_issuers;		/* issuers fetched for the first chunk */

	/* health and counters */
	int64_t wait_until;		/* no new request before (backoff) */
	unsigned fails;			/* failures in a row */
	uint64_t errors, fetched, bytes, requests, stalls;
	char last_error[200];
	int64_t last_ok_ms, saved_ms;
	int64_t caught_up_ms;		/* last seen with nothing behind */
	int64_t started_ms;
	int dirty;			/* the state file is behind */
	/* for rates in reports: the counters at the last report */
	uint64_t rep_fetched, rep_bytes;
	int64_t rep_ms;
	double rate_entries, rate_bytes;
};

struct issuers;
struct http;

/* Answers held for reordering, all logs together: past this, a log asks
 * only for its first page or tile (what its output waits for), so many
 * logs busy at once take no more memory than this, whatever the window. */
#define HELD_MAX ((size_t)32 << 20)

/* What every log's work needs besides the log. */
struct fetcher {
	const struct opts *o;
	struct http *http;
	struct ctout *out;
	struct issuers *issuers;
	size_t held;		/* bytes of answers held, all logs */
};

#endif
