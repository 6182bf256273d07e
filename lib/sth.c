/* sth: signed tree heads (get-sth JSON and checkpoints) and log keys. */
#include "sth.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "json.h"
#include "mem.h"

struct ctkey {
	EVP_PKEY *pk;
	uint8_t id[CTM_HASH];
};

struct ctkey *ctkey_from_b64(const char *b64, size_t len, const char **err)
{
	if (len > 8192) {
		*err = "key too long";
		return NULL;
	}
	uint8_t *der = ct_xmalloc(CTB64_DECODED_MAX(len) + 1);
	long n = ctb64_decode(b64, len, der);
	const unsigned char *q = der;
	EVP_PKEY *pk = n > 0 ? d2i_PUBKEY(NULL, &q, n) : NULL;
	if (!pk || q != der + n) {
		EVP_PKEY_free(pk);
		free(der);
		*err = n < 0 ? "key is not base64" : "key is not a DER public key";
		return NULL;
	}
	int t = EVP_PKEY_base_id(pk);
	if (t != EVP_PKEY_EC && t != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		free(der);
		*err = "key is neither ECDSA nor RSA";
		return NULL;
	}
	struct ctkey *k = ct_xmalloc(sizeof *k);
	k->pk = pk;
	SHA256(der, (size_t)n, k->id);
	free(der);
	return k;
}

const uint8_t *ctkey_log_id(const struct ctkey *k)
{
	return k->id;
}

