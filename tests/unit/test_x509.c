/* lib/x509 cross-checked against OpenSSL's own parse of the same
 * certificates: certificates generated here with varied names, keys,
 * serials, dates and extensions, plus every certificate under
 * ../shared/fixtures/certs when present. Then robustness: every
 * truncation and thousands of byte flips of real certificates, each in a
 * guard-page buffer, must fail cleanly or render valid JSON. */
#include <ftw.h>
#include <stdarg.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "../../lib/b64.h"
#include "../../lib/json.h"
#include "../../lib/x509.h"
#include "tap.h"

static struct ctx509 cx = CTX509_INIT;
static struct ctbuf out = CTBUF_INIT;
static int checked, mismatches;
static unsigned rnd_state = 12345;

static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* The JSON string at path in our rendering, unescaped; NULL if null or
 * absent. */
static char *field(const struct ctjson_val *root, const char *path,
		   struct ctbuf *b)
{
	struct ctjson_val v;
	ctbuf_reset(b);
	if (ctjson_path(root, path, &v) != 1 || v.type != CTJSON_STRING)
		return NULL;
	ctjson_unescape(&v, b);
	return ctbuf_cstr(b);
}

static void diff(const char *what, const char *file, const char *want,
		 const char *got)
{
	if (mismatches++ < 20)
		printf("# %s: %s: openssl says '%s', we say '%s'\n", file,
		       what, want ? want : "(null)", got ? got : "(null)");
}

static void cmp_str(const char *what, const char *file, const char *want,
		    const char *got)
{
	if ((want == NULL) != (got == NULL) || (want && strcmp(want, got)))
		diff(what, file, want, got);
}

/* The last entry of that type: an attribute given twice shows its last
 * value, as the certstream peers show it. */
static int last_index(X509_NAME *n, int nid)
{
	int at = -1;
	for (int k = -1; (k = X509_NAME_get_index_by_NID(n, nid, k)) >= 0;)
		at = k;
	return at;
}

/* The hex of the serial's INTEGER contents as encoded, without a 00
 * sign byte: a negative serial shows its two's complement. */
static void serial_hex(const ASN1_INTEGER *sn, char *o, size_t cap)
{
	unsigned char *d = NULL;
	int n = i2d_ASN1_INTEGER(sn, &d);
	size_t at = 2, len;
	if (n < 2) {
		snprintf(o, cap, "?");
		OPENSSL_free(d);
		return;
	}
	if (d[1] & 0x80)
		at += d[1] & 0x7f;
	len = (size_t)n - at;
	if (len > 1 && d[at] == 0) {
		at++;
		len--;
	}
	for (size_t i = 0; i < len && 2 * i + 3 <= cap; i++)
		snprintf(o + 2 * i, 3, "%02X", d[at + i]);
	OPENSSL_free(d);
}

static void cmp_name(X509_NAME *n, const struct ctjson_val *root,
		     const char *which, const char *file)
{
	static const struct {
		int nid;
		const char *key;
	} attrs[] = {
		{ NID_countryName, "C" },	      { NID_commonName, "CN" },
		{ NID_localityName, "L" },	      { NID_organizationName, "O" },
		{ NID_organizationalUnitName, "OU" },
		{ NID_stateOrProvinceName, "ST" },
		{ NID_pkcs9_emailAddress, "emailAddress" },
		{ NID_pkcs9_emailAddress, "email_address" }, /* Go's key */
	};
	struct ctbuf b = CTBUF_INIT;
	char path[64];
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		int at = last_index(n, attrs[i].nid);
		char *want = NULL;
		unsigned char *u = NULL;
		if (at >= 0) {
			ASN1_STRING *s = X509_NAME_ENTRY_get_data(
				X509_NAME_get_entry(n, at));
			int len = ASN1_STRING_to_UTF8(&u, s);
			if (len >= 0)
				want = (char *)u;
		}
		snprintf(path, sizeof path, "%s.%s", which, attrs[i].key);
		char *got = field(root, path, &b);
		/* Our writer escapes controls and repairs bad UTF-8: compare
		 * only when OpenSSL's text is clean printable UTF-8. */
		int clean = 1;
		for (char *q = want; q && *q; q++)
			if ((unsigned char)*q < 0x20)
				clean = 0;
		if (clean)
			cmp_str(path, file, want, got);
		OPENSSL_free(u);
	}
	ctbuf_free(&b);
}

