/* conf: a key = value configuration file, one setting per line.
 *
 *   # a comment (a line whose first non-blank is #)
 *   key = value
 *
 * Blanks around the key and the value are dropped; the value runs to the
 * end of the line (a # inside it is part of it), and may be empty. A key
 * is letters, digits and '-'. Keys may repeat; the caller decides what a
 * repeat means. No quoting, no includes, no sections. */
#ifndef CT_CONF_H
#define CT_CONF_H

#include <stddef.h>

/* Called for each setting with NUL-terminated key and value (valid only
 * during the call) and its line number; returns 0, or -1 after writing
 * the reason to err. */
typedef int (*ct_conf_fn)(void *ctx, const char *key, const char *val,
			  unsigned line, char *err, size_t errlen);

/* Parse text (len bytes; need not be NUL-terminated). Returns 0, or -1
 * with "line N: reason" in err: on a malformed line, a NUL byte, a line
 * over 4096 bytes, or the first error of cb. */
int ct_conf_parse(const char *text, size_t len, ct_conf_fn cb, void *ctx,
		  char *err, size_t errlen);

#endif
