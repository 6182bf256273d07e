/* ct-fetch internals shared by main.c (the loop, RFC 6962 logs, state)
 * and static.c (static-ct-api logs and the issuer cache). */
#ifndef CT_FETCH_H
#define CT_FETCH_H

#include <curl/curl.h>
#include <stdint.h>

#include "buf.h"
#include "entries.h"
#include "state.h"
#include "io.h"
#include "merkle.h"
#include "sth.h"

struct opts {
	const char *logs, *state_dir, *stats, *rewind_to;
	uint64_t start, end, batch, poll_ms, max_tries, backoff_ms, timeout_ms;
	uint64_t breaker, breaker_ms, issuer_cache, rewind;
	double rate, op_rate;
	int follow, from_start, has_start, has_end, unbuffered, quiet;
	int sig_warn;	/* a bad head signature warns instead of stopping */
};

/* A token bucket: rate per second, a burst of one second's worth. */
struct bucket {
	char *name;
	double tokens, rate;
	int64_t at_ms;
};

enum phase { P_STH, P_ENTRIES, P_WAIT, P_DONE, P_FAILED };
/* What a log's one request in flight is for. */
enum step { S_HEAD, S_DATA, S_PROOF, S_CONS, S_HASHTILE, S_ISSUER, S_TAILTILE };
enum health { H_HEALTHY, H_DEGRADED, H_UNHEALTHY };

struct log {
	char *name, *url, *id, *type, *operator, *origin;
	int is_static;
	struct ctkey *key;		/* NULL: heads are not verified */
	uint8_t log_id[CTM_HASH];
	struct bucket own, *op;
	CURL *h;
	struct ctbuf body, held;	/* held: a page or tile waiting */
	size_t body_max;
	int too_big;
	struct ctentry_view *views;
	uint8_t (*hashes)[CTM_HASH];
	enum phase phase, after_wait;
	enum step step;
	uint64_t next, target, tree_size, end; /* end: exclusive, 0 = none */
	struct ctsth sth;		/* the head being fetched up to */
	int has_sth;
	uint8_t fork_root[CTM_HASH];	/* the last split view reported */
	/* Merkle verification: the compact range of [0, next) */
	int range_ok, unverifiable;
	struct ctm_range range, tail;	/* tail: range + the rest, from tiles */
	int has_verified;
	uint64_t verified_size;
	uint8_t verified_root[CTM_HASH];
	uint64_t mismatches, bad_sigs;
	/* static-ct-api: the tile in hand and the range bootstrap */
	uint64_t tile_n;
	unsigned tile_w;
	int full_fallback;
	unsigned boot_i;
	size_t tile_issuers;	/* issuers fetched for the tile in hand */
	uint8_t want_fp[CTM_HASH];
	int64_t wake_ms, saved_ms;
	unsigned fails, tries;
	uint64_t fetched, errors, batch, full_pages;
	char last_error[200];
	int64_t last_ok_ms;
	int busy, dirty;
};

int64_t now_ms(void);
void failed(struct log *l, const struct opts *o, long retry_after_s,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A request succeeded: clear failures (and say so after an outage). */
void succeeded(struct log *l, const struct opts *o);
/* A new head: checks (signature, shrinking), sets the target. 0 ok. */
int new_head(struct log *l, const struct opts *o, const struct ctsth *s);
/* Write entry record i of the log (leaf_input, extra_data in base64)
 * and fold its leaf hash into the range. */
void emit(struct log *l, struct ctout *out, const char *li, size_t lil,
	  const char *ed, size_t edl, const uint8_t leaf_hash[CTM_HASH]);
/* The entries up to the target are out: verify, then poll or finish. */
void reached_target(struct log *l, const struct opts *o);

/* static.c */
void static_url(struct log *l, struct ctbuf *url);
/* After an --end before the head: prove the range from hash tiles. */
void static_tail(struct log *l);
void static_done(struct log *l, const struct opts *o, struct ctout *out,
		 long code);
void issuers_init(size_t max);
void issuers_done(void);

#endif