void ctkey_free(struct ctkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

static int b64_fixed(const char *p, size_t n, uint8_t *out, size_t want)
{
	uint8_t tmp[CTB64_DECODED_MAX(64)];
	if (n > 64)
		return -1;
	long l = ctb64_decode(p, n, tmp);
	if (l != (long)want)
		return -1;
	memcpy(out, tmp, want);
	return 0;
}

int ctsth_parse_json(const char *p, size_t n, struct ctsth *s,
		     const char **err)
{
	static const char *const names[] = { "tree_size", "timestamp",
		"sha256_root_hash", "tree_head_signature" };
	struct ctjson_val v[4];
	memset(s, 0, sizeof *s);
	if (ctjson_fields(p, n, names, 4, v) < 0) {
		*err = "not a JSON object";
		return -1;
	}
	if (ctjson_u64(&v[0], &s->size) < 0 || ctjson_u64(&v[1], &s->timestamp) < 0) {
		*err = "tree_size or timestamp missing or not a whole number";
		return -1;
	}
	if (v[2].type != CTJSON_STRING ||
	    b64_fixed(v[2].p, v[2].len, s->root, CTM_HASH) < 0) {
		*err = "sha256_root_hash missing or not 32 bytes of base64";
		return -1;
	}
	long l = -1;
	if (v[3].type == CTJSON_STRING && v[3].len <= CTSTH_MAXSIG * 4 / 3 - 4) {
		uint8_t tmp[CTSTH_MAXSIG + 4];
		_Static_assert(CTB64_DECODED_MAX(CTSTH_MAXSIG * 4 / 3 - 4) <=
				       sizeof tmp, "tmp holds the longest signature");
		l = ctb64_decode(v[3].p, v[3].len, tmp);
		if (l > 0 && (size_t)l <= CTSTH_MAXSIG)
			memcpy(s->sig, tmp, (size_t)l);
	}
	if (l <= 0 || (size_t)l > CTSTH_MAXSIG) {
		*err = "tree_head_signature missing or not base64";
		return -1;
	}
	s->siglen = (size_t)l;
	return 0;
}

uint32_t ctsth_note_key_id(const char *origin, const uint8_t log_id[CTM_HASH])
{
	size_t ol = strlen(origin);
	uint8_t *b = ct_xmalloc(ol + 2 + CTM_HASH), h[32];
	memcpy(b, origin, ol);
	b[ol] = '\n';
	b[ol + 1] = 0x05;
	memcpy(b + ol + 2, log_id, CTM_HASH);
	SHA256(b, ol + 2 + CTM_HASH, h);
	free(b);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* The next line of [*p, end) without its newline; -1 if none ends. */
static int next_line(const char **p, const char *end, const char **line,
		     size_t *len)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		return -1;
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return 0;
}

int ctsth_parse_checkpoint(const char *p, size_t n, const char *origin,
			   const uint8_t log_id[CTM_HASH], struct ctsth *s,
			   const char **err)
{
	const char *end = p + n, *l;
	size_t len;
	memset(s, 0, sizeof *s);
	if (n > 1 << 20) {
		*err = "checkpoint over 1 MiB";
		return -1;
	}
	if (memchr(p, '\0', n)) {
		*err = "checkpoint holds a NUL byte";
		return -1;
	}
	/* origin */
	if (next_line(&p, end, &l, &len) < 0 || len == 0 || len >= CTSTH_MAXORIGIN) {
		*err = "no origin line";
		return -1;
	}
	memcpy(s->origin, l, len);
	s->origin[len] = '\0';
	if (origin && strcmp(origin, s->origin)) {
		*err = "wrong origin";
		return -1;
	}
	/* size: decimal, no leading zero */
	if (next_line(&p, end, &l, &len) < 0 || len == 0 || len > 20 ||
	    (l[0] == '0' && len > 1)) {
		*err = "bad tree size line";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (l[i] < '0' || l[i] > '9' || s->size > (UINT64_MAX - 9) / 10) {
			*err = "bad tree size line";
			return -1;
		}
		s->size = s->size * 10 + (uint64_t)(l[i] - '0');
	}
	if (next_line(&p, end, &l, &len) < 0 ||
	    b64_fixed(l, len, s->root, CTM_HASH) < 0) {
		*err = "bad root hash line";
		return -1;
	}
	/* extension lines up to the blank line */
	for (;;) {
		if (next_line(&p, end, &l, &len) < 0) {
			*err = "no blank line before the signatures";
			return -1;
		}
		if (len == 0)
			break;
	}
	const char *kname = origin ? origin : s->origin;
	size_t kl = strlen(kname);
	uint32_t want = ctsth_note_key_id(kname, log_id);
	int lines = 0, found = 0;
	while (p < end) {
		if (next_line(&p, end, &l, &len) < 0) {
			*err = "signature line without a newline";
			return -1;
		}
		lines++;
		/* "— <name> <base64>" with U+2014 */
		if (len < 4 || memcmp(l, "\xe2\x80\x94 ", 4)) {
			*err = "a signature line that does not start with an em dash";
			return -1;
		}
		const char *name = l + 4, *sp = memchr(name, ' ', len - 4);
		if (!sp) {
			*err = "a signature line without a signature";
			return -1;
		}
		const char *sig = sp + 1;
		size_t sl = (size_t)(l + len - sig);
		if (found || (size_t)(sp - name) != kl || memcmp(name, kname, kl))
			continue; /* somebody else's: a witness, say */
		uint8_t raw[CTSTH_MAXSIG + 16];
		_Static_assert(CTB64_DECODED_MAX((CTSTH_MAXSIG + 12) / 3 * 4) <=
				       sizeof raw, "raw holds the longest signature");
		if (sl > (CTSTH_MAXSIG + 12) / 3 * 4)
			continue;
		long rl = ctb64_decode(sig, sl, raw);
		if (rl < 4 + 8 + 4)
			continue;
		uint32_t id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
			      (uint32_t)raw[2] << 8 | raw[3];
		if (id != want)
			continue;
		s->timestamp = 0;
		for (int i = 0; i < 8; i++)
			s->timestamp = s->timestamp << 8 | raw[4 + i];
		s->siglen = (size_t)rl - 12;
		memcpy(s->sig, raw + 12, s->siglen);
		found = 1;
	}
	if (!lines) {
		*err = "no signatures";
		return -1;
	}
	if (!found) {
		*err = "no signature by this log's key";
		return -1;
	}
	return 0;
}

static void put_be64(uint8_t *out, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void tbs(const struct ctsth *s, uint8_t out[50])
{
	out[0] = 0; /* v1 */
	out[1] = 1; /* tree_hash */
	put_be64(out + 2, s->timestamp);
	put_be64(out + 10, s->size);
	memcpy(out + 18, s->root, CTM_HASH);
}

int ctsth_verify(const struct ctsth *s, const struct ctkey *k,
		 const char **err)
{
	if (s->siglen < 4) {
		*err = "signature too short";
		return -1;
	}
	size_t sl = (size_t)s->sig[2] << 8 | s->sig[3];
	if (sl + 4 != s->siglen) {
		*err = "signature length does not match";
		return -1;
	}
	int t = EVP_PKEY_base_id(k->pk);
	if (s->sig[0] != 4 || s->sig[1] != (t == EVP_PKEY_EC ? 3 : 1)) {
		*err = "signature algorithm is not SHA-256 with the key's type";
		return -1;
	}
	uint8_t m[50];
	tbs(s, m);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k->pk) == 1 &&
		 EVP_DigestVerify(c, s->sig + 4, sl, m, sizeof m) == 1;
	EVP_MD_CTX_free(c);
	if (!ok) {
		*err = "bad signature";
		return -1;
	}
	return 0;
}

int ctsth_sign(struct ctsth *s, void *evp_pkey)
{
	EVP_PKEY *pk = evp_pkey;
	uint8_t m[50];
	tbs(s, m);
	size_t sl = CTSTH_MAXSIG - 4;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, pk) == 1 &&
		 EVP_DigestSign(c, s->sig + 4, &sl, m, sizeof m) == 1;
	EVP_MD_CTX_free(c);
	if (!ok)
		return -1;
	s->sig[0] = 4;
	s->sig[1] = EVP_PKEY_base_id(pk) == EVP_PKEY_EC ? 3 : 1;
	s->sig[2] = (uint8_t)(sl >> 8);
	s->sig[3] = (uint8_t)sl;
	s->siglen = sl + 4;
	return 0;
}

