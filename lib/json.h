/* json: the NDJSON writer every command uses (escaping, UTF-8 repair) and
 * a small strict reader that walks a JSON text in place without
 * allocating: values are views into the caller's buffer, valid as long as
 * that buffer is. Nesting deeper than CTJSON_MAX_DEPTH is invalid. */
#ifndef CT_JSON_H
#define CT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CTJSON_MAX_DEPTH 64

/* ---- writer ---- */

/* Append s[0..n) as a quoted JSON string. Control characters are escaped,
 * invalid UTF-8 is replaced by U+FFFD; the output is always valid JSON. */
void ctjson_str(struct ctbuf *b, const void *s, size_t n);
static inline void ctjson_strz(struct ctbuf *b, const char *s)
{
	ctjson_str(b, s, strlen(s));
}
/* Append s[0..n) escaped as above, without the surrounding quotes. */
void ctjson_str_body(struct ctbuf *b, const void *s, size_t n);
/* Append a number with millisecond precision, e.g. 1767225660.123 */
void ctjson_millis(struct ctbuf *b, uint64_t ms);
/* Append seconds with microsecond precision from a timespec-like pair. */
void ctjson_seconds(struct ctbuf *b, int64_t sec, long nsec);

/* ---- reader ---- */

enum ctjson_type {
	CTJSON_INVALID = 0,
	CTJSON_STRING,
	CTJSON_NUMBER,
	CTJSON_OBJECT,
	CTJSON_ARRAY,
	CTJSON_TRUE,
	CTJSON_FALSE,
	CTJSON_NULL
};

/* A value as it stands in the text. For strings p/len is the body between
 * the quotes (still escaped; see escaped); for objects and arrays it spans
 * the brackets; for the rest, the literal. */
struct ctjson_val {
	enum ctjson_type type;
	const char *p;
	size_t len;
	int escaped; /* string body contains a backslash */
};

/* Parse exactly one JSON value from s[0..n), surrounding white space
 * allowed, nothing else. Returns 0 and fills *out, or -1 if invalid. */
int ctjson_parse(const char *s, size_t n, struct ctjson_val *out);

/* Iterate the members of an object value (from ctjson_parse or a member):
 *   struct ctjson_iter it; ctjson_iter_init(&it, &obj);
 *   while ((r = ctjson_next(&it, &key, &val)) > 0) ...
 * returns 1 with a member, 0 at the end, -1 on invalid text. For arrays
 * the key is left with type CTJSON_INVALID. */
struct ctjson_iter {
	const char *p, *end;
	int first;
	int is_array;
};
void ctjson_iter_init(struct ctjson_iter *it, const struct ctjson_val *v);
int ctjson_next(struct ctjson_iter *it, struct ctjson_val *key,
		struct ctjson_val *val);

/* One pass over a whole object text s[0..n) (validated completely, as by
 * ctjson_parse): for each of the count member names, vals[i] receives the
 * first member of that name (type CTJSON_INVALID when absent). Returns 0,
 * or -1 if s is not one valid JSON object. */
int ctjson_fields(const char *s, size_t n, const char *const *names,
		  size_t count, struct ctjson_val *vals);

/* Does string value v (unescaped) equal the NUL-terminated s? */
int ctjson_eq(const struct ctjson_val *v, const char *s);
/* Find member name in object obj: 1 found, 0 absent, -1 invalid. */
int ctjson_member(const struct ctjson_val *obj, const char *name,
		  struct ctjson_val *out);
/* Follow a dotted path ("data.leaf_cert.sha256"; array elements by
 * decimal index) from v: 1 found, 0 absent, -1 invalid. */
int ctjson_path(const struct ctjson_val *v, const char *path,
		struct ctjson_val *out);
/* Append the unescaped UTF-8 of string value v; 0 ok, -1 invalid
 * escape (lone surrogates become U+FFFD). */
int ctjson_unescape(const struct ctjson_val *v, struct ctbuf *b);
/* Number value as an unsigned integer (no sign, fraction or exponent);
 * 0 ok, -1 not such a number or out of range. */
int ctjson_u64(const struct ctjson_val *v, uint64_t *out);

#endif
