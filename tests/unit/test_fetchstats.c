/* lib/fetchstats and lib/prom: ct-fetch's --stats read back as
 * Prometheus text, label values escaped, the number of logs bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/fetchstats.h"
#include "../../lib/prom.h"
#include "tap.h"

static int has(const struct ctbuf *b, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = b->p; p && p < b->p + b->len;) {
		const char *e = memchr(p, '\n', (size_t)(b->p + b->len - p));
		if (!e)
			break;
		if ((size_t)(e - p) == n && !memcmp(p, line, n))
			return 1;
		p = e + 1;
	}
	return 0;
}

static void labels(void)
{
	struct ctbuf b = CTBUF_INIT;
	ctprom_label(&b, "a\\b\"c\nd\te\xff", 10);
	ctbuf_addc(&b, 0);
	ok(!strcmp(b.p, "\"a\\\\b\\\"c\\nd\xef\xbf\xbd"
			"e\xef\xbf\xbd\""),
	   "label: \\ \" newline escaped, control and bad UTF-8 replaced: %s",
	   b.p);
	ctbuf_reset(&b);
	ctprom_label(&b, "\xc3\xa9", 2);
	ok(b.len == 4 && !memcmp(b.p, "\"\xc3\xa9\"", 4), "UTF-8 kept");
	ctbuf_reset(&b);
	ctprom_value(&b, 1767225660.123);
	ctbuf_addc(&b, ' ');
	ctprom_value(&b, 1000);
	ctbuf_addc(&b, 0);
	ok(!strcmp(b.p, "1767225660.123 1000"), "values: %s", b.p);
	ctbuf_free(&b);
}

static void parse(void)
{
	static const char text[] =
	    "[{\"name\":\"L \\\"1\\\"\",\"url\":\"https://l1/\","
	    "\"tree_size\":1000,\"next\":400,\"behind\":600,"
	    "\"lag_s\":2.5,\"latency_ms\":250,\"last_ok_at\":0,"
	    "\"health\":\"unhealthy\",\"state\":\"backoff\","
	    "\"verified\":\"MISMATCH\",\"mismatches\":\"x\","
	    "\"bad_signatures\":2},"
	    "{\"name\":\"L2\",\"url\":\"https://l2/\",\"tree_size\":1e999},"
	    "{\"name\":\"L2\",\"url\":\"https://l2/\"},"
	    "{\"url\":\"https://l3/\"}, 7,"
	    "{\"name\":\"c\\u0001\",\"url\":\"u\"},"
	    "{\"name\":\"c\\u0002\",\"url\":\"u\"}]";
	struct ctfstats *f = ctfstats_new();
	const char *why = NULL;
	ok(ctfstats_parse(f, text, sizeof text - 1, &why) == 0, "parses");
	size_t bad = ctfstats_invalid(f, &why);
	ok(ctfstats_count(f) == 3 && bad == 4 && why,
	   "3 logs kept, 4 invalid (twice, no name, not an object, the "
	   "same label values): %s",
	   why ? why : "");
	struct ctbuf b = CTBUF_INIT;
	ctfstats_prom(f, &b);
	ok(has(&b, "ctfetch_log_tree_size{log=\"L \\\"1\\\"\","
		   "url=\"https://l1/\"} 1000"),
	   "tree size, labels escaped");
	ok(has(&b, "ctfetch_log_lag_entries{log=\"L \\\"1\\\"\","
		   "url=\"https://l1/\"} 600") &&
	       has(&b, "ctfetch_log_lag_seconds{log=\"L \\\"1\\\"\","
		       "url=\"https://l1/\"} 2.5"),
	   "lag in entries and seconds");
	ok(has(&b, "ctfetch_log_latency_seconds{log=\"L \\\"1\\\"\","
		   "url=\"https://l1/\"} 0.25"),
	   "milliseconds become seconds");
	ok(has(&b, "ctfetch_log_health{log=\"L \\\"1\\\"\",url=\"https://l1/\","
		   "health=\"unhealthy\"} 1") &&
	       has(&b, "ctfetch_log_health{log=\"L \\\"1\\\"\","
		       "url=\"https://l1/\",health=\"healthy\"} 0") &&
	       has(&b, "ctfetch_log_health{log=\"L2\",url=\"https://l2/\","
		       "health=\"healthy\"} 0"),
	   "health: one series per state, 0 or 1");
	ok(has(&b, "ctfetch_log_bad_signatures_total{log=\"L \\\"1\\\"\","
		   "url=\"https://l1/\"} 2"),
	   "bad signatures");
	ok(!strstr(b.p, "ctfetch_log_verification_mismatches_total{") &&
	       !strstr(b.p, "ctfetch_log_last_success_timestamp_seconds{") &&
	       !strstr(b.p, "url=\"https://l2/\"} inf") &&
	       !strstr(b.p, "ctfetch_log_tree_size{log=\"L2\""),
	   "a string, a 0 time, an infinite number: left out");
	ok(has(&b, "# TYPE ctfetch_log_entries_total counter") &&
	       has(&b, "# TYPE ctfetch_log_tree_size gauge"),
	   "types");
	ctbuf_free(&b);

	ok(ctfstats_parse(f, "{}", 2, &why) == -1 && ctfstats_count(f) == 0 &&
	       why && strstr(why, "array"),
	   "an object is refused, and nothing is kept");
	ok(ctfstats_parse(f, "[1,", 3, &why) == -1, "truncated JSON refused");
	ctfstats_free(f);
}

static void bounded(void)
{
	struct ctbuf t = CTBUF_INIT;
	ctbuf_addc(&t, '[');
	for (int i = 0; i < CTFSTATS_MAX_LOGS + 5; i++)
		ctbuf_printf(&t, "%s{\"name\":\"l%d\",\"url\":\"u%d\"}",
			     i ? "," : "", i, i);
	ctbuf_addc(&t, ']');
	struct ctfstats *f = ctfstats_new();
	const char *why;
	ok(ctfstats_parse(f, t.p, t.len, &why) == 0 &&
	       ctfstats_count(f) == CTFSTATS_MAX_LOGS &&
	       ctfstats_omitted(f) == 5,
	   "at most %d logs, the rest counted", CTFSTATS_MAX_LOGS);
	ctbuf_reset(&t);
	char big[CTFSTATS_MAX_LABEL + 2];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	ctbuf_printf(&t, "[{\"name\":\"%s\",\"url\":\"u\"}]", big);
	ok(ctfstats_parse(f, t.p, t.len, &why) == 0 && ctfstats_count(f) == 0 &&
	       ctfstats_invalid(f, NULL) == 1,
	   "a name over %d bytes is invalid", CTFSTATS_MAX_LABEL);
	ctfstats_free(f);
	ctbuf_free(&t);
}

static void process(void)
{
	struct ctbuf b = CTBUF_INIT;
	ctprom_process(&b);
	ctbuf_addc(&b, 0);
	ok(strstr(b.p, "\nprocess_resident_memory_bytes ") &&
	       strstr(b.p, "\nprocess_virtual_memory_bytes ") &&
	       strstr(b.p, "\nprocess_cpu_seconds_total ") &&
	       strstr(b.p, "\nprocess_start_time_seconds 1") &&
	       strstr(b.p, "\nprocess_open_fds ") &&
	       strstr(b.p, "\nprocess_max_fds "),
	   "process metrics");
	ctbuf_free(&b);
}

int main(void)
{
	labels();
	parse();
	bounded();
	process();
	return tap_done();
}
