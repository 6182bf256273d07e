/* ndkey: the path walker (see ndkey.h). */
#include "ndkey.h"

#include <stdlib.h>
#include <string.h>

int ctndkey_compile(struct ctndkey_path *p, const char *path)
{
	size_t l = strlen(path);
	if (l == 0 || l >= sizeof p->buf)
		return -1;
	memcpy(p->buf, path, l + 1);
	p->n = 0;
	const char *s = p->buf;
	for (;;) {
		const char *dot = strchr(s, '.');
		size_t sl = dot ? (size_t)(dot - s) : strlen(s);
		if (sl == 0 || p->n == CTNDKEY_MAXDEPTH)
			return -1;
		p->seg[p->n] = s;
		p->len[p->n++] = sl;
		if (!dot)
			return 0;
		s = dot + 1;
	}
}

static const char *ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* p is just past an opening quote: return the closing quote or NULL. */
static const char *str_end(const char *p, const char *e)
{
	for (;;) {
		const char *q = memchr(p, '"', (size_t)(e - p));
		if (!q)
			return NULL;
		/* An even run of backslashes before it: the quote is real. */
		const char *b = q;
		while (b > p && b[-1] == '\\')
			b--;
		if ((q - b) % 2 == 0)
			return q;
		p = q + 1;
	}
}

/* Skip one value starting at p; return the byte after it or NULL. */
static const char *skip_value(const char *p, const char *e)
{
	if (p >= e)
		return NULL;
	if (*p == '"') {
		const char *q = str_end(p + 1, e);
		return q ? q + 1 : NULL;
	}
	if (*p == '{' || *p == '[') {
		int depth = 0;
		while (p < e) {
			char c = *p;
			if (c == '"') {
				const char *q = str_end(p + 1, e);
				if (!q)
					return NULL;
				p = q + 1;
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0)
				return p + 1;
			p++;
		}
		return NULL;
	}
	const char *s = p;
	while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
	       *p != '\t' && *p != '\r' && *p != '\n')
		p++;
	return p > s ? p : NULL;
}

static int seg_index(const char *s, size_t l, size_t *out)
{
	size_t v = 0;
	if (l == 0 || l > 9)
		return -1;
	for (size_t i = 0; i < l; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Enter the container at *pp and position on the member or element the
 * segment names: 1 found (*pp at its value), 0 absent, -1 malformed. */
static int descend(const char **pp, const char *e, const char *seg,
		   size_t sl)
{
	const char *p = *pp;
	if (p >= e)
		return -1;
	if (*p == '[') {
		size_t want;
		if (seg_index(seg, sl, &want) < 0)
			return 0;
		p = ws(p + 1, e);
		if (p < e && *p == ']')
			return 0;
		for (size_t i = 0;; i++) {
			if (i == want) {
				*pp = p;
				return 1;
			}
			p = skip_value(p, e);
			if (!p)
				return -1;
			p = ws(p, e);
			if (p >= e)
				return -1;
			if (*p == ']')
				return 0;
			if (*p != ',')
				return -1;
			p = ws(p + 1, e);
		}
	}
	if (*p != '{')
		return 0;
	p = ws(p + 1, e);
	if (p < e && *p == '}')
		return 0;
	for (;;) {
		if (p >= e || *p != '"')
			return -1;
		const char *k = p + 1, *ke = str_end(k, e);
		if (!ke)
			return -1;
		p = ws(ke + 1, e);
		if (p >= e || *p != ':')
			return -1;
		p = ws(p + 1, e);
		if (p >= e)
			return -1;
		if ((size_t)(ke - k) == sl && memcmp(k, seg, sl) == 0) {
			*pp = p;
			return 1;
		}
		p = skip_value(p, e);
		if (!p)
			return -1;
		p = ws(p, e);
		if (p >= e)
			return -1;
		if (*p == '}')
			return 0;
		if (*p != ',')
			return -1;
		p = ws(p + 1, e);
	}
}

int ctndkey_find(const char *line, size_t n, const struct ctndkey_path *path,
		 struct ct_bytes *v)
{
	const char *e = line + n, *p = ws(line, e);
	if (p >= e || *p != '{')
		return -1;
	for (size_t i = 0; i < path->n; i++) {
		int r = descend(&p, e, path->seg[i], path->len[i]);
		if (r <= 0)
			return r;
	}
	const char *end = skip_value(p, e);
	if (!end)
		return -1;
	if (*p == '"') {
		v->p = (const uint8_t *)p + 1;
		v->len = (size_t)(end - p - 2);
		return CTNDKEY_STRING;
	}
	v->p = (const uint8_t *)p;
	v->len = (size_t)(end - p);
	return CTNDKEY_OTHER;
}
