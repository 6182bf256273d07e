/* positions: the highest index seen per log, keyed by a string (a log's
 * URL), and its file form {"positions":{"<key>":<index>,...}}.
 *
 * Entries stay in the order their keys first came; a table holds at most
 * the number of keys it was made for, and keys of at most
 * CTPOS_MAXKEY bytes. The table owns copies of its keys; the caller owns
 * the table and frees it with ctpos_free. */
#ifndef CT_POSITIONS_H
#define CT_POSITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CTPOS_MAXKEY 2048
/* The logs a positions file holds at most (its writer's table size). */
#define CTPOS_FILE_MAX 100000

struct ctpos;

/* A table for at most max (>= 1) keys. */
struct ctpos *ctpos_new(size_t max);
void ctpos_free(struct ctpos *p); /* accepts NULL */

/* Record index for key[0..klen): 1 if that raised the key's position
 * (or added the key), 0 if it was not higher, -1 if the key is new and
 * the table is full or the key too long (nothing recorded). */
int ctpos_note(struct ctpos *p, const char *key, size_t klen,
	       uint64_t index);

/* The position of key, 0 if found, -1 if not. */
int ctpos_get(const struct ctpos *p, const char *key, size_t klen,
	      uint64_t *out);

size_t ctpos_count(const struct ctpos *p);

/* Append the file form, one JSON object and a newline. */
void ctpos_save(const struct ctpos *p, struct ctbuf *out);

/* Merge a file's positions into p (the higher one wins; keys beyond the
 * table's room are left out). Returns 0, or -1 with a reason if text is
 * not the file form (p may then hold some of it). */
int ctpos_load(struct ctpos *p, const char *text, size_t n,
	       const char **why);

#endif
