/* httpd: the request-head parser (see httpd.h). */
#include "httpd.h"

#include <string.h>
#include <strings.h>

#include "b64.h"

static int tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

long cthttp_line_end(const char *buf, size_t len, size_t p)
{
	const char *nl = memchr(buf + p, '\n', len - p);
	if (!nl)
		return -2;
	size_t e = (size_t)(nl - buf);
	for (size_t i = p; i < e; i++) {
		unsigned char c = (unsigned char)buf[i];
		if ((c < 0x20 && c != '\t' && !(c == '\r' && i + 1 == e)) ||
		    c == 0x7f)
			return -1;
	}
	return (long)e;
}

int cthttp_parse(const char *buf, size_t len, struct cthttp_req *r)
{
	r->nheaders = 0;
	long e = cthttp_line_end(buf, len, 0);
	if (e < 0)
		return (int)e;
	size_t le = (size_t)e;
	if (le && buf[le - 1] == '\r')
		le--;
	/* method SP target SP HTTP/1.x */
	size_t i = 0;
	while (i < le && tchar((unsigned char)buf[i]))
		i++;
	if (i == 0 || i >= le || buf[i] != ' ')
		return -1;
	r->method = buf;
	r->mlen = i;
	size_t t = ++i;
	while (i < le && buf[i] != ' ')
		i++;
	if (i == t || i >= le)
		return -1;
	r->target = buf + t;
	r->tlen = i - t;
	i++;
	if (le - i != 8 || memcmp(buf + i, "HTTP/1.", 7) ||
	    (buf[i + 7] != '0' && buf[i + 7] != '1'))
		return -1;
	r->minor = buf[i + 7] - '0';
	long n = cthttp_fields(buf, len, (size_t)e + 1, r->h, CTHTTP_MAXHEADERS,
			       &r->nheaders);
	return n < 0 ? (int)n : (int)((size_t)e + 1 + (size_t)n);
}

long cthttp_fields(const char *buf, size_t len, size_t p,
		   struct cthttp_header *h, size_t max, size_t *n)
{
	size_t p0 = p;
	*n = 0;
	for (;;) {
		long e = cthttp_line_end(buf, len, p);
		if (e < 0)
			return e;
		size_t le = (size_t)e;
		if (le > p && buf[le - 1] == '\r')
			le--;
		if (le == p)
			return (long)((size_t)e + 1 - p0); /* the empty line */
		if (*n == max)
			return -3; /* too many: 431, not 400 */
		size_t c = p;
		while (c < le && tchar((unsigned char)buf[c]))
			c++;
		if (c == p || c >= le || buf[c] != ':')
			return -1; /* no name, obs-fold, or space before ':' */
		struct cthttp_header *f = &h[(*n)++];
		f->name = buf + p;
		f->nlen = c - p;
		c++;
		while (c < le && (buf[c] == ' ' || buf[c] == '\t'))
			c++;
		size_t ve = le;
		while (ve > c && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'))
			ve--;
		f->value = buf + c;
		f->vlen = ve - c;
		p = (size_t)e + 1;
	}
}

const char *cthttp_field(const struct cthttp_header *h, size_t n,
			 const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (h[i].nlen == nl && !strncasecmp(h[i].name, name, nl)) {
			*vlen = h[i].vlen;
			return h[i].value;
		}
	return NULL;
}

const char *cthttp_header(const struct cthttp_req *r, const char *name,
			  size_t *vlen)
{
	return cthttp_field(r->h, r->nheaders, name, vlen);
}

int cthttp_has_token(const char *v, size_t vlen, const char *token)
{
	size_t tl = strlen(token), i = 0;
	while (i < vlen) {
		while (i < vlen && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t s = i;
		while (i < vlen && v[i] != ',')
			i++;
		size_t e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && !strncasecmp(v + s, token, tl))
			return 1;
	}
	return 0;
}

void cthttp_list_init(struct cthttp_list *it, const struct cthttp_req *r)
{
	it->line = r->nheaders;
	it->end = 0;
	it->in_line = 0;
}

const char *cthttp_list_prev(const struct cthttp_req *r, const char *name,
			     struct cthttp_list *it, size_t *len)
{
	size_t n = strlen(name);
	for (;;) {
		while (!it->in_line) {
			if (it->line == 0)
				return NULL;
			const struct cthttp_header *h = &r->h[--it->line];
			if (h->nlen == n && !strncasecmp(h->name, name, n)) {
				it->end = h->vlen;
				it->in_line = 1;
			}
		}
		const char *v = r->h[it->line].value;
		size_t b = it->end, e = it->end;
		while (b > 0 && v[b - 1] != ',')
			b--;
		if (b == 0)
			it->in_line = 0; /* the line's first element */
		else
			it->end = b - 1; /* before the comma */
		while (b < e && (v[b] == ' ' || v[b] == '\t'))
			b++;
		while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e > b) {
			*len = e - b;
			return v + b;
		}
	}
}

const char *cthttp_query(const char *target, size_t tlen, const char *key,
			 size_t *vlen)
{
	const char *q = memchr(target, '?', tlen);
	if (!q)
		return NULL;
	size_t kl = strlen(key);
	const char *p = q + 1, *end = target + tlen;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;
		if ((size_t)(pe - p) > kl && !memcmp(p, key, kl) && p[kl] == '=') {
			*vlen = (size_t)(pe - p - (long)kl - 1);
			return p + kl + 1;
		}
		p = pe + 1;
	}
	return NULL;
}

long cthttp_unescape(const char *v, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o + 1 >= cap)
			return -1;
		char c = v[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			uint8_t x;
			if (i + 2 >= n || cthex_decode(v + i + 1, 2, &x) < 0 ||
			    !x)
				return -1;
			c = (char)x;
			i += 2;
		}
		out[o++] = c;
	}
	if (!cap)
		return -1;
	out[o] = '\0';
	return (long)o;
}
