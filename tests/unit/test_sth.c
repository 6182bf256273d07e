/* lib/sth: get-sth and checkpoint parsing and signatures. Our own keys
 * first (sign, write, read back, tamper), then the real heads under
 * ../shared/fixtures when present: Argon2020/2027h1 and Pilot STHs with
 * their proofs, ParcelYard, Navigli (test key) and Sunlight checkpoints. */
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../../lib/b64.h"
#include "../../lib/sth.h"
#include "tap.h"

static char *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return NULL;
	char *b = malloc(1 << 22);
	*n = fread(b, 1, (1 << 22) - 1, f);
	b[*n] = 0;
	fclose(f);
	return b;
}

static char fx[512];

static struct ctkey *key_of(const char *rel)
{
	char p[1024];
	size_t n;
	snprintf(p, sizeof p, "%s/%s", fx, rel);
	char *b = slurp(p, &n);
	if (!b)
		return NULL;
	cJSON *j = cJSON_Parse(b);
	free(b);
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "key");
	const char *err = "";
	struct ctkey *key = cJSON_IsString(k)
				    ? ctkey_from_b64(k->valuestring, strlen(k->valuestring), &err)
				    : NULL;
	cJSON_Delete(j);
	return key;
}

static int sth_file_ok(const char *rel, const struct ctkey *k, struct ctsth *s)
{
	char p[1024];
	size_t n;
	const char *err = "";
	snprintf(p, sizeof p, "%s/%s", fx, rel);
	char *b = slurp(p, &n);
	int r = b && !ctsth_parse_json(b, n, s, &err) && !ctsth_verify(s, k, &err);
	if (!r)
		printf("# %s: %s\n", rel, err);
	free(b);
	return r;
}

static size_t hashes(const char *rel, const char *member, uint8_t (*out)[32])
{
	char p[1024];
	size_t n, k = 0;
	snprintf(p, sizeof p, "%s/%s", fx, rel);
	char *b = slurp(p, &n);
	cJSON *j = b ? cJSON_Parse(b) : NULL;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, member)) {
		uint8_t t[CTB64_DECODED_MAX(44)];
		if (k < 64 && cJSON_IsString(e) && strlen(e->valuestring) == 44 &&
		    ctb64_decode(e->valuestring, 44, t) == 32)
			memcpy(out[k++], t, 32);
	}
	cJSON_Delete(j);
	free(b);
	return k;
}

