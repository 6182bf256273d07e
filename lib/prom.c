/* prom: Prometheus text exposition helpers (see prom.h). */
#include "prom.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "utf8.h"

void ctprom_family(struct ctbuf *b, const char *name, const char *type,
		   const char *help)
{
	ctbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void ctprom_label(struct ctbuf *b, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	ctbuf_addc(b, '"');
	for (size_t i = 0; i < n;) {
		size_t k = ctutf8_len(p + i, n - i);
		if (p[i] == '\\' || p[i] == '"') {
			ctbuf_addc(b, '\\');
			ctbuf_addc(b, (char)p[i]);
		} else if (p[i] == '\n') {
			CTBUF_LIT(b, "\\n");
		} else if (!k || p[i] < 0x20 || p[i] == 0x7f) {
			CTBUF_LIT(b, "\xef\xbf\xbd");
			k = k ? k : 1;
		} else {
			ctbuf_add(b, p + i, k);
		}
		i += k ? k : 1;
	}
	ctbuf_addc(b, '"');
}

void ctprom_value(struct ctbuf *b, double v)
{
	if (isnan(v))
		CTBUF_LIT(b, "NaN");
	else if (isinf(v))
		ctbuf_printf(b, "%sInf", v < 0 ? "-" : "+");
	else
		ctbuf_printf(b, "%.15g", v);
}

void ctprom_metric(struct ctbuf *b, const char *name, const char *type,
		   const char *help, double v)
{
	ctprom_family(b, name, type, help);
	ctbuf_printf(b, "%s ", name);
	ctprom_value(b, v);
	ctbuf_addc(b, '\n');
}

/* Read a small /proc file into buf (NUL-terminated); its length or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (n < cap - 1) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	return (ssize_t)n;
}

/* The system's boot time in Unix seconds ("btime" in /proc/stat, after
 * the per-CPU and interrupt lines, which can be long), or -1. */
static double boot_time(void)
{
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return -1;
	char line[256];
	double bt = -1;
	int at_start = 1;
	while (fgets(line, sizeof line, f)) {
		if (at_start && !strncmp(line, "btime ", 6)) {
			bt = strtod(line + 6, NULL);
			break;
		}
		/* a long line read in pieces: only its first piece starts
		 * a line */
		at_start = strchr(line, '\n') != NULL;
	}
	fclose(f);
	return bt;
}

/* Field k (1-based, as proc(5) numbers them) of /proc/self/stat, or -1.
 * The command name (field 2) may hold spaces and parentheses: count
 * from the last ')'. */
static int stat_fields(const char *st, unsigned long long *out, int nout)
{
	const char *p = strrchr(st, ')');
	if (!p)
		return -1;
	p++;
	/* p is before field 3 (the state letter) */
	int k = 3;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ')
		p++;
	while (*p && k < nout) {
		char *end;
		k++;
		errno = 0;
		out[k] = strtoull(p, &end, 10);
		if (end == p || errno)
			return -1;
		p = end;
	}
	return k == nout ? 0 : -1;
}

static void fds(struct ctbuf *b)
{
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		long n = 0;
		while (readdir(d))
			n++;
		closedir(d);
		/* not ".", "..", nor the one opendir held */
		ctprom_metric(b, "process_open_fds", "gauge",
			      "Number of open file descriptors.",
			      n > 3 ? (double)(n - 3) : 0);
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		ctprom_metric(b, "process_max_fds", "gauge",
			      "Maximum number of open file descriptors.",
			      rl.rlim_cur == RLIM_INFINITY
				  ? INFINITY
				  : (double)rl.rlim_cur);
	}
}

void ctprom_process(struct ctbuf *b)
{
	char st[1024];
	unsigned long long f[25];
	double tck = (double)sysconf(_SC_CLK_TCK);
	double page = (double)sysconf(_SC_PAGESIZE);
	if (slurp("/proc/self/stat", st, sizeof st) > 0 &&
	    stat_fields(st, f, 24) == 0 && tck > 0) {
		ctprom_metric(b, "process_cpu_seconds_total", "counter",
			      "Total user and system CPU time spent in "
			      "seconds.",
			      (double)(f[14] + f[15]) / tck);
		ctprom_metric(b, "process_virtual_memory_bytes", "gauge",
			      "Virtual memory size in bytes.", (double)f[23]);
		ctprom_metric(b, "process_resident_memory_bytes", "gauge",
			      "Resident memory size in bytes.",
			      (double)f[24] * page);
		double bt = boot_time();
		if (bt > 0)
			ctprom_metric(b, "process_start_time_seconds", "gauge",
				      "Start time of the process since unix "
				      "epoch in seconds.",
				      bt + (double)f[22] / tck);
	}
	fds(b);
}