static const char *sig_of(int nid)
{
	switch (nid) {
	case NID_sha256WithRSAEncryption: return "sha256, rsa";
	case NID_sha384WithRSAEncryption: return "sha384, rsa";
	case NID_sha512WithRSAEncryption: return "sha512, rsa";
	case NID_sha1WithRSAEncryption: return "sha1, rsa";
	case NID_md5WithRSAEncryption: return "md5, rsa";
	case NID_ecdsa_with_SHA256: return "ecdsa, sha256";
	case NID_ecdsa_with_SHA384: return "ecdsa, sha384";
	case NID_ecdsa_with_SHA512: return "ecdsa, sha512";
	case NID_ecdsa_with_SHA1: return "ecdsa, sha1";
	case NID_ED25519: return "ed25519";
	}
	return NULL;
}

static void hexcolon(const unsigned char *d, unsigned n, char *o)
{
	for (unsigned i = 0; i < n; i++)
		o += snprintf(o, 4, i ? ":%02X" : "%02X", d[i]);
}

/* Compare everything we render with OpenSSL's view of x. */
static void check_cert(X509 *x, const char *file)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	char err[256];
	if (len <= 0)
		return;
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	int negative = ASN1_STRING_type(sn) == V_ASN1_NEG_INTEGER;
	if (ctx509_parse(&cx, der, (size_t)len, err, sizeof err) < 0) {
		diff("parse", file, "ok", err);
		goto done;
	}
	if (cx.serial_negative != negative)
		diff("serial sign", file, negative ? "negative" : "positive",
		     cx.serial_negative ? "negative" : "positive");
	checked++;
	ctbuf_reset(&out);
	ctx509_render(&cx, &out, CTX509_AS_DER | CTX509_TBS | CTX509_DOMAINS);
	struct ctjson_val root;
	if (ctjson_parse(out.p, out.len, &root) < 0) {
		diff("json", file, "valid JSON", "invalid");
		goto done;
	}
	struct ctbuf b = CTBUF_INIT;
	char want[200];

	char hs[2 * 64 + 1];
	serial_hex(sn, hs, sizeof hs);
	cmp_str("serial_number", file, hs, field(&root, "serial_number", &b));

	struct tm t;
	struct ctjson_val v;
	uint64_t u;
	const ASN1_TIME *times[2] = { X509_get0_notBefore(x),
				      X509_get0_notAfter(x) };
	const char *tk[2] = { "not_before", "not_after" };
	for (int i = 0; i < 2; i++) {
		if (ASN1_TIME_to_tm(times[i], &t) != 1)
			continue;
		long long w = (long long)timegm(&t);
		long long g = -1;
		if (ctjson_path(&root, tk[i], &v) == 1 && ctjson_u64(&v, &u) == 0)
			g = (long long)u;
		if (w >= 0 && w != g) {
			char a[32], c[32];
			snprintf(a, sizeof a, "%lld", w);
			snprintf(c, sizeof c, "%lld", g);
			diff(tk[i], file, a, c);
		}
	}

	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdn;
	X509_digest(x, EVP_sha1(), md, &mdn);
	hexcolon(md, mdn, want);
	cmp_str("sha1", file, want, field(&root, "sha1", &b));
	cmp_str("fingerprint", file, want, field(&root, "fingerprint", &b));
	X509_digest(x, EVP_sha256(), md, &mdn);
	hexcolon(md, mdn, want);
	cmp_str("sha256", file, want, field(&root, "sha256", &b));

	const char *sig = sig_of(X509_get_signature_nid(x));
	if (sig)
		cmp_str("signature_algorithm", file, sig,
			field(&root, "signature_algorithm", &b));

	int ca = (X509_get_extension_flags(x) & EXFLAG_CA) &&
		 X509_get_ext_by_NID(x, NID_basic_constraints, -1) >= 0;
	ctjson_path(&root, "is_ca", &v);
	cmp_str("is_ca", file, ca ? "true" : "false",
		v.type == CTJSON_TRUE ? "true" : "false");

	cmp_name(X509_get_subject_name(x), &root, "subject", file);
	cmp_name(X509_get_issuer_name(x), &root, "issuer", file);

	/* all_domains: CN (not for CAs) then SAN dNSNames, deduplicated. */
	struct ctbuf wd = CTBUF_INIT;
	char *names[4096];
	int nn = 0, nulname = 0;
	X509_NAME *sub = X509_get_subject_name(x);
	int at = last_index(sub, NID_commonName);
	unsigned char *cn = NULL;
	if (at >= 0 && !ca) {
		int l = ASN1_STRING_to_UTF8(
			&cn, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(sub, at)));
		if (l > 0)
			names[nn++] = (char *)cn;
	}
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					       NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && nn < 4096;
	     i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		char *s = (char *)ASN1_STRING_get0_data(g->d.dNSName);
		if ((int)strlen(s) != ASN1_STRING_length(g->d.dNSName))
			nulname = 1; /* C strings cannot compare it */
		int dup = 0;
		for (int j = 0; j < nn; j++)
			if (!strcmp(names[j], s))
				dup = 1;
		if (!dup)
			names[nn++] = s;
	}
	for (int i = 0; i < nn; i++) {
		if (i)
			ctbuf_addc(&wd, '|');
		ctbuf_adds(&wd, names[i]);
	}
	struct ctbuf gd = CTBUF_INIT;
	struct ctjson_val arr, item;
	struct ctjson_iter it;
	if (ctjson_path(&root, "all_domains", &arr) == 1) {
		ctjson_iter_init(&it, &arr);
		for (int first = 1; ctjson_next(&it, &item, &v) > 0; first = 0) {
			if (!first)
				ctbuf_addc(&gd, '|');
			ctjson_unescape(&v, &gd);
		}
	}
	if (!nulname)
		cmp_str("all_domains", file, ctbuf_cstr(&wd), ctbuf_cstr(&gd));
	GENERAL_NAMES_free(gens);
	OPENSSL_free(cn);
	ctbuf_free(&wd);
	ctbuf_free(&gd);
	ctbuf_free(&b);