static void fixtures(void)
{
	const char *e = getenv("CT_FIXTURES");
	snprintf(fx, sizeof fx, "%s", e ? e : "../shared/fixtures");
	struct ctkey *argon = key_of("rfc6962/argon2020/log.json");
	if (!argon) {
		printf("ok %d - # SKIP no fixtures at %s\n", ++tap_n, fx);
		return;
	}
	struct ctsth s, s2;
	ok(sth_file_ok("rfc6962/argon2020/get-sth.json", argon, &s),
	   "Argon2020 STH verifies with its key");
	uint8_t proof[64][32], root1[32];
	size_t pn = hashes("rfc6962/argon2020/get-sth-consistency_first-3654490_second-961984011.json",
			   "consistency", proof);
	char p[1024];
	size_t n;
	snprintf(p, sizeof p, "%s/rfc6962/argon2020/consistency_first_root_3654490.json", fx);
	char *b = slurp(p, &n);
	cJSON *j = cJSON_Parse(b);
	const cJSON *r1 = cJSON_GetObjectItemCaseSensitive(j, "sha256_root_hash");
	uint8_t r1raw[CTB64_DECODED_MAX(44)];
	ok(cJSON_IsString(r1) && strlen(r1->valuestring) == 44 &&
		   ctb64_decode(r1->valuestring, 44, r1raw) == 32,
	   "first root is 32 bytes of base64");
	memcpy(root1, r1raw, 32);
	cJSON_Delete(j);
	free(b);
	ok(!ctm_verify_consistency(3654490, s.size, root1, s.root,
				   (const uint8_t (*)[32])proof, pn),
	   "Argon2020 consistency 3654490 -> %llu (%zu hashes)",
	   (unsigned long long)s.size, pn);
	/* leaf 10000: hash of its leaf_input, audit path to the STH root */
	snprintf(p, sizeof p, "%s/rfc6962/argon2020/get-entries_start-10000_end-10000.json", fx);
	b = slurp(p, &n);
	j = cJSON_Parse(b);
	const cJSON *li = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "entries"), 0), "leaf_input");
	uint8_t *raw = malloc(CTB64_DECODED_MAX(strlen(li->valuestring))), lh[32];
	long rl = ctb64_decode(li->valuestring, strlen(li->valuestring), raw);
	ctm_leaf_hash(raw, (size_t)rl, lh);
	free(raw);
	cJSON_Delete(j);
	free(b);
	pn = hashes("rfc6962/argon2020/get-proof-by-hash_tree_size-961984011_leaf-10000.json",
		    "audit_path", proof);
	ok(!ctm_verify_inclusion(10000, s.size, lh, (const uint8_t (*)[32])proof, pn, s.root),
	   "Argon2020 leaf 10000 is included under the signed root");
	struct ctm_range cr;
	ok(!ctm_range_from_inclusion(&cr, 10000, s.size, (const uint8_t (*)[32])proof, pn) &&
	   cr.n == 5, "its proof yields the compact range of the first 10000 leaves");
	s.root[0] ^= 1;
	const char *err = "";
	int rc = ctsth_verify(&s, argon, &err);
	ok(rc < 0, "a changed root fails: %s", err);
	ctkey_free(argon);

	struct ctkey *a27 = key_of("rfc6962/argon2027h1/log.json");
	ok(a27 && sth_file_ok("rfc6962/argon2027h1/get-sth_384065451.json", a27, &s) &&
	   sth_file_ok("rfc6962/argon2027h1/get-sth_384071894.json", a27, &s2),
	   "Argon2027h1: both STHs verify");
	pn = hashes("rfc6962/argon2027h1/get-sth-consistency_first-384065451_second-384071894.json",
		    "consistency", proof);
	ok(!ctm_verify_consistency(s.size, s2.size, s.root, s2.root,
				   (const uint8_t (*)[32])proof, pn),
	   "Argon2027h1: the %zu-hash consistency proof links them", pn);
	ctkey_free(a27);
	struct ctkey *pilot = key_of("rfc6962/pilot/log.json");
	ok(pilot && sth_file_ok("rfc6962/pilot/get-sth_3721782.json", pilot, &s),
	   "Pilot STH (RFC 6962's first log) verifies");
	ctkey_free(pilot);

	static const struct {
		const char *key, *cp, *what;
	} cps[] = {
		{ "static-ct/parcelyard2026h2/log.json", "static-ct/parcelyard2026h2/checkpoint",
		  "ParcelYard2026h2 (with cosignatures)" },
		{ "static-ct/sunlight-skylight-synthetic/rome2026h1.log.v3.json",
		  "static-ct/sunlight-skylight-synthetic/rome2026h1.checkpoint", "Sunlight rome2026h1" },
		{ "static-ct/sunlight-skylight-synthetic/rome2026h1.log.v3.json",
		  "static-ct/sunlight-skylight-synthetic/rome2026h1.witness-cosigned.checkpoint",
		  "Sunlight rome2026h1, witness-cosigned" },
	};
	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		struct ctkey *k = key_of(cps[i].key);
		snprintf(p, sizeof p, "%s/%s", fx, cps[i].cp);
		b = slurp(p, &n);
		err = "no file";
		rc = k && b && !ctsth_parse_checkpoint(b, n, NULL, ctkey_log_id(k), &s, &err) &&
		     !ctsth_verify(&s, k, &err);
		ok(rc, "%s checkpoint verifies (size %llu) %s", cps[i].what,
		   (unsigned long long)s.size, rc ? "" : err);
		free(b);
		ctkey_free(k);
	}
	/* Navigli's test key sits in a log list */
	snprintf(p, sizeof p, "%s/static-ct/navigli2025h2-testsigned/checkpoint", fx);
	b = slurp(p, &n);
	err = "";
	struct ctkey *nk = ctkey_from_b64(
		"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQrttSoOTWg1AarXHOlFOFs1Bxh5myTme/hVBOWvSQItmVYT7VZW0UE+CE0ffPs+zhQP4h1DoVYlqOI2P0u/kLg==",
		124, &err);
	ok(b && nk && !ctsth_parse_checkpoint(b, n, "navigli2025h2.sunlight.geomys.org",
					      ctkey_log_id(nk), &s, &err) &&
	   !ctsth_verify(&s, nk, &err) && s.size == 1024,
	   "Navigli2025h2 (test-signed) checkpoint verifies %s", err);
	rc = b && ctsth_parse_checkpoint(b, n, "navigli2025h2.example", ctkey_log_id(nk), &s,
					 &err) < 0;
	ok(rc, "a wrong origin is refused: %s", err);
	free(b);
	ctkey_free(nk);
}

