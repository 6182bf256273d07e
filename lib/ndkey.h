/* ndkey: find one value by a dotted path in an NDJSON line without
 * parsing the whole line. The walk reads object keys along the path and
 * skips every other value by bracket and string counting, so it stops as
 * soon as the value is found (a certificate record's leaf_cert.sha256 is
 * in its first few hundred bytes; as_der and chain are never read).
 * Values it skips are not validated: it answers "where is the key", not
 * "is this JSON". */
#ifndef CT_NDKEY_H
#define CT_NDKEY_H

#include <stddef.h>

#include "buf.h"

#define CTNDKEY_MAXDEPTH 16

/* A path split once: "data.leaf_cert.sha256". Numeric segments index
 * arrays. */
struct ctndkey_path {
	size_t n;
	const char *seg[CTNDKEY_MAXDEPTH];
	size_t len[CTNDKEY_MAXDEPTH];
	char buf[256];
};

/* Split path into p. Returns 0, or -1 if empty, too long or too deep. */
int ctndkey_compile(struct ctndkey_path *p, const char *path);

/* Kinds of value found. */
enum { CTNDKEY_STRING = 1, CTNDKEY_OTHER = 2 };

/* Find the value at p in line[0..n). Returns CTNDKEY_STRING with *v the
 * raw string body (between the quotes, escapes as they stand),
 * CTNDKEY_OTHER with *v the raw text of a number, literal, object or
 * array, 0 when the path is absent, -1 when the line is not a JSON
 * object as far as the walk went. */
int ctndkey_find(const char *line, size_t n, const struct ctndkey_path *p,
		 struct ct_bytes *v);

#endif
