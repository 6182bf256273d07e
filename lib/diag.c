/* diag: formatted one-line messages on stderr. */
#include "diag.h"
#include "filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "ct";

void ct_setprog(const char *name)
{
	const char *slash = strrchr(name, '/');
	prog = slash ? slash + 1 : name;
}

const char *ct_prog(void)
{
	return prog;
}

/* Build the whole line first so concurrent writers never interleave
 * inside one message. */
static void vmsg(int errnum, const char *fmt, va_list ap)
{
	char line[2048];
	int n = snprintf(line, sizeof line, "%s: ", prog);
	if (n < 0)
		return;
	size_t used = (size_t)n;
	if (used < sizeof line) {
		n = vsnprintf(line + used, sizeof line - used, fmt, ap);
		if (n > 0)
			used += (size_t)n;
	}
	if (used >= sizeof line)
		used = sizeof line - 1;
	if (errnum && used < sizeof line) {
		n = snprintf(line + used, sizeof line - used, ": %s",
			     strerror(errnum));
		if (n > 0)
			used += (size_t)n;
		if (used >= sizeof line)
			used = sizeof line - 1;
	}
	fprintf(stderr, "%.*s\n", (int)used, line);
	fflush(stderr);
}

void ct_warn(const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	vmsg(e, fmt, ap);
	va_end(ap);
}

void ct_warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
}

void ct_die(int code, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	vmsg(e, fmt, ap);
	va_end(ap);
	exit(code);
}

void ct_diex(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
	exit(code);
}

void ct_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: try '%s --help'\n", prog, prog);
	exit(CT_EXIT_USAGE);
}

/* The one line a line filter prints for a ctfilter problem. */
void ct_warn_filter(int what, const char *file, unsigned long lineno)
{
	if (what == CTFILTER_LONG)
		ct_warnx("%s:%lu: line too long, skipped", file, lineno);
	else if (what == CTFILTER_READ)
		ct_warn("%s: read error", file);
	else
		ct_warn("%s", file);
}