int main(void)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	unsigned char *der = NULL;
	int dl = i2d_PUBKEY(pk, &der);
	struct ctbuf kb = CTBUF_INIT, out = CTBUF_INIT;
	ctb64_encode(&kb, der, (size_t)dl);
	const char *err = "";
	struct ctkey *k = ctkey_from_b64(kb.p, kb.len, &err);
	ok(k != NULL, "our own P-256 key loads");
	struct ctsth s = { .size = 12345, .timestamp = 1767225600123ULL }, r;
	memset(s.root, 0xab, 32);
	snprintf(s.origin, sizeof s.origin, "127.0.0.1:1234/log");
	ok(!ctsth_sign(&s, pk), "a head signs");
	ctsth_json(&out, &s);
	ok(!ctsth_parse_json(out.p, out.len, &r, &err) && !ctsth_verify(&r, k, &err) &&
	   r.size == 12345 && r.timestamp == s.timestamp, "get-sth JSON round trip verifies");
	r.size++;
	int rc = ctsth_verify(&r, k, &err);
	ok(rc < 0, "another size fails: %s", err);
	ctbuf_reset(&out);
	ctsth_checkpoint(&out, &s, ctkey_log_id(k));
	ok(!ctsth_parse_checkpoint(out.p, out.len, "127.0.0.1:1234/log", ctkey_log_id(k), &r,
				   &err) && !ctsth_verify(&r, k, &err) &&
	   r.timestamp == s.timestamp, "checkpoint round trip verifies");
	uint8_t other[32] = { 1 };
	rc = ctsth_parse_checkpoint(out.p, out.len, NULL, other, &r, &err);
	ok(rc < 0, "another log's ID finds no signature: %s", err);
	static const char *bad[] = {
		"", "o\n", "o\n12\n", "o\n012\nAAAA\n\n", "o\n1\nnotbase64!\n\n",
		"o\n99999999999999999999999\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n",
		"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nno blank line",
		"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n",
		"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n- o AAAA\n",
		"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o\n", NULL };
	int acc = 0;
	for (int i = 0; bad[i]; i++)
		acc += ctsth_parse_checkpoint(bad[i], strlen(bad[i]), NULL, other, &r, &err) == 0;
	ok(!acc, "malformed checkpoints are refused (%d accepted)", acc);
	static const char *badj[] = { "", "{}", "[]", "{\"tree_size\":-1}",
		"{\"tree_size\":1,\"timestamp\":2,\"sha256_root_hash\":\"AAAA\","
		"\"tree_head_signature\":\"BAMA\"}",
		"{\"tree_size\":1.5,\"timestamp\":2}", NULL };
	acc = 0;
	for (int i = 0; badj[i]; i++)
		acc += ctsth_parse_json(badj[i], strlen(badj[i]), &r, &err) == 0;
	ok(!acc, "malformed get-sth JSON is refused (%d accepted)", acc);
	struct ctkey *nk = ctkey_from_b64("AAAA", 4, &err);
	ok(!nk, "a non-key is refused: %s", err);
	ctkey_free(k);
	ctbuf_free(&kb);
	ctbuf_free(&out);
	OPENSSL_free(der);
	EVP_PKEY_free(pk);
	fixtures();
	return tap_done();
}
