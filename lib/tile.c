/* tile: static-ct-api tile paths. */
#include "tile.h"

#include <string.h>

void cttile_path(struct ctbuf *b, int level, uint64_t n, unsigned width)
{
	CTBUF_LIT(b, "tile/");
	if (level == CTTILE_DATA)
		CTBUF_LIT(b, "data");
	else
		ctbuf_addu64(b, (uint64_t)level);
	char g[8][4];
	int k = 0;
	do {
		uint64_t d = n % 1000;
		g[k][0] = (char)('0' + d / 100);
		g[k][1] = (char)('0' + d / 10 % 10);
		g[k][2] = (char)('0' + d % 10);
		g[k][3] = '\0';
		k++;
		n /= 1000;
	} while (n);
	while (k--) {
		ctbuf_addc(b, '/');
		if (k)
			ctbuf_addc(b, 'x');
		ctbuf_add(b, g[k], 3);
	}
	if (width && width < CTTILE_WIDTH) {
		CTBUF_LIT(b, ".p/");
		ctbuf_addu64(b, width);
	}
}

static int digits(const char *s, size_t n, uint64_t *v)
{
	if (!n || n > 20 || (s[0] == '0' && n > 1))
		return -1;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

int cttile_parse_path(const char *s, size_t len, int *level, uint64_t *n,
		      unsigned *width)
{
	const char *e = s + len, *p;
	if (len < 5 || memcmp(s, "tile/", 5))
		return -1;
	s += 5;
	p = memchr(s, '/', (size_t)(e - s));
	if (!p)
		return -1;
	uint64_t v;
	if ((size_t)(p - s) == 4 && !memcmp(s, "data", 4))
		*level = CTTILE_DATA;
	else if (digits(s, (size_t)(p - s), &v) == 0 && v < 64)
		*level = (int)v;
	else
		return -1;
	s = p + 1;
	*n = 0;
	*width = CTTILE_WIDTH;
	for (int groups = 0;; groups++) {
		if (groups == 7)
			return -1;
		int more = s < e && *s == 'x';
		s += more;
		if (e - s < 3)
			return -1;
		for (int i = 0; i < 3; i++)
			if (s[i] < '0' || s[i] > '9')
				return -1;
		unsigned g = (unsigned)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
		if (more && groups == 0 && g == 0)
			return -1; /* x000/...: a leading zero group */
		if (*n > (UINT64_MAX - g) / 1000)
			return -1;
		*n = *n * 1000 + g;
		s += 3;
		if (more) {
			if (s == e || *s != '/')
				return -1;
			s++;
			continue;
		}
		break;
	}
	if (s == e)
		return 0;
	if (e - s < 4 || memcmp(s, ".p/", 3) || digits(s + 3, (size_t)(e - s - 3), &v) < 0 ||
	    v == 0 || v >= CTTILE_WIDTH)
		return -1;
	*width = (unsigned)v;
	return 0;
}
