/* tile: static-ct-api tile paths, "tile/<L>/<N>[.p/<W>]" and
 * "tile/data/<N>[.p/<W>]", with N in 3-digit groups, all but the last
 * prefixed with "x" (1234067 -> x001/x234/067). */
#ifndef CT_TILE_H
#define CT_TILE_H

#include <stdint.h>

#include "buf.h"

#define CTTILE_WIDTH 256
#define CTTILE_DATA (-1)

/* Append the path of tile n at level (CTTILE_DATA for data tiles);
 * width 0 or 256 is the full tile, 1..255 a partial one. */
void cttile_path(struct ctbuf *b, int level, uint64_t n, unsigned width);

/* Parse such a path (without a leading slash): 0, or -1 if it is not
 * one (leading zeros, a level over 63, a width of 0 or over 255). */
int cttile_parse_path(const char *s, size_t len, int *level, uint64_t *n,
		      unsigned *width);

#endif
