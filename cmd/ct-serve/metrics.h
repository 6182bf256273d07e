/* metrics: ct-serve's counters and gauges in the Prometheus text format
 * (version 0.0.4), for /metrics. Reads the server; changes nothing. */
#ifndef CTSERVE_METRICS_H
#define CTSERVE_METRICS_H

#include "buf.h"
#include "server.h"

/* Append every metric to b. */
void metrics_text(const struct server *s, struct ctbuf *b);

#endif
