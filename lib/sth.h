/* sth: signed tree heads, as RFC 6962 get-sth JSON and as static-ct-api
 * checkpoints (C2SP signed notes with an RFC6962NoteSignature), and the
 * log keys that sign them.
 *
 * Both forms sign the same RFC 6962 TreeHeadSignature (version 0,
 * tree_hash, timestamp, tree_size, root) as a TLS digitally-signed
 * struct, so a get-sth and a checkpoint of one tree verify alike. */
#ifndef CT_STH_H
#define CT_STH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "merkle.h"

#define CTSTH_MAXSIG 600
#define CTSTH_MAXORIGIN 256

struct ctsth {
	uint64_t size, timestamp;
	uint8_t root[CTM_HASH];
	size_t siglen;			/* the digitally-signed struct */
	uint8_t sig[CTSTH_MAXSIG];
	char origin[CTSTH_MAXORIGIN];	/* checkpoints only */
};

/* A log's public key (base64 DER SubjectPublicKeyInfo, as in log lists)
 * and its RFC 6962 log ID, SHA-256 of that DER. */
struct ctkey;
struct ctkey *ctkey_from_b64(const char *b64, size_t len, const char **err);
const uint8_t *ctkey_log_id(const struct ctkey *k);
void ctkey_free(struct ctkey *k);

/* Parse a get-sth response. 0, or -1 with *err. */
int ctsth_parse_json(const char *p, size_t n, struct ctsth *s,
		     const char **err);

/* Parse a checkpoint. With origin non-NULL the first line must equal it;
 * the signature taken is the one whose key name is the origin and whose
 * key ID is that of an RFC6962NoteSignature by log_id (other signatures
 * and extension lines are skipped). 0, or -1 with *err. */
int ctsth_parse_checkpoint(const char *p, size_t n, const char *origin,
			   const uint8_t log_id[CTM_HASH], struct ctsth *s,
			   const char **err);

/* Check s->sig over s's tree head with k. 0 good, -1 with *err. */
int ctsth_verify(const struct ctsth *s, const struct ctkey *k,
		 const char **err);

/* The note key ID of an RFC6962NoteSignature (big-endian 4 bytes). */
uint32_t ctsth_note_key_id(const char *origin, const uint8_t log_id[CTM_HASH]);

/* For the test log: sign s's head with a private key (an OpenSSL
 * EVP_PKEY, ECDSA P-256 or RSA), setting s->sig; then write it out as
 * get-sth JSON or as a checkpoint with s->origin. 0 ok, -1 failure. */
int ctsth_sign(struct ctsth *s, void *evp_pkey);
void ctsth_json(struct ctbuf *b, const struct ctsth *s);
void ctsth_checkpoint(struct ctbuf *b, const struct ctsth *s,
		      const uint8_t log_id[CTM_HASH]);

#endif
