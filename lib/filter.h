/* filter: the loop every line filter runs: the lines of the named files
 * (or standard input), a poll between lines for signals, and problems
 * handed to a callback (lib/ never prints). */
#ifndef CT_FILTER_H
#define CT_FILTER_H

#include <stddef.h>

#include "io.h"

enum { CTFILTER_OPEN = 1, CTFILTER_READ, CTFILTER_LONG };

struct ctfilter {
	size_t max;	   /* longest line; longer ones are skipped */
	struct ctout *out; /* flushed before each blocking read */
	void *ctx;
	void (*line)(void *ctx, const char *p, size_t n);
	/* Between lines (and after a signal): nonzero stops the run. */
	int (*poll)(void *ctx);
	/* CTFILTER_OPEN or CTFILTER_READ (errno set), or CTFILTER_LONG. */
	void (*problem)(void *ctx, int what, const char *file,
			unsigned long lineno);
};

/* Run the lines of files[0..n) ("-" is standard input; n == 0 means
 * standard input alone). Returns 0, or -1 if any problem was reported. */
int ctfilter_run(const struct ctfilter *f, char *const *files, int n);

#endif
