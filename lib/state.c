/* state: ct-fetch's per-log state files and the positions file of the
 * final stage (ct-serve --positions), read and written as JSON. */
#include "state.h"

#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "json.h"

int ctfstate_parse(const char *p, size_t n, struct ctfstate *s,
		   const char **err)
{
	static const char *const names[] = { "next", "url", "tree_size", "range",
		"verified_size", "verified_root" };
	struct ctjson_val f[6];
	memset(s, 0, sizeof *s);
	if (ctjson_fields(p, n, names, 6, f) < 0) {
		*err = "not a JSON object";
		return -1;
	}
	if (ctjson_u64(&f[0], &s->next) < 0 || s->next > (UINT64_MAX >> 2)) {
		*err = "no next index";
		return -1;
	}
	struct ctbuf u = CTBUF_INIT;
	if (f[1].type != CTJSON_STRING || ctjson_unescape(&f[1], &u) < 0 ||
	    u.len == 0 || u.len >= sizeof s->url || memchr(u.p, '\0', u.len)) {
		ctbuf_free(&u);
		*err = "no url";
		return -1;
	}
	memcpy(s->url, u.p, u.len);
	ctbuf_free(&u);
	if (f[2].type != CTJSON_INVALID && ctjson_u64(&f[2], &s->tree_size) < 0) {
		*err = "tree_size is not a whole number";
		return -1;
	}
	if (f[3].type != CTJSON_INVALID) {
		if (f[3].type != CTJSON_STRING ||
		    ctm_range_parse(&s->range, f[3].p, f[3].len) < 0 ||
		    s->range.size != s->next) {
			*err = "range is not the compact range of the leaves before next";
			return -1;
		}
		s->has_range = 1;
	}
	if (f[4].type != CTJSON_INVALID || f[5].type != CTJSON_INVALID) {
		uint8_t r[CTB64_DECODED_MAX(64)];
		if (ctjson_u64(&f[4], &s->verified_size) < 0 ||
		    f[5].type != CTJSON_STRING || f[5].len != 44 ||
		    ctb64_decode(f[5].p, f[5].len, r) != CTM_HASH) {
			*err = "verified_size/verified_root malformed";
			return -1;
		}
		memcpy(s->verified_root, r, CTM_HASH);
		s->has_verified = 1;
	}
	return 0;
}

void ctfstate_format(struct ctbuf *b, const struct ctfstate *s,
		     const char *name, int64_t saved)
{
	CTBUF_LIT(b, "{\"url\":");
	ctjson_strz(b, s->url);
	CTBUF_LIT(b, ",\"name\":");
	ctjson_strz(b, name);
	CTBUF_LIT(b, ",\"next\":");
	ctbuf_addu64(b, s->next);
	CTBUF_LIT(b, ",\"tree_size\":");
	ctbuf_addu64(b, s->tree_size);
	if (s->has_range) {
		char *r = ctm_range_format(&s->range);
		CTBUF_LIT(b, ",\"range\":\"");
		ctbuf_adds(b, r);
		ctbuf_addc(b, '"');
		free(r);
	}
	if (s->has_verified) {
		CTBUF_LIT(b, ",\"verified_size\":");
		ctbuf_addu64(b, s->verified_size);
		CTBUF_LIT(b, ",\"verified_root\":\"");
		ctb64_encode(b, s->verified_root, CTM_HASH);
		ctbuf_addc(b, '"');
	}
	CTBUF_LIT(b, ",\"saved\":");
	ctbuf_addi64(b, saved);
	CTBUF_LIT(b, "}\n");
}
