/* url: stream URLs (see url.h). */
#include "url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum cturl_scheme scheme;
	unsigned port; /* 0: none, a port must be given */
	int tls;
} schemes[] = {
	{ "ws", CTURL_WS, 80, 0 },      { "wss", CTURL_WSS, 443, 1 },
	{ "http", CTURL_HTTP, 80, 0 },  { "https", CTURL_HTTPS, 443, 1 },
	{ "tcp", CTURL_TCP, 0, 0 },
};

static int host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static int ipv6_char(char c)
{
	return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f') ||
	       c == ':' || c == '.';
}

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -1;
}

/* host[:port] in s[0..n) */
static int authority(const char *s, size_t n, struct cturl *u, unsigned def,
		     char *err, size_t errlen)
{
	size_t i = 0, hs, he;
	if (n && s[0] == '[') {
		hs = i = 1;
		while (i < n && ipv6_char(s[i]))
			i++;
		if (i == n || s[i] != ']' || i == hs)
			return fail(err, errlen, "bad IPv6 address");
		he = i++;
		u->ipv6 = 1;
	} else {
		hs = 0;
		while (i < n && host_char(s[i]))
			i++;
		he = i;
		if (he == hs)
			return fail(err, errlen, "no host");
	}
	if (he - hs > CTURL_HOST_MAX)
		return fail(err, errlen, "host name too long");
	memcpy(u->host, s + hs, he - hs);
	u->host[he - hs] = '\0';
	u->port = def;
	u->default_port = 1;
	if (i == n) {
		if (!def)
			return fail(err, errlen, "tcp:// needs a port");
		return 0;
	}
	if (s[i] != ':')
		return fail(err, errlen, s[i] == '@' ? "user information is "
							"not supported"
						      : "bad character in host");
	unsigned long p = 0;
	size_t d = ++i;
	for (; i < n && s[i] >= '0' && s[i] <= '9' && i - d < 6; i++)
		p = p * 10 + (unsigned long)(s[i] - '0');
	if (i != n || i == d || p == 0 || p > 65535)
		return fail(err, errlen, "bad port");
	u->port = (unsigned)p;
	u->default_port = p == def;
	return 0;
}

int cturl_parse(const char *s, struct cturl *u, char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	const char *sep = strstr(s, "://");
	if (!sep)
		return fail(err, errlen, "not a URL (ws://, wss://, http://, "
					 "https:// or tcp://)");
	size_t sl = (size_t)(sep - s), k;
	for (k = 0; k < sizeof schemes / sizeof schemes[0]; k++)
		if (strlen(schemes[k].name) == sl &&
		    !strncasecmp(s, schemes[k].name, sl))
			break;
	if (k == sizeof schemes / sizeof schemes[0])
		return fail(err, errlen, "unknown scheme (ws, wss, http, https "
					 "or tcp)");
	u->scheme = schemes[k].scheme;
	u->tls = schemes[k].tls;
	const char *a = sep + 3;
	size_t an = strcspn(a, "/?#");
	if (authority(a, an, u, schemes[k].port, err, errlen) < 0)
		return -1;
	const char *t = a + an;
	size_t tn = strcspn(t, "#");
	for (size_t i = 0; i < tn; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
			return fail(err, errlen, "a space or control character "
						 "in the path (percent-encode it)");
	if (tn + 1 > CTURL_TARGET_MAX)
		return fail(err, errlen, "path too long");
	size_t o = 0;
	if (!tn || t[0] != '/')
		u->target[o++] = '/'; /* "" and "?q" are "/" and "/?q" */
	memcpy(u->target + o, t, tn);
	u->target[o + tn] = '\0';
	u->has_path = strcspn(u->target, "?") > 1;
	return 0;
}

void cturl_hostport(const struct cturl *u, char *out, size_t outlen)
{
	const char *l = u->ipv6 ? "[" : "", *r = u->ipv6 ? "]" : "";
	if (u->default_port)
		snprintf(out, outlen, "%s%s%s", l, u->host, r);
	else
		snprintf(out, outlen, "%s%s%s:%u", l, u->host, r, u->port);
}
