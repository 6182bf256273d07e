/* libFuzzer target: ct-fetch --stats files as ct-serve reads them for
 * /metrics. Parsing never crashes, keeps at most CTFSTATS_MAX_LOGS logs,
 * and what it renders is well-formed Prometheus text: every line a
 * comment or name{label="escaped",...} value, whatever the names and
 * URLs held. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetchstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A quoted label value at *p: 0 and *p past it, or -1. */
static int quoted(const char **p, const char *end)
{
	const char *q = *p;
	if (q >= end || *q++ != '"')
		return -1;
	while (q < end && *q != '"') {
		if (*q == '\n')
			return -1;
		if (*q == '\\') {
			q++;
			if (q >= end || (*q != '\\' && *q != '"' && *q != 'n'))
				return -1;
		}
		q++;
	}
	if (q >= end)
		return -1;
	*p = q + 1;
	return 0;
}

static int sample(const char *p, const char *end)
{
	const char *n = p;
	while (p < end && (*p == '_' || (*p >= 'a' && *p <= 'z')))
		p++;
	if (p == n)
		return -1;
	if (p < end && *p == '{') {
		do {
			p++;
			while (p < end && *p >= 'a' && *p <= 'z')
				p++;
			if (p >= end || *p++ != '=' || quoted(&p, end) < 0)
				return -1;
		} while (p < end && *p == ',');
		if (p >= end || *p++ != '}')
			return -1;
	}
	if (p >= end || *p++ != ' ' || end - p > 40 || p == end)
		return -1;
	char v[48];
	memcpy(v, p, (size_t)(end - p));
	v[end - p] = 0;
	char *e;
	double d = strtod(v, &e);
	return *e || !isfinite(d) ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctfstats *f = ctfstats_new();
	const char *why = NULL;
	if (ctfstats_parse(f, (const char *)data, size, &why) == 0) {
		if (ctfstats_count(f) > CTFSTATS_MAX_LOGS)
			abort();
		struct ctbuf b = CTBUF_INIT;
		ctfstats_prom(f, &b);
		if (b.len && b.p[b.len - 1] != '\n')
			abort();
		for (size_t i = 0; i < b.len;) {
			const char *l = b.p + i;
			const char *e = memchr(l, '\n', b.len - i);
			if (*l != '#' && sample(l, e) < 0)
				abort();
			i = (size_t)(e - b.p) + 1;
		}
		ctbuf_free(&b);
	} else if (!why || ctfstats_count(f)) {
		abort();
	}
	ctfstats_free(f);
	return 0;
}
