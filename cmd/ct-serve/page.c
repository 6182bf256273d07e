/* page: the embedded web page (see page.h). */
#include "page.h"

#include <string.h>
#include <strings.h>

/* embed_<file name>[]: each file's bytes and a NUL (scripts/embed) */
#include "page_files.h"

#define EMBED(path, ctype, a) { path, ctype, a, sizeof a - 1 }

static const struct page_file files[] = {
	EMBED("", "text/html; charset=utf-8", embed_index_html),
	EMBED("/page.js", "text/javascript; charset=utf-8", embed_page_js),
	EMBED("/page.css", "text/css; charset=utf-8", embed_page_css),
	EMBED("/favicon.svg", "image/svg+xml", embed_favicon_svg),
};

const struct page_file *page_file(const char *path)
{
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (!strcmp(files[i].path, path))
			return &files[i];
	return NULL;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Is the media range v[0..n) (parameters and all) text/html, and not
 * refused with q=0? */
static int is_html(const char *v, size_t n)
{
	size_t t = 0;
	while (t < n && v[t] != ';')
		t++;
	size_t e = t;
	while (e > 0 && blank(v[e - 1]))
		e--;
	if (e != 9 || strncasecmp(v, "text/html", 9))
		return 0;
	/* parameters: ;q=0, ;q=0.0 ... refuse it */
	for (size_t i = t; i < n;) {
		i++; /* the ';' */
		while (i < n && blank(v[i]))
			i++;
		size_t s = i;
		while (i < n && v[i] != ';')
			i++;
		if (i - s < 2 || strncasecmp(v + s, "q=", 2))
			continue;
		size_t k = s + 2;
		int zero = k < i && v[k] == '0';
		for (k++; zero && k < i && !blank(v[k]); k++)
			zero = v[k] == '.' || v[k] == '0';
		if (zero)
			return 0;
	}
	return 1;
}

int page_accepts_html(const char *v, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && (blank(v[i]) || v[i] == ','))
			i++;
		size_t s = i;
		while (i < n && v[i] != ',')
			i++;
		if (i > s && is_html(v + s, i - s))
			return 1;
	}
	return 0;
}
