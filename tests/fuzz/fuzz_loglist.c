/* libFuzzer target: ct-loglist's reader of Google/Apple v3 log lists
 * (taken from cmd/ct-loglist/main.c as it is, its main renamed), and the
 * log records it writes: any bytes, no crash, no leak; every log it
 * keeps prints as a record. */
#include <fcntl.h>
#include <unistd.h>

#define main ct_loglist_main
#include "../../cmd/ct-loglist/main.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet) {
		quiet = 1;
		ct_setprog("fuzz_loglist");
	}
	struct ctbuf b = CTBUF_INIT;
	ctbuf_add(&b, data, size);
	struct set s = { 0 };
	parse_list("fuzz", &b, &s);
	struct opts o = { 0 };
	struct ctout out;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ctout_init(&out, devnull);
	for (size_t i = 0; i < s.n; i++)
		print_log(&out, &o, &s.v[i]);
	ctout_flush(&out);
	ctout_free(&out);
	close(devnull);
	for (size_t i = 0; i < s.n; i++)
		free_log(&s.v[i]);
	free(s.v);
	ctbuf_free(&b);
	return 0;
}
