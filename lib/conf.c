/* conf: key = value lines. */
#include "conf.h"

#include <stdio.h>
#include <string.h>

#define LINE_MAX_BYTES 4096

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int keychar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int ct_conf_parse(const char *text, size_t len, ct_conf_fn cb, void *ctx,
		  char *err, size_t errlen)
{
	char key[LINE_MAX_BYTES + 1], val[LINE_MAX_BYTES + 1];
	char why[256];
	unsigned line = 0;
	size_t i = 0;
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "a NUL byte: not a text file");
		return -1;
	}
	while (i < len) {
		line++;
		const char *p = text + i;
		const char *nl = memchr(p, '\n', len - i);
		size_t n = nl ? (size_t)(nl - p) : len - i;
		i += n + (nl != NULL);
		if (n > LINE_MAX_BYTES) {
			snprintf(err, errlen, "line %u: longer than %d bytes",
				 line, LINE_MAX_BYTES);
			return -1;
		}
		size_t a = 0, b = n;
		while (a < b && blank(p[a]))
			a++;
		while (b > a && blank(p[b - 1]))
			b--;
		if (a == b || p[a] == '#')
			continue;
		size_t k = a;
		while (k < b && keychar(p[k]))
			k++;
		size_t kend = k;
		while (k < b && blank(p[k]))
			k++;
		if (kend == a || k == b || p[k] != '=') {
			snprintf(err, errlen,
				 "line %u: expected 'key = value', got '%.*s'",
				 line, (int)(b - a > 60 ? 60 : b - a), p + a);
			return -1;
		}
		k++;
		while (k < b && blank(p[k]))
			k++;
		memcpy(key, p + a, kend - a);
		key[kend - a] = '\0';
		memcpy(val, p + k, b - k);
		val[b - k] = '\0';
		why[0] = '\0';
		if (cb(ctx, key, val, line, why, sizeof why) < 0) {
			snprintf(err, errlen, "line %u: %s: %s", line, key,
				 why[0] ? why : "bad value");
			return -1;
		}
	}
	return 0;
}
