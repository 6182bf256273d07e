/* filter: the shared reading loop (see filter.h). */
#include "filter.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int one(const struct ctfilter *f, int fd, const char *name)
{
	struct ctlines *l = ctlines_new(fd, f->max, f->out);
	const char *line;
	size_t len;
	int bad = 0;
	while (!(f->poll && f->poll(f->ctx))) {
		int r = ctlines_next(l, &line, &len);
		if (r == 0)
			break;
		if (r == -3)
			continue; /* a signal: poll again */
		if (r == -1) {
			f->problem(f->ctx, CTFILTER_READ, name, ctlines_lineno(l));
			bad = 1;
			break;
		}
		if (r == -2) {
			f->problem(f->ctx, CTFILTER_LONG, name, ctlines_lineno(l));
			bad = 1;
			continue;
		}
		f->line(f->ctx, line, len);
	}
	ctlines_free(l);
	return bad;
}

int ctfilter_run(const struct ctfilter *f, char *const *files, int n)
{
	int bad = 0;
	if (n == 0)
		return one(f, 0, "stdin") ? -1 : 0;
	for (int i = 0; i < n && !(f->poll && f->poll(f->ctx)); i++) {
		if (!strcmp(files[i], "-")) {
			bad |= one(f, 0, "stdin");
			continue;
		}
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			f->problem(f->ctx, CTFILTER_OPEN, files[i], 0);
			bad = 1;
			continue;
		}
		bad |= one(f, fd, files[i]);
		close(fd);
	}
	return bad ? -1 : 0;
}