done:
	OPENSSL_free(der);
}

/* ---- certificates made here ----------------------------------------- */

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (e) {
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
}

static void add_name(X509_NAME *n, const char *f, int type, const char *v)
{
	X509_NAME_add_entry_by_txt(n, f, type, (const unsigned char *)v, -1,
				   -1, 0);
}

static X509 *make_cert(EVP_PKEY *key, EVP_PKEY *signer, int i)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	unsigned char sbytes[20];
	int sl = 1 + (int)(rnd() % 20);
	for (int k = 0; k < sl; k++)
		sbytes[k] = (unsigned char)rnd();
	if (i % 7 == 0)
		sbytes[0] |= 0x80; /* needs a 00 sign byte */
	BIGNUM *bn = BN_bin2bn(sbytes, sl, NULL);
	if (i % 11 == 4)
		BN_set_negative(bn, 1); /* in the logs, from older CAs */
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	/* Dates on both sides of 2050 (UTCTime vs GeneralizedTime). */
	time_t nb = (time_t)(1000000000 + (long)(rnd() % 1500000000));
	ASN1_TIME_set(X509_getm_notBefore(x), nb);
	ASN1_TIME_set(X509_getm_notAfter(x), nb + (time_t)(rnd() % 900000000));
	X509_NAME *n = X509_get_subject_name(x);
	if (rnd() % 2)
		add_name(n, "C", MBSTRING_ASC, "DE");
	if (rnd() % 4)
		add_name(n, "CN", MBSTRING_UTF8,
			 i % 5 == 1 ? "b\xc3\xbc" "cher.example" : "www.example.com");
	if (rnd() % 2)
		add_name(n, "O", i % 3 == 0 ? MBSTRING_BMP | 0 : MBSTRING_UTF8,
			 i % 3 == 0 ? "\x00G\x00r\x00\xfc\x00\xdf\x00" "e" : "Gr\xc3\xbc\xc3\x9f" "e GmbH");
	if (rnd() % 3 == 0)
		add_name(n, "OU", MBSTRING_ASC, "Web");
	if (rnd() % 3 == 0)
		add_name(n, "L", MBSTRING_ASC, "Berlin");
	if (rnd() % 3 == 0)
		add_name(n, "ST", MBSTRING_ASC, "Berlin");
	if (rnd() % 4 == 0)
		add_name(n, "emailAddress", MBSTRING_ASC, "ops@example.com");
	if (i % 13 == 6) { /* attributes given twice: the last counts */
		add_name(n, "CN", MBSTRING_ASC, "second.example");
		add_name(n, "O", MBSTRING_ASC, "Second O");
	}
	X509_NAME *in = X509_get_issuer_name(x);
	add_name(in, "C", MBSTRING_ASC, "US");
	add_name(in, "O", MBSTRING_ASC, "Test Trust");
	add_name(in, "CN", MBSTRING_ASC, "Test CA");
	X509_set_pubkey(x, key);
	int ca = i % 6 == 0;
	add_ext(x, NULL, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	add_ext(x, NULL, NID_key_usage,
		ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
	if (rnd() % 2)
		add_ext(x, NULL, NID_ext_key_usage, "clientAuth,serverAuth");
	char san[8192];
	size_t o = 0;
	int ns = (int)(rnd() % (i % 10 == 3 ? 300 : 6));
	for (int k = 0; k < ns && o < sizeof san - 200; k++)
		o += (size_t)snprintf(san + o, sizeof san - o, "%sDNS:h%d.example.com",
				      o ? "," : "", k % 50);
	if (i % 4 == 2)
		o += (size_t)snprintf(san + o, sizeof san - o,
				      "%sIP:192.0.2.%d,IP:2001:db8::%d,email:a@example.com,"
				      "URI:https://example.com/,DNS:*.wild.example",
				      o ? "," : "", i % 250, i);
	if (o)
		add_ext(x, NULL, NID_subject_alt_name, san);
	add_ext(x, NULL, NID_subject_key_identifier, "hash");
	if (i % 5 == 4)
		add_ext(x, NULL, NID_certificate_policies, "2.23.140.1.2.1,1.3.6.1.4.1.44947.1.1.1");
	if (i % 8 == 1)
		add_ext(x, NULL, NID_info_access,
			"OCSP;URI:http://ocsp.example/,caIssuers;URI:http://ca.example/c.der");
	if (i % 9 == 5) {
		ASN1_OBJECT *poison = OBJ_txt2obj("1.3.6.1.4.1.11129.2.4.3", 1);
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(os, (const unsigned char *)"\x05\x00", 2);
		X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, poison, 1, os);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
		ASN1_OCTET_STRING_free(os);
		ASN1_OBJECT_free(poison);
	}
	int is_ed = EVP_PKEY_get_id(signer) == EVP_PKEY_ED25519;
	const EVP_MD *md = is_ed ? NULL : i % 3 == 1 ? EVP_sha384() : EVP_sha256();
	X509_sign(x, signer, md);
	return x;
}

