/* lib/conf: key = value lines (comments, blanks, repeats, errors with
 * line numbers) and the run-time number and duration parsers of lib/cli. */
#include "../../lib/cli.h"
#include "../../lib/conf.h"
#include "tap.h"

struct got {
	char text[1024];
	size_t len;
};

static int collect(void *ctx, const char *key, const char *val, unsigned line,
		   char *err, size_t n)
{
	struct got *g = ctx;
	if (!strcmp(key, "refuse")) {
		snprintf(err, n, "refused '%s'", val);
		return -1;
	}
	g->len += (size_t)snprintf(g->text + g->len, sizeof g->text - g->len,
				   "%u:%s=%s|", line, key, val);
	return 0;
}

static const char *parse(const char *text, size_t len, char *err, size_t n)
{
	static struct got g;
	memset(&g, 0, sizeof g);
	err[0] = '\0';
	if (ct_conf_parse(text, len, collect, &g, err, n) < 0)
		return NULL;
	return g.text;
}

int main(void)
{
	char err[256];
	const char *t = "# comment\n\n  key = value  \n\tk2=v=2 # kept\r\nk2 =\nlast=x";
	const char *r = parse(t, strlen(t), err, sizeof err);
	ok(r && !strcmp(r, "3:key=value|4:k2=v=2 # kept|5:k2=|6:last=x|"),
	   "settings, blanks, comments, CRLF, empty value, no final newline: %s",
	   r ? r : err);
	r = parse("a = 1\nno equals here\n", 21, err, sizeof err);
	ok(!r && strstr(err, "line 2:") && strstr(err, "no equals here"),
	   "a line without = is refused with its number: %s", err);
	r = parse("a = 1\nrefuse = this\n", 20, err, sizeof err);
	ok(!r && !strcmp(err, "line 2: refuse: refused 'this'"),
	   "the callback's reason, with line and key: %s", err);
	r = parse("= v\n", 4, err, sizeof err);
	ok(!r && strstr(err, "line 1"), "an empty key is refused: %s", err);
	r = parse("a b = v\n", 8, err, sizeof err);
	ok(!r, "a key with a blank is refused: %s", err);
	r = parse("a = v\0\n", 7, err, sizeof err);
	ok(!r && strstr(err, "NUL"), "a NUL byte is refused: %s", err);
	static char big[5000];
	memset(big, 'x', sizeof big);
	memcpy(big, "a = ", 4);
	r = parse(big, sizeof big, err, sizeof err);
	ok(!r && strstr(err, "longer"), "an overlong line is refused: %s", err);
	r = parse("", 0, err, sizeof err);
	ok(r && !*r, "an empty file is no settings");

	unsigned long long v = 0;
	ok(!ct_parse_u64("42", 0, 100, &v, err, sizeof err) && v == 42, "42");
	ok(ct_parse_u64("101", 0, 100, &v, err, sizeof err) < 0 &&
	   strstr(err, "out of range"), "101 > 100: %s", err);
	ok(ct_parse_u64("-1", 0, 100, &v, err, sizeof err) < 0, "-1 refused");
	ok(ct_parse_u64(" 1", 0, 100, &v, err, sizeof err) < 0, "' 1' refused");
	ok(ct_parse_u64("1x", 0, 100, &v, err, sizeof err) < 0, "1x refused");
	ok(ct_parse_u64("", 0, 100, &v, err, sizeof err) < 0, "'' refused");
	ok(!ct_parse_duration_ms("1.5s", &v, err, sizeof err) && v == 1500, "1.5s");
	ok(!ct_parse_duration_ms("250ms", &v, err, sizeof err) && v == 250, "250ms");
	ok(!ct_parse_duration_ms("2", &v, err, sizeof err) && v == 2000, "2 is seconds");
	ok(!ct_parse_duration_ms("1d", &v, err, sizeof err) && v == 86400000, "1d");
	ok(ct_parse_duration_ms("5x", &v, err, sizeof err) < 0, "5x refused");
	ok(ct_parse_duration_ms("inf", &v, err, sizeof err) < 0, "inf refused");
	ok(ct_parse_duration_ms("nan", &v, err, sizeof err) < 0, "nan refused");
	ok(ct_parse_duration_ms("1e30s", &v, err, sizeof err) < 0, "1e30s refused");
	return tap_done();
}
