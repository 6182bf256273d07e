/* b64: standard base64 (RFC 4648 section 4, with padding) and hex. */
#ifndef CT_B64_H
#define CT_B64_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Bytes needed to hold the decoding of n base64 characters. */
#define CTB64_DECODED_MAX(n) (((n) + 3) / 4 * 3)
#define CTB64_ENCODED_LEN(n) (((n) + 2) / 3 * 4)

/* Append the base64 of p[0..n) to b. */
void ctb64_encode(struct ctbuf *b, const void *p, size_t n);
/* Decode src[0..n) (strict: padding required, no whitespace) into out,
 * which must hold CTB64_DECODED_MAX(n) bytes. Returns the decoded length,
 * or -1 on invalid input. */
long ctb64_decode(const char *src, size_t n, uint8_t *out);

/* Append uppercase hex of p[0..n); sep (if non-zero) goes between bytes. */
void cthex_upper(struct ctbuf *b, const void *p, size_t n, char sep);
/* Append lowercase hex, no separator. */
void cthex_lower(struct ctbuf *b, const void *p, size_t n);
/* Decode 2n hex digits (either case) into out[n]; 0 ok, -1 invalid. */
int cthex_decode(const char *src, size_t srclen, uint8_t *out);
/* The same with sep characters anywhere among the digits ignored, as in
 * "AB:CD:EF" with sep ':': 0 if src holds exactly 2n digits besides
 * them, -1 otherwise. */
int cthex_decode_sep(const char *src, size_t srclen, char sep, uint8_t *out,
		     size_t n);

#endif