static void generated(void)
{
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	EVP_PKEY *keys[3] = { ec, ed, rsa };
	int before = mismatches, n = 0;
	for (int i = 0; i < 300; i++) {
		X509 *x = make_cert(keys[i % 3], keys[(i / 3) % 3], i);
		char name[32];
		snprintf(name, sizeof name, "generated #%d", i);
		check_cert(x, name);
		X509_free(x);
		n++;
	}
	ok(mismatches == before, "%d generated certificates agree with OpenSSL",
	   n);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(rsa);
}

/* ---- fixtures -------------------------------------------------------- */

static unsigned char *corpus[64];
static size_t corpus_len[64];
static int ncorpus, nfixture;

static int visit(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	size_t l = strlen(path);
	if (type != FTW_F || l < 4 || strcmp(path + l - 4, ".pem"))
		return 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	for (;;) {
		X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
		if (!x)
			break;
		check_cert(x, path);
		nfixture++;
		if (ncorpus < 64) {
			unsigned char *d = NULL;
			int dl = i2d_X509(x, &d);
			if (dl > 0) {
				corpus[ncorpus] = d;
				corpus_len[ncorpus++] = (size_t)dl;
			}
		}
		X509_free(x);
	}
	ERR_clear_error();
	fclose(f);
	return 0;
}

