/* entries: get-entries pages. */
#include "entries.h"

#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "json.h"
#include "leaf.h"

static int decode(const struct ctjson_val *v, struct ctbuf *scratch,
		  long *n)
{
	if (v->type != CTJSON_STRING || v->escaped)
		return -1;
	ctbuf_reset(scratch);
	uint8_t *d = (uint8_t *)ctbuf_room(scratch, CTB64_DECODED_MAX(v->len) + 1);
	*n = ctb64_decode(v->p, v->len, d);
	return *n < 0 ? -1 : 0;
}

long ctentries_parse(const char *body, size_t len, size_t max,
		     struct ctentry_view *v, uint8_t (*hashes)[CTM_HASH],
		     const char **err, long *bad)
{
	static const char *const top[] = { "entries" };
	static const char *const names[] = { "leaf_input", "extra_data" };
	struct ctjson_val arr, k, e, f[2];
	*bad = -1;
	if (ctjson_fields(body, len, top, 1, &arr) < 0 || arr.type != CTJSON_ARRAY) {
		*err = "not a get-entries response";
		return -1;
	}
	struct ctjson_iter it;
	ctjson_iter_init(&it, &arr);
	struct ctbuf a = CTBUF_INIT, b = CTBUF_INIT;
	long count = 0;
	*err = NULL;
	while ((size_t)count < max && ctjson_next(&it, &k, &e) > 0) {
		struct ctleaf leaf;
		struct ctchain chain;
		long ln, en;
		*err = "an entry is not an object with leaf_input and extra_data";
		if (e.type != CTJSON_OBJECT ||
		    ctjson_fields(e.p, e.len, names, 2, f) < 0 ||
		    f[0].type != CTJSON_STRING || f[1].type != CTJSON_STRING)
			break;
		*err = "leaf_input is not base64";
		if (decode(&f[0], &a, &ln) < 0)
			break;
		if (ctleaf_parse((const uint8_t *)a.p, (size_t)ln, &leaf, err) < 0)
			break;
		*err = "extra_data is not base64";
		if (decode(&f[1], &b, &en) < 0)
			break;
		if (ctleaf_parse_extra((const uint8_t *)b.p, (size_t)en, leaf.entry_type,
				       &chain, err) < 0)
			break;
		if (hashes)
			ctm_leaf_hash(a.p, (size_t)ln, hashes[count]);
		v[count].li = f[0].p;
		v[count].lil = f[0].len;
		v[count].ed = f[1].p;
		v[count].edl = f[1].len;
		count++;
		*err = NULL;
	}
	ctbuf_free(&a);
	ctbuf_free(&b);
	if (*err) {
		*bad = count;
		return -1;
	}
	return count;
}
