/* rfc6962: what is particular to RFC 6962 logs: the URLs of get-sth,
 * get-entries, get-proof-by-hash and get-sth-consistency, and the
 * readers of the proofs (get-entries pages: lib/entries; heads:
 * lib/sth). Pure functions. */
#ifndef CT_FETCH_RFC6962_H
#define CT_FETCH_RFC6962_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "merkle.h"

/* The longest audit path read: a tree of 2^64 leaves. */
#define RFC6962_MAX_PATH 64

void rfc6962_url_sth(struct ctbuf *u, const char *base);
/* Entries first..last, inclusive. */
void rfc6962_url_entries(struct ctbuf *u, const char *base, uint64_t first,
			 uint64_t last);
void rfc6962_url_proof(struct ctbuf *u, const char *base,
		       const uint8_t leaf_hash[CTM_HASH], uint64_t size);
void rfc6962_url_cons(struct ctbuf *u, const char *base, uint64_t first,
		      uint64_t second);

/* A get-proof-by-hash answer: 0 with *index and the audit path (*n
 * hashes), or -1. */
int rfc6962_proof(const char *p, size_t len, uint64_t *index,
		  uint8_t (*path)[CTM_HASH], size_t *n);
/* A get-sth-consistency answer: 0 with the proof (*n hashes), or -1. */
int rfc6962_cons(const char *p, size_t len, uint8_t (*path)[CTM_HASH],
		 size_t *n);

#endif