static void fixtures(void)
{
	const char *dir = getenv("CT_FIXTURES");
	char path[512];
	snprintf(path, sizeof path, "%s/certs", dir ? dir : "../shared/fixtures");
	if (access(path, R_OK) != 0) {
		printf("ok %d - # SKIP no fixtures at %s\n", ++tap_n, path);
		return;
	}
	int before = mismatches;
	nftw(path, visit, 16, FTW_PHYS);
	ok(nfixture > 50 && mismatches == before,
	   "%d fixture certificates agree with OpenSSL", nfixture);
}

/* ---- robustness ------------------------------------------------------ */

static int render_valid(const uint8_t *p, size_t n)
{
	uint8_t *g = ct_guard_copy(p, n);
	char err[128];
	int valid = 1;
	if (ctx509_parse(&cx, g, n, err, sizeof err) == 0) {
		ctbuf_reset(&out);
		ctx509_render(&cx, &out,
			      CTX509_AS_DER | CTX509_TBS | CTX509_DOMAINS);
		struct ctjson_val v;
		valid = ctjson_parse(out.p, out.len, &v) == 0;
	} else {
		valid = err[0] != '\0';
	}
	ct_guard_free(g, n);
	return valid;
}

static void robustness(void)
{
	if (!ncorpus) {
		/* No fixtures: use generated certificates. */
		EVP_PKEY *ec = EVP_EC_gen("P-256");
		for (int i = 0; i < 8; i++) {
			X509 *x = make_cert(ec, ec, i * 5 + 2);
			unsigned char *d = NULL;
			int dl = i2d_X509(x, &d);
			corpus[ncorpus] = d;
			corpus_len[ncorpus++] = (size_t)dl;
			X509_free(x);
		}
		EVP_PKEY_free(ec);
	}
	int bad = 0, truncs = 0, flips = 0;
	for (int c = 0; c < ncorpus && c < 16; c++) {
		size_t n = corpus_len[c];
		for (size_t cut = 0; cut < n; cut += 1 + n / 300, truncs++)
			if (!render_valid(corpus[c], cut) ||
			    ctx509_parse(&cx, corpus[c], cut, NULL, 0) == 0)
				bad++;
		uint8_t *m = malloc(n);
		for (int k = 0; k < 400; k++, flips++) {
			memcpy(m, corpus[c], n);
			int nf = 1 + (int)(rnd() % 3);
			for (int f = 0; f < nf; f++)
				m[rnd() % n] ^= (uint8_t)(1 + rnd() % 255);
			if (!render_valid(m, n))
				bad++;
		}
		free(m);
	}
	ok(bad == 0, "%d truncations fail cleanly, %d mutations never give "
	   "invalid JSON (%d bad)", truncs, flips, bad);
}

/* A certificate made here: the serial, then subject attributes as
 * "key", "value" pairs (NULL ends them), one RDN each, in that order; a
 * leaf (CA:FALSE) with SAN DNS:a.example, DNS:b.example. */
static X509 *make_named(EVP_PKEY *key, long serial, ...)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	ASN1_TIME_set(X509_getm_notBefore(x), 1767225600);
	ASN1_TIME_set(X509_getm_notAfter(x), 1775001600);
	X509_NAME *n = X509_get_subject_name(x);
	va_list ap;
	va_start(ap, serial);
	for (const char *k; (k = va_arg(ap, const char *)) != NULL;)
		add_name(n, k, MBSTRING_ASC, va_arg(ap, const char *));
	va_end(ap);
	add_name(X509_get_issuer_name(x), "CN", MBSTRING_ASC, "Test CA");
	X509_set_pubkey(x, key);
	add_ext(x, NULL, NID_basic_constraints, "CA:FALSE");
	add_ext(x, NULL, NID_subject_alt_name, "DNS:a.example,DNS:b.example");
	X509_sign(x, key, EVP_sha256());
	return x;
}

