/* cli: one option table per command drives getopt_long, --help and the
 * man page check; --help and --version are added to every table. The
 * table is indexed by an enum of option ids, and holds each option's
 * default: the one place defaults are set (through the same callback as
 * the command line) and printed from. */
#ifndef CT_CLI_H
#define CT_CLI_H

#include <stddef.h>

#define CT_VERSION "0.1.0"

struct ct_opt {
	const char *name; /* long name without "--" */
	int letter;       /* short option letter, or 0 for none */
	const char *arg;  /* argument name, NULL when it takes none */
	const char *help; /* one line */
	const char *def;  /* default value, as on the command line, or NULL */
};

struct ct_cli {
	const char *synopsis;    /* "[options] [file ...]" */
	const char *description; /* one paragraph, printed under the usage */
	const struct ct_opt *opts;
	size_t nopts;
};

/* Parse argv. First cb(ctx, index into opts, def) is called for every
 * option with a default, in table order; then for every option found,
 * cb(ctx, index into opts, optarg); cb returns 0, or -1 after reporting
 * a bad value (then the program exits 2). --help and --version print to stdout and exit 0
 * (2 if stdout cannot be written); an unknown option exits 2. Returns the
 * index of the first operand. Sets the program name for messages. */
int ct_cli_parse(const struct ct_cli *c, int argc, char **argv,
		 int (*cb)(void *ctx, int idx, const char *arg), void *ctx);

/* Helpers for option values: parse or exit 2 with a clear message. */
unsigned long long ct_cli_u64(const char *opt, const char *arg,
			      unsigned long long min, unsigned long long max);
/* A duration: plain seconds, or with a suffix ms, s, m, h, d; returns
 * milliseconds. */
unsigned long long ct_cli_duration_ms(const char *opt, const char *arg);

/* The same without exiting, for values read at run time (config files):
 * 0 and *out set, or -1 with a message (without the option name) in err. */
int ct_parse_u64(const char *arg, unsigned long long min,
		 unsigned long long max, unsigned long long *out, char *err,
		 size_t errlen);
int ct_parse_duration_ms(const char *arg, unsigned long long *out, char *err,
			 size_t errlen);

/* Make sure fds 0, 1 and 2 are open (to /dev/null if not). */
void ct_cli_checkfds(void);

/* Finish stdout of a stdio-based command: fflush, ferror, fclose;
 * on failure print "write error" and return 1, else 0. */
int ct_cli_close_stdout(void);

#endif