void ctsth_json(struct ctbuf *b, const struct ctsth *s)
{
	CTBUF_LIT(b, "{\"tree_size\":");
	ctbuf_addu64(b, s->size);
	CTBUF_LIT(b, ",\"timestamp\":");
	ctbuf_addu64(b, s->timestamp);
	CTBUF_LIT(b, ",\"sha256_root_hash\":\"");
	ctb64_encode(b, s->root, CTM_HASH);
	CTBUF_LIT(b, "\",\"tree_head_signature\":\"");
	ctb64_encode(b, s->sig, s->siglen);
	CTBUF_LIT(b, "\"}");
}

void ctsth_checkpoint(struct ctbuf *b, const struct ctsth *s,
		      const uint8_t log_id[CTM_HASH])
{
	ctbuf_adds(b, s->origin);
	ctbuf_addc(b, '\n');
	ctbuf_addu64(b, s->size);
	ctbuf_addc(b, '\n');
	ctb64_encode(b, s->root, CTM_HASH);
	CTBUF_LIT(b, "\n\n\xe2\x80\x94 ");
	ctbuf_adds(b, s->origin);
	ctbuf_addc(b, ' ');
	uint8_t raw[12 + CTSTH_MAXSIG];
	uint32_t id = ctsth_note_key_id(s->origin, log_id);
	for (int i = 0; i < 4; i++)
		raw[i] = (uint8_t)(id >> (24 - 8 * i));
	put_be64(raw + 4, s->timestamp);
	memcpy(raw + 12, s->sig, s->siglen);
	ctb64_encode(b, raw, 12 + s->siglen);
	ctbuf_addc(b, '\n');
}