/* Parse and render x; the rendering is in out. */
static int parse_render(X509 *x, char *err, size_t errlen)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	int r = ctx509_parse(&cx, der, (size_t)len, err, errlen);
	ctbuf_reset(&out);
	if (r == 0)
		ctx509_render(&cx, &out, CTX509_TBS | CTX509_DOMAINS);
	/* The rendering views the DER: check it before the free. */
	struct ctjson_val root;
	if (r == 0 && ctjson_parse(out.p, out.len, &root) < 0)
		r = -1;
	ctbuf_cstr(&out);
	OPENSSL_free(der);
	return r;
}

/* Certificates with a negative serial are in the logs (older CAs):
 * converted, the serial shown as its DER bytes (two's complement), as
 * the Rust server's x509-parser shows it. */
static void negative_serials(EVP_PKEY *key)
{
	static const struct {
		long serial;
		const char *hex;
	} t[] = {
		{ -5, "FB" },	    { -128, "80" },	 { -129, "FF7F" },
		{ -256, "FF00" },   { -65536, "FF0000" }, { 128, "80" },
		{ 0, "00" },	    { 0x7f00, "7F00" },
	};
	char err[128], want[64];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		X509 *x = make_named(key, t[i].serial, "CN", "n.example",
				     NULL);
		err[0] = '\0';
		int r = parse_render(x, err, sizeof err);
		snprintf(want, sizeof want, "\"serial_number\":\"%s\",",
			 t[i].hex);
		ok(r == 0 && strstr(out.p, want) &&
		   cx.serial_negative == (t[i].serial < 0),
		   "serial %ld is converted, shown as %s%s%s", t[i].serial,
		   t[i].hex, r ? ": " : "", r ? err : "");
		X509_free(x);
	}
}

/* A name with an attribute twice: the last value counts, in subject,
 * aggregated and all_domains (whose CN comes first), as in the peers. */
static void repeated_attributes(EVP_PKEY *key)
{
	char err[128] = "";
	X509 *x = make_named(key, 1, "CN", "a.example", "CN", "b.example",
			     "O", "x", "O", "y", NULL);
	int r = parse_render(x, err, sizeof err);
	ok(r == 0 && strstr(out.p, "{\"subject\":{\"C\":null,"
				  "\"CN\":\"b.example\",\"L\":null,"
				  "\"O\":\"y\",\"OU\":null,\"ST\":null,"
				  "\"emailAddress\":null,"
				  "\"email_address\":null,"
				  "\"aggregated\":\"/CN=b.example/O=y\"}"),
	   "two CNs, two Os: the last of each is shown");
	ok(r == 0 && strstr(out.p, "\"all_domains\":[\"b.example\","
				  "\"a.example\"]"),
	   "all_domains: the last CN, then the SANs");
	if (r != 0 || !strstr(out.p, "\"b.example\",\"a.example\""))
		printf("# %s\n", r ? err : out.p);
	X509_free(x);
}

static void specific(void)
{
	/* An indefinite-length certificate, a negative serial, an explicit
	 * curve: errors say so. */
	static const uint8_t indef[] = { 0x30, 0x80, 0x30, 0x00, 0x00, 0x00 };
	char err[128] = "";
	ok(ctx509_parse(&cx, indef, sizeof indef, err, sizeof err) < 0 &&
	   !strcmp(err, "not a DER certificate"),
	   "indefinite length: %s", err);
	ok(ctx509_parse(&cx, (const uint8_t *)"", 0, err, sizeof err) < 0,
	   "empty input fails");
	if (ncorpus) {
		size_t n = corpus_len[0];
		uint8_t *m = malloc(n + 1);
		memcpy(m, corpus[0], n);
		m[n] = 0;
		ok(ctx509_parse(&cx, m, n + 1, err, sizeof err) < 0 &&
		   !strcmp(err, "trailing bytes after certificate"),
		   "trailing byte: %s", err);
		free(m);
	}
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	negative_serials(ec);
	repeated_attributes(ec);
	EVP_PKEY_free(ec);
}

int main(void)
{
	generated();
	fixtures();
	robustness();
	specific();
	printf("# %d certificates compared\n", checked);
	for (int i = 0; i < ncorpus; i++)
		OPENSSL_free(corpus[i]);
	ctx509_free(&cx);
	ctbuf_free(&out);
	return tap_done();
}
