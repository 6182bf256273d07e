/* libFuzzer target: ct-serve's config file (lib/conf's key = value
 * lines and ct-serve's settings, taken from cmd/ct-serve/options.c and
 * config.c as they are): any bytes, no crash, no leak; a file it accepts
 * gives settings within their documented ranges. */
#include <stdlib.h>

#include "../../cmd/ct-serve/config.c"
#include "../../cmd/ct-serve/options.c"

/* config.c restarts the heartbeat after a reload; there is none here */
void stream_heartbeat_arm(struct server *s)
{
	(void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	static struct opts defaults;
	if (!quiet) {
		quiet = 1;
		ct_setprog("fuzz_conf");
		/* the table's defaults, as ct_cli_parse sets them (without
		 * them an empty file gave no heartbeat, and aborted) */
		char why[200];
		for (int id = 0; id < O_NOPTS; id++)
			if (opt_table[id].def &&
			    opts_set(&defaults, id, opt_table[id].def, why,
				     sizeof why) < 0)
				abort();
	}
	/* one command line flag, replayed over the file as at a reload */
	static const struct flag flag = { O_TOKEN, "flagtoken" };
	static struct server s;
	s.defaults = defaults;
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
