/* report: how the logs are doing, for people and programs: the --stats
 * file (JSON, one object per log), one line per log on SIGUSR1, and the
 * progress line of a backfill on a terminal. */
#ifndef CT_FETCH_REPORT_H
#define CT_FETCH_REPORT_H

#include "fetch.h"

/* Update each log's entries and bytes per second (call about once a
 * second). */
void report_rates(struct log *logs, size_t n, int64_t now);
/* Write the --stats file (atomically); a failure is said, not fatal. */
void report_stats(const struct opts *o, const struct log *logs, size_t n,
		  int64_t now);
/* One line per log on standard error. */
void report_lines(const struct opts *o, const struct log *logs, size_t n,
		  int64_t now);
/* The progress line (redrawn; final ends it). */
void report_progress(const struct log *logs, size_t n, int64_t t0,
		     int64_t now, int final);

#endif
