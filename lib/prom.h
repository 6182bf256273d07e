/* prom: the Prometheus text exposition format (version 0.0.4): a metric
 * family's HELP and TYPE lines, label values escaped, and the standard
 * process_* metrics of the calling process, read from /proc/self.
 * Writes into a buffer; prints nothing. */
#ifndef CT_PROM_H
#define CT_PROM_H

#include <stddef.h>

#include "buf.h"

/* Append "# HELP name help" and "# TYPE name type" (type: "counter" or
 * "gauge"). help must not hold a newline or a backslash. */
void ctprom_family(struct ctbuf *b, const char *name, const char *type,
		   const char *help);

/* Append s[0..n) as a quoted label value: backslash, double quote and
 * newline escaped, other control characters and invalid UTF-8 replaced
 * by U+FFFD, so the value is always valid in the format. */
void ctprom_label(struct ctbuf *b, const char *s, size_t n);

/* Append a sample value: finite numbers with 15 significant digits
 * (integers below 10^15 exactly), NaN and infinities as Prometheus
 * spells them. */
void ctprom_value(struct ctbuf *b, double v);

/* Append a family of one sample without labels. */
void ctprom_metric(struct ctbuf *b, const char *name, const char *type,
		   const char *help, double v);

/* Append the process metrics of the calling process (resident and
 * virtual memory in bytes, CPU seconds, start time in Unix seconds, open
 * and most file descriptors). A figure that cannot be read is left out.
 * Linux only (/proc). */
void ctprom_process(struct ctbuf *b);

#endif
