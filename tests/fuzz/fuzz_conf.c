/* libFuzzer target: ct-serve's config file (lib/conf's key = value
 * lines and ct-serve's settings, taken from cmd/ct-serve/main.c as it is,
 * its main renamed): any bytes, no crash, no leak; a file it accepts
 * gives settings within their documented ranges. */
#include <stdlib.h>

#define main ct_serve_main
#include "../../cmd/ct-serve/main.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet) {
		quiet = 1;
		ct_setprog("fuzz_conf");
	}
	/* one command line flag, replayed over the file as at a reload */
	static const struct flag flag = { 4, "flagtoken" };
	struct server s = { 0 };
	s.flags = (struct flag *)&flag;
	s.nflags = size & 1;
	struct opts o;
	struct strs owned = { 0 };
	char err[400];
	if (conf_opts(&s, (const char *)data, size, &o, &owned, err,
		      sizeof err) == 0) {
		if (o.heartbeat_ms < 100 || o.write_timeout_ms < 100 ||
		    o.queue_bytes < 65536 || o.max_clients < 1 ||
		    o.ntokens > MAXTOKENS || o.nproxies > MAXPROXIES ||
		    !o.auth_header || !*o.auth_header)
			abort();
		for (size_t i = 0; i < o.ntokens; i++)
			if (!*o.tokens[i])
				abort();
	} else if (!err[0]) {
		abort(); /* an error must say why */
	}
	strs_free(&owned);
	return 0;
}
