/* diag: the one shape of every message a command prints,
 * "prog: where: what", in the style of err(3). Only commands call these;
 * lib/ code returns errors instead of printing them. */
#ifndef CT_DIAG_H
#define CT_DIAG_H

#include <stdarg.h>

/* Exit codes shared by every command (see ct-tools(7)). */
enum ct_exit {
	CT_EXIT_OK = 0,      /* everything done */
	CT_EXIT_RUNTIME = 1, /* runtime error, including skipped records */
	CT_EXIT_USAGE = 2    /* bad command line */
};

/* Set the program name used as the prefix of every message. */
void ct_setprog(const char *name);
const char *ct_prog(void);

/* "prog: msg: strerror(errno)" on stderr. */
void ct_warn(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* "prog: msg" on stderr. */
void ct_warnx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* As ct_warn/ct_warnx, then exit(code). */
_Noreturn void ct_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void ct_diex(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Usage error: "prog: msg" then "prog: try 'prog --help'", exit 2. */
_Noreturn void ct_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Report a lib/filter problem (CTFILTER_OPEN, _READ, _LONG) in the
 * usual one-line form. */
void ct_warn_filter(int what, const char *file, unsigned long lineno);

#endif
