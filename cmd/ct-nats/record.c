/* record: a record's Nats-Msg-Id and log token (see nats.h). The ids
 * are what make the broker drop the entries ct-fetch repeats after a
 * crash: the same entry gives the same id, whichever collector sent it. */
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "ndkey.h"
#include "ctnats.h"

/* Printable, no blank: fit for a header value and a subject token. */
static int plain(const struct ct_bytes *v)
{
	for (size_t i = 0; i < v->len; i++)
		if (v->p[i] <= ' ' || v->p[i] >= 0x7f)
			return 0;
	return v->len > 0;
}

static void log_token(const struct ct_bytes *url, struct recinfo *ri)
{
	const char *s = (const char *)url->p;
	size_t n = url->len;
	const char *sep = memmem(s, n, "://", 3);
	if (sep) {
		n -= (size_t)(sep + 3 - s);
		s = sep + 3;
	}
	size_t k = 0;
	for (size_t i = 0; i < n && k < sizeof ri->log - 1; i++) {
		char c = s[i];
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-';
		if (keep)
			ri->log[k++] = c;
		else if (k && ri->log[k - 1] != '_')
			ri->log[k++] = '_';
	}
	while (k && ri->log[k - 1] == '_')
		k--;
	if (!k) {
		memcpy(ri->log, "none", 4);
		k = 4;
	}
	ri->log[k] = 0;
	ri->log_len = k;
}

static void hashed(const char *line, size_t n, struct recinfo *ri)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)line, n, md);
	memcpy(ri->id, "sha256:", 7);
	for (size_t i = 0; i < sizeof md; i++) {
		ri->id[7 + 2 * i] = "0123456789abcdef"[md[i] >> 4];
		ri->id[8 + 2 * i] = "0123456789abcdef"[md[i] & 15];
	}
	ri->id_len = 7 + 2 * sizeof md;
	ri->id[ri->id_len] = 0;
}

static struct ctndkey_path paths[5];
static int compiled;

static void compile(void)
{
	static const char *const p[5] = { "log", "index",
					  "data.leaf_cert.sha256",
					  "data.source.url",
					  "data.cert_index" };
	for (int i = 0; i < 5; i++)
		ctndkey_compile(&paths[i], p[i]);
	compiled = 1;
}

void record_info(const char *line, size_t n, struct recinfo *ri)
{
	if (!compiled)
		compile();
	struct ct_bytes log, idx, sha, url, cidx;
	ri->log_len = 0;
	ri->id_len = 0;
	if (ctndkey_find(line, n, &paths[0], &log) == CTNDKEY_STRING &&
	    ctndkey_find(line, n, &paths[1], &idx) == CTNDKEY_OTHER &&
	    plain(&log) && plain(&idx) && log.len + idx.len < 400) {
		log_token(&log, ri);
		ri->id_len = (size_t)snprintf(ri->id, sizeof ri->id, "%.*s#%.*s",
					      (int)log.len, log.p, (int)idx.len,
					      idx.p);
		return;
	}
	if (ctndkey_find(line, n, &paths[3], &url) == CTNDKEY_STRING &&
	    plain(&url))
		log_token(&url, ri);
	if (ri->log_len &&
	    ctndkey_find(line, n, &paths[2], &sha) == CTNDKEY_STRING &&
	    ctndkey_find(line, n, &paths[4], &cidx) == CTNDKEY_OTHER &&
	    plain(&sha) && plain(&cidx) && sha.len + url.len + cidx.len < 400) {
		ri->id_len = (size_t)snprintf(ri->id, sizeof ri->id,
					      "%.*s@%.*s#%.*s", (int)sha.len,
					      sha.p, (int)url.len, url.p,
					      (int)cidx.len, cidx.p);
		return;
	}
	if (!ri->log_len)
		log_token(&(struct ct_bytes){ (const uint8_t *)"", 0 }, ri);
	hashed(line, n, ri);
}
