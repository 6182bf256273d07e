/* logs: the logs of a run: their records read from standard input or
 * --logs, each one's starting point (a state file, --start, the head),
 * its operator's rate bucket, and its state file written back. */
#ifndef CT_FETCH_LOGS_H
#define CT_FETCH_LOGS_H

#include "fetch.h"

struct logset {
	struct log *v;
	size_t n;
	struct ctbucket *ops;	/* one per operator (--operator-rate) */
	int bad;		/* some records were skipped */
};

/* Read the log records into s (a bad one: one line, skipped, s->bad).
 * Each log's position is set: from --start, its state file (--rewind,
 * --rewind-to), or the head when it has none. Free with logs_free. */
void logs_read(const struct opts *o, struct logset *s, int64_t now);
void logs_free(struct logset *s);

/* Write l's state file (when it is behind): 0, or -1 (reported). Call
 * only once the entries before l->next are written out. */
int logs_save(const struct opts *o, struct log *l, int64_t now);

#endif
