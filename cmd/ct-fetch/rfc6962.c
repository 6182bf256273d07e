/* rfc6962: URLs and proof readers of RFC 6962 logs. */
#include "rfc6962.h"

#include <string.h>

#include "b64.h"
#include "json.h"

void rfc6962_url_sth(struct ctbuf *u, const char *base)
{
	ctbuf_printf(u, "%s/ct/v1/get-sth", base);
}

void rfc6962_url_entries(struct ctbuf *u, const char *base, uint64_t first,
			 uint64_t last)
{
	ctbuf_printf(u, "%s/ct/v1/get-entries?start=%llu&end=%llu", base,
		     (unsigned long long)first, (unsigned long long)last);
}

/* base64 made safe for a query string */
static void b64url(struct ctbuf *b, const uint8_t *p, size_t n)
{
	struct ctbuf t = CTBUF_INIT;
	ctb64_encode(&t, p, n);
	for (size_t i = 0; i < t.len; i++) {
		if (t.p[i] == '+')
			CTBUF_LIT(b, "%2B");
		else if (t.p[i] == '/')
			CTBUF_LIT(b, "%2F");
		else if (t.p[i] == '=')
			CTBUF_LIT(b, "%3D");
		else
			ctbuf_addc(b, t.p[i]);
	}
	ctbuf_free(&t);
}

void rfc6962_url_proof(struct ctbuf *u, const char *base,
		       const uint8_t leaf_hash[CTM_HASH], uint64_t size)
{
	ctbuf_printf(u, "%s/ct/v1/get-proof-by-hash?hash=", base);
	b64url(u, leaf_hash, CTM_HASH);
	ctbuf_printf(u, "&tree_size=%llu", (unsigned long long)size);
}

void rfc6962_url_cons(struct ctbuf *u, const char *base, uint64_t first,
		      uint64_t second)
{
	ctbuf_printf(u, "%s/ct/v1/get-sth-consistency?first=%llu&second=%llu",
		     base, (unsigned long long)first,
		     (unsigned long long)second);
}

/* A JSON array of base64 hashes into out (at most max); -1 if any is
 * not 32 bytes, or there are more. */
static long hash_list(const struct ctjson_val *arr, uint8_t (*out)[CTM_HASH],
		      size_t max)
{
	struct ctjson_iter it;
	struct ctjson_val k, v;
	size_t n = 0;
	if (arr->type != CTJSON_ARRAY)
		return -1;
	ctjson_iter_init(&it, arr);
	for (;;) {
		int r = ctjson_next(&it, &k, &v);
		if (r == 0)
			break;
		uint8_t t[CTB64_DECODED_MAX(64)];
		if (r < 0 || n == max || v.type != CTJSON_STRING || v.len > 64 ||
		    ctb64_decode(v.p, v.len, t) != CTM_HASH)
			return -1;
		memcpy(out[n++], t, CTM_HASH);
	}
	return (long)n;
}

int rfc6962_proof(const char *p, size_t len, uint64_t *index,
		  uint8_t (*path)[CTM_HASH], size_t *n)
{
	static const char *const names[] = { "leaf_index", "audit_path" };
	struct ctjson_val f[2];
	if (ctjson_fields(p, len, names, 2, f) < 0 || ctjson_u64(&f[0], index) < 0)
		return -1;
	long k = hash_list(&f[1], path, RFC6962_MAX_PATH);
	if (k < 0)
		return -1;
	*n = (size_t)k;
	return 0;
}

int rfc6962_cons(const char *p, size_t len, uint8_t (*path)[CTM_HASH],
		 size_t *n)
{
	static const char *const names[] = { "consistency" };
	struct ctjson_val f[1];
	if (ctjson_fields(p, len, names, 1, f) < 0)
		return -1;
	long k = hash_list(&f[0], path, 2 * RFC6962_MAX_PATH);
	if (k < 0)
		return -1;
	*n = (size_t)k;
	return 0;
}
