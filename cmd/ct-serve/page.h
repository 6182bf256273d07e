/* page: ct-serve's live web page (the files of cmd/ct-serve/page/,
 * built into the binary by scripts/embed) and whether a request asks for
 * it. Pure: nothing printed, nothing kept. */
#ifndef CTSERVE_PAGE_H
#define CTSERVE_PAGE_H

#include <stddef.h>

/* One file of the page. */
struct page_file {
	const char *path; /* "" is the page itself, at "/" */
	const char *ctype;
	const unsigned char *data;
	size_t len;
};

/* The file served at path (a route's path: "", "/page.js", "/page.css",
 * "/favicon.svg"), or NULL. */
const struct page_file *page_file(const char *path);

/* Does an Accept header's value list text/html (with a q above 0)? What
 * a browser asks for; curl, certstream clients and fetch() do not. */
int page_accepts_html(const char *v, size_t n);

/* The headers sent with each file: the page runs under this policy
 * (no inline script or style, nothing from elsewhere). */
#define PAGE_HEADERS                                                      \
	"Content-Security-Policy: default-src 'self'\r\n"                   \
	"X-Content-Type-Options: nosniff\r\n"                               \
	"Referrer-Policy: no-referrer\r\n"

#endif
