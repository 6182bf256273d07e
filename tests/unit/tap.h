/* tap.h: a tiny TAP producer for the C unit tests, and guard-page
 * buffers: ct_guard_copy places bytes flush against an unreadable page so
 * any read past the end crashes (picohttpparser's trick). */
#ifndef CT_TAP_H
#define CT_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5))) static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("# failed at %s:%d\n", file, line);
	}
	return pass;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Guard-page copy: returns a pointer to n bytes (a copy of src, or zero
 * if src is NULL) that end exactly at an unreadable page. Free with
 * ct_guard_free(p, n). */
static inline void *ct_guard_copy(const void *src, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (n + pg - 1) / pg * pg + pg;
	unsigned char *m = mmap(NULL, span, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		abort();
	mprotect(m + span - pg, pg, PROT_NONE);
	unsigned char *p = m + span - pg - n;
	if (n && src)
		memcpy(p, src, n);
	return p;
}

/* n writable bytes, zeroed, that end exactly at an unreadable page: an
 * output buffer a write past the end of crashes. Free with
 * ct_guard_free(p, n). */
static inline void *ct_guard_alloc(size_t n)
{
	return ct_guard_copy(NULL, n);
}

static inline void ct_guard_free(void *p, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (n + pg - 1) / pg * pg + pg;
	unsigned char *end = (unsigned char *)p + n + pg;
	munmap(end - span, span);
}

#endif
