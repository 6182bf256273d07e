/* Unit tests of lib/io: the line reader over pipes with odd chunking,
 * overlong lines, a last line without newline; ctout errors. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>

#include "io.h"

static struct ctlines *from_string(const char *s, size_t n, size_t max,
				   int *fdout)
{
	char path[] = "/tmp/ct-test-io.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || ct_allwrite(fd, s, n) < 0)
		abort();
	unlink(path);
	lseek(fd, 0, SEEK_SET);
	*fdout = fd;
	return ctlines_new(fd, max, NULL);
}

int main(void)
{
	int fd;
	const char *line;
	size_t len;
	struct ctlines *l = from_string("a\n\nbcd\nlast", 11, 0, &fd);
	ok(ctlines_next(l, &line, &len) == 1 && len == 1 && line[0] == 'a',
	   "first line");
	ok(ctlines_next(l, &line, &len) == 1 && len == 0, "empty line");
	ok(ctlines_next(l, &line, &len) == 1 && len == 3, "third line");
	ok(ctlines_next(l, &line, &len) == 1 && len == 4 &&
		   !memcmp(line, "last", 4),
	   "last line without newline");
	ok(ctlines_next(l, &line, &len) == 0, "EOF");
	ok(ctlines_lineno(l) == 4, "line numbers");
	ctlines_free(l);
	close(fd);

	/* A big input crossing buffer boundaries, with one overlong line. */
	size_t big = 1 << 20;
	char *s = malloc(big);
	size_t o = 0;
	int lines = 0;
	while (o + 1000 < big) {
		size_t n = 1 + (size_t)(lines * 7919 % 997);
		memset(s + o, 'x', n);
		o += n;
		s[o++] = '\n';
		lines++;
	}
	memset(s + o, 'y', big - o - 1);
	s[big - 1] = '\n';
	char *huge = malloc(600000 + 20);
	memset(huge, 'z', 600000);
	memcpy(huge + 600000, "\nafter\n", 7);
	l = from_string(s, big, 512 * 1024, &fd);
	int got = 0, good = 1, r;
	for (;;) {
		r = ctlines_next(l, &line, &len);
		if (r != 1)
			break;
		if (got < lines && len != 1 + (size_t)(got * 7919 % 997))
			good = 0;
		got++;
	}
	ok(r == 0 && got == lines + 1 && good, "%d lines of varied length",
	   got);
	ctlines_free(l);
	close(fd);
	l = from_string(huge, 600007, 512 * 1024, &fd);
	ok(ctlines_next(l, &line, &len) == -2 && len == 600000,
	   "overlong line reported and skipped");
	ok(ctlines_next(l, &line, &len) == 1 && len == 5 &&
		   !memcmp(line, "after", 5),
	   "reading goes on after it");
	ctlines_free(l);
	close(fd);
	free(s);
	free(huge);

	struct ctout out;
	int full = open("/dev/full", O_WRONLY);
	ctout_init(&out, full);
	CTBUF_LIT(&out.buf, "data\n");
	ok(ctout_flush(&out) == -1 && out.err == ENOSPC,
	   "write to /dev/full fails with ENOSPC");
	ok(ctout_record_end(&out) == -1, "and stays failed");
	ctout_free(&out);
	close(full);
	return tap_done();
}
