/* frame: what a record becomes on the wire (see frame.h). */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "mem.h"
#include "ws.h"

/* The member name of object obj as a span [*a, *b) including one
 * adjacent comma, so cutting it leaves valid JSON. */
static int member_span(const struct ctjson_val *obj, const char *name,
		       const char **a, const char **b)
{
	struct ctjson_iter it;
	struct ctjson_val k, v;
	ctjson_iter_init(&it, obj);
	int first = 1;
	while (ctjson_next(&it, &k, &v) > 0) {
		if (!ctjson_eq(&k, name)) {
			first = 0;
			continue;
		}
		const char *ks = k.p - 1;
		const char *ve = v.p + v.len + (v.type == CTJSON_STRING);
		if (!first) {
			const char *p = ks;
			while (*--p != ',')
				;
			*a = p;
			*b = ve;
		} else {
			const char *p = ve;
			while (p < obj->p + obj->len && *p != ',' && *p != '}')
				p++;
			*a = ks;
			*b = *p == ',' ? p + 1 : ve;
		}
		return 1;
	}
	return 0;
}


int rec_parse(struct rec *r, const char *line, size_t len)
{
	r->line = line;
	r->len = len;
	return ctjson_parse(line, len, &r->root) < 0 ||
		       r->root.type != CTJSON_OBJECT ||
		       ctjson_member(&r->root, "data", &r->data) != 1 ||
		       r->data.type != CTJSON_OBJECT ||
		       ctjson_member(&r->data, "leaf_cert", &r->leaf) != 1 ||
		       r->leaf.type != CTJSON_OBJECT
		   ? -1
		   : 0;
}

int derive(const struct rec *r, enum stream st, struct ctbuf *out)
{
	const char *line = r->line;
	size_t len = r->len;
	struct ctjson_val doms;
	const struct ctjson_val *data = &r->data, *leaf = &r->leaf;
	ctbuf_reset(out);
	if (st == S_DOM) {
		if (ctjson_member(leaf, "all_domains", &doms) != 1 ||
		    doms.type != CTJSON_ARRAY)
			return -1;
		CTBUF_LIT(out, "{\"message_type\":\"dns_entries\",\"data\":");
		ctbuf_add(out, doms.p, doms.len);
		ctbuf_addc(out, '}');
		return 0;
	}
	const char *cut[2][2];
	int n = 0;
	if (member_span(leaf, "as_der", &cut[n][0], &cut[n][1]))
		n++;
	if (member_span(data, "chain", &cut[n][0], &cut[n][1]))
		n++;
	if (n == 2 && cut[1][0] < cut[0][0]) {
		const char *t0 = cut[0][0], *t1 = cut[0][1];
		cut[0][0] = cut[1][0];
		cut[0][1] = cut[1][1];
		cut[1][0] = t0;
		cut[1][1] = t1;
	}
	const char *p = line;
	for (int i = 0; i < n; i++) {
		ctbuf_add(out, p, (size_t)(cut[i][0] - p));
		p = cut[i][1];
	}
	ctbuf_add(out, p, (size_t)(line + len - p));
	return 0;
}

/* How many bytes c there are in p[0..n). */
static size_t count_byte(const char *p, size_t n, char c)
{
	size_t k = 0;
	const char *q = memchr(p, c, n);
	while (q) {
		k++;
		q = memchr(q + 1, c, (size_t)(p + n - q - 1));
	}
	return k;
}

/* SSE: one data: line per line of the payload. A record is one input
 * line, but a CR may stand between its JSON tokens (white space; the
 * reader refuses one inside a string), and SSE ends a line at a CR: each
 * such break starts a new data: line instead, which the client joins
 * with LF, a JSON text equal to the record. A payload without breaks,
 * every normal record, goes as the same bytes as on WebSocket and TCP. */
static size_t sse_data(char *out, const char *pay, size_t n)
{
	size_t h = 0;
	memcpy(out, "data: ", 6);
	h = 6;
	for (size_t i = 0; i < n; i++) {
		if (pay[i] == '\r' || pay[i] == '\n') {
			memcpy(out + h, "\ndata: ", 7);
			h += 7;
		} else {
			out[h++] = pay[i];
		}
	}
	memcpy(out + h, "\n\n", 2);
	return h + 2;
}

struct msg *frame(enum proto p, const char *pay, size_t n)
{
	size_t nb = p == P_SSE ? count_byte(pay, n, '\r') +
					 count_byte(pay, n, '\n')
			       : 0;
	struct msg *m = ct_xmalloc(sizeof *m + n + 16 + nb * 6);
	m->refs = 0;
	size_t h = 0;
	if (p == P_SSE && nb) {
		m->len = sse_data(m->data, pay, n);
		return m;
	}
	if (p == P_WS) {
		h = ctws_head((uint8_t *)m->data, CTWS_TEXT, n);
	} else if (p == P_SSE) {
		memcpy(m->data, "data: ", 6);
		h = 6;
	}
	memcpy(m->data + h, pay, n);
	h += n;
	if (p == P_SSE) {
		memcpy(m->data + h, "\n\n", 2);
		h += 2;
	} else if (p == P_TCP) {
		m->data[h++] = '\n';
	}
	m->len = h;
	return m;
}

struct msg *frame_deflate(struct deflater *d, int level, const char *pay,
			  size_t n)
{
	if (!d->ready) {
		if (deflateInit2(&d->z, level, Z_DEFLATED, -15, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
			ct_diex(CT_EXIT_RUNTIME, "zlib: out of memory");
		d->ready = 1;
		d->level = level;
	} else if (d->level != level) {
		deflateParams(&d->z, level, Z_DEFAULT_STRATEGY);
		d->level = level;
	}
	deflateReset(&d->z);
	size_t cap = deflateBound(&d->z, (uLong)n) + 16;
	struct msg *m = ct_xmalloc(sizeof *m + cap + 10);
	m->refs = 0;
	uint8_t *out = (uint8_t *)m->data + 10; /* room for the head */
	d->z.next_in = (Bytef *)(uintptr_t)pay;
	d->z.avail_in = (uInt)n;
	d->z.next_out = out;
	d->z.avail_out = (uInt)cap;
	int r = deflate(&d->z, Z_SYNC_FLUSH);
	size_t zl = cap - d->z.avail_out;
	if (r != Z_OK || d->z.avail_in || zl < 4 ||
	    memcmp(out + zl - 4, "\0\0\xff\xff", 4))
		ct_diex(CT_EXIT_RUNTIME, "zlib: deflate failed");
	zl -= 4;
	uint8_t hd[10];
	size_t h = ctws_head(hd, CTWS_TEXT, zl);
	hd[0] |= 0x40; /* RSV1: compressed */
	memcpy(out - h, hd, h);
	memmove(m->data, out - h, h + zl);
	m->len = h + zl;
	d->in += n;
	d->out += zl;
	return m;
}

void deflater_end(struct deflater *d)
{
	if (d->ready)
		deflateEnd(&d->z);
	d->ready = 0;
}
