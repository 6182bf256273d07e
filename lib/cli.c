/* cli: table-driven getopt_long, help and version. */
#include "cli.h"

#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "diag.h"
#include "mem.h"

#define OPT_HELP 1000
#define OPT_VERSION 1001

static void finish_info(void)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0)
		exit(CT_EXIT_USAGE);
	exit(CT_EXIT_OK);
}

static void print_help(const struct ct_cli *c)
{
	printf("usage: %s %s\n\n%s\n\noptions:\n", ct_prog(), c->synopsis,
	       c->description);
	for (size_t i = 0; i < c->nopts; i++) {
		const struct ct_opt *o = &c->opts[i];
		char left[64];
		snprintf(left, sizeof left, "%s%c%s--%s%s%s",
			 o->letter ? "-" : "", o->letter ? o->letter : ' ',
			 o->letter ? ", " : "  ", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		printf("  %-28s %s", o->letter ? left : left + 1, o->help);
		if (o->def)
			printf(" (default %s)", *o->def ? o->def : "none");
		printf("\n");
	}
	printf("  %-28s %s\n", "-h, --help", "show this help and exit");
	printf("  %-28s %s\n", "-V, --version",
	       "show the version and library versions and exit");
	finish_info();
}

static void print_version(void)
{
	curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	printf("%s %s\n", ct_prog(), CT_VERSION);
	printf("libcurl %s, %s, zlib %s, cJSON %s\n", cv->version,
	       OpenSSL_version(OPENSSL_VERSION), zlibVersion(),
	       cJSON_Version());
	finish_info();
}

int ct_cli_parse(const struct ct_cli *c, int argc, char **argv,
		 int (*cb)(void *ctx, int idx, const char *arg), void *ctx)
{
	ct_setprog(argv[0]);
	struct option *lo = ct_xcalloc(c->nopts + 3, sizeof *lo);
	char *so = ct_xmalloc(c->nopts * 3 + 8);
	size_t sn = 0;
	so[sn++] = ':'; /* report missing arguments distinctly */
	for (size_t i = 0; i < c->nopts; i++) {
		const struct ct_opt *o = &c->opts[i];
		lo[i].name = o->name;
		lo[i].has_arg = o->arg ? required_argument : no_argument;
		lo[i].val = o->letter ? o->letter : (int)(2000 + i);
		if (o->letter) {
			so[sn++] = (char)o->letter;
			if (o->arg)
				so[sn++] = ':';
		}
	}
	lo[c->nopts] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[c->nopts + 1] =
		(struct option){ "version", no_argument, NULL, 'V' };
	memcpy(so + sn, "hV", 3);

	int ch, bad = 0;
	for (size_t i = 0; i < c->nopts; i++)
		if (c->opts[i].def && cb(ctx, (int)i, c->opts[i].def) < 0)
			bad = 1;
	opterr = 0;
	for (;;) {
		ch = getopt_long(argc, argv, so, lo, NULL);
		if (ch == -1)
			break;
		if (ch == 'h' || ch == 'V' || ch == '?' || ch == ':') {
			free(lo); /* these paths exit: leave no leak behind */
			free(so);
		}
		if (ch == 'h')
			print_help(c);
		if (ch == 'V')
			print_version();
		if (ch == '?' || ch == ':') {
			const char *what = ch == '?' ? "unknown option"
						     : "option needs a value";
			if (optopt && optopt < 256)
				ct_usage_error("%s: -%c", what, optopt);
			ct_usage_error("%s: %s", what, argv[optind - 1]);
		}
		for (size_t i = 0; i < c->nopts; i++) {
			if (lo[i].val != ch)
				continue;
			if (cb(ctx, (int)i, optarg) < 0)
				bad = 1;
			break;
		}
		if (bad)
			break;
	}
	free(lo);
	free(so);
	if (bad)
		ct_usage_error("invalid command line");
	return optind;
}

int ct_parse_u64(const char *arg, unsigned long long min,
		 unsigned long long max, unsigned long long *out, char *err,
		 size_t errlen)
{
	char *end;
	errno = 0;
	if (!arg || !*arg || *arg == '-' || *arg == '+' || *arg == ' ') {
		snprintf(err, errlen, "'%s' is not a number", arg ? arg : "");
		return -1;
	}
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || *end) {
		snprintf(err, errlen, "'%s' is not a number", arg);
		return -1;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "%s is out of range (%llu to %llu)", arg,
			 min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int ct_parse_duration_ms(const char *arg, unsigned long long *out, char *err,
			 size_t errlen)
{
	char *end;
	errno = 0;
	if (!arg || !*arg || *arg == '-' || *arg == '+' || *arg == ' ' ||
	    !strchr("0123456789.", *arg)) {
		snprintf(err, errlen, "'%s' is not a duration", arg ? arg : "");
		return -1;
	}
	double v = strtod(arg, &end);
	double mult;
	if (!strcmp(end, "ms"))
		mult = 1;
	else if (!strcmp(end, "s") || !*end)
		mult = 1000;
	else if (!strcmp(end, "m"))
		mult = 60000;
	else if (!strcmp(end, "h"))
		mult = 3600000;
	else if (!strcmp(end, "d"))
		mult = 86400000;
	else {
		snprintf(err, errlen, "'%s' is not a duration (e.g. 30s, 5m)",
			 arg);
		return -1;
	}
	if (errno || !(v >= 0) || v * mult > 1e15) {
		snprintf(err, errlen, "'%s' is out of range", arg);
		return -1;
	}
	*out = (unsigned long long)(v * mult);
	return 0;
}

unsigned long long ct_cli_u64(const char *opt, const char *arg,
			      unsigned long long min, unsigned long long max)
{
	char err[160];
	unsigned long long v;
	if (ct_parse_u64(arg, min, max, &v, err, sizeof err) < 0)
		ct_usage_error("--%s: %s", opt, err);
	return v;
}

unsigned long long ct_cli_duration_ms(const char *opt, const char *arg)
{
	char err[160];
	unsigned long long v;
	if (ct_parse_duration_ms(arg, &v, err, sizeof err) < 0)
		ct_usage_error("--%s: %s", opt, err);
	return v;
}

void ct_cli_checkfds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n < 0)
			abort();
		if (n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

int ct_cli_close_stdout(void)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	if (fclose(stdout) != 0)
		bad = 1;
	if (bad) {
		ct_warn("write error");
		return 1;
	}
	return 0;
}
