/* metrics: ct-serve's counters and gauges in the Prometheus text format
 * (version 0.0.4), for /metrics: the server's own, ct-fetch's per-log
 * figures from the --fetch-stats file (read afresh at each scrape), and
 * the process's. Reads the server; changes only what it keeps of the
 * stats file's errors. */
#ifndef CTSERVE_METRICS_H
#define CTSERVE_METRICS_H

#include "buf.h"
#include "server.h"

/* Append every metric to b. */
void metrics_text(struct server *s, struct ctbuf *b);

#endif
