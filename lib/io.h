/* io: raw descriptor I/O for filters. ctout is a fully buffered writer
 * for stdout that reports failure instead of losing data; ctlines reads
 * NDJSON lines of any length up to a cap, and flushes the writer before
 * every blocking read so an idle pipeline still delivers each record. */
#ifndef CT_IO_H
#define CT_IO_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* Write all n bytes to a blocking fd, retrying EINTR and short writes.
 * Returns 0, or -1 with errno set (a write of 0 bytes sets EIO). */
int ct_allwrite(int fd, const void *p, size_t n);

/* Buffered writer over a blocking fd. */
struct ctout {
	int fd;
	int err;        /* errno of the first failed write, sticky */
	int unbuffered; /* flush after every record */
	size_t limit;   /* flush when the buffer holds this much */
	struct ctbuf buf;
};
void ctout_init(struct ctout *o, int fd);
/* Flush what is buffered; 0 or -1 (o->err set). After a failure every
 * further write fails too. */
int ctout_flush(struct ctout *o);
/* Mark the end of one record: flush if over the limit or unbuffered. */
int ctout_record_end(struct ctout *o);
void ctout_free(struct ctout *o);

/* Line reader. A line longer than max is reported as too long and
 * skipped through its newline, so memory stays bounded. */
struct ctlines;
/* fd to read; flush (may be NULL) is flushed before each blocking read. */
struct ctlines *ctlines_new(int fd, size_t max, struct ctout *flush);
void ctlines_free(struct ctlines *l);
/* Next line without its newline (a final line without one counts).
 * Returns 1 with *line and *len set (valid until the next call), 0 at EOF,
 * -1 on a read error (errno set), -2 for a line longer than max (skipped;
 * *len holds how much of it was seen), -3 when a signal interrupted a
 * blocking read (nothing is lost: look at the signal flags, call again). */
int ctlines_next(struct ctlines *l, const char **line, size_t *len);
/* 1-based number of the line last returned. */
unsigned long ctlines_lineno(const struct ctlines *l);

#endif
