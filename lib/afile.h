/* afile: whole-file reads with a size cap, and atomic replacement
 * (temp file in the same directory, fsync, rename, fsync of the
 * directory) so a reader sees the old file or the new one, never half. */
#ifndef CT_AFILE_H
#define CT_AFILE_H

#include <stddef.h>

#include "buf.h"

/* Replace path with p[0..n). Returns 0, or -1 with errno set (the old
 * file is then untouched and no temp file is left behind). */
int ctafile_write(const char *path, const void *p, size_t n);

/* Append the contents of path to b, refusing files larger than max
 * bytes (errno EFBIG). Returns 0, or -1 with errno set (ENOENT when the
 * file does not exist). */
int ctafile_read(const char *path, size_t max, struct ctbuf *b);

#endif
