/* ct-serve's web page: which Accept headers ask for it (a browser's do,
 * curl's, fetch()'s and certstream clients' do not), and the files built
 * in are the ones in cmd/ct-serve/page/, whole. */
#include <stdio.h>
#include <string.h>

#include "../../cmd/ct-serve/page.h"
#include "tap.h"

/* Is the file at path the same bytes as the one built in? */
static int same_file(const char *path, const struct page_file *f)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return 0;
	static char b[65536];
	size_t n = fread(b, 1, sizeof b, fp);
	fclose(fp);
	return f && n == f->len && !memcmp(b, f->data, n) &&
	       f->data[n] == '\0';
}

int main(void)
{
	static const struct {
		const char *accept;
		int html;
	} t[] = {
		/* Chromium, Firefox, Safari */
		{ "text/html,application/xhtml+xml,application/xml;q=0.9,"
		  "image/avif,image/webp,image/apng,*/*;q=0.8",
		  1 },
		{ "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;"
		  "q=0.8",
		  1 },
		{ "TEXT/HTML", 1 },
		{ " text/html ; charset=utf-8", 1 },
		{ "application/json, text/html;q=0.5", 1 },
		{ "text/html;level=1;q=0.001", 1 },
		{ "text/html;q=1", 1 },
		/* everyone else */
		{ "", 0 },
		{ "*/*", 0 },
		{ "text/*", 0 },
		{ "application/json", 0 },
		{ "text/plain, text/htmlx", 0 },
		{ "text/htm", 0 },
		{ "xtext/html", 0 },
		{ "text/html;q=0", 0 },
		{ "text/html; q=0.000", 0 },
		{ "text/html;Q=0.0, */*", 0 },
		{ ",,,", 0 },
		{ ";text/html", 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t n = strlen(t[i].accept);
		char *g = ct_guard_copy(t[i].accept, n);
		ok(page_accepts_html(g, n) == t[i].html, "Accept: %s -> %d",
		   t[i].accept, t[i].html);
		ct_guard_free(g, n);
	}
	static const char *const files[][2] = {
		{ "", "cmd/ct-serve/page/index.html" },
		{ "/page.js", "cmd/ct-serve/page/page.js" },
		{ "/page.css", "cmd/ct-serve/page/page.css" },
		{ "/favicon.svg", "cmd/ct-serve/page/favicon.svg" },
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		ok(same_file(files[i][1], page_file(files[i][0])),
		   "'%s' is %s", files[i][0], files[i][1]);
	ok(!page_file("/index.html") && !page_file("/"), "no other file");
	ok(!strncmp(page_file("")->ctype, "text/html", 9) &&
		   !strncmp(page_file("/page.js")->ctype, "text/javascript",
			    15),
	   "content types");
	return tap_done();
}
