/* lib/watch: every watch form, wildcards, IDN, case; lib/ndkey: paths. */
#include <string.h>

#include "../../lib/ndkey.h"
#include "../../lib/watch.h"
#include "tap.h"

static const char *m(struct ctwatch *w, const char *name)
{
	char *g = ct_guard_copy(name, strlen(name));
	long r = ctwatch_match(w, g, strlen(name));
	ct_guard_free(g, strlen(name));
	return r < 0 ? "-" : ctwatch_item(w, r);
}

#define MATCH(name, want) \
	ok(!strcmp(m(w, name), want), "%s -> %s (got %s)", name, want, m(w, name))

static void watch(void)
{
	struct ctwatch *w = ctwatch_new();
	char err[160];
	static const char *items[] = {
		"exact.example.com", ".cover.example.org", "Mixed.Case.NET",
		"bücher.example", ".münchen.de", " spaced.example ",
		"trailing.example.", "a.b.deep.example",
	};
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		ok(ctwatch_add(w, items[i], strlen(items[i]), err, sizeof err) == 0,
		   "add '%s'", items[i]);
	ok(ctwatch_add(w, "exact.example.com", 17, err, sizeof err) == 0 &&
	   ctwatch_count(w) == 8, "a duplicate is ignored");
	ok(ctwatch_add(w, "*.x.example", 11, err, sizeof err) < 0,
	   "a wildcard item is refused: %s", err);
	ok(ctwatch_add(w, "a..b", 4, err, sizeof err) < 0, "empty label refused");
	ok(ctwatch_add(w, "", 0, err, sizeof err) < 0, "empty item refused");
	ok(ctwatch_add(w, "bad name", 8, err, sizeof err) < 0, "space refused");
	ok(ctwatch_add(w, "\xff\xfe.example", 10, err, sizeof err) < 0,
	   "invalid UTF-8 refused: %s", err);

	MATCH("exact.example.com", "exact.example.com");
	MATCH("EXACT.Example.COM", "exact.example.com");
	MATCH("sub.exact.example.com", "-");
	MATCH("example.com", "-");
	MATCH("cover.example.org", ".cover.example.org");
	MATCH("a.b.cover.example.org", ".cover.example.org");
	MATCH("xcover.example.org", "-");
	MATCH("mixed.case.net", "mixed.case.net");
	MATCH("xn--bcher-kva.example", "xn--bcher-kva.example");
	MATCH("bücher.example", "xn--bcher-kva.example");
	MATCH("www.xn--mnchen-3ya.de", ".xn--mnchen-3ya.de");
	MATCH("spaced.example", "spaced.example");
	MATCH("trailing.example", "trailing.example");
	MATCH("trailing.example.", "trailing.example");
	/* wildcards in certificates */
	MATCH("*.example.com", "exact.example.com");
	MATCH("*.com", "-");
	MATCH("*.cover.example.org", ".cover.example.org");
	MATCH("*.x.cover.example.org", ".cover.example.org");
	MATCH("*.example.org", ".cover.example.org");
	MATCH("*.deep.example", "-");
	MATCH("*.b.deep.example", "a.b.deep.example");
	MATCH("*", "-");
	MATCH("", "-");
	ctwatch_free(w);

	w = ctwatch_new();
	ctwatch_add(w, ".com", 4, err, sizeof err);
	MATCH("*.com", ".com");
	MATCH("anything.com", ".com");
	MATCH("com", ".com");
	ctwatch_free(w);

	/* a million items */
	w = ctwatch_new();
	char name[64];
	int good = 1;
	for (int i = 0; i < 1000000; i++) {
		int n = snprintf(name, sizeof name, "%sh%d.example%d.com",
				 i % 2 ? "." : "", i, i % 1000);
		if (ctwatch_add(w, name, (size_t)n, err, sizeof err) < 0)
			good = 0;
	}
	ok(good && ctwatch_count(w) == 1000000, "a million items added");
	ok(!strcmp(m(w, "h4.example4.com"), "h4.example4.com") &&
	   !strcmp(m(w, "x.h5.example5.com"), ".h5.example5.com") &&
	   !strcmp(m(w, "nope.example5.com"), "-") &&
	   !strcmp(m(w, "*.example4.com"), "h4.example4.com"),
	   "lookups among a million items");
	printf("# footprint %zu bytes for 1e6 items\n", ctwatch_footprint(w));
	ctwatch_free(w);
}

static int find(const char *line, const char *path, const char *want)
{
	struct ctndkey_path p;
	struct ct_bytes v;
	if (ctndkey_compile(&p, path) < 0)
		return want == NULL;
	char *g = ct_guard_copy(line, strlen(line));
	int r = ctndkey_find(g, strlen(line), &p, &v);
	int good = want ? r > 0 && v.len == strlen(want) &&
				  !memcmp(v.p, want, v.len)
			: r <= 0;
	ct_guard_free(g, strlen(line));
	return good;
}

static void ndkey(void)
{
	const char *rec = "{\"message_type\":\"certificate_update\",\"data\":{"
			  "\"x\":[1,{\"sha256\":\"no\"},\"}\"],\"s\":\"a\\\"}b\","
			  "\"leaf_cert\":{\"sha256\":\"AA:BB\",\"n\":12,"
			  "\"all_domains\":[\"a.example\",\"b.example\"]}}}";
	ok(find(rec, "data.leaf_cert.sha256", "AA:BB"), "nested string");
	ok(find(rec, "data.leaf_cert.n", "12"), "number");
	ok(find(rec, "data.leaf_cert.all_domains",
		"[\"a.example\",\"b.example\"]"), "array as raw text");
	ok(find(rec, "data.leaf_cert.all_domains.1", "b.example"), "array index");
	ok(find(rec, "data.x.1.sha256", "no"), "through an array");
	ok(find(rec, "data.s", "a\\\"}b"), "escaped quote in a string");
	ok(find(rec, "data.leaf_cert.sha1", NULL), "absent key");
	ok(find(rec, "message_type.x", NULL), "path through a string");
	ok(find("{\"a\":1}", "a.b", NULL), "path through a number");
	ok(find("not json", "a", NULL), "not an object");
	ok(find("{\"a\":\"unterminated", "a", NULL), "unterminated string");
	ok(find("{\"a\":[1,2", "a", NULL), "unterminated array");
	ok(find("{\"b\":\"x\\\\\",\"a\":\"y\"}", "a", "y"),
	   "escaped backslash before a quote");
	ok(find(" {\"a\" : \"y\" } ", "a", "y"), "white space");
	ok(find("{}", "a", NULL), "empty object");
	ok(find("{\"x\":[1,", "x.1.k", NULL), "path past the end (fuzz)");
	ok(find("{\"a\":1}", "", NULL), "empty path refused");
	ok(find("{\"a\":1}", "a..b", NULL), "empty segment refused");
}

int main(void)
{
	watch();
	ndkey();
	return tap_done();
}
