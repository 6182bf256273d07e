/* logrec: fields of a log record (ct-formats(5)) that ct-loglist and
 * ct-fetch both read. */
#ifndef CT_LOGREC_H
#define CT_LOGREC_H

#include <cjson/cJSON.h>

/* The most requests in flight per log, for --window and a record's
 * "window". */
#define CTLOG_WINDOW_MAX 256

/* A record's "window" (v, or NULL when the record has none) into *out:
 * 0 when absent, else a whole number from 1 to CTLOG_WINDOW_MAX.
 * 0, or -1 when v is anything else. */
int ctlog_window(const cJSON *v, unsigned *out);

#endif
