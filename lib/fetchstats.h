/* fetchstats: ct-fetch's --stats file (a JSON array, one object per log)
 * read back, and its per-log figures as Prometheus metric families
 * ctfetch_log_*, labelled by log name and URL.
 *
 * The file is outside input: at most CTFSTATS_MAX_LOGS logs are kept
 * (the rest are counted as omitted), names and URLs of at most
 * CTFSTATS_MAX_LABEL bytes; a log without both, or with the same name
 * and URL as one before, is counted as invalid and left out; a figure
 * that is absent, not a number or not finite is left out of that log's
 * metrics. The caller owns the struct and frees it with ctfstats_free. */
#ifndef CT_FETCHSTATS_H
#define CT_FETCHSTATS_H

#include <stddef.h>

#include "buf.h"

#define CTFSTATS_MAX_LOGS  1000
#define CTFSTATS_MAX_LABEL 1024

struct ctfstats;

struct ctfstats *ctfstats_new(void);
void ctfstats_free(struct ctfstats *f); /* accepts NULL */

/* Replace f's logs with those of the file text s[0..n). Returns 0, or
 * -1 with a reason if s is not a JSON array (f then holds no log). */
int ctfstats_parse(struct ctfstats *f, const char *s, size_t n,
		   const char **why);

/* Logs kept; logs past the limit; logs left out as invalid, with the
 * reason of the first (NULL when none). */
size_t ctfstats_count(const struct ctfstats *f);
size_t ctfstats_omitted(const struct ctfstats *f);
size_t ctfstats_invalid(const struct ctfstats *f, const char **why);

/* Append the ctfetch_log_* families of the logs kept (nothing when
 * there are none). */
void ctfstats_prom(const struct ctfstats *f, struct ctbuf *b);

#endif
