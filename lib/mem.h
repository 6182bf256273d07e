/* mem: allocation that cannot fail (out of memory is fatal, exit 1) and a
 * per-record arena whose memory is reused for every record, so a
 * program's memory stays flat over millions of records. */
#ifndef CT_MEM_H
#define CT_MEM_H

#include <stddef.h>

void *ct_xmalloc(size_t n);
void *ct_xcalloc(size_t nmemb, size_t size);
/* Returns the new pointer; the old one is no longer valid. */
void *ct_xrealloc(void *p, size_t n);
char *ct_xstrdup(const char *s);
char *ct_xstrndup(const char *s, size_t n);
/* A copy of s without the characters c at its end (a URL's trailing
 * slashes). */
char *ct_xstrdup_rtrim(const char *s, char c);

/* An arena: ctarena_alloc hands out 16-byte aligned blocks that live until
 * the next ctarena_reset or ctarena_free. The caller owns the arena. */
struct ctarena;
struct ctarena *ctarena_new(size_t chunk);
void ctarena_free(struct ctarena *a); /* accepts NULL */
void *ctarena_alloc(struct ctarena *a, size_t n);
/* Forget every block; keeps the first chunk, frees the others. */
void ctarena_reset(struct ctarena *a);

#endif
