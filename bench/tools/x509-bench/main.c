/* x509-bench: certificates/CPU-second of lib/x509 (parse + render of the
 * leaf_cert object, hashes included) against OpenSSL's d2i_X509 plus the
 * same fields through its API, on the certificates of an entry-record
 * file (leaf certificates and precertificates). Prints both and the
 * ratio. usage: x509-bench FILE [SECONDS] */
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "buf.h"
#include "diag.h"
#include "json.h"
#include "leaf.h"
#include "mem.h"
#include "x509.h"

struct der {
	uint8_t *p;
	size_t len;
};

static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int b64val(const struct ctjson_val *v, struct ctbuf *b)
{
	ctbuf_reset(b);
	if (v->type != CTJSON_STRING)
		return -1;
	uint8_t *d = (uint8_t *)ctbuf_room(b, CTB64_DECODED_MAX(v->len));
	long n = ctb64_decode(v->p, v->len, d);
	if (n < 0)
		return -1;
	ctbuf_commit(b, (size_t)n);
	return 0;
}

static size_t load(const char *file, struct der **out)
{
	FILE *f = fopen(file, "r");
	if (!f)
		ct_die(CT_EXIT_RUNTIME, "%s", file);
	static const char *const names[] = { "leaf_input", "extra_data" };
	char *line = NULL;
	size_t cap = 0, n = 0, alloc = 0;
	ssize_t len;
	struct ctbuf lb = CTBUF_INIT, eb = CTBUF_INIT;
	for (;;) {
		len = getline(&line, &cap, f);
		if (len <= 0)
			break;
		struct ctjson_val v[2];
		struct ctleaf leaf;
		struct ctchain ch;
		const char *err;
		if (ctjson_fields(line, (size_t)len, names, 2, v) < 0 ||
		    b64val(&v[0], &lb) < 0 || b64val(&v[1], &eb) < 0 ||
		    ctleaf_parse((uint8_t *)lb.p, lb.len, &leaf, &err) < 0 ||
		    ctleaf_parse_extra((uint8_t *)eb.p, eb.len,
				       leaf.entry_type, &ch, &err) < 0)
			continue;
		struct ct_bytes c = leaf.entry_type == CTLEAF_PRECERT
					    ? ch.pre_cert : leaf.cert;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			*out = ct_xrealloc(*out, alloc * sizeof **out);
		}
		(*out)[n].p = ct_xmalloc(c.len);
		memcpy((*out)[n].p, c.p, c.len);
		(*out)[n++].len = c.len;
	}
	free(line);
	ctbuf_free(&lb);
	ctbuf_free(&eb);
	fclose(f);
	return n;
}

static size_t sink;

static void openssl_fields(const struct der *d)
{
	const unsigned char *p = d->p;
	X509 *x = d2i_X509(NULL, &p, (long)d->len);
	if (!x)
		return;
	static const int nids[] = { NID_countryName, NID_commonName,
				    NID_localityName, NID_organizationName,
				    NID_organizationalUnitName,
				    NID_stateOrProvinceName,
				    NID_pkcs9_emailAddress };
	X509_NAME *names[2] = { X509_get_subject_name(x),
				X509_get_issuer_name(x) };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sizeof nids / sizeof nids[0]; i++) {
			int at = X509_NAME_get_index_by_NID(names[k], nids[i], -1);
			unsigned char *u = NULL;
			if (at >= 0)
				sink += (size_t)ASN1_STRING_to_UTF8(
					&u, X509_NAME_ENTRY_get_data(
						    X509_NAME_get_entry(names[k], at)));
			OPENSSL_free(u);
		}
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *h = BN_bn2hex(bn);
	sink += strlen(h);
	OPENSSL_free(h);
	BN_free(bn);
	struct tm t;
	ASN1_TIME_to_tm(X509_get0_notBefore(x), &t);
	ASN1_TIME_to_tm(X509_get0_notAfter(x), &t);
	sink += (size_t)X509_get_signature_nid(x);
	sink += X509_get_extension_flags(x) & EXFLAG_CA;
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	sink += (size_t)sk_GENERAL_NAME_num(g);
	GENERAL_NAMES_free(g);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdn;
	X509_digest(x, EVP_sha1(), md, &mdn);
	X509_digest(x, EVP_sha256(), md, &mdn);
	sink += md[0];
	X509_free(x);
}

int main(int argc, char **argv)
{
	ct_setprog("x509-bench");
	if (argc < 2)
		ct_usage_error("usage: x509-bench FILE [SECONDS]");
	double secs = argc > 2 ? strtod(argv[2], NULL) : 2.0;
	struct der *certs = NULL;
	size_t n = load(argv[1], &certs);
	if (!n)
		ct_diex(CT_EXIT_RUNTIME, "%s: no certificates", argv[1]);
	struct ctx509 cx = CTX509_INIT;
	struct ctbuf out = CTBUF_INIT;
	char err[128];
	size_t ours = 0, theirs = 0;
	double t0 = cpu(), t;
	do {
		for (size_t i = 0; i < n; i++, ours++) {
			ctbuf_reset(&out);
			if (ctx509_parse(&cx, certs[i].p, certs[i].len, err,
					 sizeof err) == 0)
				ctx509_render(&cx, &out,
					      CTX509_TBS | CTX509_DOMAINS);
			sink += out.len;
		}
		t = cpu() - t0;
	} while (t < secs);
	double our_rate = (double)ours / t;
	t0 = cpu();
	do {
		for (size_t i = 0; i < n; i++, theirs++)
			openssl_fields(&certs[i]);
		t = cpu() - t0;
	} while (t < secs);
	double their_rate = (double)theirs / t;
	printf("lib/x509 parse+render: %.0f certificates/CPU-s (%.2f us each)\n",
	       our_rate, 1e6 / our_rate);
	printf("d2i_X509 + same fields: %.0f certificates/CPU-s (%.2f us each)\n",
	       their_rate, 1e6 / their_rate);
	printf("speedup over d2i_X509: %.1fx (goal 20x: ratio %.2f)\n",
	       our_rate / their_rate, our_rate / their_rate / 20);
	for (size_t i = 0; i < n; i++)
		free(certs[i].p);
	free(certs);
	ctx509_free(&cx);
	ctbuf_free(&out);
	return sink == 42 ? 1 : 0;
}
