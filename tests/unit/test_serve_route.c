/* ct-serve's route table: each path (with and without a trailing '/',
 * and its query cut off by the caller) finds its route and its flags;
 * near misses find none (404). */
#include <string.h>

#include "../../cmd/ct-serve/http.h"
#include "tap.h"

static const char *name(const struct route *rt)
{
	return rt ? (rt->path[0] ? rt->path : "/") : "none";
}

int main(void)
{
	static const struct {
		const char *path, *want;
		unsigned flags;
		int stream;
	} t[] = {
		{ "", "/", ROUTE_STREAM, S_LITE },
		{ "/", "/", ROUTE_STREAM, S_LITE },
		{ "/full-stream", "/full-stream", ROUTE_STREAM, S_FULL },
		{ "/full-stream/", "/full-stream", ROUTE_STREAM, S_FULL },
		{ "/domains-only", "/domains-only", ROUTE_STREAM, S_DOM },
		{ "/sse", "/sse", ROUTE_STREAM, -1 },
		{ "/sse/", "/sse", ROUTE_STREAM, -1 },
		{ "/health", "/health", ROUTE_OPEN, -1 },
		{ "/health/", "/health", ROUTE_OPEN, -1 },
		{ "/metrics", "/metrics", 0, -1 },
		{ "/api/stats", "/api/stats", 0, -1 },
		{ "/api/cert/ab", "/api/cert/", ROUTE_PREFIX, -1 },
		{ "/api/logs", "/api/logs", 0, -1 },
		{ "/example.json", "/example.json", 0, -1 },
		{ "/api/cert/", "none", 0, -1 },  /* no digest */
		{ "/api/cert", "none", 0, -1 },
		{ "//", "none", 0, -1 },
		{ "/healthz", "none", 0, -1 },
		{ "/health//", "none", 0, -1 },
		{ "/sse2", "none", 0, -1 },
		{ "/full", "none", 0, -1 },
		{ "full-stream", "none", 0, -1 },
		{ "/METRICS", "none", 0, -1 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t n = strlen(t[i].path);
		char *g = ct_guard_copy(t[i].path, n);
		const struct route *rt = http_route(g, n);
		ct_guard_free(g, n);
		ok(!strcmp(name(rt), t[i].want) &&
			   (!rt || (rt->flags == t[i].flags &&
				    rt->stream == t[i].stream && rt->fn)),
		   "'%s': %s", t[i].path, name(rt));
	}
	return tap_done();
}
