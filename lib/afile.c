/* afile: capped reads and atomic writes of small state files. */
#include "afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "mem.h"

static int fsync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? ct_xstrndup(path, (size_t)(slash - path + 1))
			  : ct_xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

int ctafile_write(const char *path, const void *p, size_t n)
{
	size_t len = strlen(path) + 16;
	char *tmp = ct_xmalloc(len);
	snprintf(tmp, len, "%s.tmpXXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	int e = 0;
	if (ct_allwrite(fd, p, n) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		free(tmp);
		errno = e;
		return -1;
	}
	free(tmp);
	fsync_dir(path); /* best effort: the rename itself is done */
	return 0;
}

int ctafile_read(const char *path, size_t max, struct ctbuf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t total = 0;
	for (;;) {
		char *dst = ctbuf_room(b, 65536);
		ssize_t r = read(fd, dst, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		total += (size_t)r;
		if (total > max) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		ctbuf_commit(b, (size_t)r);
	}
	close(fd);
	return 0;
}
